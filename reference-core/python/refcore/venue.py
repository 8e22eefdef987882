"""The seeded fill simulator: a venue that acks or rejects, fills in parts, honours cancels that
arrive in time, and delivers its reports late, out of order and sometimes twice. Requests are
idempotent by order id, so a restarted core that re-sends them changes nothing. How often each
of these happens is the run's profile (core.spec)."""
from typing import Dict, List, Set, Tuple

from refcore.model import TICK_NS, VENUES, Event, Order, fee
from refcore.prng import SplitMix64
from refcore.spec import Profile

SALT = 0xD1B54A32D192ED03  # keeps the venue's stream apart from the scenario's


class Report:
    __slots__ = ("order", "rseq", "gen", "deliver", "dup", "kind", "payload")

    def __init__(self, order: int, rseq: int, gen: int, deliver: int, dup: int, kind: str, payload: dict):
        self.order, self.rseq, self.gen, self.deliver, self.dup = order, rseq, gen, deliver, dup  # gen: produced at
        self.kind, self.payload = kind, payload


class Venue:
    def __init__(self, seed: int, profile: Profile):
        self.rng = SplitMix64(seed ^ SALT)
        self.profile = profile
        self.orders: Dict[int, Tuple[str, str, int]] = {}  # id -> (venue, instrument, qty)
        self.cancels: Set[int] = set()
        self.plans: Dict[int, List[Report]] = {}  # every report produced per order, delivered or not
        self.schedule: List[Report] = []  # reports (and duplicates) still on their way

    def receive(self, request: str, order: Order, now: int) -> None:
        if request == "new":
            self._new(order, now)
        elif order.id in self.orders and order.id not in self.cancels:
            self.cancels.add(order.id)
            self._cancel(order.id, now)

    def _new(self, order: Order, now: int) -> None:
        if order.id in self.orders:
            return
        self.orders[order.id] = (order.venue, order.instrument, order.qty)
        rng, p = self.rng, self.profile
        if rng.below(100) < p.reject_pct:
            reports = [("reject", {"reason": "venue-reject"})]
        else:
            reports = [("ack", {})]
            plan = rng.below(p.plans)
            parts: List[int] = []
            if rng.below(100) < p.expire_pct:
                reports.append(("reject", {"reason": "expired"}))
            elif plan == p.no_fill_plans:
                parts = [order.qty]
            elif plan > p.no_fill_plans:
                left = order.qty
                while left:
                    part = 1 + rng.below(left)
                    parts.append(part)
                    left -= part
            for part in parts:
                reports.append(("fill", {"qty": part, "price": order.price, "fee": fee(order.venue, order.price, part)}))
        gen = now
        for rseq, (kind, payload) in enumerate(reports, start=1):
            if rseq > 1:
                gen += TICK_NS * (1 + rng.below(4))
            self._schedule(order.id, rseq, gen, kind, payload)

    def _cancel(self, oid: int, now: int) -> None:
        done = [r for r in self.plans[oid] if r.gen <= now]
        filled = sum(r.payload["qty"] for r in done if r.kind == "fill")
        if filled == self.orders[oid][2] or any(r.kind == "reject" for r in done):
            return  # too late: the order is finished at the venue, its last report is on the way
        self.plans[oid] = done
        self.schedule = [r for r in self.schedule if r.order != oid or r.gen <= now]
        self._schedule(oid, max((r.rseq for r in done), default=0) + 1, now, "cancelled", {})

    def _schedule(self, oid: int, rseq: int, gen: int, kind: str, payload: dict) -> None:
        rng = self.rng
        report = Report(oid, rseq, gen, gen + TICK_NS * (1 + rng.below(3)) + rng.below(1000), 0, kind, payload)
        self.plans.setdefault(oid, []).append(report)
        self.schedule.append(report)
        if rng.below(100) < self.profile.dup_pct:
            self.schedule.append(Report(oid, rseq, gen, gen + TICK_NS * (1 + rng.below(5)) + rng.below(1000), 1, kind, payload))

    def due(self, until: int) -> List[Event]:
        """Reports delivered before `until`, as broker events in a fixed order."""
        ready = [r for r in self.schedule if r.deliver < until]
        if not ready:
            return []
        ready.sort(key=lambda r: (r.deliver, r.order, r.rseq, r.dup))
        self.schedule = [r for r in self.schedule if r.deliver >= until]
        out = []
        for r in ready:
            venue, instrument, _ = self.orders[r.order]
            out.append(Event(r.gen, "broker", venue, instrument, r.kind, VENUES[venue][0],
                             {"order": r.order, "rseq": r.rseq, **r.payload}, key=f"{venue}:{r.order}:{r.rseq}"))
        return out
