"""Time dstcheck on a Python package side by side with ruff, in one run, and print the ratios.

    python bench/python_vs_ruff.py PATH/TO/PACKAGE [--rounds 7]

The package is copied to a temporary directory with a dstcheck.toml that puts every `.py` file in
scope (the original is never written to). Each round runs every command once, interleaved, so a
noisy machine slows them alike; the table shows the median and the fastest round. dstcheck runs
as an installed tool would: with bytecode caching on (in a temporary PYTHONPYCACHEPREFIX), so no
round pays for compiling dstcheck itself. Needs `ruff` on PATH (pip install ruff).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLASSIC = ["--select", "E4,E7,E9,F"]  # ruff's default rule set before it grew


def timed(cmd, cwd, env) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="a directory of Python sources (e.g. a NautilusTrader checkout's nautilus_trader/)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ruff = shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff is not on PATH: pip install ruff")
    with tempfile.TemporaryDirectory(prefix="dstcheck-bench-") as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(args.package, work / args.package.resolve().name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        (work / "dstcheck.toml").write_text('[[scope]]\nname = "all"\ninclude = ["**/*.py"]\n')
        files = sorted(work.rglob("*.py"))
        size = sum(p.stat().st_size for p in files)
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        dst = [sys.executable, "-m", "dstcheck", "check", "--exit-zero"]
        warm_dir = Path(tmp) / "warm"
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -S -c pass": [sys.executable, "-S", "-c", "pass"],
            "ruff, no cache": [ruff, "check", "-q", "--exit-zero", "--no-cache", "."],
            "ruff, warm": [ruff, "check", "-q", "--exit-zero", "."],
            "ruff E4,E7,E9,F, no cache": [ruff, "check", "-q", "--exit-zero", "--no-cache", *CLASSIC, "."],
            "ruff E4,E7,E9,F, warm": [ruff, "check", "-q", "--exit-zero", "--cache-dir", str(Path(tmp) / "ruff-classic"), *CLASSIC, "."],
            "dstcheck cold (default workers)": dst + ["--no-cache"],
            "dstcheck cold -j 1": dst + ["--no-cache", "-j", "1"],
            "dstcheck warm (default workers)": dst + ["--cache-dir", str(warm_dir)],
            "dstcheck warm -j 1": dst + ["--cache-dir", str(warm_dir), "-j", "1"],
        }
        for name in ("ruff, warm", "ruff E4,E7,E9,F, warm", "dstcheck warm (default workers)"):
            timed(commands[name], work, env)  # fill the caches (and dstcheck's bytecode)
        times = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, work, env))
        summary = subprocess.run(dst + ["--no-cache"], cwd=str(work), env=env, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{len(files)} files, {size / 1e6:.1f} MB; {os.cpu_count()} cores; {args.rounds} rounds; Python {sys.version.split()[0]}")
    print(f"dstcheck: {summary}")
    print()
    print(f"| {'command':<34} | {'median s':>8} | {'fastest s':>9} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 11}|")
    for name in commands:
        print(f"| {name:<34} | {median[name]:8.3f} | {min(times[name]):9.3f} |")
    print()
    ratios = [
        ("cold / ruff no cache", "dstcheck cold (default workers)", "ruff, no cache"),
        ("cold / ruff E4,E7,E9,F no cache", "dstcheck cold (default workers)", "ruff E4,E7,E9,F, no cache"),
        ("warm / ruff warm", "dstcheck warm (default workers)", "ruff, warm"),
        ("warm / ruff E4,E7,E9,F warm", "dstcheck warm (default workers)", "ruff E4,E7,E9,F, warm"),
        ("cold default workers / cold -j 1", "dstcheck cold (default workers)", "dstcheck cold -j 1"),
        ("warm default workers / warm -j 1", "dstcheck warm (default workers)", "dstcheck warm -j 1"),
    ]
    print("ratios of medians:")
    for label, a, b in ratios:
        print(f"  {label:<34} {median[a] / median[b]:5.2f}")


if __name__ == "__main__":
    main()
