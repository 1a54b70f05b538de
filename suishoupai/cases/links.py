"""The reporter's link in messages: the case page with a signed, expiring grant.

A message (SMS, WeChat) must not carry the tracking token: it never expires, and it is stored
only as a hash, so it could not be put in a message made later anyway. The grant is an HMAC
(SECRET_KEY, salted) of the case number and the day it was made: for REPORTER_LINK_DAYS it
opens that one case's reporter view (follow it, rate it) and nothing else. It travels in the
URL fragment, which browsers never send, so it stays out of access logs as the token does.

It is short on purpose, because it goes into SMS: the day in base 62 and 96 bits of
HMAC-SHA256 in URL-safe base64 ("2Wb.3q2-7wAbCdEfGhIjKlMn", 20 characters). Guessing 96 bits
online is out of reach; Django's TimestampSigner would add 30 characters to every SMS.
"""

import base64
import time

from django.conf import settings
from django.core.signing import b62_decode, b62_encode
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "suishoupai.cases.reporter-link"
_MAC_BYTES = 12


def _today() -> int:
    return int(time.time() // 86400)


def _mac(number: str, day: int) -> str:
    digest = salted_hmac(_SALT, f"{number}:{day}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode()


def reporter_grant(number: str) -> str:
    day = _today()
    return f"{b62_encode(day)}.{_mac(number, day)}"


def grant_opens(number: str, grant: str) -> bool:
    """Whether `grant` was made for this case number by us, less than REPORTER_LINK_DAYS
    (whole days) ago."""
    stamp, _, mac = grant.partition(".")
    if not stamp.isalnum():
        return False
    try:
        day = b62_decode(stamp)
    except ValueError:  # not base 62
        return False
    if not constant_time_compare(mac, _mac(number, day)):
        return False
    return 0 <= _today() - day < settings.REPORTER_LINK_DAYS


def reporter_link(number: str) -> str:
    return f"{settings.SITE_URL}/m/cases/{number}#k={reporter_grant(number)}"
