"""An OpenAPI 3 description of our GeoReport v2 endpoints, served at
/open311/v2/openapi.json: for partners' tooling, and so that schemathesis generates
requests against every Open311 operation as it does for the JSON API."""

from typing import Any

from .selectors import MAX_DAYS, MAX_IDS

FORMAT = {
    "name": "format",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
    "description": "json, or xml (the spec's default)",
}
API_KEY = {"name": "api_key", "in": "query", "required": False, "schema": {"type": "string"}}
ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
LIST = {"type": "array", "items": {"type": "object"}}


def _content(schema: dict) -> dict:
    return {
        "application/json": {"schema": schema},
        "text/xml": {"schema": {"type": "string"}},
    }


def _responses(*errors: int) -> dict:
    described = {
        "400": "Bad input (a field named in the description)",
        "403": "A missing, wrong, revoked or suspended api_key",
        "404": "No such service, request or token",
        "405": "Method not allowed",
        "413": "The body is too large",
        "414": "The address is too long",
        "429": "Too many requests for this key or address",
    }
    out: dict[str, Any] = {"200": {"description": "OK", "content": _content(LIST)}}
    for status in sorted({*errors, 400, 414, 429}):
        out[str(status)] = {"description": described[str(status)], "content": _content(ERRORS)}
    return out


def _query(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string", **schema},
        "description": description,
    }


def _form(properties: dict, required: list[str]) -> dict:
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def _string(**extra) -> dict:
    return {"type": "string", **extra}


DATES = [
    _query("start_date", f"W3C date-time; at most {MAX_DAYS} days before end_date"),
    _query("end_date", "W3C date-time; default now"),
]


def document() -> dict:
    get_requests = {
        "summary": "Service requests (public ones; a key also reads its own)",
        "parameters": [
            FORMAT,
            API_KEY,
            _query("service_request_id", f"comma-separated, at most {MAX_IDS}"),
            _query("service_code", "comma-separated"),
            *DATES,
            _query("status", "open, closed or both"),
        ],
        "responses": _responses(403),
    }
    post_request = {
        "summary": "Report a problem (needs an api_key)",
        "parameters": [FORMAT],
        "requestBody": _form(
            {
                "api_key": _string(),
                "service_code": _string(),
                "lat": _string(),
                "long": _string(),
                "address_string": _string(),
                "description": _string(),
                "email": _string(),
                "phone": _string(),
                "media_url": _string(),
            },
            ["api_key", "service_code"],
        ),
        "responses": _responses(403, 413),
    }
    post_update = {
        "summary": "Add an update to a request this key created (FixMyStreet)",
        "parameters": [FORMAT],
        "requestBody": _form(
            {
                "api_key": _string(),
                "service_request_id": _string(),
                "update_id": _string(),
                "status": _string(),
                "description": _string(),
                "updated_datetime": _string(),
                "media_url": _string(),
            },
            ["api_key", "service_request_id", "update_id", "status"],
        ),
        "responses": _responses(403, 404, 413),
    }
    read = {"parameters": [FORMAT, API_KEY], "responses": _responses(403)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Suishoupai 随手拍 Open311 GeoReport v2", "version": "2"},
        "servers": [{"url": "/open311/v2"}],
        "paths": {
            "/discovery.{format}": {"get": {"summary": "Discovery", **read}},
            "/services.{format}": {"get": {"summary": "Service list", **read}},
            "/services/{service_code}.{format}": {
                "get": {
                    "summary": "A service's definition",
                    "parameters": [
                        FORMAT,
                        API_KEY,
                        {
                            "name": "service_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": _responses(403, 404),
                }
            },
            "/requests.{format}": {"get": get_requests, "post": post_request},
            "/requests/{service_request_id}.{format}": {
                "get": {
                    "summary": "One service request",
                    "parameters": [
                        FORMAT,
                        API_KEY,
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": _responses(403, 404),
                }
            },
            "/tokens/{token}.{format}": {
                "get": {
                    "summary": "The request a token became",
                    "parameters": [
                        FORMAT,
                        API_KEY,
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": _responses(403, 404),
                }
            },
            "/servicerequestupdates.{format}": {
                "get": {
                    "summary": "Updates (FixMyStreet): the newest 1000 of the window",
                    "parameters": [FORMAT, API_KEY, *DATES],
                    "responses": _responses(403),
                },
                "post": post_update,
            },
        },
    }
