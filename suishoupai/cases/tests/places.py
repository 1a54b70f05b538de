"""Cases put straight on the map for the public map's tests and benchmark.

The map reads positions, states and dates only: these rows skip the service functions
(and their events) on purpose, to make thousands quickly. Never use them where a
case's history matters.
"""

import itertools
import random
from datetime import datetime, timedelta

from suishoupai import factories as f
from suishoupai.cases.models import Case
from suishoupai.catalog.models import Category
from suishoupai.places.models import Area

_numbers = itertools.count(1)


def noise_category() -> Category:
    return f.CategoryFactory(
        code="commercial_noise", name="商业噪声", name_en="Commercial noise", coarse_location=True
    )


def road_category() -> Category:
    return f.CategoryFactory(
        code="road_damage", name="道路破损", name_en="Road damage", kind="component"
    )


def place(
    category: Category | str,
    lat: float,
    lng: float,
    *,
    state: str = "filed",
    public: bool = True,
    at: datetime = f.WEDNESDAY_9AM,
    district: Area | None = None,
    street: Area | None = None,
    phone: str = "",
    address: str = "道外区靖宇街 88 号",
    description: str = "路边有一堆垃圾",
) -> Case:
    if isinstance(category, str):
        category = Category.objects.get(code=category)
    return Case.objects.create(
        **_fields(
            category, lat, lng, state, public, at, district, street, phone, address, description
        )
    )


def _fields(category, lat, lng, state, public, at, district, street, phone, address, description):
    return {
        "number": f"P{next(_numbers):07d}",
        "state": state,
        "category": category,
        "description": description,
        "address": address,
        "lat": lat,
        "lng": lng,
        "is_public": public,
        "district": district,
        "street": street,
        "reporter_phone": phone,
        "created_at": at,
        "updated_at": at,
        "tracking_token_hash": "-",
    }


# A year of reports in and around Harbin's centre: (lat, lng) box, states as they end up.
HARBIN = (45.66, 126.50, 45.85, 126.78)
STATES = (
    ["closed"] * 14
    + ["in_progress", "dispatched", "resolved", "filed", "merged"]
    + [
        "submitted",
        "rejected",
        "voided",
    ]
)


def scatter(
    n: int,
    categories: list[Category],
    districts: list[Area | None],
    *,
    end: datetime = f.WEDNESDAY_9AM,
    days: int = 365,
    seed: int = 12,
    batch: int = 5000,
    box: tuple[float, float, float, float] = HARBIN,
) -> None:
    """`n` cases spread over `days` before `end` and over Harbin's centre, fixed by `seed`:
    most closed, some open, some never public (unfiled, declined, voided, or not shared)."""
    rnd = random.Random(seed)
    min_lat, min_lng, max_lat, max_lng = box
    rows = []
    for _ in range(n):
        at = end - timedelta(seconds=rnd.randrange(days * 86400))
        rows.append(
            Case(
                **_fields(
                    rnd.choice(categories),
                    round(rnd.uniform(min_lat, max_lat), 6),
                    round(rnd.uniform(min_lng, max_lng), 6),
                    rnd.choice(STATES),
                    rnd.random() > 0.1,
                    at,
                    rnd.choice(districts),
                    None,
                    "",
                    "",
                    "路边有一堆垃圾",
                )
            )
        )
        if len(rows) == batch:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
