"""The incident lifecycle (接处警闭环) as a pure state machine.

received → dispatched → acknowledged (签收) → en_route (出警) → on_scene (到场) →
resolved (反馈) → closed, plus cancelled and merged (duplicate) as terminal side exits.
The incident's state follows its *first* unit: it becomes on_scene when any unit arrives.
"""

from __future__ import annotations

from enum import StrEnum

from pingan.i18n import msg


class State(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


STATE_NAMES_ZH = {
    State.RECEIVED: "已接警",
    State.DISPATCHED: "已派警",
    State.ACKNOWLEDGED: "已签收",
    State.EN_ROUTE: "已出警",
    State.ON_SCENE: "已到场",
    State.RESOLVED: "已反馈",
    State.CLOSED: "已结案",
    State.CANCELLED: "已撤销",
    State.MERGED: "已合并",
}

# The forward order; an incident never moves backwards along it.
PROGRESS = (
    State.RECEIVED,
    State.DISPATCHED,
    State.ACKNOWLEDGED,
    State.EN_ROUTE,
    State.ON_SCENE,
)
ACTIVE = frozenset(PROGRESS)
TERMINAL = frozenset({State.CLOSED, State.CANCELLED, State.MERGED})


class Action(StrEnum):
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVE = "resolve"
    CLOSE = "close"
    CANCEL = "cancel"
    MERGE = "merge"


# Which states each action may start from. Dispatch is allowed while active so that
# reinforcements can be sent; unit progress actions advance the incident only forwards.
ALLOWED_FROM: dict[Action, frozenset[State]] = {
    Action.DISPATCH: ACTIVE,
    Action.ACKNOWLEDGE: frozenset(PROGRESS[1:]),
    Action.EN_ROUTE: frozenset(PROGRESS[1:]),
    Action.ON_SCENE: frozenset(PROGRESS[1:]),
    Action.RESOLVE: frozenset({State.ON_SCENE}),
    Action.CLOSE: frozenset({State.RESOLVED}),
    Action.CANCEL: frozenset(PROGRESS[:-1]),
    Action.MERGE: ACTIVE,
}

# The incident state an action leads to (None: computed from progress, see next_state).
TARGET: dict[Action, State] = {
    Action.DISPATCH: State.DISPATCHED,
    Action.ACKNOWLEDGE: State.ACKNOWLEDGED,
    Action.EN_ROUTE: State.EN_ROUTE,
    Action.ON_SCENE: State.ON_SCENE,
    Action.RESOLVE: State.RESOLVED,
    Action.CLOSE: State.CLOSED,
    Action.CANCEL: State.CANCELLED,
    Action.MERGE: State.MERGED,
}


class IllegalTransition(Exception):
    """The action is not allowed from the incident's current state."""

    def __init__(self, action: Action, state: State) -> None:
        super().__init__(
            msg(
                "incidents.illegal_transition",
                state=msg(f"incidents.state.{state.value}"),
                action=msg(f"incidents.action.{action.value}"),
                allowed=[msg(f"incidents.state.{s.value}") for s in sorted(ALLOWED_FROM[action])],
            )
        )
        self.action = action
        self.state = state


def next_state(state: State, action: Action) -> State:
    """The state after an action, or IllegalTransition.

    Unit progress (dispatch/acknowledge/en_route/on_scene) moves the incident forward to the
    furthest stage any of its units has reached, never back.
    """
    if state not in ALLOWED_FROM[action]:
        raise IllegalTransition(action, state)
    target = TARGET[action]
    if target in PROGRESS and state in PROGRESS:
        return max(state, target, key=PROGRESS.index)
    return target
