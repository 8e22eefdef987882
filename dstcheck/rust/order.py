"""Where an iteration's order escapes into what the program does (DST108), read off the syntax
tree around the iteration.

An iteration is `for _ in m` / `&m` / `&mut m`, or a call of an iteration method
(`.iter()`, `.keys()`, `.values()`, `.drain()`, ...). Its order escapes when the iterator is
looped over, collected into an ordered container (`Vec`, `VecDeque`, `String`, `IndexMap`,
`IndexSet`, ...), extended into one, folded, taken from (`next`, `nth`, `last`, `find`,
`position`), drives side effects (`for_each`, a `map` closure that assigns, pushes, sends or
prints), picks among ties (`min_by_key` and friends), sums or multiplies floats, or passes
through an adaptor that numbers, pairs or cuts the sequence (`enumerate`, `zip`, `take`, `skip`,
`step_by`, `scan`, `take_while`, `skip_while`).

Order-free, never reported: `count`, `any`, `all`, `min`, `max`, integer `sum` / `product`,
collecting into `BTreeMap` / `BTreeSet` / a hash map or set. Deliberately left unreported: a
`Vec` collected and sorted by the very next statement (`let mut v: Vec<_> = m.keys().collect();
v.sort();`), an iterator that is returned or stored (its use happens elsewhere), and a target or
element type that cannot be proven.
"""

from __future__ import annotations

from typing import Optional, Tuple

ITERATION_METHODS = {
    "iter", "iter_mut", "keys", "values", "values_mut", "into_iter", "drain", "into_keys",
    "into_values", "par_iter", "par_iter_mut", "par_drain",
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
ELEMENT = {"keys": 0, "into_keys": 0, "values": 1, "values_mut": 1, "into_values": 1}  # map argument a method yields


class Escape:
    """How an iteration's order is used: `verdict` is "escape", or "sum" (escapes when the
    summed element type is a float: `element` is its source, `sum_type` a written annotation),
    or "collect" / "extend" (escapes when `target` is an ordered container)."""

    __slots__ = ("verdict", "element", "sum_type", "target")

    def __init__(self, verdict: str, element=None, sum_type=None, target=None):
        self.verdict, self.element, self.sum_type, self.target = verdict, element, sum_type, target


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


def has_side_effects(closure, text) -> bool:
    """A closure that assigns, calls a mutating or sending method, or prints or logs."""
    body = closure.child_by_field_name("body")
    stack = [body] if body is not None else []
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("assignment_expression", "compound_assignment_expr"):
            return True
        if t == "call_expression":
            found = method_call(n)
            if found is not None and text(found[0]) in MUTATING:
                return True
        if t == "macro_invocation":
            macro = n.child_by_field_name("macro")
            if macro is not None and text(macro).rsplit("::", 1)[-1] in EMITTING:
                return True
        stack.extend(n.named_children)
    return False


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
            return Escape("escape")
        outer = _outer_call(node)
        if outer is None:
            return _consumer(node, text)
        call, name_node, turbofish = outer
        name = text(name_node)
        if name in REVEALING:
            return Escape("escape")
        if name in ESCAPING:
            return Escape("escape")
        if name in ORDER_FREE:
            return None
        if name in SUMS:
            written = turbofish.named_children[0] if turbofish is not None and turbofish.named_child_count else _let_type(call)
            return Escape("sum", element=None if transformed else element, sum_type=written)
        if name == "collect":
            written = turbofish.named_children[0] if turbofish is not None and turbofish.named_child_count else None
            if _sorted_next(call, text):
                return None
            return Escape("collect", target=written if written is not None else _collect_target(call))
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
        return Escape("extend", target=receiver) if receiver is not None else None
    function = call.child_by_field_name("function")
    if function is not None and function.type == "scoped_identifier":
        name = function.child_by_field_name("name")
        path = function.child_by_field_name("path")
        if name is not None and text(name) == "from_iter" and path is not None:
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
    parent = node.parent
    while parent is not None and parent.type in ("return_expression", "parenthesized_expression"):
        node, parent = parent, parent.parent
    last = [c for c in parent.named_children if c.type not in ("line_comment", "block_comment")] if parent is not None and parent.type == "block" else []
    if last and last[-1].id == node.id:
        fn = parent.parent
        if fn is not None and fn.type == "function_item" and _field(fn, "body", parent):
            return fn.child_by_field_name("return_type")
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
    name = text(pattern).replace("mut ", "").strip()
    following = let.next_named_sibling
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
        elif node.type == "for" and parent is not None and parent.type == "for_expression":
            value = parent.child_by_field_name("value")
            if value is None or value.type == "call_expression" or value.type == "range_expression":
                continue
            receiver = value
            while receiver.type in ("reference_expression", "parenthesized_expression"):
                inner = receiver.child_by_field_name("value") or (receiver.named_children[-1] if receiver.named_child_count else None)
                if inner is None:
                    break
                receiver = inner
            out.append((value, receiver, "for", Escape("escape")))
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
