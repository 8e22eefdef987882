"""The strategy layer: reads the core's state and returns intents, never mutates anything.

A deliberately plain market maker: rest one order per market at the touch, chase the touch by
replacing, cancel what has gone stale, obey the halt flag. Its job is to exercise every intent
and transition, not to make money. It looks only at open orders, so its cost does not grow with
the orders a run has finished."""
from typing import List

from refcore.model import ACCEPTED, CANCEL_PENDING, PARTIAL, TERMINAL

NOOP = {"type": "noop"}


def on_quote(core, market: str, venue: str, instrument: str) -> List[dict]:
    if core.flags["halt"]:
        return [NOOP]
    bid, ask = core.books[market]
    order = next((o for o in core.open.values()
                  if o.market == market and o.state not in TERMINAL and o.state != CANCEL_PENDING), None)
    if order is None:
        side = "buy" if core.positions[market] <= 0 else "sell"
        # (bid + ask) % 9 without forming bid + ask, which can leave i64 (0 < bid < ask holds here)
        return [{"type": "place", "venue": venue, "instrument": instrument, "side": side,
                 "price": bid if side == "buy" else ask, "qty": 1 + (bid % 9 + ask % 9) % 9}]
    touch = bid if order.side == "buy" else ask
    if order.state in (ACCEPTED, PARTIAL) and abs(order.price - touch) >= 3:
        return [{"type": "replace", "order": order.id, "price": touch, "qty": order.qty - order.filled}]
    return [NOOP]


def on_timer(core) -> List[dict]:
    return [{"type": "cancel", "order": o.id} for o in core.open.values()
            if o.state in (ACCEPTED, PARTIAL) and core.now - o.created >= core.stale_after_ns]


def on_control(core, ev) -> List[dict]:
    """Operator commands: `halt` toggles the risk flag; `intent` injects one intent verbatim."""
    if ev.kind == "halt":
        return [{"type": "set-risk-flag", "flag": "halt", **{k: v for k, v in ev.payload.items() if k == "value"}}]
    if ev.kind == "intent":
        return [dict(ev.payload)]
    return []
