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
    again = Sequencer(10).sequence(list(out), ingest=99)
    assert [(e.payload["id"], e.seq) for e in again] == [(e.payload["id"], e.seq) for e in out], \
        "re-sequencing a sequenced batch (crash recovery does) changes nothing"


def test_a_stream_can_reorder_sources():
    batch = [Event(0, "control", "-", "-", "halt", 0), Event(0, "timer", "-", "-", "tick", 0),
             Event(0, "nobody", "-", "-", "x", 0)]
    out = Sequencer(1, {"control": 0, "timer": -1}).sequence(batch, ingest=0)
    assert [e.source for e in out] == ["timer", "control", "nobody"]  # same as the Rust test


def test_sequence_ids_continue_across_batches():
    seq = Sequencer()
    first = seq.sequence([Event(0, "timer", "-", "-", "tick", 0)], 1)
    second = seq.sequence([Event(1, "timer", "-", "-", "tick", 0) for _ in range(2)], 2)
    assert [e.seq for e in first + second] == [1, 2, 3]
