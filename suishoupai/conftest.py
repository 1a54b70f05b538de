"""Shared fixtures: a small city and the personas who work in it.

Personas (STYLE.md): olga the operator, leo the shift lead, dora the
dispatcher, carl at the city sanitation centre, hans at 道外区环卫 (a unit
below carl), nina at 南岗区道桥 (another department: must be refused), ivan the
inspector, lily the leader, adam the admin (configuration only).
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from suishoupai import factories as f
from suishoupai.org.models import Department, DepartmentKind, Role, User
from suishoupai.places.models import Area
from suishoupai.timelimits.models import LimitUnit, Stage, StageLimit


@dataclass
class City:
    daowai: Area
    nangang: Area
    centre: Department
    city_sanitation: Department
    daowai_sanitation: Department
    nangang_roads: Department
    garbage: object  # FilingCondition for exposed garbage (4 working hours)
    pothole: object  # FilingCondition for potholes (3 working days)


@pytest.fixture
def city(db) -> City:
    daowai = f.AreaFactory(code="230104", name="道外区")
    nangang = f.AreaFactory(
        code="230103",
        name="南岗区",
        geometry=f.square(126.60, 45.70, 126.70, 45.76),
        min_lat=45.70,
        max_lat=45.76,
    )
    centre = f.DepartmentFactory(code="centre", name="市数字城管中心", kind=DepartmentKind.CENTRE)
    city_san = f.DepartmentFactory(
        code="city_sanitation", name="市环卫中心", kind=DepartmentKind.CITY
    )
    daowai_san = f.DepartmentFactory(
        code="daowai_sanitation", name="道外区环卫部门", parent=city_san, district=daowai
    )
    nangang_roads = f.DepartmentFactory(
        code="nangang_roads", name="南岗区道桥部门", district=nangang
    )
    garbage = f.ConditionFactory(default_department=city_san)
    road = f.CategoryFactory(code="road_damage", name="道路破损", kind="component")
    pothole_sub = f.SubcategoryFactory(category=road, code="road_damage.pothole", name="路面坑洼")
    pothole = f.ConditionFactory(
        subcategory=pothole_sub,
        code="road_damage.pothole.large",
        description="坑洼面积大于0.5平方米",
        limit_amount=Decimal("3"),
        limit_unit=LimitUnit.WORKING_DAYS,
        default_department=nangang_roads,
    )
    f.RoutingRuleFactory(category=garbage.subcategory.category, department=city_san)
    f.RoutingRuleFactory(category=road, department=nangang_roads)
    for stage, amount, unit in [
        (Stage.ACCEPT, "1", LimitUnit.WORKING_HOURS),
        (Stage.DISPATCH, "0.5", LimitUnit.WORKING_HOURS),
        (Stage.TAKE, "1", LimitUnit.WORKING_HOURS),
        (Stage.VERIFY, "4", LimitUnit.WORKING_HOURS),
        (Stage.CLOSE, "1", LimitUnit.WORKING_DAYS),
    ]:
        StageLimit.objects.create(stage=stage, amount=Decimal(amount), unit=unit)
    return City(daowai, nangang, centre, city_san, daowai_san, nangang_roads, garbage, pothole)


def _person(username: str, role: str, department: Department | None = None) -> User:
    return f.UserFactory(username=username, role=role, department=department, display_name=username)


@pytest.fixture
def olga(city) -> User:
    return _person("olga", Role.OPERATOR, city.centre)


@pytest.fixture
def leo(city) -> User:
    return _person("leo", Role.SHIFT_LEAD, city.centre)


@pytest.fixture
def dora(city) -> User:
    return _person("dora", Role.DISPATCHER, city.centre)


@pytest.fixture
def carl(city) -> User:
    return _person("carl", Role.HANDLER, city.city_sanitation)


@pytest.fixture
def hans(city) -> User:
    return _person("hans", Role.HANDLER, city.daowai_sanitation)


@pytest.fixture
def nina(city) -> User:
    return _person("nina", Role.HANDLER, city.nangang_roads)


@pytest.fixture
def ivan(city) -> User:
    return _person("ivan", Role.INSPECTOR, city.centre)


@pytest.fixture
def lily(city) -> User:
    return _person("lily", Role.LEADER, city.centre)


@pytest.fixture
def adam(city) -> User:
    return _person("adam", Role.ADMIN)


@pytest.fixture
def staff_client():
    """staff_client(user) → a test client sending that user's bearer token."""

    def make(user: User) -> Client:
        return Client(headers={"Authorization": f"Bearer {f.token_for(user)}"})

    return make


@pytest.fixture
def people(olga, leo, dora, carl, hans, nina, ivan, lily, adam) -> dict[str, User]:
    """Every persona by name, for tests that walk a case through several hands."""
    return {p.username: p for p in (olga, leo, dora, carl, hans, nina, ivan, lily, adam)}


# ------------------------------------------------------------------ browser tests
# Debian's Chromium driven by Playwright (`playwright install` cannot download here).
# Use `phone` (360×740, WeChat-like) or `desktop` with pytest-django's `live_server`,
# mark the test `@pytest.mark.browser`, and keep screenshots with `screenshot(page, name)`.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47"
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt: chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _page(browser, **context):
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context)
    ctx.set_default_timeout(15_000)
    return ctx, ctx.new_page()


@pytest.fixture
def phone(browser):
    """A phone-sized page at 360×740, as in WeChat's in-app browser."""
    ctx, page = _page(
        browser,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    yield page
    ctx.close()


@pytest.fixture
def desktop(browser):
    """A duty officer's screen, 1440×900."""
    ctx, page = _page(browser, viewport={"width": 1440, "height": 900})
    yield page
    ctx.close()


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot under artifacts/screenshots/ (look at them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ------------------------------------------------------------------ WeChat
# WeChat's API as a local fake server and its servers' side as signed XML
# (suishoupai/tests/fake_wechat.py): test fixtures, never part of the product.


@pytest.fixture
def wechat_api():
    from suishoupai.tests import fake_wechat

    fake, server = fake_wechat.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def wechat_on(settings, wechat_api):
    """The official account configured and pointed at the fake API; cache emptied."""
    from django.core.cache import cache

    from suishoupai.tests import fake_wechat

    settings.WECHAT_APP_ID = fake_wechat.APP_ID
    settings.WECHAT_APP_SECRET = fake_wechat.APP_SECRET
    settings.WECHAT_TOKEN = fake_wechat.TOKEN
    settings.WECHAT_AES_KEY = fake_wechat.AES_KEY
    settings.WECHAT_TEMPLATE_CASE_UPDATE = "tpl-case-update"
    settings.WECHAT_API_BASE = wechat_api.url
    cache.clear()
    yield wechat_api
    cache.clear()


# ------------------------------------------------------------------ production static files
# Tests use plain static storage; `make run` collects hashed, compressed copies and serves
# them through whitenoise. What only breaks there (a library guessing a file name that the
# hashing renamed) needs a server that serves static files exactly that way.

PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """`collectstatic` with the production storage, once per test run."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
    with override_settings(STORAGES=storages, STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def _closing_server_thread():
    """A LiveServerThread whose server can end its open connections.

    The browser lives for the whole session and keeps idle keep-alive connections to
    a test's server after the test. Their request threads, on waking, closed the
    test's shared database connection from a thread it was no longer shared with
    ("DatabaseWrapper objects created in a thread can only be used in that same
    thread", an error at teardown now and then). `end_connections` shuts their sockets
    and waits for the threads while the connection is still shared."""
    import contextlib
    import socket
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class Server(ThreadedWSGIServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.open: dict = {}
            self.open_lock = threading.Lock()

        def process_request_thread(self, request, client_address):
            with self.open_lock:
                self.open[request] = threading.current_thread()
            try:
                super().process_request_thread(request, client_address)
            finally:
                with self.open_lock:
                    self.open.pop(request, None)

        def end_connections(self, timeout: float = 10) -> None:
            with self.open_lock:
                items = list(self.open.items())
            for sock, _thread in items:
                with contextlib.suppress(OSError):  # closed by the browser meanwhile
                    sock.shutdown(socket.SHUT_RDWR)
            for _sock, thread in items:
                thread.join(timeout)

    class Thread(LiveServerThread):
        server_class = Server

    return Thread


@pytest.fixture
def production_server(transactional_db, collected_static):
    """A live server that serves static files as `make run` does: whitenoise in front of
    the hashed manifest storage, no Django static or media handler in between. Yields
    its base URL."""
    from django.db import connections
    from django.test import override_settings

    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
    with override_settings(STORAGES=storages, STATIC_ROOT=collected_static):
        # An in-memory SQLite test database is shared with the server thread, as
        # pytest-django's live_server does.
        shared = {
            c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
        }
        for conn in shared.values():
            conn.inc_thread_sharing()
        # The WSGI handler is built inside the thread, after the override: whitenoise
        # reads STATIC_ROOT then. `media.application` drops the test-only media handler.
        thread = _closing_server_thread()(
            "127.0.0.1", lambda media: media.application, connections_override=shared
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        try:
            if thread.error:
                raise thread.error
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            if hasattr(thread, "httpd"):
                thread.httpd.end_connections()
            for conn in shared.values():
                conn.dec_thread_sharing()
