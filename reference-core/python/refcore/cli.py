"""`refcore`: run a seeded scenario, prove same-seed determinism across processes (`dst`), prove
the Python and Rust cores agree (`parity`), and verify a replay log (`replay`)."""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from refcore.harness import HarnessError, run
from refcore.model import event_from_fields, parse_line
from refcore.replay import digest, first_divergence, replay
from refcore.scenario import generate

DEFAULT_STEPS = 200
# (name, PYTHONHASHSEED, crash) of the three processes `dst` compares.
DST_RUNS = (("first", "1", False), ("second", "2", False), ("crash-restart", "3", True))
RUST_DIR = Path(__file__).resolve().parents[2] / "rust"


def seed_range(text: str) -> range:
    first, sep, last = text.partition("-")
    try:
        lo, hi = int(first), int(last) if sep else int(first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a seed or a range A-B, got {text!r}") from None
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError(f"expected 0 <= A <= B, got {text!r}")
    return range(lo, hi + 1)


def read_inputs(path: str) -> Tuple[dict, list]:
    """An input stream: a `run` header (seed, steps, sim) and unsequenced `event` lines."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    kind, header = parse_line(lines[0]) if lines else ("", {})
    if kind != "run":
        raise ValueError(f"{path}: the first line must be a `run` header")
    events = []
    for number, text in enumerate(lines[1:], start=2):
        if text and not text.startswith("#"):
            kind, fields = parse_line(text)
            if kind != "event":
                raise ValueError(f"{path}:{number}: expected an event line")
            events.append(event_from_fields(fields))
    return header, events


def one_run(seed: int, steps: int, crash: bool, events=None, sim: bool = True):
    return run(seed, steps, inputs=events, sim=sim, crash_at=steps // 2 if crash else None)


def summary(seed: int, result) -> str:
    return f"seed={seed} lines={len(result.trace)} events={result.events} digest={digest(result.trace)}"


def write_trace(path: str, lines: List[str]) -> None:
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- commands -----------------------------------------------------------------------------------
def cmd_run(args) -> int:
    if args.events:
        header, events = read_inputs(args.events)
        seed, steps, sim = header.get("seed", 0), header.get("steps", 0), header.get("sim") != "off"
    else:
        seed, steps, sim, events = args.seed, args.steps, True, None
    result = run(seed, steps, inputs=events, sim=sim, crash_at=args.crash_at)
    if args.trace:
        write_trace(args.trace, result.trace)
    print(summary(seed, result))
    if result.failure:
        print(f"invariant failed: {result.failure}", file=sys.stderr)
        return 1
    return 0


def cmd_events(args) -> int:
    print(f"run seed={args.seed} sim=on steps={args.steps}")
    for ev in generate(args.seed, args.steps):
        print(ev.line(sequenced=False))
    return 0


def cmd_worker(args) -> int:
    """One process of `dst`: a digest (or failure) per seed, or full traces into a directory."""
    for seed in args.seeds:
        try:
            result = one_run(seed, args.steps, args.crash)
        except HarnessError as err:
            print(f"{seed} - failed {err}".replace("\n", " "), flush=True)
            continue
        if args.trace_dir:
            write_trace(os.path.join(args.trace_dir, f"{seed}.trace"), result.trace)
        status = f"failed {result.failure}" if result.failure else "ok"
        print(f"{seed} {digest(result.trace)} {status}", flush=True)
    return 0


def _worker(seeds: str, steps: int, hashseed: str, crash: bool, trace_dir: Optional[str] = None):
    command = [sys.executable, "-m", "refcore", "worker", "--seeds", seeds, "--steps", str(steps)]
    if crash:
        command.append("--crash")
    if trace_dir:
        command += ["--trace-dir", trace_dir]
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collect(proc, name: str) -> Dict[int, Tuple[str, str]]:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise HarnessError(f"the {name} process failed:\n{err.strip()}")
    results = {}
    for text in out.splitlines():
        seed, value, status = text.split(" ", 2)
        results[int(seed)] = (value, status)
    return results


def cmd_dst(args) -> int:
    seeds: range = args.seeds
    spec = f"{seeds.start}-{seeds.stop - 1}"
    started = time.monotonic()  # dst-ok: reports how long the harness took, never feeds a trace
    procs = [(name, _worker(spec, args.steps, hashseed, crash)) for name, hashseed, crash in DST_RUNS]
    results = {name: _collect(proc, name) for name, proc in procs}
    problems = 0
    for seed in seeds:
        runs = [(name, results[name].get(seed, ("-", "missing"))) for name, _, _ in DST_RUNS]
        failed = [(name, status) for name, (_, status) in runs if status != "ok"]
        digests = {value for _, (value, _) in runs}
        if failed:
            problems += 1
            for name, status in failed:
                print(f"seed {seed}: the {name} run {status}")
        elif len(digests) > 1:
            problems += 1
            print(_explain_divergence(seed, args.steps, runs))
    elapsed = time.monotonic() - started  # dst-ok: reporting only
    print(f"{len(seeds)} seeds, {problems} divergences ({args.steps} steps, 3 processes per seed, {elapsed:.1f} s)")
    return 1 if problems else 0


def _explain_divergence(seed: int, steps: int, runs) -> str:
    """Re-run the seed in the same configurations with full traces and name the first difference."""
    base_name, (base_digest, _) = runs[0]
    other = next(name for name, (value, _) in runs[1:] if value != base_digest)
    traces = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, hashseed, crash in DST_RUNS:
            if name in (base_name, other):
                folder = os.path.join(tmp, name)
                os.mkdir(folder)
                _collect(_worker(str(seed), steps, hashseed, crash, folder), name)
                traces[name] = Path(folder, f"{seed}.trace").read_text(encoding="utf-8").splitlines()
    divergence = first_divergence(traces[base_name], traces[other])
    text = divergence.describe(base_name, other) if divergence else "traces differ only between invocations"
    return f"seed {seed}: the {base_name} and {other} runs diverge: {text}"


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


def rust_runs(binary: str, streams: List[str], full: bool = False) -> str:
    command = [binary, "run"] + (["--trace"] if full else [])
    proc = subprocess.run(command, input="".join(streams), capture_output=True, text=True)
    if proc.returncode != 0:
        raise HarnessError(f"the Rust core failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def input_stream(seed: int, steps: int) -> str:
    lines = [f"run seed={seed} sim=on steps={steps}"] + [ev.line(sequenced=False) for ev in generate(seed, steps)]
    return "\n".join(lines) + "\nend\n"


def cmd_parity(args) -> int:
    seeds: range = args.seeds
    started = time.monotonic()  # dst-ok: reporting only
    binary = rust_binary(args.rust_bin)
    rust = rust_runs(binary, [input_stream(seed, args.steps) for seed in seeds]).splitlines()
    mismatches = 0
    for i, seed in enumerate(seeds):
        result = run(seed, args.steps)
        mine = f"{summary(seed, result)} final={result.trace[-1].replace(' ', ',')}"
        theirs = rust[i] if i < len(rust) else "<missing>"
        if mine != theirs:
            mismatches += 1
            full = rust_runs(binary, [input_stream(seed, args.steps)], full=True).splitlines()
            divergence = first_divergence(result.trace, full)
            detail = divergence.describe("python", "rust") if divergence else f"python: {mine}\n  rust: {theirs}"
            print(f"seed {seed}: {detail}")
    elapsed = time.monotonic() - started  # dst-ok: reporting only
    print(f"{len(seeds)} seeds, {mismatches} mismatches ({args.steps} steps, {elapsed:.1f} s)")
    return 1 if mismatches else 0


def cmd_replay(args) -> int:
    try:
        lines = Path(args.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        print(f"refcore: cannot read {args.file}: {err}", file=sys.stderr)
        return 2
    core, divergence = replay(lines)
    if divergence:
        print(f"{args.file}: replay diverges: {divergence.describe('log', 'replay')}")
        return 1
    print(f"{args.file}: replayed {core.events} events, {len(lines)} lines verified, digest={digest(lines)}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="refcore", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run one seeded scenario through the Python core")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.add_argument("--trace", help="write the replay log here")
    p.add_argument("--crash-at", type=int, help="crash the core before this step and recover it")
    p.add_argument("--events", help="run this input stream (e.g. a golden fixture) instead of a seed")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("events", help="print a seed's input stream")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.set_defaults(func=cmd_events)
    p = sub.add_parser("dst", help="same seed, separate processes, different hash seeds, a crash: same bytes")
    p.add_argument("--seeds", type=seed_range, required=True)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.set_defaults(func=cmd_dst)
    p = sub.add_parser("parity", help="the Python and the Rust core write the same trace")
    p.add_argument("--seeds", type=seed_range, required=True)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.add_argument("--rust-bin", help="a built refcore-rs binary (default: build with cargo)")
    p.set_defaults(func=cmd_parity)
    p = sub.add_parser("replay", help="re-apply a replay log and verify every line")
    p.add_argument("file")
    p.set_defaults(func=cmd_replay)
    p = sub.add_parser("worker")  # internal: one process of `dst`
    p.add_argument("--seeds", type=seed_range, required=True)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.add_argument("--crash", action="store_true")
    p.add_argument("--trace-dir")
    p.set_defaults(func=cmd_worker)
    return top


def main(argv=None) -> None:
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
    except (HarnessError, ValueError, OSError) as err:
        print(f"refcore: {err}", file=sys.stderr)
        code = 2
    sys.exit(code)
