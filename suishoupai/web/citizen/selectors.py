"""Reads for the citizen pages: the reporter's own cases, district outlines for the map."""

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.query import QuerySet
from django.utils.translation import gettext as _

from suishoupai.cases.links import grant_opens
from suishoupai.cases.models import Case
from suishoupai.errors import NotFound
from suishoupai.org.models import hash_token, tokens_match
from suishoupai.places.models import Area, AreaLevel

# At most this many cases in one "my reports" answer (tokens kept on one phone).
MINE_LIMIT = 50


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "category", "subcategory", "district", "department", "merged_into"
    ).defer("district__geometry")


def own_case(
    number: str,
    token: str | None,
    phone: str | None,
    openid: str | None = None,
    grant: str | None = None,
) -> Case:
    """The reporter's case, by its tracking token, by the signed link of a message
    (cases.links), by the confirmed phone it was sent with, or by the WeChat follower
    who sent it (the openid learnt by OAuth).

    Wrong token and unknown number answer the same, so numbers cannot be probed.
    """
    case = _cases().filter(number=number).first()
    by_token = case is not None and tokens_match(case.tracking_token_hash, token)
    by_grant = case is not None and bool(grant) and grant_opens(number, grant or "")
    by_phone = case is not None and bool(phone) and case.reporter_phone == phone
    by_openid = case is not None and bool(openid) and case.reporter_openid == openid
    if case is None or not (by_token or by_grant or by_phone or by_openid):
        raise NotFound(_("No such case, or this link is not yours."))
    return case


def mine(tokens: list[tuple[str, str]], phone: str | None, openid: str | None = None) -> list[Case]:
    """Cases sent from this device (number, token pairs), with the confirmed phone and
    by this WeChat follower: one history, however each report was sent."""
    hashes = {hash_token(t) for _n, t in tokens[:MINE_LIMIT] if t}
    found = {c.pk: c for c in _cases().filter(tracking_token_hash__in=hashes)}
    if phone:
        for c in _cases().filter(reporter_phone=phone).order_by("-created_at")[:MINE_LIMIT]:
            found.setdefault(c.pk, c)
    if openid:
        for c in _cases().filter(reporter_openid=openid).order_by("-created_at")[:MINE_LIMIT]:
            found.setdefault(c.pk, c)
    return sorted(found.values(), key=lambda c: c.created_at, reverse=True)[:MINE_LIMIT]


# Outlines are for orientation only (locate() uses the full boundaries): districts to about
# 100 m (~40 KB for Harbin, not 180), streets (街道), drawn closer in, to about 30 m.
SIMPLIFY_DEGREES: dict[str, float] = {AreaLevel.DISTRICT: 0.001, AreaLevel.STREET: 0.0003}


def district_outlines() -> dict:
    return outlines(AreaLevel.DISTRICT)


def outlines(level: str) -> dict:
    """Areas of a level in service as a small GeoJSON FeatureCollection, cached until areas
    change."""
    areas = Area.objects.filter(level=level)
    stats = areas.aggregate(n=Count("id"), t=Max("updated_at"))
    stamp = stats["t"].timestamp() if stats["t"] else 0
    key = f"citizen.outlines.{level}.{stats['n']}.{stamp:.6f}"
    found = cache.get(key)
    if found is None:
        found = _outlines(level)
        cache.set(key, found, timeout=24 * 3600)
    return found


def has_streets() -> bool:
    return Area.objects.filter(level=AreaLevel.STREET, in_service=True).exists()


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], 5), round(coords[1], 5)]
    return [_round(c) for c in coords]


def _outlines(level: str) -> dict:
    # shapely (and NumPy, ~25 MB) when the outlines are drawn, not when a worker starts.
    from shapely.geometry import mapping, shape

    features = []
    rows = Area.objects.filter(level=level, in_service=True).exclude(geometry=None)
    for area in rows:
        try:
            geom = shape(area.geometry).simplify(SIMPLIFY_DEGREES[level], preserve_topology=True)
        except (ValueError, TypeError, AttributeError, KeyError):
            continue  # a broken boundary is skipped here as locate() skips it
        simple = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": area.code, "name": area.name, "name_en": area.name_en},
                "geometry": {"type": simple["type"], "coordinates": _round(simple["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": features}
