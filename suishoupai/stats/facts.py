"""What a case's recorded history counts for: the one derivation behind every statistic.

`facts_for(case, events)` reads a case's events (and the few fields of the case row that
every move writes together with an event) and returns the facts it contributes, each
keyed by day, metric, department and person. The incremental rollups (services) and the
full rebuild both call it, so they cannot disagree. docs/stats.md explains each metric.

Two kinds of facts:
- flows, counted on the day their event happened (上报, 立案, 派遣, 回退, 督办, 超期 ...);
- cohorts, counted once per handling cycle or per case on the day it "fell due": the
  earlier of the day it was handled (or closed) and the day its deadline passed
  (应处置/处置/按期处置/返工/延期, 应结案/结案/按期结案/回访/处置时长). A later event
  (a waived overdue mark, a rework, a changed rating) changes the facts of an earlier
  day; the rollups apply the difference.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from suishoupai.cases.models import Case, CaseEvent
from suishoupai.cases.selectors import DEPARTMENT_STAGES
from suishoupai.cases.states import State
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import Stage
from suishoupai.timelimits.selectors import stage_limit

# A fact's key: (day, metric, department id or 0, person id or 0, bucket). The case's own
# dimensions (district, category, subcategory, channel) are the same for all its facts.
Key = tuple[date, str, int, int, int]
# (count, total): total is minutes for durations, 0 otherwise.
Facts = dict[Key, tuple[int, int]]

# Every metric code, in the order people read them.
METRICS = (
    "reported",  # 上报数
    "received",  # 受理数: reports given a decision (filed, not filed, merged)
    "filed",  # 立案数
    "filed_on_time",  # 按时立案数
    "rejected",  # 不予立案数
    "dispatched",  # 派遣数 (first level, and 改派)
    "returned",  # 回退数, against the dispatcher
    "due_handle",  # 应处置数 (cycles)
    "handled",  # 处置数
    "handled_on_time",  # 按期处置数
    "reworked",  # 返工数
    "extended",  # 延期数
    "due_close",  # 应结案数 (cases)
    "closed",  # 结案数
    "closed_on_time",  # 按期结案数
    "called_back",  # 回访数 (closed cases called back)
    "duration",  # 处置时长: count 1, total clock minutes, bucket whole hours
    # 处置时长 counted in the condition's own time-limit unit, one metric per unit:
    # count 1, total counted minutes, bucket whole counted hours.
    "duration_urgent_hours",
    "duration_working_hours",
    "duration_working_days",
    "suspended",  # 挂账数
    "urged",  # 督办数 (by supervisors)
    "overdue",  # 超期数 (automatic marks not waived on appeal)
    "rated",  # 评价数
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "supported",  # 附议数
    "verified",  # 核查数 (监督员: passes and reworks)
)
# Longest handling time with a bucket of its own; longer ones share the last.
MAX_BUCKET_HOURS = 24 * 90
# The time-limit units (timelimits.LimitUnit) and the metric counting each one's time.
UNITS = ("urgent_hours", "working_hours", "working_days")
COUNTED = {unit: f"duration_{unit}" for unit in UNITS}
# Every handling-time metric: they keep their hour bucket (the medians' histograms).
DURATIONS = ("duration", *COUNTED.values())

CLOSED_ROUND = {State.DISPATCHED, State.IN_PROGRESS, State.RESOLVED, State.VERIFIED, State.CLOSED}
LEFT_SUBMITTED = {"case.filed", "case.rejected", "case.merged"}


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass
class _Cycle:
    """One turn of handling: from a dispatch (or a rework) to the handling report."""

    start: datetime
    department: int
    extended: bool = False
    suspended: bool = False
    reworked: bool = False
    resolved_at: datetime | None = None
    handler: int = 0
    on_time: bool = False
    due: str | None = None


@dataclass
class _Walk:
    facts: Facts = field(default_factory=dict)
    cycles: list[_Cycle] = field(default_factory=list)
    cycle: _Cycle | None = None
    dispatcher: int = 0
    dispatched_at: datetime | None = None
    closed_at: datetime | None = None
    rated_at: datetime | None = None
    called_back: bool = False
    marks: dict[int, CaseEvent] = field(default_factory=dict)
    waived_marks: set[int] = field(default_factory=set)
    waived_dues: set[str] = field(default_factory=set)

    def add(self, at: datetime | date, metric: str, dept: int = 0, person: int = 0, **kw: int):
        day = at if isinstance(at, date) and not isinstance(at, datetime) else day_of(at)
        key = (day, metric, dept or 0, person or 0, kw.get("bucket", 0))
        count, total = self.facts.get(key, (0, 0))
        self.facts[key] = (count + 1, total + kw.get("total", 0))

    def end_cycle(self, keep: bool) -> None:
        if self.cycle is not None and keep:
            self.cycles.append(self.cycle)
        self.cycle = None


def facts_for(case: Case, events: Iterable[CaseEvent]) -> Facts:
    """Every fact this case contributes, from its events in order (at, pk)."""
    w = _Walk()
    for ev in events:
        _step(w, case, ev)
    _cohorts(w, case)
    return w.facts


def _step(w: _Walk, case: Case, ev: CaseEvent) -> None:
    action, dept, actor = ev.action, ev.department_id or 0, ev.actor_id or 0
    if action == "case.submitted":
        w.add(ev.at, "reported")
    if action in LEFT_SUBMITTED and ev.from_state == State.SUBMITTED:
        w.add(ev.at, "received", person=actor)
    if action == "case.filed":
        w.add(ev.at, "filed", person=actor)
        if _filed_on_time(case, ev.at):
            w.add(ev.at, "filed_on_time", person=actor)
    elif action == "case.rejected":
        w.add(ev.at, "rejected", person=actor)
    elif action in ("case.dispatched", "case.redispatched"):
        w.add(ev.at, "dispatched", dept, actor)
        # 改派 replaces a dispatch nobody signed for: that turn never started.
        w.end_cycle(keep=False)
        w.cycle = _Cycle(start=ev.at, department=dept)
        w.dispatcher, w.dispatched_at = actor, ev.at
    elif action == "case.dispatched_on" and w.cycle is not None:
        w.cycle.department = dept  # the unit that handles it is the one counted
    elif action == "case.extended" and w.cycle is not None:
        w.cycle.extended = True
    elif action == "case.suspended":
        w.add(ev.at, "suspended", dept)
        if w.cycle is not None:
            w.cycle.suspended = True
    elif action == "case.resumed" and w.cycle is not None:
        w.cycle.suspended = False
    elif action == "case.resolved" and w.cycle is not None:
        w.cycle.resolved_at, w.cycle.department = ev.at, dept or w.cycle.department
        w.cycle.handler = actor
        w.cycle.on_time = bool(ev.data.get("on_time"))
        w.cycle.due = ev.data.get("due_at")
    elif action == "case.rework":
        w.add(ev.at, "verified", person=actor)
        if w.cycle is not None:
            w.cycle.reworked = True
            handled_by = w.cycle.department
            w.end_cycle(keep=True)
            w.cycle = _Cycle(start=ev.at, department=dept or handled_by)
    elif action == "case.verified":
        w.add(ev.at, "verified", person=actor)
    elif action == "case.returned":
        # A return is the dispatcher's mistake: the department's turn is not counted.
        w.add(ev.at, "returned", dept, w.dispatcher)
        w.end_cycle(keep=False)
    elif action == "case.closed":
        w.closed_at = ev.at
    elif action == "case.reopened":
        # A new round: the earlier handling stays counted, the closing is the next one's.
        w.end_cycle(keep=True)
        w.closed_at = w.rated_at = None
        w.called_back = False
    elif action in ("case.voided", "case.merged"):
        w.end_cycle(keep=False)
    elif action == "case.urged":
        if ev.data.get("automatic"):
            w.marks[ev.pk] = ev
        else:
            w.add(ev.at, "urged", dept, actor)
    elif action == "case.overdue_waived":
        if ev.data.get("mark"):
            w.waived_marks.add(ev.data["mark"])
        if ev.data.get("due_at"):
            w.waived_dues.add(ev.data["due_at"])
    elif action == "case.callback":
        w.called_back = True
    elif action in ("case.rated", "case.rating_changed") and w.rated_at is None:
        w.rated_at = ev.at
    elif action == "case.supported":
        w.add(ev.at, "supported")


def _filed_on_time(case: Case, filed_at: datetime) -> bool:
    limit = stage_limit(Stage.ACCEPT)
    return limit is None or filed_at <= clock.add(case.created_at, limit[0], limit[1])


def _cohorts(w: _Walk, case: Case) -> None:
    for pk, mark in w.marks.items():
        if pk not in w.waived_marks:
            # Only a mark made while a department held the case is the department's
            # (marks recorded before that rule carry the handling department).
            dept = mark.department_id if mark.from_state in DEPARTMENT_STAGES else None
            w.add(mark.at, "overdue", dept or 0)
    if case.state in (State.VOIDED, State.MERGED):
        return  # cancelled: no cycle of it is owed
    cycles = w.cycles + ([w.cycle] if w.cycle is not None else [])
    for cycle in cycles:
        _cycle_facts(w, case, cycle, cycle is w.cycle)
    if case.state in CLOSED_ROUND and w.cycle is not None and not w.cycle.suspended:
        _closing_facts(w, case, w.cycle)


def _deadline(case: Case, cycle: _Cycle, current: bool) -> datetime | None:
    if cycle.resolved_at is not None:
        return datetime.fromisoformat(cycle.due) if cycle.due else None
    return case.handle_due_at if current else None


def _due_day(cycle: _Cycle, deadline: datetime | None, done: datetime | None) -> date | None:
    moments = [m for m in (done, deadline) if m is not None]
    return day_of(min(moments)) if moments else None


def _on_time(w: _Walk, cycle: _Cycle) -> bool:
    return cycle.resolved_at is not None and (cycle.on_time or cycle.due in w.waived_dues)


def _cycle_facts(w: _Walk, case: Case, cycle: _Cycle, current: bool) -> None:
    if cycle.suspended:
        return  # 挂账 cases leave the on-time denominators (Jinhua)
    day = _due_day(cycle, _deadline(case, cycle, current), cycle.resolved_at)
    if day is None:
        return
    dept = cycle.department
    w.add(day, "due_handle", dept)
    if cycle.resolved_at is not None:
        w.add(day, "handled", dept)
    if _on_time(w, cycle):
        w.add(day, "handled_on_time", dept)
    if cycle.reworked:
        w.add(day, "reworked", dept)
    if cycle.extended:
        w.add(day, "extended", dept)


def _bucket(minutes: int) -> int:
    return min(max(minutes, 0) // 60, MAX_BUCKET_HOURS)


def _closing_facts(w: _Walk, case: Case, last: _Cycle) -> None:
    closed = w.closed_at if case.state == State.CLOSED else None
    day = _due_day(last, _deadline(case, last, True), closed)
    if day is None:
        return
    dept = last.department
    w.add(day, "due_close", dept)
    if closed is None:
        return
    w.add(day, "closed", dept)
    if _on_time(w, last):
        w.add(day, "closed_on_time", dept)
    if w.called_back:
        w.add(day, "called_back", dept)
    if w.dispatched_at is not None and last.resolved_at is not None:
        # The handling time is the handler's (the post row of who reported the handling).
        minutes = int((last.resolved_at - w.dispatched_at).total_seconds() // 60)
        w.add(day, "duration", dept, last.handler, bucket=_bucket(minutes), total=minutes)
        unit = case.condition.limit_unit if case.condition else "urgent_hours"
        counted = clock.counted_minutes(w.dispatched_at, last.resolved_at, unit)
        metric = COUNTED.get(unit, COUNTED["urgent_hours"])
        w.add(day, metric, dept, last.handler, bucket=_bucket(counted), total=counted)
    if case.rating and w.rated_at is not None:
        w.add(w.rated_at, "rated", dept)
        w.add(w.rated_at, case.rating, dept)
