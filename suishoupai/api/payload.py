"""Reading request bodies the endpoints parse themselves (JSON or multipart with
photos), and documenting them in the OpenAPI document."""

import json
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ValidationError

from suishoupai.errors import InvalidInput


def read_payload(request: HttpRequest) -> tuple[dict[str, Any], list]:
    """JSON body, or multipart form with photos in the repeatable field `photos`."""
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        data = {k: v for k, v in request.POST.items()}
        files = [(f.name, f.read()) for f in request.FILES.getlist("photos")]
        return data, files
    if not request.body:
        return {}, []
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return data, []


T = TypeVar("T", bound=Schema)


def validate(schema: type[T], data: dict) -> T:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(exc) from None


class SchemaError(Exception):
    def __init__(self, exc: ValidationError):
        self.errors = exc.errors(include_url=False, include_context=False, include_input=False)


def body_doc(schema: type[Schema], photos: bool = False) -> dict:
    """OpenAPI request body for endpoints that read JSON or multipart themselves."""
    json_schema = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    content: dict[str, Any] = {"application/json": {"schema": json_schema}}
    if photos:
        form = json.loads(json.dumps(json_schema))
        form.setdefault("properties", {})["photos"] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": _("Up to %(n)d photos (JPEG, PNG, WebP, HEIC)")
            % {"n": settings.PHOTO_MAX_COUNT},
        }
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"content": content, "required": True}}
