"""The public map's data, for anyone (no token): GET /api/v1/public/cases/map.

Zoomed out it answers with case counts in grid cells, close up with the cases
themselves (cases.public_map says when and why). Noise and nuisance cases come at
their coarsened place (cases.policy.public_position); nothing personal is in a marker.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from suishoupai.cases import public_map
from suishoupai.cases.selectors import CaseFilter
from suishoupai.cases.states import Family, State
from suishoupai.errors import InvalidInput

from .schemas import EARLIEST, LATEST, Ref, _bbox

router = Router(tags=["public"])


class MapQuery(Schema):
    bbox: str = Field(
        max_length=100,
        description="The view: min_lng,min_lat,max_lng,max_lat (WGS-84), as Leaflet's "
        "map.getBounds().toBBoxString() gives it",
    )
    zoom: int = Field(ge=0, le=public_map.MAX_ZOOM, description="The map's zoom level")
    category: str | None = Field(default=None, max_length=64, description="A category code")
    district: str | None = Field(default=None, max_length=32, description="A district code")
    family: Family | None = Field(default=None, description="open or closed (new: none public)")
    since: date | None = Field(
        default=None, ge=EARLIEST, le=LATEST, description="Reported on or after"
    )
    until: date | None = Field(
        default=None, ge=EARLIEST, le=LATEST, description="Reported on or before"
    )


class MapCellOut(Schema):
    lat: float = Field(description="The cell's centre")
    lng: float
    count: int
    bounds: list[float] = Field(description="min_lng, min_lat, max_lng, max_lat")


class MapMarkerOut(Schema):
    number: str
    lat: float
    lng: float
    coarse: bool = Field(description="The place is rounded to a ~100 m grid (noise, nuisance)")
    category: Ref
    state: State
    state_label: str
    family: Family
    created_at: datetime
    url: str = Field(description="The public case page")


class MapOut(Schema):
    mode: Literal["cells", "markers"]
    zoom: int
    total: int = Field(description="Cases in the view (the cells' counts summed)")
    bbox: list[float] = Field(description="The area counted: the view widened to whole cells")
    cell_size: float | None = Field(description="Cell side in degrees (cells mode)")
    cells: list[MapCellOut]
    markers: list[MapMarkerOut]


@router.get(
    "/public/cases/map",
    response=MapOut,
    summary="Public cases on a map: cell counts zoomed out, markers close up",
)
def cases_map(request: HttpRequest, q: Query[MapQuery]):
    if q.since and q.until and q.since > q.until:
        raise InvalidInput(_("since is after until."), field="since")
    bbox = _bbox(q.bbox)
    view = public_map.public_map(
        CaseFilter(
            family=q.family,
            category=q.category,
            district=q.district,
            bbox=bbox,
            since=q.since,
            until=q.until,
        ),
        q.zoom,
    )
    return {
        "mode": view.mode,
        "zoom": view.zoom,
        "total": view.total,
        "bbox": list(view.bbox),
        "cell_size": view.cell_size,
        "cells": [
            {"lat": c.lat, "lng": c.lng, "count": c.count, "bounds": list(c.bounds)}
            for c in view.cells
        ],
        "markers": [
            {
                **m.__dict__,
                "state_label": str(State(m.state).label),
                "url": f"/m/cases/{m.number}",
            }
            for m in view.markers
        ],
    }
