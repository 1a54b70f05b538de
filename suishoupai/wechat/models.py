from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundMessage(models.Model):
    """One message or event WeChat delivered to the server URL.

    WeChat retries a delivery it got no answer to within 5 s (three times, same
    MsgId); the unique key makes every retry find the first one, which is handled
    once and answered again with the same reply. Only a hash of the identity is
    kept: the key of an event includes the follower's openid.
    """

    key = models.CharField(max_length=64, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    reply = models.TextField(_("reply"), blank=True)

    class Meta:
        verbose_name = _("received WeChat message")
        verbose_name_plural = _("received WeChat messages")

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.received_at:%Y-%m-%d %H:%M:%S}"
