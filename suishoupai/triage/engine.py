"""The trained models in memory, shared by the selectors and services of this app.

Each process keeps the newest TriageModel row it has seen and looks for a newer one at most
every TRIAGE_MODEL_CHECK_SECONDS, so a retraining reaches every process without a restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from suishoupai.catalog.models import Subcategory

from .config import OUT_PREFIX
from .models import TriageModel

if TYPE_CHECKING:
    from .classifier import Classifier


@dataclass(frozen=True)
class Loaded:
    pk: int
    category: Classifier
    sentiment: Classifier
    # subcategory code → category code, for the active catalogue at load time
    parents: dict[str, str]


_lock = threading.Lock()
_loaded: Loaded | None = None
_checked_at = 0.0


def load(row: TriageModel) -> Loaded:
    # NumPy (under the classifier) is imported when a model is loaded, not when a web
    # worker starts (issue 13: a web worker under 120 MB).
    from .classifier import Classifier

    parents = dict(
        Subcategory.objects.filter(active=True, category__active=True).values_list(
            "code", "category__code"
        )
    )
    return Loaded(
        pk=row.pk,
        category=Classifier.from_bytes(bytes(row.category_model)),
        sentiment=Classifier.from_bytes(bytes(row.sentiment_model)),
        parents=parents,
    )


def current() -> Loaded | None:
    """The newest trained model, or None when nothing has been trained yet."""
    global _loaded, _checked_at
    now = time.monotonic()
    if _loaded is not None and now - _checked_at < settings.TRIAGE_MODEL_CHECK_SECONDS:
        return _loaded
    newest = TriageModel.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    pk = newest.first()
    with _lock:
        _checked_at = now
        if pk is None:
            _loaded = None
        elif _loaded is None or _loaded.pk != pk:
            _loaded = load(TriageModel.objects.get(pk=pk))
        return _loaded


def forget() -> None:
    """Drop the cached model (after a training in this process, and between tests)."""
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, 0.0


def is_agency(label: str) -> bool:
    return label.startswith(OUT_PREFIX)
