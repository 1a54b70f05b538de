"""Demo data: every department is told on the console channel, so a newcomer
running `make run` sees department notifications in the worker's log."""

from suishoupai.org.models import Department, DepartmentKind

from .models import ChannelCode, DepartmentContact


def ensure_console_contacts() -> int:
    """One console contact per active department (not the centre); returns how
    many were added. Existing contacts are left as they are."""
    added = 0
    for dept in Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTRE):
        _, created = DepartmentContact.objects.get_or_create(
            department=dept, channel=ChannelCode.CONSOLE, address=f"{dept.name}值班台"
        )
        added += created
    return added
