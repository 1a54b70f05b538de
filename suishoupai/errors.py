"""Domain errors shared by every interface.

Services raise these; the API turns them into HTTP responses (status below)
and the web pages show the message next to the form. Messages are for people:
translated, and they say what to do.
"""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class NotAllowed(DomainError):
    """The actor's role or department may not do this to this case."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class IllegalTransition(DomainError):
    """The case is not in a state where this move is allowed; nothing was written."""

    status = 409
    code = "illegal_transition"


class Conflict(DomainError):
    status = 409
    code = "conflict"
