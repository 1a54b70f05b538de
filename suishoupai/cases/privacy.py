"""The reporter's phone belongs to the command centre (DESIGN §9, reporter privacy).

One rule for every field of every event and every text about a case, in every
interface: whoever may not see the phone (departments, the inspector, the
public, partner systems) gets
- event data without its contact fields (a call-back's `contact` is the number
  dialled: never shown, whatever it holds), and
- every text (descriptions, addresses, notes, reasons, comments, data values)
  with the reporter's number masked wherever it appears, in any spelling
  (139 1234 5678, 139-1234-5678, +86 13912345678).
"""

import re
from typing import Any

from suishoupai.org.models import Role, User

CENTRE_ROLES = {Role.OPERATOR, Role.SHIFT_LEAD, Role.DISPATCHER, Role.LEADER, Role.ADMIN}
CONTACT_KEYS = {"contact", "phone"}
MASK = "***"
# Shorter numbers would match ordinary figures in a text (dates, amounts).
MIN_DIGITS = 7


def may_see_phone(user: User | None) -> bool:
    return user is not None and (user.role in CENTRE_ROLES or user.is_superuser)


def _pattern(phone: str) -> re.Pattern | None:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < MIN_DIGITS:
        return None
    # Up to three separators between digits: spaces, dashes, dots, brackets.
    return re.compile(r"\D{0,3}".join(digits))


def mask(text: str, phone: str) -> str:
    pattern = _pattern(phone)
    return pattern.sub(MASK, text) if pattern and text else text


def masked(value: Any, phone: str) -> Any:
    """Any event data or text, as someone who may not see the reporter's `phone` gets it."""
    if isinstance(value, str):
        return mask(value, phone)
    if isinstance(value, dict):
        return {k: masked(v, phone) for k, v in value.items() if k not in CONTACT_KEYS}
    if isinstance(value, list):
        return [masked(v, phone) for v in value]
    return value
