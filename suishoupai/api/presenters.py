"""What staff see of a case through the API, and pages of results.

The public and reporter views are shared with the citizen pages and live in
cases.presenters; the phone rule is cases.policy's.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from suishoupai.cases import policy, presenters, selectors
from suishoupai.cases.models import Case
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
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    start = (page - 1) * page_size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": [present(c) for c in qs[start : start + page_size]],
    }
