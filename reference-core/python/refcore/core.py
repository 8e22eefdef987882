"""The deterministic core: applies sequenced events, validates and applies intents, runs the order
state machine and the portfolio, and checks the invariants. Every decision is written to the
trace as a canonical line; nothing else leaves the core except the requests it sends the venue.

Cost per event does not grow with the run: the invariants are checked after every event on the
orders it touched, and audited in full at every checkpoint over the open orders plus the running
totals that finished (terminal) orders are folded into."""
from typing import Dict, List, Optional, Tuple

from refcore import strategy
from refcore.grammar import line
from refcore.model import (
    ACCEPTED, CANCEL_PENDING, DEFAULT_PROFILE, FILLED, INITIAL_CASH, INTENT_FIELDS, LEGAL, MARKETS, MAX_ORDER_QTY,
    MAX_POSITION, PARTIAL, REPORT_TARGETS, SUBMITTED, TERMINAL, TICK_NS, Event, Order, Overflow, Settings,
    checked, cost, market_of,
)
from refcore.spec import Profile

# What the invariants remember of an order from before an event first changed it.
Snapshot = Tuple[str, int, int, int, int]  # state, filled, remaining, notional, fees


class InvariantError(Exception):
    """An invariant failed: the run is unsound and must stop."""


class Core:
    def __init__(self, settings: Optional[Settings] = None, profile: Profile = DEFAULT_PROFILE):
        self.settings = settings or Settings()
        self.stale_after_ns = profile.stale_after * TICK_NS
        self.cash = INITIAL_CASH
        self.fees = 0
        self.positions: Dict[str, int] = {market_of(v, i): 0 for v, i in MARKETS}
        self.books: Dict[str, Tuple[int, int]] = {}
        self.orders: Dict[int, Order] = {}  # every order, by id
        self.open: Dict[int, Order] = {}  # the orders not yet terminal, in id order
        # Finished orders folded into running totals: what they took from cash, their fees and
        # the position they left, per market.
        self.closed_cash = 0
        self.closed_fees = 0
        self.closed_positions: Dict[str, int] = dict.fromkeys(self.positions, 0)
        self.audited: Dict[int, Tuple[int, int]] = {}  # open order -> (filled, remaining) at the last audit
        self.next_order = 1
        self.flags = {"halt": 0}
        self.seen = set()  # idempotency keys of applied or parked reports (membership only)
        self.last_seq = 0
        self.now = 0
        self.events = 0
        self.touched: Dict[int, Optional[Snapshot]] = {}  # orders this event changed (None: created)
        self.lines: List[str] = []  # trace lines not yet taken by the driver
        self.requests: List[Tuple[str, Order]] = []  # ("new" | "cancel", order) for the venue

    # -- trace -------------------------------------------------------------------------------
    def emit(self, kind: str, /, **fields) -> None:
        self.lines.append(line(kind, **fields))

    def take(self) -> Tuple[List[str], List[Tuple[str, Order]]]:
        lines, requests = self.lines, self.requests
        self.lines, self.requests = [], []
        return lines, requests

    def state_fields(self) -> dict:
        fields = {"seq": self.last_seq, "cash": self.cash, "fees": self.fees, "orders": len(self.orders),
                  "open": len(self.open), "halt": self.flags["halt"]}
        for market, qty in self.positions.items():
            fields["pos." + market] = qty
        return fields

    def checkpoint(self) -> None:
        self._audit()
        self.emit("checkpoint", **self.state_fields())

    def final(self) -> None:
        self._audit()
        self.emit("final", events=self.events, **self.state_fields())

    # -- events ------------------------------------------------------------------------------
    def apply(self, ev: Event) -> None:
        """Apply one sequenced event; raises InvariantError if the result is unsound."""
        if ev.seq <= self.last_seq:
            raise ValueError(f"sequence ids must increase: {ev.seq} after {self.last_seq}")
        self.last_seq, self.now = ev.seq, ev.ingest
        before = (self.cash, self.fees, tuple(self.positions.values()))
        self.touched = {}
        self.lines.append(ev.line())
        duplicate = False
        intents: List[dict] = []
        source = ev.source
        if source == "market":
            market = market_of(ev.venue, ev.instrument)
            if market not in self.positions:
                self.emit("diag", seq=ev.seq, reason="unknown-market")
            else:
                bid, ask = ev.payload.get("bid"), ev.payload.get("ask")
                if type(bid) is int and type(ask) is int and 0 < bid < ask:
                    self.books[market] = (bid, ask)
                    intents = strategy.on_quote(self, market, ev.venue, ev.instrument)
                else:
                    self.emit("diag", seq=ev.seq, reason="bad-quote")
        elif source == "timer":
            intents = strategy.on_timer(self)
        elif source == "control":
            intents = strategy.on_control(self, ev)
        elif source == "broker":
            duplicate = self._report(ev)
        else:
            self.emit("diag", seq=ev.seq, reason="unknown-source")
        for n, intent in enumerate(intents):
            self._intent(ev.seq, n, intent)
        self.events += 1
        self._check(ev.seq, before, duplicate)
        self._fold()

    # -- intents -----------------------------------------------------------------------------
    def _intent(self, seq: int, n: int, intent: dict) -> None:
        if intent is strategy.NOOP:  # the strategy's answer to most quotes: nothing to check, nothing to do
            self.lines.append(f"intent n={n} seq={seq} type=noop")
            self.lines.append(f"decision n={n} reason=ok seq={seq} verdict=accept")
            return
        self.lines.append(line("intent", **{**intent, "seq": seq, "n": n}))
        reason = self._validate(intent)
        if reason:
            self.lines.append(f"decision n={n} reason={reason} seq={seq} verdict=reject")
            return
        self.lines.append(f"decision n={n} reason=ok seq={seq} verdict=accept")
        kind = intent["type"]
        if kind == "place":
            self._place(seq, intent["venue"], intent["instrument"], intent["side"], intent["price"], intent["qty"])
        elif kind == "cancel":
            self._cancel(seq, self.orders[intent["order"]])
        elif kind == "replace":
            old = self.orders[intent["order"]]
            self._cancel(seq, old)
            self._place(seq, old.venue, old.instrument, old.side, intent["price"], intent["qty"])
        elif kind == "set-risk-flag":
            self.flags[intent["flag"]] = intent["value"]
            self.emit("risk", seq=seq, flag=intent["flag"], value=intent["value"])

    def _validate(self, intent: dict) -> Optional[str]:
        """The reason an intent is refused (schema, capability, risk, legal transition), or None."""
        kind = intent.get("type")
        if kind not in INTENT_FIELDS:
            return "schema:type"
        for name, positive in INTENT_FIELDS[kind]:
            value = intent.get(name)
            if type(value) is not int or positive and value <= 0:
                return "schema:" + name
        order = None
        if kind == "place":
            venue, instrument = intent.get("venue"), intent.get("instrument")
            if type(venue) is not str or type(instrument) is not str or market_of(venue, instrument) not in self.positions:
                return "schema:market"
            if intent.get("side") not in ("buy", "sell"):
                return "schema:side"
        elif kind == "set-risk-flag":
            if intent.get("flag") != "halt" or intent["value"] not in (0, 1):
                return "schema:flag"
            return None
        elif kind in ("cancel", "replace"):
            order = self.orders.get(intent["order"])
            if order is None:
                return "unknown-order"
            if not self.settings.can(order.venue, kind):
                return "capability:" + kind
        if kind in ("place", "replace"):
            if order is not None:
                venue, market, side = order.venue, order.market, order.side
            else:
                venue, market, side = intent["venue"], market_of(intent["venue"], intent["instrument"]), intent["side"]
            if self.flags["halt"]:
                return "risk:halt"
            price, qty = intent["price"], intent["qty"]
            if qty > MAX_ORDER_QTY:
                return "risk:max-qty"
            try:
                needed = cost(venue, price, qty)
                exposure = self.positions[market]
                for o in self.open.values():
                    if o is not order and o.market == market and o.state not in TERMINAL:
                        exposure = checked(exposure + o.signed * o.remaining)
                if checked(abs(checked(exposure + (qty if side == "buy" else -qty)))) > MAX_POSITION:
                    return "risk:position"
                if side == "buy":
                    reserved = 0
                    for o in self.open.values():
                        if o is not order and o.side == "buy" and o.state not in TERMINAL:
                            reserved = checked(reserved + cost(o.venue, o.price, o.remaining))
                    if checked(reserved + needed) > self.cash:
                        return "risk:cash"
            except Overflow:
                return "overflow"
        if order is not None and order.state != ACCEPTED and order.state != PARTIAL:
            return "illegal-transition:" + order.state
        return None

    def _place(self, seq: int, venue: str, instrument: str, side: str, price: int, qty: int) -> None:
        order = Order(self.next_order, venue, instrument, side, price, qty, created=self.now)
        self.next_order += 1
        self.orders[order.id] = self.open[order.id] = order
        self.touched[order.id] = None
        self.lines.append(f"order instrument={instrument} order={order.id} price={price} qty={qty} seq={seq} "
                          f"side={side} venue={venue}")
        self._transition(seq, order, SUBMITTED, "intent")
        self.requests.append(("new", order))

    def _cancel(self, seq: int, order: Order) -> None:
        self._transition(seq, order, CANCEL_PENDING, "intent")
        self.requests.append(("cancel", order))

    def _touch(self, order: Order) -> None:
        """Remember the order as it was before this event's first change to it."""
        if order.id not in self.touched:
            self.touched[order.id] = (order.state, order.filled, order.remaining, order.notional, order.fees)

    def _transition(self, seq: int, order: Order, to: str, cause: str) -> None:
        if (order.state, to) not in LEGAL:  # callers check first; this is the last line of defence
            raise InvariantError(f"illegal transition {order.state} -> {to} for order {order.id}")
        self._touch(order)
        before, order.state = order.state, to
        self.lines.append(f"transition cause={cause} filled={order.filled} from={before} order={order.id} "
                          f"remaining={order.remaining} seq={seq} to={to}")

    # -- broker reports ----------------------------------------------------------------------
    def _report(self, ev: Event) -> bool:
        """Apply a broker report in the venue's per-order order; True when it was a duplicate."""
        oid, rseq = ev.payload.get("order"), ev.payload.get("rseq")
        if type(oid) is not int or type(rseq) is not int:
            return self._refuse(ev.seq, "malformed-report")
        order = self.orders.get(oid)
        if order is None or order.venue != ev.venue or order.instrument != ev.instrument:
            return self._refuse(ev.seq, "unknown-order", order=oid)
        if (ev.key is not None and ev.key in self.seen) or rseq < order.next_rseq or rseq in order.parked:
            self.emit("dup", seq=ev.seq, order=oid, rseq=rseq, key=ev.key or "-")
            return True
        if rseq > order.next_rseq:
            self._see(ev)
            self._touch(order)
            order.parked[rseq] = ev
            self.emit("park", seq=ev.seq, order=oid, rseq=rseq)
            return False
        if self._apply_report(ev.seq, order, ev):
            self._see(ev)
            order.next_rseq += 1
            while order.next_rseq in order.parked:
                parked = order.parked[order.next_rseq]
                self.emit("unpark", seq=ev.seq, order=oid, rseq=order.next_rseq)
                if not self._apply_report(ev.seq, order, parked):
                    break
                del order.parked[order.next_rseq]
                order.next_rseq += 1
        return False

    def _refuse(self, seq: int, reason: str, **fields) -> bool:
        """A report that fails closed: a diagnostic line and no state change."""
        self.emit("diag", seq=seq, reason=reason, **fields)
        return False

    def _see(self, ev: Event) -> None:
        if ev.key is not None:
            self.seen.add(ev.key)

    def _apply_report(self, seq: int, order: Order, ev: Event) -> bool:
        """Apply one in-order report; one that is illegal or would leave i64 fails closed."""
        p = ev.payload
        if ev.kind == "fill":
            qty, price, charged = p.get("qty"), p.get("price"), p.get("fee")
            if type(qty) is not int or type(price) is not int or type(charged) is not int \
                    or qty <= 0 or price <= 0 or charged < 0:
                return self._refuse(seq, "malformed-fill", order=order.id)
            if qty > order.qty - order.filled:
                return self._refuse(seq, "overfill", order=order.id, qty=qty)
            to = FILLED if order.filled + qty == order.qty else CANCEL_PENDING if order.state == CANCEL_PENDING else PARTIAL
        elif ev.kind in REPORT_TARGETS:
            to = REPORT_TARGETS[ev.kind]
        else:
            return self._refuse(seq, "unknown-report", order=order.id)
        if (order.state, to) not in LEGAL:
            return self._refuse(seq, "illegal-transition", order=order.id, report=ev.kind, to=to, **{"from": order.state})
        if ev.kind == "fill":
            market = order.market
            try:
                amount = checked(price * qty)
                notional = checked(order.notional + amount)
                fees = checked(order.fees + charged)
                cash = checked(self.cash - checked(order.signed * amount + charged))
                total_fees = checked(self.fees + charged)
                position = checked(self.positions[market] + order.signed * qty)
            except Overflow:
                return self._refuse(seq, "overflow", order=order.id)
            self._touch(order)
            order.filled += qty
            order.notional, order.fees = notional, fees
            self.cash, self.fees, self.positions[market] = cash, total_fees, position
            self.lines.append(f"fill cash={cash} fee={charged} order={order.id} position={position} price={price} "
                              f"qty={qty} seq={seq}")
        elif ev.kind == "ack":
            self._touch(order)
            order.accepted = True
        self._transition(seq, order, to, ev.kind)
        return True

    # -- invariants --------------------------------------------------------------------------
    def _check(self, seq: int, before, duplicate: bool) -> None:
        failed = self._violation(before, duplicate)
        if failed:
            self._fail(seq, *failed)

    def _fail(self, seq: int, name: str, order: int) -> None:
        self.emit("invariant", seq=seq, name=name, order=order)
        raise InvariantError(f"invariant {name} failed at seq {seq} (order {order})")

    def _violation(self, before, duplicate: bool) -> Optional[Tuple[str, int]]:
        """The invariants over what this event changed: its touched orders and the totals."""
        cash, fees, positions = before
        if not self.touched:  # most events change no order: then nothing may have moved
            if (cash, fees, positions) != (self.cash, self.fees, tuple(self.positions.values())):
                return ("duplicate-is-noop", 0) if duplicate else ("cash-and-positions-conserve", 0)
            return None
        if duplicate:
            return "duplicate-is-noop", 0
        moved = dict.fromkeys(self.positions, 0)
        for oid in sorted(self.touched):
            o = self.orders[oid]
            if o.filled and not o.accepted:
                return "no-fill-before-accept", oid
            prior = self.touched[oid]
            if prior is None:
                prior = (None, 0, o.qty, 0, 0)
            state, filled, remaining, notional, order_fees = prior
            if state in TERMINAL and o.state != state:
                return "terminal-is-final", oid
            if o.filled < filled:
                return "filled-never-decreases", oid
            if o.remaining > remaining:
                return "remaining-never-increases", oid
            cash -= o.signed * (o.notional - notional) + o.fees - order_fees
            fees += o.fees - order_fees
            moved[o.market] += o.signed * (o.filled - filled)
        expected = tuple(p + moved[m] for p, m in zip(positions, self.positions))
        if (self.cash, self.fees, tuple(self.positions.values())) != (cash, fees, expected):
            return "cash-and-positions-conserve", 0
        return None

    def _fold(self) -> None:
        """Move the orders this event finished out of the open set into the running totals."""
        for oid in self.touched:
            o = self.orders[oid]
            if o.state in TERMINAL and oid in self.open:
                del self.open[oid]
                self.audited.pop(oid, None)
                self.closed_cash += o.signed * o.notional + o.fees
                self.closed_fees += o.fees
                self.closed_positions[o.market] += o.signed * o.filled

    def _audit(self) -> None:
        """The full check at a checkpoint: open orders against the last audit, and the totals
        recomputed from the open orders and the folded ones."""
        cash, fees, positions = INITIAL_CASH - self.closed_cash, self.closed_fees, dict(self.closed_positions)
        audited = {}
        for oid, o in self.open.items():
            if o.filled and not o.accepted:
                self._fail(self.last_seq, "no-fill-before-accept", oid)
            filled, remaining = self.audited.get(oid, (0, o.qty))
            if o.filled < filled:
                self._fail(self.last_seq, "filled-never-decreases", oid)
            if o.remaining > remaining:
                self._fail(self.last_seq, "remaining-never-increases", oid)
            audited[oid] = (o.filled, o.remaining)
            cash -= o.signed * o.notional + o.fees
            fees += o.fees
            positions[o.market] += o.signed * o.filled
        if (self.cash, self.fees, self.positions) != (cash, fees, positions):
            self._fail(self.last_seq, "cash-and-positions-conserve", 0)
        self.audited = audited
