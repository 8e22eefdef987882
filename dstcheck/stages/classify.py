"""Classify stage: give every finding its disposition. Language-neutral.

Precedence: scoped-out, test, gated, suppressed (a `dst-ok` marker), allowlisted, violation.
Code that is not in the DST build or not in scope needs no acceptance, so markers and
allowlist entries only speak for code that would otherwise be a violation.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from dstcheck import globs
from dstcheck.config import AllowEntry, Config
from dstcheck.model import Context, FileResult, Finding, Marker, Site, extent_of


def _marker_for(finding: Finding, lines: Tuple[int, int], markers: List[Marker]) -> Optional[Marker]:
    """The marker on one of the site's lines (its span's, or the wider extent the front end
    recorded for it: a chain from its receiver, a loop's header) that names its rule."""
    for marker in markers:
        if lines[0] <= marker.line <= lines[1] and (not marker.rules or finding.rule in marker.rules):
            return marker
    return None


def site_lines(finding: Finding, extents: dict) -> Tuple[int, int]:
    """The first and last line of a finding's site: its span, widened by its recorded extent."""
    first, last = extents.get((finding.line, finding.column, finding.end_line, finding.end_column), (finding.line, finding.end_line))
    return min(first, finding.line), max(last, finding.end_line)


def _allow_for(rule: str, path: str, item: str, api: str, entries: List[AllowEntry]) -> Optional[AllowEntry]:
    for entry in entries:
        if entry.rule == rule and (entry.path == path or globs.compile_glob(entry.path).match(path)) and (
            entry.item is None or entry.item == item
        ) and (entry.api is None or _names_api(api, entry.api)):
            return entry
    return None


def _names_api(matched: str, api: str) -> bool:
    return matched == api or matched.startswith(api + "::") or matched.startswith(api + ".")


def classify(
    config: Config,
    result: FileResult,
    in_scope: bool,
    file_test: Optional[str],
    inherited: Context,
    ignore_markers: bool = False,
) -> Tuple[List[Site], Dict[Marker, int], Dict[AllowEntry, int]]:
    """Sites for one file, and how many sites each marker and allowlist entry accepted."""
    sites = []
    marker_use: Dict[Marker, int] = {}
    allow_use: Dict[AllowEntry, int] = {}
    pack = config.pack
    extents = extent_of(result.extents) if result.extents else {}
    for finding in result.findings:
        ctx = finding.context.under(inherited)
        lines = site_lines(finding, extents)
        name = pack.rules[finding.rule].name
        reason = ""
        if not in_scope:
            disposition, reason = "scoped-out", "outside the in-scope source sets"
        elif file_test or ctx.test:
            disposition, reason = "test", file_test or ctx.test
        elif ctx.gate:
            disposition, reason = "gated", ctx.gate
        else:
            marker = None if ignore_markers else _marker_for(finding, lines, result.markers)
            entry = _allow_for(finding.rule, result.path, ctx.item, finding.path, config.allowlist) if finding.rule != "DST000" else None
            if marker is not None:
                disposition, reason = "suppressed", marker.reason
                marker_use[marker] = marker_use.get(marker, 0) + 1
            elif entry is not None:
                disposition, reason = "allowlisted", entry.reason
                allow_use[entry] = allow_use.get(entry, 0) + 1
            else:
                disposition = "violation"
        sites.append(
            Site(
                rule=finding.rule,
                name=name,
                path=result.path,
                line=finding.line,
                column=finding.column,
                end_line=finding.end_line,
                end_column=finding.end_column,
                snippet=finding.snippet,
                item=ctx.item,
                message=finding.message,
                disposition=disposition,
                reason=reason,
                api=finding.path,
                chain=tuple(tuple(step) for step in finding.chain),
                first_line=lines[0],
                last_line=lines[1],
            )
        )
    return sites, marker_use, allow_use
