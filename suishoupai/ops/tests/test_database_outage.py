"""While the database is down: quick 503s in each interface's format, and back after (17.13)."""

import json
import subprocess
import sys
import time

import pytest
from django.db import connection

from .server import MANAGE, Served, served_env

QUICK = 2.0  # seconds


@pytest.fixture(scope="module")
def served(serve_template, tmp_path_factory):
    server = Served(
        serve_template, tmp_path_factory.mktemp("outage"), "--workers", "1", "--no-tasks"
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def fetch(port: int, path: str, headers: dict | None = None):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, head, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, body = error.code, error.headers, error.read()
    return status, head, body.decode(), time.monotonic() - started


@pytest.fixture
def database_gone(served):
    """The database file replaced by a folder: every connection fails, as when a disk goes."""
    path = served.data_dir / "suishoupai.sqlite3"
    kept = served.data_dir / "kept.sqlite3"
    path.rename(kept)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        kept.rename(path)


def test_requests_get_a_quick_503_in_their_own_format_while_the_database_is_down(
    served, database_gone
):
    # The first request finds the outage; it and everything after answer at once.
    status, head, body, seconds = fetch(served.port, "/api/v1/categories")
    assert status == 503 and seconds < QUICK
    assert head["Retry-After"].isdigit()
    assert json.loads(body)["code"] == "unavailable"

    status, head, body, seconds = fetch(served.port, "/m/")
    assert status == 503 and seconds < QUICK
    assert head["Content-Type"].startswith("text/html")
    assert "暂时无法服务" in body and "数据库" in body
    assert "Traceback" not in body

    status, head, body, seconds = fetch(served.port, "/open311/v2/services.xml")
    assert status == 503 and "<code>503</code>" in body
    status, head, body, seconds = fetch(served.port, "/open311/v2/services.json")
    assert status == 503 and json.loads(body)[0]["code"] == 503

    # The citizen pages' own JSON calls get their JSON shape, not the page.
    status, head, body, seconds = fetch(served.port, "/m/api/draft")
    assert status == 503 and seconds < QUICK
    assert json.loads(body)["code"] == "unavailable"

    status, head, body, seconds = fetch(served.port, "/readyz")
    assert status == 503 and seconds < 10
    assert "database" in json.loads(body)["failing"]
    assert fetch(served.port, "/healthz")[0] == 503


def test_the_site_answers_again_once_the_database_is_back(served):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if fetch(served.port, "/api/v1/categories")[0] == 200:
            break
        time.sleep(0.5)
    assert fetch(served.port, "/api/v1/categories")[0] == 200
    assert fetch(served.port, "/readyz")[0] == 200


def test_serve_with_the_database_down_says_so_in_one_line(tmp_path):
    env = served_env(tmp_path)
    env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/suishoupai"
    result = subprocess.run(
        [sys.executable, str(MANAGE), "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "database" in lines[0] and "127.0.0.1:1" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL and its pool")
def test_on_postgresql_a_lost_server_gives_quick_503s_and_the_pool_recovers(
    serve_template, tmp_path
):
    from django.conf import settings

    from .tcp_proxy import TcpProxy

    db = settings.DATABASES["default"]
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    user = f"{db['USER']}@" if db["USER"] else ""
    server = Served(
        serve_template,
        tmp_path,
        "--workers",
        "1",
        "--no-tasks",
        database_url=f"postgresql://{user}127.0.0.1:{proxy.port}/{db['NAME']}",
    )
    try:
        server.wait_ready()
        assert fetch(server.port, "/api/v1/categories")[0] == 200
        proxy.cut()
        status, head, body, seconds = fetch(server.port, "/api/v1/categories")
        assert status == 503, server.log.read_text()[-3000:]
        assert head["Retry-After"].isdigit()
        assert seconds < 12  # at worst the pool's own timeout, once
        for path in ("/api/v1/categories", "/m/", "/healthz"):
            status, _, _, seconds = fetch(server.port, path)
            assert status == 503 and seconds < QUICK, (path, seconds)
        status, _, body, _ = fetch(server.port, "/readyz")
        assert status == 503 and "database" in json.loads(body)["failing"]
        proxy.restore()
        deadline = time.monotonic() + 30
        while fetch(server.port, "/api/v1/categories")[0] != 200:
            assert time.monotonic() < deadline, "the site did not come back"
            time.sleep(0.5)
    finally:
        server.stop()
        proxy.cut()
