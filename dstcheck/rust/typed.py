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


def triggers(rules) -> dict:
    """Words that start a typed candidate -> the fact kind they start, for these rules."""
    out = {}
    for rule in rules:
        for m in rule.matchers:
            if m.kind == "hash-iteration":
                out.update({w: "iteration" for w in order.ITERATION_METHODS})
                out[FOR] = "iteration"
            elif m.kind == "typed-method":
                out.update({w: "typed-method" for w in m.params.get("methods", ())})
    return out


KEEPING = types.SAME_TYPE | types.GUARDS | types.UNWRAP
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


def receiver_use(source: bytes, names, methods, loops: bool) -> bool:
    """Whether one of `names` is used as a receiver the way the analysis could prove: followed by
    `::path` segments, calls and type-keeping methods (`.clone()`, `.read()`, `.lock()`,
    `.unwrap()`, `?`), then `.method(` for one of `methods`; or (with `loops`) as the whole
    iterable of a `for` loop (`in &m {`, `in self.m {`). A linear scan after each occurrence:
    it decides what gets parsed, so it may say yes too often, never too seldom."""
    for name, start in _occurrences(source, names):
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
            elif source[i:i + 1] in (b"?", b")"):
                i += 1
            elif source[i:i + 1] == b".":
                word, j = _ident(source, _skip_space(source, i + 1))
                if word in methods:
                    return True
                if word not in KEEPING:
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


IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _occurrences(source: bytes, names):
    """(name, offset) of each whole-word occurrence of one of `names`: a find per name for a
    few, one pass over the file's identifiers for many (a typed file can ask about hundreds)."""
    if len(names) <= 8:
        return [(name, start) for name in names for start in word_positions(source, name.encode())]
    wanted = {name.encode(): name for name in names}
    return [(wanted[m.group()], m.start()) for m in IDENTIFIER.finditer(source) if m.group() in wanted]


def _iterable_ends_with(source: bytes, start: int) -> bool:
    """`for pat in [&[mut]] [a.b.]NAME {`: the name ends a `for` loop's iterable."""
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
    return source[k - 2:k] == b"in" and (k - 3 < 0 or source[k - 3] not in IDENT)


def may_hold(source: bytes, vocabulary, rules, sketched=None, workspace=None, path: str = "") -> bool:
    """The prefilter for typed rules: a tracked type word, a name this file declares with one, or
    a field or function another file declares with one (the index's typed names, and the names
    bound to those types), used as a receiver of the rule's methods, or as a loop's iterable."""
    from dstcheck.rust import sketch as sketch_mod

    plan = _plan(tuple(sorted(r.id for r in rules)), rules)
    if plan is None:
        return False
    words, methods, loops, ids = plan
    typed = sketched.get("typed") if sketched is not None else sketch_mod.typed_names(source, sorted(words))
    names = {w for w in words if w.encode() in vocabulary}
    names |= {name for name, word, _kind in typed if name.encode() in vocabulary}
    if workspace is not None:
        names |= workspace.typed_words_in(path, ids, vocabulary)
    if not names:
        return False
    names |= _lets_through(source, names)
    return receiver_use(source, sorted(names), methods, loops)


_PLANS: dict = {}


def _plan(key: tuple, rules):
    """(type words, methods, loops?, rule ids) of the typed matchers among `rules`, memoised."""
    if key not in _PLANS:
        words = {}
        for rule in rules:
            for m in rule.matchers:
                if m.kind in ("hash-iteration", "typed-method"):
                    for name in ("maps", "sets", "types"):
                        for p in m.params.get(name, ()):
                            words.setdefault(p.rsplit("::", 1)[-1], set()).add(rule.id)
        wanted = triggers(rules)
        _PLANS[key] = (frozenset(words), frozenset(w for w in wanted if w != FOR), FOR in wanted, frozenset(r.id for r in rules)) if words else None
    return _PLANS[key]


LET = re.compile(rb"\blet\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)\b[^;=]*=([^;]*)")


def _lets_through(source: bytes, names: set) -> set:
    """Locals bound to an expression that mentions one of `names` (`let g = self.map.read();`),
    to fixpoint: their type may come from it."""
    lets = [(m.group(1).decode(), set(m.group(2).translate(_SEPARATE).split())) for m in LET.finditer(source)] if b"let" in source else []
    found = set()
    known = {n.encode() for n in names}
    changed = True
    while changed:
        changed = False
        for name, words in lets:
            if name not in found and name not in names and not known.isdisjoint(words):
                found.add(name)
                known.add(name.encode())
                changed = True
    return found


def records(parsed, builder: types.QueryBuilder, wanted: dict) -> List[dict]:
    """Candidate records, each with the node it is reported at (`node`, not serialised)."""
    source = parsed.source
    present = words_of(source)
    nodes_by_kind = {"iteration": [], "typed-method": []}
    for word in sorted(wanted):
        if word.encode() not in present:
            continue
        for i in word_positions(source, word.encode()):
            node = parsed.root.descendant_for_byte_range(i, i + len(word))
            if node is not None and node.start_byte == i and node.end_byte == i + len(word):
                nodes_by_kind[wanted[word]].append(node)
    out = []
    if nodes_by_kind["iteration"]:
        for site, receiver, form, how in order.iteration_sites(parsed.root, parsed.text, nodes_by_kind["iteration"]):
            query = builder.of(receiver)
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
    return out


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


def _arg_path(t: Optional[types.Type]) -> str:
    return t.path if t is not None else ""


def finish(record: dict, evaluator: types.Evaluator) -> Optional[Fact]:
    """The fact a record proves, or None (not proven, or order-free)."""
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
        if element is None and record["element"] is None and record["method"] in ("iter", "into_iter", "drain", "par_iter") and len(receiver.args) == 1:
            element = receiver.args[0]  # a set yields its elements
        if not order.is_float(element.path if element is not None else None):
            return None
    elif verdict == "inserts":
        # order-free when every insert goes into a set, or into a map under the loop's own key
        for query, by_key, arity in record["target"]:
            target = evaluator.evaluate(query) if query is not None else None
            target = target.peel() if target is not None else None
            unordered = order.ordered_target(target.path if target is not None else None) is False
            if not unordered or not (arity == 1 or by_key):
                break
        else:
            return None
    elif verdict in ("collect", "extend"):
        target = evaluator.evaluate(record["target"]) if record["target"] is not None else None
        if target is not None:
            target = target.peel()
        if not order.ordered_target(target.path if target is not None else None):
            return None
    return Fact("iteration", (receiver.path,), 0, 1, None, method=record["method"], type_args=tuple(_arg_path(a) for a in receiver.args))
