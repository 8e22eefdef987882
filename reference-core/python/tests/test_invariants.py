"""Each invariant fires when a component misbehaves, names itself in the trace, and stops the run."""
import pytest

from refcore import strategy
from refcore.core import Core, InvariantError
from refcore.model import ACCEPTED, Event


def event(seq, source, kind, venue="-", instrument="-", key=None, payload=None):
    return Event(seq * 10, source, venue, instrument, kind, 0, payload or {}, key=key, seq=seq, ingest=seq * 10)


def place(seq, qty):
    return event(seq, "control", "intent", payload=dict(type="place", venue="XA", instrument="BTC-USD", side="buy", price=100, qty=qty))


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
    c.take()
    return c


def misbehave(monkeypatch, action):
    """Make the strategy's timer callback corrupt state, then deliver a timer event."""
    def on_timer(core):
        action(core)
        return []
    monkeypatch.setattr(strategy, "on_timer", on_timer)


@pytest.mark.parametrize("name, action", [
    ("no-fill-before-accept", lambda c: setattr(c.orders[1], "accepted", False)),
    ("terminal-is-final", lambda c: setattr(c.orders[1], "state", ACCEPTED)),
    ("filled-never-decreases", lambda c: setattr(c.orders[2], "filled", -1)),
    ("remaining-never-increases", lambda c: setattr(c.orders[2], "qty", 4)),
    ("cash-and-positions-conserve", lambda c: setattr(c, "cash", c.cash + 1)),
    ("cash-and-positions-conserve", lambda c: c.positions.__setitem__("XA:ETH-USD", 1)),
    ("cash-and-positions-conserve", lambda c: setattr(c, "fees", c.fees + 1)),
])
def test_invariant_fires(core, monkeypatch, name, action):
    misbehave(monkeypatch, action)
    with pytest.raises(InvariantError, match=name):
        core.apply(event(6, "timer", "tick"))
    assert core.take()[0][-1].startswith(f"invariant name={name} ")


def test_a_duplicate_that_mutates_fails(core, monkeypatch):
    def sloppy(ev):
        core.cash -= 1
        core.orders[1].fees += 1  # keeps conservation intact: only the duplicate check can see it
        core.fees += 1
        return True
    monkeypatch.setattr(core, "_report", sloppy)
    with pytest.raises(InvariantError, match="duplicate-is-noop"):
        core.apply(report(6, "ack", "k1", order=1, rseq=1))


def test_a_real_duplicate_changes_nothing(core):
    before = core._snapshot()
    core.apply(report(6, "fill", "k2", order=1, rseq=2, qty=2, price=100, fee=1))
    assert core._snapshot() == before
    assert core.take()[0][-1] == "dup key=k2 order=1 rseq=2 seq=6"


def test_sequence_ids_must_increase(core):
    with pytest.raises(ValueError, match="must increase"):
        core.apply(event(5, "timer", "tick"))
