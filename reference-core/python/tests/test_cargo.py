"""The Rust core's own tests (std only), run as part of the one test command."""
import re
import subprocess

from corepaths import RUST


def test_cargo_test_passes_with_nothing_ignored():
    out = subprocess.run(["cargo", "test", "--release", "--manifest-path", str(RUST / "Cargo.toml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    results = re.findall(r"test result: ok\. (\d+) passed; (\d+) failed; (\d+) ignored", out.stdout)
    assert results and sum(int(p) for p, _, _ in results) >= 15
    assert all(int(i) == 0 for _, _, i in results), "nothing is ignored"


def test_the_gated_live_mode_still_compiles():
    out = subprocess.run(["cargo", "check", "--release", "--quiet", "--features", "live", "--manifest-path", str(RUST / "Cargo.toml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
