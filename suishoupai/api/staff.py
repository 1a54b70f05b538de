"""The staff JSON API (Bearer token): the scoped queue, a case, its originals, and
one POST endpoint per move of the table, all calling the case services."""

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from suishoupai.cases import selectors, services
from suishoupai.cases.states import MOVES, api_move
from suishoupai.org.models import User
from suishoupai.photos.files import original_response
from suishoupai.photos.services import check_uploads

from .auth import BearerToken
from .payload import body_doc, read_payload, validate
from .presenters import page_of, present_staff, present_staff_detail
from .schemas import (
    AcceptIn,
    CallbackIn,
    CaseStaffDetailOut,
    DispatchIn,
    ExtensionIn,
    MergeIn,
    NoteIn,
    ReasonIn,
    RequiredNoteIn,
    StaffListQuery,
    StaffPage,
)

router = Router(tags=["staff"], auth=BearerToken())


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by BearerToken


@router.get("/cases", response=StaffPage, summary="My queue (scoped to my role and department)")
def staff_cases(request: HttpRequest, q: Query[StaffListQuery]):
    user = _user(request)
    filters = q.case_filter(department=q.department, overdue=q.overdue, channel=q.channel)
    qs = selectors.staff_queue(user, filters, todo=q.todo)
    return page_of(qs, q.page, q.page_size, lambda c: present_staff(c, user))


@router.get("/cases/{number}", response=CaseStaffDetailOut, summary="Everything about a case")
def staff_case(request: HttpRequest, number: str):
    user = _user(request)
    return present_staff_detail(selectors.staff_case(user, number), user)


@router.get("/photos/{uuid}", summary="An original photo (staff only)")
def staff_photo(request: HttpRequest, uuid: UUID):
    return original_response(selectors.staff_photo(_user(request), uuid))


def _register(move: str, schema: type[Schema] | None, call: Callable, photos: bool = False):
    """One POST endpoint per move, named after it, all calling the service."""
    action = move.replace("_", "-")

    def endpoint(request: HttpRequest, number: str):
        user = _user(request)
        case = selectors.staff_case(user, number)
        data, files = read_payload(request)
        body = validate(schema, data) if schema else None
        kwargs = {"photos": check_uploads(files)} if photos else {}
        call(case, user, body, **kwargs)
        return present_staff_detail(selectors.staff_case(user, number), user)

    endpoint.__name__ = f"action_{move}"
    extra = body_doc(schema, photos) if schema else {}
    router.post(
        f"/cases/{{number}}/{action}",
        response=CaseStaffDetailOut,
        summary=str(MOVES[move].summary),
        openapi_extra=extra,
        operation_id=endpoint.__name__,
    )(endpoint)


def _dispatch(case, user, body):
    # One published action for two moves (派遣 by the centre, 转派 by the department
    # holding the case): the move table says which one this caller makes.
    service = {"dispatch": S.dispatch, "dispatch_on": S.dispatch_on}
    move = api_move(user, *service)
    return service[move](case, user, department=body.department, note=body.note)


S = services
# The staff case actions: every move of the table a member of staff makes on a case,
# dispatch_on through `dispatch` (tests/test_moves.py keeps this list and the table equal).
_register("accept", AcceptIn, lambda c, u, b: S.accept(c, u, condition=b.condition, note=b.note))
_register("reject", ReasonIn, lambda c, u, b: S.reject(c, u, reason=b.reason))
_register("merge", MergeIn, lambda c, u, b: S.merge(c, u, into=b.into, note=b.note))
_register("dispatch", DispatchIn, _dispatch)
_register(
    "redispatch",
    DispatchIn,
    lambda c, u, b: S.redispatch(c, u, department=b.department, note=b.note),
)
_register("take", None, lambda c, u, b: S.take(c, u))
_register(
    "feedback",
    RequiredNoteIn,
    lambda c, u, b, photos: S.feedback(c, u, note=b.note, photos=photos),
    photos=True,
)
_register("request_return", ReasonIn, lambda c, u, b: S.request_return(c, u, reason=b.reason))
_register("approve_return", NoteIn, lambda c, u, b: S.approve_return(c, u, note=b.note))
_register("deny_return", NoteIn, lambda c, u, b: S.deny_return(c, u, note=b.note))
_register(
    "request_extension",
    ExtensionIn,
    lambda c, u, b: S.request_extension(c, u, reason=b.reason, amount=b.amount),
)
_register("approve_extension", NoteIn, lambda c, u, b: S.approve_extension(c, u, note=b.note))
_register("deny_extension", NoteIn, lambda c, u, b: S.deny_extension(c, u, note=b.note))
_register(
    "request_suspension", ReasonIn, lambda c, u, b: S.request_suspension(c, u, reason=b.reason)
)
_register("approve_suspension", NoteIn, lambda c, u, b: S.approve_suspension(c, u, note=b.note))
_register("deny_suspension", NoteIn, lambda c, u, b: S.deny_suspension(c, u, note=b.note))
_register("request_appeal", ReasonIn, lambda c, u, b: S.request_appeal(c, u, reason=b.reason))
_register("approve_appeal", NoteIn, lambda c, u, b: S.approve_appeal(c, u, note=b.note))
_register("deny_appeal", NoteIn, lambda c, u, b: S.deny_appeal(c, u, note=b.note))
_register("resume", NoteIn, lambda c, u, b: S.resume(c, u, note=b.note))
_register(
    "verify_pass",
    NoteIn,
    lambda c, u, b, photos: S.verify_pass(c, u, note=b.note, photos=photos),
    photos=True,
)
_register(
    "verify_fail",
    RequiredNoteIn,
    lambda c, u, b, photos: S.verify_fail(c, u, note=b.note, photos=photos),
    photos=True,
)
_register("close", NoteIn, lambda c, u, b: S.close(c, u, note=b.note))
_register("void", ReasonIn, lambda c, u, b: S.void(c, u, reason=b.reason))
_register("urge", NoteIn, lambda c, u, b: S.urge(c, u, note=b.note))
_register(
    "callback",
    CallbackIn,
    lambda c, u, b: S.callback(c, u, result=b.result, contact=b.contact, note=b.note),
)
_register("reopen", ReasonIn, lambda c, u, b: S.reopen(c, u, reason=b.reason))
