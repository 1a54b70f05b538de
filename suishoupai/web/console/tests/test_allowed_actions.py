"""allowed_actions decides the console's buttons; it must agree with the services exactly."""

import pytest
from django.db import transaction
from django.http import QueryDict

from suishoupai.cases import services
from suishoupai.cases.tests.journeys import report, walk
from suishoupai.errors import DomainError, IllegalTransition, InvalidInput, NotAllowed
from suishoupai.web.console.actions import ACTIONS, allowed_actions, perform

pytestmark = pytest.mark.django_db

STATES = ["submitted", "filed", "dispatched", "in_progress", "suspended", "resolved", "verified"]


class RolledBack(Exception):
    pass


def _form(city, other) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(
        {
            "reason": "原因",
            "note": "说明",
            "amount": "1",
            "into": other.number,
            "result": "satisfied",
            "contact": "13900001111",
        }
    )
    return data


def _try(case, user, action, data) -> DomainError | None:
    """Do the action for real, then roll it back; the error the services gave, if any."""
    try:
        with transaction.atomic():
            perform(case, user, action, data)
            raise RolledBack
    except RolledBack:
        return None
    except DomainError as exc:
        return exc


def _with_requests(city, people):
    case = walk(city, people, "in_progress", overdue=True)
    carl = people["carl"]
    services.request_return(case, carl, reason="不属于本部门")
    services.request_extension(case, carl, reason="需协调", amount=1)
    services.request_suspension(case, carl, reason="需夏季施工")
    services.request_appeal(case, carl, reason="现场无法进入")
    return case


def _case(city, people, state):
    if state == "in_progress+requests":
        return _with_requests(city, people)
    # "+overdue": marked overdue while 市环卫中心 held it, so it may be appealed.
    name, _plus, overdue = state.partition("+")
    return walk(city, people, name, overdue=bool(overdue))


OVERDUE = ["dispatched+overdue", "in_progress+overdue", "suspended+overdue", "closed+overdue"]


@pytest.mark.parametrize("state", [*STATES, "in_progress+requests", "closed", *OVERDUE])
def test_every_button_shown_works_and_every_button_hidden_is_refused(city, people, state):
    case = _case(city, people, state)
    other = report(city)
    for name, user in people.items():
        allowed = {a.name for a in allowed_actions(case, user)}
        for action in ACTIONS:
            data = _form(city, other)
            target = city.daowai_sanitation if action == "dispatch_on" else city.city_sanitation
            data["department"] = str(target.pk)
            error = _try(case, user, action, data)
            where = f"{name} {action} on {state}"
            if action in allowed:
                assert error is None, f"{where}: shown but refused: {error and error.message}"
            else:
                assert isinstance(error, NotAllowed | IllegalTransition | InvalidInput), (
                    f"{where}: hidden but it worked"
                )
            case.refresh_from_db()


def test_a_department_sees_no_action_on_a_case_of_another(city, people):
    case = walk(city, people, "dispatched")
    assert allowed_actions(case, people["nina"]) == []
    assert [a.name for a in allowed_actions(case, people["carl"])][:2] == ["take", "dispatch_on"]


def test_a_unit_without_units_below_is_not_offered_to_pass_on(city, people):
    case = walk(city, people, "dispatched")
    services.dispatch_on(case, people["carl"], department=city.daowai_sanitation.pk)
    case.refresh_from_db()
    assert "dispatch_on" not in {a.name for a in allowed_actions(case, people["hans"])}


def test_only_a_pending_request_can_be_decided(city, people):
    case = walk(city, people, "in_progress")
    names = {a.name for a in allowed_actions(case, people["leo"])}
    assert not names & {"approve_return", "approve_extension", "approve_suspension"}
    services.request_return(case, people["carl"], reason="不属于本部门")
    names = {a.name for a in allowed_actions(case, people["leo"])}
    assert {"approve_return", "deny_return"} <= names
    assert "request_return" not in {a.name for a in allowed_actions(case, people["carl"])}


@pytest.mark.parametrize("state", [*STATES, "closed"])
def test_the_quick_urge_check_agrees_with_allowed_actions(city, people, state):
    from suishoupai.web.console.actions import may_urge

    case = walk(city, people, state)
    for user in people.values():
        assert may_urge(case, user) == ("urge" in {a.name for a in allowed_actions(case, user)})


def test_the_appeal_is_offered_only_for_an_overdue_mark_against_the_department(city, people):
    case = walk(city, people, "in_progress")
    assert "request_appeal" not in {a.name for a in allowed_actions(case, people["carl"])}
    case = walk(city, people, "resolved", overdue=True)
    assert "request_appeal" in {a.name for a in allowed_actions(case, people["carl"])}
    assert allowed_actions(case, people["nina"]) == []
    services.request_appeal(case, people["carl"], reason="派遣时已超期")
    assert "request_appeal" not in {a.name for a in allowed_actions(case, people["carl"])}
    assert {"approve_appeal", "deny_appeal"} <= {
        a.name for a in allowed_actions(case, people["leo"])
    }
