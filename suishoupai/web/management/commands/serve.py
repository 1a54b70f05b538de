"""Run the product: granian (WSGI) for the web, a huey consumer for background work.

Both are child processes; Ctrl-C or SIGTERM stops both, and if either dies the
other is stopped too, so nothing keeps running half-alive.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the product with granian and run the background task consumer."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))
        # Requests handled at once per worker: WSGI code blocks, so this bounds
        # database connections too (workers × threads ≤ the pool size).
        parser.add_argument("--threads", default=os.environ.get("WEB_THREADS", "4"))

    def handle(self, *args, host: str, port: str, workers: str, threads: str, **options):
        bindir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bindir, "granian"),
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backpressure",
            str(threads),
            "--no-ws",
            "suishoupai.wsgi:application",
        ]
        tasks = [sys.executable, "manage.py", "run_huey", "--quiet"]
        children = [subprocess.Popen(tasks), subprocess.Popen(web)]
        self._announce(host, port)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(c.poll() is None for c in children):
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if not stopping:
            raise SystemExit("a server process stopped unexpectedly; see the log above")

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
