from refcore.model import Event
from refcore.sequencer import Sequencer


def test_ties_break_by_source_venue_instrument_producer_then_arrival():
    spec = [
        (5, "market", "XB", "BTC-USD", 0),
        (5, "market", "XA", "ETH-USD", 0),
        (5, "market", "XA", "BTC-USD", 2),
        (5, "market", "XA", "BTC-USD", 1),
        (5, "broker", "XB", "BTC-USD", 0),
        (5, "control", "-", "-", 0),
        (5, "timer", "-", "-", 0),
        (4, "timer", "-", "-", 0),
        (5, "market", "XA", "BTC-USD", 1),
    ]
    batch = [Event(t, s, v, i, "x", p, {"id": n}) for n, (t, s, v, i, p) in enumerate(spec)]
    out = Sequencer(10).sequence(batch, ingest=99)
    assert [e.payload["id"] for e in out] == [7, 5, 4, 3, 8, 2, 1, 0, 6]  # same as the Rust test
    assert [e.seq for e in out] == list(range(10, 19))
    assert {e.ingest for e in out} == {99}
    assert all(e.seq == 0 for e in batch), "the input batch is not mutated"


def test_sequence_ids_continue_across_batches():
    seq = Sequencer()
    first = seq.sequence([Event(0, "timer", "-", "-", "tick", 0)], 1)
    second = seq.sequence([Event(1, "timer", "-", "-", "tick", 0)] * 2, 2)
    assert [e.seq for e in first + second] == [1, 2, 3]
