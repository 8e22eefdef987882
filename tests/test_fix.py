"""`check --fix`, `--unsafe-fixes` and `--diff` on real before/after files (tests/fixtures_fix/).

`project/` is the "before" side (a Cargo crate with indexmap, a crate without it, Python files
and a configuration with replacements); `expected/` holds every file a fix changes, byte for
byte, so comments and formatting around each edit are part of what is compared.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures_fix"
PROJECT = FIXTURES / "project"
EXPECTED = FIXTURES / "expected"
CHANGED = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file())
# What no fix can repair: the crate without indexmap, a zip of two sets, a pop, a rebound `sorted`.
LEFT = [
    ("nodeps/src/lib.rs", "DST108", 5),
    ("py/order.py", "DST203", 20),
    ("py/order.py", "DST203", 21),
    ("py/rebound.py", "DST203", 6),
]


def dstcheck(args, cwd, env=None):
    full = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", *args], cwd=str(cwd), capture_output=True, env=full)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def copy_project(tmp_path, crlf: bool = False) -> Path:
    work = tmp_path / "project"
    shutil.copytree(PROJECT, work)
    if crlf:
        for path in work.rglob("*"):
            if path.suffix in (".rs", ".py"):
                path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return work


def files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def remaining(cwd) -> list:
    code, out, err = dstcheck(["--format", "json"], cwd)
    assert code in (0, 1), err
    return [(s["path"], s["rule"], s["line"]) for s in json.loads(out)["sites"]]


def parses(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".py":
        ast.parse(data)
        return True
    from dstcheck.rust import parse

    return parse.first_error(parse.parse(data)) is None


def test_unsafe_fixes_give_the_after_files_byte_for_byte(tmp_path):
    work = copy_project(tmp_path)
    before = files(work)
    code, out, err = dstcheck(["--unsafe-fixes"], work)
    assert code == 1, out + err  # what no fix repairs remains, and is reported
    after = files(work)
    for path in CHANGED:
        assert after[path] == (EXPECTED / path).read_bytes(), path
    assert {p for p in before if before[p] != after[p]} == set(CHANGED)
    assert set(after) == set(before)  # nothing written besides the fixed files (no temporary files left)
    assert "Applied 29 fixes to 7 files (DST101 raw-clock: 5, DST103 unbiased-select: 4, DST105 hash-ordered-collection: 4, DST108 hash-iteration: 2, DST201 py-raw-clock: 3, DST203 py-hash-order: 10, DST208 py-env-read: 1)." in err
    assert "note: nodeps/src/lib.rs:5:7: DST108 not fixed: the crate does not depend on indexmap" in err
    assert "note: py/rebound.py:6:17: DST203 not fixed: `sorted` is rebound in this file" in err
    assert "Found 4 violations" in out


def test_fixed_files_parse_and_no_longer_report_their_sites(tmp_path):
    work = copy_project(tmp_path)
    assert len(remaining(work)) == 33
    dstcheck(["--unsafe-fixes"], work)
    assert remaining(work) == LEFT
    for path in CHANGED:
        assert parses(work / path), path


def test_a_second_fix_changes_nothing(tmp_path):
    work = copy_project(tmp_path)
    dstcheck(["--unsafe-fixes"], work)
    fixed = files(work)
    code, _, err = dstcheck(["--unsafe-fixes"], work)
    assert code == 1
    assert files(work) == fixed
    assert err.startswith("No fixes to apply.\n")


def test_crlf_files_stay_crlf(tmp_path):
    work = copy_project(tmp_path, crlf=True)
    dstcheck(["--unsafe-fixes"], work)
    for path in CHANGED:
        expected = (EXPECTED / path).read_bytes().replace(b"\n", b"\r\n")
        assert (work / path).read_bytes() == expected, path
    assert remaining(work) == LEFT


def test_fix_applies_only_the_safe_fixes(tmp_path):
    work = copy_project(tmp_path)
    before = files(work)
    code, _, err = dstcheck(["--fix"], work)
    assert code == 1
    after = files(work)
    safe = ["py/shadow.py", "py/strat.py", "src/replace.rs"]  # configured replacements only
    assert {p for p in before if before[p] != after[p]} == set(safe)
    for path in safe:
        assert after[path] == (EXPECTED / path).read_bytes(), path
    assert "Applied 9 fixes to 3 files (DST101 raw-clock: 5, DST201 py-raw-clock: 3, DST208 py-env-read: 1)." in err
    assert "24 more violations may be fixable with --unsafe-fixes." in err


def test_diff_writes_nothing_and_its_patch_gives_the_fixed_tree(tmp_path):
    work = copy_project(tmp_path)
    before = {p: (b, os.stat(work / p).st_mtime_ns) for p, b in files(work).items()}
    code, out, err = dstcheck(["--diff", "--unsafe-fixes"], work)
    assert code == 1
    assert {p: (b, os.stat(work / p).st_mtime_ns) for p, b in files(work).items()} == before
    assert out.startswith("--- a/py/order.py\n+++ b/py/order.py\n@@ ")
    assert err.startswith("Would apply 29 fixes to 7 files")
    patched = copy_project(tmp_path / "patched")
    (patched / "fix.diff").write_text(out, encoding="utf-8")
    proc = subprocess.run(["git", "apply", "fix.diff"], cwd=str(patched), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for path in CHANGED:
        assert (patched / path).read_bytes() == (EXPECTED / path).read_bytes(), path


def test_diff_on_a_tree_with_nothing_to_fix_exits_0(tmp_path):
    work = copy_project(tmp_path)
    dstcheck(["--unsafe-fixes"], work)
    code, out, err = dstcheck(["--diff", "--unsafe-fixes"], work)
    assert (code, out) == (0, "")
    assert err.startswith("No fixes to apply.\n")


def test_output_is_the_same_across_hash_seeds_and_workers(tmp_path):
    work = copy_project(tmp_path)
    runs = {dstcheck(["--diff", "--unsafe-fixes", "-j", jobs], work, {"PYTHONHASHSEED": seed}) for seed in ("1", "2") for jobs in ("1", "2")}
    assert len(runs) == 1


def test_named_files_only_are_fixed(tmp_path):
    work = copy_project(tmp_path)
    before = files(work)
    dstcheck(["--unsafe-fixes", "py/order.py", "src/select.rs"], work)
    after = files(work)
    assert {p for p in before if before[p] != after[p]} == {"py/order.py", "src/select.rs"}


def test_fix_keeps_the_mode_and_a_symbolic_link(tmp_path):
    work = copy_project(tmp_path)
    os.chmod(work / "py" / "order.py", 0o640)
    (work / "src" / "select.rs").rename(work / "select_target.rs")
    (work / "src" / "select.rs").symlink_to("../select_target.rs")
    dstcheck(["--unsafe-fixes"], work)
    assert stat.S_IMODE(os.stat(work / "py" / "order.py").st_mode) == 0o640
    assert (work / "py" / "order.py").read_bytes() == (EXPECTED / "py" / "order.py").read_bytes()
    assert (work / "src" / "select.rs").is_symlink()
    assert (work / "select_target.rs").read_bytes() == (EXPECTED / "src" / "select.rs").read_bytes()


def test_json_report_says_what_was_fixed(tmp_path):
    work = copy_project(tmp_path)
    code, out, _ = dstcheck(["--unsafe-fixes", "--format", "json"], work)
    report = json.loads(out)
    assert report["summary"]["violations"] == 4
    assert report["fixes"]["applied"]["DST203"] == 10
    assert report["fixes"]["files"] == ["py/order.py", "py/shadow.py", "py/strat.py", "src/book.rs", "src/iterate.rs", "src/replace.rs", "src/select.rs"]
    assert {(n["path"], n["rule"], n["action"]) for n in report["fixes"]["not_applied"]} == {(p, r, "fixed") for p, r, _ in LEFT}


def test_a_python_encoding_and_bom_survive(tmp_path):
    work = tmp_path / "enc"
    work.mkdir()
    (work / "dstcheck.toml").write_text("")
    latin = "# -*- coding: latin-1 -*-\n# caf\u00e9\ndef f(s: set):\n    return [x for x in s]  # \u00e9t\u00e9\n"
    (work / "latin.py").write_bytes(latin.encode("latin-1"))
    (work / "bom.py").write_bytes(b"\xef\xbb\xbfdef f(s: set):\r\n    return list(s)\r\n")
    dstcheck(["--unsafe-fixes"], work)
    assert (work / "latin.py").read_bytes() == latin.replace("in s]", "in sorted(s)]").encode("latin-1")
    assert (work / "bom.py").read_bytes() == b"\xef\xbb\xbfdef f(s: set):\r\n    return sorted(s)\r\n"


def test_a_file_that_does_not_parse_is_left_alone(tmp_path):
    work = tmp_path / "broken"
    work.mkdir()
    (work / "dstcheck.toml").write_text("")
    source = b"fn f() { tokio::select! { x = a => {} } }\nfn g( {\n"
    (work / "lib.rs").write_bytes(source)
    code, _, err = dstcheck(["--unsafe-fixes"], work)
    assert code == 1
    assert (work / "lib.rs").read_bytes() == source
    assert "lib.rs:1:10: DST103 not fixed: the file does not parse" in err


class _StubFixer:
    """Plans one edit per candidate; renders `BROKEN` for the plan named so (what a fix whose
    result does not parse looks like to the orchestration)."""

    def plan(self, candidate):
        return (candidate.params["name"],)  # a plan (a string would be the reason there is none)

    def conflicts(self, plan, other):
        return plan == other

    def render(self, plans):
        names = [p[0] for p in plans]
        return b"BROKEN" if "bad" in names else ("+".join(names)).encode()

    def parses(self, data):
        return data != b"BROKEN"


def _candidates(*specs):
    from dstcheck.fix import Candidate
    from dstcheck.model import Site

    out = []
    for i, (name, rule, safety) in enumerate(specs):
        site = Site(rule, "x", "f.rs", i + 1, 1, i + 1, 2, "s", "", "m", "violation")
        out.append([Candidate(site, None, "replace", safety, {"name": name})])
    return out


def test_a_fix_whose_result_does_not_parse_is_dropped_and_reported():
    from dstcheck.fix import fix_source

    after, applied, skipped = fix_source(_StubFixer(), _candidates(("one", "DST101", "safe"), ("bad", "DST102", "safe"), ("two", "DST103", "safe")))
    assert after == b"one+two"
    assert [c.params["name"] for c in applied] == ["one", "two"]
    assert [(s.rule, why) for s, why in skipped] == [("DST102", "the fixed file would not parse")]


def test_overlapping_fixes_resolve_in_a_fixed_order():
    from dstcheck.fix import fix_source

    # same plan for two sites: the safe one first, then by rule id, whatever order they come in
    wanted = _candidates(("same", "DST205", "unsafe"), ("same", "DST201", "safe"), ("same", "DST101", "safe"))
    for order in (wanted, wanted[::-1]):
        after, applied, skipped = fix_source(_StubFixer(), order)
        assert [c.site.rule for c in applied] == ["DST101"]
        assert [s.rule for s, _ in skipped] == ["DST201", "DST205"]
        assert all(why.startswith("overlaps the fix for DST101 at 3:1") for _, why in skipped)


def test_overlapping_replacements_on_one_site_in_a_real_file(tmp_path):
    work = tmp_path / "overlap"
    work.mkdir()
    (work / "dstcheck.toml").write_text(
        '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::b::now" }]\n'
        '[[rule]]\nid = "DST901"\nname = "no-instant"\nlanguage = "rust"\ncontract = "c"\nmessage = "`{path}`"\nhint = "h"\n'
        '[[rule.match]]\nkind = "path"\npaths = [{ path = "std::time::Instant::now", replacement = "crate::a::now" }]\n'
    )
    (work / "lib.rs").write_text("fn f() -> u64 {\n    std::time::Instant::now()\n}\n")
    code, out, err = dstcheck(["--diff"], work)
    assert code == 1
    assert "+    crate::b::now()\n" in out
    assert "note: lib.rs:2:5: DST901 not fixed: overlaps the fix for DST101 at 2:5" in err
    dstcheck(["--fix"], work)
    assert (work / "lib.rs").read_text() == "fn f() -> u64 {\n    crate::b::now()\n}\n"
    assert remaining(work) == []


def test_check_without_fixes_never_loads_libcst_and_a_python_fix_does(tmp_path):
    (tmp_path / "a.py").write_text("def f(s: set):\n    return list(s)\n")
    code = (
        "import sys; from dstcheck import cli, config, pipeline, fix; "
        "cfg = config.load(); r = pipeline.scan(cfg, options=pipeline.Options(cache=False)); "
        "assert len(r.violations) == 1; assert 'libcst' not in sys.modules, 'loaded by a check'; "
        "fix.run(cfg, lambda: pipeline.scan(cfg, options=pipeline.Options(cache=False)), fix.Mode(fixes=True, unsafe=True, write=False)); "
        "assert 'libcst' in sys.modules, 'a Python fix ran without libcst?'"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["--diff", "--format", "json"], "--diff prints a unified diff"),
        (["--fix", "--write-baseline", "b.json"], "--fix and --write-baseline cannot be combined"),
        (["--add-markers", "x", "--ignore-markers"], "--add-markers acts on violations"),
        (["--diff", "--fix", "--add-markers", "x"], "--diff shows either the fixes or the markers"),
        (["--add-markers", "  "], "--add-markers REASON: expected a non-empty one-line reason"),
        (["--add-markers", "a */ b"], "without `*/`"),
    ],
)
def test_fix_options_that_cannot_be_combined(tmp_path, args, message):
    work = copy_project(tmp_path)
    before = files(work)
    code, _, err = dstcheck(args, work)
    assert code == 2
    assert message in err
    assert files(work) == before


@pytest.mark.parametrize(
    "command",
    [
        "cd examples/demo && dstcheck check --diff --unsafe-fixes",
        "cd tests/fixtures_fix/project && dstcheck check --diff src/replace.rs",
        'cd examples/demo && dstcheck check --diff --add-markers "pre-existing, see DST-12"',
    ],
)
def test_readme_fix_samples_are_real(command):
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(f"$ {command}\n")[1].split("```")[0]
    where, _, line = command.partition(" && ")
    code, out, err = dstcheck(shlex.split(line)[2:], ROOT / where.split()[1])
    assert code == 1
    assert err + out == block


def test_a_renamed_indexmap_dependency_is_written_by_its_name_in_code(tmp_path):
    (tmp_path / "dstcheck.toml").write_text("")
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "r"\nversion = "0.1.0"\n\n[dependencies]\nim = { package = "indexmap", version = "2" }\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "lib.rs").write_text("use std::collections::HashMap;\n\npub fn ids(m: &HashMap<u64, u64>) -> Vec<u64> {\n    m.keys().copied().collect()\n}\n")
    dstcheck(["--unsafe-fixes"], tmp_path)
    assert (tmp_path / "src" / "lib.rs").read_text() == "use im::IndexMap;\n\npub fn ids(m: &IndexMap<u64, u64>) -> Vec<u64> {\n    m.keys().copied().collect()\n}\n"


def test_an_import_already_there_is_used(tmp_path):
    (tmp_path / "dstcheck.toml").write_text(
        '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::sim::now" }]\n'
        '[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme.clock.now" }]\n'
    )
    (tmp_path / "lib.rs").write_text("use crate::sim::now;\nuse std::time::Instant;\n\nfn f() -> u64 {\n    let _ = now();\n    Instant::now()\n}\n")
    (tmp_path / "a.py").write_text("from acme.clock import now\nfrom time import time as stamp\n\nT = (now(), stamp())\n")
    dstcheck(["--fix"], tmp_path)
    assert (tmp_path / "lib.rs").read_text() == "use crate::sim::now;\n\nfn f() -> u64 {\n    let _ = now();\n    now()\n}\n"
    assert (tmp_path / "a.py").read_text() == "from acme.clock import now\n\nT = (now(), now())\n"


def test_the_seam_replacement_is_not_written_into_its_own_definition(tmp_path):
    """The seam's definition holds the one raw read it wraps: rewritten to call the replacement,
    it would call itself forever. The read there stays (a note says why); others are fixed."""
    (tmp_path / "dstcheck.toml").write_text(
        '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::sim::time::now" }]\n'
        '[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme.clock.now" }]\n'
    )
    seam = "pub mod sim {\n    pub mod time {\n        pub fn now() -> std::time::Instant {\n            std::time::Instant::now()\n        }\n    }\n}\n"
    (tmp_path / "lib.rs").write_text(seam + "\nfn f() -> std::time::Instant {\n    std::time::Instant::now()\n}\n")
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "clock.py").write_text("import time\n\n\ndef now():\n    return time.time()\n")
    (tmp_path / "acme" / "eng.py").write_text("import time\n\n\ndef f():\n    return time.time()\n")
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert (tmp_path / "lib.rs").read_text() == seam + "\nfn f() -> std::time::Instant {\n    crate::sim::time::now()\n}\n"
    assert (tmp_path / "acme" / "clock.py").read_text() == "import time\n\n\ndef now():\n    return time.time()\n"
    assert (tmp_path / "acme" / "eng.py").read_text() == "import acme.clock\n\n\ndef f():\n    return acme.clock.now()\n"
    assert "note: lib.rs:4:13: DST101 not fixed: the site is inside `now`, which `crate::sim::time::now` names" in err
    assert "note: acme/clock.py:5:12: DST201 not fixed: the site is inside `now`, which `acme.clock.now` names" in err


def test_a_crate_replacement_is_not_written_into_a_binary_or_example(tmp_path):
    """`crate::` in `src/main.rs` (beside a lib.rs), `src/bin/` or `examples/` names that target's
    own crate, where the seam is not: the fix there is refused with a note; the library's is made."""
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "c5"\nversion = "0.1.0"\nedition = "2021"\n')
    (tmp_path / "dstcheck.toml").write_text(
        '[[scope]]\nname = "c"\ninclude = ["src/", "examples/"]\n'
        '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::sim::now" }]\n'
    )
    main = "fn main() {\n    let _ = std::time::Instant::now();\n}\n"
    for name in ("src/main.rs", "src/bin/tool.rs", "examples/ex.rs"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(main)
    (tmp_path / "src" / "lib.rs").write_text("pub mod sim;\n\npub fn g() -> std::time::Instant {\n    std::time::Instant::now()\n}\n")
    (tmp_path / "src" / "sim.rs").write_text("pub fn now() -> std::time::Instant {\n    todo!()\n}\n")
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert (tmp_path / "src" / "lib.rs").read_text() == "pub mod sim;\n\npub fn g() -> std::time::Instant {\n    crate::sim::now()\n}\n"
    for name in ("src/main.rs", "src/bin/tool.rs", "examples/ex.rs"):
        assert (tmp_path / name).read_text() == main, name
        assert f"note: {name}:2:13: DST101 not fixed: `crate` in {name} is not the crate `crate::sim::now` is written for" in err


def test_a_python_file_with_lone_cr_line_ends_keeps_its_last_one(tmp_path):
    """CPython ends a line at a lone `\\r` too: a fix that adds an import keeps every line end,
    the last one included."""
    (tmp_path / "dstcheck.toml").write_text('[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme.clock.now" }]\n')
    (tmp_path / "eng.py").write_bytes(b"import time\rdef g():\r    return time.time()\r")
    dstcheck(["--fix"], tmp_path)
    after = (tmp_path / "eng.py").read_bytes()
    assert after.endswith(b"    return acme.clock.now()\r"), after
    assert b"\n" not in after


SERDE_BOOK = (
    "use std::collections::HashMap;\n\n#[derive(serde::Serialize, serde::Deserialize)]\npub struct Book {\n    levels: HashMap<u64, u64>,\n}\n\n"
    "impl Book {\n    pub fn prices(&self) -> Vec<u64> {\n        self.levels.keys().copied().collect()\n    }\n}\n"
)


@pytest.mark.parametrize(
    "manifests,retyped",
    [
        ({"Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = "2"\n'}, False),
        ({"Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = { version = "2", features = ["serde"] }\n'}, True),
        (
            {
                "Cargo.toml": '[workspace]\nmembers = ["b"]\n\n[workspace.dependencies]\nindexmap = { version = "2", features = ["serde"] }\n',
                "b/Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = { workspace = true }\n',
            },
            True,
        ),
    ],
    ids=["no-feature", "feature", "workspace-feature"],
)
def test_a_serde_derive_needs_indexmaps_serde_feature_for_the_retype(tmp_path, manifests, retyped):
    crate = tmp_path / ("b" if "b/Cargo.toml" in manifests else "")
    for name, text in manifests.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "dstcheck.toml").write_text("")
    (crate / "src").mkdir(parents=True)
    (crate / "src" / "lib.rs").write_text(SERDE_BOOK)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    after = (crate / "src" / "lib.rs").read_text()
    assert ("levels: IndexMap<u64, u64>," in after) is retyped, err
    assert ("would need indexmap's `serde` feature" in err) is not retyped


def test_biased_on_the_opening_line_keeps_the_bodys_own_spacing(tmp_path):
    """`biased;` written on the line of the opening delimiter is separated from what follows as
    the body was from the delimiter: `{ x` -> `{ biased; x`, `(x` -> `(biased; x`, never `( biased;x`."""
    (tmp_path / "dstcheck.toml").write_text("")
    cases = {
        "tokio::select! { x = a => x }": "tokio::select! { biased; x = a => x }",
        "tokio::select!{x = a => x}": "tokio::select!{biased; x = a => x}",
        "tokio::select!(x = a => x)": "tokio::select!(biased; x = a => x)",
        "tokio::select![x = a => x, y = b => y]": "tokio::select![biased; x = a => x, y = b => y]",
        "tokio::select! {x = a => x,\n        y = b => y,\n    }": "tokio::select! {biased; x = a => x,\n        y = b => y,\n    }",
        "tokio::select! { // first\n        x = a => x,\n    }": "tokio::select! { biased; // first\n        x = a => x,\n    }",
    }
    source = "pub async fn f(a: A, b: B) {\n" + "".join(f"    {c};\n" for c in cases) + "}\n"
    (tmp_path / "lib.rs").write_text(source)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    assert code == 0, out + err
    assert (tmp_path / "lib.rs").read_text() == "pub async fn f(a: A, b: B) {\n" + "".join(f"    {c};\n" for c in cases.values()) + "}\n"


def test_a_parenthesized_set_keeps_its_layout_when_sorted(tmp_path):
    """The parentheses written around the iterated set become the call's: `sorted` goes before
    them and everything inside, line breaks and comments, stays where it was."""
    (tmp_path / "dstcheck.toml").write_text("")
    source = "def f(names: set, other: set):\n    for x in (\n        names  # the first\n        | other\n    ):\n        print(x)\n    for y in ( names ):\n        print(y)\n"
    (tmp_path / "a.py").write_text(source)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    assert code == 0, out + err
    assert (tmp_path / "a.py").read_text() == source.replace("in (", "in sorted(")


def test_a_builtins_other_arguments_are_not_taken_for_the_set(tmp_path):
    """`enumerate`'s `start` and `next`'s default are not iterated: the set is the first argument."""
    (tmp_path / "dstcheck.toml").write_text("")
    source = "def f(s: set):\n    a = enumerate(s, 1)\n    b = next(iter(s), None)\n    return a, b\n"
    (tmp_path / "a.py").write_text(source)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    assert code == 0, out + err
    assert (tmp_path / "a.py").read_text() == "def f(s: set):\n    a = enumerate(sorted(s), 1)\n    b = next(iter(sorted(s)), None)\n    return a, b\n"


def test_a_set_right_after_a_keyword_gets_a_space_before_sorted(tmp_path):
    """`for x in(s):` is valid Python: the parentheses become `sorted`'s, and `in` keeps a space
    before it (`insorted(s)` would not parse, and the fix was dropped)."""
    (tmp_path / "dstcheck.toml").write_text("")
    source = "def f(s: set):\n    for x in(s):\n        print(x)\n    return [y for y in(s)]\n"
    (tmp_path / "a.py").write_text(source)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    assert code == 0, out + err
    assert (tmp_path / "a.py").read_text() == source.replace("in(s)", "in sorted(s)")


def test_a_set_of_a_class_of_the_file_that_does_not_order_is_not_sorted(tmp_path):
    """`sorted` of elements without an order raises TypeError: where the set's annotation in
    this file names a class the file defines with no ordering (no `__lt__` and kin, no
    `dataclass(order=True)`; a plain class, a frozen dataclass, an `Enum`), the site is left with
    a note. A class that orders, a builtin, and a class from elsewhere (which the file cannot see)
    are sorted."""
    (tmp_path / "dstcheck.toml").write_text("")
    source = '''from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from elsewhere import Venue


@dataclass(frozen=True)
class TaskId:
    value: str


@dataclass(frozen=True, order=True)
class Key:
    value: str


class Manager:
    pass


class Ranked:
    def __lt__(self, other):
        return False


class Side(Enum):
    BUY = 1


class Pool:
    def __init__(self, ids: set[TaskId]):
        self._queued: set[TaskId] = set(ids)
        self._active: "set[Manager]" = set()
        self._keys: set[Key] = set()
        self._ranked: set[Ranked] = set()
        self._venues: set[Venue] = set()
        self._names: set[str] = set()
        self._sides: set[Side] = set()
        self._hooks: set[Callable[[], None]] = set()
        self._things: set[object] = set()
        self._maybe: set[str | None] = set()
        self._perhaps: set[Optional[int]] = set()
        self._pairs: set[tuple[str, TaskId]] = set()
        self._fine: set[tuple[str, int]] = set()
        self._mixed: set[int | str] = set()
        self._numbers: set[int | float] = set()

    def all(self, ids: set[TaskId]):
        return (
            list(self._queued),
            [m for m in self._active],
            list(self._keys),
            list(self._ranked),
            list(self._venues),
            list(self._names),
            list(ids),
            list(self._sides),
            list(self._hooks),
            list(self._things),
            list(self._maybe),
            list(self._perhaps),
            list(self._pairs),
            list(self._fine),
            list(self._mixed),
            list(self._numbers),
        )
'''
    (tmp_path / "a.py").write_text(source)
    code, out, err = dstcheck(["--unsafe-fixes"], tmp_path)
    fixed = (tmp_path / "a.py").read_text()
    for kept in ("list(self._queued)", "[m for m in self._active]", "list(ids)", "list(self._sides)", "list(self._hooks)", "list(self._things)", "list(self._maybe)", "list(self._perhaps)", "list(self._pairs)", "list(self._mixed)"):
        assert kept in fixed, fixed
    for done in ("sorted(self._keys)", "sorted(self._ranked)", "sorted(self._venues)", "sorted(self._names)", "sorted(self._fine)", "sorted(self._numbers)"):
        assert done in fixed, fixed
    assert "DST203 not fixed: its elements (`TaskId`) define no order: `sorted` would raise TypeError" in err, err
    assert "DST203 not fixed: its elements (`Manager`) define no order: `sorted` would raise TypeError" in err, err
    assert "DST203 not fixed: its elements (`Side`) define no order: `sorted` would raise TypeError" in err, err
    assert "DST203 not fixed: its elements (`str | None`) may be None, which orders against nothing: `sorted` would raise TypeError" in err, err


def test_diff_of_a_latin1_file_applies_to_its_bytes(tmp_path):
    """A file in another encoding (its coding declaration says latin-1): the diff carries the
    file's own bytes, so `git apply` gives what --fix writes, byte for byte."""
    source = "# -*- coding: latin-1 -*-\nimport time\n\nLABEL = 'caf\xe9'\n\n\ndef stamp():\n    return time.time()\n"
    config = '[[scope]]\nname = "core"\ninclude = ["*.py"]\n[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "clockseam.now" }]\n'
    trees = []
    for name in ("diffed", "fixed"):
        tree = tmp_path / name
        tree.mkdir()
        (tree / "dstcheck.toml").write_text(config, encoding="utf-8")
        (tree / "mod.py").write_bytes(source.encode("latin-1"))
        trees.append(tree)
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--diff"], cwd=str(trees[0]), capture_output=True, env={**os.environ, "DSTCHECK_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 1, proc.stderr
    assert b"caf\xe9" in proc.stdout and "\ufffd".encode() not in proc.stdout
    (trees[0] / "fix.diff").write_bytes(proc.stdout)
    applied = subprocess.run(["git", "apply", "fix.diff"], cwd=str(trees[0]), capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    subprocess.run([sys.executable, "-m", "dstcheck", "check", "--fix"], cwd=str(trees[1]), capture_output=True, env={**os.environ, "DSTCHECK_CACHE_DIR": str(tmp_path / "cache")})
    fixed = (trees[1] / "mod.py").read_bytes()
    assert fixed != source.encode("latin-1") and b"clockseam" in fixed
    assert (trees[0] / "mod.py").read_bytes() == fixed
