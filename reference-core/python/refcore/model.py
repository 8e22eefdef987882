"""Shared vocabulary: the spec's constants and tables under short names, checked i64 arithmetic,
the event envelope, orders, and the run settings a stream can change."""
from typing import Dict, List, Optional, Tuple

from refcore.grammar import I64_MAX, I64_MIN, Value, line
from refcore.spec import SPEC

FORMAT = SPEC.consts["format"]
TICK_NS = SPEC.consts["tick-ns"]
INITIAL_CASH = SPEC.consts["initial-cash"]
MAX_ORDER_QTY = SPEC.consts["max-order-qty"]
MAX_POSITION = SPEC.consts["max-position"]
CHECKPOINT_EVERY = SPEC.consts["checkpoint-every"]
MAX_STEPS = SPEC.consts["max-steps"]

STATES = tuple(SPEC.states)
TERMINAL = tuple(name for name, terminal in SPEC.states.items() if terminal)
LEGAL = frozenset(SPEC.legal)
REPORT_TARGETS = SPEC.reports
INTENT_FIELDS = SPEC.intents
VENUES = SPEC.venues
MARKETS = tuple((venue, instrument) for venue, instrument, _ in SPEC.markets)
PROFILES = SPEC.profiles
DEFAULT_PROFILE = PROFILES["default"]
UNKNOWN_RANK = I64_MAX  # a source the spec does not name ranks after every one it does



def _state(name: str) -> str:
    """A state the core's logic names: the spec must define it."""
    if name not in SPEC.states:
        raise ValueError(f"core.spec has no order state {name!r}")
    return name


CREATED, SUBMITTED, ACCEPTED, PARTIAL = map(_state, ("created", "submitted", "accepted", "partially-filled"))
FILLED, CANCEL_PENDING, CANCELLED, REJECTED = map(_state, ("filled", "cancel-pending", "cancelled", "rejected"))


class Overflow(ArithmeticError):
    """A result outside i64: the Rust core's checked arithmetic fails here, so this one must too."""


def checked(value: int) -> int:
    if I64_MIN <= value <= I64_MAX:
        return value
    raise Overflow


def market_of(venue: str, instrument: str) -> str:
    return f"{venue}:{instrument}"


def fee(venue: str, price: int, qty: int) -> int:
    """floor(price * qty * fee-bps / 10000); both products checked. Never a float, never rounded."""
    return checked(checked(price * qty) * VENUES[venue][1]) // 10_000


def cost(venue: str, price: int, qty: int) -> int:
    """What an order of qty at price can take out of cash: its notional plus its fee."""
    return checked(checked(price * qty) + fee(venue, price, qty))


class Settings:
    """What a stream may set for its run: source priority and the venue capability matrix."""

    def __init__(self, lines: Tuple[Tuple[str, dict], ...] = ()):
        self.priority: Dict[str, int] = dict(SPEC.priority)
        self.capabilities: Dict[Tuple[str, str], int] = dict(SPEC.capabilities)
        self.lines: List[str] = []  # canonical, in the order given; echoed after the run header
        for kind, fields in lines:
            if kind == "source":
                self.priority[fields["name"]] = fields["priority"]
            else:
                self.capabilities[fields["venue"], fields["name"]] = fields["value"]
            self.lines.append(line(kind, **fields))

    def can(self, venue: str, capability: str) -> bool:
        return self.capabilities[venue, capability] == 1


class Event:
    """The envelope every input is normalised into; seq and ingest are set by the sequencer."""

    __slots__ = ("time", "source", "venue", "instrument", "kind", "producer", "payload", "key", "seq", "ingest")

    def __init__(self, time: int, source: str, venue: str, instrument: str, kind: str, producer: int,
                 payload: Optional[Dict[str, Value]] = None, key: Optional[str] = None, seq: int = 0, ingest: int = 0):
        self.time, self.source, self.venue, self.instrument, self.kind = time, source, venue, instrument, kind
        self.producer, self.payload, self.key, self.seq, self.ingest = producer, payload or {}, key, seq, ingest

    def _payload_text(self) -> str:
        p = self.payload
        return "".join([f" p.{name}={p[name]}" for name in sorted(p)])

    def line(self) -> str:
        # Keys in byte order: every p.* key sorts after `kind` and before `producer`.
        return (f"event ingest={self.ingest} instrument={self.instrument} key={self.key or '-'} kind={self.kind}"
                f"{self._payload_text()} producer={self.producer} seq={self.seq} source={self.source} "
                f"time={self.time} venue={self.venue}")

    def input_line(self) -> str:
        """The unsequenced form an input stream holds."""
        return (f"event instrument={self.instrument} key={self.key or '-'} kind={self.kind}{self._payload_text()} "
                f"producer={self.producer} source={self.source} time={self.time} venue={self.venue}")

    def __repr__(self) -> str:
        return self.line()


class Order:
    __slots__ = ("id", "venue", "instrument", "market", "side", "signed", "price", "qty", "created", "state",
                 "filled", "notional", "fees", "accepted", "next_rseq", "parked")

    def __init__(self, id: int, venue: str, instrument: str, side: str, price: int, qty: int, created: int):
        self.id, self.venue, self.instrument, self.side = id, venue, instrument, side
        self.market = market_of(venue, instrument)
        self.signed = 1 if side == "buy" else -1
        self.price, self.qty, self.created = price, qty, created
        self.state = CREATED
        self.filled = 0
        self.notional = 0  # sum of price * qty over fills
        self.fees = 0
        self.accepted = False  # an ack was applied at some point
        self.next_rseq = 1  # the venue's per-order report number expected next
        self.parked: Dict[int, Event] = {}

    @property
    def remaining(self) -> int:
        return 0 if self.state == CANCELLED or self.state == REJECTED else self.qty - self.filled

