"""Sign-in forms that refuse a locked username or address before checking a password."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import throttle


class ThrottleMixin:
    """For any AuthenticationForm: use it as `authentication_form` of a LoginView."""

    request: HttpRequest | None
    cleaned_data: dict

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = throttle.request_ip(self.request)
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # type: ignore[misc]  # "this field is required"
        # Counted before the password is checked, so parallel guesses cannot slip past.
        lock = throttle.claim(username, ip)
        if lock:
            raise self._locked(lock)
        try:
            with throttle.checking_claimed_attempt():
                return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # This failure (recorded by the user_login_failed receiver) may be the one
            # that locks: say so now rather than on the next try.
            lock = throttle.current_lock(username, ip)
            if lock:
                raise self._locked(lock) from None
            raise

    def _locked(self, lock: throttle.Lock) -> forms.ValidationError:
        until = formats.time_format(timezone.localtime(lock.until), "H:i")
        if lock.by == "username":
            message = _(
                "Too many failed sign-ins for this account. It is locked; "
                "please try again after %(time)s."
            )
        else:
            message = _(
                "Too many failed sign-ins from this network address. "
                "Please try again after %(time)s."
            )
        return forms.ValidationError(message, code="locked", params={"time": until})


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    pass
