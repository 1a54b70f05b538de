import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client

from suishoupai import factories as f
from suishoupai.org.models import ApiToken, User
from suishoupai.timelimits.models import Stage, StageLimit

PASSWORD = "correct-horse-battery"


class FormValues(HTMLParser):
    """The values a browser would submit from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in a:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None


def change(client: Client, url: str, **edits) -> None:
    parser = FormValues()
    parser.feed(client.get(url).content.decode())
    data = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
    data.pop("_addanother", None)
    data.pop("_continue", None)
    response = client.post(url, {**data, **edits})
    errors = re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S)
    assert response.status_code == 302, errors


@pytest.fixture
def root(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    return client


def last_change() -> str:
    return LogEntry.objects.filter(action_flag=CHANGE).latest("pk").get_change_message()


@pytest.mark.django_db
def test_a_time_limit_change_is_logged_with_its_old_and_new_value(city, root):
    limit = StageLimit.objects.get(stage=Stage.TAKE)
    change(
        root, f"/admin/timelimits/stagelimit/{limit.pk}/change/", amount="2", unit="working_days"
    )
    message = last_change()
    assert "“1.00” → “2”" in message
    assert "“工作时” → “工作日”" in message


@pytest.mark.django_db
def test_a_department_move_is_logged_with_both_parents_by_name(city, root):
    url = f"/admin/org/department/{city.daowai_sanitation.pk}/change/"
    change(root, url, parent=str(city.nangang_roads.pk), active="")
    message = last_change()
    assert "“市环卫中心” → “南岗区道桥部门”" in message
    assert "“是” → “否”" in message
    entry = LogEntry.objects.latest("pk")
    assert entry.object_repr == "道外区环卫部门"
    assert entry.user.username == "root"


@pytest.mark.django_db
def test_inline_changes_are_logged_too(root):
    category = f.CategoryFactory(code="greenery", name="园林绿化")
    sub = f.SubcategoryFactory(category=category, code="greenery-damaged", name="路面坑洼")
    parser = FormValues()
    url = f"/admin/catalog/category/{category.pk}/change/"
    parser.feed(root.get(url).content.decode())
    prefix = next(k for k, v in parser.data.items() if k.endswith("-id") and v == str(sub.pk))[:-3]
    change(root, url, **{f"{prefix}-name": "路面坑槽"})
    assert "修改小类“园林绿化 / 路面坑槽”" in last_change()
    assert "“路面坑洼” → “路面坑槽”" in last_change()


@pytest.mark.django_db
def test_an_unchanged_save_says_so(city, root):
    change(root, f"/admin/org/department/{city.centre.pk}/change/")
    assert last_change() == "没有字段被修改。"


@pytest.mark.django_db
def test_the_change_log_is_readable_and_cannot_be_edited(city, root):
    change(root, f"/admin/org/department/{city.centre.pk}/change/", name="市数字化城市管理中心")
    entry = LogEntry.objects.latest("pk")
    listing = root.get("/admin/admin/logentry/")
    assert listing.status_code == 200
    assert "“市数字城管中心” → “市数字化城市管理中心”" in listing.content.decode()
    filtered = root.get("/admin/admin/logentry/", {"user__id__exact": entry.user_id})
    assert filtered.status_code == 200
    assert root.get(f"/admin/admin/logentry/{entry.pk}/change/").status_code == 200
    assert (
        root.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert root.get("/admin/admin/logentry/add/").status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_admin_is_titled_in_chinese(root):
    page = root.get("/admin/").content.decode()
    assert "随手拍 管理后台" in page


@pytest.mark.django_db
def test_every_configuration_model_is_in_the_admin(root):
    for url in [
        "/admin/catalog/category/",
        "/admin/catalog/subcategory/",
        "/admin/catalog/filingcondition/",
        "/admin/org/department/",
        "/admin/org/user/",
        "/admin/catalog/routingrule/",
        "/admin/org/apitoken/",
        "/admin/places/area/",
        "/admin/timelimits/calendarday/",
        "/admin/timelimits/workingperiod/",
        "/admin/timelimits/stagelimit/",
        "/admin/admin/logentry/",
        "/admin/org/loginattempt/",
    ]:
        assert root.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_users_role_and_department_are_edited_in_the_admin(city, root, olga):
    change(
        root,
        f"/admin/org/user/{olga.pk}/change/",
        role="dispatcher",
        department=str(city.centre.pk),
        display_name="王奥尔加",
        phone="13800009999",
    )
    olga.refresh_from_db()
    assert (olga.role, olga.display_name) == ("dispatcher", "王奥尔加")
    assert "“受理员” → “派遣员”" in last_change()


@pytest.mark.django_db
def test_staff_without_admin_rights_are_kept_out_of_the_change_log(olga):
    client = Client()
    client.force_login(olga)
    assert client.get("/admin/admin/logentry/").status_code == 302
    olga.is_staff = True
    olga.save()
    assert client.get("/admin/admin/logentry/").status_code == 403


@pytest.mark.django_db
def test_an_inline_row_deleted_is_logged_by_name(root):
    category = f.CategoryFactory(code="greenery", name="园林绿化")
    sub = f.SubcategoryFactory(category=category, code="greenery-damaged", name="绿地破坏")
    url = f"/admin/catalog/category/{category.pk}/change/"
    parser = FormValues()
    parser.feed(root.get(url).content.decode())
    prefix = next(k for k, v in parser.data.items() if k.endswith("-id") and v == str(sub.pk))[:-3]
    change(root, url, **{f"{prefix}-DELETE": "on"})
    assert "删除小类“园林绿化 / 绿地破坏”。" in last_change()


@pytest.mark.django_db
def test_revoking_tokens_in_bulk_is_logged_per_token(root, olga):
    token, _raw = ApiToken.issue(olga, "手机")
    response = root.post(
        "/admin/org/apitoken/", {"action": "revoke", "_selected_action": [str(token.pk)]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = LogEntry.objects.latest("pk")
    assert (entry.object_id, entry.get_change_message()) == (str(token.pk), "已吊销该令牌。")
