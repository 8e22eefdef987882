"""The Python half of the index stage: the project's own modules and what each binds at top level.

`from .clock import now`, where `clock.py` has `from time import time as now`, is a clock read:
names that come from the project's own modules are followed through any number of re-exports
(`__init__` files, `from .compat import *`) to what they finally denote.

Two levels of precision keep a cold run cheap. Every module's imports are found by a byte scan
(`imports.scan`, a superset of the real ones). Only a chain that, at that level, could end at a
banned path (or a module above one) is then made exact by parsing the modules on it: their
module-level imports, `__all__` and star imports. Everything else stays project-local, which is
what it would be at the exact level too.

After analysis, `link` runs the reach step (`dstcheck.python.reach`) over these modules.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import posixpath
import sys
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from dstcheck.matchers import path_lists
from dstcheck.python.imports import Import, scan
from dstcheck.stages.cache import blake2b, content_keyed

NAMESPACE_EXACT = content_keyed("python-exports-v3")  # v2: the hash-ordered top-level names (`sets`, `other`); v3: `classes`
NAMESPACE_IMPORTS = content_keyed("python-imports-v2")  # a file's byte-scan imports, by its stat (v2: literal import_module / __import__ names)


def _scan_of(data: bytes) -> List[Import]:
    from dstcheck.python.parse import decode

    source, _ = decode(data)
    return scan(source) if source is not None else []


def _scan_rows(data: bytes) -> list:
    return [[i.level, i.module, [list(n) for n in i.names], i.indent, i.line] for i in _scan_of(data)]


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def banned(rules, reexports: Dict[str, str]) -> "Banned":
    """Every dotted path the rules name (Banned adds the other spellings), and which of the call
    paths a rule reports as a value too (`clock = time.time`) or only where called."""
    calls = [m.params for rule in rules for m in rule.matchers if m.kind == "call"]
    quiet = {p for c in calls if not c.get("values", True) or c.get("in-async") for p in c.get("paths", ())}
    valued = {p for c in calls if c.get("values", True) and not c.get("in-async") for p in c.get("paths", ())}
    paths = {path for rule in rules for matcher in rule.matchers for path in path_lists(matcher.params)}
    return Banned(paths, reexports, frozenset(quiet), frozenset(valued))


class Banned:
    """Which dotted names a rule could care about: a banned path, something below one, or a
    module or class above one (`numpy` leads to `numpy.random.rand`). Names are compared in
    their canonical spelling (the pack's re-exports: `numpy.random.mtrand` is `numpy.random`)."""

    def __init__(self, paths: Iterable[str], reexports: Dict[str, str], followed: FrozenSet[str] = frozenset(), valued: FrozenSet[str] = frozenset()):
        self.followed = followed  # banned paths no rule reports as a value: an alias of one is followed to its calls
        self.valued = valued  # banned paths a rule reports as a value too (`clock = time.time`)
        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        self.canonical = frozenset(paths)  # as the rules name them
        self.paths = self.canonical | {src + p[len(dst):] for p in self.canonical for src, dst in self.reexports if p == dst or p.startswith(dst + ".")}
        self.above = frozenset(".".join(p.split(".")[:i]) for p in self.paths for i in range(1, p.count(".") + 1))
        self.tops = frozenset(p.split(".")[0] for p in self.paths)

    def canon(self, name: str) -> str:
        for prefix, target in self.reexports:
            if name == prefix or name.startswith(prefix + "."):
                return target + name[len(prefix):]
        return name

    def follows(self, name: str) -> bool:
        """Whether `name` is one of `followed` or below one, and not one of `valued` or below one
        (in its canonical spelling): `pandas.Timestamp` is followed, `pandas.Timestamp.now` not."""
        name = self.canon(name)
        under = lambda paths: any(name == p or name.startswith(p + ".") for p in paths)
        return under(self.followed) and not under(self.valued)

    def under(self, name: str) -> bool:
        """A banned path or something below one (what a path matcher can match)."""
        if name.split(".", 1)[0] not in self.tops:
            return False
        parts = name.split(".")
        return any(".".join(parts[:i]) in self.paths for i in range(1, len(parts) + 1))

    def related(self, name: str) -> bool:
        if name.split(".", 1)[0] not in self.tops:
            return False
        if name in self.above or name in self.paths:
            return True
        parts = name.split(".")
        return any(".".join(parts[:i]) in self.paths for i in range(1, len(parts)))

    def star_names(self, module: str) -> List[str]:
        """What `from module import *` binds that a rule could care about (public names only)."""
        prefix = module + "."
        out = set()
        for path in self.canonical:
            if path.startswith(prefix):
                name = path[len(prefix):].split(".")[0]
                if not name.startswith("_"):
                    out.add(name)
        return sorted(out)


def _from_json(rows) -> List[Import]:
    return [Import(r[0], r[1], tuple(tuple(n) for n in r[2]), r[3], r[4]) for r in rows or ()]


def branch_truth(test, guards, off=frozenset()) -> Optional[bool]:
    """What an `if` test is in the DST build: False for `TYPE_CHECKING` (or a name in `off`, one
    an import binds to it: `from typing import TYPE_CHECKING as TC`, see `type_checking_aliases`),
    True for a configured guard, through any number of `not`; `g is False` / `g == False` (and
    `is not` / `!=`) of one of those; an `and` one part of which is false, an `or` one part of
    which is true; None when it is not known (`g is True` too: a guard is any true value, not
    necessarily `True`)."""
    nots = 0
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, nots = test.operand, nots + 1
    value = _known(test, guards, off)
    if value is None:
        return None
    return value if nots % 2 == 0 else not value


def _known(test, guards, off) -> Optional[bool]:
    if isinstance(test, ast.BoolOp):
        parts = [branch_truth(v, guards, off) for v in test.values]
        decisive = isinstance(test.op, ast.Or)  # `or`: one true part decides; `and`: one false part
        if decisive in parts:
            return decisive
        return (not decisive) if all(p is (not decisive) for p in parts) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)):
        other = test.comparators[0]
        if not (isinstance(other, ast.Constant) and other.value is False):
            return None
        value = branch_truth(test.left, guards, off)
        if value is None or isinstance(test.left, (ast.BoolOp, ast.Compare)):
            return None
        equal = not value  # a true value is not `False`; `TYPE_CHECKING` is `False` itself
        return equal if isinstance(test.ops[0], (ast.Is, ast.Eq)) else not equal
    return _simple(test, guards, off)


def _simple(test, guards, off) -> Optional[bool]:
    """A name or attribute: `TYPE_CHECKING` (`typing.TYPE_CHECKING`, an alias in `off`) is False;
    a guard is True, named by its last part (`config.SIMULATION` for `SIMULATION`) or, when the
    guard is configured dotted (`settings.SIMULATION`), by that whole path as written."""
    if isinstance(test, ast.Name):
        name = test.id
        if name in off:
            return False
    elif isinstance(test, ast.Attribute):
        name = test.attr
    else:
        return None
    if name == "TYPE_CHECKING":
        return False
    if name in guards:
        return True
    if isinstance(test, ast.Attribute) and any("." in g for g in guards):
        parts, node = [], test
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and ".".join([node.id, *reversed(parts)]) in guards:
            return True
    return None


TYPE_CHECKING_MODULES = ("typing", "typing_extensions")


def type_checking_aliases(node) -> List[str]:
    """The names a `from typing import TYPE_CHECKING as TC` (or typing_extensions') binds to
    `TYPE_CHECKING` under another name: False in the DST build, as `TYPE_CHECKING` is
    (`branch_truth`'s `off`)."""
    if not isinstance(node, ast.ImportFrom) or node.level or node.module not in TYPE_CHECKING_MODULES:
        return []
    return [a.asname for a in node.names if a.name == "TYPE_CHECKING" and a.asname and a.asname != "TYPE_CHECKING"]


class Gated(str):
    """An import in a branch the DST build does not run (`if TYPE_CHECKING:`, the off side of a
    guard): it means something only to code in such a branch, which is gated itself."""

    __slots__ = ()


def exact_summary(source: bytes, guards=()) -> Optional[dict]:
    """Module-level imports (also inside module-level if / try / with blocks), `__all__` when it
    is a literal (with `+=`, `.extend` and `.append` of literals), the names a `def` or `class`
    defines and `name = a.b` aliases; None when the module does not parse (its own analysis
    reports that). A branch the DST build does not run (`if TYPE_CHECKING:`, the off side of a
    configured guard) binds nothing."""
    from dstcheck.python.parse import decode, parse

    text, problem = decode(source)
    if problem is not None:
        return None
    tree, error = parse(text)
    if error is not None:
        return None
    rows, names_all, defines, assigns, off = [], None, set(), {}, set()
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            rows.append([0, None, [[a.name, a.asname or ""] for a in node.names], node.col_offset, node.lineno])
        elif isinstance(node, ast.ImportFrom):
            rows.append([node.level, node.module or "", [[a.name, a.asname or ""] for a in node.names], node.col_offset, node.lineno])
            off.update(type_checking_aliases(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defines.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                items = _literal_names(node.value)
                if items is not None:
                    names_all = (names_all or []) + items if isinstance(node, ast.AugAssign) else items
            elif isinstance(node, ast.Assign) and node.value is not None:
                dotted = _dotted_value(node.value)
                for target in targets:
                    if isinstance(target, ast.Name) and dotted:
                        assigns.setdefault(target.id, []).append(dotted)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func, args = node.value.func, node.value.args
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "__all__" and names_all is not None and len(args) == 1:
                items = _literal_names(args[0]) if func.attr == "extend" else _literal_names(ast.List(elts=args)) if func.attr == "append" else None
                if items is not None:
                    names_all = names_all + items
        elif isinstance(node, ast.If):
            truth = branch_truth(node.test, guards, off)
            for branch, runs in ((node.body, truth is not False), (node.orelse, truth is not True)):
                if runs:
                    stack.extend(reversed(branch))
        elif isinstance(node, (ast.Try, ast.With, ast.For, ast.While)) or type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                stack.extend(reversed(getattr(node, field, [])))
            for handler in getattr(node, "handlers", []):
                stack.extend(reversed(handler.body))
    hashed, other, classes = _hash_ordered(tree, text, guards)
    return {"imports": rows, "all": names_all, "defines": sorted(defines), "assigns": sorted([k, v] for k, vs in assigns.items() for v in vs), "sets": hashed, "other": other, "classes": classes}


def _hash_ordered(tree, text: bytes, guards) -> Tuple[List[List[str]], List[str], list]:
    """The top-level names bound only to a set (or a dict built from one), as DST203 decides it
    in the module itself, the top-level names bound otherwise than by an import, and the
    top-level classes with their bases as written (`resolve.module_hash_ordered`)."""
    from dstcheck.python import resolve

    return resolve.module_hash_ordered(tree, text, guards)


def _literal_names(value) -> Optional[List[str]]:
    if isinstance(value, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
        return [e.value for e in value.elts]
    return None


def _dotted_value(value) -> Optional[str]:
    """`a.b.c` as a string, for an assignment that may alias a module or a function."""
    parts = []
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    return ".".join([value.id, *reversed(parts)]) if isinstance(value, ast.Name) else None


def import_roots(files: Iterable[str], loose=lambda path: True) -> Tuple[List[str], Dict[str, List[str]]]:
    """Where absolute imports start, from every Python file of the project (not the files a run
    analyses, so a run naming one file, a scoped run and `--show-all` agree): the project root,
    and for each file the directory above its top package (the chain of `__init__.py`
    directories holding it). A file outside any package is top-level in its own directory when
    `loose` accepts it (a source set's file): a loose script elsewhere (`scripts/utils.py`,
    `docs/conf.py`) is on no import path of the code checked, and must not stand for `utils`. And
    the namespace roots: for each such root, each directory above it (up to the project root)
    starts the namespace package of the directory below it on the way (`src/` starts `app` when
    `src/app/venue/` is a package and `src/app/` has no `__init__.py`); it is one only for that
    first segment, and only when no root holds that name as a module or regular package."""
    files = [f for f in files if f.endswith(".py")]
    packages = {posixpath.dirname(f) for f in files if posixpath.basename(f) == "__init__.py"}
    roots = {""}
    for path in files:
        directory = posixpath.dirname(path)
        if directory in packages:
            while directory and directory in packages:
                directory = posixpath.dirname(directory)
            roots.add(directory)
        elif directory not in roots and loose(path):
            roots.add(directory)
    namespaces: Dict[str, set] = {}
    for found in roots:
        parts = found.split("/") if found else []
        for cut in range(1, len(parts)):  # the project root already starts every top directory
            if all(p.isidentifier() for p in parts[cut:]):
                namespaces.setdefault(parts[cut], set()).add("/".join(parts[:cut]))
    return sorted(roots), {top: sorted(dirs) for top, dirs in sorted(namespaces.items())}


class Project:
    """The project's Python modules, found on disk from the files being analysed: a module is read
    (its imports scanned) only when some chain of imports reaches it. Dotted names are absolute
    (`pkg.clock.now`), from the import roots of the whole project's file listing
    (`import_roots`); a module is known by its path from the project root."""

    def __init__(self, root: str, analysed: Iterable[str], banned: Banned, exact_loader=None, shared: Optional["Project"] = None, store=None, files: Optional[Iterable[str]] = None, loose=lambda path: True):
        self.root = root
        self.banned = banned
        self.analysed = sorted(analysed)
        self._exact_loader = exact_loader
        self._store = shared._store if shared else store  # byte scans read back by stat
        self._files: Dict[str, Optional[Tuple[FrozenSet[str], FrozenSet[str]]]] = shared._files if shared else {}  # directory listings
        self._scans: Dict[str, List[Import]] = shared._scans if shared else {}
        self._module_paths: Dict[str, List[str]] = {}
        self.exact: Dict[str, Optional[dict]] = {}  # path -> exact summary, for the modules made exact
        self._bindings: Dict[Tuple[str, bool], Tuple[Dict[str, List[str]], List[str], Optional[List[str]]]] = {}
        self._memo: Dict[Tuple[str, bool], Tuple[str, ...]] = {}
        self._module_taint: Dict[Tuple[str, bool], bool] = {}
        self._tainting: set = set()
        self._links: Dict[Tuple[str, bool], Tuple[bool, List[str]]] = {}
        self._stars: Dict[Tuple[str, bool, bool], Dict[str, List[str]]] = {}
        self._reaches: Dict[Tuple[str, bool], bool] = {}
        self._is_project: Dict[str, bool] = {}
        self._reaching: FrozenSet[str] = frozenset()
        self._set_tables: Dict[str, Dict[str, str]] = {}  # module -> {top-level name, or `C.VENUES` through a module it binds: "set" | "dict"}
        self._own_set_tables: Dict[str, Dict[str, str]] = {}  # module -> {top-level name: "set" | "dict"}
        self._set_users: Dict[str, FrozenSet[bytes]] = {}  # analysed file -> names of those tables in the modules it imports
        self._class_tables: Dict[str, Dict[str, Tuple[str, bool]]] = {}  # module -> {class: (banned class it derives from, a constructor on the way)}
        self._digest = ""
        if shared is not None:
            self.roots, self._namespaces = shared.roots, shared._namespaces
        else:
            if files is None:
                from pathlib import Path

                from dstcheck.stages.discover import project_files

                files = project_files(Path(root))
            self.roots, self._namespaces = import_roots(files, loose)
        self._tops: Dict[str, Tuple[str, ...]] = {}  # first segment -> the roots that hold it

    # -- files and names ------------------------------------------------------------------------
    def _is_file(self, path: str) -> bool:
        """Whether a project path is a file: one directory listing per directory, kept."""
        directory, _, name = path.rpartition("/")
        listing = self._listing(directory)
        return listing is not None and name in listing[0]

    def _listing(self, directory: str):
        """(files, subdirectories) of a project directory, None if there is no such directory."""
        if directory in self._files:
            return self._files[directory]
        listing = None
        parent, _, name = directory.rpartition("/")
        above = self._listing(parent) if directory else None
        if not directory or (above is not None and name in above[1]):
            from dstcheck.stages.discover import is_dir_entry

            try:
                with os.scandir(os.path.join(self.root, directory)) as found:
                    entries = [(e.name, is_dir_entry(e)) for e in found]
                listing = (frozenset(n for n, d in entries if not d), frozenset(n for n, d in entries if d))
            except OSError:
                listing = None
        self._files[directory] = listing
        return listing

    def file_imports(self, path: str) -> List[Import]:
        """The byte-scan imports of one project file (read on first use)."""
        hit = self._scans.get(path)
        if hit is None:
            abspath = os.path.join(self.root, path)
            if self._store is not None:
                rows = self._store.by_stat(NAMESPACE_IMPORTS, path, abspath, _scan_rows)
                hit = [Import(r[0], r[1], tuple(tuple(n) for n in r[2]), r[3], r[4]) for r in rows or ()]
            else:
                try:
                    with open(abspath, "rb") as handle:
                        hit = _scan_of(handle.read())
                except OSError:
                    hit = []
            self._scans[path] = hit
        return hit

    def module_paths(self, name: str) -> List[str]:
        """The files that dotted name `name` imports as (`a.b` is `a/b.py` or `a/b/__init__.py`
        under an import root); a standard-library name is never the project's."""
        hit = self._module_paths.get(name)
        if hit is None:
            hit = []
            parts = name.split(".")
            if parts[0] not in _STDLIB and parts[0] not in self.banned.tops and all(p.isidentifier() for p in parts):
                for root in self._roots_of(parts[0]):
                    base = posixpath.join(root, *parts) if root else "/".join(parts)
                    for candidate in (base + ".py", base + "/__init__.py"):
                        if self._is_file(candidate) and candidate not in hit:
                            hit.append(candidate)
            self._module_paths[name] = hit
        return hit

    def _roots_of(self, top: str) -> Tuple[str, ...]:
        """The import roots that hold `top` (a module or a directory), and its namespace roots
        when none of those holds it as a module or a regular package (as Python's import
        prefers those to namespace portions)."""
        hit = self._tops.get(top)
        if hit is None:
            held, regular = [], False
            for root in self.roots:
                listing = self._listing(root)
                if listing is not None and (top in listing[1] or top + ".py" in listing[0]):
                    held.append(root)
                    regular = regular or top + ".py" in listing[0] or self._is_file(posixpath.join(root, top, "__init__.py"))
            if not regular:
                held += [r for r in self._namespaces.get(top, ()) if r not in held]
            hit = self._tops[top] = tuple(held)
        return hit

    def module_name(self, path: str) -> Optional[str]:
        """The dotted name a file imports as: through its chain of `__init__.py` packages."""
        parts = path[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        cut = len(parts) - 1
        while cut > 0 and self._is_file("/".join(parts[:cut]) + "/__init__.py"):
            cut -= 1
        name = ".".join(parts[cut:])
        return name if parts and all(p.isidentifier() for p in parts[cut:]) else None

    def absolute(self, path: str, level: int, module: str) -> Optional[str]:
        """The absolute dotted name `from <level dots><module> import` names in file `path`."""
        directory = posixpath.dirname(path)
        for _ in range(level - 1):
            if not directory:
                return None
            directory = posixpath.dirname(directory)
        if directory and self._is_file(directory + "/__init__.py"):
            base = self.module_name(directory + "/__init__.py")
        else:  # a namespace package, or the root: its path from the root
            parts = [p for p in directory.split("/") if p]
            base = ".".join(parts) if all(p.isidentifier() for p in parts) else None
        if base is None:
            return None
        return ".".join(p for p in (base, module) if p) or None

    def _split(self, name: str, within=None) -> Tuple[Optional[List[str]], str, List[str]]:
        """(paths of the longest project module prefix, the next segment, the rest); with
        `within`, the longest prefix among those modules."""
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            prefix = ".".join(parts[:cut])
            paths = self.module_paths(prefix) if within is None or prefix in within else None
            if paths:
                return paths, (parts[cut] if cut < len(parts) else ""), parts[cut + 1:]
        return None, "", []

    def locate(self, name: str) -> List[Tuple[List[str], str]]:
        """Where the project defines what a dotted name finally denotes, through re-exports:
        (the files of its module, its qualified name inside them: `Class.method`), one pair per
        meaning that is not a module itself; nothing for a name outside the project."""
        out = []
        for final in self.resolve(name, exact=True):
            paths, segment, rest = self._split(final)
            if paths and segment:
                out.append((paths, ".".join([segment, *rest])))
        return out

    def sibling(self, analysed: Iterable[str]) -> "Project":
        """A project index over the same files for other analysed modules (its own chains made
        exact, its own digest), sharing what depends only on a file or directory: listings,
        byte scans, exact summaries."""

        def load(path: str) -> Optional[dict]:
            return self.exact[path] if path in self.exact else self._exact(path)

        return Project(self.root, analysed, self.banned, load, shared=self)

    def is_project(self, name: str) -> bool:
        hit = self._is_project.get(name)
        if hit is None:
            hit = self._is_project[name] = self._split(name)[0] is not None
        return hit

    # -- bindings --------------------------------------------------------------------------------
    def _exact(self, path: str) -> Optional[dict]:
        if path not in self.exact:
            self.exact[path] = self._exact_loader(path) if self._exact_loader else None
        return self.exact[path]

    def bindings(self, path: str, exact: bool):
        """({name: absolute targets}, star-imported modules, __all__) of one module."""
        key = (path, exact)
        if key not in self._bindings:
            names_all = None
            if exact:
                summary = self._exact(path)
                rows = _from_json(summary["imports"]) if summary else []
                names_all = summary["all"] if summary else None
            else:
                rows = self.file_imports(path)
            names: Dict[str, List[str]] = {}
            stars: List[str] = []
            for imp in rows:
                base = imp.module
                if imp.level:
                    base = self.absolute(path, imp.level, imp.module or "")
                    if base is None:
                        continue
                if any(n == "*" for n, _ in imp.names):
                    stars.append(base)
                    continue
                for bound, target in Import(0, base if imp.module is not None else None, imp.names, 0, 0).bound():
                    names.setdefault(bound, [])
                    if target not in names[bound]:
                        names[bound].append(target)
            self._bindings[key] = (names, stars, names_all)
        return self._bindings[key]

    def _summary_list(self, path: str, field: str, exact: bool) -> list:
        summary = self._exact(path) if exact else None
        return (summary or {}).get(field) or []

    def assigned(self, path: str, segment: str, exact: bool) -> List[str]:
        """What a module-level `segment = a.b` assigns, as dotted names inside the module."""
        return [v for k, v in self._summary_list(path, "assigns", exact) if k == segment]

    def _children(self, path: str) -> List[str]:
        """The names of a package's submodules (none for a plain module)."""
        if not path.endswith("/__init__.py"):
            return []
        listing = self._listing(path[: -len("/__init__.py")])
        if listing is None:
            return []
        files = [n[:-3] for n in listing[0] if n.endswith(".py") and n != "__init__.py"]
        return sorted(n for n in files + list(listing[1]) if n.isidentifier())

    def star_exports(self, module: str, exact: bool = True, every: bool = False) -> Dict[str, List[str]]:
        """What `from module import *` binds that could lead to a banned path: {name: targets};
        with `every`, every name it binds (functions and classes too, for the reach step). The
        byte-scan level does not know `__all__`, assignments or submodules, so it keeps every
        name that may be exported (a superset)."""
        if not self.is_project(module):
            return {name: [f"{module}.{name}"] for name in self.banned.star_names(self.banned.canon(module))}
        key = (module, exact, every)
        if key in self._stars:
            return self._stars[key]
        self._stars[key] = {}  # a cycle of star imports ends here
        out: Dict[str, List[str]] = {}
        for path in self.module_paths(module):
            names, stars, names_all = self.bindings(path, exact)
            exported = (lambda n: n in names_all) if names_all is not None else (lambda n: not n.startswith("_")) if exact else (lambda n: True)
            bound = set(names) | {k for k, _ in self._summary_list(path, "assigns", exact)} | set(self._summary_list(path, "defines", exact))
            if every:
                candidates = set(bound)
            else:
                candidates = {n for n in bound if any(self.banned.related(r) for r in self.resolve(f"{module}.{n}", exact))}
            for star in stars:
                candidates.update(self.star_exports(star, exact, every))
            subs = [n for n in (names_all if names_all is not None else [] if exact else self._children(path)) if n not in bound]
            candidates.update(n for n in subs if self.module_paths(f"{module}.{n}") and (every or self.module_tainted(f"{module}.{n}", exact)))
            for name in sorted(candidates):
                if exported(name):
                    out.setdefault(name, []).append(f"{module}.{name}")
        self._stars[key] = out
        return out

    # -- resolution ------------------------------------------------------------------------------
    def resolve(self, name: str, exact: bool = True, within=None) -> Tuple[str, ...]:
        """What a dotted name finally denotes, through the project's re-exports: the external
        names it can be (canonical spellings), or the name itself when it stays in the project.
        `within` limits the first step to modules the importing file imports. Every meaning a
        module binds counts: its imports, its star imports, a `def` or `class` of that name, an
        assigned alias of a module or a function (`clock = time`, `now = stamp`, `http = requests`;
        an alias of a banned path below which no other lies, `now = time.time`, is the site where
        it is assigned)."""
        key = (name, exact)
        if within is None and key in self._memo:
            return self._memo[key]
        if within is None:
            self._memo[key] = (name,)  # a cycle of re-exports ends here
        paths, segment, rest = self._split(name, within)
        if paths is None and within is not None and self.is_project(name):
            return (name,)  # a submodule the file never imports
        if paths is None:
            result: Tuple[str, ...] = (self.banned.canon(name),)
        elif not segment:
            result = (name,)
        else:
            found = set()
            prefix = name[: len(name) - len(".".join([segment, *rest])) - 1]
            for path in paths:
                names, stars, _ = self.bindings(path, exact)
                targets = list(names.get(segment, ()))
                targets += [t for s in stars for t in self.star_exports(s, exact, every=exact).get(segment, ())]
                if segment in self._summary_list(path, "defines", exact):
                    found.add(name)
                for value in self.assigned(path, segment, exact):
                    aliased = f"{prefix}.{value}"
                    if not any(self._site_alias(r) for r in self.resolve(aliased, exact)):
                        targets.append(aliased)
                if not exact and segment not in names:  # a def or an assignment the byte scan cannot see
                    found.update(r for ts in names.values() for t in ts for r in self.resolve(t, exact) if self.banned.related(r))
                for target in targets:
                    found.update(self.resolve(".".join([target, *rest]), exact))
            if not found and within is not None and self.module_paths(f"{prefix}.{segment}"):
                found.update(self.resolve(name, exact))  # a submodule imported elsewhere (a star import's `__all__`)
            result = tuple(sorted(found)) or (name,)
        if within is None:
            self._memo[key] = result
        return result

    def _site_alias(self, final: str) -> bool:
        """Whether an alias of `final` is the site where it is assigned (`now = time.time`), not a
        name to follow: a banned path below which no other lies. `requests` is banned itself but a
        namespace (`requests.get` lies below), so `http = requests` is followed, as `clock = time`
        is and as the resolve stage follows one in the module itself. An alias of a path no rule
        reports as a value (`nap = time.sleep`) is followed to its calls, in any module."""
        return self.banned.under(final) and final not in self.banned.above and not self.banned.follows(final)

    def resolve_for_analysis(self, name: str, within) -> Tuple[str, ...]:
        """`resolve` from a file that imports the modules `within`, made exact only where the
        byte-scan level says a rule could care."""
        rough = self.resolve(name, False, within)
        if not any(self.banned.related(r) for r in rough):
            return (name,)
        return self.resolve(name, True, within)

    def imported_modules(self, path: str) -> FrozenSet[str]:
        """The project modules file `path` imports: what its names can reach first."""
        out = set()
        for imp in self.file_imports(path):
            base = self.absolute(path, imp.level, imp.module or "") if imp.level else imp.module
            if imp.module is None:
                for name, alias in imp.names:
                    parts = name.split(".")
                    out.update([name] if alias else (".".join(parts[:i]) for i in range(1, len(parts) + 1)))
            elif base:
                out.add(base)
                out.update(f"{base}.{n}" for n, _ in imp.names if self.module_paths(f"{base}.{n}"))
        return frozenset(m for m in out if self.module_paths(m))

    def module_tainted(self, module: str, exact: bool) -> bool:
        """Whether some name `module` binds could lead to a banned path, directly or through a
        project module it binds (`from . import timeutil`). A search over those modules, so the
        answer does not depend on which module was asked first when they bind each other."""
        key = (module, exact)
        hit = self._module_taint.get(key)
        if hit is not None:
            return hit
        if key in self._tainting:
            return False  # asked again while a star import's exports are being found
        self._tainting.add(key)
        seen, stack, hit = {module}, [module], False
        while stack and not hit:
            current = stack.pop()
            known = self._module_taint.get((current, exact))
            if known is not None:  # False: nothing it reaches leads anywhere either
                hit = known
                continue
            direct, below = self._module_links(current, exact)
            hit = direct
            stack.extend(m for m in below if m not in seen and not seen.add(m))
        self._tainting.discard(key)
        for other in seen if not hit else ():  # all they reach was searched: none leads anywhere
            self._module_taint[(other, exact)] = False
        self._module_taint[key] = hit
        return hit

    def _module_links(self, module: str, exact: bool) -> Tuple[bool, List[str]]:
        """(whether a name the module binds leads to a banned path itself, the project modules
        its names are bound to)."""
        key = (module, exact)
        if key not in self._links:
            direct, below = False, set()
            for path in self.module_paths(module):
                names, stars, _ = self.bindings(path, exact)
                for final in {r for targets in names.values() for t in targets for r in self.resolve(t, exact)}:
                    if self.banned.related(final):
                        direct = True
                    elif final != module and self.module_paths(final):
                        below.add(final)
                direct = direct or any(self.star_exports(s, exact) for s in stars)
            self._links[key] = (direct, sorted(below))
        return self._links[key]

    def reaches(self, name: str, exact: bool) -> bool:
        """Whether a project name, or a project module's bindings, could lead to a banned path."""
        key = (name, exact)
        hit = self._reaches.get(key)
        if hit is None:
            if self.module_paths(name):
                hit = self.module_tainted(name, exact)
            else:
                hit = self.is_project(name) and any(self._leads(r, exact) for r in self.resolve(name, exact))
            self._reaches[key] = hit
        return hit

    def _leads(self, final: str, exact: bool) -> bool:
        """Whether what a name finally denotes could lead to a banned path: it is related to one,
        or it is a project module that is (`from . import timeutil as tu` re-exports a module
        whose `import time` is then reached as `tu.time`)."""
        return self.banned.related(final) or (bool(self.module_paths(final)) and self.module_tainted(final, exact))

    def _demand(self, path: str, imp: Import, exact: bool) -> bool:
        """Whether this import statement of file `path` binds something that could lead to a
        banned path through the project."""
        base = imp.module
        if imp.level:
            base = self.absolute(path, imp.level, imp.module or "")
            if base is None:
                return False
        if imp.module is None:  # import a.b.c [as d]: a, a.b and a.b.c are reachable
            for name, alias in imp.names:
                parts = name.split(".")
                chain = [".".join(parts[:i]) for i in range(1, len(parts) + 1)] if not alias else [name]
                if any(self.module_paths(m) and self.module_tainted(m, exact) for m in chain):
                    return True
            return False
        if not self.is_project(base):
            return False
        return any(self.reaches(base if name == "*" else f"{base}.{name}", exact) for name, _ in imp.names)

    def keeps(self, path: str, vocabulary=None, rule_ids=(), source=None) -> bool:
        """For the prefilter: file `path` imports, from the project, something that leads to a
        banned path (so its bytes need not spell that path), or that imports a module with a
        top-level set or a class derived from a banned class, and names one."""
        if path in self._reaching:
            return True
        names = self._set_users.get(path)
        return bool(names) and (vocabulary is None or any(n in vocabulary for n in names))

    def prepare(self, sets: bool = False) -> None:
        """Make exact every chain some file's imports could follow to a banned path, so the
        analysis (in worker processes) never needs to parse another module; with `sets`, also
        the hash-ordered top-level names of every project module the files import (`set_kind`)."""
        reaching = set()
        for path in self.analysed:
            for imp in self.file_imports(path):
                if self._demand(path, imp, exact=False) and self._demand(path, imp, exact=True):
                    reaching.add(path)
                    break
        self._reaching = frozenset(reaching)
        data = sorted((path, json.dumps(self.exact[path], sort_keys=True)) for path in self.exact)
        users: Dict[str, FrozenSet[bytes]] = {}
        for path in self.analysed:
            names = set()
            for module in sorted(self.imported_modules(path)):
                names.update(self._class_table(module))
                if sets:
                    names.update(n.rsplit(".", 1)[-1] for n in self._set_table(module))
            if names:
                users[path] = frozenset(n.encode() for n in names)
        self._set_users = users
        # what the analysis reads of them: the non-empty tables (a module without a set constant
        # or a derived class, or an import edited elsewhere, leaves every result valid)
        tables = sorted([m, sorted(t.items())] for m, t in self._set_tables.items() if t)
        classes = sorted([m, sorted([n, list(v)] for n, v in t.items())] for m, t in self._class_tables.items() if t)
        roots = [self.roots, sorted(self._namespaces.items())]  # a new root can change what a name is
        self._digest = blake2b(json.dumps([data, tables, classes, roots]).encode(), digest_size=16).hexdigest()

    # -- classes derived from banned classes -----------------------------------------------------
    def subclass_of(self, name: str, within) -> Optional[Tuple[str, bool]]:
        """(the banned class, whether a class on the way defines `__init__` / `__new__`) when
        dotted `name` is a class of a project module among `within` derived from a banned class
        (`class SimRandom(random.Random)`), or a name re-exporting one; only what `prepare` tabled."""
        paths, segment, rest = self._split(name, within)
        if paths is None or not segment or rest:
            return None
        table = self._class_tables.get(name[: -len(segment) - 1])
        return table.get(segment) if table else None

    def names_subclass(self, target: str) -> bool:
        """For a file's interesting names: an import target that is such a class, or a module
        holding one (tabled by `prepare`)."""
        if self._class_tables.get(target):
            return True
        paths, segment, rest = self._split(target)
        if paths is None or not segment or rest:
            return False
        return segment in self._class_tables.get(target[: -len(segment) - 1], {})

    def _class_table(self, module: str) -> Dict[str, Tuple[str, bool]]:
        hit = self._class_tables.get(module)
        if hit is not None:
            return hit
        self._class_tables[module] = {}  # a cycle of bases or re-exports ends here
        tables = [self._path_class_table(module, path) for path in self.module_paths(module)]
        table = {n: v for n, v in tables[0].items() if all(t.get(n) == v for t in tables[1:])} if tables else {}
        self._class_tables[module] = table
        return table

    def _path_class_table(self, module: str, path: str) -> Dict[str, Tuple[str, bool]]:
        summary = self._exact(path)
        if not summary:
            return {}
        classes = {name: (bases, overrides) for name, bases, overrides in summary.get("classes") or ()}
        out: Dict[str, Tuple[str, bool]] = {}
        pending: Dict[str, bool] = {}

        def derive(name: str) -> Optional[Tuple[str, bool]]:
            if name in out:
                return out[name]
            if name in pending:
                return None
            pending[name] = True
            bases, overrides = classes[name]
            for text in bases:
                found = derive(text) if text in classes else self._base_target(f"{module}.{text}")
                if found is not None:
                    out[name] = (found[0], bool(found[1] or overrides))
                    return out[name]
            return None

        for name in sorted(classes):
            derive(name)
        other = set(summary.get("other") or ())
        names, _, _ = self.bindings(path, True)
        for bound in sorted(names):  # `from .rngs import SimRandom` in a package's `__init__`
            if bound in other or bound in out:
                continue
            found = {self._base_target(t, banned_too=False) for t in names[bound]}
            if len(found) == 1 and None not in found:
                out[bound] = found.pop()
        return out

    def _base_target(self, name: str, banned_too: bool = True) -> Optional[Tuple[str, bool]]:
        """What a dotted name (a base as written, absolute) is: a banned class, or a project class
        derived from one."""
        for final in self.resolve(name, exact=True):
            if banned_too and self.banned.under(final):
                return final, False
            paths, segment, rest = self._split(final)
            if paths is not None and segment and not rest:
                found = self._class_table(final[: -len(segment) - 1]).get(segment)
                if found is not None:
                    return found
        return None

    # -- hash-ordered constants ------------------------------------------------------------------
    def set_kind(self, name: str, within) -> Optional[str]:
        """"set" or "dict" when dotted `name` is a top-level name of a project module among
        `within` (the modules the asking file imports) bound only to a hash-ordered value there,
        or re-exported from one (imports, aliases, star imports); None otherwise. Only what
        `prepare` tabled is answered."""
        paths, segment, rest = self._split(name, within)
        if paths is None or not segment:
            return None
        inner = ".".join([segment, *rest])
        table = self._set_tables.get(name[: -len(inner) - 1])
        return table.get(inner) if table else None

    def star_set(self, module: str, name: str, within) -> bool:
        """Whether `from module import *` (a module the file imports) binds `name` to a
        hash-ordered constant."""
        return module in within and name in self._star_set_table(module)

    def _set_table(self, module: str) -> Dict[str, str]:
        """The module's own hash-ordered names, and `C.VENUES` for a name `C` it binds only to a
        project module whose own table has `VENUES` (`from . import consts as C`); one level, so
        tabling a module reads only the modules it binds."""
        hit = self._set_tables.get(module)
        if hit is None:
            tables = [self._path_module_sets(path) for path in self.module_paths(module)]
            hit = {n: k for n, k in tables[0].items() if all(t.get(n) == k for t in tables[1:])} if tables else {}
            hit.update(self._own_set_table(module))
            self._set_tables[module] = hit
        return hit

    def _path_module_sets(self, path: str) -> Dict[str, str]:
        out: Dict[str, str] = {}
        names, _, _ = self.bindings(path, True)
        other = set((self._exact(path) or {}).get("other") or ())
        for bound in sorted(n for n in names if n not in other):
            finals = sorted({r for t in names[bound] for r in self.resolve(t, True)})
            if finals and all(self.module_paths(m) for m in finals):
                tables = [self._own_set_table(m) for m in finals]
                out.update((f"{bound}.{n}", k) for n, k in tables[0].items() if all(t.get(n) == k for t in tables[1:]))
        return out

    def _own_set_table(self, module: str) -> Dict[str, str]:
        hit = self._own_set_tables.get(module)
        if hit is not None:
            return hit
        self._own_set_tables[module] = {}  # a cycle of re-exports ends here
        tables = [self._path_set_table(path) for path in self.module_paths(module)]
        table = {n: k for n, k in tables[0].items() if all(t.get(n) == k for t in tables[1:])} if tables else {}
        self._own_set_tables[module] = table
        return table

    def _path_set_table(self, path: str) -> Dict[str, str]:
        """One file's hash-ordered top-level names: its own, and the names it binds only by
        imports whose every target is one (a name also bound otherwise, or star-imported and bound
        by the module too, is not proven)."""
        summary = self._exact(path)
        if not summary:
            return {}
        out = {n: k for n, k in summary.get("sets") or ()}
        other = set(summary.get("other") or ())
        names, stars, _ = self.bindings(path, True)
        for bound in sorted(names):
            if bound in other or bound in out:
                continue
            kinds = {self._target_kind(t) for t in names[bound]}
            if len(kinds) == 1 and None not in kinds:
                out[bound] = kinds.pop()
        starred: Dict[str, set] = {}
        for star in stars:
            for bound, kind in self._star_set_table(star).items():
                starred.setdefault(bound, set()).add(kind)
        for bound in sorted(starred):
            if bound not in out and bound not in names and bound not in other and len(starred[bound]) == 1:
                out[bound] = next(iter(starred[bound]))
        return out

    def _target_kind(self, target: str) -> Optional[str]:
        paths, segment, rest = self._split(target)
        if paths is None or not segment or rest:
            return None
        return self._own_set_table(target[: -len(segment) - 1]).get(segment)

    def _star_set_table(self, module: str) -> Dict[str, str]:
        """What `from module import *` binds of the module's hash-ordered names (`__all__`, or its
        public names)."""
        if not self.module_paths(module):
            return {}
        table = self._own_set_table(module)
        listed = [self.bindings(path, True)[2] for path in self.module_paths(module)]
        out = {}
        for name, kind in table.items():
            if all(names_all is not None and name in names_all or names_all is None and not name.startswith("_") for names_all in listed):
                out[name] = kind
        return out

    def digest(self) -> str:
        """The exact tables, as `prepare` left them: they change only when a module on a chain
        some file follows to a banned path changes."""
        return self._digest

    def link(self, config, results, rules_run, store, stats) -> None:
        """After analysis: DST207, calls from in-scope files into out-of-scope modules."""
        from dstcheck.python import reach

        reach.link_reach(self, config, results, rules_run, store, stats)


def _in_scope(config, path: str) -> bool:
    from dstcheck.stages.discover import classify_file

    entry = classify_file(config, path, os.path.join(str(config.root), path))
    return entry is not None and entry.scope is not None


def build(config, entries, todo, store, options, stats):
    """The project index for the Python files to be analysed: the modules their imports reach,
    found on disk (so a run over a few named files sees the same re-exports as a full scan), exact
    (and cached by content) where a chain could reach a banned path."""
    from dstcheck.stages import cache as cache_mod
    from dstcheck.stages.index import summaries

    root = str(config.root)
    salt = cache_mod.config_salt(config) if store is not None else b""
    summarize = functools.partial(exact_summary, guards=tuple(sorted(config.languages["python"].guards)))

    def load_exact(path: str) -> Optional[dict]:
        return summaries({path: os.path.join(root, path)}, summarize, store, NAMESPACE_EXACT, salt, stats)[0][path]

    analysed = [e.path for e in todo if e.language == "python"]
    rules = config.pack.for_language("python")
    from dstcheck.stages.discover import listing, literal_prefix

    keep = tuple(sorted({literal_prefix(p) for scope in config.scopes for p in scope.include}))  # as discovery walks
    files = listing(config.root, keep=keep).files
    project = Project(root, analysed, banned(rules, config.pack.reexports.get("python", {})), load_exact, store=store, files=files, loose=lambda path: _in_scope(config, path))
    project.prepare(sets=any(m.kind == "set-iteration" for r in rules for m in r.matchers))
    return project
