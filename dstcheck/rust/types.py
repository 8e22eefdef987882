"""Types of Rust expressions, as far as declarations prove them, and where an iteration's order
escapes.

A receiver's type comes from what declares it: a `let` annotation or constructor
(`HashMap::new()`, `::default()`, `::with_capacity(n)`, `::from(..)`, `.collect::<T>()`), a
parameter, a struct field (in any file of the crate), a function's or method's return type, what
a few functions of other crates return (`RETURNS`, `METHODS`: `Handle::current()`), an element
of a sequence (`v[0]` of a `Vec`, a slice or an array) or of what a `for` loop or an iterator
adaptor's closure walks (`maps.iter().flat_map(|m| ..)`); `&`, `Arc`, `Rc`, `Box`, lock guards
(`.read()`, `.write()`, `.lock()`, `.borrow()`) and `?` are seen through, and a map built
`with_hasher(s)` takes its hasher from `s`. Nothing is guessed: a receiver whose type is not
proven has no type.

A type is asked for as a *query* (plain data): `["named", module, segments, global, [argument
queries]]`, `["field", query, name]`, `["ret", module, segments, global]` (a function called by
path), `["method", query, name]`, `["type", path, [argument queries]]` (a path the syntax tree
resolved through a block's scope). A path is written where scopes the module tables do not hold
apply: generic type parameters and a block's `use` and items shadow the module's names, so the
query is built through them. Analysing one file answers what that file declares; a query
that needs another file's declarations is kept with the site and answered by the index. Answers
are `Type(path, args)`: a canonical path (a crate-local item is `<crate>|<module>|<name>`) and
its resolved generic arguments.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional, Tuple

from dstcheck.rust import items
from dstcheck.rust.names import PENDING, External, Local, ModRef, Module, Pending
from dstcheck.rust.resolve import LOCAL

CONSTRUCTORS = {"new", "default", "with_capacity", "from", "from_iter", "with_hasher", "with_capacity_and_hasher", "from_str"}
SAME_TYPE = {"clone", "to_owned", "as_ref", "as_mut", "by_ref"}
GUARDS = {"read", "write", "lock", "borrow", "borrow_mut", "try_read", "try_write", "try_lock", "upgradable_read"}
UNWRAP = {"unwrap", "expect"}
POINTERS = ("std::sync::Arc", "std::rc::Rc", "std::boxed::Box", "std::cell::RefCell", "std::cell::Cell", "Box", "Arc", "Rc")
LOCKS = (
    "std::sync::Mutex", "std::sync::RwLock", "std::cell::RefCell", "parking_lot::Mutex", "parking_lot::RwLock",
    "tokio::sync::Mutex", "tokio::sync::RwLock", "std::sync::MutexGuard", "std::sync::RwLockReadGuard",
    "std::sync::RwLockWriteGuard", "std::cell::Ref", "std::cell::RefMut",
)
LOCK_RESULTS = ("std::sync::LockResult", "std::result::Result", "std::sync::TryLockResult")
SEQUENCES = {"Vec", "VecDeque", "SmallVec", "ArrayVec", items.SLICE}
MAPS = {"HashMap", "BTreeMap", "IndexMap", "AHashMap", "FxHashMap", "DashMap"}
WRAPPERS = ("std::option::Option", "std::result::Result", "Option", "Result") + LOCK_RESULTS
# What a `let` without an annotation is typed by beyond the constructors above: a call of one of
# these functions (`let start = Instant::now();`), one of these constants (`let e = UNIX_EPOCH;`),
# and `value + d` where the value is of a type whose only `Add` returns itself (`Instant + Duration`;
# `-` is not followed: `Instant - Instant` is a `Duration`)
MADE_BY = {
    "std::time::Instant::now": "std::time::Instant",
    "std::time::SystemTime::now": "std::time::SystemTime",
    "tokio::time::Instant::now": "tokio::time::Instant",
}
CONSTANTS = {"std::time::UNIX_EPOCH": "std::time::SystemTime", "std::time::SystemTime::UNIX_EPOCH": "std::time::SystemTime"}
ADDS_TO_ITSELF = {"std::time::Instant", "std::time::SystemTime", "tokio::time::Instant"}
MAX_DEPTH = 16
# Iterator adaptors whose closure is called with each element, and those that pass the elements on
ELEMENT_CLOSURES = {
    "map", "flat_map", "filter_map", "for_each", "try_for_each", "filter", "inspect", "any", "all", "find", "find_map",
    "position", "take_while", "skip_while", "map_while", "max_by_key", "min_by_key", "partition",
}
# What a closure passed to a method of an `Option` / `Result` is called with: the value it holds
# (`last.map(|t| t.elapsed())`), as argument at this position (`map_or(default, |t| ..)`)
HELD_CLOSURES = {"map": 0, "and_then": 0, "is_some_and": 0, "is_none_or": 0, "is_ok_and": 0, "filter": 0, "inspect": 0, "take_if": 0, "map_or": 1, "map_or_else": 1}
# Methods of an `Option` / `Result` that give the value it holds, and those that give the wrapper back
HELD_VALUE = {"unwrap", "expect", "unwrap_or", "unwrap_or_else", "unwrap_or_default", "unwrap_unchecked"}
HELD_KEPT = {"copied", "cloned", "take", "filter", "or", "or_else", "as_deref", "as_deref_mut"}
OPTION = "std::option::Option"
# Methods of a sequence that give maybe one element (`get(i)` with a range argument gives a slice:
# the query names that call `get[..]`, which is none of these)
SEQUENCE_ACCESSORS = {"first", "last", "first_mut", "last_mut", "get", "get_mut", "front", "back", "front_mut", "back_mut", "pop", "pop_front", "pop_back"}
ELEMENTS_KEPT = {"filter", "cloned", "copied", "by_ref", "rev", "peekable", "fuse", "skip", "take", "step_by", "skip_while", "take_while", "inspect"}
# What an iterator made by these methods yields: the element of a one-argument collection (None),
# or this argument of a map
ELEMENT_OF_ITERATOR = {"iter": None, "iter_mut": None, "into_iter": None, "drain": None, "values": 1, "values_mut": 1, "into_values": 1, "keys": 0, "into_keys": 0}
ELSEWHERE = "<other files>"  # a module name no crate has: asks whether a crate's other modules are known


class Type(NamedTuple):
    path: str
    args: Tuple[Optional["Type"], ...] = ()

    def peel(self) -> "Type":
        """Through smart pointers and locks to what they hold (auto-deref, guards)."""
        t = self
        for _ in range(8):
            if (t.path in POINTERS or t.path in LOCKS) and t.args and t.args[0] is not None:
                t = t.args[0]
            else:
                return t
        return t


# What a call returns, for functions and methods of types outside the workspace that are not
# sites themselves: `Handle::current().spawn_blocking(..)` is a DST104 site because `current`
# returns a `Handle`. `try_current` returns a `Result` (seen through by `.unwrap()`, `?`, `if let
# Ok(h)`); `Runtime::new()` is typed by `CONSTRUCTORS` (the `Runtime` its `io::Result` holds).
# A runtime `Builder`'s other methods (`enable_all`, `worker_threads`, ..) return the builder.
# ahash's `with_seeds` is the one constructor of its `RandomState` with fixed keys: a path of its
# own (`SEEDED`), which is no random hasher; `with_seed` mixes in a number drawn once per process
# and `generate_with` a per-instance counter, so both are the random `ahash::RandomState`.
HANDLE, RUNTIME, BUILDER = "tokio::runtime::Handle", "tokio::runtime::Runtime", "tokio::runtime::Builder"
SEEDED = "ahash::RandomState::with_seeds"
_RESULT = "std::result::Result"
RETURNS = {
    "tokio::runtime::Handle::current": (HANDLE, ()),
    "tokio::runtime::Handle::try_current": (_RESULT, (HANDLE, "tokio::runtime::TryCurrentError")),
    "tokio::runtime::Builder::new_current_thread": (BUILDER, ()),
    "tokio::runtime::Builder::new_multi_thread": (BUILDER, ()),
    "ahash::RandomState::with_seeds": (SEEDED, ()),
    "ahash::RandomState::with_seed": ("ahash::RandomState", ()),
    "ahash::RandomState::generate_with": ("ahash::RandomState", ()),
}
METHODS = {
    (RUNTIME, "handle"): (HANDLE, ()),
    (BUILDER, "build"): (_RESULT, (RUNTIME, "std::io::Error")),
}
CHAINING = {BUILDER}  # every method not in METHODS returns the value itself
# The constructors whose argument gives the hasher (`HashMap::with_hasher(s)`), and its position;
# the hasher is the type's third argument, a set's (`SETS`) second
HASHER_ARGUMENT = {"with_hasher": 0, "with_capacity_and_hasher": 1}
# Traits whose constructors make whatever type is inferred there: `Default::default()` is no `Default`
TRAITS = {
    "std::default::Default", "core::default::Default", "std::convert::From", "core::convert::From",
    "std::iter::FromIterator", "core::iter::FromIterator", "std::str::FromStr", "core::str::FromStr",
    "Default", "From", "FromIterator",  # std's prelude, as a file outside any crate names it
}
SETS = {"HashSet", "AHashSet", "IndexSet", "DashSet", "FxHashSet", "BTreeSet"}


def _made(found) -> Optional["Type"]:
    path, args = found
    return Type(path, tuple(Type(a) for a in args))


def leading_to(paths) -> dict:
    """The last word of each type whose `RETURNS` or `METHODS` entry leads to one of `paths`
    (through `CHAINING` and a `Result`), and not one of them: `Builder` for `Runtime`. The
    typed prefilter parses a file that names one and a method the rule asks about."""
    wanted, out = set(paths), {}
    grown = True
    while grown:
        grown = False
        for key, (path, args) in [*RETURNS.items(), *METHODS.items()]:
            owner = key[0] if isinstance(key, tuple) else key.rsplit("::", 1)[0]
            if owner not in wanted and (path in wanted or (path == _RESULT and args and args[0] in wanted)):
                wanted.add(owner)
                out[owner.rsplit("::", 1)[-1]] = owner
                grown = True
    return out


class NeedsOtherFile(Exception):
    """The answer depends on another file's declarations: keep the query for the index."""


def local_path(module: ModRef, name: str) -> str:
    return f"{module.crate}|{'::'.join(module.path)}|{name}"


def split_local(path: str) -> Optional[Tuple[ModRef, str]]:
    parts = path.split("|")
    if len(parts) != 3:
        return None
    crate, module, name = parts
    return ModRef(crate, tuple(module.split("::")) if module else ()), name


def query_of_type(module: ModRef, tdict: Optional[dict]) -> Optional[list]:
    """A written type (items.type_of) as a query in the module that wrote it."""
    if tdict is None:
        return None
    return ["named", [module.crate, list(module.path)], list(tdict["p"]), tdict["g"], [query_of_type(module, a) for a in tdict["a"]]]


class Evaluator:
    """Answers type queries. `summary_of(module) -> (summary, inline key) | PENDING | None` gives
    the summary of the file that defines a module; `mres` resolves paths."""

    def __init__(self, mres, summary_of: Callable, impls_of: Optional[Callable] = None):
        self.mres = mres
        self.summary_of = summary_of
        # `impls_of(owner) -> [(summary, module of its file, the file's verdict)] | PENDING`: the
        # other files whose impls may hold a local type's methods (the index's impl table);
        # without it, a method the type's own file does not settle waits for the index when
        # `summary_of` says the crate's other modules are pending
        self.impls_of = impls_of

    def evaluate(self, query, depth: int = 0) -> Optional[Type]:
        if query is None or depth > MAX_DEPTH:
            return None
        kind = query[0]
        if kind == "named":
            if list(query[2]) in ([items.SLICE], [items.TUPLE]):  # `[T]`, `[T; N]`, `(A, B)`: no path to resolve
                return Type(query[2][0], tuple(self.evaluate(a, depth + 1) for a in query[4]))
            module = ModRef(query[1][0], tuple(query[1][1]))
            alias = self._alias(module, query[2], query[3], depth)
            if alias is not None:  # `FMap<u64, u64>`: the alias's written type, its parameters substituted
                return self.evaluate(self._expand(alias[0], alias[1], query[4]), depth + 1)
            base = self._named(module, query[2], query[3], depth)
            if base is None:
                return None
            return Type(base.path, tuple(self.evaluate(a, depth + 1) for a in query[4]))
        if kind == "type":  # a path the syntax tree already resolved (through a block's `use`)
            return Type(query[1], tuple(self.evaluate(a, depth + 1) for a in query[2]))
        if kind == "field":
            base = self.evaluate(query[1], depth + 1)
            return self.field(base.peel(), query[2], depth) if base is not None else None
        if kind == "ret":  # a 5th element: the value of a `let`, which a `MADE_BY` function may make
            module = ModRef(query[1][0], tuple(query[1][1]))
            return self._returns(module, query[2], query[3], depth, made=len(query) > 4 and query[4])
        if kind == "const":  # a path used as a value: one of the `CONSTANTS`
            module = ModRef(query[1][0], tuple(query[1][1]))
            found = {CONSTANTS[r.path] for r in self._resolve(module, query[2], query[3]) if isinstance(r, External) and r.path in CONSTANTS}
            return Type(found.pop()) if len(found) == 1 else None
        if kind == "plus":  # `value + d`: the value's type when its `Add` returns itself
            base = self.evaluate(query[1], depth + 1)
            return base if base is not None and base.path in ADDS_TO_ITSELF else None
        if kind == "method":
            base = self.evaluate(query[1], depth + 1)
            if base is not None and query[2] in UNWRAP and query[1] is not None and query[1][0] == "method" and query[1][2] in GUARDS:
                return base  # `m.lock().unwrap()`: the guarded value, even when that is an `Option`
            return self.method(base, query[2], depth) if base is not None else None
        if kind == "arg":
            base = self.evaluate(query[1], depth + 1)
            index = query[2]
            if base is None:
                return None
            base = base.peel()
            return base.args[index] if index < len(base.args) else None
        if kind == "index":  # `v[i]` of a sequence is its element, `m[&k]` of a map its value
            base = self.evaluate(query[1], depth + 1)
            if base is None:
                return None
            base = base.peel()
            name = base.path.rsplit("::", 1)[-1]
            position = 0 if name in SEQUENCES else 1 if name in MAPS else None
            return base.args[position] if position is not None and position < len(base.args) else None
        if kind == "unwrapped":  # `Some(x)` / `Ok(x)`: the first argument (what a lock's guard already unwrapped is itself)
            base = self.evaluate(query[1], depth + 1)
            if base is None:
                return None
            base = base.peel()
            if base.path in WRAPPERS:
                return base.args[0] if base.args else None
            return base
        if kind == "hashed":  # `HashMap::with_hasher(s)`: the hasher's type fills the type's hasher argument
            base = self.evaluate(query[1], depth + 1)
            hasher = self.evaluate(query[2], depth + 1)
            if base is None or hasher is None or hasher.path in TRAITS:
                return base  # `with_hasher(Default::default())`: the hasher is whatever the type says
            position = 1 if base.path.rsplit("::", 1)[-1] in SETS else 2
            args = list(base.args) + [None] * (position + 1 - len(base.args))
            if args[position] is None or len(query) > 3:  # a `let` annotation gives way to the value's own hasher
                args[position] = hasher
            return Type(base.path, tuple(args))
        if kind == "held":  # a closure's parameter that an `Option` / `Result` method passes what it holds
            base = self.evaluate(query[1], depth + 1)
            base = base.peel() if base is not None else None
            return base.args[0] if base is not None and base.path in WRAPPERS and base.args else None
        if kind == "set-element":  # iterating a one-argument collection (a set, a Vec) yields its element
            base = self.evaluate(query[1], depth + 1)
            base = base.peel() if base is not None else None
            return base.args[0] if base is not None and len(base.args) == 1 else None
        return None

    def _resolve(self, module: ModRef, segs, is_global: bool) -> list:
        results = self.mres.resolve_from(module, tuple(segs), is_global)
        if any(isinstance(r, Pending) for r in results):
            raise NeedsOtherFile()
        return results

    def _named(self, module: ModRef, segs, is_global: bool, depth: int) -> Optional[Type]:
        found = None
        for r in self._resolve(module, segs, is_global):
            if isinstance(r, External):
                found = found or Type(r.path)
            elif isinstance(r, Local) and not r.rest and r.kind in ("struct", "enum", "union"):
                found = found or Type(local_path(r.module, r.name))
        return found

    def _alias(self, module: ModRef, segs, is_global: bool, depth: int):
        """(module, written type) of the `type` alias a path names, through `use` bindings, globs
        and module paths (`a::FxMap`), or None when it names no alias."""
        segs = tuple(segs)
        if not segs or depth > MAX_DEPTH or segs[0] in ("Self",) or (is_global and len(segs) == 1):
            return None
        home = module
        if len(segs) > 1:
            homes = self._resolve(module, segs[:-1], is_global)
            if len(homes) != 1 or not isinstance(homes[0], Module):
                return None
            home = homes[0].module
        found = self.mres.lookup(home, segs[-1], module if home == module else None, 0)
        if found is PENDING:
            raise NeedsOtherFile()
        for m, _, binding in found or ():
            if m is None:
                continue
            if binding[0] == "type" and binding[1] is not None:
                return m, binding[1]
            if binding[0] == "use" and binding[1] and (m, tuple(binding[1])) != (home, segs[-1:]):
                return self._alias(m, binding[1], binding[2], depth + 1)
        return None

    def _expand(self, where: ModRef, written: dict, arg_queries) -> Optional[list]:
        """The query of an alias's written type with its type parameters replaced by the
        arguments written where it is used, position by position in the order the declaration
        lists them (`type M<V, K> = HashMap<K, V>` then `M<f64, u64>` has f64 values); the
        alias's own arguments (a hasher) are kept, and a parameter shadows a type of the same name
        inside the alias. A parameter left without an argument takes its declared default (read
        where the alias is declared, earlier parameters substituted); without one, or when the
        count does not match, it is unknown."""
        params = list(written.get("params") or ())
        defaults = list(written.get("defaults") or [None] * len(params))
        fits = len(arg_queries) <= len(params)
        mapping: dict = {p: None for p in params}  # a default names only the parameters before it

        def build(t):
            if t is None:
                return None
            if len(t["p"]) == 1 and not t["g"] and not t["a"] and t["p"][0] in mapping:
                return mapping[t["p"][0]]
            return ["named", [where.crate, list(where.path)], list(t["p"]), t["g"], [build(a) for a in t["a"]]]

        for i, p in enumerate(params):
            if fits:
                mapping[p] = arg_queries[i] if i < len(arg_queries) else build(defaults[i]) if i < len(defaults) else None

        return build(written)

    def _summary(self, module: ModRef):
        """(summary, module of its file, inline key of `module` in it), or None."""
        found = self.summary_of(module)
        if found is PENDING:
            raise NeedsOtherFile()
        return found

    def _declared(self, path: str, table: str):
        """A local item's entry in its file's summary table (structs or fns), and its module."""
        local = split_local(path)
        if local is None:
            return None, None
        module, name = local
        found = self._summary(module)
        if found is None:
            return None, None
        summary, _, inline = found
        return summary.get(table, {}).get((inline + "::" if inline else "") + name), module

    def field(self, base: Type, name: str, depth: int) -> Optional[Type]:
        if base.path == items.TUPLE:  # `p.1`
            return base.args[int(name)] if name.isdigit() and int(name) < len(base.args) else None
        fields, module = self._declared(base.path, "structs")
        if not fields or name not in fields or fields[name] is None:
            return None
        return self.evaluate(query_of_type(module, fields[name]), depth + 1)

    def _returns(self, module: ModRef, segs, is_global: bool, depth: int, made: bool = False) -> Optional[Type]:
        results = self._resolve(module, segs, is_global)
        if made:
            found = {MADE_BY[r.path] for r in results if isinstance(r, External) and r.path in MADE_BY}
            if found:
                return Type(found.pop()) if len(found) == 1 else None
        for r in results:
            if isinstance(r, Local) and r.kind == "fn" and not r.rest:
                ret, where = self._declared(local_path(r.module, r.name), "fns")
                if ret is not None:
                    return self.evaluate(query_of_type(where, ret), depth + 1)
            elif isinstance(r, Local) and r.kind in ("struct", "enum", "union") and len(r.rest) == 1:
                owner = Type(local_path(r.module, r.name))
                if r.rest[0] in CONSTRUCTORS and self._method_return(owner, r.rest[0], depth) is None:
                    return owner
                return self._method_return(owner, r.rest[0], depth)
            elif isinstance(r, External) and r.path in RETURNS:
                return _made(RETURNS[r.path])
            elif isinstance(r, External) and "::" in r.path:
                owner, method = r.path.rsplit("::", 1)
                if method in CONSTRUCTORS and owner not in TRAITS:
                    return Type(owner)
        return None

    def method(self, base: Type, name: str, depth: int) -> Optional[Type]:
        if name in SAME_TYPE:
            return base
        peeled = base.peel()
        if peeled.path in WRAPPERS and name in HELD_VALUE | HELD_KEPT:  # `last.unwrap()`: the Instant it holds
            return (peeled.args[0] if peeled.args else None) if name in HELD_VALUE else peeled
        if name in GUARDS and base.path != peeled.path:
            return peeled
        if name in UNWRAP:
            if base.path in LOCK_RESULTS or base.path in LOCKS:
                return base.args[0] if base.args and base.args[0] is not None else None
            return base  # a guard's `.unwrap()` in our model of guards: the guarded value
        if name in ("get", "get_mut") and peeled.path.rsplit("::", 1)[-1] in MAPS and len(peeled.args) >= 2:
            return Type(OPTION, (peeled.args[1],))  # `seen.get(&k)`: maybe the value
        if name in SEQUENCE_ACCESSORS and peeled.path.rsplit("::", 1)[-1] in SEQUENCES and len(peeled.args) >= 1:
            return Type(OPTION, (peeled.args[0],))  # `books.first()`, `books.get(i)`: maybe an element
        if (peeled.path, name) in METHODS:
            return _made(METHODS[(peeled.path, name)])
        if peeled.path in CHAINING:
            return peeled
        return self._method_return(peeled, name, depth)

    def _method_return(self, owner: Type, name: str, depth: int) -> Optional[Type]:
        """The return type of `name` in an impl of `owner`: in the file that declares it, and
        (through `impls_of`) in the other files whose impls may be of that type. An inherent
        method the DST build compiles, found in the owner's own file, settles it; otherwise every
        candidate counts, the live before the test-only and the inherent before the trait's, and
        candidates that disagree leave the type unknown."""
        local = split_local(owner.path)
        if local is None:
            return None
        found = self._summary(local[0])
        files = [(found[0], found[1], "")] if found is not None else []
        best = self._candidates(files, owner, name, depth)
        if best and best[0][0] == (0, False):
            return self._agreed(best)
        others = self.impls_of(owner) if self.impls_of is not None else self._elsewhere(local[0])
        if others is PENDING:
            raise NeedsOtherFile()
        if others:
            best = self._candidates(files + list(others), owner, name, depth)
        return self._agreed(best)

    def _elsewhere(self, module: ModRef):
        """Without an impl table (one file's analysis): PENDING when the other modules of the
        type's crate are still to be seen (then its other files may hold the method), else none."""
        return PENDING if self.summary_of(ModRef(module.crate, (ELSEWHERE,))) is PENDING else []

    @staticmethod
    def _agreed(best) -> Optional[Type]:
        answers = {answer for _, answer in best}
        return answers.pop() if len(answers) == 1 else None

    def _candidates(self, files, owner: Type, name: str, depth: int) -> list:
        """[(rank, return type)] of the impl methods called `name` whose self type is `owner`,
        in these files, keeping only the best rank: (verdict, is a trait's)."""
        out = []
        for summary, file_module, file_verdict in files:
            for impl_key, written, methods, *more in summary.get("impls", ()):
                if name not in methods:
                    continue
                impl_verdict, is_trait = more if len(more) == 2 else ("", False)
                impl_module = ModRef(file_module.crate, file_module.path + (tuple(impl_key.split("::")) if impl_key else ()))
                target = self.evaluate(query_of_type(impl_module, written), depth + 1)
                if target is None or target.path != owner.path:
                    continue
                ret, method_verdict = methods[name]
                verdict = max(file_verdict, impl_verdict, method_verdict, key=items.VERDICTS.index)
                if ret is None:
                    answer = None
                elif ret["p"] == ["Self"]:
                    answer = owner
                else:
                    answer = self.evaluate(query_of_type(impl_module, ret), depth + 1)
                out.append(((items.VERDICTS.index(verdict), bool(is_trait)), answer))
        if not out:
            return out
        rank = min(r for r, _ in out)
        return [c for c in out if c[0] == rank]


# -- queries from the syntax tree ----------------------------------------------------------------
class QueryBuilder:
    """Builds the type query of an expression node, from the declarations around it."""

    def __init__(self, parsed, resolver):
        self.parsed = parsed
        self.text = parsed.text
        self.resolver = resolver

    def module(self, node) -> list:
        m = self.resolver.module_at(node)
        return [m.crate, list(m.path)]

    def of(self, node, depth: int = 0) -> Optional[list]:
        if node is None or depth > MAX_DEPTH:
            return None
        t = node.type
        if t in ("reference_expression", "parenthesized_expression", "unary_expression", "try_expression"):
            inner = node.child_by_field_name("value") or (node.named_children[-1] if node.named_child_count else None)
            if t == "unary_expression" and (node.child_count == 0 or node.children[0].type not in ("*",)):
                return None
            query = self.of(inner, depth + 1)
            if t == "try_expression" and query is not None:
                return ["unwrapped", query]  # `x?`: what the `Result` or `Option` holds
            return query
        if t == "self":
            return self.self_type(node)
        if t == "identifier":
            return self.binding(node, self.text(node), depth)
        if t == "field_expression":
            base = self.of(node.child_by_field_name("value"), depth + 1)
            field = node.child_by_field_name("field")
            return ["field", base, self.text(field)] if base is not None and field is not None else None
        if t == "call_expression":
            return self.call(node, depth)
        if t == "index_expression" and node.named_child_count == 2:
            base = self.of(node.named_children[0], depth + 1)
            return ["index", base] if base is not None else None
        if t == "struct_expression":
            name = node.child_by_field_name("name")
            seg = items.segments_of(name, self.text) if name is not None else None
            return self.path_query(node, seg[0], seg[1], []) if seg else None
        return None

    def self_type(self, node) -> Optional[list]:
        impl = node
        while impl is not None and impl.type != "impl_item":
            impl = impl.parent
        target = impl.child_by_field_name("type") if impl is not None else None
        tdict = items.type_of(target, self.text) if target is not None else None
        if tdict is None:
            return None
        return self.path_query(impl, tdict["p"], tdict["g"], [self._written(impl, a) for a in tdict["a"]])

    def scoped(self, at, segs, is_global: bool):
        """[module, segments, global] to resolve a path written at `at` through the module
        tables, or ["type", path] when it is already resolved; None when it names no proven
        type. The scopes the module tables do not hold come first, as for every other rule: a
        generic type parameter (`fn f<HashMap: ..>`) is no known type, and a name a block binds
        (`use crate::mine::HashMap;`, a `struct` inside the fn) resolves as that block says."""
        segs = list(segs)
        if is_global or not segs or segs[0] in ("crate", "self", "super", "Self"):
            return [self.module(at), segs, is_global]
        if self.resolver.generic_param(at, segs[0]):
            return None
        scopes = self.resolver.blocks(at)
        for scope in scopes:
            bound = scope.names.get(segs[0])
            if bound is LOCAL:
                return None  # an item declared in the block: not a type the tables know
            if bound and len(bound) == 1:  # a block's `use`: its target, as written, keeps an alias's arguments
                target, target_global = bound[0]
                written = [*target, *segs[1:]]
                if target_global or written[0] in ("crate", "self", "super") or not any(written[0] in s.names or s.globs for s in scopes):
                    return [self.module(at), written, target_global]
            if bound or scope.globs:
                break
        else:
            return [self.module(at), segs, is_global]
        results = self.resolver.resolve(segs, is_global, at)
        if len(results) != 1:
            return None
        r = results[0]
        if isinstance(r, External):
            return ["type", r.path]
        if isinstance(r, Local) and r.kind in items.ITEM_KINDS.values():
            return [[r.module.crate, list(r.module.path)], [r.name, *r.rest], False]
        if isinstance(r, Pending):  # through a block's `use` into another file's module
            return [[r.module.crate, list(r.module.path)], (["self"] if r.mode == "walk" else []) + list(r.segs), False]
        return None

    def path_query(self, at, segs, is_global: bool, args: list) -> Optional[list]:
        """The query of the type a path written at `at` names, with its argument queries."""
        scoped = self.scoped(at, segs, is_global)
        if scoped is None:
            return None
        if scoped[0] == "type":
            return ["type", scoped[1], args]
        return ["named", *scoped, args]

    def _written(self, at, tdict: Optional[dict]) -> Optional[list]:
        if tdict is None:
            return None
        if tdict["p"] == ["Self"]:
            return self.self_type(at)
        if tdict["p"] == ["_"] and not tdict["g"]:
            return None  # `HashMap::<u64, u64, _>`: inferred, so unknown here
        if tdict["p"] in ([items.SLICE], [items.TUPLE]):
            return ["named", self.module(at), list(tdict["p"]), False, [self._written(at, a) for a in tdict["a"]]]
        return self.path_query(at, tdict["p"], tdict["g"], [self._written(at, a) for a in tdict["a"]])

    def type_node(self, at, node) -> Optional[list]:
        return self._written(at, items.type_of(node, self.text)) if node is not None else None

    def call(self, node, depth: int) -> Optional[list]:
        function = node.child_by_field_name("function")
        turbofish = None
        if function is not None and function.type == "generic_function":
            turbofish = function.child_by_field_name("type_arguments")
            function = function.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "field_expression":
            method = function.child_by_field_name("field")
            name = self.text(method) if method is not None else ""
            if name == "collect" and turbofish is not None and turbofish.named_child_count:
                return self.type_node(node, turbofish.named_children[0])
            base = self.of(function.child_by_field_name("value"), depth + 1)
            if name in ("get", "get_mut") and _not_one_index(node):
                name += "[..]"
            return ["method", base, name] if base is not None else None
        if function.type in ("identifier", "scoped_identifier"):
            seg = items.segments_of(function, self.text)
            if seg is None:
                return None
            segs, is_global = seg
            if segs and segs[0] == "Self":
                owner = self.self_type(node)
                if owner is None:
                    return None
                if len(segs) == 2 and segs[1] in CONSTRUCTORS:
                    return owner
                return ["method", owner, segs[-1]]
            if len(segs) >= 2 and segs[-1] in CONSTRUCTORS:
                path = function.child_by_field_name("path")
                args = []
                if path is not None and path.type == "generic_type":
                    type_args = path.child_by_field_name("type_arguments")
                    args = [self.type_node(node, a) for a in type_args.named_children] if type_args is not None else []
                made = self.path_query(node, segs[:-1], is_global, args)
                if made is not None and segs[-1] in HASHER_ARGUMENT:
                    given = [a for a in node.child_by_field_name("arguments").named_children if a.type not in ("line_comment", "block_comment")]
                    if len(given) > HASHER_ARGUMENT[segs[-1]]:
                        hasher = self.of(given[HASHER_ARGUMENT[segs[-1]]], depth + 1)
                        return ["hashed", made, hasher] if hasher is not None else made
                return made
            if len(segs) == 1 and not is_global and (self.resolver.shadowed_by_local(function, segs[0]) or _hidden(function, segs[0])):
                return None  # a closure or fn pointer bound by a `let` or a parameter
            scoped = self.scoped(node, segs, is_global)
            if scoped is None or scoped[0] == "type":
                return None
            return ["ret", *scoped]
        return None

    def binding(self, node, name: str, depth: int) -> Optional[list]:
        """The declaration a local name refers to: a parameter or a `let` before it."""
        n, child = node.parent, node
        while n is not None:
            t = n.type
            if name in getattr(n, "hidden", ()):
                return None  # a name the macro tokens around a re-parsed fragment may bind (`Some(m) = rx.recv() => {..}`)
            if t == "closure_expression":
                params = n.child_by_field_name("parameters")
                patterns = [p for p in (params.named_children if params is not None else ()) if p.type not in ("line_comment", "block_comment")]
                for p in patterns:
                    pattern = p.child_by_field_name("pattern") if p.type == "parameter" else p
                    if pattern is None or not _pattern_binds(pattern, name, self.text):
                        continue
                    written = p.child_by_field_name("type") if p.type == "parameter" else None
                    if written is not None:
                        return self.type_node(p, written) if pattern.type == "identifier" else None
                    return self.closure_element(n, pattern, name, depth) if len(patterns) == 1 else None
            elif t == "function_item":
                params = n.child_by_field_name("parameters")
                if params is not None:
                    for p in params.named_children:
                        if p.type == "parameter":
                            pattern = p.child_by_field_name("pattern")
                            if pattern is not None and pattern.type == "identifier" and self.text(pattern) == name:
                                return self.type_node(p, p.child_by_field_name("type"))
                        elif p.type == "identifier" and self.text(p) == name:
                            return None
                return None
            elif t == "block":
                found = None
                for stmt in n.named_children:
                    if stmt.start_byte >= child.start_byte:
                        break
                    if stmt.type == "let_declaration":
                        pattern = stmt.child_by_field_name("pattern")
                        if pattern is not None and _pattern_binds(pattern, name, self.text):
                            found = stmt
                if found is not None:
                    pattern = found.child_by_field_name("pattern")
                    if _wrapped_binding(pattern, name, self.text):  # `let Some(m) = .. else { .. };`
                        base = self.of(found.child_by_field_name("value"), depth + 1)
                        return ["unwrapped", base] if base is not None else None
                    if pattern.type == "tuple_pattern":  # `let (t, n) = (Instant::now(), 0);`
                        return self._tuple_binding(found, pattern, name, depth)
                    if pattern.type != "identifier" and not (pattern.type == "mut_pattern"):
                        return None
                    annotated = found.child_by_field_name("type")
                    if annotated is not None:
                        written = self.type_node(found, annotated)
                        made = self.of(found.child_by_field_name("value"), depth + 1) if written is not None else None
                        if made is not None and made[0] == "hashed":  # `let m: HashMap<K, V, S> = HashMap::with_hasher(s)`: the value's hasher
                            later = self._reassigned(n, child, found, name, depth)
                            return written if later is False else ["hashed", written, (later or made)[2], True]
                        return written
                    made = self.value(found.child_by_field_name("value"), depth + 1)
                    if made is not None and made[0] == "hashed" and self._reassigned(n, child, found, name, depth) is False:
                        return made[1]  # reassigned: the type's own hasher, not the first value's
                    return made
            elif t == "for_expression":
                pattern = n.child_by_field_name("pattern")
                if pattern is not None and pattern.id != child.id and _pattern_binds(pattern, name, self.text):
                    return self.loop_element(n, pattern, name, depth)
            elif t in ("if_expression", "while_expression") and n.child_by_field_name("condition") is not None and n.child_by_field_name("condition").id != child.id:
                condition = n.child_by_field_name("condition")  # the body of `if let Some(m) = value {`
                for cond in ([condition] if condition.type == "let_condition" else [c for c in condition.named_children if c.type == "let_condition"]):
                    pattern = cond.child_by_field_name("pattern")
                    if pattern is not None and _pattern_binds(pattern, name, self.text):
                        if not _wrapped_binding(pattern, name, self.text):
                            return None
                        base = self.of(cond.child_by_field_name("value"), depth + 1)
                        return ["unwrapped", base] if base is not None else None
            elif t == "match_arm" and n.child_by_field_name("pattern") is not None and _arm_binding_seen(n.child_by_field_name("pattern"), child, node):
                pattern = n.child_by_field_name("pattern")  # `match value { Some(m) => .. }` (or its guard), as `if let`
                if _pattern_binds(pattern, name, self.text):
                    inner = pattern.named_children[0] if pattern.type == "match_pattern" and pattern.named_child_count else pattern
                    match = n.parent.parent if n.parent is not None and n.parent.type == "match_block" else None
                    if match is None or match.type != "match_expression" or not _wrapped_binding(inner, name, self.text):
                        return None
                    base = self.of(match.child_by_field_name("value"), depth + 1)
                    return ["unwrapped", base] if base is not None else None
            elif t in ("match_arm", "if_expression", "while_expression", "let_condition"):
                pattern = n.child_by_field_name("pattern")
                if pattern is not None and pattern.id != child.id and _pattern_binds(pattern, name, self.text):
                    return None
            n, child = n.parent, n
        return None


    def _tuple_binding(self, let, pattern, name: str, depth: int) -> Optional[list]:
        """The query of the element a `let (a, b) = ..` binds to `name`: the written annotation's
        element, the matching element of a tuple expression, or else that field of the value's
        tuple type (`let (m, n) = build();` with `build() -> (HashMap<..>, usize)`)."""
        parts = [c for c in pattern.named_children if c.type not in ("line_comment", "block_comment")]
        index = None
        for i, part in enumerate(parts):
            inner = part.named_children[-1] if part.type == "mut_pattern" and part.named_child_count else part
            if inner.type == "identifier" and self.text(inner) == name:
                index = i
            elif inner.type == "remaining_field_pattern" or self.text(inner) == "..":
                return None  # `(a, .., b)`: positions after `..` are not counted
        if index is None:
            return None
        annotated = let.child_by_field_name("type")
        if annotated is not None:
            elements = [c for c in annotated.named_children if c.type not in ("line_comment", "block_comment")] if annotated.type == "tuple_type" else []
            return self.type_node(let, elements[index]) if len(elements) == len(parts) else None
        value = let.child_by_field_name("value")
        while value is not None and value.type == "parenthesized_expression" and value.named_child_count == 1:
            value = value.named_children[0]
        if value is None:
            return None
        if value.type == "tuple_expression":
            elements = [c for c in value.named_children if c.type not in ("line_comment", "block_comment")]
            return self.value(elements[index], depth + 1) if len(elements) == len(parts) else None
        base = self.of(value, depth + 1)
        return ["field", base, str(index)] if base is not None else None

    def _reassigned(self, block, statement, let, name: str, depth: int):
        """After a seeded `let`, the `name = value` that may reach a use in `statement` of
        `block`: None when there is none, False when one is not a `with_hasher(..)` (the type's
        own hasher then), else the last one's query (the value assigned last decides)."""
        later = [self.of(v, depth + 1) for v in self._assigned(block, name, let.end_byte, statement.end_byte)]
        if not all(q is not None and q[0] == "hashed" for q in later):
            return False
        return later[-1] if later else None

    def _assigned(self, block, name: str, start: int, end: int) -> list:
        """The values of `name = value` in `block` between the bytes `start` and `end` (the end
        of the statement holding the use, so that a loop's later assignment counts), in order."""
        out, stack = [], [block]
        while stack:
            n = stack.pop()
            if n.end_byte <= start or n.start_byte >= end:
                continue
            if n.type == "assignment_expression" and n.start_byte >= start:
                left = n.child_by_field_name("left")
                if left is not None and left.type == "identifier" and self.text(left) == name and n.child_by_field_name("right") is not None:
                    out.append(n.child_by_field_name("right"))
            stack.extend(n.named_children)
        return sorted(out, key=lambda v: v.start_byte)

    def value(self, node, depth: int) -> Optional[list]:
        """The query of the value a `let` binds: as `of`, and also a call of a `MADE_BY` function,
        one of the `CONSTANTS`, or `value + d` (see `ADDS_TO_ITSELF`). Only a local's value: a
        chain such as `Instant::now().elapsed()` is already a site at its `now`."""
        while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        if node is None or depth > MAX_DEPTH:
            return None
        if node.type == "binary_expression":
            op, left = node.child_by_field_name("operator"), node.child_by_field_name("left")
            if op is None or self.text(op) != "+":
                return None
            base = self.value(left, depth + 1)
            return ["plus", base] if base is not None else None
        if node.type == "scoped_identifier" or (node.type == "identifier" and not self.resolver.shadowed_by_local(node, self.text(node))):
            seg = items.segments_of(node, self.text)  # a path, not a local: a constant
            scoped = self.scoped(node, seg[0], seg[1]) if seg is not None else None
            if scoped is None:
                return None
            if scoped[0] == "type":
                return ["type", CONSTANTS[scoped[1]], []] if scoped[1] in CONSTANTS else None
            return ["const", *scoped]
        query = self.of(node, depth)
        if query is not None and query[0] == "ret" and node.type == "call_expression":
            return [*query, True]
        if query is None and node.type == "call_expression":  # a path the syntax tree resolved through a block's `use`
            function = node.child_by_field_name("function")
            seg = items.segments_of(function, self.text) if function is not None and function.type in ("identifier", "scoped_identifier") else None
            scoped = self.scoped(node, seg[0], seg[1]) if seg is not None else None
            if scoped is not None and scoped[0] == "type" and scoped[1] in MADE_BY:
                return ["type", MADE_BY[scoped[1]], []]
        return query

    def loop_element(self, loop, pattern, name: str, depth: int) -> Optional[list]:
        """The type of a `for` binding when the loop walks a map or set whose type is proven:
        `for v in m.values()` (the map's value type), `for (k, v) in &m` / `m.iter()` (key and
        value), `for x in &set` (the element)."""
        value = loop.child_by_field_name("value")
        while value is not None and value.type in ("reference_expression", "parenthesized_expression"):
            value = value.child_by_field_name("value") or (value.named_children[-1] if value.named_child_count else None)
        if value is None:
            return None
        method = None
        receiver = value
        if value.type == "call_expression":
            found = self._method_of(value)
            if found is None:
                return None
            method, receiver = found
        return self._element(method, receiver, pattern, name, depth)

    def iterated_element(self, node, depth: int = 0) -> Optional[list]:
        """The type of each element the iterator `node` yields, for a `.flatten()` called on it:
        `v.iter()` of a `Vec` of sets (each set), `m.values()` of a map of maps (each map),
        through the adaptors that pass the elements on unchanged."""
        for _ in range(MAX_DEPTH):
            found = self._method_of(node) if node is not None and node.type == "call_expression" else None
            if found is None:
                return None
            method, receiver = found
            if method in ELEMENTS_KEPT:
                node = receiver
                continue
            base = self.of(receiver, depth + 1) if method in ELEMENT_OF_ITERATOR else None
            if base is None:
                return None
            position = ELEMENT_OF_ITERATOR[method]
            return ["set-element", base] if position is None else ["arg", base, position]
        return None

    def _method_of(self, call):
        """(method name, receiver node) of a method call `x.m(..)`, else None."""
        function = call.child_by_field_name("function") if call.type == "call_expression" else None
        field = function.child_by_field_name("field") if function is not None and function.type == "field_expression" else None
        return (self.text(field), function.child_by_field_name("value")) if field is not None else None

    def closure_element(self, closure, pattern, name: str, depth: int) -> Optional[list]:
        """The type of the one parameter of a closure an iterator adaptor calls with each element
        (`maps.iter().flat_map(|m| m.keys())`): as a `for` binding over what the chain iterates,
        through the adaptors that pass the elements on unchanged (`filter`, `rev`, `skip`, ..);
        else, of a closure an `Option` / `Result` method calls with what it holds
        (`last.map(|t| ..)`, `seen.get(&k).map_or(false, |t| ..)`)."""
        args = closure.parent
        call = args.parent if args is not None and args.type == "arguments" else None
        found = self._method_of(call) if call is not None else None
        if found is None:
            return None
        given = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")]
        walked = self._walked(found, pattern, name, depth) if found[0] in ELEMENT_CLOSURES and len(given) == 1 else None
        if walked is None and HELD_CLOSURES.get(found[0]) == len(given) - 1 and given[-1].id == closure.id:
            inner = pattern
            while inner.type in ("reference_pattern", "mut_pattern") and inner.named_child_count:
                inner = inner.named_children[-1]
            base = self.of(found[1], depth + 1) if inner.type == "identifier" and self.text(inner) == name else None
            return ["held", base] if base is not None else None
        return walked

    def _walked(self, found, pattern, name: str, depth: int) -> Optional[list]:
        """The element an iterator adaptor's closure is called with, through the adaptors that keep it."""
        receiver = found[1]
        for _ in range(MAX_DEPTH):
            inner = self._method_of(receiver) if receiver is not None and receiver.type == "call_expression" else None
            if inner is None:
                return None
            if inner[0] in ELEMENTS_KEPT:
                receiver = inner[1]
                continue
            if inner[0] in ("iter", "iter_mut", "into_iter", "drain", "values", "values_mut", "into_values", "keys", "into_keys"):
                return self._element(inner[0], inner[1], pattern, name, depth)
            return None
        return None

    def _element(self, method, receiver, pattern, name: str, depth: int) -> Optional[list]:
        base = self.of(receiver, depth + 1)
        if base is None:
            return None
        if method in ("values", "values_mut", "into_values"):
            return ["arg", base, 1] if pattern.type == "identifier" and self.text(pattern) == name else None
        if method in ("keys", "into_keys"):
            return ["arg", base, 0] if pattern.type == "identifier" and self.text(pattern) == name else None
        if method not in (None, "iter", "iter_mut", "into_iter", "drain"):
            return None
        inner = pattern
        while inner.type in ("reference_pattern", "ref_pattern", "mut_pattern") and inner.named_child_count:
            inner = inner.named_children[-1]
        if inner.type == "tuple_pattern" and inner.named_child_count == 2:
            for index, part in enumerate(inner.named_children):
                while part.type in ("reference_pattern", "ref_pattern", "mut_pattern") and part.named_child_count:
                    part = part.named_children[-1]
                if part.type == "identifier" and self.text(part) == name:
                    return ["arg", base, index]
            return None
        return ["set-element", base] if inner.type == "identifier" and self.text(inner) == name else None


def _not_one_index(call) -> bool:
    """`v.get(1..3)` (a slice comes back, not an element), or a call with other than one
    argument: not the `get(i)` of one element."""
    args = call.child_by_field_name("arguments")
    given = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
    return len(given) != 1 or given[0].type == "range_expression"


def _hidden(node, name: str) -> bool:
    """Whether macro tokens around the fragment `node` was re-parsed from may bind `name`."""
    n = node.parent
    while n is not None:
        if name in getattr(n, "hidden", ()):
            return True
        n = n.parent
    return False


def _arm_binding_seen(pattern, child, node) -> bool:
    """Whether `node`, reached from the match arm's `child`, sees the arm's bindings: in the arm's
    value, or in its guard (`Some(t) if t.elapsed() > d =>`), not in the pattern itself."""
    if child.id != pattern.id:
        return True
    guard = pattern.child_by_field_name("condition") if pattern.type == "match_pattern" else None
    return guard is not None and guard.start_byte <= node.start_byte < guard.end_byte


def _wrapped_binding(pattern, name: str, text) -> bool:
    """`Some(name)` or `Ok(name)` (with `ref`, `mut` or `&`): the name is the value's first generic
    argument (an `Option`'s or a `Result`'s), through references and guards."""
    if pattern is None or pattern.type != "tuple_struct_pattern":
        return False
    kind = pattern.child_by_field_name("type")
    inner = [c for c in pattern.named_children if kind is None or c.id != kind.id]
    if kind is None or text(kind) not in ("Some", "Ok") or len(inner) != 1:
        return False
    node = inner[0]
    while node.type in ("ref_pattern", "mut_pattern", "reference_pattern") and node.named_child_count:
        node = node.named_children[-1]
    return node.type == "identifier" and text(node) == name


def _pattern_binds(pattern, name: str, text) -> bool:
    stack = [pattern]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) == name:
            return True
        if n.type in ("scoped_identifier", "type_identifier"):
            continue
        stack.extend(n.named_children)
    return False
