from typing import Any

from django.core.management.base import BaseCommand, CommandError

from suishoupai.cases.states import State
from suishoupai.demo.services import PASSWORD, MissingReference, load_demo
from suishoupai.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create demo users for every role and demo cases in every state, through the real "
        "transitions. Run after load_reference. Safe to run again: existing users are kept, "
        "and no case is added once any case exists."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo()
        except MissingReference as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            # Only possible when someone changed a demo user's role or department.
            raise CommandError(f"A demo step was refused: {exc.message}") from exc
        if result.users_created:
            names = ", ".join(result.users_created)
            self.stdout.write(f"Users created: {names} (password: {PASSWORD})")
        if result.users_kept:
            self.stdout.write(f"Users kept as they were: {', '.join(result.users_kept)}")
        if result.cases_skipped:
            self.stdout.write("Cases already exist: no demo cases added.")
            return
        counts = result.cases_by_state
        parts = [f"{counts[s]} {s}" for s in State.values if counts[s]]
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Demo cases created: {total}"))
        self.stdout.write(f"  {', '.join(parts)}")
        self.stdout.write(f"  {len(result.overdue)} overdue: {', '.join(result.overdue)}")
