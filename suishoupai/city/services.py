"""Loading a city's reference configuration from its data files.

A city directory holds a manifest, city.json, naming the files to load: district boundaries
(GeoJSON), departments, the catalogue of categories, routing rules and the working calendar.
Nothing city-specific lives in code; another city is another directory.

The load runs in one transaction and upserts by code, so loading the same files twice changes
nothing. Rows that cases may reference are never deleted: categories, subcategories, filing
conditions and departments missing from the files are deactivated instead. Routing rules and
working periods are the exception: nothing references them, so the files replace them.
Reply templates (常用语) are only added or updated, never removed: administrators add their
own in the admin, and a template has no code to tell theirs from the file's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from suishoupai.catalog.models import (
    Category,
    FilingCondition,
    ReplyKind,
    ReplyTemplate,
    RoutingRule,
    Subcategory,
)
from suishoupai.org.models import Department
from suishoupai.places.models import Area
from suishoupai.places.services import import_geojson
from suishoupai.timelimits.models import CalendarDay, StageLimit, WorkingPeriod

MANIFEST = "city.json"
DEFAULT_PRIORITY = 100


class ReferenceDataError(Exception):
    """A city file is missing, malformed, or refers to something unknown."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file


@dataclass
class LoadResult:
    city: str
    # Per kind of row ("departments", "categories", ...): created/updated/unchanged/... counts.
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def tally(self, kind: str) -> Counter[str]:
        return self.counts.setdefault(kind, Counter())


def load_city(city_dir: Path | str) -> LoadResult:
    city_dir = Path(city_dir)
    manifest = _DataFile(city_dir, MANIFEST)
    spec = manifest.object(
        manifest.load(),
        "manifest",
        required={"name"},
        optional={
            "adcode",
            "boundaries",
            "catalog",
            "departments",
            "routing",
            "calendar",
            "reply_templates",
        },
    )
    result = LoadResult(city=str(spec["name"]))
    with transaction.atomic():
        for i, entry in enumerate(manifest.list(spec, "boundaries", optional=True)):
            _load_boundary(city_dir, manifest, f"boundaries[{i}]", entry, result)
        # Order matters: departments need areas; the catalogue and routing need departments.
        steps = [
            ("departments", _load_departments),
            ("catalog", _load_catalog),
            ("routing", _load_routing),
            ("calendar", _load_calendar),
            ("reply_templates", _load_reply_templates),
        ]
        for key, load in steps:
            if key in spec:
                load(_DataFile(city_dir, manifest.string(spec, key, "manifest")), result)
    return result


class _DataFile:
    """One file of a city directory, and errors that name it."""

    def __init__(self, city_dir: Path, name: str) -> None:
        self.name = name
        self.path = city_dir / name

    def error(self, message: str) -> ReferenceDataError:
        return ReferenceDataError(self.name, message)

    def load(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self.error("file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error(f"cannot read the file: {exc}") from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.error(f"not valid JSON: {exc}") from exc

    def object(
        self, value: Any, where: str, *, required: set[str], optional: Iterable[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(f"{where}: expected a JSON object")
        # "notes" is documentation for the people who edit the file.
        allowed = required | set(optional) | {"notes"}
        if missing := sorted(required - value.keys()):
            raise self.error(f"{where}: missing {', '.join(missing)}")
        if unknown := sorted(value.keys() - allowed):
            raise self.error(f"{where}: unknown key {', '.join(unknown)}")
        return value

    def list(self, value: dict[str, Any], key: str, *, optional: bool = False) -> list[Any]:
        items = value.get(key, [] if optional else None)
        if not isinstance(items, list):
            raise self.error(f"{key}: expected a list")
        return items

    def string(self, value: dict[str, Any], key: str, where: str) -> str:
        item = value[key]
        if not isinstance(item, str) or not item:
            raise self.error(f"{where}: {key} must be a non-empty string")
        return item

    def clean(
        self, model: type[models.Model], where: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Convert and check values with the model's own field rules (slug, choices, length)."""
        cleaned = {}
        for name, value in values.items():
            model_field = model._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            try:
                cleaned[name] = model_field.clean(value, None)
            except ValidationError as exc:
                raise self.error(f"{where}: {name} {value!r}: {' '.join(exc.messages)}") from exc
        return cleaned


def _where(list_name: str, index: int, entry: Any) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    return f"{list_name}[{index}] {code!r}" if code else f"{list_name}[{index}]"


def _upsert(
    model: type[models.Model], key: dict[str, Any], values: dict[str, Any], tally: Counter[str]
) -> Any:
    obj = model._default_manager.filter(**key).first()
    if obj is None:
        tally["created"] += 1
        return model._default_manager.create(**key, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        tally["updated"] += 1
    else:
        tally["unchanged"] += 1
    return obj


def _deactivate_missing(model: type[models.Model], codes: set[str], tally: Counter[str]) -> None:
    stale = model._default_manager.exclude(code__in=codes).filter(active=True)
    tally["deactivated"] += stale.update(active=False)


def _area_ids(data_file: _DataFile, wanted: dict[str, str]) -> dict[str, int]:
    """Area ids by code; `wanted` maps each code to where the file uses it."""
    found = dict(Area.objects.filter(code__in=wanted).values_list("code", "pk"))
    for code, where in wanted.items():
        if code not in found:
            raise data_file.error(f"{where}: unknown district (area code) {code!r}")
    return found


def _active_department_ids() -> dict[str, int]:
    return dict(Department.objects.filter(active=True).values_list("code", "pk"))


def _code_or_none(value: Any) -> str | None:
    # Area codes are often numbers in GeoJSON (adcode 230102); accept either form.
    return None if value is None else str(value)


# --- boundaries ---------------------------------------------------------------------------


def _load_boundary(
    city_dir: Path, manifest: _DataFile, where: str, entry: Any, result: LoadResult
) -> None:
    spec = manifest.object(
        entry,
        where,
        required={"file", "level"},
        optional={
            "crs",
            "code_property",
            "name_property",
            "name_en_property",
            "parent_code",
            "parent_property",
            "only_codes",
        },
    )
    geojson = _DataFile(city_dir, manifest.string(spec, "file", where))
    data = geojson.load()
    options = {k: v for k, v in spec.items() if k not in {"file", "notes"}}
    if "only_codes" in options:
        options["only_codes"] = {str(code) for code in options["only_codes"]}
    try:
        imported = import_geojson(data, **options)
    except (ValueError, TypeError) as exc:
        raise geojson.error(f"cannot import {spec['level']} boundaries: {exc}") from exc
    tally = result.tally("areas")
    tally["created"] += imported.created
    tally["updated"] += imported.updated
    tally["unchanged"] += imported.unchanged


# --- departments --------------------------------------------------------------------------


def _load_departments(data_file: _DataFile, result: LoadResult) -> None:
    root = data_file.object(data_file.load(), "file", required={"departments"})
    entries = {}
    for i, entry in enumerate(data_file.list(root, "departments")):
        where = _where("departments", i, entry)
        spec = data_file.object(
            entry,
            where,
            required={"code", "name", "kind"},
            optional={"name_en", "parent", "district", "phone", "active"},
        )
        if not isinstance(spec["code"], str):
            raise data_file.error(f"{where}: code must be a string")
        if spec["code"] in entries:
            raise data_file.error(f"{where}: duplicate department code {spec['code']!r}")
        entries[spec["code"]] = (where, spec)

    areas = _area_ids(
        data_file,
        {
            str(spec["district"]): where
            for where, spec in entries.values()
            if spec.get("district") is not None
        },
    )
    tally = result.tally("departments")
    ids: dict[str, int] = {}
    for code in _parents_first(data_file, entries):
        where, spec = entries[code]
        values = data_file.clean(
            Department,
            where,
            {
                "code": code,
                "name": spec["name"],
                "name_en": spec.get("name_en", ""),
                "kind": spec["kind"],
                "phone": spec.get("phone") or "",
                "active": spec.get("active", True),
            },
        )
        values["parent_id"] = ids[spec["parent"]] if spec.get("parent") else None
        district = _code_or_none(spec.get("district"))
        values["district_id"] = areas[district] if district else None
        ids[code] = _upsert(Department, {"code": values.pop("code")}, values, tally).pk
    _deactivate_missing(Department, set(entries), tally)


def _parents_first(
    data_file: _DataFile, entries: dict[str, tuple[str, dict[str, Any]]]
) -> list[str]:
    ordered: list[str] = []
    placed: set[str] = set()
    for start in entries:
        chain: list[str] = []
        code: str | None = start
        while code is not None and code not in placed:
            if code in chain:
                raise data_file.error(f"{entries[code][0]}: parent cycle {' → '.join(chain)}")
            chain.append(code)
            parent = entries[code][1].get("parent")
            if parent is not None and parent not in entries:
                raise data_file.error(f"{entries[code][0]}: unknown parent {parent!r}")
            code = parent
        for code in reversed(chain):
            ordered.append(code)
            placed.add(code)
    return ordered


# --- catalogue ----------------------------------------------------------------------------


def _load_catalog(data_file: _DataFile, result: LoadResult) -> None:
    root = data_file.object(data_file.load(), "file", required={"categories"})
    loader = _CatalogLoader(data_file, result)
    for i, entry in enumerate(data_file.list(root, "categories")):
        loader.category(_where("categories", i, entry), i, entry)
    for model, (_, plural) in _CATALOG_NAMES.items():
        _deactivate_missing(model, loader.codes[model], result.tally(plural))


# Singular for messages, plural for the summary; English whatever the active language.
_CATALOG_NAMES: dict[type[models.Model], tuple[str, str]] = {
    Category: ("category", "categories"),
    Subcategory: ("subcategory", "subcategories"),
    FilingCondition: ("condition", "conditions"),
}


class _CatalogLoader:
    """Walks the category → subcategory → condition tree, upserting each entry by code."""

    def __init__(self, data_file: _DataFile, result: LoadResult) -> None:
        self.file = data_file
        self.result = result
        self.departments = _active_department_ids()
        self.codes: dict[type[models.Model], set[str]] = {
            Category: set(),
            Subcategory: set(),
            FilingCondition: set(),
        }

    def category(self, where: str, index: int, entry: Any) -> None:
        spec = self.file.object(
            entry,
            where,
            required={"code", "name", "kind", "subcategories"},
            optional={
                "name_en",
                "icon",
                "hint",
                "hint_en",
                "coarse_location",
                "sort_order",
                "active",
            },
        )
        values = {
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "kind": spec["kind"],
            "icon": spec.get("icon", ""),
            "hint": spec.get("hint", ""),
            "hint_en": spec.get("hint_en", ""),
            "coarse_location": spec.get("coarse_location", False),
        }
        category = self._upsert(Category, where, index, spec, values)
        for i, sub in enumerate(self.file.list(spec, "subcategories")):
            self.subcategory(f"{where} → {_where('subcategories', i, sub)}", i, sub, category)

    def subcategory(self, where: str, index: int, entry: Any, category: Category) -> None:
        spec = self.file.object(
            entry,
            where,
            required={"code", "name", "conditions"},
            optional={"name_en", "hint", "sort_order", "active"},
        )
        values = {
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "hint": spec.get("hint", ""),
        }
        subcategory = self._upsert(Subcategory, where, index, spec, values, category_id=category.pk)
        for i, cond in enumerate(self.file.list(spec, "conditions")):
            self.condition(f"{where} → {_where('conditions', i, cond)}", i, cond, subcategory)

    def condition(self, where: str, index: int, entry: Any, subcategory: Subcategory) -> None:
        spec = self.file.object(
            entry,
            where,
            required={"code", "description", "limit_amount", "limit_unit", "closing_criterion"},
            optional={"default_department", "sort_order", "active"},
        )
        amount = self.file.clean(FilingCondition, where, {"limit_amount": spec["limit_amount"]})
        if amount["limit_amount"] <= 0:
            raise self.file.error(f"{where}: limit_amount must be greater than zero")
        values = {
            "description": spec["description"],
            **amount,
            "limit_unit": spec["limit_unit"],
            "closing_criterion": spec["closing_criterion"],
        }
        department = spec.get("default_department")
        if department is not None and department not in self.departments:
            raise self.file.error(f"{where}: unknown department {department!r}")
        self._upsert(
            FilingCondition,
            where,
            index,
            spec,
            values,
            subcategory_id=subcategory.pk,
            default_department_id=self.departments.get(department) if department else None,
        )

    def _upsert(
        self,
        model: type[models.Model],
        where: str,
        index: int,
        spec: dict[str, Any],
        values: dict[str, Any],
        **relations: int | None,
    ) -> Any:
        values = self.file.clean(
            model,
            where,
            {
                "code": spec["code"],
                **values,
                # Without an explicit order, entries keep the order of the file.
                "sort_order": spec.get("sort_order", (index + 1) * 10),
                "active": spec.get("active", True),
            },
        )
        code = values.pop("code")
        singular, plural = _CATALOG_NAMES[model]
        if code in self.codes[model]:
            raise self.file.error(f"{where}: duplicate {singular} code {code!r}")
        self.codes[model].add(code)
        return _upsert(model, {"code": code}, {**values, **relations}, self.result.tally(plural))


# --- routing ------------------------------------------------------------------------------


def _load_routing(data_file: _DataFile, result: LoadResult) -> None:
    root = data_file.object(data_file.load(), "file", required={"rules"})
    categories = dict(Category.objects.filter(active=True).values_list("code", "pk"))
    subcategories = {
        code: (pk, category_id)
        for code, pk, category_id in Subcategory.objects.filter(active=True).values_list(
            "code", "pk", "category_id"
        )
    }
    departments = _active_department_ids()
    entries = [
        (
            f"rules[{i}]",
            data_file.object(
                entry,
                f"rules[{i}]",
                required={"department"},
                optional={"category", "subcategory", "district", "priority"},
            ),
        )
        for i, entry in enumerate(data_file.list(root, "rules"))
    ]
    areas = _area_ids(
        data_file,
        {
            str(spec["district"]): where
            for where, spec in entries
            if spec.get("district") is not None
        },
    )

    # A rule is identified by its scope and priority: two rules sharing both would make
    # routing depend on row order, so the file may not contain such a pair.
    wanted: dict[tuple[int, int | None, int | None, int], int] = {}
    for where, spec in entries:
        category_id, subcategory_id = _rule_scope(data_file, where, spec, categories, subcategories)
        if spec["department"] not in departments:
            raise data_file.error(f"{where}: unknown department {spec['department']!r}")
        priority = data_file.clean(
            RoutingRule, where, {"priority": spec.get("priority", DEFAULT_PRIORITY)}
        )["priority"]
        district = _code_or_none(spec.get("district"))
        key = (category_id, subcategory_id, areas[district] if district else None, priority)
        if key in wanted:
            raise data_file.error(f"{where}: duplicate rule (same scope and priority)")
        wanted[key] = departments[spec["department"]]
    _replace_rules(wanted, result.tally("routing rules"))


def _rule_scope(
    data_file: _DataFile,
    where: str,
    spec: dict[str, Any],
    categories: dict[str, int],
    subcategories: dict[str, tuple[int, int]],
) -> tuple[int, int | None]:
    category_code, subcategory_code = spec.get("category"), spec.get("subcategory")
    if subcategory_code is not None:
        if subcategory_code not in subcategories:
            raise data_file.error(f"{where}: unknown subcategory {subcategory_code!r}")
        subcategory_id, category_id = subcategories[subcategory_code]
        if category_code is not None and categories.get(category_code) != category_id:
            raise data_file.error(
                f"{where}: subcategory {subcategory_code!r} is not in category {category_code!r}"
            )
        return category_id, subcategory_id
    if category_code is None:
        raise data_file.error(f"{where}: needs a category or a subcategory")
    if category_code not in categories:
        raise data_file.error(f"{where}: unknown category {category_code!r}")
    return categories[category_code], None


def _replace_rules(
    wanted: dict[tuple[int, int | None, int | None, int], int], tally: Counter[str]
) -> None:
    remaining = dict(wanted)
    for rule in RoutingRule.objects.order_by("pk"):
        key = (rule.category_id, rule.subcategory_id, rule.district_id, rule.priority)
        department_id = remaining.pop(key, None)
        if department_id is None:
            rule.delete()
            tally["deleted"] += 1
        elif rule.department_id != department_id:
            rule.department_id = department_id
            rule.save(update_fields=["department"])
            tally["updated"] += 1
        else:
            tally["unchanged"] += 1
    for (category_id, subcategory_id, district_id, priority), department_id in remaining.items():
        RoutingRule.objects.create(
            category_id=category_id,
            subcategory_id=subcategory_id,
            district_id=district_id,
            priority=priority,
            department_id=department_id,
        )
        tally["created"] += 1


# --- calendar -----------------------------------------------------------------------------


def _load_calendar(data_file: _DataFile, result: LoadResult) -> None:
    root = data_file.object(
        data_file.load(),
        "file",
        required=set(),
        optional={"working_periods", "stage_limits", "calendar_days"},
    )
    if "working_periods" in root:
        _load_working_periods(data_file, data_file.list(root, "working_periods"), result)
    for i, entry in enumerate(data_file.list(root, "stage_limits", optional=True)):
        where = f"stage_limits[{i}]"
        spec = data_file.object(entry, where, required={"stage", "amount", "unit"})
        values = data_file.clean(
            StageLimit,
            where,
            {"stage": spec["stage"], "amount": spec["amount"], "unit": spec["unit"]},
        )
        if values["amount"] <= 0:
            raise data_file.error(f"{where}: amount must be greater than zero")
        _upsert(StageLimit, {"stage": values.pop("stage")}, values, result.tally("stage limits"))
    # Days are upserted, never removed: an admin's local day off survives a reload.
    days = data_file.list(root, "calendar_days", optional=True)
    seen: set[str] = set()
    for i, entry in enumerate(days):
        where = f"calendar_days[{i}]"
        spec = data_file.object(entry, where, required={"date", "kind"}, optional={"note"})
        values = data_file.clean(
            CalendarDay,
            where,
            {"date": spec["date"], "kind": spec["kind"], "note": spec.get("note", "")},
        )
        if str(values["date"]) in seen:
            raise data_file.error(f"{where}: duplicate date {spec['date']!r}")
        seen.add(str(values["date"]))
        _upsert(CalendarDay, {"date": values.pop("date")}, values, result.tally("calendar days"))


def _load_working_periods(data_file: _DataFile, entries: list[Any], result: LoadResult) -> None:
    if not entries:
        raise data_file.error("working_periods: a working day needs at least one period")
    periods = []
    for i, entry in enumerate(entries):
        where = f"working_periods[{i}]"
        if not (isinstance(entry, list) and len(entry) == 2):
            raise data_file.error(f'{where}: expected ["HH:MM", "HH:MM"]')
        values = data_file.clean(WorkingPeriod, where, {"start": entry[0], "end": entry[1]})
        if values["start"] >= values["end"]:
            raise data_file.error(f"{where}: ends before it starts")
        periods.append((values["start"], values["end"]))
    periods.sort()
    for (_, end), (start, _) in pairwise(periods):
        if start < end:
            raise data_file.error("working_periods: periods overlap")
    # The file defines the whole working day, so periods not in it are removed.
    tally = result.tally("working periods")
    remaining = set(periods)
    for period in WorkingPeriod.objects.order_by("pk"):
        if (period.start, period.end) in remaining:
            remaining.discard((period.start, period.end))
            tally["unchanged"] += 1
        else:
            period.delete()
            tally["deleted"] += 1
    for start, end in sorted(remaining):
        WorkingPeriod.objects.create(start=start, end=end)
        tally["created"] += 1


# --- reply templates (常用语) ---------------------------------------------------------------


def _load_reply_templates(data_file: _DataFile, result: LoadResult) -> None:
    root = data_file.object(data_file.load(), "file", required={"reply_templates"})
    departments = _active_department_ids()
    tally = result.tally("reply templates")
    for i, entry in enumerate(data_file.list(root, "reply_templates")):
        where = f"reply_templates[{i}]"
        spec = data_file.object(
            entry, where, required={"kind", "text"}, optional={"department", "sort_order"}
        )
        if spec["kind"] not in ReplyKind.values:
            raise data_file.error(f"{where}: unknown kind {spec['kind']!r}")
        dept = spec.get("department")
        if dept is not None and dept not in departments:
            raise data_file.error(f"{where}: unknown department {dept!r}")
        values = data_file.clean(
            ReplyTemplate,
            where,
            {"text": spec["text"], "sort_order": spec.get("sort_order", (i + 1) * 10)},
        )
        key = {
            "kind": spec["kind"],
            "text": values.pop("text"),
            "department_id": departments[dept] if dept else None,
        }
        # `active` is left alone: a template an administrator switched off stays off.
        _upsert(ReplyTemplate, key, values, tally)
