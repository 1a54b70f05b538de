from django.core.management.base import BaseCommand, CommandError

from suishoupai.org.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a staff API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a label to recognise the token by")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _token, raw = ApiToken.issue(user, name)
        self.stdout.write(raw)
