"""Command line: `dstcheck check | rules | explain` (and the commands later issues add)."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import List, Optional

import click

from dstcheck import __version__
from dstcheck.errors import UsageError

from dstcheck.entry import (  # noqa: F401  (the click-free half of the commands: `python -m dstcheck check` runs it without click)
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_VIOLATIONS,
    _check_selection,
    _emit,
    _fail,
    _fix_mode,
    _load_config,
    _rendered,
    _show_progress,
    _split,
    _stdout_fd,
    _use_color,
    _write_all,
    check_command,
)


class Group(click.Group):
    def invoke(self, ctx):
        from dstcheck.stages import workers

        workers.handle_signals()
        try:
            return super().invoke(ctx)
        except workers.Interrupted as exc:
            click.echo(f"dstcheck: interrupted by {signal.Signals(exc.signum).name}", err=True)
            sys.exit(exc.exit_code)
        except UsageError as exc:
            _fail(str(exc))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug in dstcheck must not look like "violations found"
            import traceback

            traceback.print_exc()
            _fail(f"internal error: {type(exc).__name__}: {exc}")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dstcheck")
def main() -> None:
    """Keep Rust and Python code fit for deterministic simulation testing."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True, help="Output format: text for people, json (documented schema), sarif (code scanning), github (workflow annotations).")
@click.option("--show-all", is_flag=True, help="Also list gated, test, suppressed, allowlisted, baselined and scoped-out sites, and directories not walked.")
@click.option("--select", multiple=True, help="Only these rule ids or families (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or families (comma-separated, repeatable).")
@click.option("--statistics", is_flag=True, help="Print the number of violations per rule instead of each one (text), or add them (json).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are violations.")
@click.option("--ignore-markers", is_flag=True, help="Treat every site as if no dst-ok marker existed.")
@click.option("--baseline", "baseline_file", type=click.Path(), help="Fail only on violations not recorded in this baseline.")
@click.option("--write-baseline", "write_baseline", type=click.Path(), help="Record today's violations in this file and exit 0.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (default 0: all cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DSTCHECK_CACHE_DIR", help="Keep the cache, and the key that authenticates it, in this directory [env: DSTCHECK_CACHE_DIR; default: .dstcheck_cache/ in the project, key in the user's cache directory].")
@click.option("--no-prefilter", is_flag=True, help="Parse every file, even those that cannot hold a site.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the text output: auto colours a terminal unless NO_COLOR is set; always colours a pipe too.")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply the fixes that change behaviour (implies --fix).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of what the fixes (or --add-markers) would change; write nothing; exit 1 if there is something to change.")
@click.option("--add-markers", "marker_reason", metavar="REASON", help="Put a `dst-ok[ID]: REASON` marker on a line of each violation.")
def check(paths, config_path, fmt, show_all, select, ignore, statistics, exit_zero, ignore_markers, baseline_file, write_baseline, jobs, no_cache, cache_dir, no_prefilter, color, fix, unsafe_fixes, show_diff, marker_reason) -> None:
    """Report DST violations in PATHS (default: the whole project). Exit 1 if any."""
    check_command(paths, config_path, fmt, show_all, select, ignore, statistics, exit_zero, ignore_markers, baseline_file, write_baseline, jobs, no_cache, cache_dir, no_prefilter, color, fix, unsafe_fixes, show_diff, marker_reason)


@main.command()
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--check", "check_only", is_flag=True, help="Exit 1 with a diff when the committed report is stale.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", type=click.Path(), help="Where to write the report (default: from config, scope-inventory/SCOPE_INVENTORY.md); - for stdout.")
@click.option("--detail", type=click.Choice(["scoped-out"]), multiple=True, help="Also list every site of these summarised parts (scoped-out: one row per site, not only per area).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
def inventory(config_path, check_only, fmt, output, detail, no_cache) -> None:
    """Regenerate the tagged scope inventory from inventory.toml and a full scan."""
    import gc

    from dstcheck.views import inventory as inv
    from dstcheck import pipeline
    from dstcheck.stages.discover import project_files

    if check_only and output == "-":
        raise UsageError("--check compares the report with a committed file: --output - names none (drop --output, or name the file)")
    if check_only and fmt != "markdown":
        raise UsageError("--check compares the markdown report; drop --format json")
    cfg = _load_config(config_path)
    source, default_output = inv.paths(cfg)
    hand = inv.load(cfg)
    options = pipeline.Options(progress=_show_progress(), cache=not no_cache)
    result = pipeline.scan(cfg, options=options)  # in scope: exactly what `check` sees
    gc.freeze()  # its objects live until the end: the collections that follow need not walk them
    scoped = inv.scoped_out_sites(cfg, result.entries, options)
    report = inv.build(cfg, hand, result.sites, scoped, result.entries, project_files(cfg.root), detail)
    text = inv.markdown(report, source) if fmt == "markdown" else inv.as_json(report)
    target = output or default_output
    if check_only:
        diff = inv.check(inv.read_committed(cfg.root, target), text, target)
        if diff is None:
            _emit(f"{target} is up to date.\n")
            sys.exit(EXIT_CLEAN)
        click.echo(f"{target} is stale: run `dstcheck inventory` and commit the result.", err=True)
        _emit(diff)
        sys.exit(EXIT_VIOLATIONS)
    if target == "-" or (output is None and fmt == "json"):
        _emit(text)
        return
    from dstcheck.write import replace_file

    path = cfg.root / target if not os.path.isabs(target) else Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(str(path), text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{target}: cannot write the inventory: {exc.strerror or exc}") from None
    summary = ", ".join(f"{n} {t}" for t, n in report["summary"].items())
    uncovered = report["scoped_out"]["uncovered"]
    note = f"\n{len(uncovered)} scoped-out {'area' if len(uncovered) == 1 else 'areas'} not covered by a hand-written area: {', '.join(uncovered)}." if uncovered else ""
    _emit(f"Wrote {target} ({summary}).{note}\n")


@main.command()
@click.argument("path", type=click.Path())
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--fail-on-blocking", is_flag=True, help="Exit 1 when any blocking site is found (for CI).")
@click.option("--off-path", multiple=True, help="Globs, relative to PATH, of what is not on the DST path (listed, never blocking; comma-separated, repeatable; replaces the default bin/**, src/bin/**, examples/**, benches/**; \"\" for none).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
def audit(path, config_path, fmt, fail_on_blocking, off_path, no_cache) -> None:
    """Audit a crate or package before it joins the DST path: every site, grouped, with its seam."""
    from dstcheck import pipeline
    from dstcheck.views import audit as audit_mod

    cfg = _load_config(config_path)
    report = audit_mod.run(cfg, path, _split(off_path) if off_path else None, pipeline.Options(cache=not no_cache))
    _emit(audit_mod.markdown(report) if fmt == "markdown" else audit_mod.as_json(report))
    sys.exit(EXIT_VIOLATIONS if fail_on_blocking and report["blocking"] else EXIT_CLEAN)


@main.command("rules")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(config_path, fmt) -> None:
    """List the rules (built-in packs plus the configuration's own)."""
    cfg = _load_config(config_path)
    rules = cfg.pack.sorted()
    if fmt == "json":
        doc = [
            {"id": r.id, "name": r.name, "language": r.language, "family": r.family, "contract": r.contract, "hint": r.hint}
            for r in rules
        ]
        _emit(json.dumps(doc, indent=2) + "\n")
        return
    width = max(len(r.name) for r in rules)
    lines = []
    for r in rules:
        scope = ""
        if r.only_in is not None and not r.only_in:
            scope = "  (inactive until only-in is configured)"
        lines.append(f"{r.id}  {r.name:<{width}}  {r.language:<6}  {r.family}{scope}\n")
    _emit("".join(lines))


@main.command()
@click.argument("rule_id")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
def explain(rule_id, config_path) -> None:
    """Show one rule: the contract it protects, what it flags, examples and the fix."""
    cfg = _load_config(config_path)
    rule = cfg.pack.rules.get(rule_id.upper())
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r} (see `dstcheck rules`)")
    _emit(explain_text(rule))


def explain_text(rule) -> str:
    lines = [f"{rule.id} {rule.name}  ({rule.language}, family: {rule.family})", ""]
    lines += ["Contract", f"  {rule.contract}", ""]
    if not rule.matchers:
        return "\n".join(lines + ["Fix", f"  {rule.hint}", "", "Reported by the engine itself; select or ignore it like any rule."]) + "\n"
    lines += ["Flags"]
    for m in rule.matchers:
        params = m.params
        if m.kind == "path":
            for p in params.get("paths", []):
                uses = "; `use` declarations too" if params.get("include-use") else ""
                if params.get("include-use") and params.get("at-use-only"):
                    uses = "; a name a `use` imports is reported at the `use`"
                if params.get("direct"):
                    uses += "; not through another module's re-export"
                lines.append(f"  {p}  (and every path below it{uses}){_replaced(rule, p)}")
        elif m.kind == "method":
            for r in params["receivers"]:
                for meth in params["methods"]:
                    lines.append(f"  {r}.{meth}()")
        elif m.kind == "macro":
            for mac in params["macros"]:
                unless = params.get("unless-first")
                lines.append(f"  {mac}!" + (f"  unless it starts with `{' '.join(unless).replace(' ;', ';')}`" if unless else "") + _replaced(rule, mac))
        elif m.kind == "call":
            when = params.get("when", "always")
            suffix = {"always": "", "no-args": "  (called with no arguments)", "no-seed": "  (called without a seed)", "one-arg": "  (called with one argument)"}[when]
            if params.get("in-async"):
                suffix += "  (inside async def)"
            if params.get("first-arg"):
                suffix += "  (first argument " + " or ".join(f'"{a}"' for a in params["first-arg"]) + ")"
            for p in params.get("paths", []):
                lines.append(f"  {p}(){suffix}{_replaced(rule, p)}")
            for p in params.get("except-paths", []):
                lines.append(f"  but not {p}  (nor what is below it)")
        elif m.kind == "set-iteration":
            lines.append("  iteration over a set or frozenset whose order escapes (for, comprehensions, list(), join(), pop())")
        elif m.kind == "identity-order":
            lines.append("  order or buckets taken from id() or hash() (sort / min / max keys, heapq, hash(x) % n, dicts keyed by id())")
        elif m.kind == "typed-method":
            for t in params["types"]:
                for meth in params["methods"]:
                    lines.append(f"  .{meth}() on a value declared as {t}")
        elif m.kind == "trait-method":
            methods = ", ".join(f".{meth}()" for meth in params["methods"])
            lines.append(f"  {methods} where {' or '.join(params['traits'])} is in scope")
        elif m.kind == "hash-iteration":
            kinds = ", ".join(params.get("maps", []) + params.get("sets", []))
            lines.append(f"  iterating one of {kinds} (default or random hasher) where the order escapes:")
            lines.append("    a loop, collecting into an ordered container, extend, fold, next/nth/last/find, for_each,")
            lines.append("    a side-effecting map, min_by_key and friends, a float sum, enumerate/zip/take/skip")
            if params.get("deterministic"):
                lines.append(f"  not: {', '.join(params['deterministic'])} (deterministic hashing)")
        elif m.kind == "reach":
            lines.append("  an in-scope call of a function defined outside the in-scope source sets whose body, directly or")
            lines.append(f"  through the calls it makes (to [reach] max-depth), holds a site of: {', '.join(params['families'])}")
            lines.append("  that would be a violation there (gated, marked, allowlisted and test sites do not count)")
    if rule.only_in is not None:
        lines.append(f"  only in: {', '.join(rule.only_in) if rule.only_in else '(no files configured: rule inactive)'}")
    if rule.except_in:
        lines.append(f"  except in: {', '.join(rule.except_in)}")
    lines += ["", "Fix", f"  {rule.hint}"]
    from dstcheck.fix import describe

    lines += [f"  automatic, {line}" for line in describe(rule)]
    comment = "//" if rule.language == "rust" else "#"
    for title, examples in (("Flagged", rule.invalid), ("Accepted", rule.valid)):
        for ex in examples:
            lines += ["", f"{title} ({ex.path}):" if ex.files else f"{title}:", ""]
            lines += [f"    {ln}" if ln else "" for ln in ex.code.rstrip("\n").split("\n")]
            for other, text in ex.files.items():  # the example's other files (DST109, DST207: the code it reaches)
                lines += ["", f"  {other}:", ""]
                lines += [f"    {ln}" if ln else "" for ln in text.rstrip("\n").split("\n")]
    lines += ["", f"Accept one site with `{comment} dst-ok: <reason>` on its line, or `{comment} dst-ok[{rule.id}]: <reason>`."]
    return "\n".join(lines) + "\n"


def _replaced(rule, path: str) -> str:
    found = rule.replacements.get(path)
    return f"  -> {found.replacement}" if found is not None else ""


if __name__ == "__main__":  # pragma: no cover
    main()
