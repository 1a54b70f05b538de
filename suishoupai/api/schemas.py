"""The JSON API's request and response schemas (Ninja/pydantic): the citizen API,
the staff API and the catalogue. The photo router's own four live in api/photos.py."""

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from suishoupai.cases.models import Channel
from suishoupai.cases.selectors import CaseFilter
from suishoupai.cases.services import RATING_COMMENT_MAX, STARS
from suishoupai.cases.states import Family, State
from suishoupai.errors import InvalidInput
from suishoupai.places.coords import CoordSystem


class Out(Schema):
    """A response schema. The views hand over plain dicts (the presenters'); those are
    validated by pydantic itself, not through ninja's DjangoGetter, which wrapped every
    nested dict and looked up each field through Python (half the time of a page of
    100). The answer is the same: a missing key still takes the field's default, a
    model object (not a dict) still goes through ninja's getter."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo
    ) -> Any:
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class ReportIn(Schema):
    category: str = Field(
        min_length=1, max_length=64, description="Category code, e.g. road_damage"
    )
    subcategory: str | None = Field(default=None, max_length=64)
    description: str = Field(min_length=1, max_length=2000)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    coord_system: CoordSystem = CoordSystem("wgs84")
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    anonymous: bool = False
    public: bool = True
    draft: str | None = Field(
        default=None,
        max_length=80,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A WeChat draft's token (the #d= of the chat's link): its photos and its "
        "follower come with the report",
    )
    draft_photos: str = Field(
        default="",
        max_length=200,
        pattern=r"^[0-9,]*$",
        description="Ids of the draft's photos to send with it, comma-separated",
    )

    @field_validator("phone")
    @classmethod
    def phone_digits(cls, value: str) -> str:
        value = value.strip().replace(" ", "").replace("-", "")
        if value and not (value.lstrip("+").isdigit() and 5 <= len(value) <= 20):
            raise ValueError("phone")
        return value


class CaseCreatedOut(Out):
    number: str
    tracking_token: str = Field(
        description="Private: send it back as X-Case-Token to follow the case"
    )
    state: str
    state_label: str
    suggested_department: str | None
    due_at: datetime | None
    private_url: str
    follow_url: str = Field(description="The reporter's page; the token travels in the fragment")


class Ref(Out):
    code: str
    name: str
    name_en: str = Field("", description="The English name, where the city's data gives one")


class PhotoOut(Out):
    """Public and reporter views: the public copy (url, thumb_url) once ready.
    Staff views: url is the original (staff endpoint) and the rest says how the
    public copy is doing (photos.selectors.present)."""

    id: str
    kind: str
    ready: bool
    status: str = Field(
        description="public: ready | pending (placeholder) | not_public; "
        "staff: pending | ready | failed"
    )
    url: str | None = None
    thumb_url: str | None = None
    public_copy_url: str | None = None
    public_url: str | None = None
    public_width: int | None = None
    public_height: int | None = None
    hidden: bool | None = None
    attempts: int | None = None
    error: str | None = None
    redactions: list[dict] | None = None
    regions: list[dict] | None = None


class EventOut(Out):
    at: datetime
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    department: str | None
    department_en: str | None = None
    note: str
    data: dict
    photos: list[PhotoOut]


class CasePublicOut(Out):
    number: str
    state: str
    state_label: str
    family: str
    channel: str
    category: Ref
    subcategory: Ref | None
    district: Ref | None
    address: str
    lat: float
    lng: float
    description: str
    department: str | None
    department_en: str | None = None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    rating: str | None
    support_count: int


class NearbyOut(CasePublicOut):
    distance_m: float
    photo: PhotoOut | None


class SupportIn(Schema):
    device: str = Field(min_length=16, max_length=64, description="The device's random id")
    phone: str = Field(default="", max_length=32)


class SupportOut(Out):
    number: str
    support_count: int
    counted: bool = Field(description="False when this device had already said me too")


class PreviewQuery(Schema):
    category: str | None = Field(default=None, max_length=64, description="Empty: place only")
    subcategory: str | None = Field(default=None, max_length=64)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    coord_system: CoordSystem = CoordSystem("wgs84")


class PreviewOut(Out):
    in_service: bool
    message: str
    district: Ref | None
    street: Ref | None
    department: str | None
    department_en: str | None = None
    lat: float
    lng: float


class CasePublicDetailOut(CasePublicOut):
    timeline: list[EventOut]


class CasePrivateOut(CasePublicDetailOut):
    phone: str
    anonymous: bool
    public: bool
    due_at: datetime | None
    merged_into: str | None
    merged_into_timeline: list[EventOut]
    rating_stars: int | None
    rating_comment: str
    rated_at: datetime | None
    photos: list[PhotoOut]


class RequestOut(Out):
    id: int
    kind: str
    reason: str
    amount: Decimal | None
    department: str
    requested_by: str
    requested_at: datetime
    decision: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class CaseStaffOut(CasePublicOut):
    condition: Ref | None
    suggested_department: str | None
    suggested_department_id: int | None
    department_id: int | None
    phone: str | None
    reporter_wechat: bool | None = Field(
        description="The reporter is a WeChat follower (command centre only; never the openid)"
    )
    anonymous: bool
    public: bool
    due_at: datetime | None
    handle_due_at: datetime | None
    is_overdue: bool
    rework_count: int
    urge_count: int
    filed_at: datetime | None
    dispatched_at: datetime | None
    resolved_at: datetime | None
    merged_into: str | None


class CaseStaffDetailOut(CaseStaffOut):
    timeline: list[EventOut]
    requests: list[RequestOut]
    photos: list[PhotoOut]


class Page(Out):
    count: int = Field(
        description="Cases matching the filters: exact up to 10,000; above, on PostgreSQL, "
        "the query planner's estimate (count_exact is then false)"
    )
    count_exact: bool = Field(description="False when `count` is an estimate")
    page: int
    page_size: int


class PublicPage(Page):
    page: int | None = Field(  # type: ignore[assignment]
        description="The page number asked for; null on a page reached by `cursor`"
    )
    next: str | None = Field(
        description="The following page (same filters, by `cursor`), null on the last page"
    )
    results: list[CasePublicOut]


class StaffPage(Page):
    results: list[CaseStaffOut]


class RatingIn(Schema):
    # The same rules as cases.services.rate, stated for the OpenAPI document.
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    stars: int | None = Field(default=None, ge=STARS.start, le=STARS.stop - 1)
    comment: str = Field(default="", max_length=RATING_COMMENT_MAX)


# ---- staff action bodies


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


class RequiredNoteIn(Schema):
    note: str = Field(min_length=1, max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class AcceptIn(NoteIn):
    condition: str | None = Field(default=None, max_length=80)


class MergeIn(NoteIn):
    into: str = Field(min_length=1, max_length=20)


class DispatchIn(NoteIn):
    department: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="Department id; default: the suggested one"
    )


class ExtensionIn(ReasonIn):
    amount: Decimal = Field(gt=0, max_digits=6, decimal_places=2)


class CallbackIn(NoteIn):
    result: Literal["satisfied", "basically_satisfied", "unsatisfied", "unreachable", "declined"]
    contact: str = Field(default="", max_length=64)


# ---- the catalogue


class LimitOut(Out):
    amount: Decimal
    unit: str
    unit_label: str


class ConditionOut(Out):
    code: str
    description: str
    limit: LimitOut
    closing_criterion: str
    default_department: str | None


class SubcategoryOut(Out):
    code: str
    name: str
    name_en: str
    hint: str
    conditions: list[ConditionOut]


class CategoryOut(Out):
    code: str
    name: str
    name_en: str
    kind: str
    kind_label: str
    icon: str
    hint: str
    hint_en: str = ""
    subcategories: list[SubcategoryOut]


# ---- queries

MAX_PAGE_SIZE = 100
# Dates and pages are bounded so no query can overflow a datetime or an offset.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class ListQuery(Schema):
    family: Family | None = None
    state: State | None = None
    category: str | None = Field(default=None, max_length=64)
    district: str | None = Field(default=None, max_length=32)
    bbox: str | None = Field(default=None, max_length=100)
    since: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    until: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)

    def case_filter(self, **extra: Any) -> CaseFilter:
        return CaseFilter(
            family=self.family,
            state=self.state,
            category=self.category,
            district=self.district,
            bbox=_bbox(self.bbox),
            since=self.since,
            until=self.until,
            **extra,
        )


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        min_lng, min_lat, max_lng, max_lat = (float(x) for x in raw.split(","))
    except ValueError:
        raise InvalidInput(
            _("bbox must be four numbers: min_lng,min_lat,max_lng,max_lat."), field="bbox"
        ) from None
    if not all(math.isfinite(v) for v in (min_lng, min_lat, max_lng, max_lat)):
        raise InvalidInput(
            _("bbox must be four numbers: min_lng,min_lat,max_lng,max_lat."), field="bbox"
        )
    if min_lng > max_lng or min_lat > max_lat:
        raise InvalidInput(_("bbox minimum is larger than its maximum."), field="bbox")
    return min_lng, min_lat, max_lng, max_lat


class PublicListQuery(ListQuery):
    cursor: str | None = Field(
        default=None,
        max_length=100,
        description="Where the page starts: the previous page's `next` carries it (keyset "
        "paging; `page` is then ignored). Deep pages by number get slower, pages by cursor "
        "do not.",
    )


class NearbyQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    coord_system: CoordSystem = CoordSystem("wgs84")
    radius: float = Field(default=300, gt=0, le=5000, description="metres")
    category: str | None = Field(default=None, max_length=64)


class StaffListQuery(ListQuery):
    todo: bool = Field(default=False, description="Only what my post has to act on next")
    department: int | None = Field(default=None, ge=1, le=2**31 - 1)
    overdue: bool | None = None
    channel: Channel | None = None
