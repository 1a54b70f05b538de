from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max

from suishoupai.refcache import Table

if TYPE_CHECKING:
    import numpy as np
    import shapely

# shapely and NumPy (~25 MB) are imported when an area index is built or read, that is on
# the first report or place lookup of a process, not when a web worker starts: the public
# reads (lists, a case, nearby) never need them (issue 13: a web worker under 120 MB).

from .models import Area

# Lower bounds of the metres in one degree, so a box built from them covers the circle whether
# distances are measured on the WGS-84 ellipsoid (110 574 m per degree of latitude at the
# equator) or on the mean-radius sphere that haversine uses (111 195 m times cos(lat)).
_MIN_M_PER_DEG_LNG_AT_EQUATOR = math.pi / 180 * 6371008.8
_MIN_M_PER_DEG_LAT = 110574.0


@dataclass(frozen=True)
class Location:
    district: Area | None = None
    street: Area | None = None
    community: Area | None = None
    grid: Area | None = None


@dataclass(frozen=True)
class _AreaIndex:
    version: tuple[Any, ...]
    tree: shapely.STRtree
    geometries: np.ndarray
    ids: tuple[int, ...]
    levels: tuple[str, ...]
    sizes: tuple[float, ...]


logger = logging.getLogger(__name__)
_lock = threading.Lock()
_index: _AreaIndex | None = None
# Bumped by the post_save/post_delete receivers: catches changes the database version cannot
# see, such as an edit that keeps updated_at unchanged under a frozen test clock.
_generation = 0


def invalidate_area_cache(**_kwargs: Any) -> None:
    global _generation
    with _lock:
        _generation += 1


def _current_version() -> tuple[Any, ...]:
    stats = Area.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return (_generation, stats["count"], stats["last"])


def _build_index(version: tuple[Any, ...]) -> _AreaIndex:
    import numpy as np
    import shapely

    rows = Area.objects.exclude(geometry=None).values_list("id", "level", "geometry")
    ids, levels, geometries = [], [], []
    for area_id, level, geometry in rows:
        polygon = _polygon_or_none(area_id, geometry)
        if polygon is not None:
            ids.append(area_id)
            levels.append(level)
            geometries.append(polygon)
    geoms = np.array(geometries, dtype=object)
    shapely.prepare(geoms)
    sizes = tuple(shapely.area(geoms).tolist())
    return _AreaIndex(version, shapely.STRtree(geoms), geoms, tuple(ids), tuple(levels), sizes)


def _polygon_or_none(area_id: int, geometry: Any) -> shapely.Geometry | None:
    import shapely.errors
    from shapely.geometry import shape

    # One area saved by hand with a broken boundary must not stop every report from being placed.
    try:
        polygon = shape(geometry)
    except (AttributeError, TypeError, ValueError, KeyError, shapely.errors.GEOSException):
        polygon = None
    if polygon is None or polygon.geom_type not in ("Polygon", "MultiPolygon"):
        logger.warning("Area %s has no usable polygon boundary; locate() ignores it", area_id)
        return None
    return polygon


def _area_index() -> _AreaIndex:
    global _index
    version = _current_version()
    index = _index
    if index is None or index.version != version:
        index = _build_index(version)
        with _lock:
            _index = index
    return index


def _finest_by_level(index: _AreaIndex, lat: float, lng: float) -> dict[str, int]:
    import shapely

    point = shapely.Point(lng, lat)
    candidates = index.tree.query(point)
    # covers, not contains: a point exactly on a border still belongs somewhere.
    hits = candidates[shapely.covers(index.geometries[candidates], point)]
    best: dict[str, int] = {}
    for i in sorted(hits, key=lambda i: (index.sizes[i], index.ids[i])):
        best.setdefault(index.levels[i], index.ids[i])
    return best


def _areas() -> dict[int, Area]:
    # Districts and streets (街道): tens to a few hundred rows in a city. Communities and
    # grids, which can be thousands, stay out.
    named = Area.objects.filter(level__in=("district", "street")).defer("geometry")
    return {a.pk: a for a in named}


# The districts and streets without their boundaries, for naming a case's district and a
# noise report's public street (suishoupai.refcache).
_area_rows = Table(_areas, Area)


def areas_by_pk() -> dict[int, Area]:
    return _area_rows.get()


def districts_by_pk() -> dict[int, Area]:
    return areas_by_pk()  # a case's district_id only ever names a district


def locate(lat: float, lng: float) -> Location:
    best = _finest_by_level(_area_index(), lat, lng)
    if not best:
        return Location()
    # Fresh instances, without the bulky boundary, rather than objects shared across requests.
    areas = Area.objects.defer("geometry").in_bulk(best.values())
    return Location(**{level: areas.get(area_id) for level, area_id in best.items()})


def nearest(level: str, lat: float, lng: float, within_m: float) -> tuple[Area, float] | None:
    """The area of `level` that holds the point (0 m), else the nearest one within `within_m`
    metres of it, with the distance; None when there is none that close.

    Tells a citizen which street (街道) a pin is in, or next to when it lies in a gap between
    imported street polygons or just outside the city's.
    """
    import shapely
    import shapely.ops

    index = _area_index()
    point = shapely.Point(lng, lat)
    south, west, north, east = nearby_bbox(lat, lng, within_m)
    best: tuple[int, float] | None = None
    for i in index.tree.query(shapely.box(west, south, east, north)):
        if index.levels[i] != level:
            continue
        edge, _point = shapely.ops.nearest_points(index.geometries[i], point)
        metres = (
            0.0
            if shapely.covers(index.geometries[i], point)
            else distance_m(lat, lng, edge.y, edge.x)
        )
        if metres <= within_m and (best is None or metres < best[1]):
            best = (index.ids[i], metres)
    if best is None:
        return None
    area = Area.objects.defer("geometry").filter(pk=best[0]).first()
    return (area, best[1]) if area else None


def nearby_bbox(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    if radius_m < 0:
        raise ValueError(f"radius_m must not be negative, got {radius_m}")
    dlat = radius_m / _MIN_M_PER_DEG_LAT
    # Longitude degrees are shortest at the box's edge nearest the pole.
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
    m_per_deg_lng = _MIN_M_PER_DEG_LNG_AT_EQUATOR * cos_lat
    dlng = 180.0 if m_per_deg_lng < 1e-3 else min(radius_m / m_per_deg_lng, 180.0)
    return (max(lat - dlat, -90.0), lng - dlng, min(lat + dlat, 90.0), lng + dlng)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine on the mean-radius sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


# Metres per degree of latitude (mean): snapping only needs to be about right, and the
# same on every call.
_M_PER_DEG_LAT = 111_320.0


def snap(lat: float, lng: float, metres: float) -> tuple[float, float]:
    """The centre of the ~`metres` grid square holding the point.

    A fixed grid, not random noise: every request for the same point gets the same
    answer, so averaging many answers cannot find the point again. Squares are
    `metres` tall; their width follows the snapped row's latitude, so they stay square.
    """
    lat_step = metres / _M_PER_DEG_LAT
    snapped_lat = (math.floor(lat / lat_step) + 0.5) * lat_step
    lng_step = lat_step / max(math.cos(math.radians(snapped_lat)), 1e-6)
    snapped_lng = (math.floor(lng / lng_step) + 0.5) * lng_step
    return round(snapped_lat, 6), round(snapped_lng, 6)
