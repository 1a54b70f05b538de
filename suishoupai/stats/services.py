"""Keeping the rollups: one case's facts again after each event, and a full rebuild.

On every recorded event (inside the transition's transaction) the case's facts are
derived again from all its events (facts.facts_for: a case has tens of events), compared
with the ones stored for it, and the daily cells change by the difference. A failure
rolls the move back with it, so the cells always equal a recomputation from the events
(tests/test_rollup_properties.py). `rebuild` recomputes everything from scratch.
"""

from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.db.models import F

from suishoupai.cases.models import Case, CaseEvent

from .facts import Facts, facts_for
from .models import KEY_FIELDS, CaseFact, DailyCell

# A full key: the case's dimensions and a fact's key.
CellKey = tuple  # (day, metric, district, category, subcategory, channel, dept, person, bucket)


def _dims(case: Case) -> tuple[int, int, int, str]:
    return (case.district_id or 0, case.category_id or 0, case.subcategory_id or 0, case.channel)


def cell_facts(case: Case, facts: Facts) -> dict[CellKey, tuple[int, int]]:
    district, category, subcategory, channel = _dims(case)
    return {
        (day, metric, district, category, subcategory, channel, dept, person, bucket): value
        for (day, metric, dept, person, bucket), value in facts.items()
    }


def case_events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("at", "pk"))


def on_event_recorded(sender: object, event: CaseEvent, **kwargs: object) -> None:
    refresh_case(event.case)


def refresh_case(case: Case) -> None:
    """Bring one case's facts and the cells up to date with its events."""
    new = cell_facts(case, facts_for(case, case_events(case)))
    stored = CaseFact.objects.filter(case_id=case.pk)
    old = {tuple(getattr(f, k) for k in KEY_FIELDS): (f.count, f.total) for f in stored}
    if new == old:
        return
    delta: dict[CellKey, tuple[int, int]] = {}
    for key in old.keys() | new.keys():
        (nc, nt), (oc, ot) = new.get(key, (0, 0)), old.get(key, (0, 0))
        if (nc, nt) != (oc, ot):
            delta[key] = (nc - oc, nt - ot)
    changed = [k for k in delta]
    for key in sorted(changed):  # one order everywhere: two transactions never deadlock
        _bump(key, *delta[key])
    _replace_facts(case, old, new, changed)


def _replace_facts(case: Case, old: dict, new: dict, changed: list[CellKey]) -> None:
    gone = [k for k in changed if k in old]
    for key in gone:
        CaseFact.objects.filter(case_id=case.pk, **dict(zip(KEY_FIELDS, key, strict=True))).delete()
    CaseFact.objects.bulk_create(
        CaseFact(case_id=case.pk, **dict(zip(KEY_FIELDS, k, strict=True)), count=c, total=t)
        for k in changed
        if k in new
        for c, t in [new[k]]
    )


def _bump(key: CellKey, count: int, total: int) -> None:
    where = dict(zip(KEY_FIELDS, key, strict=True))
    cells = DailyCell.objects.filter(**where)
    if cells.update(count=F("count") + count, total=F("total") + total):
        cells.filter(count=0, total=0).delete()
        return
    try:
        with transaction.atomic():
            DailyCell.objects.create(**where, count=count, total=total)
    except IntegrityError:  # another transaction created the cell first
        cells.update(count=F("count") + count, total=F("total") + total)


def histories(chunk: int = 1000) -> Iterator[tuple[Case, list[CaseEvent]]]:
    """Every case with its events in order, a chunk of cases per two queries."""
    pks = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(pks), chunk):
        part = pks[i : i + chunk]
        cases = Case.objects.select_related("condition").in_bulk(part)
        events: dict[int, list[CaseEvent]] = {pk: [] for pk in part}
        for ev in CaseEvent.objects.filter(case_id__in=part).order_by("case_id", "at", "pk"):
            events[ev.case_id].append(ev)
        for pk in part:
            yield cases[pk], events[pk]


def recompute() -> tuple[dict[CellKey, tuple[int, int]], dict[int, dict]]:
    """Cells and per-case facts computed from the events alone (rebuild, tests)."""
    cells: dict[CellKey, list[int]] = {}
    per_case: dict[int, dict] = {}
    for case, events in histories():
        facts = cell_facts(case, facts_for(case, events))
        per_case[case.pk] = facts
        for key, (count, total) in facts.items():
            sums = cells.setdefault(key, [0, 0])
            sums[0] += count
            sums[1] += total
    return {k: (c, t) for k, (c, t) in cells.items() if c or t}, per_case


def rebuild(chunk: int = 2000) -> int:
    """Drop every rollup and recompute it from the events; returns the number of cells.

    Streams: case facts are written a chunk at a time, only the cells stay in memory."""
    cells: dict[CellKey, list[int]] = {}
    batch: list[CaseFact] = []
    with transaction.atomic():
        CaseFact.objects.all().delete()
        DailyCell.objects.all().delete()
        for case, events in histories(chunk):
            for key, (count, total) in cell_facts(case, facts_for(case, events)).items():
                where = dict(zip(KEY_FIELDS, key, strict=True))
                batch.append(CaseFact(case_id=case.pk, **where, count=count, total=total))
                sums = cells.setdefault(key, [0, 0])
                sums[0] += count
                sums[1] += total
            if len(batch) >= chunk:
                CaseFact.objects.bulk_create(batch)
                batch = []
        CaseFact.objects.bulk_create(batch)
        DailyCell.objects.bulk_create(
            (
                DailyCell(**dict(zip(KEY_FIELDS, k, strict=True)), count=c, total=t)
                for k, (c, t) in cells.items()
                if c or t
            ),
            batch_size=chunk,
        )
    return len(cells)
