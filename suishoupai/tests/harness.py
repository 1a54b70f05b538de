"""A whole install on loopback, driven from outside: the crash-safety test, the
production-topology test and `make soak` (scripts/soak.py) use it.

`Install` makes a fresh install in a temporary folder (its own database: SQLite, or
a PostgreSQL database; the task queue on SQLite or on Redis; photos on disk or on
S3), with demo staff and their API tokens, and department webhooks pointing at a
local receiver that counts what arrives. `Servers` runs granian web servers and huey
consumers as plain processes (not `manage.py serve`: supervision is not under test
here) and can SIGKILL any of them. `Load` sends a mixed load: reports with photos,
the staff moving them through every hand, public reads, Open311. `check` reads the
database and the store afterwards and lists what does not add up.
"""

import hashlib
import hmac
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
WEBHOOK_SECRET = "harness-webhook-secret"
STAFF = ["olga", "dora", "carl", "hans", "ivan", "leo"]


# ------------------------------------------------------------------ the webhook receiver


class Receiver:
    """A department's system: counts every signed delivery by message id."""

    def __init__(self) -> None:
        self.deliveries: list[int] = []
        self.bad_signatures = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stamp = self.headers.get("X-Suishoupai-Timestamp", "")
                mac = hmac.new(WEBHOOK_SECRET.encode(), stamp.encode() + b"." + body, "sha256")
                good = self.headers.get("X-Suishoupai-Signature") == "sha256=" + mac.hexdigest()
                with lock:
                    if good:
                        receiver.deliveries.append(int(self.headers["X-Suishoupai-Message-Id"]))
                    else:
                        receiver.bad_signatures += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ the install


@dataclass
class Install:
    root: Path
    database_url: str = ""  # "" = SQLite under root
    redis_url: str = ""  # "" = huey on SQLite under root
    s3_env: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    receiver: Receiver | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "HUEY_", "PHOTO_S3", "SUISHOUPAI_TESTING"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="suishoupai.settings",
            SUISHOUPAI_DEMO="true",
            DATA_DIR=str(self.root / "data"),
            # Clients are told apart by X-Forwarded-For, as behind the city's proxy.
            BEHIND_TLS_PROXY="true",
            NOTIFY_LIVE="true",
            NOTIFY_LEASE_SECONDS="20",
            NOTIFY_RETRY_SECONDS="2",
            # Bounds how long the harness's drain waits for a lost copy's periodic requeue.
            PHOTO_DERIVE_STUCK_MINUTES="1",
            HUEY_WORKERS="2",
            HUEY_NAME=f"sec:harness:{self.root.name}",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["HUEY_REDIS_URL"] = self.redis_url
        env.update(self.s3_env)
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def set_up(self) -> None:
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("createcachetable")
        self.manage("load_reference")
        self.manage("load_demo")
        self.receiver = Receiver()
        tokens = self.shell(
            "import json\n"
            "from suishoupai.org.models import ApiToken, User, Department\n"
            "from suishoupai.notify.models import DepartmentContact\n"
            f"out = {{u: ApiToken.issue(User.objects.get(username=u), 'harness')[1] "
            f"for u in {STAFF!r}}}\n"
            "for d in Department.objects.all():\n"
            "    DepartmentContact.objects.get_or_create(department=d, channel='webhook',"
            f" address={self.receiver.url!r}, defaults={{'secret': {WEBHOOK_SECRET!r}}})\n"
            "print(json.dumps(out))\n"
        )
        self.tokens = json.loads(tokens.strip().splitlines()[-1])


# ------------------------------------------------------------------ the processes


@dataclass
class Proc:
    kind: str  # "web" or "tasks"
    args: list[str]
    port: int = 0
    popen: subprocess.Popen | None = None
    log: Path | None = None


class Servers:
    def __init__(self, install: Install, web_ports: list[int], consumers: int, web_workers=2):
        self.install = install
        self.procs = [
            Proc(
                "web",
                [
                    str(BIN / "granian"),
                    "--interface",
                    "wsgi",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(web_workers),
                    "--blocking-threads",
                    "4",
                    "--backpressure",
                    "4",
                    "--respawn-failed-workers",
                    "--respawn-interval",
                    "0.5",
                    "--no-ws",
                    "suishoupai.wsgi:application",
                ],
                port,
            )
            for port in web_ports
        ]
        self.procs += [
            Proc("tasks", [PYTHON, "manage.py", "run_huey", "--quiet"]) for _ in range(consumers)
        ]

    def start(self, proc: Proc | None = None) -> None:
        for p in [proc] if proc else self.procs:
            p.log = self.install.root / f"{p.kind}-{self.procs.index(p)}.log"
            with p.log.open("ab") as log:
                p.popen = subprocess.Popen(
                    p.args,
                    cwd=ROOT,
                    env=self.install.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        for p in [proc] if proc else self.procs:
            if p.kind == "web":
                self._wait_healthy(p)

    def _wait_healthy(self, proc: Proc) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{proc.port}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"web server on {proc.port} did not start: {proc.log}")

    @property
    def web(self) -> list[Proc]:
        return [p for p in self.procs if p.kind == "web"]

    @property
    def consumers(self) -> list[Proc]:
        return [p for p in self.procs if p.kind == "tasks"]

    def pids(self) -> list[int]:
        """Every process of ours: each granian with its workers, each consumer."""
        found = []
        for p in self.procs:
            if p.popen and p.popen.poll() is None:
                found.append(p.popen.pid)
                found += children(p.popen.pid)
        return found

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def kill_web_worker(self, rng: random.Random) -> int | None:
        """SIGKILL one granian worker (granian starts another in its place)."""
        web = rng.choice(self.web)
        workers = children(web.popen.pid) if web.popen else []
        if not workers:
            return None
        pid = rng.choice(workers)
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_consumer(self, rng: random.Random, restart_after: float = 1.0) -> int | None:
        """SIGKILL a consumer and its threads mid-task, then start it again."""
        proc = rng.choice(self.consumers)
        if proc.popen is None:
            return None
        pid = proc.popen.pid
        os.killpg(pid, signal.SIGKILL)
        proc.popen.wait()
        time.sleep(restart_after)
        self.start(proc)
        return pid

    def stop(self) -> None:
        for p in self.procs:
            if p.popen and p.popen.poll() is None:
                try:
                    os.killpg(p.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for p in self.procs:
            if p.popen:
                try:
                    p.popen.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.popen.pid, signal.SIGKILL)
                    p.popen.wait()


def forget_queue(redis_url: str, huey_name: str) -> None:
    """A run's own queue keys (results, schedule) leave Redis with it. huey keeps only
    the letters, digits and underscores of its name in its keys."""
    import re

    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"huey.*{re.sub('[^a-z0-9_]', '', huey_name.lower())}*"):
        client.delete(key)


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(x) for x in text]
    except OSError:
        pass
    return found


# ------------------------------------------------------------------ the load


def jpeg(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (90 + seed % 100, 110, 120))
    ImageDraw.Draw(image).rectangle((200, 200, 900 + seed % 400, 800), fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class Stats:
    calls: list[tuple[str, int | str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, status: int | str, took: float) -> None:
        with self.lock:
            self.calls.append((what, status, took))

    def errors(self, expected=(200, 201)) -> list[tuple[str, int | str, float]]:
        return [c for c in self.calls if c[1] not in expected]

    def summary(self) -> dict:
        took = sorted(c[2] for c in self.calls) or [0.0]
        return {
            "requests": len(self.calls),
            "errors": len(self.errors()),
            "median_s": round(statistics.median(took), 3),
            "p99_s": round(took[int(len(took) * 0.99) - 1 if len(took) > 1 else 0], 3),
            "max_s": round(took[-1], 3),
            "over_2s": sum(1 for t in took if t > 2),
        }


# The staff chain every report goes through: (who, action, body, with a photo).
CHAIN = [
    ("olga", "accept", {}, False),
    ("dora", "dispatch", {}, False),
    (None, "take", {}, False),  # the department the case went to
    (None, "feedback", {"note": "已处理"}, True),
    ("ivan", "verify-pass", {"note": "现场已核实"}, False),
    ("leo", "close", {}, False),
]


class Load:
    """Mixed load, bounded: `rate` reports a second, each moved through every hand, with
    public and Open311 reads alongside. Connection errors are retried (same
    Idempotency-Key: a retried report must not make a second case) when `retry`."""

    def __init__(self, install: Install, servers: Servers, rate=1.0, retry=False, seed=1):
        self.install, self.servers = install, servers
        self.rate, self.retry = rate, retry
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.numbers: list[str] = []
        self.public: list[str] = []  # filed: public from then on
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.photos = [jpeg(n) for n in range(4)]
        self.handlers = {"市环卫中心": "carl", "道外区环卫部门": "hans"}

    def base(self) -> str:
        return f"http://127.0.0.1:{self.rng.choice(self.servers.web).port}"

    def call(self, what: str, method: str, path: str, **kwargs):
        deadline = time.monotonic() + 60
        while True:
            started = time.monotonic()
            try:
                response = requests.request(method, self.base() + path, timeout=30, **kwargs)
                self.stats.add(what, response.status_code, time.monotonic() - started)
                return response
            except requests.RequestException as exc:
                self.stats.add(what, type(exc).__name__, time.monotonic() - started)
                if not self.retry or time.monotonic() > deadline:
                    return None
                time.sleep(0.3)

    def report(self, n: int) -> str | None:
        form = {
            "category": "sanitation",
            "description": f"负载测试 {n}：路边垃圾",
            "lat": "45.7869",
            "lng": "126.6389",
        }
        key = uuid.uuid4().hex
        # Fresh photo bytes each time (a file object is used up by a failed attempt).
        response = self.call(
            "report",
            "POST",
            "/api/v1/cases",
            data=form,
            files=[("photos", ("p.jpg", self.photos[n % 4], "image/jpeg"))],
            headers={"Idempotency-Key": key, "X-Forwarded-For": f"10.{n % 250}.{n // 250}.9"},
        )
        return response.json()["number"] if response is not None and response.ok else None

    def move(self, number: str) -> None:
        department = None
        for who, action, body, photo in CHAIN:
            if self.stop.is_set():
                return
            who = who or self.handlers.get(department or "", "carl")
            headers = {"Authorization": f"Bearer {self.install.tokens[who]}"}
            path = f"/api/v1/staff/cases/{number}/{action}"
            if photo:
                response = self.call(
                    action,
                    "POST",
                    path,
                    data=body,
                    files=[("photos", ("after.jpg", self.photos[0], "image/jpeg"))],
                    headers=headers,
                )
            else:
                response = self.call(action, "POST", path, json=body, headers=headers)
            if response is None or response.status_code not in (200, 409):
                return
            if action == "accept":
                with self.lock:
                    self.public.append(number)
            department = response.json().get("department") or department

    def reads(self) -> None:
        with self.lock:
            number = self.rng.choice(self.public) if self.public else None
        # Many readers, as on the internet: each under its own address's limits.
        who = {"X-Forwarded-For": f"172.16.{self.rng.randrange(250)}.{self.rng.randrange(250)}"}
        self.call("public list", "GET", "/api/v1/cases?page_size=20", headers=who)
        if number:
            self.call("public case", "GET", f"/api/v1/cases/{number}", headers=who)
        self.call("open311 requests", "GET", "/open311/v2/requests.json", headers=who)
        self.call("open311 updates", "GET", "/open311/v2/servicerequestupdates.xml", headers=who)

    def run(self, seconds: float, on_tick=None) -> None:
        workers: list[threading.Thread] = []
        started = time.monotonic()
        n = 0

        def citizen_and_staff(n: int) -> None:
            number = self.report(n)
            if number:
                with self.lock:
                    self.numbers.append(number)
                self.move(number)

        reader = threading.Thread(target=self._read_loop, daemon=True)
        reader.start()
        while time.monotonic() - started < seconds:
            thread = threading.Thread(target=citizen_and_staff, args=(n,), daemon=True)
            thread.start()
            workers.append(thread)
            n += 1
            if on_tick:
                on_tick(time.monotonic() - started)
            time.sleep(1 / self.rate)
            workers = [w for w in workers if w.is_alive()]
        for w in workers:
            w.join(timeout=120)
        self.stop.set()
        reader.join(timeout=30)

    def _read_loop(self) -> None:
        while not self.stop.is_set():
            self.reads()
            time.sleep(0.5)


# ------------------------------------------------------------------ after the load

CHECK = r"""
import json
from collections import Counter
from django.db.models import Count
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.photos.models import Photo
from suishoupai.notify.models import Message

cases = Case.objects.all()
without_events = list(
    cases.annotate(n=Count("events")).filter(n=0).values_list("number", flat=True)
)
unnumbered = list(cases.filter(number__startswith="~").values_list("pk", flat=True))
numbers = Counter(cases.values_list("number", flat=True))
moves = Counter(
    (e["case_id"], e["from_state"], e["to_state"])
    # The load's own cases (the demo's include a rework and a return on purpose).
    for e in CaseEvent.objects.filter(case__description__startswith="负载测试")
    .exclude(from_state="").exclude(to_state="")
    .filter(action__in=["case.filed", "case.dispatched", "case.taken", "case.resolved",
                        "case.verified", "case.closed"]).values("case_id", "from_state", "to_state")
)
photos = list(Photo.objects.all())
storage = photos[0].original.storage if photos else None
missing = [p.pk for p in photos if not p.original.storage.exists(p.original.name)]
def has_copy(p):
    return bool(p.public_file) and p.public_file.storage.exists(p.public_file.name)
no_copy = [p.pk for p in photos if p.status == "ready" and not has_copy(p)]
def listing(storage, folder):
    names = []
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, OSError):
        return names
    names += [f"{folder}/{f}" for f in files]
    for d in dirs:
        names += listing(storage, f"{folder}/{d}")
    return names
stored = set(listing(storage, "originals")) if storage else set()
rows = {p.original.name for p in photos}
DONE = ["sent", "failed", "suppressed"]
webhooks = Message.objects.filter(channel="webhook")
print(json.dumps({
    "cases": cases.count(),
    "without_events": without_events,
    "unnumbered": unnumbered,
    "duplicate_numbers": [n for n, c in numbers.items() if c > 1],
    "moved_twice": [list(k) for k, c in moves.items() if c > 1],
    "photos": len(photos),
    "photo_status": dict(Counter(p.status for p in photos)),
    "photo_attempts": dict(Counter(p.attempts for p in photos)),
    "rows_without_file": missing,
    "files_without_row": sorted(stored - rows),
    "ready_without_copy": no_copy,
    "messages": dict(Counter(Message.objects.values_list("status", flat=True))),
    "webhook_sent": sorted(webhooks.filter(status="sent").values_list("pk", flat=True)),
    "webhook_pending": webhooks.exclude(status__in=DONE).count(),
}))
"""

DRAIN = r"""
from django.conf import settings
from suishoupai.notify import services as notify
from suishoupai.photos import services as photos
from suishoupai.photos.models import Photo
from suishoupai.notify.models import Message
photos.requeue()
notify.sweep()
waiting = Message.objects.exclude(status__in=["sent", "failed", "suppressed"])
print(Photo.objects.exclude(status="ready").count(), waiting.count())
"""


def drain(install: Install, timeout: float = 240) -> tuple[int, int]:
    """Run the periodic recoveries until no photo copy and no message is left waiting."""
    deadline = time.monotonic() + timeout
    left = (-1, -1)
    while time.monotonic() < deadline:
        out = install.shell(DRAIN).split()
        left = (int(out[-2]), int(out[-1]))
        if left == (0, 0):
            return left
        time.sleep(3)
    return left


SWEEP = r"""
import json
from datetime import timedelta
from suishoupai.photos import services
print(json.dumps(services.sweep_orphan_files(older_than=timedelta(0))))
"""


def sweep_orphans(install: Install) -> list[str]:
    """The daily orphan-file sweep, with no minimum age: only when nothing is running."""
    return json.loads(install.shell(SWEEP).strip().splitlines()[-1])


def check(install: Install) -> dict:
    found = json.loads(install.shell(CHECK).strip().splitlines()[-1])
    received = install.receiver.deliveries if install.receiver else []
    counts: dict[int, int] = {}
    for message_id in received:
        counts[message_id] = counts.get(message_id, 0) + 1
    sent = set(found.pop("webhook_sent"))
    found["webhook_messages_sent"] = len(sent)
    found["webhook_never_received"] = sorted(sent - set(counts))
    found["webhook_received_twice"] = sorted(m for m, c in counts.items() if c > 1)
    found["webhook_bad_signatures"] = install.receiver.bad_signatures if install.receiver else 0
    return found


def problems(found: dict, crashes: bool) -> dict:
    """What must be empty (or zero) after a run. Without crashes also: no task ran twice.
    With them a message whose worker was killed after the POST but before it recorded
    the answer is posted again under the same X-Suishoupai-Message-Id, which the
    receiver drops (notify/channels/webhook.py): received once each, by id."""
    keys = [
        "without_events",
        "unnumbered",
        "duplicate_numbers",
        "moved_twice",
        "rows_without_file",
        "files_without_row",
        "ready_without_copy",
        "webhook_never_received",
        "webhook_bad_signatures",
        "webhook_pending",
    ]
    if not crashes:
        keys.append("webhook_received_twice")
    bad = {k: found[k] for k in keys if found[k]}
    if not crashes and set(found["photo_attempts"]) - {"1", 1}:
        bad["photo_copies_made_twice"] = found["photo_attempts"]
    not_ready = {s: n for s, n in found["photo_status"].items() if s != "ready"}
    if not_ready:
        bad["photos_not_ready"] = not_ready
    return bad


def digest(found: dict) -> str:
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()[:12]
