from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_KEY = "org_last_seen"
# Writing the session on every request would cost a database write per click;
# once a minute is precise enough for a 30-minute timeout.
TOUCH_EVERY_SECONDS = 60
# Requests the page makes by itself (htmx polling a queue) are not a person at work:
# they send this header so they do not keep an unattended screen signed in.
BACKGROUND_HEADER = "X-Background"


class IdleTimeoutMiddleware:
    """Sign out a session after SESSION_IDLE_TIMEOUT_MINUTES without a request.

    SESSION_COOKIE_AGE still bounds the whole session; this ends an unattended one
    (a duty PC left signed in) much sooner.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if timeout > 0 and request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(SESSION_KEY)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                messages.info(request, _("You were signed out after a long time without activity."))
            elif not isinstance(last, int) or (
                not request.headers.get(BACKGROUND_HEADER) and now - last >= TOUCH_EVERY_SECONDS
            ):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="org.middleware.logged_in")
def _stamp_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    # The clock starts at sign-in, not at the first request after it.
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(timezone.now().timestamp())
