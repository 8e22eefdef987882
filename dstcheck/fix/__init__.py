"""Fixes: a separate consumer of a scan's Sites, never a second scanner.

Each violation's rule says, as data, what can be done about it: a configured replacement for the
path it matched (`replacement` on a path entry, safe unless marked otherwise) and the rule's
built-in fix (`[rule.fix]`, with its safety). A language fixer re-parses the file (tree-sitter
byte ranges for Rust, libcst for Python, loaded only then), plans each site's fix, and renders
them together. Overlapping fixes resolve in a fixed order (safe before unsafe, a configured
replacement before a built-in fix, then rule id and position): the later one is not applied and
says why. A result that does not parse drops the fixes that break it, one at a time. With
`--fix` the run repeats until nothing more applies, so a second run changes nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from dstcheck.model import Site

MAX_ROUNDS = 4
SAFE = "safe"


@dataclass(frozen=True)
class Mode:
    fixes: bool = False  # plan the fixes (--fix, --unsafe-fixes, or --diff alone)
    unsafe: bool = False
    write: bool = True  # False: --diff, nothing is written
    markers: Optional[str] = None  # --add-markers REASON


@dataclass(frozen=True)
class Candidate:
    site: Site
    rule: object
    kind: str  # "replace", or the kind of the rule's [rule.fix]
    safety: str
    params: dict

    def order(self) -> tuple:
        return (self.safety != SAFE, self.kind != "replace", self.site.rule, self.site.sort_key())


@dataclass
class Report:
    applied: Counter = field(default_factory=Counter)  # rule -> fixes applied
    marked: Counter = field(default_factory=Counter)  # rule -> sites a marker now accepts
    files: Dict[str, set] = field(default_factory=lambda: {"fixes": set(), "markers": set()})  # changed files per kind
    not_applied: List[Tuple[Site, str, str]] = field(default_factory=list)  # (site, "fixed" | "marked", why not)
    unsafe_left: int = 0  # violations whose rule has an unsafe fix that was not enabled
    changes: Dict[str, tuple] = field(default_factory=dict)  # path -> (first before, last after)


class Context:
    """What a language fixer may look at besides its file: the configuration and the scan."""

    def __init__(self, config, scan):
        self.config = config
        self.scan = scan
        self._by_path: Dict[str, List[Site]] = {}
        for site in scan.sites:
            self._by_path.setdefault(site.path, []).append(site)

    def sites_of(self, path: str) -> List[Site]:
        return self._by_path.get(path, [])


def candidates(rule, site: Site) -> List[Candidate]:
    """The fixes a rule's data offers for one of its sites, best first."""
    out = []
    entry = max((p for p in rule.replacements if site.api == p or site.api.startswith(p + "::") or site.api.startswith(p + ".")), key=len, default=None)
    if entry is not None:
        r = rule.replacements[entry]
        out.append(Candidate(site, rule, "replace", r.safety, {"path": r.path, "replacement": r.replacement}))
    if rule.fix is not None:
        out.append(Candidate(site, rule, rule.fix.kind, rule.fix.safety, rule.fix.params))
    return sorted(out, key=Candidate.order)


def describe(rule) -> List[str]:
    """What `dstcheck explain` says about a rule's automatic fixes."""
    out = []
    for path in sorted(rule.replacements):
        r = rule.replacements[path]
        out.append(f"{r.safety} ({_flag(r.safety)}): `{path}` becomes `{r.replacement}`, with the import it needs")
    if rule.fix is not None:
        spec = rule.fix
        if spec.kind == "insert-first":
            tokens = {" ".join(m.params["unless-first"]).replace(" ;", ";") for m in rule.matchers if m.kind == "macro" and m.params.get("unless-first")}
            what = f"inserts `{', '.join(sorted(tokens))}` as the macro's first token"
        elif spec.kind == "wrap":
            what = f"wraps the iterated value in `{spec.params['function']}(...)`"
        else:
            pairs = sorted({f"{old.rsplit('::', 1)[-1]} -> {new.rsplit('::', 1)[-1]}" for old, new in spec.params["types"].items()})
            methods = ", ".join(f"`.{a}(` -> `.{b}(`" for a, b in sorted(spec.params.get("methods", {}).items()))
            what = f"where the crate depends on {spec.params['crate']}: {', '.join(pairs)} (types, constructors, imports)" + (f"; {methods} on them" if methods else "")
        out.append(f"{spec.safety} ({_flag(spec.safety)}): {what}")
    return out


def _flag(safety: str) -> str:
    return "--fix" if safety == SAFE else "--unsafe-fixes"


def _fixer(language: str, path: str, source: bytes, context: Context):
    if language == "rust":
        from dstcheck.fix.rust import RustFixer

        return RustFixer(path, source, context)
    from dstcheck.fix.python import PythonFixer  # loads libcst: only when a Python fix is planned

    return PythonFixer(path, source, context)


def fix_source(fixer, wanted: List[List[Candidate]]) -> Tuple[bytes, List[Candidate], List[Tuple[Site, str]]]:
    """Plan every site's first applicable candidate, in order, and render them together."""
    chosen: List[Tuple[Candidate, object]] = []
    skipped: List[Tuple[Site, str]] = []
    for options in sorted(wanted, key=lambda opts: opts[0].order()):
        reasons = []
        for candidate in options:
            if _in_replacement(candidate):
                reasons.append(f"the site is inside `{candidate.site.item}`, which `{candidate.params['replacement']}` names: the seam itself reads the real source, and calling itself would recurse")
                continue
            plan = fixer.plan(candidate)
            if isinstance(plan, str):
                reasons.append(plan)
                continue
            clash = next((c for c, p in chosen if fixer.conflicts(plan, p)), None)
            if clash is not None:
                reasons.append(f"overlaps the fix for {clash.site.rule} at {clash.site.line}:{clash.site.column}")
                continue
            chosen.append((candidate, plan))
            break
        else:
            skipped.append((options[0].site, "; ".join(dict.fromkeys(reasons))))
    after = fixer.render([p for _, p in chosen])
    if chosen and not fixer.parses(after):
        kept: List[Tuple[Candidate, object]] = []
        for candidate, plan in chosen:
            if fixer.parses(fixer.render([p for _, p in kept] + [plan])):
                kept.append((candidate, plan))
            else:
                skipped.append((candidate.site, "the fixed file would not parse"))
        chosen = kept
        after = fixer.render([p for _, p in chosen])
    return after, [c for c, _ in chosen], skipped


def _in_replacement(candidate: Candidate) -> bool:
    """A replacement rewritten into a function of its own name would be that function calling
    itself: the seam's definition (`fn now() { Instant::now() }`) is where the raw read belongs."""
    if candidate.kind != "replace" or not candidate.site.item:
        return False
    last = candidate.params["replacement"].replace("::", ".").rsplit(".", 1)[-1]
    return candidate.site.item.replace("::", ".").rsplit(".", 1)[-1] == last


def _read(config, path: str) -> Optional[bytes]:
    try:
        with open(os.path.join(str(config.root), path), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _violations(scan) -> Dict[str, List[Site]]:
    by_path: Dict[str, List[Site]] = {}
    for site in scan.violations:
        by_path.setdefault(site.path, []).append(site)
    return by_path


def _broken(scan) -> set:
    return {s.path for s in scan.sites if s.rule == "DST000"}


def fix_round(config, scan, unsafe: bool, report: Report) -> Dict[str, tuple]:
    """One pass of fixes over a scan's violations: path -> (before, after) for changed files.
    The report's notes and unsafe count are this pass's; its applied counts add up."""
    context = Context(config, scan)
    broken = _broken(scan)
    changes = {}
    report.not_applied, report.unsafe_left = [], 0
    for path, sites in sorted(_violations(scan).items()):
        wanted = []
        for site in sites:
            rule = config.pack.rules.get(site.rule)
            options = candidates(rule, site) if rule is not None and rule.matchers else []
            allowed = [c for c in options if unsafe or c.safety == SAFE]
            if options and not allowed:
                report.unsafe_left += 1
            if allowed:
                wanted.append(allowed)
        if not wanted:
            continue
        source = _read(config, path) if path not in broken else None
        if source is None:
            why = "the file does not parse" if path in broken else "the file cannot be read"
            report.not_applied.extend((opts[0].site, "fixed", why) for opts in wanted)
            continue
        fixer = _fixer(scan.results[path].language, path, source, context)
        if fixer.broken:
            report.not_applied.extend((opts[0].site, "fixed", "the file does not parse") for opts in wanted)
            continue
        after, applied, skipped = fix_source(fixer, wanted)
        report.not_applied.extend((site, "fixed", why) for site, why in skipped)
        if after != source:
            changes[path] = (source, after, Counter(c.site.rule for c in applied))
    return changes


def marker_round(config, scan, reason: str, report: Report) -> Dict[str, tuple]:
    from dstcheck.fix.markers import add_markers

    changes = {}
    broken = _broken(scan)
    for path, sites in sorted(_violations(scan).items()):
        markable = [s for s in sites if (config.pack.rules.get(s.rule) is not None and config.pack.rules[s.rule].matchers)]
        report.not_applied.extend((s, "marked", "an engine diagnostic cannot be accepted with a marker") for s in sites if s not in markable)
        if not markable:
            continue
        source = _read(config, path) if path not in broken else None
        if source is None:
            why = "the file does not parse" if path in broken else "the file cannot be read"
            report.not_applied.extend((s, "marked", why) for s in markable)
            continue
        language = scan.results[path].language
        after, marked, unmarked = add_markers(source, language, markable, config.marker, reason)
        if marked and not parses(language, after):
            unmarked = [(s, "the marked file would not parse") for s in markable]
            marked, after = [], source
        report.not_applied.extend((site, "marked", why) for site, why in unmarked)
        if after != source:
            changes[path] = (source, after, Counter(s.rule for s in marked))
    return changes


def parses(language: str, data: bytes) -> bool:
    """Whether a fixed file parses cleanly, as the front end parses it."""
    if language == "rust":
        from dstcheck.rust import parse

        return parse.first_error(parse.parse(data)) is None
    from dstcheck.python import parse

    decoded, trouble = parse.decode(data)
    return trouble is None and parse.parse(decoded)[1] is None


def _write(config, changes: Dict[str, tuple], report: Report, scan, kind: str) -> bool:
    """Write the changed files; a file that cannot be written is reported, never half-written."""
    from dstcheck.write import replace_file

    wrote = False
    for path, (before, after, counts) in sorted(changes.items()):
        try:
            replace_file(os.path.join(str(config.root), path), after)
        except OSError as exc:
            report.not_applied.extend((s, "changed", f"cannot write the file: {exc.strerror or exc}") for s in _violations(scan).get(path, []))
            continue
        wrote = True
        _record(report, path, before, after, kind, counts)
    return wrote


def _record(report: Report, path: str, before: bytes, after: bytes, kind: str, counts: Counter) -> None:
    report.files[kind].add(path)
    (report.applied if kind == "fixes" else report.marked).update(counts)
    first = report.changes.get(path, (before, after))[0]
    report.changes[path] = (first, after)


def run(config, scan_once: Callable[[], object], mode: Mode):
    """Fix (or mark) what the scan finds; returns the scan of the result and the report."""
    scan = scan_once()
    report = Report()
    if mode.fixes:
        for _ in range(MAX_ROUNDS if mode.write else 1):
            changes = fix_round(config, scan, mode.unsafe, report)
            if not mode.write:
                for path, (before, after, counts) in changes.items():
                    _record(report, path, before, after, "fixes", counts)
                break
            if not changes or not _write(config, changes, report, scan, "fixes"):
                break
            scan = scan_once()
    if mode.markers is not None:
        changes = marker_round(config, scan, mode.markers, report)
        if not mode.write:
            for path, (before, after, counts) in changes.items():
                _record(report, path, before, after, "markers", counts)
        elif changes and _write(config, changes, report, scan, "markers"):
            scan = scan_once()
    report.not_applied.sort(key=lambda item: (item[0].sort_key(), item[1], item[2]))
    return scan, report


def _counts(counter: Counter, pack) -> str:
    return ", ".join(f"{rid} {pack.rules[rid].name}: {counter[rid]}" for rid in sorted(counter))


def summary(report: Report, mode: Mode, pack) -> str:
    """What the fixes did, for stderr: counts per rule, then why some sites were left as they are."""
    lines = []
    if mode.fixes:
        count = sum(report.applied.values())
        if count:
            verb = "Applied" if mode.write else "Would apply"
            files = len(report.files["fixes"])
            lines.append(f"{verb} {count} {'fix' if count == 1 else 'fixes'} to {files} {'file' if files == 1 else 'files'} ({_counts(report.applied, pack)}).")
        else:
            lines.append("No fixes to apply.")
        if report.unsafe_left:
            lines.append(f"{report.unsafe_left} more {'violation' if report.unsafe_left == 1 else 'violations'} may be fixable with --unsafe-fixes.")
    if mode.markers is not None:
        count = sum(report.marked.values())
        if count:
            verb = "Added" if mode.write else "Would add"
            files = len(report.files["markers"])
            lines.append(f"{verb} markers for {count} {'violation' if count == 1 else 'violations'} in {files} {'file' if files == 1 else 'files'} ({_counts(report.marked, pack)}).")
        else:
            lines.append("No violations to mark.")
    for site, action, why in report.not_applied:
        lines.append(f"note: {site.path}:{site.line}:{site.column}: {site.rule} not {action}: {why}")
    return "".join(line + "\n" for line in lines)


def as_json(report: Report) -> dict:
    return {
        "applied": dict(sorted(report.applied.items())),
        "marked": dict(sorted(report.marked.items())),
        "files": sorted(report.changes),
        "not_applied": [
            {"path": s.path, "line": s.line, "column": s.column, "rule": s.rule, "action": action, "reason": why}
            for s, action, why in report.not_applied
        ],
    }
