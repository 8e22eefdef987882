"""Fail closed on every input: no silent skips, no aborted runs, no hung pipelines.

Each test is one reproduction from the issue that asked for this: it failed (a skip, a
traceback, a hang, a wrong exit code) before the fix.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dstcheck import cli
from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.stages import discover as discover_mod
from fixture_harness import workspace

CLOCK_RS = "pub fn f() { let _ = std::time::Instant::now(); }\n"
CLOCK_PY = "import time\nt = time.time()\n"


@pytest.fixture(autouse=True)
def restore_signal_handlers():
    """In-process CLI runs install dstcheck's SIGINT/SIGTERM handlers: put pytest's back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def invoke(args, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli.main, args, catch_exceptions=False)


def json_sites(out: str):
    return [(s["rule"], s["path"], s["line"], s["disposition"]) for s in json.loads(out)["sites"]]


# -- discovery: nothing in scope is skipped silently ------------------------------------------
def test_module_directory_named_target_is_checked(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub mod target;\n", "src/target/mod.rs": CLOCK_RS})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert json_sites(out) == [("DST101", "src/target/mod.rs", 1, "violation")]


def test_scope_naming_a_file_under_target_is_accepted(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {"dstcheck.toml": '[[scope]]\ninclude = ["src/target/mod.rs", "src/**/*.rs"]\n', "src/lib.rs": "pub mod target;\n", "src/target/mod.rs": CLOCK_RS},
    )
    code, out, err = run_cli(["check", "--format", "json"], ws)
    assert code == 1, err
    assert json_sites(out) == [("DST101", "src/target/mod.rs", 1, "violation")]


def test_dot_directories_and_node_modules_named_by_a_source_set_are_walked(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "dstcheck.toml": '[[scope]]\ninclude = ["pkg/", "web/node_modules/tool/"]\n',
            "pkg/.generated/clock.py": CLOCK_PY,
            "web/node_modules/tool/gyp.py": CLOCK_PY,
            "web/node_modules/other/x.py": CLOCK_PY,
        },
    )
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1
    assert [s[1] for s in json_sites(out)] == ["pkg/.generated/clock.py", "web/node_modules/tool/gyp.py"]


def test_build_output_is_not_walked_and_the_skip_is_reported(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "Cargo.toml": "[package]\nname = 'x'\n",
            "src/lib.rs": "pub fn ok() {}\n",
            "target/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
            "target/debug/build/x-1/out/gen.rs": CLOCK_RS,
            "node_modules/gyp/gyp.py": CLOCK_PY,
            "src/__pycache__/lib.cpython-311.py": CLOCK_PY,
            ".venv/pyvenv.cfg": "home = /usr\n",
            ".venv/lib/site.py": CLOCK_PY,
        },
    )
    code, out, _ = run_cli(["check", "--color", "never"], ws)
    assert code == 0, out
    assert "Not walked" not in out
    code, out, _ = run_cli(["check", "--color", "never", "--show-all"], ws)
    assert code == 0
    assert out.splitlines()[:4] == [
        "Not walked (3 directories a source set could reach):",
        "  .venv/: virtual environment",
        "  node_modules/: JavaScript dependencies",
        "  target/: tagged cache directory (e.g. Cargo's target/)",
    ]
    code, out, _ = run_cli(["check", "--statistics"], ws)
    assert out.splitlines()[0] == "3  directories a source set could reach, not walked (listed by --show-all)"
    code, out, _ = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert [s["path"] for s in json.loads(out)["skipped"]] == [".venv/", "node_modules/", "target/"]


def test_source_set_below_the_crate_root_keeps_its_parents_cfg(tmp_path, run_cli):
    """Files outside every source set are still discovered: a parent module outside the source
    set gates the files it declares."""
    ws = workspace(
        tmp_path,
        {
            "dstcheck.toml": '[[scope]]\ninclude = ["crates/core/src/time/"]\n',
            "crates/core/src/lib.rs": "#[cfg(not(madsim))]\nmod time;\n",
            "crates/core/src/time/mod.rs": CLOCK_RS,
        },
    )
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 0, out
    assert json.loads(out)["summary"]["by_disposition"]["gated"] == 1


def test_unreadable_directory_in_a_source_set_is_a_dst000(tmp_path, monkeypatch):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn ok() {}\n", "src/secret/mod.rs": CLOCK_RS, "other/x.rs": CLOCK_RS})
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith(("secret", "other")):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discover_mod.os, "scandir", scandir)
    cfg = config_mod.from_data({"scope": [{"include": ["src/**"]}]}, ws, "dstcheck.toml")
    result = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))
    assert [(s.rule, s.path, s.message) for s in result.violations] == [
        ("DST000", "src/secret/", "cannot read directory: Permission denied: nothing below it was checked")
    ]
    assert ("other/", "cannot read directory: Permission denied") in result.entries.skipped


def test_symbolic_link_to_a_directory_is_reported_not_followed(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn ok() {}\n", "elsewhere/clock.rs": CLOCK_RS})
    os.symlink(ws / "elsewhere", ws / "src" / "linked")
    code, out, _ = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert {"path": "src/linked/", "reason": "symbolic link to a directory: not followed"} in json.loads(out)["skipped"]


def test_a_symbolic_link_loop_named_like_a_source_file_is_a_note_and_the_rest_is_checked(tmp_path, run_cli):
    """A loop of links in a crate or a Python package: the index listed the crate's files and
    the package's modules by following links, which raised (a traceback, exit 2) or lost the
    whole directory (a project import no longer resolved)."""
    ws = workspace(tmp_path, {
        "Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
        "src/lib.rs": CLOCK_RS,
        "pkg/__init__.py": "",
        "pkg/clock.py": "from time import time as now\n",
        "pkg/user.py": "from .clock import now\n\n\ndef f():\n    return now()\n",
    })
    for directory, a, b in (("src", "l1.rs", "l2.rs"), ("pkg", "l1.py", "l2.py")):
        os.symlink(b, ws / directory / a)
        os.symlink(a, ws / directory / b)
    code, out, err = run_cli(["check", "--color", "never"], ws)
    assert code == 1, err
    lines = out.splitlines()
    assert any(line.startswith("src/lib.rs:1:") and "DST101" in line for line in lines)
    assert any(line.startswith("pkg/user.py:5:") and "DST201" in line for line in lines)
    assert "note: src/l1.rs: broken symbolic link: not a regular file, not opened" in lines


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_fifo_named_like_a_source_file_is_never_opened(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    os.mkfifo(ws / "src" / "x.rs")
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--color", "never"], cwd=str(ws), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "note: src/x.rs: FIFO: not a regular file, not opened" in proc.stdout.splitlines()
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "src/x.rs"], cwd=str(ws), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "note: src/x.rs: FIFO" in proc.stdout


def test_path_outside_the_project_root_is_an_error(tmp_path, run_cli):
    ws = workspace(tmp_path / "ws", {"dstcheck.toml": "", "src/lib.rs": "pub fn ok() {}\n"})
    (tmp_path / "outside.rs").write_text(CLOCK_RS)
    code, out, err = run_cli(["check", "../outside.rs"], ws)
    assert code == 2 and out == ""
    assert "../outside.rs: outside the project root" in err


RENAMED_RNG = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "dstcheck.toml": '[[scope]]\ninclude = ["crates/core/src/"]\n',
    "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n\n[dependencies]\nrand09 = { package = "rand", version = "0.9" }\n',
    "crates/core/src/lib.rs": "pub fn draw() -> u64 { rand09::random() }\n",
}


@pytest.mark.parametrize("broken,why", [
    ("garbage = [\n", "invalid TOML"),  # a syntax error (at the end of the document)
    ("\xff\n", "not UTF-8"),
])
def test_a_broken_cargo_manifest_is_a_dst000_cold_and_warm(tmp_path, run_cli, broken, why):
    """A manifest the index cannot read hides its crate's renames and dependencies: the
    violation they lead to must not vanish with exit 0 (as it did)."""
    ws = workspace(tmp_path, RENAMED_RNG)
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    assert code == 1 and json_sites(out) == [("DST102", "crates/core/src/lib.rs", 1, "violation")]
    manifest = ws / "crates/core/Cargo.toml"
    manifest.write_bytes(manifest.read_bytes() + broken.encode("latin-1"))
    for _ in range(2):  # cold, then from the cache
        code, out, _ = run_cli(["check", "--format", "json"], ws)
        assert code == 1
        assert json_sites(out) == [("DST000", "crates/core/Cargo.toml", 7, "violation")]  # the line of the error
        message = json.loads(out)["sites"][0]["message"]
        assert why in message and "not resolved across files" in message


# -- depth: one deep file never ends the run --------------------------------------------------
def test_cfg_nested_500_deep_is_evaluated(tmp_path, run_cli):
    deep = "madsim"
    for _ in range(500):
        deep = f"all({deep})"
    source = f"#[cfg(not({deep}))]\npub fn gated() {{ let _ = std::time::Instant::now(); }}\n#[cfg({deep})]\npub fn kept() {{ let _ = std::time::Instant::now(); }}\n"
    ws = workspace(tmp_path, {"src/lib.rs": source, "src/ok.rs": CLOCK_RS})
    code, out, err = run_cli(["check", "--format", "json", "--show-all"], ws)
    assert code == 1, err
    assert json_sites(out) == [
        ("DST101", "src/lib.rs", 2, "gated"),
        ("DST101", "src/lib.rs", 4, "violation"),
        ("DST101", "src/ok.rs", 1, "violation"),
    ]


# -- output -----------------------------------------------------------------------------------
def test_color_always_colours_a_pipe(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    _, coloured, _ = run_cli(["check", "--color", "always"], ws)
    _, plain, _ = run_cli(["check", "--color", "auto"], ws)
    assert "\x1b[31mDST101\x1b[0m" in coloured
    assert "\x1b" not in plain


def test_control_characters_in_source_lines_are_escaped(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": 'pub fn f() { let _t = "\x1b]0;pwned\x07"; let _ = std::time::Instant::now(); }\n'})
    code, out, _ = run_cli(["check", "--color", "never"], ws)
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    assert lines[2] == '1 | pub fn f() { let _t = "\\x1b]0;pwned\\x07"; let _ = std::time::Instant::now(); }'
    assert lines[3].index("^") == lines[2].index("std::time")  # the caret still points at the site


def test_code_frames_of_a_megabyte_line_are_cut(tmp_path, run_cli):
    line = "pub fn f() { " + "let _ = std::time::Instant::now(); " * 30000 + "}\n"
    ws = workspace(tmp_path, {"src/lib.rs": line})
    assert len(line) > 1_000_000
    code, out, _ = run_cli(["check", "--color", "never"], ws)
    assert code == 1 and "Found 30000 violations" in out
    assert len(out) < 30000 * 600  # a window per site, never the whole line
    frame = out.splitlines()[2]
    assert frame.startswith("1 | pub fn f() { let _ = std::time::Instant::now();") and frame.endswith("...")


def test_full_disk_on_stdout_is_an_error_not_a_traceback(tmp_path):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "dstcheck", "check"], cwd=str(ws), stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "dstcheck: error: cannot write the report to standard output: No space left on device"


def test_closed_pipe_is_an_error_not_a_success(tmp_path):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn ok() {}\n"})
    proc = subprocess.Popen([sys.executable, "-m", "dstcheck", "check", "--format", "json"], cwd=str(ws), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before dstcheck writes (`| head -c 10` that already exited)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.decode().strip() == "dstcheck: error: cannot write the report to standard output: Broken pipe"


def test_help_describes_format_and_color(run_cli, tmp_path):
    _, out, _ = run_cli(["check", "--help"], tmp_path)
    text = " ".join(out.split())
    assert "--format [text|json|sarif|github] Output format" in text
    assert "--color [auto|always|never] Colour the text output" in text
    assert "DSTCHECK_CACHE_DIR" in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
@pytest.mark.parametrize("args", [["inventory", "--output"], ["check", "--write-baseline"]], ids=["inventory", "baseline"])
def test_writing_to_a_device_or_fifo_keeps_it(tmp_path, args):
    """`--output /dev/null` once renamed a temporary file over /dev/null, turning the device into
    a regular file for every later program. A FIFO stands in for the device here."""
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "scope-inventory/inventory.toml": 'title = "T"\n'})
    sink = tmp_path / "sink"
    os.mkfifo(sink)
    reader = os.open(sink, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there, so the writer never blocks
    try:
        proc = subprocess.run([sys.executable, "-m", "dstcheck", *args, str(sink)], cwd=str(ws), capture_output=True, text=True, timeout=60)
        received = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(sink).st_mode)
    assert received.startswith(b"<!-- Generated by `dstcheck inventory`") if args[0] == "inventory" else received.startswith(b'{\n  "schema": "dstcheck/baseline/v1"')


# -- errors that must be named, with exit 2 ---------------------------------------------------
def test_unreadable_config_file_is_named(tmp_path, monkeypatch):
    ws = workspace(tmp_path, {"dstcheck.toml": "", "src/lib.rs": "pub fn ok() {}\n"})
    real = Path.read_text

    def read_text(self, *args, **kwargs):
        if self.name == "dstcheck.toml":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    result = invoke(["check"], ws, monkeypatch)
    assert result.exit_code == 2
    assert "dstcheck: error: dstcheck.toml: cannot read: Permission denied" in result.output


def test_write_baseline_into_a_missing_directory_fails_before_the_scan(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    code, out, err = run_cli(["check", "--write-baseline", "nope/b.json"], ws)
    assert code == 2 and out == ""
    assert err.startswith("dstcheck: error: nope/b.json: cannot write the baseline: directory ") and err.rstrip().endswith("nope does not exist")


def test_write_baseline_into_a_read_only_directory_is_named(tmp_path, monkeypatch):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "ro/.keep": ""})
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path).endswith("ro") else real(path, mode, **kw))
    result = invoke(["check", "--write-baseline", "ro/b.json"], ws, monkeypatch)
    assert result.exit_code == 2
    assert "ro/b.json: cannot write the baseline: directory" in result.output and "is not writable" in result.output

    import tempfile

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "access", real)
    monkeypatch.setattr(tempfile, "mkstemp", no_space)
    result = invoke(["check", "--write-baseline", "ro/b.json"], ws, monkeypatch)
    assert result.exit_code == 2
    assert "dstcheck: error: ro/b.json: cannot write the baseline: No space left on device" in result.output


def test_write_baseline_keeps_a_symlink_and_the_file_mode(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "real/b.json": "{}"})
    os.chmod(ws / "real" / "b.json", 0o644)
    os.symlink("real/b.json", ws / "b.json")
    code, _, _ = run_cli(["check", "--write-baseline", "b.json"], ws)
    assert code == 0
    assert (ws / "b.json").is_symlink()
    assert json.loads((ws / "real" / "b.json").read_text())["entries"]
    assert stat.S_IMODE((ws / "real" / "b.json").stat().st_mode) == 0o644
    umask = os.umask(0o022)
    try:
        run_cli(["check", "--write-baseline", "new.json"], ws)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((ws / "new.json").stat().st_mode) == 0o644  # not mkstemp's 0600


def test_combinations_that_would_be_silently_ignored_are_errors(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS, "b.json": '{"schema": "dstcheck/baseline/v1", "entries": []}'})
    code, _, err = run_cli(["check", "--baseline", "b.json", "--write-baseline", "b.json"], ws)
    assert code == 2 and "--baseline and --write-baseline cannot be combined" in err
    code, _, err = run_cli(["check", "--statistics", "--format", "sarif"], ws)
    assert code == 2 and "--statistics works with --format text or json, not sarif" in err
    code, out, _ = run_cli(["check", "--statistics", "--format", "json"], ws)
    assert code == 1
    assert json.loads(out)["statistics"]["rules"] == [{"rule": "DST101", "name": "raw-clock", "count": 1}]


# -- wording ----------------------------------------------------------------------------------
def test_summary_counts_files_outside_the_checked_ones_apart(tmp_path, run_cli):
    ws = workspace(
        tmp_path,
        {
            "dstcheck.toml": 'allowlists = ["allow.toml"]\n',
            "allow.toml": '[[allow]]\nrule = "DST104"\npath = "src/lib.rs"\nreason = "gone"\n',
            "src/lib.rs": CLOCK_RS,
        },
    )
    code, out, _ = run_cli(["check", "--color", "never"], ws)
    assert code == 1
    assert out.splitlines()[-1] == "Found 2 violations in 1 of 1 file checked and 1 other file (DST004 stale-allowlist-entry: 1, DST101 raw-clock: 1)."


def test_one_stale_baseline_entry_no_longer_matches(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": CLOCK_RS})
    run_cli(["check", "--write-baseline", "b.json"], ws)
    (ws / "src" / "lib.rs").write_text("pub fn f() {}\n")
    _, out, _ = run_cli(["check", "--baseline", "b.json", "--color", "never"], ws)
    assert "1 baseline entry in b.json no longer matches (fixed or removed); rerun with --write-baseline b.json to drop it:" in out


def test_dst000_hint_speaks_to_every_language(run_cli, tmp_path):
    _, out, _ = run_cli(["explain", "DST000"], tmp_path)
    assert "Rust" not in out and "Python" not in out


def test_unused_marker_lists_only_rules_that_ran_on_the_file(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() {} // dst-ok: nothing here\n"})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    message = json.loads(out)["sites"][0]["message"]
    assert message.startswith("marker `dst-ok: nothing here` accepts no site (rules run here: DST101, DST102")
    assert "DST105" not in message and "DST107" not in message  # inactive until only-in is configured


def test_a_marker_naming_another_rule_says_which_rule_the_line_holds(tmp_path, run_cli):
    ws = workspace(tmp_path, {"src/lib.rs": "pub fn f() { let _ = std::time::Instant::now(); } // dst-ok[DST102]: wrong id\n"})
    code, out, _ = run_cli(["check", "--format", "json"], ws)
    messages = {s["rule"]: s["message"] for s in json.loads(out)["sites"]}
    assert code == 1 and sorted(messages) == ["DST001", "DST101"]
    assert messages["DST001"] == "marker `dst-ok[DST102]: wrong id` accepts no site: it names DST102, and the site on its line is DST101 (name that rule, or drop the list)"


# -- interruption: workers die with dstcheck, signals end the run cleanly ----------------------
def _children(pid: int):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


@pytest.fixture(scope="module")
def slow_corpus(tmp_path_factory):
    """Enough parsing for a two-worker pool to be busy for seconds."""
    root = tmp_path_factory.mktemp("slow")
    body = "pub fn g() { let _ = std::time::Instant::now(); }\n" + "".join(
        f"pub fn f{i}(x: u64) -> u64 {{ (0..x).map(|k| k * {i} + (k << 2) ^ 7).filter(|k| k % 3 == 0).count() as u64 }}\n" for i in range(300)
    )
    workspace(root, {f"src/m{n}.rs": body for n in range(400)})
    return root


def _wait_for_workers(pid: int, count: int = 2, timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _children(pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    raise AssertionError("the process pool never started")


LINUX = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads the process table from /proc")
ARGS = [sys.executable, "-m", "dstcheck", "check", "--no-prefilter", "-j", "2"]


@LINUX
def test_killing_dstcheck_ends_the_pipeline_and_its_workers(slow_corpus):
    shell = subprocess.Popen(["sh", "-c", " ".join(ARGS + ["--no-cache", "|", "cat", ">", "/dev/null"])], cwd=str(slow_corpus), start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not _children(shell.pid) or not any(_children(c) for c in _children(shell.pid)):
            assert time.monotonic() < deadline, "dstcheck never started its pool"
            time.sleep(0.02)
        parent = next(c for c in _children(shell.pid) if _children(c))
        workers = _wait_for_workers(parent)
        os.kill(parent, signal.SIGKILL)
        shell.wait(timeout=15)  # before the fix, cat never saw end of file
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@LINUX
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_run_with_its_exit_code_and_nothing_half_written(slow_corpus, tmp_path, signum, code):
    cache = tmp_path / "cache"
    proc = subprocess.Popen(ARGS + ["--cache-dir", str(cache), "--write-baseline", "b.json"], cwd=str(slow_corpus), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = _wait_for_workers(proc.pid)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert out == b"" and f"interrupted by {signal.Signals(signum).name}".encode() in err
    assert not any(_alive(w) for w in workers)
    assert not (slow_corpus / "b.json").exists()
    leftovers = [p.name for p in cache.iterdir() if p.name.startswith(".results-")] if cache.exists() else []
    assert leftovers == []


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="needs fork hooks")
def test_a_signal_that_arrives_while_a_worker_is_forked_still_ends_the_run(slow_corpus, tmp_path):
    """A handler that raises inside the fork hooks has its exception printed and dropped by
    Python ("Exception ignored in ... _releaseLock"), and the run went on to write its baseline
    and exit 0. Here the signal is sent from a hook run right after the first fork."""
    script = (
        "import os, signal, sys\n"
        "fired = []\n"
        "def hook():\n"
        "    if not fired:\n"
        "        fired.append(1)\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "os.register_at_fork(after_in_parent=hook)\n"
        "from dstcheck import cli\n"
        "sys.argv = ['dstcheck'] + sys.argv[1:]\n"
        "cli.main()\n"
    )
    cache = tmp_path / "cache"
    args = [sys.executable, "-c", script] + ARGS[3:] + ["--cache-dir", str(cache), "--write-baseline", "b.json"]
    proc = subprocess.run(args, cwd=str(slow_corpus), capture_output=True, timeout=120)
    assert proc.returncode == 143, proc.stderr
    assert b"interrupted by SIGTERM" in proc.stderr and b"Exception ignored" not in proc.stderr
    assert not (slow_corpus / "b.json").exists()


def test_a_path_dependency_outside_the_project_ends(tmp_path):
    """An absolute `path = ".."` dependency (or one above the root): looking upward for its
    workspace stops at the filesystem root instead of looping there."""
    outside = tmp_path / "stubs" / "indexmap"
    ws = workspace(
        tmp_path / "proj",
        {
            "Cargo.toml": f'[package]\nname = "p"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = {{ path = "{outside.as_posix()}" }}\nup = {{ path = "../../up" }}\n',
            "src/lib.rs": "pub fn f() -> std::time::Instant { std::time::Instant::now() }\n",
            "dstcheck.toml": "",
        },
    )
    workspace(outside, {"Cargo.toml": '[package]\nname = "indexmap"\nversion = "2.0.0"\n', "src/lib.rs": "pub struct IndexMap;\n"})
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache"], cwd=str(ws), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "src/lib.rs:1:36: DST101" in proc.stdout
