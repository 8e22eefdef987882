"""The commands' click-free half, and `python -m dstcheck`.

Importing click (and what it imports: inspect, uuid, platform, datetime) is a twentieth of a warm
`dstcheck check`. `run` reads a plain `check` command line itself (PATHS and the options that take
a plain value or none) and runs it as the click command would; any other command line (help,
fixes, baselines, an unknown option, a value that starts with `-`) goes to the click CLI, which
parses it and reports its errors as it always has.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import List, Optional

from dstcheck.errors import UsageError

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    import click

    click.echo(f"dstcheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _emit(text, color: Optional[bool] = None) -> None:
    """Write to stdout and flush: a report that could not be written (a closed pipe, a full disk)
    is an error (exit 2), never a silent success. `color=True` keeps colour on a pipe. Bytes (a
    diff of the files' own bytes) are written as they are."""
    try:
        fd = _stdout_fd()
        if fd is None:  # not a file descriptor (a test's captured stream): click writes it
            import click

            click.echo(text, nl=False, color=color)
            sys.stdout.flush()
        else:
            _write_all(fd, text if isinstance(text, bytes) else _rendered(text, color, fd))
    except OSError as exc:
        try:  # the interpreter's own flush at exit must not fail a second time
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        _fail(f"cannot write the report to standard output: {exc.strerror or exc}")


def _stdout_fd() -> Optional[int]:
    """The descriptor behind sys.stdout when the report can be written to it directly (POSIX,
    no newline translation), else None."""
    if os.name != "posix":
        return None
    try:
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _rendered(text: str, color: Optional[bool], fd: int) -> bytes:
    """The bytes click would write: ANSI colour kept only when asked or on a terminal."""
    keep = color if color is not None else os.isatty(fd)
    out = text if keep else _ANSI.sub("", text)
    return out.encode(getattr(sys.stdout, "encoding", None) or "utf-8", getattr(sys.stdout, "errors", None) or "strict")


def _write_all(fd: int, data: bytes) -> None:
    """Every byte, or an OSError. The buffered text stream hides a short write (a reader that
    closed the pipe part-way: `dstcheck check | head -1`) and drops the rest, so the report goes
    to the descriptor itself, each short write followed by another until one fails."""
    import select

    sys.stdout.flush()  # anything already written through the stream goes first
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # a non-blocking stdout: wait until it takes more
            select.select([], [fd], [])
            continue
        view = view[written:]


def _split(values) -> List[str]:
    return sorted({v.strip() for value in values for v in value.split(",") if v.strip()})


def _load_config(config_path: Optional[str]):
    from dstcheck import config

    return config.load(explicit=Path(config_path) if config_path else None)


def _check_selection(cfg, names: List[str], option: str) -> None:
    from dstcheck.rules import ALWAYS_ON, ALWAYS_ON_REASON, selectable

    known = selectable(cfg.pack)
    for name in names:
        if name in ALWAYS_ON:
            raise UsageError(f"{option} {name!r}: {ALWAYS_ON_REASON}")
        if name not in known:
            raise UsageError(f"{option} {name!r}: unknown rule id or family (see `dstcheck rules`)")


def _use_color(color: str) -> bool:
    if color == "always":
        return True
    if color == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


_ANSI = re.compile(r"\033\[[0-?]*[ -/]*[@-~]")  # the escape sequences click.echo strips when not colouring


def check_command(paths, config_path, fmt, show_all, select, ignore, statistics, exit_zero, ignore_markers, baseline_file, write_baseline, jobs, no_cache, cache_dir, no_prefilter, color, fix, unsafe_fixes, show_diff, marker_reason) -> None:
    """`dstcheck check` once its command line is read (by click, or by `run`)."""
    from dstcheck import pipeline
    from dstcheck.stages import index as index_stage
    from dstcheck.views import render

    if baseline_file and write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be combined: --write-baseline records every current violation (run it alone to refresh the baseline)")
    if statistics and fmt not in ("text", "json"):
        raise UsageError(f"--statistics works with --format text or json, not {fmt}")
    cfg = _load_config(config_path)
    selection = pipeline.Selection(_split(select), _split(ignore))
    _check_selection(cfg, list(selection.select), "--select")
    _check_selection(cfg, list(selection.ignore), "--ignore")
    if write_baseline or baseline_file:
        from dstcheck.views import baseline as baseline_mod  # only then: a plain run needs none of it

    if write_baseline:
        baseline_mod.check_writable(write_baseline)
    entries = baseline_mod.load(baseline_file) if baseline_file else None
    options = pipeline.Options(jobs=jobs, cache=not no_cache, prefilter=not no_prefilter, progress=_show_progress(), cache_dir=cache_dir)
    fix_mode = _fix_mode(fix, unsafe_fixes, show_diff, marker_reason, write_baseline, ignore_markers, fmt, statistics)
    if fix_mode is None:
        result = pipeline.scan(cfg, paths, selection, include_scoped_out=show_all, ignore_markers=ignore_markers, baseline=entries, options=options)
    else:
        import click

        from dstcheck import fix as fix_mod

        result, fixed = fix_mod.run(cfg, lambda: pipeline.scan(cfg, paths, selection, include_scoped_out=show_all, baseline=entries, options=options), fix_mode)
        click.echo(fix_mod.summary(fixed, fix_mode, cfg.pack), err=True, nl=False)
        if not fix_mode.write:
            from dstcheck.fix.files import unified_diff

            _emit(unified_diff({p: (before, after) for p, (before, after) in fixed.changes.items()}))
            sys.exit(EXIT_VIOLATIONS if fixed.changes else EXIT_CLEAN)
    if write_baseline:
        import click

        count = baseline_mod.write(write_baseline, result.violations)
        click.echo(f"Wrote {count} baseline {'entry' if count == 1 else 'entries'} to {write_baseline}.", err=True)
        sys.exit(EXIT_CLEAN)
    hints = {rid: r.hint for rid, r in cfg.pack.rules.items()}
    shown = result.sites if show_all else result.violations
    checked = {e.path for e in result.entries if e.scope is not None}
    skipped = getattr(result.entries, "skipped", [])
    run = render.run_statistics(result.index.stats, skipped)
    notes = render.baseline_lines(result.stale_baseline, baseline_file) if baseline_file else []
    notes += render.skipped_lines(skipped, show_all)
    if fmt == "json":
        extra = {"baseline": {"file": baseline_file, "stale": result.stale_baseline}} if baseline_file else {}
        if skipped:
            extra["skipped"] = [{"path": p, "reason": why} for p, why in skipped]
        if statistics:
            extra["statistics"] = render.statistics_dict(result.sites, run)
        if fix_mode is not None:
            extra["fixes"] = fix_mod.as_json(fixed)
        _emit(render.json_report(shown, hints, len(checked), result.sites, extra, result.index.stats.get(index_stage.UNRESOLVED, 0)))
    elif fmt == "sarif":
        from dstcheck.views.sarif import sarif_report

        _emit(sarif_report(shown, cfg.pack, notes))
    elif fmt == "github":
        _emit(render.github_report(shown, result.sites, checked, notes))
    else:
        stats = render.statistics(result.sites, run) if statistics else None
        use_color = _use_color(color)
        _emit(render.text_report(shown, hints, str(cfg.root), checked, result.sites, use_color, show_all, stats, notes), color=use_color)
    sys.exit(EXIT_VIOLATIONS if result.violations and not exit_zero else EXIT_CLEAN)


def _fix_mode(fix, unsafe_fixes, show_diff, marker_reason, write_baseline, ignore_markers, fmt, statistics):
    """What the fix options ask for (None: only check), or a usage error for a combination that
    cannot be honoured."""
    fixes = fix or unsafe_fixes
    if not (fixes or show_diff or marker_reason is not None):
        return None
    from dstcheck.fix import Mode

    given = [name for name, on in (("--fix", fix), ("--unsafe-fixes", unsafe_fixes), ("--add-markers", marker_reason is not None), ("--diff", show_diff)) if on]
    if write_baseline:
        raise UsageError(f"{', '.join(given)} and --write-baseline cannot be combined: fix first, then record what remains")
    if ignore_markers:
        asked = given[0] if len(given) == 1 else f"{', '.join(given[:-1])} and {given[-1]}"
        raise UsageError(f"{asked} {'acts' if len(given) == 1 else 'act'} on violations; --ignore-markers would make every accepted site one")
    if show_diff and (fmt != "text" or statistics):
        raise UsageError("--diff prints a unified diff: drop --format and --statistics")
    if show_diff and fixes and marker_reason is not None:
        raise UsageError("--diff shows either the fixes or the markers: drop --fix/--unsafe-fixes or --add-markers")
    if marker_reason is not None:
        reason = marker_reason.strip()
        if not reason or not reason.isprintable() or "*/" in reason:
            raise UsageError("--add-markers REASON: expected a non-empty one-line reason without `*/`")
        marker_reason = reason
    return Mode(fixes=fixes or (show_diff and marker_reason is None), unsafe=unsafe_fixes, write=not show_diff, markers=marker_reason)




# `run`'s reading of a `check` command line: the options click would read the same way
_FLAGS = {"--show-all": "show_all", "--statistics": "statistics", "--exit-zero": "exit_zero", "--ignore-markers": "ignore_markers", "--no-cache": "no_cache", "--no-prefilter": "no_prefilter"}
_VALUES = {"--config": "config_path", "--format": "fmt", "--select": "select", "--ignore": "ignore", "--cache-dir": "cache_dir", "--color": "color", "-j": "jobs", "--jobs": "jobs"}
_CHOICES = {"fmt": ("text", "json", "sarif", "github"), "color": ("auto", "always", "never")}


def plain_check(args: List[str]) -> Optional[dict]:
    """`check_command`'s arguments for a plain `check` command line, else None (click reads it)."""
    if not args or args[0] != "check":
        return None
    found = dict(
        paths=[], config_path=None, fmt="text", show_all=False, select=[], ignore=[], statistics=False, exit_zero=False, ignore_markers=False,
        baseline_file=None, write_baseline=None, jobs=0, no_cache=False, cache_dir=None, no_prefilter=False, color="auto",
        fix=False, unsafe_fixes=False, show_diff=False, marker_reason=None,
    )
    rest = iter(args[1:])
    for arg in rest:
        if not arg.startswith("-"):
            found["paths"].append(arg)
            continue
        if arg in _FLAGS:
            found[_FLAGS[arg]] = True
            continue
        name, equals, value = arg.partition("=")
        key = _VALUES.get(name)
        if key is None or (equals and not name.startswith("--")):
            return None
        if not equals:
            value = next(rest, None)
        if not value or value.startswith("-") or (key in _CHOICES and value not in _CHOICES[key]):
            return None
        if key == "jobs":
            if not (value.isascii() and value.isdigit()):
                return None
            value = int(value)
        if key in ("select", "ignore"):
            found[key].append(value)
        else:
            found[key] = value
    found["paths"], found["select"], found["ignore"] = tuple(found["paths"]), tuple(found["select"]), tuple(found["ignore"])
    if found["cache_dir"] is None:
        found["cache_dir"] = os.environ.get("DSTCHECK_CACHE_DIR") or None  # click's envvar for --cache-dir
    return found


def run() -> None:
    """`python -m dstcheck`: a plain `check` runs here, as the click group would run it; every
    other command line goes to click."""
    found = plain_check(sys.argv[1:])
    if found is None:
        from dstcheck.cli import main

        main()
        return
    from dstcheck.stages import workers

    workers.handle_signals()
    try:
        check_command(**found)
    except workers.Interrupted as exc:
        import click

        click.echo(f"dstcheck: interrupted by {signal.Signals(exc.signum).name}", err=True)
        sys.exit(exc.exit_code)
    except UsageError as exc:
        _fail(str(exc))
    except SystemExit:
        raise
    except Exception as exc:  # a bug in dstcheck must not look like "violations found"
        import traceback

        traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    sys.exit(EXIT_CLEAN)  # click's standalone mode ends a command that returned so
