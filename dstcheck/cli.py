"""Command line: `dstcheck check | rules | explain` (and the commands later issues add)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import click

from dstcheck import __version__
from dstcheck.errors import UsageError

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"dstcheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values) -> List[str]:
    return sorted({v.strip() for value in values for v in value.split(",") if v.strip()})


def _load_config(config_path: Optional[str]):
    from dstcheck import config

    return config.load(explicit=Path(config_path) if config_path else None)


def _check_selection(cfg, names: List[str], option: str) -> None:
    known = set(cfg.pack.rules) | {r.family for r in cfg.pack.rules.values()}
    for name in names:
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


class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True)
@click.option("--show-all", is_flag=True, help="Also list gated, test, suppressed, allowlisted, baselined and scoped-out sites.")
@click.option("--select", multiple=True, help="Only these rule ids or families (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or families (comma-separated, repeatable).")
@click.option("--statistics", is_flag=True, help="Print the number of violations per rule instead of each one.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are violations.")
@click.option("--ignore-markers", is_flag=True, help="Treat every site as if no dst-ok marker existed.")
@click.option("--baseline", "baseline_file", type=click.Path(), help="Fail only on violations not recorded in this baseline.")
@click.option("--write-baseline", "write_baseline", type=click.Path(), help="Record today's violations in this file and exit 0.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (default 0: all cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .dstcheck_cache/.")
@click.option("--no-prefilter", is_flag=True, help="Parse every file, even those that cannot hold a site.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def check(paths, config_path, fmt, show_all, select, ignore, statistics, exit_zero, ignore_markers, baseline_file, write_baseline, jobs, no_cache, no_prefilter, color) -> None:
    """Report DST violations in PATHS (default: the whole project). Exit 1 if any."""
    from dstcheck.views import baseline as baseline_mod
    from dstcheck import pipeline
    from dstcheck.views import render

    cfg = _load_config(config_path)
    selection = pipeline.Selection(_split(select), _split(ignore))
    _check_selection(cfg, list(selection.select), "--select")
    _check_selection(cfg, list(selection.ignore), "--ignore")
    entries = baseline_mod.load(baseline_file) if baseline_file and not write_baseline else None
    options = pipeline.Options(jobs=jobs, cache=not no_cache, prefilter=not no_prefilter, progress=_show_progress())
    result = pipeline.scan(cfg, paths, selection, include_scoped_out=show_all, ignore_markers=ignore_markers, baseline=entries, options=options)
    if write_baseline:
        count = baseline_mod.write(write_baseline, result.violations)
        click.echo(f"Wrote {count} baseline {'entry' if count == 1 else 'entries'} to {write_baseline}.", err=True)
        sys.exit(EXIT_CLEAN)
    hints = {rid: r.hint for rid, r in cfg.pack.rules.items()}
    shown = result.sites if show_all else result.violations
    checked = sum(1 for e in result.entries if e.scope is not None)
    notes = render.baseline_lines(result.stale_baseline, baseline_file) if baseline_file else []
    if fmt == "json":
        extra = {"baseline": {"file": baseline_file, "stale": result.stale_baseline}} if baseline_file else None
        click.echo(render.json_report(shown, hints, checked, result.sites, extra), nl=False)
    elif fmt == "sarif":
        from dstcheck.views.sarif import sarif_report

        click.echo(sarif_report(shown, cfg.pack), nl=False)
    elif fmt == "github":
        click.echo(render.github_report(shown, result.sites, checked), nl=False)
        for line in notes:
            click.echo(f"::warning::{line}")
    else:
        stats = render.statistics(result.sites) if statistics else None
        text = render.text_report(shown, hints, str(cfg.root), checked, result.sites, _use_color(color), show_all, stats, notes)
        click.echo(text, nl=False)
    sys.exit(EXIT_VIOLATIONS if result.violations and not exit_zero else EXIT_CLEAN)


@main.command()
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--check", "check_only", is_flag=True, help="Exit 1 with a diff when the committed report is stale.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", type=click.Path(), help="Where to write the report (default: from config, scope-inventory/SCOPE_INVENTORY.md); - for stdout.")
def inventory(config_path, check_only, fmt, output) -> None:
    """Regenerate the tagged scope inventory from inventory.toml and a full scan."""
    from dstcheck.views import inventory as inv
    from dstcheck import pipeline

    cfg = _load_config(config_path)
    source, default_output = inv.paths(cfg)
    hand = inv.load(cfg)
    result = pipeline.scan(cfg, include_scoped_out=True, options=pipeline.Options(progress=_show_progress()))
    report = inv.build(cfg, hand, result.sites, sum(1 for e in result.entries if e.scope is not None))
    text = inv.markdown(report, source) if fmt == "markdown" else inv.as_json(report)
    target = output or default_output
    if check_only:
        if fmt != "markdown":
            raise UsageError("--check compares the markdown report; drop --format json")
        diff = inv.check(inv.read_committed(cfg.root, target), text, target)
        if diff is None:
            click.echo(f"{target} is up to date.")
            sys.exit(EXIT_CLEAN)
        click.echo(f"{target} is stale: run `dstcheck inventory` and commit the result.", err=True)
        click.echo(diff, nl=False)
        sys.exit(EXIT_VIOLATIONS)
    if target == "-" or (output is None and fmt == "json"):
        click.echo(text, nl=False)
        return
    path = cfg.root / target if not os.path.isabs(target) else Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    summary = ", ".join(f"{n} {t}" for t, n in report["summary"].items())
    click.echo(f"Wrote {target} ({summary}).")


@main.command()
@click.argument("path", type=click.Path())
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--fail-on-blocking", is_flag=True, help="Exit 1 when any blocking site is found (for CI).")
def audit(path, config_path, fmt, fail_on_blocking) -> None:
    """Audit a crate or package before it joins the DST path: every site, grouped, with its seam."""
    from dstcheck.views import audit as audit_mod

    cfg = _load_config(config_path)
    report = audit_mod.run(cfg, path)
    click.echo(audit_mod.markdown(report) if fmt == "markdown" else audit_mod.as_json(report), nl=False)
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
        click.echo(json.dumps(doc, indent=2))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        scope = ""
        if r.only_in is not None and not r.only_in:
            scope = "  (inactive until only-in is configured)"
        click.echo(f"{r.id}  {r.name:<{width}}  {r.language:<6}  {r.family}{scope}")


@main.command()
@click.argument("rule_id")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file instead of searching upward.")
def explain(rule_id, config_path) -> None:
    """Show one rule: the contract it protects, what it flags, examples and the fix."""
    cfg = _load_config(config_path)
    rule = cfg.pack.rules.get(rule_id.upper())
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r} (see `dstcheck rules`)")
    click.echo(explain_text(rule), nl=False)


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
                lines.append(f"  {p}  (and every path below it{'; `use` declarations too' if params.get('include-use') else ''})")
        elif m.kind == "method":
            for r in params["receivers"]:
                for meth in params["methods"]:
                    lines.append(f"  {r}.{meth}()")
        elif m.kind == "macro":
            for mac in params["macros"]:
                unless = params.get("unless-first")
                lines.append(f"  {mac}!" + (f"  unless it starts with `{' '.join(unless).replace(' ;', ';')}`" if unless else ""))
        elif m.kind == "call":
            when = params.get("when", "always")
            suffix = {"always": "", "no-args": "  (called with no arguments)", "no-seed": "  (called without a seed)", "one-arg": "  (called with one argument)"}[when]
            if params.get("in-async"):
                suffix += "  (inside async def)"
            for p in params.get("paths", []):
                lines.append(f"  {p}(){suffix}")
        elif m.kind == "set-iteration":
            lines.append("  iteration over a set or frozenset whose order escapes (for, comprehensions, list(), join(), pop())")
    if rule.only_in is not None:
        lines.append(f"  only in: {', '.join(rule.only_in) if rule.only_in else '(no files configured: rule inactive)'}")
    if rule.except_in:
        lines.append(f"  except in: {', '.join(rule.except_in)}")
    lines += ["", "Fix", f"  {rule.hint}"]
    comment = "//" if rule.language == "rust" else "#"
    for title, examples in (("Flagged", rule.invalid), ("Accepted", rule.valid)):
        for ex in examples:
            lines += ["", f"{title}:", ""]
            lines += [f"    {ln}" if ln else "" for ln in ex.code.rstrip("\n").split("\n")]
    lines += ["", f"Accept one site with `{comment} dst-ok: <reason>` on its line, or `{comment} dst-ok[{rule.id}]: <reason>`."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    main()
