"""GeoReport v2 endpoints (and the FixMyStreet updates extension). Thin: parse the
form or query, call a selector or service, render XML or JSON by the extension."""

import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from suishoupai import ratelimit
from suishoupai.errors import DomainError
from suishoupai.org.models import Department, DepartmentKind

from . import answers, selectors, services
from .models import ApiClient
from .openapi import document
from .render import FORMATS, errors, respond

# Reads without a key, per IP address and hour, by what a read costs: one address may be a
# map page polling or a whole office behind one NAT address. The service list and
# definitions are a few small rows; one request is a handful of indexed rows; a search
# reads up to 1,000 cases. A key has its own configured limit for everything it does.
ANONYMOUS_READS_PER_HOUR = {"catalog": 36_000, "lookup": 18_000, "search": 3_600}
HOUR = 3600
# When this interface last changed in a way a client would notice (discovery `changeset`).
CHANGESET = "2026-12-01T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
ATTRIBUTE = re.compile(r"attribute\[([^\]]+)\](\[\])?")


def _limited(request: HttpRequest, client: ApiClient | None, kind: str = "search") -> None:
    message = _("Too many requests for this api_key. Please wait and try again.")
    if client is None:
        uses = ANONYMOUS_READS_PER_HOUR[kind]
        ratelimit.check(f"open311:ip:{kind}", ratelimit.client_ip(request), uses, HOUR)
    else:
        ratelimit.check("open311:key", str(client.pk), client.requests_per_hour, HOUR, message)


def _key(request: HttpRequest) -> str | None:
    return request.POST.get("api_key") or request.GET.get("api_key")


def endpoint(*methods: str) -> Callable:
    """Format by extension (unknown → 404), allowed methods, errors in Open311 form."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                message = _("Unknown format “%(f)s”: use xml or json.") % {"f": fmt}
                return errors("xml", 404, message)
            allowed = (*methods, "HEAD") if "GET" in methods else methods
            if request.method not in allowed:
                response = errors(fmt, 405, _("Method not allowed here."))
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, fmt, **kwargs)
            except DomainError as exc:
                return errors(fmt, exc.status, exc.message)

        return wrapper

    return decorate


def _reader(request: HttpRequest, kind: str) -> ApiClient | None:
    """Reads need no key; a key shown is checked (a bad one is refused, not ignored).
    `kind`: which anonymous limit applies (ANONYMOUS_READS_PER_HOUR)."""
    raw = _key(request)
    client = services.authenticate(raw) if raw else None
    _limited(request, client, kind)
    return client


def _writer(request: HttpRequest) -> ApiClient:
    client = services.authenticate(_key(request))
    _limited(request, client)
    return client


def _audited(request: HttpRequest, client: ApiClient, action: str, run: Callable) -> HttpResponse:
    """Every write a key makes is recorded, refused ones too."""
    ip = ratelimit.client_ip(request)
    try:
        response, number = run()
    except DomainError as exc:
        services.audit(client, action, exc.status, message=exc.message, ip=ip)
        raise
    services.audit(client, action, response.status_code, case_number=number, ip=ip)
    return response


# ------------------------------------------------------------------ endpoints


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    _reader(request, "catalog")
    centre = Department.objects.filter(kind=DepartmentKind.CENTRE, active=True).first()
    contact = " ".join(p for p in [centre.name, centre.phone] if p) if centre else ""
    here = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _("API keys are issued by the centre's administrator."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": here.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _reader(request, "catalog")
    with_metadata = selectors.services_with_attributes()
    data = [selectors.present_service(s, with_metadata) for s in selectors.services()]
    return respond(fmt, "services", data)


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _reader(request, "catalog")
    return respond(fmt, "service_definition", selectors.definition(selectors.service_or_404(code)))


def _new_request(request: HttpRequest) -> services.NewRequest:
    form = request.POST
    answers: dict[str, list[str]] = {}
    for name in form:
        if match := ATTRIBUTE.fullmatch(name):
            answers.setdefault(match.group(1), []).extend(form.getlist(name))
    fields = services.NewRequest.__dataclass_fields__
    plain = {k: form.get(k, "") for k in fields if k != "attributes"}
    return services.NewRequest(**plain, attributes=answers)


@endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "POST":
        client = _reader(request, "search")
        params = request.GET.dict()
        params.pop("api_key", None)

        def render() -> bytes:
            found = selectors.find_requests(client, params, timezone.now())
            return respond(fmt, "service_requests", found).content

        key = ("requests", fmt, client.pk if client else None, sorted(params.items()))
        body = answers.cached(key, render)
        return HttpResponse(body, content_type=FORMATS[fmt])
    client = _writer(request)

    def run():
        link, notice = services.create_request(client, _new_request(request))
        data = [
            {
                "service_request_id": link.case.number,
                "token": link.token,
                "service_notice": notice,
                "account_id": link.account_id,
            }
        ]
        return respond(fmt, "service_requests", data), link.case.number

    return _audited(request, client, "request.create", run)


@endpoint("GET")
def service_request(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    client = _reader(request, "lookup")
    return respond(fmt, "service_requests", [selectors.request_or_404(client, number)])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _reader(request, "lookup")
    return respond(fmt, "service_requests", [selectors.token_or_404(token)])


@endpoint("GET", "POST")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "POST":
        client = _reader(request, "search")
        found = selectors.find_updates(client, request.GET.dict(), timezone.now())
        return respond(fmt, "service_request_updates", found)
    client = _writer(request)
    form = request.POST
    fields = services.NewUpdate.__dataclass_fields__
    new = services.NewUpdate(**{k: form.get(k, "") for k in fields})

    def run():
        update, _created = services.post_update(client, new)
        data = [{"update_id": str(update.event_id), "service_request_id": update.case.number}]
        return respond(fmt, "service_request_updates", data), update.case.number

    return _audited(request, client, "update.create", run)


def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return errors("xml", 404, _("No such Open311 endpoint."))
