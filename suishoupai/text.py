"""The one rule for invisible characters in text people send.

Decided once: a request carrying any of them is refused at the door with a 400
(`web.middleware.RequestGuardMiddleware`, every content type), so nothing stored
through HTTP holds one. Writers whose formats cannot carry them at all (XML,
XLSX) still drop them with `strip_forbidden`, for text that came in another way
(an import, a shell, data older than the rule): an answer must never break.
"""

import re

# C0 controls except tab, line feed and carriage return; lone UTF-16 surrogates;
# the non-characters U+FFFE and U+FFFF. Exactly what XML 1.0 forbids. NUL is also
# what PostgreSQL cannot store in a text column.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_forbidden(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def strip_forbidden(text: str) -> str:
    return FORBIDDEN.sub("", text)
