"""Triage fixtures: the Harbin catalogue and a model trained on it once per test process.

Training takes a few seconds, so the trained bytes are kept for the session and each test
that needs a model stores them as its own TriageModel row (the database is rolled back
between tests).
"""

import json
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from suishoupai import factories as f
from suishoupai.city.services import load_city
from suishoupai.triage import engine, services, training
from suishoupai.triage.models import TriageModel

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


def load_harbin_catalogue() -> None:
    """Harbin's departments and catalogue (no boundaries: they take seconds to load)."""
    for code, name in DISTRICTS.items():
        f.AreaFactory(code=code, name=name)
    manifest = {
        "name": "哈尔滨",
        "departments": str(HARBIN / "departments.json"),
        "catalog": str(HARBIN / "catalog.json"),
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "city.json").write_text(json.dumps(manifest), encoding="utf-8")
        load_city(folder)


@pytest.fixture
def harbin_catalogue(db):
    load_harbin_catalogue()


_trained: dict[str, bytes] = {}


def trained_model() -> TriageModel:
    """The model trained on the shipped examples (once per test process), as the current one.
    Needs the Harbin catalogue in the database."""
    engine.forget()
    if not _trained:
        model = services.train(note="test session")
        _trained.update(
            category=bytes(model.category_model), sentiment=bytes(model.sentiment_model)
        )
        engine.forget()
        return model
    return TriageModel.objects.create(
        created_at=timezone.now(),
        category_model=_trained["category"],
        sentiment_model=_trained["sentiment"],
        examples=dict(training.category_examples().sources),
    )


@pytest.fixture
def triage_model(harbin_catalogue) -> TriageModel:
    return trained_model()


@pytest.fixture(autouse=True)
def _fresh_engine():
    engine.forget()
    yield
    engine.forget()
