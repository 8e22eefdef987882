"""CI-grade gate: marker and allowlist hygiene, baselines, SARIF, GitHub annotations, snapshots."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from fixture_harness import workspace

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_WS = ROOT / "tests" / "workspaces" / "snapshot"
SNAPSHOTS = ROOT / "tests" / "snapshots"
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())




def sites(out: str):
    return [(s["rule"], s["path"], s["line"], s["disposition"]) for s in json.loads(out)["sites"]]


# -- snapshots: every output format on one workspace --------------------------------------------
FORMATS = {
    "text": ["check", "--color", "never"],
    "show-all": ["check", "--color", "never", "--show-all"],
    "statistics": ["check", "--color", "never", "--statistics"],
    "json": ["check", "--format", "json"],
    "sarif": ["check", "--format", "sarif", "--show-all"],
    "github": ["check", "--format", "github"],
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_output_format_snapshot(run_cli, name):
    code, out, err = run_cli(FORMATS[name], SNAPSHOT_WS)
    assert code == 1, err
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("DSTCHECK_UPDATE_SNAPSHOTS"):
        snapshot.write_text(out, encoding="utf-8")
    assert out == snapshot.read_text(encoding="utf-8"), f"{name} output changed; rerun with DSTCHECK_UPDATE_SNAPSHOTS=1 if intended"


def test_sarif_is_valid_against_the_oasis_schema(run_cli):
    for args in (["check", "--format", "sarif"], ["check", "--format", "sarif", "--show-all"]):
        code, out, _ = run_cli(args, SNAPSHOT_WS)
        doc = json.loads(out)
        jsonschema.validate(doc, SCHEMA)
        run = doc["runs"][0]
        ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        for result in run["results"]:
            assert ids[result["ruleIndex"]] == result["ruleId"]
            assert result["partialFingerprints"]["dstcheck/v1"]
            region = result["locations"][0]["physicalLocation"]["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
        rule = run["tool"]["driver"]["rules"][ids.index("DST101")]
        assert rule["name"] == "raw-clock" and rule["help"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] == "error"


def test_sarif_invalid_document_is_rejected_by_the_schema():
    """The schema check can fail: a result without a message is not SARIF."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "DST101"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


def test_sarif_fingerprints_are_stable_when_lines_move(tmp_path, run_cli):
    body = "pub fn f() { let _ = std::time::Instant::now(); }\n"
    ws = workspace(tmp_path, {"src/lib.rs": body})
    _, before, _ = run_cli(["check", "--format", "sarif"], ws)
    (ws / "src" / "lib.rs").write_text("// a comment\n\n" + body)
    _, after, _ = run_cli(["check", "--format", "sarif"], ws)
    fp = lambda out: [r["partialFingerprints"] for r in json.loads(out)["runs"][0]["results"]]  # noqa: E731
    assert fp(before) == fp(after)
    assert json.loads(before)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert json.loads(after)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_github_annotations_escape_properties_and_data(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/a,b%:c.rs": "fn f() { let _ = std::time::Instant::now(); }\n"})
    code, out, _ = run_cli(["check", "--format", "github"], ws)
    assert code == 1
    first = out.splitlines()[0]
    assert first == (
        "::error file=src/a%2Cb%25%3Ac.rs,line=1,col=18,endLine=1,endColumn=43,"
        "title=DST101 raw-clock::`std::time::Instant::now` reads the wall clock"
    )


# -- markers ----------------------------------------------------------------------------------
def test_unused_marker_respects_the_rules_that_ran(tmp_path, run_cli):
    src = """\
    pub fn f() {
        let _a = 1; // dst-ok: nothing here
        let _b = 2; // dst-ok[DST104]: nothing here either
        let _c = std::time::Instant::now(); // dst-ok: used
    }
    """
    ws = workspace(tmp_path, {"src/lib.rs": src})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert sites(out) == [("DST001", "src/lib.rs", 2, "violation"), ("DST001", "src/lib.rs", 3, "violation")]
    # With DST104 deselected its marker is not called unused; a generic marker is not either,
    # since it may be meant for a rule that did not run.
    code, out, _ = run_cli(["check", "--format", "json", "--ignore", "DST104"], ws)
    assert code == 0, out
    code, out, _ = run_cli(["check", "--format", "json", "--ignore", "hygiene"], ws)
    assert code == 0


def test_require_reason_and_unknown_rule(tmp_path, run_cli):
    src = """\
    pub fn f() {
        let _a = std::time::Instant::now(); // dst-ok
        let _b = std::time::Instant::now(); // dst-ok: log timing
        let _c = std::time::Instant::now(); // dst-ok[DST9999]: typo
    }
    """
    ws = workspace(tmp_path, {"src/lib.rs": src, "pyproject.toml": "[tool.dstcheck]\nrequire-reason = true\n"})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert sites(out) == [
        ("DST002", "src/lib.rs", 2, "violation"),
        ("DST101", "src/lib.rs", 4, "violation"),
        ("DST003", "src/lib.rs", 4, "violation"),
    ]


def test_ignore_markers_shows_every_site(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() {\n    let _a = std::time::Instant::now(); // dst-ok: timing\n}\n"})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 0
    code, out, _ = run_cli(["check", "--format", "json", "--ignore-markers"], ws)
    assert code == 1
    assert sites(out) == [("DST101", "src/lib.rs", 2, "violation")]


# -- allowlists -------------------------------------------------------------------------------
ALLOW = {
    "pyproject.toml": "[tool.dstcheck]\nallowlists = ['allowlists/*.toml']\n",
    "src/clock.rs": "pub fn wall() { let _ = std::time::SystemTime::now(); }\n",
    "src/other.rs": "pub fn g() {}\n",
    "allowlists/a.toml": """\
    # accepted sites
    [[allow]]
    rule = "DST101"
    path = "src/clock.rs"
    reason = "the clock seam"

    [[allow]]
    rule = "DST101"
    path = "src/other.rs"
    reason = "was fixed long ago"

    [[allow]]
    rule = "DST104"
    path = "src/removed.rs"
    reason = "file deleted"
    """,
}


def test_stale_allowlist_entries_on_a_full_scan(tmp_path, run_cli):
    ws = workspace(tmp_path, ALLOW)
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert sites(out) == [("DST004", "allowlists/a.toml", 7, "violation"), ("DST004", "allowlists/a.toml", 12, "violation")]
    messages = [s["message"] for s in json.loads(out)["sites"]]
    assert messages == [
        "allow[1] (DST101 src/other.rs) matches no site",
        "allow[2] (DST104 src/removed.rs) names a path that does not exist",
    ]


def test_partial_scan_reports_only_missing_paths(tmp_path, run_cli):
    ws = workspace(tmp_path, ALLOW)
    code, out, _ = run_cli(["check", "--format", "json", "src/clock.rs"], ws)
    assert sites(out) == [("DST004", "allowlists/a.toml", 12, "violation")]


# -- baselines --------------------------------------------------------------------------------
DIRTY = """\
use std::time::Instant;

pub fn a() { let _ = Instant::now(); }
pub fn b() { let _ = Instant::now(); let _ = Instant::now(); }
pub fn c() { std::thread::spawn(|| {}); }
"""


def test_baseline_adopt_ratchet_and_shrink(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": DIRTY})
    code, _, err = run_cli(["check", "--write-baseline", "dst-baseline.json"], ws)
    assert code == 0 and "Wrote 4 baseline entries to dst-baseline.json." in err
    data = json.loads((ws / "dst-baseline.json").read_text())
    assert data["schema"] == "dstcheck/baseline/v1"
    assert [(e["rule"], e["item"]) for e in data["entries"]] == [("DST101", "a"), ("DST101", "b"), ("DST101", "b"), ("DST104", "c")]
    assert all("line" not in e for e in data["entries"])

    code, out, _ = run_cli(["check", "--baseline", "dst-baseline.json"], ws)
    assert code == 0, out
    assert "4 baselined" in out

    # Unrelated edits move every line: still all baselined. A new read in b() is new.
    moved = "// header\n\n" + DIRTY.replace("let _ = Instant::now(); }\npub fn c", "let _ = Instant::now(); let _ = Instant::now(); }\npub fn c")
    (ws / "src" / "lib.rs").write_text(moved)
    code, out, _ = run_cli(["check", "--baseline", "dst-baseline.json", "--format", "json"], ws)
    assert code == 1
    assert [s for s in sites(out)] == [("DST101", "src/lib.rs", 6, "violation")]

    # Fixing c() leaves a stale entry that is reported; rewriting the baseline drops it.
    (ws / "src" / "lib.rs").write_text(DIRTY.replace("pub fn c() { std::thread::spawn(|| {}); }\n", ""))
    code, out, _ = run_cli(["check", "--baseline", "dst-baseline.json", "--color", "never"], ws)
    assert code == 0
    assert "1 baseline entry in dst-baseline.json no longer match" in out
    assert "src/lib.rs: DST104 in c: std::thread::spawn(|| {})" in out
    run_cli(["check", "--write-baseline", "dst-baseline.json"], ws)
    assert len(json.loads((ws / "dst-baseline.json").read_text())["entries"]) == 3


def test_bad_baseline_file_is_a_usage_error(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "fn f() {}\n", "b.json": "{\"schema\": \"other\"}"})
    code, _, err = run_cli(["check", "--baseline", "b.json"], ws)
    assert code == 2 and "b.json: not a dstcheck baseline" in err
    code, _, err = run_cli(["check", "--baseline", "missing.json"], ws)
    assert code == 2 and "missing.json: baseline file does not exist" in err


# -- exit codes and selection -----------------------------------------------------------------
def test_exit_zero_and_statistics(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": DIRTY})
    code, out, _ = run_cli(["check", "--exit-zero", "--statistics", "--color", "never"], ws)
    assert code == 0
    assert out.splitlines()[:2] == ["3  DST101  raw-clock", "1  DST104  raw-thread"]


def test_hook_run_on_named_files_never_walks_the_tree(tmp_path, monkeypatch):
    """Pre-commit passes file names: no listing of the whole project, whatever the config globs."""
    from dstcheck import config as config_mod
    from dstcheck import pipeline

    ws = workspace(
        tmp_path,
        {
            "pyproject.toml": "[[tool.dstcheck.scope]]\ninclude = ['crates/*/src/**/*.rs']\n[tool.dstcheck.rules.DST105]\nonly-in = ['crates/*/src/book.rs']\n",
            "crates/core/src/lib.rs": "mod book;\npub fn f() { let _ = std::time::Instant::now(); }\n",
            "crates/core/src/book.rs": "pub struct B { m: std::collections::HashMap<u8, u8> }\n",
        },
    )
    monkeypatch.chdir(ws)
    cfg = config_mod.load()

    def no_walk(*args, **kwargs):
        raise AssertionError("the whole tree was walked")

    from dstcheck.stages import discover as discover_mod

    monkeypatch.setattr(discover_mod, "walk", no_walk)
    result = pipeline.scan(cfg, ["crates/core/src/book.rs"])
    assert [(s.rule, s.path) for s in result.violations] == [("DST105", "crates/core/src/book.rs")]
    with pytest.raises(AssertionError, match="walked"):
        pipeline.scan(cfg)
