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

Which names a file binds and what its imports mean is read off CPython's `ast` of the file (its
C parser is fast); libcst gives the positions to find a site's node, and rewrites only the
statements that hold one.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from dstcheck.fix import parses
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


class PythonFixer:
    """Plans and renders the fixes of one file."""

    language = "python"

    def __init__(self, path: str, source: bytes, context):
        from dstcheck.python import parse

        self.path = path
        self.source = source
        self.context = context
        self.broken = False
        decoded, trouble = parse.decode(source)
        tree = parse.parse(decoded)[0] if trouble is None else None
        try:
            module = cst.parse_module(source)
        except (cst.ParserSyntaxError, UnicodeDecodeError, SyntaxError):
            module = None
        if tree is None or module is None:
            self.broken = True
            return
        self.names = Names(tree)
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # never mutated: rewrites build new nodes
        self.module = module
        self.positions = self.wrapper.resolve(PositionProvider)
        self._at: Dict[tuple, list] = {}
        for node, where in self.positions.items():
            key = (where.start.line, where.start.column, where.end.line, where.end.column)
            self._at.setdefault(key, []).append(node)

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

    def _range(self, node) -> tuple:
        where = self.positions[node]
        return (where.start.line, where.start.column), (where.end.line, where.end.column)

    def conflicts(self, plan: Plan, other: Plan) -> bool:
        if plan is other:
            return False
        (a0, a1), (b0, b1) = self._range(plan.node), self._range(other.node)
        if (a0, a1) == (b0, b1):
            return True
        return (b0 <= a0 and a1 <= b1 and other.replaces) or (a0 <= b0 and b1 <= a1 and plan.replaces)

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
        expression = _expression(path)
        return Plan(target, lambda updated, e=expression: e.with_changes(lpar=updated.lpar, rpar=updated.rpar),
                    True, [add], self.names.top.get(written[0], []))

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

    def _wrap(self, nodes, function: str):
        if function in self.names.bindings:
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

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, plans: List[Plan]) -> bytes:
        rewrites = {id(p.node): p.rewrite for p in plans}
        spans = [self._range(p.node) for p in plans]
        positions = self.positions

        class Rewriter(cst.CSTTransformer):
            """Visits only the nodes that hold a fix (the rest of the module is kept as it is)."""

            def on_visit(self, node) -> bool:
                where = positions.get(node)
                if where is None:
                    return True
                start, end = (where.start.line, where.start.column), (where.end.line, where.end.column)
                return any(start <= s and e <= end for s, e in spans)

            def on_leave(self, original, updated):
                rewrite = rewrites.get(id(original))
                return rewrite(updated) if rewrite is not None else updated

        module = self.module.visit(Rewriter()) if plans else self.module
        adds: Set[tuple] = {a for p in plans for a in p.add}
        removes: Set[tuple] = {r for p in plans for r in p.remove}
        context = CodemodContext()
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
        return parses("python", data)
