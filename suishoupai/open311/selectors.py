"""Reads for Open311: services and their attributes, requests, updates.

The world reads public cases only (Case.objects.public()). A client that shows
its api_key also reads the cases it created, as their reporter would: a 12345
platform must be able to tell its caller that a report was declined.
Personal data (phone, name, email, the media URL it sent) never leaves here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from suishoupai.cases import policy
from suishoupai.cases.events import EVENT_LABELS
from suishoupai.cases.models import Case, CaseEvent, Visibility
from suishoupai.cases.states import STATES_BY_FAMILY, Family
from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.catalog.selectors import catalogue_by_pk, departments_by_pk
from suishoupai.errors import InvalidInput, NotFound
from suishoupai.photos.models import Photo
from suishoupai.photos.selectors import first_public_urls, public_url
from suishoupai.places.selectors import areas_by_pk

from .models import CONDITION_CODE, LIST_TYPES, ApiClient, Datatype, ServiceAttribute
from .render import w3c
from .statuses import UPDATE_STATUS, request_status

MAX_DAYS = 90
MAX_RESULTS = 1000
MAX_IDS = 100
# Dates a partner may ask about or send. Beyond them a window's arithmetic (± 90 days,
# the change to UTC) overflows Python's datetime: 0001-01-01 and 9999-12-31 were 500s.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Service:
    category: Category
    subcategory: Subcategory | None

    @property
    def code(self) -> str:
        return self.subcategory.code if self.subcategory else self.category.code

    @property
    def name(self) -> str:
        return self.subcategory.name if self.subcategory else self.category.name


# ------------------------------------------------------------------ services


def services() -> list[Service]:
    """Each active subcategory is a service; a category without any is one itself."""
    subs = Prefetch("subcategories", queryset=Subcategory.objects.filter(active=True))
    offered = []
    for category in Category.objects.filter(active=True).prefetch_related(subs):
        children = list(category.subcategories.all())
        offered += [Service(category, sub) for sub in children] or [Service(category, None)]
    return offered


def find_service(code: str) -> Service | None:
    sub = (
        Subcategory.objects.filter(code=code, active=True, category__active=True)
        .select_related("category")
        .first()
    )
    if sub is not None:
        return Service(sub.category, sub)
    category = Category.objects.filter(code=code, active=True).first()
    if category is None or category.subcategories.filter(active=True).exists():
        return None
    return Service(category, None)


def service_or_404(code: str) -> Service:
    service = find_service(code)
    if service is None:
        raise NotFound(_("No such service: “%(code)s”.") % {"code": code})
    return service


def services_with_attributes() -> set[str]:
    """Codes of the services whose definition has attributes (`metadata` true)."""
    with_conditions = FilingCondition.objects.filter(active=True, subcategory__active=True)
    codes = set(with_conditions.values_list("subcategory__code", flat=True))
    configured = ServiceAttribute.objects.filter(active=True)
    codes |= set(configured.exclude(subcategory=None).values_list("subcategory__code", flat=True))
    codes |= set(configured.exclude(category=None).values_list("category__code", flat=True))
    return codes


def present_service(service: Service, with_metadata: set[str]) -> dict:
    names = [service.category.name_en, service.subcategory.name_en if service.subcategory else ""]
    hint = (service.subcategory.hint if service.subcategory else "") or service.category.hint
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": hint or service.name,
        "metadata": service.code in with_metadata,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(n for n in [service.name, *names] if n)),
        "group": service.category.name,
    }


def _condition_attribute(service: Service) -> dict | None:
    if service.subcategory is None:
        return None
    conditions = FilingCondition.objects.filter(subcategory=service.subcategory, active=True)
    values = [{"key": c.code, "name": c.description} for c in conditions]
    if not values:
        return None
    return {
        "variable": True,
        "code": CONDITION_CODE,
        "datatype": Datatype.SINGLE.value,
        "required": False,
        "datatype_description": _("Choose the one that fits; the centre decides when filing."),
        "description": _("Which filing condition does the problem meet?"),
        "values": values,
    }


def attributes(service: Service) -> list[dict]:
    """The service definition's attributes: the filing conditions, then the configured ones."""
    scope = (
        Q(subcategory=service.subcategory)
        if service.subcategory
        else Q(category=service.category, subcategory=None)
    )
    configured = ServiceAttribute.objects.filter(scope, active=True).prefetch_related("values")
    found = [a for a in [_condition_attribute(service)] if a]
    for attr in configured:
        item = {
            "variable": attr.variable,
            "code": attr.code,
            "datatype": attr.datatype,
            "required": attr.required,
            "datatype_description": attr.datatype_description or None,
            "description": attr.description,
        }
        if attr.datatype in LIST_TYPES:
            item["values"] = [{"key": v.key, "name": v.name} for v in attr.values.all()]
        found.append(item)
    # Open311 `order`: 1 is shown first.
    return [{**a, "order": n} for n, a in enumerate(found, start=1)]


def definition(service: Service) -> dict:
    return {"service_code": service.code, "attributes": attributes(service)}


# ------------------------------------------------------------------ dates


def parse_moment(value: str, field: str, *, end: bool = False) -> datetime:
    """A W3C datetime (2026-11-25T09:00:00+08:00, …Z) or a date (whole day, city time)."""
    text = value.strip()
    moment = None
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)):
            moment = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(
            _("%(field)s is not a W3C date-time (e.g. 2026-11-25T09:00:00+08:00).")
            % {"field": field},
            field=field,
        )
    if not EARLIEST <= moment.date() <= LATEST:
        raise InvalidInput(
            _("%(field)s must lie between %(first)s and %(last)s.")
            % {"field": field, "first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            field=field,
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def window(start: str, end: str, now: datetime) -> tuple[datetime, datetime]:
    """start_date/end_date: at most 90 days apart; by default the last 90 days."""
    until = parse_moment(end, "end_date", end=True) if end.strip() else None
    since = parse_moment(start, "start_date") if start.strip() else None
    if until is None:
        until = min(since + timedelta(days=MAX_DAYS), now) if since else now
    if since is None:
        since = until - timedelta(days=MAX_DAYS)
    if since > until:
        raise InvalidInput(_("start_date must be before end_date."), field="start_date")
    if until - since > timedelta(days=MAX_DAYS):
        raise InvalidInput(
            _("start_date and end_date may be at most %(n)d days apart.") % {"n": MAX_DAYS},
            field="end_date",
        )
    return since, until


# ------------------------------------------------------------------ requests


def readable_cases(client: ApiClient | None) -> QuerySet[Case]:
    public = Case.objects.public()
    if client is None:
        return public
    return public | Case.objects.filter(open311_request__client=client)


# What present_request reads of a case and of its Open311 link (and photos.selectors of
# the case, is_published): a list of 1,000 loads these, not the 40-odd columns of each.
_CASE_COLUMNS = (
    "id", "number", "state", "is_public", "category_id", "subcategory_id", "condition_id",
    "department_id", "street_id", "reporter_phone", "description", "address", "lat", "lng",
    "created_at", "updated_at", "closed_at", "handle_due_at",
    "open311_request__id", "open311_request__client_id", "open311_request__description",
)  # fmt: skip


def _with_relations(qs: QuerySet[Case], client: ApiClient | None) -> QuerySet[Case]:
    # Category, subcategory, condition and department come from the reference cache
    # (_present); photos are read by _present too, as rows. The latest event each reader
    # may see (its note is `status_notes`) is found by the database, an indexed lookup per
    # case, instead of reading all of a thousand cases' events to keep one of each.
    latest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk").values("pk")
    qs = qs.annotate(latest_public=Subquery(latest.filter(visibility=Visibility.PUBLIC)[:1]))
    if client is not None:  # its own cases: what their reporter sees
        shared = latest.filter(visibility__in=[Visibility.PUBLIC, Visibility.REPORTER])
        qs = qs.annotate(latest_shared=Subquery(shared[:1]))
    return qs.select_related("open311_request").only(*_CASE_COLUMNS).order_by("-created_at", "-pk")


def _present(cases: list[Case], client: ApiClient | None) -> list[dict]:
    """Requests for a list of cases: the notes of their latest events and their photos'
    public copies in one query each, as rows (a prefetch built every event's and photo's
    model and the bookkeeping around it, for one note and one URL per case)."""
    categories, subcategories, conditions = catalogue_by_pk()
    departments = departments_by_pk()
    areas = areas_by_pk()
    latest: dict[int, int | None] = {}
    for case in cases:  # the shared reference rows, read only
        case.category = categories[case.category_id]
        case.subcategory = subcategories.get(case.subcategory_id or 0)
        case.condition = conditions.get(case.condition_id or 0)
        case.department = departments.get(case.department_id or 0)
        case.street = areas.get(case.street_id or 0)  # a noise report's public address
        # The reporter's view for the client's own cases, the public's for the rest.
        own = _own(case, client)
        latest[case.pk] = getattr(case, "latest_shared" if own else "latest_public")
    wanted = [pk for pk in latest.values() if pk is not None]
    notes = {
        pk: (note, action)
        for pk, note, action in CaseEvent.objects.filter(pk__in=wanted).values_list(
            "pk", "note", "action"
        )
    }
    # Public copies only (photos.selectors); never an original, never a hidden photo.
    media = first_public_urls(c.pk for c in cases if c.is_published)
    site = settings.SITE_URL.rstrip("/")
    return [
        present_request(
            c,
            client,
            notes.get(latest[c.pk] or 0),
            site + media[c.pk] if c.pk in media else None,
        )
        for c in cases
    ]


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _by_service(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    codes = _codes(text)
    unknown = [c for c in codes if find_service(c) is None]
    if unknown:
        raise InvalidInput(
            _("Unknown service_code: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="service_code",
        )
    return qs.filter(
        Q(subcategory__code__in=codes) | Q(subcategory__isnull=True, category__code__in=codes)
    )


def _by_status(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    wanted = set(_codes(text.lower()))
    if wanted - {"open", "closed"}:
        raise InvalidInput(_("status must be open or closed."), field="status")
    closed = STATES_BY_FAMILY[Family.CLOSED]
    if wanted == {"open"}:
        return qs.exclude(state__in=closed)
    if wanted == {"closed"}:
        return qs.filter(state__in=closed)
    return qs


def find_requests(client: ApiClient | None, params: dict[str, str], now: datetime) -> list[dict]:
    qs = readable_cases(client)
    ids = _codes(params.get("service_request_id", ""))
    if ids:
        # The spec: a list of ids overrides every other parameter.
        if len(ids) > MAX_IDS:
            raise InvalidInput(
                _("At most %(n)d service_request_id at once.") % {"n": MAX_IDS},
                field="service_request_id",
            )
        qs = qs.filter(number__in=ids)
    else:
        since, until = window(params.get("start_date", ""), params.get("end_date", ""), now)
        qs = qs.filter(created_at__gte=since, created_at__lte=until)
        if params.get("service_code", "").strip():
            qs = _by_service(qs, params["service_code"])
        if params.get("status", "").strip():
            qs = _by_status(qs, params["status"])
    return _present(list(_with_relations(qs, client)[:MAX_RESULTS]), client)


def request_or_404(client: ApiClient | None, number: str) -> dict:
    case = _with_relations(readable_cases(client).filter(number=number), client).first()
    if case is None:
        raise NotFound(_("No such service request: “%(id)s”.") % {"id": number})
    return _present([case], client)[0]


def _own(case: Case, client: ApiClient | None) -> bool:
    link = getattr(case, "open311_request", None)
    return client is not None and link is not None and link.client_id == client.pk


def _event_text(event: CaseEvent, case: Case) -> str:
    return _note_text(event.note, event.action, case)


def _note_text(note: str, action: str, case: Case) -> str:
    # Partners never get the reporter's phone, even typed into a note (cases.policy).
    text = note or str(EVENT_LABELS.get(action, action))
    return policy.mask(text, case.reporter_phone)


def _media(photos: Iterable[Photo]) -> str | None:
    # Public derivatives only (photos.selectors); never an original, never a hidden photo.
    # Absolute (GeoReport v2: format uri): a partner system fetches it from elsewhere.
    for photo in photos:
        if not photo.hidden and (url := public_url(photo)):
            return settings.SITE_URL.rstrip("/") + url
    return None


def present_request(
    case: Case,
    client: ApiClient | None,
    latest: tuple[str, str] | None,
    media_url: str | None,
) -> dict:
    """`latest`: (note, action) of the case's latest event this reader may see (the
    public's, or the reporter's for a client's own case); `media_url`: its first public
    photo copy, absolute (_present reads both)."""
    link = getattr(case, "open311_request", None)
    service = Service(case.category, case.subcategory)
    closed = request_status(case.state) == "closed"
    # The client that sent the request keeps its exact place; everyone else gets the
    # public one (a noise report's place coarsened, cases.policy).
    own = _own(case, client)
    lat, lng = (
        (case.lat, case.lng)
        if own
        else policy.public_position(case.lat, case.lng, case.category.coarse_location)
    )
    return {
        "service_request_id": case.number,
        "status": request_status(case.state),
        "status_notes": _note_text(latest[0], latest[1], case) if latest else None,
        "service_name": service.name,
        "service_code": service.code,
        # The full text a client sent, where the case itself had to keep less.
        "description": policy.mask(
            link.description if link else case.description, case.reporter_phone
        ),
        "agency_responsible": case.department.name if case.department else None,
        "service_notice": case.condition.closing_criterion if case.condition else None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": None if closed else w3c(case.handle_due_at),
        "address": (
            policy.mask(case.address, case.reporter_phone) if own else policy.public_address(case)
        )
        or None,
        "lat": lat,
        "long": lng,
        # Absolute (GeoReport v2: format uri): a partner system fetches it from elsewhere.
        "media_url": media_url,
    }


def token_or_404(token: str) -> dict:
    from .models import ClientRequest

    link = ClientRequest.objects.filter(token=token).select_related("case").first()
    if link is None:
        raise NotFound(_("No such token."))
    return {"service_request_id": link.case.number, "token": link.token}


# ------------------------------------------------------------------ updates


def find_updates(client: ApiClient | None, params: dict[str, str], now: datetime) -> list[dict]:
    """Our case events as FixMyStreet updates: public ones, plus reporter ones for a
    client's own cases. update_id is our event's id."""
    since, until = window(params.get("start_date", ""), params.get("end_date", ""), now)
    visible = Q(case__in=Case.objects.public(), visibility=Visibility.PUBLIC)
    if client is not None:
        visible |= Q(
            case__open311_request__client=client,
            visibility__in=[Visibility.PUBLIC, Visibility.REPORTER],
        )
    # The newest MAX_RESULTS of the window (a client polling the default window wants
    # what just happened), listed oldest first as before.
    events = (
        CaseEvent.objects.filter(visible, at__gte=since, at__lte=until)
        .select_related("case")
        .prefetch_related("photos")
        .order_by("-at", "-pk")[:MAX_RESULTS]
    )
    return [present_update(e) for e in list(events)[::-1]]


def present_update(event: CaseEvent) -> dict:
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": UPDATE_STATUS[event.to_state or event.case.state],
        "updated_datetime": w3c(event.at),
        "description": _event_text(event, event.case),
        "media_url": _media(event.photos.all()),
    }
