"""Render stage: text and JSON views of a scan. Renderers format; they never decide."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import Counter
from typing import Collection, Dict, List, Optional

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


PYTHON_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
FRAME_WIDTH = 160  # cells of source shown around a site; longer lines are cut with an ellipsis


def _source_lines(root: str, path: str, cache: Dict[str, List[str]]) -> List[str]:
    """A file's lines as its compiler counts them (Rust: `\n`; Python: `\r\n`, `\r`, `\n`),
    without a leading byte-order mark, which no column counts."""
    if path not in cache:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                text = handle.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        text = text[1:] if text.startswith("\ufeff") else text
        lines = PYTHON_LINE_BREAKS.split(text) if path.endswith(".py") else text.split("\n")
        cache[path] = ([line.rstrip("\r") for line in lines] if "\r" in text else lines) if text else []
    return cache[path]


def printable(text: str) -> str:
    """Control characters (and bidirectional overrides) escaped, so a source line or a file name
    can never drive the terminal (`\x1b]0;..` retitles it) or reorder what the reader sees."""
    if text.isprintable():  # the common case; control and format characters are not printable
        return text
    return "".join(_cell_text(c) if c != "\t" else c for c in text)


def _cell_text(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x200E, 0x200F, 0x061C):
        return f"\\u{code:04x}"
    return char


def _cells(line: str) -> List[str]:
    """What the terminal shows for each character of a line (tabs to 4-column stops)."""
    if line.isascii() and line.isprintable():
        return list(line)
    out: List[str] = []
    width = 0
    for char in line:
        text = " " * (4 - width % 4) if char == "\t" else _cell_text(char)
        if text == char and unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        else:
            width += len(text)
        out.append(text)
    return out


def _width(texts: List[str]) -> int:
    if all(len(t) == 1 and t.isascii() for t in texts):
        return len(texts)
    return sum(2 if len(t) == 1 and unicodedata.east_asian_width(t) in ("W", "F") else len(t) for t in texts)


def _frame(site: Site, lines: List[str], style: Style) -> List[str]:
    if not (1 <= site.line <= len(lines)):
        return []
    line = lines[site.line - 1].rstrip()
    start = min(max(site.column - 1, 0), len(line))
    end = site.end_column - 1 if site.end_line == site.line else len(line)
    end = max(end, start + 1)
    first, last = 0, len(line)
    if len(line) > FRAME_WIDTH:  # a window around the site, never megabytes of one line
        first = max(0, start - FRAME_WIDTH // 4)
        last = min(len(line), first + FRAME_WIDTH)
    shown = line[first:last]
    cells = _cells(shown)
    lead = "..." if first > 0 else ""
    tail = "..." if last < len(line) else ""
    measure = len if shown.isascii() and shown.isprintable() else _width  # one column a character, the common case
    pad = len(lead) + measure(cells[: start - first])
    width = max(1, measure(cells[start - first:end - first]) if end <= last else measure(cells[start - first:]) + len(tail))
    gutter = " " * len(str(site.line))
    return [
        f"{gutter} {style.dim('|')}",
        f"{style.dim(str(site.line))} {style.dim('|')} {lead}{''.join(cells)}{tail}",
        f"{gutter} {style.dim('|')} {' ' * pad}{style.red('^' * width)}",
    ]


def text_report(
    sites: List[Site],
    hints: Dict[str, str],
    root: str,
    checked: Collection[str],
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
        head = f"{style.bold(printable(f'{site.path}:{site.line}:{site.column}:'))} {style.red(site.rule)} {site.name} {printable(site.message)}"
        if site.disposition != "violation":
            head += style.dim(printable(f" [{site.disposition}{': ' + site.reason if site.reason else ''}]"))
        out.append(head)
        out.extend(_frame(site, _source_lines(root, site.path, cache), style))
        gutter = " " * len(str(site.line))
        for i, step in enumerate(site.chain):
            label = "= reaches:" if i == 0 else "  then"
            out.append(f"{gutter} {style.cyan(label)} {printable(chain_step(step))}")
        hint = hints.get(site.rule)
        if hint and site.disposition == "violation":
            out.append(f"{' ' * len(str(site.line))} {style.cyan('= hint:')} {printable(hint)}")
        out.append("")
    if stats:
        out.extend(stats)
        out.append("")
    if notes:
        out.extend(printable(n) for n in notes)
        out.append("")
    out.append(summary_line(all_sites, checked))
    return "\n".join(out) + "\n"


def summary_line(all_sites: List[Site], checked: Collection[str]) -> str:
    """`checked`: the paths of the files checked (in a source set)."""
    violations = [s for s in all_sites if s.disposition == "violation"]
    by_disp = Counter(s.disposition for s in all_sites)
    accepted = ", ".join(f"{by_disp[d]} {d}" for d in DISPOSITIONS[1:] if by_disp[d])
    files = _count(len(checked), "file")
    if not violations:
        tail = f" ({accepted})" if accepted else ""
        return f"All clear: 0 violations in {files} checked{tail}."
    per_rule = Counter((s.rule, s.name) for s in violations)
    rules = ", ".join(f"{rid} {name}: {n}" for (rid, name), n in sorted(per_rule.items()))
    word = "violation" if len(violations) == 1 else "violations"
    paths = {s.path for s in violations}
    where = f"in {len(paths & set(checked))} of {files} checked"
    others = len(paths - set(checked))
    if others:  # a stale allowlist entry, an unreadable directory: not one of the files checked
        where += f" and {_count(others, 'other file')}"
    return f"Found {len(violations)} {word} {where} ({rules})" + (f"; also {accepted}." if accepted else ".")


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(sites: List[Site], all_sites: List[Site], checked: Collection[str], notes: Optional[List[str]] = None) -> str:
    """GitHub Actions workflow commands: one `::error` annotation per violation, notes as warnings."""
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
        via = (" (" + " -> ".join(chain_step(step) for step in site.chain) + ")") if site.chain else ""
        out.append(f"::{level} {props}::{_escape_data(site.message + via)}")
    out.extend(f"::warning::{_escape_data(line)}" for line in notes or ())
    out.append(summary_line(all_sites, checked))
    return "\n".join(out) + "\n"


def statistics(sites: List[Site], run: Optional[Dict[str, int]] = None) -> List[str]:
    """Counts per rule of the violations, largest first (ties by rule id), then the run's own
    counts that are not zero (directories not walked, cache entries rejected)."""
    counts = Counter((s.rule, s.name) for s in sites if s.disposition == "violation")
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    extra = sorted((k, n) for k, n in (run or {}).items() if n)
    width = max([len(str(n)) for _, n in rows] + [len(str(n)) for _, n in extra] + [1])
    out = [f"{n:>{width}}  {rid}  {name}" for (rid, name), n in rows]
    if extra:
        out += ([""] if out else []) + [f"{n:>{width}}  {label}" for label, n in extra]
    return out


NOT_WALKED = "directories a source set could reach, not walked (listed by --show-all)"



def run_statistics(stats, skipped: List[tuple]) -> Dict[str, int]:
    """The run's counts that say something was not looked at or not trusted."""
    from dstcheck.stages.cache import MALFORMED, REJECTED
    from dstcheck.stages.index import UNRESOLVED

    return {
        NOT_WALKED: sum(1 for p, _ in skipped if p.endswith("/")),
        REJECTED: stats.get(REJECTED, 0),
        MALFORMED: stats.get(MALFORMED, 0),
        UNRESOLVED: stats.get(UNRESOLVED, 0),
    }


def statistics_dict(sites: List[Site], run: Dict[str, int]) -> dict:
    counts = Counter((s.rule, s.name) for s in sites if s.disposition == "violation")
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return {"rules": [{"rule": rid, "name": name, "count": n} for (rid, name), n in rows], "run": dict(sorted(run.items()))}


def skipped_lines(skipped: List[tuple], show_all: bool) -> List[str]:
    """Special files in a source set always (they look like source); with `--show-all`, also the
    directories a source set could reach that were not walked."""
    files = [(p, why) for p, why in skipped if not p.endswith("/")]
    dirs = [(p, why) for p, why in skipped if p.endswith("/")] if show_all else []
    out = [f"note: {p}: {why}" for p, why in files]
    if dirs:
        out.append(f"Not walked ({_count(len(dirs), 'directory', 'directories')} a source set could reach):")
        out += [f"  {p}: {why}" for p, why in dirs]
    return out


def baseline_lines(stale: List[dict], file: str) -> List[str]:
    if not stale:
        return []
    verb = "no longer matches" if len(stale) == 1 else "no longer match"
    out = [f"{len(stale)} baseline {'entry' if len(stale) == 1 else 'entries'} in {file} {verb} (fixed or removed); rerun with --write-baseline {file} to drop {'it' if len(stale) == 1 else 'them'}:"]
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
        **({"chain": [dict(zip(CHAIN_KEYS, step)) for step in site.chain]} if site.chain else {}),
    }


CHAIN_KEYS = ("path", "line", "column", "item", "what")


def chain_step(step) -> str:
    """One step of a reach chain: `calls venue::clock::stamp (crates/venue/src/clock.rs:12)`."""
    path, line, _column, _item, what = step
    return f"{what} ({path}:{line})"


def json_report(sites: List[Site], hints: Dict[str, str], files_checked: int, all_sites: List[Site], extra: Optional[dict] = None, unresolved: int = 0) -> str:
    violations = [s for s in all_sites if s.disposition == "violation"]
    doc = {
        "schema": JSON_SCHEMA,
        "tool": {"name": "dstcheck", "version": __version__},
        "summary": {
            "files_checked": files_checked,
            "violations": len(violations),
            "by_rule": dict(sorted(Counter(s.rule for s in violations).items())),
            "by_disposition": {d: n for d, n in ((d, sum(1 for s in all_sites if s.disposition == d)) for d in DISPOSITIONS)},
            "unresolved_references": unresolved,
        },
        "sites": [site_dict(s, hints) for s in sites],
    }
    if extra:
        doc.update(extra)
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
