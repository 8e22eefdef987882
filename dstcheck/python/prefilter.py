"""The Python half of the prefilter: whether a file's bytes could hold a site.

A call or reference resolves to a banned path only through an import of its top-level module
(`import time`, `from numpy import random`, `__import__("time")`), so besides every segment of
the path the file must import that module; names imported from the project's own modules are
the project index's question (`Project.keeps`). A set iteration needs a set to come from somewhere in the file:
`set`, `frozenset`, `WeakSet` (one word: no `set` in it), a set annotation, `defaultdict(set)`, a set display or comprehension outside strings and
comments, a set operation on a mapping's keys or items (`a.keys() & b.keys()`), or `asyncio`
and `wait` or `all_tasks` (`asyncio.wait` returns two sets of tasks, `asyncio.all_tasks` one). An order
taken from `id()` / `hash()` needs a call of one or `key=id` / `key=hash`.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Optional

from functools import lru_cache

SET_WORDS = frozenset({b"set", b"frozenset", b"Set", b"FrozenSet", b"MutableSet"})
_STRINGS = re.compile(
    rb"'''(?:[^\\']|\\.|'(?!''))*(?:'''|$)|\"\"\"(?:[^\\\"]|\\.|\"(?!\"\"))*(?:\"\"\"|$)|'(?:[^'\\\n]|\\.)*'?|\"(?:[^\"\\\n]|\\.)*\"?|#[^\n]*",
    re.S,
)
# `{` then either a lone `*` (`{*a, *b}`) or content with no dict colon up to `}`, `for`, `[` or
# `lambda` (after which a colon no longer tells a dict).
_SET_DISPLAY = re.compile(rb"\{\s*(?:\*(?!\*)|(?:[^{}:\s*]|:=)(?:[^{}:]|:=)*?(?:\}|\bfor\b|\[|\blambda\b))")
_SET_CALL = re.compile(rb"[sS]et\s*[(\[]")
_SET_FACTORY = re.compile(rb"(?:default_factory\s*=|defaultdict\s*\()\s*(?:frozen)?set\b")  # `field(default_factory=set)`, `defaultdict(set)`
# `a.keys() & b.keys()`, `d.items() - seen`, `known | d.keys()`: a set operation on a mapping view
_VIEW_SET_OP = re.compile(rb"\.(?:keys|items)\(\s*\)\s*\)*\s*[-&|^]|[-&|^]=?\s*\(*\s*[\w.]+\.(?:keys|items)\(\s*\)")
_SET_ANNOTATION = re.compile(rb"(?::|->)\s*(?:typing\.)?(?:[fF]rozen|Mutable)?[sS]et\b")
_IDENT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_IDENT_DOT = _IDENT | {46}
_SEPARATE = bytes(c if c in _IDENT else 32 for c in range(256))
_IDENTITY_CALLS = (re.compile(rb"id\s*\("), re.compile(rb"hash\s*\("))
_IDENTITY_KEY = re.compile(rb"key\s*=\s*(?:id|hash)\b")


def may_hold_site(plan, source: bytes, words: Optional[FrozenSet[bytes]] = None) -> bool:
    if words is None:
        words = frozenset(source.translate(_SEPARATE).split())
    if any(m in words for m in plan.methods):
        return True
    for top, segments in _segments(plan.banned):
        if segments <= words and _imports(top)(source):
            return True
    if plan.identity and (b"id" in words or b"hash" in words) and _identity(source):
        return True
    if plan.sets and SET_WORDS & words and _set_source(source):
        return True
    if plan.sets and b"WeakSet" in words:
        return True  # `weakref.WeakSet(..)`, `ws: WeakSet[T]`
    if plan.sets and (b"wait" in words or b"all_tasks" in words) and b"asyncio" in words:
        return True  # `done, pending = await asyncio.wait(..)`, `asyncio.all_tasks()`: sets of tasks
    if plan.sets and (b"keys" in words or b"items" in words) and _VIEW_SET_OP.search(source):
        return True
    if plan.sets and b"{" in source and _SET_DISPLAY.search(_STRINGS.sub(b"S", source)):
        return True
    return False


def _set_source(source: bytes) -> bool:
    """`set(..)` or `frozenset(..)` (not `obj.set(..)`), `set[..]` / `Set[..]`, a set annotation,
    `default_factory=set`, `defaultdict(set)`: regexes that start with a literal find the candidates, a look at the
    byte before decides (the common forms first: most files are decided by the first)."""
    for m in _SET_CALL.finditer(source):
        text, start = m.group(), m.start()
        for prefix in (b"frozen", b"Frozen", b"Mutable"):
            if source[max(0, start - len(prefix)):start] == prefix:
                start -= len(prefix)
                break
        before = source[start - 1] if start else 32
        if before in _IDENT or (before == 46 and text.endswith(b"(")):
            continue  # `reset(`, `offset[`, `obj.set(`
        return True
    return _SET_FACTORY.search(source) is not None or _SET_ANNOTATION.search(source) is not None


@lru_cache(maxsize=None)
def _imports(module: str):
    """Whether a source imports top-level module `module` (`import a, module`, `from module.x
    import ..`, `__import__("module")`, `import_module("module.x")`); each pattern starts with a
    literal, which the regex engine scans for fast."""
    gap = rb"(?:[ \t]|\\\n)"
    name = re.escape(module.encode()) + rb"\b"
    plain = re.compile(rb"import" + gap + rb"+(?:[\w.]+(?:" + gap + rb"+as" + gap + rb"+\w+)?" + gap + rb"*," + gap + rb"*)*" + name)
    from_ = re.compile(rb"from" + gap + rb"+" + name)
    # `__import__("time")`, `importlib.import_module("time")`: a literal name, any string prefix
    dynamic = re.compile(rb"import(?:__|_module)\s*\(\s*[rRbBuU]{0,2}['\"]" + name)
    return lambda source: plain.search(source) is not None or from_.search(source) is not None or dynamic.search(source) is not None


@lru_cache(maxsize=64)
def _segments(banned) -> tuple:
    return tuple((p.split(".")[0], frozenset(x.encode() for x in p.split("."))) for p in banned)


def _identity(source: bytes) -> bool:
    """A call of `id(..)` or `hash(..)` that is not a method or a longer name, or `key=id`."""
    for pattern in _IDENTITY_CALLS:
        for m in pattern.finditer(source):
            if not m.start() or source[m.start() - 1] not in _IDENT_DOT:
                return True
    return _IDENTITY_KEY.search(source) is not None
