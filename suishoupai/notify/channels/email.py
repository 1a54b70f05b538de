"""E-mail through Django's mail backend (SMTP from the EMAIL_* settings)."""

from django.conf import settings
from django.core.mail import EmailMessage

from .base import Channel

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class EmailChannel(Channel):
    code = "email"

    def unconfigured(self, message) -> str:
        if settings.EMAIL_BACKEND == SMTP_BACKEND and not settings.EMAIL_HOST:
            return "email is not configured (EMAIL_HOST is empty)"
        return ""

    def transmit(self, message) -> None:
        email = EmailMessage(
            subject=message.subject or message.body[:40],
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"X-Suishoupai-Message-Id": str(message.pk)},
        )
        email.send(fail_silently=False)
