"""The data that flows between pipeline stages: Facts, Findings, file results and Sites."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Tuple

DISPOSITIONS = ("violation", "baselined", "suppressed", "allowlisted", "gated", "test", "scoped-out")
INVENTORY_TAG = {
    "violation": "unresolved",
    "baselined": "unresolved",
    "suppressed": "closed",
    "allowlisted": "closed",
    "gated": "gated",
    "scoped-out": "scoped-out",
    "test": "test",
}


@dataclass
class Fact:
    """A resolved construct a matcher can look at: a path reference, a `use` leaf, a method
    call on a path, a macro call, or (Python) a call with its arguments."""

    kind: str
    paths: Tuple[str, ...]
    start: int
    end: int
    handle: Any = None  # front-end node, used to compute the context of a finding
    method: str = ""
    first_tokens: Tuple[str, ...] = ()  # Rust: a macro's first tokens; Python: a call's first argument when a string literal
    args: Tuple[int, Tuple[str, ...]] = (0, ())  # positional count, keyword names
    in_async: bool = False
    imported: Tuple[str, ...] = ()  # those of `paths` reached through a `use` / import
    indirect: Tuple[str, ...] = ()  # those of `paths` reached through another module's re-export
    pending: tuple = ()  # Rust: resolution steps that continue in another file (the index finishes them)
    unresolved: bool = False  # some reading of the path could not be resolved
    type_args: Tuple[str, ...] = ()  # Rust typed facts: the receiver type's arguments ("" unknown)


@dataclass(frozen=True)
class Context:
    """Where a finding sits: why it is test-only or compiled out, and its enclosing item."""

    test: Optional[str] = None  # e.g. "cfg(test)", "#[test]", "test path"
    gate: Optional[str] = None  # rendered predicate that is false under the DST profile
    item: str = ""

    def under(self, outer: "Context") -> "Context":
        """This context inside an outer one (a file inherits its module declaration's)."""
        return Context(test=self.test or outer.test, gate=self.gate or outer.gate, item=self.item)


@dataclass
class Finding:
    """A rule matched in one file, before classification."""

    rule: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    message: str
    context: Context = field(default_factory=Context)
    path: str = ""  # what the rule matched (a canonical path), for allowlist entries naming an API
    chain: list = field(default_factory=list)  # reach: [[path, line, column, item, what], ...] from the call to the site


NO_RULE = ""  # Marker.rules of an empty list, `dst-ok[]`: it names no rule, so accepts nothing


@dataclass(frozen=True)
class Marker:
    """A `dst-ok` comment: the line it sits on, the rules it names (empty: all; `(NO_RULE,)` for
    `dst-ok[]`, a list that names none) and its reason."""

    line: int
    rules: Tuple[str, ...]
    reason: str
    column: int = 1


def marker_rules(listed: Optional[str]) -> Tuple[str, ...]:
    """The ids of a marker's `[..]` (None: no list, every rule). A list that names none, `[]`
    or `[ , ]`, is `(NO_RULE,)`: it accepts nothing and is reported (DST003), never read as all."""
    if listed is None:
        return ()
    return tuple(sorted(r.strip() for r in listed.split(",") if r.strip())) or (NO_RULE,)


@dataclass(frozen=True)
class ModDecl:
    """`mod name;` in a Rust file: where the child file may be and the context it inherits."""

    name: str
    path_attr: Optional[str]
    inline_dirs: Tuple[str, ...]
    context: Context


@dataclass
class FileResult:
    path: str
    language: str
    findings: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    mod_decls: list = field(default_factory=list)
    lines: int = 0
    size: int = 0
    parsed: bool = True  # False when the prefilter proved the file cannot hold a site
    summary: dict = field(default_factory=dict)  # what other files resolve through (Rust: module tables)
    deferred: list = field(default_factory=list)  # facts whose resolution continues in other files
    unresolved: int = 0  # candidate references whose meaning could not be proven either way
    extents: list = field(default_factory=list)  # [line, column, end_line, end_column, first, last]: the lines of a site reaching past its span


@dataclass(frozen=True)
class Site:
    rule: str
    name: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    item: str
    message: str
    disposition: str
    reason: str = ""
    api: str = ""  # the canonical path the rule matched (e.g. std::time::Instant::now), for fixes and allowlists
    chain: tuple = ()  # reach sites: the calls that lead to what the rule matched, as (path, line, column, item, what)
    first_line: int = 0  # the site's lines, where a marker accepts it (0: `line` / `end_line`): a
    last_line: int = 0  # chain from its receiver to its end, a loop's header, a whole comprehension

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule, self.end_line, self.end_column)

    def lines(self) -> Tuple[int, int]:
        """The first and last line of the site: a marker on any of them accepts it."""
        return self.first_line or self.line, self.last_line or self.end_line  # classify widens, never narrows


def extent_of(extents: list) -> dict:
    """(line, column, end_line, end_column) -> (first, last) from a FileResult's `extents` (two
    records of one span: the lines of both)."""
    out: dict = {}
    for line, column, end_line, end_column, first, last in extents:
        key = (line, column, end_line, end_column)
        known = out.get(key)
        out[key] = (first, last) if known is None else (min(known[0], first), max(known[1], last))
    return out


class Step(NamedTuple):
    """One step of a reach chain: a call, or the site it ends at (`what` says which)."""

    path: str
    line: int
    column: int
    item: str
    what: str
