"""Resolve stage for Python: calls with their imported qualified names, set iterations whose
order escapes, and the context (guards, enclosing item) of each.

Names resolve through imports the way Python scopes them: a name bound anywhere in a function
is local to all of it, class bodies are not visible from methods, and only a name that some
import binds can match a banned path, so a local function called `time` never does. Where a
scope binds a name several ways, every imported meaning is kept (as libcst's qualified-name
provider does).
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from dstcheck.model import Context, Fact

ORDER_FREE = {"sorted", "min", "max", "sum", "len", "any", "all", "set", "frozenset"}
SET_OPS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
LOCAL = None  # a binding that is not an import


class Scope:
    __slots__ = ("bindings", "is_class")

    def __init__(self, is_class: bool = False):
        self.bindings: Dict[str, List[Optional[str]]] = {}  # name -> qualified names (None: local)
        self.is_class = is_class

    def bind(self, name: str, qualified: Optional[str]) -> None:
        self.bindings.setdefault(name, []).append(qualified)


def _targets(node, out: List[str]) -> None:
    if isinstance(node, ast.Name):
        out.append(node.id)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            _targets(elt, out)
    elif isinstance(node, ast.Starred):
        _targets(node.value, out)


class _Binder(ast.NodeVisitor):
    """Bindings of one scope body, without entering nested scopes; also the values each name is
    assigned (for the set analysis): a name with any non-assignment binding gets a None value."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.values: Dict[str, List[Optional[ast.AST]]] = {}

    def _local(self, name: str, value: Optional[ast.AST] = None) -> None:
        self.scope.bind(name, LOCAL)
        self.values.setdefault(name, []).append(value)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.scope.bind(alias.asname, alias.name)
            else:
                top = alias.name.split(".")[0]
                self.scope.bind(top, top)
            self.values.setdefault(alias.asname or alias.name.split(".")[0], []).append(None)

    def visit_ImportFrom(self, node):
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            qualified = f"{module}.{alias.name}" if not node.level else None
            self.scope.bind(alias.asname or alias.name, qualified)
            self.values.setdefault(alias.asname or alias.name, []).append(None)

    def visit_FunctionDef(self, node):
        self._local(node.name)
        for deco in node.decorator_list:
            self.visit(deco)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._local(node.name)

    def visit_Lambda(self, node):
        return

    def _comprehension(self, node):
        return  # comprehension targets are local to the comprehension

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._local(target.id, node.value)
            else:
                names: List[str] = []
                _targets(target, names)
                for name in names:
                    self._local(name)
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        if isinstance(node.target, ast.Name) and node.value is not None:
            self._local(node.target.id, node.value)
        if node.value is not None:
            self.visit(node.value)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name) and not isinstance(node.op, SET_OPS):
            self._local(node.target.id)
        self.visit(node.value)

    def visit_NamedExpr(self, node):
        self._local(node.target.id)
        self.visit(node.value)

    def _bind_targets(self, target):
        names: List[str] = []
        _targets(target, names)
        for name in names:
            self._local(name)

    def visit_For(self, node):
        self._bind_targets(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node):
        if node.optional_vars is not None:
            self._bind_targets(node.optional_vars)
        self.visit(node.context_expr)

    def visit_ExceptHandler(self, node):
        if node.name:
            self._local(node.name)
        self.generic_visit(node)

    def visit_Global(self, node):
        for name in node.names:
            self._local(name)

    visit_Nonlocal = visit_Global


def scope_of(body: List[ast.stmt], args: Optional[ast.arguments], is_class: bool = False):
    scope = Scope(is_class)
    binder = _Binder(scope)
    if args is not None:
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                binder._local(arg.arg)
    for stmt in body:
        binder.visit(stmt)
    return scope, binder.values


class Walker:
    """One pass over a module's tree, collecting Facts and the context of each."""

    def __init__(self, tree: ast.Module, lines: List[bytes], reexports: Dict[str, str], want_sets: bool, guards: List[str]):
        self.lines = lines
        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        self.want_sets = want_sets
        self.guards = set(guards)
        self.facts: List[Fact] = []
        self.contexts: Dict[int, Context] = {}
        self.scopes: List[Scope] = []
        self.set_names: List[Set[str]] = []
        self.is_async: List[bool] = [False]
        self.items: List[str] = []
        self.gates: List[str] = []
        self.tree = tree
        self._methods: Dict[type, object] = {}

    # -- names ---------------------------------------------------------------------------------
    def canon(self, name: str) -> str:
        for prefix, target in self.reexports:
            if name == prefix or name.startswith(prefix + "."):
                return target + name[len(prefix):]
        return name

    def lookup(self, name: str) -> Optional[List[Optional[str]]]:
        """Meanings of `name` here: the innermost scope that binds it (class scopes only when
        they are the current scope), None when nothing binds it (a builtin)."""
        for i in range(len(self.scopes) - 1, -1, -1):
            scope = self.scopes[i]
            if scope.is_class and i != len(self.scopes) - 1:
                continue
            if name in scope.bindings:
                return scope.bindings[name]
        return None

    def qualified(self, func: ast.AST) -> Tuple[str, ...]:
        parts: List[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return ()
        meanings = self.lookup(func.id)
        if not meanings:
            return ()
        suffix = "".join("." + p for p in reversed(parts))
        return tuple(sorted({self.canon(m + suffix) for m in meanings if m}))

    def builtin(self, func: ast.AST) -> Optional[str]:
        if isinstance(func, ast.Name) and self.lookup(func.id) is None:
            return func.id
        return None

    # -- positions -----------------------------------------------------------------------------
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

    def _fact(self, fact: Fact) -> None:
        self.facts.append(fact)
        self.contexts[id(fact)] = Context(gate=self.gates[-1] if self.gates else None, item=self.items[-1] if self.items else "")

    # -- sets ----------------------------------------------------------------------------------
    def is_set(self, node) -> bool:
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        if isinstance(node, ast.Call):
            return self.builtin(node.func) in ("set", "frozenset")
        if isinstance(node, ast.Name) and self.set_names:
            return node.id in self.set_names[-1]
        return False

    def describe(self, node) -> str:
        if isinstance(node, ast.Name):
            return f"set `{node.id}`"
        if isinstance(node, ast.Call):
            return f"`{self.builtin(node.func)}(...)`"
        return "a set literal" if isinstance(node, ast.Set) else "a set comprehension"

    def set_fact(self, iterated, site) -> None:
        start, end = self.span(site)
        self._fact(Fact("set-iteration", (self.describe(iterated),), start, end, site))

    def _set_names(self, values: Dict[str, List[Optional[ast.AST]]]) -> Set[str]:
        if not self.want_sets:
            return set()
        out = set()
        for name, assigned in values.items():
            if assigned and all(v is not None and isinstance(v, (ast.Set, ast.SetComp, ast.Call)) for v in assigned):
                if all(not isinstance(v, ast.Call) or self.builtin(v.func) in ("set", "frozenset") for v in assigned):
                    out.add(name)
        return out

    # -- guards --------------------------------------------------------------------------------
    def truth(self, test) -> Optional[bool]:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.truth(test.operand)
            return None if inner is None else not inner
        name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
        if name == "TYPE_CHECKING":
            return False
        if name in self.guards:
            return True
        return None

    # -- walk ----------------------------------------------------------------------------------
    def run(self) -> None:
        scope, values = scope_of(self.tree.body, None)
        self.scopes.append(scope)
        self.set_names.append(self._set_names(values))
        for stmt in self.tree.body:
            self.visit(stmt)

    def visit(self, node, parent=None) -> None:
        kind = type(node)
        method = self._methods.get(kind, 0)
        if method == 0:
            method = self._methods[kind] = getattr(self, "visit_" + kind.__name__, None)
        if method is not None:
            method(node, parent)
        else:
            self.children(node)

    def children(self, node) -> None:
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, node)
            elif isinstance(value, ast.AST):
                self.visit(value, node)

    def visit_FunctionDef(self, node, parent=None) -> None:
        for deco in node.decorator_list:
            self.visit(deco, node)
        for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]:
            self.visit(default, node)
        owner_is_class = bool(self.scopes) and self.scopes[-1].is_class
        scope, values = scope_of(node.body, node.args)
        self.scopes.append(scope)
        self.set_names.append(self._set_names(values))
        self.is_async.append(isinstance(node, ast.AsyncFunctionDef))
        self.items.append(f"{self.items[-1]}.{node.name}" if owner_is_class and self.items else node.name)
        for stmt in node.body:
            self.visit(stmt, node)
        self.items.pop()
        self.is_async.pop()
        self.set_names.pop()
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node, parent=None) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr, node)
        scope, _ = scope_of(node.body, None, is_class=True)
        self.scopes.append(scope)
        self.items.append(node.name if not self.items else node.name)
        for stmt in node.body:
            self.visit(stmt, node)
        self.items.pop()
        self.scopes.pop()

    def visit_If(self, node, parent=None) -> None:
        self.visit(node.test, node)
        truth = self.truth(node.test)
        test = ast.unparse(node.test) if truth is not None else ""
        for branch, gated in ((node.body, truth is False), (node.orelse, truth is True)):
            label = (f"if {test}" if branch is node.body else f"else of `if {test}`") if gated else None
            if label:
                self.gates.append(label)
            for stmt in branch:
                self.visit(stmt, node)
            if label:
                self.gates.pop()

    def visit_Call(self, node, parent=None) -> None:
        paths = self.qualified(node.func)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if paths or method:
            positional = sum(1 for a in node.args if not _is_none(a))
            keywords = tuple(sorted(k.arg for k in node.keywords if k.arg and not _is_none(k.value)))
            start, end = self.span(node)
            self._fact(Fact("call", paths, start, end, node, method=method, args=(positional, keywords), in_async=self.is_async[-1]))
        if self.want_sets:
            self._set_sinks(node, method)
        self.children(node)

    def _set_sinks(self, node, method: str) -> None:
        builtin = self.builtin(node.func)
        args = node.args
        if builtin in ("list", "tuple") and len(args) == 1 and not node.keywords and self.is_set(args[0]):
            self.set_fact(args[0], node)
        elif method == "join" and len(args) == 1 and self.is_set(args[0]):
            self.set_fact(args[0], node)
        elif method == "pop" and not args and not node.keywords and self.is_set(node.func.value):
            self.set_fact(node.func.value, node)
        elif builtin == "next" and args and isinstance(args[0], ast.Call) and self.builtin(args[0].func) == "iter":
            if len(args[0].args) == 1 and self.is_set(args[0].args[0]):
                self.set_fact(args[0].args[0], node)

    def visit_For(self, node, parent=None) -> None:
        if self.want_sets and self.is_set(node.iter):
            self.set_fact(node.iter, node.iter)
        self.children(node)

    visit_AsyncFor = visit_For

    def _comprehension(self, node, parent=None) -> None:
        order_free = isinstance(node, ast.SetComp) or (
            isinstance(parent, ast.Call) and node in parent.args and self.builtin(parent.func) in ORDER_FREE
        )
        # Comprehension targets shadow outer names inside it.
        scope = Scope()
        for gen in node.generators:
            names: List[str] = []
            _targets(gen.target, names)
            for name in names:
                scope.bind(name, LOCAL)
        first = True
        for gen in node.generators:
            if self.want_sets and not order_free and self.is_set(gen.iter):
                self.set_fact(gen.iter, gen.iter)
            self.visit(gen.iter, node)
            if first:
                self.scopes.append(scope)
                first = False
            for cond in gen.ifs:
                self.visit(cond, node)
        for part in ("elt", "key", "value"):
            sub = getattr(node, part, None)
            if sub is not None:
                self.visit(sub, node)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Lambda(self, node, parent=None) -> None:
        scope = Scope()
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]:
            if arg is not None:
                scope.bind(arg.arg, LOCAL)
        self.scopes.append(scope)
        self.visit(node.body, node)
        self.scopes.pop()


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def collect(tree: ast.Module, source: bytes, reexports: Dict[str, str], want_sets: bool, guards: List[str]):
    walker = Walker(tree, source.split(b"\n"), reexports, want_sets, guards)
    walker.run()
    return walker
