"""Import statements found in a Python source's bytes, without parsing it.

A scan for `import` and `from .. import` at the start of a line (or after `;` or `:`), read up to
the end of the statement. It finds every import the file really has, plus, at worst, a few that
are not statements (a docstring line that reads like one) and imports inside functions: a
superset. The prefilter and the project index use it where parsing every file would cost too
much; where the difference matters (a re-export that reaches a banned path), the project index
parses the module to be exact.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Tuple

_SKIP = re.compile(rb"(?:[ \t]|\\\n)*")
_SKIP_ALL = re.compile(rb"(?:[ \t\n]|\\\n|#[^\n]*)*")
_DOTTED = re.compile(rb"[^\W\d][\w]*(?:(?:[ \t]|\\\n)*\.(?:[ \t]|\\\n)*[^\W\d]\w*)*")
_NAME = re.compile(rb"[^\W\d]\w*")
_AS = re.compile(rb"as(?:[ \t]|\\\n)+([^\W\d]\w*)")
_AS_ALL = re.compile(rb"as(?:[ \t\n]|\\\n|#[^\n]*)+([^\W\d]\w*)")


class Import(NamedTuple):
    """`import a.b as c` is (0, "", (("a.b", "c"),)); `from ..m import x, y as z` is
    (2, "m", (("x", ""), ("y", "z"))); a star import has (("*", ""),). `indent` is the column of
    the statement's first character (0 at module level)."""

    level: int
    module: Optional[str]  # None for `import a.b`, the module for `from`
    names: Tuple[Tuple[str, str], ...]
    indent: int
    line: int

    def bound(self) -> List[Tuple[str, str]]:
        """(name bound, what it denotes relative to the importer) for each alias."""
        out = []
        for name, alias in self.names:
            if self.module is None:
                out.append((alias, name) if alias else (name.split(".")[0], name.split(".")[0]))
            elif name != "*":
                target = f"{self.module}.{name}" if self.module else name
                out.append((alias or name, target))
        return out


_SPACE = re.compile(rb"[ \t\\\n]")


def _clean(dotted: bytes) -> str:
    return (_SPACE.sub(b"", dotted) if _SPACE.search(dotted) else dotted).decode("utf-8", "replace")


_IDENT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_FROM_BEFORE = re.compile(rb"(?:^|([;:]))[ \t]*from[ \t]*((?:\.[ \t]*)*)([^\W\d][\w. \t]*?)?[ \t]*$")
_ALIASES = rb"[^\W\d][\w.]*(?:[ \t]+as[ \t]+[^\W\d]\w*)?(?:[ \t]*,[ \t]*[^\W\d][\w.]*(?:[ \t]+as[ \t]+[^\W\d]\w*)?)*"
# `from ..m import a, b as c` or `import a.b as c, d` alone on its line (group 1 ends at `import`)
_SIMPLE = re.compile(
    rb"([ \t]*)(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(" + _ALIASES + rb")|(?=import)import[ \t]+(" + _ALIASES + rb"))[ \t]*(?:#[^\n]*)?(?=\n|\Z)"
)
_NAMES_LINE = re.compile(rb"[ \t]*([^\W\d][\w.]*(?:[ \t]+as[ \t]+[^\W\d]\w*)?(?:[ \t]*,[ \t]*[^\W\d][\w.]*(?:[ \t]+as[ \t]+[^\W\d]\w*)?)*)[ \t]*(?=#|;|\n|$)")


def scan(source: bytes) -> List[Import]:
    """Every `import` keyword (found with bytes.find) that starts an import statement, read on."""
    out = []
    size = len(source)
    line, counted = 1, 0
    i = source.find(b"import")
    while i != -1:
        after = i + 6
        if (i and source[i - 1] in _IDENT) or (after < size and source[after] in _IDENT):
            i = source.find(b"import", after)
            continue
        line_start = source.rfind(b"\n", 0, i) + 1
        line += source.count(b"\n", counted, i)
        counted = i
        simple = _SIMPLE.match(source, line_start) if line_start < 2 or source[line_start - 2] != 92 else None
        if simple is not None and i < simple.end():  # the common case, one regex: `from m import a, b as c`
            indent = len(simple.group(1))
            if simple.group(2) is not None:
                out.append(Import(len(simple.group(2)), simple.group(3).decode("utf-8", "replace"), _split_names(simple.group(4)), indent, line))
            else:
                out.append(Import(0, None, _split_names(simple.group(5)), indent, line))
            i = source.find(b"import", after)
            continue
        while line_start >= 2 and source[line_start - 2] == 92:  # a backslash-continued line
            line_start = source.rfind(b"\n", 0, line_start - 2) + 1
        before = source[line_start:i].replace(b"\\\n", b" ")
        stripped = before.strip(b" \t")
        if not stripped or stripped[-1:] in (b";", b":"):
            indent = len(before) - len(before.lstrip(b" \t")) if not stripped else max(1, len(before) - len(before.lstrip(b" \t")))
            names = _names(source, after, dotted=True)
            if names:
                out.append(Import(0, None, names, indent, line))
        else:
            m = _FROM_BEFORE.search(before)
            if m and (m.group(2) or m.group(3)):
                level = m.group(2).count(b".")
                module = _clean(m.group(3) or b"")
                indent = len(before) - len(before.lstrip(b" \t")) if m.start() == 0 and not m.group(1) else 1
                names = _from_names(source, after)
                if names:
                    out.append(Import(level, module, names, indent, line))
        i = source.find(b"import", after)
    if b"import_module" in source or b"__import__" in source:
        out.extend(_dynamic(source))
    return out


# `importlib.import_module("a.b")`, `__import__("a.b", ..)`: a literal name, any string prefix
_DYNAMIC = re.compile(rb"(?<!\w)(?:import_module|__import__)[ \t]*\([ \t]*[rRuU]?(['\"])([^\W\d][\w]*(?:\.[^\W\d][\w]*)*)\1")


def _dynamic(source: bytes) -> List[Import]:
    """A module loaded by a call with a literal name, as `import a.b` (it runs `a` and `a.b`; the
    name it binds is only a superset's). Its indent is 1: not a module-level statement."""
    out = []
    for m in _DYNAMIC.finditer(source):
        out.append(Import(0, None, ((m.group(2).decode("utf-8", "replace"), ""),), 1, source.count(b"\n", 0, m.start()) + 1))
    return out


def _split_names(names: bytes) -> Tuple[Tuple[str, str], ...]:
    out = []
    for part in names.split(b","):
        words = part.split()
        out.append((words[0].decode("utf-8", "replace"), words[2].decode("utf-8", "replace") if len(words) == 3 else ""))
    return tuple(out)


def _names(source: bytes, pos: int, dotted: bool) -> Tuple[Tuple[str, str], ...]:
    """The names of `import a.b as c, d` (one line: one regex; otherwise token by token)."""
    m = _NAMES_LINE.match(source, pos)
    if m is not None:
        return _split_names(m.group(1))
    return _aliases(source, pos, False, dotted)


def _from_names(source: bytes, pos: int) -> Tuple[Tuple[str, str], ...]:
    """The names of `from m import x as y, z`, `import (..)` or `import *`."""
    pos = _SKIP.match(source, pos).end()
    if source.startswith(b"*", pos):
        return (("*", ""),)
    if source.startswith(b"(", pos):
        return _aliases(source, pos + 1, True, dotted=False)
    m = _NAMES_LINE.match(source, pos)
    if m is not None and b"." not in m.group(1):
        return _split_names(m.group(1))
    return _aliases(source, pos, False, dotted=False)


def _aliases(source: bytes, pos: int, parenthesised: bool, dotted: bool) -> Tuple[Tuple[str, str], ...]:
    skip = _SKIP_ALL if parenthesised else _SKIP
    word = _DOTTED if dotted else _NAME
    out = []
    while True:
        pos = skip.match(source, pos).end()
        m = word.match(source, pos)
        if not m:
            break
        name, pos = _clean(m.group()), m.end()
        alias = ""
        a = (_AS_ALL if parenthesised else _AS).match(source, skip.match(source, pos).end())
        if a:
            alias, pos = a.group(1).decode("utf-8", "replace"), a.end()
        out.append((name, alias))
        pos = skip.match(source, pos).end()
        if not source.startswith(b",", pos):
            break
        pos += 1
    return tuple(out)
