"""The JSON API: one NinjaAPI, its routers (catalog, citizen, staff, photos), one error format.

Errors always look like {"detail": "...", "code": "...", "errors": [{"field", "message"}]}
with 400/422 for bad input, 403 wrong role or scope, 404 unknown, 409 illegal move.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.renderers import JSONRenderer

from suishoupai.encoders import LocalTimeEncoder
from suishoupai.errors import DomainError

from . import catalog, citizen, photos, public_map, staff, stats, triage
from .payload import SchemaError


class Renderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


# The errors every operation can answer, documented (issue 17: schemathesis found 183
# status codes the document did not list). One error shape for all of them.
ERROR = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "code", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
ERRORS = {
    400: "Bad input: a field, a control character in the request, a broken form",
    401: "No or a wrong API token (Authorization: Bearer …)",
    403: "The token's role or department may not do this",
    404: "No such case, photo or WeChat draft",
    409: "The case's state does not allow this move now",
    413: "The body is larger than allowed (2 MB; uploads: all photos together)",
    414: "The address is longer than 8 KB",
    422: "A field does not match its schema (field by field)",
    429: "Too many requests from this address or phone; try again later",
}
# Rate-limited operations (ratelimit.check in the citizen endpoints and photos).
LIMITED = {
    ("post", "/api/v1/cases"),
    ("post", "/api/v1/cases/{number}/support"),
    ("post", "/api/v1/cases/{number}/rating"),
    ("post", "/api/v1/photos/exif-location"),
}


def error_statuses(path: str, method: str, operation: dict) -> list[int]:
    statuses = [400, 414, 422]
    if method in ("post", "put", "patch"):
        statuses.append(413)
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if method == "post" and "{" in path:
        statuses += [403, 409]
    if (method, path) in LIMITED:
        statuses.append(429)
    if (method, path) == ("post", "/api/v1/photos/exif-location"):
        statuses.append(404)  # the photo carries no position
    if (method, path) == ("post", "/api/v1/cases"):
        statuses.append(404)  # the WeChat draft it names was already sent or has expired
    return sorted(set(statuses))


class Api(NinjaAPI):
    # Operation ids are published in the OpenAPI document (client generators name
    # their methods after them). Ninja derives them from the module; these keep the
    # modules the routers were published from before they moved into api/.
    PUBLISHED_AS = {
        citizen.__name__: "suishoupai.cases.api",
        staff.__name__: "suishoupai.cases.api",
        photos.__name__: "suishoupai.photos.api",
        catalog.__name__: "suishoupai.catalog.api",
    }

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(path, method, operation):
                    responses.setdefault(
                        str(status), {"description": ERRORS[status], "content": content}
                    )
        return schema

    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        name = operation.view_func.__name__
        return (self.PUBLISHED_AS.get(module, module) + "_" + name).replace(".", "_")


api = Api(
    renderer=Renderer(),
    title="Suishoupai 随手拍 API",
    version="1",
    description=_("Citizen reports, case tracking and the staff workflow of 随手拍."),
    urls_namespace="api",
)
api.add_router("/", catalog.router)
api.add_router("/", citizen.router)
api.add_router("/staff", staff.router)
api.add_router("/", photos.router)
api.add_router("/", triage.router)
api.add_router("/", public_map.router)
api.add_router("/", stats.staff_router)
api.add_router("/", stats.public_router)

# Marked for extraction; translated when the error is shown.
MESSAGES = {
    "missing": gettext_noop("This field is required."),
    "string_too_short": gettext_noop("This field may not be empty."),
    "string_too_long": gettext_noop("This text is too long."),
    "greater_than_equal": gettext_noop("This value is too small."),
    "less_than_equal": gettext_noop("This value is too large."),
    "greater_than": gettext_noop("This value is too small."),
    "less_than": gettext_noop("This value is too large."),
    "literal_error": gettext_noop("This is not one of the allowed values."),
    "enum": gettext_noop("This is not one of the allowed values."),
    "float_parsing": gettext_noop("Please enter a number."),
    "int_parsing": gettext_noop("Please enter a whole number."),
    "bool_parsing": gettext_noop("Please answer true or false."),
    "decimal_parsing": gettext_noop("Please enter a number."),
    "date_from_datetime_parsing": gettext_noop("Please enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_noop("Please enter a date as YYYY-MM-DD."),
}


def _field_errors(errors: Sequence[Mapping]) -> list[dict]:
    out = []
    for err in errors:
        loc = [
            str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "q")
        ]
        message = MESSAGES.get(err.get("type", ""))
        out.append(
            {
                "field": ".".join(loc),
                "message": _(message) if message else _("This value is not valid."),
                "type": err.get("type", ""),
            }
        )
    return out


def _invalid(request: HttpRequest, errors: Sequence[Mapping]):
    fields = _field_errors(errors)
    return api.create_response(
        request,
        {
            "detail": _("Please correct the marked fields."),
            "code": "invalid_input",
            "errors": fields,
        },
        status=422,
    )


@api.exception_handler(SchemaError)
def on_schema_error(request: HttpRequest, exc: SchemaError):
    return _invalid(request, exc.errors)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    return _invalid(request, exc.errors)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError):
    errors = [{"field": exc.field, "message": exc.message, "type": exc.code}] if exc.field else []
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code, "errors": errors}, status=exc.status
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {
            "detail": _("Sign in with a valid API token (Authorization: Bearer …)."),
            "code": "unauthorized",
            "errors": [],
        },
        status=401,
    )


@api.exception_handler(RawPostDataException)
def on_unread_body(request: HttpRequest, exc: RawPostDataException):
    # A large multipart form (read as it streamed in) sent where a JSON body is expected.
    return api.create_response(
        request,
        {"detail": _("The request body is not valid JSON."), "code": "invalid_input", "errors": []},
        status=400,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(
        request, {"detail": str(exc), "code": "http_error", "errors": []}, status=exc.status_code
    )
