"""Reads over cases: queues, public lists, timelines. Scoping is Case.objects.visible_to."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.catalog.selectors import catalogue_by_pk, departments_by_pk
from suishoupai.errors import NotAllowed, NotFound
from suishoupai.org.models import Role, User, hash_token, tokens_match
from suishoupai.photos.models import Photo
from suishoupai.places.selectors import distance_m, districts_by_pk, nearby_bbox

from . import answers
from .models import (
    Case,
    CaseEvent,
    CaseRequest,
    Decision,
    ReporterRating,
    RequestKind,
    Visibility,
)
from .states import STATES_BY_FAMILY, Family, State


@dataclass(frozen=True)
class CaseFilter:
    family: str | None = None
    state: str | None = None
    category: str | None = None
    district: str | None = None
    department: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lng, min_lat, max_lng, max_lat
    since: date | None = None
    until: date | None = None
    overdue: bool | None = None
    # Where the report came from (citizen app, 12345 hotline, Open311 client, patrol).
    channel: str | None = None
    # Staff search (console): part of a number, of the reporter's phone, of the address.
    number: str | None = None
    phone: str | None = None
    address: str | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply_filter(qs: QuerySet[Case], f: CaseFilter) -> QuerySet[Case]:
    if f.family:
        qs = qs.filter(state__in=STATES_BY_FAMILY.get(f.family, []))
    if f.state:
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.district:
        qs = qs.filter(district__code=f.district)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.bbox:
        min_lng, min_lat, max_lng, max_lat = f.bbox
        qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    if f.since:
        qs = qs.filter(created_at__gte=_day_start(f.since))
    if f.until:
        qs = qs.filter(created_at__lt=_day_start(f.until) + timedelta(days=1))
    if f.overdue is not None:
        qs = qs.filter(is_overdue=f.overdue)
    if f.number:
        qs = qs.filter(number__icontains=f.number)
    if f.phone:
        qs = qs.filter(reporter_phone__contains=f.phone)
    if f.address:
        qs = qs.filter(address__icontains=f.address)
    return qs


class _WithReference(ModelIterable):
    """Cases with their category, subcategory, filing condition, district and department
    taken from the reference cache (suishoupai.refcache) instead of five joins and five
    model objects built per row."""

    def __iter__(self) -> Iterator[Case]:
        categories, subcategories, conditions = catalogue_by_pk()
        departments = departments_by_pk()
        districts = districts_by_pk()
        for case in super().__iter__():
            case.category = categories[case.category_id]
            if case.subcategory_id in subcategories:
                case.subcategory = subcategories[case.subcategory_id]
            if case.condition_id in conditions:
                case.condition = conditions[case.condition_id]
            if case.district_id in districts:
                case.district = districts[case.district_id]
            if case.street_id in districts:  # a noise report's public address names it
                case.street = districts[case.street_id]
            if case.department_id in departments:
                case.department = departments[case.department_id]
            # An id the cache does not know yet (added within its seconds) is read as before.
            yield case


def _with_relations(qs: QuerySet[Case]) -> QuerySet[Case]:
    # No join at all: merged_into (read by the reporter's view of a merged case only)
    # doubled the columns of every row.
    qs = qs.all()
    qs._iterable_class = _WithReference
    return qs


def _one(qs: QuerySet[Case]) -> Case | None:
    """The one case of a query on a unique column. Unordered: Django's `first()` orders
    by the model's ordering, and building that ORDER BY was a fifth of a public case's
    time."""
    return next(iter(qs.order_by()[:1]), None)


def public_cases(f: CaseFilter) -> QuerySet[Case]:
    return _with_relations(apply_filter(Case.objects.public(), f)).order_by("-created_at", "-pk")


# What presenters.present_public reads of a case (and _WithReference of its references).
# A row of the public list loads these only: a case has 40-odd columns, nine of them
# times, and building them all was a third of a page of 100.
PUBLIC_COLUMNS = (
    "id", "number", "state", "channel", "category_id", "subcategory_id", "condition_id",
    "district_id", "street_id", "department_id", "address", "lat", "lng", "description",
    "reporter_phone", "created_at", "updated_at", "closed_at", "rating", "support_count",
)  # fmt: skip


def public_list(f: CaseFilter) -> QuerySet[Case]:
    """public_cases with only what the public view of a case shows (PUBLIC_COLUMNS):
    for presenters.present_public, nothing else (another field is one query per row)."""
    return public_cases(f).only(*PUBLIC_COLUMNS)


# A list's count is exact up to COUNT_CAP matching cases; above it a count reads every
# match (892,783 public cases at a million: 542 ms, 25× the page itself), so PostgreSQL
# answers its planner's estimate instead and says so. SQLite (the embedded default, a
# small city) always counts exactly.
COUNT_CAP = 10_000


def count_capped(qs: QuerySet[Case], *, public: bool = False) -> tuple[int, bool]:
    """(count, exact): the matches counted up to COUNT_CAP + 1, then estimated on
    PostgreSQL (never below what was counted). A `public` list's count is kept in the
    cache until a case changes (answers.lists_version): counting ten thousand rows was
    most of a page of 100."""
    if not public or not settings.PUBLIC_ANSWER_CACHE_SECONDS:
        return _count_capped(qs)
    sql, params = qs.order_by().query.sql_with_params()
    digest = hashlib.sha256(repr((qs.db, sql, params)).encode()).hexdigest()
    key = f"case:count:{answers.lists_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _count_capped(qs)
        cache.set(key, found, settings.PUBLIC_ANSWER_CACHE_SECONDS)
    return found[0], found[1]


def _count_capped(qs: QuerySet[Case]) -> tuple[int, bool]:
    counted = qs.order_by()[: COUNT_CAP + 1].count()
    if counted <= COUNT_CAP:
        return counted, True
    if connections[qs.db].vendor != "postgresql":
        return qs.count(), True
    return max(counted, _planner_rows(qs)), False


def _planner_rows(qs: QuerySet[Case]) -> int:
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that does not load json
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def older_than(qs: QuerySet[Case], at: datetime, pk: int) -> QuerySet[Case]:
    """The cases after (at, pk) in public_cases' order, newest first (keyset paging)."""
    return qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))


def nearby_open_cases(
    lat: float, lng: float, radius_m: float, category: str | None = None, limit: int = 20
) -> list[tuple[Case, float]]:
    """Public open cases near a WGS-84 point, nearest first, with their distance.

    The indexed lat/lng box narrows the rows on any database; the exact circle
    is applied in Python over the few that remain.
    """
    min_lat, min_lng, max_lat, max_lng = nearby_bbox(lat, lng, radius_m)
    qs = public_cases(
        CaseFilter(family=Family.OPEN, category=category, bbox=(min_lng, min_lat, max_lng, max_lat))
    )
    found = [(c, distance_m(lat, lng, c.lat, c.lng)) for c in qs[:500]]
    return sorted([(c, d) for c, d in found if d <= radius_m], key=lambda x: x[1])[:limit]


def public_case(number: str) -> Case:
    case = _one(_with_relations(Case.objects.public()).filter(number=number))
    if case is None:
        raise NotFound(_("No such case."))
    return case


def submitted_with(client_ref: str | None) -> Case | None:
    """The case a device's idempotency key already made, if any (only its hash is kept)."""
    if not client_ref:
        return None
    return Case.objects.filter(client_ref=hash_token(client_ref)).first()


def reporter_case(number: str, token: str | None) -> Case:
    """The reporter's own case, found only with its tracking token.

    Unknown number and wrong token answer the same, so numbers cannot be probed.
    The token is compared as exact bytes in constant time (org.models.tokens_match).
    """
    case = _one(_with_relations(Case.objects.all()).filter(number=number)) if token else None
    if case is None or not tokens_match(case.tracking_token_hash, token):
        raise NotFound(_("No such case, or the tracking token does not match."))
    return case


# What each post acts on next: the "to do" list of the API and the console.
TODO_STATES: dict[str, list[str]] = {
    Role.OPERATOR: [State.SUBMITTED],
    Role.DISPATCHER: [State.FILED],
    Role.HANDLER: [State.DISPATCHED, State.IN_PROGRESS],
    Role.INSPECTOR: [State.RESOLVED],
    Role.SHIFT_LEAD: [State.VERIFIED],
}


def _todo(qs: QuerySet[Case], user: User) -> QuerySet[Case]:
    wanted = Q(state__in=TODO_STATES.get(user.role, []))
    if user.role == Role.SHIFT_LEAD:
        pending = CaseRequest.objects.filter(case=OuterRef("pk"), decision=Decision.PENDING)
        # An unsatisfied rating waits for the shift lead until someone calls back.
        called = CaseEvent.objects.filter(
            case=OuterRef("pk"), action="case.callback", at__gte=OuterRef("rated_at")
        )
        unsatisfied = Q(state=State.CLOSED, rating=ReporterRating.UNSATISFIED) & ~Exists(called)
        wanted |= Exists(pending) | unsatisfied
    if user.role == Role.LEADER:
        wanted = Q(is_overdue=True)
    if user.role == Role.HANDLER:
        # Cases once held but now elsewhere are visible, not to do.
        wanted &= Q(department_id__in=user.department_scope)
    return qs.filter(wanted)


def staff_queue(user: User, f: CaseFilter, todo: bool = False) -> QuerySet[Case]:
    qs = apply_filter(Case.objects.visible_to(user), f)
    if todo:
        qs = _todo(qs, user)
    # Oldest deadline first: what must be done next is at the top.
    return _with_relations(qs).order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")


def staff_case(user: User, number: str) -> Case:
    """A case for a member of staff, the one place that answers "unknown" or "not
    yours": 404 when no case has this number, 403 when it exists out of their scope."""
    case = _one(_with_relations(Case.objects.visible_to(user)).filter(number=number))
    if case is not None:
        return case
    if Case.objects.filter(number=number).exists():
        raise NotAllowed(_("You may not see this case."))
    raise NotFound(_("No such case."))


def staff_photo(user: User, uuid: UUID) -> Photo:
    """A photo for a member of staff: 404 when unknown, 403 when its case is out of scope."""
    photo = Photo.objects.select_related("case").filter(uuid=uuid).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    if not Case.objects.visible_to(user).filter(pk=photo.case_id).exists():
        raise NotAllowed(_("You may not see this case."))
    return photo


def timeline(case: Case, audience: str) -> QuerySet[CaseEvent]:
    """Events for an audience: "public", "reporter" or "staff"."""
    # Each photo's case is joined in: whether its copy is public depends on the case.
    photos = Prefetch("photos", queryset=Photo.objects.select_related("case"))
    qs = case.events.select_related("department").prefetch_related(photos)
    if audience == "public":
        return qs.filter(visibility=Visibility.PUBLIC)
    if audience == "reporter":
        return qs.exclude(visibility=Visibility.INTERNAL)
    return qs


# Overdue marks made while a department held the case: the only ones it may appeal.
# A late verification or closing (resolved, verified) is the centre's, not theirs.
DEPARTMENT_STAGES = [State.DISPATCHED, State.IN_PROGRESS]


def overdue_marks(case: Case, user: User) -> QuerySet[CaseEvent]:
    """The automatic overdue marks (case.urged) against `user`'s department or a
    unit below it, newest first; every department-stage mark for a superuser."""
    marks = case.events.filter(
        action="case.urged", data__reason="overdue", from_state__in=DEPARTMENT_STAGES
    )
    if user.role == Role.HANDLER and not user.is_superuser:
        marks = marks.filter(department_id__in=user.department_scope)
    return marks.order_by("-at", "-pk")


def appealable_marks(case: Case, user: User) -> QuerySet[CaseEvent]:
    """overdue_marks not yet appealed (a cancelled appeal does not count)."""
    appealed = CaseRequest.objects.filter(
        kind=RequestKind.APPEAL, overdue_mark=OuterRef("pk")
    ).exclude(decision=Decision.CANCELLED)
    return overdue_marks(case, user).filter(~Exists(appealed))
