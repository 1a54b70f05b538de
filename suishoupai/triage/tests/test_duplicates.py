"""Duplicate candidates: distance by category radius, category, age, photos, descriptions."""

import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from suishoupai.cases import services as cases
from suishoupai.cases.models import Case
from suishoupai.catalog.models import Category
from suishoupai.photos import imaging
from suishoupai.photos.models import Photo, PhotoKind
from suishoupai.triage import pairs
from suishoupai.triage.selectors import duplicate_candidates

PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
JINGYU = (45.7808, 126.6488)
M_PER_DEG_LAT = 111_320.0


def north(point, metres):
    return point[0] + metres / M_PER_DEG_LAT, point[1]


_n = iter(range(1, 10_000))


def report(category, text, point, *, days_ago=1.0, state="filed", phash=None, now=None):
    at = (now or timezone.now()) - timedelta(days=days_ago)
    case = Case.objects.create(
        number=f"T-{next(_n):04d}",
        state=state,
        category=Category.objects.get(code=category),
        description=text,
        lat=point[0],
        lng=point[1],
        created_at=at,
        updated_at=at,
        tracking_token_hash="-",
    )
    if phash:
        Photo.objects.create(
            case=case,
            kind=PhotoKind.REPORT,
            original="t/none.jpg",
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


def test_the_same_problem_reported_again_nearby_ranks_first_with_reasons(harbin_catalogue):
    first = report("road_damage", "靖宇街路中间有个大坑，车过去颠得厉害", JINGYU, days_ago=2)
    report("manhole_cover", "靖宇街人行道上的井盖没了", north(JINGYU, 15), days_ago=1)
    again = report(
        "road_damage", "靖宇街马路当中一个深坑，开车得绕着走", north(JINGYU, 20), days_ago=0
    )
    found = duplicate_candidates(again)
    assert found[0].case == first
    assert found[0].score > found[1].score if len(found) > 1 else True
    reasons = " ".join(found[0].reasons)
    assert "20" in reasons  # metres away
    assert len(found[0].reasons) >= 4


def test_each_category_has_its_own_radius(harbin_catalogue):
    # 120 m: too far for a manhole cover (50 m), close enough for a garbage heap (250 m).
    report("manhole_cover", "井盖没了", JINGYU, days_ago=1)
    report("sanitation", "路边一堆垃圾", JINGYU, days_ago=1)
    cover = report("manhole_cover", "井盖丢了", north(JINGYU, 120), days_ago=0)
    heap = report("sanitation", "路边有一堆垃圾", north(JINGYU, 120), days_ago=0)
    assert duplicate_candidates(cover) == []
    assert duplicate_candidates(heap)[0].case.category.code == "sanitation"


def test_closed_later_and_too_old_cases_are_never_candidates(harbin_catalogue):
    report("sanitation", "路边有一堆垃圾", JINGYU, days_ago=1, state="closed")
    report("sanitation", "路边有一堆垃圾", JINGYU, days_ago=90)
    new = report("sanitation", "路边一堆垃圾", north(JINGYU, 5), days_ago=0.5)
    report("sanitation", "路边有一堆垃圾", JINGYU, days_ago=0.1)  # reported after `new`
    assert duplicate_candidates(new) == []


@pytest.mark.skipif(not PHOTOS.exists(), reason=f"shared photos not found at {PHOTOS}")
def test_a_forwarded_copy_of_the_photo_outweighs_a_neighbour_s_photo(
    harbin_catalogue,
):
    rng = random.Random(1)
    scene, other = pairs.scenes(PHOTOS)[:2]  # two potholes
    original = scene.photo.read_bytes()
    first = report(
        "road_damage", "路面有个坑", JINGYU, days_ago=3, phash=imaging.render(original).phash
    )
    neighbour = report(
        "road_damage",
        "路面有个坑",
        north(JINGYU, 30),
        days_ago=3,
        phash=imaging.render(other.photo.read_bytes()).phash,
    )
    # Sent on through a chat app: shrunk and recompressed. (A crop or a new angle changes
    # the DCT hash too much to count: place and description carry those; docs/triage.md.)
    later = pairs.perturb(pairs.perturb(original, "rescale", rng), "recompress", rng)
    again = report(
        "road_damage",
        "这里有个坑",
        north(JINGYU, 25),
        days_ago=0,
        phash=imaging.render(later).phash,
    )
    found = {c.case: c for c in duplicate_candidates(again, min_score=0)}
    assert found[first].score > found[neighbour].score
    assert found[first].features["photo"] > 0.4 > found[neighbour].features["photo"]
    assert any("64" in r for r in found[first].reasons)


def test_merging_the_top_candidate_goes_through_the_case_service(harbin_catalogue, city, olga):
    # The operator's one key calls cases.services.merge; the candidate list feeds it.
    first = report("sanitation", "华山路胡同口堆了一大堆生活垃圾", JINGYU, days_ago=1)
    again = report(
        "sanitation", "华山路胡同口垃圾堆成山", north(JINGYU, 10), days_ago=0, state="submitted"
    )
    top = duplicate_candidates(again)[0]
    cases.merge(again, olga, into=top.case.number)
    again.refresh_from_db()
    assert again.state == "merged" and again.merged_into == first
    # A merged case is closed: the next report finds the first one, not the merged one.
    third = report("sanitation", "华山路胡同口有垃圾", JINGYU, days_ago=0)
    assert [c.case for c in duplicate_candidates(third)] == [first]
