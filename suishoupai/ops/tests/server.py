"""The real `manage.py serve`, started on a free loopback port for a test module.

It runs on its own SQLite database under a temporary DATA_DIR (migrated once per
test session and copied), whatever database the test run itself uses, so the
served processes never touch the test database or the developer's data.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def served_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATA_DIR": str(data_dir),
            "SUISHOUPAI_DEMO": "true",
            # Behave as a real install: tasks queued, not run inline.
            "SUISHOUPAI_TESTING": "false",
            "HUEY_IMMEDIATE": "false",
            "DATABASE_URL": database_url,
            "HUEY_REDIS_URL": "",
            "CACHE_REDIS_URL": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def migrated_template(root: Path) -> Path:
    template = root / "template"
    template.mkdir()
    env = served_env(template)
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, str(MANAGE), *command], env=env, check=True, cwd=settings.BASE_DIR
        )
    return template


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Served:
    def __init__(self, template: Path, workdir: Path, *args: str, database_url: str = ""):
        self.data_dir = workdir / "data"
        shutil.copytree(template, self.data_dir)
        self.port = free_port()
        self.log = workdir / "serve.log"
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(MANAGE), "serve", "--port", str(self.port), *args],
            env=served_env(self.data_dir, database_url),
            cwd=settings.BASE_DIR,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.log.read_text()}")
            if get(self.port, "/healthz", timeout=2)[0] == 200:
                return
            time.sleep(0.3)
        raise AssertionError(f"serve did not answer in {timeout} s:\n{self.log.read_text()}")

    def children_named(self, word: str) -> list[int]:
        return [p for p in children_of(self.proc.pid) if word in cmdline(p) and alive(p)]

    def child(self, word: str) -> int:
        pids = self.children_named(word)
        assert len(pids) == 1, (word, pids)
        return pids[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One HTTP/1.1 response from a keep-alive socket: (status, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed without a response after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-body")
            body += chunk
    else:  # chunked: good enough for our small test responses
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-body")
            body += chunk
    return status, body


def get(port: int, path: str, timeout: float = 5) -> tuple[int, float]:
    """(status or 0 when refused/failed, seconds) for one request on a new connection."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(request_bytes(path))
            status, _ = read_response(sock)
    except OSError:
        status = 0
    return status, time.monotonic() - started
