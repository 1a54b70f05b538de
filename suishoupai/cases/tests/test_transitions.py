"""Every move of the state table, allowed and refused, by state and by role."""

from datetime import timedelta
from decimal import Decimal

import pytest

from suishoupai.cases import services
from suishoupai.cases.models import CaseEvent
from suishoupai.cases.states import MOVES, State
from suishoupai.errors import IllegalTransition, NotAllowed
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.photos.models import Photo

from .journeys import report, walk

LATER = WEDNESDAY_9AM + timedelta(hours=2)


def _call(action, case, p, actor=None, city=None):
    s = services
    calls = {
        "accept": lambda a: s.accept(case, a or p["olga"], now=LATER),
        "reject": lambda a: s.reject(case, a or p["olga"], reason="不属于城管范围", now=LATER),
        "merge": lambda a: s.merge(case, a or p["olga"], into=report(city).number, now=LATER),
        "dispatch": lambda a: s.dispatch(case, a or p["dora"], now=LATER),
        "redispatch": lambda a: s.redispatch(
            case, a or p["dora"], department=city.nangang_roads.pk, now=LATER
        ),
        "dispatch_on": lambda a: s.dispatch_on(
            case, a or p["carl"], department=city.daowai_sanitation.pk, now=LATER
        ),
        "take": lambda a: s.take(case, a or p["carl"], now=LATER),
        "feedback": lambda a: s.feedback(case, a or p["carl"], note="已清运", now=LATER),
        "request_return": lambda a: s.request_return(
            case, a or p["carl"], reason="非本部门", now=LATER
        ),
        "approve_return": lambda a: s.approve_return(case, a or p["leo"], now=LATER),
        "deny_return": lambda a: s.deny_return(case, a or p["leo"], now=LATER),
        "request_extension": lambda a: s.request_extension(
            case, a or p["carl"], reason="需协调", amount=Decimal(2), now=LATER
        ),
        "approve_extension": lambda a: s.approve_extension(case, a or p["leo"], now=LATER),
        "deny_extension": lambda a: s.deny_extension(case, a or p["leo"], now=LATER),
        "request_suspension": lambda a: s.request_suspension(
            case, a or p["carl"], reason="冬季无法施工", now=LATER
        ),
        "approve_suspension": lambda a: s.approve_suspension(case, a or p["leo"], now=LATER),
        "deny_suspension": lambda a: s.deny_suspension(case, a or p["leo"], now=LATER),
        "request_appeal": lambda a: s.request_appeal(
            case, a or p["carl"], reason="派遣时已超过签收时限", now=LATER
        ),
        "approve_appeal": lambda a: s.approve_appeal(case, a or p["leo"], now=LATER),
        "deny_appeal": lambda a: s.deny_appeal(case, a or p["leo"], now=LATER),
        "resume": lambda a: s.resume(case, a or p["leo"], now=LATER),
        "verify_pass": lambda a: s.verify_pass(case, a or p["ivan"], now=LATER),
        "verify_fail": lambda a: s.verify_fail(case, a or p["ivan"], note="仍有垃圾", now=LATER),
        "close": lambda a: s.close(case, a or p["leo"], now=LATER),
        "void": lambda a: s.void(case, a or p["leo"], reason="重复", now=LATER),
        "urge": lambda a: s.urge(case, a or p["lily"], note="请尽快处理", now=LATER),
        "callback": lambda a: s.callback(case, a or p["olga"], result="satisfied", now=LATER),
        "reopen": lambda a: s.reopen(case, a or p["leo"], reason="市民不满意", now=LATER),
        "rate": lambda a: s.rate(case, rating="satisfied", stars=5, now=LATER),
        "redact_photo": lambda a: s.redact_photo(
            _photo(case), a or p["olga"], [{"x": 0, "y": 0, "w": 9, "h": 9}], now=LATER
        ),
        "hide_photo": lambda a: s.hide_photo(_photo(case), a or p["olga"], now=LATER),
        "show_photo": lambda a: s.show_photo(_photo(case, hidden=True), a or p["olga"], now=LATER),
        "retry_photo": lambda a: s.retry_photo(_photo(case), a or p["olga"], now=LATER),
    }
    return calls[action](actor)


def _photo(case, hidden=False):
    """A photo row whose public copy is made (no file needed: moderation changes the row)."""
    return Photo.objects.create(
        case=case,
        kind="report",
        original="originals/test.jpg",
        content_type="image/jpeg",
        extension="jpg",
        size=1,
        width=100,
        height=100,
        sha256="0" * 64,
        created_at=LATER,
        public_width=100,
        public_height=100,
        hidden=hidden,
    )


def _prepare(action, case, p):
    """A decision needs a pending request to decide on."""
    for kind in ("return", "extension", "suspension", "appeal"):
        if action in (f"approve_{kind}", f"deny_{kind}"):
            _call(f"request_{kind}", case, p)


def _needs_mark(action):
    """Appeals need an overdue mark made while the department held the case."""
    return action.endswith("_appeal")


ALL_STATES = list(State.values)
# Actions _call makes as carl (市环卫中心) by default.
BY_CARL = {
    "dispatch_on",
    "take",
    "feedback",
    "request_return",
    "request_extension",
    "request_suspension",
    "request_appeal",
}
PAIRS = [(action, state) for action in MOVES for state in ALL_STATES]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), PAIRS)
def test_it_allows_exactly_the_moves_in_the_table(city, people, action, state):
    case = walk(city, people, state, overdue=_needs_mark(action))
    if state in MOVES[action].sources:
        _prepare(action, case, people)
        _call(action, case, people, city=city)
        case.refresh_from_db()
        expected = MOVES[action].target or state
        assert case.state == expected
    else:
        events_before = CaseEvent.objects.filter(case=case).count()
        # A department acting on a case that is not (yet) theirs is refused for
        # scope (403) before the state is even looked at.
        outside = action in BY_CARL and case.department != city.city_sanitation
        with pytest.raises(NotAllowed if outside else IllegalTransition):
            _call(action, case, people, city=city)
        case.refresh_from_db()
        assert case.state == state
        assert CaseEvent.objects.filter(case=case).count() == events_before


def _source_state(action):
    order = [
        "submitted",
        "filed",
        "dispatched",
        "in_progress",
        "resolved",
        "verified",
        "closed",
        "suspended",
    ]
    return next(s for s in order if s in MOVES[action].sources)


ROLE_CASES = [
    (action, person)
    for action, move in MOVES.items()
    if action != "rate"
    for person in ["olga", "leo", "dora", "carl", "ivan", "lily", "adam"]
    if {
        "olga": "operator",
        "leo": "shift_lead",
        "dora": "dispatcher",
        "carl": "handler",
        "ivan": "inspector",
        "lily": "leader",
        "adam": "admin",
    }[person]
    not in move.roles
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "person"), ROLE_CASES)
def test_it_refuses_a_role_that_may_not_make_the_move(city, people, action, person):
    case = walk(city, people, _source_state(action), overdue=_needs_mark(action))
    _prepare(action, case, people)
    events_before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(NotAllowed):
        _call(action, case, people, actor=people[person], city=city)
    assert CaseEvent.objects.filter(case=case).count() == events_before


DEPARTMENT_ACTIONS = [
    "take",
    "feedback",
    "request_return",
    "request_extension",
    "request_suspension",
    "dispatch_on",
    "resume",
    "request_appeal",
]


@pytest.mark.django_db
@pytest.mark.parametrize("action", DEPARTMENT_ACTIONS)
@pytest.mark.parametrize("outsider", ["nina", "hans"])
def test_it_refuses_a_department_that_does_not_hold_the_case(city, people, action, outsider):
    # The case sits with 市环卫中心: nina is another department; hans is a unit
    # *below* it, who may act only once the case is passed down to him.
    case = walk(city, people, _source_state(action), overdue=_needs_mark(action))
    with pytest.raises(NotAllowed):
        _call(action, case, people, actor=people[outsider], city=city)


@pytest.mark.django_db
def test_it_refuses_an_inactive_user(city, people):
    case = walk(city, people, "submitted")
    people["olga"].is_active = False
    with pytest.raises(NotAllowed):
        services.accept(case, people["olga"], now=LATER)
