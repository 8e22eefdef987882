"""DST207 reach (Python): an in-scope call into a module outside the in-scope source sets (an
excluded directory, a package no source set includes) whose function, directly or through the
calls it makes, holds a site of the clock, rng, thread, blocking or select families that would be
a violation if that module were in scope. The site is the in-scope call; its chain says how the
site is reached.

What is followed: module-level functions through imports (`from .helpers import stamp`,
`import pkg.mod as m; m.f()`, re-exports through `__init__`, star imports, `now = stamp`
aliases, a `def` in an `except ImportError:` fallback), a module-level or class-level alias of a
site (`_now = time.time` then `_now()`, `clock = time.time` in a class then `self.clock()`: the
alias is the function, its line the site), `Class.method()` and `Class()` (its
`__init__`), `self.m()`, `cls.m()` and `super().m()` through the enclosing class and its bases,
`cls()` in a classmethod, `type(self)()` and `self.__class__()` (the enclosing class's
`__init__`, looked up as `cls.m()` is), `@deco` (a call of `deco`);
calls inside nested functions and lambdas count for the function around them. Not followed:
methods called on other values, functions passed as values, a parameter's default
(`def stamp(clock=time.time)`: a caller may pass its own clock), module-level code (it runs at
import). Gated, marked, allowlisted and test sites do not propagate, nor do gated or marked calls.
Each function is summarised once; the depth is bounded by `[reach] max-depth`, so cycles end.

The modules looked at are those the in-scope files' imports reach, found on disk as the project
index finds them, so a run over one file follows the same calls as a full scan. What a module
holds (its functions, classes, calls and candidate sites) is cached by its content; classifying
the sites (markers, allowlist, gates) and resolving names through the project's re-exports happen
on every run, so an allowlist or a re-export edited elsewhere is seen.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple

from dstcheck.model import Context, Fact, FileResult, Finding, Marker, Step
from dstcheck.stages.cache import blake2b

# v2: a call that builds the class (`cls()` in a classmethod, `type(self)()`) is a form of its `__init__`
# v3: an alias holding a site (`_now = time.time`, `clock = time.time` in a class) is a unit; a
# call of a module-level alias (`_now()`, `now()` after `now = stamp`) is a form
# v4: the names each class's `__init__` (or dataclass) assigns on the instance, which alias units
# are aliases, and `cls.m()` in a classmethod a form of its own ("cls", not "self")
MODULES = "python-reach-modules-v4"  # out-of-scope modules: functions, classes, calls, candidate sites
CLASSES = "python-reach-classes-v2"  # other modules a method lookup passes through: functions, classes
CALLS = "python-reach-calls-v4"  # in-scope files: the calls that name a function that reaches a site
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_CLASS = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*(?:\[[^\]]*\][ \t]*)?(?:\(([^)]*)\))?", re.M)
_WORD = re.compile(rb"\w+")
_ASSIGN = re.compile(rb"^(\w+)[ \t]*=[ \t]*([\w.]+)[ \t]*(?:#[^\n]*)?$", re.M)


class Taint(NamedTuple):
    display: str  # the function's dotted name, e.g. pkg.venue.clock.stamp
    definition: Tuple[str, int, int, str]  # (path, line, column, qualified name) of its `def`
    chain: List[Step]  # from the first call it makes on the way (or its own site) to the site
    family: str


def _reach_rules(rules_run: Dict[str, list], results) -> Dict[str, object]:
    out = {}
    for path, rules in rules_run.items():
        if results.get(path) is not None and results[path].language == "python":
            out.update((r.id, r) for r in rules if any(m.kind == "reach" for m in r.matchers))
    return out


def link_reach(project, config, results: Dict, rules_run: Dict, store, stats) -> None:
    """Add DST207 findings to the in-scope files whose calls reach out-of-scope sites."""
    reach = _reach_rules(rules_run, results)
    if not reach:
        return
    families = {f for rule in reach.values() for m in rule.matchers if m.kind == "reach" for f in m.params.get("families", ())}
    linker = _Linker(project, config, store, stats, families, sorted(reach))
    inside = [p for p in sorted(results) if results[p].language == "python" and any(r.id in reach for r in rules_run.get(p, ())) and linker.in_scope(p)]
    if not inside:
        return
    tainted = linker.taint(inside)
    stats["python reach: out-of-scope functions that reach a site"] = len(tainted)
    if not tainted:
        return
    file_words, words = linker.words(tainted)
    file_words = sorted(w.encode() for w in file_words)
    from dstcheck.stages.match import match

    for path in inside:
        result = results[path]
        rules = [r for r in rules_run[path] if r.id in reach]
        added = False
        for forms, span, snippet, gate, item in linker.calls_in(path, file_words, words):
            callee, lost = None, False
            for form in forms:
                found, unresolved = linker.function(tuple(form), path)
                lost = lost or unresolved
                if found in tainted:
                    callee = found
                    break
            if callee is None:
                result.unresolved += int(lost)
                continue
            taint = tainted[callee]
            chain = [Step(*taint.definition, f"calls {taint.display}")] + taint.chain
            fact = Fact("reach", (taint.display,), 0, 1, None, method=taint.family)
            for rule, matched, _ in match([fact], rules):
                result.findings.append(Finding(rule.id, *span, snippet, rule.message.format(path=matched), Context(gate=gate, item=item), matched, [list(s) for s in chain]))
                stats["python reach: in-scope calls that reach a site"] += 1
                added = True
        if added:
            result.findings.sort(key=lambda f: (f.line, f.column, f.rule, f.end_line, f.end_column))


def _grow(names: set, links: List[Tuple[str, str]]) -> None:
    """Add to `names` every name that stands for one of them, through `links` (name, stands for)."""
    grown = True
    while grown:
        grown = False
        for name, stands_for in links:
            if stands_for in names and name not in names:
                names.add(name)
                grown = True


def _mentions(source: bytes, words) -> bool:
    """Whether `source` holds one of `words` (bytes) as a whole identifier."""
    from dstcheck.stages.prefilter import has_word

    return any(has_word(source, w) for w in words)


# -- what one module holds ---------------------------------------------------------------------
def _walk(source: bytes, path: str, modname: str, rules, config, project):
    """The resolve stage's walk over one module, every call recorded (and the module's tree);
    None if it does not parse."""
    from dstcheck.python import parse, resolve

    tree, error = parse.parse(source)
    if error is not None:
        return None
    try:
        walker = resolve.collect(tree, source, resolve.wants(rules, config), config.languages["python"].guards, project, path, modname)
    except RecursionError:
        return None
    walker.reach_tree = tree
    return walker


def _top_level(tree) -> list:
    """The statements a module runs at top level, inside if / try / with blocks too."""
    out = []
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                stack.extend(n for n in reversed(getattr(node, field, None) or []) if isinstance(n, ast.stmt))
            stack.extend(n for h in reversed(getattr(node, "handlers", None) or []) for n in reversed(h.body))
    return out


def _aliases(tree) -> List[Tuple[str, object, object]]:
    """(qualified name, target, value) of each alias a module assigns at top level (inside
    if / try / with blocks too) or in a top-level class body: `_now = time.time`, `clock =
    time.time` in `class Feed:` (then `Feed.clock`). Calling the name runs what the value names."""
    out = []
    for node in _top_level(tree):
        body = [("", node)] if not isinstance(node, ast.ClassDef) else [(node.name + ".", n) for n in node.body]
        for owner, stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and _dotted(stmt.value):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                out.extend((owner + t.id, t, stmt.value) for t in targets if isinstance(t, ast.Name))
    return out


def _on_instance(tree) -> Dict[str, List[str]]:
    """{top-level class: the attributes every instance holds from the start}: those its
    `__init__` assigns on its receiver at the top level of its body (`self.clock = clock`, not
    under an `if`, nor `self.clock = clock or self.clock`, which may keep the class's), or, for a
    `@dataclass` without its own `__init__` (nor `init=False`), its fields (`clock: Callable =
    time.time`, not a `ClassVar`). Through `self`, such an attribute hides the class's."""
    out = {}
    for klass in _top_level(tree):
        if not isinstance(klass, ast.ClassDef):
            continue
        init = next((n for n in klass.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__"), None)
        names = set()
        if init is not None:
            params = init.args.posonlyargs + init.args.args
            for stmt in init.body if params else ():
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value is not None else []
                targets = [e for t in targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
                for target in targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == params[0].arg:
                        if not any(isinstance(n, ast.Attribute) and n.attr == target.attr for n in ast.walk(stmt.value)):
                            names.add(target.attr)
        elif any(_is_dataclass(d) for d in klass.decorator_list):
            for stmt in klass.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    if not any(isinstance(n, (ast.Name, ast.Attribute)) and getattr(n, "id", getattr(n, "attr", None)) == "ClassVar" for n in ast.walk(stmt.annotation)):
                        names.add(stmt.target.id)
        if names:
            out[klass.name] = sorted(names)
    return out


def _is_dataclass(decorator) -> bool:
    """`@dataclass`, `@dataclasses.dataclass`, `@dataclass(...)` without `init=False`."""
    if isinstance(decorator, ast.Call):
        if any(k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False for k in decorator.keywords):
            return False
        decorator = decorator.func
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", None)
    return name == "dataclass" and _dotted(decorator)


def _dotted(value) -> bool:
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name)


def _alias_calls(walker) -> list:
    """`_now()` in a function, `_now` a module-level alias (`_now = time.time`, `now = stamp`):
    (ctx, node, [("name", module._now)]), which the project resolves as another module's import
    of it would be (the resolve stage follows only imports, defs and classes)."""
    values = {id(value) for qual, _, value in _aliases(walker.reach_tree) if "." not in qual}
    out = []
    for ctx, node, root, attrs in walker.every_call:
        if attrs or ctx.unit is None or root in ("super()", "type()"):
            continue
        scope, meanings = walker.lookup(root, ctx.scope)
        if scope is walker.module and any(id(getattr(m, "value", None)) in values for m in meanings or ()):
            out.append((ctx, node, [("name", f"{walker.reach}.{root}")]))
    return out


def _reach_calls(walker) -> list:
    """The resolve stage's call forms, `cls.m()` in a classmethod told from `self.m()` (("cls",
    class, method): the class's attribute, never the instance's), and `_alias_calls`."""
    out = []
    for ctx, node, forms in walker.reach_calls():
        on_class = ctx.unit in walker.classmethods
        out.append((ctx, node, [("cls", *f[1:]) if on_class and f[0] == "self" else f for f in forms]))
    return out + _alias_calls(walker)


def _tables(walker) -> dict:
    return {"units": sorted([q, line, column] for q, (line, column) in walker.units.items()), "classes": sorted([q, b] for q, b in walker.class_bases().items()),
            "instance": sorted([q, names] for q, names in _on_instance(walker.reach_tree).items())}


def module_summary(source: bytes, path: str, modname: str, rules, config, project) -> Optional[dict]:
    """An out-of-scope module: its functions and classes, the calls each function makes (what
    they can call) and the sites of `rules` in each, before classification."""
    from dstcheck.python.parse import markers
    from dstcheck.stages.match import match

    walker = _walk(source, path, modname, rules, config, project)
    if walker is None:
        return None
    tables = _tables(walker)  # a `def` or `class` of the alias's name is what the name is
    aliases = [(qual, walker.span(target)[0], walker.span(value)) for qual, target, value in _aliases(walker.reach_tree) if qual not in walker.units]
    sites = []
    for rule, matched, fact in match(walker.facts, rules):
        unit = walker.fact_units.get(id(fact))
        if unit is None:  # a site in an alias's value is reached by calling the alias
            unit = next((qual for qual, _, (start, end) in aliases if start <= fact.start and fact.end <= end), None)
        if unit is not None:
            (line, column), (end_line, end_column) = fact.start, fact.end
            ctx = walker.contexts[id(fact)]
            sites.append([unit, rule.id, line, column, end_line, end_column, walker.snippet(fact.handle), rule.message.format(path=matched), ctx.gate, ctx.item, matched])
    held = {row[0] for row in sites}
    first = {}  # an alias assigned in two branches is defined where it is first assigned
    for qual, start, _ in aliases:
        if qual in held:
            first.setdefault(qual, start)
    tables["units"] = sorted(tables["units"] + [[qual, *start] for qual, start in first.items()])
    tables["aliases"] = sorted(first)
    calls = []
    for ctx, node, forms in _reach_calls(walker):
        kept = [list(f) for f in forms if f[0] != "name" or f[1].split(".")[0] not in _STDLIB]
        if ctx.unit is not None and kept:
            calls.append([ctx.unit, node.lineno, node.end_lineno, ctx.gate, kept])
    found = [[m.line, list(m.rules), m.reason, m.column] for m in markers(source, config.marker)]
    return {**tables, "calls": calls, "sites": sites, "markers": found}


def class_summary(source: bytes, path: str, modname: str, config, project) -> Optional[dict]:
    """Any other module a method lookup passes through: its functions and classes."""
    walker = _walk(source, path, modname, [], config, project)
    return _tables(walker) if walker is not None else None


def calls_summary(source: bytes, path: str, modname: str, words: frozenset, config, project) -> Optional[dict]:
    """An in-scope file: its functions and classes, and the calls that name one of `words` (so
    could call a function that reaches a site), with what a finding needs."""
    walker = _walk(source, path, modname, [], config, project)
    if walker is None:
        return None
    calls = []
    for ctx, node, forms in _reach_calls(walker):
        kept = [list(f) for f in forms if (f[2] in words if f[0] != "name" else not words.isdisjoint(f[1].split(".")))]
        if kept:
            (line, column), (end_line, end_column) = walker.span(node)
            calls.append([kept, [line, column, end_line, end_column], walker.snippet(node), ctx.gate, ctx.item])
    return {**_tables(walker), "calls": calls}


# -- the link step -------------------------------------------------------------------------------
class _Linker:
    def __init__(self, project, config, store, stats, families, rule_ids):
        from dstcheck.stages import cache as cache_mod

        self.project, self.config, self.store, self.stats = project, config, store, stats
        self.rule_ids = rule_ids  # the reach rules: a marker naming one accepts a call on the way
        self.root = str(config.root)
        self.salt = cache_mod.config_salt(config)
        self.site_rules = [r for r in config.pack.for_language("python") if r.family in families and r.matchers]
        self.outside = None  # the project index over the out-of-scope modules (see `taint`)
        self.modules: Dict[str, Optional[dict]] = {}  # out-of-scope path -> module_summary
        self.closure: List[str] = []
        self._entries: Dict[str, object] = {}
        self._names: Dict[str, Optional[str]] = {}
        self._sources: Dict[str, Optional[bytes]] = {}
        self._loads: Dict[str, List[str]] = {}  # dotted name imported -> the files importing it loads
        self._tables: Dict[str, Optional[Tuple[dict, dict]]] = {}
        self._instance: Dict[str, Tuple[Dict[str, frozenset], frozenset]] = {}  # path -> ({class: attributes on the instance}, alias units)
        self._functions: Dict[tuple, Tuple[Optional[Tuple[str, str]], bool]] = {}

    # -- files ---------------------------------------------------------------------------------
    def _entry(self, path: str):
        if path not in self._entries:
            from dstcheck.stages.discover import classify_file

            self._entries[path] = classify_file(self.config, path, os.path.join(self.root, path))
        return self._entries[path]

    def in_scope(self, path: str) -> bool:
        entry = self._entry(path)
        return entry is not None and entry.scope is not None

    def out_of_scope(self, path: str) -> bool:
        """Outside every source set, not excluded from the scan, not test code."""
        entry = self._entry(path)
        return entry is not None and entry.scope is None and entry.test is None

    def modname(self, path: str) -> Optional[str]:
        """The dotted name a file is imported as: through its `__init__` packages, else (a
        module outside any package, which may be in a namespace package) its path from the
        outermost import root that finds it (`venue/clock.py` is `venue.clock`, not `clock`)."""
        if path not in self._names:
            project = self.project
            directory = path.rpartition("/")[0]
            packaged = bool(directory) and project._is_file(directory + "/__init__.py")
            names = [project.module_name(path)] if packaged else []
            for root in project.roots:
                if not root or path.startswith(root + "/"):
                    parts = path[len(root) + 1 if root else 0:-3].split("/")
                    names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
            names.append(project.module_name(path))
            self._names[path] = next((n for n in names if n and path in project.module_paths(n)), names[0])
        return self._names[path]

    def _source(self, path: str) -> Optional[bytes]:
        if path not in self._sources:
            from dstcheck.stages.analyze import read_source

            source, problem = read_source(os.path.join(self.root, path))
            self._sources[path] = source if problem is None else None
        return self._sources[path]

    def _cached(self, namespace: str, path: str, extra: list, compute):
        """compute(source, modname) for one file, from the cache when its content is unchanged."""
        from dstcheck.stages import cache as cache_mod

        source = self._source(path)
        modname = self.modname(path)
        if source is None or modname is None:
            return None
        key = cache_mod.key(self.salt, [namespace, modname, *extra], source)
        hit = self.store.get_raw(namespace, path, key) if self.store is not None else None
        if hit is not None:
            self.stats[f"python reach: {namespace} from cache"] += 1
            return hit["summary"]
        summary = compute(source, modname)
        self.stats[f"python reach: {namespace} summarised"] += 1
        if self.store is not None:
            self.store.put_raw(namespace, path, key, {"summary": summary})
        return summary

    def _imports(self, path: str) -> List[str]:
        """The project files one file's imports (the byte scan's, a superset) can load."""
        project = self.project
        names = set()
        for imp in project.file_imports(path):
            if imp.module is None:
                names.update(name for name, _ in imp.names)
                continue
            base = project.absolute(path, imp.level, imp.module) if imp.level else imp.module
            if base:
                names.add(base)
                names.update(f"{base}.{name}" for name, _ in imp.names if name != "*")
        out = []
        for name in names:
            if name not in self._loads:
                parts = name.split(".")  # importing a.b.c runs a and a.b too
                self._loads[name] = [p for i in range(1, len(parts) + 1) for p in project.module_paths(".".join(parts[:i]))]
            out.extend(self._loads[name])
        return out

    def _closure(self, starts: List[str]) -> List[str]:
        seen = set(starts)
        stack = list(starts)
        while stack:
            for target in self._imports(stack.pop()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return sorted(seen)

    # -- functions and classes -------------------------------------------------------------------
    def tables(self, path: str) -> Optional[Tuple[dict, dict]]:
        """({function or method qualname: (line, column)}, {class qualname: bases}) of a module."""
        if path not in self._tables:
            summary = self.modules.get(path)
            if summary is None:
                summary = self._cached(CLASSES, path, [], lambda source, modname: class_summary(source, path, modname, self.config, self.project))
            self._set_tables(path, summary)
        return self._tables[path]

    def _set_tables(self, path: str, summary: Optional[dict]) -> None:
        self._tables[path] = ({q: (line, column) for q, line, column in summary["units"]}, {q: b for q, b in summary["classes"]}) if summary else None
        self._instance[path] = ({q: frozenset(names) for q, names in summary["instance"]}, frozenset(summary.get("aliases", ()))) if summary else ({}, frozenset())

    def function(self, form: tuple, path: str, outside_only: bool = False) -> Tuple[Optional[Tuple[str, str]], bool]:
        """((path, qualname) of the function a call form names, or None; whether it was a
        candidate that could not be resolved). `path` is the calling file; `outside_only`: look
        only in out-of-scope modules (from out-of-scope code, an in-scope callee is not followed)."""
        key = ((path, form) if form[0] != "name" else form, outside_only)
        if key not in self._functions:
            if form[0] == "name":
                self._functions[key] = self._named(form[1], outside_only)
            else:
                self._functions[key] = self._method(path, form[1], form[2], form[0] == "super", outside_only, set(), form[0] == "self")
        return self._functions[key]

    def _may_hold(self, path: str, outside_only: bool) -> bool:
        """Whether a module may hold a function that reaches a site, or (in scope) a class whose
        bases lead to one: out-of-scope modules that `_relevant` kept, and in-scope ones."""
        return path in self.modules or (not outside_only and self.in_scope(path))

    def _named(self, name: str, outside_only: bool) -> Tuple[Optional[Tuple[str, str]], bool]:
        """A name the project's Python source defines: a function, a method, a class (its
        `__init__`). A name no `def` or `class` of the module defines (a compiled submodule, a
        variable) is not project code to follow; one below a known function or class that
        names nothing found is an unresolved candidate."""
        lost = False
        for paths, qual in self.project.locate(name):
            for path in paths:
                if not self._may_hold(path, outside_only):
                    continue
                tables = self.tables(path)
                if tables is None:
                    lost = True
                    continue
                units, classes = tables
                if qual in units:
                    return (path, qual), False
                if qual in classes:  # `Class()` runs its `__init__` (object's, when none is defined, does nothing)
                    return self._method(path, qual, "__init__", False, outside_only, set())
                head, _, last = qual.rpartition(".")
                if head in classes:  # `Class.method()` inherited from a base
                    return self._method(path, head, last, False, outside_only, set())
                lost = lost or qual.split(".")[0] in units or qual.split(".")[0] in classes
        return None, lost

    def _method(self, path: str, klass: str, name: str, skip_own: bool, outside_only: bool, seen: set, instance: bool = False, hidden: bool = False) -> Tuple[Optional[Tuple[str, str]], bool]:
        """`name` looked up on `klass` (of module `path`) and then its bases, depth first; a
        base computed at run time makes a miss unresolved. `instance`: looked up through `self`,
        where an alias of a class body (`clock = time.time`) is not what is called once a class
        on the way puts that name on every instance (`self.clock = clock` in its `__init__`:
        `hidden`); a `def` still is (a property's getter runs whatever the instance was given)."""
        if (path, klass) in seen:
            return None, False
        seen.add((path, klass))
        tables = self.tables(path)
        if tables is None:
            return None, True
        units, classes = tables
        if klass not in classes:  # not a class of the Python source (a compiled one, a variable)
            return None, False
        on_instance, aliases = self._instance[path]
        hidden = hidden or (instance and name in on_instance.get(klass, ()))
        if not skip_own and f"{klass}.{name}" in units:
            if hidden and f"{klass}.{name}" in aliases:
                return None, False  # the instance's own attribute is called
            return (path, f"{klass}.{name}"), False
        lost = "?" in classes[klass]  # a computed base may define it
        for base in classes[klass]:
            for paths, qual in self.project.locate(base) if base != "?" else ():
                for base_path in paths:
                    if not self._may_hold(base_path, outside_only):
                        continue
                    found, unresolved = self._method(base_path, qual, name, False, outside_only, seen, instance, hidden)
                    if found is not None:
                        return found, False
                    lost = lost or unresolved
        return None, lost

    # -- out-of-scope functions that reach a site --------------------------------------------------
    def taint(self, inside: List[str]) -> Dict[Tuple[str, str], Taint]:
        """Out-of-scope functions that reach a site, to the configured depth: first those that
        hold one, then, round by round, those that call one tainted in an earlier round (so each
        chain is a shortest one)."""
        self.closure = self._closure(inside)
        outside = [p for p in self.closure if self.out_of_scope(p)]
        if not outside:
            return {}
        self.outside = self.project.sibling(outside)
        self.outside.prepare()  # its digest: what the sites found in these modules depend on elsewhere
        extra = [self.outside.digest(), ",".join(r.id for r in self.site_rules)]
        for path in self._relevant(outside):
            self.modules[path] = self._cached(MODULES, path, extra, lambda source, modname, path=path: module_summary(source, path, modname, self.site_rules, self.config, self.outside))
        tainted: Dict[Tuple[str, str], Taint] = {}
        edges: List[Tuple[Tuple[str, str], Tuple[str, str]]] = []
        for path in sorted(self.modules):
            summary = self.modules[path]
            if summary is None:
                continue
            self._set_tables(path, summary)
            for unit, step, family in self._violations(path, summary):
                if (path, unit) not in tainted:
                    tainted[(path, unit)] = Taint(self._display(path, unit), self._definition(path, unit), [step], family)
            accepted = self._accepting_lines(summary)
            for unit, line, end_line, gate, forms in summary["calls"]:
                if gate or any(line <= m <= end_line for m in accepted):
                    continue
                for form in forms:
                    callee, lost = self.function(tuple(form), path, outside_only=True)
                    if lost:
                        self.stats["python reach: calls in out-of-scope code not followed (callee not resolved)"] += 1
                    if callee is not None and self.modules.get(callee[0]) is not None:
                        edges.append(((path, unit), callee))
        for _ in range(self.config.reach_depth - 1):
            before = dict(tainted)
            for caller, callee in edges:
                if caller in tainted or callee not in before:
                    continue
                reached = before[callee]
                tainted[caller] = Taint(self._display(*caller), self._definition(*caller), [Step(*reached.definition, f"calls {reached.display}")] + reached.chain, reached.family)
            if len(tainted) == len(before):
                break
        return tainted

    def _relevant(self, outside: List[str]) -> List[str]:
        """The out-of-scope modules that could reach a site: those whose bytes could hold one (the
        prefilter's test), and those that import one of them, directly or not. No other module's
        functions can be tainted, so only these are summarised."""
        from dstcheck.stages.prefilter import plan_for, words_of

        plan = plan_for(self.site_rules, self.config.pack.reexports.get("python", {}), "python")
        marker = self.config.marker.encode()
        relevant = set()
        for path in outside:
            source = self._source(path)
            if source is not None and (plan.may_hold_site(source, marker, words_of(source)) or self.outside.keeps(path)):
                relevant.add(path)
        imports = {path: set(self._imports(path)) for path in outside}
        grown = bool(relevant)
        while grown:
            grown = False
            for path in outside:
                if path not in relevant and not imports[path].isdisjoint(relevant):
                    relevant.add(path)
                    grown = True
        self.stats["python reach: out-of-scope modules that cannot reach a site (not summarised)"] += len(outside) - len(relevant)
        return sorted(relevant)

    def _violations(self, path: str, summary: dict) -> List[Tuple[str, Step, str]]:
        """(unit, step, family) of the sites that would be violations in scope, in source order."""
        from dstcheck.stages.classify import classify

        findings = [Finding(rule, line, column, end_line, end_column, snippet, message, Context(gate=gate, item=item), api)
                    for _, rule, line, column, end_line, end_column, snippet, message, gate, item, api in summary["sites"]]
        marks = [Marker(line, tuple(rules), reason, column) for line, rules, reason, column in summary["markers"]]
        sites, _, _ = classify(self.config, FileResult(path, "python", findings=findings, markers=marks), True, None, Context())
        out = []
        for row, site in zip(summary["sites"], sites):
            if site.disposition == "violation":
                out.append((row[0], Step(path, site.line, site.column, site.item, site.message), self.config.pack.rules[site.rule].family))
        out.sort(key=lambda found: (found[1].line, found[1].column, found[1].what))
        return out

    def _accepting_lines(self, summary: dict) -> List[int]:
        """Lines whose marker accepts a call on the way: a bare one, or one naming a reach rule."""
        return [line for line, rules, _, _ in summary["markers"] if not rules or any(r in rules for r in self.rule_ids)]

    def _display(self, path: str, unit: str) -> str:
        return f"{self.modname(path)}.{unit}"

    def _definition(self, path: str, unit: str) -> Tuple[str, int, int, str]:
        line, column = self._tables[path][0][unit]
        return (path, line, column, unit)

    # -- in-scope calls ------------------------------------------------------------------------
    def words(self, tainted: Dict[Tuple[str, str], Taint]) -> Tuple[frozenset, frozenset]:
        """(names a file must mention, names a call must mention) to call a tainted function.
        A file: a tainted function's name, or the class of a tainted method (`Class.m()`,
        `Class()`, and `self.m()` in a class that derives from it all need it, a class derived
        from it, or a name an import binds to one of those). A call: one of those, or the
        method's own name (`self.m()`, `super().m()`)."""
        names, classes, methods = set(), set(), set()
        for _, unit in tainted:
            parts = unit.split(".")
            if len(parts) == 1:
                names.add(unit)
            else:
                classes.add(parts[-2])
                methods.add(parts[-1])
        aliases = sorted(
            (bound, target.rsplit(".", 1)[-1])
            for path in self.closure
            for bound, targets in self.project.bindings(path, False)[0].items()
            for target in targets
        )
        every = sorted(w.encode() for w in names | classes)
        for path in self.closure:  # `now = stamp`: an assigned alias names it too
            source = self._source(path) or b""
            if _mentions(source, every):
                aliases.extend(sorted((m.group(1).decode(), m.group(2).rsplit(b".", 1)[-1].decode()) for m in _ASSIGN.finditer(source)))
        subclasses: List[Tuple[str, str]] = []
        unread = list(self.closure)  # files whose class statements are not in `subclasses` yet
        searched: set = set()
        while classes - searched:
            new = sorted(w.encode() for w in classes - searched)
            searched |= classes
            for path in list(unread):  # a class statement names its base: only files that mention a new name
                source = self._source(path) or b""
                if _mentions(source, new):
                    unread.remove(path)
                    for match in _CLASS.finditer(source):
                        subclasses.extend((match.group(1).decode(), base.decode()) for base in _WORD.findall(match.group(2) or b""))
            _grow(classes, sorted(subclasses) + aliases)
        _grow(names, aliases)
        return frozenset(names | classes), frozenset(names | classes | methods)

    def calls_in(self, path: str, file_words: List[bytes], words: frozenset) -> list:
        """The calls of an in-scope file that mentions one of `file_words` that could reach a
        tainted function (they name one of `words`; cached by the file's content and `words`)."""
        source = self._source(path)
        if source is None or not _mentions(source, file_words):
            return []
        words_key = blake2b(json.dumps(sorted(words)).encode(), digest_size=16).hexdigest()
        summary = self._cached(CALLS, path, [words_key], lambda source, modname: calls_summary(source, path, modname, words, self.config, self.project))
        if summary is None:
            return []
        self._set_tables(path, summary)
        return summary["calls"]
