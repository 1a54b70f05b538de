"""Conversions between the coordinate systems Chinese map services use.

We store WGS-84. 高德 and 腾讯 maps (and WeChat's getLocation with type "gcj02") give GCJ-02, the
obfuscated system mandated for published maps; Baidu adds its own BD-09 shift on top of GCJ-02.
GCJ-02 has no closed-form inverse, so gcj02_to_wgs84 iterates the forward transform.

Every function takes and returns (lat, lng), the order WeChat and most APIs use.
"""

from __future__ import annotations

import math
from enum import StrEnum

# Krasovsky 1940 ellipsoid, as in the published GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# 1e-9 degree is about 0.1 mm; the iteration reaches it in 3-4 steps inside China.
_INVERSE_TOLERANCE = 1e-9
_INVERSE_MAX_STEPS = 30


class CoordSystem(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def out_of_china(lat: float, lng: float) -> bool:
    # The rough rectangle every GCJ-02 implementation uses; outside it the shift is not applied.
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_offset(lat: float, lng: float) -> tuple[float, float]:
    dlat = _shift_lat(lng - 105.0, lat - 35.0)
    dlng = _shift_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj02_offset(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    # Fixed-point iteration: the offset changes slowly, so correcting the guess by the
    # forward error converges fast. The one-step inverse is off by up to a few metres.
    guess_lat, guess_lng = lat, lng
    for _ in range(_INVERSE_MAX_STEPS):
        fwd_lat, fwd_lng = wgs84_to_gcj02(guess_lat, guess_lng)
        err_lat, err_lng = fwd_lat - lat, fwd_lng - lng
        guess_lat, guess_lng = guess_lat - err_lat, guess_lng - err_lng
        if abs(err_lat) < _INVERSE_TOLERANCE and abs(err_lng) < _INVERSE_TOLERANCE:
            break
    return guess_lat, guess_lng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def bd09_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))


def parse_coord_system(system: str) -> CoordSystem:
    try:
        return CoordSystem(system)
    except ValueError:
        choices = ", ".join(s.value for s in CoordSystem)
        raise ValueError(
            f"Unknown coordinate system {system!r}; expected one of {choices}"
        ) from None


_TO_WGS84 = {
    CoordSystem.WGS84: lambda lat, lng: (lat, lng),
    CoordSystem.GCJ02: gcj02_to_wgs84,
    CoordSystem.BD09: bd09_to_wgs84,
}


def to_wgs84(lat: float, lng: float, system: str) -> tuple[float, float]:
    return _TO_WGS84[parse_coord_system(system)](lat, lng)
