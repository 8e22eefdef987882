"""Golden fixtures: hand-written input streams and their expected traces, through both cores. A
fixture whose input is off the grammar expects the refusal line instead of a trace."""
import subprocess

import pytest

from corepaths import FIXTURES
from refcore.cli import read_streams
from refcore.grammar import GrammarError
from refcore.harness import run
from refcore.replay import first_divergence, replay

NAMES = sorted(p.stem for p in FIXTURES.glob("*.events"))


def test_the_fixture_set_covers_the_edge_cases():
    assert {"duplicate-reports", "out-of-order-reports", "partial-fills", "cancel-race", "rejects", "tie-breaks",
            "fees", "settings", "overflow-buy", "overflow-sell", "overflow-quote", "int-range"} <= set(NAMES)


def golden(name):
    path = FIXTURES / f"{name}.trace"
    assert path.exists(), f"{name}.events has no expected trace yet: review the cores, then bless it with " \
                          f"`refcore run --events {name}.events --trace {name}.trace`"
    return path.read_text(encoding="ascii").splitlines()


def crash_at(name):
    """The steps a fixture asks both cores to crash before (`# crash-at: 3 5`, as the fuzzer
    writes it when a divergence needs a crash); the trace must not depend on them."""
    text = (FIXTURES / f"{name}.events").read_text(encoding="utf-8", errors="replace")
    return [int(step) for line in text.splitlines() if line.startswith("# crash-at:") for step in line.split()[2:]]


def python_output(name):
    """What `refcore-rs run --trace` prints for the fixture: each stream's trace, then a refusal."""
    out = []
    try:
        for stream in read_streams(str(FIXTURES / f"{name}.events")):
            out += run(stream, tuple(crash_at(name))).trace
    except GrammarError as err:
        out.append(err.line())
    return out


@pytest.mark.parametrize("name", NAMES)
def test_python_core_writes_the_golden_trace(name):
    assert first_divergence(golden(name), python_output(name)) is None


@pytest.mark.parametrize("name", NAMES)
def test_rust_core_writes_the_golden_trace(name, rust_bin):
    source = (FIXTURES / f"{name}.events").read_bytes()
    crashes = [arg for step in crash_at(name) for arg in ("--crash-at", str(step))]
    out = subprocess.run([str(rust_bin), "run", "--trace", *crashes], input=source, capture_output=True)
    assert out.returncode in (0, 2), out.stderr
    assert first_divergence(golden(name), out.stdout.decode("ascii").splitlines()) is None


TRACES = [n for n in NAMES if (FIXTURES / f"{n}.trace").read_text(encoding="ascii").startswith("run ")]


@pytest.mark.parametrize("name", TRACES)
def test_golden_traces_replay_in_both_cores(name, rust_bin):
    assert replay(golden(name))[1] is None
    text = (FIXTURES / f"{name}.trace").read_text(encoding="ascii")
    out = subprocess.run([str(rust_bin), "replay"], input=text, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("replayed "), out.stdout + out.stderr
