"""The data that flows between pipeline stages: Facts, Findings, file results and Sites."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import Any, NamedTuple, Optional, Tuple

_FACTORY: Any = type("_Factory", (), {"__repr__": lambda self: "<factory>"})()  # a written-out __init__'s "call the default factory"


def record(cls=None, *, frozen: bool = False):
    """`@dataclass` for a class that writes out its own `__init__` (`_FACTORY` stands for a
    field's default factory): its fields, `dataclasses.fields`, `replace` and `asdict` are a
    dataclass's, and `__repr__`, `__eq__` (for a frozen record `__hash__` and the refusal to
    assign a field) are shared functions that read the fields, where `@dataclass` would compile
    each of them for each class at every start (about half a millisecond a class)."""

    def wrap(cls):
        if not cls.__doc__:  # else dataclass writes one from inspect.signature, slowly
            cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', ()))})"
        cls = dataclass(cls, init=False, repr=False, eq=False)
        compared = tuple(f.name for f in fields(cls) if f.compare)
        cls._record_key = attrgetter(*compared) if len(compared) > 1 else staticmethod(lambda self: tuple(getattr(self, n) for n in compared))
        cls._record_repr = tuple(f.name for f in fields(cls) if f.repr)
        cls._record_fields = frozenset(f.name for f in fields(cls))
        cls.__repr__ = _repr
        cls.__eq__ = _eq
        if frozen:
            cls._record_frozen = cls
            cls.__setattr__ = _frozen_setattr
            cls.__delattr__ = _frozen_delattr
            cls.__hash__ = _hash
        else:
            cls.__hash__ = None  # as a dataclass with eq and not frozen: unhashable
        return cls

    return wrap if cls is None else wrap(cls)


@recursive_repr()
def _repr(self) -> str:
    return f"{type(self).__qualname__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._record_repr) + ")"


def _eq(self, other):
    if other.__class__ is self.__class__:
        return self._record_key(self) == other._record_key(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self._record_key(self))


def _frozen_setattr(self, name, value):
    if type(self) is self._record_frozen or name in self._record_fields:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(self._record_frozen, self).__setattr__(name, value)


def _frozen_delattr(self, name):
    if type(self) is self._record_frozen or name in self._record_fields:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(self._record_frozen, self).__delattr__(name)

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


@record
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

    def __init__(
        self,
        kind,
        paths,
        start,
        end,
        handle=None,
        method="",
        first_tokens=(),
        args=(0, ()),
        in_async=False,
        imported=(),
        indirect=(),
        pending=(),
        unresolved=False,
        type_args=(),
    ):
        self.kind = kind
        self.paths = paths
        self.start = start
        self.end = end
        self.handle = handle
        self.method = method
        self.first_tokens = first_tokens
        self.args = args
        self.in_async = in_async
        self.imported = imported
        self.indirect = indirect
        self.pending = pending
        self.unresolved = unresolved
        self.type_args = type_args


@record(frozen=True)
class Context:
    """Where a finding sits: why it is test-only or compiled out, and its enclosing item."""

    test: Optional[str] = None  # e.g. "cfg(test)", "#[test]", "test path"
    gate: Optional[str] = None  # rendered predicate that is false under the DST profile
    item: str = ""

    def __init__(self, test=None, gate=None, item=""):
        d = self.__dict__  # frozen: fields are set once, here
        d['test'] = test
        d['gate'] = gate
        d['item'] = item

    def under(self, outer: "Context") -> "Context":
        """This context inside an outer one (a file inherits its module declaration's)."""
        return Context(test=self.test or outer.test, gate=self.gate or outer.gate, item=self.item)


@record
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

    def __init__(self, rule, line, column, end_line, end_column, snippet, message, context=_FACTORY, path="", chain=_FACTORY):
        self.rule = rule
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.snippet = snippet
        self.message = message
        self.context = Context() if context is _FACTORY else context
        self.path = path
        self.chain = [] if chain is _FACTORY else chain


NO_RULE = ""  # Marker.rules of an empty list, `dst-ok[]`: it names no rule, so accepts nothing


@record(frozen=True)
class Marker:
    """A `dst-ok` comment: the line it sits on, the rules it names (empty: all; `(NO_RULE,)` for
    `dst-ok[]`, a list that names none) and its reason."""

    line: int
    rules: Tuple[str, ...]
    reason: str
    column: int = 1

    def __init__(self, line, rules, reason, column=1):
        d = self.__dict__  # frozen: fields are set once, here
        d['line'] = line
        d['rules'] = rules
        d['reason'] = reason
        d['column'] = column


def marker_rules(listed: Optional[str]) -> Tuple[str, ...]:
    """The ids of a marker's `[..]` (None: no list, every rule). A list that names none, `[]`
    or `[ , ]`, is `(NO_RULE,)`: it accepts nothing and is reported (DST003), never read as all."""
    if listed is None:
        return ()
    return tuple(sorted(r.strip() for r in listed.split(",") if r.strip())) or (NO_RULE,)


@record(frozen=True)
class ModDecl:
    """`mod name;` in a Rust file: where the child file may be and the context it inherits."""

    name: str
    path_attr: Optional[str]
    inline_dirs: Tuple[str, ...]
    context: Context

    def __init__(self, name, path_attr, inline_dirs, context):
        d = self.__dict__  # frozen: fields are set once, here
        d['name'] = name
        d['path_attr'] = path_attr
        d['inline_dirs'] = inline_dirs
        d['context'] = context


@record
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

    def __init__(
        self,
        path,
        language,
        findings=_FACTORY,
        markers=_FACTORY,
        mod_decls=_FACTORY,
        lines=0,
        size=0,
        parsed=True,
        summary=_FACTORY,
        deferred=_FACTORY,
        unresolved=0,
        extents=_FACTORY,
    ):
        self.path = path
        self.language = language
        self.findings = [] if findings is _FACTORY else findings
        self.markers = [] if markers is _FACTORY else markers
        self.mod_decls = [] if mod_decls is _FACTORY else mod_decls
        self.lines = lines
        self.size = size
        self.parsed = parsed
        self.summary = {} if summary is _FACTORY else summary
        self.deferred = [] if deferred is _FACTORY else deferred
        self.unresolved = unresolved
        self.extents = [] if extents is _FACTORY else extents


@record(frozen=True)
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

    def __init__(
        self,
        rule,
        name,
        path,
        line,
        column,
        end_line,
        end_column,
        snippet,
        item,
        message,
        disposition,
        reason="",
        api="",
        chain=(),
        first_line=0,
        last_line=0,
    ):
        d = self.__dict__  # frozen: fields are set once, here
        d['rule'] = rule
        d['name'] = name
        d['path'] = path
        d['line'] = line
        d['column'] = column
        d['end_line'] = end_line
        d['end_column'] = end_column
        d['snippet'] = snippet
        d['item'] = item
        d['message'] = message
        d['disposition'] = disposition
        d['reason'] = reason
        d['api'] = api
        d['chain'] = chain
        d['first_line'] = first_line
        d['last_line'] = last_line

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
