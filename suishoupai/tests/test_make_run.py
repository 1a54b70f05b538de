"""`make run` tells the product where it is served, so notification links lead there.

Links were built from SITE_URL's default, http://127.0.0.1:8000, whatever port `make run`
served on. The Makefile now passes SITE_URL from HOST and PORT unless it is set.
"""

import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def serve_line(*make_args: str, site_url: str | None = None) -> str:
    """The command `make run` would serve with (make -n: printed, not run)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    if site_url:
        env["SITE_URL"] = site_url
    dry = subprocess.run(
        ["make", "-n", "run", *make_args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [line for line in dry.stdout.splitlines() if "manage.py serve" in line]
    # The demo's own messages (made by load_demo before serving) must point there too.
    (demo,) = [line for line in dry.stdout.splitlines() if "manage.py load_demo" in line]
    assert _site_url(demo) == _site_url(line), demo
    return line


def _site_url(line: str) -> str | None:
    found = re.search(r"\bSITE_URL=(\S+)", line)
    return found.group(1) if found else None


def test_links_follow_the_port_make_run_serves_on():
    line = serve_line("PORT=8107")
    assert "--port 8107" in line
    assert re.search(r"\bSITE_URL=http://127\.0\.0\.1:8107 ", line)


def test_a_site_url_that_is_set_wins():
    line = serve_line("PORT=8107", site_url="https://ssp.example.cn")
    assert "SITE_URL=https://ssp.example.cn " in line


def test_served_on_every_interface_the_links_name_a_reachable_address():
    line = serve_line("HOST=0.0.0.0", "PORT=8107")
    url = re.search(r"\bSITE_URL=(\S+)", line).group(1)
    assert url.endswith(":8107") and "0.0.0.0" not in url
