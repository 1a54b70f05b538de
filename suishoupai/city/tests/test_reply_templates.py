"""Reply templates (常用语) loaded from the city's files."""

from pathlib import Path

import pytest

from suishoupai.catalog.models import ReplyKind, ReplyTemplate
from suishoupai.city.services import ReferenceDataError, load_city
from suishoupai.city.tests.conftest import EditJson

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
