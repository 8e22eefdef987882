"""The strategy layer: reads the core's state and returns intents, never mutates anything.

A deliberately plain market maker: rest one order per market at the touch, chase the touch by
replacing, cancel what has gone stale, obey the halt flag. Its job is to exercise every intent
and transition, not to make money."""
from typing import List

from refcore.model import ACCEPTED, CANCEL_PENDING, PARTIAL, STALE_AFTER_NS, TERMINAL


def on_quote(core, market: str) -> List[dict]:
    if core.flags["halt"]:
        return [{"type": "noop"}]
    bid, ask = core.books[market]
    working = [o for o in core.orders.values()
               if f"{o.venue}:{o.instrument}" == market and o.state not in TERMINAL and o.state != CANCEL_PENDING]
    if not working:
        venue, instrument = market.split(":")
        side = "buy" if core.positions[market] <= 0 else "sell"
        return [{"type": "place", "venue": venue, "instrument": instrument, "side": side,
                 "price": bid if side == "buy" else ask, "qty": 1 + (bid + ask) % 9}]
    order = working[0]
    touch = bid if order.side == "buy" else ask
    if order.state in (ACCEPTED, PARTIAL) and abs(order.price - touch) >= 3:
        return [{"type": "replace", "order": order.id, "price": touch, "qty": order.qty - order.filled}]
    return [{"type": "noop"}]


def on_timer(core) -> List[dict]:
    return [{"type": "cancel", "order": o.id} for o in core.orders.values()
            if o.state in (ACCEPTED, PARTIAL) and core.now - o.created >= STALE_AFTER_NS]


def on_control(core, ev) -> List[dict]:
    """Operator commands: `halt` toggles the risk flag; `intent` injects one intent verbatim."""
    if ev.kind == "halt":
        return [{"type": "set-risk-flag", "flag": "halt", **{k: v for k, v in ev.payload.items() if k == "value"}}]
    if ev.kind == "intent":
        return [dict(ev.payload)]
    return []
