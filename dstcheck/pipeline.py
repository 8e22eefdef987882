"""The pipeline: discover -> analyze each file (parse, resolve, match) -> module tree -> classify.

`check`, `inventory` and `audit` are three views of the one list of Sites this returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

from dstcheck import globs
from dstcheck.analyze import analyze_file, rust_mod_decls
from dstcheck.classify import classify
from dstcheck.config import AllowEntry, Config
from dstcheck.discover import FileEntry, discover
from dstcheck.model import Context, FileResult, Marker, Site
from dstcheck.modtree import inherited_contexts
from dstcheck.rules import Rule


@dataclass
class Selection:
    """Rule selection from the command line, on top of the configuration's."""

    select: Sequence[str] = ()
    ignore: Sequence[str] = ()


@dataclass
class Scan:
    config: Config
    entries: List[FileEntry]
    results: Dict[str, FileResult]
    sites: List[Site]
    rules_run: Dict[str, List[str]] = field(default_factory=dict)  # path -> rule ids that ran
    marker_use: Dict[tuple, int] = field(default_factory=dict)  # (path, Marker) -> sites accepted
    allow_use: Dict[AllowEntry, int] = field(default_factory=dict)

    @property
    def violations(self) -> List[Site]:
        return [s for s in self.sites if s.disposition == "violation"]


def _picked(rule: Rule, names: Sequence[str]) -> bool:
    return rule.id in names or rule.family in names


def rules_for(config: Config, entry: FileEntry, selection: Selection) -> List[Rule]:
    rules = []
    for rule in config.pack.for_language(entry.language):
        chosen = True
        for select, ignore in (
            (config.select, config.ignore),
            ((entry.scope.select, entry.scope.ignore) if entry.scope else ((), ())),
            (selection.select, selection.ignore),
        ):
            if select and not _picked(rule, select):
                chosen = False
            if ignore and _picked(rule, ignore):
                chosen = False
        if not chosen:
            continue
        if rule.only_in is not None and not globs.matches(entry.path, rule.only_in):
            continue
        if rule.except_in and globs.matches(entry.path, rule.except_in):
            continue
        rules.append(rule)
    return rules


def scan(
    config: Config,
    paths: Sequence[str] = (),
    selection: Selection = Selection(),
    include_scoped_out: bool = False,
    ignore_markers: bool = False,
    entries: List[FileEntry] = None,
) -> Scan:
    entries = discover(config, paths) if entries is None else entries
    todo = [e for e in entries if e.scope is not None or include_scoped_out]
    rules_run = {e.path: rules_for(config, e, selection) for e in todo}
    results = {e.path: analyze_file(e.path, e.abspath, e.language, rules_run[e.path], config) for e in todo}

    root = str(config.root)
    rust_files = [e.path for e in todo if e.language == "rust"]

    def decls_of(path: str):
        if path in results:
            return results[path].mod_decls
        return rust_mod_decls(os.path.join(root, path), config)

    inherited = inherited_contexts(rust_files, decls_of, lambda p: os.path.isfile(os.path.join(root, p)))
    sites: List[Site] = []
    marker_use: Dict[tuple, int] = {}
    allow_use: Dict[AllowEntry, int] = {}
    for entry in todo:
        found, markers, allows = classify(
            config,
            results[entry.path],
            entry.scope is not None,
            entry.test,
            inherited.get(entry.path, Context()),
            ignore_markers,
        )
        sites.extend(found)
        for marker, count in markers.items():
            marker_use[(entry.path, marker)] = marker_use.get((entry.path, marker), 0) + count
        for allow, count in allows.items():
            allow_use[allow] = allow_use.get(allow, 0) + count
    sites.sort(key=Site.sort_key)
    return Scan(
        config=config,
        entries=entries,
        results=results,
        sites=sites,
        rules_run={p: [r.id for r in rs] for p, rs in rules_run.items()},
        marker_use=marker_use,
        allow_use=allow_use,
    )


def unused_markers(scan: Scan) -> List[tuple]:
    """(path, Marker) pairs that accepted no site (for marker hygiene)."""
    out = []
    for path in sorted(scan.results):
        for marker in scan.results[path].markers:
            if (path, marker) not in scan.marker_use:
                out.append((path, marker))
    return out


__all__ = ["Scan", "Selection", "scan", "rules_for", "Marker"]
