"""Which open cases a new case may duplicate, ranked, with the reasons an operator reads.

Evidence for each open case near the new one: distance against the category's radius (a
manhole cover is one point, a garbage heap is seen from the block), same category, age, the
report photos' perceptual hashes, and how alike the two descriptions read (sentence
embeddings). They are combined by a logistic model whose weights were fitted on generated
pairs (scripts/triage_duplicates.py --fit, on half of the shared photos; the curve in
docs/triage.md is measured on the other half).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.cases.models import Case
from suishoupai.cases.states import OPEN_STATES
from suishoupai.photos.models import Photo, PhotoKind
from suishoupai.places.selectors import distance_m, nearby_bbox

from .config import triage_config

# Candidates beyond the radius still count, with a falling score (GPS error, a pin dropped
# on the other side of the street): the box is this many radii wide.
SEARCH_RADII = 1.5
# Embedding descriptions is the costly part (about 1 ms a text): only the candidates with
# the best score on the other evidence are read. In a dense centre a box holds hundreds of
# open cases, and the description moves a score by at most ±0.8 logits (WEIGHTS["text"]/2).
MAX_EMBEDDED = 12
# The nearest this many are scored on place, category, age and photos.
MAX_NEARBY = 200
PHASH_BITS = 64

# Fitted weights (see the module docstring); the score is sigmoid(bias + Σ weight·feature).
WEIGHTS = {
    "near": 1.43,  # 1 at the same spot, 0 at the radius, negative beyond
    "same_category": 2.08,
    "recent": 0.14,  # 1 today, halves every two weeks
    "photo": 2.76,  # +1 identical photos … −1 unrelated; 0 when either has none
    "text": 1.63,  # cosine of the description embeddings, centred on 0.5
}
BIAS = -3.40
# Below this score a candidate is not shown at all.
MIN_SCORE = 0.1
# At or above this the console marks a candidate as a likely duplicate: chosen on the fitting
# half (precision 94.9 %, recall 92.5 % for the top candidate there).
LIKELY_DUPLICATE = 0.3


@dataclass(frozen=True)
class DuplicateCandidate:
    case: Case
    score: float
    distance_m: float
    reasons: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


def _open_nearby(
    case: Case, radius: float
) -> QuerySet[Case, tuple[int, float, float, datetime, int]]:
    """(pk, lat, lng, created_at, category_id) of the open cases in the search box.

    Only the box and the open states go to SQL, so every database picks the index on
    (state, lat, lng); age is checked in Python on the rows that come back (given a
    created_at range, SQLite preferred the created_at index: 60 ms at a million cases).
    Plain tuples: in a dense centre the box holds hundreds of open cases.
    """
    min_lat, min_lng, max_lat, max_lng = nearby_bbox(case.lat, case.lng, radius * SEARCH_RADII)
    return (
        Case.objects.filter(
            lat__gte=min_lat,
            lat__lte=max_lat,
            lng__gte=min_lng,
            lng__lte=max_lng,
            state__in=OPEN_STATES,
        )
        .exclude(pk=case.pk)
        .order_by()
        .values_list("pk", "lat", "lng", "created_at", "category_id")
    )


def _hashes(case_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    rows = Photo.objects.filter(case_id__in=case_ids, kind=PhotoKind.REPORT).exclude(phash="")
    for case_id, phash in rows.values_list("case_id", "phash"):
        out.setdefault(case_id, []).append(int(phash, 16))
    return out


def photo_distance(a: list[int], b: list[int]) -> int | None:
    """Fewest differing bits between any photo of one case and any of the other."""
    if not a or not b:
        return None
    return min((x ^ y).bit_count() for x in a for y in b)


def features(
    distance: float,
    radius: float,
    same_category: bool,
    age: timedelta,
    photo_bits: int | None,
    text: float,
) -> dict[str, float]:
    return {
        "near": 1.0 - (distance / radius) ** 2,
        "same_category": 1.0 if same_category else 0.0,
        "recent": 0.5 ** (max(age.total_seconds(), 0) / 86400 / 14),
        # Unrelated photos differ in about half of the 64 bits; re-shot, cropped or
        # recompressed ones in a handful.
        "photo": 0.0 if photo_bits is None else max(-1.0, 1.0 - photo_bits / 16),
        "text": text - 0.5,
    }


def score(feats: dict[str, float]) -> float:
    z = BIAS + sum(WEIGHTS[name] * value for name, value in feats.items())
    return 1 / (1 + math.exp(-z))


def _reasons(
    cand: Case, case: Case, distance: float, age: timedelta, bits: int | None, text: float
) -> list[str]:
    reasons = [_("%(m)d m away") % {"m": round(distance)}]
    if cand.category_id == case.category_id:
        reasons.append(_("same category"))
    else:
        reasons.append(_("other category: %(c)s") % {"c": cand.category.name})
    days = age.total_seconds() / 86400
    if days < 1:
        reasons.append(_("reported %(h)d hours earlier") % {"h": max(0, round(days * 24))})
    else:
        reasons.append(_("reported %(d)d days earlier") % {"d": round(days)})
    if bits is not None:
        if bits <= 12:
            reasons.append(_("photos alike (%(b)d of 64 bits differ)") % {"b": bits})
        else:
            reasons.append(_("photos differ (%(b)d of 64 bits)") % {"b": bits})
    reasons.append(_("descriptions %(p)d%% alike") % {"p": round(max(text, 0) * 100)})
    return reasons


def duplicate_candidates(
    case: Case, *, now: datetime | None = None, limit: int = 5, min_score: float = MIN_SCORE
) -> list[DuplicateCandidate]:
    """Open cases reported before `case` that it may duplicate, most likely first."""
    now = now or timezone.now()
    config = triage_config()
    radius = config.radius_for(case.category.code)
    oldest = now - timedelta(days=config.max_age_days)
    found = []
    for pk, lat, lng, created_at, category_id in _open_nearby(case, radius):
        distance = distance_m(case.lat, case.lng, lat, lng)
        if distance <= radius * SEARCH_RADII and oldest <= created_at <= case.created_at:
            found.append((distance, pk, created_at, category_id))
    found.sort()
    found = found[:MAX_NEARBY]
    if not found:
        return []
    hashes = _hashes([case.pk] + [pk for _d, pk, _at, _c in found])
    mine = hashes.get(case.pk, [])
    scored = []
    for distance, pk, created_at, category_id in found:
        age = case.created_at - created_at
        bits = photo_distance(mine, hashes.get(pk, []))
        # Descriptions neutral (0.5) for now: only the best few are read and embedded below.
        feats = features(distance, radius, category_id == case.category_id, age, bits, 0.5)
        scored.append((score(feats), distance, pk, age, bits, feats))
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    scored = scored[:MAX_EMBEDDED]
    cases = Case.objects.select_related("category").in_bulk([row[2] for row in scored])
    from .text import embed  # NumPy: imported when descriptions are compared

    vectors = embed([case.description] + [cases[row[2]].description for row in scored])
    out = []
    for (_cheap, distance, pk, age, bits, feats), vector in zip(scored, vectors[1:], strict=True):
        text = float(vector @ vectors[0])
        feats = {**feats, "text": text - 0.5}
        s = score(feats)
        if s >= min_score:
            cand = cases[pk]
            reasons = _reasons(cand, case, distance, age, bits, text)
            out.append(DuplicateCandidate(cand, round(s, 4), round(distance, 1), reasons, feats))
    out.sort(key=lambda c: c.score, reverse=True)
    return out[:limit]
