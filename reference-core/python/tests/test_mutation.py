"""The static and the dynamic half agree: a wall-clock read, an unseeded RNG draw or a hash-ordered
iteration inserted into the event path is reported by `dstcheck check` (in either language) and,
in the Python core, makes `refcore dst` report a divergence."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corepaths import CORE

REPO = CORE.parent

# (name, file under reference-core/, exact text to replace, replacement, rule dstcheck must report)
MUTATIONS = [
    ("py-wall-clock", "python/refcore/sequencer.py",
     "out.append(replace(batch[i], seq=self.next_seq, ingest=ingest))",
     "out.append(replace(batch[i], seq=self.next_seq, ingest=time.time_ns()))", "DST201"),
    ("py-unseeded-rng", "python/refcore/venue.py",
     "if rng.below(100) < 6:",
     "if random.random() < 0.06:", "DST202"),
    ("py-set-iteration", "python/refcore/sequencer.py",
     "ranked = sorted(range(len(batch)), key=lambda i: (order_key(batch[i]), i))",
     "ranked = [i for source in {ev.source for ev in batch}\n"
     "                  for i in sorted(range(len(batch)), key=lambda i: (order_key(batch[i]), i)) if batch[i].source == source]",
     "DST203"),
    ("rs-wall-clock", "rust/src/sequencer.rs",
     "ev.ingest = ingest;",
     "ev.ingest = ingest + std::time::Instant::now().elapsed().as_nanos() as i64;", "DST101"),
    ("rs-unseeded-rng", "rust/src/venue.rs",
     "if self.rng.below(100) < 6 {",
     "if std::collections::hash_map::RandomState::new().hash_one(0u8) % 100 < 6 {", "DST102"),
    ("rs-hash-iteration", "rust/src/strategy.rs",
     "    core.orders\n        .values()",
     "    let markets: std::collections::HashSet<String> = core.positions.keys().cloned().collect();\n"
     "    markets.iter().flat_map(|m| core.orders.values().filter(move |o| &o.market() == m))", "DST105"),
]
IMPORTS = {"py-wall-clock": "import time\n", "py-unseeded-rng": "import random\n"}


def copy_workspace(tmp: Path) -> Path:
    """The repository's dstcheck configuration, allowlists and reference core, without build output."""
    shutil.copy(REPO / "pyproject.toml", tmp / "pyproject.toml")
    shutil.copytree(REPO / "allowlists", tmp / "allowlists")
    shutil.copytree(CORE, tmp / "reference-core", ignore=shutil.ignore_patterns("target", "__pycache__", ".pytest_cache"))
    return tmp


def mutate(root: Path, name: str) -> str:
    _, rel, old, new, rule = next(m for m in MUTATIONS if m[0] == name)
    path = root / "reference-core" / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name}: the anchor must occur exactly once in {rel}"
    text = IMPORTS.get(name, "") + text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return rule


def dstcheck(root: Path) -> tuple:
    out = subprocess.run([sys.executable, "-m", "dstcheck.cli", "check", "--format", "json", "--no-cache"],
                         cwd=root, capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout)


def refcore_dst(root: Path, seeds: str = "1-6", steps: str = "100"):
    env = dict(os.environ, PYTHONPATH=str(root / "reference-core" / "python"))
    where = subprocess.run([sys.executable, "-c", "import refcore; print(refcore.__file__)"], env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(root)), "the patched copy is the one that runs"
    return subprocess.run([sys.executable, "-m", "refcore", "dst", "--seeds", seeds, "--steps", steps],
                          env=env, capture_output=True, text=True)


def test_the_unpatched_copy_is_clean_both_ways(tmp_path):
    root = copy_workspace(tmp_path)
    code, report = dstcheck(root)
    assert code == 0 and report["summary"]["violations"] == 0, report["summary"]
    out = refcore_dst(root)
    assert out.returncode == 0 and "6 seeds, 0 divergences" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("name", [m[0] for m in MUTATIONS])
def test_dstcheck_reports_the_mutation(tmp_path, name):
    root = copy_workspace(tmp_path)
    rule = mutate(root, name)
    code, report = dstcheck(root)
    violations = [f for f in report["sites"] if f["disposition"] == "violation"]
    assert code == 1
    assert [(f["rule"], f["path"]) for f in violations] == [(rule, "reference-core/" + next(m[1] for m in MUTATIONS if m[0] == name))]


@pytest.mark.parametrize("name", [m[0] for m in MUTATIONS if m[0].startswith("py-")])
def test_refcore_dst_reports_a_divergence_on_the_same_mutation(tmp_path, name):
    root = copy_workspace(tmp_path)
    mutate(root, name)
    out = refcore_dst(root)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "runs diverge: first divergence at step seq=" in out.stdout
    assert out.stdout.splitlines()[-1].startswith("6 seeds, ") and " 0 divergences" not in out.stdout


def test_refcore_dst_fails_on_a_broken_invariant(tmp_path):
    """Not a determinism bug, so no rule sees it: the invariants are what catch it."""
    root = copy_workspace(tmp_path)
    path = root / "reference-core/python/refcore/core.py"
    text = path.read_text(encoding="utf-8")
    old = "self.cash -= order.signed * price * qty + charged"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old + " + 1"), encoding="utf-8")
    assert dstcheck(root)[0] == 0
    out = refcore_dst(root, seeds="1-2")
    assert out.returncode == 1
    assert "run failed invariant cash-and-positions-conserve failed" in out.stdout
