"""Speed never costs exactness: the prefilter, the cache and the workers change no output byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstcheck import config as config_mod
from dstcheck import pipeline
from fixture_harness import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


def test_prefilter_changes_nothing_on_the_fixtures():
    cfg = config_mod.load(explicit=FIXTURES / "dstcheck.toml")
    fast = pipeline.scan(cfg, include_scoped_out=True, options=pipeline.Options(cache=False, prefilter=True, jobs=1))
    full = pipeline.scan(cfg, include_scoped_out=True, options=pipeline.Options(cache=False, prefilter=False, jobs=1))
    assert fast.sites == full.sites
    assert any(not r.parsed for r in fast.results.values())  # the prefilter did skip files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    generate(directory, scale=0.04, seed=3)
    return directory


def run(args, cwd):
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--show-all", "--format", "json", *args], cwd=str(cwd), capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def test_generated_corpus_identical_with_and_without_prefilter_cache_and_workers(corpus):
    shutil.rmtree(corpus / ".dstcheck_cache", ignore_errors=True)
    reference = run(["--no-cache", "--no-prefilter", "-j", "1"], corpus)
    assert json.loads(reference)["summary"]["violations"] > 0
    variants = {
        "prefilter, 1 worker": run(["--no-cache", "-j", "1"], corpus),
        "prefilter, 2 workers": run(["--no-cache", "-j", "2"], corpus),
        "no prefilter, 2 workers": run(["--no-cache", "--no-prefilter", "-j", "2"], corpus),
        "cold cache": run([], corpus),
        "warm cache": run([], corpus),
        "warm cache, 1 worker": run(["-j", "1"], corpus),
    }
    assert (corpus / ".dstcheck_cache" / ".gitignore").read_text().strip().endswith("*")
    for name, output in variants.items():
        assert output == reference, name


def test_corrupt_or_foreign_cache_is_ignored_and_rebuilt(corpus):
    from dstcheck.stages import cache as cache_mod

    reference = run(["--no-cache"], corpus)
    cache = corpus / ".dstcheck_cache" / cache_mod.FILENAME
    run([], corpus)
    cache.write_text("{not json")
    assert run([], corpus) == reference
    head, body = cache.read_bytes().split(b"\n", 1)
    data = json.loads(body)
    assert data["spaces"]["results"]
    data["version"] = "0.0.0-other"  # authentic, but written by another version: not used
    for entry in data["spaces"]["results"].values():
        entry["result"]["findings"] = []
    body = json.dumps(data).encode()
    secret = cache_mod.load_key(cache_mod.user_cache_dir() / cache_mod.KEYNAME)
    cache.write_bytes(cache_mod.MAGIC + cache_mod.mac(secret, body).encode() + b"\n" + body)
    assert run([], corpus) == reference


def test_cache_key_covers_the_configuration(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "lib.rs").write_text("pub fn f() { let _ = std::time::Instant::now(); } // mark\n")
    first = run([], tmp_path)
    assert json.loads(first)["summary"]["violations"] == 1
    (tmp_path / "dstcheck.toml").write_text('marker = "mark"\n')
    second = run([], tmp_path)
    assert json.loads(second)["summary"]["violations"] == 0
    (tmp_path / "dstcheck.toml").write_text('[rules.DST101]\npaths = ["std::time::SystemTime::now"]\n')
    assert json.loads(run([], tmp_path))["summary"]["violations"] == 0


def test_small_runs_stay_in_process(tmp_path, monkeypatch):
    import concurrent.futures

    for i in range(5):
        (tmp_path / f"f{i}.rs").write_text("fn f() { let _ = std::time::Instant::now(); }\n")

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for a small run")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    cfg = config_mod.from_data({}, tmp_path, None)
    result = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=2))
    assert len(result.violations) == 5


def test_a_few_large_files_are_analysed_in_a_pool_with_the_same_result(tmp_path, monkeypatch):
    """A commit of a few big files is worth a pool (PARALLEL_MIN_BYTES); the result is the one a
    single process gives."""
    from dstcheck.stages import workers

    body = "".join(f"pub fn f{n}() -> u64 {{\n    {n}\n}}\n" for n in range(2000))
    for i in range(3):
        (tmp_path / f"f{i}.rs").write_text(body + f"pub fn t() {{\n    let _ = std::time::Instant::now();\n}}\n// {i}\n")
    cfg = config_mod.from_data({}, tmp_path, None)
    alone = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))
    started = []
    real_pool = workers.pool

    def counting_pool(*args, **kwargs):
        started.append(args[0])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(workers, "pool", counting_pool)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 3 * len(body))
    pooled = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=2))
    assert started == [2]
    assert [(s.rule, s.path, s.line) for s in pooled.sites] == [(s.rule, s.path, s.line) for s in alone.sites]
    assert len(alone.violations) == 3


def test_python_only_scan_does_not_load_tree_sitter(tmp_path):
    (tmp_path / "a.py").write_text("import time\nT = time.time()\n")
    code = (
        "import sys; from dstcheck import cli, config, pipeline; "
        "assert 'tree_sitter' not in sys.modules, 'imported at start-up'; "
        "cfg = config.load(); r = pipeline.scan(cfg, options=pipeline.Options(cache=False)); "
        "assert len(r.violations) == 1; assert 'tree_sitter' not in sys.modules, 'imported for Python'"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


SNIPPETS = [
    "use std::time::Instant;",
    "use std::time::{self, Instant as Clock};",
    "use tokio::time::Instant;",
    "use rand::{rng, thread_rng as tr};",
    "use std::thread::*;",
    "struct Instant;",
    "fn a() { let _ = Instant::now(); }",
    "fn b() { let _ = Clock::now(); }",
    "fn c() { let _ = time::SystemTime::now(); }",
    "fn d() { let _ = rng(); let _ = tr(); }",
    "fn e() { spawn(|| {}); }",
    "fn f() { let s = \"Instant::now()\"; } // SystemTime::now()",
    "#[cfg(not(madsim))]",
    "#[cfg(test)]",
    "fn g() { format!(\"{:?}\", std::time::Instant::now()); }",
    "fn h() { let _ = std::time::Instant::now(); } // dst-ok: reason",
    "mod m { use super::*; fn i() { let _ = Instant::now(); } }",
    "fn j() { tokio::select! { x = a => {} } }",
    "use ahash::AHashMap as Map; struct S { m: Map<u8, u8> }",
    "fn k() { let _ = ::rand::random::<u8>(); }",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=8))
def test_prefilter_is_a_strict_superset_property(tmp_path_factory, lines):
    directory = tmp_path_factory.mktemp("prop")
    (directory / "lib.rs").write_text("\n".join(lines) + "\n")
    (directory / "dstcheck.toml").write_text('[rules.DST105]\nonly-in = ["lib.rs"]\n')
    cfg = config_mod.load(explicit=directory / "dstcheck.toml")
    fast = pipeline.scan(cfg, options=pipeline.Options(cache=False, prefilter=True, jobs=1))
    full = pipeline.scan(cfg, options=pipeline.Options(cache=False, prefilter=False, jobs=1))
    assert fast.sites == full.sites
    # A syntax error in a file that cannot hold a site is left to the compiler (see below).
    assert [x for x in fast.sites if x.rule != "DST000"] == [x for x in full.sites if x.rule != "DST000"]


def test_syntax_error_in_a_file_that_cannot_hold_a_site_needs_no_prefilter(tmp_path):
    (tmp_path / "lib.rs").write_text("fn f( {\n")
    cfg = config_mod.from_data({}, tmp_path, None)
    fast = pipeline.scan(cfg, options=pipeline.Options(cache=False, prefilter=True, jobs=1))
    full = pipeline.scan(cfg, options=pipeline.Options(cache=False, prefilter=False, jobs=1))
    assert fast.sites == []
    assert [s.rule for s in full.sites] == ["DST000"]
