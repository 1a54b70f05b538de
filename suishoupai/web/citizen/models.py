from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS to confirm that a phone belongs to the person asking.

    Only the code's hash is kept; a code expires, allows a few tries and works once.
    """

    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone confirmation code")
        verbose_name_plural = _("phone confirmation codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
