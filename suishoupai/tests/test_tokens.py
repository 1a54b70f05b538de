"""Secrets are compared as exact bytes, in constant time (issue 17): a tracking token
with anything added, removed or changed reads nothing."""

import json

import pytest
from django.test import Client

from suishoupai.org.models import tokens_match

pytestmark = pytest.mark.django_db

REPORT = {"category": "sanitation", "description": "路边垃圾", "lat": 45.78, "lng": 126.65}


@pytest.fixture
def reported(city):
    response = Client().post("/api/v1/cases", json.dumps(REPORT), content_type="application/json")
    assert response.status_code == 201
    return response.json()


def _variants(token: str) -> list[str]:
    return [
        token + " ",
        " " + token,
        token + "\t",
        token[:-1],
        token + "x",
        token.upper() if token != token.upper() else token.lower(),
        token[:8] + " " + token[8:],
    ]


def test_the_private_views_open_with_the_exact_token_only(reported):
    number, token = reported["number"], reported["tracking_token"]
    urls = [f"/api/v1/cases/{number}/private", f"/m/api/cases/{number}"]
    for url in urls:
        assert Client(headers={"X-Case-Token": token}).get(url).status_code == 200
        for wrong in _variants(token):
            response = Client(headers={"X-Case-Token": wrong}).get(url)
            assert response.status_code == 404, (url, repr(wrong))


def test_a_rating_needs_the_exact_token_too(reported):
    number, token = reported["number"], reported["tracking_token"]
    response = Client(headers={"X-Case-Token": token + " "}).post(
        f"/api/v1/cases/{number}/rating",
        json.dumps({"rating": "satisfied"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_tokens_match_compares_the_digests_of_the_exact_bytes():
    from suishoupai.org.models import hash_token

    stored = hash_token("abc-DEF_123")
    assert tokens_match(stored, "abc-DEF_123")
    assert not tokens_match(stored, "abc-DEF_123 ")
    assert not tokens_match(stored, "")
    assert not tokens_match(stored, None)
    assert not tokens_match("", "abc")
