"""The benchmark's ceiling view exists only with SUISHOUPAI_BENCH (scripts/bench_server.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_production_urls_have_no_ceiling_view(client):
    assert not settings.BENCH
    assert client.get("/bench/ceiling").status_code == 404


def test_with_the_bench_setting_the_ceiling_answers_and_limits_are_scaled(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import resolve;"
        "print(resolve('/bench/ceiling').func.__name__, settings.RATE_LIMIT_FACTOR)"
    )
    env = {**os.environ, "SUISHOUPAI_BENCH": "true", "DATA_DIR": str(tmp_path)}
    env.pop("RATE_LIMIT_FACTOR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["ceiling", "1000000"], out.stderr
