from ninja import Schema
from pydantic import Field


class BoxIn(Schema):
    x: int = Field(ge=-100_000, le=100_000)
    y: int = Field(ge=-100_000, le=100_000)
    w: int = Field(ge=1, le=100_000)
    h: int = Field(ge=1, le=100_000)


class RedactIn(Schema):
    boxes: list[BoxIn] = Field(
        min_length=1, max_length=20, description="Pixels of the public copy (public_width × …)"
    )
    note: str = Field(default="", max_length=500)


class NoteIn(Schema):
    note: str = Field(default="", max_length=500)


class ExifLocationOut(Schema):
    lat: float
    lng: float
    coord_system: str = Field(description='Always "wgs84": phones record GPS in WGS-84')
