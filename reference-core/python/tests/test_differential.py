"""Differential fuzzing: Hypothesis streams through both cores; a difference is shrunk to a
minimal stream, written to the fixtures as a new golden input, and fails the test.

CI runs the bounded, seeded profile below. The long profile draws fresh random streams:
    REFCORE_FUZZ=long python -m pytest -q reference-core/python/tests/test_differential.py
(REFCORE_FUZZ_EXAMPLES=N sets the number of streams of either profile.)"""
import os

from corepaths import FIXTURES
from fuzzstreams import difference, search, write_fixture

PROFILES = {"ci": (1000, True), "long": (50_000, False)}  # examples, derandomized


def test_the_cores_agree_on_every_stream_the_fuzzer_draws(rust_bin):
    examples, derandomize = PROFILES[os.environ.get("REFCORE_FUZZ", "ci")]
    examples = int(os.environ.get("REFCORE_FUZZ_EXAMPLES", examples))
    case = search(str(rust_bin), examples, derandomize)
    if case is not None:
        why = difference(str(rust_bin), case)
        path = write_fixture(FIXTURES, case, why)
        raise AssertionError(f"the cores differ at {why}\nshrunk to {path}:\n{case.text()}crash: {case.crash}")
