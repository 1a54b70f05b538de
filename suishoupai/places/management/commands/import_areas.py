import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suishoupai.places.coords import CoordSystem
from suishoupai.places.models import Area, AreaLevel
from suishoupai.places.services import ImportResult, import_geojson


class Command(BaseCommand):
    help = "Create or update areas from a GeoJSON FeatureCollection of polygons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection")
        parser.add_argument("--level", required=True, choices=AreaLevel.values)
        parser.add_argument(
            "--crs",
            default=CoordSystem.WGS84.value,
            choices=[s.value for s in CoordSystem],
            help="coordinate system of the file (default: wgs84)",
        )
        parser.add_argument("--code-property", default="adcode")
        parser.add_argument("--name-property", default="name")
        parser.add_argument(
            "--name-en-property",
            default="name_en",
            help="feature property holding the English name, shown in the English interface",
        )
        parents = parser.add_mutually_exclusive_group()
        parents.add_argument("--parent", metavar="CODE", help="parent area of every feature")
        parents.add_argument("--parent-property", help="feature property holding the parent code")
        parser.add_argument("--only", metavar="CODE,CODE", help="import only these codes")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_geojson(
                _read(options["file"]),
                level=options["level"],
                crs=options["crs"],
                code_property=options["code_property"],
                name_property=options["name_property"],
                name_en_property=options["name_en_property"],
                parent_code=options["parent"],
                parent_property=options["parent_property"],
                only_codes=_codes(options["only"]),
            )
        except ValueError as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        self._report(result)

    def _report(self, result: ImportResult) -> None:
        names = dict(
            Area.objects.filter(code__in=result.created_codes + result.updated_codes).values_list(
                "code", "name"
            )
        )
        for verb, codes in (("created", result.created_codes), ("updated", result.updated_codes)):
            for code in codes:
                self.stdout.write(f"{verb} {code} {names.get(code, '')}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.skipped} skipped"
            )
        )


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} is not UTF-8 JSON: {exc}") from exc


def _codes(value: str | None) -> set[str] | None:
    if value is None:
        return None
    codes = {code.strip() for code in value.split(",") if code.strip()}
    if not codes:
        raise CommandError("--only needs at least one code")
    return codes
