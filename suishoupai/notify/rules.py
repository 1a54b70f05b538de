"""Who is told what: one table from event action to audiences and templates.

The reporter hears about the milestones of their own report; the department
hears about cases put in its hands; the shift leads hear when a case runs late.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from suishoupai.cases.links import reporter_link
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.cases.states import State
from suishoupai.org.models import Department, Role, User

from .models import Audience, ChannelCode, DepartmentContact
from .texts import FREE_TEXT_LIMIT

REPORTER, DEPARTMENT, OVERDUE = "reporter", "department", "overdue"

# action → [(audience, template kind)]
RULES: dict[str, list[tuple[str, str]]] = {
    "case.filed": [(REPORTER, "reporter.filed")],
    "case.rejected": [(REPORTER, "reporter.rejected")],
    "case.merged": [(REPORTER, "reporter.merged")],
    "case.dispatched": [(REPORTER, "reporter.dispatched"), (DEPARTMENT, "department.dispatched")],
    "case.redispatched": [
        (REPORTER, "reporter.dispatched"),
        (DEPARTMENT, "department.dispatched"),
    ],
    # Passed down a level: the reporter already knows who has it; the unit must be told.
    "case.dispatched_on": [(DEPARTMENT, "department.dispatched")],
    "case.resolved": [(REPORTER, "reporter.resolved")],
    "case.closed": [(REPORTER, "reporter.closed")],
    "case.voided": [(REPORTER, "reporter.voided")],
    "case.rework": [(DEPARTMENT, "department.rework")],
    # Manual urges go to the department; automatic ones (overdue) also to the shift leads.
    "case.urged": [(DEPARTMENT, "department.urged")],
    # 超期申诉: the department that appealed hears the shift lead's decision.
    "case.overdue_waived": [(DEPARTMENT, "department.appeal_approved")],
    "case.appeal_denied": [(DEPARTMENT, "department.appeal_denied")],
}
NOTIFIABLE = frozenset(RULES)


@dataclass
class Draft:
    """One message to be: rendered and stored by services.fan_out."""

    audience: str
    kind: str
    channel: str
    address: str
    case: Case
    context: dict = field(default_factory=dict)
    contact: DepartmentContact | None = None


def drafts_for(event: CaseEvent) -> list[Draft]:
    if event.action == "case.urged" and event.data.get("automatic"):
        pairs = [(DEPARTMENT, "overdue"), (OVERDUE, "overdue")]
    else:
        pairs = RULES.get(event.action, [])
    drafts: list[Draft] = []
    for audience, kind in pairs:
        if audience == REPORTER:
            drafts += _reporters(event, kind)
        elif audience == DEPARTMENT:
            drafts += _department(event, kind)
        else:
            drafts += _shift_leads(event, kind)
    return drafts


# ---------------------------------------------------------------- recipients


def reporter_addresses(case: Case) -> list[tuple[str, str]]:
    """Where a reporter can be reached. Anonymous reporters too: anonymity hides
    them from the public and the departments, not from their own phone.
    (A WeChat openid on the case, once it exists, adds (WECHAT, openid) here.)"""
    addresses = []
    if case.reporter_phone:
        addresses.append((ChannelCode.SMS.value, case.reporter_phone))
    openid = getattr(case, "reporter_openid", "")
    if openid:
        addresses.append((ChannelCode.WECHAT.value, openid))
    return addresses


def _reporters(event: CaseEvent, kind: str) -> list[Draft]:
    case = event.case
    # Reporters of duplicates merged into this case follow it too (not for the
    # merge itself: that message is about their own report).
    cases = [case]
    if event.action != "case.merged":
        cases += list(Case.objects.filter(merged_into=case, state=State.MERGED).order_by("pk"))
    drafts = []
    for reported in cases:
        # The signed, expiring link of cases.links: it opens the reporter's own case (and
        # its rating) from any phone or browser, and carries no tracking token.
        context = _context(event, reported.number, reporter_link(reported.number))
        for channel, address in reporter_addresses(reported):
            drafts.append(Draft(Audience.REPORTER, kind, channel, address, reported, context))
    return drafts


def _department(event: CaseEvent, kind: str) -> list[Draft]:
    dept = event.department or event.case.department
    if dept is None:
        return []
    context = _context(event, event.case.number, staff_link(event.case.number), dept)
    contacts = DepartmentContact.objects.filter(department=dept, active=True).order_by("pk")
    return [
        Draft(Audience.DEPARTMENT, kind, c.channel, c.address, event.case, context, contact=c)
        for c in contacts
    ]


def _shift_leads(event: CaseEvent, kind: str) -> list[Draft]:
    context = _context(event, event.case.number, staff_link(event.case.number))
    drafts = []
    leads = User.objects.filter(role=Role.SHIFT_LEAD, is_active=True).order_by("username")
    for lead in leads:
        # Staff without an e-mail address see it on the console channel (the demo).
        channel, address = (
            (ChannelCode.EMAIL.value, lead.email)
            if lead.email
            else (ChannelCode.CONSOLE.value, f"{lead.username} ({lead})")
        )
        drafts.append(Draft(Audience.STAFF, kind, channel, address, event.case, context))
    return drafts


# ---------------------------------------------------------------- texts


def staff_link(number: str) -> str:
    return f"{settings.SITE_URL}{settings.NOTIFY_STAFF_CASE_PATH.format(number=number)}"


# Sentence ends a person types; the message templates put their own after free text.
_TRAILING = "。．.，,、；;：:！!？? "


def free_text(text: str, limit: int = FREE_TEXT_LIMIT) -> str:
    """A reason or note as it goes into a message: one line, at most `limit` characters, and
    without its own final punctuation ("原因：非本部门职责。" not "原因：非本部门职责。。")."""
    text = " ".join((text or "").split()).rstrip(_TRAILING)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else "—"


def _context(event: CaseEvent, number: str, link: str, dept: Department | None = None) -> dict:
    case = event.case
    dept = dept or event.department or case.department
    # Overdue marks and their waivers carry the deadline they are about.
    due = (
        event.data.get("due_at") if event.action in ("case.urged", "case.overdue_waived") else None
    )
    return {
        "number": number,
        "link": link,
        "department": dept.name if dept else "",
        "reason": free_text(event.note),
        "note": free_text(event.note) or "—",
        "into": event.data.get("into", ""),
        "what": free_text(" ".join(filter(None, [case.category.name, case.address]))),
        "due": _when(datetime.fromisoformat(due) if due else case.handle_due_at),
    }
