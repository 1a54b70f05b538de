"""POST /api/v1/triage/suggest: the category suggestion and the out-of-scope warning."""

import pytest
from django.core.cache import cache
from django.test import Client

from suishoupai.api import triage as triage_api


@pytest.fixture
def trained(db):
    # The Harbin catalogue and a model trained on it (the triage app's own fixtures).
    from suishoupai.triage.tests.conftest import load_harbin_catalogue, trained_model

    load_harbin_catalogue()
    return trained_model()


def suggest(client, text, **headers):
    return client.post(
        "/api/v1/triage/suggest", {"text": text}, content_type="application/json", headers=headers
    )


def test_it_suggests_categories_with_scores_and_says_it_is_ours(trained):
    r = suggest(Client(), "小区门口的井盖丢了，黑乎乎一个洞")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"suggestions", "out_of_scope"}
    top = body["suggestions"][0]
    assert (top["category"], top["subcategory"]) == ("manhole_cover", "manhole_cover-missing")
    assert 0.5 < top["score"] <= 1
    assert body["out_of_scope"]["probability"] < 0.5


def test_it_flags_another_agency_s_business_with_the_reason(trained):
    body = suggest(Client(), "家里暖气不热，屋里才十二度").json()
    assert body["out_of_scope"]["probability"] >= 0.5
    assert "供热" in body["out_of_scope"]["reason"]


def test_an_empty_or_missing_text_is_refused_in_the_project_s_error_format(trained):
    for payload in ({"text": ""}, {}):
        r = Client().post("/api/v1/triage/suggest", payload, content_type="application/json")
        assert r.status_code == 422
        body = r.json()
        assert body["code"] == "invalid_input" and body["errors"][0]["field"] == "text"


def test_too_long_a_text_is_refused(trained):
    r = suggest(Client(), "坑" * 2001)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text"


def test_it_answers_empty_suggestions_before_any_model_is_trained(db):
    body = suggest(Client(), "路边有一堆垃圾").json()
    assert body == {"suggestions": [], "out_of_scope": {"probability": 0.0, "reason": ""}}


def test_too_many_requests_from_one_address_get_429(trained, monkeypatch):
    cache.clear()
    monkeypatch.setattr(triage_api, "SUGGEST_LIMIT", (2, 60))
    client = Client()
    assert [suggest(client, "路边有垃圾").status_code for _ in range(3)] == [200, 200, 429]
    assert (
        suggest(client, "路边有垃圾", **{"Accept-Language": "en"}).json()["code"] == "rate_limited"
    )
