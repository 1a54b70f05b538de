"""Small fixed-default builders for areas and GeoJSON used across the places tests."""

from typing import Any

from suishoupai.places.models import Area, AreaLevel


def square(lng: float, lat: float, size: float) -> list[list[list[float]]]:
    return [
        [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    ]


def feature(code: Any, name: str = "Area", *, rings: Any = None, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"adcode": code, "name": name, **props},
        "geometry": {"type": "Polygon", "coordinates": rings or square(126.6, 45.7, 0.1)},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def make_area(
    code: str = "230103",
    name: str = "南岗区",
    level: str = AreaLevel.DISTRICT,
    *,
    lng: float = 126.6,
    lat: float = 45.7,
    size: float = 0.1,
    parent: Area | None = None,
) -> Area:
    return Area.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        geometry={"type": "Polygon", "coordinates": square(lng, lat, size)},
        min_lng=lng,
        min_lat=lat,
        max_lng=lng + size,
        max_lat=lat + size,
    )
