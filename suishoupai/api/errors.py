"""The API's error format for errors raised outside a Ninja view (suishoupai.http_errors)."""

from django.http import HttpRequest, JsonResponse


def respond(
    request: HttpRequest, status: int, message: str, code: str, field: str | None = None
) -> JsonResponse:
    errors = [{"field": field, "message": message, "type": code}] if field else []
    body = {"detail": message, "code": code, "errors": errors}
    return JsonResponse(
        body,
        status=status,
        content_type="application/json; charset=utf-8",  # as Ninja's own answers
        json_dumps_params={"ensure_ascii": False},
    )
