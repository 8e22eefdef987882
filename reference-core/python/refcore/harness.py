"""The seeded DST harness: a run state machine with a virtual-time budget (the commands are the
spec's), the driver that feeds a stream through sequencer, core and venue, and crash-and-restart
that rebuilds the core by replaying the durable log and re-applying what came after its last
checkpoint."""
from dataclasses import dataclass, field
from typing import Callable, Collection, Dict, List, Optional

from refcore.clock import VirtualClock
from refcore.core import Core, InvariantError
from refcore.grammar import line
from refcore.model import CHECKPOINT_EVERY, PROFILES, TICK_NS, Event, Settings
from refcore.replay import replay
from refcore.sequencer import Sequencer
from refcore.spec import SPEC
from refcore.stream import Stream
from refcore.venue import Venue

COMMANDS = SPEC.commands  # command -> (states it is legal in, state it leads to)


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
        self.timeline.append(f"harness cmd={name} reason={reason} state={to} vt={self.clock.now}")


@dataclass
class RunResult:
    trace: List[str]
    timeline: List[str]
    events: int
    failure: Optional[str] = None
    latencies: List[int] = field(default_factory=list)  # ns per apply, when a clock was given


@dataclass
class _Run:
    core: Core
    sequencer: Sequencer
    durable: List[str]  # flushed at every checkpoint; what came after, and a crash loses, is core.lines
    retained: List[tuple] = field(default_factory=list)  # (ingest, sequenced batch) since the checkpoint
    clock: Optional[Callable[[], int]] = None
    latencies: List[int] = field(default_factory=list)


def _feed(run: _Run, venue: Optional[Venue], ingest: int, batch: List[Event]) -> None:
    core, clock = run.core, run.clock
    for ev in run.sequencer.sequence(batch, ingest):
        if clock is None:
            core.apply(ev)
        else:
            started = clock()
            core.apply(ev)
            run.latencies.append(clock() - started)
        if core.requests:
            requests, core.requests = core.requests, []
            if venue is not None:
                for request, order in requests:
                    venue.receive(request, order, ingest)


def _recover(run: _Run, venue: Optional[Venue]) -> None:
    core, divergence = replay(run.durable)
    if divergence is not None:
        raise HarnessError("recovery replay diverged: " + divergence.describe())
    core.take()
    run.core = core
    run.sequencer = Sequencer(core.last_seq + 1, core.settings.priority)
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


def run(stream: Stream, crash_at: Collection[int] = (), clock: Optional[Callable[[], int]] = None) -> RunResult:
    """One run of a stream; the core crashes before each step in crash_at and is recovered. With
    a clock (a function returning nanoseconds) every apply is timed, for the benchmark."""
    batches = bucket(stream.events, stream.steps) if stream.scenario is None else {}
    profile = PROFILES[stream.profile]
    settings = Settings(tuple(stream.settings))
    harness = Harness(stream.steps * TICK_NS)
    venue = Venue(stream.seed, profile) if stream.sim else None
    state = _Run(Core(settings, profile), Sequencer(1, settings.priority), [stream.header()] + settings.lines,
                 clock=clock)
    since = 0
    try:
        harness.command("start")
        for step in range(stream.steps):
            if step in crash_at:
                harness.command("crash", "injected")
                harness.command("restart", "replay-to-checkpoint")
                _recover(state, venue)
                harness.command("start", "recovered")
            harness.command("step")
            now = harness.clock.now
            batch = batches.get(step, []) if stream.scenario is None else stream.scenario.step(step)
            if venue is not None:
                batch = batch + venue.due(now)
            _feed(state, venue, now, batch)
            state.retained.append((now, batch))
            since += len(batch)
            if since >= CHECKPOINT_EVERY:
                state.core.checkpoint()
                state.durable += state.core.take()[0]
                state.retained, since = [], 0
        state.core.final()
        state.durable += state.core.take()[0]
        harness.command("complete")
    except InvariantError as err:
        state.durable += state.core.take()[0]
        return RunResult(state.durable, harness.timeline, state.core.events, str(err), state.latencies)
    return RunResult(state.durable, harness.timeline, state.core.events, latencies=state.latencies)
