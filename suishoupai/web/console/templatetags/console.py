from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.org.models import Role, User
from suishoupai.timelimits.models import LimitUnit
from suishoupai.timelimits.selectors import limit_words as _limit_words

from .. import navigation

register = template.Library()


@register.inclusion_tag("console/_nav.html", takes_context=True)
def console_nav(context) -> dict:
    """The menu with counts, for every console page (search pages too)."""
    request = context["request"]
    user = request.user
    items = navigation.menu(user, request.path) if isinstance(user, User) else []
    return {"items": items, "request": request}


@register.filter
def limit_words(amount, unit: str | None) -> str:
    """{{ amount|limit_words:unit }}: '4个工作小时' (a case without a condition counts in
    working hours, as its deadlines do)."""
    return _limit_words(amount, unit or LimitUnit.WORKING_HOURS) if amount is not None else ""


@register.filter
def role_label(user: User) -> str:
    return str(Role(user.role).label) if user.role in Role.values else ""


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


@register.filter
def time_left(due: datetime | None) -> str:
    """“2 h 5 min left” or “overdue 10 min”; the page's script keeps it current."""
    if due is None:
        return ""
    seconds = (due - timezone.now()).total_seconds()
    minutes = int(abs(seconds) // 60)
    if seconds >= 0:
        return _("%(span)s left") % {"span": _span(minutes)}
    return _("overdue %(span)s") % {"span": _span(minutes)}


@register.filter
def is_past(due: datetime | None) -> bool:
    return due is not None and due < timezone.now()
