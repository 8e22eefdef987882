import subprocess
import sys

import pytest

from corepaths import FIXTURES
from refcore.cli import main


def refcore(*args, **kw):
    return subprocess.run([sys.executable, "-m", "refcore", *args], capture_output=True, text=True, **kw)


def fields(summary):
    return dict(part.split("=", 1) for part in summary.split())


def test_run_prints_a_summary_and_writes_a_replayable_trace(tmp_path):
    trace = tmp_path / "t.log"
    out = refcore("run", "--seed", "9", "--steps", "80", "--trace", str(trace))
    assert out.returncode == 0 and out.stdout.startswith("seed=9 status=ok lines=") and " digest=" in out.stdout
    again = refcore("run", "--seed", "9", "--steps", "80", "--crash-at", "40", "--crash-at", "70")
    first, second = fields(out.stdout), fields(again.stdout)
    assert first["digest"] == second["digest"] and first["timeline"] != second["timeline"]
    ok = refcore("replay", str(trace))
    assert ok.returncode == 0 and "lines verified" in ok.stdout
    trace.write_text(trace.read_text().replace("verdict=accept", "verdict=reject", 1))
    bad = refcore("replay", str(trace))
    assert bad.returncode == 1 and "first divergence at step seq=" in bad.stdout
    assert refcore("replay", str(tmp_path / "missing")).returncode == 2


def test_a_refused_stream_names_its_line_and_exits_2(tmp_path):
    out = refcore("run", "--events", str(FIXTURES / "int-range.events"), "--trace", str(tmp_path / "t"))
    assert out.returncode == 2
    assert out.stderr.strip().endswith("int-range.events: error line=5 reason=int-range")
    assert (tmp_path / "t").read_text() == "error line=5 reason=int-range\n"


def test_both_generators_give_the_same_stream(rust_bin):
    for profile in ("default", "crowded", "reordered"):
        for seed in (0, 1, 7, 2**40):
            args = ["--seed", str(seed), "--steps", "150", "--profile", profile]
            python = refcore("events", *args)
            rust = subprocess.run([str(rust_bin), "events", *args], capture_output=True, text=True)
            assert python.returncode == rust.returncode == 0
            assert python.stdout == rust.stdout, (profile, seed)
            assert python.stdout.count("\nevent ") > 150


def test_dst_passes_on_a_clean_core(rust_bin):
    out = refcore("dst", "--seeds", "1-4", "--steps", "80", "--rust-bin", str(rust_bin))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("4 seeds, 0 divergences (80 steps, profile default, 5 runs per seed: 3 python, 2 rust")


def test_parity_passes_and_catches_a_lying_rust_core(rust_bin, tmp_path):
    out = refcore("parity", "--seeds", "1-4", "--steps", "80", "--rust-bin", str(rust_bin))
    assert out.returncode == 0 and out.stdout.startswith("4 seeds, 0 mismatches"), out.stdout + out.stderr
    # A core whose summaries are right but whose seed-1 traces are not.
    liar = tmp_path / "liar.py"
    liar.write_text(
        "import pathlib, subprocess, sys\n"
        f"out = subprocess.run([{str(rust_bin)!r}] + sys.argv[1:], capture_output=True, text=True).stdout\n"
        "folder = pathlib.Path(sys.argv[sys.argv.index('--trace-dir') + 1])\n"
        "trace = folder / '1.trace'\n"
        "trace.write_text(trace.read_text().replace(' cash=', ' cash=1', 1))\n"
        "sys.stdout.write(out)\n"
    )
    wrapper = tmp_path / "liar"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {liar} \"$@\"\n")
    wrapper.chmod(0o755)
    keep = tmp_path / "kept"
    out = refcore("parity", "--seeds", "1-2", "--steps", "80", "--rust-bin", str(wrapper), "--keep", str(keep))
    assert out.returncode == 1
    assert out.stdout.splitlines()[-1].startswith("2 seeds, 2 mismatches"), out.stdout  # the clean and the crash run
    assert "seed 1: the python and rust runs disagree: first divergence at step seq=" in out.stdout
    assert " cash=1" in (keep / "rust" / "1.trace").read_text()
    assert f"kept: {keep}/python/1.trace {keep}/rust/1.trace" in out.stdout


def test_bench_prints_a_row_per_core_and_size(rust_bin, tmp_path):
    out = refcore("bench", "--steps", "20,40", "--repeat", "1", "--rust-bin", str(rust_bin), "--dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()[2:]]
    assert [(r[0], r[1]) for r in rows] == [("python", "20"), ("python", "40"), ("rust", "20"), ("rust", "40")]
    assert all(int(r[2]) > 0 and float(r[3].replace(",", "")) > 0 for r in rows)


@pytest.mark.parametrize("argv", [["dst", "--seeds", "5-2"], ["dst", "--seeds", "x"], ["run", "--events", "/nonexistent"],
                                  ["bench", "--steps", "0"], ["run", "--profile", "nope"]])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
