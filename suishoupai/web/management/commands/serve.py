"""Run the product: granian (WSGI) for the web, a huey consumer for background work.

Both are supervised child processes (suishoupai.ops.supervisor): when one dies it
is started again with a backoff and the other keeps running; granian itself
restarts a web worker that dies. Ctrl-C or SIGTERM stops everything.

Why granian is started the way it is (issue 16.1, 17.11): granian's
`--backpressure` is the number of *connections* a worker accepts at once, not
requests. It used to equal the thread count (4), so 4 idle keep-alive or
half-sent connections per worker filled it; further connections waited in the
kernel's accept queue until hyper's 30 s header-read timeout closed an idle one
(the "exactly 30 s" stalls). Each worker has its own SO_REUSEPORT queue, so one
worker could be full while the other idled. Now a worker accepts many
connections (they cost a socket and a small buffer, no thread), the blocking
threads stay few (they bound database work), and idle or half-sent connections
are closed after a short header timeout.
"""

import json
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from suishoupai.ops import readiness
from suishoupai.ops.supervisor import Child, Supervisor


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


class Command(BaseCommand):
    help = "Serve the product with granian and run the background task consumer."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", type=int, default=_env_int("WEB_WORKERS", 2))
        # Requests run at once per worker (granian's blocking threads): each may hold a
        # database connection, so keep it at or below the pool size (pool_max, 10).
        # Twice the cores plus one is as many as granian considers sensible.
        default_threads = min(10, max(4, 2 * (os.cpu_count() or 1) + 1))
        parser.add_argument("--threads", type=int, default=_env_int("WEB_THREADS", default_threads))
        # Connections a worker holds open at once: idle keep-alive and slow clients
        # included. Cheap; the file-descriptor limit is raised to fit.
        parser.add_argument("--connections", type=int, default=_env_int("WEB_CONNECTIONS", 1024))
        # Seconds a client has to send a request's headers, and how long an idle
        # keep-alive connection is kept.
        parser.add_argument(
            "--header-timeout", type=int, default=_env_int("WEB_HEADER_TIMEOUT", 10)
        )
        parser.add_argument(
            "--no-tasks", action="store_true", help="Serve the web only (tasks run elsewhere)."
        )

    def handle(self, *args, host: str, port: str, **options):
        workers, threads = options["workers"], options["threads"]
        connections = self._fit_connections(options["connections"])
        header_timeout = options["header_timeout"]
        if not 1 <= header_timeout <= 60:
            raise CommandError("--header-timeout must be between 1 and 60 seconds")
        problem = readiness.database_problem()
        if problem:
            raise CommandError(problem)
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        if isinstance(pool, dict) and threads > pool.get("max_size", threads):
            self.stderr.write(
                f"warning: {threads} threads per worker but a database pool of "
                f"{pool['max_size']}: requests will wait for connections"
            )

        env = dict(os.environ)
        if "PROMETHEUS_MULTIPROC_DIR" not in env:
            # Each web worker is a process: their metrics meet in files here (see ops.metrics).
            metrics_dir = Path(settings.DATA_DIR) / "prometheus" / str(port)
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        bindir = os.path.dirname(sys.executable)
        web = Child(
            name="web server (granian)",
            argv=[
                os.path.join(bindir, "granian"),
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                str(port),
                "--http",
                "1",
                "--no-ws",
                "--workers",
                str(workers),
                "--blocking-threads",
                str(threads),
                "--backpressure",
                str(connections),
                "--http1-header-read-timeout",
                str(header_timeout * 1000),
                # A worker that dies is started again by granian; if granian
                # itself gives up (a crash loop), the supervisor restarts it.
                "--respawn-failed-workers",
                "--workers-kill-timeout",
                "10",
                *self._log_options(),
                "suishoupai.wsgi:application",
            ],
            env=env,
        )
        children = [web]
        manage_py = Path(settings.BASE_DIR) / "manage.py"
        if not options["no_tasks"]:
            children.append(
                Child(
                    name="task consumer (huey)",
                    argv=[sys.executable, str(manage_py), "run_huey", "--quiet"],
                    env=env,
                    # SIGINT lets running tasks finish; SIGTERM would cut them off.
                    stop_signal=signal.SIGINT,
                    before_start=_requeue_lost_work,
                )
            )
        supervisor = Supervisor(children)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        self._announce(host, port)
        supervisor.run()

    def _log_options(self) -> list[str]:
        if settings.LOG_FORMAT != "json":
            return []
        # granian's own lines (startup, worker restarts) as JSON too, like Django's.
        config = {
            "formatters": {"json": {"()": "suishoupai.ops.logs.JsonFormatter"}},
            "handlers": {
                "console": {"formatter": "json", "class": "logging.StreamHandler"},
                "access": {"formatter": "json", "class": "logging.StreamHandler"},
            },
        }
        path = Path(settings.DATA_DIR) / "granian-logging.json"
        path.write_text(json.dumps(config))
        return ["--log-config", str(path)]

    def _fit_connections(self, wanted: int) -> int:
        # Each connection is a file descriptor in its worker: raise the soft limit
        # to the hard one so the default fits, and shrink if it still does not.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + 256)
        if soft != resource.RLIM_INFINITY and soft < target:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (ValueError, OSError):
                pass
        if soft != resource.RLIM_INFINITY and wanted > soft - 128:
            fitted = max(16, soft - 128)
            self.stderr.write(
                f"warning: {wanted} connections per worker do not fit the open-file limit "
                f"({soft}); using {fitted}"
            )
            return fitted
        return wanted

    def _announce(self, host: str, port: str) -> None:
        base = f"http://{host}:{port}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Suishoupai 随手拍 is running at {base}/",
                    f"  Citizen pages (phone): {base}/m/",
                    f"  Staff console:         {base}/console/",
                    f"  Open311 GeoReport v2:  {base}/open311/v2/discovery.json",
                    f"  API docs (OpenAPI):  {base}/api/v1/docs",
                    f"  OpenAPI schema:      {base}/api/v1/openapi.json",
                    f"  Admin:               {base}/admin/",
                    f"  Health: {base}/healthz · readiness: {base}/readyz"
                    f" · metrics (this machine only): {base}/metrics",
                    "  Demo logins (password for all: suishoupai-demo):",
                    "    operator 受理员 olga · shift lead 值班长 leo · dispatcher 派遣员 dora",
                    "    市环卫中心 carl · 道外区环卫 hans · 市政 rita · 南岗区市政 nick",
                    "    市园林 pam · 市综合执法 eric · 排水集团 doug",
                    "    inspector 监督员 ivan · leader 领导 lily",
                    "    admin 管理员 admin",
                    "  Demo staff API tokens: manage.py create_api_token <username>",
                    "  Notifications are not sent (staging guard): they appear in this log.",
                    "Press Ctrl-C to stop.",
                    "",
                ]
            )
        )
        self.stdout.flush()


def _requeue_lost_work(child: Child) -> None:
    # Tasks the previous consumer had taken off the queue died with it; queue
    # their work again now rather than at the next periodic sweep.
    from django.db import connections

    from suishoupai.ops.recovery import requeue_lost_photo_copies

    try:
        requeue_lost_photo_copies(consumer_died_at=child.died_at)
    finally:
        # The supervisor runs for days: it holds no database connection between starts.
        connections.close_all()
