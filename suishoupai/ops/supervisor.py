"""A small process supervisor for `manage.py serve`.

Each child runs in its own process group, so a child's own children (granian's
worker processes) can be stopped with it even when the child itself was killed.
A child that dies is started again after a backoff that doubles while it keeps
dying quickly (1 s, 2 s, 4 s … 30 s) and resets once it has stayed up; the
other children keep running meanwhile. Only a stop signal ends everything.
"""

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("suishoupai.serve")

# A child that stayed up this long is healthy again: its next crash restarts it at once.
STABLE_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if serve itself is killed (-9),
    # Linux sends the child SIGTERM instead of leaving it orphaned and serving.
    # (Not Linux: no libc.so.6; the process group is still stopped by stop().)
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    # The signal that asks this child to finish its work and exit.
    stop_signal: int = signal.SIGTERM
    # Called before every start (e.g. to requeue work a dead consumer left behind).
    before_start: Callable[["Child"], None] | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_failures: int = 0
    restart_at: float | None = None
    died_at: float | None = None
    history: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class Supervisor:
    def __init__(self, children: list[Child], *, stop_timeout: float = 15.0, tick: float = 0.2):
        self.children = children
        self.stop_timeout = stop_timeout
        self.tick = tick
        self.stopping = False

    def request_stop(self, *_args) -> None:
        self.stopping = True

    def start(self, child: Child) -> None:
        if child.before_start:
            try:
                child.before_start(child)
            except Exception:  # recovery must never keep the process from starting
                log.exception("%s: preparing the start failed; starting anyway", child.name)
        child.proc = subprocess.Popen(
            child.argv, env=child.env, start_new_session=True, preexec_fn=_die_with_parent
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        child.history.append(child.proc.pid)

    def run(self) -> None:
        for child in self.children:
            self.start(child)
        while not self.stopping:
            self.check_once(time.monotonic())
            time.sleep(self.tick)
        self.stop()

    def check_once(self, now: float) -> None:
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self.stopping:
                    child.restarts += 1
                    log.warning("%s: restarting (restart #%d)", child.name, child.restarts)
                    self.start(child)
                continue
            if child.proc is None:
                continue
            code = child.proc.poll()
            if code is None:
                continue
            self._reap_group(child)
            uptime = now - child.started_at
            child.quick_failures = child.quick_failures + 1 if uptime < STABLE_SECONDS else 0
            delay = min(MAX_BACKOFF_SECONDS, 2.0 ** max(child.quick_failures - 1, 0))
            child.died_at = time.time()
            child.restart_at = now + delay
            log.error(
                "%s (pid %s) %s after %.0f s; restarting in %.0f s",
                child.name,
                child.proc.pid,
                describe_exit(code),
                uptime,
                delay,
            )

    def _reap_group(self, child: Child) -> None:
        # Whatever the dead child left in its group (granian workers) goes with it,
        # or the orphans would keep the port and answer with stale code.
        if child.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        running = [c for c in self.children if c.proc and c.proc.poll() is None]
        for child in running:
            # The leader only: granian stops its own workers in order.
            child.proc.send_signal(child.stop_signal)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))  # type: ignore[union-attr]
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s; killing it", child.name, self.stop_timeout)
        for child in self.children:
            self._reap_group(child)
            if child.proc:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.proc.wait(timeout=5)
