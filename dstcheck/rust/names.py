"""Module-level name resolution for Rust, over module tables (see `items.py`), the way rustc
resolves paths: a module's own names first (items, `use`, `extern crate`, child modules,
`type` aliases), then its glob imports, then the extern prelude (the crate's dependencies, with
Cargo renames, and std/core/alloc). `crate::`, `self::` and `super::` walk the module tree;
a path into a workspace crate continues in that crate's root module.

The same code runs in two places. Analysing one file, only that file's tables are at hand: a
path that leads into another file's module stops with a `Pending` result that says where to
continue. The index, which has every file's tables, finishes those. Cycles (glob imports that
import each other, aliases of aliases) stop at a depth bound; a name that cannot be resolved
is `Unresolved`, never guessed.
"""

from __future__ import annotations

from typing import Callable, Dict, NamedTuple, Optional, Tuple

MAX_DEPTH = 24
EXTERN_ROOTS = ("std", "core", "alloc")
# What the std prelude brings into every module (types and the enum variants code names bare).
PRELUDE = {
    "Vec": "std::vec::Vec", "String": "std::string::String", "Box": "std::boxed::Box",
    "Option": "std::option::Option", "Result": "std::result::Result", "Some": "std::option::Option::Some",
    "None": "std::option::Option::None", "Ok": "std::result::Result::Ok", "Err": "std::result::Result::Err",
    "ToString": "std::string::ToString", "ToOwned": "std::borrow::ToOwned", "Iterator": "std::iter::Iterator",
    "IntoIterator": "std::iter::IntoIterator", "FromIterator": "std::iter::FromIterator", "Default": "std::default::Default",
    "Clone": "std::clone::Clone", "Drop": "std::ops::Drop", "Fn": "std::ops::Fn", "FnMut": "std::ops::FnMut",
    "FnOnce": "std::ops::FnOnce", "Send": "std::marker::Send", "Sync": "std::marker::Sync", "Sized": "std::marker::Sized",
}

# Primitive types: every module sees them (`HashMap<K, f64>`, `u64::MAX`), unless a name shadows one.
PRIMITIVES = frozenset({"f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "bool", "char", "str"})


class ModRef(NamedTuple):
    crate: str  # crate key: its root directory, or "file:<path>" for a file outside any crate
    path: Tuple[str, ...]  # module path from the crate root (file modules and inline modules)


class External(NamedTuple):
    path: str  # canonical, e.g. "std::time::Instant::now"
    imported: bool = False  # reached through a `use`, `extern crate`, alias or glob
    indirect: bool = False  # reached through a binding of another module (a re-export)


class Local(NamedTuple):
    module: ModRef
    name: str
    kind: str  # struct, enum, fn, trait, const, static, macro, union
    rest: Tuple[str, ...]  # segments after the item (`S::new` -> ("new",))


class Module(NamedTuple):
    module: ModRef


class Pending(NamedTuple):
    mode: str  # "scope": resolve segs as written in module; "walk": navigate into module
    module: ModRef
    segs: Tuple[str, ...]


class Unresolved(NamedTuple):
    why: str


PENDING = object()  # a table provider's answer for a module whose table is in another file


class CrateInfo(NamedTuple):
    """What the extern prelude holds for one crate."""

    known: bool  # False: no Cargo manifest; every unknown first segment is taken as a crate name
    deps: Dict[str, str]  # name in code -> crate name (Cargo renames applied)
    workspace: Dict[str, str]  # crate name -> crate key, for crates of this workspace
    alts: Optional[Dict[str, Tuple[str, ...]]] = None  # name in code -> every crate it may name (Cargo target tables the profile cannot choose between)


NO_CRATE = CrateInfo(False, {}, {})


def is_descendant(module: ModRef, ancestor: ModRef) -> bool:
    return module.crate == ancestor.crate and module.path[: len(ancestor.path)] == ancestor.path


class ModuleResolver:
    """`tables(ModRef) -> table | None | PENDING`; `crates(crate key) -> CrateInfo`."""

    def __init__(self, tables: Callable, crates: Callable, reexports: Dict[str, str]):
        self.tables = tables
        self.crates = crates
        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        self.origin: Optional[ModRef] = None  # the module the reference is written in
        self._memo: Dict[tuple, object] = {}
        self._active: set = set()  # (module, name) lookups under way: a glob cycle stops here

    def resolve_from(self, module: ModRef, segs, is_global: bool = False) -> list:
        """Results for a path written in `module` (the origin of `indirect`)."""
        self.origin = module
        return self.resolve(module, segs, is_global)

    def canon(self, segs) -> str:
        path = "::".join(segs)
        for prefix, target in self.reexports:
            if path == prefix or path.startswith(prefix + "::"):
                return target + path[len(prefix):]
        return path

    # -- entry points ------------------------------------------------------------------------
    def resolve(self, module: ModRef, segs, is_global: bool = False, depth: int = 0, skip=None, globs: bool = True) -> list:
        """Results for a path written in `module`. A glob's own path is resolved without
        expanding globs again (`globs=False`), which keeps resolution linear in the globs."""
        segs = tuple(segs)
        if not segs:
            return [Module(module)]
        if depth > MAX_DEPTH:
            return [Unresolved("resolution nested too deeply")]
        if is_global:
            return self.extern(module.crate, segs, depth)
        first = segs[0]
        if first == "crate":
            return self.walk(ModRef(module.crate, ()), segs[1:], depth + 1)
        if first in ("self", "super"):
            current = module
            while segs and segs[0] in ("self", "super"):
                if segs[0] == "super":
                    if not current.path:
                        return [Unresolved("`super` above the crate root")]
                    current = ModRef(current.crate, current.path[:-1])
                segs = segs[1:]
            return self.walk(current, segs, depth + 1)
        found = self.lookup(module, first, module, depth, skip, globs)
        if found is PENDING:
            return [Pending("scope", module, segs)]
        if not found:
            return self.extern(module.crate, segs, depth)
        if all(m is None for m, _, _ in found):
            # only a glob of an external module, which cannot be listed, may bind the name
            if self._is_crate(module.crate, first):
                # rustc rejects a `use` path whose first segment is both a crate and a name a glob
                # brings in, and no published prelude exports a crate's name: it is the crate
                return self.extern(module.crate, segs, depth)
            if self._may_be_crate(module.crate, first):
                return sorted(set(self._continue(found, segs[1:], depth)) | set(self.extern(module.crate, segs, depth)), key=repr)
        return self._continue(found, segs[1:], depth)

    def _is_crate(self, crate: str, name: str) -> bool:
        info = self.crates(crate)
        return name in EXTERN_ROOTS or info.known and name in info.deps

    def _may_be_crate(self, crate: str, name: str) -> bool:
        info = self.crates(crate)
        return not info.known or name in info.deps or name in EXTERN_ROOTS

    def walk(self, module: ModRef, segs, depth: int) -> list:
        """Navigate into `module` along `segs` (no extern prelude: `crate::x` must be in crate)."""
        segs = tuple(segs)
        if not segs:
            return [Module(module)]
        if depth > MAX_DEPTH:
            return [Unresolved("resolution nested too deeply")]
        found = self.lookup(module, segs[0], None, depth)
        if found is PENDING:
            return [Pending("walk", module, segs)]
        if not found:
            return [Unresolved(f"no `{segs[0]}` in module {'::'.join(module.path) or 'crate'}")]
        return self._continue(found, segs[1:], depth)

    def resume(self, pending: Pending, origin: ModRef, depth: int = 0) -> list:
        self.origin = origin
        if pending.mode == "walk":
            return self.walk(pending.module, pending.segs, depth)
        return self.resolve(pending.module, pending.segs, False, depth)

    # -- lookups -----------------------------------------------------------------------------
    def lookup(self, module: ModRef, name: str, importer: Optional[ModRef], depth: int, skip=None, globs: bool = True):
        """Candidates for `name` in `module`'s namespace: [(module, name, binding)], or
        (None, name, External) through a glob of an external module; PENDING when the table is
        elsewhere. Explicit names shadow glob imports. Memoised; a cycle of globs ends empty."""
        key = (module, name, globs, importer == module, module == self.origin)
        if skip is None and key in self._memo:
            return self._memo[key]
        found = self._lookup(module, name, importer, depth, skip, globs)
        if skip is None:
            self._memo[key] = found
        return found

    def _lookup(self, module: ModRef, name: str, importer: Optional[ModRef], depth: int, skip, globs: bool):
        table = self.tables(module)
        if table is PENDING:
            return PENDING
        if table is None:
            return []
        bindings = [b for b in table["names"].get(name, ()) if b is not skip]
        # live bindings win; test-only ones count when there is no live one, gated ones when alone
        chosen = [b for b in bindings if not b[4]] or [b for b in bindings if b[4] == "test"] or bindings
        if chosen:
            return [(module, name, b) for b in chosen]
        if not globs or not table["globs"] or (module, name) in self._active:
            return []
        self._active.add((module, name))
        try:
            out: list = []
            live = [g for g in table["globs"] if g[3] != "gated"]
            for target, is_global, vis, verdict in live or table["globs"]:
                for result in self.resolve(module, target, is_global, depth + 1, globs=False):
                    if isinstance(result, Module):
                        inner = self.lookup_visible(result.module, name, importer or module, depth + 1)
                        if inner is PENDING:
                            return PENDING
                        out.extend(inner)
                    elif isinstance(result, External):
                        out.append((None, name, External(self.canon(result.path.split("::") + [name]), True, module != self.origin or result.indirect)))
                    elif isinstance(result, Pending):
                        return PENDING
            return out
        finally:
            self._active.discard((module, name))

    def lookup_visible(self, module: ModRef, name: str, importer: ModRef, depth: int):
        """What a glob import of `module` brings in: names visible from `importer`."""
        if depth > MAX_DEPTH:
            return []
        found = self.lookup(module, name, importer, depth)
        if found is PENDING:
            return PENDING
        private_ok = is_descendant(importer, module)
        same_crate = importer.crate == module.crate
        return [
            (m, n, b) for m, n, b in found
            if m is None or private_ok or b[3] == "pub" or (same_crate and b[3] == "crate")
        ]

    def _continue(self, found, rest: Tuple[str, ...], depth: int) -> list:
        out: list = []
        for module, name, binding in found:
            if module is None:
                out.extend(self.extend(binding, rest, depth))
                continue
            kind, target, is_global = binding[0], binding[1], binding[2]
            other = module != self.origin
            if kind == "use":
                for result in self.resolve(module, target, is_global, depth + 1, skip=binding):
                    out.extend(self.extend(_via(result, other), rest, depth))
            elif kind == "extern":
                out.extend(_via(r, other) for r in self.extern(module.crate, tuple(target) + rest, depth))
            elif kind == "type":
                if target is None:
                    out.append(Unresolved("alias of a type that is not a path"))
                    continue
                for result in self.resolve(module, target["p"], target["g"], depth + 1):
                    out.extend(self.extend(_via(result, other), rest, depth))
            elif kind == "mod":
                out.extend(self.walk(ModRef(module.crate, module.path + (name,)), rest, depth + 1))
            else:
                out.append(Local(module, name, kind[5:], rest))
        return sorted(set(out), key=repr)

    def extend(self, result, rest: Tuple[str, ...], depth: int) -> list:
        if not rest:
            return [result]
        if isinstance(result, External):
            return [External(self.canon(result.path.split("::") + list(rest)), result.imported, result.indirect)]
        if isinstance(result, Module):
            return self.walk(result.module, rest, depth + 1)
        if isinstance(result, Local):
            return [Local(result.module, result.name, result.kind, result.rest + rest)]
        if isinstance(result, Pending):
            return [Pending(result.mode, result.module, result.segs + rest)]
        return [result]

    def extern(self, crate: str, segs: Tuple[str, ...], depth: int) -> list:
        info = self.crates(crate)
        names = (info.alts or {}).get(segs[0])
        if names:  # every crate the name may be in the DST build counts
            return sorted({r for name in names for r in self._extern(info, name, segs, depth)}, key=repr)
        return self._extern(info, info.deps.get(segs[0], segs[0]), segs, depth)

    def _extern(self, info: CrateInfo, name: str, segs: Tuple[str, ...], depth: int) -> list:
        first = segs[0]
        if name in info.workspace:
            return self.walk(ModRef(info.workspace[name], ()), segs[1:], depth + 1)
        if not info.known or first in info.deps or first in EXTERN_ROOTS:
            return [External(self.canon((name,) + segs[1:]))]
        if first in PRELUDE:
            return [External(self.canon(tuple(PRELUDE[first].split("::")) + segs[1:]))]
        if first in PRIMITIVES:
            return [External(self.canon(segs))]
        return [Unresolved(f"`{first}` is not a dependency of this crate")]


def _via(result, other_module: bool):
    """A result reached through a binding: imported, and indirect when the binding is another
    module's (a re-export)."""
    if isinstance(result, External):
        return External(result.path, True, result.indirect or other_module)
    return result
