"""`dstcheck inventory` beside `dstcheck check` on one project, in one run: both cold (an empty
cache of their own) and warm (run again, nothing changed), the order of the two commands
alternating from round to round so that a noisy machine hurts both alike.

    python bench/inventory.py PATH [--rounds 3]

PATH is the root of a project with a configuration and an inventory file (for example a
NautilusTrader checkout with the files of examples/nautilus/ copied in). Prints each run's wall
and CPU seconds (the child's user + system), the medians, and inventory / check ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "check": ["check", "--exit-zero"],
    "inventory": ["inventory", "--output", os.devnull],
}


def timed(args, cwd: str, cache_dir: str):
    env = dict(os.environ, DSTCHECK_CACHE_DIR=cache_dir)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the interpreter keeps compiled modules
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dstcheck", *args], check=False, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"dstcheck {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = {(cmd, state): [] for cmd in COMMANDS for state in ("cold", "warm")}
    for round_no in range(args.rounds):
        order = list(COMMANDS) if round_no % 2 == 0 else list(reversed(COMMANDS))
        with tempfile.TemporaryDirectory() as tmp:
            dirs = {cmd: os.path.join(tmp, cmd) for cmd in COMMANDS}
            for state in ("cold", "warm"):
                for cmd in order:
                    wall, cpu = timed(COMMANDS[cmd], args.path, dirs[cmd])
                    runs[(cmd, state)].append((wall, cpu))
                    print(f"round {round_no + 1} {state:4} {cmd:9} wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    print()
    print("| run | wall s (median) | cpu s (median) |")
    print("|---|---|---|")
    for (cmd, state), values in runs.items():
        print(f"| {cmd} {state} | {statistics.median(w for w, _ in values):.2f} | {statistics.median(c for _, c in values):.2f} |")
    print()
    for state in ("cold", "warm"):
        inv, chk = runs[("inventory", state)], runs[("check", state)]
        wall = statistics.median(w for w, _ in inv) / statistics.median(w for w, _ in chk)
        cpu = statistics.median(c for _, c in inv) / statistics.median(c for _, c in chk)
        per_round = ", ".join(f"{i[0] / c[0]:.2f}" for i, c in zip(inv, chk))
        print(f"{state}: inventory / check = {wall:.2f} (wall), {cpu:.2f} (cpu); per round (wall): {per_round}")


if __name__ == "__main__":
    main()
