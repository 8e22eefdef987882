"""Every state against every input that can move an order: legal ones transition, illegal ones
fail closed (a diagnostic or a refused intent, and no state changes)."""
import pytest

from refcore.core import Core
from refcore.model import (
    ACCEPTED, CANCEL_PENDING, CANCELLED, CREATED, FILLED, LEGAL, PARTIAL, REJECTED, STATES, SUBMITTED, Event,
)


def test_the_machine_is_the_issue_minimum_plus_the_cancel_race():
    required = {
        (CREATED, SUBMITTED), (SUBMITTED, ACCEPTED), (ACCEPTED, PARTIAL), (PARTIAL, FILLED), (ACCEPTED, FILLED),
        (ACCEPTED, CANCEL_PENDING), (PARTIAL, CANCEL_PENDING), (CANCEL_PENDING, CANCELLED),
        (SUBMITTED, REJECTED), (ACCEPTED, REJECTED),
    }
    race = {(PARTIAL, PARTIAL), (CANCEL_PENDING, CANCEL_PENDING), (CANCEL_PENDING, FILLED), (CANCEL_PENDING, REJECTED)}
    assert set(LEGAL) == required | race
    assert not any(src in (FILLED, CANCELLED, REJECTED) for src, _ in LEGAL), "terminal states have no exits"


class Driver:
    """Feeds control intents and broker reports for order 1 (a buy of 4 on XA:BTC-USD)."""

    def __init__(self):
        self.core = Core()
        self.seq = 0
        self.rseq = 0

    def feed(self, source, kind, venue, instrument, key, payload):
        self.seq += 1
        self.core.apply(Event(self.seq * 10, source, venue, instrument, kind, 0, payload, key=key, seq=self.seq, ingest=self.seq * 10))
        return self.core.take()[0]

    def intent(self, **intent):
        return self.feed("control", "intent", "-", "-", None, intent)

    def report(self, kind, **payload):
        self.rseq += 1
        return self.feed("broker", kind, "XA", "BTC-USD", f"XA:1:{self.rseq}", {"order": 1, "rseq": self.rseq, **payload})

    def fill(self, qty):
        return self.report("fill", qty=qty, price=100, fee=0)


SETUP = {
    SUBMITTED: [],
    ACCEPTED: [("ack",)],
    PARTIAL: [("ack",), ("fill", 1)],
    FILLED: [("ack",), ("fill", 4)],
    CANCEL_PENDING: [("ack",), ("cancel",)],
    CANCELLED: [("ack",), ("cancel",), ("cancelled",)],
    REJECTED: [("reject",)],
}


def order_in(state):
    d = Driver()
    d.intent(type="place", venue="XA", instrument="BTC-USD", side="buy", price=100, qty=4)
    for step in SETUP[state]:
        run(d, step)
    assert d.core.orders[1].state == state
    return d


def run(d, step):
    name, *args = step
    if name == "cancel":
        return d.intent(type="cancel", order=1)
    if name == "fill":
        return d.fill(args[0])
    return d.report(name, **({"reason": "x"} if name == "reject" else {}))


def expected_target(state, step, filled):
    name = step[0]
    if name == "fill":
        if filled + step[1] == 4:
            return FILLED
        return CANCEL_PENDING if state == CANCEL_PENDING else PARTIAL
    return {"ack": ACCEPTED, "reject": REJECTED, "cancelled": CANCELLED, "cancel": CANCEL_PENDING}[name]


@pytest.mark.parametrize("state", list(SETUP))
@pytest.mark.parametrize("step", [("ack",), ("reject",), ("fill", 1), ("fill", "rest"), ("cancelled",), ("cancel",)])
def test_every_state_against_every_input(state, step):
    d = order_in(state)
    order = d.core.orders[1]
    if step == ("fill", "rest"):  # on a filled order, "the rest" is one unit too many
        step = ("fill", max(order.qty - order.filled, 1))
    before = (order.state, order.filled, d.core.cash, dict(d.core.positions))
    target = expected_target(order.state, step, order.filled)
    overfill = step[0] == "fill" and order.filled + step[1] > order.qty
    lines = run(d, step)
    # cancel-pending's self-loop is the edge of a fill in the race; a second cancel is refused.
    repeat_cancel = step == ("cancel",) and before[0] == CANCEL_PENDING
    if (before[0], target) in LEGAL and not overfill and not repeat_cancel:
        assert order.state == target
        assert any(l.startswith("transition") and f"from={before[0]}" in l and f"to={target}" in l for l in lines)
    else:
        assert (order.state, order.filled, d.core.cash, d.core.positions) == before, "an illegal input never mutates state"
        assert any(l.startswith(("diag", "decision")) and ("illegal-transition" in l or "overfill" in l) for l in lines), lines


def test_all_states_are_reachable():
    assert set(SETUP) | {CREATED} == set(STATES)
