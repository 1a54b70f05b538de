"""Reply templates (常用语): loaded from the city's files, offered by kind and department."""

from pathlib import Path

import pytest

from suishoupai import factories as f
from suishoupai.catalog.models import ReplyKind, ReplyTemplate
from suishoupai.catalog.selectors import reply_templates
from suishoupai.catalog.services import ReferenceDataError, load_city
from suishoupai.catalog.tests.conftest import EditJson

pytestmark = pytest.mark.django_db


def test_harbin_comes_with_templates_for_every_kind_of_text(city_dir: Path):
    load_city(city_dir)
    kinds = set(ReplyTemplate.objects.values_list("kind", flat=True))
    assert kinds == set(ReplyKind.values)


def test_loading_twice_adds_nothing_and_keeps_a_template_switched_off(city_dir: Path):
    load_city(city_dir)
    count = ReplyTemplate.objects.count()
    switched_off = ReplyTemplate.objects.filter(kind=ReplyKind.DECLINE).first()
    assert switched_off
    switched_off.active = False
    switched_off.save()

    result = load_city(city_dir)

    assert ReplyTemplate.objects.count() == count
    switched_off.refresh_from_db()
    assert not switched_off.active
    assert set(+result.tally("reply templates")) == {"unchanged"}


def test_an_unknown_kind_names_the_file_and_entry(city_dir: Path, edit: EditJson):
    edit("reply_templates.json", lambda d: d["reply_templates"].append({"kind": "x", "text": "t"}))
    with pytest.raises(ReferenceDataError, match=r"reply_templates.json: .*unknown kind 'x'"):
        load_city(city_dir)
    assert not ReplyTemplate.objects.exists()


def test_a_department_template_is_offered_to_it_and_the_units_below(city, people):
    ReplyTemplate.objects.create(kind=ReplyKind.FEEDBACK, text="全市通用")
    ReplyTemplate.objects.create(
        kind=ReplyKind.FEEDBACK, text="环卫专用", department=city.city_sanitation
    )
    assert reply_templates(ReplyKind.FEEDBACK, people["hans"].department) == [
        "全市通用",
        "环卫专用",
    ]
    assert reply_templates(ReplyKind.FEEDBACK, people["nina"].department) == ["全市通用"]
    assert reply_templates(ReplyKind.FEEDBACK, f.DepartmentFactory(code="x")) == ["全市通用"]


def test_administrators_manage_templates_in_chinese(client, city):
    from suishoupai.org.models import User

    root = User.objects.create_superuser("root", password="correct-horse-battery")
    client.force_login(root)
    ReplyTemplate.objects.create(kind=ReplyKind.VOID, text="重复立案，予以作废。")
    page = client.get("/admin/catalog/replytemplate/")
    assert page.status_code == 200
    assert "常用语" in page.content.decode() and "重复立案" in page.content.decode()
    added = client.post(
        "/admin/catalog/replytemplate/add/",
        {"kind": "decline", "text": "不属于受理范围。", "sort_order": "10", "active": "on"},
    )
    assert added.status_code == 302
    assert ReplyTemplate.objects.filter(text="不属于受理范围。").exists()
