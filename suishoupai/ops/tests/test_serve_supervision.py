"""`manage.py serve` survives the death of any one of its parts (issue 17.7).

Each test kills one process with SIGKILL and requires the site to answer
/healthz again with the dead part replaced, while the other parts keep running.
"""

import os
import signal
import time

import pytest

from .server import Served, alive, children_of, get


@pytest.fixture(scope="module")
def served(serve_template, tmp_path_factory):
    server = Served(
        serve_template, tmp_path_factory.mktemp("supervised"), "--workers", "2", "--threads", "2"
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s")


def healthy(port: int) -> bool:
    return all(get(port, "/healthz")[0] == 200 for _ in range(5))


def test_a_killed_web_worker_is_replaced_while_the_other_keeps_answering(served):
    granian = served.child("granian")
    workers = children_of(granian)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    # Connections the kernel had queued for the dying worker die with it; once it is
    # gone the surviving worker answers everything while the dead one is replaced.
    wait_for(lambda: not alive(workers[0]), 10, "the worker did not die")
    # A connection the kernel had already handed to the dying worker's socket can be
    # reset, so give the survivor a few seconds on a loaded machine rather than one try.
    wait_for(lambda: healthy(served.port), 15, "the surviving worker did not answer")
    replaced = wait_for(
        lambda: (set(children_of(granian)) - set(workers)) and len(children_of(granian)) == 2,
        30,
        "granian did not start a new worker",
    )
    assert replaced
    assert served.child("granian") == granian
    assert healthy(served.port)


def test_a_killed_task_consumer_is_restarted_and_the_web_keeps_answering(served):
    consumer = served.child("run_huey")
    granian = served.child("granian")
    os.kill(consumer, signal.SIGKILL)
    assert healthy(served.port)
    wait_for(
        lambda: served.children_named("run_huey") not in ([], [consumer]),
        30,
        "the task consumer was not restarted",
    )
    assert served.child("run_huey") != consumer
    assert served.child("granian") == granian  # the web was not touched
    assert "task consumer (huey)" in served.log.read_text()
    assert healthy(served.port)


def test_a_killed_granian_is_restarted_without_leaving_its_workers_behind(served):
    granian = served.child("granian")
    workers = children_of(granian)
    os.kill(granian, signal.SIGKILL)
    wait_for(
        lambda: served.children_named("granian") not in ([], [granian]),
        30,
        "granian was not restarted",
    )
    wait_for(lambda: healthy(served.port), 60, "the site did not answer again")
    # The old workers went with their master instead of serving on as orphans.
    assert not any(alive(pid) for pid in workers)
    assert "restarting in" in served.log.read_text()


def test_stopping_serve_stops_every_process_it_started(serve_template, tmp_path):
    server = Served(serve_template, tmp_path, "--workers", "1", "--threads", "1")
    server.wait_ready()
    granian = server.child("granian")
    everything = [granian, server.child("run_huey"), *children_of(granian)]
    server.stop()
    assert server.proc.returncode == 0
    assert not any(alive(pid) for pid in everything)
