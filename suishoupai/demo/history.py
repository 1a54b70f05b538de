"""A city's history of cases, made fast: `manage.py generate_history --cases N`.

The demo (services.py) makes a few dozen cases through the service functions. A
benchmark or a statistics page needs a city's years: a million cases, ten million
events. Through the services that would take days, so this module plans each case's
path (`plan_case`), works out every row the services would write for it in memory
(`Sim`, a mirror of cases/services.py: states, milestones, deadlines from the same
clock and stage limits, events with the same data, requests), and writes the rows in
bulk (COPY on PostgreSQL, executemany on SQLite) with primary keys it assigns itself.

The mirror is checked, not trusted: demo/tests/test_history.py replays generated plans
through cases/services.py under time-machine and compares the rows field by field.

Photos are rows only: their files do not exist (the originals' and copies' names are
where the store would have put them).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import itertools
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import shapely
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from suishoupai.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseRequest,
    Channel,
    Decision,
    RequestKind,
    Visibility,
)
from suishoupai.cases.selectors import DEPARTMENT_STAGES
from suishoupai.cases.states import State
from suishoupai.catalog.models import Category, FilingCondition, RoutingRule, Subcategory
from suishoupai.org.models import Department, DepartmentKind, Role, User, hash_token
from suishoupai.photos.models import DerivativeStatus, Photo, PhotoKind
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.selectors import _area_index, _finest_by_level
from suishoupai.stats.facts import facts_for
from suishoupai.stats.models import CELL_FIELDS, KEY_FIELDS, CaseFact, DailyCell
from suishoupai.stats.services import cell_facts, expand
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import LimitUnit, Stage, StageLimit

CITIZEN = "citizen"
SYSTEM = "system"
WORK = LimitUnit.WORKING_HOURS

# Residents (millions, 2020 census, rounded) of Harbin's urban districts: reports follow
# people. A district the table does not know gets the smallest share.
DISTRICT_PEOPLE = {
    "230102": 0.96,  # 道里
    "230103": 1.34,  # 南岗
    "230104": 0.86,  # 道外
    "230108": 0.22,  # 平房
    "230109": 0.40,  # 松北
    "230110": 1.02,  # 香坊
    "230111": 0.59,  # 呼兰
}
# Where each district's people live (its old centre, WGS-84): points cluster around it.
DISTRICT_CENTRES = {
    "230102": (45.7625, 126.6110),
    "230103": (45.7480, 126.6700),
    "230104": (45.7900, 126.6530),
    "230108": (45.6000, 126.6400),
    "230109": (45.8100, 126.5550),
    "230110": (45.7150, 126.6850),
    "230111": (45.8900, 126.5900),
}
# How often each kind of problem is reported (the rest weigh 1).
CATEGORY_WEIGHT = {
    "sanitation": 6.0,
    "garbage_collection": 4.0,
    "road_damage": 3.0,
    "construction_nuisance": 2.0,
    "commercial_noise": 1.5,
    "manhole_cover": 1.2,
    "tree_care": 1.2,
}
# Reports by local hour of the day (citizens' phones and the hotline).
HOUR_WEIGHT = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 4.0, 5.5, 6.0, 5.5,
    4.0, 4.0, 5.0, 5.5, 5.0, 4.5, 3.5, 3.0, 2.5, 2.0, 1.2, 0.5,
]  # fmt: skip
WEEKDAY_WEIGHT = [1.1, 1.05, 1.0, 1.0, 0.95, 0.75, 0.7]  # Monday first
MONTH_WEIGHT = [0.7, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8]
CHANNEL_WEIGHT = [
    (Channel.CITIZEN, 0.62),
    (Channel.HOTLINE, 0.25),
    (Channel.PATROL, 0.12),
    (Channel.OPEN311, 0.01),
]
STREETS = (
    "中央大街", "红军街", "西大直街", "东大直街", "学府路", "和兴路", "中山路", "长江路",
    "友谊路", "通江街", "景阳街", "南直路", "珠江路", "哈平路", "世茂大道", "利民大街",
    "经纬街", "果戈里大街", "安发街", "新阳路", "黄河路", "赣水路", "先锋路", "松花江街",
)  # fmt: skip
PHRASES = (
    "已经好几天了，麻烦尽快处理。",
    "行人和车辆经过很不方便。",
    "影响周边居民生活，请相关部门处理。",
    "晚上看不清，容易出危险。",
    "希望早点解决，谢谢！",
    "附近有学校，孩子上下学经过。",
)
PEOPLE_NAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = (
    "建国",
    "海燕",
    "志强",
    "丽娟",
    "晓东",
    "秀英",
    "明",
    "静",
    "伟",
    "欣然",
    "立新",
    "桂兰",
)


# ---------------------------------------------------------------- what the city has


@dataclass(frozen=True)
class Actor:
    pk: int
    role: str
    label: str
    department_id: int | None


@dataclass(frozen=True)
class Cond:
    pk: int
    code: str
    subcategory_id: int
    category_id: int
    limit_amount: Decimal
    limit_unit: str
    default_department_id: int | None


@dataclass
class Reference:
    """The loaded reference data, in memory: categories, conditions, routing, places,
    departments, stage limits, and the staff who act in the history."""

    categories: list[tuple[int, str, float, list[tuple[int, str, list[Cond]]]]]
    rules: list[tuple[int, int, int | None, int | None, int, int]]
    stage_limits: dict[str, tuple[Decimal, str]]
    districts: list[tuple[int, str, float, Any]]
    active_departments: set[int]
    children: dict[int, list[tuple[int, int | None]]]
    staff: dict[str, list[Actor]]
    handlers: dict[int, Actor]

    def route(self, category_id: int, sub_id: int | None, district_id: int | None) -> int | None:
        """catalog.selectors.route on the rules in memory (same order of preference)."""
        best = None
        for pk, cat, sub, dist, priority, dept in self.rules:
            if cat != category_id or dept not in self.active_departments:
                continue
            if sub is not None and sub != sub_id:
                continue
            if dist is not None and dist != district_id:
                continue
            key = (sub is None, dist is None, priority, pk)
            if best is None or key < best[0]:
                best = (key, dept)
        return best[1] if best else None

    def stage_due(self, stage: str, start: datetime) -> datetime | None:
        limit = self.stage_limits.get(stage)
        return clock.add(start, limit[0], limit[1]) if limit else None


def load_reference(ensure_staff: bool = True) -> Reference:
    conds: dict[int, list[Cond]] = {}
    for c in FilingCondition.objects.filter(active=True, subcategory__active=True).order_by(
        "subcategory__sort_order", "sort_order", "code"
    ):
        conds.setdefault(c.subcategory_id, []).append(
            Cond(
                c.pk,
                c.code,
                c.subcategory_id,
                c.subcategory.category_id,
                c.limit_amount,
                c.limit_unit,
                c.default_department_id,
            )
        )
    subs: dict[int, list[tuple[int, str, list[Cond]]]] = {}
    for s in Subcategory.objects.filter(active=True).order_by("sort_order", "code"):
        if s.pk in conds:
            subs.setdefault(s.category_id, []).append((s.pk, s.code, conds[s.pk]))
    categories = [
        (c.pk, c.code, CATEGORY_WEIGHT.get(c.code, 1.0), subs[c.pk])
        for c in Category.objects.filter(active=True).order_by("pk")
        if c.pk in subs
    ]
    rules = [
        (r.pk, r.category_id, r.subcategory_id, r.district_id, r.priority, r.department_id)
        for r in RoutingRule.objects.all()
    ]
    stage_limits = {
        stage: (amount, unit)
        for stage, amount, unit in StageLimit.objects.values_list("stage", "amount", "unit")
    }
    index = _area_index()
    districts = []
    for area in Area.objects.filter(level=AreaLevel.DISTRICT, in_service=True).order_by("code"):
        at = index.ids.index(area.pk) if area.pk in index.ids else None
        if at is None:
            continue
        share = DISTRICT_PEOPLE.get(area.code, min(DISTRICT_PEOPLE.values()))
        districts.append((area.pk, area.code, share, index.geometries[at]))
    if not categories or not districts:
        raise ValueError("No categories or districts in service: run load_reference first.")
    depts = list(Department.objects.values("pk", "parent_id", "district_id", "active", "kind"))
    active = {d["pk"] for d in depts if d["active"]}
    children: dict[int, list[tuple[int, int | None]]] = {}
    for d in depts:
        if d["parent_id"] and d["active"]:
            children.setdefault(d["parent_id"], []).append((d["pk"], d["district_id"]))
    receiving = [d["pk"] for d in depts if d["active"] and d["kind"] != DepartmentKind.CENTRE]
    staff, handlers = _staff(receiving, ensure_staff)
    return Reference(categories, rules, stage_limits, districts, active, children, staff, handlers)


STAFF_ROLES = {
    Role.OPERATOR: 6,
    Role.DISPATCHER: 3,
    Role.SHIFT_LEAD: 3,
    Role.INSPECTOR: 5,
    Role.LEADER: 1,
}


def _name(n: int) -> str:
    return PEOPLE_NAMES[n % len(PEOPLE_NAMES)] + GIVEN_NAMES[(n * 7) % len(GIVEN_NAMES)]


def _staff(departments: list[int], create: bool) -> tuple[dict[str, list[Actor]], dict[int, Actor]]:
    """The history's staff (usernames history-*), made once with unusable passwords."""
    centre = Department.objects.filter(kind=DepartmentKind.CENTRE).values_list("pk", flat=True)
    centre_id = centre.first()
    wanted: dict[str, tuple[str, int | None]] = {}
    for role, count in STAFF_ROLES.items():
        for i in range(count):
            wanted[f"history-{role}-{i}"] = (role, centre_id)
    for pk in departments:
        wanted[f"history-handler-{pk}"] = (Role.HANDLER, pk)
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    if create:
        new = []
        for n, (username, (post, dept)) in enumerate(sorted(wanted.items())):
            if username not in existing:
                user = User(username=username, role=post, department_id=dept)
                user.display_name = _name(n)
                user.set_unusable_password()
                new.append(user)
        User.objects.bulk_create(new)
    staff: dict[str, list[Actor]] = {}
    handlers: dict[int, Actor] = {}
    for user in User.objects.filter(username__in=wanted).order_by("username"):
        actor = Actor(user.pk, user.role, str(user), user.department_id)
        if user.role == Role.HANDLER and user.department_id:
            handlers[user.department_id] = actor
        else:
            staff.setdefault(user.role, []).append(actor)
    return staff, handlers


# ---------------------------------------------------------------- the mirror of the services


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _db(value: datetime | None) -> datetime | None:
    """A datetime as read back from the database (UTC), as the services see it after _lock."""
    return value.astimezone(UTC) if value is not None else None


OVERDUE_EXCLUDED = {State.CLOSED, State.REJECTED, State.MERGED, State.VOIDED, State.SUSPENDED}


@dataclass
class Step:
    """One move of a plan: the service function's name, when, who, and its arguments."""

    action: str
    at: datetime
    actor: Actor | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


class Ids:
    """Primary keys handed out in order, from the table's current maximum."""

    def __init__(self, start: int) -> None:
        self._next = itertools.count(start + 1)

    def __call__(self) -> int:
        return next(self._next)


class Sim:
    """One case's rows, written the way cases/services.py writes them.

    Each method is the service of the same name; `steps` is what was done, in order,
    for the replay. Datetimes read from the case are as the database gives them back
    (UTC, `_db`); the ones a move computes are as the clock returns them (local time).
    """

    def __init__(self, ref: Reference, ids: dict[str, Ids]) -> None:
        self.ref, self.ids = ref, ids
        self.case: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.steps: list[Step] = []
        self.cond: Cond | None = None

    # -- the skeleton
    def _move(self, now: datetime, target: str | None, **fields: Any) -> None:
        case = self.case
        if target is not None:
            case["state"] = target
        case.update(fields)
        if "due_at" in fields:
            case["is_overdue"] = False
        case["updated_at"] = now

    def _record(
        self,
        code: str,
        actor: Actor | None,
        now: datetime,
        from_state: str,
        *,
        department_id: int | None = None,
        note: str = "",
        data: dict | None = None,
        visibility: str = Visibility.PUBLIC,
        actor_role: str = "",
    ) -> dict[str, Any]:
        event = {
            "id": self.ids["event"](),
            "case_id": self.case["id"],
            "at": now,
            "action": code,
            "actor_id": actor.pk if actor else None,
            "actor_role": actor.role if actor else actor_role,
            "actor_label": actor.label if actor else "",
            "from_state": from_state,
            "to_state": self.case["state"],
            "department_id": department_id,
            "note": note,
            "data": data or {},
            "visibility": visibility,
        }
        self.events.append(event)
        return event

    def _step(self, action: str, now: datetime, actor: Actor | None, **kwargs: Any) -> str:
        self.steps.append(Step(action, now, actor, kwargs))
        return self.case["state"]

    def _handling_due(self, start: datetime) -> datetime | None:
        cond = self.cond
        return clock.add(start, cond.limit_amount, cond.limit_unit) if cond else None

    def _sign_for_due(self, start: datetime, handle_due: datetime | None) -> datetime | None:
        take_due = self.ref.stage_due(Stage.TAKE, start)
        candidates = [d for d in (take_due, handle_due) if d is not None]
        return min(candidates) if candidates else None

    def _unit(self) -> str:
        return self.cond.limit_unit if self.cond else "working_hours"

    # -- submission
    def submit(self, now: datetime, report: dict[str, Any], number: str, photos: int) -> None:
        self.steps.append(Step("submit", now, None, {"report": report, "photos": photos}))
        ref, sub = self.ref, report["subcategory_id"]
        self.case = {
            "id": self.ids["case"](),
            "number": number,
            "state": State.SUBMITTED,
            "channel": report["channel"],
            "category_id": report["category_id"],
            "subcategory_id": sub,
            "condition_id": None,
            "description": report["description"].strip(),
            "address": report["address"].strip(),
            "lat": report["lat"],
            "lng": report["lng"],
            "district_id": report["district_id"],
            "street_id": report["street_id"],
            "community_id": report["community_id"],
            "grid_id": report["grid_id"],
            "reporter_phone": report["phone"].strip(),
            "tracking_token_hash": hash_token(report["token"]),
            "client_ref": None,
            "reporter_openid": "",
            "is_anonymous": report["is_anonymous"],
            "is_public": report["is_public"],
            "reporter_user_id": None,
            "suggested_department_id": ref.route(report["category_id"], sub, report["district_id"]),
            "department_id": None,
            "first_department_id": None,
            "merged_into_id": None,
            "created_at": now,
            "updated_at": now,
            "filed_at": None,
            "dispatched_at": None,
            "taken_at": None,
            "resolved_at": None,
            "verified_at": None,
            "closed_at": None,
            "due_at": ref.stage_due(Stage.ACCEPT, now),
            "handle_due_at": None,
            "paused_remaining_minutes": None,
            "is_overdue": False,
            "waived_due_at": None,
            "rework_count": 0,
            "support_count": 0,
            "urge_count": 0,
            "rating": "",
            "rating_stars": None,
            "rating_comment": "",
            "rated_at": None,
        }
        event = self._record(
            "case.submitted", None, now, "", actor_role=CITIZEN, data={"channel": report["channel"]}
        )
        self._photos(event, PhotoKind.REPORT, photos, now)

    def _photos(self, event: dict[str, Any], kind: str, count: int, now: datetime) -> None:
        rng = random.Random(event["id"])
        for _ in range(count):
            key = uuid.UUID(int=rng.getrandbits(128), version=4)
            width, height = rng.choice(((1920, 1440), (1440, 1920), (1600, 1200), (1080, 1440)))
            scale = 1600 / max(width, height)
            self.photos.append(
                {
                    "id": self.ids["photo"](),
                    "uuid": key,
                    "case_id": self.case["id"],
                    "event_id": event["id"],
                    "kind": kind,
                    "original": f"originals/{now:%Y/%m}/{key}.jpg",
                    "content_type": "image/jpeg",
                    "extension": "jpg",
                    "size": rng.randint(180_000, 2_400_000),
                    "width": width,
                    "height": height,
                    "sha256": hashlib.sha256(key.bytes).hexdigest(),
                    "created_at": now,
                    "hidden": False,
                    "status": DerivativeStatus.READY,
                    "attempts": 1,
                    "error": "",
                    "queued_at": now,
                    "derived_at": now + timedelta(seconds=rng.randint(1, 9)),
                    "revision": 0,
                    "derived_revision": 0,
                    "public_file": f"public/{now:%Y/%m}/{key}-{key.hex[:8]}.webp",
                    "thumb_file": f"public/{now:%Y/%m}/{key}-{key.hex[:8]}-thumb.webp",
                    "public_width": round(width * scale),
                    "public_height": round(height * scale),
                    "phash": f"{rng.getrandbits(64):016x}",
                    "regions": [],
                    "redactions": [],
                }
            )

    # -- the centre
    def accept(self, now: datetime, actor: Actor, cond: Cond, note: str = "") -> None:
        before = self._step("accept", now, actor, condition=cond.code, note=note)
        self.cond = cond
        department = (
            self.ref.route(cond.category_id, cond.subcategory_id, self.case["district_id"])
            or cond.default_department_id
        )
        self._move(
            now,
            State.FILED,
            condition_id=cond.pk,
            subcategory_id=cond.subcategory_id,
            category_id=cond.category_id,
            suggested_department_id=department,
            filed_at=now,
            due_at=self.ref.stage_due(Stage.DISPATCH, now),
        )
        self._record("case.filed", actor, now, before, note=note, data={"condition": cond.code})

    def reject(self, now: datetime, actor: Actor, reason: str) -> None:
        before = self._step("reject", now, actor, reason=reason)
        self._move(now, State.REJECTED, due_at=None, closed_at=now)
        self._record(
            "case.rejected", actor, now, before, note=reason, visibility=Visibility.REPORTER
        )

    def dispatch(self, now: datetime, actor: Actor, department: int | None = None) -> None:
        kwargs = {"department": department} if department else {}
        before = self._step("dispatch", now, actor, **kwargs)
        dept = department or self.case["suggested_department_id"]
        due = self._handling_due(now)
        self._move(
            now,
            State.DISPATCHED,
            department_id=dept,
            first_department_id=dept,
            dispatched_at=now,
            taken_at=None,
            handle_due_at=due,
            due_at=self._sign_for_due(now, due),
        )
        self._record("case.dispatched", actor, now, before, department_id=dept, data={"level": 1})

    def dispatch_on(self, now: datetime, actor: Actor, department: int) -> None:
        before = self._step("dispatch_on", now, actor, department=department)
        self._move(
            now,
            State.DISPATCHED,
            department_id=department,
            taken_at=None,
            due_at=self._sign_for_due(now, _db(self.case["handle_due_at"])),
        )
        self._record(
            "case.dispatched_on",
            actor,
            now,
            before,
            department_id=department,
            data={"level": 2, "from_department": actor.department_id},
        )

    # -- departments
    def take(self, now: datetime, actor: Actor) -> None:
        before = self._step("take", now, actor)
        self._move(now, State.IN_PROGRESS, taken_at=now, due_at=_db(self.case["handle_due_at"]))
        self._record("case.taken", actor, now, before, department_id=self.case["department_id"])

    def feedback(self, now: datetime, actor: Actor, note: str, photos: int) -> None:
        before = self._step("feedback", now, actor, note=note, photos=photos)
        handle_due = _db(self.case["handle_due_at"])
        on_time = handle_due is None or now <= handle_due
        self._move(
            now, State.RESOLVED, resolved_at=now, due_at=self.ref.stage_due(Stage.VERIFY, now)
        )
        event = self._record(
            "case.resolved",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=note,
            data={"on_time": on_time, "due_at": _iso(handle_due)},
        )
        self._photos(event, PhotoKind.FEEDBACK, photos, now)

    def _request(
        self, kind: str, now: datetime, actor: Actor, reason: str, amount: Decimal | None
    ) -> None:
        kwargs: dict[str, Any] = {"reason": reason}
        if amount is not None:
            kwargs["amount"] = amount
        before = self._step(f"request_{kind}", now, actor, **kwargs)
        req = {
            "id": self.ids["request"](),
            "case_id": self.case["id"],
            "kind": kind,
            "reason": reason,
            "amount": amount,
            "department_id": self.case["department_id"],
            "requested_by_id": actor.pk,
            "requested_at": now,
            "decision": Decision.PENDING,
            "decided_by_id": None,
            "decided_at": None,
            "decision_note": "",
            "overdue_mark_id": None,
        }
        self.requests.append(req)
        data = {"request": req["id"]} | ({"amount": str(amount)} if amount is not None else {})
        self._record(
            f"case.{kind}_requested",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=reason,
            visibility=Visibility.INTERNAL,
            data=data,
        )

    def request_return(self, now: datetime, actor: Actor, reason: str) -> None:
        self._request(RequestKind.RETURN, now, actor, reason, None)

    def request_extension(self, now: datetime, actor: Actor, reason: str, amount: Decimal) -> None:
        self._request(RequestKind.EXTENSION, now, actor, reason, Decimal(amount))

    def request_suspension(self, now: datetime, actor: Actor, reason: str) -> None:
        self._request(RequestKind.SUSPENSION, now, actor, reason, None)

    def _decide(self, kind: str, decision: str, actor: Actor, note: str, now: datetime) -> dict:
        req = next(
            r for r in self.requests if r["kind"] == kind and r["decision"] == Decision.PENDING
        )
        req.update(decision=decision, decided_by_id=actor.pk, decided_at=now, decision_note=note)
        return req

    def _deny(self, kind: str, now: datetime, actor: Actor, note: str) -> None:
        before = self._step(f"deny_{kind}", now, actor, note=note)
        req = self._decide(kind, Decision.DENIED, actor, note, now)
        self._record(
            f"case.{kind}_denied",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=note,
            visibility=Visibility.INTERNAL,
            data={"request": req["id"]},
        )

    def deny_return(self, now: datetime, actor: Actor, note: str = "") -> None:
        self._deny(RequestKind.RETURN, now, actor, note)

    def deny_extension(self, now: datetime, actor: Actor, note: str = "") -> None:
        self._deny(RequestKind.EXTENSION, now, actor, note)

    def approve_return(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("approve_return", now, actor, note=note)
        req = self._decide(RequestKind.RETURN, Decision.APPROVED, actor, note, now)
        for other in self.requests:  # _cancel_pending
            if other["decision"] == Decision.PENDING:
                other.update(decision=Decision.CANCELLED, decided_at=now)
        returned_from = self.case["department_id"]
        self._move(
            now,
            State.FILED,
            department_id=None,
            taken_at=None,
            handle_due_at=None,
            due_at=self.ref.stage_due(Stage.DISPATCH, now),
        )
        self._record(
            "case.returned",
            actor,
            now,
            before,
            department_id=returned_from,
            note=note or req["reason"],
            data={"request": req["id"]},
        )

    def approve_extension(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("approve_extension", now, actor, note=note)
        req = self._decide(RequestKind.EXTENSION, Decision.APPROVED, actor, note, now)
        old = _db(self.case["handle_due_at"]) or now
        unit = self.cond.limit_unit if self.cond else "working_days"
        # The amount as the database gives it back (two decimal places).
        amount = (req["amount"] or Decimal(0)).quantize(Decimal("0.01"))
        new = clock.add(old, amount, unit)
        current_due = _db(self.case["due_at"])
        due = new if self.case["state"] == State.IN_PROGRESS else min(current_due or new, new)
        self._move(now, None, handle_due_at=new, due_at=due)
        self._record(
            "case.extended",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=note,
            data={"request": req["id"], "from": _iso(old), "to": _iso(new)},
        )

    def approve_suspension(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("approve_suspension", now, actor, note=note)
        req = self._decide(RequestKind.SUSPENSION, Decision.APPROVED, actor, note, now)
        handle_due = _db(self.case["handle_due_at"])
        remaining = (
            None if handle_due is None else clock.counted_minutes(now, handle_due, self._unit())
        )
        self._move(now, State.SUSPENDED, due_at=None, paused_remaining_minutes=remaining)
        self._record(
            "case.suspended",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=note or req["reason"],
            data={"request": req["id"], "remaining_minutes": remaining},
        )

    def resume(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("resume", now, actor, note=note)
        remaining = self.case["paused_remaining_minutes"]
        due = _db(self.case["handle_due_at"])
        if remaining is not None:
            due = clock.add_minutes(now, remaining, self._unit())
        self._move(
            now, State.IN_PROGRESS, handle_due_at=due, due_at=due, paused_remaining_minutes=None
        )
        self._record(
            "case.resumed", actor, now, before, department_id=self.case["department_id"], note=note
        )

    # -- verification and close
    def verify_pass(self, now: datetime, actor: Actor, note: str = "", photos: int = 0) -> None:
        before = self._step("verify_pass", now, actor, note=note, photos=photos)
        self._move(
            now, State.VERIFIED, verified_at=now, due_at=self.ref.stage_due(Stage.CLOSE, now)
        )
        event = self._record("case.verified", actor, now, before, note=note)
        self._photos(event, PhotoKind.VERIFICATION, photos, now)

    def verify_fail(self, now: datetime, actor: Actor, note: str, photos: int = 0) -> None:
        before = self._step("verify_fail", now, actor, note=note, photos=photos)
        due = self._handling_due(now)
        self._move(
            now,
            State.IN_PROGRESS,
            resolved_at=None,
            handle_due_at=due,
            due_at=due,
            rework_count=self.case["rework_count"] + 1,
        )
        event = self._record(
            "case.rework", actor, now, before, department_id=self.case["department_id"], note=note
        )
        self._photos(event, PhotoKind.VERIFICATION, photos, now)

    def close(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("close", now, actor, note=note)
        self._move(now, State.CLOSED, closed_at=now, due_at=None)
        self._record("case.closed", actor, now, before, note=note)

    # -- supervision
    def urge(self, now: datetime, actor: Actor, note: str = "") -> None:
        before = self._step("urge", now, actor, note=note)
        self._move(now, None, urge_count=self.case["urge_count"] + 1)
        self._record(
            "case.urged",
            actor,
            now,
            before,
            department_id=self.case["department_id"],
            note=note,
            visibility=Visibility.INTERNAL,
        )

    def overdue_mark_at(self) -> datetime | None:
        """When the every-minute scan (cases.tasks) would flag the case, or None."""
        case = self.case
        if case["state"] in OVERDUE_EXCLUDED or case["is_overdue"] or case["due_at"] is None:
            return None
        if case["waived_due_at"] is not None and case["waived_due_at"] == case["due_at"]:
            return None
        due = case["due_at"].astimezone(UTC)
        minute = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
        # The scan starts on the minute and reaches the case a few seconds in.
        return minute + timedelta(seconds=1 + case["id"] % 7)

    def mark_overdue(self, now: datetime) -> None:
        before = self._step("mark_overdue", now, None)
        case = self.case
        case["is_overdue"] = True
        case["urge_count"] += 1
        case["updated_at"] = now
        self._record(
            "case.urged",
            None,
            now,
            before,
            # As cases.services._mark_overdue: only a department's own stage is its lateness.
            department_id=case["department_id"] if case["state"] in DEPARTMENT_STAGES else None,
            actor_role=SYSTEM,
            visibility=Visibility.INTERNAL,
            data={"automatic": True, "reason": "overdue", "due_at": _iso(_db(case["due_at"]))},
        )

    def callback(
        self, now: datetime, actor: Actor, result: str, contact: str = "", note: str = ""
    ) -> None:
        before = self._step("callback", now, actor, result=result, contact=contact, note=note)
        self._move(now, None)
        self._record(
            "case.callback",
            actor,
            now,
            before,
            note=note,
            data={"result": result, "contact": contact},
            visibility=Visibility.INTERNAL,
        )

    # -- the reporter
    def rate(self, now: datetime, rating: str, stars: int | None, comment: str = "") -> None:
        before = self._step("rate", now, None, rating=rating, stars=stars, comment=comment)
        code = "case.rating_changed" if self.case["rated_at"] else "case.rated"
        self._move(
            now,
            None,
            rating=rating,
            rating_stars=stars,
            rating_comment=comment.strip(),
            rated_at=now,
        )
        self._record(
            code,
            None,
            now,
            before,
            actor_role=CITIZEN,
            note=self.case["rating_comment"],
            data={"rating": rating, "stars": stars},
        )


# ---------------------------------------------------------------- planning a case's path


class _Past(Exception):
    """The next move would happen after the end of the history: the case stays where it is."""


class Planner:
    """Chooses each case's report and path; the Sim writes what the services would."""

    def __init__(self, ref: Reference, ids: dict[str, Ids], end: datetime, seed: int) -> None:
        self.ref, self.ids, self.end = ref, ids, end
        self.seed = seed
        weights = [share for _pk, _code, share, _geom in ref.districts]
        self._district_cum = list(itertools.accumulate(weights))
        self._category_cum = list(itertools.accumulate(c[2] for c in ref.categories))
        self._index = _area_index()

    # -- the report
    def _point(self, rng: random.Random, district: tuple[int, str, float, Any]) -> tuple:
        pk, code, _share, geom = district
        centre = DISTRICT_CENTRES.get(code)
        if centre is None:
            p = geom.representative_point()
            centre = (p.y, p.x)
        spread = 0.025 if code in ("230102", "230103", "230104", "230110") else 0.04
        for _ in range(50):
            lat = round(rng.gauss(centre[0], spread), 6)
            lng = round(rng.gauss(centre[1], spread * 1.4), 6)
            best = _finest_by_level(self._index, lat, lng)
            if best.get(AreaLevel.DISTRICT) == pk:
                return lat, lng, best
        minx, miny, maxx, maxy = geom.bounds
        while True:  # far from the centre: anywhere in the district
            lat, lng = round(rng.uniform(miny, maxy), 6), round(rng.uniform(minx, maxx), 6)
            if shapely.covers(geom, shapely.Point(lng, lat)):
                best = _finest_by_level(self._index, lat, lng)
                if best.get(AreaLevel.DISTRICT) == pk:
                    return lat, lng, best

    def report(self, rng: random.Random) -> tuple[dict[str, Any], Cond]:
        ref = self.ref
        district = ref.districts[
            bisect.bisect(self._district_cum, rng.random() * self._district_cum[-1])
        ]
        category = ref.categories[
            bisect.bisect(self._category_cum, rng.random() * self._category_cum[-1])
        ]
        cat_pk, _code, _w, subs = category
        sub_pk, _sub_code, conds = rng.choice(subs)
        cond = rng.choice(conds)
        lat, lng, best = self._point(rng, district)
        channel = rng.choices(
            [c for c, _ in CHANNEL_WEIGHT], weights=[w for _, w in CHANNEL_WEIGHT]
        )[0]
        anonymous = rng.random() < 0.12
        phone = (
            ""
            if anonymous or rng.random() < 0.2
            else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        )
        street = rng.choice(STREETS)
        sub_name = _SUB_NAMES.get(sub_pk, "")
        report = {
            "channel": channel,
            "category_id": cat_pk,
            # Half the reporters choose a subcategory; staff choose the condition.
            "subcategory_id": sub_pk if rng.random() < 0.5 else None,
            "description": f"{street}{rng.randint(1, 300)}号附近{sub_name}，{rng.choice(PHRASES)}",
            "address": f"{street}{rng.randint(1, 300)}号",
            "lat": lat,
            "lng": lng,
            "district_id": best.get(AreaLevel.DISTRICT),
            "street_id": best.get(AreaLevel.STREET),
            "community_id": best.get(AreaLevel.COMMUNITY),
            "grid_id": best.get(AreaLevel.GRID),
            "phone": phone,
            "token": f"{rng.getrandbits(128):032x}",
            "is_anonymous": anonymous,
            "is_public": rng.random() < 0.93,
        }
        return report, cond

    # -- the path
    def case(self, created_at: datetime, number: str) -> Sim:
        ref = self.ref
        rng = random.Random(f"{self.seed}:{number}")
        sim = Sim(ref, self.ids)
        report, cond = self.report(rng)
        photos = rng.choices((0, 1, 2, 3), weights=(3, 4, 2, 1))[0]
        sim.submit(created_at, report, number, photos)
        with contextlib.suppress(_Past):
            self._path(sim, rng, cond, created_at)
        self._scan(sim, self.end)
        return sim

    def _at(self, sim: Sim, moment: datetime) -> datetime:
        """The moment of the next move: flags the case overdue first if the scan would."""
        if moment > self.end:
            raise _Past
        self._scan(sim, moment)
        return moment

    def _scan(self, sim: Sim, until: datetime) -> None:
        mark = sim.overdue_mark_at()
        if mark is not None and mark < until and mark <= self.end:
            sim.mark_overdue(mark)

    def _later(self, rng: random.Random, start: datetime, low: int, high: int) -> datetime:
        """A staff member acts `low` to `high` working minutes after `start`."""
        minutes = max(1, int(rng.triangular(low, high, low + (high - low) / 4)))
        moment = clock.add_minutes(start, minutes, WORK) + timedelta(seconds=rng.randint(0, 59))
        return moment.astimezone(UTC)

    def _who(self, rng: random.Random, role: str) -> Actor:
        return rng.choice(self.ref.staff[role])

    def _path(self, sim: Sim, rng: random.Random, cond: Cond, now: datetime) -> None:
        ref, case = self.ref, sim.case
        # Intake: most reports are filed within the hour; a few are declined.
        now = self._at(sim, self._later(rng, now, 2, 45 if rng.random() < 0.94 else 200))
        operator = self._who(rng, Role.OPERATOR)
        if rng.random() < 0.04:
            sim.reject(now, operator, rng.choice(REJECT_REASONS))
            self._maybe_callback(sim, rng, now)
            return
        sim.accept(now, operator, cond)
        department = case["suggested_department_id"]
        if department is None or department not in ref.handlers:
            return  # nobody to send it to: it waits at the centre
        now = self._at(sim, self._later(rng, now, 1, 22 if rng.random() < 0.94 else 120))
        sim.dispatch(now, self._who(rng, Role.DISPATCHER))
        now = self._department(sim, rng, now, returned=False)
        while case["state"] == State.FILED:  # returned to the centre: dispatched again
            other = cond.default_department_id
            if other == case["department_id"] or other not in ref.handlers:
                other = rng.choice(sorted(ref.handlers))
            now = self._at(sim, self._later(rng, now, 3, 25))
            sim.dispatch(now, self._who(rng, Role.DISPATCHER), department=other)
            now = self._department(sim, rng, now, returned=True)
        reworks = 0
        while True:  # verification on site
            now = self._at(sim, self._later(rng, now, 20, 200 if rng.random() < 0.94 else 500))
            inspector = self._who(rng, Role.INSPECTOR)
            if reworks < 2 and rng.random() < 0.09:
                reworks += 1
                sim.verify_fail(now, inspector, rng.choice(REWORK_NOTES), photos=rng.randint(0, 1))
                now = self._handling(sim, rng, now)
                continue
            sim.verify_pass(now, inspector, photos=1 if rng.random() < 0.3 else 0)
            break
        now = self._at(sim, self._later(rng, now, 10, 360 if rng.random() < 0.95 else 900))
        sim.close(now, self._who(rng, Role.SHIFT_LEAD))
        if case["is_public"] or rng.random() < 0.5:
            self._rate(sim, rng, now)
        self._maybe_callback(sim, rng, now)

    def _department(self, sim: Sim, rng: random.Random, now: datetime, returned: bool) -> datetime:
        """From dispatch to the handling feedback, or to a return to the centre."""
        ref, case = self.ref, sim.case
        holder = ref.handlers[case["department_id"]]
        # Passed on to the district unit below (转派) before anyone signs for it.
        below = [
            pk
            for pk, district in ref.children.get(case["department_id"], [])
            if district == case["district_id"] and pk in ref.handlers
        ]
        if below and rng.random() < 0.6:
            now = self._at(sim, self._later(rng, now, 3, 30))
            sim.dispatch_on(now, holder, below[0])
            holder = ref.handlers[below[0]]
        # Sign for: usually within the hour, sometimes late.
        now = self._at(sim, self._later(rng, now, 3, 45 if rng.random() < 0.94 else 150))
        sim.take(now, holder)
        if not returned and rng.random() < 0.03:  # "not ours"
            now = self._at(sim, self._later(rng, now, 10, 120))
            sim.request_return(now, holder, rng.choice(RETURN_REASONS))
            now = self._at(sim, self._later(rng, now, 5, 120))
            lead = self._who(rng, Role.SHIFT_LEAD)
            if rng.random() < 0.8:
                sim.approve_return(now, lead)
                return now
            sim.deny_return(now, lead, "请按职责处置。")
        return self._handling(sim, rng, now)

    def _handling(self, sim: Sim, rng: random.Random, now: datetime) -> datetime:
        ref, case, cond = self.ref, sim.case, sim.cond
        assert cond is not None
        holder = ref.handlers[case["department_id"]]
        limit = clock.minutes_for(cond.limit_amount, cond.limit_unit)
        if rng.random() < 0.05:  # a leader presses the department
            moment = self._at(sim, self._later(rng, now, 30, 300))
            sim.urge(moment, self._who(rng, Role.LEADER), "请加快处置进度。")
            now = moment
        if rng.random() < 0.02:  # 挂账: waits for the season, then resumes
            now = self._at(sim, self._later(rng, now, 30, 300))
            sim.request_suspension(now, holder, "冬季无法施工，待开春处置。")
            now = self._at(sim, self._later(rng, now, 10, 200))
            sim.approve_suspension(now, self._who(rng, Role.SHIFT_LEAD))
            now = self._at(sim, self._later(rng, now, 450 * 10, 450 * 60))
            sim.resume(now, holder)
        elif rng.random() < 0.07:  # 延期
            now = self._at(sim, self._later(rng, now, 30, max(60, limit // 2)))
            amount = Decimal(rng.choice((1, 2, 3)))
            sim.request_extension(now, holder, "需协调其他单位，申请延期。", amount)
            now = self._at(sim, self._later(rng, now, 10, 200))
            lead = self._who(rng, Role.SHIFT_LEAD)
            if rng.random() < 0.75:
                sim.approve_extension(now, lead)
            else:
                sim.deny_extension(now, lead, "请在时限内完成。")
        # The work: most before the handling deadline (as extended), some late.
        due = case["handle_due_at"]
        left = clock.counted_minutes(now, due, cond.limit_unit) if due else limit
        if rng.random() < 0.95 and left > 2:
            minutes = max(1, int(left * rng.uniform(0.1, 0.95)))
            seconds = 0
        else:
            minutes = max(left, 0) + max(1, int(limit * rng.uniform(0.02, 0.8)))
            seconds = rng.randint(0, 59)
        moment = clock.add_minutes(now, minutes, cond.limit_unit).astimezone(UTC)
        moment += timedelta(seconds=seconds)
        now = self._at(sim, moment)
        sim.feedback(
            now, holder, rng.choice(FEEDBACK_NOTES), photos=rng.choices((0, 1, 2), (2, 5, 3))[0]
        )
        return now

    def _rate(self, sim: Sim, rng: random.Random, now: datetime) -> None:
        if rng.random() > 0.55:
            return
        rating, stars = rng.choices(
            (("satisfied", 5), ("satisfied", 4), ("basically_satisfied", 3), ("unsatisfied", 2)),
            weights=(55, 20, 15, 10),
        )[0]
        moment = now + timedelta(minutes=rng.randint(5, 60 * 48), seconds=rng.randint(0, 59))
        comment = (
            rng.choice(("", "", "处理及时，谢谢！", "很满意", "还可以"))
            if stars > 2
            else "处理太慢"
        )
        sim.rate(self._at(sim, moment), rating, stars, comment)

    def _maybe_callback(self, sim: Sim, rng: random.Random, now: datetime) -> None:
        if rng.random() > 0.25:
            return
        moment = self._at(sim, self._later(rng, now, 60, 900))
        result = rng.choices(
            ("satisfied", "basically_satisfied", "unsatisfied", "unreachable", "declined"),
            weights=(55, 18, 7, 15, 5),
        )[0]
        sim.callback(moment, self._who(rng, Role.OPERATOR), result, note="电话回访")


REJECT_REASONS = (
    "不属于城市管理范围。",
    "信息不全，无法核实。",
    "重复反映。",
    "已在处理中的工程。",
)
RETURN_REASONS = ("不属于本单位职责。", "位置不在本辖区。", "权属单位为其他部门。")
REWORK_NOTES = ("现场仍未清理干净。", "修补不到位，仍有坑洼。", "设施仍未恢复使用。")
FEEDBACK_NOTES = ("已清理完毕。", "已修复。", "已安排人员处置完毕。", "已联系权属单位处理完毕。")
_SUB_NAMES: dict[int, str] = {}


# ---------------------------------------------------------------- when reports come in


def report_times(n: int, days: int, end: datetime, rng: random.Random) -> list[datetime]:
    """n submission moments over `days` days before `end`, sorted: more on weekdays, in the
    warm months, and by day, with a slow growth as the service becomes known."""
    tz = timezone.get_current_timezone()
    last = timezone.localtime(end, tz).date()
    first = last - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    day_w = [
        WEEKDAY_WEIGHT[d.weekday()] * MONTH_WEIGHT[d.month - 1] * (0.7 + 0.6 * i / days)
        for i, d in enumerate(dates)
    ]
    day_cum = list(itertools.accumulate(day_w))
    hour_cum = list(itertools.accumulate(HOUR_WEIGHT))
    moments: list[datetime] = []
    while len(moments) < n:
        day = dates[bisect.bisect(day_cum, rng.random() * day_cum[-1])]
        hour = bisect.bisect(hour_cum, rng.random() * hour_cum[-1])
        local = datetime(day.year, day.month, day.day, hour, tzinfo=tz) + timedelta(
            seconds=rng.randrange(3600)
        )
        moment = local.astimezone(UTC)
        if moment < end:
            moments.append(moment)
    moments.sort()
    return moments


# ---------------------------------------------------------------- writing the rows


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]


class Writer:
    """Rows to the database in bulk: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.tz_utc = self.vendor != "postgresql"

    def _converter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """How a field's (non-null) value is written, or None to write it as it is."""
        if isinstance(f, models.JSONField):
            return json.dumps
        if self.vendor == "postgresql":
            return str if isinstance(f, models.FileField) else None
        if isinstance(f, models.DateTimeField):
            return lambda v: str(v.astimezone(UTC).replace(tzinfo=None))
        if isinstance(f, models.DateField):
            return lambda v: v.isoformat()
        if isinstance(f, models.DecimalField):
            return str
        if isinstance(f, models.UUIDField):
            return lambda v: v.hex
        return None

    def write(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        fields = _columns(model)
        table = model._meta.db_table
        names = [f.column for f in fields]
        attnames = [f.attname for f in fields]
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        converters = [(i, c) for i, f in enumerate(fields) if (c := self._converter(f))]
        values = []
        for row in rows:
            value = [row[a] for a in attnames]
            for i, convert in converters:
                if value[i] is not None:
                    value[i] = convert(value[i])
            values.append(value)
        if self.vendor == "postgresql":
            raw = connection.connection
            sql = f"COPY {table} ({quoted}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for v in values:
                    copy.write_row(v)
        else:
            marks = ", ".join(["%s"] * len(names))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", values)


def _max_id(model: type[models.Model]) -> int:
    return model._default_manager.aggregate(m=models.Max("id"))["m"] or 0


def new_ids() -> dict[str, Ids]:
    return {
        "case": Ids(_max_id(Case)),
        "event": Ids(_max_id(CaseEvent)),
        "request": Ids(_max_id(CaseRequest)),
        "photo": Ids(_max_id(Photo)),
    }


@dataclass
class Generated:
    cases: int = 0
    events: int = 0
    requests: int = 0
    photos: int = 0
    states: dict[str, int] = field(default_factory=dict)


def numbers_for(moments: list[datetime]) -> Iterator[str]:
    """Case numbers in submission order, continuing each day's counter (_next_number)."""
    days = [timezone.localdate(m) for m in moments]
    last = dict(CaseNumberCounter.objects.filter(day__in=set(days)).values_list("day", "last"))
    digits = settings.CASE_NUMBER_DIGITS
    for day in days:
        last[day] = last.get(day, 0) + 1
        yield f"{day:%Y%m%d}-{last[day]:0{digits}d}"


def _save_counters(moments: list[datetime]) -> None:
    counts: dict[date, int] = {}
    for m in moments:
        day = timezone.localdate(m)
        counts[day] = counts.get(day, 0) + 1
    existing = dict(CaseNumberCounter.objects.filter(day__in=counts).values_list("day", "last"))
    CaseNumberCounter.objects.filter(day__in=existing).delete()
    CaseNumberCounter.objects.bulk_create(
        CaseNumberCounter(day=day, last=existing.get(day, 0) + count)
        for day, count in counts.items()
    )


# Ids a parallel worker may use per case of its slice (far more than any path writes);
# a worker that ran out would stop with an error rather than reuse another's ids.
_PER_CASE = {"event": 64, "request": 8, "photo": 32, "fact": 96}


def generate(
    n: int,
    *,
    days: int = 730,
    end: datetime | None = None,
    seed: int = 20261207,
    batch: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    stats: bool = True,
) -> Generated:
    """n cases submitted over `days` days before `end`, each as far along its path as
    time allowed, written in batches of `batch` cases (one transaction each).

    With `stats`, each case's statistics facts (stats.facts.facts_for on the rows just
    made, exactly what `rebuild_stats` derives from the events) and the daily cells are
    written too. With `workers` > 1, that many processes each make and write their own
    slice of the cases (a contiguous run of submission times); ids are handed out in a
    separate range per slice, so they leave gaps, and the same arguments always give the
    same rows."""
    end = (end or timezone.now()).astimezone(UTC).replace(microsecond=0)
    ref = load_reference()
    _SUB_NAMES.update(dict(Subcategory.objects.values_list("pk", "name")))
    bases = {name: _max_id(model) for name, model in _ID_MODELS.items()}
    rng = random.Random(seed)
    moments = report_times(n, days, end, rng)
    numbers = list(numbers_for(moments))
    with transaction.atomic():
        _save_counters(moments)
    workers = max(1, min(workers, n // max(batch, 1) or 1))
    bounds = [n * w // workers for w in range(workers + 1)]
    job = _Job(ref, bases, moments, numbers, end, seed, batch, stats, progress)
    parts = [job.run(0, 0, n)] if workers == 1 else _run_slices(job, bounds)
    result, cells = _sum_parts(parts)
    if stats:
        _write_cells(cells, bases["cell"])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_ID_MODELS.values())):
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in _ID_MODELS.values():
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result


_ID_MODELS: dict[str, type[models.Model]] = {
    "case": Case,
    "event": CaseEvent,
    "request": CaseRequest,
    "photo": Photo,
    "fact": CaseFact,
    "cell": DailyCell,
}


@dataclass
class _Job:
    ref: Reference
    bases: dict[str, int]
    moments: list[datetime]
    numbers: list[str]
    end: datetime
    seed: int
    batch: int
    stats: bool
    progress: Callable[[int, int], None] | None

    def run(self, slot: int, first: int, last: int) -> tuple[Generated, dict]:
        """Cases first..last-1 (slot 0 alone: the ids run on as a single process hands
        them out; slot k of several: its own range from `first`)."""
        ids = {"case": Ids(self.bases["case"] + first)}
        for name, per_case in _PER_CASE.items():
            ids[name] = Ids(self.bases[name] + first * per_case)
        limits = {name: self.bases[name] + last * per_case for name, per_case in _PER_CASE.items()}
        planner = Planner(self.ref, ids, self.end, self.seed)
        writer = Writer()
        result = Generated()
        cells: dict[tuple, list[int]] = {}
        for start in range(first, last, self.batch):
            stop = min(last, start + self.batch)
            sims = [planner.case(self.moments[i], self.numbers[i]) for i in range(start, stop)]
            facts = _facts(sims, ids["fact"], cells) if self.stats else []
            with transaction.atomic():
                writer.write(Case, [s.case for s in sims])
                writer.write(CaseRequest, [r for s in sims for r in s.requests])
                writer.write(CaseEvent, [e for s in sims for e in s.events])
                writer.write(Photo, [p for s in sims for p in s.photos])
                writer.write(CaseFact, facts)
            for s in sims:
                result.states[s.case["state"]] = result.states.get(s.case["state"], 0) + 1
                result.events += len(s.events)
                result.requests += len(s.requests)
                result.photos += len(s.photos)
            result.cases += len(sims)
            if self.progress:
                self.progress(result.cases, last - first)
        if slot or last < len(self.moments):
            for name, limit in limits.items():
                if ids[name]() > limit:
                    raise RuntimeError(f"slice {slot} used more {name} ids than it was given")
        return result, cells


def _facts(sims: list[Sim], fact_ids: Ids, cells: dict[tuple, list[int]]) -> list[dict]:
    """The statistics facts of the cases just made (stats.facts on the rows as written)
    and, added into `cells`, their daily cells: what stats.services.rebuild writes."""
    rows = []
    for sim in sims:
        # The rows as the model objects facts_for reads (the attributes it uses).
        case: Any = SimpleNamespace(**sim.case, pk=sim.case["id"], condition=sim.cond)
        if case.condition_id is None:
            case.condition = None
        events: list[Any] = sorted(
            (SimpleNamespace(**e, pk=e["id"]) for e in sim.events), key=lambda e: (e.at, e.pk)
        )
        for key, (count, total) in cell_facts(case, facts_for(case, events)).items():
            row = dict(zip(KEY_FIELDS, key, strict=True))
            row.update(id=fact_ids(), case_id=case.pk, count=count, total=total)
            rows.append(row)
            for cell in expand(key):
                acc = cells.setdefault(cell, [0, 0])
                acc[0] += count
                acc[1] += total
    return rows


def _write_cells(cells: dict[tuple, list[int]], base: int) -> None:
    """The summed cells, one row per key, written 50,000 at a time (millions at 1M cases)."""
    ids = Ids(base)
    items = iter(cells.items())
    writer = Writer()
    with transaction.atomic():
        while chunk := list(itertools.islice(items, 50_000)):
            writer.write(
                DailyCell,
                [
                    dict(zip(CELL_FIELDS, key, strict=True)) | {"id": ids(), "count": c, "total": t}
                    for key, (c, t) in chunk
                    if c or t
                ],
            )


def _run_slices(job: _Job, bounds: list[int]) -> list[tuple[Generated, dict]]:
    """Each slice in a forked process of its own; what each made."""
    import multiprocessing

    from django.db import connections

    for conn in connections.all():
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()  # a pool's threads and sockets must not cross a fork
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = []
    for slot in range(len(bounds) - 1):
        proc = ctx.Process(target=_child, args=(job, slot, bounds[slot], bounds[slot + 1], queue))
        proc.start()
        procs.append(proc)
    outcomes = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    failed = [payload for ok, payload in outcomes if not ok]
    if failed:
        raise RuntimeError("a generating process failed:\n" + "\n".join(failed))
    return [payload for _ok, payload in outcomes]


def _sum_parts(parts: list[tuple[Generated, dict]]) -> tuple[Generated, dict]:
    result, cells = Generated(), dict[tuple, list[int]]()
    for part, part_cells in parts:
        result.cases += part.cases
        result.events += part.events
        result.requests += part.requests
        result.photos += part.photos
        for state, count in part.states.items():
            result.states[state] = result.states.get(state, 0) + count
        for key, (c, t) in part_cells.items():
            acc = cells.setdefault(key, [0, 0])
            acc[0] += c
            acc[1] += t
    return result, cells


def _child(job: _Job, slot: int, first: int, last: int, queue: Any) -> None:
    import traceback

    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if connection.vendor == "sqlite":  # writers take turns: wait for the other's batch
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "timeout": 600}
    try:
        queue.put((True, job.run(slot, first, last)))
    except BaseException:
        queue.put((False, traceback.format_exc()))
    finally:
        connections.close_all()


def plan_sample(n: int, *, days: int, end: datetime, seed: int) -> list[Sim]:
    """Plans without writing (for the replay test)."""
    ref = load_reference()
    _SUB_NAMES.update(dict(Subcategory.objects.values_list("pk", "name")))
    ids = new_ids()
    rng = random.Random(seed)
    moments = report_times(n, days, end, rng)
    planner = Planner(ref, ids, end, seed)
    return [planner.case(m, num) for m, num in zip(moments, numbers_for(moments), strict=True)]
