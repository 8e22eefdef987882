"""Resolve stage for Python: calls and function references with their qualified names, iteration
of hash-ordered values whose order escapes, order taken from `id()` / `hash()`, and the context
(guards, enclosing item) of each.

Names resolve the way Python scopes them: a name bound anywhere in a function is local to all of
it, class bodies are not visible from methods, comprehension and lambda variables shadow. Only a
name some import binds can reach a banned path, so a local function called `time` never does;
where a scope binds a name several ways every imported meaning is kept (a star import's too,
before or after another binding), except that a call or reference in the scope's own code sees
only the bindings that may be live there (`s = requests.Session(); s = aiohttp.ClientSession()`
then `s.get()`: the second; after an `if` and `else` binding it, both). An import in a branch the DST build does not run (`if
TYPE_CHECKING:`, the off side of a guard) means something only to code in such a branch. Names
imported from the project's own modules are followed through the project index (re-exports,
star imports, assigned aliases).

One iterative pass over the tree records bindings and candidate sites (so nesting depth costs
no stack); a second step resolves the candidates once every scope's bindings are known.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, FrozenSet, List, Optional, Tuple

from dstcheck.model import Context, Fact
from dstcheck.python.imports import Import, scan
from dstcheck.python.project import TYPE_CHECKING_MODULES, branch_truth, type_checking_aliases

ORDER_FREE = frozenset({"sorted", "min", "max", "sum", "len", "any", "all", "set", "frozenset"})
SET_OPS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference", "copy"})
DICT_VIEWS = frozenset({"keys", "values", "items"})
# element types no process salts; a float or complex value may be NaN, hashed by identity on
# Python 3.10+ (a float or complex literal is never NaN: `_unsalted_literal`)
UNSALTED = frozenset({"int", "bool"})
# methods that put one element (the last argument) or the elements of each argument into a collection
GROW_ONE = frozenset({"add", "append", "insert"})
GROW_MANY = frozenset({"update", "extend", "symmetric_difference_update"})
SET_TYPES = frozenset({"set", "frozenset", "typing.Set", "typing.FrozenSet", "typing.MutableSet", "typing.AbstractSet", "collections.abc.MutableSet", "collections.abc.Set", "weakref.WeakSet"})
# a set of weak references: it iterates its inner set, in the order of its elements' hashes
# (objects that take a weak reference hash by identity unless they define `__hash__`)
MAPPINGS = frozenset({
    "dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "typing.DefaultDict", "collections.defaultdict",
    "collections.abc.Mapping", "collections.abc.MutableMapping", "collections.OrderedDict", "typing.OrderedDict",
})
WEAK_SETS = ("weakref.WeakSet", "_weakrefset.WeakSet")
ALIAS_DEPTH = 8  # `a = time; b = a; c = b`: assigned aliases followed this far
MODULE = "<module>"  # a call's or reference's root that is a module itself: `__import__("time")`
SINK_BUILTINS = frozenset({"list", "tuple", "enumerate", "zip", "map", "filter", "next"})
SINK_KEYWORDS = {"enumerate": ("start",), "zip": ("strict",)}  # keywords that leave the order as it is
SHAPE_NAMES = SINK_BUILTINS | {"sorted", "min", "max"}
SHAPE_METHODS = frozenset({"join", "pop", "sort", "fromkeys", "nsmallest", "nlargest", "heappush", "heappushpop", "heapreplace", "merge", "heapify"})
HEAPQ_ITEM = frozenset({"heapq.heappush", "heapq.heappushpop", "heapq.heapreplace"})
HEAPQ_KEYED = frozenset({"heapq.nsmallest", "heapq.nlargest", "heapq.merge"})
EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
# Calls whose result iterates in the order of some arguments: path -> (the positions of those (None:
# all), whether an order-free consumer takes that order back). `sorted(chain(s, t))` holds the same
# elements in any order; `islice(s, 3)` picks which three by the order, `combinations(s, 2)`
# orients each pair by it, `zip_longest` pairs by position (as `zip` does).
CARRIERS = {
    "itertools.chain": (None, True), "itertools.product": (None, True), "itertools.permutations": ((0,), True),
    "itertools.cycle": ((0,), True), "itertools.filterfalse": ((1,), True), "itertools.starmap": ((1,), True),
    "itertools.islice": ((0,), False), "itertools.combinations": ((0,), False),
    "itertools.combinations_with_replacement": ((0,), False), "itertools.pairwise": ((0,), False),
    "itertools.accumulate": ((0,), False), "itertools.takewhile": ((1,), False), "itertools.dropwhile": ((1,), False),
    "itertools.compress": ((0,), False), "itertools.groupby": ((0,), False), "itertools.batched": ((0,), False),
    "itertools.tee": ((0,), False), "itertools.zip_longest": (None, False), "collections.deque": ((0,), True),
    "functools.reduce": ((1,), False),  # folds the elements in the order met
}
# methods that take an iterable's elements in its order (`out.extend(s)`, `f.writelines(s)`)
IN_ORDER_METHODS = frozenset({"extend", "extendleft", "writelines", "writerows"})
CARRIER_NAMES = frozenset(p.rsplit(".", 1)[1] for p in CARRIERS)
# the words a set's description ends in when it may hold asyncio tasks, which hash by identity and
# do not order (the fix will not wrap such a set in `sorted(..)`)
TASKS = "of tasks"
TASK_TYPES = frozenset({"asyncio.Task", "asyncio.Future", "asyncio.tasks.Task", "asyncio.futures.Future"})
# carriers whose number of elements the order decides (`takewhile(f, s)` stops at the first miss)
COUNT_BY_ORDER = frozenset({"itertools.takewhile", "itertools.dropwhile", "itertools.groupby"})
# generic collections whose element type an annotation gives (`ids: list[int]`, `Sequence[int]`)
COLLECTIONS = frozenset({
    "list", "tuple", "set", "frozenset", "typing.List", "typing.Tuple", "typing.Set", "typing.FrozenSet", "typing.Sequence",
    "typing.MutableSequence", "typing.Iterable", "typing.Iterator", "typing.Collection", "typing.AbstractSet", "typing.MutableSet",
    "collections.abc.Sequence", "collections.abc.MutableSequence", "collections.abc.Iterable", "collections.abc.Iterator",
    "collections.abc.Collection", "collections.abc.Set", "collections.abc.MutableSet",
})
# functions that return an instance of a class (`s = requests.session()` is `s = requests.Session()`)
FACTORIES = {"requests.session": "requests.Session", "socket.create_connection": "socket.socket"}
# classes named in lower case, as some of the standard library's oldest are (`socket.socket`)
LOWER_CLASSES = frozenset({"socket.socket"})
_NOTHING: FrozenSet[str] = frozenset()


class Local:
    """A binding that is not an import: what was assigned (None: unknown) and its annotation;
    `at`, the statement that binds it in its scope's own code (None: unknown), lets a site see
    which bindings are live where it is (`_live`)."""

    __slots__ = ("value", "annotation", "scope", "at")

    def __init__(self, value, annotation, scope, at=None):
        self.value, self.annotation, self.scope, self.at = value, annotation, scope, at


UNKNOWN = Local(None, None, None)
TYPE_ALIAS = ast.Name(id="TypeAlias")  # the annotation of a `type X = ..` statement's binding


class WaitPart(ast.expr):
    """What a name bound by `done, pending = await asyncio.wait(..)` holds: part `index` of the
    call's result (a set of tasks, hashed by identity), kept as a binding's value."""

    _fields = ()

    def __init__(self, call, index):
        super().__init__()
        self.call, self.index = call, index


class ElementOf(ast.expr):
    """The value of a loop or comprehension target `x` in `for x in it`: one element of `it`
    (`part` 0 or 1: that side of it, for `for k, v in it`)."""

    _fields = ()

    def __init__(self, iterable, part=None):
        super().__init__()
        self.iterable, self.part = iterable, part


ENTERED = ast.Name(id="__enter__")  # the annotation of `x` in `with C(..) as x:`: what `C(..).__enter__()` returns


def _unquoted(node):
    """A string annotation (`"Optional[C]"`) parsed into the expression it spells; the node
    itself for any other; None for a string that is not an expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    return node


def _instance_annotation(node):
    """The class an annotation names (`C`, `m.C`, `Optional[C]`, `C | None`, `"C"`); None for
    any other annotation."""
    for _ in range(5):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node = _unquoted(node)
            if node is None:
                return None
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            if _is_none(node.left) == _is_none(node.right):
                return None
            node = node.right if _is_none(node.left) else node.left
        elif isinstance(node, ast.Subscript) and _last_name(node.value) == "Optional":
            node = node.slice
        elif isinstance(node, (ast.Name, ast.Attribute)):
            return node
        else:
            return None
    return None


def _awaited_call(node) -> Optional[ast.Call]:
    return node.value if isinstance(node, ast.Await) and isinstance(node.value, ast.Call) else None
UNRESOLVED_IMPORT = Local(None, None, None)  # a relative import with no project to resolve it: unknown, but an import


class Scope:
    __slots__ = ("parent", "kind", "bindings", "stars", "declared", "id_stores")

    def __init__(self, parent: Optional["Scope"], kind: str):
        self.parent, self.kind = parent, kind
        self.bindings: Dict[str, list] = {}  # name -> meanings: dotted import targets or Locals
        self.stars: List[str] = []
        self.declared: Dict[str, str] = {}  # name -> "global" / "nonlocal"
        self.id_stores: set = set()  # names stored into with an `id()` / `hash()` key

    def bind(self, name: str, meaning) -> None:
        self.bindings.setdefault(name, []).append(meaning)


class ClassInfo:
    __slots__ = ("node", "attrs", "id_stores", "scope", "qualname", "grows")

    def __init__(self, node, scope, qualname=None):
        self.node, self.scope = node, scope
        self.qualname = qualname  # `Outer.Inner` in its module; None for a class defined in a function
        self.attrs: Dict[str, list] = {}  # attribute -> Locals assigned to `self.<attr>` or declared in the body
        self.id_stores: set = set()
        self.grows: Dict[str, list] = {}  # attribute -> [(scope, value, one)]: `self.s.add(v)` in any method, as `Walker.grows`


class Ctx:
    """Where the walk is: shared by siblings, replaced where something changes."""

    __slots__ = ("scope", "gate", "item", "in_async", "klass", "self_name", "proven", "in_hash", "unit", "receiver")

    def __init__(self, scope, gate, item, in_async, klass, self_name, proven, in_hash, unit=None, receiver=None):
        self.scope, self.gate, self.item, self.in_async = scope, gate, item, in_async
        self.klass, self.self_name, self.proven, self.in_hash = klass, self_name, proven, in_hash
        self.unit = unit  # reach: the module-level function or method whose body this is (`Class.method`)
        self.receiver = receiver  # reach: the name of `self` or `cls` in that method

    def but(self, **changes) -> "Ctx":
        new = Ctx(self.scope, self.gate, self.item, self.in_async, self.klass, self.self_name, self.proven, self.in_hash, self.unit, self.receiver)
        for key, value in changes.items():
            setattr(new, key, value)
        return new


class Wants:
    """What the active rules need from the walk."""

    def __init__(self, banned, methods: FrozenSet[str], sets: bool, identity: bool):
        self.banned = banned  # dstcheck.python.project.Banned
        self.methods = methods
        self.sets = sets
        self.identity = identity

    def follows(self, name: str) -> bool:
        return self.banned.follows(name)


def _names_in_target(target) -> List[str]:
    out, stack = [], [target]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            out.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
    return out


def _chain(node) -> Tuple[Optional[ast.AST], List[str]]:
    """(root, attribute names) of `a.b.c`: (Name a, [b, c]); the root may be any expression."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    attrs.reverse()
    return node, attrs


def _is_set_view(node) -> bool:
    """`x.keys()` or `x.items()`: a view whose `-`, `&`, `|` and `^` build a new set."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("keys", "items") and not node.args and not node.keywords


def _union_arms(node) -> list:
    """The arms of `A | B | None` other than None, left to right."""
    arms, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            stack.extend((n.right, n.left))
        elif not _is_none(n):
            arms.append(n)
    return arms


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _type_of(node) -> Optional[str]:
    """`x` of `type(x)` (one name, no keyword); None for anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Name):
        return node.args[0].id
    return None


def _dotted(node) -> Optional[str]:
    root, attrs = _chain(node)
    return ".".join([root.id, *attrs]) if isinstance(root, ast.Name) else None


def _key(node) -> Optional[str]:
    """What a size check is about: a name or `self.attr`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _len_of(node) -> Optional[str]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1 and not node.keywords:
        return _key(node.args[0])
    return None


_FLIP = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


def _more_than_one(elts) -> bool:
    return len(elts) > 1 or any(isinstance(e, ast.Starred) for e in elts)


def _one_frozen(node) -> bool:
    """`frozenset({"x"})`: immutable, at most one element."""
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "frozenset" and len(node.args) == 1
        and isinstance(node.args[0], (ast.Set, ast.List, ast.Tuple)) and not _more_than_one(node.args[0].elts)
    )


def _last_name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _sorts(stmt, targets) -> bool:
    """`xs.sort(...)` or `xs = sorted(xs, ...)` for the name the previous statement bound."""
    if len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return False
    return _sorts_name(stmt, targets[0].id)


def _extends(call) -> bool:
    """`name.extend(one argument)`."""
    return (
        isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "extend"
        and isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords
    )


def _sorts_name(stmt, name: str) -> bool:
    """`name.sort(...)`, or `name = sorted(name, ...)`."""
    if isinstance(stmt, ast.Expr):
        call = stmt.value
        return (
            isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "sort"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == name
        )
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
        call = stmt.value
        return (
            isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "sorted" and call.args
            and isinstance(call.args[0], ast.Name) and call.args[0].id == name
        )
    return False


INT_FUNCS = frozenset({"int", "len", "ord"})  # builtins that return an int whatever they are given
INT_OPS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod, ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.BitXor)
PURE_METHODS = frozenset({
    "startswith", "endswith", "lower", "upper", "casefold", "strip", "lstrip", "rstrip",
    "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
    "split", "rsplit", "partition", "rpartition", "replace", "find", "rfind", "count", "format",
    "encode", "decode", "removeprefix", "removesuffix", "get", "keys", "values", "items",
    "exists", "lexists", "isfile", "isdir", "islink", "is_file", "is_dir", "is_symlink",
})
# builtins that return a value and do nothing else (a comprehension calling only these has no
# effect an order could show)
PURE_BUILTINS = frozenset({
    "str", "int", "float", "bool", "bytes", "len", "repr", "abs", "round", "ord", "chr", "hash", "id",
    "isinstance", "issubclass", "hasattr", "getattr", "type", "tuple", "frozenset", "sorted", "min",
    "max", "sum", "any", "all", "divmod", "format", "bin", "hex", "oct",
})
REDUCERS = frozenset({"all", "any", "sum", "len"})
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
COUNT_OPS = (ast.Add, ast.Sub, ast.Mult, ast.BitOr, ast.BitAnd, ast.BitXor)


def _of_element(node, names) -> bool:
    """An expression made only of the loop's own names, literals, operators, comparisons,
    attributes, subscripts and displays, `len(..)` and a few pure string methods (no other call:
    a call may do anything, in any order). The caller checks `len` is the builtin."""
    pure_funcs: set = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if sub.id not in names and not (sub.id == "len" and sub in pure_funcs):
                return False
        elif isinstance(sub, ast.Call):
            func = sub.func
            if sub.keywords or not (
                (isinstance(func, ast.Name) and func.id == "len" and len(sub.args) == 1)
                or (isinstance(func, ast.Attribute) and func.attr in PURE_METHODS)
            ):
                return False
            if isinstance(func, ast.Name):
                pure_funcs.add(func)
        elif not isinstance(sub, (ast.Constant, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Attribute, ast.Subscript, ast.Tuple, ast.List, ast.Slice, ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)):
            return False
    return True


def _unsalted_literal(node) -> bool:
    """An int, bool, float or complex literal (`-1` too), or a tuple of them."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if isinstance(node, ast.Tuple):
        return all(_unsalted_literal(e) for e in node.elts)
    return isinstance(node, ast.Constant) and type(node.value) in (int, bool, float, complex)


def _of_tasks(description: str, inner) -> str:
    """`description`, said to hold tasks when one of the `inner` (kind, description) pairs does."""
    return f"{description} {TASKS}" if any(i is not None and TASKS in i[1] for i in inner) else description


def _constant(node) -> bool:
    """A literal (`True`, `1`, `"x"`, `-1`, `None`)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        node = node.operand
    return isinstance(node, ast.Constant)


def _int_valued(node, names) -> bool:
    """`len(..)` of the element, or an int literal: an int to add in any order."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, bool)
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1
        and not node.keywords and _of_element(node.args[0], names)
    )


def order_free_loop(loop, sorted_after: Optional[str]) -> Optional[Tuple[set, set, set]]:
    """Whether a `for` loop's body provably does not care about the order it is given the elements
    in (the loop form of `len`, `any` and `sorted(list(s))`): every statement, under `if`s whose
    tests read only the loop's own names, is `n += <int literal or len(..) of the element>` or `n
    += <literal>` (the same step for every element), `flag = <literal>`, an append of the
    element (or of what is made of it without a call) to the list `sorted_after` that the next
    statement sorts, `pass` or `continue`; a `break` only beside flags. Returns (counted names,
    flags, appended lists) or None; the caller checks the accumulators are not floats."""
    names = set(_names_in_target(loop.target))
    if loop.orelse or not isinstance(loop.target, (ast.Name, ast.Tuple, ast.List)):
        return None
    counted, stepped, flags, appended, exits = set(), set(), set(), set(), False
    flag_values: Dict[str, str] = {}
    stack = list(loop.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.Pass, ast.Continue)):
            continue
        if isinstance(stmt, ast.Break):
            exits = True
            continue
        if isinstance(stmt, ast.If):
            if not _of_element(stmt.test, names):
                return None
            stack.extend(stmt.body)
            stack.extend(stmt.orelse)
            continue
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id not in names and isinstance(stmt.op, COUNT_OPS):
            if _constant(stmt.value):
                stepped.add(stmt.target.id)
                continue  # the same step for every element: any order ends the same
            if _int_valued(stmt.value, names):
                counted.add(stmt.target.id)
                continue
            return None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id not in names and _constant(stmt.value):
            value = ast.dump(stmt.value)
            if flag_values.setdefault(stmt.targets[0].id, value) != value:
                return None  # `x = 1` for some elements, `x = 2` for others: the last one wins
            flags.add(stmt.targets[0].id)
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (
            sorted_after is not None and isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == sorted_after and len(call.args) == 1 and not call.keywords
            and _of_element(call.args[0], names)
        ):
            appended.add(sorted_after)
            continue
        return None
    if exits and (counted or stepped or appended):
        return None  # how much was counted or appended before the exit depends on the order
    if (counted | stepped | appended) & flags:
        return None
    return counted, flags, appended


DELETES = frozenset({"rm", "unlink", "rmdir", "rmtree"})  # a filesystem's verbs: the files go, in any order the same
DELETER_MODULES = frozenset({"os", "shutil"})  # `os.remove(p)`, `shutil.rmtree(p)`: a file removed, in any order the same
SET_EDITS = {"add": "grow", "discard": "shrink"}  # order-free on a set; on a session or a queue, a side effect seen in order
SET_UPDATES = {ast.BitOr: "grow", ast.Sub: "shrink", ast.BitAnd: "shrink", ast.BitXor: "toggle"}  # `s |= {x}` as `s.add(x)`


def _only_deletes(body) -> Optional[Tuple[list, list]]:
    """A loop body that only removes from or only adds to a collection ends in the same state in
    any order: `del d[k]`, `s.discard(k)`, `s |= {k}`, `d.pop(k, None)`, `os.remove(p)`, under any
    `if`; one that both adds to and removes from the same one does not (`add("a")` then
    `discard("a")`). Returns (receiver, True) for `add`, `discard` and `|=`-like updates, which
    the caller must prove sets, and (receiver, "deleter") for `remove`, which must be a set, a
    module, the element itself or a path made of it (on an unknown receiver, `client.remove(x)`
    is a call seen in order), and the `if` tests that call something, which must call only what
    has no effect (`fs.exists(p)`, not `client.delete(x)`); None when the body does anything else."""
    stack, receivers, ways, tests = list(body), [], {}, []
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.Pass, ast.Continue)):
            continue
        if isinstance(stmt, ast.If):
            tests.append(stmt.test)
            stack.extend(stmt.body)
            stack.extend(stmt.orelse)
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(stmt, ast.Delete):
            edits = [(t.value if isinstance(t, ast.Subscript) else t, "shrink", False) for t in stmt.targets]
        elif isinstance(stmt, ast.AugAssign) and type(stmt.op) in SET_UPDATES and isinstance(stmt.target, (ast.Name, ast.Attribute)):
            edits = [(stmt.target, SET_UPDATES[type(stmt.op)], True)]
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in SET_EDITS:
            edits = [(call.func.value, SET_EDITS[call.func.attr], True)]
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "remove":
            edits = [(call.func.value, "shrink", "deleter")]  # `os.remove(p)`, `live.remove(x)`; not `client.remove(x)`
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in DELETES:
            edits = [(call.func.value, "shrink", False)]
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "pop" and len(call.args) == 2:
            edits = [(call.func.value, "shrink", False)]
        else:
            return None
        for receiver, way, proof in edits:
            if ways.setdefault(ast.dump(receiver), way) != way:
                return None
            if proof:
                receivers.append((receiver, proof))
    return receivers, [t for t in tests if any(isinstance(n, ast.Call) for n in ast.walk(t))]


LOOPS = (ast.For, ast.AsyncFor, ast.While)
GROWS = GROW_ONE | GROW_MANY | {"__ior__"}


def _grown_keys(stmt) -> FrozenSet[str]:
    """The names and `self.attr`s (as `_key` spells them) a statement may grow or rebind anywhere
    inside it: `s.add(..)`, `s.update(..)`, `s |= ..`, `s = ..`, `for s in ..`, `with .. as s`."""
    keys = set()
    for node in ast.walk(stmt):
        targets = ()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWS:
            targets = (node.func.value,)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.comprehension)):
            targets = (node.target,)
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = (node.optional_vars,)
        for target in targets:
            for part in ast.walk(target):
                key = _key(part)
                if key is not None:
                    keys.add(key)
    return frozenset(keys)


def size_proofs(test) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(keys proven to hold at most one element when `test` is true, ... when it is false)."""
    negate = False
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negate = test.operand, not negate
    body: FrozenSet[str] = _NOTHING
    orelse: FrozenSet[str] = _NOTHING
    if isinstance(test, ast.BoolOp):
        parts = [size_proofs(v) for v in test.values]
        if isinstance(test.op, ast.And):
            body = frozenset().union(*(p[0] for p in parts))
        else:
            orelse = frozenset().union(*(p[1] for p in parts))
    elif isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, type(test.ops[0]), test.comparators[0]
        key = _len_of(left)
        if key is None and _len_of(right) is not None:
            key, left, right, op = _len_of(right), right, left, _FLIP.get(op)
        if key is not None and isinstance(right, ast.Constant) and type(right.value) is int:
            n = right.value
            if {ast.Eq: n <= 1, ast.LtE: n <= 1, ast.Lt: n <= 2}.get(op, False):
                body = frozenset([key])  # true: at most one element
            elif {ast.Gt: n <= 1, ast.GtE: n <= 2, ast.NotEq: n <= 1}.get(op, False):
                orelse = frozenset([key])  # false: at most one element
    return (orelse, body) if negate else (body, orelse)


class Gated(str):
    """An import in a branch the DST build does not run (`if TYPE_CHECKING:`, the off side of a
    guard): it means something only to code in such a branch, which is gated itself."""

    __slots__ = ()


class Star(str):
    """A star import's meaning for a name the scope also binds otherwise: one more meaning, except
    below a banned function (an attribute of `random.random` is no call of it)."""

    __slots__ = ()


class _TypeChecking:
    """The names that, seen from `scope`, mean `typing.TYPE_CHECKING` under another name (`from
    typing import TYPE_CHECKING as TC`, not shadowed there): `branch_truth`'s `off`."""

    __slots__ = ("walker", "scope")

    def __init__(self, walker, scope):
        self.walker, self.scope = walker, scope

    def __contains__(self, name) -> bool:
        if name not in self.walker.type_checking:
            return False
        _, meanings = self.walker.lookup(name, self.scope)
        return bool(meanings) and all(isinstance(m, str) and m.rsplit(".", 1)[0] in TYPE_CHECKING_MODULES and m.endswith(".TYPE_CHECKING") for m in meanings)


class Walker:
    """Records bindings and candidate sites in one pass, then resolves them (`facts`)."""

    def __init__(self, tree: ast.Module, lines: List[bytes], wants: Wants, guards, project=None, path: str = "", interesting=frozenset(), reach: Optional[str] = None, class_names=frozenset()):
        self.tree, self.lines, self.wants = tree, lines, wants
        self.class_names = class_names  # classes this module defines with a base: their calls may construct a banned class
        self.shallow = False  # the module's own bindings only: function and class bodies are not walked
        self.class_calls: list = []  # (ctx, call node, name): calls of one of `class_names` not otherwise recorded
        self._derived: Dict[int, Optional[Tuple[str, bool]]] = {}
        self.guards = frozenset(guards)
        self.type_checking: set = set()  # names an import binds to `TYPE_CHECKING` under another name (`as TC`)
        self.project, self.path = project, path
        self.interesting = set(interesting)  # grows by aliases assigned from one (`t = time`)
        self.reach = reach  # the module's dotted name when the reach step wants every call (see `reach_calls`)
        self.every_call: list = []  # reach: (ctx, call node, root name, "super()" or "type()" (then attrs start with its argument), attrs)
        self.units: Dict[str, Tuple[int, int]] = {}  # reach: function or method qualname -> (line, column) of its `def`
        self.classmethods: set = set()  # reach: the units that are classmethods (their receiver is the class)
        self.fact_units: Dict[int, Optional[str]] = {}  # reach: id(fact) -> the unit that holds it
        self.within = project.imported_modules(path) if project is not None else frozenset()
        self.facts: List[Fact] = []
        self.contexts: Dict[int, Context] = {}
        self.module = Scope(None, "module")
        self.calls: list = []  # (ctx, call node, root name, attrs, method)
        self.chained: list = []  # (ctx, call node, inner call, attrs, method): `requests.Session().get(..)`
        self.attr_calls: list = []  # (ctx, call node, attrs, method): `self.s.get(..)`, `s` an attribute of the class
        self.refs: list = []  # (ctx, node, root name, attrs)
        self.sinks: list = []  # (ctx, site node, iterated expression)
        self.shapes: list = []  # (ctx, call node): calls whose shape matters for sets / identity
        self.buckets: list = []  # (ctx, BinOp node)
        self.classes: Dict[int, ClassInfo] = {}  # id(ClassDef) -> info
        self.order_free_args: Dict[int, ast.Call] = {}  # id(argument) -> the call it is passed to
        self.order_free: set = set()  # ids of sinks whose order is taken back at once (sorted, discarded)
        self.set_edits: Dict[int, tuple] = {}  # id(loop's iterable) -> (receivers of its body's edits, the loop's names)
        self.sorted_after: Dict[int, str] = {}  # id(for loop) -> the list the next statement sorts
        self.lambda_params: Dict[int, FrozenSet[str]] = {}
        self.one_sided: Dict[int, ast.AST] = {}  # id(`enumerate(..)` call) -> the comprehension that keeps one side of its pairs
        self.stack: list = []
        self._qualified: Dict[str, Tuple[str, ...]] = {}
        self._memo: Optional[dict] = None  # qualified()'s answers, once the walk has bound every name
        self._hashed: Dict[int, Optional[Tuple[str, str]]] = {}
        self._parents: Optional[Dict[int, ast.AST]] = None  # id(node) -> its parent, built when first asked
        self._unsalted_visiting: set = set()  # (id(scope), name) of the names `_unsalted_elements` is inside
        self.grows: Dict[str, list] = {}  # name -> [(scope, value, one)]: `s.add(v)` (one), `s |= v`, `xs.extend(v)`
        self.aliases: Dict[str, list] = {}  # name -> [(scope, alias)]: `t = s` makes what `t.add(v)` adds an element of `s`
        self._grown_visiting: set = set()  # (id(scope), name) of the names `_grown_unsalted` is inside
        self._int_visiting: set = set()  # (id(scope), name) of the names `_int_name` is inside
    # -- the walk --------------------------------------------------------------------------------
    def run(self) -> "Walker":
        self.walk()
        self._memo = {}
        self._resolve()
        return self

    def walk(self) -> "Walker":
        """The first pass only: bindings and candidate sites, nothing resolved."""
        ctx = Ctx(self.module, None, "", False, None, None, _NOTHING, False)
        self.stack.append((self.tree, ctx))
        handlers, stack, fields = _HANDLERS, self.stack, _FIELDS
        while stack:
            node, ctx = stack.pop()
            handler = handlers.get(type(node))
            if handler is not None:
                handler(self, node, ctx)
                continue
            kind = type(node)
            names = fields.get(kind)
            if names is None:
                names = _child_fields(kind)
            for name in names:
                value = getattr(node, name, None)
                if type(value) is list:
                    if value and isinstance(value[0], ast.stmt):
                        self._block(value, ctx)
                    else:
                        stack.extend((v, ctx) for v in value if isinstance(v, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append((value, ctx))
        return self

    def _push(self, node, ctx) -> None:
        if node is not None:
            self.stack.append((node, ctx))

    def _push_all(self, nodes, ctx) -> None:
        self.stack.extend((n, ctx) for n in nodes if n is not None)

    def _block(self, body: List[ast.stmt], ctx: Ctx) -> None:
        """A statement list; after `if SIMULATION: return` (or raise, continue, break) under a
        guard on in the DST build, the rest of the block runs only where it is off: gated. With
        sets wanted, a size check (`assert len(s) == 1`, an early exit on `len(s) > 1`) speaks
        for the statements after it."""
        if not self.wants.sets:
            entries = []
            for stmt in body:
                entries.append((stmt, ctx))
                if type(stmt) is ast.If and ctx.gate is None and stmt.body and isinstance(stmt.body[-1], EXITS):
                    ctx = self._after_exit(stmt, ctx)
            self.stack.extend(reversed(entries))
            return
        proven = ctx.proven
        entries = []
        for i, stmt in enumerate(body):
            grown = _grown_keys(stmt) & proven if proven else _NOTHING
            if grown and isinstance(stmt, LOOPS):
                proven = proven - grown  # grown in a later turn than the one that reads it
            entries.append((stmt, ctx if proven is ctx.proven else ctx.but(proven=proven)))
            if grown:
                proven = proven - grown  # a size check speaks for the set it measured, not one grown since
            if type(stmt) is ast.If and ctx.gate is None and stmt.body and isinstance(stmt.body[-1], EXITS):
                ctx = self._after_exit(stmt, ctx)
            kind = type(stmt)
            if kind is ast.Assert:
                proven = proven | size_proofs(stmt.test)[0]
            elif kind is ast.If and stmt.body and isinstance(stmt.body[-1], EXITS):
                proven = proven | size_proofs(stmt.test)[1]
            elif kind is ast.Assign and i + 1 < len(body) and _sorts(body[i + 1], stmt.targets):
                self.order_free.add(id(stmt.value))  # `xs = list(s)` then `xs.sort(..)`
            elif kind is ast.Expr and i + 1 < len(body) and _extends(stmt.value) and _sorts_name(body[i + 1], stmt.value.func.value.id):
                self.order_free.add(id(stmt.value.args[0]))  # `out.extend(s)` then `out.sort()`
            elif kind is ast.For and i + 1 < len(body):
                sorted_next = self._sorted_next(body[i + 1])
                if sorted_next is not None:
                    self.sorted_after[id(stmt)] = sorted_next  # `for x in s: out.append(x)` then `out.sort()`
            elif kind is ast.Expr and type(stmt.value) is ast.Await:
                awaited = stmt.value.value  # `await gather(*s)`, its result unused
                if isinstance(awaited, ast.Call) and awaited.args and isinstance(awaited.args[0], ast.Call) and _last_name(awaited.func) in ("wait_for", "shield"):
                    awaited = awaited.args[0]
                if isinstance(awaited, ast.Call) and _last_name(awaited.func) == "gather":
                    self.order_free.add(id(awaited))
        self.stack.extend(reversed(entries))

    def _after_exit(self, stmt, ctx) -> Ctx:
        """The context after `if <test>: ...; return`: gated when the test holds in the DST build."""
        truth, label = self._truth(stmt.test, ctx)
        if truth is not True:
            return ctx
        exit_word = {ast.Return: "return", ast.Raise: "raise", ast.Continue: "continue", ast.Break: "break"}[type(stmt.body[-1])]
        return ctx.but(gate=f"after `if {label}: {exit_word}`")

    def _module(self, node, ctx) -> None:
        self._block(node.body, ctx)

    def _bind(self, name: str, meaning, ctx: Ctx) -> None:
        """A binding in the current scope (a Local's scope is where it is bound: kept out of it,
        so scopes and their bindings form no cycle)."""
        scope = ctx.scope
        if scope.declared.get(name) == "global":
            scope = self.module
            if isinstance(meaning, Local):
                meaning.at = None  # bound from a function, which may run anywhere: live everywhere
        scope.bind(name, meaning)

    # -- statements ------------------------------------------------------------------------------
    def _import(self, node, ctx) -> None:
        kind = Gated if ctx.gate else str
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, kind(alias.name), ctx)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, kind(top), ctx)

    def _import_from(self, node, ctx) -> None:
        module = node.module or ""
        if node.level:
            module = self.project.absolute(self.path, node.level, module) if self.project is not None else None
        for alias in node.names:
            if alias.name == "*":
                if module:
                    ctx.scope.stars.append(module)
                continue
            meaning = (Gated if ctx.gate else str)(f"{module}.{alias.name}") if module else UNRESOLVED_IMPORT
            self._bind(alias.asname or alias.name, meaning, ctx)
        if node.module in TYPE_CHECKING_MODULES:
            self.type_checking.update(type_checking_aliases(node))

    def _declare(self, node, ctx) -> None:
        kind = "global" if isinstance(node, ast.Global) else "nonlocal"
        for name in node.names:
            ctx.scope.declared[name] = kind

    def _decorators(self, node, ctx) -> None:
        """`@deco` calls `deco` where the definition runs: a call for the reach step."""
        if self.reach is not None:
            for decorator in node.decorator_list:
                root, attrs = _chain(decorator)
                if isinstance(root, ast.Name) and not isinstance(decorator, ast.Call):
                    self.every_call.append((ctx, decorator, root.id, attrs))
        self._push_all(node.decorator_list, ctx)

    def _function(self, node, ctx) -> None:
        self._bind(node.name, Local(node, None, None, node), ctx)
        if self.shallow:
            return
        self._decorators(node, ctx)
        args = node.args
        self._push_all(args.defaults, ctx)
        self._push_all(args.kw_defaults, ctx)
        scope = Scope(ctx.scope, "function")
        params = [*getattr(args, "posonlyargs", []), *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
        for arg in params:
            if arg is not None:
                scope.bind(arg.arg, Local(None, arg.annotation, None, node))  # bound on entry: any binding in the body follows it
                if arg.annotation is not None and self._from_interesting(_instance_annotation(arg.annotation)):
                    self.interesting.add(arg.arg)  # `session: requests.Session`
        klass, self_name = ctx.klass, ctx.self_name
        if ctx.scope.kind == "class":
            # a classmethod's `cls` reads the class's attributes as `self` does (`cls.CODES`)
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
            positional = [*getattr(args, "posonlyargs", []), *args.args]
            self_name = positional[0].arg if positional and not static else None
        elif self_name is not None and any(a is not None and a.arg == self_name for a in params):
            self_name = None
        item = f"{ctx.item}.{node.name}" if ctx.scope.kind == "class" and ctx.item else node.name
        unit, receiver = ctx.unit, ctx.receiver
        if self.reach is not None:
            unit, receiver = self._unit(node, ctx, args)
        inner = Ctx(scope, ctx.gate, item, isinstance(node, ast.AsyncFunctionDef), klass, self_name, _NOTHING, node.name == "__hash__", unit, receiver)
        self._block(node.body, inner)

    def _unit(self, node, ctx, args) -> Tuple[Optional[str], Optional[str]]:
        """(unit, receiver) for a function's body: a module-level function or a method of a
        module-level class is a unit of its own; a nested function belongs to the unit around it."""
        positional = [*getattr(args, "posonlyargs", []), *args.args]
        if ctx.unit is not None or ctx.scope.kind not in ("module", "class"):
            params = {a.arg for a in [*positional, args.vararg, *args.kwonlyargs, args.kwarg] if a is not None}
            return ctx.unit, (None if ctx.receiver in params else ctx.receiver)
        if ctx.scope.kind == "module":
            qualname, receiver = node.name, None
        else:
            if ctx.klass.qualname is None:
                return None, None
            qualname = f"{ctx.klass.qualname}.{node.name}"
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
            receiver = positional[0].arg if positional and not static else None
            if receiver is not None and any(isinstance(d, ast.Name) and d.id == "classmethod" for d in node.decorator_list):
                self.classmethods.add(qualname)
        self.units.setdefault(qualname, (node.lineno, self._column(node.lineno, node.col_offset)))
        return qualname, receiver

    def _class(self, node, ctx) -> None:
        self._bind(node.name, Local(node, None, None, node), ctx)
        if self.shallow:
            return
        self._decorators(node, ctx)
        self._push_all(node.bases, ctx)
        self._push_all([k.value for k in node.keywords], ctx)
        scope = Scope(ctx.scope, "class")
        qualname = None
        if ctx.unit is None and ctx.scope.kind == "module":
            qualname = node.name
        elif ctx.unit is None and ctx.scope.kind == "class" and ctx.klass.qualname is not None:
            qualname = f"{ctx.klass.qualname}.{node.name}"
        info = ClassInfo(node, ctx.scope, qualname)
        self.classes[id(node)] = info
        inner = Ctx(scope, ctx.gate, node.name, ctx.in_async, info, None, _NOTHING, False, ctx.unit, None)
        self._block(node.body, inner)

    def _assign(self, node, ctx) -> None:
        value = node.value
        for target in node.targets:
            self._store(target, value, None, ctx, unpack=True, at=node)
        self._push(value, ctx)

    def _annassign(self, node, ctx) -> None:
        self._store(node.target, node.value, node.annotation, ctx, at=node)
        self._push(node.value, ctx)

    def _augassign(self, node, ctx) -> None:
        target = node.target
        keeps_type = isinstance(node.op, SET_OPS)
        if self.wants.sets and isinstance(node.op, ast.Add):
            self.sinks.append((ctx, node.value, node.value))  # `out += s`: a list grown in the set's order
        if isinstance(target, ast.Name):
            if not keeps_type:
                self._bind(target.id, UNKNOWN, ctx)
            elif isinstance(node.op, (ast.BitOr, ast.BitXor)):
                self.grows.setdefault(target.id, []).append((ctx.scope, node.value, False))
            if target.id in self.interesting:
                self.refs.append((ctx, target, target.id, []))
        elif isinstance(target, ast.Attribute) and not keeps_type and self._self_attr(target, ctx):
            ctx.klass.attrs.setdefault(target.attr, []).append(UNKNOWN)
            self._push(target.value, ctx)
        elif isinstance(target, ast.Attribute) and isinstance(node.op, (ast.BitOr, ast.BitXor)) and self._self_attr(target, ctx):
            ctx.klass.grows.setdefault(target.attr, []).append((ctx.scope, node.value, False))  # `self.s |= v`
            self._push(target, ctx)
        elif isinstance(target, ast.Subscript):
            # `os.environ[k] += v` reads the item before it writes it back: unlike `d[k] = v`,
            # the container is read (its `Load`-context value, as in `d[k]`)
            self._push(target.slice, ctx)
            self._push(target.value, ctx)
        else:
            self._push(target, ctx)
        self._push(node.value, ctx)

    def _self_attr(self, node, ctx) -> bool:
        return ctx.klass is not None and ctx.self_name is not None and isinstance(node.value, ast.Name) and node.value.id == ctx.self_name

    def _store(self, target, value, annotation, ctx, unpack=False, at=None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, Local(value, annotation, None, at), ctx)
            if type(value) is ast.Name and self.wants.sets:
                self.aliases.setdefault(value.id, []).append((ctx.scope, target.id))  # `t = s`
            alias = _chain(value) if isinstance(value, (ast.Name, ast.Attribute)) else (None, [])
            if isinstance(alias[0], ast.Name) and alias[0].id in self.interesting:
                self.interesting.add(target.id)  # `t = time`: what `t.time()` may mean is resolved later
            elif isinstance(value, ast.Call) and self._imported_module(value, ctx.scope) is not None:
                self.interesting.add(target.id)  # `t = __import__("time")`
            elif isinstance(value, ast.Call) and self._from_interesting(value.func):
                self.interesting.add(target.id)  # `s = requests.Session()`: `s.get()` may be a method of a banned class
            if ctx.scope.kind == "class":
                ctx.klass.attrs.setdefault(target.id, []).append(Local(value, annotation, ctx.scope))
        elif isinstance(target, ast.Attribute):
            if self._self_attr(target, ctx):
                ctx.klass.attrs.setdefault(target.attr, []).append(Local(value, annotation, ctx.scope))
            else:
                self._push(target.value, ctx)
        elif isinstance(target, ast.Subscript):
            # `d[k] = v` reads d and k; an `os.environ[..] = ..` write is not a read of the environment
            if not (isinstance(target.value, (ast.Name, ast.Attribute)) and _dotted(target.value)):
                self._push(target.value, ctx)
            self._push(target.slice, ctx)
            if self.wants.identity and self._identity_call(target.slice):  # `d[id(o)] = o`
                if isinstance(target.value, ast.Attribute) and self._self_attr(target.value, ctx):
                    ctx.klass.id_stores.add(target.value.attr)
                elif isinstance(target.value, ast.Name):
                    ctx.scope.id_stores.add(target.value.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if unpack and value is not None and self.wants.sets:
                self.sinks.append((ctx, value, value))
            call = _awaited_call(value) if len(target.elts) == 2 and not any(isinstance(e, ast.Starred) for e in target.elts) else None
            sides = _sides(target.elts, value)
            for index, elt in enumerate(target.elts):
                part = WaitPart(call, index) if call is not None else sides[index]  # `done, pending = await asyncio.wait(..)`
                self._store(elt.value if isinstance(elt, ast.Starred) else elt, part, None, ctx, unpack=unpack, at=at)
        elif isinstance(target, ast.Starred):
            self._store(target.value, None, None, ctx, at=at)

    def _for(self, node, ctx) -> None:
        _bind_elements(node.target, node.iter, lambda name, meaning: self._bind(name, meaning, ctx))
        if not isinstance(node.target, (ast.Name, ast.Tuple, ast.List)):
            self._push(node.target, ctx)
        if self.wants.sets and not self._order_free_loop(node, ctx):
            found = _only_deletes(node.body)
            if found is None or found[0] or found[1]:
                self.sinks.append((ctx, node.iter, node.iter))
            if found is not None and (found[0] or found[1]):
                self.set_edits[id(node.iter)] = (*found, frozenset(_names_in_target(node.target)))  # order-free when each is proven
        self._push(node.iter, ctx)
        self._block(node.orelse, ctx)
        self._block(node.body, ctx)

    def _from_interesting(self, node) -> bool:
        """`requests.Session`, `Session`: a name or attribute chain from a name an import of
        something banned (or near one) binds."""
        if node is None:
            return False
        root, _ = _chain(node)
        return isinstance(root, ast.Name) and root.id in self.interesting

    def _instances(self, meaning: Local, scope: Scope, depth: int, gated: bool) -> List[str]:
        """The classes a local holds an instance of: bound to `C(..)` (or `with C(..) as x`, or a
        factory of `FACTORIES`) or annotated `C` (`Optional[C]`, `C | None`, a string, `= None`
        as the default), where `C` is named like a class and some rule names paths below it
        (`requests.Session.get`; not `requests.Request`, whose methods no rule names)."""
        value = meaning.value
        if isinstance(value, ast.Call):
            node = value.func
        elif (value is None or _is_none(value)) and meaning.annotation is not None and meaning.annotation is not ENTERED:
            node = _instance_annotation(meaning.annotation)
        else:
            return []
        root, chain = _chain(node) if node is not None else (None, [])
        if not isinstance(root, ast.Name) or root.id in ("set", "frozenset") and not chain:
            return []
        above = self.wants.banned.above
        out = []
        for path in self.qualified(root.id, chain, scope, depth + 1, gated):
            path = FACTORIES.get(path, path) if isinstance(value, ast.Call) else path
            if (path.rsplit(".", 1)[-1][:1].isupper() or path in LOWER_CLASSES) and path in above:
                out.append(path)
        return out

    def _methods(self, classes, attrs: List[str]) -> List[str]:
        """`C.m` for each class: a class a rule names itself (`random.Random`, whose construction
        its own rule judges) only for a method some rule names too (`random.Random.seed`, not
        `random.Random.random`)."""
        paths = self.wants.banned.paths
        suffix = "".join("." + a for a in attrs)
        return [c + suffix for c in classes if c not in paths or c + suffix in paths]

    @staticmethod
    def _sorted_next(stmt) -> Optional[str]:
        """The name a statement sorts in place or rebinds sorted (`out.sort()`, `out = sorted(out)`)."""
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
            name = stmt.value.func.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            name = stmt.targets[0]
        else:
            return None
        return name.id if isinstance(name, ast.Name) and _sorts_name(stmt, name.id) else None

    def _order_free_loop(self, node, ctx) -> bool:
        """`order_free_loop`, with every `len(..)` the builtin and no counted name a float (bound
        to a float literal or annotated `float` in the scope)."""
        if type(node) is not ast.For:
            return False
        found = order_free_loop(node, self.sorted_after.get(id(node)))
        if found is None:
            return False
        counted, _, _ = found
        if not self.builtin("len", ctx.scope) and any(isinstance(n, ast.Name) and n.id == "len" for n in ast.walk(node)):
            return False
        for name in counted:
            _, meanings = self.lookup(name, ctx.scope)
            for meaning in meanings or ():
                if not isinstance(meaning, Local):
                    return False
                if meaning.annotation is not None and not (isinstance(meaning.annotation, ast.Name) and meaning.annotation.id in ("int", "bool")):
                    return False
                value = meaning.value
                if value is not None and not (isinstance(value, ast.Constant) and type(value.value) in (int, bool)) and meaning.annotation is None:
                    return False
        return True

    def _with(self, node, ctx) -> None:
        for item in node.items:
            self._push(item.context_expr, ctx)
            if item.optional_vars is not None:
                expr = item.context_expr
                if isinstance(item.optional_vars, ast.Name) and isinstance(expr, ast.Call) and self._from_interesting(expr.func):
                    # `with requests.Session() as s:` (what `__enter__` returns: the instance, for a banned class)
                    self._bind(item.optional_vars.id, Local(expr, ENTERED, None, node), ctx)
                    self.interesting.add(item.optional_vars.id)
                    continue
                if isinstance(item.optional_vars, ast.Name):  # unknown, but bound before the body runs
                    self._bind(item.optional_vars.id, Local(None, None, None, node), ctx)
                    continue
                for name in _names_in_target(item.optional_vars):
                    self._bind(name, UNKNOWN, ctx)
        self._block(node.body, ctx)

    def _except(self, node, ctx) -> None:
        if node.name:
            self._bind(node.name, UNKNOWN, ctx)
        self._push(node.type, ctx)
        self._block(node.body, ctx)

    def _capture(self, node, ctx) -> None:
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if name:
            self._bind(name, UNKNOWN, ctx)
        for field in ("pattern", "keys", "patterns"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                self._push_all(value, ctx)
            elif value is not None:
                self._push(value, ctx)

    def _type_alias(self, node, ctx) -> None:
        if isinstance(node.name, ast.Name):
            self._bind(node.name.id, Local(node.value, TYPE_ALIAS, None), ctx)  # `type Tags = set[str]`
        self._push(node.value, ctx)

    def _named(self, node, ctx) -> None:
        scope = ctx.scope
        while scope.kind == "comprehension":
            scope = scope.parent
        scope.bind(node.target.id, Local(node.value, None, None))
        self._push(node.value, ctx)

    def _if(self, node, ctx) -> None:
        self._push(node.test, ctx)
        truth, label = self._truth(node.test, ctx)
        body_ctx, else_ctx = ctx, ctx
        if truth is False:
            body_ctx = ctx.but(gate=f"if {label}")
        elif truth is True:
            else_ctx = ctx.but(gate=f"else of `if {label}`")
        if self.wants.sets:
            proven_body, proven_else = size_proofs(node.test)
            if proven_body:
                body_ctx = body_ctx.but(proven=body_ctx.proven | proven_body)
            if proven_else:
                else_ctx = else_ctx.but(proven=else_ctx.proven | proven_else)
        self._block(node.orelse, else_ctx)
        self._block(node.body, body_ctx)

    def _truth(self, test, ctx) -> Tuple[Optional[bool], str]:
        off = _TypeChecking(self, ctx.scope) if self.type_checking else _NOTHING
        value = branch_truth(test, self.guards, off)
        if value is None:
            return None, ""
        inner, nots = test, 0
        while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.Not):
            inner, nots = inner.operand, nots + 1
        if isinstance(inner, (ast.Name, ast.Attribute)):
            return value, "not " * nots + (_dotted(inner) or (inner.id if isinstance(inner, ast.Name) else inner.attr))
        return value, " ".join(ast.unparse(test).split())

    def _while(self, node, ctx) -> None:
        """`while not SIMULATION:`: a body the DST build never enters is gated; so is the `else` of
        a loop whose test stays true there (it ends only by `break`)."""
        truth, label = self._truth(node.test, ctx)
        body_ctx = ctx.but(gate=f"while {label}") if truth is False else ctx
        else_ctx = ctx.but(gate=f"else of `while {label}`") if truth is True else ctx
        self._push(node.test, ctx)  # the order the generic walk took: else, body, then the test
        self._block(node.body, body_ctx)
        self._block(node.orelse, else_ctx)

    def _boolop(self, node, ctx) -> None:
        """`not SIMULATION and time.time() > x`, `SIMULATION or time.time()`: the parts after one
        that decides the chain in the DST build (false in an `and`, true in an `or`) are never
        evaluated there: gated."""
        decisive = isinstance(node.op, ast.Or)
        entries, inner = [], ctx
        for value in node.values:
            entries.append((value, inner))
            if inner is ctx and ctx.gate is None:
                truth, label = self._truth(value, ctx)
                if truth is decisive:
                    inner = ctx.but(gate=f"after `{label} {'or' if decisive else 'and'}`")
        self.stack.extend(entries)  # the order the generic walk took

    def _ifexp(self, node, ctx) -> None:
        """`a if SIMULATION else b`: the side the DST build does not evaluate is gated."""
        truth, label = self._truth(node.test, ctx)
        body_ctx = ctx.but(gate=f"if {label}") if truth is False else ctx
        else_ctx = ctx.but(gate=f"else of `if {label}`") if truth is True else ctx
        self._push(node.orelse, else_ctx)
        self._push(node.body, body_ctx)
        self._push(node.test, ctx)

    # -- expressions -----------------------------------------------------------------------------
    def _name(self, node, ctx) -> None:
        if node.id in self.interesting:
            if type(node.ctx) is ast.Load:
                self.refs.append((ctx, node, node.id, []))
            else:
                self._bind(node.id, UNKNOWN, ctx)
        elif type(node.ctx) is not ast.Load:
            self._bind(node.id, UNKNOWN, ctx)

    def _attribute(self, node, ctx) -> None:
        root, attrs = _chain(node)
        if isinstance(root, ast.Name):
            if root.id in self.interesting and type(node.ctx) is ast.Load:
                self.refs.append((ctx, node, root.id, attrs))
        else:
            module = self._imported_module(root, ctx.scope)
            if module is not None and type(node.ctx) is ast.Load:
                self.refs.append((ctx, node, MODULE + module, attrs))
            self._push(root, ctx)

    def _subscript(self, node, ctx) -> None:
        self._push(node.slice, ctx)
        if type(node.ctx) is ast.Load or _dotted(node.value) is None:
            self._push(node.value, ctx)  # `del os.environ[..]` is no read

    def _call(self, node, ctx) -> None:
        func = node.func
        root, attrs = (func, []) if type(func) is ast.Name else _chain(func)
        method = func.attr if isinstance(func, ast.Attribute) else ""
        args = node.args
        module = self._imported_module(root, ctx.scope) if isinstance(root, ast.Call) and attrs else None
        if module is not None:  # `__import__("time").time()`
            self.calls.append((ctx, node, MODULE + module, attrs, method))
            self._push(root, ctx)
            root = None
        elif isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id == "getattr":
            literal = self._getattr_literal(root, ctx.scope)
            if literal is not None:
                inner_root, inner_attrs = literal
                self.calls.append((ctx, node, inner_root, inner_attrs + attrs, method))
                self._push_all(root.args[1:], ctx)  # `obj` is part of the name (see `_getattr_literal`)
                root = None
        if self.reach is not None:
            if isinstance(root, ast.Name):
                self.every_call.append((ctx, node, root.id, attrs))
            elif isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id == "super" and not root.args and len(attrs) == 1:
                self.every_call.append((ctx, node, "super()", attrs))
            elif _type_of(root) is not None and len(attrs) <= 1:  # `type(self)()`, `type(self).m()`
                self.every_call.append((ctx, node, "type()", [_type_of(root), *attrs]))
            elif isinstance(root, ast.Call) and len(attrs) == 1:
                made, chain = _chain(root.func)
                if isinstance(made, ast.Name):  # `Feed().poll()`: the method of what `Feed` names
                    self.every_call.append((ctx, node, made.id, chain + attrs))
        if isinstance(root, ast.Name):
            if root.id in self.interesting or method in self.wants.methods:
                self.calls.append((ctx, node, root.id, attrs, method))
            elif not attrs and root.id in self.class_names:
                self.class_calls.append((ctx, node, root.id))
            elif attrs and root.id == ctx.self_name and ctx.klass is not None:
                self.attr_calls.append((ctx, node, attrs, method))  # `self.s.get(..)`; `self.pause(..)`, `pause = time.sleep`
            if root.id == "getattr" and not attrs:
                literal = self._getattr_literal(node, ctx.scope)
                if literal is not None:
                    self.refs.append((ctx, node, literal[0], literal[1]))
                    args = node.args[1:]
        elif root is not None:
            if isinstance(root, ast.Call) and attrs and self._from_interesting(root.func):
                self.chained.append((ctx, node, root, attrs, method))  # `requests.Session().get(..)`
            elif method in self.wants.methods:
                self.calls.append((ctx, node, None, attrs, method))
            self._push(root, ctx)
        if self.wants.sets and method in IN_ORDER_METHODS and len(args) == 1 and not node.keywords and not isinstance(args[0], ast.Starred):
            self.sinks.append((ctx, args[0], args[0]))  # `out.extend(s)`: a list grown in the set's order
        if self.wants.sets and isinstance(func, ast.Attribute) and args and (method in GROW_ONE or method in GROW_MANY):
            grows = None
            if isinstance(func.value, ast.Name):
                grows = self.grows.setdefault(func.value.id, [])
            elif isinstance(func.value, ast.Attribute) and self._self_attr(func.value, ctx):
                grows = ctx.klass.grows.setdefault(func.value.attr, [])  # `self.s.add(v)`
            if grows is not None and method in GROW_ONE:
                grows.append((ctx.scope, args[-1], True))
            elif grows is not None:
                for arg in args:
                    grows.append((ctx.scope, arg, False))
        if self.wants.sets or self.wants.identity:
            name = func.id if isinstance(func, ast.Name) else None
            if name in SHAPE_NAMES or method in SHAPE_METHODS or (name in self.interesting and self.wants.identity) or (self.wants.sets and (name or method) in CARRIER_NAMES):
                self.shapes.append((ctx, node))
            if name in ORDER_FREE and not _keyed_pick(node):
                for arg in node.args:
                    self.order_free_args[id(arg)] = node
                if name == "sum" and self.wants.sets and args and not isinstance(args[0], ast.Starred):
                    self.sinks.append((ctx, args[0], args[0], node))  # `sum(s)`: order-free only over ints
            elif self.wants.sets and name in ORDER_FREE:
                for arg in node.args:  # `min(s, key=f)`: of the elements f ties, the first met wins
                    if not isinstance(arg, ast.Starred):
                        self.sinks.append((ctx, arg, arg))
        for arg in args:
            if isinstance(arg, ast.Starred):
                if self.wants.sets:
                    self.sinks.append((ctx, arg, arg.value, node))
                self._push(arg.value, ctx)
            else:
                self._push(arg, ctx)
        self._push_all([k.value for k in node.keywords], ctx)

    def _getattr_literal(self, call, scope=None) -> Optional[Tuple[str, List[str]]]:
        """`getattr(time, "time_ns")` is `time.time_ns` (`getattr(__import__("time"), "time")` too).
        Its first argument is part of that name, not walked on its own: `getattr(os.environ,
        "get")` is one site, as `os.environ.get` is, and `getattr(os.environ, "update")` none."""
        if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str):
            root, attrs = _chain(call.args[0])
            if not call.args[1].value.isidentifier():
                return None
            if isinstance(root, ast.Name):
                return root.id, attrs + [call.args[1].value]
            module = self._imported_module(root, scope) if scope is not None else None
            if module is not None:
                return MODULE + module, attrs + [call.args[1].value]
        return None

    def _imported_module(self, node, scope, _depth: int = 0) -> Optional[str]:
        """The module a call with a literal name imports: `__import__("a.b")` is `a` (`a.b` with a
        `fromlist`), `importlib.import_module("a.b")` is `a.b`; None for anything else."""
        if not isinstance(node, ast.Call) or not node.args:
            return None
        name = node.args[0]
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or not all(p.isidentifier() for p in name.value.split(".")):
            return None
        func = node.func
        if isinstance(func, ast.Name) and func.id == "__import__" and self.builtin("__import__", scope):
            fromlist = node.args[3] if len(node.args) > 3 else next((k.value for k in node.keywords if k.arg == "fromlist"), None)
            listed = fromlist is not None and not (isinstance(fromlist, (ast.List, ast.Tuple)) and not fromlist.elts) and not _is_none(fromlist)
            return name.value if listed else name.value.split(".")[0]
        root, attrs = (func, []) if isinstance(func, ast.Name) else _chain(func)
        if isinstance(root, ast.Name) and "importlib.import_module" in self.qualified(root.id, attrs, scope, _depth + 1):
            return name.value
        return None

    def _lambda(self, node, ctx) -> None:
        args = node.args
        self._push_all(args.defaults, ctx)
        self._push_all(args.kw_defaults, ctx)
        scope = Scope(ctx.scope, "lambda")
        names = set()
        for arg in [*getattr(args, "posonlyargs", []), *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
            if arg is not None:
                scope.bind(arg.arg, UNKNOWN)
                names.add(arg.arg)
        self.lambda_params[id(node)] = frozenset(names)
        # a lambda's body runs when it is called, which need not be inside the coroutine
        self._push(node.body, ctx.but(scope=scope, in_async=False))

    def _comprehension(self, node, ctx) -> None:
        scope = Scope(ctx.scope, "comprehension")
        inner = ctx.but(scope=scope)
        for i, gen in enumerate(node.generators):
            _bind_elements(gen.target, gen.iter, scope.bind)
            if self.wants.sets:
                self.sinks.append((ctx if i == 0 else inner, gen.iter, gen.iter, node))
            self._push(gen.iter, ctx if i == 0 else inner)
            self._push_all(gen.ifs, inner)
        for part in ("elt", "key", "value"):
            self._push(getattr(node, part, None), inner)
        if self.wants.sets:
            self._one_side(node)

    def _one_side(self, node) -> None:
        """`i for i, _ in enumerate(s)`: the result uses the positions or the elements, not both."""
        for i, gen in enumerate(node.generators):
            it, target = gen.iter, gen.target
            if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and len(it.args) == 1):
                continue
            if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and all(isinstance(e, ast.Name) for e in target.elts)):
                continue
            rest = [*gen.ifs, *(getattr(node, p) for p in ("elt", "key", "value") if getattr(node, p, None) is not None)]
            for later in node.generators[i + 1:]:
                rest.extend([later.iter, *later.ifs])
            used = {n.id for part in rest for n in ast.walk(part) if isinstance(n, ast.Name)}
            if not all(e.id in used for e in target.elts):
                self.one_sided[id(it)] = node

    def _yield_from(self, node, ctx) -> None:
        """`yield from s` hands the elements on in the set's order."""
        if self.wants.sets:
            self.sinks.append((ctx, node.value, node.value))
        self._push(node.value, ctx)

    def _binop(self, node, ctx) -> None:
        if self.wants.identity and isinstance(node.op, (ast.Mod, ast.BitAnd)) and isinstance(node.left, ast.Call):
            self.buckets.append((ctx, node))
        self._push(node.right, ctx)
        self._push(node.left, ctx)

    def _display(self, node, ctx) -> None:
        for elt in node.elts:
            if isinstance(elt, ast.Starred) and type(node.ctx) is ast.Load:
                if self.wants.sets:
                    self.sinks.append((ctx, elt, elt.value, node))
                self._push(elt.value, ctx)
            else:
                self._push(elt, ctx)

    # -- resolution ------------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope):
        """(binding scope, meanings) of `name` seen from `scope`; (None, None) for a builtin."""
        current = scope
        while scope is not None:
            if scope.kind != "class" or scope is current:
                declared = scope.declared.get(name)
                if declared == "global" and scope is not self.module:
                    scope = self.module
                    continue
                if declared != "nonlocal":
                    meanings = scope.bindings.get(name)
                    stars = self._star_meanings(name, scope) if scope.stars else None
                    if stars and meanings:  # what a star import binds is one more meaning, before or after
                        return scope, meanings + [Star(m) for m in stars]
                    if stars:
                        return scope, stars
                    if meanings is not None:
                        return scope, meanings
            scope = scope.parent
        return None, None

    def _star_meanings(self, name: str, scope: Scope) -> list:
        out = []
        for module in scope.stars:
            if self.project is not None:  # the reach step follows functions and classes too
                found = self.project.star_exports(module, every=self.reach is not None).get(name, ())
                out.extend(found)
                if not found and self.wants.sets and self.project.star_set(module, name, self.within):
                    out.append(f"{module}.{name}")  # `from .consts import *` of a set constant
            elif name in self.wants.banned.star_names(module):
                out.append(f"{module}.{name}")
        return out

    def builtin(self, name: str, scope: Scope) -> bool:
        return self.lookup(name, scope)[1] is None

    def qualified(self, root: str, attrs: List[str], scope: Scope, _depth: int = 0, gated: bool = False) -> Tuple[str, ...]:
        """The dotted names `root.attrs` can be; `gated`: seen from a branch the DST build does
        not run, where the imports of such branches count too."""
        if root.startswith(MODULE):
            return self._expand(".".join([root[len(MODULE):], *attrs]))
        memo = self._memo
        if memo is None:
            return self._qualify(root, attrs, scope, _depth, gated)
        key = (root, tuple(attrs), id(scope), _depth, gated)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = self._qualify(root, attrs, scope, _depth, gated)
        return hit

    def _qualify(self, root: str, attrs: List[str], scope: Scope, _depth: int, gated: bool) -> Tuple[str, ...]:
        # Aliases of aliases branch at every name bound more than once: without the memo, a
        # module of such chains took seconds (the same question is asked again at each branch).
        bound_in, meanings = self.lookup(root, scope)
        if not meanings:
            return ()
        return self._qualify_meanings(meanings, attrs, bound_in, _depth, gated)

    def _qualify_meanings(self, meanings, attrs: List[str], bound_in: Scope, _depth: int, gated: bool) -> Tuple[str, ...]:
        """What `_qualify` makes of the meanings the lookup of a name found in `bound_in`."""
        suffix = "".join("." + a for a in attrs)
        out = set()
        for meaning in meanings:
            if isinstance(meaning, str):
                if type(meaning) is Star and attrs and self.wants.banned.under(meaning):
                    continue  # `import random` then `from random import *`: `random.Random` is the module's
                if gated or type(meaning) is not Gated:
                    out.update(self._expand(meaning + suffix))
            elif isinstance(meaning, Local) and _depth < ALIAS_DEPTH:
                if isinstance(meaning.value, (ast.Name, ast.Attribute, ast.Call)) and meaning.annotation is not ENTERED:
                    out.update(self._through_alias(meaning.value, attrs, bound_in, _depth, gated))
                if attrs:  # `s = requests.Session()` then `s.get(..)`: `requests.Session.get`
                    out.update(self._methods(self._instances(meaning, bound_in, _depth, gated), attrs))
        return tuple(sorted(out))

    def _through_alias(self, value, attrs: List[str], scope: Scope, depth: int, gated: bool = False) -> Tuple[str, ...]:
        """`t = time` then `t.time()`: a name assigned a module or a namespace above banned names
        means what the assigned path means (`t = __import__("time")` too). A name assigned a
        banned path below which no other is (`clock = time.time`) is not followed: the assignment
        is the site."""
        if isinstance(value, ast.Call):
            module = self._imported_module(value, scope, depth + 1)
            root, chain = (MODULE + module, []) if module is not None else (None, [])
        else:
            name, chain = _chain(value)
            root = name.id if isinstance(name, ast.Name) else None
        if root is None:
            return ()
        banned = self.wants.banned
        targets = self.qualified(root, chain, scope, depth + 1, gated)
        if not targets or not all((banned.related(t) and (t in banned.above or not banned.under(t))) or self._tainted_module(t) or self.wants.follows(t) for t in targets):
            return ()  # `requests` is banned itself, but a namespace: `r = requests` then `r.get()` is `requests.get`
        return self.qualified(root, chain + list(attrs), scope, depth + 1, gated)

    def _tainted_module(self, name: str) -> bool:
        """A project module some of whose names lead to a banned path (`m =
        importlib.import_module("pkg.clock")` then `m.now()`)."""
        project = self.project
        return project is not None and bool(project.module_paths(name)) and project.reaches(name, False) and project.reaches(name, True)

    def _expand(self, name: str) -> Tuple[str, ...]:
        hit = self._qualified.get(name)
        if hit is None:
            if self.project is not None and self.project.is_project(name):
                hit = self.project.resolve_for_analysis(name, self.within)
            else:
                hit = (self.wants.banned.canon(name),)
            self._qualified[name] = hit
        return hit

    def _site_paths(self, root: str, attrs: List[str], ctx: Ctx, node) -> Tuple[str, ...]:
        """The banned paths `root.attrs` can be at a site: of a name bound more than once, only
        the bindings live at the site count (`s = requests.Session(); s = aiohttp.ClientSession();
        s.get()`). Asked only once some binding leads to a banned path (most sites: none), as
        `_live` needs the parent map."""
        banned, gated = self.wants.banned, ctx.gate is not None
        paths = tuple(p for p in self.qualified(root, attrs, ctx.scope, gated=gated) if banned.under(p))
        if paths and not root.startswith(MODULE):
            bound_in, meanings = self.lookup(root, ctx.scope)
            if meanings and len(meanings) > 1:
                live = self._live(meanings, bound_in, ctx.scope, node)
                if live is not meanings:
                    paths = tuple(p for p in self._qualify_meanings(live, attrs, bound_in, 0, gated) if banned.under(p))
        return paths

    def _live(self, meanings: list, bound_in: Scope, scope: Scope, node) -> list:
        """The meanings of a name that may be live at `node` (the list itself when all may be).
        A binding statement K kills a binding D at the site when every path from D to the site
        passes K: K is a statement of a block that holds the site in a later statement (or a
        `with` whose body holds it), and D is bound outside the statements from K to the site.
        Bindings of an `if` and its `else` kill nothing after the `if`: either may be live, and
        each keeps its meaning, as every binding of a name does elsewhere in the walk. Only a
        site in the binding scope's own code (or a comprehension of it) is judged: a function
        body runs when it is called, where any binding may be live."""
        while scope is not bound_in:
            if scope is None or scope.kind != "comprehension":
                return meanings
            scope = scope.parent
        killers = [m for m in meanings if isinstance(m, Local) and m.at is not None and _kills(m)]
        if not killers:
            return meanings
        chain: Dict[int, ast.AST] = {}  # id(ancestor of the site) -> its child toward the site
        child, parent = node, self._parent(node)
        while parent is not None:
            chain[id(parent)] = child
            child, parent = parent, self._parent(parent)
        dead: set = set()
        for killer in killers:
            stmt = killer.at
            if isinstance(stmt, (ast.With, ast.AsyncWith)) and id(stmt) in chain:
                block, start = stmt.body, 0
                toward = chain[id(stmt)]
            else:
                owner = self._parent(stmt)
                toward = chain.get(id(owner)) if owner is not None else None
                if toward is None:
                    continue
                block = _block_of(owner, stmt)
                if block is None:
                    continue
                start = _index(block, stmt) + 1
            end = _index(block, toward)
            if end is None or end < start:
                continue  # the site is in the killer itself, or in another block of its owner
            protected = {id(s) for s in block[start:end + 1]}
            protected.add(id(stmt))
            for meaning in meanings:
                if meaning is killer or not isinstance(meaning, Local) or meaning.at is None or id(meaning) in dead:
                    continue
                if not self._inside(meaning.at, protected):
                    dead.add(id(meaning))
        return [m for m in meanings if id(m) not in dead] if dead else meanings

    def _inside(self, node, ids: set) -> bool:
        """Whether `node` is one of the nodes `ids` names or below one."""
        while node is not None:
            if id(node) in ids:
                return True
            node = self._parent(node)
        return False

    def _resolve(self) -> None:
        banned = self.wants.banned
        for ctx, node, root, attrs, method in self.calls:
            paths = self._site_paths(root, attrs, ctx, node) if root is not None else ()
            if paths or method in self.wants.methods:
                self._call_fact(ctx, node, paths, method)
            elif root is not None and not root.startswith(MODULE):
                self._derived_call(ctx, node, root, attrs)
        for ctx, node, inner, attrs, method in self.chained:
            made = self._instances(Local(inner, None, None), ctx.scope, 0, ctx.gate is not None)
            paths = tuple(p for p in self._methods(made, attrs) if banned.under(p))
            if paths or method in self.wants.methods:
                self._call_fact(ctx, node, paths, method)
        for ctx, node, attrs, method in self.attr_calls:
            paths = tuple(p for p in self._attr_methods(ctx, attrs) if banned.under(p))
            if paths or method in self.wants.methods:
                self._call_fact(ctx, node, paths, method)
        for ctx, node, name in self.class_calls:
            self._derived_call(ctx, node, name, [])
        for ctx, node, root, attrs in self.refs:
            paths = self._site_paths(root, attrs, ctx, node)
            if paths:
                self._fact(Fact("ref", paths, *self.span(node), node), ctx)
        if self.wants.sets:
            for entry in self.sinks:
                ctx, site, iterated = entry[:3]
                parent = entry[3] if len(entry) > 3 else None
                if isinstance(parent, COMPREHENSIONS) and self.hashed(iterated, ctx) is None:
                    continue  # most comprehensions run over no set: ask that before what they run
                if isinstance(parent, COMPREHENSIONS) and not self._pure(parent, ctx, self._reduced(parent, ctx)):
                    parent = None  # `all(send(x) for x in s)`: the calls run in the set's order, whoever takes the values
                elif isinstance(parent, (ast.SetComp, ast.DictComp)):
                    continue  # its values are a set again (a dict made over a set is judged where it is iterated)
                if isinstance(parent, ast.Call) and _last_name(parent.func) == "sum":
                    parent = None  # `sum(s)`: `s` holds no ints (a set of ints is not hash-ordered)
                if parent is not None and (self._order_free_call(parent, ctx) or self._passed_to_order_free(parent, ctx) or id(parent) in self.order_free):
                    continue
                if id(site) in self.set_edits and self._proven_edits(*self.set_edits[id(site)], ctx):
                    continue
                self._set_fact(ctx, site, iterated)
        for ctx, node in self.shapes:
            self._shape(ctx, node)
        for ctx, node in self.buckets:
            if not ctx.in_hash and self._identity_call(node.left, ctx.scope):
                op = "%" if isinstance(node.op, ast.Mod) else "&"
                which = self._identity_name(node.left)
                self._fact(Fact("identity-order", (f"`{which}(...) {op} n`",), *self.span(node), node), ctx)

    def _call_fact(self, ctx, node, paths, method) -> None:
        positional = sum(1 for a in node.args if not _is_none(a))
        keywords = tuple(sorted(k.arg for k in node.keywords if k.arg and not _is_none(k.value)))
        # the first argument; without a positional one, the first keyword given a string (`pd.Timestamp(ts_input="now")`);
        # of a list or tuple display, its first element (`pd.DatetimeIndex(["now"])`)
        first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)), None)
        if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
            first = first.elts[0]
        literal = (first.value,) if isinstance(first, ast.Constant) and isinstance(first.value, str) else ()
        self._fact(Fact("call", paths, *self.span(node), node, method=method, args=(positional, keywords), in_async=ctx.in_async, first_tokens=literal), ctx)

    def _attr_methods(self, ctx, attrs: List[str]) -> List[str]:
        """`self.s.get(..)` where the class's methods (or a base class's in this module) set
        `self.s` to an instance, or its body declares `s: C`: that class's method. Any such
        assignment counts, as any binding of a local does (`self.s = None` beside it too).
        `self.pause(..)` where the class binds `pause = time.sleep`: what the alias names."""
        out, seen, info = set(), set(), ctx.klass
        while info is not None and id(info) not in seen:
            seen.add(id(info))
            for local in info.attrs.get(attrs[0], ()):
                if local is UNKNOWN or local.scope is None:
                    continue
                value, annotation = local.value, local.annotation
                if isinstance(value, (ast.Name, ast.Attribute)) and self._from_interesting(value):  # `pause = time.sleep`
                    out.update(self._through_alias(value, attrs[1:], local.scope, 0, ctx.gate is not None))
                    continue
                if len(attrs) < 2:
                    continue
                made = value.func if isinstance(value, ast.Call) else _instance_annotation(annotation) if annotation is not None else None
                if self._from_interesting(made):
                    out.update(self._methods(self._instances(local, local.scope, 0, ctx.gate is not None), attrs[1:]))
            info = self._base_class(info)
        return sorted(out)

    def _derived_call(self, ctx, node, root: str, attrs: List[str]) -> None:
        """`SimRandom()` where `class SimRandom(random.Random)` is a class of the project (this
        module or, through the index, another): a call of the banned class it derives from. When a
        class on the way defines `__init__` or `__new__`, what reaches the banned constructor is
        its business: the arguments are unknown ((-1, ()): no argument-shape matcher matches)."""
        found = self._banned_base(root, attrs, ctx.scope, gated=ctx.gate is not None)
        if found is None:
            return
        base, overrides = found
        if overrides:
            args: Tuple[int, Tuple[str, ...]] = (-1, ())
        else:
            args = (sum(1 for a in node.args if not _is_none(a)), tuple(sorted(k.arg for k in node.keywords if k.arg and not _is_none(k.value))))
        self._fact(Fact("call", (base,), *self.span(node), node, args=args, in_async=ctx.in_async), ctx)

    def _banned_base(self, root: str, attrs: List[str], scope, gated: bool = False) -> Optional[Tuple[str, bool]]:
        """(banned class, whether a class on the way defines `__init__` / `__new__`) when
        `root.attrs` names a banned class or a project class derived from one; None otherwise.
        Every meaning of the name must say so."""
        banned = self.wants.banned
        _, meanings = self.lookup(root, scope)
        if not meanings:
            return None
        suffix = "".join("." + a for a in attrs)
        found = set()
        for meaning in meanings:
            hit = None
            if isinstance(meaning, str):
                if type(meaning) is Gated and not gated:
                    return None
                for name in self._expand(str(meaning) + suffix):
                    if banned.under(name):
                        hit = (name, False)
                    elif self.project is not None:
                        hit = self.project.subclass_of(name, self.within)
                    if hit is not None:
                        break
            elif isinstance(meaning, Local) and isinstance(meaning.value, ast.ClassDef) and not attrs:
                info = self.classes.get(id(meaning.value))
                hit = self.derived_class(info) if info is not None else None
            if hit is None:
                return None
            found.add(hit)
        return found.pop() if len(found) == 1 else None

    def derived_class(self, info: ClassInfo) -> Optional[Tuple[str, bool]]:
        """What `_banned_base` says of a class this module defines, through its bases."""
        key = id(info)
        if key in self._derived:
            return self._derived[key]
        self._derived[key] = None  # a cycle of bases ends here
        result = None
        for base in info.node.bases:
            if isinstance(base, ast.Subscript):
                base = base.value
            root, attrs = _chain(base)
            if isinstance(root, ast.Name):
                found = self._banned_base(root.id, attrs, info.scope)
                if found is not None:
                    result = (found[0], found[1] or overrides_init(info.node))
                    break
        self._derived[key] = result
        return result

    def _order_free_call(self, node, ctx) -> bool:
        """`max(*s)`: a splat into an order-free builtin."""
        func = node.func if isinstance(node, ast.Call) else None
        return isinstance(func, ast.Name) and func.id in ORDER_FREE and not _keyed_pick(node) and self.builtin(func.id, ctx.scope)

    def _passed_to_order_free(self, node, ctx) -> bool:
        """`sorted(x for x in s)`, `len(list(s))`, `sorted([*s])`, `"x" in list(s)`: what an
        order-free consumer takes, straight or through order-keeping wrappers."""
        return self._taken_back(node, ctx) is not None

    def _pure(self, comp, ctx, calls: bool) -> bool:
        """Whether what a comprehension runs per element (its value, its conditions, its later
        loops) has no effect its order could show: no `await`, `yield` or `:=`, and with `calls`
        every call one of `PURE_BUILTINS` or `PURE_METHODS`. A lambda it makes is not called by it."""
        bound = {n for gen in comp.generators for n in _names_in_target(gen.target)}
        parts = [getattr(comp, p) for p in ("elt", "key", "value") if getattr(comp, p, None) is not None]
        for i, gen in enumerate(comp.generators):
            parts.extend(gen.ifs)
            if i:
                parts.append(gen.iter)
        return self._pure_parts(parts, ctx, bound, calls)

    def _pure_parts(self, parts, ctx, bound, calls: bool) -> bool:
        stack = list(parts)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                return False
            if isinstance(node, ast.Lambda):
                continue
            if calls and isinstance(node, ast.Call) and (not self._pure_function(node.func, ctx, bound, called=True) or (_last_name(node.func) == "get" and not node.args)):
                return False  # `q.get()` with no key is a queue's, which takes an item
            stack.extend(ast.iter_child_nodes(node))
        return True

    def _int_sum(self, call, ctx) -> bool:
        """A `sum(..)` of ints (`len(x) for x in s`, `map(len, s)`, a start of an int literal), whose
        total no order changes; anything else may be floats, which round at every addition."""
        if len(call.args) > 2 or call.keywords or (len(call.args) == 2 and not (isinstance(call.args[1], ast.Constant) and type(call.args[1].value) is int)):
            return False
        values = call.args[0] if call.args else None
        if isinstance(values, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            bound = {n for gen in values.generators for n in _names_in_target(gen.target)}
            return self._int_expr(values.elt, lambda n: n not in bound and self._int_name(n, ctx.scope), bound, ctx.scope)
        if isinstance(values, ast.Call) and isinstance(values.func, ast.Name) and values.func.id == "map" and len(values.args) == 2 and self.builtin("map", ctx.scope):
            function = values.args[0]
            return isinstance(function, ast.Name) and function.id in INT_FUNCS and self.builtin(function.id, ctx.scope)
        return False

    def _reduced(self, node, ctx) -> bool:
        """Whether `all`, `any`, `sum` or `len` takes what `node` makes (through `list(..)` or
        `tuple(..)`): the values are reduced away, so a call there runs for its effect or its
        verdict, and `all` / `any` stop at the first decisive element, which the order picks.
        Where the values are kept (`sorted`, a set) a call is taken to make them."""
        parent = self._parent(node)
        for _ in range(10):
            if not (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and any(a is node for a in parent.args) and self.builtin(parent.func.id, ctx.scope)):
                return False
            if parent.func.id in REDUCERS:
                return True
            if parent.func.id not in ("list", "tuple"):
                return False
            node, parent = parent, self._parent(parent)
        return False

    def _pure_function(self, func, ctx, bound=frozenset(), called: bool = False) -> bool:
        """A builtin of `PURE_BUILTINS` (not rebound), a method of `PURE_METHODS` (`x.lower()`,
        `str.isdigit`), or `None` (as `filter(None, s)` takes it)."""
        if isinstance(func, ast.Name):
            return func.id in PURE_BUILTINS and func.id not in bound and self.builtin(func.id, ctx.scope)
        if isinstance(func, ast.Attribute):
            return func.attr in PURE_METHODS
        return not called and _is_none(func)

    def _parent(self, node) -> Optional[ast.AST]:
        if self._parents is None:
            self._parents = _parent_map(self.tree)
        return self._parents.get(id(node))

    def _taken_back(self, node, ctx, depth: int = 0) -> Optional[str]:
        """How the consumer of `node` drops its order: "all" (`sorted`, `sum`, `any`, a set
        comprehension: every element, in no order), "len" (only the count), "in" (only
        membership), through `list(..)`, `tuple(..)`, `[*..]` and the carriers that keep every
        element (`chain`); None when the order may escape. A count of a comprehension with an
        `if` counts the elements the order picked, so "len" goes through none."""
        parent = self._parent(node)
        if depth > 20 or parent is None:
            return None
        if isinstance(parent, ast.Call) and any(a is node for a in parent.args):
            func = parent.func
            if isinstance(func, ast.Name) and self.builtin(func.id, ctx.scope):
                if func.id == "sum" and not self._int_sum(parent, ctx):
                    return None  # float addition rounds at every step: the total follows the order
                if func.id in ORDER_FREE:
                    return None if _keyed_pick(parent) else "len" if func.id == "len" else "all"
                if func.id in ("list", "tuple") and len(parent.args) == 1 and not parent.keywords:
                    return self._taken_back(parent, ctx, depth + 1)
                return None
            carrier = self._carrier_path(parent, ctx)
            if carrier is not None and CARRIERS[carrier][1] and (carrier != "collections.deque" or (len(parent.args) < 2 and not parent.keywords)):
                return self._taken_back(parent, ctx, depth + 1)
            return None
        if isinstance(parent, ast.Starred):
            display = self._parent(parent)
            if isinstance(display, ast.Set):
                return "all"
            if isinstance(display, (ast.List, ast.Tuple)) and type(display.ctx) is ast.Load:
                return self._taken_back(display, ctx, depth + 1)
            return None
        if isinstance(parent, ast.Compare):
            if len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.In, ast.NotIn)) and parent.comparators[0] is node:
                return "in"
            return None
        if isinstance(parent, ast.comprehension) and parent.iter is node:
            comp = self._parent(parent)
            if not self._pure(comp, ctx, self._reduced(comp, ctx)):
                return None
            if isinstance(comp, ast.SetComp):
                return "all"
            if not isinstance(comp, (ast.ListComp, ast.GeneratorExp)):
                return None
            back = self._taken_back(comp, ctx, depth + 1)
            if back == "len" and (len(comp.generators) > 1 or parent.ifs):
                return None
            return back if back != "in" else None
        return None

    def _carrier_path(self, call, ctx) -> Optional[str]:
        """The `CARRIERS` path a call names (`itertools.chain`, `chain` imported from it)."""
        if _last_name(call.func) not in CARRIER_NAMES:
            return None
        root, attrs = _chain(call.func)
        if not isinstance(root, ast.Name):
            return None
        found = [p for p in self.qualified(root.id, attrs, ctx.scope, gated=ctx.gate is not None) if p in CARRIERS]
        return found[0] if found else None

    def _set_fact(self, ctx, site, iterated) -> None:
        if id(site) in self.order_free:
            return
        found = self.hashed(iterated, ctx)
        if found is None:
            return
        key = _key(iterated)
        if key is not None and key in ctx.proven:
            return
        self._fact(Fact("set-iteration", (found[1],), *self.span(site), site), ctx)

    def _shape(self, ctx, node) -> None:
        func, args = node.func, node.args
        if self.wants.sets and _last_name(func) in CARRIER_NAMES:
            self._carrier(ctx, node)
        name = func.id if isinstance(func, ast.Name) and self.builtin(func.id, ctx.scope) else None
        method = func.attr if isinstance(func, ast.Attribute) else None
        # `enumerate(s)`, `zip(s, t)` pair each element with a position: no order-free consumer
        # takes that back, unless a comprehension keeps only one side (`sorted(i for i, _ in enumerate(s))`)
        pairs = name == "enumerate" or (name == "zip" and len(args) > 1)
        if pairs and id(node) in self.one_sided:
            comp = self.one_sided[id(node)]
            pairs = not (isinstance(comp, ast.SetComp) or self._passed_to_order_free(comp, ctx))
            if not pairs:
                return
        # `next(iter(s))`, `s.pop()` pick one element by the order: no consumer takes that back
        picks = name == "next" or method == "pop"
        # `all(map(send, s))`: a function that may do anything is called in the set's order
        effects = name in ("map", "filter") and bool(args) and not self._pure_function(args[0], ctx) and self._reduced(node, ctx)
        if self.wants.sets and (pairs or picks or effects or not self._passed_to_order_free(node, ctx)):
            target = None
            if name in SINK_BUILTINS - {"next"} and args and all(k.arg in SINK_KEYWORDS.get(name, ()) for k in node.keywords):
                target = [a for a in args if not isinstance(a, ast.Starred)]
            elif name == "next" and args and isinstance(args[0], ast.Call) and isinstance(args[0].func, ast.Name) and args[0].func.id == "iter" and len(args[0].args) == 1:
                target = [args[0].args[0]]
            elif method == "join" and len(args) == 1:
                target = [args[0]]
            elif method == "join" and len(args) == 2 and isinstance(func.value, ast.Name) and func.value.id == "str" and self.builtin("str", ctx.scope):
                self._set_fact(ctx, args[1], args[1])  # `str.join(",", s)`: the site is the set, which a fix can wrap
            elif method == "pop" and not args and not node.keywords:
                found = self.hashed(func.value, ctx)
                if found is not None and found[0] == "set":
                    target = [func.value]
            for iterated in target or ():
                if name in ("map", "filter") and iterated is args[0]:
                    continue
                self._set_fact(ctx, node, iterated)
        if self.wants.identity and not ctx.in_hash:
            self._identity_shape(ctx, node, name, method)

    def _carrier(self, ctx, node) -> None:
        """`islice(s, 3)`, `chain(s, t)`, `deque(s)`: a call of `CARRIERS` lets the order of the
        sets it is given escape (`deque(s, maxlen=n)` keeps the last n: not order-free)."""
        path = self._carrier_path(node, ctx)
        if path is None:
            return
        positions, order_free = CARRIERS[path]
        if path == "collections.deque":
            order_free = len(node.args) < 2 and not node.keywords
        back = self._taken_back(node, ctx)
        if back is not None and (order_free or (back == "len" and path not in COUNT_BY_ORDER)):
            return  # `len(list(islice(s, 3)))`: three of them, whichever three
        for i, arg in enumerate(node.args):
            if (positions is None or i in positions) and not isinstance(arg, ast.Starred):
                self._set_fact(ctx, node, arg)

    # -- hash-ordered values ---------------------------------------------------------------------
    def hashed(self, node, ctx, _depth: int = 0) -> Optional[Tuple[str, str]]:
        """("set" | "dict", description) when `node` is a value that iterates in hash order."""
        if _depth > 50:
            return None
        kind = type(node)
        if kind is ast.Set:
            return ("set", "a set literal") if _more_than_one(node.elts) and not self._unsalted_elements(node, ctx) else None
        if kind is ast.SetComp:
            return None if self._unsalted_elements(node, ctx) else ("set", "a set comprehension")
        if kind is ast.NamedExpr:  # `(s := set(xs))`
            return self.hashed(node.value, ctx, _depth + 1)
        if kind is ast.Await and isinstance(node.value, ast.Call) and self._returns_set(node.value, ctx, True):
            return "set", f"what `{_dotted(node.value.func) or _last_name(node.value.func)}()` returns"
        if kind is WaitPart:
            return ("set", "a set of tasks from `asyncio.wait(...)`") if self._asyncio_wait(node.call, ctx) else None
        if kind is ElementOf:  # `for v in d.values()`, `for k, v in d.items()`: a value of a mapping of sets
            it = node.iterable
            side = {None: "values", 1: "items"}.get(node.part)
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == side and not it.args and self._set_mapping(it.func.value, ctx):
                return "set", f"a set from `{_dotted(it.func.value) or it.func.attr}`"
            return None
        if kind is ast.Subscript and not isinstance(node.slice, ast.Slice) and self._set_mapping(node.value, ctx):
            return "set", f"a set from `{_dotted(node.value) or 'a mapping'}`"  # `d[k]` of `d = defaultdict(set)`
        if kind is ast.Subscript:  # `(await asyncio.wait(ts))[0]`, `r = await asyncio.wait(ts); r[1]`
            index = node.slice
            if not (isinstance(index, ast.Constant) and type(index.value) is int and index.value in (0, 1)):
                return None
            value = node.value
            if isinstance(value, ast.Name):
                _, meanings = self.lookup(value.id, ctx.scope)
                calls = [_awaited_call(m.value) if isinstance(m, Local) else None for m in meanings or ()]
                if not calls or None in calls:
                    return None
            else:
                calls = [_awaited_call(value)]
            if all(c is not None and self._asyncio_wait(c, ctx) for c in calls):
                return "set", "a set of tasks from `asyncio.wait(...)`"
            return None
        if kind is ast.Name:
            return self._hashed_name(node.id, ctx.scope, ctx, _depth)
        if kind is ast.Attribute:
            if self._self_attr(node, ctx):
                return self._hashed_attr(ctx.klass, node.attr, ctx, _depth)
            klass = self._class_named(node.value, ctx)
            if klass is not None:  # `Venue.CODES`
                return self._hashed_attr(klass, node.attr, ctx, _depth, owner=node.value.id)
            klass = self._instance_of(node.value, ctx)
            if klass is not None:  # `v.CODES`, `v.tags` of `v: Venue`, `v = Venue()`
                return self._hashed_attr(klass, node.attr, ctx, _depth, owner=node.value.id, instance=True)
            return self._hashed_module_attr(node, ctx)
        if kind is ast.Call:
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("set", "frozenset") and self.builtin(func.id, ctx.scope):
                if _one_frozen(node) or (node.args and self._unsalted_elements(node.args[0], ctx)):
                    return None  # an immutable set of one element has one order; ints hash alike in every process
                return "set", f"`{func.id}(...)`"
            if isinstance(func, ast.Name) and func.id == "iter" and len(node.args) == 1 and not node.keywords and self.builtin("iter", ctx.scope):
                return self.hashed(node.args[0], ctx, _depth + 1)  # an iterator over a set runs in its order
            if _last_name(func) == "WeakSet" and self._calls(node, ctx, WEAK_SETS):
                return "set", "`weakref.WeakSet(...)`"
            if self._calls(node, ctx, ("asyncio.all_tasks", "asyncio.tasks.all_tasks")):
                return "set", "the set of tasks from `asyncio.all_tasks()`"  # hashed by identity, as `asyncio.wait`'s
            if self._returns_set(node, ctx, False):
                return "set", f"what `{_dotted(func) or _last_name(func)}()` returns"
            if isinstance(func, ast.Attribute):
                if func.attr == "fromkeys" and isinstance(func.value, ast.Name) and func.value.id == "dict" and node.args:
                    inner = self.hashed(node.args[0], ctx, _depth + 1)
                    if inner is not None and inner[0] == "set":
                        return "dict", "`dict.fromkeys(...)` of a set"
                    return None
                if func.attr in SET_METHODS:
                    inner = self.hashed(func.value, ctx, _depth + 1)
                    if inner is not None and inner[0] == "set":
                        return "set", _of_tasks("a set expression", [inner, *(self.hashed(a, ctx, _depth + 1) for a in node.args)])
                    salted = not all(self._unsalted_elements(e, ctx) for e in (func.value, *node.args))
                    return ("set", "a set expression") if salted and self._set_shaped(func.value, ctx) else None
                if func.attr in ("get", "setdefault", "pop") and node.args and self._set_mapping(func.value, ctx):
                    return "set", f"a set from `{_dotted(func.value) or 'a mapping'}`"
                if func.attr in DICT_VIEWS and not node.args:
                    inner = self.hashed(func.value, ctx, _depth + 1)
                    return inner if inner is not None and inner[0] == "dict" else None
            return None
        if kind is ast.BinOp and isinstance(node.op, SET_OPS):
            for side in (node.left, node.right):
                if _is_set_view(side):
                    return "set", "a set operation on a mapping's keys or items"  # `a.keys() & b.keys()` is a set
                inner = self.hashed(side, ctx, _depth + 1)
                if inner is not None and inner[0] == "set":
                    return "set", _of_tasks("a set expression", [self.hashed(e, ctx, _depth + 1) for e in (node.left, node.right)])
            # `set(range(n)) | {"q"}`: unsalted only when every operand is
            sides = (node.left, node.right)
            if any(self._set_shaped(e, ctx) for e in sides) and not all(self._unsalted_elements(e, ctx) for e in sides):
                return "set", "a set expression"
            return None
        if kind is ast.DictComp:
            inner = self.hashed(node.generators[0].iter, ctx, _depth + 1)
            return ("dict", "a dict comprehension over a set") if inner is not None and inner[0] == "set" else None
        return None

    def _asyncio_wait(self, call, ctx) -> bool:
        """A call of `asyncio.wait` (through any import of it)."""
        return self._calls(call, ctx, ("asyncio.wait", "asyncio.tasks.wait"))

    def _calls(self, call, ctx, paths) -> bool:
        """A call of one of `paths` (through any import of it; a local namesake is not)."""
        if call is None:
            return False
        root, attrs = _chain(call.func)
        return isinstance(root, ast.Name) and any(p in paths for p in self.qualified(root.id, attrs, ctx.scope, gated=ctx.gate is not None))

    def _imported_hashed(self, meaning, ctx, calls: bool = False) -> Optional[str]:
        """"set" or "dict" when an import's target is a project module's top-level name bound
        only to such a value (the project index's tables); with `calls`, "call" when it is a
        function annotated to return a set; None otherwise."""
        if self.project is None or not isinstance(meaning, str) or (type(meaning) is Gated and ctx.gate is None):
            return None
        kind = self.project.set_kind(meaning, self.within)
        return kind if (kind == "call") == calls else None

    def _hashed_module_attr(self, node, ctx, calls: bool = False) -> Optional[Tuple[str, str]]:
        """`consts.VENUES`, `pkg.consts.VENUES`: a top-level name of a project module the file
        imports, every meaning of the root an import (with `calls`: `funcs.tags` of `funcs.tags()`,
        a function annotated to return a set)."""
        if self.project is None:
            return None
        root, attrs = _chain(node)
        if not isinstance(root, ast.Name):
            return None
        _, meanings = self.lookup(root.id, ctx.scope)
        if not meanings:
            return None
        suffix = "".join("." + a for a in attrs)
        kinds = set()
        for meaning in meanings:
            found = None
            if isinstance(meaning, str) and (type(meaning) is not Gated or ctx.gate is not None):
                found = self._imported_hashed(str(meaning) + suffix, ctx, calls)
            if found is None:
                return None
            kinds.add(found)
        if len(kinds) != 1:
            return None
        kind = kinds.pop()
        dotted = ".".join([root.id, *attrs])
        return kind, f"set `{dotted}`" if kind == "set" else f"dict `{dotted}` (built from a set)"

    def _returns_set(self, call, ctx, awaited: bool) -> bool:
        """A call of a function whose return annotation is a set (`-> set[str]`, as a binding's
        annotation is read): a function of this module, every binding of the name such a `def`;
        a method of the class or a base class in this module (`self.m()`); a project function
        another module defines (`from .funcs import tags`, `funcs.tags()`: the index says "call").
        `awaited`: `await f()` of an `async def`."""
        kind = ast.AsyncFunctionDef if awaited else ast.FunctionDef
        func = call.func
        if isinstance(func, ast.Name):
            scope, meanings = self.lookup(func.id, ctx.scope)
            if not meanings:
                return False
            for meaning in meanings:
                if isinstance(meaning, Local):
                    if not self._set_def(meaning.value, kind, scope):
                        return False
                elif awaited or self._imported_hashed(meaning, ctx, calls=True) is None:
                    return False
            return True
        if isinstance(func, ast.Attribute) and self._self_attr(func, ctx):
            seen, info = set(), ctx.klass
            while info is not None and id(info) not in seen:
                seen.add(id(info))
                defs = [d for d in info.node.body if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == func.attr]
                if defs:
                    return all(self._set_def(d, kind, info.scope) for d in defs)
                info = self._base_class(info)
            return False
        return isinstance(func, ast.Attribute) and not awaited and self._hashed_module_attr(func, ctx, calls=True) is not None

    def _set_mapping(self, node, ctx, depth: int = 0) -> bool:
        """A mapping whose values are hash-ordered sets: a name or `self.attr` every binding of which
        is `defaultdict(set)` or annotated `dict[K, set[str]]` (`Dict`, `Mapping`, `defaultdict`,
        inside `Optional` too)."""
        if depth > ALIAS_DEPTH:
            return False
        if isinstance(node, ast.Name):
            scope, meanings = self.lookup(node.id, ctx.scope)
        elif isinstance(node, ast.Attribute) and self._self_attr(node, ctx):
            scope, meanings = None, []
            info, seen = ctx.klass, set()
            while info is not None and id(info) not in seen:
                seen.add(id(info))
                meanings.extend(info.attrs.get(node.attr, ()))
                info = self._base_class(info)
        else:
            return False
        if not meanings:
            return False
        for m in meanings:
            if not isinstance(m, Local) or m is UNKNOWN:
                return False
            where = m.scope or scope or ctx.scope
            if m.annotation is not None:
                if not self._set_mapping_annotation(m.annotation, where):
                    return False
                continue
            value = m.value
            inner = ctx.but(scope=where)
            if not (isinstance(value, ast.Call) and value.args and self._calls(value, inner, ("collections.defaultdict",))):
                return False
            factory = value.args[0]
            if not (isinstance(factory, ast.Name) and factory.id in ("set", "frozenset") and self.builtin(factory.id, where)):
                return False
        return True

    def _set_mapping_annotation(self, node, scope) -> bool:
        """`dict[K, set[str]]`, `Optional[Mapping[K, frozenset]]`, a string of one."""
        for _ in range(5):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node = _unquoted(node)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and len(_union_arms(node)) == 1:
                node = _union_arms(node)[0]  # `dict[str, set[str]] | None`
            elif isinstance(node, ast.Subscript) and self._type_name(node.value, scope) == "typing.Optional":
                node = node.slice
            else:
                break
        if not (isinstance(node, ast.Subscript) and self._type_name(node.value, scope) in MAPPINGS and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2):
            return False
        return self._set_annotation(node.slice.elts[1], scope)

    def _proven_edits(self, receivers, tests, names, ctx) -> bool:
        """Whether every (receiver, proof) `_only_deletes` returned is what its edit needs, and
        its tests call nothing that does more than read."""
        return (
            all(self._a_set(r, ctx) or (proof == "deleter" and self._deleter(r, names, ctx)) for r, proof in receivers)
            and self._pure_parts(tests, ctx, names, True)
        )

    def _deleter(self, node, names, ctx) -> bool:
        """A receiver whose `remove` deletes what it is given or itself: an imported module (`os`,
        `shutil`), the loop's element (`p.remove()`), `pathlib.Path(..)` of it."""
        if isinstance(node, ast.Name):
            if node.id in names:
                return True
            scope, meanings = self.lookup(node.id, ctx.scope)
            return bool(meanings) and (
                all(isinstance(m, str) and m in DELETER_MODULES for m in meanings)
                or all(isinstance(m, Local) and self._a_list(m, scope) for m in meanings)  # distinct values leave in any order
            )
        return isinstance(node, ast.Call) and self._calls(node, ctx, ("pathlib.Path", "pathlib.PurePath"))

    def _a_list(self, local: Local, scope) -> bool:
        """A binding of a list: annotated `list[..]` / `List[..]`, or a list display or `list(..)`."""
        if local.annotation is not None:
            annotation = local.annotation.value if isinstance(local.annotation, ast.Subscript) else local.annotation
            return self._type_name(annotation, scope) in ("list", "typing.List")
        value = local.value
        return isinstance(value, ast.List) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "list" and self.builtin("list", scope))

    def _a_set(self, node, ctx) -> bool:
        """Whether `node` is proven a set, salted or not (`seen = set()`, `seen: set[int]`), so
        its `add` / `discard` do nothing another order would not."""
        found = self.hashed(node, ctx)
        if found is not None:
            return found[0] == "set"
        if self._set_shaped(node, ctx):
            return True
        if not isinstance(node, ast.Name):
            return False
        scope, meanings = self.lookup(node.id, ctx.scope)
        return bool(meanings) and all(
            isinstance(m, Local) and m.annotation is not None
            and self._type_name(m.annotation.value if isinstance(m.annotation, ast.Subscript) else m.annotation, scope) in SET_TYPES
            for m in meanings
        )

    def _set_def(self, node, kind, scope) -> bool:
        """A `def` (of `kind`) whose return annotation is a set (`scope`: where it is defined)."""
        return type(node) is kind and node.returns is not None and self._set_annotation(node.returns, scope)

    def _unsalted_elements(self, node, ctx, depth: int = 0) -> bool:
        """A collection whose elements hash alike in every process: a display of int, bool, float
        or complex literals (and tuples of them; not `None`, hashed by address before Python 3.12),
        `range(..)`, `set(..)` or a set expression of such, or a name bound only to one (and
        grown only with such: `_grown_unsalted`) or annotated a collection of such elements
        (`ids: list[int]`, `Sequence[tuple[int, int]]`, `set[int]`)."""
        if depth > 30:  # names assigned from themselves are cut by `_unsalted_visiting`
            return False
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            return bool(node.elts) and all(_unsalted_literal(e) for e in node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, SET_OPS):
            return self._unsalted_elements(node.left, ctx, depth + 1) and self._unsalted_elements(node.right, ctx, depth + 1)
        if isinstance(node, (ast.SetComp, ast.ListComp, ast.GeneratorExp)):
            return self._int_comprehension(node, ctx, depth)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("set", "frozenset") and len(node.args) == 1 and not node.keywords and self.builtin(func.id, ctx.scope):
                return self._unsalted_elements(node.args[0], ctx, depth + 1)
            if isinstance(func, ast.Attribute) and func.attr in SET_METHODS and self._set_shaped(func.value, ctx):
                return all(self._unsalted_elements(e, ctx, depth + 1) for e in (func.value, *node.args))
            return isinstance(func, ast.Name) and func.id == "range" and self.builtin("range", ctx.scope)
        if not isinstance(node, ast.Name):
            return False
        scope, meanings = self.lookup(node.id, ctx.scope)
        if not meanings:
            return False
        key = (id(scope), node.id)
        if key in self._unsalted_visiting:
            return True  # `s = s | {1}`: a name assigned from itself keeps its elements; its other bindings decide
        self._unsalted_visiting.add(key)
        try:
            return self._grown_unsalted(node.id, scope, ctx, depth) and all(self._unsalted_meaning(m, node, scope, ctx, depth) for m in meanings)
        finally:
            self._unsalted_visiting.discard(key)

    def _int_comprehension(self, node, ctx, depth: int) -> bool:
        """`{int(p) for p in parts}`, `{i * 2 for i in range(n)}`: every element an int (`_int_expr`),
        met in an order no hash decides (an int set's order still follows its insertion order
        where two ints share a slot)."""
        names = set()
        for gen in node.generators:
            if self.hashed(gen.iter, ctx, depth + 1) is not None:
                return False
            if isinstance(gen.target, ast.Name) and self._unsalted_elements(gen.iter, ctx, depth + 1):
                names.add(gen.target.id)
        bound = {n for gen in node.generators for n in _names_in_target(gen.target)}
        return self._int_expr(node.elt, names.__contains__, bound, ctx.scope)

    def _int_expr(self, node, names, bound, scope, depth: int = 0) -> bool:
        """An expression that is an int (or a tuple of ints) whatever the elements: a literal, a
        name `names` says is an int, `int(..)` / `len(..)` / `ord(..)` (the builtins), and arithmetic on such (not
        `/` or `**`, which may make a float)."""
        if depth > 20:
            return False
        if isinstance(node, ast.Constant):
            return type(node.value) in (int, bool)
        if isinstance(node, ast.Name):
            return names(node.id)
        if isinstance(node, ast.Tuple):
            return bool(node.elts) and all(self._int_expr(e, names, bound, scope, depth + 1) for e in node.elts)
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)) and self._int_expr(node.operand, names, bound, scope, depth + 1)
        if isinstance(node, ast.BinOp):
            return isinstance(node.op, INT_OPS) and all(self._int_expr(e, names, bound, scope, depth + 1) for e in (node.left, node.right))
        func = node.func if isinstance(node, ast.Call) else None
        return isinstance(func, ast.Name) and func.id in INT_FUNCS and func.id not in bound and bool(node.args) and self.builtin(func.id, scope)

    def _unsalted_meaning(self, meaning, node, scope, ctx, depth: int) -> bool:
        if not isinstance(meaning, Local) or meaning is UNKNOWN:
            return False
        if meaning.annotation is not None and meaning.annotation is not ENTERED:
            return self._unsalted_collection(meaning.annotation, scope)
        return meaning.value is not None and meaning.value is not node and self._unsalted_elements(meaning.value, ctx.but(scope=scope), depth + 1)

    def _grown_unsalted(self, name: str, scope, ctx, depth: int = 0) -> bool:
        """Whether all that `s.add(v)`, `s |= v`, `xs.extend(v)` put into the collection `name`
        bound in `scope` hashes alike in every process (`s.add("a")` salts `s = set(xs)`), also
        through a name assigned it (`t = s; t.add("a")`: one set, two names)."""
        key = (id(scope), name)
        if key in self._grown_visiting:
            return True  # `t = s; s = t`: the names' other growth decides
        self._grown_visiting.add(key)
        try:
            grows = [g for g in self.grows.get(name, ()) if self.lookup(name, g[0])[0] is scope]
            if not self._adds_unsalted(grows, ctx, depth):
                return False
            for where, alias in self.aliases.get(name, ()):
                if self.lookup(name, where)[0] is not scope:
                    continue
                alias_scope = self.lookup(alias, where)[0]
                if alias_scope is not None and not self._grown_unsalted(alias, alias_scope, ctx, depth + 1):
                    return False
            return True
        finally:
            self._grown_visiting.discard(key)

    def _adds_unsalted(self, grows, ctx, depth: int) -> bool:
        """Whether every (scope, value, one) of `grows` puts in only elements no process salts."""
        for where, value, one in grows:
            if not (_unsalted_literal(value) if one else self._unsalted_elements(value, ctx.but(scope=where), depth + 1)):
                return False
        return True

    def _set_shaped(self, node, ctx, depth: int = 0) -> bool:
        """A set by its shape, salted or not: a display, comprehension, `set(..)`, a set
        expression of one, or a name every binding of which is one (the operand `{"q"}` of
        `set(range(n)) | {"q"}`, whose one element alone would iterate in one order)."""
        if depth > ALIAS_DEPTH:
            return False
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("set", "frozenset"):
                return self.builtin(func.id, ctx.scope)
            return isinstance(func, ast.Attribute) and func.attr in SET_METHODS and self._set_shaped(func.value, ctx, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, SET_OPS):
            return self._set_shaped(node.left, ctx, depth + 1) or self._set_shaped(node.right, ctx, depth + 1)
        if isinstance(node, ast.Name):
            scope, meanings = self.lookup(node.id, ctx.scope)
            if not meanings:
                return False
            inner = ctx.but(scope=scope)
            return all(isinstance(m, Local) and m is not UNKNOWN and m.value is not None and m.value is not node and self._set_shaped(m.value, inner, depth + 1) for m in meanings)
        return False

    def _unsalted_collection(self, node, scope) -> bool:
        """An annotation of a collection (`COLLECTIONS`) of unsalted elements: `list[int]`,
        `tuple[int, ...]`, `Sequence[tuple[int, bool]]`, also as a string or inside `Optional`."""
        for _ in range(5):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node = _unquoted(node)
                if node is None:
                    return False
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and _is_none(node.right):
                node = node.left
            elif isinstance(node, ast.Subscript) and self._type_name(node.value, scope) == "typing.Optional":
                node = node.slice
            else:
                break
        if not (isinstance(node, ast.Subscript) and self._type_name(node.value, scope) in COLLECTIONS):
            return False
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return bool(elts) and all(self._unsalted(e, scope) for e in elts if not (isinstance(e, ast.Constant) and e.value is Ellipsis))

    def _value_hashed(self, local: Local, scope: Scope, ctx, depth) -> Optional[Tuple[str, str]]:
        """Whether what a binding holds iterates in hash order; `scope` is where it was bound."""
        if local.annotation is not None and self._set_annotation(local.annotation, scope):
            return "set", TASKS if self._tasks_annotation(local.annotation, scope) else ""
        if local.annotation is not None and self._unsalted_collection(local.annotation, scope):
            return None  # `s: set[int] = set(xs)`: the annotation says more than the value
        value = local.value
        if value is None:
            return None
        if isinstance(value, ast.Call) and any(k.arg == "default_factory" for k in value.keywords):
            factory = next(k.value for k in value.keywords if k.arg == "default_factory")
            if isinstance(factory, ast.Name) and factory.id in ("set", "frozenset"):
                return "set", ""
        return self.hashed(value, ctx.but(scope=scope) if scope is not ctx.scope else ctx, depth + 1)

    def _hashed_name(self, name: str, scope: Scope, ctx, depth) -> Optional[Tuple[str, str]]:
        binding_scope, meanings = self.lookup(name, scope)
        if not meanings or binding_scope is None:
            return None
        key = (id(binding_scope), name)
        if key in self._hashed:
            return self._hashed[key]
        self._hashed[key] = ("set", f"set `{name}`")  # a name assigned from itself keeps its kind
        kinds = set()
        annotated = neutral = tasks = False
        descriptions = []
        for meaning in meanings:
            if not isinstance(meaning, Local):
                found = self._imported_hashed(meaning, ctx)  # `from .consts import VENUES`
                if found is None:
                    kinds = None
                    break
                kinds.add(found)
                continue
            if _one_frozen(meaning.value):
                kinds = None  # the value says more than the annotation
                break
            if meaning.annotation is not None and self._set_annotation(meaning.annotation, binding_scope):
                annotated = True
                tasks = tasks or self._tasks_annotation(meaning.annotation, binding_scope)
                continue
            inner = ctx.but(scope=binding_scope)
            shaped = meaning.annotation is None and meaning.value is not None and self._set_shaped(meaning.value, inner)
            if shaped and self._unsalted_elements(meaning.value, inner, depth + 1):
                neutral = True  # `s = {1, 2}`, `s = s | {3}`: salted by a salted binding or what is added to it
                continue
            found = self._value_hashed(meaning, binding_scope, ctx, depth) if meaning.value is not None else None
            if found is None and shaped:
                neutral = True  # `s = {"a"}`: one element, one order, until more are added
                continue
            if found is None:
                kinds = None
                break
            kinds.add(found[0])
            descriptions.append(found)
        result = None
        if neutral and kinds == set() and not self._grown_unsalted(name, binding_scope, ctx, depth):
            kinds = {"set"}
        if neutral and kinds and kinds != {"set"}:
            kinds = None
        if annotated:
            result = ("set", f"set `{name}` {TASKS}" if tasks else f"set `{name}`")
        elif kinds and len(kinds) == 1:
            kind = kinds.pop()
            result = (kind, _of_tasks(f"set `{name}`", descriptions) if kind == "set" else f"dict `{name}` (built from a set)")
        self._hashed[key] = result
        return result

    def _class_named(self, node, ctx) -> Optional[ClassInfo]:
        """The class of this module a name means in every binding of it (`Venue` in `Venue.X`)."""
        if not isinstance(node, ast.Name):
            return None
        _, meanings = self.lookup(node.id, ctx.scope)
        infos = {id(m.value): self.classes.get(id(m.value)) for m in meanings or () if isinstance(m, Local) and isinstance(m.value, ast.ClassDef)}
        if not meanings or len(infos) != 1 or len(meanings) != 1:
            return None
        return next(iter(infos.values()))

    def _instance_of(self, node, ctx) -> Optional[ClassInfo]:
        """The class of this module a name holds an instance of in every binding: annotated with it
        (`v: Venue`, `Optional[Venue]`, `"Venue | None"`) or bound to a call of it (`v = Venue()`)."""
        if not isinstance(node, ast.Name):
            return None
        scope, meanings = self.lookup(node.id, ctx.scope)
        found = set()
        for m in meanings or ():
            if not isinstance(m, Local) or m is UNKNOWN:
                return None
            if m.annotation is not None and m.annotation is not ENTERED and m.annotation is not TYPE_ALIAS:
                made = _instance_annotation(m.annotation)
            else:
                made = m.value.func if isinstance(m.value, ast.Call) else None
            info = self._class_named(made, ctx.but(scope=scope)) if made is not None else None
            if info is None:
                return None
            found.add(id(info))
        return info if len(found) == 1 else None

    def _hashed_attr(self, klass: ClassInfo, attr: str, ctx, depth, owner: Optional[str] = None, instance: bool = False) -> Optional[Tuple[str, str]]:
        values = []
        seen = set()
        info = klass
        while info is not None and id(info) not in seen:
            seen.add(id(info))
            values.extend(info.attrs.get(attr, ()))
            if not values and (owner is None or instance) and self._set_property(info, attr):
                return "set", f"set `{owner or ctx.self_name}.{attr}`"  # a property annotated to return a set
            info = self._base_class(info)
        if not values:
            return None
        found_all, neutral = [], False
        for local in values:
            found = self._value_hashed(local, local.scope, ctx, depth) if local is not UNKNOWN else None
            if found is None and local.annotation is None and local.value is not None and self._set_shaped(local.value, ctx.but(scope=local.scope)):
                neutral = True  # `self.s = {1, 2}`: salted by a salted binding or what a method adds to it
                continue
            if found is None or found[0] != "set":
                return None
            found_all.append(found)
        if neutral and not found_all:
            grows, info, seen = [], klass, set()
            while info is not None and id(info) not in seen:
                seen.add(id(info))
                grows.extend(info.grows.get(attr, ()))
                info = self._base_class(info)
            if self._adds_unsalted(grows, ctx, depth):
                return None
        return "set", _of_tasks(f"set `{owner or ctx.self_name}.{attr}`", found_all)

    def _set_property(self, info: ClassInfo, attr: str) -> bool:
        """A `@property` (or `cached_property`) of the class named `attr`, annotated to return a set."""
        return any(
            isinstance(d, ast.FunctionDef) and d.name == attr and self._set_def(d, ast.FunctionDef, info.scope)
            and any(_last_name(x) in ("property", "cached_property") for x in d.decorator_list)
            for d in info.node.body
        )

    def _base_class(self, info: ClassInfo) -> Optional[ClassInfo]:
        """The first base of a class that is a class of the same module."""
        for base in info.node.bases:
            if isinstance(base, ast.Name):
                _, meanings = self.lookup(base.id, info.scope)
                for meaning in meanings or ():
                    if isinstance(meaning, Local) and isinstance(meaning.value, ast.ClassDef):
                        found = self.classes.get(id(meaning.value))
                        if found is not None:
                            return found
        return None

    def _tasks_annotation(self, node, scope) -> bool:
        """A set annotation whose elements are asyncio tasks or futures, in any arm
        (`set[asyncio.Task]`, `WeakSet[Task[None]] | set[Task]`, a string): the fix must not
        sort them."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node = _unquoted(node)
        for sub in ast.walk(node) if node is not None else ():
            if isinstance(sub, ast.Subscript) and self._type_name(sub.value, scope) in SET_TYPES:
                element = sub.slice.value if isinstance(sub.slice, ast.Subscript) else sub.slice
                if self._type_name(element, scope) in TASK_TYPES:
                    return True
        return False

    def _set_annotation(self, node, scope, _depth: int = 0) -> bool:
        """`set[str]`, `frozenset`, `typing.Set[..]`, `AbstractSet[..]`, `Optional[set[..]]`,
        `Union[set[..], None]`, `set[str] | None`, or a name of this module's every binding of
        which is an alias of one (`Tags = set[str]`, `Ids: TypeAlias = frozenset[int]`, `type
        Tags = set[str]`)."""
        for _ in range(10):
            if isinstance(node, ast.Name):
                found_scope, meanings = self.lookup(node.id, scope)
                if meanings and all(isinstance(m, Local) for m in meanings):
                    if _depth >= ALIAS_DEPTH:
                        return False
                    values = [self._alias_value(m) for m in meanings]
                    return None not in values and all(self._set_annotation(v, found_scope, _depth + 1) for v in values)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node = _unquoted(node)
                if node is None:
                    return False
                continue
            arms = None
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                arms = _union_arms(node)
            elif isinstance(node, ast.Subscript) and self._type_name(node.value, scope) == "typing.Union":
                arms = [e for e in (node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]) if not _is_none(e)]
            if arms is not None:  # `set[str] | None`: the one arm besides None; of several, every one must be a set
                if len(arms) == 1:
                    node = arms[0]
                    continue
                return bool(arms) and _depth < ALIAS_DEPTH and all(self._set_annotation(a, scope, _depth + 1) for a in arms)
            if isinstance(node, ast.Subscript):
                if self._type_name(node.value, scope) == "typing.Optional":
                    node = node.slice
                    continue
                if self._type_name(node.value, scope) in SET_TYPES and self._unsalted(node.slice, scope):
                    return False  # `set[int]`: ints hash to themselves, the same in every process
                node = node.value
            name = self._type_name(node, scope)
            return name in SET_TYPES
        return False

    def _unsalted(self, node, scope, depth: int = 0) -> bool:
        """An element type whose hash no process salts: `int`, `bool` and tuples of them (`str`,
        `bytes`, enums and objects hashed by identity are salted or address-dependent; a `float`
        or `complex` may be NaN, hashed by identity since Python 3.10)."""
        if depth > 8:
            return False
        if isinstance(node, ast.Subscript) and self._type_name(node.value, scope) in ("tuple", "typing.Tuple"):
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return bool(elts) and all(self._unsalted(e, scope, depth + 1) for e in elts if not (isinstance(e, ast.Constant) and e.value is Ellipsis))
        return self._type_name(node, scope) in UNSALTED

    @staticmethod
    def _alias_value(local: Local):
        """What a binding names as a type alias (`Tags = set[str]`, `Ids: TypeAlias = ..`, `type
        Tags = ..`): a name, attribute, subscript or `|` of those (a string too, when declared
        `TypeAlias`); None for any other binding."""
        value, annotation = local.value, local.annotation
        declared = annotation is TYPE_ALIAS or (isinstance(annotation, (ast.Name, ast.Attribute)) and _last_name(annotation) == "TypeAlias")
        if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)) or (isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr)):
            return value if annotation is None or declared else None
        if declared and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value
        return None

    def _type_name(self, node, scope) -> Optional[str]:
        root, attrs = _chain(node)
        if not isinstance(root, ast.Name):
            return None
        _, meanings = self.lookup(root.id, scope)
        if meanings is None:
            return ".".join([root.id, *attrs])  # a builtin: set, frozenset
        for meaning in meanings:
            if isinstance(meaning, str):
                return ".".join([meaning, *attrs])
        return None

    # -- identity order --------------------------------------------------------------------------
    def _identity_name(self, node) -> str:
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs" and node.args:
            node = node.args[0]
        return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else "hash"

    def _identity_call(self, node, scope=None, params=frozenset(), local=None) -> bool:
        """`id(x)`, `hash(x)` (the builtins), also inside `abs(..)` or a tuple."""
        stack = [node]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Tuple):
                stack.extend(node.elts)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name in ("id", "hash") and name not in params and (scope is None or self.builtin(name, scope)) and len(node.args) == 1:
                    if not (name == "hash" and scope is not None and self._int_typed(node.args[0], scope, local)):
                        return True
                if name == "abs" and node.args:
                    stack.append(node.args[0])
        return False

    def _int_typed(self, node, scope, local=None) -> bool:
        """An int-valued expression (`_int_expr`) whose names are each bound only to ints: annotated
        `int` or `bool` (a parameter `order_id: int`), an element of a collection of ints (`for i
        in range(n)`), or an int expression (`k = i * 31`): `hash()` of one, or of a tuple of
        them, is the same in every process. `local`: names a lambda or comprehension binds -> whether
        each is an int."""
        local = local or {}
        return self._int_expr(node, lambda name: local[name] if name in local else self._int_name(name, scope), frozenset(local), scope)

    def _int_name(self, name: str, scope, depth: int = 0) -> bool:
        found, meanings = self.lookup(name, scope)
        if not meanings or depth > 8:
            return False
        key = (id(found), name)
        if key in self._int_visiting:
            return True  # `i = i + 1`: the name's other bindings decide
        self._int_visiting.add(key)
        try:
            ctx = Ctx(found, None, "", False, None, None, _NOTHING, False)
            for m in meanings:
                if not isinstance(m, Local) or m is UNKNOWN:
                    return False
                if m.annotation is not None:
                    if self._type_name(m.annotation, found) not in ("int", "bool"):
                        return False
                elif isinstance(m.value, ElementOf) and m.value.part == 0 and _calls_builtin(m.value.iterable, "enumerate"):
                    if not self.builtin("enumerate", found):
                        return False  # `for i, x in enumerate(xs)`: a position
                elif isinstance(m.value, ElementOf):
                    if m.value.part is not None or not self._unsalted_elements(m.value.iterable, ctx) or self.hashed(m.value.iterable, ctx) is not None:
                        return False
                elif m.value is None or not self._int_expr(m.value, lambda n: self._int_name(n, found, depth + 1), frozenset(), found):
                    return False
            return True
        finally:
            self._int_visiting.discard(key)

    def _identity_key(self, value, ctx, subject=None) -> Optional[str]:
        """`id` / `hash` as a key function: the builtin itself or a lambda that calls it; `hash` of
        the elements of a `subject` of ints is none (an int hashes to itself)."""
        scope = ctx.scope
        ints = subject is not None and self._unsalted_elements(subject, ctx)
        if isinstance(value, ast.Name) and value.id in ("id", "hash") and self.builtin(value.id, scope):
            return None if value.id == "hash" and ints else value.id
        if isinstance(value, ast.Lambda):
            params = self.lambda_params.get(id(value), frozenset())
            local = {p: ints and len(params) == 1 for p in params}
            for sub in ast.walk(value.body):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and self._identity_call(sub, scope, params, local):
                    return sub.func.id
        return None

    def _identity_container(self, node, ctx) -> bool:
        """A collection keyed or filled by `id()` / `hash()` values."""
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            local = {}  # `hash(i) for i in range(n)`: the names the comprehension binds, each an int or not
            for gen in node.generators:
                ints = isinstance(gen.target, ast.Name) and self._unsalted_elements(gen.iter, ctx) and self.hashed(gen.iter, ctx) is None
                local.update((n, ints) for n in _names_in_target(gen.target))
            return self._identity_call(node.key if isinstance(node, ast.DictComp) else node.elt, ctx.scope, frozenset(), local)
        if isinstance(node, ast.Dict):
            return bool(node.keys) and all(k is not None and self._identity_call(k, ctx.scope) for k in node.keys)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("keys", "items") and not node.args:
            return self._identity_container(node.func.value, ctx)
        if isinstance(node, ast.Name):
            scope, meanings = self.lookup(node.id, ctx.scope)
            if scope is None:
                return False
            if node.id in scope.id_stores:
                return True
            return any(isinstance(m, Local) and m.value is not None and self._identity_container(m.value, ctx) for m in meanings if not (isinstance(m, Local) and m.value is node))
        if isinstance(node, ast.Attribute) and self._self_attr(node, ctx):
            return node.attr in ctx.klass.id_stores
        return False

    def _identity_shape(self, ctx, node, name, method) -> None:
        keyword = {k.arg: k.value for k in node.keywords if k.arg}
        described = None
        if name in ("sorted", "min", "max") or method == "sort":
            label = f"`{name}(...)`" if name else "`.sort(...)`"
            subject = node.args[0] if name and node.args else node.func.value if method == "sort" else None
            which = self._identity_key(keyword["key"], ctx, subject) if "key" in keyword else None
            if which is not None:
                described = f"{label} keyed by `{which}()`"
            elif "key" not in keyword:
                subject = node.args[0] if name and len(node.args) == 1 else node.func.value if method == "sort" else None
                if subject is not None and self._identity_container(subject, ctx):
                    described = f"{label} of `id()` / `hash()` values"
        else:
            root, attrs = _chain(node.func)
            qualified = set(self.qualified(root.id, attrs, ctx.scope)) if isinstance(root, ast.Name) else set()
            function = min(qualified) if qualified else ""
            if qualified & HEAPQ_KEYED and "key" in keyword:
                subject = node.args[1] if len(node.args) > 1 and "heapq.merge" not in qualified else None
                which = self._identity_key(keyword["key"], ctx, subject)
                if which is not None:
                    described = f"`{function}(...)` keyed by `{which}()`"
            elif qualified & HEAPQ_ITEM and len(node.args) >= 2 and self._identity_call(node.args[1], ctx.scope):
                described = f"`{function}(...)` of an `id()` / `hash()` value"
            elif "heapq.heapify" in qualified and node.args and self._identity_container(node.args[0], ctx):
                described = "`heapq.heapify(...)` of `id()` / `hash()` values"
        if described is not None:
            self._fact(Fact("identity-order", (described,), *self.span(node), node), ctx)

    # -- positions -------------------------------------------------------------------------------
    def _column(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else b""
        return len(text[:byte_col].decode("utf-8", "replace")) + 1

    def span(self, node):
        start = (node.lineno, self._column(node.lineno, node.col_offset))
        end = (node.end_lineno, self._column(node.end_lineno, node.end_col_offset))
        return start, end

    def snippet(self, node) -> str:
        first, last = node.lineno, node.end_lineno
        if first == last:
            text = self.lines[first - 1][node.col_offset:node.end_col_offset]
        else:
            chunk = [self.lines[first - 1][node.col_offset:]] + self.lines[first:last - 1] + [self.lines[last - 1][:node.end_col_offset]]
            text = b"\n".join(chunk)
        return " ".join(text.decode("utf-8", "replace").split())

    def _fact(self, fact: Fact, ctx: Ctx) -> None:
        self.facts.append(fact)
        self.contexts[id(fact)] = Context(gate=ctx.gate, item=ctx.item)
        if self.reach is not None:
            self.fact_units[id(fact)] = ctx.unit

    # -- reach -------------------------------------------------------------------------------
    def _dotted_names(self, root: str, attrs: List[str], scope: Scope, _depth: int = 0) -> List[str]:
        """The absolute dotted names `root.attrs` can be: through an import, or a function or
        class of this module; a method called on a variable assigned a call is that method of
        what the call names (`feed = Feed(); feed.poll()` is `Feed.poll`, which resolves only
        when `Feed` is a class). Another local variable, a parameter or a builtin is not followed."""
        found_scope, meanings = self.lookup(root, scope)
        suffix = "".join("." + a for a in attrs)
        out = set()
        for meaning in meanings or ():
            if isinstance(meaning, str):
                if type(meaning) is not Gated:
                    out.add(meaning + suffix)
            elif found_scope is self.module and isinstance(meaning.value, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(f"{self.reach}.{root}{suffix}")
            elif isinstance(meaning.value, ast.Call) and meaning.annotation is not ENTERED and len(attrs) == 1 and _depth < ALIAS_DEPTH:
                made, chain = _chain(meaning.value.func)  # `feed = Feed()` then `feed.poll()`
                if isinstance(made, ast.Name):
                    out.update(self._dotted_names(made.id, chain + attrs, found_scope, _depth + 1))
        return sorted(out)

    def reach_calls(self) -> List[tuple]:
        """Every call with what it can call: (ctx, node, forms), a form being ("name", dotted
        name), ("self", class qualname, method) for `self.m()` / `cls.m()`, or ("super", class
        qualname, method) for `super().m()`. A call that builds the class, `cls()` in a
        classmethod, `type(self)()` or `self.__class__()` elsewhere, is ("self", class qualname,
        "__init__"), as `Class()` is its `__init__`."""
        out = []
        for ctx, node, root, attrs in self.every_call:
            klass = ctx.klass.qualname if ctx.klass is not None else None
            on_class = ctx.unit in self.classmethods  # the receiver is the class, not an instance
            if root == "super()":
                forms = [("super", klass, attrs[0])] if klass is not None and ctx.receiver is not None else []
            elif root == "type()":
                typed = attrs[0] == ctx.receiver and klass is not None and not on_class and self.builtin("type", ctx.scope)
                forms = [("self", klass, attrs[1] if len(attrs) == 2 else "__init__")] if typed else []
            elif root == ctx.receiver and klass is not None:
                if not attrs:
                    forms = [("self", klass, "__init__")] if on_class else []
                elif attrs == ["__class__"] and not on_class:
                    forms = [("self", klass, "__init__")]
                else:
                    forms = [("self", klass, attrs[0])] if len(attrs) == 1 else []
            else:
                forms = [("name", n) for n in self._dotted_names(root, attrs, ctx.scope)]
            if forms:
                out.append((ctx, node, forms))
        return out

    def class_bases(self) -> Dict[str, List[str]]:
        """Each module-level class's bases, as absolute dotted names, in order; "?" for one that
        is computed or held in a variable (a builtin such as `object` is left out)."""
        out = {}
        for info in self.classes.values():
            if info.qualname is None:
                continue
            bases = []
            for base in info.node.bases:
                if isinstance(base, ast.Subscript):  # Generic[T], Base[int]
                    base = base.value
                root, attrs = _chain(base)
                if isinstance(root, ast.Name) and self.builtin(root.id, info.scope):
                    continue
                names = self._dotted_names(root.id, attrs, info.scope) if isinstance(root, ast.Name) else []
                bases.extend(names or ["?"])
            out[info.qualname] = bases
        return out


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _sides(targets, value) -> list:
    """What each of `targets` is bound to by `a, b = x, y` (a display of literal elements on the
    right): the element at its place, counted from the end after a starred target; None for the
    starred one and where the right side is no such display."""
    elts = value.elts if isinstance(value, (ast.Tuple, ast.List)) and not any(isinstance(e, ast.Starred) for e in value.elts) else None
    stars = [i for i, t in enumerate(targets) if isinstance(t, ast.Starred)]
    if elts is None or len(stars) > 1 or (not stars and len(elts) != len(targets)) or len(elts) < len(targets) - len(stars):
        return [None] * len(targets)
    star = stars[0] if stars else len(targets)
    return [elts[i] if i < star else None if i == star else elts[len(elts) - (len(targets) - i)] for i in range(len(targets))]


def _calls_builtin(node, name: str) -> bool:
    """`name(..)` spelled as the bare name (the caller checks it is the builtin)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _element(target, iterable, part=None) -> Local:
    """The binding of a loop target: an element of the iterable for a plain name (or a side of
    one, for a name of a pair `k, v`), else unknown."""
    return Local(ElementOf(iterable, part), None, None) if isinstance(target, ast.Name) else UNKNOWN


def _bind_elements(target, iterable, bind) -> None:
    """Binds the names of a loop target (`x`, `k, v`, anything else as unknown)."""
    pair = isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2
    for i, elt in enumerate(target.elts) if pair else ():
        if isinstance(elt, ast.Name):
            bind(elt.id, _element(elt, iterable, i))
    for name in _names_in_target(target):
        if not (pair and any(isinstance(e, ast.Name) and e.id == name for e in target.elts)):
            bind(name, _element(target, iterable))


def _kills(local: Local) -> bool:
    """Whether a binding's statement surely rebinds the name when it runs: an assignment (not a
    bare annotation `s: T`), a `with .. as s`, a `def` or `class` (a parameter's `at` is its
    function, which binds it on entry, before any statement of the body)."""
    at = local.at
    if isinstance(at, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return local.value is at
    return isinstance(at, (ast.Assign, ast.With, ast.AsyncWith)) or (isinstance(at, ast.AnnAssign) and at.value is not None)


def _block_of(owner, stmt) -> Optional[list]:
    """The statement list of `owner` that holds `stmt`."""
    for name in _FIELDS.get(type(owner)) or _child_fields(type(owner)):
        value = getattr(owner, name, None)
        if type(value) is list and any(v is stmt for v in value):
            return value
    return None


def _index(block: list, node) -> Optional[int]:
    for i, value in enumerate(block):
        if value is node:
            return i
    return None


def _child_fields(kind: type) -> Tuple[str, ...]:
    """The fields of a node type that can hold child nodes the walk visits (cached)."""
    names = _FIELDS[kind] = tuple(f for f in kind._fields if f not in ("ctx", "type_comment", "type_params"))
    return names


def _skip(walker, node, ctx) -> None:
    return None


_HANDLERS = {
    ast.Name: Walker._name, ast.Attribute: Walker._attribute, ast.Call: Walker._call, ast.Constant: _skip,
    ast.Subscript: Walker._subscript, ast.Assign: Walker._assign, ast.AugAssign: Walker._augassign,
    ast.AnnAssign: Walker._annassign, ast.For: Walker._for, ast.AsyncFor: Walker._for, ast.If: Walker._if,
    ast.FunctionDef: Walker._function, ast.AsyncFunctionDef: Walker._function, ast.ClassDef: Walker._class,
    ast.Lambda: Walker._lambda, ast.ListComp: Walker._comprehension, ast.SetComp: Walker._comprehension,
    ast.GeneratorExp: Walker._comprehension, ast.DictComp: Walker._comprehension, ast.Import: Walker._import,
    ast.ImportFrom: Walker._import_from, ast.Global: Walker._declare, ast.Nonlocal: Walker._declare,
    ast.With: Walker._with, ast.AsyncWith: Walker._with, ast.ExceptHandler: Walker._except,
    ast.NamedExpr: Walker._named, ast.BinOp: Walker._binop, ast.List: Walker._display, ast.Tuple: Walker._display,
    ast.Module: Walker._module, ast.IfExp: Walker._ifexp, ast.YieldFrom: Walker._yield_from,
    ast.While: Walker._while, ast.BoolOp: Walker._boolop,
}
if hasattr(ast, "MatchValue"):
    _HANDLERS[ast.MatchValue] = _skip  # `case time.time:` compares with the function, calls nothing
for _name in ("MatchAs", "MatchStar", "MatchMapping"):
    if hasattr(ast, _name):
        _HANDLERS[getattr(ast, _name)] = Walker._capture
if hasattr(ast, "TypeAlias"):
    _HANDLERS[ast.TypeAlias] = Walker._type_alias


def interesting_names(source: bytes, banned, project=None, path: str = "", modules=()) -> FrozenSet[str]:
    """Names some import of the file binds to something that could lead to a banned path, or into
    one of `modules` (also inside functions: the byte scan finds those too)."""
    out = set()
    for imp in scan(source) if project is None else project.file_imports(path):
        base = imp.module
        if imp.level:
            base = project.absolute(path, imp.level, imp.module or "") if project is not None else None
            if base is None:
                continue
        if any(n == "*" for n, _ in imp.names):
            if project is not None:
                rough = project.star_exports(base, exact=False)
                out.update(rough)
                if rough or project.reaches(base, False):  # its module-level aliases too (`clock = time`), which only the exact tables list
                    out.update(project.star_exports(base, exact=True))
            else:
                out.update(banned.star_names(banned.canon(base)))
            continue
        for (name, alias), (bound, target) in zip(imp.names, Import(0, base if imp.module is not None else None, imp.names, 0, 0).bound()):
            if banned.related(banned.canon(target)) or target.split(".")[0] in modules:
                out.add(bound)
            elif project is not None and project.reaches(target, exact=False):
                out.add(bound)
            elif project is not None and project.names_subclass(target):
                out.add(bound)  # a class derived from a banned class, or a module holding one
            elif project is not None and imp.module is None and not alias and "." in name:
                # `import pkg.clock` binds `pkg`; `pkg.clock.time.perf_counter()` goes through
                # what `pkg.clock` itself imports
                parts = name.split(".")
                if any(project.reaches(".".join(parts[:i]), exact=False) for i in range(2, len(parts) + 1)):
                    out.add(bound)
    return frozenset(out)


def overrides_init(node: ast.ClassDef) -> bool:
    """A class body that defines (or assigns) `__init__` or `__new__`."""
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in ("__init__", "__new__"):
            return True
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in ("__init__", "__new__") for t in targets):
                return True
    return False


def module_hash_ordered(tree: ast.Module, source: bytes, guards) -> Tuple[List[List[str]], List[str], list]:
    """For the project index: ([name, "set" | "dict" | "call"] of each top-level name every binding
    of which, in the module and through `global` in its functions, is a value DST203 calls
    hash-ordered (as the same-module rule decides it), or a `def` annotated to return a set ("call"), the top-level names bound otherwise than by an import, and
    [name, [base as written], defines `__init__` / `__new__`] of each top-level name bound only to
    a class statement with a dotted base)."""
    from dstcheck.python.project import Banned

    walker = Walker(tree, source.split(b"\n"), Wants(Banned((), {}), frozenset(), True, False), guards)
    walker.shallow = b"global" not in source  # a function can bind a module name only through `global`
    walker.walk()
    ctx = Ctx(walker.module, None, "", False, None, None, _NOTHING, False)
    hashed, other, classes = [], [], []
    for name in sorted(walker.module.bindings):
        meanings = walker.module.bindings[name]
        if any(not isinstance(m, str) and m is not UNRESOLVED_IMPORT for m in meanings):
            other.append(name)
            found = walker._hashed_name(name, walker.module, ctx, 0)
            if found is not None:
                hashed.append([name, found[0]])
            elif all(isinstance(m, Local) and walker._set_def(m.value, ast.FunctionDef, walker.module) for m in meanings):
                hashed.append([name, "call"])  # `def tags() -> set[str]`: calling it makes a set
            if len(meanings) == 1 and isinstance(meanings[0].value, ast.ClassDef):
                node = meanings[0].value
                bases = [_dotted(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases]
                if any(bases):
                    classes.append([name, [b for b in bases if b], overrides_init(node)])
    return hashed, other, classes


_CLASS_WITH_BASES = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*(?:\[[^\]\n]*\][ \t]*)?\(", re.M)


_WANTS: Dict[tuple, Wants] = {}


def wants(rules, config) -> Wants:
    """What these rules need from the walk (computed once per rule selection)."""
    key = (id(config.pack), tuple(r.id for r in rules))
    if key not in _WANTS:
        from dstcheck.python.project import banned

        kinds = {m.kind for r in rules for m in r.matchers}
        methods = frozenset(x for r in rules for m in r.matchers if m.kind == "call" for x in m.params.get("methods", ()))
        # an alias of a callable no rule reports as a value is followed to its calls; one that a rule
        # reports where it is assigned (`clock = time.time`) keeps that assignment as its one site
        _WANTS[key] = Wants(banned(rules, config.pack.reexports.get("python", {})), methods, "set-iteration" in kinds, "identity-order" in kinds)
    return _WANTS[key]


def _keyed_pick(call: ast.Call) -> bool:
    """`min(s, key=f)` / `max(..)`: the pick among the elements `f` ties depends on the order met
    (Rust's `min_by_key`); a sort by a key keeps every element, and is taken as the order chosen.
    A key that ties no two elements is no pick: `key=None`, or a tuple ending in the element
    itself (`key=lambda o: (o.price, o)`)."""
    if not (isinstance(call.func, ast.Name) and call.func.id in ("min", "max")):
        return False
    key = next((k.value for k in call.keywords if k.arg == "key"), None)
    return key is not None and not _is_none(key) and not _total_key(key)


def _total_key(key) -> bool:
    if not (isinstance(key, ast.Lambda) and len(key.args.args) == 1 and not key.args.vararg):
        return False
    name, body = key.args.args[0].arg, key.body
    return isinstance(body, ast.Tuple) and bool(body.elts) and isinstance(body.elts[-1], ast.Name) and body.elts[-1].id == name


def collect(tree: ast.Module, source: bytes, wants: Wants, guards, project=None, path: str = "", reach: Optional[str] = None) -> Walker:
    """`reach`: the module's dotted name, to also record every call and the unit it sits in."""
    interesting = interesting_names(source, wants.banned, project, path, ("heapq",) if wants.identity else ())
    class_names = frozenset(m.group(1).decode("utf-8", "replace") for m in _CLASS_WITH_BASES.finditer(source)) if b"class" in source else frozenset()
    return Walker(tree, source.split(b"\n"), wants, guards, project, path, interesting, reach, class_names).run()


def _parent_map(tree: ast.AST) -> Dict[int, ast.AST]:
    """id(node) -> its parent, for every node the walk visits. Four times faster than
    `ast.walk` with `iter_child_nodes`, whose generators dominated the scoped-out inventory."""
    parents: Dict[int, ast.AST] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = type(node)
        names = _FIELDS.get(kind)
        if names is None:
            names = _child_fields(kind)
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, ast.AST):
                        parents[id(child)] = node
                        stack.append(child)
            elif isinstance(value, ast.AST):
                parents[id(value)] = node
                stack.append(value)
    return parents
