from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suishoupai.ops.backup import BackupError, has_cases, restore, restored_counts


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this install: the database and "
        "the photo files. Stop the web server and the task consumer first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a database that already holds cases (they are lost)",
        )

    def handle(self, *args, path: str, replace: bool, **options):
        archive = Path(path)
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist")
        if has_cases() and not replace:
            raise CommandError(
                "this database already holds cases; restoring would replace them. "
                "Add --replace if that is what you want."
            )
        try:
            manifest = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = restored_counts()
        if counts != manifest["counts"]:
            raise CommandError(f"restored {counts}, but the backup holds {manifest['counts']}")
        self.stdout.write(
            f"restored {counts['cases']} cases, {counts['events']} events, "
            f"{counts['photos']} photos and {len(manifest['files'])} photo files from {archive}"
        )
        if manifest["missing"]:
            self.stdout.write(
                f"{len(manifest['missing'])} public copies were not in the backup: "
                "they are made again when the task consumer starts"
            )
