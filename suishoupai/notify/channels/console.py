"""The demo channel: the message goes to the worker's log, nowhere else."""

import logging

from .base import Channel

log = logging.getLogger("suishoupai.notify.console")


def write(message, prefix: str = "") -> None:
    log.info(
        "%s[%s → %s %s] %s%s",
        prefix,
        message.kind,
        message.channel,
        message.recipient,
        f"{message.subject}: " if message.subject else "",
        message.body,
    )


class ConsoleChannel(Channel):
    code = "console"
    real = False

    def transmit(self, message) -> None:
        write(message)
