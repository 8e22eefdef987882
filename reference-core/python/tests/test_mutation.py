"""Seeded defects, each caught. The static and the dynamic half agree: a wall-clock read, an
unseeded RNG draw, a hash-ordered iteration or an environment read inserted into the event path
is reported by `dstcheck check` (in either language), and the same-seed harness reports it at run
time in both cores (the environment read only since the second dst process sees another world).
The run-time checks that had blind spots each have a defect only they can see: a Rust generator
that draws differently (the generator comparison), a recovery or timeline that differs only in
crash runs (crash parity), a nondeterminism that does not come back on a re-run (traces kept from
the runs themselves), and arithmetic that wraps (the differential fuzzer)."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corepaths import CORE
from fuzzstreams import search

REPO = CORE.parent

# (name, file under reference-core/, exact text to replace, replacement, rules dstcheck must report)
MUTATIONS = [
    ("py-wall-clock", "python/refcore/sequencer.py",
     "ev.seq, ev.ingest = seq, ingest",
     "ev.seq, ev.ingest = seq, time.time_ns()", "DST201"),
    ("py-unseeded-rng", "python/refcore/venue.py",
     "if rng.below(100) < p.reject_pct:",
     "if random.random() < 0.06:", "DST202"),
    ("py-set-iteration", "python/refcore/sequencer.py",
     "        keys.sort()\n",
     "        keys.sort()\n        keys = [k for source in {ev.source for ev in batch} for k in keys if batch[k[-1]].source == source]\n",
     "DST203"),
    ("rs-wall-clock", "rust/src/sequencer.rs",
     "ev.ingest = ingest;",
     "ev.ingest = ingest + std::time::Instant::now().elapsed().as_nanos() as i64;", "DST101"),
    ("rs-unseeded-rng", "rust/src/venue.rs",
     "if self.rng.below(100) < p.reject_pct {",
     "if std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8) % 100 < 6 {",
     "DST102"),
    ("rs-hash-iteration", "rust/src/strategy.rs",
     "    core.open\n        .values()",
     "    let markets: std::collections::HashSet<usize> = (0..core.positions.len()).collect();\n"
     "    markets.iter().flat_map(|m| core.open.values().filter(move |o| o.market == *m))",
     "DST105 DST108"),  # the set in an order-sensitive file, and its iteration
    ("py-env-read", "python/refcore/venue.py",
     "if rng.below(100) < p.reject_pct:",
     "if rng.below(100) < p.reject_pct + 40 * (os.environ.get('TZ') == 'UTC'):", "DST208"),
    ("rs-env-read", "rust/src/venue.rs",
     "if self.rng.below(100) < p.reject_pct {",
     "if self.rng.below(100) < p.reject_pct + 40 * (std::env::var(\"TZ\").as_deref() == Ok(\"UTC\")) as i64 {", "DST110"),
]
# Defects no static rule is meant to see; the run-time checks must.
RUNTIME_ONLY = [
    ("rs-generator", "rust/src/scenario.rs",
     "if rng.below(100) < p.quote_pct {",
     "if rng.below(100) <= p.quote_pct {"),
    ("rs-crash-timeline", "rust/src/harness.rs",
     'harness.command("start", "recovered")',
     'harness.command("start", "restored")'),
    ("rs-recovery", "rust/src/harness.rs",
     "for (ingest, batch) in retained.iter_mut() {",
     "for (ingest, batch) in retained.iter_mut().skip(1) {"),
    ("spec-fee", "core.spec",  # not a defect: a table changed in the one place both cores read
     "venue name=XB index=1 fee-bps=25",
     "venue name=XB index=1 fee-bps=40"),
    ("rs-unchecked-cost", "rust/src/model.rs",
     "price.checked_mul(qty)?.checked_add(fee(venue, price, qty)?)",
     "let bps = spec().venue(venue).unwrap().fee_bps;\n"
     "    Some(price.wrapping_mul(qty).wrapping_add(price.wrapping_mul(qty).wrapping_mul(bps) / 10_000))"),
]
IMPORTS = {"py-wall-clock": "import time\n", "py-unseeded-rng": "import random\n", "py-env-read": "import os\n"}
RUST_MUTANTS = [m[0] for m in MUTATIONS + RUNTIME_ONLY if m[0].startswith(("rs-", "spec-"))]


def copy_workspace(tmp: Path) -> Path:
    """The repository's dstcheck configuration, allowlists and reference core, without build output."""
    shutil.copy(REPO / "pyproject.toml", tmp / "pyproject.toml")
    shutil.copytree(REPO / "allowlists", tmp / "allowlists")
    shutil.copytree(CORE, tmp / "reference-core", ignore=shutil.ignore_patterns("target", "__pycache__", ".pytest_cache"))
    return tmp


def mutate(root: Path, name: str) -> str:
    _, rel, old, new, *rule = next(m for m in MUTATIONS + RUNTIME_ONLY if m[0] == name)
    path = root / "reference-core" / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name}: the anchor must occur exactly once in {rel}"
    text = IMPORTS.get(name, "") + text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return rule[0] if rule else ""


def dstcheck(root: Path) -> tuple:
    out = subprocess.run([sys.executable, "-m", "dstcheck.cli", "check", "--format", "json", "--no-cache"],
                         cwd=root, capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout)


def refcore(*args, root: Path = None):
    """The refcore command line: the repository's core, or a patched copy under `root`."""
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = str(root / "reference-core" / "python")
        where = subprocess.run([sys.executable, "-c", "import refcore; print(refcore.__file__)"], env=env,
                               capture_output=True, text=True)
        assert where.stdout.startswith(str(root)), "the patched copy is the one that runs"
    return subprocess.run([sys.executable, "-m", "refcore", *args], env=env, capture_output=True, text=True)


MUTANT_CACHE = CORE / "rust" / "target" / "mutants"  # build output, like the rest of target/


def source_digest(crate: Path) -> str:
    """What a mutant binary is built from: the crate's sources and the shared spec."""
    h = hashlib.sha256()
    for path in sorted([*crate.glob("src/**/*.rs"), crate / "Cargo.toml", crate.parent / "core.spec"]):
        h.update(path.relative_to(crate.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def mutants(tmp_path_factory):
    """Every Rust mutant, built two at a time in the dev profile (a third of the release build's
    time; these runs are small) and kept by source digest, so a second session (CI's other
    interpreters) builds nothing: name -> refcore-rs binary."""
    def build(name):
        root = copy_workspace(tmp_path_factory.mktemp(name))
        mutate(root, name)
        crate = root / "reference-core" / "rust"
        cached = MUTANT_CACHE / f"{name}-{source_digest(crate)}" / "refcore-rs"
        if not cached.exists():
            out = subprocess.run(["cargo", "build", "--quiet", "--manifest-path", str(crate / "Cargo.toml")],
                                 capture_output=True, text=True)
            assert out.returncode == 0, f"{name} does not build:\n{out.stderr}"
            for stale in MUTANT_CACHE.glob(f"{name}-*"):  # built from sources that have changed since
                shutil.rmtree(stale, ignore_errors=True)
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(crate / "target" / "debug" / "refcore-rs", cached.with_suffix(".partial"))
            os.replace(cached.with_suffix(".partial"), cached)
        return name, cached
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, RUST_MUTANTS))


def summary_line(out):
    return out.stdout.splitlines()[-1] if out.stdout else out.stderr


# -- the static half ----------------------------------------------------------------------------
def test_the_unpatched_copy_is_clean_both_ways(tmp_path, rust_bin):
    root = copy_workspace(tmp_path)
    code, report = dstcheck(root)
    assert code == 0 and report["summary"]["violations"] == 0, report["summary"]
    out = refcore("dst", "--seeds", "1-6", "--steps", "100", "--rust-bin", str(rust_bin), root=root)
    assert out.returncode == 0 and "6 seeds, 0 divergences" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("name", [m[0] for m in MUTATIONS])
def test_dstcheck_reports_the_mutation(tmp_path, name):
    root = copy_workspace(tmp_path)
    rule = mutate(root, name)
    code, report = dstcheck(root)
    violations = [f for f in report["sites"] if f["disposition"] == "violation"]
    assert code == 1
    path = "reference-core/" + next(m[1] for m in MUTATIONS if m[0] == name)
    assert [(f["rule"], f["path"]) for f in violations] == [(r, path) for r in rule.split()]


# -- the dynamic half: the same defects at run time ---------------------------------------------
@pytest.mark.parametrize("name", [m[0] for m in MUTATIONS if m[0].startswith("py-")])
def test_refcore_dst_reports_a_divergence_on_the_python_mutation(tmp_path, name, rust_bin):
    root = copy_workspace(tmp_path)
    mutate(root, name)
    out = refcore("dst", "--seeds", "1-6", "--steps", "100", "--no-rust", root=root)
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r"the python-\w+ and python-\w+ runs diverge: first divergence at step seq=", out.stdout)
    assert summary_line(out).startswith("6 seeds, ") and " 0 divergences" not in out.stdout


@pytest.mark.parametrize("name, profile", [("rs-wall-clock", "default"), ("rs-unseeded-rng", "default"),
                                           ("rs-hash-iteration", "crowded"), ("rs-env-read", "default")])
def test_refcore_dst_reports_a_divergence_on_the_rust_mutation(name, profile, mutants):
    out = refcore("dst", "--seeds", "1-6", "--steps", "100", "--profile", profile, "--rust-bin", str(mutants[name]))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "the rust-first and rust-second runs diverge: first divergence at step seq=" in out.stdout
    assert set(re.findall(r"the (\S+) and (\S+) runs diverge", out.stdout)) == {("rust-first", "rust-second")}


def test_the_environment_read_was_invisible_when_every_process_saw_the_same_world(tmp_path):
    """The blind spot itself: with no perturbed process the environment read goes unnoticed."""
    root = copy_workspace(tmp_path)
    mutate(root, "py-env-read")
    env = dict(os.environ, PYTHONPATH=str(root / "reference-core" / "python"), TZ="UTC")
    summaries = set()
    for hashseed in ("1", "2"):
        runs = [subprocess.run([sys.executable, "-m", "refcore", "run", "--seed", str(seed), "--steps", "100"],
                               env=dict(env, PYTHONHASHSEED=hashseed), capture_output=True, text=True).stdout
                for seed in (1, 2, 3)]
        assert all(" digest=" in out for out in runs)
        summaries.add(tuple(runs))
    assert len(summaries) == 1


def test_parity_sees_the_hash_ordered_cancels_only_in_the_crowded_profile(mutants):
    binary = str(mutants["rs-hash-iteration"])
    default = refcore("parity", "--seeds", "1-6", "--steps", "100", "--rust-bin", binary)
    assert default.returncode == 0, "the default profile never has two stale orders at one tick"
    crowded = refcore("parity", "--seeds", "1-6", "--steps", "100", "--profile", "crowded", "--rust-bin", binary)
    assert crowded.returncode == 1, crowded.stdout + crowded.stderr
    assert "the python and rust runs disagree: first divergence at step seq=" in crowded.stdout


def test_a_rust_generator_that_draws_differently_is_caught(mutants):
    binary = str(mutants["rs-generator"])
    python = refcore("events", "--seed", "3", "--steps", "200").stdout
    rust = subprocess.run([binary, "events", "--seed", "3", "--steps", "200"], capture_output=True, text=True).stdout
    assert python != rust
    out = refcore("parity", "--seeds", "1-3", "--steps", "200", "--rust-bin", binary)
    assert out.returncode == 1 and summary_line(out).startswith("3 seeds, 6 mismatches"), out.stdout


@pytest.mark.parametrize("name", ["rs-crash-timeline", "rs-recovery"])
def test_a_defect_only_crash_runs_show_is_caught_by_crash_parity(name, mutants):
    out = refcore("parity", "--seeds", "1-4", "--steps", "100", "--rust-bin", str(mutants[name]))
    assert out.returncode == 1, out.stdout + out.stderr
    mismatched = set(re.findall(r"the (\S+) and (\S+) runs disagree", out.stdout))
    assert mismatched == {("python-crash", "rust-crash")}, out.stdout


def test_both_cores_read_the_one_spec(tmp_path, mutants):
    """Change a table in core.spec: both cores change together (parity holds, the traces move)."""
    root = copy_workspace(tmp_path)
    mutate(root, "spec-fee")
    args = ["--seeds", "1-4", "--steps", "100", "--rust-bin", str(mutants["spec-fee"])]
    out = refcore("parity", *args, root=root)
    assert out.returncode == 0 and "4 seeds, 0 mismatches" in out.stdout, out.stdout + out.stderr
    one = ["run", "--seed", "1", "--steps", "100"]
    changed, unchanged = refcore(*one, root=root).stdout, refcore(*one).stdout
    assert " digest=" in changed and changed != unchanged, "seed 1 fills on XB"


def test_a_divergence_that_does_not_reproduce_is_shown_from_the_kept_traces(tmp_path):
    """Only the first process to reach the venue behaves differently; a re-run would find nothing."""
    (tmp_path / "copy").mkdir()
    root = copy_workspace(tmp_path / "copy")
    marker = tmp_path / "once"
    venue = root / "reference-core/python/refcore/venue.py"
    text = venue.read_text(encoding="utf-8")
    old = "if rng.below(100) < p.reject_pct:"
    assert text.count(old) == 1
    once = (f"def _once():\n    try:\n        os.close(os.open({str(marker)!r}, os.O_CREAT | os.O_EXCL))\n"
            "        return 100\n    except FileExistsError:\n        return 0\n\n\n")
    venue.write_text("import os\n" + text.replace(old, "if rng.below(100) < p.reject_pct + _once():")
                     .replace("class Report:", once + "class Report:"), encoding="utf-8")
    keep = tmp_path / "kept"
    out = refcore("dst", "--seeds", "1-2", "--steps", "60", "--no-rust", "--keep", str(keep), root=root)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.startswith("seed 1: the python-") and "differ only" not in out.stdout
    assert "seed 2" not in out.stdout, "only the first process to place an order was touched"
    line = int(re.search(r"first divergence at step seq=\d+ \(line (\d+)\)", out.stdout)[1])
    left, right = re.search(r"kept: (\S+) (\S+)", out.stdout).groups()
    assert Path(left).parent.parent == Path(right).parent.parent == keep
    first, second = Path(left).read_text().splitlines(), Path(right).read_text().splitlines()
    assert first[:line - 1] == second[:line - 1] and first[line - 1] != second[line - 1]


def test_the_fuzzer_finds_arithmetic_that_wraps(mutants):
    """The divergence the fuzzer found before arithmetic was checked (an order whose notional is
    2^63), seeded back into the Rust core (test_differential runs the clean core)."""
    case = search(str(mutants["rs-unchecked-cost"]), 1500)
    assert case is not None, "the fuzzer must find the wrapped notional"
    places = [line for line in case.lines if "p.type=place" in line]
    assert len(places) == 1 and len(case.lines) <= 3, case.text()
    fields = dict(part.split("=", 1) for part in places[0].split()[1:])
    assert int(fields["p.price"]) * int(fields["p.qty"]) * 10 >= 2**63, case.text()


def test_refcore_dst_fails_on_a_broken_invariant(tmp_path):
    """Not a determinism bug, so no rule sees it: the invariants are what catch it."""
    root = copy_workspace(tmp_path)
    path = root / "reference-core/python/refcore/core.py"
    text = path.read_text(encoding="utf-8")
    old = "self.cash, self.fees, self.positions[market] = cash, total_fees, position"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "self.cash, self.fees, self.positions[market] = cash + 1, total_fees, position"),
                    encoding="utf-8")
    assert dstcheck(root)[0] == 0
    out = refcore("dst", "--seeds", "1-2", "--no-rust", root=root)
    assert out.returncode == 1
    assert "run failed an invariant" in out.stdout
