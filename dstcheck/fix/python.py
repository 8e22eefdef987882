"""Python fixes, with libcst: a lossless tree, so comments, formatting and quoting outside the
rewritten node survive byte for byte, and imports are managed by its own import helpers. This
module is imported only when a Python fix is planned: the check path never loads libcst.

- `replace` (a configured replacement): the reference keeps its form. A dotted path written from
  its module (`time.time()`, with `import time`) becomes the replacement written from its module,
  which is imported (`import acmepy.clock`; `acmepy.clock.now()`); a name imported on its own
  (`from time import monotonic as mono`; `mono()`) becomes the replacement's name, imported from
  its module (`from acmepy.clock import now`; `now()`). Where that name is already bound or used
  for something else, the other form is used; the old import goes when nothing uses it any more.
- `wrap`: the iterated value is wrapped in a call (`sorted(s)`); `list(s)` becomes `sorted(s)`;
  a carrier's set argument is wrapped inside it (`islice(sorted(s), 3)`: sorting what it picked
  would keep the pick). Not where the set holds asyncio tasks, which do not order.

Which names a file binds and what its imports mean is read off CPython's `ast` of the file (its
C parser is fast); libcst parses and rewrites each site's expression, and manages the imports.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from dstcheck.fix import parses
from dstcheck.fix.rust import import_unit
from dstcheck.fix.text import Edit, Lines, apply, overlap, span, utf8_view
from dstcheck.python.resolve import CARRIERS, SINK_BUILTINS, TASKS


class Plan:
    """One fix: the site's bytes and what replaces them, and the imports it needs or frees."""

    def __init__(self, start: int, end: int, text: bytes, add=(), remove=()):
        self.start, self.end, self.text = start, end, text
        self.add: Tuple[Tuple[str, Optional[str]], ...] = tuple(add)
        self.remove: Tuple[Tuple[str, Optional[str], Optional[str]], ...] = tuple(remove)


def _dotted(node) -> Optional[List[str]]:
    """`a.b.c` as ["a", "b", "c"] (a Name or a chain of Attributes), else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return parts[::-1]


def _expression(path: List[str]) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name(path[0])
    for part in path[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


class Names:
    """What a module's names are, from its `ast`: every binding of each name (an import is
    (module, name or None, alias or None), anything else None), the names read, and what the
    module-level imports bind (name -> dotted path it means)."""

    def __init__(self, tree: ast.Module):
        self.bindings: Dict[str, list] = {}
        self.loaded: Set[str] = set()
        self.meaning: Dict[str, str] = {}
        self.top: Dict[str, list] = {}  # module-level import bindings only
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self.loaded.add(node.id)
                else:
                    self._bind(node.id, None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, None)
            elif isinstance(node, ast.arg):
                self._bind(node.arg, None)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self._bind(name, None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self._bind(node.name, None)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    self._bind(bound, (alias.name, None, alias.asname), id(node) in top)
                    self.meaning.setdefault(bound, alias.name if alias.asname else bound)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        bound = alias.asname or alias.name
                        self._bind(bound, (node.module, alias.name, alias.asname), id(node) in top)
                        self.meaning.setdefault(bound, f"{node.module}.{alias.name}")
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self._bind(alias.asname or alias.name, None)
            elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
                self._bind(node.name, None)
            elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
                self._bind(node.rest, None)

    def _bind(self, name: str, what, top: bool = False) -> None:
        self.bindings.setdefault(name, []).append(what)
        if top and what is not None:
            self.top.setdefault(name, []).append(what)

    def qualified(self, path: List[str]) -> Optional[str]:
        base = self.meaning.get(path[0])
        return ".".join([base] + path[1:]) if base is not None else None

    def taken(self, name: str, allowed) -> bool:
        """Whether `name` is bound other than by an import `allowed` accepts, or read where
        nothing in the module binds it (a builtin)."""
        found = self.bindings.get(name)
        if found is None:
            return name in self.loaded
        return not all(what is not None and allowed(what) for what in found)


class Orders:
    """Which of a module's names and `self` attributes it annotates as sets whose elements do not
    order, so that `sorted` of one raises TypeError: a class the file defines without an order
    (no `__lt__`, `__le__`, `__gt__` or `__ge__`, no `dataclass(order=True)`, and no base but
    `object`, `Generic`, `Protocol` or `Enum`, whose members do not order either), a callable,
    `object`, an element that may be None, and a tuple holding any of these. A class with another
    base or decorator, or one the file does not define, may order: unknown, and sorted."""

    SETS = frozenset({"set", "frozenset", "Set", "FrozenSet", "AbstractSet", "MutableSet", "WeakSet"})
    PLAIN_BASES = frozenset({"object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "enum.Enum"})
    COMPARISONS = frozenset({"__lt__", "__le__", "__gt__", "__ge__"})
    NO_ORDER = frozenset({"typing.Callable", "collections.abc.Callable"})  # functions and callables do not order
    TUPLES = frozenset({"tuple", "typing.Tuple"})
    NUMBERS = frozenset({"int", "float", "bool"})

    def __init__(self, tree: ast.Module, names: Names):
        self.names = names
        self.classes: Dict[str, list] = {}
        self.annotated: Dict[Tuple[str, str], list] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.classes.setdefault(node.name, []).append(node)
                for stmt in node.body:  # `pending: set[Task]` in a class body is its instances' too
                    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                        self._note(("self", stmt.target.id), stmt.annotation)
            elif isinstance(node, ast.AnnAssign):
                target = node.target
                if isinstance(target, ast.Name):
                    self._note(("name", target.id), node.annotation)
                elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    self._note(("self", target.attr), node.annotation)
            elif isinstance(node, ast.arg) and node.annotation is not None:
                self._note(("name", node.arg), node.annotation)

    def _note(self, key, annotation) -> None:
        """Record the element types of the set types an annotation spells (`set[Task]`,
        `"Optional[set[Task]]"`, `set[Manager[T]] | None`)."""
        annotation = _unquoted(annotation)
        for sub in ast.walk(annotation) if annotation is not None else ():
            if isinstance(sub, ast.Subscript) and _last(sub.value) in self.SETS:
                element = _unquoted(_slice(sub))
                if element is not None:
                    self.annotated.setdefault(key, []).append(element)

    def unordered(self, key) -> Optional[str]:
        """Why the elements of the set a name or attribute is annotated as do not order, or None."""
        for element in self.annotated.get(key, ()):
            why = self._why_not(element, 0)
            if why is not None:
                return why
        return None

    def _union(self, node, members, depth: int) -> Optional[str]:
        """A union's elements order only when each member does and all are of one kind: numbers
        compare with numbers, but `int | str` holds values `<` cannot compare (TypeError)."""
        if any(isinstance(m, ast.Constant) and m.value is None for m in members):
            return f"its elements (`{ast.unparse(node)}`) may be None, which orders against nothing"
        kinds = {"number" if ast.unparse(m) in self.NUMBERS and ast.unparse(m) not in self.names.bindings else ast.unparse(m) for m in members}
        if len(kinds) > 1:
            return f"its elements (`{ast.unparse(node)}`) are of several types, which do not order against each other"
        return next((w for w in (self._why_not(m, depth + 1) for m in members) if w), None)

    def _why_not(self, node, depth: int) -> Optional[str]:
        node = _unquoted(node)
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant) and node.value is None:
            return "its elements may be None, which orders against nothing"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union(node, _union_members(node), depth)
        if isinstance(node, ast.Subscript):
            path = _ast_dotted(node.value)
            meaning = self.names.qualified(path) if path is not None else None
            meaning = meaning or (path[0] if path is not None and len(path) == 1 and path[0] not in self.names.bindings else None)
            members = _slice(node).elts if isinstance(_slice(node), ast.Tuple) else [_slice(node)]
            if meaning == "typing.Optional":
                return f"its elements (`{ast.unparse(node)}`) may be None, which orders against nothing"
            if meaning == "typing.Union":
                return self._union(node, members, depth)
            if meaning in self.TUPLES:  # a tuple orders by its members, compared in turn
                return next((w for w in (self._why_not(m, depth + 1) for m in members if not (isinstance(m, ast.Constant) and m.value is Ellipsis)) if w), None)
            node = node.value
        path = _ast_dotted(node)
        if path is None:
            return None
        name = ".".join(path)
        if (name in ("object", "type") and name not in self.names.bindings) or self.names.qualified(path) in self.NO_ORDER:
            return f"its elements (`{name}`) define no order"
        classes = self.classes.get(name)
        if classes and all(w is None for w in self.names.bindings.get(name, ())) and all(self._no_order(c) for c in classes):
            return f"its elements (`{name}`) define no order"
        return None

    def _no_order(self, cls: ast.ClassDef) -> bool:
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in self.COMPARISONS:
                return False
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(isinstance(t, ast.Name) and t.id in self.COMPARISONS for t in targets):
                    return False
        if cls.keywords:  # a metaclass may give it an order
            return False
        for base in cls.bases:
            base = base.value if isinstance(base, ast.Subscript) else base
            path = _ast_dotted(base)
            meaning = self.names.qualified(path) if path is not None and path != ["object"] else "object" if path == ["object"] else None
            if meaning not in self.PLAIN_BASES:
                return False
        for decorator in cls.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            path = _ast_dotted(call.func if call is not None else decorator)
            if path is None or self.names.qualified(path) != "dataclasses.dataclass":
                return False  # another decorator may add an order
            if call is not None and any(k.arg == "order" and not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in call.keywords):
                return False
        return True


def _union_members(node) -> list:
    """The members of an `A | B | C` annotation."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


def _slice(node: ast.Subscript):
    return node.slice.value if type(node.slice).__name__ == "Index" else node.slice  # Python 3.8 wraps it


def _unquoted(node):
    """An annotation written as a string, parsed (`"set[Task]"`); None where it does not parse."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    return node


def _last(node) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _ast_dotted(node) -> Optional[List[str]]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class PythonFixer:
    """Plans and renders the fixes of one file. Each fix is a libcst rewrite of the site's own
    expression (parsed on its own, so the cost follows the site, not the file), spliced back in
    place; libcst's import helpers then run over the whole module, only when imports change."""

    language = "python"

    def __init__(self, path: str, source: bytes, context):
        from dstcheck.python import parse

        self.path = path
        self.source = source
        self.context = context
        self.view, self.back = utf8_view(source, "python")
        decoded, trouble = parse.decode(source)
        tree = parse.parse(decoded)[0] if trouble is None else None
        self.broken = tree is None or self.view is None
        if not self.broken:
            self.names = Names(tree)
            self.tree = tree
            self._orders = None
            self.lines = Lines(self.view, "python")

    # -- planning --------------------------------------------------------------------------------
    def plan(self, candidate):
        where = span(self.lines, candidate.site)
        if where is None:
            return "the file changed since it was checked"
        if candidate.kind == "replace":
            return self._spaced(self._replace(where, candidate.site.api, candidate.params["path"], candidate.params["replacement"]))
        if candidate.kind == "wrap":
            return self._spaced(self._wrap(where, candidate.params["function"], candidate.site.api))
        return f"no Python fix of kind {candidate.kind}"

    def _spaced(self, plan):
        """A rewrite that starts with a name, right after a keyword or name (`for x in(s)`), is
        kept apart from it by a space (`in sorted(s)`, not `insorted(s)`)."""
        if isinstance(plan, Plan) and plan.start > 0 and _word_end(self.view[:plan.start]) and _word_start(plan.text):
            plan.text = b" " + plan.text
        return plan

    def conflicts(self, plan: Plan, other: Plan) -> bool:
        return plan is not other and overlap(Edit(plan.start, plan.end, b""), Edit(other.start, other.end, b""))

    def _expression(self, start: int, end: int):
        """The site's text as a libcst expression (inside parentheses, so it may span lines)."""
        try:
            return cst.parse_expression("(" + self.view[start:end].decode("utf-8", "surrogatepass") + ")")
        except (cst.ParserSyntaxError, SyntaxError, ValueError):
            return None

    def _plan(self, start: int, end: int, node, add=(), remove=()) -> Plan:
        """The rewritten expression, without the parentheses `_expression` added, as a Plan."""
        if node.lpar and node.rpar:
            node = node.with_changes(lpar=node.lpar[1:], rpar=node.rpar[:-1])
        return Plan(start, end, _EMPTY.code_for_node(node).encode("utf-8", "surrogatepass"), add, remove)

    def _replace(self, where, api: str, entry: str, replacement: str):
        site = self._expression(*where)
        if site is None:
            return "the site is not an expression on its own"
        found = self._reference(site, api, entry)
        if found is None:
            return "cannot tell which part of the site names the banned path"
        reference, meaning = found
        if "#" in _EMPTY.code_for_node(reference):  # a dotted name holds no string: this is a comment
            return "a comment is written inside the reference"
        written = _dotted(reference)
        tail = meaning.split(".")[len(entry.split(".")):]
        new = replacement.split(".")
        cut = len(written) - len(tail)
        if cut >= 1 and written[cut:] == tail:
            spelled = len(entry.split("."))
            target = reference
            for _ in range(len(written) - cut):
                target = target.value
        else:
            cut, new, spelled, target = len(written), new + tail, len(entry.split(".")) + len(tail), reference
        unit, short = import_unit(new)
        module = ".".join(unit[:-1])
        forms = [("full", new), ("short", short)]
        if cut < spelled:
            forms.reverse()
        for form, path in forms:
            if form == "full" and not self.names.taken(path[0], lambda w, root=path[0]: w[1] is None and w[2] is None and w[0].split(".")[0] == root):
                add = (module, None)
                break
            if form == "short" and not self.names.taken(unit[-1], lambda w: w[:2] == (module, unit[-1]) and w[2] is None):
                add = (module, unit[-1])
                break
        else:
            return f"both `{unit[-1]}` and `{new[0]}` already name something else in this file"
        rewritten = site.visit(_Swap(target, _expression(path)))
        return self._plan(*where, rewritten, [add], self.names.top.get(written[0], []))

    def _reference(self, site, api: str, entry: str):
        """(node, what it means): the Name / Attribute chain inside the site that stands for
        `entry`, or else the function called (which the analysis resolved to `api`)."""
        stack = [site]
        while stack:
            node = stack.pop()
            dotted = _dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
            if dotted is None:
                stack.extend(reversed(node.children))
                continue
            outer = node
            for size in range(len(dotted), 0, -1):
                if self.names.qualified(dotted[:size]) == entry:
                    return outer, entry
                outer = outer.value if isinstance(outer, cst.Attribute) else outer
        if api == entry or api.startswith(entry + "."):
            called = site.func if isinstance(site, cst.Call) else site
            dotted = _dotted(called)
            if dotted is not None and any(w is not None for w in self.names.bindings.get(dotted[0], ())):
                return called, api  # imported from the project's own modules, which the analysis followed
        return None

    def _wrap(self, where, function: str, what: str = ""):
        if function in self.names.bindings:
            return f"`{function}` is rebound in this file"
        if function == "sorted" and TASKS in what:
            return "the set holds asyncio tasks, which do not order: sort by a key of yours, `sorted(pending, key=lambda t: t.get_name())`"
        start, end = where
        if self.view[start:start + 1] == b"*":  # a splat: `f(*s)`, `[*s]`
            start = start + 1 + len(self.view[start + 1:end]) - len(self.view[start + 1:end].lstrip())
        bare = (start, end)
        start, end = self._parenthesized(start, end)
        site = self._expression(start, end)
        if site is None:
            return "the site is not an expression on its own"
        call = lambda inner: cst.Call(func=cst.Name(function), args=[cst.Arg(value=inner.with_changes(lpar=[], rpar=[]))])
        if isinstance(site, cst.Call):
            func = site.func
            dotted = _dotted(func)
            carrier = self.names.qualified(dotted) if dotted is not None else None
            if carrier in CARRIERS:  # `islice(s, 3)`: the set it is given is sorted, not what it picked
                positions = CARRIERS[carrier][0]
                args = [a for i, a in enumerate(site.args) if a.keyword is None and (positions is None or i in positions)]
                if len(args) != 1 or args[0].star != "":
                    return "more than one argument may be the set"
                return self._unordered(function, args[0].value) or self._plan(start, end, site.visit(_Swap(args[0].value, call(args[0].value))))
            name = func.value if isinstance(func, cst.Name) else None
            method = func.attr.value if isinstance(func, cst.Attribute) else None
            if name in SINK_BUILTINS or method in ("join", "pop"):
                if method == "pop":
                    return "`.pop()` takes an element out of the set: sorting a copy would not"
                args = [a for a in site.args if a.star == "" and a.keyword is None]
                if name in ("enumerate", "next") and not any(a.star for a in site.args):
                    args = args[:1]  # `enumerate(s, 1)`'s start, `next(it, None)`'s default: not iterated
                if name == "next" and len(args) == 1 and isinstance(args[0].value, cst.Call) and _dotted(args[0].value.func) == ["iter"]:
                    args = [a for a in args[0].value.args if a.star == "" and a.keyword is None]
                elif name in ("map", "filter"):
                    args = args[1:]
                if len(args) != 1:
                    return "more than one argument may be the set"
                if self._unordered(function, args[0].value):
                    return self._unordered(function, args[0].value)
                if name == "list" and function == "sorted":
                    return self._plan(start, end, site.with_changes(func=cst.Name(function)))
                return self._plan(start, end, site.visit(_Swap(args[0].value, call(args[0].value))))
        if self._unordered(function, site):
            return self._unordered(function, site)
        if (start, end) != bare:  # `(s)`: its parentheses become the call's, and what is inside stays as written
            return Plan(start, end, function.encode() + self.view[start:end])
        return self._plan(start, end, call(site).with_changes(lpar=site.lpar[:1], rpar=site.rpar[-1:]))

    def _unordered(self, function: str, node) -> Optional[str]:
        """Why `sorted` cannot take the set: this file annotates it (a name, a parameter, or a
        `self` attribute, anywhere in the file) as a set of a class the file defines with no
        order, whose elements `sorted` would compare and fail on (TypeError)."""
        if function != "sorted":
            return None
        dotted = _dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if dotted is None or len(dotted) > 2 or (len(dotted) == 2 and dotted[0] != "self"):
            return None
        if self._orders is None:
            self._orders = Orders(self.tree, self.names)
        found = self._orders.unordered(("self" if len(dotted) == 2 else "name", dotted[-1]))
        return f"{found}: `sorted` would raise TypeError; sort them by a key of yours (`sorted(s, key=...)`)" if found else None

    def _parenthesized(self, start: int, end: int) -> Tuple[int, int]:
        """The site with the parentheses written around it (`(a | b)`), which the call that wraps
        it makes redundant; not a call's or a tuple's own."""
        view = self.view
        before = view[:start].rstrip()
        after = view[end:].lstrip()
        if not (before.endswith(b"(") and after.startswith(b")")):
            return start, end
        word = re.search(rb"([A-Za-z_][A-Za-z0-9_]*)?\s*$", before[:-1]).group(1)
        if before[:-1].rstrip()[-1:] in (b")", b"]", b'"', b"'") or (word is not None and not keyword.iskeyword(word.decode())):
            return start, end  # `f(s)`, `x[0](s)`: the parentheses belong to a call
        return len(before) - 1, len(view) - len(after) + 1

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, plans: List[Plan]) -> bytes:
        data = apply(self.view, [Edit(p.start, p.end, p.text) for p in plans])
        adds: Set[tuple] = {a for p in plans for a in p.add}
        removes: Set[tuple] = {r for p in plans for r in p.remove}
        if adds or removes:
            module = cst.parse_module(data.decode("utf-8", "surrogatepass"))
            if adds:
                context = CodemodContext()
                for module_name, obj in sorted(adds, key=lambda a: (a[0], a[1] or "")):
                    AddImportsVisitor.add_needed_import(context, module_name, obj)
                module = AddImportsVisitor(context).transform_module(module)
            for batch in _removal_batches(removes):
                context = CodemodContext()
                for module_name, obj, alias in batch:
                    RemoveImportsVisitor.remove_unused_import(context, module_name, obj, alias)
                module = RemoveImportsVisitor(context).transform_module(module)
            data = module.code.encode("utf-8", "surrogatepass")
            end = b"\r\n" if self.view.endswith(b"\r\n") else self.view[-1:]
            if end in (b"\r\n", b"\r", b"\n") and not data.endswith((b"\r", b"\n")):
                data += end  # libcst drops the last line's lone `\r`
        return self.back(data)

    def parses(self, data: bytes) -> bool:
        return parses("python", data)


_EMPTY = cst.Module(body=[])


def _word_end(data: bytes) -> bool:
    last = data[-4:].decode("utf-8", "ignore")[-1:]
    return bool(last) and (last.isalnum() or last == "_")


def _word_start(data: bytes) -> bool:
    first = data[:4].decode("utf-8", "ignore")[:1]
    return bool(first) and (first.isalnum() or first == "_")


def _removal_batches(removes) -> List[List[tuple]]:
    """The imports to remove, in batches libcst's remover takes at once: it keeps one alias per
    module for `import m` forms (`import time` and `import time as t` would lose one), so each
    batch holds at most one alias of a module; `from` imports all go in the first."""
    batches: List[List[tuple]] = []
    seen: Dict[str, int] = {}
    for item in sorted(removes, key=lambda r: (r[0], r[1] or "", r[2] or "")):
        index = 0
        if item[1] is None:
            index = seen.get(item[0], 0)
            seen[item[0]] = index + 1
        while len(batches) <= index:
            batches.append([])
        batches[index].append(item)
    return batches


class _Swap(cst.CSTTransformer):
    """Replaces one node (by identity) of the tree it visits."""

    def __init__(self, old, new):
        super().__init__()
        self.old, self.new = old, new

    def on_leave(self, original, updated):
        if original is self.old:
            return self.new.with_changes(lpar=updated.lpar, rpar=updated.rpar) if hasattr(self.new, "lpar") and getattr(updated, "lpar", None) else self.new
        return updated
