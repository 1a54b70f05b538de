"""Keeping the rollups: one case's facts again after each event, and a full rebuild.

On every recorded event (inside the transition's transaction) the case's facts are
derived again from all its events (facts.facts_for: a case has tens of events), compared
with the ones stored for it, and the difference is added to the daily cells. A failure
rolls the move back with it, so the cells always equal a recomputation from the events
(tests/test_rollup_properties.py). `rebuild` recomputes everything from scratch.

The difference is **inserted** as new cell rows, never written onto an existing row:
every report of a day in one district and category shares its "reported" cell, and an
UPDATE would hold that row's lock until the report commits, after its photos went to
the store (the very queue test_burst.py guards against). Readers sum the rows of a key
anyway; `compact` (every few minutes) merges a key's rows back into one.
"""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import Count, Q, Sum

from suishoupai.cases.models import Case, CaseEvent

from .facts import DURATIONS, Facts, facts_for
from .models import CELL_FIELDS, KEY_FIELDS, CaseFact, DailyCell

# A fact's full key: (day, metric, district, category, subcategory, channel, dept, person,
# bucket); a cell's key has its grain first.
CellKey = tuple
# What each grain keeps of a fact (the department always, for scoped reads); "p" only
# facts with a person; "b" and "k" only durations (their buckets are the histograms of
# the districts and the categories: the medians). The subcategory, channel and person
# grains keep the bucket themselves (only durations have one): their own histograms.
GRAINS = {
    "d": ("district",),
    "c": ("category",),
    "s": ("subcategory", "bucket"),
    "h": ("channel", "bucket"),
    "p": ("person", "bucket"),
    "b": ("district", "bucket"),
    "k": ("category", "bucket"),
}
HISTOGRAMS = ("b", "k")
_AT = {name: i for i, name in enumerate(KEY_FIELDS)}


def expand(key: CellKey) -> list[CellKey]:
    """The cell keys one fact counts in: each grain, by day and by month."""
    cells = []
    day, metric = key[0], key[1]
    for grain, kept in GRAINS.items():
        if grain == "p" and not key[_AT["person"]]:
            continue
        if grain in HISTOGRAMS and metric not in DURATIONS:
            continue
        dims = [key[_AT[f]] if f in kept else ("" if f == "channel" else 0) for f in KEY_FIELDS[2:]]
        dims[_AT["department"] - 2] = key[_AT["department"]]
        cells.append((grain, day, metric, *dims))
        cells.append((grain + "m", day.replace(day=1), metric, *dims))
    return cells


def _expand_all(facts: dict[CellKey, tuple[int, int]]) -> dict[CellKey, list[int]]:
    cells: dict[CellKey, list[int]] = {}
    for key, (count, total) in facts.items():
        for cell in expand(key):
            acc = cells.setdefault(cell, [0, 0])
            acc[0] += count
            acc[1] += total
    return cells


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
    changed = list(delta)
    DailyCell.objects.bulk_create(
        DailyCell(**dict(zip(CELL_FIELDS, k, strict=True)), count=c, total=t)
        for k, (c, t) in _expand_all(delta).items()
        if c or t
    )
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


def compact(batch: int = 500) -> int:
    """Merge each key's cell rows into one; returns how many rows went away.

    Only rows this transaction locked are deleted and summed: a row another compaction
    merged first is skipped (PostgreSQL skips rows deleted while it waited), and the new
    rows events insert meanwhile are left for the next run. Nothing is counted twice."""
    duplicated = (
        DailyCell.objects.values(*CELL_FIELDS).annotate(rows=Count("pk")).filter(rows__gt=1)
    )
    keys = [tuple(row[k] for k in CELL_FIELDS) for row in duplicated]
    removed = 0
    for i in range(0, len(keys), batch):
        removed += _merge(keys[i : i + batch])
    return removed


def _merge(keys: list[CellKey]) -> int:
    where = Q()
    for key in keys:
        where |= Q(**dict(zip(CELL_FIELDS, key, strict=True)))
    with transaction.atomic():
        rows = list(DailyCell.objects.select_for_update().filter(where).order_by("pk"))
        sums: dict[CellKey, list[int]] = {}
        for row in rows:
            acc = sums.setdefault(tuple(getattr(row, k) for k in CELL_FIELDS), [0, 0])
            acc[0] += row.count
            acc[1] += row.total
        DailyCell.objects.filter(pk__in=[r.pk for r in rows]).delete()
        DailyCell.objects.bulk_create(
            DailyCell(**dict(zip(CELL_FIELDS, k, strict=True)), count=c, total=t)
            for k, (c, t) in sums.items()
            if c or t
        )
    return len(rows) - sum(1 for c, t in sums.values() if c or t)


def stored_cells() -> dict[CellKey, tuple[int, int]]:
    """The cells as readers see them: each key's rows summed."""
    sums = DailyCell.objects.values(*CELL_FIELDS).annotate(c=Sum("count"), t=Sum("total"))
    found = {tuple(row[k] for k in CELL_FIELDS): (row["c"], row["t"]) for row in sums}
    return {k: v for k, v in found.items() if v != (0, 0)}


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
        for key, (count, total) in _expand_all(facts).items():
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
            facts = cell_facts(case, facts_for(case, events))
            for key, (count, total) in facts.items():
                where = dict(zip(KEY_FIELDS, key, strict=True))
                batch.append(CaseFact(case_id=case.pk, **where, count=count, total=total))
            for key, (count, total) in _expand_all(facts).items():
                sums = cells.setdefault(key, [0, 0])
                sums[0] += count
                sums[1] += total
            if len(batch) >= chunk:
                CaseFact.objects.bulk_create(batch)
                batch = []
        CaseFact.objects.bulk_create(batch)
        DailyCell.objects.bulk_create(
            (
                DailyCell(**dict(zip(CELL_FIELDS, k, strict=True)), count=c, total=t)
                for k, (c, t) in cells.items()
                if c or t
            ),
            batch_size=chunk,
        )
    return len(cells)
