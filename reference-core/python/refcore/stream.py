"""Input streams (SPEC.md): a `run` header, the settings a stream may change, unsequenced events
and an optional `end`. A line off the grammar refuses the input from that line on: a
GrammarError that names the line, identical to the Rust core's."""
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

from refcore.grammar import GrammarError, Value, line, parse_line, printable
from refcore.model import FORMAT, MAX_STEPS, PROFILES, TICK_NS, VENUES, Event
from refcore.spec import SPEC

CAPABILITY_NAMES = frozenset(name for _, name in SPEC.capabilities)
EVENT_KEYS = ("time", "source", "venue", "instrument", "kind", "producer", "key")
SETTINGS = ("source", "capability")


@dataclass
class Stream:
    seed: int
    steps: int
    sim: bool = True
    profile: str = "default"
    settings: List[Tuple[str, Dict[str, Value]]] = field(default_factory=list)
    events: List[Event] = field(default_factory=list)
    scenario: Optional[object] = None  # a seeded generator, asked for each step's events instead

    def all_events(self) -> List[Event]:
        if self.scenario is None:
            return self.events
        return [ev for step in range(self.steps) for ev in self.scenario.step(step)]

    def header(self) -> str:
        return line("run", format=FORMAT, profile=self.profile, seed=self.seed, sim="on" if self.sim else "off",
                    steps=self.steps)

    def text(self) -> str:
        body = [self.header()] + [line(kind, **f) for kind, f in self.settings]
        return "\n".join(body + [ev.input_line() for ev in self.all_events()] + ["end"]) + "\n"


def take(fields: Dict[str, Value], key: str, kind: Optional[type], default: Optional[Value] = None) -> Value:
    """A field of the wanted type (None: either); missing only when a default is given."""
    if key not in fields:
        if default is None:
            raise GrammarError("missing:" + key)
        return default
    value = fields[key]
    if kind is not None and not isinstance(value, kind):
        raise GrammarError("type:" + key)
    return value


def only(fields: Dict[str, Value], allowed, payload: bool = False) -> None:
    for key in sorted(fields):
        if key not in allowed and not (payload and key.startswith("p.") and len(key) > 2):
            raise GrammarError("unknown-key:" + key)


def header(fields: Dict[str, Value]) -> Stream:
    if take(fields, "format", int) != FORMAT:
        raise GrammarError("value:format")
    seed = take(fields, "seed", int)
    steps = take(fields, "steps", int)
    if not 1 <= steps <= MAX_STEPS:
        raise GrammarError("value:steps")
    sim = take(fields, "sim", str, "on")
    if sim not in ("on", "off"):
        raise GrammarError("value:sim")
    profile = take(fields, "profile", str, "default")
    if profile not in PROFILES:
        raise GrammarError("value:profile")
    only(fields, ("format", "seed", "steps", "sim", "profile"))
    return Stream(seed, steps, sim == "on", profile)


def setting(kind: str, fields: Dict[str, Value]) -> Dict[str, Value]:
    if kind == "source":
        if take(fields, "name", str) not in SPEC.priority:
            raise GrammarError("value:name")
        take(fields, "priority", int)
        only(fields, ("name", "priority"))
    else:
        if take(fields, "venue", str) not in VENUES:
            raise GrammarError("value:venue")
        if take(fields, "name", str) not in CAPABILITY_NAMES:
            raise GrammarError("value:name")
        if take(fields, "value", int) not in (0, 1):
            raise GrammarError("value:value")
        only(fields, ("venue", "name", "value"))
    return fields


def event(fields: Dict[str, Value], steps: Optional[int]) -> Event:
    """An event line: unsequenced (an input, `steps` given) or sequenced (a trace, steps None)."""
    time = take(fields, "time", int)
    if steps is not None and not 0 <= time // TICK_NS < steps:
        raise GrammarError("value:time")
    source, venue, instrument, kind = (take(fields, k, str) for k in ("source", "venue", "instrument", "kind"))
    producer = take(fields, "producer", int)
    key = str(take(fields, "key", None))
    seq = ingest = 0
    if steps is None:
        seq, ingest = take(fields, "seq", int), take(fields, "ingest", int)
        only(fields, EVENT_KEYS + ("seq", "ingest"), payload=True)
    else:
        only(fields, EVENT_KEYS, payload=True)
    payload = {k[2:]: v for k, v in fields.items() if k.startswith("p.")}
    return Event(time, source, venue, instrument, kind, producer, payload, None if key == "-" else key, seq, ingest)


def parse_streams(text: str) -> Iterator[Stream]:
    """The streams of an input, each yielded when it is complete. `text` holds one character per
    byte (read it as latin-1) so that anything outside printable ASCII is seen and refused."""
    stream: Optional[Stream] = None
    for number, raw in enumerate(text.split("\n"), start=1):
        try:
            if not printable(raw):
                raise GrammarError("bad-byte")
            if not raw or raw.startswith("#"):
                continue
            kind, fields = parse_line(raw)
            if kind == "run":
                started = header(fields)
                if stream is not None:
                    yield stream
                stream = started
            elif stream is None:
                raise GrammarError("expected-run")
            elif kind in SETTINGS:
                if stream.events:
                    raise GrammarError("misplaced:" + kind)
                stream.settings.append((kind, setting(kind, fields)))
            elif kind == "event":
                stream.events.append(event(fields, stream.steps))
            elif kind == "end":
                only(fields, ())
                yield stream
                stream = None
            else:
                raise GrammarError("unknown-line:" + kind)
        except GrammarError as err:
            raise err.at(number) from None
    if stream is not None:
        yield stream
