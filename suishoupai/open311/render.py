"""One data structure, two encodings: GeoReport v2 XML (required by the spec) and JSON.

Presenters build plain values (str, int, float, bool, None, lists, dicts); this
module writes them either way, so the two formats cannot drift apart.
"""

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from suishoupai.text import strip_forbidden

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json"}

# The element name of one item of each list, as the spec writes them.
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: datetime | None) -> str | None:
    """W3C datetime with the city's offset, e.g. 2026-11-25T09:00:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    # XML cannot carry control characters at all: one stored by any route must not
    # make the whole answer unreadable.
    return strip_forbidden(str(value))


def _fill(element: ET.Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item, key)
    elif isinstance(value, list):
        item_name = ITEM[name]
        for item in value:
            _fill(ET.SubElement(element, item_name), item, item_name)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data, root)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    body = to_json(data) if fmt == "json" else to_xml(root, data)
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status)


_EXTENSION = re.compile(r"\.(json|xml)$")


def error_for(
    request: HttpRequest, status: int, message: str, code: str, field: str | None = None
) -> HttpResponse:
    """An error raised outside our views (suishoupai.http_errors), in the format the
    path asks for; XML, the spec's default, when it names none."""
    found = _EXTENSION.search(request.path_info)
    return errors(found.group(1) if found else "xml", status, message)
