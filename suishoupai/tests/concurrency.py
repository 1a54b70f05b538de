"""Helpers for real concurrent transactions: PostgreSQL only (SQLite serialises all writers)."""

import threading

import pytest
from django.db import connection

# pytestmark for a module of concurrency tests.
POSTGRES_ONLY = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(*calls) -> list:
    """Run the calls at the same moment in separate threads and connections.

    Each result is the call's return value or the exception it raised.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
