import subprocess
import sys

import pytest

from refcore.cli import main


def refcore(*args, **kw):
    return subprocess.run([sys.executable, "-m", "refcore", *args], capture_output=True, text=True, **kw)


def test_run_prints_a_digest_and_writes_a_replayable_trace(tmp_path):
    trace = tmp_path / "t.log"
    out = refcore("run", "--seed", "9", "--steps", "80", "--trace", str(trace))
    assert out.returncode == 0 and out.stdout.startswith("seed=9 lines=") and " digest=" in out.stdout
    again = refcore("run", "--seed", "9", "--steps", "80", "--crash-at", "40")
    assert again.stdout == out.stdout
    ok = refcore("replay", str(trace))
    assert ok.returncode == 0 and "lines verified" in ok.stdout
    trace.write_text(trace.read_text().replace("verdict=accept", "verdict=reject", 1))
    bad = refcore("replay", str(trace))
    assert bad.returncode == 1 and "first divergence at step seq=" in bad.stdout
    assert refcore("replay", str(tmp_path / "missing")).returncode == 2


def test_dst_passes_on_a_clean_core():
    out = refcore("dst", "--seeds", "1-4", "--steps", "80")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("4 seeds, 0 divergences (80 steps, 3 processes per seed")


def test_parity_passes_and_catches_a_lying_rust_core(rust_bin, tmp_path):
    out = refcore("parity", "--seeds", "1-4", "--steps", "80", "--rust-bin", str(rust_bin))
    assert out.returncode == 0 and out.stdout.startswith("4 seeds, 0 mismatches"), out.stdout + out.stderr
    liar = tmp_path / "liar.py"
    liar.write_text(
        "import subprocess, sys\n"
        f"out = subprocess.run([{str(rust_bin)!r}] + sys.argv[1:], stdin=sys.stdin, capture_output=True, text=True).stdout\n"
        "sys.stdout.write(out.replace('cash=', 'cash=1', 1))\n"
    )
    wrapper = tmp_path / "liar"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {liar} \"$@\"\n")
    wrapper.chmod(0o755)
    out = refcore("parity", "--seeds", "1-2", "--steps", "80", "--rust-bin", str(wrapper))
    assert out.returncode == 1
    assert out.stdout.splitlines()[-1].startswith("2 seeds, 1 mismatches")
    assert "seed 1: first divergence at step seq=" in out.stdout and "python:" in out.stdout and "rust:" in out.stdout


@pytest.mark.parametrize("argv", [["dst", "--seeds", "5-2"], ["dst", "--seeds", "x"], ["run", "--events", "/nonexistent"]])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
