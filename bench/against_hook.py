"""dstcheck side by side with a project's own grep hook, on that project's tree.

    python bench/against_hook.py TREE [--hook .pre-commit-hooks/check_dst_conventions.sh] [--rounds 5] [--pick largest|random]

Each round runs, in turn: the hook; `dstcheck check` cold (an empty cache directory); warm (the
cache that run filled); and a pre-commit run naming 10 in-scope Rust files, with those files
touched so that their entries miss (the rest of the cache is warm). Interpreter start is
included in every dstcheck time. The rounds are interleaved so that a noisy machine slows every
command alike; the table gives the median and best wall time of each, and the ratios of the
medians. dstcheck's cache goes to a temporary directory (DSTCHECK_CACHE_DIR), never into TREE.

The hook runs under `script` (a pseudo-terminal) when it is available: a hook that calls
`rg PATTERN --glob ..` without a path searches its standard input when that is not a terminal,
so run from a pipe it would search nothing and finish at once.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


CPU = {}  # command kind -> CPU seconds (user + system) of each run, the command and its children


def timed(cmd, cwd, env=None, kind="") -> float:
    """Wall seconds of `cmd`; its CPU seconds go to CPU[kind] (a loaded machine stretches the
    wall time, much less the CPU time)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    CPU.setdefault(kind, []).append(total - CPU.get("_last", 0.0))
    CPU["_last"] = total
    return wall


def hook_command(hook: str) -> list:
    if shutil.which("script"):
        return ["script", "-qec", f"bash {hook}", os.devnull]
    return ["bash", hook]


def precommit_files(tree: Path, count: int, pick: str = "largest") -> list:
    """`count` in-scope Rust files found by dstcheck's discovery: the largest (the heaviest
    commit) or a seeded random choice (a typical one)."""
    import random

    sys.path.insert(0, str(REPO))
    from dstcheck import config as config_mod
    from dstcheck.stages.discover import discover

    entries = sorted(e.path for e in discover(config_mod.load(tree)) if e.scope is not None and e.language == "rust")
    if pick == "random":
        return sorted(random.Random(10).sample(entries, min(count, len(entries))))
    entries.sort(key=lambda p: (-os.path.getsize(tree / p), p))
    return entries[:count]


def require_tools(tree: Path, hook: str) -> None:
    """A grep hook whose search tool is missing may skip every check and exit 0 at once (the
    NautilusTrader hook does): timing that would compare dstcheck with nothing."""
    try:
        text = (tree / hook).read_text(errors="replace")
    except OSError as exc:
        raise SystemExit(f"cannot read the hook {hook}: {exc.strerror or exc}")
    for tool in ("rg", "grep", "awk", "sed"):
        if re.search(rf"(^|[\s;|&(`$]){tool}\s", text, re.M) and not shutil.which(tool):
            raise SystemExit(f"the hook calls `{tool}`, which is not on PATH: install it first (ripgrep for rg)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--hook", default=".pre-commit-hooks/check_dst_conventions.sh")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=10, help="files named in the pre-commit run")
    parser.add_argument("--pick", choices=["largest", "random"], default="largest", help="which files: the largest, or a seeded random choice")
    args = parser.parse_args()
    tree = args.tree.resolve()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the interpreter keeps compiled modules
    dstcheck = [sys.executable, "-m", "dstcheck", "check", "--color", "never"]
    require_tools(tree, args.hook)
    names = precommit_files(tree, args.files, args.pick)
    times = {"hook": [], "cold": [], "warm": [], "pre-commit": []}
    with tempfile.TemporaryDirectory() as scratch:
        env["DSTCHECK_CACHE_DIR"] = os.path.join(scratch, "cache")
        for _ in range(args.rounds):
            times["hook"].append(timed(hook_command(args.hook), tree, kind="hook"))
            shutil.rmtree(env["DSTCHECK_CACHE_DIR"], ignore_errors=True)
            times["cold"].append(timed(dstcheck + ["."], tree, env, "cold"))
            times["warm"].append(timed(dstcheck + ["."], tree, env, "warm"))
            times["pre-commit"].append(_precommit(tree, names, dstcheck, env))
    hook = statistics.median(times["hook"])
    print(f"tree: {tree.name}   rounds: {args.rounds}   cpus: {os.cpu_count()}   python: {sys.version.split()[0]}   pre-commit files: {args.files} ({args.pick})")
    hook_cpu = statistics.median(CPU["hook"])
    print(f"{'':12} {'median s':>9} {'best s':>8} {'hook / this':>12} {'CPU s':>7} {'hook / this':>12}")
    for name, values in times.items():
        median, cpu = statistics.median(values), statistics.median(CPU[name])
        print(f"{name:12} {median:9.3f} {min(values):8.3f} {hook / median:11.1f}x {cpu:7.3f} {hook_cpu / cpu:11.1f}x")


def _precommit(tree: Path, names: list, dstcheck: list, env: dict) -> float:
    """A commit of `names`: each file gains a trailing comment (so its cache entry misses), the
    run names them, and each is restored byte for byte."""
    saved = {n: (tree / n).read_bytes() for n in names}
    try:
        for n, data in saved.items():
            (tree / n).write_bytes(data + f"\n// bench {time.time_ns()}\n".encode())
        return timed(dstcheck + names, tree, env, "pre-commit")
    finally:
        for n, data in saved.items():
            (tree / n).write_bytes(data)


if __name__ == "__main__":
    main()
