import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

HARBIN = Path(settings.BASE_DIR) / "cities" / "harbin"
DISTRICTS = {
    "230102": "道里区",
    "230103": "南岗区",
    "230104": "道外区",
    "230108": "平房区",
    "230109": "松北区",
    "230110": "香坊区",
    "230111": "呼兰区",
}


def _english_names() -> dict[str, str]:
    harbin = json.loads((HARBIN / "districts.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["adcode"]: f["properties"]["name_en"] for f in harbin["features"]}


def tiny_districts() -> dict[str, Any]:
    """Seven 0.05° squares in a row, WGS-84: enough for codes, names and lookups."""
    english = _english_names()
    features = []
    for i, (code, name) in enumerate(DISTRICTS.items()):
        west, south = 126.0 + i * 0.1, 45.7
        ring = [[west, south], [west + 0.05, south], [west + 0.05, south + 0.05]]
        ring += [[west, south + 0.05], [west, south]]
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": code, "name": name, "name_en": english[code]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    """A copy of the Harbin files with tiny square districts, free to edit in a test."""
    for name in (
        "catalog.json",
        "departments.json",
        "routing.json",
        "calendar.json",
        "reply_templates.json",
    ):
        shutil.copy(HARBIN / name, tmp_path / name)
    (tmp_path / "districts.geojson").write_text(json.dumps(tiny_districts()), encoding="utf-8")
    manifest = json.loads((HARBIN / "city.json").read_text(encoding="utf-8"))
    manifest["boundaries"][0]["crs"] = "wgs84"
    (tmp_path / "city.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


@pytest.fixture
def harbin_dir(city_dir: Path) -> Path:
    """The real Harbin directory when its boundaries are there, else the copy with squares."""
    return HARBIN if (HARBIN / "districts.geojson").exists() else city_dir


EditJson = Callable[[str, Callable[[Any], None]], None]


@pytest.fixture
def edit(city_dir: Path) -> EditJson:
    def edit(name: str, change: Callable[[Any], None]) -> None:
        path = city_dir / name
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    return edit
