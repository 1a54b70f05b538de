"""What staff see of a case through the API, and pages of results.

The public and reporter views are shared with the citizen pages and live in
cases.presenters; the phone rule is cases.policy's.
"""

import base64
from collections.abc import Callable
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from suishoupai.cases import policy, presenters, selectors
from suishoupai.cases.models import Case
from suishoupai.errors import InvalidInput
from suishoupai.org.models import User

from .schemas import MAX_PAGE_SIZE


def present_staff(case: Case, user: User) -> dict:
    return {
        **presenters.present_public(
            case, phone_hidden=not policy.may_see_phone(user), exact_place=True
        ),
        "condition": {"code": case.condition.code, "name": case.condition.description}
        if case.condition
        else None,
        "suggested_department": case.suggested_department.name
        if case.suggested_department
        else None,
        "suggested_department_id": case.suggested_department_id,
        "department_id": case.department_id,
        # Departments get the problem, not the person: contact stays with the centre.
        "phone": case.reporter_phone if policy.may_see_phone(user) else None,
        # The openid itself never leaves the server: only that WeChat knows the reporter.
        "reporter_wechat": bool(case.reporter_openid) if policy.may_see_phone(user) else None,
        "anonymous": case.is_anonymous,
        "public": case.is_public,
        "due_at": case.due_at,
        "handle_due_at": case.handle_due_at,
        "is_overdue": case.is_overdue,
        "rework_count": case.rework_count,
        "urge_count": case.urge_count,
        "filed_at": case.filed_at,
        "dispatched_at": case.dispatched_at,
        "resolved_at": case.resolved_at,
        "merged_into": case.merged_into.number if case.merged_into else None,
    }


def present_staff_detail(case: Case, user: User) -> dict:
    requests = case.requests.select_related("department", "requested_by", "decided_by")
    hide = None if policy.may_see_phone(user) else case.reporter_phone

    def shown(text: str) -> str:
        return policy.mask(text, hide) if hide is not None else text

    return {
        **present_staff(case, user),
        "timeline": [
            presenters.event(e, True, hide_phone=hide) for e in selectors.timeline(case, "staff")
        ],
        "requests": [
            {
                "id": r.pk,
                "kind": r.kind,
                "reason": shown(r.reason),
                "amount": r.amount,
                "department": r.department.name,
                "requested_by": str(r.requested_by),
                "requested_at": r.requested_at,
                "decision": r.decision,
                "decided_by": str(r.decided_by) if r.decided_by else None,
                "decided_at": r.decided_at,
                "decision_note": shown(r.decision_note),
            }
            for r in requests
        ],
        "photos": [presenters.photo(p, True) for p in case.photos.all()],
    }


def page_of(qs: QuerySet[Case], page: int, page_size: int, present: Callable) -> dict:
    """A numbered page (OFFSET), for the staff queue and clients that count pages."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    start = (page - 1) * page_size
    count, exact = selectors.count_capped(qs)
    return {
        "count": count,
        "count_exact": exact,
        "page": page,
        "page_size": page_size,
        "results": [present(c) for c in qs[start : start + page_size]],
    }


def public_page_of(
    request: HttpRequest,
    qs: QuerySet[Case],
    page: int,
    page_size: int,
    cursor: str | None,
    present: Callable,
) -> dict:
    """A page of the public list (ordered newest first, then by id), by number or by
    `cursor`; `next` links the following page by cursor (keyset: as fast at the end of a
    million cases as at the start, and no case skipped or repeated when new ones arrive)."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    if cursor:
        at, pk = decode_cursor(cursor)
        rows = list(selectors.older_than(qs, at, pk)[: page_size + 1])
        number = None
    else:
        number = max(1, page)
        start = (number - 1) * page_size
        rows = list(qs[start : start + page_size + 1])
    count, exact = selectors.count_capped(qs, public=True)
    more, rows = len(rows) > page_size, rows[:page_size]
    return {
        "count": count,
        "count_exact": exact,
        "page": number,
        "page_size": page_size,
        "next": _next_url(request, encode_cursor(rows[-1])) if more else None,
        "results": [present(c) for c in rows],
    }


def encode_cursor(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, pk_text = raw.split("|")
        at, pk = datetime.fromisoformat(at_text), int(pk_text)
        if at.tzinfo is None or not 0 < pk < 2**63:
            raise ValueError(cursor)
    except ValueError:
        raise InvalidInput(_("This cursor is not one a page gave."), field="cursor") from None
    return at, pk


def _next_url(request: HttpRequest, cursor: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"
