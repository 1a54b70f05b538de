"""The production layout under load and under SIGKILL (issue 17), on loopback:
two web servers and two task consumers on one PostgreSQL, one Redis (db 8) and the
S3 store (SeaweedFS). PostgreSQL only; `make soak` runs the long version.

- Topology: no task runs twice (each photo copy made once, each message posted
  once), no case moved twice, nothing left in the queues.
- Crash safety: web workers and consumers SIGKILLed in the middle of reports with
  photos, moves, photo copies and notification sends; afterwards no case without
  its events, no photo row without its file or file without its row, no duplicate
  number, every copy made, every notification received (by message id) once.
"""

import os
import random
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

from . import harness, seaweed

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the production layout"),
]
REDIS_URL = os.environ.get("HARNESS_REDIS_URL", "redis://127.0.0.1:6379/8")
SECONDS = float(os.environ.get("HARNESS_SECONDS", "40"))


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    try:
        with seaweed.running(tmp_path_factory.mktemp("weed")) as endpoint:
            yield endpoint
    except seaweed.WeedUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def install(tmp_path, store):
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_{tmp_path.name[-12:]}".replace("-", "_").lower()
    admin = (
        f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/postgres"
    )
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(admin)._replace(path=f"/{name}").geturl()
    made = harness.Install(tmp_path, url, REDIS_URL, seaweed.environment(store, tmp_path.name))
    made.set_up()
    yield made
    if made.receiver:
        made.receiver.close()
    harness.forget_queue(REDIS_URL, made.env["HUEY_NAME"])
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ports() -> list[int]:
    return seaweed.free_ports(2)


def test_two_web_servers_and_two_consumers_do_each_thing_once(install):
    servers = harness.Servers(install, _ports(), consumers=2)
    try:
        servers.start()
        # On a loaded machine a request can time out (the soak measures that); it is sent
        # again, and the invariants below must hold all the same.
        load = harness.Load(install, servers, rate=1.0, retry=True)
        load.run(SECONDS)
        assert harness.drain(install) == (0, 0)
    finally:
        servers.stop()
    assert [e for e in load.stats.errors() if isinstance(e[1], int) and e[1] >= 500] == []
    found = harness.check(install)
    assert harness.problems(found, crashes=False) == {}
    assert found["cases"] >= 30 + len(load.numbers) > 30


def test_nothing_is_lost_or_doubled_when_processes_are_killed_mid_work(install):
    servers = harness.Servers(install, _ports(), consumers=2)
    rng = random.Random(17)
    killed = []
    last = [0.0]

    def tick(elapsed: float) -> None:
        if elapsed - last[0] >= 4:
            last[0] = elapsed
            kill = servers.kill_web_worker if len(killed) % 2 else servers.kill_consumer
            killed.append(kill(rng))

    try:
        servers.start()
        load = harness.Load(install, servers, rate=1.5, retry=True)
        load.run(SECONDS, on_tick=tick)
        time.sleep(1)
        assert harness.drain(install) == (0, 0)
    finally:
        servers.stop()
    assert len([k for k in killed if k]) >= 6
    # A web worker killed between writing a photo and committing its row leaves a file
    # no row names: the daily sweep removes it (servers stopped, so none is in flight).
    swept = harness.sweep_orphans(install)
    found = harness.check(install)
    assert harness.problems(found, crashes=True) == {}, swept
    # Every report the load saw answered is there once, with its number.
    assert len(load.numbers) == len(set(load.numbers)) > 20
