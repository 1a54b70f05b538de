"""Phone confirmation for "my reports": send a code, check it.

A confirmed phone lets the reporter see every case filed with that number, also
from another device. The code is hashed with SECRET_KEY (six digits alone would
be guessed from a plain hash), expires, and dies after a few wrong tries.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.errors import InvalidInput
from suishoupai.notify.services import send_to_phone

from .models import PhoneCode


def _hash(phone: str, code: str) -> str:
    msg = f"phone-code:{phone}:{code}".encode()
    return hmac.new(str(settings.SECRET_KEY).encode(), msg, hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    phone = (raw or "").strip().replace(" ", "").replace("-", "")
    if not (phone.lstrip("+").isdigit() and 5 <= len(phone) <= 20):
        raise InvalidInput(_("Please enter a valid phone number."), field="phone")
    return phone


def send_code(raw_phone: str, *, now: datetime | None = None) -> PhoneCode:
    """A fresh code replaces any earlier one for this phone."""
    now = now or timezone.now()
    phone = normalise_phone(raw_phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = settings.PHONE_CODE_MINUTES
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, used_at=None).update(used_at=now)
        row = PhoneCode.objects.create(
            phone=phone,
            code_hash=_hash(phone, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        text = _("Your Suishoupai confirmation code is %(code)s, valid for %(m)d minutes.") % {
            "code": code,
            "m": minutes,
        }
        send_to_phone(phone, text, kind="citizen.phone_code", key=str(row.pk))
    return row


def confirm_code(raw_phone: str, code: str, *, now: datetime | None = None) -> str:
    """The normalised phone when the code is right; InvalidInput otherwise."""
    now = now or timezone.now()
    phone = normalise_phone(raw_phone)
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, used_at=None, expires_at__gt=now)
            .first()
        )
        usable = row is not None and row.attempts < settings.PHONE_CODE_ATTEMPTS
        right = False
        if row is not None and usable:
            right = hmac.compare_digest(row.code_hash, _hash(phone, (code or "").strip()))
            # Counted before raising, and committed: a wrong guess must use up a try.
            if right:
                row.used_at = now
            else:
                row.attempts += 1
            row.save(update_fields=["used_at", "attempts"])
    if not usable:
        raise InvalidInput(_("The code has expired. Please ask for a new one."), field="code")
    if not right:
        raise InvalidInput(_("The code is not right. Please check it."), field="code")
    return phone
