"""The city's triage configuration: cities/<city>/triage/ (settings.TRIAGE_DIR).

config.json names the other agencies and the duplicate radius of each category; train.tsv,
sentiment_train.tsv hold the city's training examples; test.tsv and sentiment_test.tsv are
held out for evaluation and never trained on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

OUT_PREFIX = "out:"


@dataclass(frozen=True)
class TriageConfig:
    agencies: dict[str, str]
    radius_m: dict[str, float]
    default_radius_m: float
    max_age_days: int

    def radius_for(self, category_code: str) -> float:
        return self.radius_m.get(category_code, self.default_radius_m)


def triage_dir() -> Path:
    return Path(settings.TRIAGE_DIR)


@cache
def _load(path: Path) -> TriageConfig:
    raw = json.loads((path / "config.json").read_text(encoding="utf-8"))
    return TriageConfig(
        agencies=dict(raw.get("agencies", {})),
        radius_m={k: float(v) for k, v in raw.get("duplicate_radius_m", {}).items()},
        default_radius_m=float(raw.get("default_duplicate_radius_m", 150)),
        max_age_days=int(raw.get("duplicate_max_age_days", 60)),
    )


def triage_config() -> TriageConfig:
    return _load(triage_dir())


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(label, text) rows of a tab-separated file; # starts a comment line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected label<TAB>text")
        rows.append((label.strip(), text.strip()))
    return rows
