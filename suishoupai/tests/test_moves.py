"""The move table, the staff API's actions and the console's actions cover the same moves.

A move added to the table without an API endpoint or a console button (or the
other way round) fails here, not in front of a user.
"""

import pytest

from suishoupai.api import photos as api_photos
from suishoupai.api import staff as api_staff
from suishoupai.cases import services
from suishoupai.cases.states import MOVES, PHOTO_MOVES, api_move
from suishoupai.org.models import Role, User
from suishoupai.web.console import actions as console_actions
from suishoupai.web.console import views as console_views

# Moves some member of staff makes; "rate" is the reporter's (by tracking token).
STAFF_MOVES = {name for name, move in MOVES.items() if move.roles}


def _posts(router, prefix: str) -> set[str]:
    found = set()
    for path, view in router.path_operations.items():
        if path.startswith(prefix) and any("POST" in op.methods for op in view.operations):
            found.add(path.removeprefix(prefix))
    return found


def _api_moves() -> set[str]:
    case_actions = {a.replace("-", "_") for a in _posts(api_staff.router, "/cases/{number}/")}
    # One published action may make several moves, chosen by the caller's post.
    reached = set()
    for action in case_actions:
        candidates = ("dispatch", "dispatch_on") if action == "dispatch" else (action,)
        for role in Role.values:
            reached.add(api_move(User(role=role), *candidates))
    photo_ops = _posts(api_photos.router, "/staff/photos/{uuid}/")
    return reached | {f"{op}_photo" for op in photo_ops}


def _console_moves() -> set[str]:
    assert set(console_actions.ACTIONS) == set(console_actions.CALLS)
    return set(console_actions.ACTIONS) | {f"{op}_photo" for op in console_views.PHOTO_DONE}


def test_the_staff_api_offers_exactly_the_moves_of_the_table():
    assert _api_moves() == STAFF_MOVES


def test_the_console_offers_exactly_the_moves_of_the_table():
    assert _console_moves() == STAFF_MOVES


def test_every_move_has_a_service_and_the_names_people_read():
    for name, move in MOVES.items():
        assert callable(getattr(services, name)), name
        assert str(move.label), name
        if name in STAFF_MOVES - set(PHOTO_MOVES):
            assert move.title is not None, name
    # The staff API documents each case action it publishes.
    for action in _posts(api_staff.router, "/cases/{number}/"):
        assert MOVES[action.replace("-", "_")].summary is not None, action


@pytest.mark.parametrize(
    ("role", "move"),
    [(Role.HANDLER, "dispatch_on"), (Role.DISPATCHER, "dispatch"), (Role.SHIFT_LEAD, "dispatch")],
)
def test_the_api_dispatch_action_makes_the_move_of_the_callers_post(role, move):
    assert api_move(User(role=role), "dispatch", "dispatch_on") == move
