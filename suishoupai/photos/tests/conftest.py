import io
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from suishoupai.cases import services as case_services
from suishoupai.cases.models import Case
from suishoupai.factories import DAOWAI

SHARED_PHOTOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "photos"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Every photo test writes to its own empty MEDIA_ROOT, so "nothing stored" is checkable."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(data: bytes, name: str = "photo.jpg") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def report_form(**overrides) -> dict:
    lat, lng = DAOWAI
    form = {
        "category": "sanitation",
        "description": "靖宇街路边堆放大量生活垃圾",
        "lat": lat,
        "lng": lng,
        "address": "道外区靖宇街与南十四道街交口",
        "phone": "13800000000",
    }
    form.update(overrides)
    return form


@pytest.fixture
def report(city, django_capture_on_commit_callbacks):
    """report(photo bytes, ...) → (created JSON, Case); copies are made on commit, inline."""

    def submit(*photos: bytes, **form):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/api/v1/cases",
                {
                    **report_form(**form),
                    "photos": [upload(p, f"p{i}.jpg") for i, p in enumerate(photos)],
                },
            )
        assert response.status_code == 201, response.content
        created = response.json()
        return created, Case.objects.get(number=created["number"])

    return submit


@pytest.fixture
def public_case(report, olga, django_capture_on_commit_callbacks):
    """publish(photo bytes) → a filed, public Case with that photo, copies made."""

    def make(*photos: bytes):
        created, case = report(*photos)
        with django_capture_on_commit_callbacks(execute=True):
            case_services.accept(case, olga)
        case.refresh_from_db()
        return created, case

    return make
