"""Who may do what to a case, each rule written once.

The role groups below are the posts as the work is organised (DESIGN §6); the
move table (states.MOVES) gives each move one of them. The services enforce the
rules (services._check), the interfaces ask the same functions to decide what
to offer: the console's buttons and pages, the API's reporter phone.
"""

import functools
import re
from typing import Any, Protocol

from suishoupai.org.models import Role, User
from suishoupai.places.selectors import snap

# 受理: file or decline reports, merge duplicates, call reporters back; photo moderation.
INTAKE = frozenset({Role.OPERATOR, Role.SHIFT_LEAD})
# 值班长: approvals, closing, voiding, reopening.
LEADS = frozenset({Role.SHIFT_LEAD})
# 派遣 and 改派.
DISPATCHERS = frozenset({Role.DISPATCHER, Role.SHIFT_LEAD})
# Department handlers: only on cases held by their department or a unit below it.
DEPARTMENTS = frozenset({Role.HANDLER})
# 核查 on site.
INSPECTORS = frozenset({Role.INSPECTOR, Role.SHIFT_LEAD})
# 督办.
SUPERVISORS = frozenset({Role.LEADER, Role.SHIFT_LEAD})
STAFF = frozenset(Role.values)
# Posts that read every case; a handler reads their department's (Case.objects.visible_to).
READ_ALL = STAFF - DEPARTMENTS
# The command centre's posts. Departments get the problem, not the person: only these
# see (and search by) a reporter's phone number.
PHONE_READERS = frozenset(
    {Role.OPERATOR, Role.SHIFT_LEAD, Role.DISPATCHER, Role.LEADER, Role.ADMIN}
)


class _Move(Protocol):
    @property
    def roles(self) -> frozenset[str]: ...


def has_post(user: User, roles: frozenset[str]) -> bool:
    """The person's post is one of `roles` (a superuser holds every post)."""
    return user.role in roles or user.is_superuser


def may(user: User, move: _Move) -> bool:
    """May this person's post make the move at all (before state and department)?"""
    return user.is_active and has_post(user, move.roles)


def holds(user: User, department_id: int | None) -> bool:
    """A department handler acts only on cases held by their department or a unit below."""
    if user.role != Role.HANDLER or user.is_superuser:
        return True
    return department_id is not None and department_id in user.department_scope


def may_see_phone(user: User | None) -> bool:
    """The reporter's phone number: for the command centre, never for departments."""
    return user is not None and has_post(user, PHONE_READERS)


# The reporter's phone, in every field of every event and every text about a case, in
# every interface: whoever may not see it (departments, the inspector, the public,
# partner systems) gets event data without its contact fields (a call-back's `contact`
# is the number dialled, whatever it holds) and every text (descriptions, addresses,
# notes, reasons, comments, data values) with the reporter's number masked wherever it
# appears, in any spelling (139 1234 5678, 139-1234-5678, +86 13912345678).
CONTACT_KEYS = frozenset({"contact", "phone"})
MASK = "***"
# Shorter numbers would match ordinary figures in a text (dates, amounts).
MIN_DIGITS = 7


@functools.lru_cache(maxsize=4096)
def _phone_digits(phone: str) -> tuple[str, tuple[str, ...]] | None:
    """The number's digits and the distinct ones; None when too short to mask."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < MIN_DIGITS:
        return None
    return digits, tuple(set(digits))


@functools.lru_cache(maxsize=1024)
def _phone_pattern(digits: str) -> re.Pattern:
    # Up to three separators between digits: spaces, dashes, dots, brackets.
    return re.compile(r"\D{0,3}".join(digits))


def mask(text: str, phone: str) -> str:
    found = _phone_digits(phone) if text else None
    if found is None:
        return text
    digits, distinct = found
    # Every digit of the number must be in the text somewhere: most texts (a thousand
    # Open311 requests, each with its own reporter) are answered without compiling
    # their number's pattern, which was most of such a list's time.
    if sum(text.count(d) for d in distinct) < len(digits):
        return text
    return _phone_pattern(digits).sub(MASK, text)


def masked(value: Any, phone: str) -> Any:
    """Any event data or text, as someone who may not see the reporter's `phone` gets it."""
    if isinstance(value, str):
        return mask(value, phone)
    if isinstance(value, dict):
        return {k: masked(v, phone) for k, v in value.items() if k not in CONTACT_KEYS}
    if isinstance(value, list):
        return [masked(v, phone) for v in value]
    return value


# Where a case is, in public. Noise and nuisance reports (Category.coarse_location) point
# at someone's home: the public gets the centre of the ~100 m grid square they fall in
# (a fixed grid, so asking again and again never averages out to the point) and no street
# address. Staff and the reporter keep the exact place.
COARSE_GRID_M = 100


def public_position(lat: float, lng: float, coarse: bool) -> tuple[float, float]:
    return snap(lat, lng, COARSE_GRID_M) if coarse else (lat, lng)


def public_address(case: Any) -> str:
    """The address as the public sees it: the reporter's number masked; for a coarse
    category only the street (街道) the case lies in, never the door."""
    if case.category.coarse_location:
        return case.street.name if case.street_id else ""
    return mask(case.address, case.reporter_phone)
