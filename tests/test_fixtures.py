"""Every fixture file under tests/fixtures states its own expectations; check them all."""

from __future__ import annotations

from collections import Counter

import pytest

from fixture_harness import FIXTURES
from dstcheck import config as config_mod
from dstcheck import pipeline
from fixture_harness import annotations, compare

FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".rs", ".py") and p.is_file())


@pytest.fixture(scope="module")
def fixture_scan():
    cfg = config_mod.load(explicit=FIXTURES / "dstcheck.toml")
    return pipeline.scan(cfg, include_scoped_out=True)


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(FIXTURES).as_posix() for p in FILES])
def test_fixture_expectations(fixture_scan, path):
    rel = path.relative_to(FIXTURES).as_posix()
    sites = [s for s in fixture_scan.sites if s.path == rel]
    problems = compare(path, f"tests/fixtures/{rel}", sites, set(fixture_scan.config.pack.rules) | {"DST000"})
    assert not problems, "\n".join(problems)


def test_every_rule_has_fixtures_both_ways(fixture_scan):
    """Each rule needs expected sites and `ok` look-alikes in the fixtures."""
    positives, negatives = Counter(), Counter()
    known = set(fixture_scan.config.pack.rules) | {"DST000"}
    for path in FILES:
        expected, ok = annotations(path, known)
        for counter in expected.values():
            for (rule, _), n in counter.items():
                positives[rule] += n
        for rules in ok.values():
            for rule in rules:
                negatives[rule] += 1
    for rule in (r for r, spec in fixture_scan.config.pack.rules.items() if spec.matchers):
        assert positives[rule] >= 1, f"{rule} has no expected site in tests/fixtures"
        assert negatives[rule] >= 1, f"{rule} has no `ok` look-alike in tests/fixtures"


def test_harness_catches_missing_and_noisy(tmp_path):
    """The harness must be able to fail: a missed site and an unannotated one are both reported."""
    from dstcheck.model import Site

    src = tmp_path / "x.rs"
    src.write_text("// expect: DST101\nlet a = 1;\nlet b = 2;\n", encoding="utf-8")
    noisy = Site("DST102", "raw-rng", "x.rs", 3, 1, 3, 2, "", "", "", "violation")
    problems = compare(src, "x.rs", [noisy], {"DST101", "DST102"})
    assert any(p.startswith("Missing: x.rs:2") for p in problems)
    assert any(p.startswith("Noisy: x.rs:3") for p in problems)
    with pytest.raises(AssertionError, match="unknown rule id"):
        src.write_text("// expect: DST999\nx\n", encoding="utf-8")
        compare(src, "x.rs", [], {"DST101"})
