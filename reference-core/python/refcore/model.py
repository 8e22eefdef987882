"""Shared vocabulary: constants, the event envelope, orders and their legal transitions, and the
canonical text form every trace line takes (both languages must write the same bytes)."""
import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple, Union

TICK_NS = 1_000_000  # one scenario step of virtual time
INITIAL_CASH = 1_000_000  # cents
MAX_ORDER_QTY = 8
MAX_POSITION = 20
CHECKPOINT_EVERY = 32  # committed events between checkpoints (taken at step ends)
STALE_AFTER_NS = 20 * TICK_NS  # the strategy cancels working orders older than this

# (venue, instrument) in a fixed order; venue capabilities and fees.
MARKETS = (("XA", "BTC-USD"), ("XA", "ETH-USD"), ("XB", "BTC-USD"))
VENUES = {"XA": {"index": 0, "fee_bps": 10, "replace": True}, "XB": {"index": 1, "fee_bps": 25, "replace": False}}

# Ties on event time break by source priority first: control before broker reports before
# market data before timers, so a halt applies before the quotes of the same instant.
SOURCE_PRIORITY = {"control": 0, "broker": 1, "market": 2, "timer": 3}

CREATED, SUBMITTED, ACCEPTED, PARTIAL = "created", "submitted", "accepted", "partially-filled"
FILLED, CANCEL_PENDING, CANCELLED, REJECTED = "filled", "cancel-pending", "cancelled", "rejected"
TERMINAL = (FILLED, CANCELLED, REJECTED)
# The order state machine. The edges out of cancel-pending other than -> cancelled, and the
# partial-fill self-loop, are the cancel race: a fill (or an expiry) the venue executed before it
# saw the cancel still happened, and a fill still moves money.
LEGAL = (
    (CREATED, SUBMITTED),
    (SUBMITTED, ACCEPTED),
    (SUBMITTED, REJECTED),
    (ACCEPTED, REJECTED),
    (ACCEPTED, PARTIAL),
    (ACCEPTED, FILLED),
    (ACCEPTED, CANCEL_PENDING),
    (PARTIAL, PARTIAL),
    (PARTIAL, FILLED),
    (PARTIAL, CANCEL_PENDING),
    (CANCEL_PENDING, CANCEL_PENDING),
    (CANCEL_PENDING, FILLED),
    (CANCEL_PENDING, CANCELLED),
    (CANCEL_PENDING, REJECTED),
)
STATES = (CREATED, SUBMITTED, ACCEPTED, PARTIAL, FILLED, CANCEL_PENDING, CANCELLED, REJECTED)

Value = Union[int, str]
_WORD = re.compile(r"[A-Za-z0-9:._-]+")
_INT = re.compile(r"-?[0-9]+")


def market_of(venue: str, instrument: str) -> str:
    return f"{venue}:{instrument}"


def fee(venue: str, price: int, qty: int) -> int:
    return price * qty * VENUES[venue]["fee_bps"] // 10_000


def line(kind: str, /, **fields: Value) -> str:
    """`kind key=value ...` with keys in byte order; values are integers or plain words."""
    parts = [kind]
    for key in sorted(fields):
        value = fields[key]
        text = str(value)
        if not isinstance(value, int) and not _WORD.fullmatch(text):
            raise ValueError(f"not a canonical word: {key}={text!r}")
        parts.append(f"{key}={text}")
    return " ".join(parts)


def parse_line(text: str) -> Tuple[str, Dict[str, Value]]:
    kind, *pairs = text.split(" ")
    fields: Dict[str, Value] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"malformed field {pair!r} in line {text!r}")
        fields[key] = int(value) if _INT.fullmatch(value) else value
    return kind, fields


@dataclass
class Event:
    """The envelope every input is normalised into; seq and ingest are set by the sequencer."""

    time: int
    source: str
    venue: str
    instrument: str
    kind: str
    producer: int
    payload: Dict[str, Value] = field(default_factory=dict)
    key: Optional[str] = None
    seq: int = 0
    ingest: int = 0

    def fields(self, sequenced: bool = True) -> Dict[str, Value]:
        out: Dict[str, Value] = {
            "time": self.time,
            "source": self.source,
            "venue": self.venue,
            "instrument": self.instrument,
            "kind": self.kind,
            "producer": self.producer,
            "key": self.key if self.key is not None else "-",
        }
        if sequenced:
            out["seq"] = self.seq
            out["ingest"] = self.ingest
        for name, value in self.payload.items():
            out["p." + name] = value
        return out

    def line(self, sequenced: bool = True) -> str:
        return line("event", **self.fields(sequenced))


def event_from_fields(fields: Dict[str, Value]) -> Event:
    """The inverse of Event.fields; raises ValueError naming what is missing or mistyped."""
    def need(name, kind):
        if name not in fields:
            raise ValueError(f"event without {name}")
        value = fields[name]
        if not isinstance(value, kind):
            raise ValueError(f"event field {name} must be {'an integer' if kind is int else 'a word'}")
        return value

    if "key" not in fields:
        raise ValueError("event without key")
    key = str(fields["key"])
    return Event(
        time=need("time", int),
        source=need("source", str),
        venue=need("venue", str),
        instrument=need("instrument", str),
        kind=need("kind", str),
        producer=need("producer", int),
        payload={k[2:]: v for k, v in fields.items() if k.startswith("p.")},
        key=None if key == "-" else key,
        seq=need("seq", int) if "seq" in fields else 0,
        ingest=need("ingest", int) if "ingest" in fields else 0,
    )


@dataclass
class Order:
    id: int
    venue: str
    instrument: str
    side: str
    price: int
    qty: int
    created: int  # virtual ingest time of the intent that created it
    state: str = CREATED
    filled: int = 0
    notional: int = 0  # sum of price * qty over fills
    fees: int = 0
    accepted: bool = False  # an ack was applied at some point
    next_rseq: int = 1  # the venue's per-order report number expected next
    parked: Dict[int, Event] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return 0 if self.state in (CANCELLED, REJECTED) else self.qty - self.filled

    @property
    def signed(self) -> int:
        return 1 if self.side == "buy" else -1
