"""Facts that need a receiver's type: an iteration whose order escapes (DST108) and a method that
reads the clock inside (`t.elapsed()` on a std `Instant`, DST101).

Each candidate becomes a *record* (plain data: the receiver's type query and how the order is
used). `finish` answers the record with an `types.Evaluator`; when the answer needs another
file's declarations it raises `NeedsOtherFile`, and the record waits for the index.
"""

from __future__ import annotations

import re
from typing import List, Optional

from dstcheck.model import Fact
from dstcheck.rust import order, types
from dstcheck.stages.prefilter import _SEPARATE, word_positions, words_of

FOR = "for"


class Triggers(dict):
    """Words that start a typed candidate -> the fact kind they start; `traits` holds, for the
    trait-method matchers, each method name -> the paths of the traits that provide it (a word
    may start an iteration and a trait-method call both: `par_iter`)."""

    traits: dict

    def __init__(self):
        super().__init__()
        self.traits = {}


def triggers(rules) -> Triggers:
    """Words that start a typed candidate -> the fact kind they start, for these rules."""
    out = Triggers()
    for rule in rules:
        for m in rule.matchers:
            if m.kind == "hash-iteration":
                out.update({w: "iteration" for w in order.ITERATION_METHODS | order.CONSUMERS | order.FLATTENING | order.RETAINING})
                out[FOR] = "iteration"
            elif m.kind == "typed-method":
                out.update({w: "typed-method" for w in m.params.get("methods", ())})
            elif m.kind == "trait-method":
                for w in m.params.get("methods", ()):
                    out.traits.setdefault(w, set()).update(m.params.get("traits", ()))
    for w in out.traits:
        out.setdefault(w, "trait-method")
    return out


KEEPING = types.SAME_TYPE | types.GUARDS | types.UNWRAP
# Methods that give what their receiver holds (`v.first()`, `o.unwrap_or_default()`): a receiver
# scan walks through them, and a `let` value ending in one may be typed by what it is called on
# (or by the method itself, when a crate declares one of that name)
HOLDING = types.SEQUENCE_ACCESSORS | types.HELD_VALUE | types.HELD_KEPT
MADE = frozenset(p.rsplit("::", 1)[-1] for p in types.MADE_BY)  # `now`: `Instant::now()` is an `Instant`
_CONSTANTS = tuple(sorted({(c.rsplit("::", 1)[-1], t.rsplit("::", 1)[-1]) for c, t in types.CONSTANTS.items()}))
IDENT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _skip_space(source: bytes, i: int) -> int:
    while i < len(source) and source[i] in b" \t\r\n":
        i += 1
    return i


def _skip_group(source: bytes, i: int, open_: int, close: int) -> int:
    """Past a balanced (..) or <..> starting at i; -1 when it does not close within reach."""
    depth, end = 0, min(len(source), i + 4000)
    while i < end:
        c = source[i]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        elif c in b";{}":
            return -1
        i += 1
    return -1


def _ident(source: bytes, i: int):
    j = i
    while j < len(source) and source[j] in IDENT:
        j += 1
    return source[i:j].decode("ascii", "replace"), j


def receiver_use(source: bytes, names, methods, loops: bool, accessed: frozenset = frozenset()) -> bool:
    """Whether one of `names` is used as a receiver the way the analysis could prove: followed by
    `::path` segments, calls and type-keeping methods (`.clone()`, `.read()`, `.lock()`,
    `.unwrap()`, `?`), then `.method(` for one of `methods`; or (with `loops`) as the whole
    iterable of a `for` loop (`in &m {`, `in self.m {`) or the argument of `extend(` / `from_iter(`. A name in `accessed` (another file's
    field or function) counts only where it is one: after `.` or `::`, or called. A linear scan
    after each occurrence: it decides what gets parsed, so it may say yes too often, never too
    seldom."""
    for name, start in _occurrences(source, names):
        if name in accessed and not _accessed_at(source, start, len(name)):
            continue  # a bare `name` here is a local of this file, typed by this file's own words
        if loops and _consumed_at(source, start):
            return True
        i = _skip_space(source, start + len(name))
        for _ in range(32):
            if source[i:i + 2] == b"::":
                i = _skip_space(source, i + 2)
                if source[i:i + 1] == b"<":
                    i = _skip_group(source, i, 60, 62)
                else:
                    _, i = _ident(source, i)
            elif source[i:i + 1] == b"(":
                i = _skip_group(source, i, 40, 41)
            elif source[i:i + 1] == b"[":  # `levels[0].keys()`: an element of what the name holds
                i = _skip_group(source, i, 91, 93)
            elif source[i:i + 1] in (b"?", b")"):
                i += 1
            elif source[i:i + 1] == b".":
                word, j = _ident(source, _skip_space(source, i + 1))
                if word in methods:
                    return True
                if word not in KEEPING and word not in HOLDING:
                    break
                i = j
            else:
                break
            if i < 0:
                break
            i = _skip_space(source, i)
        if loops and i >= 0 and source[i:i + 1] == b"{" and _iterable_ends_with(source, start):
            return True
    return False


def _before_operand(source: bytes, start: int) -> int:
    """The offset just before `[&[mut]] [a.b.]NAME` ending at the name that starts at `start`."""
    j = start
    while j > 0 and (source[j - 1] in IDENT or source[j - 1] in b"."):
        j -= 1
    k = j
    while k > 0 and source[k - 1] in b" \t\r\n&":
        k -= 1
    if source[k - 3:k] == b"mut":
        k -= 3
        while k > 0 and source[k - 1] in b" \t\r\n&":
            k -= 1
    return k


def _consumed_at(source: bytes, start: int) -> bool:
    """`extend(&[mut] [a.]NAME`, `from_iter(NAME`: the collection itself is the iterator passed on."""
    k = _before_operand(source, start)
    if source[k - 1:k] != b"(":
        return False
    k -= 1
    while k > 0 and source[k - 1] in b" \t\r\n":
        k -= 1
    return any(source[k - len(w):k] == w and (k - len(w) == 0 or source[k - len(w) - 1] not in IDENT) for w in (b"extend", b"from_iter"))


IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _accessed_at(source: bytes, start: int, size: int) -> bool:
    """Whether the name at `start` is a field or path segment (`.name`, `::name`) or a call
    (`name(`, `name::<T>(`)."""
    j = start
    while j > 0 and source[j - 1] in b" \t\r\n":
        j -= 1
    if j and source[j - 1] in b".:":
        return True
    i = _skip_space(source, start + size)
    return source[i:i + 1] == b"(" or source[i:i + 3] == b"::<"


def _occurrences(source: bytes, names):
    """(name, offset) of each whole-word occurrence of one of `names`: a find per name for a
    few, one pass over the file's identifiers for many (a typed file can ask about hundreds)."""
    if len(names) <= 8:
        return [(name, start) for name in names for start in word_positions(source, name.encode())]
    wanted = {name.encode(): name for name in names}
    return [(wanted[m.group()], m.start()) for m in IDENTIFIER.finditer(source) if m.group() in wanted]


def _iterable_ends_with(source: bytes, start: int) -> bool:
    """`for pat in [&[mut]] [a.b.]NAME {`: the name ends a `for` loop's iterable."""
    k = _before_operand(source, start)
    return source[k - 2:k] == b"in" and (k - 3 < 0 or source[k - 3] not in IDENT)


def may_hold(source: bytes, vocabulary, rules, sketched=None, workspace=None, path: str = "") -> bool:
    """The prefilter for typed rules: a tracked type word, a name this file declares with one, or
    a field or function another file declares with one (the index's typed names, and the names
    bound to those types), used as a receiver of the rule's methods, or as a loop's iterable."""
    from dstcheck.rust import sketch as sketch_mod

    key = tuple(sorted(r.id for r in rules))
    if not _trait_words(key, rules).isdisjoint(vocabulary):
        return True  # `v.par_iter()`: whether the trait is in scope (a glob, a rename, a re-export) is for the parse
    plan = _plan(key, rules)
    if plan is None:
        return False
    words, methods, loops, ids, via = plan
    if any(w.encode() in vocabulary and not vocabulary.isdisjoint(m) for w, m in via.items()):
        return True  # `Builder::new_current_thread().build()?.spawn_blocking(..)`: a chain the scan below does not follow
    typed = sketched.get("typed") if sketched is not None else sketch_mod.typed_names(source, sorted(words))
    names = {w for w in words if w.encode() in vocabulary}
    accessed = set()
    if workspace is not None:
        accessed, hot = workspace.typed_words_in(path, ids, vocabulary)
        names |= hot
        if hot - words:  # `m: &FxMap<..>`, `fn f() -> Plain`: names declared with an alias of a tracked type
            typed = [*typed, *sketch_mod.typed_names(source, sorted(hot - words))]
    names |= {name for name, word, _kind in typed if name.encode() in vocabulary}
    names |= {c for c, t in _CONSTANTS if t in words and c.encode() in vocabulary}  # `let e = UNIX_EPOCH;`
    accessed -= names
    if not names and not accessed:
        return False
    names |= _lets_through(source, names, accessed)
    accessed -= names
    return receiver_use(source, sorted(names | accessed), methods, loops, frozenset(accessed))


_PLANS: dict = {}
_TRAIT_WORDS: dict = {}


def _trait_words(key: tuple, rules) -> frozenset:
    """The method names of the trait-method matchers among `rules`, as bytes, memoised."""
    if key not in _TRAIT_WORDS:
        _TRAIT_WORDS[key] = frozenset(w.encode() for r in rules for m in r.matchers if m.kind == "trait-method" for w in m.params.get("methods", ()))
    return _TRAIT_WORDS[key]


def _plan(key: tuple, rules):
    """(type words, methods, loops?, rule ids, {word of a type that leads to a typed-method's type:
    the method names, as bytes}) of the typed matchers among `rules`, memoised."""
    if key not in _PLANS:
        words, via = {}, {}
        for rule in rules:
            for m in rule.matchers:
                if m.kind in ("hash-iteration", "typed-method"):
                    for name in ("maps", "sets", "types"):
                        for p in m.params.get(name, ()):
                            words.setdefault(p.rsplit("::", 1)[-1], set()).add(rule.id)
                if m.kind == "typed-method":
                    for word in types.leading_to(m.params.get("types", ())):
                        via.setdefault(word, set()).update(x.encode() for x in m.params.get("methods", ()))
        wanted = triggers(rules)
        _PLANS[key] = (frozenset(words), frozenset(w for w in wanted if w != FOR), FOR in wanted, frozenset(r.id for r in rules), {w: frozenset(m) for w, m in sorted(via.items())}) if words else None
    return _PLANS[key]


# `let [mut] name[: T] = value`, and `[if|while] let Some(name) = value {`, `let Ok(name) = value else {`
LET = re.compile(rb"\blet\s+(?:(Some|Ok)\s*\(\s*(?:&\s*)?(?:ref\s+)?)?(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?(1)\))\s*(:[^;=]*)?=([^;]*)")
_VALUE_END = re.compile(rb"\{|\belse\b")


def _lets_through(source: bytes, names: set, accessed: set) -> set:
    """Locals whose type may come from one of `names` (or, used as a field or a call, of
    `accessed`), to fixpoint: an annotated `let` by its annotation, else by how the evaluator
    types its value (`types.QueryBuilder.of`): a chain `a.b.c()` ends in the name, past methods
    that keep a type (`let g = self.map.read().unwrap();`)."""
    if b"let" not in source:
        return set()
    lets = []  # [name, the words of its annotation or value, (bare, formed) once worked out]
    for m in LET.finditer(source):
        annotation, value = m.group(3), m.group(4)
        if m.group(1):  # the value ends where the `if let` block or the `let .. else` begins
            end = _VALUE_END.search(value)
            value = value[:end.start()] if end else value
        words = set((annotation or value).translate(_SEPARATE).split())
        lets.append([m.group(2).decode(), words, (words, set()) if annotation else value])
    found = set()
    free = {n.encode() for n in names}
    reached = {n.encode() for n in accessed} | free
    changed = True
    while changed:
        changed = False
        for entry in lets:
            name, words, ends = entry
            if name in found or name in names or reached.isdisjoint(words):
                continue  # a value that mentions no candidate cannot end in one
            if not isinstance(ends, tuple):
                ends = entry[2] = _chain_ends(ends)
            bare, formed = ends
            if not free.isdisjoint(bare) or not reached.isdisjoint(formed):
                found.add(name)
                free.add(name.encode())
                reached.add(name.encode())
                changed = True
    return found


def _chain_ends(value: bytes):
    """(words that type the value if bare, words that type it as a field, path or call): what a
    `let` value's type can come from. Only a chain of paths, fields and calls has a type the
    evaluator knows; a value cut short by a `;` inside it keeps every word it holds."""
    n = len(value)
    i = _skip_space(value, 0)
    while i < n and (value[i:i + 1] in (b"&", b"*", b"(") or (value.startswith(b"mut", i) and value[i + 3:i + 4] not in IDENT)):
        i = _skip_space(value, i + (3 if value.startswith(b"mut", i) else 1))
    segments, fish = [], set()  # [word, written as a field, path or call?, called?]
    added = False  # `Instant::now() + d`: the chain left of a `+` types the value
    while i < n and not added:
        if value[i] not in IDENT:
            return _everything(value)  # `<T as U>::f()` and other forms this scan does not read
        word, i = _ident(value, i)
        after = _skip_space(value, i)
        called = value[after:after + 1] == b"(" or value[after:after + 3] == b"::<"
        segments.append([word.encode(), bool(segments) or called or value[after:after + 2] == b"::", called])
        i = after
        while i < n:
            if value[i:i + 2] == b"::":
                i = _skip_space(value, i + 2)
                if value[i:i + 1] == b"<":
                    j = _skip_group(value, i, 60, 62)
                    if j < 0:
                        return _everything(value)
                    fish |= set(value[i:j].translate(_SEPARATE).split())
                    i = _skip_space(value, j)
                    continue
                break
            if value[i:i + 1] in (b"(", b"["):  # a call's arguments, an index
                j = _skip_group(value, i, 40, 41) if value[i:i + 1] == b"(" else _skip_group(value, i, 91, 93)
                if j < 0:
                    return _everything(value)
                i = _skip_space(value, j)
            elif value[i:i + 1] in (b"?", b")"):
                i = _skip_space(value, i + 1)
            elif value[i:i + 1] == b".":
                i = _skip_space(value, i + 1)
                break
            elif value[i:i + 1] == b"{":
                return _everything(value)  # a struct literal or a block: the words decide
            elif value[i:i + 1] == b"+" and value[i + 1:i + 2] != b"=":
                added = True
                break
            else:
                return set(), set()  # an operator, a cast, a macro: the evaluator types none of these
    while segments and segments[-1][2] and segments[-1][0].decode() in KEEPING:
        segments.pop()  # `.clone()`, `.read()`, `.unwrap()`: the type of what they are called on
    if not segments:
        return set(), set()
    ends = [segments[-1]]
    if (segments[-1][0].decode() in types.CONSTRUCTORS or segments[-1][0].decode() in MADE) and len(segments) >= 2:
        ends.append(segments[-2])
    k = len(segments) - 1
    while k >= 1 and segments[k][2] and segments[k][0].decode() in HOLDING:
        k -= 1  # `v.first()`: maybe an element of what `v` holds
        while k >= 1 and segments[k][2] and segments[k][0].decode() in KEEPING:
            k -= 1
        ends.append(segments[k])
    collected = fish if segments[-1][0] == b"collect" else set()
    return {w for w, _, _ in ends} | collected, {w for w, formed, _ in ends if formed} | collected


def _everything(value: bytes):
    words = set(value.translate(_SEPARATE).split())
    return words, words


# -- macro arguments -------------------------------------------------------------------------------
# A macro's arguments are a token tree to tree-sitter: `println!("{:?}", t.elapsed())` holds the
# tokens `t . elapsed ( )`, not a method call. For the typed rules the token tree's text is parsed
# again as code, at its own offsets: as a block of statements (`tokio::select!` arm bodies,
# `vec![x; n]`), else as a list of arguments (`println!`, `assert!`, `vec![..]`, `tracing` fields,
# whose `?` / `%` sigils and `target:` prefixes are blanked first). A token tree that reads as
# neither (`tokio::select! { biased; _ = tick() => { .. } }`) has its inner token trees tried in
# turn, and every identifier written before one in the enclosing tokens is taken as bound there
# (`Some(m) = rx.recv() => { m.keys() }`: `m` is not proven to be anything), so only a name the
# fragment binds itself, `self`, or a name none of those tokens spells is followed out of it.
# The fragment's nodes are presented as nodes of the file's tree (`Graft`): their offsets are the
# file's, and their outermost block's parent is the token tree, so declarations, scopes, `self`
# and the cfg context are found as for any other expression. `macro_rules!` bodies (bound where
# expanded), `stringify!` (only text) and `quote!` (code generated for elsewhere) are not re-parsed.
_PREFIX = b"fn __dst() { ("  # the block wrapper is its first 12 bytes, the argument wrapper all 14
_SUFFIX = b") }"  # the block wrapper ends with its last byte, the argument wrapper with all 3
_WRAPPERS = ((12, 1), (14, 3))
TEXT_MACROS = {"stringify", "quote", "quote_spanned", "parse_quote", "parse_quote_spanned"}  # tokens as text or as generated code
_MAX_FRAGMENT_DEPTH = 8
_SERIAL = [0]


class _Fragment:
    __slots__ = ("tree", "top", "anchor", "hidden", "lo", "hi", "serial", "starts")

    def point(self, offset: int):
        from bisect import bisect_right

        row = bisect_right(self.starts, offset) - 1
        return (row, offset - self.starts[row])


class Graft:
    """A node of a re-parsed macro fragment, seen as a node of the file's tree (see above)."""

    __slots__ = ("node", "frag")

    def __init__(self, node, frag):
        self.node, self.frag = node, frag

    def _wrap(self, n):
        return Graft(n, self.frag) if n is not None else None

    def _top(self) -> bool:
        return self.node.id == self.frag.top.id

    @property
    def id(self):
        return (self.frag.serial, self.node.id)

    @property
    def start_byte(self) -> int:
        return min(max(self.node.start_byte - len(_PREFIX), self.frag.lo), self.frag.hi)

    @property
    def end_byte(self) -> int:
        return min(max(self.node.end_byte - len(_PREFIX), self.frag.lo), self.frag.hi)

    @property
    def byte_range(self):
        return (self.start_byte, self.end_byte)

    @property
    def start_point(self):
        return self.frag.point(self.start_byte)

    @property
    def end_point(self):
        return self.frag.point(self.end_byte)

    @property
    def parent(self):
        return self.frag.anchor if self._top() else self._wrap(self.node.parent)

    @property
    def hidden(self):
        return self.frag.hidden if self._top() else ()

    @property
    def children(self):
        return [Graft(c, self.frag) for c in self.node.children]

    @property
    def named_children(self):
        return [Graft(c, self.frag) for c in self.node.named_children]

    def child(self, i):
        return self._wrap(self.node.child(i))

    def named_child(self, i):
        return self._wrap(self.node.named_child(i))

    def child_by_field_name(self, name):
        return self._wrap(self.node.child_by_field_name(name))

    def children_by_field_name(self, name):
        return [Graft(c, self.frag) for c in self.node.children_by_field_name(name)]

    def descendant_for_byte_range(self, start, end):
        return self._wrap(self.node.descendant_for_byte_range(start + len(_PREFIX), end + len(_PREFIX)))

    @property
    def next_sibling(self):
        return None if self._top() else self._wrap(self.node.next_sibling)

    @property
    def prev_sibling(self):
        return None if self._top() else self._wrap(self.node.prev_sibling)

    @property
    def next_named_sibling(self):
        return None if self._top() else self._wrap(self.node.next_named_sibling)

    @property
    def prev_named_sibling(self):
        return None if self._top() else self._wrap(self.node.prev_named_sibling)

    def __getattr__(self, name):  # type, text, child_count, is_named, has_error, ...
        return getattr(self.node, name)

    def __eq__(self, other):
        return isinstance(other, Graft) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"Graft({self.node.type}, {self.start_byte}..{self.end_byte})"


_FRAGMENT_PARSER: list = []


def _fragment_parser():
    if not _FRAGMENT_PARSER:
        import tree_sitter
        import tree_sitter_rust

        _FRAGMENT_PARSER.append(tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language())))
    return _FRAGMENT_PARSER[0]


def _macro_tree(node):
    """The outermost token tree of the macro invocation whose tokens hold `node`, or None (an
    attribute, a `macro_rules!` body, `stringify!`)."""
    tree = None
    n = node.parent
    while n is not None and n.type == "token_tree":
        tree, n = n, n.parent
    if tree is None or n is None or n.type != "macro_invocation":
        return None
    name = n.child_by_field_name("macro")
    if name is not None and name.text.decode("utf-8", "replace").rsplit("::", 1)[-1] in TEXT_MACROS:
        return None
    return tree


_BUFFER: list = [None, b""]  # the file most recently wrapped, and its buffer


def _buffer(source: bytes, tree) -> bytes:
    """The wrapped file's bytes with the token tree's macro-only argument syntax blanked: `?` /
    `%` in front of a value (`?t.elapsed()`, `%err`), a `name:` in front of an argument
    (`target: ..`). One buffer per file serves every token tree that has none."""
    blanks = []
    tokens = [c for c in tree.children[1:-1] if c.type not in ("line_comment", "block_comment")]
    for i, tok in enumerate(tokens):
        before = tokens[i - 1].type if i else ","
        if tok.type in ("?", "%") and before in (",", "="):
            blanks.append((tok.start_byte, tok.end_byte))
        elif tok.type == "identifier" and before == "," and i + 1 < len(tokens) and tokens[i + 1].type == ":":
            blanks.append((tok.start_byte, tokens[i + 1].end_byte))
    if _BUFFER[0] is not source:
        _BUFFER[0], _BUFFER[1] = source, _PREFIX + source + _SUFFIX
    if not blanks:
        return _BUFFER[1]
    out = bytearray(_BUFFER[1])
    for start, end in blanks:
        out[start + len(_PREFIX):end + len(_PREFIX)] = b" " * (end - start)
    return bytes(out)


def _fragments(parsed, tree, hidden=frozenset(), depth: int = 0) -> list:
    """The fragments (their top `Graft`) a macro's token tree reads as (see above)."""
    import tree_sitter

    if depth > _MAX_FRAGMENT_DEPTH or len(tree.children) < 2:
        return []
    lo, hi = tree.children[0].end_byte, tree.children[-1].start_byte
    buffer = _buffer(parsed.source, tree)
    starts = parsed.line_starts
    end = len(buffer)

    def point(offset):  # of an offset of the buffer, whose first row starts with the prefix
        frag_point = _Fragment.point(frag, offset - len(_PREFIX))
        return (frag_point[0], frag_point[1] + (len(_PREFIX) if frag_point[0] == 0 else 0))

    frag = _Fragment()
    frag.starts, frag.lo, frag.hi = starts, lo, hi
    parser = _fragment_parser()
    for head, tail in _WRAPPERS:
        ranges = [
            tree_sitter.Range((0, 0), (0, head), 0, head),
            tree_sitter.Range(point(lo + len(_PREFIX)), point(hi + len(_PREFIX)), lo + len(_PREFIX), hi + len(_PREFIX)),
            tree_sitter.Range(point(end - tail), point(end), end - tail, end),
        ]
        parser.included_ranges = ranges
        parsed_fragment = parser.parse(buffer)
        root = parsed_fragment.root_node
        if root.has_error or root.named_child_count != 1:
            continue
        body = root.named_children[0].child_by_field_name("body")
        if body is None:
            continue
        _SERIAL[0] += 1
        frag.tree, frag.top, frag.anchor, frag.hidden, frag.serial = parsed_fragment, body, tree, hidden, _SERIAL[0]
        return [Graft(body, frag)]
    out = []  # neither: the token trees inside, each with the names the tokens before it may bind
    seen = set(hidden)
    for child in tree.children[1:-1]:
        if child.type == "token_tree":
            out.extend(_fragments(parsed, child, frozenset(seen), depth + 1))
        stack = [child]
        while stack:
            n = stack.pop()
            if n.type == "identifier":
                seen.add(n.text.decode("utf-8", "replace"))
            stack.extend(n.children)
    return out


def _candidates(parsed, root, hits, nodes_by_kind, wanted, depth: int = 0) -> None:
    """The trigger words' nodes under `root` (the file's tree or a fragment's top), and those in
    the macro arguments there, through their fragments."""
    macros = {}
    lo, hi = root.start_byte, root.end_byte
    for i, word in hits:
        if i < lo or i + len(word) > hi:
            continue
        node = root.descendant_for_byte_range(i, i + len(word))
        if node is None or node.start_byte != i or node.end_byte != i + len(word):
            continue
        if node.parent is not None and node.parent.type == "token_tree":
            tree = _macro_tree(node)
            if tree is not None:
                macros.setdefault(tree.id, tree)
            continue
        nodes_by_kind[wanted[word]].append(node)
    if depth >= _MAX_FRAGMENT_DEPTH:
        return
    for tree in sorted(macros.values(), key=lambda t: t.start_byte):
        for top in _fragments(parsed, tree):
            _candidates(parsed, top, hits, nodes_by_kind, wanted, depth + 1)


def records(parsed, builder: types.QueryBuilder, wanted: dict) -> List[dict]:
    """Candidate records, each with the node it is reported at (`node`, not serialised)."""
    source = parsed.source
    present = words_of(source)
    nodes_by_kind = {"iteration": [], "typed-method": [], "trait-method": []}
    hits = sorted((i, word) for word in wanted if wanted[word] != "trait-method" and word.encode() in present for i in word_positions(source, word.encode()))
    _candidates(parsed, parsed.root, hits, nodes_by_kind, wanted)
    out = []
    if nodes_by_kind["iteration"]:
        for site, receiver, form, how in order.iteration_sites(parsed.root, parsed.text, nodes_by_kind["iteration"]):
            query = builder.iterated_element(receiver) if form in order.FLATTENING else builder.of(receiver)
            if query is None:
                continue
            out.append({
                "kind": "iteration",
                "method": form,
                "receiver": query,
                "verdict": how.verdict,
                "element": how.element,
                "sum_type": builder.type_node(site, how.sum_type) if how.sum_type is not None else None,
                "target": _target(builder, site, how),
                "then": [[builder.of(target), by_key, arity] for target, by_key, arity in how.then] if how.then else None,
                "node": site,
            })
    for node in nodes_by_kind["typed-method"]:
        parent = node.parent
        if node.type != "field_identifier" or parent is None or parent.type != "field_expression":
            continue
        call = parent.parent
        if call is None or call.type != "call_expression":
            continue
        query = builder.of(parent.child_by_field_name("value"))
        if query is not None:
            out.append({"kind": "typed-method", "method": parsed.text(node), "receiver": query, "node": call})
    out.extend(_trait_method_records(parsed, builder, getattr(wanted, "traits", {}), present))
    return out


def _trait_method_records(parsed, builder: types.QueryBuilder, traits: dict, present) -> List[dict]:
    """`recv.m(..)` for a method `m` of a trait-method matcher (in code or among a macro's
    tokens), with what the names of the traits that provide `m` resolve to where the call stands:
    the trait must be in scope for its method to be called. A call where none of them resolves
    to anything outside the file's own names is no record (a local method of that name)."""
    from dstcheck.rust import resolve
    from dstcheck.rust.names import External, Pending

    out = []
    source = parsed.source
    for method in sorted(traits):
        word = method.encode()
        if word not in present:
            continue
        wanted = frozenset(traits[method])
        names = sorted({t.rsplit("::", 1)[-1] for t in wanted})
        for start in word_positions(source, word):
            node = parsed.root.descendant_for_byte_range(start, start + len(word))
            if node is None or node.start_byte != start or node.end_byte != start + len(word) or node.type not in ("field_identifier", "identifier"):
                continue
            site = resolve.method_call(node, parsed.text)
            if site is None or resolve.under_attribute(node):
                continue
            handle, _, _ = site
            in_tokens = handle.type == "token_tree"
            results = resolve.traits_in_scope(builder.resolver, handle if in_tokens else node, names)
            paths = sorted({r.path for r in results if isinstance(r, External) and r.path in wanted})
            pending = sorted({(r.mode, r.module.crate, r.module.path, r.segs) for r in results if isinstance(r, Pending)})
            if not paths and not pending:
                continue
            module = builder.resolver.module_at(handle if in_tokens else node)
            out.append({
                "kind": "trait-method",
                "method": method,
                "paths": paths,
                "pending": [[mode, crate, list(path), list(segs)] for mode, crate, path, segs in pending],
                "origin": [module.crate, list(module.path)],
                "receiver": ["trait-scope"],
                "node": node if in_tokens else handle,  # in a macro's tokens, the site starts at the method's name
            })
    return out


def _trait_method_fact(record: dict, evaluator: types.Evaluator) -> Fact:
    """The trait-method fact of a record: its traits, with what the names that led into other
    files resolve to there (the index has every file's tables; before it, they wait)."""
    from dstcheck.rust.names import External, ModRef, Pending

    paths = set(record["paths"])
    if record["pending"]:
        origin = ModRef(record["origin"][0], tuple(record["origin"][1]))
        for mode, crate, path, segs in record["pending"]:
            found = evaluator.mres.resume(Pending(mode, ModRef(crate, tuple(path)), tuple(segs)), origin)
            if any(isinstance(r, Pending) for r in found):
                raise types.NeedsOtherFile()
            paths.update(r.path for r in found if isinstance(r, External))
    return Fact("trait-method", tuple(sorted(paths)), 0, 1, None, method=record["method"])


def _target(builder, site, how):
    if how.target is None:
        return None
    if how.verdict == "extend":
        return builder.of(how.target)
    if how.verdict == "inserts":  # [target query, by the loop's key, number of arguments]
        return [[builder.of(target), by_key, arity] for target, by_key, arity in how.target]
    if how.target.type in ("type_identifier", "scoped_type_identifier", "generic_type", "reference_type", "scoped_identifier", "identifier"):
        return builder.type_node(site, how.target)
    return None


def _unordered_inserts(inserts, evaluator) -> bool:
    """Every insert goes into a set, or into a map under the loop's own key (or removes one key
    from a set or map): order-free."""
    for query, by_key, arity in inserts:
        target = evaluator.evaluate(query) if query is not None else None
        target = target.peel() if target is not None else None
        unordered = order.ordered_target(target.path if target is not None else None) is False
        if not unordered or not (arity <= 1 or by_key):
            return False
        if arity == 0:  # a sum per key (`*m.entry(k).or_default() += x`): not of floats
            value = target.args[1] if target is not None and len(target.args) > 1 else None
            if value is None or order.is_float(value.path):
                return False
    return True


def _arg_path(t: Optional[types.Type]) -> str:
    return t.path if t is not None else ""


def finish(record: dict, evaluator: types.Evaluator) -> Optional[Fact]:
    """The fact a record proves, or None (not proven, or order-free)."""
    if record["kind"] == "trait-method":
        return _trait_method_fact(record, evaluator)
    receiver = evaluator.evaluate(record["receiver"])
    if receiver is None:
        return None
    receiver = receiver.peel()
    if record["kind"] == "typed-method":
        return Fact("typed-method", (receiver.path,), 0, 1, None, method=record["method"])
    verdict = record["verdict"]
    if verdict == "sum":
        written = evaluator.evaluate(record["sum_type"]) if record["sum_type"] is not None else None
        element = written
        if element is None and record["element"] is not None and record["element"] < len(receiver.args):
            element = receiver.args[record["element"]]
        if element is None and record["element"] is None and record["method"] in ("iter", "into_iter", "drain", "par_iter", "flatten") and len(receiver.args) == 1:
            element = receiver.args[0]  # a set yields its elements
        if not order.is_float(element.path if element is not None else None):
            return None
    elif verdict == "inserts":
        if _unordered_inserts(record["target"], evaluator):
            return None
    elif verdict in ("collect", "extend"):
        target = evaluator.evaluate(record["target"]) if record["target"] is not None else None
        if target is not None:
            target = target.peel()
        if not order.ordered_target(target.path if target is not None else None):
            return None
        if record.get("then") and _unordered_inserts(record["then"], evaluator):
            return None  # the collected Vec only feeds loops that insert into sets or remove keys
    return Fact("iteration", (receiver.path,), 0, 1, None, method=record["method"], type_args=tuple(_arg_path(a) for a in receiver.args))
