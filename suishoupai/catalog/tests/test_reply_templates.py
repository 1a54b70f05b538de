"""Reply templates (常用语): offered by kind and department, managed in the admin.

Loading them from a city's files: city/tests/test_reply_templates.py."""

import pytest

from suishoupai import factories as f
from suishoupai.catalog.models import ReplyKind, ReplyTemplate
from suishoupai.catalog.selectors import reply_templates

pytestmark = pytest.mark.django_db


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
