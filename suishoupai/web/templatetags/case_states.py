"""{% state_badge case.state %}: a case state as the badge every page shows (web/states.css)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from suishoupai.cases.states import FAMILY, State

register = template.Library()


@register.simple_tag
def state_badge(state: str) -> SafeString:
    return format_html(
        '<span class="badge state family-{} state-{}">{}</span>',
        FAMILY[state],
        state,
        State(state).label,
    )
