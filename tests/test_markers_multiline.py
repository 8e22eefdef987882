"""A site split over lines is one site: a `dst-ok` marker on any of its lines accepts it, and
`--add-markers` writes one on such a line. A chain runs from its receiver to the end of the chain
that consumes the iteration, a loop's site is its header, a comprehension is bracket to bracket;
the reported span (line, column, end, snippet: what baselines fingerprint and fixes anchor on)
stays where the rule matched. The fixture corpus (tests/fixtures/*/markers_multiline.*) has the
single-file forms; these are the ones across files, through the cache and through the fixer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fixture_harness import workspace

CONFIG = """
[[scope]]
name = "core"
include = ["crates/core/src/"]
"""

MANIFESTS = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
    "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\nedition = "2021"\n',
    "dstcheck.toml": CONFIG,
}

CHAINS = """\
use std::collections::HashMap;
pub fn first_line(m: &HashMap<u64, u64>) -> Vec<u64> {
    let v: Vec<u64> = m // dst-ok: sorted by the caller
        .keys()
        .copied()
        .collect();
    v
}
pub fn last_line(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.keys()
        .copied()
        .collect() // dst-ok: sorted by the caller
}
"""


def run(cwd, *args, cache=None):
    env = {k: v for k, v in os.environ.items() if k != "DSTCHECK_CACHE_DIR"}
    command = [sys.executable, "-m", "dstcheck", "check", "--color", "never", "--format", "json", *args]
    if cache is None:
        command.append("--no-cache")
    else:
        env["DSTCHECK_CACHE_DIR"] = str(cache)
    proc = subprocess.run(command, cwd=str(cwd), capture_output=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def spans(report):
    return [(s["rule"], s["line"], s["column"], s["end_line"], s["end_column"], s["snippet"], s["disposition"]) for s in report["sites"]]


def test_a_marker_on_the_receiver_or_the_last_line_of_a_chain_accepts_it(tmp_path):
    work = workspace(tmp_path, {**MANIFESTS, "crates/core/src/lib.rs": CHAINS})
    code, report = run(work, "--show-all")
    assert code == 0
    # the span is the one reported before (baselines and fixes anchor on it); no marker is unused
    assert spans(report) == [
        ("DST108", 4, 10, 4, 14, "keys", "suppressed"),
        ("DST108", 10, 7, 10, 11, "keys", "suppressed"),
    ]
    assert [s["reason"] for s in report["sites"]] == ["sorted by the caller"] * 2


def test_the_same_through_a_warm_cache(tmp_path):
    work = workspace(tmp_path, {**MANIFESTS, "crates/core/src/lib.rs": CHAINS})
    cold = run(work, "--show-all", cache=tmp_path / "cache")
    warm = run(work, "--show-all", cache=tmp_path / "cache")
    assert cold == warm
    assert cold[0] == 0 and {s["disposition"] for s in cold[1]["sites"]} == {"suppressed"}


CROSS_FILE = {
    "crates/core/src/lib.rs": """\
        pub mod cache;
        pub mod orders;
        use crate::cache::Cache;
        pub fn ids(cache: &Cache) -> Vec<u64> {
            cache
                .orders()
                .keys()
                .copied()
                .collect() // dst-ok[DST108]: sorted by the caller
        }
        pub fn unmarked(cache: &Cache) -> Vec<u64> {
            cache
                .orders()
                .keys()
                .copied()
                .collect()
        }
        """,
    "crates/core/src/cache.rs": """\
        use std::collections::HashMap;
        pub struct Cache {
            pub orders: HashMap<u64, u64>,
        }
        """,
    "crates/core/src/orders.rs": """\
        use std::collections::HashMap;
        use crate::cache::Cache;
        impl Cache {
            pub fn orders(&self) -> &HashMap<u64, u64> {
                &self.orders
            }
        }
        """,
}


def test_a_chain_typed_in_another_file_is_accepted_on_its_last_line(tmp_path):
    """The receiver's type is proven by the index (the method's impl is in another file): the
    site's lines are still the chain's, cold and warm."""
    work = workspace(tmp_path, {**MANIFESTS, **CROSS_FILE})
    for attempt in range(2):
        code, report = run(work, "--show-all", cache=tmp_path / "cache")
        assert code == 1, attempt
        assert spans(report) == [
            ("DST108", 7, 10, 7, 14, "keys", "suppressed"),
            ("DST108", 14, 10, 14, 14, "keys", "violation"),
        ], attempt


def test_ignore_markers_reports_the_chain_and_no_unused_marker(tmp_path):
    work = workspace(tmp_path, {**MANIFESTS, "crates/core/src/lib.rs": CHAINS})
    code, report = run(work, "--ignore-markers")
    assert code == 1
    assert [(s["rule"], s["line"]) for s in report["sites"]] == [("DST108", 4), ("DST108", 10)]


UNMARKED = """\
use std::collections::HashMap;
pub fn ids(m: &HashMap<u64, u64>) -> Vec<u64> {
    let v: Vec<u64> = m
        .keys() // a comment long enough that a marker after it would pass rustfmt's width
        .copied()
        .collect();
    v
}
pub fn values(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.values()
        .copied()
        .collect()
}
"""

MARKED = """\
use std::collections::HashMap;
pub fn ids(m: &HashMap<u64, u64>) -> Vec<u64> {
    let v: Vec<u64> = m // dst-ok[DST108]: pre-existing
        .keys() // a comment long enough that a marker after it would pass rustfmt's width
        .copied()
        .collect();
    v
}
pub fn values(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.values() // dst-ok[DST108]: pre-existing
        .copied()
        .collect()
}
"""


def test_add_markers_marks_the_reported_line_else_another_line_of_the_chain(tmp_path):
    work = workspace(tmp_path, {**MANIFESTS, "crates/core/src/lib.rs": UNMARKED})
    proc = subprocess.run(
        [sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--add-markers", "pre-existing"],
        cwd=str(work), capture_output=True, env={k: v for k, v in os.environ.items() if k != "DSTCHECK_CACHE_DIR"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert (work / "crates/core/src/lib.rs").read_text() == MARKED
    code, report = run(work, "--show-all")
    assert code == 0
    assert [(s["rule"], s["line"], s["disposition"]) for s in report["sites"]] == [("DST108", 4, "suppressed"), ("DST108", 10, "suppressed")]


def test_python_comprehension_and_loop_header_through_add_markers(tmp_path):
    work = workspace(tmp_path, {
        "dstcheck.toml": '[[scope]]\nname = "py"\ninclude = ["src/"]\n',
        "src/m.py": (
            "def f(s: set[str], out: list):\n"
            "    a = [\n"
            "        x for x in s  # a comment long enough that the marker after it would pass the width\n"
            "    ]\n"
            "    for y in (\n"
            "        s\n"
            "    ):\n"
            "        out.append(y)\n"
            "    return a\n"
        ),
    })
    proc = subprocess.run(
        [sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--add-markers", "pre-existing"],
        cwd=str(work), capture_output=True, env={k: v for k, v in os.environ.items() if k != "DSTCHECK_CACHE_DIR"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert (work / "src/m.py").read_text() == (
        "def f(s: set[str], out: list):\n"
        "    a = [  # dst-ok[DST203]: pre-existing\n"
        "        x for x in s  # a comment long enough that the marker after it would pass the width\n"
        "    ]\n"
        "    for y in (\n"
        "        s  # dst-ok[DST203]: pre-existing\n"
        "    ):\n"
        "        out.append(y)\n"
        "    return a\n"
    )
    code, report = run(work)
    assert code == 0 and report["sites"] == []


REDUNDANT = """\
use std::collections::HashMap;
use std::time::Instant;
pub fn two_on_a_line() -> Instant {
    Instant::now() /* dst-ok: the first accepts the site */ // dst-ok: so this one accepts nothing
}
pub fn two_on_a_chain(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.keys() // dst-ok: the receiver's line accepts the chain
        .copied()
        .collect() // dst-ok: so the last line's accepts nothing
}
pub fn one_each(m: &HashMap<u64, u64>) -> Vec<(u64, Instant)> {
    m.keys() // dst-ok[DST108]: sorted by the caller
        .map(|k| (*k, Instant::now())) // dst-ok[DST101]: each marker takes its own rule
        .collect()
}
"""


def test_a_marker_whose_sites_another_marker_accepts_first_is_unused(tmp_path):
    """A site is the first marker's on its lines that names its rule (as classify picks it); a
    later one that would accept only such sites hides the next violation there: DST001, cold and
    warm."""
    work = workspace(tmp_path, {**MANIFESTS, "crates/core/src/lib.rs": REDUNDANT})
    for attempt in range(2):
        code, report = run(work, "--show-all", cache=tmp_path / "cache")
        assert code == 1, attempt
        unused = [(s["line"], s["snippet"]) for s in report["sites"] if s["rule"] == "DST001"]
        assert unused == [
            (4, "dst-ok: so this one accepts nothing"),
            (9, "dst-ok: so the last line's accepts nothing"),
        ], attempt
        assert {s["disposition"] for s in report["sites"] if s["rule"] != "DST001"} == {"suppressed"}, attempt
