"""Sign-in lockout: too many failed passwords for one username or from one address.

Failures are rows in the database (LoginAttempt), so every web process and
every server behind the load balancer counts the same failures, on SQLite and
PostgreSQL alike. A lock is not stored: it is read from the failures, so it
ends by itself and an administrator unlocks by deleting the rows.

Why this and not django-axes (issue 17 asked): axes checks for a lock, lets the
password be checked and records the failure afterwards, so requests sent in
parallel all pass the check before any failure is written — its maintainers
keep that as a known issue they will not fix (jazzband/django-axes#592), and it
is what let 40 parallel wrong passwords through 7 checks here where the limit is
5. `claim` below counts an attempt *before* its password is checked, one at a
time per username and address, so the limit is exact under any concurrency.
Axes also has one failure limit for every parameter, where a command centre
needs a higher one for its shared NAT address (20) than for a username (5).
"""

import contextvars
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from suishoupai.ratelimit import client_ip

from .models import LoginAttempt


@dataclass(frozen=True)
class Rule:
    field: str  # "username" or "ip"
    limit: int


def _rules() -> list[Rule]:
    return [
        Rule("username", settings.LOGIN_FAILURE_LIMIT),
        Rule("ip", settings.LOGIN_IP_FAILURE_LIMIT),
    ]


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _lockout() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def normalise(username: str) -> str:
    # "Olga" and "olga" count as one: an attacker must not get five tries per spelling.
    return (username or "").strip().lower()[:150]


@dataclass(frozen=True)
class Lock:
    by: str  # "username" or "ip"
    until: datetime


def _locked_until(field: str, value: str, limit: int, now: datetime) -> datetime | None:
    """The end of the lock, if `limit` failures fell within one window.

    The lock runs from the last of those failures, so a locked person who keeps
    trying (refused without a password check, not recorded) is free again on time.
    """
    if not value or limit < 1:
        return None
    recent = list(
        LoginAttempt.objects.filter(**{field: value}, at__gt=now - _window() - _lockout())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit or recent[0] - recent[-1] > _window():
        return None
    until = recent[0] + _lockout()
    return until if until > now else None


def current_lock(username: str, ip: str, now: datetime | None = None) -> Lock | None:
    now = now or timezone.now()
    values = {"username": normalise(username), "ip": ip}
    for rule in _rules():
        until = _locked_until(rule.field, values[rule.field], rule.limit, now)
        if until:
            return Lock(rule.field, until)
    return None


# Set while a claimed attempt's password is checked: its failure is already counted.
_claimed: contextvars.ContextVar[bool] = contextvars.ContextVar("login_claimed", default=False)


def claim(username: str, ip: str, now: datetime | None = None) -> Lock | None:
    """Before a password is checked: the lock if there is one, else this attempt counted
    as a failure in advance (a successful sign-in then clears it, see `reset`).

    Attempts for the same username or address queue here, so of any number sent at
    once exactly LOGIN_FAILURE_LIMIT get their password checked.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _serialise([f"login:username:{normalise(username)}", f"login:ip:{ip}"])
        lock = current_lock(username, ip, now)
        if lock is None:
            record_failure(username, ip, now)
    return lock


def _serialise(keys: list[str]) -> None:
    # PostgreSQL: transaction-scoped advisory locks, always taken in the same order so
    # that two attempts never wait for each other crosswise. SQLite needs none: the
    # transaction begins IMMEDIATE (settings.sqlite_database), one writer at a time.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


class checking_claimed_attempt:
    """Around the password check of a claimed attempt (org.forms)."""

    def __enter__(self) -> None:
        self._token = _claimed.set(True)

    def __exit__(self, *exc) -> None:
        _claimed.reset(self._token)


def record_failure(username: str, ip: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    LoginAttempt.objects.create(username=normalise(username), ip=ip or None, at=now)
    # Rows older than any lock they could still cause are dead weight; the index on
    # `at` keeps this delete cheap.
    LoginAttempt.objects.filter(at__lt=now - 2 * (_window() + _lockout())).delete()


def reset(username: str) -> None:
    """A successful sign-in clears that username's failures.

    The address's failures stay: otherwise someone holding one valid account could
    clear their address between guesses at other people's passwords.
    """
    LoginAttempt.objects.filter(username=normalise(username)).delete()


def request_ip(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


@receiver(user_login_failed, dispatch_uid="org.throttle.failed")
def _on_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # A sign-in through our forms was counted by `claim`; any other is counted here.
    if not _claimed.get():
        record_failure(credentials.get("username", ""), request_ip(request))


@receiver(user_logged_in, dispatch_uid="org.throttle.logged_in")
def _on_success(sender, request: HttpRequest | None, user, **kwargs) -> None:
    reset(user.get_username())
