"""`refcore`: run a seeded scenario or an input stream, prove same-seed determinism across
processes and environments (`dst`), prove the Python and Rust cores agree (`parity`), verify a
replay log (`replay`) and measure both cores (`bench`)."""
import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from refcore.grammar import GrammarError
from refcore.harness import HarnessError, RunResult, run
from refcore.model import PROFILES
from refcore.replay import digest, first_divergence, replay
from refcore.scenario import seeded
from refcore.stream import Stream, parse_streams

DEFAULT_STEPS = 200
CHUNK = 100  # seeds per round of worker processes: bounds the traces on disk at once
RUST_DIR = Path(__file__).resolve().parents[2] / "rust"
BASE_ENV = {"LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
# The second run of a seed sees another world: another hash seed, locale, time zone and working
# directory, and variables the first never had. A core that reads any of them diverges.
PERTURBED_ENV = {"LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8", "TZ": "Pacific/Chatham",
                 **{f"REFCORE_NOISE_{i}": "x" * (i * 7 % 50) for i in range(40)}}


def seed_range(text: str) -> range:
    first, sep, last = text.partition("-")
    try:
        lo, hi = int(first), int(last) if sep else int(first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a seed or a range A-B, got {text!r}") from None
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError(f"expected 0 <= A <= B, got {text!r}")
    return range(lo, hi + 1)


def steps_list(text: str) -> List[int]:
    try:
        steps = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected step counts like 200,1000, got {text!r}") from None
    if not steps or min(steps) < 1:
        raise argparse.ArgumentTypeError(f"expected positive step counts, got {text!r}")
    return steps


def read_streams(path: str) -> Iterator[Stream]:
    """The streams of an input file, each as it is complete; GrammarError, when iteration reaches
    it, names the first line off the grammar."""
    return parse_streams(Path(path).read_bytes().decode("latin-1"))


def summary(seed: int, result: RunResult, digests: bool = True) -> str:
    """One run in one line, as refcore-rs prints it. `dst` and `parity` compare the traces
    themselves, so their workers leave the digests (costly in Python) out."""
    status = "failed" if result.failure else "ok"
    final = result.trace[-1].replace(" ", ",") if result.trace else "-"
    hashes = f" digest={digest(result.trace)} timeline={digest(result.timeline)}" if digests else ""
    return f"seed={seed} status={status} lines={len(result.trace)} events={result.events}{hashes} final={final}"


def write_lines(path: str, lines: List[str]) -> None:
    Path(path).write_text("\n".join(lines) + "\n", encoding="ascii")


def crash_step(steps: int) -> Tuple[int, ...]:
    return (steps // 2,)


# -- run, events, replay ------------------------------------------------------------------------
def cmd_run(args) -> int:
    crash = tuple(args.crash_at or ())
    streams = read_streams(args.events) if args.events else iter([seeded(args.seed, args.steps, args.profile)])
    code = 0
    try:
        for stream in streams:  # the streams before a refused line run, as in refcore-rs
            result = run(stream, crash)
            if args.trace:
                write_lines(args.trace, result.trace)
            print(summary(stream.seed, result))
            if result.failure:
                print(f"invariant failed: {result.failure}", file=sys.stderr)
                code = 1
    except GrammarError as err:
        if args.trace:  # the refusal is what the run produced: a fixture can expect it
            write_lines(args.trace, [err.line()])
        print(f"{args.events}: {err.line()}", file=sys.stderr)
        return 2
    return code


def cmd_events(args) -> int:
    sys.stdout.write(seeded(args.seed, args.steps, args.profile).text())
    return 0


def cmd_replay(args) -> int:
    try:
        lines = Path(args.file).read_bytes().decode("latin-1").split("\n")
    except OSError as err:
        print(f"refcore: cannot read {args.file}: {err}", file=sys.stderr)
        return 2
    if lines and lines[-1] == "":
        lines.pop()
    core, divergence = replay(lines)
    if divergence:
        print(f"{args.file}: replay diverges: {divergence.describe('log', 'replay')}")
        return 1
    print(f"{args.file}: replayed {core.events} events, {len(lines)} lines verified, digest={digest(lines)}")
    return 0


# -- worker processes ---------------------------------------------------------------------------
def cmd_worker(args) -> int:
    """One process of `dst` or `parity`: a summary line per seed, its trace and timeline on disk."""
    for seed in args.seeds:
        try:
            result = run(seeded(seed, args.steps, args.profile), crash_step(args.steps) if args.crash else ())
        except HarnessError as err:
            print(f"seed={seed} status=harness-error", flush=True)
            print(f"seed {seed}: {err}", file=sys.stderr)
            continue
        write_lines(os.path.join(args.trace_dir, f"{seed}.trace"), result.trace)
        write_lines(os.path.join(args.trace_dir, f"{seed}.timeline"), result.timeline)
        print(summary(seed, result, digests=False), flush=True)
    return 0


class Config:
    """One way of running every seed: a language, an environment, a crash or not."""

    def __init__(self, name: str, rust: bool, crash: bool = False, env: Optional[Dict[str, str]] = None,
                 hashseed: str = "1", elsewhere: bool = False):
        self.name, self.rust, self.crash, self.hashseed, self.elsewhere = name, rust, crash, hashseed, elsewhere
        self.env = env if env is not None else BASE_ENV

    def start(self, binary: Optional[str], seeds: range, steps: int, profile: str, folder: str):
        spec = ["--seeds", f"{seeds.start}-{seeds.stop - 1}", "--steps", str(steps), "--profile", profile,
                "--trace-dir", folder] + (["--crash"] if self.crash else [])
        command = [binary, "seeds"] if self.rust else [sys.executable, "-m", "refcore", "worker"]
        env = dict(os.environ, PYTHONHASHSEED=self.hashseed, **self.env)
        cwd = tempfile.mkdtemp(prefix="refcore-cwd-") if self.elsewhere else None
        return subprocess.Popen(command + spec, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True), cwd


def _round(configs: List[Config], binary, seeds: range, steps: int, profile: str, folder: str) -> Dict[str, dict]:
    """Run one chunk of seeds in every configuration at once; each config's summaries by seed."""
    started = []
    for config in configs:
        os.makedirs(os.path.join(folder, config.name), exist_ok=True)
        started.append((config, *config.start(binary, seeds, steps, profile, os.path.join(folder, config.name))))
    results = {}
    for config, proc, cwd in started:
        out, err = proc.communicate()
        if cwd:
            shutil.rmtree(cwd, ignore_errors=True)
        if proc.returncode != 0:
            raise HarnessError(f"the {config.name} process failed (exit {proc.returncode}):\n{err.strip()}")
        by_seed = {}
        for text in out.splitlines():
            fields = dict(part.split("=", 1) for part in text.split(" ") if "=" in part)
            by_seed[int(fields["seed"])] = fields
        results[config.name] = by_seed
    return results


def _differ(folder: str, left: str, right: str, name: str) -> bool:
    return not filecmp.cmp(os.path.join(folder, left, name), os.path.join(folder, right, name), shallow=False)


def _explain(seed: int, left: str, right: str, folder: str, keep: List[Optional[str]]) -> str:
    """The first difference between two runs, read from the files they wrote, which are kept."""
    if keep[0] is None:
        keep[0] = tempfile.mkdtemp(prefix="refcore-divergence-")
    kind = "trace" if _differ(folder, left, right, f"{seed}.trace") else "timeline"
    kept = []
    for name in (left, right):
        for suffix in ("trace", "timeline"):
            source, target = Path(folder, name, f"{seed}.{suffix}"), Path(keep[0], name, f"{seed}.{suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.exists():  # a run of two pairs may be kept already
                shutil.copy2(source, target)
        kept.append(Path(keep[0], name, f"{seed}.{kind}"))
    a, b = (p.read_text(encoding="ascii").splitlines() for p in kept)
    divergence = first_divergence(a, b)
    text = divergence.describe(left, right) if divergence else "the runs report different summaries"
    return f"{text}\n  kept: {kept[0]} {kept[1]}"


STATUS = {"failed": "failed an invariant", "harness-error": "stopped with a harness error (its stderr says why)",
          "missing": "did not report"}


def _compare(configs, pairs, timelines, args, label) -> int:
    """Run every seed in every config, chunk by chunk; for each pair of configs compare the
    summaries and the traces byte for byte (and the timelines, where `timelines(left, right)`),
    keep the files of a pair that differs and show where they first differ."""
    binary = rust_binary(args.rust_bin) if any(c.rust for c in configs) else None
    keep: List[Optional[str]] = [args.keep]
    problems = 0
    seeds: range = args.seeds
    with tempfile.TemporaryDirectory(prefix="refcore-traces-") as folder:
        for lo in range(seeds.start, seeds.stop, CHUNK):
            chunk = range(lo, min(lo + CHUNK, seeds.stop))
            results = _round(configs, binary, chunk, args.steps, args.profile, folder)
            for seed in chunk:
                failed = [(c.name, results[c.name].get(seed, {}).get("status", "missing")) for c in configs]
                failed = [(name, status) for name, status in failed if status != "ok"]
                if failed:
                    problems += 1
                    for name, status in failed:
                        print(f"seed {seed}: the {name} run {STATUS.get(status, status)}")
                    continue
                for left, right in pairs:
                    a, b = results[left][seed], results[right][seed]
                    files = [f"{seed}.trace"] + ([f"{seed}.timeline"] if timelines(left, right) else [])
                    if a != b or any(_differ(folder, left, right, name) for name in files):
                        problems += 1
                        print(f"seed {seed}: the {left} and {right} runs {label}: "
                              + _explain(seed, left, right, folder, keep))
            for config in configs:  # what agreed is not worth keeping
                shutil.rmtree(os.path.join(folder, config.name), ignore_errors=True)
    return problems


def cmd_dst(args) -> int:
    started = time.monotonic()  # dst-ok: reports how long the harness took, never feeds a trace
    configs = [
        Config("python-first", rust=False, hashseed="1"),
        Config("python-second", rust=False, hashseed="2", env=PERTURBED_ENV, elsewhere=True),
        Config("python-crash", rust=False, hashseed="3", crash=True),
    ]
    if not args.no_rust:
        configs += [Config("rust-first", rust=True), Config("rust-second", rust=True, env=PERTURBED_ENV, elsewhere=True)]
    pairs = [("python-first", "python-second"), ("python-first", "python-crash"), ("rust-first", "rust-second")]
    pairs = [p for p in pairs if all(any(c.name == n for c in configs) for n in p)]

    def timelines(left, right):  # a crash adds harness lines to the timeline, never to the trace
        return not right.endswith("crash")

    problems = _compare(configs, pairs, timelines, args, "diverge")
    elapsed = time.monotonic() - started  # dst-ok: reporting only
    runs = f"{len(configs)} runs per seed" + ("" if args.no_rust else ": 3 python, 2 rust")
    print(f"{len(args.seeds)} seeds, {problems} divergences ({args.steps} steps, profile {args.profile}, {runs}, "
          f"{elapsed:.1f} s)")
    return 1 if problems else 0


def cmd_parity(args) -> int:
    started = time.monotonic()  # dst-ok: reporting only
    configs = [Config("python", rust=False), Config("rust", rust=True),
               Config("python-crash", rust=False, crash=True), Config("rust-crash", rust=True, crash=True)]
    pairs = [("python", "rust"), ("python-crash", "rust-crash")]
    problems = _compare(configs, pairs, lambda left, right: True, args, "disagree")
    elapsed = time.monotonic() - started  # dst-ok: reporting only
    print(f"{len(args.seeds)} seeds, {problems} mismatches ({args.steps} steps, profile {args.profile}, "
          f"clean and crash runs, {elapsed:.1f} s)")
    return 1 if problems else 0


def rust_binary(explicit: Optional[str]) -> str:
    """The Rust core's binary: --rust-bin, $REFCORE_RUST_BIN, or built here with cargo."""
    path = explicit or os.environ.get("REFCORE_RUST_BIN")
    if path:
        return path
    manifest = RUST_DIR / "Cargo.toml"
    if not manifest.is_file():
        raise HarnessError(f"no Rust core at {RUST_DIR}; pass --rust-bin")
    build = subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(manifest)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        raise HarnessError("cargo build of the Rust core failed:\n" + build.stderr)
    return str(RUST_DIR / "target" / "release" / "refcore-rs")


# -- bench ---------------------------------------------------------------------------------------
def cmd_bench_one(args) -> int:
    """A child of `bench`: one timed run, trace written, numbers on one line."""
    clock = time.perf_counter_ns  # dst-ok: the benchmark times the core from outside it
    started = clock()
    result = run(seeded(args.seed, args.steps, args.profile), clock=clock)
    write_lines(args.trace, result.trace)
    elapsed = clock() - started
    print(bench_line(result.events, elapsed, result.latencies) + f" rss_kb={peak_rss_kb()}")
    return 0


def bench_line(events: int, elapsed_ns: int, latencies: List[int]) -> str:
    """events, total ns, and nearest-rank p50/p95/p99 of the apply latencies (ns); as refcore-rs."""
    ranked = sorted(latencies) or [0]
    pick = [ranked[min(len(ranked) - 1, (len(ranked) * q + 99) // 100 - 1)] for q in (50, 95, 99)]
    return f"events={events} ns={elapsed_ns} p50={pick[0]} p95={pick[1]} p99={pick[2]}"


def peak_rss_kb() -> int:
    """This process's peak resident set (Linux VmHWM): unlike the rusage a parent gets, it does
    not count the parent's memory the child held between fork and exec. 0 where unknown."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0
    return next((int(l.split()[1]) for l in status.splitlines() if l.startswith("VmHWM:")), 0)


def _measure(command: List[str], trace: str) -> Dict[str, int]:
    if os.path.exists(trace):
        os.remove(trace)  # truncating the last run's trace would be timed
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HarnessError(f"{' '.join(command)} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return {k: int(v) for k, v in (part.split("=") for part in proc.stdout.split())}


def cmd_bench(args) -> int:
    binary = rust_binary(args.rust_bin)
    rows = {}
    with tempfile.TemporaryDirectory(prefix="refcore-bench-", dir=args.dir) as folder:
        trace = os.path.join(folder, "trace")
        for _ in range(args.repeat):  # the cores and sizes side by side in every round
            for steps in args.steps:
                common = ["--seed", str(args.seed), "--steps", str(steps), "--profile", args.profile, "--trace", trace]
                for core, command in (("python", [sys.executable, "-m", "refcore", "bench-one"]),
                                      ("rust", [binary, "bench"])):
                    rows.setdefault((core, steps), []).append(_measure(command + common, trace))
    print(f"seed {args.seed}, profile {args.profile}, best of {args.repeat} runs; the trace is written to a file; "
          "latency is one core apply")
    print(f"{'core':<7}{'steps':>7}{'events':>8}{'events/s':>11}{'p50 us':>8}{'p95 us':>8}{'p99 us':>8}"
          f"{'peak RSS MB':>13}{'ns/event vs first':>19}")
    for core in ("python", "rust"):
        base = None
        for steps in args.steps:
            best = min(rows[core, steps], key=lambda r: r["ns"])  # the run the machine disturbed least
            per_event = best["ns"] / max(best["events"], 1)
            base = base or per_event
            rss = min(r["rss_kb"] for r in rows[core, steps]) / 1024
            print(f"{core:<7}{steps:>7}{best['events']:>8}{1e9 / per_event:>11,.0f}{best['p50'] / 1000:>8.1f}"
                  f"{best['p95'] / 1000:>8.1f}{best['p99'] / 1000:>8.1f}{rss:>13.1f}{per_event / base:>19.2f}")
    return 0


# -- the command line ----------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="refcore", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def seeded_options(p, seeds: bool):
        if seeds:
            p.add_argument("--seeds", type=seed_range, required=True)
        else:
            p.add_argument("--seed", type=int, default=1)
        p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
        p.add_argument("--profile", choices=sorted(PROFILES), default="default")

    p = sub.add_parser("run", help="run one seeded scenario, or an input stream, through the Python core")
    seeded_options(p, seeds=False)
    p.add_argument("--trace", help="write the replay log here")
    p.add_argument("--crash-at", type=int, action="append", help="crash the core before this step and recover it")
    p.add_argument("--events", help="run this input stream (e.g. a golden fixture) instead of a seed")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("events", help="print a seed's input stream")
    seeded_options(p, seeds=False)
    p.set_defaults(func=cmd_events)
    for name, func, text in (("dst", cmd_dst, "same seed, other processes, environments and a crash: same bytes"),
                             ("parity", cmd_parity, "the Python and the Rust core write the same traces")):
        p = sub.add_parser(name, help=text)
        seeded_options(p, seeds=True)
        p.add_argument("--rust-bin", help="a built refcore-rs binary (default: build with cargo)")
        p.add_argument("--keep", help="keep divergent traces here (default: a new temporary directory)")
        if name == "dst":
            p.add_argument("--no-rust", action="store_true", help="compare the Python core's runs only")
        p.set_defaults(func=func)
    p = sub.add_parser("replay", help="re-apply a replay log and verify every line")
    p.add_argument("file")
    p.set_defaults(func=cmd_replay)
    p = sub.add_parser("bench", help="events/s, apply latency and peak RSS of both cores")
    p.add_argument("--steps", type=steps_list, default=[200, 1000, 5000, 20000])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=sorted(PROFILES), default="default")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rust-bin", help="a built refcore-rs binary (default: build with cargo)")
    p.add_argument("--dir", help="where the traces are written (default: the temporary directory)")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("worker")  # internal: one process of `dst` and `parity`
    seeded_options(p, seeds=True)
    p.add_argument("--crash", action="store_true")
    p.add_argument("--trace-dir", required=True)
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("bench-one")  # internal: one timed run of `bench`
    seeded_options(p, seeds=False)
    p.add_argument("--trace", required=True)
    p.set_defaults(func=cmd_bench_one)
    return top


def main(argv=None) -> None:
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
    except (HarnessError, ValueError, OSError) as err:
        print(f"refcore: {err}", file=sys.stderr)
        code = 2
    sys.exit(code)
