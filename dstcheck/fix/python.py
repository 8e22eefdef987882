"""Python fixes, with libcst: a lossless tree, so comments, formatting and quoting outside the
rewritten node survive byte for byte, and imports are managed by its own import helpers. This
module is imported only when a Python fix is planned: the check path never loads libcst.

- `replace` (a configured replacement): the reference keeps its form. A dotted path written from
  its module (`time.time()`, with `import time`) becomes the replacement written from its module,
  which is imported (`import acmepy.clock`; `acmepy.clock.now()`); a name imported on its own
  (`from time import monotonic as mono`; `mono()`) becomes the replacement's name, imported from
  its module (`from acmepy.clock import now`; `now()`). Where that name is already bound or used
  for something else, the other form is used; the old import goes when nothing uses it any more.
- `wrap`: the iterated value is wrapped in a call (`sorted(s)`); `list(s)` becomes `sorted(s)`.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import GlobalScope, ImportAssignment

from dstcheck.fix.rust import import_unit
from dstcheck.python.resolve import SINK_BUILTINS


class Plan:
    """One fix: node -> how to rewrite it (bottom-up, so nested fixes compose), and imports."""

    def __init__(self, node, rewrite, replaces: bool, add=(), remove=()):
        self.node = node
        self.rewrite = rewrite
        self.replaces = replaces  # the node is replaced outright (not wrapped): nothing inside it survives
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


def _module_name(node) -> Optional[str]:
    parts = _dotted(node) if node is not None else None
    return ".".join(parts) if parts else None


class PythonFixer:
    """Plans and renders the fixes of one file."""

    language = "python"

    def __init__(self, path: str, source: bytes, context):
        self.path = path
        self.source = source
        self.context = context
        self.broken = False
        try:
            self.wrapper = MetadataWrapper(cst.parse_module(source))
        except (cst.ParserSyntaxError, UnicodeDecodeError, SyntaxError):
            self.broken = True
            return
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self._at: Dict[tuple, list] = {}
        for node, where in self.positions.items():
            key = (where.start.line, where.start.column, where.end.line, where.end.column)
            self._at.setdefault(key, []).append(node)
        self._qualified = None
        self._scopes = None

    # -- planning --------------------------------------------------------------------------------
    def plan(self, candidate):
        site = candidate.site
        nodes = self._at.get((site.line, site.column - 1, site.end_line, site.end_column - 1), [])
        if not nodes:
            return "the file changed since it was checked"
        if candidate.kind == "replace":
            return self._replace(nodes, site.api, candidate.params["path"], candidate.params["replacement"])
        if candidate.kind == "wrap":
            return self._wrap(nodes, candidate.params["function"])
        return f"no Python fix of kind {candidate.kind}"

    def conflicts(self, plan: Plan, other: Plan) -> bool:
        if plan is other:
            return False
        a, b = self.positions[plan.node], self.positions[other.node]
        if (a.start, a.end) == (b.start, b.end):
            return True
        inside = (lambda x, y: (y.start.line, y.start.column) <= (x.start.line, x.start.column) and (x.end.line, x.end.column) <= (y.end.line, y.end.column))
        return (inside(a, b) and other.replaces) or (inside(b, a) and plan.replaces)

    def _replace(self, nodes, api: str, entry: str, replacement: str):
        site = next((n for n in nodes if isinstance(n, cst.BaseExpression)), None)
        if site is None:
            return "no expression at the site"
        found = self._reference(site, api, entry)
        if found is None:
            return "cannot tell which part of the site names the banned path"
        reference, meaning = found
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
        forms = [("full", new), ("short", short)]
        if cut < spelled:
            forms.reverse()
        for form, path in forms:
            if form == "full" and not self._taken(path[0], lambda s: isinstance(s, cst.Import) and any(_module_name(a.name).split(".")[0] == path[0] and a.asname is None for a in s.names)):
                add = (".".join(unit[:-1]), None) if len(unit) > 1 else None
                break
            if form == "short" and not self._taken(unit[-1], lambda s: isinstance(s, cst.ImportFrom) and _module_name(s.module) == ".".join(unit[:-1]) and not s.relative and not isinstance(s.names, cst.ImportStar) and any(a.name.value == unit[-1] and a.asname is None for a in s.names)):
                add = (".".join(unit[:-1]), unit[-1])
                break
        else:
            return f"both `{unit[-1]}` and `{new[0]}` already name something else in this file"
        expression = _expression(path)
        return Plan(target, lambda updated, e=expression: e.with_changes(lpar=updated.lpar, rpar=updated.rpar) if hasattr(updated, "lpar") else e,
                    True, [add] if add else [], self._bindings(written[0]))

    def _reference(self, site, api: str, entry: str):
        """(node, what it means): the Name / Attribute chain inside the site that stands for
        `entry`, or else the function called (which the analysis resolved to `api`)."""
        if self._qualified is None:
            self._qualified = self.wrapper.resolve(QualifiedNameProvider)
        chains: List[cst.BaseExpression] = []
        stack = [site]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Name, cst.Attribute)) and _dotted(node) is not None:
                chains.append(node)
                continue
            stack.extend(reversed(node.children))
        for chain in chains:
            for outer in [chain] + _prefixes(chain):
                if entry in self._names_of(outer):
                    return outer, entry
        if api == entry or api.startswith(entry + "."):
            called = site.func if isinstance(site, cst.Call) else site
            root = called
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and _dotted(called) is not None and any(
                isinstance(a, ImportAssignment) for a in self._assignments(root.value)
            ):
                return called, api
        return None

    def _names_of(self, node) -> Set[str]:
        found = self._qualified.get(node, ())
        if callable(found):  # libcst computes some metadata lazily
            found = found()
        return {q.name for q in found}

    def _wrap(self, nodes, function: str):
        if self._taken(function, lambda s: False, accesses=False):
            return f"`{function}` is rebound in this file"
        call = lambda inner: cst.Call(func=cst.Name(function), args=[cst.Arg(value=inner.with_changes(lpar=[], rpar=[]) if getattr(inner, "lpar", None) else inner)])
        starred = next((n for n in nodes if isinstance(n, (cst.Arg, cst.StarredElement)) and (not isinstance(n, cst.Arg) or n.star == "*")), None)
        if starred is not None:
            return Plan(starred.value, call, False)
        site = next((n for n in nodes if isinstance(n, cst.BaseExpression)), None)
        if site is None:
            return "no expression at the site"
        if isinstance(site, cst.Call):
            func = site.func
            name = func.value if isinstance(func, cst.Name) else None
            method = func.attr.value if isinstance(func, cst.Attribute) else None
            if name in SINK_BUILTINS or method in ("join", "pop"):
                if method == "pop":
                    return "`.pop()` takes an element out of the set: sorting a copy would not"
                args = [a for a in site.args if a.star == "" and a.keyword is None]
                if name == "next" and len(args) == 1 and isinstance(args[0].value, cst.Call) and _dotted(args[0].value.func) == ["iter"]:
                    args = [a for a in args[0].value.args if a.star == "" and a.keyword is None]
                elif name in ("map", "filter"):
                    args = args[1:]
                if len(args) != 1:
                    return "more than one argument may be the set"
                if name == "list" and function == "sorted":
                    return Plan(site, lambda updated: updated.with_changes(func=cst.Name(function)), False)
                return Plan(args[0].value, call, False)
        return Plan(site, call, False)

    # -- scopes ------------------------------------------------------------------------------------
    def _all_scopes(self):
        if self._scopes is None:
            provided = self.wrapper.resolve(ScopeProvider)
            self._scopes = list({id(s): s for s in provided.values() if s is not None}.values())
        return self._scopes

    def _assignments(self, name: str):
        return [a for scope in self._all_scopes() for a in scope.assignments if a.name == name]

    def _taken(self, name: str, allowed, accesses: bool = True) -> bool:
        """Whether `name` is bound anywhere in the file other than by an `allowed` import
        statement, or (with `accesses`) read where nothing binds it (a builtin)."""
        for assignment in self._assignments(name):
            if not (isinstance(assignment, ImportAssignment) and allowed(assignment.node)):
                return True
        if accesses:
            for scope in self._all_scopes():
                for access in scope.accesses:
                    if isinstance(access.node, cst.Name) and access.node.value == name and not access.referents:
                        return True
        return False

    def _bindings(self, name: str) -> List[Tuple[str, Optional[str], Optional[str]]]:
        """(module, name, alias) of the module-level imports that bind `name`, for removal."""
        out = []
        for assignment in self._assignments(name):
            if not isinstance(assignment, ImportAssignment) or assignment.scope is not self._global_scope():
                continue
            statement = assignment.node
            if isinstance(statement, cst.Import):
                for alias in statement.names:
                    bound = alias.asname.name.value if alias.asname else _module_name(alias.name).split(".")[0]
                    if bound == name:
                        out.append((_module_name(alias.name), None, alias.asname.name.value if alias.asname else None))
            elif isinstance(statement, cst.ImportFrom) and not statement.relative and not isinstance(statement.names, cst.ImportStar):
                for alias in statement.names:
                    bound = alias.asname.name.value if alias.asname else alias.name.value
                    if bound == name:
                        out.append((_module_name(statement.module), alias.name.value, alias.asname.name.value if alias.asname else None))
        return out

    def _global_scope(self):
        return next((s for s in self._all_scopes() if isinstance(s, GlobalScope)), None)

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, plans: List[Plan]) -> bytes:
        rewrites = {id(p.node): p.rewrite for p in plans}

        class Rewriter(cst.CSTTransformer):
            def on_leave(self, original, updated):
                rewrite = rewrites.get(id(original))
                return rewrite(updated) if rewrite is not None else updated

        module = self.module.visit(Rewriter())
        context = CodemodContext()
        adds: Set[tuple] = {a for p in plans for a in p.add}
        removes: Set[tuple] = {r for p in plans for r in p.remove}
        for module_name, obj in sorted(adds, key=lambda a: (a[0], a[1] or "")):
            AddImportsVisitor.add_needed_import(context, module_name, obj)
        for module_name, obj, alias in sorted(removes, key=lambda r: (r[0], r[1] or "", r[2] or "")):
            RemoveImportsVisitor.remove_unused_import(context, module_name, obj, alias)
        if adds:
            module = AddImportsVisitor(context).transform_module(module)
        if removes:
            module = RemoveImportsVisitor(context).transform_module(module)
        return module.bytes

    def parses(self, data: bytes) -> bool:
        from dstcheck.python import parse

        decoded, trouble = parse.decode(data)
        return trouble is None and parse.parse(decoded)[1] is None


def _prefixes(chain) -> list:
    """The Attribute chain's shorter prefixes, longest first (`a.b` and `a` of `a.b.c`)."""
    out = []
    node = chain
    while isinstance(node, cst.Attribute):
        node = node.value
        out.append(node)
    return out
