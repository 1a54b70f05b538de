"""What the official account answers in the chat.

A photo, the location (＋ → 位置) and a line of text from one follower within a
few minutes become one draft; every answer says what the draft has, what it
still needs and links to the report page with it filled in. "我的上报" lists the
follower's cases. Answers are plain text (WeChat shows <a> links in them).
"""

from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suishoupai.cases.models import Case
from suishoupai.cases.states import State
from suishoupai.errors import InvalidInput
from suishoupai.officialaccount import services
from suishoupai.officialaccount.models import Draft

# Words (and the menu's click key) that ask for the follower's cases, or for help.
MY_REPORTS = {"我的上报", "我的", "查询", "进度", "my reports", "my_reports"}
HELP = {"帮助", "help", "?", "？", "随手拍", "上报", "菜单"}
MY_REPORTS_KEY = "my_reports"
SHOWN_CASES = 5

HOW_TO = gettext_lazy(
    "Send a photo of the problem, your location (＋ → Location) and a line saying what is "
    "wrong: we put them together into a report for you to check and send."
)


def handle(message, *, now: datetime) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _answer(message, now)


def _answer(message, now: datetime) -> str:
    openid = message.source
    kind = message.type
    try:
        if kind == "text":
            return _text(openid, (message.content or "").strip(), now)
        if kind == "image":
            services.add_photo(openid, message.media_id, now=now)
            return _draft_reply(openid, _("Photo received."))
        if kind == "location":
            lat, lng = float(message.location_x), float(message.location_y)
            services.add_location(openid, lat, lng, message.label or "", now=now)
            return _draft_reply(openid, _("Location received."))
        if kind == "event":
            return _event(openid, message)
    except InvalidInput as exc:
        return exc.message
    except (TypeError, ValueError):
        return _("This message could not be read. %(how)s") % {"how": HOW_TO}
    return _("Only photos, locations and text can be used for a report. %(how)s") % {"how": HOW_TO}


def _text(openid: str, text: str, now: datetime) -> str:
    if text.lower() in MY_REPORTS:
        return my_reports(openid)
    if text.lower() in HELP:
        return welcome()
    services.add_text(openid, text, now=now)
    return _draft_reply(openid, _("Description received."))


def _event(openid: str, message) -> str:
    event = (getattr(message, "event", "") or "").lower()
    if event in ("subscribe", "subscribe_scan"):
        return welcome()
    if event == "click" and getattr(message, "key", "") == MY_REPORTS_KEY:
        return my_reports(openid)
    # unsubscribe, VIEW (a menu link was opened), LOCATION reports: nothing to say.
    return ""


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _a(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def welcome() -> str:
    return "\n".join(
        [
            _("Welcome to Suishoupai, the city's channel for problems in public spaces."),
            _("• %(report)s: report on a page with photos and a map.")
            % {"report": _a(_link("/m/"), _("Report"))},
            _("• Or here in the chat: %(how)s") % {"how": HOW_TO},
            _("• %(mine)s: the progress of what you sent.")
            % {"mine": _a(_link("/m/mine"), _("My reports"))},
        ]
    )


def _draft_reply(openid: str, first: str) -> str:
    draft = Draft.objects.filter(openid=openid, is_open=True).first()
    if draft is None:
        return first
    photos = draft.photos.count()
    has = []
    if photos:
        has.append(_("%(n)d photo(s)") % {"n": photos})
    if draft.lat is not None:
        has.append(_("the location") + (f" ({draft.place_label})" if draft.place_label else ""))
    if draft.text:
        has.append(_("a description"))
    missing = []
    if not photos:
        missing.append(_("a photo"))
    if draft.lat is None:
        missing.append(_("the location (＋ → Location)"))
    if not draft.text:
        missing.append(_("a line saying what is wrong"))
    lines = [first, _("Your report so far: %(has)s.") % {"has": _("; ").join(has)}]
    if missing:
        lines.append(_("You can still send %(missing)s.") % {"missing": _("; ").join(missing)})
    token = services.token_for(draft)
    lines.append(
        _("%(link)s to check it, choose the kind of problem and send it.")
        % {"link": _a(_link(f"/m/#d={token}"), _("Open the report page"))}
    )
    return "\n".join(lines)


def my_reports(openid: str) -> str:
    cases = list(
        Case.objects.filter(reporter_openid=openid)
        .select_related("category")
        .order_by("-created_at")[: SHOWN_CASES + 1]
    )
    if not cases:
        return _("You have not sent a report from this WeChat account yet. %(how)s") % {
            "how": HOW_TO
        }
    lines = [_("Your latest reports:")]
    for case in cases[:SHOWN_CASES]:
        label = f"{case.number} {case.category.name} · {State(case.state).label}"
        lines.append(_a(_link(f"/m/cases/{case.number}"), label))
    if len(cases) > SHOWN_CASES:
        lines.append(_a(_link("/m/mine"), _("All my reports")))
    return "\n".join(lines)
