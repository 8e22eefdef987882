"""Benchmark dstcheck on a generated workspace and print a table.

    python bench/run.py                  # default corpus (~40 MB Rust + 5 MB Python), plus 1/4 and 1/2 for linearity
    python bench/run.py --scale 0.05     # a small smoke run (CI)

Scenarios: cold full scan (no cache), warm full scan (cache filled), a 10-file pre-commit run
(interpreter start included, files changed so no cache hit), and the floor: reading every file
and running the prefilter, nothing else. Each runs in its own process; peak RSS is that
process tree's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def timed(cmd, cwd) -> tuple:
    """Wall seconds and peak RSS (MB) of a command and the children it waited for."""
    start = time.perf_counter()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the interpreter keeps compiled modules
    proc = subprocess.Popen(cmd, cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def floor(directory: Path) -> None:
    """Read every source file and run the prefilter: the cost no scan can avoid."""
    from dstcheck import config, pipeline
    from dstcheck.stages.discover import discover
    from dstcheck.stages.prefilter import plan_for

    cfg = config.load(Path(directory))
    kept = 0
    for entry in discover(cfg):
        with open(entry.abspath, "rb") as handle:
            source = handle.read()
        rules = pipeline.rules_for(cfg, entry, pipeline.Selection())
        kept += plan_for(rules, cfg.pack.reexports.get(entry.language, {}), entry.language).may_hold_site(source, cfg.marker.encode())
    print(kept)


def corpus(scale: float, base: Path) -> tuple:
    target = base / f"scale-{scale:g}"
    stamp = target / ".generated"
    if not stamp.exists():
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        stats = generate(target, scale)
        stamp.write_text(repr(stats))
    stats = eval(stamp.read_text())  # written by us just above: a dict literal
    return target, stats


def run_scale(scale: float, base: Path, jobs: int) -> dict:
    directory, stats = corpus(scale, base)
    dst = [sys.executable, "-m", "dstcheck", "check", "--exit-zero"]
    jobs_arg = ["-j", str(jobs)] if jobs else []
    shutil.rmtree(directory / ".dstcheck_cache", ignore_errors=True)
    out = {"stats": stats}
    out["cold full scan"] = timed(dst + jobs_arg, directory)
    out["warm full scan"] = timed(dst + jobs_arg, directory)
    rust = sorted((directory / "crates").rglob("*.rs"))
    picks = [rust[i * len(rust) // 10] for i in range(10)]
    for path in picks:  # a changed file misses the cache, as in a real commit
        path.write_text(path.read_text() + "\n// edited\n")
    out["10-file pre-commit"] = timed(dst + [str(p.relative_to(directory)) for p in picks], directory)
    for path in picks:
        path.write_text(path.read_text()[: -len("\n// edited\n")])
    out["floor (read + prefilter)"] = timed([sys.executable, str(HERE / "run.py"), "--floor", str(directory)], directory)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-linearity", action="store_true", help="skip the 1/4 and 1/2 size runs")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: all cores)")
    parser.add_argument("--dir", type=Path, default=HERE / "corpus", help="where generated corpora are kept")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.floor)
        return
    main_run = run_scale(args.scale, args.dir, args.jobs)
    stats = main_run["stats"]
    rust_mb = stats["rust_bytes"] / 1e6
    total_mb = (stats["rust_bytes"] + stats["python_bytes"]) / 1e6
    print(f"corpus: {stats['rust_files']} Rust files ({rust_mb:.1f} MB), {stats['python_files']} Python files ({stats['python_bytes'] / 1e6:.1f} MB); {os.cpu_count()} cores")
    print()
    print(f"| {'scenario':<26} | {'wall s':>7} | {'Rust MB/s':>9} | {'all MB/s':>8} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 28}|{'-' * 9}|{'-' * 11}|{'-' * 10}|{'-' * 13}|")
    for name in ("cold full scan", "warm full scan", "10-file pre-commit", "floor (read + prefilter)"):
        wall, rss = main_run[name]
        rate = "" if name.startswith("10-file") else f"{rust_mb / wall:9.1f}"
        rate_all = "" if name.startswith("10-file") else f"{total_mb / wall:8.1f}"
        print(f"| {name:<26} | {wall:7.2f} | {rate:>9} | {rate_all:>8} | {rss:11.0f} |")
    if not args.no_linearity:
        print()
        print("linearity (cold full scan):")
        print(f"| {'scale':>5} | {'Rust MB':>7} | {'wall s':>7} | {'s per MB':>8} | {'vs full':>7} |")
        print(f"|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 10}|{'-' * 9}|")
        full = main_run["cold full scan"][0] / rust_mb
        for scale in (args.scale / 4, args.scale / 2):
            run = run_scale(scale, args.dir, args.jobs)
            mb = run["stats"]["rust_bytes"] / 1e6
            wall = run["cold full scan"][0]
            print(f"| {scale:5.3g} | {mb:7.1f} | {wall:7.2f} | {wall / mb:8.3f} | {wall / mb / full:7.2f} |")
        print(f"| {args.scale:5.3g} | {rust_mb:7.1f} | {main_run['cold full scan'][0]:7.2f} | {full:8.3f} | {1.0:7.2f} |")


if __name__ == "__main__":
    main()
