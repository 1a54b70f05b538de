#!/usr/bin/env python3
"""Precision and recall of duplicate scoring on generated pairs (docs/triage.md).

Builds the pairs of suishoupai/triage/pairs.py from the shared photos (../shared/data/photos,
never copied into the repository) in a throw-away SQLite database, asks
`triage.selectors.duplicate_candidates` for each later report, and prints the
precision/recall curve of its top candidate. Scenes 1-4 of each photo kind are the fitting
half (`--fit` fits the weights of duplicates.py on them), scenes 5-8 the evaluation half.

Usage: python scripts/triage_duplicates.py [--fit] [--half fit|eval|all]
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PHOTOS = REPO_ROOT.parent / "shared" / "data" / "photos"
_TMP = tempfile.TemporaryDirectory(prefix="suishoupai-dups-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="suishoupai.settings",
    SUISHOUPAI_DEMO="true",
    DATA_DIR=_TMP.name,
    LOG_LEVEL="WARNING",
)
for _name in ("DATABASE_URL", "HUEY_REDIS_URL", "SUISHOUPAI_TESTING"):
    os.environ.pop(_name, None)
(Path(_TMP.name) / "static").mkdir()

import django

django.setup()

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from suishoupai.cases.models import Case
from suishoupai.catalog.models import Category
from suishoupai.photos import imaging
from suishoupai.photos.models import Photo, PhotoKind
from suishoupai.triage import duplicates, pairs
from suishoupai.triage.config import triage_config

SEED = 20261207
M_PER_DEG_LAT = 111_320.0


@dataclass
class Outcome:
    half: str
    is_duplicate: bool
    right: bool  # the top candidate is the case it duplicates
    score: float  # the top candidate's score (0 when there is none)


def offset(lat: float, lng: float, metres: float, rng: random.Random) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / M_PER_DEG_LAT
    dlng = metres * math.sin(angle) / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


_numbers = itertools.count(1)


def make_case(category: str, text: str, at, lat, lng, phash: str | None, state="filed") -> Case:
    case = Case.objects.create(
        number=f"EVAL-{next(_numbers):05d}",
        state=state,
        category=Category.objects.get(code=category),
        description=text,
        lat=lat,
        lng=lng,
        created_at=at,
        updated_at=at,
        tracking_token_hash="-",
    )
    if phash:
        Photo.objects.create(
            case=case,
            kind=PhotoKind.REPORT,
            original="eval/none.jpg",
            content_type="image/jpeg",
            extension="jpg",
            size=1,
            width=1,
            height=1,
            sha256="-",
            created_at=at,
            phash=phash,
        )
    return case


def phash_of(data: bytes) -> str:
    return imaging.render(data).phash


def places(n: int, rng: random.Random) -> list[tuple[float, float]]:
    # Central Harbin, at least 1.5 km apart so scenes never see each other.
    out: list[tuple[float, float]] = []
    while len(out) < n:
        lat, lng = rng.uniform(45.70, 45.80), rng.uniform(126.55, 126.72)
        if all(abs(lat - a) * M_PER_DEG_LAT > 1500 or abs(lng - b) * 78_000 > 1500 for a, b in out):
            out.append((lat, lng))
    return out


def run(fit: bool) -> tuple[list[Outcome], list[tuple[dict, int, str]]]:
    rng = random.Random(SEED)
    scenes = pairs.scenes(PHOTOS)
    now = timezone.now()
    originals: dict[Path, bytes] = {s.photo: s.photo.read_bytes() for s in scenes}
    hashes = {p: phash_of(d) for p, d in originals.items()}
    config = triage_config()
    by_kind: dict[str, list[pairs.Scene]] = {}
    for s in scenes:
        by_kind.setdefault(s.category, []).append(s)
    outcomes: list[Outcome] = []
    rows: list[tuple[dict, int, str]] = []
    for index, (scene, (lat, lng)) in enumerate(zip(scenes, places(len(scenes), rng), strict=True)):
        half = "fit" if int(scene.photo.stem.rsplit("_", 1)[1]) <= 4 else "eval"
        radius = config.radius_for(scene.category)
        kin = [s for s in by_kind[scene.category] if s is not scene]
        other_kind = [s for s in scenes if s.category != scene.category]
        original = make_case(
            scene.category,
            scene.description,
            now - timedelta(days=rng.uniform(0.5, 10)),
            lat,
            lng,
            hashes[scene.photo],
        )
        # Hard negatives at the same place, open and older than the reports below.
        category, template = pairs.OTHER_PROBLEMS[index % len(pairs.OTHER_PROBLEMS)]
        make_case(
            category,
            template.format(street=scene.street),
            now - timedelta(days=rng.uniform(0.5, 10)),
            *offset(lat, lng, rng.uniform(10, 40), rng),
            hashes[rng.choice(other_kind).photo],
        )
        neighbour = kin[index % len(kin)]
        make_case(
            scene.category,
            pairs.SAME_KIND[scene.category].format(street=scene.street),
            now - timedelta(days=rng.uniform(0.5, 10)),
            *offset(lat, lng, rng.uniform(20, 0.8 * radius), rng),
            phash_of(pairs.perturb(originals[neighbour.photo], "crop", rng)),
        )
        queries = []
        for k, how in enumerate(pairs.PERTURBATIONS):
            photo = phash_of(pairs.perturb(originals[scene.photo], how, rng))
            queries.append((True, scene.category, scene.paraphrases[k % 2], photo))
        fresh = kin[(index + 3) % len(kin)]
        queries.append(
            (
                False,
                scene.category,
                f"{scene.street}又出现了一处新的问题，和之前的不在一个地方",
                phash_of(pairs.perturb(originals[fresh.photo], "exposure", rng)),
            )
        )
        queries.append((False, "tree_care", f"{scene.street}有棵树被风刮倒了", None))
        for is_dup, category, text, photo in queries:
            with transaction.atomic():
                point = offset(lat, lng, rng.uniform(3, min(60, 0.6 * radius)), rng)
                query = make_case(category, text, now, *point, photo, state="submitted")
                found = duplicates.duplicate_candidates(query, now=now, min_score=0.0, limit=10)
                top = found[0] if found else None
                outcomes.append(
                    Outcome(
                        half,
                        is_dup,
                        bool(top and top.case.pk == original.pk and is_dup),
                        top.score if top else 0.0,
                    )
                )
                for cand in found:
                    rows.append((cand.features, int(is_dup and cand.case.pk == original.pk), half))
                transaction.set_rollback(True)
    return outcomes, rows


def curve(outcomes: list[Outcome]) -> list[tuple[float, float, float]]:
    dups = sum(o.is_duplicate for o in outcomes)
    out = []
    for t in [x / 20 for x in range(1, 20)]:
        shown = [o for o in outcomes if o.score >= t]
        right = sum(o.right for o in shown)
        out.append((t, right / len(shown) if shown else 1.0, right / max(dups, 1)))
    return out


def fit_weights(rows: list[tuple[dict, int, str]]) -> None:
    from sklearn.linear_model import LogisticRegression

    names = list(duplicates.WEIGHTS)
    x = [[f[n] for n in names] for f, _y, half in rows if half == "fit"]
    y = [label for _f, label, half in rows if half == "fit"]
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    print("Fitted on", len(y), "candidate rows of the fitting half:")
    for name, w in zip(names, model.coef_[0], strict=True):
        print(f'    "{name}": {w:.2f},')
    print(f"BIAS = {model.intercept_[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--half", choices=("fit", "eval", "all"), default="eval")
    args = parser.parse_args()
    if not pairs.scenes(PHOTOS):
        sys.exit(f"No shared photos in {PHOTOS}: nothing to measure.")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    outcomes, rows = run(args.fit)
    if args.fit:
        fit_weights(rows)
    chosen = [o for o in outcomes if args.half == "all" or o.half == args.half]
    dups = sum(o.is_duplicate for o in chosen)
    print(
        f"{args.half} half: {len(chosen)} reports, {dups} duplicates, "
        f"{len(chosen) - dups} new problems"
    )
    top_right = sum(o.right for o in chosen)
    print(f"top candidate right for {top_right}/{dups} duplicates (at any score)")
    print("| threshold | precision | recall |\n|--:|--:|--:|")
    for t, p, r in curve(chosen):
        print(f"| {t:.2f} | {p:.1%} | {r:.1%} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        _TMP.cleanup()
