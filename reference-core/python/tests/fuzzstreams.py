"""The differential fuzzer's parts: a Hypothesis strategy for input streams that stress both
cores (edge values, malformed lines, duplicates, reordering, settings, interleaved crashes), the
two oracles, and the shrinking that turns a difference into a minimal golden fixture."""
import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from refcore.grammar import GrammarError
from refcore.harness import run
from refcore.stream import parse_streams

TICK = 1_000_000
I64_MAX, I64_MIN = (1 << 63) - 1, -(1 << 63)
# Values that break arithmetic, signs and bounds; OUTSIDE are not i64 at all (a line break below
# puts one in now and then: most streams must parse to reach the cores' logic).
EDGES = [0, 1, -1, 2, 3, 8, 9, 100, 10_000, 2**31, 2**32, 2**53, 2**60, 2**62, I64_MAX, I64_MIN, -2**62,
         I64_MAX - 1, I64_MIN + 1, 461168601842738791, 922337203685477581]
OUTSIDE = [2**63, 2**64, -2**63 - 1, 10**20, 10**30]
WORDS = ["buy", "sell", "XA", "XB", "XC", "BTC-USD", "ETH-USD", "halt", "x", "-", "noop", "007", "a:b.c"]
MARKETS = [("XA", "BTC-USD"), ("XA", "BTC-USD"), ("XA", "BTC-USD"), ("XA", "ETH-USD"), ("XB", "BTC-USD"),
           ("XC", "BTC-USD")]
edges = st.sampled_from(EDGES)
ints = st.one_of(edges, st.integers(-3, 12), st.integers(-5, 20_000))
values = st.one_of(ints, st.sampled_from(WORDS))
prices = st.one_of(st.integers(1, 20_000), st.integers(1, 20_000), edges)
quantities = st.one_of(st.integers(1, 8), st.integers(1, 8), ints)
# Ways to put a line off the grammar (applied to a rendered event line).
BREAKS = [
    lambda l: l.replace("=", "", 1),  # a field without '='
    lambda l: l + " ",  # an empty field
    lambda l: l + "\r",  # a carriage return
    lambda l: l.replace(" ", "\t", 1),  # a tab
    lambda l: l + " p.x=\u00e9",  # not ASCII
    lambda l: l + " p.x=",  # an empty value
    lambda l: l + " p.x=+5",  # not an integer, not a word
    lambda l: l + " p.x=a,b",
    lambda l: l + " time=0",  # a duplicate key
    lambda l: l + " seq=4",  # a key inputs may not have
    lambda l: l + " p.=1",  # an empty payload name
    lambda l: " ".join(p for p in l.split(" ") if not p.startswith("producer=")),  # a missing key
    lambda l: l.replace("producer=", "producer=x", 1),  # a word where an integer belongs
    lambda l: re.sub(r"source=[^ ]+", "source=5", l),  # an integer where a word belongs
    lambda l: "checkpoint seq=1",  # a trace line in an input
    lambda l: "capability venue=XA name=cancel value=0",  # a setting after the first event
    lambda l: "end x=1",
    lambda l: "run format=2 seed=1 steps=0",  # a second header, and a bad one
    lambda l: re.sub(r"=(-?[0-9]+)", lambda m: "=" + str(OUTSIDE[len(l) % len(OUTSIDE)]), l, count=1),
    lambda l: re.sub(r"(p\.[a-z]+)=(-?[0-9]+)", lambda m: f"{m[1]}=-{m[2].lstrip('-')}0000000000000000000", l, count=1),
]


@dataclass
class Case:
    lines: List[str]  # the input stream, one line each
    crash: Tuple[int, ...]  # steps before which both cores crash and recover

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def render(kind: str, fields: list) -> str:
    return " ".join([kind] + [f"{k}={v}" for k, v in fields])


@st.composite
def events(draw, steps: int) -> List[str]:
    """One event line, or an exact duplicate of itself (a report delivered twice)."""
    step = draw(st.sampled_from([steps, -1])) if draw(st.integers(0, 150)) == 0 else draw(st.integers(0, steps - 1))
    f = [("time", step * TICK + draw(st.sampled_from([0, 0, 1000, 2000, TICK - 1])))]
    f.append(("producer", draw(st.one_of(st.integers(0, 2), st.sampled_from(EDGES[:16])))))
    what = draw(st.sampled_from(["place", "place", "intent", "halt", "quote", "quote", "timer", "report", "report",
                                 "report", "other"]))
    p: list = []
    if what in ("place", "intent", "halt"):
        f += [("source", "control"), ("venue", "-"), ("instrument", "-"), ("key", "-")]
    if what == "place":
        v, i = draw(st.sampled_from(MARKETS))
        f.append(("kind", "intent"))
        side = draw(st.sampled_from(["buy", "sell", "buy", "sell", "x"]))
        p = [("type", "place"), ("venue", v), ("instrument", i), ("side", side), ("price", draw(prices)),
             ("qty", draw(quantities))]
    elif what == "intent":
        f.append(("kind", "intent"))
        p = [("type", draw(st.sampled_from(["cancel", "replace", "set-risk-flag", "noop", "teleport", "7"])))]
        for name in draw(st.lists(st.sampled_from(["order", "price", "qty", "flag", "value", "seq", "n"]), unique=True)):
            p.append((name, draw(st.one_of(st.integers(1, 4), values))))
    elif what == "halt":
        f.append(("kind", "halt"))
        p = [("value", draw(st.one_of(st.sampled_from([0, 1]), values)))] if draw(st.integers(0, 8)) else []
    elif what == "quote":
        v, i = draw(st.sampled_from(MARKETS))
        f += [("source", "market"), ("kind", "quote"), ("venue", v), ("instrument", i), ("key", "-")]
        small = st.integers(1, 20_000)
        p = [("bid", draw(st.one_of(small, small, ints))), ("ask", draw(st.one_of(small, small, ints)))]
    elif what == "timer":
        f += [("source", "timer"), ("kind", "tick"), ("venue", "-"), ("instrument", "-"), ("key", "-")]
    elif what == "report":
        v, i = draw(st.sampled_from(MARKETS[:5]))
        kind = draw(st.sampled_from(["ack", "ack", "reject", "fill", "fill", "cancelled", "expire"]))
        order, rseq = draw(st.integers(1, 4)), draw(st.one_of(st.integers(1, 4), st.integers(1, 4), ints))
        key = draw(st.sampled_from([f"{v}:{order}:{rseq}", "-", "k", f"{v}:{order}:1"]))
        f += [("source", "broker"), ("kind", kind), ("venue", v), ("instrument", i), ("key", key)]
        p = [("order", draw(st.one_of(st.just(order), st.just(order), values))), ("rseq", rseq)]
        if kind == "fill":
            p += [("qty", draw(quantities)), ("price", draw(prices)), ("fee", draw(st.one_of(st.integers(0, 3), ints)))]
    else:
        f += [("source", draw(st.sampled_from(["nobody", "market"]))), ("kind", "x"), ("venue", "XA"),
              ("instrument", "-"), ("key", draw(st.one_of(st.just("-"), values)))]
    fields = draw(st.permutations(f)) + [("p." + k, v) for k, v in p]
    line = render("event", fields)
    return [line, line] if draw(st.integers(0, 9)) == 0 else [line]


@st.composite
def lifecycle(draw, steps: int, order: int) -> List[str]:
    """A sane order placed at time 0 and the reports the venue might send for it, in any order,
    some twice: what gets reports past the order lookup to the state machine and the money."""
    v, i = draw(st.sampled_from(MARKETS[:3]))
    qty = draw(st.integers(1, 8))
    price = draw(st.one_of(st.integers(1, 20_000), edges))
    head = [("time", 0), ("source", "control"), ("kind", "intent"), ("venue", "-"), ("instrument", "-"),
            ("producer", 0), ("key", "-")]
    lines = [render("event", head + [("p.type", "place"), ("p.venue", v), ("p.instrument", i),
                                     ("p.side", draw(st.sampled_from(["buy", "sell"]))), ("p.price", price),
                                     ("p.qty", qty)])]
    reports = [("ack", [])]
    left = qty
    while left and draw(st.booleans()):
        part = draw(st.integers(1, left))
        left -= part
        reports.append(("fill", [("p.qty", part), ("p.price", draw(st.one_of(st.just(price), prices))),
                                 ("p.fee", draw(st.one_of(st.integers(0, 30), edges)))]))
    if left and draw(st.booleans()):
        reports.append((draw(st.sampled_from(["cancelled", "reject"])), []))
    for rseq, (kind, extra) in enumerate(reports, start=1):
        when = draw(st.integers(min(rseq, steps - 1), steps - 1))
        fields = [("time", when * TICK), ("source", "broker"), ("kind", kind), ("venue", v), ("instrument", i),
                  ("producer", 0), ("key", f"{v}:{order}:{rseq}"), ("p.order", order), ("p.rseq", rseq)] + extra
        lines += [render("event", fields)] * draw(st.sampled_from([1, 1, 1, 2]))
    if steps > 2 and draw(st.integers(0, 3)) == 0:
        cancel = [("p.type", draw(st.sampled_from(["cancel", "replace"]))), ("p.order", order), ("p.price", price),
                  ("p.qty", qty)]
        lines.append(render("event", head[:0] + [("time", draw(st.integers(1, steps - 1)) * TICK)] + head[1:] + cancel))
    return draw(st.permutations(lines))


@st.composite
def cases(draw) -> Case:
    steps = draw(st.integers(1, 8))
    header = [("format", 2 if draw(st.integers(0, 40)) else draw(ints)), ("seed", draw(st.integers(0, 5))),
              ("steps", steps if draw(st.integers(0, 40)) else draw(ints))]
    if draw(st.booleans()):
        header.append(("sim", "maybe" if draw(st.integers(0, 40)) == 0 else draw(st.sampled_from(["on", "off", "off"]))))
    if draw(st.integers(0, 3)) == 0:
        profile = "nope" if draw(st.integers(0, 20)) == 0 else draw(st.sampled_from(["default", "crowded", "reordered"]))
        header.append(("profile", profile))
    lines = [render("run", draw(st.permutations(header)))]
    for _ in range(draw(st.integers(0, 2))):
        odd = draw(st.integers(0, 20)) == 0  # a setting the spec does not allow
        if draw(st.booleans()):
            name = "x" if odd else draw(st.sampled_from(["control", "broker", "market", "timer"]))
            lines.append(render("source", [("name", name), ("priority", draw(ints))]))
        else:
            venue, capability = draw(st.sampled_from(["XA", "XB"])), draw(st.sampled_from(["replace", "cancel"]))
            if odd:
                venue, capability = draw(st.sampled_from([("XC", "cancel"), ("XA", "fly"), ("XB", "replace")]))
            value = 2 if odd and capability == "replace" else draw(st.sampled_from([0, 1, 1]))
            lines.append(render("capability", [("venue", venue), ("name", capability), ("value", value)]))
    for order in range(1, draw(st.integers(0, 3)) + 1):
        lines += draw(lifecycle(steps, order))
    for group in draw(st.lists(events(steps), max_size=20)):
        lines += group
    if len(lines) > 1 and draw(st.integers(0, 6)) == 0:
        at = draw(st.integers(1, len(lines) - 1))
        lines[at] = draw(st.sampled_from(BREAKS))(lines[at])
    if draw(st.integers(0, 4)) == 0:
        lines.append("end")
    crash = tuple(sorted(draw(st.sets(st.integers(0, steps - 1), max_size=2)))) if draw(st.integers(0, 3)) == 0 else ()
    return Case(lines, crash)


# -- the two oracles ----------------------------------------------------------------------------
def python_output(case: Case, crash: Optional[Tuple[int, ...]] = None) -> List[str]:
    out: List[str] = []
    try:
        for stream in parse_streams(case.text().encode("utf-8").decode("latin-1")):
            result = run(stream, case.crash if crash is None else crash)
            out += result.trace + result.timeline
    except GrammarError as err:
        out.append(err.line())
    return out


def rust_output(binary: str, case: Case) -> List[str]:
    command = [binary, "run", "--trace", "--timeline"] + [arg for step in case.crash for arg in ("--crash-at", str(step))]
    proc = subprocess.run(command, input=case.text().encode("utf-8"), capture_output=True)
    if proc.returncode not in (0, 1, 2) or proc.stderr:
        return [f"<refcore-rs exit {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}>"]
    return proc.stdout.decode("latin-1").splitlines()


def trace_only(lines: List[str]) -> List[str]:
    return [line for line in lines if not line.startswith(("harness ", "rejected "))]


def difference(binary: str, case: Case) -> Optional[str]:
    """Why the case shows a defect, or None: the cores disagree, or a crash changed a trace."""
    python = python_output(case)
    rust = rust_output(binary, case)
    if python != rust:
        at = next((i for i, (a, b) in enumerate(zip(python, rust)) if a != b), min(len(python), len(rust)))
        show = lambda lines: lines[at] if at < len(lines) else "<end>"  # noqa: E731
        return f"line {at + 1}:\n  python: {show(python)}\n  rust:   {show(rust)}"
    if case.crash and trace_only(python) != trace_only(python_output(case, crash=())):
        return "a crash and recovery changed the trace"
    return None


# -- shrinking and the golden fixture -----------------------------------------------------------
def minimize(binary: str, case: Case) -> Case:
    """Drop lines and crash steps one at a time while the defect stays: no line can go."""
    changed = True
    while changed:
        changed = False
        for i in range(1, len(case.lines)):
            trial = Case(case.lines[:i] + case.lines[i + 1:], case.crash)
            if difference(binary, trial):
                case, changed = trial, True
                break
        for step in case.crash:
            trial = Case(case.lines, tuple(s for s in case.crash if s != step))
            if difference(binary, trial):
                case, changed = trial, True
                break
    return case


def search(binary: str, examples: int, derandomize: bool = True) -> Optional[Case]:
    """The smallest case Hypothesis finds where the cores differ, or None after `examples` tries."""
    budget = settings(max_examples=examples, derandomize=derandomize, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    try:
        found = find(cases(), lambda case: difference(binary, case) is not None, settings=budget)
    except NoSuchExample:
        return None
    return minimize(binary, found)


def write_fixture(folder: Path, case: Case, why: str) -> Path:
    """The case as a golden input; its expected trace is blessed once the cores are fixed."""
    text = case.text()
    name = "fuzz-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    comments = ["# Found by the differential fuzzer; the cores differed at " + why.splitlines()[0]]
    if case.crash:
        comments.append("# crash-at: " + " ".join(map(str, case.crash)))
    path = folder / f"{name}.events"
    path.write_text("\n".join(case.lines[:1] + comments + case.lines[1:]) + "\n", encoding="utf-8")
    return path
