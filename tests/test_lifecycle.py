"""The pure state machine: every (state, action) pair is either allowed or refused."""

import pytest

from pingan.i18n import LANGS, text
from pingan.incidents.lifecycle import (
    ALLOWED_FROM,
    PROGRESS,
    TERMINAL,
    Action,
    IllegalTransition,
    State,
    next_state,
)

PAIRS = [(s, a) for s in State for a in Action]


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_each_pair_follows_the_table(state: State, action: Action):
    if state in ALLOWED_FROM[action]:
        after = next_state(state, action)
        if after in PROGRESS and state in PROGRESS:
            assert PROGRESS.index(after) >= PROGRESS.index(state)  # never backwards
    else:
        with pytest.raises(IllegalTransition) as err:
            next_state(state, action)
        assert err.value.action is action and err.value.state is state
        reason = err.value.args[0]  # a message naming both, in either language
        for lang in LANGS:
            assert text(f"incidents.action.{action.value}", lang) in reason.text(lang)
            assert text(f"incidents.state.{state.value}", lang) in reason.text(lang)


def test_the_closed_loop_in_order():
    state = State.RECEIVED
    for action in (
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.EN_ROUTE,
        Action.ON_SCENE,
        Action.RESOLVE,
        Action.CLOSE,
    ):
        state = next_state(state, action)
    assert state is State.CLOSED


def test_terminal_states_admit_nothing():
    for state in TERMINAL:
        for action in Action:
            with pytest.raises(IllegalTransition):
                next_state(state, action)


def test_a_late_acknowledgement_does_not_pull_the_incident_back():
    assert next_state(State.ON_SCENE, Action.ACKNOWLEDGE) is State.ON_SCENE


def test_resolve_needs_a_unit_on_scene():
    with pytest.raises(IllegalTransition):
        next_state(State.EN_ROUTE, Action.RESOLVE)
