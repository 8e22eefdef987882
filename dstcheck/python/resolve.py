"""Resolve stage for Python: calls with their imported qualified names, set iterations whose
order escapes, and the context (guards, enclosing item) of each.

Names resolve through imports with libcst's QualifiedNameProvider, so `import time as t;
t.time()` is `time.time` and a local function called `time` is not. Only names that come from
an import count: a local or builtin look-alike never matches a banned path.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
)

from dstcheck.model import Context, Fact

ORDER_FREE = {"sorted", "min", "max", "sum", "len", "any", "all", "set", "frozenset"}
SCOPES = (cst.FunctionDef, cst.Module)


def _is_none(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class Bindings(cst.CSTVisitor):
    """Names in one function (or module) body bound only to a set or frozenset."""

    def __init__(self, is_set_expr):
        self.values: Dict[str, List[Optional[cst.BaseExpression]]] = {}
        self.is_set_expr = is_set_expr
        self.depth = 0

    def _bind(self, name: str, value: Optional[cst.BaseExpression]) -> None:
        self.values.setdefault(name, []).append(value)

    def _other(self, target) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._other(element.value)
        elif isinstance(target, cst.StarredElement):
            self._other(target.value)

    def visit_FunctionDef(self, node):
        if self.depth:
            self._bind(node.name.value, None)
            return False
        self.depth += 1
        for param in [*node.params.params, *node.params.posonly_params, *node.params.kwonly_params]:
            self._bind(param.name.value, None)
        for star in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, None)
        return True

    def visit_ClassDef(self, node):
        self._bind(node.name.value, None)
        return False

    def visit_Lambda(self, node):
        return False

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._bind(target.target.value, node.value)
            else:
                self._other(target.target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            if isinstance(node.target, cst.Name):
                self._bind(node.target.value, node.value)

    def visit_AugAssign(self, node):
        if not isinstance(node.operator, (cst.BitOrAssign, cst.BitAndAssign, cst.SubtractAssign, cst.BitXorAssign)):
            self._other(node.target)

    def visit_For(self, node):
        self._other(node.target)

    def visit_WithItem(self, node):
        if node.asname is not None:
            self._other(node.asname.name)

    def visit_NamedExpr(self, node):
        self._other(node.target)

    def visit_ExceptHandler(self, node):
        if node.name is not None:
            self._other(node.name.name)

    def visit_ImportAlias(self, node):
        target = node.asname.name if node.asname is not None else node.name
        if isinstance(target, cst.Name):
            self._other(target)

    def visit_Global(self, node):
        for item in node.names:
            self._bind(item.name.value, None)

    def visit_Nonlocal(self, node):
        self.visit_Global(node)

    def set_names(self) -> Set[str]:
        return {n for n, values in self.values.items() if values and all(v is not None and self.is_set_expr(v, set()) for v in values)}


class FactVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider)

    def __init__(self, module: cst.Module, reexports: Dict[str, str], want_sets: bool):
        super().__init__()
        self.module = module
        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        self.want_sets = want_sets
        self.facts: List[Fact] = []
        self._set_names: List[Set[str]] = []
        self._async: List[bool] = []

    # -- helpers ---------------------------------------------------------------------------
    def canon(self, name: str) -> str:
        for prefix, target in self.reexports:
            if name == prefix or name.startswith(prefix + "."):
                return target + name[len(prefix):]
        return name

    def imported_names(self, node) -> List[str]:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        return sorted({self.canon(q.name) for q in names if q.source == QualifiedNameSource.IMPORT})

    def builtin(self, node) -> Optional[str]:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        for q in names:
            if q.source == QualifiedNameSource.BUILTIN and q.name.startswith("builtins."):
                return q.name[len("builtins."):]
        return None

    def span(self, node):
        rng = self.get_metadata(PositionProvider, node)
        return (rng.start.line, rng.start.column), (rng.end.line, rng.end.column)

    def is_set_expr(self, node, _unused=None) -> bool:
        if isinstance(node, (cst.Set, cst.SetComp)):
            return True
        if isinstance(node, cst.Call):
            return self.builtin(node.func) in ("set", "frozenset")
        if isinstance(node, cst.Name) and self._set_names:
            return node.value in self._set_names[-1]
        return False

    def describe(self, node) -> str:
        if isinstance(node, cst.Name):
            return f"set `{node.value}`"
        if isinstance(node, cst.Call):
            return f"`{self.builtin(node.func)}(...)`"
        return "a set literal" if isinstance(node, cst.Set) else "a set comprehension"

    def _set_fact(self, iterated, site) -> None:
        start, end = self.span(site)
        self.facts.append(Fact("set-iteration", (self.describe(iterated),), start, end, site))

    # -- scopes ------------------------------------------------------------------------------
    def _enter_scope(self, node) -> None:
        if not self.want_sets:
            return
        bindings = Bindings(self.is_set_expr)
        if isinstance(node, cst.Module):
            bindings.depth = 1  # module scope: functions defined here are bindings, not entered
            for stmt in node.body:
                stmt.visit(bindings)
        else:
            node.visit(bindings)
        self._set_names.append(bindings.set_names())

    def visit_Module(self, node):
        self._async.append(False)
        self._enter_scope(node)

    def visit_FunctionDef(self, node):
        self._async.append(node.asynchronous is not None)
        self._enter_scope(node)

    def leave_FunctionDef(self, node):
        self._async.pop()
        if self.want_sets:
            self._set_names.pop()

    # -- facts -------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call):
        # Only a plain dotted name is a path: `threading.Thread(...).start()` is a method on a value.
        base = node.func
        while isinstance(base, cst.Attribute):
            base = base.value
        paths = tuple(self.imported_names(node.func)) if isinstance(base, cst.Name) else ()
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        positional = sum(1 for a in node.args if a.keyword is None and not _is_none(a.value))
        keywords = tuple(sorted(a.keyword.value for a in node.args if a.keyword is not None and not _is_none(a.value)))
        if paths or method:
            start, end = self.span(node)
            self.facts.append(
                Fact("call", paths, start, end, node, method=method, args=(positional, keywords), in_async=self._async[-1])
            )
        if not self.want_sets:
            return
        builtin = self.builtin(node.func)
        args = [a.value for a in node.args if a.keyword is None]
        if builtin in ("list", "tuple") and len(args) == 1 and self.is_set_expr(args[0]):
            self._set_fact(args[0], node)
        elif method == "join" and len(args) == 1 and self.is_set_expr(args[0]):
            self._set_fact(args[0], node)
        elif method == "pop" and not node.args and self.is_set_expr(node.func.value):
            self._set_fact(node.func.value, node)
        elif builtin == "next" and args and isinstance(args[0], cst.Call) and self.builtin(args[0].func) == "iter":
            inner = [a.value for a in args[0].args]
            if len(inner) == 1 and self.is_set_expr(inner[0]):
                self._set_fact(inner[0], node)

    def visit_For(self, node: cst.For):
        if self.want_sets and self.is_set_expr(node.iter):
            self._set_fact(node.iter, node.iter)

    def visit_CompFor(self, node: cst.CompFor):
        if not self.want_sets or not self.is_set_expr(node.iter):
            return
        comp = self.get_metadata(ParentNodeProvider, node)
        while isinstance(comp, cst.CompFor):
            comp = self.get_metadata(ParentNodeProvider, comp)
        if isinstance(comp, cst.SetComp):
            return  # a set built from a set has no order to leak
        holder = self.get_metadata(ParentNodeProvider, comp)
        if isinstance(holder, cst.Arg):
            call = self.get_metadata(ParentNodeProvider, holder)
            if isinstance(call, cst.Call) and self.builtin(call.func) in ORDER_FREE:
                return
        self._set_fact(node.iter, node.iter)


class PyContext:
    """Guards (`if TYPE_CHECKING:`, configured flags that are on in the DST build) and items."""

    def __init__(self, module: cst.Module, wrapper_parents, guards: List[str]):
        self.module = module
        self.parents = wrapper_parents
        self.guards = set(guards)

    def _truth(self, test) -> Optional[bool]:
        """Value of a guard test in the DST build: TYPE_CHECKING is False, a guard flag True."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._truth(test.expression)
            return None if inner is None else not inner
        name = test.value if isinstance(test, cst.Name) else test.attr.value if isinstance(test, cst.Attribute) else None
        if name == "TYPE_CHECKING":
            return False
        if name in self.guards:
            return True
        return None

    def context(self, node) -> Context:
        gate = None
        item = None
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.If) and gate is None:
                truth = self._truth(parent.test)
                test = self.module.code_for_node(parent.test)
                if truth is False and child is parent.body:
                    gate = f"if {test}"
                elif truth is True and child is parent.orelse:
                    gate = f"else of `if {test}`"
            if item is None and isinstance(parent, cst.FunctionDef):
                owner = self.parents.get(self.parents.get(parent))
                item = f"{owner.name.value}.{parent.name.value}" if isinstance(owner, cst.ClassDef) else parent.name.value
            elif item is None and isinstance(parent, cst.ClassDef):
                item = parent.name.value
            child, parent = parent, self.parents.get(parent)
        return Context(gate=gate, item=item or "")


def collect(module: cst.Module, reexports: Dict[str, str], want_sets: bool, guards: List[str]):
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    visitor = FactVisitor(wrapper.module, reexports, want_sets)
    wrapper.visit(visitor)
    parents = wrapper.resolve(ParentNodeProvider)
    return visitor.facts, PyContext(wrapper.module, parents, guards)
