"""The console's menu: which queues a post works from, with the number waiting in each."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from suishoupai.cases import policy, selectors
from suishoupai.cases.models import Case, CaseRequest, Decision
from suishoupai.cases.selectors import CaseFilter
from suishoupai.cases.states import State
from suishoupai.org.models import Role, User


@dataclass(frozen=True)
class Item:
    url_name: str
    label: str | Promise
    roles: frozenset[str]


ITEMS = [
    Item("console:intake", _("Intake"), policy.INTAKE),
    Item("console:dispatch", _("Dispatch"), policy.DISPATCHERS),
    Item("console:department", _("Handling"), policy.DEPARTMENTS),
    Item("console:lead", _("Shift lead"), policy.LEADS),
    Item("console:verify", _("Verification"), policy.INSPECTORS),
    Item("console:overdue", _("Overdue"), policy.SUPERVISORS),
]


def _waiting(user: User, url_name: str) -> int:
    """How many items wait in a queue: the number in the menu."""
    queue = selectors.staff_queue
    counts: dict[str, QuerySet[Case]] = {
        "console:intake": queue(user, CaseFilter(state=State.SUBMITTED)),
        "console:dispatch": queue(user, CaseFilter(state=State.FILED)),
        "console:department": queue(user, CaseFilter(), todo=True),
        "console:verify": queue(user, CaseFilter(state=State.RESOLVED)),
        "console:overdue": queue(user, CaseFilter(family="open", overdue=True)),
    }
    if url_name == "console:lead":
        todo = queue(user, CaseFilter(), todo=True)
        requests = CaseRequest.objects.filter(
            decision=Decision.PENDING, case__in=Case.objects.visible_to(user)
        )
        return todo.filter(state__in=[State.VERIFIED, State.CLOSED]).count() + requests.count()
    return counts[url_name].count()


def items_for(user: User) -> list[Item]:
    return [i for i in ITEMS if policy.has_post(user, i.roles)]


# The dashboard (dashboard.py): no count, it is not a queue.
DASHBOARD_POSTS = frozenset({Role.LEADER, Role.SHIFT_LEAD, Role.ADMIN, Role.HANDLER})


def may_see_dashboard(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in DASHBOARD_POSTS)


def menu(user: User, current_path: str) -> list[dict]:
    found = []
    if may_see_dashboard(user):
        url = reverse("console:dashboard")
        found.append(
            {
                "url": url,
                "label": _("Dashboard"),
                "count": 0,
                "current": current_path.startswith(url),
            }
        )
    for item in items_for(user):
        url = reverse(item.url_name)
        found.append(
            {
                "url": url,
                "label": item.label,
                "count": _waiting(user, item.url_name),
                "current": current_path.startswith(url),
            }
        )
    return found


def home_url(user: User) -> str:
    """The first queue of the person's post; search for posts without one (admin)."""
    items = items_for(user)
    return reverse(items[0].url_name) if items else "/console/search/"
