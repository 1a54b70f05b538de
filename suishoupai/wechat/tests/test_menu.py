"""`manage.py wechat_menu`: the city's menu, checked against WeChat's rules, sent once."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from suishoupai.wechat import menu


@pytest.mark.django_db
def test_it_sets_harbins_menu_with_links_on_this_site(wechat_on, settings):
    settings.SITE_URL = "https://ssp.example.gov.cn"
    out = StringIO()
    call_command("wechat_menu", stdout=out)
    [sent] = wechat_on.menus
    assert [b["name"] for b in sent["button"]] == ["随手拍", "我的上报", "公开"]
    assert sent["button"][0] == {
        "type": "view",
        "name": "随手拍",
        "url": "https://ssp.example.gov.cn/m/",
    }
    public = sent["button"][2]["sub_button"]
    assert [b["name"] for b in public] == ["公开案件", "统计数据", "对话查进度"]
    assert public[0]["url"] == "https://ssp.example.gov.cn/public/"  # the map and list
    assert public[1]["url"] == "https://ssp.example.gov.cn/public/stats/"
    assert public[2] == {"type": "click", "name": "对话查进度", "key": "my_reports"}
    assert wechat_on.calls["menu/create"] == 1 and "Menu set" in out.getvalue()


def test_a_dry_run_prints_the_menu_and_sends_nothing(wechat_api, settings):
    out = StringIO()
    call_command("wechat_menu", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["button"][1]["url"].endswith("/m/mine")
    assert sum(wechat_api.calls.values()) == 0


def test_without_the_account_it_says_what_is_missing(settings):
    settings.WECHAT_APP_ID = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("wechat_menu")


def test_another_citys_folder_is_read(tmp_path, settings):
    (tmp_path / "wechat_menu.json").write_text(
        json.dumps({"button": [{"type": "view", "name": "随手拍", "url": "https://x.cn/m/"}]})
    )
    out = StringIO()
    call_command("wechat_menu", str(tmp_path), "--dry-run", stdout=out)
    assert "https://x.cn/m/" in out.getvalue()


@pytest.mark.parametrize(
    "bad, reason",
    [
        ({"button": []}, "1 to 3 buttons"),
        ({"button": [{"type": "view", "name": "a", "url": "/"}] * 4}, "1 to 3 buttons"),
        ({"button": [{"type": "view", "name": "随手拍随手拍", "url": "/"}]}, "16 bytes"),
        ({"button": [{"type": "view", "name": "随手拍"}]}, "needs a url"),
        ({"button": [{"type": "click", "name": "查询"}]}, "needs a key"),
        (
            {
                "button": [
                    {"name": "更多", "sub_button": [{"type": "view", "name": "x", "url": "/"}] * 6}
                ]
            },
            "1 to 5",
        ),
        ({"button": [{"type": "miniprogram", "name": "小程序"}]}, "view or click"),
    ],
)
def test_wechats_menu_rules_are_checked_before_sending(bad, reason):
    with pytest.raises(menu.MenuError, match=reason):
        menu.build(bad)


def test_a_broken_file_is_named(tmp_path):
    (tmp_path / "wechat_menu.json").write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("wechat_menu", str(tmp_path), "--dry-run")


@pytest.mark.django_db
def test_every_page_harbins_menu_opens_exists(client, city):
    buttons = json.loads((settings.BASE_DIR / "cities" / "harbin" / "wechat_menu.json").read_text())
    pages = [
        b["url"]
        for top in buttons["button"]
        for b in [top, *top.get("sub_button", [])]
        if b.get("type") == "view"
    ]
    assert len(pages) == 4
    for page in pages:
        assert client.get(page).status_code == 200, page
