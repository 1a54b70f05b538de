"""How our states read in Open311, and what the statuses an external system sends mean.

GeoReport v2 knows only open/closed (by our state families). The FixMyStreet
update extension has a richer vocabulary; our states map onto it by this table.
Inbound statuses never move a case: our workflow is the staff's (see docs/open311.md).
"""

from suishoupai.cases.states import FAMILY, Family, State


def request_status(state: str) -> str:
    return "closed" if FAMILY[state] == Family.CLOSED else "open"


# Our state after an event → the FixMyStreet update status we publish.
UPDATE_STATUS: dict[str, str] = {
    State.SUBMITTED: "OPEN",
    State.FILED: "OPEN",
    # With a department, not yet signed for: the work is scheduled with them.
    State.DISPATCHED: "ACTION_SCHEDULED",
    State.IN_PROGRESS: "IN_PROGRESS",
    # 挂账: cannot be done now (e.g. waits for the works season) but will be.
    State.SUSPENDED: "ACTION_SCHEDULED",
    # The department says it is done; our inspector has not confirmed it yet.
    State.RESOLVED: "IN_PROGRESS",
    State.VERIFIED: "FIXED",
    State.CLOSED: "FIXED",
    State.REJECTED: "NO_FURTHER_ACTION",
    State.MERGED: "DUPLICATE",
    State.VOIDED: "CLOSED",
}

# Every status the FixMyStreet extension uses; any of these may be posted to us.
INBOUND_STATUSES = (
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "UNABLE_TO_FIX",
)
