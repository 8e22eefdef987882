"""A byte-level sketch of a Rust file, made without parsing it.

It lists the names the file binds to other paths (`use` trees, `type` aliases, `extern crate`),
its file `mod` declarations, the names it declares with one of a few tracked types (fields,
parameters, locals and function returns typed `HashMap`, `Instant`, ...) and the words of its
`impl` headers (the types it may implement methods for). The sketch is
deliberately over-approximate: block comments and strings count, cfg is ignored, nesting is
ignored (line comments, doc examples among them, do not: they bind nothing). The index uses it
only to decide which files and which words can matter for a site in another file; what a name
really resolves to is always decided on the syntax tree.

Cost is proportional to the keywords found (bytes.find), not to the file's size.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Tuple

from dstcheck.stages.prefilter import word_positions

TOKEN = re.compile(rb"r#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|::|[{},*;]")
MAX_STATEMENT = 8192  # a `use` tree longer than this is cut (the sketch only over-approximates)


def use_tree(text: bytes) -> Tuple[List[Tuple[str, List[str]]], List[List[str]]]:
    """(name, target segments) for each leaf of a `use` tree's text, and the glob targets.
    Iterative, so a tree nested a thousand braces deep costs nothing special."""
    leaves: List[Tuple[str, List[str]]] = []
    globs: List[List[str]] = []
    prefixes: List[List[str]] = [[]]
    current: List[str] = []
    alias = None
    expect_alias = False

    def emit():
        nonlocal current, alias
        segs = prefixes[-1] + current
        if current:
            if segs[-1] == "self":
                segs = segs[:-1]
            name = alias or (segs[-1] if segs else None)
            if name and name != "_" and segs:
                leaves.append((name, segs))
        current, alias = [], None

    for raw in TOKEN.findall(text):
        tok = raw.decode("ascii", "replace")
        if expect_alias:
            alias, expect_alias = tok.removeprefix("r#"), False
        elif tok == "as":
            expect_alias = True
        elif tok == "::":
            continue
        elif tok == "{":
            prefixes.append(prefixes[-1] + current)
            current = []
        elif tok == ",":
            emit()
        elif tok == "}":
            emit()
            if len(prefixes) > 1:
                prefixes.pop()
        elif tok == "*":
            globs.append(prefixes[-1] + current)
            current = []
        elif tok == ";":
            break
        else:
            current.append(tok.removeprefix("r#"))
    emit()
    return leaves, globs


def _statement(source: bytes, start: int) -> bytes:
    end = source.find(b";", start, start + MAX_STATEMENT)
    return source[start:end if end != -1 else start + MAX_STATEMENT]


TYPE_ALIAS = re.compile(rb"type\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^=;]*>)?\s*=\s*&?\s*(?:'\w+\s+)?(?:mut\s+)?((?:::)?[A-Za-z_][A-Za-z0-9_]*(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)*)")
EXTERN = re.compile(rb"extern\s+crate\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+as\s+([A-Za-z_][A-Za-z0-9_]*))?")
MOD_DECL = re.compile(rb"mod\s+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)\s*;")
PATH_ATTR = re.compile(rb'(#\[\s*(?:cfg_attr\s*\([^\]]*?,\s*)?path\s*=\s*"(?:[^"\\]|\\.)*"\s*\)?\s*\])\s*(?:pub(?:\s*\([^)]*\))?\s+)?$')
WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


PUB_BEFORE = re.compile(rb"\bpub\s*(?:\([^)]*\)\s*)?$")


def _public(source: bytes, i: int) -> bool:
    """`pub` (of any kind) right before the keyword at `i`: the binding can be imported elsewhere.
    A private one is visible only in its module and the modules below it."""
    return PUB_BEFORE.search(source, max(0, i - 40), i) is not None


def _keywords(source: bytes, word: bytes):
    """Offsets of a keyword outside line comments: in `// ..` and `/// ..` (doc examples
    included) it binds nothing, and English words such as "use" and "type" are common there."""
    for i in word_positions(source, word):
        if source.find(b"//", source.rfind(b"\n", 0, i) + 1, i) == -1:
            yield i


def sketch(source: bytes, tracked: Iterable[str] = ()) -> Dict[str, list]:
    """`binds`: [name, target segments, public]; `globs`: [target, public]; `mods`: [name, the
    text of its `#[path]` / `#[cfg_attr(.., path)]` attribute or None]; `typed`: [name, word,
    kind] for names declared with a `tracked` type word; `impls`: the words of its impl headers."""
    binds: List[list] = []
    globs: List[list] = []
    for i in _keywords(source, b"use"):
        text = _statement(source, i + 3)
        leaves, found = use_tree(text)
        public = _public(source, i)
        binds.extend([name, segs, public] for name, segs in leaves)
        globs.extend([segs, public] for segs in found)
    for i in _keywords(source, b"type"):
        m = TYPE_ALIAS.match(source, i)
        if m:  # the aliased type's path, without its arguments
            binds.append([m.group(1).decode(), [w.decode() for w in WORD.findall(m.group(2))], _public(source, i)])
    for i in _keywords(source, b"extern"):
        m = EXTERN.match(source, i)
        if m:
            binds.append([(m.group(2) or m.group(1)).decode(), [m.group(1).decode()], _public(source, i)])
    mods: List[list] = []
    for i in _keywords(source, b"mod"):
        m = MOD_DECL.match(source, i)
        if m:
            attr = PATH_ATTR.search(source, max(0, i - 300), i)
            mods.append([m.group(1).decode(), attr.group(1).decode() if attr else None])  # the attribute's text
    return {"binds": binds, "globs": globs, "mods": mods, "typed": typed_names(source, tracked), "impls": impl_words(source)}


IMPL_HEADER_END = re.compile(rb"[{;]")
NOT_TYPES = frozenset(("impl", "for", "where", "dyn", "mut", "const", "unsafe", "default", "as", "fn", "crate", "self", "super", "Self"))
MAX_HEADER = 2000


def impl_words(source: bytes) -> List[str]:
    """The words of every `impl` header (from `impl` to its `{` or `;`): the self type's name is
    among them, with the trait's, the generics' and the bounds' (over-approximate on purpose).
    The index lists, per crate, the files whose impls may be of a type by that name."""
    out = set()
    for i in _keywords(source, b"impl"):
        end = IMPL_HEADER_END.search(source, i + 4, i + 4 + MAX_HEADER)
        header = source[i + 4:end.start() if end else i + 4 + MAX_HEADER]
        out.update(w.decode() for w in WORD.findall(header))
    return sorted(out - NOT_TYPES)


# -- typed names -----------------------------------------------------------------------------------
# Just before a tracked type word: `name: &mut Arc<RwLock<` (a field, parameter or annotated
# local), `let name = ` / `let mut name: ... = ` (a constructor such as `HashMap::new()`), or a
# function's `-> ` (its return type).
ANNOTATED = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:[&*]\s*(?:'[A-Za-z_]\w*\s+)?(?:mut\s+|const\s+)?|[A-Za-z_][\w:]*\s*<\s*|\(\s*)*(?:[A-Za-z_]\w*\s*::\s*)*$")
LET = re.compile(rb"let\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)\b[^;{}]*$")
RETURNS = re.compile(rb"fn\s+([A-Za-z_][A-Za-z0-9_]*)[^;{}]*->[^;{}]*$")
TUPLE_HEAD = re.compile(rb"struct\s+[A-Za-z_][A-Za-z0-9_]*\s*(?:<[^;{}]*?>)?\s*\(")
LOOKBACK = 400


BRACKETS = re.compile(rb"[()\[\]<>{};]")


def _declaration_kind(source: bytes, i: int) -> str:
    """What an annotated name at `i` declares: "field" (inside a struct's braces, or unsure) or
    "param" (inside parentheses). Walks back over balanced brackets (only the brackets are
    visited: the regex finds them at C speed)."""
    depth = 0
    for m in reversed(BRACKETS.findall(source, max(0, i - 2000), i)):
        if m in b")]>":
            depth += 1
        elif m in b"([<":
            if depth == 0:
                return "param" if m == b"(" else "field"
            depth -= 1
        elif depth == 0:  # `{`, `}` or `;` at the name's own level
            return "field"
    return "field"


def _tuple_field(source: bytes, low: int, i: int):
    """The position of the tuple-struct field whose type holds offset `i`, or None. The text
    from `struct Name(` to `i` must stay inside those parentheses (`[u8; 2]` may hold a `;`);
    commas inside generics, tuples and arrays do not count."""
    start = source.rfind(b"struct", low, i)
    m = TUPLE_HEAD.match(source, start) if start >= 0 else None
    if m is None:
        return None
    depth = count = 0
    for c in source[m.end():i]:
        if c in b"(<[":
            depth += 1
        elif c in b")>]":
            depth -= 1
            if depth < 0:
                return None
        elif c in b"{};" and depth == 0:
            return None
        elif c == 44 and depth == 0:
            count += 1
    return count


def typed_names(source: bytes, words: Iterable[str]) -> List[List[str]]:
    """[name, word, kind] for each name declared with a type that mentions one of `words`:
    kind "field" (a struct field; also when unsure), "param", "let" (a local, annotated or bound
    to an expression that mentions the word) or "fn" (a function returning it). Fields and
    functions can be reached from other files; parameters and locals cannot."""
    out = set()
    for word in words:
        for i in word_positions(source, word.encode()):
            # Each pattern's match ends at the word and holds none of `;{}` (nor, for an
            # annotation, `=,)>`): searching only the text after the last of those is the same
            # search, over tens of bytes instead of LOOKBACK.
            low = max(0, i - LOOKBACK)
            statement = max(low - 1, source.rfind(b";", low, i), source.rfind(b"{", low, i), source.rfind(b"}", low, i)) + 1
            before = source[statement:i]
            m = RETURNS.search(before) if b"fn" in before else None
            if m:
                out.add((m.group(1).decode(), word, "fn"))
                continue
            m = LET.search(before) if b"let" in before else None
            if m:
                out.add((m.group(1).decode(), word, "let"))
                continue
            position = _tuple_field(source, low, i)
            if position is not None:  # `struct W(u8, pub Instant)`: the field is named by its position, here 1
                out.add((str(position), word, "field"))
                continue
            start = max(statement - 1, *(before.rfind(c) + statement for c in (b"=", b",", b")", b">"))) + 1
            if b":" not in source[start:i]:
                continue
            m = ANNOTATED.search(source, start, i)
            if m:
                out.add((m.group(1).decode(), word, _declaration_kind(source, m.start(1))))
    return [list(x) for x in sorted(out)]
