"""The seeded DST harness: a run state machine with a virtual-time budget, the driver that feeds a
scenario through sequencer, core and venue, and crash-and-restart that rebuilds the core by
replaying the durable log to its last checkpoint and re-applying what came after."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from refcore.clock import VirtualClock
from refcore.core import Core, InvariantError
from refcore.model import CHECKPOINT_EVERY, TICK_NS, Event, line
from refcore.replay import replay
from refcore.scenario import generate
from refcore.sequencer import Sequencer
from refcore.venue import Venue

# command -> (states it is legal in, state it leads to)
COMMANDS = {
    "start": (("initialized", "restarting"), "running"),
    "pause": (("running",), "paused"),
    "resume": (("paused",), "running"),
    "crash": (("running", "paused", "restarting"), "crashed"),
    "restart": (("crashed",), "restarting"),
    "step": (("running",), "running"),
    "complete": (("running", "paused"), "completed"),
}


class HarnessError(Exception):
    """An illegal command, a blown virtual-time budget, or a recovery that did not replay."""


class Harness:
    def __init__(self, budget_ns: int):
        self.budget_ns = budget_ns
        self.state = "initialized"
        self.clock = VirtualClock()
        self.timeline: List[str] = []

    def command(self, name: str, reason: str = "-") -> None:
        allowed, to = COMMANDS[name]
        if self.state not in allowed:
            self.timeline.append(line("rejected", cmd=name, state=self.state, vt=self.clock.now))
            raise HarnessError(f"command {name} is illegal in state {self.state}")
        if name == "step":
            if self.clock.now + TICK_NS > self.budget_ns:
                raise HarnessError(f"virtual-time budget of {self.budget_ns} ns exceeded at {self.clock.now + TICK_NS} ns")
            self.clock.advance(TICK_NS)
        self.state = to
        self.timeline.append(line("harness", cmd=name, state=to, vt=self.clock.now, reason=reason))


@dataclass
class RunResult:
    trace: List[str]
    timeline: List[str]
    events: int
    failure: Optional[str] = None


@dataclass
class _Run:
    core: Core = field(default_factory=Core)
    sequencer: Sequencer = field(default_factory=Sequencer)
    durable: List[str] = field(default_factory=list)  # flushed at every checkpoint
    pending: List[str] = field(default_factory=list)  # lost in a crash
    retained: List[tuple] = field(default_factory=list)  # (ingest, batch) since the checkpoint


def _feed(run: _Run, venue: Optional[Venue], ingest: int, batch: List[Event]) -> None:
    for ev in run.sequencer.sequence(batch, ingest):
        run.core.apply(ev)
        lines, requests = run.core.take()
        run.pending += lines
        if venue is not None:
            for request, order in requests:
                venue.receive(request, order, ingest)


def _recover(run: _Run, venue: Optional[Venue]) -> None:
    core, divergence = replay(run.durable)
    if divergence is not None:
        raise HarnessError("recovery replay diverged: " + divergence.describe())
    core.take()
    run.core, run.sequencer, run.pending = core, Sequencer(core.last_seq + 1), []
    for ingest, batch in run.retained:
        _feed(run, venue, ingest, batch)


def bucket(inputs: List[Event], steps: int) -> Dict[int, List[Event]]:
    out: Dict[int, List[Event]] = {}
    for ev in inputs:
        step = ev.time // TICK_NS
        if not 0 <= step < steps:
            raise ValueError(f"event time {ev.time} is outside the run's {steps} steps")
        out.setdefault(step, []).append(ev)
    return out


def run(seed: int, steps: int, inputs: Optional[List[Event]] = None, sim: bool = True,
        crash_at: Optional[int] = None) -> RunResult:
    """One seeded run; with crash_at, the core crashes before that step and is recovered."""
    batches = bucket(generate(seed, steps) if inputs is None else inputs, steps)
    harness = Harness(steps * TICK_NS)
    venue = Venue(seed) if sim else None
    state = _Run(durable=[line("run", seed=seed, steps=steps, sim="on" if sim else "off")])
    since = 0
    try:
        harness.command("start")
        for step in range(steps):
            if step == crash_at:
                harness.command("crash", "injected")
                harness.command("restart", "replay-to-checkpoint")
                _recover(state, venue)
                harness.command("start", "recovered")
            harness.command("step")
            now = harness.clock.now
            batch = batches.get(step, []) + (venue.due(now) if venue else [])
            state.retained.append((now, batch))
            _feed(state, venue, now, batch)
            since += len(batch)
            if since >= CHECKPOINT_EVERY:
                state.core.checkpoint()
                state.durable += state.pending + state.core.take()[0]
                state.pending, state.retained, since = [], [], 0
        state.core.final()
        state.durable += state.pending + state.core.take()[0]
        harness.command("complete")
    except InvariantError as err:
        state.durable += state.pending + state.core.take()[0]
        return RunResult(state.durable, harness.timeline, state.core.events, str(err))
    return RunResult(state.durable, harness.timeline, state.core.events)
