"""Each invariant fires when state goes wrong, names itself in the trace, and stops the run: after
the event, over the orders the event touched, and at the checkpoint's full audit, over the open
orders and the totals finished orders were folded into."""
import pytest

from refcore import strategy
from refcore.core import Core, InvariantError
from refcore.model import ACCEPTED, Event


def event(seq, source, kind, venue="-", instrument="-", key=None, payload=None):
    return Event(seq * 10, source, venue, instrument, kind, 0, payload or {}, key=key, seq=seq, ingest=seq * 10)


def place(seq, qty, price=100):
    return event(seq, "control", "intent", payload=dict(type="place", venue="XA", instrument="BTC-USD", side="buy",
                                                        price=price, qty=qty))


def report(seq, kind, key, **payload):
    return event(seq, "broker", kind, "XA", "BTC-USD", key, payload)


@pytest.fixture
def core():
    """Order 1 filled (buy 2 @ 100), order 2 accepted (buy 3 @ 100)."""
    c = Core()
    feed = [
        place(1, 2),
        report(2, "ack", "k1", order=1, rseq=1),
        report(3, "fill", "k2", order=1, rseq=2, qty=2, price=100, fee=1),
        place(4, 3),
        report(5, "ack", "k3", order=2, rseq=1),
    ]
    for ev in feed:
        c.apply(ev)
    assert [o.state for o in c.orders.values()] == ["filled", "accepted"]
    assert list(c.open) == [2], "the filled order is folded into the totals"
    c.take()
    return c


def misbehave(monkeypatch, action, touch=()):
    """Make the timer callback corrupt state, then deliver a timer event. With `touch`, the
    corruption comes through a path that tells the core which orders it changes, as every core
    path does; without, nobody tells it."""
    def on_timer(core):
        for oid in touch:
            core._touch(core.orders[oid])
        action(core)
        return []
    monkeypatch.setattr(strategy, "on_timer", on_timer)


@pytest.mark.parametrize("name, touch, action", [
    ("no-fill-before-accept", [2], lambda c: (setattr(c.orders[2], "filled", 1), setattr(c.orders[2], "accepted", False))),
    ("terminal-is-final", [1], lambda c: setattr(c.orders[1], "state", ACCEPTED)),
    ("filled-never-decreases", [1], lambda c: setattr(c.orders[1], "filled", 1)),
    ("remaining-never-increases", [2], lambda c: setattr(c.orders[2], "qty", 4)),
    ("cash-and-positions-conserve", [], lambda c: setattr(c, "cash", c.cash + 1)),
    ("cash-and-positions-conserve", [], lambda c: c.positions.__setitem__("XA:ETH-USD", 1)),
    ("cash-and-positions-conserve", [], lambda c: setattr(c, "fees", c.fees + 1)),
    ("cash-and-positions-conserve", [2], lambda c: setattr(c.orders[2], "fees", 1)),
])
def test_invariant_fires_after_the_event(core, monkeypatch, name, touch, action):
    misbehave(monkeypatch, action, touch)
    with pytest.raises(InvariantError, match=name):
        core.apply(event(6, "timer", "tick"))
    assert core.take()[0][-1].startswith(f"invariant name={name} ")


@pytest.mark.parametrize("name, action", [
    ("no-fill-before-accept", lambda c: (setattr(c.orders[2], "filled", 1), setattr(c.orders[2], "notional", 100),
                                         setattr(c.orders[2], "accepted", False))),
    ("filled-never-decreases", lambda c: setattr(c.orders[2], "filled", -1)),
    ("remaining-never-increases", lambda c: setattr(c.orders[2], "qty", 4)),
    ("cash-and-positions-conserve", lambda c: setattr(c.orders[2], "fees", 1)),
    ("cash-and-positions-conserve", lambda c: setattr(c, "closed_fees", 2)),
])
def test_the_checkpoint_audit_catches_what_no_path_reported(core, monkeypatch, name, action):
    core.checkpoint()
    misbehave(monkeypatch, action)
    core.apply(event(6, "timer", "tick"))  # untouched orders are not looked at after the event
    with pytest.raises(InvariantError, match=name):
        core.checkpoint()
    assert core.take()[0][-1].startswith(f"invariant name={name} ")


def test_a_duplicate_that_mutates_fails(core, monkeypatch):
    def sloppy(ev):
        core.cash -= 1
        return True
    monkeypatch.setattr(core, "_report", sloppy)
    with pytest.raises(InvariantError, match="duplicate-is-noop"):
        core.apply(report(6, "ack", "k1", order=1, rseq=1))


def test_a_real_duplicate_changes_nothing(core):
    before = (core.cash, core.fees, dict(core.positions), core.orders[1].next_rseq, core.closed_cash)
    core.apply(report(6, "fill", "k2", order=1, rseq=2, qty=2, price=100, fee=1))
    assert (core.cash, core.fees, core.positions, core.orders[1].next_rseq, core.closed_cash) == before
    assert core.take()[0][-1] == "dup key=k2 order=1 rseq=2 seq=6"


def test_overflow_fails_closed(core):
    core.apply(place(6, 2, price=1 << 62))
    assert core.take()[0][-1] == "decision n=0 reason=overflow seq=6 verdict=reject"
    before = (core.cash, core.orders[2].filled)
    core.apply(report(7, "fill", "k4", order=2, rseq=2, qty=2, price=(1 << 63) - 1, fee=0))
    assert core.take()[0][-1] == "diag order=2 reason=overflow seq=7"
    assert (core.cash, core.orders[2].filled) == before


def test_sequence_ids_must_increase(core):
    with pytest.raises(ValueError, match="must increase"):
        core.apply(event(5, "timer", "tick"))
