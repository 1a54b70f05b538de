from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from suishoupai.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the photo store together into one archive "
        "(default: DATA_DIR/backups/suishoupai-<time>.tar; end the name in .tar.gz to compress)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the archive")

    def handle(self, *args, path: str | None, **options):
        target = Path(path) if path else self._default_path()
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest["counts"]
        self.stdout.write(
            f"{target}: {counts['cases']} cases, {counts['events']} events, "
            f"{counts['photos']} photos in {len(manifest['files'])} files"
        )
        originals = [m for m in manifest["missing"] if m["field"] == "original"]
        for gone in manifest["missing"]:
            self.stderr.write(f"missing in the photo store: {gone['name']} (photo {gone['photo']})")
        if originals:
            raise CommandError(f"{len(originals)} original photos are missing from the store")

    def _default_path(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path(settings.DATA_DIR) / "backups" / f"suishoupai-{stamp}.tar"
