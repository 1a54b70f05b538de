"""Readiness names what is down; metrics are counted and not public; logs are one safe line."""

import json
import logging
import shutil

import pytest
from django.test import Client, override_settings
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from suishoupai import factories as f
from suishoupai.notify.models import Message
from suishoupai.ops.logs import JsonFormatter, TextFormatter
from suishoupai.ops.outage import gate

from .reports import report


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def readiness() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()


# ------------------------------------------------------------------ readiness


@pytest.mark.django_db
def test_readiness_is_ready_when_every_dependency_answers():
    status, body = readiness()
    assert status == 200
    assert body["status"] == "ready" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "task_queue", "storage"}


@pytest.mark.django_db
def test_readiness_names_the_photo_store_when_it_cannot_be_written(settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the photo folder should be")
    storages = {**settings.STORAGES}
    storages["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocked)},
    }
    settings.STORAGES = storages
    status, body = readiness()
    assert status == 503
    assert body["failing"] == ["storage"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readiness_names_the_task_queue_when_it_cannot_be_reached(monkeypatch, tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    storage = SqliteStorage("ops", filename=str(folder / "huey.db"))
    shutil.rmtree(folder)  # the queue's disk went away; readiness opens its own connection
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", storage)
    status, body = readiness()
    assert status == 503
    assert body["failing"] == ["task_queue"]


# ------------------------------------------------------------------ database errors


@pytest.mark.django_db(transaction=True)  # PostgreSQL aborts a test transaction on error
@override_settings(ROOT_URLCONF="suishoupai.ops.tests.broken_urls")
def test_a_query_error_stays_a_500_and_is_not_taken_for_an_outage():
    response = Client(raise_request_exception=False).get("/broken")
    assert response.status_code == 500
    assert not gate.is_down()
    assert Client().get("/healthz").status_code == 200


# ------------------------------------------------------------------ metrics


@pytest.mark.django_db
def test_metrics_are_not_served_to_another_machine_or_through_a_proxy():
    assert Client(REMOTE_ADDR="203.0.113.7").get("/metrics").status_code == 404
    forwarded = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert forwarded.get("/metrics").status_code == 404


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="scrape-secret", METRICS_ALLOW_LOOPBACK=False)
def test_metrics_need_the_token_when_loopback_is_not_trusted():
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    wrong = Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.get("/metrics").status_code == 404
    right = Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert right.get("/metrics").status_code == 200


def gauges(text: str) -> dict[str, float]:
    return {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("suishoupai_")
    }


def test_metrics_count_overdue_cases_the_outbox_and_pending_photo_copies(city):
    case = report(photos=2)  # copies are made on commit, which does not run here
    report(photos=0, description="另一处垃圾")
    case.is_overdue = True
    case.save(update_fields=["is_overdue"])
    Message.objects.create(
        case=case,
        kind="case.filed",
        channel="sms",
        address="13800000000",
        body="已受理",
        created_at=case.created_at,
    )
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    values = gauges(response.content.decode())
    assert values["suishoupai_cases_overdue"] == 1
    assert values["suishoupai_photo_copies_pending"] == 2
    assert values["suishoupai_notify_outbox_backlog"] == 1
    assert values["suishoupai_database_up"] == 1
    assert "suishoupai_task_queue_depth" in values
    assert b"django_http_requests_total_by_method" in response.content


# ------------------------------------------------------------------ logs


@pytest.mark.django_db
@override_settings(LOG_REQUESTS=True)
def test_each_request_is_one_json_line_without_query_string_token_or_phone(caplog, city):
    user = f.UserFactory(username="olga")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {f.token_for(user)}")
    with caplog.at_level(logging.INFO, logger="suishoupai.request"):
        client.get("/api/v1/staff/cases?phone=13912345678&token=abc")
        Client().get("/open311/v2/tokens/secret-token-value.json")
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "suishoupai.request"]
    assert len(lines) == 2
    staff, open311 = (json.loads(line) for line in lines)
    assert staff["path"] == "/api/v1/staff/cases"
    assert staff["status"] == 200 and staff["method"] == "GET"
    assert staff["user_id"] == user.pk
    assert isinstance(staff["duration_ms"], float)
    assert open311["path"] == "/open311/v2/tokens/[redacted]"
    assert open311["user_id"] is None
    for line in lines:
        assert "\n" not in line
        assert "13912345678" not in line and "secret-token-value" not in line and "abc" not in line


def test_json_lines_mask_phones_and_tokens_whoever_logs_them():
    record = logging.LogRecord(
        "suishoupai.notify.console",
        logging.INFO,
        __file__,
        1,
        "[sms → %s] 您的案件已受理 Authorization: Bearer %s ?t=%s",
        ("13800001234", "tok123", "q1"),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    assert "13800001234" not in line["message"] and "138****1234" in line["message"]
    assert "tok123" not in line["message"] and "q1" not in line["message"]


def test_plain_text_lines_mask_phones_and_tokens_too():
    record = logging.LogRecord(
        "suishoupai.notify.console",
        logging.INFO,
        __file__,
        1,
        "[reporter.filed → sms %s] 您的案件已受理 ?t=%s",
        ("13800001234", "q1"),
        None,
    )
    line = TextFormatter().format(record)
    assert "13800001234" not in line and "138****1234" in line and "q1" not in line
    assert "您的案件已受理" in line
