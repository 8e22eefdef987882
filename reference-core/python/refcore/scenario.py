"""The seeded input stream of a run: quotes from one producer per market, a timer, and operator
halts. Everything the venue says back is produced during the run by the fill simulator."""
from typing import List

from refcore.model import MARKETS, TICK_NS, Event
from refcore.prng import SplitMix64

START_MIDS = (10_000, 2_000, 10_010)


def generate(seed: int, steps: int) -> List[Event]:
    rng = SplitMix64(seed)
    mids = list(START_MIDS)
    halted = 0
    events: List[Event] = []
    for step in range(steps):
        base = step * TICK_NS
        for i, (venue, instrument) in enumerate(MARKETS):
            if rng.below(100) < 60:
                mids[i] = max(10, mids[i] + rng.below(7) - 3)
                bid = mids[i] - 1 - rng.below(2)
                ask = mids[i] + 1 + rng.below(2)
                time = base + rng.below(3) * 1000
                events.append(Event(time, "market", venue, instrument, "quote", i, {"bid": bid, "ask": ask}))
        if step % 10 == 9:
            events.append(Event(base, "timer", "-", "-", "tick", 0))
        roll = rng.below(100)
        if (halted and roll < 20) or (not halted and roll < 2):
            halted ^= 1
            events.append(Event(base + rng.below(3) * 1000, "control", "-", "-", "halt", 0, {"value": halted}))
    return events
