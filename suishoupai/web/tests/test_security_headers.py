"""Security headers on every page (issue 17): a Content-Security-Policy without inline
script, Referrer-Policy, Permissions-Policy opening the camera and position only where
a page needs them, HSTS over HTTPS only; and in a real browser no page breaks the CSP."""

import pytest
from django.conf import settings
from django.test import Client

from suishoupai.places.tiles import TILES

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/m/", "/console/login/", "/admin/login/", "/api/v1/docs"])
def test_every_page_has_a_strict_content_security_policy(client, city, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src-elem"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_only_the_report_page_may_use_the_camera_and_the_position(client, city):
    report = client.get("/m/")["Permissions-Policy"]
    assert "camera=(self)" in report and "geolocation=(self)" in report
    for path in ("/", "/console/login/", "/m/mine"):
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, path


def test_the_inspectors_verify_list_may_ask_for_the_position_only(city, ivan):
    client = Client()
    client.force_login(ivan)
    policy = client.get("/console/verify/")["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy


def test_hsts_is_sent_over_https_only(client, city):
    assert "Strict-Transport-Security" not in client.get("/")
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"] == f"max-age={settings.SECURE_HSTS_SECONDS}"


def test_every_tile_source_is_allowed_by_the_policy_of_its_setting():
    from urllib.parse import urlsplit

    sources = settings.TILE_SOURCES_BY_SETTING
    for name, tiles in TILES.items():
        for url in [(tiles or {}).get("url"), (tiles or {}).get("labels")]:
            if not url:
                continue
            host = urlsplit(url.replace("{s}", "1")).netloc
            allowed = [urlsplit(s).netloc for s in sources[name]]
            assert any(host == a or host.endswith(a.lstrip("*")) for a in allowed), url
