"""Whole workspaces checked through the CLI, the way a user runs dstcheck."""

from __future__ import annotations

import hashlib
import json

import pytest

from fixture_harness import workspace

SEVEN = """\
use std::time::Instant;
use ahash::AHashMap;
use tokio::time::sleep;

pub async fn everything(m: AHashMap<u8, u8>) {
    let _t = Instant::now();
    let _r = rand::thread_rng();
    tokio::select! { _ = sleep(d) => {} }
    std::thread::spawn(|| {});
    let _s = tokio::net::TcpStream::connect("x").await;
}
"""
SEVEN_CONFIG = """\
[tool.dstcheck.rules.DST105]
only-in = ["src/lib.rs"]
[tool.dstcheck.rules.DST107]
only-in = ["src/"]
"""




def violations(stdout: str):
    return [(s["rule"], s["path"], s["line"]) for s in json.loads(stdout)["sites"]]


def test_clean_workspace_passes_and_says_so(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn add(a: u64, b: u64) -> u64 { a + b }\n"})
    code, out, err = run_cli(["check"], ws)
    assert code == 0, out + err
    assert out.strip() == "All clear: 0 violations in 1 file checked."


def test_one_violation_of_each_rule_reported_once_per_rule(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": SEVEN, "pyproject.toml": SEVEN_CONFIG})
    code, out, err = run_cli(["check", "--format", "json"], ws)
    assert code == 1, err
    found = violations(out)
    assert sorted(r for r, _, _ in found) == ["DST101", "DST102", "DST103", "DST104", "DST105", "DST106", "DST107"]
    assert ("DST101", "src/lib.rs", 6) in found
    assert ("DST105", "src/lib.rs", 5) in found
    assert ("DST107", "src/lib.rs", 3) in found


def test_only_the_production_read_before_the_test_module(tmp_path, run_cli):
    src = """\
    use std::time::Instant;

    pub fn elapsed() -> u64 {
        Instant::now().elapsed().as_secs()
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        #[test]
        fn t() {
            let _ = Instant::now();
        }
    }
    """
    ws = workspace(tmp_path, {"src/lib.rs": src})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert violations(out) == [("DST101", "src/lib.rs", 4)]


def test_two_reads_report_both_lines(tmp_path, run_cli):
    src = """\
    use std::time::SystemTime;
    pub fn a() { let _ = SystemTime::now(); }
    pub fn b() { let _ = SystemTime::now(); }
    """
    ws = workspace(tmp_path, {"src/lib.rs": src})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert violations(out) == [("DST101", "src/lib.rs", 2), ("DST101", "src/lib.rs", 3)]


def test_tokio_instant_reports_nothing(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "use tokio::time::Instant;\npub fn f() { let _ = Instant::now(); }\n"})
    code, out, err = run_cli(["check"], ws)
    assert code == 0, out
    assert "All clear" in out


def test_jiff_alias_in_braces_reports_one_at_its_line(tmp_path, run_cli):
    src = "// header\nuse jiff::{Timestamp as Ts};\n\npub fn f() {\n    let _ = Ts::now();\n}\n"
    ws = workspace(tmp_path, {"src/lib.rs": src})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert violations(out) == [("DST101", "src/lib.rs", 5)]


def test_text_output_has_location_frame_hint_and_summary(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() {\n    let _ = std::time::Instant::now();\n}\n"})
    code, out, _ = run_cli(["check", "--color", "never"], ws)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "src/lib.rs:2:13: DST101 raw-clock `std::time::Instant::now` reads the wall clock"
    assert lines[2] == "2 |     let _ = std::time::Instant::now();"
    assert lines[3] == "  |             " + "^" * 25
    assert lines[4].startswith("  = hint: Read time through the clock seam")
    assert lines[-1] == "Found 1 violation in 1 of 1 file checked (DST101 raw-clock: 1)."
    assert "\x1b[" not in out


def test_show_all_lists_accepted_sites_with_disposition(tmp_path, run_cli):
    src = """\
    use std::time::Instant;
    pub fn f() {
        let _a = Instant::now(); // dst-ok: log timing
        #[cfg(not(madsim))]
        let _b = Instant::now();
    }
    """
    ws = workspace(tmp_path, {"src/lib.rs": src})
    code, out, _ = run_cli(["check", "--show-all", "--format", "json"], ws)
    assert code == 0
    sites = json.loads(out)["sites"]
    assert [(s["line"], s["disposition"], s["reason"]) for s in sites] == [
        (3, "suppressed", "log timing"),
        (5, "gated", "not(madsim)"),
    ]


def test_check_named_file_uses_module_tree_of_its_parents(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "src/lib.rs": "#[cfg(test)]\nmod tests;\n",
            "src/tests.rs": "fn t() { let _ = std::time::Instant::now(); }\n",
        },
    )
    code, out, _ = run_cli(["check", "src/tests.rs"], ws)
    assert code == 0, out


def test_output_is_identical_across_hash_seeds(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": SEVEN, "src/other.rs": SEVEN, "pyproject.toml": SEVEN_CONFIG})
    outputs = {run_cli(["check", "--show-all"], ws, env={"PYTHONHASHSEED": seed})[1] for seed in ("0", "1", "12345")}
    assert len(outputs) == 1


def test_never_writes_to_checked_sources(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": SEVEN, "pyproject.toml": SEVEN_CONFIG})
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.rglob("*") if p.is_file()}
    run_cli(["check"], ws)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.rglob("*") if p.is_file() and ".dstcheck_cache" not in p.parts}
    assert before == after


@pytest.mark.parametrize(
    "content,message",
    [
        (b"fn f() {}\n\xff\xfe bad\n", "src/bad.rs:2:1: DST000 parse-error not valid UTF-8 (byte 10): not checked"),
        (b"fn f() {}\x00\x01", "src/bad.rs:1:1: DST000 parse-error binary file (NUL byte): not checked"),
        (b"fn f() {\n    let = ;\n    let _ = std::time::Instant::now();\n}\n", "src/bad.rs:2:"),
    ],
)
def test_bad_input_is_a_diagnostic_not_a_crash(tmp_path, run_cli, content, message):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.rs").write_bytes(content)
    (tmp_path / "src" / "good.rs").write_text("fn g() { let _ = std::time::Instant::now(); }\n")
    code, out, err = run_cli(["check", "--color", "never"], tmp_path)
    assert code == 1, err
    assert message in out
    assert "src/good.rs:1:18: DST101" in out  # the rest of the tree is still checked
    assert "Traceback" not in err


def test_missing_path_is_a_usage_error(tmp_path, run_cli):
    code, out, err = run_cli(["check", "does/not/exist.rs"], tmp_path)
    assert code == 2
    assert "does/not/exist.rs: no such file or directory" in err


@pytest.mark.parametrize(
    "config,expected",
    [
        ("[tool.dstcheck]\nbogus = 1\n", "pyproject.toml [tool.dstcheck]: bogus: unknown key"),
        ("[tool.dstcheck]\nmarker = 3\n", "marker: expected a non-empty word"),
        ("[tool.dstcheck]\nselect = ['DST999']\n", "select: unknown rule id or family 'DST999'"),
        ("[tool.dstcheck]\nignore = ['DST000']\n", "ignore: 'DST000': DST000 (a file that could not be checked) is always reported"),
        ("[tool.dstcheck.rules.DST999]\nonly-in = []\n", "rules.DST999: unknown rule id"),
        ("[tool.dstcheck.rules.DST105]\nonly-in = ['src/missing.rs']\n", "rules.DST105.only-in: 'src/missing.rs' matches no file"),
        ("[tool.dstcheck.rules.DST105]\nonly-in = 'src/lib.rs'\n", "rules.DST105.only-in: expected a list of strings"),
        ("[tool.dstcheck.rules.DST101]\nreceivers2 = []\n", "rules.DST101.receivers2: unknown option"),
        ("[[tool.dstcheck.scope]]\ninclude = ['crates/*/src/**/*.rs']\n", "scope[0].include: 'crates/*/src/**/*.rs' matches no file"),
        ("[tool.dstcheck]\nallowlists = ['allowlists/*.toml']\n", "allowlists: 'allowlists/*.toml' matches no file"),
        ("[tool.dstcheck.rust.profile]\nother-features = 'maybe'\n", 'rust.profile.other-features: expected "unknown" or "off"'),
        ("[tool.dstcheck.rust.profile]\ncfg = ['all(x']\n", "rust.profile.cfg: expected cfg names"),
        ("[tool.dstcheck\n", "pyproject.toml: invalid TOML"),
    ],
)
def test_config_errors_name_file_key_and_expectation(tmp_path, run_cli, config, expected):
    ws = workspace(tmp_path, {"src/lib.rs": "fn f() {}\n", "pyproject.toml": config})
    code, out, err = run_cli(["check"], ws)
    assert code == 2, out + err
    assert expected in err
    assert "Traceback" not in err


def test_allowlist_entry_errors_name_the_allowlist_file(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "src/lib.rs": "fn f() {}\n",
            "pyproject.toml": "[tool.dstcheck]\nallowlists = ['allowlists/*.toml']\n",
            "allowlists/clock.toml": "[[allow]]\nrule = 'DST101'\npath = 'src/lib.rs'\n",
        },
    )
    code, _, err = run_cli(["check"], ws)
    assert code == 2
    assert "allowlists/clock.toml: allow[0].reason: expected a non-empty string" in err


def test_allowlisted_site_keeps_its_reason(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "src/clock.rs": "pub fn wall() -> std::time::SystemTime { std::time::SystemTime::now() }\n",
            "pyproject.toml": "[tool.dstcheck]\nallowlists = ['allowlists/*.toml']\n",
            "allowlists/clock.toml": "[[allow]]\nrule = 'DST101'\npath = 'src/clock.rs'\nitem = 'wall'\nreason = 'the clock seam'\n",
        },
    )
    code, out, _ = run_cli(["check", "--show-all", "--format", "json"], ws)
    assert code == 0
    (site,) = json.loads(out)["sites"]
    assert (site["disposition"], site["reason"], site["item"]) == ("allowlisted", "the clock seam", "wall")


def test_scopes_select_rules_per_source_set(tmp_path, run_cli):
    config = """\
    [[tool.dstcheck.scope]]
    name = "net"
    include = ["crates/network/src/**/*.rs"]
    ignore = ["clock"]
    [[tool.dstcheck.scope]]
    name = "core"
    include = ["crates/*/src/**/*.rs"]
    exclude = ["crates/adapters/"]
    """
    body = "pub fn f() { let _ = std::time::Instant::now(); }\n"
    ws = workspace(
        tmp_path,
        {
            "pyproject.toml": config,
            "crates/core/src/lib.rs": body,
            "crates/adapters/src/lib.rs": body,
            "crates/network/src/lib.rs": body + "pub fn g() { std::thread::spawn(|| {}); }\n",
            "tools/gen.rs": body,
        },
    )
    code, out, _ = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert code == 1
    sites = json.loads(out)["sites"]
    assert [(s["path"], s["disposition"], s["rule"]) for s in sites] == [
        ("crates/adapters/src/lib.rs", "scoped-out", "DST101"),
        ("crates/core/src/lib.rs", "violation", "DST101"),
        ("crates/network/src/lib.rs", "violation", "DST104"),
        ("tools/gen.rs", "scoped-out", "DST101"),
    ]


def test_user_rule_in_config_bans_a_path(tmp_path, run_cli):
    config = """\
    [[tool.dstcheck.rule]]
    id = "DST901"
    name = "process-id"
    language = "rust"
    contract = "Nothing on the DST path depends on the OS process: its id differs on every run."
    message = "`{path}` reads the process id"
    hint = "Take identities from the seeded scenario."
    [[tool.dstcheck.rule.match]]
    kind = "path"
    paths = ["std::process::id"]
    """
    ws = workspace(tmp_path, {"pyproject.toml": config, "src/lib.rs": "use std::process;\nfn f() { let _ = process::id(); }\n"})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert violations(out) == [("DST901", "src/lib.rs", 2)]
    code, out, _ = run_cli(["explain", "DST901"], ws)
    assert code == 0 and "std::process::id" in out


def test_rules_and_explain(tmp_path, run_cli):
    code, out, _ = run_cli(["rules"], tmp_path)
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids[:12] == [f"DST00{i}" for i in range(5)] + [f"DST10{i}" for i in range(1, 8)]
    code, out, _ = run_cli(["explain", "DST103"], tmp_path)
    assert code == 0
    assert "tokio::select!  unless it starts with `biased;`" in out
    assert "Flagged:" in out and "Accepted:" in out and "biased;" in out
    code, _, err = run_cli(["explain", "DST999"], tmp_path)
    assert code == 2 and "unknown rule 'DST999'" in err


def test_select_and_ignore_on_the_command_line(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": SEVEN, "pyproject.toml": SEVEN_CONFIG})
    code, out, _ = run_cli(["check", "--format", "json", "--select", "clock,DST104"], ws)
    assert sorted(r for r, _, _ in violations(out)) == ["DST101", "DST104"]
    code, out, _ = run_cli(["check", "--format", "json", "--ignore", "DST101", "--ignore", "rng"], ws)
    assert "DST101" not in {r for r, _, _ in violations(out)} and "DST102" not in {r for r, _, _ in violations(out)}
    code, _, err = run_cli(["check", "--select", "nonsense"], ws)
    assert code == 2 and "unknown rule id or family" in err
    # a family is known before the project has a rule in it (no [[rule]] here: custom is empty)
    code, out, err = run_cli(["check", "--format", "json", "--select", "custom"], ws)
    assert code == 0 and violations(out) == [], err
    code, out, err = run_cli(["check", "--format", "json", "--ignore", "custom"], ws)
    assert code == 1 and "DST101" in {r for r, _, _ in violations(out)}, err
    # DST000 is never hidden: naming it (or its family) is an error, not a silent no-op
    for option, name in (("--select", "DST000"), ("--ignore", "DST000"), ("--ignore", "diagnostic")):
        code, _, err = run_cli(["check", option, name], ws)
        assert code == 2 and "is always reported; it cannot be selected or ignored" in err, (option, name, err)


def test_mixed_repository_reports_both_languages_in_one_sorted_list(tmp_path, run_cli):
    config = """\
    [[tool.dstcheck.scope]]
    name = "core"
    include = ["core/src/**/*.rs"]
    [[tool.dstcheck.scope]]
    name = "strategies"
    include = ["strategies/**/*.py"]
    select = ["DST201", "DST203"]
    """
    ws = workspace(
        tmp_path,
        {
            "pyproject.toml": config,
            "core/src/lib.rs": "pub fn f() { let _ = std::time::SystemTime::now(); }\n",
            "strategies/alpha.py": "import time, random\n\ndef on_bar(bar):\n    random.random()\n    return time.time()\n",
            "strategies/tests/test_alpha.py": "import time\n\ndef test_x():\n    time.time()\n",
            "tools/script.py": "import time\ntime.time()\n",
        },
    )
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert violations(out) == [("DST101", "core/src/lib.rs", 1), ("DST201", "strategies/alpha.py", 5)]


def test_python_syntax_error_is_reported_at_its_line(tmp_path, run_cli):
    ws = workspace(tmp_path, {"pkg/bad.py": "import time\n\n\ndef broken(:\n    return time.time()\n", "pkg/good.py": "import time\nT = time.time()\n"})
    code, out, err = run_cli(["check", "--color", "never"], ws)
    assert code == 1, err
    assert "pkg/bad.py:4:12: DST000 parse-error syntax error: invalid syntax" in out
    assert "pkg/good.py:2:5: DST201 py-raw-clock" in out


def test_rooted_globs_match_at_the_root_only(tmp_path, run_cli):
    """`/vendor/` and `./src/lib.rs` are anchored at the project root, as in .gitignore: the
    literal one is found there (not at the filesystem root), the directory one leaves a
    `vendor/` deeper down in scope."""
    clock = "pub fn f() { let _ = std::time::Instant::now(); }\n"
    ws = workspace(
        tmp_path,
        {
            "src/lib.rs": "mod vendor;\n",
            "src/vendor/mod.rs": clock,
            "vendor/v.rs": clock,
            "pyproject.toml": "[tool.dstcheck]\nexclude = ['/vendor/']\n[[tool.dstcheck.scope]]\ninclude = ['./src/lib.rs', '/src/vendor/']\n",
        },
    )
    code, out, err = run_cli(["check"], ws)
    assert code == 1, out + err
    assert "src/vendor/mod.rs:1:22: DST101" in out
    assert "vendor/v.rs" not in out.replace("src/vendor/", "")


def test_build_scripts_are_scoped_out_by_default(tmp_path, run_cli):
    """A build script runs at compile time, never in the simulated binary: out of the default
    scope (listed with --show-all), while the crate's own code is still checked."""
    ws = workspace(
        tmp_path,
        {
            "build.rs": 'fn main() { let _ = std::env::var("OUT_DIR"); }\n',
            "src/lib.rs": 'pub fn f() -> Option<String> { std::env::var("X").ok() }\n',
        },
    )
    code, out, err = run_cli(["check", "--show-all"], ws)
    assert code == 1, out + err
    assert "build.rs:1:21: DST110 env-read `std::env::var` reads the process environment [scoped-out" in out
    assert "src/lib.rs:1:32: DST110" in out
