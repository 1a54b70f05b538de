"""The published OpenAPI document does not change by accident.

Clients (12345 platforms, generated SDKs) depend on its paths, schemas and
operation ids. A change to the API must change openapi.json here too, on purpose:
    SUISHOUPAI_WRITE_OPENAPI=1 .venv/bin/pytest suishoupai/api/tests/test_openapi.py
rewrites it; review the diff like any other change to a public interface.
"""

import os
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_the_openapi_document_is_the_published_one():
    served = Client().get("/api/v1/openapi.json")
    assert served.status_code == 200
    if os.environ.get("SUISHOUPAI_WRITE_OPENAPI") == "1":
        SNAPSHOT.write_bytes(served.content)
    assert served.content == SNAPSHOT.read_bytes(), (
        "The OpenAPI document changed. If that is intended, rewrite the snapshot "
        "(see this module's docstring) and commit it."
    )


def test_it_is_the_same_in_every_language():
    english = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert english.content == SNAPSHOT.read_bytes()
