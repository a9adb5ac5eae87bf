"""The ticket state machine: one table, read at a glance (API.md, Tickets).

action → (states it may start from, state it leads to; None keeps the state).
An action not allowed from the current state is a 409.
"""

from tickets.models import OPEN_STATUSES, Status

ALL_STATES = frozenset(Status.values)
OPEN = frozenset(OPEN_STATUSES)

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "assign": (frozenset({Status.NEW, Status.ASSIGNED, Status.ESCALATED}), Status.ASSIGNED),
    "escalate": (frozenset({Status.NEW, Status.ASSIGNED}), Status.ESCALATED),
    "promise": (OPEN, None),
    "start": (frozenset({Status.ASSIGNED}), Status.IN_PROGRESS),
    "resolve": (frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS}), Status.RESOLVED),
    "close": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "reopen": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.IN_PROGRESS),
    "cancel": (OPEN, Status.CANCELLED),
    "comment": (ALL_STATES, None),
    # Not state changes, but actions with rules of their own:
    "rate": (frozenset({Status.RESOLVED, Status.CLOSED}), None),  # the owner's rating
    "reply_rating": (frozenset({Status.RESOLVED, Status.CLOSED}), None),
    "set_consent": (ALL_STATES, None),  # complainant agrees (or not) to disclosure
}
ACTIONS = tuple(TRANSITIONS)


def allowed_from(action: str, status: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return status in sources


def target_of(action: str, status: str) -> str:
    _sources, target = TRANSITIONS[action]
    return target or status
