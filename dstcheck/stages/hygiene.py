"""Suppression hygiene: markers and allowlist entries that accept nothing must not rot.

Runs after classification, on the Sites of a scan: it only reads what the earlier stages
decided (which sites exist, which rules ran on which file) and adds DST001-DST004 sites.
"""

from __future__ import annotations

import os
from typing import Dict, List

from dstcheck import globs
from dstcheck.config import Config
from dstcheck.model import NO_RULE, FileResult, Marker, Site


def _site(rule: str, name: str, path: str, line: int, message: str, snippet: str = "", column: int = 1) -> Site:
    end = column + len(snippet) if snippet else column + 1
    return Site(rule, name, path, line, column, line, end, snippet, "", message, "violation")


def marker_text(marker: Marker, word: str) -> str:
    text = word + (f"[{', '.join(marker.rules)}]" if marker.rules else "")
    return text + (f": {marker.reason}" if marker.reason else "")


def _takers(markers: List[Marker], sites: List[Site]) -> Dict[Marker, set]:
    """The rules of the sites each marker takes: a site is the first marker's on its lines that
    accepts its rule, as classify decides for a violation (`_marker_for`); a gated or test site is
    taken the same way, so a marker on its line is not called unused. A later marker the same
    sites would take (a second `dst-ok` on the line, or on another line of the site) takes none."""
    taken: Dict[Marker, set] = {}
    for site in sites:
        first, last = site.lines()
        for marker in markers:
            if first <= marker.line <= last and (not marker.rules or site.rule in marker.rules):
                taken.setdefault(marker, set()).add(site.rule)
                break
    return taken


def marker_sites(
    config: Config,
    results: Dict[str, FileResult],
    sites_by_path: Dict[str, List[Site]],
    selected: Dict[str, List[str]],
    language_rules: Dict[str, List[str]],
    wanted: set,
) -> List[Site]:
    """DST001 unused (or accepting nothing another marker does not, or naming a rule whose site is
    not there), DST002 without reason, DST003 unknown rule id or an empty list, for in-scope files."""
    out = []
    known = {rid for rid, r in config.pack.rules.items() if r.matchers}
    for path in sorted(results):
        result = results[path]
        ran = set(selected.get(path, ()))
        taken = _takers(result.markers, sites_by_path.get(path, ())) if "DST001" in wanted and result.markers else {}
        for marker in result.markers:
            text = marker_text(marker, config.marker)
            unknown = [r for r in marker.rules if r not in known]
            if "DST003" in wanted:
                for rid in unknown:
                    if rid == NO_RULE:  # `dst-ok[]`: read as "every rule" it would hide the next violation
                        message = f"marker `{text}` names no rule: an empty list accepts nothing (write `{config.marker}` for every rule, or the ids)"
                    else:
                        message = f"marker `{text}` names unknown rule {rid}"
                    out.append(_site("DST003", "unknown-marker-rule", path, marker.line, message, text, marker.column))
            if "DST002" in wanted and config.require_reason and not marker.reason:
                out.append(_site("DST002", "marker-without-reason", path, marker.line, f"marker `{text}` gives no reason", text, marker.column))
            if "DST001" not in wanted:
                continue
            named = [r for r in marker.rules if r in known]
            took = taken.get(marker)
            if took:
                # `dst-ok[DST201, DST202]` where only DST201 fires: the other id would hide its next site
                idle = [r for r in named if r not in took and r in ran and _applies(config, r, path)]
                if idle:
                    these = ", ".join(idle)
                    message = f"marker `{text}` names {these}, which has no site on its lines (the marker accepts {', '.join(sorted(took))}: drop {these} from the list)"
                    out.append(_site("DST001", "unused-marker", path, marker.line, message, text, marker.column))
                continue
            if marker.rules and not named:
                continue
            here = {s.rule for s in sites_by_path.get(path, ()) if s.lines()[0] <= marker.line <= s.lines()[1]}  # sites on the marker's line
            if here and (not marker.rules or not here.isdisjoint(marker.rules)):
                # every site it would accept is another marker's: the one before it on the line, or on another line of the site
                message = f"marker `{text}` accepts no site: another marker on the site's lines accepts it first (drop one of them)"
                out.append(_site("DST001", "unused-marker", path, marker.line, message, text, marker.column))
                continue
            # A marker for a rule that did not run here (deselected) is not called unused.
            needed = named if marker.rules else language_rules.get(result.language, [])
            if all(r in ran for r in needed):
                what = ", ".join(named) if marker.rules else ", ".join(r for r in sorted(ran) if _applies(config, r, path))
                message = f"marker `{text}` accepts no site (rules run here: {what})"
                if marker.rules and here:  # `dst-ok[DST102]` on a DST101 line: say what the line holds
                    message = f"marker `{text}` accepts no site: it names {what}, and the site on its line is {', '.join(sorted(here))} (name that rule, or drop the list)"
                out.append(_site("DST001", "unused-marker", path, marker.line, message, text, marker.column))
    return out


def _applies(config: Config, rule_id: str, path: str) -> bool:
    """A selected rule whose only-in / except-in keeps it off this file did not run here."""
    rule = config.pack.rules[rule_id]
    if rule.only_in is not None and not globs.matches(path, rule.only_in):
        return False
    return not (rule.except_in and globs.matches(path, rule.except_in))


def allowlist_sites(config: Config, allow_use: dict, full_scan: bool, selected_rules: set) -> List[Site]:
    """DST004 for allowlist entries naming a missing path or, on a full scan, matching no site."""
    out = []
    listing = None
    for entry in config.allowlist:
        if entry.rule not in selected_rules:
            continue
        if globs.is_literal(entry.path):
            exists = os.path.exists(os.path.join(str(config.root), entry.path))
        else:
            if listing is None:
                from dstcheck.stages.discover import project_files

                listing = project_files(config.root)
            exists = any(globs.compile_glob(entry.path).match(p) for p in listing)
        where = f"allow[{entry.index}] ({entry.rule} {entry.path}{' ' + entry.item if entry.item else ''})"
        if not exists:
            out.append(_site("DST004", "stale-allowlist-entry", entry.file, entry.line, f"{where} names a path that does not exist", "[[allow]]"))
        elif full_scan and not allow_use.get(entry):
            out.append(_site("DST004", "stale-allowlist-entry", entry.file, entry.line, f"{where} matches no site", "[[allow]]"))
    return out
