"""Golden fixtures: hand-written input streams and their expected traces, through both cores."""
import subprocess

import pytest

from corepaths import FIXTURES
from refcore.cli import read_inputs
from refcore.harness import run
from refcore.replay import first_divergence, replay

NAMES = sorted(p.stem for p in FIXTURES.glob("*.events"))


def test_the_fixture_set_covers_the_edge_cases():
    assert {"duplicate-reports", "out-of-order-reports", "partial-fills", "cancel-race", "rejects", "tie-breaks"} <= set(NAMES)


def golden(name):
    return (FIXTURES / f"{name}.trace").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", NAMES)
def test_python_core_writes_the_golden_trace(name):
    header, events = read_inputs(str(FIXTURES / f"{name}.events"))
    result = run(header["seed"], header["steps"], inputs=events, sim=header["sim"] != "off")
    assert first_divergence(golden(name), result.trace) is None


@pytest.mark.parametrize("name", NAMES)
def test_rust_core_writes_the_golden_trace(name, rust_bin):
    source = (FIXTURES / f"{name}.events").read_text(encoding="utf-8")
    out = subprocess.run([str(rust_bin), "run", "--trace"], input=source, capture_output=True, text=True, check=True)
    assert first_divergence(golden(name), out.stdout.splitlines()) is None


@pytest.mark.parametrize("name", NAMES)
def test_golden_traces_replay_in_both_cores(name, rust_bin):
    assert replay(golden(name))[1] is None
    text = (FIXTURES / f"{name}.trace").read_text(encoding="utf-8")
    out = subprocess.run([str(rust_bin), "replay"], input=text, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("replayed "), out.stdout + out.stderr
