"""`manage.py generate_history`: the rows it writes are the rows the services write.

Plans are made for a couple of thousand cases (cheap, nothing written); a sample that
covers every kind of step is written by the generator's bulk writer and read back, then
deleted and replayed through cases/services.py under time-machine, and the two sets of
rows are compared field by field.
"""

from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent, CaseNumberCounter, CaseRequest
from suishoupai.cases.services import Report
from suishoupai.cases.states import State
from suishoupai.catalog.models import Category, Subcategory
from suishoupai.city.services import load_city
from suishoupai.demo.history import Sim, Writer, plan_sample
from suishoupai.org.models import User
from suishoupai.photos.models import Photo, PhotoKind
from suishoupai.places.models import Area

pytestmark = pytest.mark.django_db(transaction=False)

END = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ALL_STEPS = {
    "submit", "accept", "reject", "dispatch", "dispatch_on", "take", "feedback",
    "request_return", "approve_return", "request_extension", "approve_extension",
    "request_suspension", "approve_suspension", "resume", "verify_pass", "verify_fail",
    "close", "urge", "mark_overdue", "callback", "rate",
}  # fmt: skip


@pytest.fixture
def harbin(settings):
    load_city(settings.BASE_DIR / "cities" / "harbin")


def _sample(sims: list[Sim]) -> list[Sim]:
    """A few cases that between them take every kind of step, and a few ordinary ones."""
    chosen: list[Sim] = []
    seen: set[str] = set()
    for sim in sims:
        kinds = {s.action for s in sim.steps}
        if kinds - seen:
            chosen.append(sim)
            seen |= kinds
    # The newest cases are still open, somewhere along their path.
    ordinary = [s for s in sims[:-10] if s not in chosen]
    newest = [s for s in sims[-10:] if s not in chosen]
    return chosen + ordinary[:: max(1, len(ordinary) // 8)][:8] + newest


CASE_SKIP = {"id", "tracking_token_hash"}


def _rows(case: Case) -> dict[str, Any]:
    """Everything the services wrote for a case, without its own ids."""
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname not in CASE_SKIP]
    row = Case.objects.filter(pk=case.pk).values(*fields).get()
    requests = list(CaseRequest.objects.filter(case=case).order_by("requested_at", "pk").values())
    order = {r["id"]: i for i, r in enumerate(requests)}
    for r in requests:
        del r["id"], r["case_id"]
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk").values())
    for e in events:
        del e["id"], e["case_id"]
        if "request" in e["data"]:
            e["data"] = {**e["data"], "request": order[e["data"]["request"]]}
    return {"case": row, "requests": requests, "events": events}


def _replay(sim: Sim, users: dict[int, User], codes: dict[str, dict[int, str]]) -> Case:
    case = None
    for step in sim.steps:
        actor = users[step.actor.pk] if step.actor else None
        kw = dict(step.kwargs)
        with time_machine.travel(step.at, tick=False):
            if step.action == "submit":
                number = sim.case["number"]
                day = datetime.strptime(number.split("-")[0], "%Y%m%d").date()
                CaseNumberCounter.objects.update_or_create(
                    day=day, defaults={"last": int(number.split("-")[1]) - 1}
                )
                r = kw["report"]
                report = Report(
                    category=codes["category"][r["category_id"]],
                    subcategory=codes["subcategory"].get(r["subcategory_id"]),
                    description=r["description"],
                    address=r["address"],
                    lat=r["lat"],
                    lng=r["lng"],
                    phone=r["phone"],
                    is_anonymous=r["is_anonymous"],
                    is_public=r["is_public"],
                    channel=r["channel"],
                )
                case, _token = services.submit(report, now=step.at)
            elif step.action == "mark_overdue":
                with services._transition(case, None, None, step.at) as t:
                    assert services._mark_overdue(t)
            else:
                kw.pop("photos", None)
                fn = getattr(services, step.action)
                args = (case, actor) if step.action != "rate" else (case,)
                fn(*args, now=step.at, **kw)
    assert case is not None
    return case


def test_generated_rows_are_the_rows_the_services_write(harbin):
    sims = plan_sample(2000, days=120, end=END, seed=7)
    kinds = Counter(s.action for sim in sims for s in sim.steps)
    assert set(kinds) >= ALL_STEPS, ALL_STEPS - set(kinds)
    sample = _sample(sims)
    writer = Writer()
    with transaction.atomic():
        writer.write(Case, [s.case for s in sample])
        writer.write(CaseRequest, [r for s in sample for r in s.requests])
        writer.write(CaseEvent, [e for s in sample for e in s.events])
        writer.write(Photo, [p for s in sample for p in s.photos])
    generated = {s.case["number"]: _rows(Case.objects.get(number=s.case["number"])) for s in sample}
    # Photos are rows whose events are the ones they came with.
    for photo in Photo.objects.select_related("event"):
        expected = {
            PhotoKind.REPORT: {"case.submitted"},
            PhotoKind.FEEDBACK: {"case.resolved"},
            PhotoKind.VERIFICATION: {"case.verified", "case.rework"},
        }[photo.kind]
        assert photo.event.action in expected and photo.event.case_id == photo.case_id
    Case.objects.all().delete()

    users = {u.pk: u for u in User.objects.all()}
    codes = {
        "category": dict(Category.objects.values_list("pk", "code")),
        "subcategory": dict(Subcategory.objects.values_list("pk", "code")),
    }
    replayed = {}
    for sim in sample:
        case = _replay(sim, users, codes)
        replayed[case.number] = _rows(case)
    assert set(replayed) == set(generated)
    for number, rows in generated.items():
        assert rows["case"] == replayed[number]["case"], number
        assert rows["requests"] == replayed[number]["requests"], number
        assert rows["events"] == replayed[number]["events"], number
    # The sample is varied: cases end in several states.
    assert len({r["case"]["state"] for r in generated.values()}) >= 3


def test_command_writes_a_history_with_the_city_shape(harbin):
    out = StringIO()
    call_command("generate_history", cases=600, days=60, end="2026-11-20T17:00", stdout=out)
    assert "600 cases" in out.getvalue()
    assert Case.objects.count() == 600
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 600
    by_district = Counter(Case.objects.values_list("district__code", flat=True))
    # Every district gets reports; the most populous (南岗) more than the least (平房).
    assert set(by_district) == set(
        Area.objects.filter(level="district").values_list("code", flat=True)
    )
    assert by_district["230103"] > by_district["230108"]
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states[State.CLOSED] > 0.7 * 600
    # The counters continue where the history stops: a new report takes the next number.
    last = max(numbers)
    day = datetime.strptime(last.split("-")[0], "%Y%m%d").date()
    assert CaseNumberCounter.objects.get(day=day).last == int(last.split("-")[1])
    # A second run adds to the history instead of clashing with it.
    call_command("generate_history", cases=50, days=5, end="2026-11-20T17:00", stdout=StringIO())
    assert Case.objects.count() == 650


def _stored_facts() -> dict[int, dict]:
    from suishoupai.stats.models import KEY_FIELDS, CaseFact

    stored: dict[int, dict] = {}
    for row in CaseFact.objects.values("case_id", "count", "total", *KEY_FIELDS):
        key = tuple(row[k] for k in KEY_FIELDS)
        stored.setdefault(row["case_id"], {})[key] = (row["count"], row["total"])
    return stored


@pytest.mark.parametrize("workers", [1, 2])
def test_generated_statistics_equal_a_recomputation_from_the_events(harbin, monkeypatch, workers):
    """The facts and daily cells the generator writes (on two runs, the second added to
    the first) are what rebuild_stats derives from the events it wrote. Two workers: the
    slices run one after the other here (a test database cannot cross a fork), each with
    its own id ranges, and their cells are summed."""
    from suishoupai.demo import history
    from suishoupai.stats import services as stats

    def in_turn(job, bounds):
        return [job.run(k, bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]

    monkeypatch.setattr(history, "_run_slices", in_turn)
    history.generate(400, days=90, end=END, seed=3, batch=150, workers=workers)
    history.generate(120, days=20, end=END, seed=4, batch=50, workers=workers)
    assert Case.objects.count() == 520
    cells, per_case = stats.recompute()
    assert (
        sum(
            c
            for (grain, _d, metric, *_rest), (c, _t) in cells.items()
            if grain == "dm" and metric == "reported"
        )
        == 520
    )
    assert stats.stored_cells() == cells
    assert _stored_facts() == {pk: facts for pk, facts in per_case.items() if facts}
