"""The deterministic core: applies sequenced events, validates and applies intents, runs the order
state machine and the portfolio, and checks the invariants after every committed event. Every
decision is written to the trace as a canonical line; nothing else leaves the core except the
requests it sends to the venue."""
from typing import Dict, List, Optional, Set, Tuple

from refcore import strategy
from refcore.model import (
    ACCEPTED, CANCEL_PENDING, CANCELLED, FILLED, INITIAL_CASH, LEGAL, MARKETS, MAX_ORDER_QTY,
    MAX_POSITION, PARTIAL, REJECTED, SUBMITTED, TERMINAL, VENUES, Event, Order, fee, line, market_of,
)

INTENT_TYPES = ("place", "cancel", "replace", "set-risk-flag", "noop")
REPORT_TARGETS = {"ack": ACCEPTED, "reject": REJECTED, "cancelled": CANCELLED}


class InvariantError(Exception):
    """An invariant failed after a committed event: the run is unsound and must stop."""


class Core:
    def __init__(self):
        self.cash = INITIAL_CASH
        self.fees = 0
        self.positions: Dict[str, int] = {market_of(v, i): 0 for v, i in MARKETS}
        self.books: Dict[str, Tuple[int, int]] = {}
        self.orders: Dict[int, Order] = {}
        self.next_order = 1
        self.flags = {"halt": 0}
        self.seen: Set[str] = set()  # idempotency keys of applied or parked reports (membership only)
        self.last_seq = 0
        self.now = 0
        self.events = 0
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
        fields = {
            "seq": self.last_seq,
            "cash": self.cash,
            "fees": self.fees,
            "orders": len(self.orders),
            "open": sum(1 for o in self.orders.values() if o.state not in TERMINAL),
            "halt": self.flags["halt"],
        }
        for market, qty in self.positions.items():
            fields["pos." + market] = qty
        return fields

    def checkpoint(self) -> None:
        self.emit("checkpoint", **self.state_fields())

    def final(self) -> None:
        self.emit("final", events=self.events, **self.state_fields())

    # -- events ------------------------------------------------------------------------------
    def apply(self, ev: Event) -> None:
        """Apply one sequenced event; raises InvariantError if the result is unsound."""
        if ev.seq <= self.last_seq:
            raise ValueError(f"sequence ids must increase: {ev.seq} after {self.last_seq}")
        self.last_seq, self.now = ev.seq, ev.ingest
        before = self._snapshot()
        self.lines.append(ev.line())
        duplicate = False
        intents: List[dict] = []
        market = market_of(ev.venue, ev.instrument)
        if ev.source == "market":
            if market not in self.positions:
                self.emit("diag", seq=ev.seq, reason="unknown-market")
            elif not self._valid_quote(ev.payload):
                self.emit("diag", seq=ev.seq, reason="bad-quote")
            else:
                self.books[market] = (ev.payload["bid"], ev.payload["ask"])
                intents = strategy.on_quote(self, market)
        elif ev.source == "timer":
            intents = strategy.on_timer(self)
        elif ev.source == "control":
            intents = strategy.on_control(self, ev)
        elif ev.source == "broker":
            duplicate = self._report(ev)
        else:
            self.emit("diag", seq=ev.seq, reason="unknown-source")
        for n, intent in enumerate(intents):
            self._intent(ev.seq, n, intent)
        self.events += 1
        self._check(ev.seq, before, duplicate)

    @staticmethod
    def _valid_quote(p: dict) -> bool:
        bid, ask = p.get("bid"), p.get("ask")
        return isinstance(bid, int) and isinstance(ask, int) and 0 < bid < ask

    # -- intents -----------------------------------------------------------------------------
    def _intent(self, seq: int, n: int, intent: dict) -> None:
        self.emit("intent", **{**intent, "seq": seq, "n": n})
        reason = self._validate(intent)
        self.emit("decision", seq=seq, n=n, verdict="reject" if reason else "accept", reason=reason or "ok")
        if reason:
            return
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
        if kind not in INTENT_TYPES:
            return "schema:type"
        ints = {"place": ("price", "qty"), "cancel": ("order",), "replace": ("order", "price", "qty"), "set-risk-flag": ("value",)}
        for name in ints.get(kind, ()):
            value = intent.get(name)
            if not isinstance(value, int) or value <= 0 and name != "value":
                return "schema:" + name
        order = None
        if kind == "place":
            if market_of(str(intent.get("venue")), str(intent.get("instrument"))) not in self.positions:
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
            if kind == "replace" and not VENUES[order.venue]["replace"]:
                return "capability:replace"
        if kind in ("place", "replace"):
            venue, instrument, side = (order.venue, order.instrument, order.side) if order else (intent["venue"], intent["instrument"], intent["side"])
            if self.flags["halt"]:
                return "risk:halt"
            if intent["qty"] > MAX_ORDER_QTY:
                return "risk:max-qty"
            sign = 1 if side == "buy" else -1
            market = market_of(venue, instrument)
            exposure = self.positions[market] + sum(
                o.signed * o.remaining for o in self.orders.values()
                if o is not order and o.state not in TERMINAL and market_of(o.venue, o.instrument) == market
            )
            if abs(exposure + sign * intent["qty"]) > MAX_POSITION:
                return "risk:position"
            if side == "buy":
                reserved = sum(
                    o.price * o.remaining + fee(o.venue, o.price, o.remaining)
                    for o in self.orders.values() if o is not order and o.side == "buy" and o.state not in TERMINAL
                )
                if reserved + intent["price"] * intent["qty"] + fee(venue, intent["price"], intent["qty"]) > self.cash:
                    return "risk:cash"
        if order is not None and order.state not in (ACCEPTED, PARTIAL):
            return "illegal-transition:" + order.state
        return None

    def _place(self, seq: int, venue: str, instrument: str, side: str, price: int, qty: int) -> None:
        order = Order(self.next_order, venue, instrument, side, price, qty, created=self.now)
        self.next_order += 1
        self.orders[order.id] = order
        self.emit("order", seq=seq, order=order.id, venue=venue, instrument=instrument, side=side, price=price, qty=qty)
        self._transition(seq, order, SUBMITTED, "intent")
        self.requests.append(("new", order))

    def _cancel(self, seq: int, order: Order) -> None:
        self._transition(seq, order, CANCEL_PENDING, "intent")
        self.requests.append(("cancel", order))

    def _transition(self, seq: int, order: Order, to: str, cause: str) -> None:
        if (order.state, to) not in LEGAL:  # callers check first; this is the last line of defence
            raise InvariantError(f"illegal transition {order.state} -> {to} for order {order.id}")
        before, order.state = order.state, to
        self.emit("transition", seq=seq, order=order.id, cause=cause, to=to, filled=order.filled, remaining=order.remaining, **{"from": before})

    # -- broker reports ----------------------------------------------------------------------
    def _report(self, ev: Event) -> bool:
        """Apply a broker report in the venue's per-order order; True when it was a duplicate."""
        oid, rseq = ev.payload.get("order"), ev.payload.get("rseq")
        if not isinstance(oid, int) or not isinstance(rseq, int):
            return self._refuse(ev.seq, "malformed-report")
        order = self.orders.get(oid)
        if order is None or (order.venue, order.instrument) != (ev.venue, ev.instrument):
            return self._refuse(ev.seq, "unknown-order", order=oid)
        if (ev.key is not None and ev.key in self.seen) or rseq < order.next_rseq or rseq in order.parked:
            self.emit("dup", seq=ev.seq, order=oid, rseq=rseq, key=ev.key or "-")
            return True
        if rseq > order.next_rseq:
            self._see(ev)
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
        """Apply one in-order report; an illegal one fails closed with a diagnostic."""
        p = ev.payload
        if ev.kind == "fill":
            qty, price, charged = p.get("qty"), p.get("price"), p.get("fee")
            if not all(isinstance(v, int) for v in (qty, price, charged)) or qty <= 0 or price <= 0 or charged < 0:
                return self._refuse(seq, "malformed-fill", order=order.id)
            if qty > order.qty - order.filled:
                return self._refuse(seq, "overfill", order=order.id, qty=qty)
            done = order.filled + qty == order.qty
            to = FILLED if done else CANCEL_PENDING if order.state == CANCEL_PENDING else PARTIAL
        elif ev.kind in REPORT_TARGETS:
            to = REPORT_TARGETS[ev.kind]
        else:
            return self._refuse(seq, "unknown-report", order=order.id)
        if (order.state, to) not in LEGAL:
            return self._refuse(seq, "illegal-transition", order=order.id, report=ev.kind, to=to, **{"from": order.state})
        if ev.kind == "fill":
            order.filled += qty
            order.notional += price * qty
            order.fees += charged
            self.cash -= order.signed * price * qty + charged
            self.fees += charged
            market = market_of(order.venue, order.instrument)
            self.positions[market] += order.signed * qty
            self.emit("fill", seq=seq, order=order.id, qty=qty, price=price, fee=charged, cash=self.cash, position=self.positions[market])
        elif ev.kind == "ack":
            order.accepted = True
        self._transition(seq, order, to, ev.kind)
        return True

    # -- invariants --------------------------------------------------------------------------
    def _snapshot(self):
        orders = {o.id: (o.state, o.filled, o.remaining, o.next_rseq, len(o.parked)) for o in self.orders.values()}
        return self.cash, self.fees, tuple(self.positions.values()), orders

    def _check(self, seq: int, before, duplicate: bool) -> None:
        failed = self._violation(before, duplicate)
        if failed:
            name, order = failed
            self.emit("invariant", seq=seq, name=name, order=order)
            raise InvariantError(f"invariant {name} failed at seq {seq} (order {order})")

    def _violation(self, before, duplicate: bool):
        cash, fees, positions, orders = before
        if duplicate and (cash, fees, positions, orders) != self._snapshot():
            return "duplicate-is-noop", 0
        expected_cash, expected_fees = INITIAL_CASH, 0
        expected_pos = dict.fromkeys(self.positions, 0)
        for o in self.orders.values():
            if o.filled and not o.accepted:
                return "no-fill-before-accept", o.id
            prior = orders.get(o.id)
            if prior is not None:
                if prior[0] in TERMINAL and o.state != prior[0]:
                    return "terminal-is-final", o.id
                if o.filled < prior[1]:
                    return "filled-never-decreases", o.id
                if o.remaining > prior[2]:
                    return "remaining-never-increases", o.id
            expected_cash -= o.signed * o.notional + o.fees
            expected_fees += o.fees
            expected_pos[market_of(o.venue, o.instrument)] += o.signed * o.filled
        if (self.cash, self.fees, self.positions) != (expected_cash, expected_fees, expected_pos):
            return "cash-and-positions-conserve", 0
        return None
