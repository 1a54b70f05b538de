from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.errors
from django.db import transaction
from shapely.geometry import mapping, shape

from .coords import CoordSystem, parse_coord_system, to_wgs84
from .models import CODE_MAX_LENGTH, NAME_MAX_LENGTH, Area, AreaLevel

# Coarse to fine: a parent must come earlier in this list than its children.
LEVEL_ORDER: tuple[str, ...] = tuple(AreaLevel.values)
# 1e-7 degree is about 1 cm: finer digits from a conversion are noise that only bloats the JSON.
_DECIMALS = 7
_POLYGON_TYPES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class ImportResult:
    created_codes: tuple[str, ...] = ()
    updated_codes: tuple[str, ...] = ()
    unchanged_codes: tuple[str, ...] = ()
    skipped_codes: tuple[str, ...] = ()

    @property
    def created(self) -> int:
        return len(self.created_codes)

    @property
    def updated(self) -> int:
        return len(self.updated_codes)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_codes)

    @property
    def skipped(self) -> int:
        """Features left out by only_codes."""
        return len(self.skipped_codes)


@dataclass(frozen=True)
class _Plan:
    label: str
    code: str
    name: str
    name_en: str
    parent_code: str | None
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]


def import_geojson(
    data: dict[str, Any],
    *,
    level: str,
    crs: str = "wgs84",
    code_property: str = "adcode",
    name_property: str = "name",
    name_en_property: str = "name_en",
    parent_code: str | None = None,
    parent_property: str | None = None,
    only_codes: set[str] | None = None,
) -> ImportResult:
    """Create or update one Area per feature, keyed by code; all or nothing."""
    _check_options(level, parent_code, parent_property)
    system = parse_coord_system(crs)
    plans, skipped = [], []
    for number, feature in enumerate(_features(data), start=1):
        code = _feature_code(feature, number, code_property)
        if only_codes is not None and code not in only_codes:
            skipped.append(code)
            continue
        parent = parent_code if parent_property is None else _prop(feature, parent_property)
        names = (name_property, name_en_property)
        plans.append(_plan(feature, number, code, names, parent, system))
    _check_plans(plans, only_codes, code_property)
    with transaction.atomic():
        return _write(plans, level, tuple(skipped))


def _check_options(level: str, parent_code: str | None, parent_property: str | None) -> None:
    if level not in LEVEL_ORDER:
        raise ValueError(f"Unknown level {level!r}; expected one of {', '.join(LEVEL_ORDER)}")
    if parent_code is not None and parent_property is not None:
        raise ValueError("Give either parent_code or parent_property, not both")


def _features(data: Any) -> list[Any]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("The input is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValueError("The FeatureCollection has no features")
    return features


def _prop(feature: Any, name: str) -> Any:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties.get(name) if isinstance(properties, dict) else None


def _feature_code(feature: Any, number: int, code_property: str) -> str:
    value = _prop(feature, code_property)
    code = str(value).strip() if isinstance(value, str | int) else ""
    if not code or isinstance(value, bool):
        raise ValueError(
            f"Feature #{number} has no usable {code_property!r} property (got {value!r})"
        )
    # Checked here because SQLite would store an over-long value without complaint.
    if len(code) > CODE_MAX_LENGTH:
        raise ValueError(f"Feature #{number}: code {code!r} is too long")
    return code


def _plan(
    feature: dict[str, Any],
    number: int,
    code: str,
    names: tuple[str, str],
    parent: Any,
    system: CoordSystem,
) -> _Plan:
    name = str(_prop(feature, names[0]) or code).strip()
    # The English name is optional: a feature without one keeps an empty name_en.
    name_en = str(_prop(feature, names[1]) or "").strip()
    label = f"Feature #{number} ({code} {name})"
    if len(name) > NAME_MAX_LENGTH or len(name_en) > NAME_MAX_LENGTH:
        raise ValueError(f"{label}: name is too long")
    geom = _clean_geometry(_converted(feature.get("geometry"), system, label), label)
    parent_code = str(parent).strip() if parent not in (None, "") else None
    return _Plan(label, code, name, name_en, parent_code, _to_geojson(geom), geom.bounds)


def _converted(geometry: Any, system: CoordSystem, label: str) -> dict[str, Any]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in _POLYGON_TYPES:
        raise ValueError(f"{label}: geometry type {kind!r} is not Polygon or MultiPolygon")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    converted = [
        [[_position(p, system, label) for p in _list(ring, label)] for ring in _list(poly, label)]
        for poly in _list(polygons, label)
    ]
    return {"type": kind, "coordinates": converted[0] if kind == "Polygon" else converted}


def _list(value: Any, label: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{label}: malformed coordinates (expected a non-empty list)")
    return value


def _position(position: Any, system: CoordSystem, label: str) -> list[float]:
    if not _is_position(position):
        raise ValueError(f"{label}: malformed coordinate {position!r}")
    lng, lat = position[0], position[1]
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValueError(
            f"{label}: coordinate {position!r} is out of range "
            "(expected [longitude, latitude] in degrees)"
        )
    wgs_lat, wgs_lng = to_wgs84(lat, lng, system)
    return [round(wgs_lng, _DECIMALS), round(wgs_lat, _DECIMALS)]


def _is_position(position: Any) -> bool:
    return (
        isinstance(position, list)
        and len(position) >= 2
        and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in position[:2]
        )
    )


def _clean_geometry(geojson: dict[str, Any], label: str) -> shapely.Geometry:
    try:
        geom = shape(geojson)
        if not geom.is_valid:
            # Quantised or hand-drawn boundaries often touch themselves; repair rather than refuse.
            geom = _polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise ValueError(f"{label}: invalid polygon ({exc})") from None
    if geom.is_empty or geom.area == 0:
        raise ValueError(f"{label}: the boundary encloses no area")
    # RFC 7946 wants exteriors counter-clockwise; some map libraries rely on it.
    return shapely.orient_polygons(geom)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGON_TYPES]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _to_geojson(geom: shapely.Geometry) -> dict[str, Any]:
    # Lists, not the tuples mapping() returns, so a re-import compares equal to the stored JSON.
    def listify(value: Any) -> Any:
        return [listify(v) for v in value] if isinstance(value, list | tuple) else value

    geojson = mapping(geom)
    return {"type": geojson["type"], "coordinates": listify(geojson["coordinates"])}


def _check_plans(plans: list[_Plan], only_codes: set[str] | None, code_property: str) -> None:
    repeated = [code for code, n in Counter(p.code for p in plans).items() if n > 1]
    if repeated:
        raise ValueError(f"Several features share the {code_property} {', '.join(repeated)}")
    missing = sorted((only_codes or set()) - {p.code for p in plans})
    if missing:
        raise ValueError(f"No feature has the {code_property} {', '.join(missing)}")


def _write(plans: list[_Plan], level: str, skipped: tuple[str, ...]) -> ImportResult:
    parents = _parents(plans, level)
    existing = Area.objects.select_for_update().in_bulk([p.code for p in plans], field_name="code")
    _check_levels(plans, existing, level)
    created, updated, unchanged = [], [], []
    for plan in plans:
        values = _values(plan, parents)
        area = existing.get(plan.code)
        if area is None:
            Area.objects.create(code=plan.code, level=level, **values)
            created.append(plan.code)
        elif _update(area, values):
            updated.append(plan.code)
        else:
            unchanged.append(plan.code)
    return ImportResult(tuple(created), tuple(updated), tuple(unchanged), skipped)


def _parents(plans: list[_Plan], level: str) -> dict[str, Area]:
    codes = {p.parent_code for p in plans if p.parent_code}
    by_code = Area.objects.in_bulk(codes, field_name="code")
    for plan in plans:
        parent = by_code.get(plan.parent_code) if plan.parent_code else None
        if plan.parent_code and parent is None:
            raise ValueError(f"{plan.label}: parent area {plan.parent_code!r} does not exist")
        if parent and LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(level):
            raise ValueError(
                f"{plan.label}: parent {parent.code} is a {parent.level}, "
                f"which cannot contain a {level}"
            )
    return by_code


def _check_levels(plans: list[_Plan], existing: dict[str, Area], level: str) -> None:
    for plan in plans:
        area = existing.get(plan.code)
        if area is not None and area.level != level:
            raise ValueError(
                f"{plan.label}: area {plan.code} already exists as a {area.level}, not a {level}"
            )


def _values(plan: _Plan, parents: dict[str, Area]) -> dict[str, Any]:
    min_lng, min_lat, max_lng, max_lat = plan.bbox
    return {
        "name": plan.name,
        "name_en": plan.name_en,
        "parent_id": parents[plan.parent_code].pk if plan.parent_code else None,
        "geometry": plan.geometry,
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
    }


def _update(area: Area, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(area, name) != value]
    for name in changed:
        setattr(area, name, values[name])
    if changed:
        area.save(update_fields=[*changed, "updated_at"])
    return bool(changed)
