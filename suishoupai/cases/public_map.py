"""The public map of cases: counts in grid cells when zoomed out, single markers when close.

A year of a city's cases is a hundred thousand points or more: the server never sends
them all. Zoomed out, the database counts the cases in each cell of a fixed grid (a
quarter of a map tile wide, aligned to whole multiples of the cell size, so panning
never moves a cell); from MARKER_ZOOM on, the cases themselves come, unless the view
still holds more than MAX_MARKERS, when cells come instead. One query (two for a
crowded close view: the markers asked for, then the cells).

The rows come through Case.objects.public() and the state index (case_state_lat_lng_map):
`state IN (…) AND lat BETWEEN …` narrows them on SQLite and PostgreSQL alike, and the
index holds every column a cell count filters on, so counting never reads the table
(scripts/bench_public_map.py measures it at a year of cases).
"""

import hashlib
import math
import time
from dataclasses import astuple, dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, QuerySet
from django.utils.translation import gettext as _

from suishoupai.errors import InvalidInput

from . import policy
from .models import Case
from .selectors import CaseFilter, apply_filter
from .states import FAMILY

MAX_ZOOM = 19
# From this zoom on (a few streets on a phone) single cases are shown.
MARKER_ZOOM = 14
MAX_MARKERS = 500
# Cells a quarter of a 256 px tile wide: about 64 px on the screen at any zoom.
CELLS_PER_TILE = 4
# Cells count cases by their exact place: never smaller than ~220 m, or a cell's count
# would say more about a noise report's place than its coarsened marker does.
MIN_CELL_DEG = 0.002
# A view may span at most this many cells each way (a phone or a wide screen needs
# 30 or so); more would be a query for the whole world at street level.
MAX_CELLS_ACROSS = 200


@dataclass(frozen=True)
class Cell:
    lat: float  # the cell's centre
    lng: float
    count: int
    bounds: tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat


@dataclass(frozen=True)
class Marker:
    number: str
    lat: float
    lng: float
    coarse: bool
    category: dict
    state: str
    family: str
    created_at: datetime


@dataclass(frozen=True)
class MapView:
    mode: str  # "cells" or "markers"
    zoom: int
    bbox: tuple[float, float, float, float]  # as counted: widened to whole cells
    cell_size: float | None = None
    cells: list[Cell] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells) if self.mode == "cells" else len(self.markers)


def cell_size(zoom: int) -> float:
    """The cell's side in degrees at a zoom level (Web Mercator tiles are 360/2^z wide)."""
    return max(360.0 / 2**zoom / CELLS_PER_TILE, MIN_CELL_DEG)


def check_bbox(bbox: tuple[float, float, float, float]) -> None:
    min_lng, min_lat, max_lng, max_lat = bbox
    if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
        raise InvalidInput(_("bbox longitudes must be between -180 and 180."), field="bbox")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidInput(_("bbox latitudes must be between -90 and 90."), field="bbox")


def public_map(f: CaseFilter, zoom: int) -> MapView:
    """Public cases matching `f` (whose bbox is required) as markers or cell counts."""
    if f.bbox is None:
        raise InvalidInput(_("bbox is required."), field="bbox")
    check_bbox(f.bbox)
    if not 0 <= zoom <= MAX_ZOOM:
        raise InvalidInput(
            _("zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM}, field="zoom"
        )
    qs = apply_filter(Case.objects.public(), f)
    if zoom >= MARKER_ZOOM:
        markers = _markers(qs)
        if markers is not None:
            return MapView("markers", zoom, f.bbox, markers=markers)
    return _cells(f, zoom)


def _markers(qs: QuerySet[Case]) -> list[Marker] | None:
    rows = list(
        qs.order_by("-created_at", "-pk").values(
            "number",
            "lat",
            "lng",
            "state",
            "created_at",
            "category__code",
            "category__name",
            "category__name_en",
            "category__coarse_location",
        )[: MAX_MARKERS + 1]
    )
    if len(rows) > MAX_MARKERS:
        return None
    out = []
    for row in rows:
        coarse = row["category__coarse_location"]
        lat, lng = policy.public_position(row["lat"], row["lng"], coarse)
        out.append(
            Marker(
                number=row["number"],
                lat=lat,
                lng=lng,
                coarse=coarse,
                category={
                    "code": row["category__code"],
                    "name": row["category__name"],
                    "name_en": row["category__name_en"],
                },
                state=row["state"],
                family=FAMILY[row["state"]],
                created_at=row["created_at"],
            )
        )
    return out


def _cells(f: CaseFilter, zoom: int) -> MapView:
    """The cell counts, from the cache when fresh enough (see `cached_cells`)."""
    if settings.PUBLIC_MAP_CACHE_SECONDS <= 0:
        return _count_cells(f, zoom)
    return cached_cells(f, zoom)


# The cell answers are cached: zoomed out, everyone opening the map asks the same few
# questions, and counting a city's year of cases takes the database a second. Any recorded
# event bumps VERSION (after its commit); an answer made under an older version is still
# served for PUBLIC_MAP_CACHE_SECONDS after it was made, then made again, so a busy city
# recounts each view at most that often and a quiet one never.
VERSION = "public_map:version"
KEEP_SECONDS = 3600


def cached_cells(f: CaseFilter, zoom: int) -> MapView:
    version = cache.get(VERSION)
    if version is None:
        cache.add(VERSION, 0, None)
        version = cache.get(VERSION, 0)
    question = repr((zoom, [str(v) if v is not None else None for v in astuple(f)]))
    key = "public_map:cells:" + hashlib.sha256(question.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        made_version, made_at, view = found
        if made_version == version or time.time() - made_at < settings.PUBLIC_MAP_CACHE_SECONDS:
            return view
    view = _count_cells(f, zoom)
    cache.set(key, (version, time.time(), view), KEEP_SECONDS)
    return view


def on_event_recorded(sender: object, **kwargs: object) -> None:
    """A case moved (or was reported): the cached cell answers are out of date."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION)
    except ValueError:  # not there (expired, a cache flushed): start again
        cache.set(VERSION, 1, None)


def _count_cells(f: CaseFilter, zoom: int) -> MapView:
    size = cell_size(zoom)
    assert f.bbox is not None
    min_lng, min_lat, max_lng, max_lat = f.bbox
    # Whole cells: a cell at the view's edge counts all its cases, not the part in view.
    first_col, last_col = math.floor(min_lng / size), math.floor(max_lng / size)
    first_row, last_row = math.floor(min_lat / size), math.floor(max_lat / size)
    if max(last_col - first_col, last_row - first_row) >= MAX_CELLS_ACROSS:
        raise InvalidInput(
            _("The bbox is too large for this zoom: zoom out or ask for a smaller area."),
            field="bbox",
        )
    bbox = (
        first_col * size,
        first_row * size,
        (last_col + 1) * size,
        (last_row + 1) * size,
    )
    qs = apply_filter(Case.objects.public(), CaseFilter(**{**f.__dict__, "bbox": bbox}))
    # One integer key per cell, counted from the south-west corner of the world so that
    # it is never negative (SQLite's CAST then floors, and is 3× cheaper than FLOOR).
    row_of = CellIndex((F("lat") + 90.0) / size)
    col_of = CellIndex((F("lng") + 180.0) / size)
    rows = (
        qs.order_by().annotate(key=row_of * KEY_BASE + col_of).values("key").annotate(n=Count("pk"))
    )
    offset_row, offset_col = math.floor(90.0 / size), math.floor(180.0 / size)
    cells = []
    for r in rows:
        row, col = divmod(int(r["key"]), KEY_BASE)
        row, col = row - offset_row, col - offset_col
        # A case exactly on the widened bbox's edge (or a rounding hair across it) floors
        # into the cell beyond: count it in the edge cell, as the bbox filter included it.
        row = min(max(row, first_row), last_row)
        col = min(max(col, first_col), last_col)
        cells.append(_cell(row, col, size, r["n"]))
    return MapView("cells", zoom, bbox, cell_size=size, cells=_merge(cells))


# Columns per row in a cell's key: more than the world has at the smallest cell.
KEY_BASE = 1 << 20


class CellIndex(Func):
    """floor() of a non-negative number, as an integer."""

    function = "FLOOR"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # Truncation is floor for numbers that are not negative.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)")


def _cell(row: int, col: int, size: float, n: int) -> Cell:
    south, west = row * size, col * size
    return Cell(
        lat=round(south + size / 2, 6),
        lng=round(west + size / 2, 6),
        count=n,
        bounds=(round(west, 6), round(south, 6), round(west + size, 6), round(south + size, 6)),
    )


def _merge(cells: list[Cell]) -> list[Cell]:
    """Cells folded together by the edge rule above, summed."""
    merged: dict[tuple[float, float], Cell] = {}
    for c in cells:
        key = (c.lat, c.lng)
        if key in merged:
            c = Cell(c.lat, c.lng, merged[key].count + c.count, c.bounds)
        merged[key] = c
    return sorted(merged.values(), key=lambda c: (-c.count, c.lat, c.lng))
