"""Render stage: text and JSON views of a scan. Renderers format; they never decide."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Dict, List, Optional

from dstcheck import __version__
from dstcheck.model import DISPOSITIONS, Site

JSON_SCHEMA = "dstcheck/check/v1"


class Style:
    def __init__(self, color: bool):
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bold(self, t):
        return self._wrap("1", t)

    def red(self, t):
        return self._wrap("31", t)

    def cyan(self, t):
        return self._wrap("36", t)

    def dim(self, t):
        return self._wrap("2", t)


def _source_lines(root: str, path: str, cache: Dict[str, List[str]]) -> List[str]:
    if path not in cache:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                cache[path] = handle.read().decode("utf-8", "replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def _frame(site: Site, lines: List[str], style: Style) -> List[str]:
    if not (1 <= site.line <= len(lines)):
        return []
    text = lines[site.line - 1].rstrip().expandtabs(4)
    gutter = " " * len(str(site.line))
    start = site.column - 1
    end = site.end_column - 1 if site.end_line == site.line else len(text)
    width = max(1, end - start)
    return [
        f"{gutter} {style.dim('|')}",
        f"{style.dim(str(site.line))} {style.dim('|')} {text}",
        f"{gutter} {style.dim('|')} {' ' * start}{style.red('^' * width)}",
    ]


def text_report(
    sites: List[Site],
    hints: Dict[str, str],
    root: str,
    files_checked: int,
    all_sites: List[Site],
    color: bool = False,
    show_all: bool = False,
    stats: Optional[List[str]] = None,
    notes: Optional[List[str]] = None,
) -> str:
    style = Style(color)
    out: List[str] = []
    cache: Dict[str, List[str]] = {}
    for site in ([] if stats is not None else sites):
        head = f"{style.bold(f'{site.path}:{site.line}:{site.column}:')} {style.red(site.rule)} {site.name} {site.message}"
        if site.disposition != "violation":
            head += style.dim(f" [{site.disposition}{': ' + site.reason if site.reason else ''}]")
        out.append(head)
        out.extend(_frame(site, _source_lines(root, site.path, cache), style))
        hint = hints.get(site.rule)
        if hint and site.disposition == "violation":
            out.append(f"{' ' * len(str(site.line))} {style.cyan('= hint:')} {hint}")
        out.append("")
    if stats:
        out.extend(stats)
        out.append("")
    if notes:
        out.extend(notes)
        out.append("")
    out.append(summary_line(all_sites, files_checked))
    return "\n".join(out) + "\n"


def summary_line(all_sites: List[Site], files_checked: int) -> str:
    violations = [s for s in all_sites if s.disposition == "violation"]
    by_disp = Counter(s.disposition for s in all_sites)
    accepted = ", ".join(f"{by_disp[d]} {d}" for d in DISPOSITIONS[1:] if by_disp[d])
    files_word = "file" if files_checked == 1 else "files"
    if not violations:
        tail = f" ({accepted})" if accepted else ""
        return f"All clear: 0 violations in {files_checked} {files_word} checked{tail}."
    per_rule = Counter((s.rule, s.name) for s in violations)
    rules = ", ".join(f"{rid} {name}: {n}" for (rid, name), n in sorted(per_rule.items()))
    in_files = len({s.path for s in violations})
    word = "violation" if len(violations) == 1 else "violations"
    return (
        f"Found {len(violations)} {word} in {in_files} of {files_checked} {files_word} checked ({rules})"
        + (f"; also {accepted}." if accepted else ".")
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(sites: List[Site], all_sites: List[Site], files_checked: int) -> str:
    """GitHub Actions workflow commands: one `::error` annotation per violation."""
    out = []
    for site in sites:
        level = "error" if site.disposition == "violation" else "notice"
        props = ",".join(
            f"{k}={_escape_property(str(v))}"
            for k, v in (
                ("file", site.path),
                ("line", site.line),
                ("col", site.column),
                ("endLine", site.end_line),
                ("endColumn", site.end_column),
                ("title", f"{site.rule} {site.name}"),
            )
        )
        out.append(f"::{level} {props}::{_escape_data(site.message)}")
    out.append(summary_line(all_sites, files_checked))
    return "\n".join(out) + "\n"


def statistics(sites: List[Site]) -> List[str]:
    """Counts per rule of the violations, largest first (ties by rule id)."""
    counts = Counter((s.rule, s.name) for s in sites if s.disposition == "violation")
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    return [f"{n:>{width}}  {rid}  {name}" for (rid, name), n in rows]


def baseline_lines(stale: List[dict], file: str) -> List[str]:
    if not stale:
        return []
    out = [f"{len(stale)} baseline {'entry' if len(stale) == 1 else 'entries'} in {file} no longer match (fixed or removed); rerun with --write-baseline {file} to drop them:"]
    out += [f"  {e['path']}: {e['rule']} in {e.get('item') or '(file)'}: {e.get('snippet', '')}" for e in stale]
    return out


def site_dict(site: Site, hints: Dict[str, str]) -> dict:
    return {
        "rule": site.rule,
        "name": site.name,
        "path": site.path,
        "line": site.line,
        "column": site.column,
        "end_line": site.end_line,
        "end_column": site.end_column,
        "snippet": site.snippet,
        "item": site.item,
        "message": site.message,
        "hint": hints.get(site.rule, ""),
        "disposition": site.disposition,
        "reason": site.reason,
    }


def json_report(sites: List[Site], hints: Dict[str, str], files_checked: int, all_sites: List[Site], extra: Optional[dict] = None) -> str:
    violations = [s for s in all_sites if s.disposition == "violation"]
    doc = {
        "schema": JSON_SCHEMA,
        "tool": {"name": "dstcheck", "version": __version__},
        "summary": {
            "files_checked": files_checked,
            "violations": len(violations),
            "by_rule": dict(sorted(Counter(s.rule for s in violations).items())),
            "by_disposition": {d: n for d, n in ((d, sum(1 for s in all_sites if s.disposition == d)) for d in DISPOSITIONS)},
        },
        "sites": [site_dict(s, hints) for s in sites],
    }
    if extra:
        doc.update(extra)
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
