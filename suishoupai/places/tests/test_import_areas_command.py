import io
import json

import pytest
from django.core.management import CommandError, call_command

from suishoupai.places.models import Area

from .factories import collection, feature, make_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def districts_file(tmp_path):
    path = tmp_path / "districts.geojson"
    data = collection(feature("230102", "道里区"), feature("230103", "南岗区"), feature("230112"))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args):
    out = io.StringIO()
    call_command("import_areas", *map(str, args), stdout=out)
    return out.getvalue()


def test_it_reports_what_it_created_then_that_nothing_changed(districts_file):
    first = run(districts_file, "--level", "district", "--crs", "gcj02", "--only", "230102,230103")
    second = run(districts_file, "--level", "district", "--crs", "gcj02", "--only", "230102,230103")

    assert "created 230102 道里区" in first
    assert "created 230103 南岗区" in first
    assert "2 created, 0 updated, 0 unchanged, 1 skipped" in first
    assert "0 created, 0 updated, 2 unchanged, 1 skipped" in second
    assert Area.objects.count() == 2


def test_it_links_to_the_given_parent(districts_file):
    parent = make_area("2301", "哈尔滨市", "district")

    run(districts_file, "--level", "street", "--parent", "2301", "--only", "230102")

    assert Area.objects.get(code="230102").parent == parent


def test_it_turns_bad_input_into_a_command_error(tmp_path, districts_file):
    not_json = tmp_path / "broken.geojson"
    not_json.write_text("{", encoding="utf-8")

    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.geojson", "--level", "district")
    with pytest.raises(CommandError, match="is not UTF-8 JSON"):
        run(not_json, "--level", "district")
    with pytest.raises(CommandError, match="No feature has the adcode 999"):
        run(districts_file, "--level", "district", "--only", "999")
    with pytest.raises(CommandError, match="parent area 'nope' does not exist"):
        run(districts_file, "--level", "street", "--parent", "nope")
    assert not Area.objects.exists()
