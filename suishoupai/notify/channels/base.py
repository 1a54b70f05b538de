"""The one interface every channel implements.

A channel gets a Message and either returns (delivered), or raises:
Suppressed (never sent on purpose), PermanentError (retrying cannot help) or
any other exception (a transient failure: the outbox retries with backoff).
The staging guard lives here, in front of every real channel, so no channel
module can forget it.
"""

from django.conf import settings


class Suppressed(Exception):
    """Not sent on purpose; the message is marked suppressed with this reason."""


class PermanentError(Exception):
    """The receiver refused for good (bad address, 4xx): no retry."""


STAGING_GUARD = "staging guard"


class Channel:
    code = ""
    # True for channels that leave the machine; the staging guard stops them.
    real = True

    def deliver(self, message) -> None:
        if self.real and not settings.NOTIFY_LIVE:
            raise Suppressed(f"{STAGING_GUARD}: NOTIFY_LIVE is off")
        problem = self.unconfigured(message)
        if problem:
            raise Suppressed(problem)
        self.transmit(message)

    def unconfigured(self, message) -> str:
        """Why this channel cannot send the message, or "" when it can."""
        return ""

    def transmit(self, message) -> None:
        raise NotImplementedError
