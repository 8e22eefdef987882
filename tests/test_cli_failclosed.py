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
