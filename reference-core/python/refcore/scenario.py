"""The seeded input stream of a run: quotes from one producer per market, a timer, and operator
halts, shaped by the run's profile (core.spec), with the profile's settings. It is produced one
step at a time, as the run consumes it. Everything the venue says back is produced during the
run by the fill simulator."""
from typing import List

from refcore.model import PROFILES, TICK_NS, Event
from refcore.prng import SplitMix64
from refcore.spec import SPEC
from refcore.stream import Stream


class Scenario:
    def __init__(self, seed: int, profile: str = "default"):
        self.profile = PROFILES[profile]
        self.rng = SplitMix64(seed)
        self.mids = [mid for _, _, mid in SPEC.markets]
        self.halted = 0

    def step(self, step: int) -> List[Event]:
        """The events of one step; steps must be asked for in order, each once."""
        p, rng, mids = self.profile, self.rng, self.mids
        base = step * TICK_NS
        events: List[Event] = []
        for i, (venue, instrument, _) in enumerate(SPEC.markets):
            if rng.below(100) < p.quote_pct:
                mids[i] = max(10, mids[i] + rng.below(7) - 3)
                bid = mids[i] - 1 - rng.below(2)
                ask = mids[i] + 1 + rng.below(2)
                time = base + rng.below(3) * 1000
                events.append(Event(time, "market", venue, instrument, "quote", i, {"ask": ask, "bid": bid}))
        if step % p.timer_every == p.timer_every - 1:
            events.append(Event(base, "timer", "-", "-", "tick", 0))
        roll = rng.below(100)
        if (self.halted and roll < p.halt_off_pct) or (not self.halted and roll < p.halt_on_pct):
            self.halted ^= 1
            events.append(Event(base + rng.below(3) * 1000, "control", "-", "-", "halt", 0, {"value": self.halted}))
        return events


def generate(seed: int, steps: int, profile: str = "default") -> List[Event]:
    scenario = Scenario(seed, profile)
    return [ev for step in range(steps) for ev in scenario.step(step)]


def seeded(seed: int, steps: int, profile: str = "default") -> Stream:
    """The whole input of a seeded run: header, the profile's settings, and a generator for the
    events (run it once; `Stream.text()` draws them all up front instead)."""
    return Stream(seed, steps, True, profile, list(SPEC.profile_settings.get(profile, [])),
                  scenario=Scenario(seed, profile))
