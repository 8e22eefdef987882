"""Where an iteration's order escapes into what the program does (DST108), read off the syntax
tree around the iteration.

An iteration is `for _ in m` / `&m` / `&mut m` (also over a call's result: `m.clone()`,
`cache.orders()`, `build()`, typed by what the call returns), or a call of an iteration method
(`.iter()`, `.keys()`, `.values()`, `.drain()`, ...). Its order escapes when the iterator is
looped over, collected into an ordered container (`Vec`, `VecDeque`, `String`, `IndexMap`,
`IndexSet`, ...), extended into one, folded, taken from (`next`, `nth`, `last`, `find`,
`position`), drives side effects (`for_each`, a `map` closure that assigns, pushes, sends or
prints), picks among ties (`min_by_key` and friends), sums or multiplies floats, or passes
through an adaptor that numbers, pairs or cuts the sequence (`enumerate`, `zip`, `take`, `skip`,
`step_by`, `scan`, `take_while`, `skip_while`).

Order-free, never reported: `count`, `any`, `all`, `min`, `max`, integer `sum` / `product`,
`min_by_key` / `max_by_key` with a key that holds the whole element (no ties), collecting into
`BTreeMap` / `BTreeSet` / a hash map or set, a loop (or a `for_each` closure) that only folds
into integers (also per key through the entry API: `*m.entry(k).or_insert(0) += 1`), sets
flags, inserts under its own key, or writes each element in place (`body_escape`); a `retain`
closure that only reads, or changes its own entry. Deliberately left unreported: a `Vec`
collected, extended or pushed onto and sorted by the very next statement (`let mut v: Vec<_> =
m.keys().collect(); v.sort();`, `Vec::from_iter(..)`, `for k in m.keys() { v.push(*k); }
v.sort();`), or whose every later use is order-free (`len`, `contains`, a loop that only removes
keys: `_uses_after`), an iterator that is returned or stored in a field (its use happens
elsewhere; one bound to a local is followed to its uses: `_local_iterator`), and a target or
element type that cannot be proven.
"""

from __future__ import annotations

from typing import Optional

ITERATION_METHODS = {
    "iter", "iter_mut", "keys", "values", "values_mut", "into_iter", "drain", "into_keys",
    "into_values", "par_iter", "par_iter_mut", "par_drain",
    "difference", "intersection", "union", "symmetric_difference",  # a set's algebra iterates its receiver
}
TRANSPARENT = {"map", "filter", "filter_map", "cloned", "copied", "flat_map", "flatten", "inspect", "by_ref", "rev", "chain", "peekable", "fuse", "into_iter", "iter"}
REVEALING = {"enumerate", "zip", "take", "skip", "step_by", "scan", "take_while", "skip_while", "map_while"}
ESCAPING = {
    "for_each", "try_for_each", "fold", "try_fold", "reduce", "next", "nth", "last", "find", "find_map",
    "position", "rposition", "min_by", "max_by", "min_by_key", "max_by_key", "partition", "unzip", "join",
    "collect_vec", "for_each_with", "try_reduce",
}
ORDER_FREE = {"count", "any", "all", "min", "max", "len", "is_empty", "sorted", "sorted_by", "sorted_by_key", "sorted_unstable", "sorted_unstable_by", "sorted_unstable_by_key"}
SUMS = {"sum", "product"}
ORDERED = {"Vec", "VecDeque", "String", "LinkedList", "IndexMap", "IndexSet", "SmallVec", "Box", "ArrayVec"}
UNORDERED = {"BTreeMap", "BTreeSet", "HashMap", "HashSet", "AHashMap", "AHashSet", "DashMap", "DashSet", "FxHashMap", "FxHashSet", "BinaryHeap"}
FLOATS = {"f32", "f64"}
SORTS = {"sort", "sort_unstable", "sort_by", "sort_by_key", "sort_unstable_by", "sort_unstable_by_key", "sort_by_cached_key"}
MUTATING = {"push", "push_back", "push_front", "insert", "extend", "append", "send", "try_send", "write", "write_all", "write_str", "emit", "publish", "remove", "clear", "set", "store", "fetch_add", "fetch_sub"}
EMITTING = {"println", "print", "eprintln", "eprint", "write", "writeln", "info", "debug", "warn", "error", "trace", "log", "log_info", "log_debug", "log_warn", "log_error", "log_trace"}
FLATTENING = {"flatten"}  # `v.iter().flatten()`: iterates each element of what it is called on
RETAINING = {"retain", "retain_mut", "extract_if"}  # call their closure on each element, in iteration order
CONSUMERS = {"extend", "from_iter"}  # take a whole collection as their iterator: `v.extend(set)`, `Vec::from_iter(map)`
ELEMENT = {"keys": 0, "into_keys": 0, "values": 1, "values_mut": 1, "into_values": 1}  # map argument a method yields


class Escape:
    """How an iteration's order is used: `verdict` is "escape", or "sum" (escapes when the
    summed element type is a float: `element` is its source, `sum_type` a written annotation),
    or "collect" / "extend" (escapes when `target` is an ordered container; for a collect,
    `then` lists the inserts and removes of the loops that are the collected local's only later
    uses, order-free when each is, as for "inserts")."""

    __slots__ = ("verdict", "element", "sum_type", "target", "then")

    def __init__(self, verdict: str, element=None, sum_type=None, target=None, then=None):
        self.verdict, self.element, self.sum_type, self.target, self.then = verdict, element, sum_type, target, then


def _field(parent, name: str, node) -> bool:
    child = parent.child_by_field_name(name)
    return child is not None and child.id == node.id


def method_call(call):
    """(method name, turbofish node or None) of a method call expression, else None."""
    function = call.child_by_field_name("function") if call.type == "call_expression" else None
    turbofish = None
    if function is not None and function.type == "generic_function":
        turbofish = function.child_by_field_name("type_arguments")
        function = function.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    field = function.child_by_field_name("field")
    return (field, turbofish) if field is not None else None


def _outer_call(node):
    """The method call whose receiver is `node`, and its method name node and turbofish."""
    parent = node.parent
    if parent is None or parent.type != "field_expression" or not _field(parent, "value", node):
        return None
    holder = parent.parent
    if holder is not None and holder.type == "generic_function" and _field(holder, "function", parent):
        call = holder.parent
    else:
        call = holder
    if call is None or call.type != "call_expression":
        return None
    found = method_call(call)
    return (call,) + found if found is not None else None


def _effect(n, text, strict: bool) -> bool:
    """Whether node `n` itself assigns, calls a mutating or sending method, or prints or logs;
    `strict` also counts `.await`, a closure and a macro whose name cannot be read."""
    t = n.type
    if t in ("assignment_expression", "compound_assignment_expr") or (strict and t in ("await_expression", "closure_expression")):
        return True
    if t == "call_expression":
        found = method_call(n)
        return found is not None and text(found[0]) in MUTATING
    if t == "macro_invocation":
        macro = n.child_by_field_name("macro")
        return strict if macro is None else text(macro).rsplit("::", 1)[-1] in EMITTING
    return False


def _any_effect(node, text, strict: bool) -> bool:
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if _effect(n, text, strict):
            return True
        stack.extend(n.named_children)
    return False


def has_side_effects(closure, text) -> bool:
    """A closure that assigns, calls a mutating or sending method, or prints or logs."""
    return _any_effect(closure.child_by_field_name("body"), text, strict=False)


def escape(start, text, element: Optional[int]) -> Optional[Escape]:
    """How the iterator produced at `start` (an iteration call) is used; None when the order
    provably stays inside (order-free) or its use is not visible here."""
    node = start
    transformed = False
    for _ in range(64):
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "for_expression" and _field(parent, "value", node):
            return loop_escape(parent, text)
        if parent.type == "let_declaration" and _field(parent, "value", node):
            return _local_iterator(parent, text, None if transformed else element)  # `let it = m.iter(); for x in it {..}`
        outer = _outer_call(node)
        if outer is None:
            flattened = _flattened_by(node, text)
            if flattened is not None:  # `maps.iter().flat_map(|m| m.keys())`: its elements go on in that order
                node, transformed = flattened, True
                continue
            return _consumer(node, text)
        call, name_node, turbofish = outer
        name = text(name_node)
        if name in REVEALING:
            return Escape("escape")
        if name in ("fold", "try_fold", "reduce", "try_reduce") and _commutative_fold(call, text):
            return None
        if name == "for_each":  # `.for_each(|v| *v = 0)`: the closure is the loop's body
            closure = _only_closure(call)
            params = closure.child_by_field_name("parameters") if closure is not None else None
            patterns = [p for p in params.named_children if p.type not in ("line_comment", "block_comment")] if params is not None else []
            if len(patterns) == 1:
                return body_escape(patterns[0], closure.child_by_field_name("body"), text, call)
        if name in ("min_by_key", "max_by_key") and not transformed and _total_key(call, text):
            return None  # `.max_by_key(|(k, v)| (**v, **k))`: no two elements tie, so none is picked by the order
        if name in ESCAPING:
            return Escape("escape")
        if name in ORDER_FREE:
            return None
        if name in SUMS:
            # the sum's type: a turbofish, a `let` annotation, or the function's return type when the sum is its value
            written = turbofish.named_children[0] if turbofish is not None and turbofish.named_child_count else _collect_target(call)
            return Escape("sum", element=None if transformed else element, sum_type=written)
        if name == "collect":
            written = turbofish.named_children[0] if turbofish is not None and turbofish.named_child_count else None
            if _sorted_next(call, text):
                return None
            then = _collected_uses(call, text)
            if then == []:
                return None  # `let ks: Vec<_> = m.keys().collect(); for k in ks { n += k; }`: only order-free uses
            return Escape("collect", target=written if written is not None else _collect_target(call), then=then)
        if name in TRANSPARENT:
            if name in ("map", "inspect", "filter_map", "flat_map", "filter"):
                args = call.child_by_field_name("arguments")
                closure = next((a for a in args.named_children if a.type == "closure_expression"), None) if args is not None else None
                if closure is not None and has_side_effects(closure, text):
                    return Escape("escape")
            if name not in ("cloned", "copied", "by_ref", "rev", "peekable", "fuse", "into_iter", "iter", "filter"):
                transformed = True
            node = call
            continue
        return None  # a method we do not know: its effect on order is not proven
    return None


def _place_root(node, text) -> Optional[str]:
    """The local a place or receiver starts from: `v` of `v.items[0].qty`, `*v`, `v.inner()`."""
    for _ in range(32):
        if node is None:
            return None
        t = node.type
        if t == "identifier":
            return text(node)
        if t in ("field_expression",):
            node = node.child_by_field_name("value")
        elif t == "call_expression" and node.child_by_field_name("function") is not None and node.child_by_field_name("function").type == "field_expression":
            node = node.child_by_field_name("function").child_by_field_name("value")
        elif t in ("unary_expression", "parenthesized_expression", "reference_expression", "index_expression") and node.named_child_count:
            node = node.named_children[0] if t == "index_expression" else node.named_children[-1]
        else:
            return None
    return None


def _retain_escapes(closure, call, text) -> bool:
    """Whether a `retain` closure does something the order of its calls shows: assigns a name it
    does not bind (`n += 1`), calls a mutating or sending method on one (`log.push(k)`, unless
    that is one local sorted by the statement after the call), prints or logs, or awaits. What
    it does to its own parameters (the entry, in place: `v.retain(..)`, `v.count -= 1`) does
    not depend on the other entries."""
    bound = set(_bound(closure.child_by_field_name("parameters"), text))
    pushes = set()
    stack = [closure.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        t = n.type
        if t == "closure_expression":
            bound |= _bound(n.child_by_field_name("parameters"), text)
        elif t == "let_declaration":
            bound |= _bound(n.child_by_field_name("pattern"), text)
        elif t in ("assignment_expression", "compound_assignment_expr"):
            if _place_root(n.child_by_field_name("left"), text) not in bound:
                return True
        elif t == "await_expression":
            return True
        elif t == "macro_invocation":
            macro = n.child_by_field_name("macro")
            if macro is None or text(macro).rsplit("::", 1)[-1] in EMITTING:
                return True
        elif t == "call_expression":
            found = method_call(n)
            if found is not None and text(found[0]) in MUTATING:
                root = _place_root(n.child_by_field_name("function").child_by_field_name("value"), text)
                if root not in bound:
                    if text(found[0]) != "push" or root is None:
                        return True
                    pushes.add(root)
        stack.extend(n.named_children)
    return bool(pushes) and not (len(pushes) == 1 and _sorted_after(call, next(iter(pushes)), text))


def _total_key(call, text) -> bool:
    """A `min_by_key` / `max_by_key` closure whose key holds the whole element: its pattern binds
    every part of the element (no `_`, no `..`) and the key is those names (through `*`, `&` and
    `.clone()`), alone or in a tuple with other values. Elements of a map or set are distinct, so
    such keys never tie and the element picked does not depend on the order."""
    closure = _only_closure(call)
    params = closure.child_by_field_name("parameters") if closure is not None else None
    patterns = [p for p in params.named_children if p.type not in ("line_comment", "block_comment")] if params is not None else []
    body = closure.child_by_field_name("body") if closure is not None else None
    while body is not None and body.type == "block" and body.named_child_count == 1 and body.named_children[0].type not in ("let_declaration", "expression_statement"):
        body = body.named_children[0]
    if len(patterns) != 1 or body is None:
        return False
    pattern = patterns[0].child_by_field_name("pattern") if patterns[0].type == "parameter" else patterns[0]
    stack = [pattern] if pattern is not None else []
    while stack:
        n = stack.pop()
        if n.type in ("_", "remaining_field_pattern") or (not n.is_named and text(n) in ("_", "..")):
            return False
        stack.extend(n.children)
    names = _bound(pattern, text) if pattern is not None else frozenset()
    body = _unparen(body)
    parts = body.named_children if body.type == "tuple_expression" else [body]
    held = set()
    for part in parts:
        while part is not None:
            part = _unparen(part)
            if part.type in ("unary_expression", "reference_expression") and part.named_child_count:
                part = part.named_children[-1]
            elif part.type == "call_expression" and method_call(part) is not None and text(method_call(part)[0]) == "clone" and _no_arguments(part):
                part = part.child_by_field_name("function").child_by_field_name("value")
            else:
                break
        if part is not None and part.type == "identifier" and text(part) in names:
            held.add(text(part))
    return bool(names) and held == set(names)


def _flattened_by(node, text):
    """The `flat_map` call (or `map` call followed by `.flatten()`) whose closure returns `node`
    (its body, or its block's last expression), else None."""
    body = node
    if body.parent is not None and body.parent.type == "block":
        last = [c for c in body.parent.named_children if c.type not in ("line_comment", "block_comment")]
        if not last or last[-1].id != node.id:
            return None
        body = body.parent  # `|m| { m.keys() }`: the block's value, without a `;`
    closure = body.parent
    if closure is None or closure.type != "closure_expression" or not _field(closure, "body", body):
        return None
    args = closure.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    found = method_call(call) if call is not None else None
    if found is None or _only_closure(call) is None:
        return None
    if text(found[0]) == "map":  # `.map(|m| m.keys()).flatten()`: a `flat_map` written in two
        outer = _outer_call(call)
        flattened = outer is not None and text(outer[1]) == "flatten" and _no_arguments(outer[0])
        return call if flattened else None
    return call if text(found[0]) == "flat_map" else None


def _no_arguments(call) -> bool:
    args = call.child_by_field_name("arguments")
    return args is None or not any(a.type not in ("line_comment", "block_comment") for a in args.named_children)


COMMUTATIVE_OPS = {"+", "*", "|", "&", "^"}
COMMUTATIVE_METHODS = {"wrapping_add", "wrapping_mul", "saturating_add", "saturating_mul", "checked_add", "checked_mul", "max", "min", "add", "mul", "bitor", "bitand", "bitxor"}
ACCUMULATE = {"+=", "*=", "|=", "&=", "^="}


def _only_closure(call):
    args = call.child_by_field_name("arguments")
    items = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
    return items[0] if len(items) == 1 and items[0].type == "closure_expression" else None


def _is_float_literal(node, text) -> bool:
    return node is not None and node.type == "float_literal" or (node is not None and text(node).rstrip("_").endswith(("f32", "f64")) and node.type == "integer_literal")


def _pure(node, text) -> bool:
    """No assignment, no mutating or sending method, no printing or logging macro, no `.await`."""
    return not _any_effect(node, text, strict=True)


def _commutative_fold(call, text) -> bool:
    """`.fold(0, |acc, x| acc + x)` (or `wrapping_add`, `max`, `|`, ...) on a non-float start:
    an integer combination that no order changes."""
    args = call.child_by_field_name("arguments")
    items = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
    closure = next((a for a in items if a.type == "closure_expression"), None)
    if closure is None or any(_is_float_literal(a, text) or "f64" in text(a) or "f32" in text(a) for a in items if a is not closure):
        return False
    params = closure.child_by_field_name("parameters")
    names = [text(p) for p in (params.named_children if params is not None else ())]
    body = closure.child_by_field_name("body")
    while body is not None and body.type == "block" and body.named_child_count == 1:
        body = body.named_children[0]
    if body is None or not names:
        return False
    acc = names[0].split(":")[0].strip().lstrip("mut ").strip()
    if body.type == "binary_expression":
        op = body.child_by_field_name("operator")
        left = body.child_by_field_name("left")
        return op is not None and text(op) in COMMUTATIVE_OPS and left is not None and text(left) == acc and _pure(body, text)
    if body.type == "call_expression":
        found = method_call(body)
        receiver = body.child_by_field_name("function").child_by_field_name("value") if found is not None else None
        return found is not None and text(found[0]) in COMMUTATIVE_METHODS and receiver is not None and text(receiver) == acc and _pure(body, text)
    return False


def loop_escape(loop, text) -> Optional[Escape]:
    """A `for` loop lets the order escape unless its body provably does not care (see
    `body_escape`)."""
    return body_escape(loop.child_by_field_name("pattern"), loop.child_by_field_name("body"), text, loop)


def body_escape(pattern, body, text, statement=None) -> Optional[Escape]:
    """How a loop body (a `for` loop's, or a `for_each` closure's with its parameter as the
    pattern) lets the order escape: not at all when it provably does not care. It only
    accumulates into non-float locals with commutative operators (`t += x`, `t = t + x`,
    `t = t.max(x)`, or `if x > t { t = x; }` into a proven integer), sets flags to constants, returns constants, `continue`s and `break`s (`any` /
    `all` written as a loop), inserts into unordered containers under the loop's own key, or only
    removes keys from them (checked once types are known: "inserts"), with no condition reading an
    accumulator (but an integer max's own); or it only pushes onto one local `Vec` that the
    statement after the loop (`statement`) sorts (`for k in m.keys() { out.push(*k); }
    out.sort();`: the sequence is thrown away at once, as for a collect sorted next), pushing
    values that read no accumulator; or it only writes each
    element in place (`*v = 0`, `v.size += 1`, `*v = *k * 2`): through the loop's own bindings,
    with values and conditions made of those bindings, literals, operators and a few pure methods
    (no other call, no macro), and nothing else (no accumulator, flag, insert or early exit).
    An early exit (`break`, `return`) beside an accumulation, an insert or a write depends on
    which elements came first: that escapes."""
    if body is None:
        return Escape("escape")
    walk = _Walk(_loop_key(pattern, text), _bound(pattern, text))
    if body.type == "block":
        free = _order_free_block(body, text, walk, 0)
    else:  # a closure's expression body
        free = _order_free_expression(body, text, walk, 0)
    if not free:
        return Escape("escape")
    inserts = walk.inserts
    removes = sum(1 for *_, kind in inserts if kind == "remove")
    if removes and removes != len(inserts):
        return Escape("escape")  # inserting and removing in one loop: what is left depends on the order
    if walk.exits and (walk.changes or inserts):
        return Escape("escape")  # `t += v; if t > 10 { break; }`: the elements visited before the exit
    if any(_words(g, text) & walk.accumulators for g in walk.guards):
        return Escape("escape")  # `if *v > n { n += 1; }`: which elements pass depends on those added before
    if walk.writes:
        if walk.assigned or inserts or walk.exits:
            return Escape("escape")
        unknown = walk.assigned | walk.lets
        if not all(_plain(n, text, walk.bindings, unknown) for n in walk.writes + walk.conditions):
            return Escape("escape")
    later: list = []
    if walk.pushes:
        targets = {name for name, _ in walk.pushes}
        if len(targets) != 1 or walk.exits or walk.writes or inserts:
            return Escape("escape")
        if any(_words(value, text) & (walk.accumulators | targets) for _, value in walk.pushes):
            return Escape("escape")  # `t += *v; out.push(t)`: running values depend on the order
        if not _sorted_after(statement, next(iter(targets)), text):
            found = _uses_after(statement, next(iter(targets)), text)
            if found is None:
                return Escape("escape")
            later = found  # `for (k, v) in &m { if *v == 0 { dead.push(*k); } } for k in dead { m.remove(&k); }`
    if inserts or later:
        return Escape("inserts", target=[(target, by_key, arity) for target, by_key, arity, _ in inserts] + later)
    return None


class _Walk:
    """What a loop body was found to do, for `body_escape`'s verdict."""

    __slots__ = ("key", "bindings", "inserts", "pushes", "assigned", "lets", "writes", "conditions", "guards", "accumulators", "changes", "exits")

    def __init__(self, key, bindings):
        self.key, self.bindings = key, bindings
        self.inserts: list = []  # (target, by the loop's key, number of arguments, "insert" | "remove")
        self.pushes: list = []  # (local name, value) of each `name.push(value)`
        self.assigned: set = set()  # locals the body assigns (accumulators, flags)
        self.lets: set = set()  # names the body's own `let`s bind
        self.writes: list = []  # the values written through the loop's bindings
        self.conditions: list = []  # the `if` conditions and `match` values on the way
        self.guards: list = []  # those conditions, but an integer max's own comparison
        self.accumulators: set = set()  # locals whose value depends on the elements seen so far
        self.changes = False  # an accumulation or a write: state that depends on the elements seen
        self.exits = False  # a `break` or `return`


def _bound(pattern, text) -> frozenset:
    """The names a loop pattern (or a closure parameter) binds."""
    out, stack = set(), [pattern] if pattern is not None else []
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(text(n))
        elif n.type not in ("type_identifier", "scoped_identifier", "scoped_type_identifier", "generic_type", "reference_type", "primitive_type"):
            stack.extend(n.named_children)
    return frozenset(out)


def _loop_key(pattern, text) -> Optional[str]:
    while pattern is not None and pattern.type in ("reference_pattern", "mut_pattern", "ref_pattern", "parameter") and pattern.named_child_count:
        pattern = pattern.child_by_field_name("pattern") if pattern.type == "parameter" else pattern.named_children[-1]
    if pattern is None:
        return None
    if pattern.type == "tuple_pattern" and pattern.named_child_count:
        pattern = pattern.named_children[0]
        while pattern.type in ("reference_pattern", "mut_pattern", "ref_pattern") and pattern.named_child_count:
            pattern = pattern.named_children[-1]
    return text(pattern) if pattern.type == "identifier" else None


def _order_free_block(block, text, walk, depth: int) -> bool:
    if depth > 8:
        return False
    for stmt in block.named_children:
        t = stmt.type
        if t in ("line_comment", "block_comment", "empty_statement"):
            continue
        if t == "let_declaration":
            if not _pure(stmt.child_by_field_name("value"), text):
                return False
            walk.lets |= _bound(stmt.child_by_field_name("pattern"), text)
            continue
        node = stmt.named_children[0] if t == "expression_statement" and stmt.named_child_count else stmt
        if not _order_free_expression(node, text, walk, depth):
            return False
    return True


FOLDS = COMMUTATIVE_METHODS - {"checked_add", "checked_mul"}  # `t = t.max(x)`: what keeps the accumulator's type


def _order_free_expression(node, text, walk, depth: int) -> bool:
    t = node.type
    if t in ("continue_expression", "break_expression"):
        walk.exits = walk.exits or t == "break_expression"
        return node.named_child_count == 0
    if t == "return_expression":
        value = node.named_children[0] if node.named_child_count else None
        walk.exits = True
        return value is None or value.type in ("boolean_literal", "unit_expression")
    if t in ("compound_assignment_expr", "assignment_expression"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return False
        if _element_place(left, text, walk.bindings):  # `*v = 0`, `v.size += 1`: the element itself
            walk.writes.append(right)
            walk.changes = True
            return True
        slot = _entry_slot(left, text) if t == "compound_assignment_expr" else None
        if slot is not None:  # `*counts.entry(k).or_insert(0) += 1`: a sum per key, in any order
            target, _key, start = slot
            op = node.child_by_field_name("operator")
            if op is None or text(op) not in ACCUMULATE or not _pure(right, text) or _floaty(right, text) or _floaty(start, text) or not _pure(start, text):
                return False
            proven = start is not None and start.type == "integer_literal"  # `or_insert(0)`: an integer sum
            walk.inserts.append((target, True, 1 if proven else 0, "accumulate"))  # 0: the map's value type decides
            walk.changes = True
            return True
        if left.type != "identifier":
            return False
        if t == "compound_assignment_expr":
            op = node.child_by_field_name("operator")
            if op is None or text(op) not in ACCUMULATE or _float_local(left, text) or _floaty(right, text) or not _pure(right, text):
                return False
        elif right.type in ("boolean_literal", "integer_literal"):
            walk.assigned.add(text(left))  # a flag set to a constant
            return True
        elif not _fold_of(right, text(left), text) or _float_local(left, text):
            return False
        walk.assigned.add(text(left))
        walk.accumulators.add(text(left))
        walk.changes = True
        return True
    if t == "if_expression":
        condition = node.child_by_field_name("condition")
        if condition is None or not _pure(condition, text):
            return False
        kept = _if_extreme(node, text)
        if kept is not None:  # `if *v > mx { mx = *v; }`: an integer max (or min) written out
            walk.conditions.append(condition)
            walk.assigned.add(kept)
            walk.accumulators.add(kept)
            walk.changes = True
            return True
        walk.conditions.append(condition)
        walk.guards.append(condition)
        consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
        if consequence is None or not _order_free_block(consequence, text, walk, depth + 1):
            return False
        if alternative is not None:
            inner = alternative.named_children[0] if alternative.named_child_count else None
            if inner is None:
                return False
            return _order_free_block(inner, text, walk, depth + 1) if inner.type == "block" else _order_free_expression(inner, text, walk, depth + 1)
        return True
    if t == "block":
        return _order_free_block(node, text, walk, depth + 1)
    if t == "for_expression":  # `for x in v { t += x; }` inside: its body read with the same rules
        value, body = node.child_by_field_name("value"), node.child_by_field_name("body")
        if value is None or body is None or not _pure(value, text):
            return False
        return _order_free_block(body, text, walk, depth + 1)
    if t == "match_expression":
        value, body = node.child_by_field_name("value"), node.child_by_field_name("body")
        if body is None or not _pure(value, text):
            return False
        walk.conditions.append(value)
        walk.guards.append(value)
        for arm in body.named_children:
            if arm.type in ("line_comment", "block_comment"):
                continue
            result = arm.child_by_field_name("value")
            if arm.type != "match_arm" or result is None or not _order_free_expression(result, text, walk, depth + 1):
                return False
        return True
    if t in ("unit_expression", "boolean_literal"):
        return True
    if t == "call_expression":
        found = method_call(node)
        slot = _entry_slot(node, text, inserting=True)
        if slot is not None:  # `b.entry(k).or_insert(v);`: an insert that keeps the first value
            target, key, start = slot
            if not _pure(key, text) or (start is not None and not _pure(start, text)):
                return False
            first = text(key).lstrip("*&").replace(".clone()", "").replace(".to_owned()", "")
            walk.inserts.append((target, walk.key is not None and first == walk.key, 1 if start is None else 2, "insert"))
            return True
        if found is None or text(found[0]) not in ("insert", "remove", "push"):
            return False
        args = node.child_by_field_name("arguments")
        values = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
        if not all(_pure(v, text) for v in values) or not values:
            return False
        if text(found[0]) == "push":  # onto a local: order-free only when it is sorted next (`body_escape`)
            target = node.child_by_field_name("function").child_by_field_name("value")
            if target is None or target.type != "identifier" or len(values) != 1:
                return False
            walk.pushes.append((text(target), values[0]))
            walk.changes = True
            return True
        if text(found[0]) == "remove":
            # removing keys from a set or a map leaves the same contents in any order (a Vec's
            # or an IndexMap's `remove` moves elements: an ordered target escapes, as for inserts)
            if len(values) != 1:
                return False
            walk.inserts.append((node.child_by_field_name("function").child_by_field_name("value"), True, 1, "remove"))
            return True
        first = text(values[0]).lstrip("*&").replace(".clone()", "").replace(".to_owned()", "")
        by_key = walk.key is not None and first == walk.key
        target = node.child_by_field_name("function").child_by_field_name("value")
        walk.inserts.append((target, by_key, len(values), "insert"))
        return True
    return False


ENTRY_FILLS = {"or_insert", "or_insert_with", "or_default"}


def _entry_slot(node, text, inserting: bool = False):
    """(map, key, initial value or None) of `map.entry(key).or_insert(v)` / `.or_insert_with(f)` /
    `.or_default()`, read through a leading `*` (the slot an accumulation writes), else None."""
    if not inserting:
        if node.type != "unary_expression" or not node.child_count or node.children[0].type != "*" or not node.named_child_count:
            return None
        node = _unparen(node.named_children[-1])
    found = method_call(node) if node is not None and node.type == "call_expression" else None
    if found is None or text(found[0]) not in ENTRY_FILLS:
        return None
    entry = node.child_by_field_name("function").child_by_field_name("value")
    inner = method_call(entry) if entry is not None and entry.type == "call_expression" else None
    if inner is None or text(inner[0]) != "entry":
        return None
    given = [a for a in entry.child_by_field_name("arguments").named_children if a.type not in ("line_comment", "block_comment")]
    filled = [a for a in node.child_by_field_name("arguments").named_children if a.type not in ("line_comment", "block_comment")]
    if len(given) != 1 or len(filled) > 1:
        return None
    target = entry.child_by_field_name("function").child_by_field_name("value")
    return target, given[0], (filled[0] if filled else None)


INTEGERS = {"u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize"}


def _unparen(node):
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _if_extreme(node, text) -> Optional[str]:
    """The accumulator of `if a > acc { acc = a; }` (any of `<`, `>`, `<=`, `>=`, either side):
    a max or min written out, with no `else`, when `acc` is a local proven an integer by its `let`.
    Equal integers are the same value, so which one is kept does not depend on the order; a float's
    ties do (`-0.0` and `0.0` compare equal), and so may another type's, so those stay reported."""
    condition = _unparen(node.child_by_field_name("condition"))
    block = node.child_by_field_name("consequence")
    if node.child_by_field_name("alternative") is not None or condition is None or condition.type != "binary_expression" or block is None:
        return None
    op = condition.child_by_field_name("operator")
    if op is None or text(op) not in ("<", ">", "<=", ">="):
        return None
    stmts = [c for c in block.named_children if c.type not in ("line_comment", "block_comment", "empty_statement")]
    assign = stmts[0].named_children[0] if len(stmts) == 1 and stmts[0].type == "expression_statement" and stmts[0].named_child_count else stmts[0] if len(stmts) == 1 else None
    if assign is None or assign.type != "assignment_expression":
        return None
    acc, value = assign.child_by_field_name("left"), _unparen(assign.child_by_field_name("right"))
    if acc is None or acc.type != "identifier" or value is None or _floaty(value, text):
        return None
    sides = sorted(text(_unparen(condition.child_by_field_name(f))) for f in ("left", "right"))
    if sides != sorted([text(acc), text(value)]) or text(acc) in _words(value, text) or not _int_local(acc, text):
        return None
    return text(acc)


def _int_local(ident, text) -> bool:
    """A local whose `let` proves it an integer: `let mut mx: u64 = ..`, `= 0`, `= -1`, `= 0u64`,
    `= u64::MIN` (an integer literal is never a float in Rust)."""
    name = text(ident)
    n = ident.parent
    while n is not None and n.type != "function_item":
        if n.type == "closure_expression" and name in _bound(n.child_by_field_name("parameters"), text):
            return False
        if n.type == "block":
            found = None
            for stmt in n.named_children:
                if stmt.start_byte >= ident.start_byte:
                    break
                pattern = stmt.child_by_field_name("pattern") if stmt.type == "let_declaration" else None
                if pattern is not None and text(pattern).replace("mut ", "").strip() == name:
                    found = stmt
            if found is not None:
                declared, value = found.child_by_field_name("type"), _unparen(found.child_by_field_name("value"))
                if declared is not None:
                    return text(declared) in INTEGERS
                if value is not None and value.type == "unary_expression" and text(value).startswith("-"):
                    value = _unparen(value.named_children[-1]) if value.named_child_count else None
                if value is None:
                    return False
                if value.type == "integer_literal":
                    return not text(value).rstrip("_").endswith(("f32", "f64"))
                return value.type == "scoped_identifier" and text(value).split("::")[0] in INTEGERS and text(value).split("::")[-1] in ("MIN", "MAX")
        n = n.parent
    return False


def _element_place(node, text, bindings) -> bool:
    """`*v`, `v.size`, `(*v).a.b`, `v[0]`, or `v` itself: a place reached through a name the
    loop's pattern binds (an element of the map, or a copy of one)."""
    n = node
    for _ in range(16):
        t = n.type
        if t == "identifier":
            return text(n) in bindings
        if t == "unary_expression" and n.child_count and n.children[0].type == "*":
            n = n.named_children[-1] if n.named_child_count else None
        elif t == "field_expression":
            n = n.child_by_field_name("value")
        elif t == "parenthesized_expression" and n.named_child_count == 1:
            n = n.named_children[0]
        elif t == "index_expression" and n.named_child_count == 2 and n.named_children[1].type in ("integer_literal", "identifier"):
            n = n.named_children[0]
        else:
            return False
        if n is None:
            return False
    return False


PLAIN_METHODS = {"len", "is_empty", "abs", "min", "max", "pow", "is_some", "is_none", "saturating_add", "saturating_sub", "wrapping_add", "wrapping_sub", "wrapping_mul", "saturating_mul"}
PLAIN_NODES = {
    "identifier", "field_identifier", "integer_literal", "float_literal", "boolean_literal", "char_literal", "string_literal", "string_content",
    "binary_expression", "unary_expression", "parenthesized_expression", "field_expression", "index_expression", "type_cast_expression",
    "primitive_type", "type_identifier", "reference_expression", "tuple_expression", "unit_expression", "scoped_identifier", "escape_sequence",
    "let_condition", "let_chain", "tuple_struct_pattern", "tuple_pattern", "_", "mut_pattern", "ref_pattern", "reference_pattern",
}


def _plain(node, text, bindings, unknown) -> bool:
    """A value or condition of an in-place write: literals, the loop's bindings and other names
    the body does not bind or assign, operators, fields, indices, casts and `PLAIN_METHODS`; no
    other call, no macro, no closure."""
    stack = [node]
    while stack:
        n = stack.pop()
        t = n.type
        if t == "identifier":
            name = text(n)
            if name in unknown and name not in bindings:
                return False
        elif t == "call_expression":
            found = method_call(n)
            if found is None or text(found[0]) not in PLAIN_METHODS:
                return False
            args = n.child_by_field_name("arguments")
            stack.append(n.child_by_field_name("function").child_by_field_name("value"))
            stack.extend(args.named_children if args is not None else ())
            continue
        elif t not in PLAIN_NODES:
            return False
        stack.extend(n.named_children)
    return True


def _fold_of(value, acc: str, text) -> bool:
    """`acc + x`, `x | acc`, `acc.max(x)`, `x.max(acc)`: `acc` combined once with a pure value, by
    a commutative integer operation (the accumulator's own type is checked by the caller)."""
    while value is not None and value.type == "parenthesized_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value is None or not _pure(value, text) or _floaty(value, text):
        return False
    if value.type == "binary_expression":
        op, left, right = (value.child_by_field_name(f) for f in ("operator", "left", "right"))
        if op is None or text(op) not in COMMUTATIVE_OPS or left is None or right is None:
            return False
        sides = [text(left), text(right)]
        return sides.count(acc) == 1 and acc not in _words(right if sides[0] == acc else left, text)
    if value.type == "call_expression":
        found = method_call(value)
        if found is None or text(found[0]) not in FOLDS:
            return False
        receiver = value.child_by_field_name("function").child_by_field_name("value")
        args = value.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
        if receiver is None or len(items) != 1:
            return False
        sides = [text(receiver), text(items[0])]
        return sides.count(acc) == 1 and acc not in _words(items[0] if sides[0] == acc else receiver, text)
    return False


def _words(node, text) -> set:
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(text(n))
        stack.extend(n.named_children)
    return out


def _floaty(node, text) -> bool:
    """A value that mentions a float: a float literal, `as f64`, `f32::MAX`."""
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if n.type == "float_literal" or (n.type in ("primitive_type", "identifier") and text(n) in FLOATS) or (n.type == "integer_literal" and text(n).rstrip("_").endswith(("f32", "f64"))):
            return True
        stack.extend(n.named_children)
    return False


def _float_local(ident, text) -> bool:
    """An accumulator declared as a float (`let mut total = 0.0;`, `let mut t: f64 = ..`,
    `let mut m = f64::MIN;`)."""
    name = text(ident)
    n = ident.parent
    while n is not None and n.type != "function_item":
        if n.type == "block":
            for stmt in n.named_children:
                if stmt.type == "let_declaration":
                    pattern = stmt.child_by_field_name("pattern")
                    if pattern is not None and text(pattern).replace("mut ", "").strip() == name:
                        declared = stmt.child_by_field_name("type")
                        value = stmt.child_by_field_name("value")
                        return (declared is not None and text(declared) in ("f32", "f64")) or _floaty(value, text)
        n = n.parent
    return False


def _consumer(node, text) -> Optional[Escape]:
    """The iterator passed on: `v.extend(it)`, `Vec::from_iter(it)`."""
    args = node.parent
    if args is None or args.type != "arguments":
        return None
    call = args.parent
    if call is None or call.type != "call_expression":
        return None
    found = method_call(call)
    if found is not None and text(found[0]) in ("extend", "append"):
        receiver = call.child_by_field_name("function").child_by_field_name("value") if call.child_by_field_name("function").type == "field_expression" else None
        if receiver is not None and receiver.type == "identifier" and text(found[0]) == "extend" and _sorted_after(call, text(receiver), text):
            return None  # `v.extend(m.keys()); v.sort();`: the order is thrown away at once
        return Escape("extend", target=receiver) if receiver is not None else None
    function = call.child_by_field_name("function")
    if function is not None and function.type == "scoped_identifier":
        name = function.child_by_field_name("name")
        path = function.child_by_field_name("path")
        if name is not None and text(name) == "from_iter" and path is not None:
            if _sorted_next(call, text):  # `let mut v = Vec::from_iter(..); v.sort();`, as for `collect`
                return None
            return Escape("collect", target=path)
    return None


def _let_type(call):
    parent = call.parent
    if parent is not None and parent.type == "let_declaration" and _field(parent, "value", call):
        return parent.child_by_field_name("type")
    return None


def _collect_target(call):
    """Where a collect's target type is written: a `let` annotation or the function's return type
    when the collect is the function's value."""
    annotated = _let_type(call)
    if annotated is not None:
        return annotated
    node = call
    for _ in range(32):  # up through the expressions whose value is the function's value
        parent = node.parent
        if parent is None:
            break
        t = parent.type
        if t in ("return_expression", "parenthesized_expression", "match_arm", "match_block", "match_expression", "else_clause"):
            node = parent
            continue
        if t == "expression_statement" and node.type in ("match_expression", "if_expression", "block") and parent.child_count == 1:
            node = parent  # a block-like tail expression stands as a statement without `;`
            continue
        if t == "if_expression" and (_field(parent, "consequence", node) or _field(parent, "alternative", node)):
            node = parent
            continue
        if t == "block":
            last = [c for c in parent.named_children if c.type not in ("line_comment", "block_comment")]
            if not last or last[-1].id != node.id:
                break
            fn = parent.parent
            if fn is not None and fn.type == "function_item" and _field(fn, "body", parent):
                return fn.child_by_field_name("return_type")
            node = parent
            continue
        break
    if node.type == "return_expression" or (node.parent is not None and node.parent.type == "return_expression"):
        fn = node
        while fn is not None and fn.type not in ("function_item", "closure_expression"):
            fn = fn.parent
        if fn is not None and fn.type == "function_item":
            return fn.child_by_field_name("return_type")
    return None


def _sorted_next(call, text) -> bool:
    """`let mut v: Vec<_> = ...collect(); v.sort();`: the order is thrown away at once."""
    let = call.parent
    if let is None or let.type != "let_declaration":
        return False
    pattern = let.child_by_field_name("pattern")
    if pattern is None:
        return False
    return _sorts(let.next_named_sibling, text(pattern).replace("mut ", "").strip(), text)


USE_FREE = {"len", "is_empty", "contains", "capacity"}  # what a `Vec` answers whatever its order


def _collected_uses(call, text) -> Optional[list]:
    """The uses of the local a `let` binds to `call`'s value, when they are all order-free (see
    `_uses_after`); None otherwise."""
    let = call.parent
    if let is None or let.type != "let_declaration" or not _field(let, "value", call):
        return None
    pattern = let.child_by_field_name("pattern")
    if pattern is not None and pattern.type == "mut_pattern" and pattern.named_child_count:
        pattern = pattern.named_children[-1]
    if pattern is None or pattern.type != "identifier":
        return None
    return _uses_after(let, text(pattern), text, declared=True)


def _uses_after(statement, name: str, text, declared: bool = False) -> Optional[list]:
    """The local `name`, declared by a `let` of the block that holds `statement` (or by
    `statement` itself, `declared`), is used after `statement` only where its order cannot show:
    `len`, `is_empty`, `contains`, or iterated (a `for` loop, `.iter()`, `.into_iter()`, ...)
    where that iteration is order-free. The inserts and removes of those loops (their targets'
    types decide, see "inserts") are returned; None when a use may show the order (it is
    returned, passed on, indexed, printed, captured by name in a format string, or shadowed), or
    when there is no use at all."""
    if statement is None or statement.parent is None:
        return None
    if statement.parent.type == "expression_statement":
        statement = statement.parent
    block = statement.parent
    if block is None or block.type != "block":
        return None
    if not declared:
        lets = [c for c in block.named_children if c.start_byte < statement.start_byte and c.type == "let_declaration"]
        if not any(_let_name(c, text) == name for c in lets):
            return None
    out: list = []
    uses = 0
    following = statement.next_named_sibling
    while following is not None:
        stack = [following]
        while stack:
            n = stack.pop()
            t = n.type
            if t == "let_declaration" and _let_name(n, text) == name:
                return None  # shadowed: not followed
            if t in ("string_content", "string_literal", "raw_string_literal") and ("{" + name) in text(n):
                return None  # `println!("{dead:?}")`
            if t == "identifier" and text(n) == name:
                found = _free_use(n, text)
                if found is None:
                    return None
                uses += 1
                out.extend(found)
                continue
            stack.extend(n.named_children)
        following = following.next_named_sibling
    return out if uses else None  # a local never used again: what it was for is not shown here


def _local_iterator(let, text, element: Optional[int]) -> Optional[Escape]:
    """How the iterator a `let` binds to a plain local is used by the statements after it in its
    block (`let it = m.iter(); for x in it {..}`, `let mut it = m.drain(); it.next()`): each use
    is followed as the iteration itself would be, and the first that lets the order escape (an
    outright escape first) is the verdict. A use that cannot be followed (passed on, returned,
    printed) is not proven either way: the iterator is used elsewhere, as one returned is."""
    name = _let_name(let, text)
    block = let.parent
    if name is None or block is None or block.type != "block":
        return None
    found: list = []
    following = let.next_named_sibling
    while following is not None:
        last = following.type == "let_declaration" and _let_name(following, text) == name
        stack = [following.child_by_field_name("value")] if last else [following]  # shadowed after its value
        while stack:
            n = stack.pop()
            if n is None:
                continue
            if n.type == "let_declaration" and _let_name(n, text) == name:
                return _first_escape(found)  # shadowed inside a nested block: what came before
            if n.type in ("string_content", "string_literal", "raw_string_literal") and ("{" + name) in text(n):
                found.append(Escape("escape"))  # `println!("{it:?}")` prints the elements in order
                continue
            if n.type == "identifier" and text(n) == name:
                use = n
                while use.parent is not None and use.parent.type in ("reference_expression", "parenthesized_expression"):
                    use = use.parent
                how = escape(use, text, element)
                if how is not None:
                    found.append(how)
                continue
            stack.extend(n.named_children)
        following = None if last else following.next_named_sibling
    return _first_escape(found)


def _first_escape(found: list) -> Optional[Escape]:
    return next((h for h in found if h.verdict == "escape"), found[0] if found else None)


def _let_name(let, text) -> Optional[str]:
    pattern = let.child_by_field_name("pattern")
    if pattern is not None and pattern.type == "mut_pattern" and pattern.named_child_count:
        pattern = pattern.named_children[-1]
    return text(pattern) if pattern is not None and pattern.type == "identifier" else None


def _free_use(ident, text) -> Optional[list]:
    """One use of a filled local (see `_uses_after`): [] when order-free, the inserts of a loop
    over it when those decide, None when the order may show."""
    node = ident
    while node.parent is not None and node.parent.type == "reference_expression":
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "for_expression" and _field(parent, "value", node):
        how = loop_escape(parent, text)
    else:
        outer = _outer_call(ident)
        if outer is None:
            return None
        call, name_node, _ = outer
        name = text(name_node)
        if name in USE_FREE:
            return []
        if name not in ("iter", "into_iter", "drain", "iter_mut"):
            return None
        how = escape(call, text, None)
    if how is None:
        return []
    if how.verdict == "inserts":
        return list(how.target)
    return None


def _sorted_after(node, name: str, text) -> bool:
    """Whether `node` (a `for` loop, or a call) is a statement of its own and the statement after
    it sorts the local `name`: `for k in m.keys() { v.push(*k); } v.sort();`."""
    if node is None or node.parent is None:
        return False
    statement = node.parent if node.parent.type == "expression_statement" else node
    if statement.parent is None or statement.parent.type != "block" or (statement is node and node.type != "for_expression"):
        return False  # a call that is a block's value, or a part of a larger expression
    return _sorts(statement.next_named_sibling, name, text)


def _sorts(following, name: str, text) -> bool:
    """Whether the statement `following` (the first after the comments there) is `name.sort*(..)`."""
    while following is not None and following.type in ("line_comment", "block_comment"):
        following = following.next_named_sibling
    if following is None or following.type != "expression_statement" or not following.named_child_count:
        return False
    inner = following.named_children[0]
    found = method_call(inner) if inner.type == "call_expression" else None
    if found is None or text(found[0]) not in SORTS:
        return False
    receiver = inner.child_by_field_name("function").child_by_field_name("value")
    return receiver is not None and text(receiver) == name


def iteration_sites(root, text, words) -> list:
    """(site node, receiver node, iteration method or "for", escape) for every iteration whose
    order may escape, located from the occurrences of the iteration methods' names and `for`."""
    out = []
    for node in words:
        parent = node.parent
        if node.type == "field_identifier" and parent is not None and parent.type == "field_expression" and text(node) in ITERATION_METHODS:
            holder = parent.parent
            call = holder.parent if holder is not None and holder.type == "generic_function" else holder
            if call is None or call.type != "call_expression" or not (_field(call, "function", parent) or _field(call, "function", holder)):
                continue
            receiver = parent.child_by_field_name("value")
            found = escape(call, text, ELEMENT.get(text(node)))
            if found is not None and receiver is not None:
                out.append((node, receiver, text(node), found))
        elif node.type == "field_identifier" and parent is not None and parent.type == "field_expression" and text(node) in FLATTENING:
            call = parent.parent
            receiver = parent.child_by_field_name("value")
            if call is None or call.type != "call_expression" or not _field(call, "function", parent) or receiver is None or receiver.type != "call_expression":
                continue
            found = escape(call, text, None)
            if found is not None:  # the receiver is the iterator; the element type it yields decides
                out.append((node, receiver, text(node), found))
        elif node.type == "field_identifier" and parent is not None and parent.type == "field_expression" and text(node) in RETAINING:
            call = parent.parent
            receiver = parent.child_by_field_name("value")
            closure = _only_closure(call) if call is not None and call.type == "call_expression" and _field(call, "function", parent) else None
            if closure is None or receiver is None:
                continue  # `m.retain(is_live)`: a function whose effects are not read here
            if _retain_escapes(closure, call, text):
                found = Escape("escape")  # `m.retain(|_, v| { n += 1; n <= cap })`: which survive, or what it did, follows the order
            else:
                found = escape(call, text, None) if text(node) == "extract_if" else None  # the removed elements come in hash order
            if found is not None:
                out.append((node, receiver, text(node), found))
        elif text(node) in CONSUMERS and parent is not None and parent.type in ("field_expression", "scoped_identifier") and _field(parent, "field" if parent.type == "field_expression" else "name", node):
            call = parent.parent
            args = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" and _field(call, "function", parent) else None
            if args is None or args.named_child_count != 1:
                continue
            found = _consumer(args.named_children[0], text)
            if found is not None:  # the receiver's type decides: an iterator (`m.values()`) has none, and is its own site
                out.append((args.named_children[0], args.named_children[0], text(node), found))
        elif node.type == "for" and parent is not None and parent.type == "for_expression":
            value = parent.child_by_field_name("value")
            called = method_call(value) if value is not None and value.type == "call_expression" else None
            if called is not None and text(called[0]) in ITERATION_METHODS:
                continue  # `for x in m.iter()` is the method's site; `for x in s.clone()`, `cache.orders()`, `build()` are the loop's
            if value is None or value.type == "range_expression":
                continue
            receiver = value
            while receiver.type in ("reference_expression", "parenthesized_expression"):
                inner = receiver.child_by_field_name("value") or (receiver.named_children[-1] if receiver.named_child_count else None)
                if inner is None:
                    break
                receiver = inner
            found = loop_escape(parent, text)
            if found is not None:
                out.append((value, receiver, "for", found))
    return out


def ordered_target(path: Optional[str]) -> Optional[bool]:
    """Whether a container type keeps the order it was filled in (None: unknown)."""
    if not path:
        return None
    name = path.rsplit("::", 1)[-1].rsplit("|", 1)[-1]
    if name in ORDERED:
        return True
    if name in UNORDERED:
        return False
    return None


def is_float(path: Optional[str]) -> bool:
    return bool(path) and path.rsplit("::", 1)[-1] in FLOATS
