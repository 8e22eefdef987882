"""Fail closed at the command line: configuration that checks nothing, a reader that goes away,
markers and option combinations that mean nothing.

Each test reproduces a finding of a review; each failed before its fix.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fixture_harness import workspace

CLOCK_RS = "pub fn f() { let _ = std::time::Instant::now(); }\n"
CLOCK_PY = "import time\nt = time.time()\n"


def sites(out: str):
    return [(s["rule"], s["path"], s["line"], s["disposition"]) for s in json.loads(out)["sites"]]


# -- 1. a [[scope]] that holds no source file is a configuration error --------------------------
@pytest.mark.parametrize(
    "config, files, expected",
    [
        (
            '[[scope]]\nname = "docs"\ninclude = ["docs/"]\n',
            {"docs/guide.md": "# guide\n", "src/lib.rs": CLOCK_RS},
            "dstcheck: error: dstcheck.toml: scope[0]: scope 'docs' matches no Rust or Python source file: expected its include (docs/) to match a .rs or .py file",
        ),
        (
            '[[scope]]\nname = "core"\ninclude = ["src/"]\nexclude = ["src/"]\n',
            {"src/lib.rs": CLOCK_RS},
            "dstcheck: error: dstcheck.toml: scope[0]: scope 'core' holds no source file: its exclude (src/) removes every .rs or .py file its include (src/) matches",
        ),
        (
            '[[scope]]\nname = "core"\ninclude = ["src/**/*.rs"]\nexclude = ["*.rs"]\n',
            {"src/lib.rs": CLOCK_RS, "src/notes.txt": "x\n"},
            "dstcheck: error: dstcheck.toml: scope[0]: scope 'core' holds no source file: its exclude (*.rs) removes every .rs or .py file its include (src/**/*.rs) matches",
        ),
        (
            'exclude = ["vendor/"]\n[[scope]]\nname = "vendored"\ninclude = ["vendor/"]\n[[scope]]\nname = "core"\ninclude = ["src/"]\n',
            {"vendor/lib.rs": CLOCK_RS, "src/lib.rs": CLOCK_RS},
            "dstcheck: error: dstcheck.toml: scope[0]: scope 'vendored' holds no source file: the top-level exclude (vendor/) removes every .rs or .py file its include (vendor/) matches",
        ),
        (
            '[[scope]]\nname = "bindings"\ninclude = ["crates/a/python/"]\n[[scope]]\nname = "core"\ninclude = ["crates/a/src/"]\n',
            {"crates/a/python/lib.rs": CLOCK_RS, "crates/a/src/lib.rs": CLOCK_RS},
            "dstcheck: error: dstcheck.toml: scope[0]: scope 'bindings' holds no source file: rust.exclude (python/, ffi/, build.rs) removes every .rs or .py file its include (crates/a/python/) matches",
        ),
        (
            '[[scope]]\nname = "all"\ninclude = ["src/"]\n[[scope]]\nname = "core"\ninclude = ["src/core/"]\n',
            {"src/core/lib.rs": CLOCK_RS, "src/main.rs": CLOCK_RS},
            "dstcheck: error: dstcheck.toml: scope[1]: scope 'core' holds no source file: every .rs or .py file its include (src/core/) matches belongs to an earlier scope ('all'; the first scope that matches a file wins)",
        ),
    ],
    ids=["only-non-source", "exclude-removes-all", "exclude-glob-removes-all", "top-level-exclude", "language-exclude", "shadowed"],
)
def test_a_scope_holding_no_source_file_is_a_configuration_error(tmp_path, run_cli, config, files, expected):
    ws = workspace(tmp_path, {"dstcheck.toml": config, **files})
    for command in (["check"], ["check", "--show-all", "--exit-zero"], ["check", "--format", "json"]):
        code, out, err = run_cli(command, ws)
        assert (code, out, err.strip()) == (2, "", expected), command


def test_a_scope_in_pyproject_is_named_with_its_table(tmp_path, run_cli):
    ws = workspace(tmp_path, {"pyproject.toml": '[[tool.dstcheck.scope]]\ninclude = ["docs/*.md"]\n', "docs/a.md": "x\n", "a.py": CLOCK_PY})
    code, out, err = run_cli(["check"], ws)
    assert code == 2 and out == ""
    assert err.strip() == "dstcheck: error: pyproject.toml [tool.dstcheck]: scope[0]: scope 'scope0' matches no Rust or Python source file: expected its include (docs/*.md) to match a .rs or .py file"


def test_a_scope_whose_files_hold_no_site_is_fine(tmp_path, run_cli):
    ws = workspace(tmp_path, {"dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["src/"]\n', "src/lib.rs": "pub fn add(a: u8) -> u8 { a }\n"})
    code, out, err = run_cli(["check"], ws)
    assert code == 0, err
    assert err == ""


def test_a_scope_of_test_files_only_is_fine(tmp_path, run_cli):
    ws = workspace(tmp_path, {"dstcheck.toml": '[[scope]]\nname = "t"\ninclude = ["tests/"]\n', "tests/it.rs": CLOCK_RS})
    code, out, err = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert code == 0, err
    assert sites(out) == [("DST101", "tests/it.rs", 1, "test")]


def test_paths_outside_every_scope_are_not_a_scope_error(tmp_path, run_cli):
    """A pre-commit run names files: those outside the source sets are scoped-out, and an empty
    scope is only judged on a full scan (as a glob that matches nothing is)."""
    ws = workspace(tmp_path, {"dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["src/"]\n', "src/lib.rs": CLOCK_RS, "tools/gen.py": CLOCK_PY})
    code, out, err = run_cli(["check", "tools/gen.py"], ws)
    assert code == 0, err
    code, _, err = run_cli(["check", "--format", "json", "--show-all", "tools/gen.py"], ws)
    assert code == 0, err


def test_an_unreadable_directory_is_a_dst000_not_an_empty_scope(tmp_path, run_cli):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every directory")
    ws = workspace(tmp_path, {"dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["src/"]\n', "src/a/lib.rs": CLOCK_RS})
    (ws / "src").chmod(0)
    try:
        code, out, err = run_cli(["check", "--format", "json"], ws)
    finally:
        (ws / "src").chmod(0o755)
    assert code == 1, err
    assert [s[0] for s in sites(out)] == ["DST000"]


# -- 2. a reader that goes away is an error, exit 2 --------------------------------------------
@pytest.mark.parametrize("extra", [[], ["--exit-zero"], ["--format", "json"], ["--show-all"]], ids=["text", "exit-zero", "json", "show-all"])
def test_a_pipe_closed_mid_report_is_an_error(tmp_path, extra):
    """`dstcheck check | head -1`: the report is larger than the pipe, the reader exits after one
    line. The write that fails must be reported (exit 2), not lost in a partial write."""
    body = "".join(f"pub fn f{i}() {{ let _ = std::time::Instant::now(); }}\n" for i in range(3000))
    ws = workspace(tmp_path, {"src/lib.rs": body})
    proc = subprocess.Popen([sys.executable, "-m", "dstcheck", "check", "--no-cache", *extra], cwd=str(ws), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert first
    assert proc.returncode == 2
    assert err.decode().splitlines() == ["dstcheck: error: cannot write the report to standard output: Broken pipe"]


# -- 4. unknown keys in [inventory] -------------------------------------------------------------
@pytest.mark.parametrize("command", [["check"], ["rules"], ["inventory", "--check"]])
def test_an_unknown_inventory_key_is_a_configuration_error(tmp_path, run_cli, command):
    ws = workspace(tmp_path, {"dstcheck.toml": '[inventory]\nfile = "scope-inventory/inventory.toml"\noutptu = "x.md"\n', "src/lib.rs": "pub fn f() {}\n"})
    code, out, err = run_cli(command, ws)
    assert (code, out) == (2, "")
    assert err.strip() == "dstcheck: error: dstcheck.toml: inventory.outptu: unknown key; expected one of file, output"


def test_an_inventory_key_of_the_wrong_type_is_a_configuration_error(tmp_path, run_cli):
    ws = workspace(tmp_path, {"dstcheck.toml": '[inventory]\noutput = 3\n', "src/lib.rs": "pub fn f() {}\n"})
    code, out, err = run_cli(["check"], ws)
    assert (code, out) == (2, "")
    assert err.strip() == "dstcheck: error: dstcheck.toml: inventory.output: expected a path string"


# -- 3. `dst-ok[]` names no rule: it accepts nothing -----------------------------------------
@pytest.mark.parametrize(
    "name, source, marker",
    [
        ("src/lib.rs", "pub fn f() { let _ = std::time::Instant::now(); } // dst-ok[]: timing only\n", "dst-ok[]: timing only"),
        ("src/lib.rs", "pub fn f() { let _ = std::time::Instant::now(); } /* dst-ok[ , ] */\n", "dst-ok[]"),
        ("src/clock.py", "import time\nt = time.time()  # dst-ok[]: timing only\n", "dst-ok[]: timing only"),
    ],
    ids=["rust", "rust-block-commas", "python"],
)
def test_an_empty_marker_list_accepts_nothing_and_is_reported(tmp_path, run_cli, name, source, marker):
    ws = workspace(tmp_path, {name: source})
    code, out, err = run_cli(["check", "--format", "json"], ws)
    assert code == 1, err
    line = source.count("\n")
    rule = "DST101" if name.endswith(".rs") else "DST201"
    assert sorted(sites(out)) == sorted([("DST003", name, line, "violation"), (rule, name, line, "violation")])
    dst003 = [s for s in json.loads(out)["sites"] if s["rule"] == "DST003"][0]
    assert dst003["message"] == f"marker `{marker}` names no rule: an empty list accepts nothing (write `dst-ok` for every rule, or the ids)"


def test_an_empty_marker_list_is_no_unused_marker(tmp_path, run_cli):
    """Its one diagnostic is DST003: it is not also called unused (DST001)."""
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() {} // dst-ok[]: nothing here\n"})
    code, out, err = run_cli(["check", "--format", "json"], ws)
    assert code == 1, err
    assert sites(out) == [("DST003", "src/lib.rs", 1, "violation")]


def test_a_marker_with_ids_and_stray_commas_still_names_its_ids(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() { let _ = std::time::Instant::now(); } // dst-ok[DST101, ]: timing\n"})
    code, out, err = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert code == 0, err
    assert sites(out) == [("DST101", "src/lib.rs", 1, "suppressed")]


@pytest.mark.parametrize("marker, reached", [("# dst-ok: timing only", False), ("# dst-ok[]: timing only", True)], ids=["bare", "empty-list"])
def test_an_empty_marker_list_out_of_scope_does_not_hide_a_reached_site(tmp_path, run_cli, marker, reached):
    """DST207 follows a call into out-of-scope code; a marker there that accepts the site stops it.
    `# dst-ok[]` accepts nothing, so the in-scope call is still reported."""
    ws = workspace(tmp_path, {
        "dstcheck.toml": '[[scope]]\nname = "engine"\ninclude = ["engine/**/*.py"]\n',
        "engine/run.py": "from venue import clock\n\ndef go():\n    return clock.now()\n",
        "venue/clock.py": f"import time\n\ndef now():\n    return time.time()  {marker}\n",
    })
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert code == (1 if reached else 0), err
    assert sites(out) == ([("DST207", "engine/run.py", 4, "violation")] if reached else [])


# -- 5. option combinations ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, named",
    [
        (["--diff"], "--diff"),
        (["--fix"], "--fix"),
        (["--unsafe-fixes", "--diff"], "--unsafe-fixes, --diff"),
        (["--add-markers", "why"], "--add-markers"),
        (["--fix", "--add-markers", "why"], "--fix, --add-markers"),
    ],
)
def test_fix_options_with_write_baseline_name_the_options_given(tmp_path, run_cli, options, named):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    code, out, err = run_cli(["check", *options, "--write-baseline", "b.json"], ws)
    assert (code, out) == (2, "")
    assert err.strip() == f"dstcheck: error: {named} and --write-baseline cannot be combined: fix first, then record what remains"
    assert not (ws / "b.json").exists()


@pytest.mark.parametrize("options, named", [(["--diff"], "--diff acts"), (["--unsafe-fixes", "--diff"], "--unsafe-fixes and --diff act")])
def test_fix_options_with_ignore_markers_name_the_options_given(tmp_path, run_cli, options, named):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    code, out, err = run_cli(["check", *options, "--ignore-markers"], ws)
    assert (code, out) == (2, "")
    assert err.strip() == f"dstcheck: error: {named} on violations; --ignore-markers would make every accepted site one"


def test_a_rule_both_selected_and_ignored_is_ignored(tmp_path, run_cli):
    """As in ruff, --ignore wins over --select (documented): the rule does not run."""
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS + "pub fn g() { let _ = uuid::Uuid::new_v4(); }\n"})
    code, out, err = run_cli(["check", "--format", "json", "--select", "DST101,DST102", "--ignore", "DST101"], ws)
    assert code == 1, err
    assert [s[0] for s in sites(out)] == ["DST102"]
    code, out, err = run_cli(["check", "--format", "json", "--select", "clock", "--ignore", "DST101"], ws)
    assert (code, sites(out)) == (0, [])


def test_inventory_check_with_output_to_stdout_is_a_usage_error(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "scope-inventory/inventory.toml": 'title = "T"\n'})
    code, out, err = run_cli(["inventory", "--check", "--output", "-"], ws)
    assert (code, out) == (2, "")
    assert err.strip() == "dstcheck: error: --check compares the report with a committed file: --output - names none (drop --output, or name the file)"


@pytest.mark.parametrize("command", [["inventory", "--output", "-"], ["audit", "src"]])
def test_inventory_and_audit_take_no_cache(tmp_path, run_cli, command):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "scope-inventory/inventory.toml": 'title = "T"\n'})
    cache = tmp_path / "cache"
    code, with_cache, err = run_cli(command, ws, env={"DSTCHECK_CACHE_DIR": str(cache)})
    assert code == 0, err
    assert cache.is_dir() and any(cache.iterdir())
    other = tmp_path / "other"
    code, without, err = run_cli([*command, "--no-cache"], ws, env={"DSTCHECK_CACHE_DIR": str(other)})
    assert code == 0, err
    assert without == with_cache
    assert not other.exists() or not any(other.iterdir())
