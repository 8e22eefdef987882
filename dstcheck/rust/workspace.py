"""The Rust half of the index stage: the Cargo workspace, its module layout, and the words that
can carry a banned path from one file to another.

Before analysis (`build`), from manifests and byte-level sketches only, nothing parsed:
- crates: each file's nearest `Cargo.toml` package, its crate name (`[lib] name`, or the package
  name with dashes as underscores), its dependencies as code names them (`package = ".."`
  renames, `{ workspace = true }` entries inherited from `[workspace.dependencies]`,
  `[target.'cfg(..)'.*]` tables unless the profile proves their cfg false; a name that tables
  the profile cannot choose between give different packages names each), and which of them are
  crates of this workspace (path dependencies); and the package's binaries, examples, tests
  and benches, crates of their own that also name the package's library;
- each file's module path from the crate's layout (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`;
  a target's modules are what its root declares; `#[path]` declarations override);
- the hot words: names that some `use`, `type` alias or `extern crate` anywhere in the crates
  binds to a banned path (or a module above or an item below one), to fixpoint, and the banned
  names a glob of a banned module brings in. A file that spells none of them, and not every
  segment of a banned path, cannot hold a site, whatever the other files say;
- the impl table: per crate, the files whose `impl` headers spell a word, so a method of a type
  is looked for in the impls of every file that may implement it, not only the struct's.

After analysis (`link`): each file's exact summary (module tables read off its syntax tree) is
in its result; references that left their file are resolved through them. A module whose file
was not analysed is summarised on demand (cached by content).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import sys
from bisect import bisect_left
from itertools import islice, takewhile
from pathlib import Path
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Dict, List, Optional, Set, Tuple

from dstcheck.stages.cache import blake2b, content_keyed
from dstcheck.rust.names import EXTERN_ROOTS, CrateInfo, ModRef, NO_CRATE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# A version in a namespace's name changes with what its entries hold, so entries of another
# shape are never read (sketch v2: impl header words; summary v2: alias parameters, v3: impl
# verdicts and trait flags, v4: gated impls and methods kept with their verdict).
SKETCH_NAMESPACE = content_keyed("rust-sketch-v2")
INDEX_NAMESPACE = "rust-index"  # the layout, hot words and bindings, by what they are computed from
LINK_NAMESPACE = "rust-link"  # what the link stage added to each file, by what it depends on
SUMMARY_NAMESPACE = content_keyed("rust-summary-v5")
DEP_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
SKIP_DIRS = {"target", ".git", "node_modules", "__pycache__"}


@dataclass
class Crate:
    key: str  # project-relative directory of its manifest
    name: str  # the name code uses for it
    src: str  # project-relative directory its module layout starts from
    roots: Tuple[str, ...]  # root files (lib, main)
    info: CrateInfo
    package: Optional[str] = None  # for a binary, example, test or bench target: the key of its package's crate ("" at the project root)


@dataclass
class Workspace:
    root: str  # absolute project root
    crates: Dict[str, Crate] = field(default_factory=dict)
    modules: Dict[str, ModRef] = field(default_factory=dict)  # file -> its module
    files: Dict[ModRef, str] = field(default_factory=dict)  # module -> file
    hot: "Hot" = None  # what can carry a banned path across files (see `hot_words`)
    sketches: Dict[str, dict] = field(default_factory=dict)  # path -> its byte-level sketch
    all_files: Dict[str, str] = field(default_factory=dict)  # every .rs file of the crates: path -> absolute path
    keys: Dict[str, str] = field(default_factory=dict)  # path -> content key (what the cache knows the file by)
    anchors: Dict[str, frozenset] = field(default_factory=dict)  # last segment of a banned path -> its rules
    binds: List[Tuple[str, str]] = field(default_factory=list)  # (name, last segment) of every `use`/`type` binding
    sketch_words: Tuple[str, ...] = ()  # the tracked type names a sketch records
    jobs: int = 0  # worker processes for what the link stage analyses (0: all cores)
    sketch_digests: Dict[str, str] = field(default_factory=dict)  # path -> digest of its sketch
    aliases: Tuple[str, ...] = ()  # names bound to a tracked type (their declarations are read from the files)
    alias_typed: Dict[str, list] = field(default_factory=dict)  # path -> [name, alias] it declares
    impls: Dict[str, Dict[str, List[str]]] = field(default_factory=dict)  # crate -> impl header word -> files (see `impl_files`)
    broken: Dict[str, tuple] = field(default_factory=dict)  # manifest the build needed but could not read -> (why, line, column)
    _digest: Optional[str] = field(default=None, repr=False, compare=False)  # `digest()`, once made

    def sketch(self, path: str) -> Optional[dict]:
        """A file's sketch: from the build, or (when the build was read back) made from the file."""
        if path not in self.sketches and path in self.all_files:
            from dstcheck.rust import sketch as sketch_mod

            try:
                with open(self.all_files[path], "rb") as handle:
                    self.sketches[path] = sketch_mod.sketch(handle.read(), tracked=self.sketch_words)
            except OSError:
                self.sketches[path] = None
        return self.sketches.get(path)

    def saved(self) -> dict:
        return {
            "keys": sorted([p, k, self.sketch_digests.get(p, "")] for p, k in self.keys.items()),
            "modules": sorted([p, m.crate, list(m.path)] for p, m in self.modules.items()),
            "files": sorted([m.crate, list(m.path), p] for m, p in self.files.items()),
            "hot": self.hot.as_data(),
            "binds": [list(b) for b in self.binds],
            "aliases": list(self.aliases),
            "alias_typed": sorted([p, d] for p, d in self.alias_typed.items()),
            "impls": sorted([c, w, files] for c, words in self.impls.items() for w, files in words.items()),
        }

    def restore(self, data: dict) -> bool:
        """The inverse of `saved`, when it still holds: the same files, and each file whose bytes
        changed since has the sketch it had and declares what it did with the aliases (then
        nothing the build computes can differ). False (recompute) otherwise, or when the data is
        not in that shape."""
        try:
            known = {p: (k, d) for p, k, d in data["keys"]}
            modules = {p: ModRef(c, tuple(m)) for p, c, m in data["modules"]}
            files = {ModRef(c, tuple(m)): p for c, m, p in data["files"]}
            hot = Hot.from_data(data["hot"])
            binds = [(n, last) for n, last in data["binds"]]
            aliases = tuple(str(a) for a in data["aliases"])
            alias_typed = {p: d for p, d in data["alias_typed"]}
            impls: Dict[str, Dict[str, List[str]]] = {}
            for crate, word, paths in data["impls"]:
                impls.setdefault(str(crate), {})[str(word)] = [str(p) for p in paths]
        except (KeyError, TypeError, ValueError):
            return False
        if hot is None or set(known) != set(self.keys):
            return False
        for path, key in self.keys.items():
            if known[path][0] == key:
                continue
            if _sketch_digest(self.sketch(path)) != known[path][1]:
                return False
            if aliases:
                try:
                    with open(self.all_files[path], "rb") as handle:
                        source = handle.read()
                except OSError:
                    return False
                if alias_typed_of(source, aliases) != alias_typed.get(path, []):
                    return False
        self.modules, self.files, self.hot, self.binds = modules, files, hot, binds
        self.sketch_digests = {p: d for p, (_, d) in known.items()}
        self.aliases, self.alias_typed, self.impls = aliases, alias_typed, impls
        return True
    stats: Counter = field(default_factory=Counter)

    def _scopes(self, path: str) -> List[str]:
        """The file and the files of the modules above it: where private bindings reach from."""
        module = self.modules.get(path)
        if module is None:
            return [path]
        out = []
        for cut in range(len(module.path), -1, -1):
            owner = self.files.get(ModRef(module.crate, module.path[:cut]))
            if owner is not None and owner not in out:
                out.append(owner)
        return out or [path]

    def _tables(self, path: str):
        words = [self.hot.words] + [self.hot.local_words[f] for f in self._scopes(path) if f in self.hot.local_words]
        spellings = [self.hot.spellings] + [self.hot.local_spellings[f] for f in self._scopes(path) if f in self.hot.local_spellings]
        return words, spellings

    def keeps(self, path: str, vocabulary, rule_ids, source: bytes = b"") -> bool:
        """Whether a file the prefilter would drop may still hold a site, for one of the rules
        that run on it, through another file."""
        rule_ids = set(rule_ids)
        if not self.hot.globbed.get(path, frozenset()).isdisjoint(rule_ids):
            return True
        words, spellings = self._tables(path)
        for table in words:
            if any(w.encode() in vocabulary and not ids.isdisjoint(rule_ids) for w, ids in table.items()):
                return True
        for table in spellings:
            if any(not ids.isdisjoint(rule_ids) and all(w.encode() in vocabulary for w in sp) for sp, ids in table.items()):
                return True
        return False

    def words_for(self, path: str, rule_ids) -> frozenset:
        """The hot words that matter to these rules in this file (candidates once it is parsed)."""
        rule_ids = set(rule_ids)
        words, spellings = self._tables(path)
        out = {w for table in words for w, ids in table.items() if not ids.isdisjoint(rule_ids)}
        out |= {w for table in spellings for sp, ids in table.items() if not ids.isdisjoint(rule_ids) for w in sp}
        return frozenset(out)

    def typed_words_in(self, path: str, rule_ids: frozenset, vocabulary: frozenset) -> Tuple[set, set]:
        """(typed names, hot words) that matter to these typed rules here and occur among
        `vocabulary` (the file's words). Typed names are fields and functions other files declare
        with a tracked type: this file can only reach one as `x.name`, `T::name` or `name(..)`.
        Hot words are type names. The workspace's typed names are many, a file's words fewer, so
        the sets are intersected, not the names tried one by one."""
        memo = self.__dict__.setdefault("_typed_memo", {})
        typed = memo.get(rule_ids)
        if typed is None:
            typed = memo[rule_ids] = frozenset(n.encode() for n, ids in self.hot.typed.items() if not ids.isdisjoint(rule_ids))
        return {w.decode() for w in typed & vocabulary}, {w for w in self.words_for(path, rule_ids) if w.encode() in vocabulary}

    def may_carry(self, module: ModRef, segs, rule_ids) -> bool:
        """Whether a path that continues in another file's `module` can still reach a path one
        of these rules bans: through a name bound to one where that module can see it, or by
        spelling a banned path's last segment itself (`std::collections::HashSet` in a file
        whose glob import may or may not bind `std`)."""
        rule_ids = set(rule_ids)
        if any(not self.anchors.get(seg, frozenset()).isdisjoint(rule_ids) for seg in segs):
            return True
        owner = None
        for cut in range(len(module.path), -1, -1):
            owner = self.files.get(ModRef(module.crate, module.path[:cut]))
            if owner is not None:
                break
        words, spellings = self._tables(owner) if owner is not None else ([self.hot.words], [self.hot.spellings])
        for seg in segs:
            if any(not table.get(seg, frozenset()).isdisjoint(rule_ids) for table in words):
                return True
        return any(not ids.isdisjoint(rule_ids) and not sp.isdisjoint(segs) for table in spellings for sp, ids in table.items())

    def may_type(self, query, rules) -> bool:
        """Whether a receiver whose type needs another file's declarations can still turn out to
        be a type these rules track: only through a field or function declared with one, a name
        bound to one (the index's typed names and hot words), or a written path that ends in a
        tracked type's name (`std::collections::HashSet` where a glob makes `std` uncertain)."""
        from dstcheck.rust import types

        rule_ids = frozenset(r.id for r in rules)
        memo = self.__dict__.setdefault("_may_type_memo", {})
        if rule_ids not in memo:
            typed = {n for n, ids in self.hot.typed.items() if not ids.isdisjoint(rule_ids)}
            words = {w for table in [self.hot.words, *self.hot.local_words.values()] for w, ids in table.items() if not ids.isdisjoint(rule_ids)}
            words |= {w for w, ids in self.anchors.items() if not ids.isdisjoint(rule_ids)}
            memo[rule_ids] = (typed, words)
        typed, words = memo[rule_ids]
        keeping = types.SAME_TYPE | types.GUARDS | types.UNWRAP

        def walk(q) -> bool:
            if not q:
                return False
            kind = q[0]
            if kind in ("field", "method"):
                return q[2] in typed or (q[2] in keeping and walk(q[1]))
            if kind == "ret":
                return q[2][-1] in typed or any(seg in words for seg in q[2])
            if kind == "named":
                return any(seg in words for seg in q[2])
            return True

        return walk(query)

    def impl_files(self, owner: ModRef, name: str) -> List[str]:
        """The files that may hold an impl of the type `name` declared in module `owner`: those of
        its crate, and of the workspace crates that depend on it (a trait impl may be written
        there), whose impl headers spell the name or a name bound to it (`use super::Cache as
        Store;` then `impl Store`, `type Store = Cache;`): the index's impl table, read off the
        sketches. Over-approximate on purpose; which impl is of the type is decided on the
        summaries."""
        memo = self.__dict__.setdefault("_impl_memo", {})
        key = (owner.crate, name)
        if key not in memo:
            names = {name}
            spelled = self.__dict__.get("_bound_to")
            if spelled is None:
                spelled = self.__dict__["_bound_to"] = {}
                for bound, last in self.binds:
                    spelled.setdefault(last, set()).add(bound)
            todo = [name]
            while todo and len(names) < 256:  # names bound to the name, to fixpoint (aliases of aliases)
                for bound in spelled.get(todo.pop(), ()):
                    if bound not in names:
                        names.add(bound)
                        todo.append(bound)
            found = set()
            for crate in self._dependents(owner.crate):
                table = self.impls.get(crate, {})
                for word in names:
                    found.update(table.get(word, ()))
            memo[key] = sorted(found)
        return memo[key]

    def _dependents(self, crate: str) -> List[str]:
        """The crate and the workspace crates that depend on it, directly or not."""
        memo = self.__dict__.setdefault("_dependents_memo", {})
        if crate not in memo:
            memo[crate] = self._dependents_of(crate)
        return memo[crate]

    def _dependents_of(self, crate: str) -> List[str]:
        out = {crate}
        grown = True
        while grown:
            grown = False
            for key, c in self.crates.items():
                if key not in out and not out.isdisjoint(c.info.workspace.values()):
                    out.add(key)
                    grown = True
        return sorted(out)

    def globbed(self, path: str, rule_ids) -> bool:
        return not self.hot.globbed.get(path, frozenset()).isdisjoint(rule_ids)

    def module_of(self, path: str) -> ModRef:
        return self.modules.get(path) or ModRef("file:" + path, ())

    def crate_of(self, path: str) -> Optional[str]:
        """The key of the crate a file lies in (its nearest crate directory), or None."""
        directory = posixpath.dirname(path)
        while directory not in self.crates:
            if not directory:
                return None
            directory = posixpath.dirname(directory)
        return directory

    def crate_info(self, key: str) -> CrateInfo:
        crate = self.crates.get(key)
        return crate.info if crate is not None else NO_CRATE

    def link(self, config, results, rules_run, store, stats) -> None:
        link(self, config, results, rules_run, store, stats)

    def digest(self) -> str:
        """What can change one file's analysis: crate metadata, module layout, hot words. Made
        once: the build sets all three and nothing changes them after it, and a run asks twice
        (the analysis cache keys, then the link stage's)."""
        if self._digest is None:
            data = {
                "crates": _crates_data(self),
                "modules": sorted((p, m.crate, m.path) for p, m in self.modules.items()),
                "hot": self.hot.as_data() if self.hot is not None else None,
            }
            self._digest = blake2b(json.dumps(data).encode(), digest_size=12).hexdigest()
        return self._digest


# -- manifests ------------------------------------------------------------------------------------
BROKEN, AT = "\0broken", "\0at"  # what `_parse_manifest` returns for a manifest it cannot read: why, [line, column]


def _parse_manifest(data: bytes) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {BROKEN: "not UTF-8", AT: [data.count(b"\n", 0, exc.start) + 1, 1]}
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+), column (\d+)", str(exc))
        # "at end of document": the error is on the last line that holds something
        last = len(data.decode("utf-8").rstrip().split("\n"))
        return {BROKEN: f"invalid TOML: {exc}", AT: [int(at.group(1)), int(at.group(2))] if at else [last, 1]}


def _code_name(name: str) -> str:
    return name.replace("-", "_")


class Manifests:
    """Cargo manifests, read once each (a warm run reads their tables back from the cache); the
    workspace root found by walking up."""

    def __init__(self, root: str, store=None, profile=None):
        from dstcheck.rust import cfg

        self.root = root
        self.store = store
        self.profile = profile if profile is not None else cfg.Profile()  # what `[target.'cfg(..)']` tables are read under
        self._cache: Dict[str, Optional[dict]] = {}
        self._nearest: Dict[str, Optional[str]] = {}  # a file's directory -> nearest()
        self.broken: Dict[str, tuple] = {}  # manifest path -> (why it could not be read, line, column): a DST000 on it

    def get(self, directory: str) -> Optional[dict]:
        if directory not in self._cache:
            data = self._read(directory)
            if isinstance(data, dict) and isinstance(data.get(BROKEN), str):
                self.broken[posixpath.join(directory, "Cargo.toml")] = (data[BROKEN], *(data.get(AT) or [1, 1]))
                data = None
            self._cache[directory] = data
        return self._cache[directory]

    def _read(self, directory: str) -> Optional[dict]:
        path = posixpath.join(directory, "Cargo.toml")
        abspath = os.path.join(self.root, path)
        if self.store is not None:
            from dstcheck.stages.cache import TOML

            found = self.store.by_stat(TOML, path, abspath, _parse_manifest)
            if found is None and os.path.isfile(abspath):
                return {BROKEN: "cannot be read"}
            return found if isinstance(found, dict) else None
        try:
            with open(abspath, "rb") as handle:
                return _parse_manifest(handle.read())
        except FileNotFoundError:
            return None
        except OSError as exc:
            return {BROKEN: f"cannot read: {exc.strerror}"} if os.path.exists(abspath) else None

    def nearest(self, path: str) -> Optional[str]:
        """The directory of the nearest manifest with a [package] above a project-relative file."""
        start = directory = posixpath.dirname(path)
        found = self._nearest.get(start, False)
        if found is not False:
            return found
        while True:
            data = self.get(directory)
            if data is not None and isinstance(data.get("package"), dict):
                break
            if not directory:
                directory = None
                break
            directory = posixpath.dirname(directory)
        self._nearest[start] = directory
        return directory

    def workspace_of(self, directory: str) -> Optional[Tuple[str, dict]]:
        d = directory
        while True:
            data = self.get(d)
            if data is not None and isinstance(data.get("workspace"), dict):
                return d, data["workspace"]
            parent = posixpath.dirname(d)
            if not d or parent == d:  # the project root, or `/` above an absolute path dependency
                return None
            d = parent


def _crate(manifests: Manifests, directory: str) -> Optional[Crate]:
    data = manifests.get(directory)
    if data is None or not isinstance(data.get("package"), dict):
        return None
    package = data["package"].get("name")
    if not isinstance(package, str):
        return None
    lib = data.get("lib") if isinstance(data.get("lib"), dict) else {}
    name = _code_name(lib.get("name") if isinstance(lib.get("name"), str) else package)
    lib_path = lib.get("path") if isinstance(lib.get("path"), str) else "src/lib.rs"
    roots = [posixpath.normpath(posixpath.join(directory, lib_path))]
    main = posixpath.join(directory, "src/main.rs")
    if not os.path.isfile(os.path.join(manifests.root, roots[0])) and os.path.isfile(os.path.join(manifests.root, main)):
        roots.append(main)  # a package without a library: its binary is the crate (with a library, a target of its own)
    found: Dict[str, Set[str]] = {}
    for key, real, _ in _dependencies(manifests, directory, data):
        found.setdefault(_code_name(key), set()).add(_code_name(real))
    deps = {code: min(reals) for code, reals in found.items()}
    alts = {code: tuple(sorted(reals)) for code, reals in found.items() if len(reals) > 1}
    deps.setdefault(name, name)  # tests, benches and binaries use their own library by name
    return Crate(directory, name, posixpath.dirname(roots[0]), tuple(roots), CrateInfo(True, deps, {}, alts or None))


def _target_may_hold(key: str, profile) -> Optional[bool]:
    """Whether the DST build compiles a `[target.<key>]` table: its `cfg(..)` under the profile,
    three-valued as `#[cfg]` is; a target triple is unknown (the DST build's target is not)."""
    from dstcheck.rust import cfg

    text = key.strip()
    if not (text.startswith("cfg(") and text.endswith(")")):
        return None
    try:
        return cfg.evaluate(cfg.parse(text[4:-1]), profile)
    except cfg.CfgSyntaxError:
        return None


def _dependencies(manifests: Manifests, directory: str, data: dict) -> List[Tuple[str, str, Optional[str]]]:
    """(key, package, path dependency's directory or None) of each dependency the DST build may
    compile: the plain tables, and the `[target.*]` ones whose cfg is not false under the
    profile (a name two such tables give different packages names both)."""
    workspace = manifests.workspace_of(directory)
    ws_dir, inherited = "", {}
    if workspace is not None:
        ws_dir, table = workspace
        inherited = table.get("dependencies", {}) if isinstance(table.get("dependencies"), dict) else {}
    tables = [data.get(t) for t in DEP_TABLES]
    targets = data.get("target") if isinstance(data.get("target"), dict) else {}
    for key, target in targets.items():
        if isinstance(target, dict) and _target_may_hold(key, manifests.profile) is not False:
            tables.extend(target.get(t) for t in DEP_TABLES)
    out = []
    for table in tables:
        for key, spec in table.items() if isinstance(table, dict) else ():
            base = directory
            if isinstance(spec, dict) and spec.get("workspace") is True:
                spec, base = inherited.get(key, {}), ws_dir
            spec = spec if isinstance(spec, dict) else {}
            real = spec["package"] if isinstance(spec.get("package"), str) else key
            path = posixpath.normpath(posixpath.join(base, spec["path"])) if isinstance(spec.get("path"), str) else None
            out.append((key, real, path))
    return out


TARGET_DIRS = ("src/bin", "examples", "tests", "benches")  # where Cargo finds targets: x.rs and x/main.rs
TARGET_TABLES = ("bin", "example", "test", "bench")  # `[[bin]] path = ".."` and the like


def _targets(manifests: Manifests, crates: Dict[str, Crate], files: Dict[str, str]) -> Dict[str, Crate]:
    """Each package's binaries (src/main.rs beside a library, src/bin/), examples, tests and
    benches: crate roots of their own, keyed by their root file, that name the package's
    dependencies and its library (by the library's name), as Cargo builds them."""
    out: Dict[str, Crate] = {}
    paths = sorted(files)  # the files below a directory are a slice of it: one per target directory
    for key, crate in sorted(crates.items()):
        prefix = key + "/" if key else ""
        has_lib = crate.roots[0] in files
        roots: Dict[str, str] = {}  # root file -> target name
        if has_lib and prefix + "src/main.rs" in files:
            roots[prefix + "src/main.rs"] = crate.name
        data = manifests.get(key) or {}
        for table in TARGET_TABLES:
            for entry in data.get(table) if isinstance(data.get(table), list) else ():
                if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                    path = posixpath.normpath(posixpath.join(key, entry["path"]))
                    name = entry.get("name") if isinstance(entry.get("name"), str) else posixpath.basename(path)[:-3]
                    if path in files and manifests.nearest(path) == key:
                        roots.setdefault(path, name)
        for directory in TARGET_DIRS:
            below = prefix + directory + "/"
            for path in takewhile(lambda p: p.startswith(below), islice(paths, bisect_left(paths, below), None)):
                parts = path[len(below):].split("/")
                if (len(parts) == 1 or parts[1:] == ["main.rs"]) and manifests.nearest(path) == key:
                    roots.setdefault(path, parts[0][:-3] if len(parts) == 1 else parts[0])
        info = crate.info
        if not has_lib:  # nothing to name the package by
            info = CrateInfo(True, {k: v for k, v in info.deps.items() if k != crate.name}, {k: v for k, v in info.workspace.items() if k != crate.name}, info.alts)
        for path, name in sorted(roots.items()):
            if path not in crate.roots:
                out[path] = Crate(path, _code_name(name), posixpath.dirname(path), (path,), info, key)
    return out


# -- building ------------------------------------------------------------------------------------
def build(config, entries, todo, store, options, stats: Counter, rules: List) -> Optional[Workspace]:
    from dstcheck.stages import cache as cache_mod
    from dstcheck.stages.index import summaries

    root = str(config.root)
    rust = [e for e in todo if e.language == "rust"]
    if not rust:
        return None
    ws = Workspace(root)
    manifests = Manifests(root, store, config.profile)
    crate_dirs: Dict[str, Optional[str]] = {}
    # The analysed files' crates, the workspace members a source set can reach (so a run over a
    # few named files indexes what a full scan indexes, and answers the same), and the
    # workspace crates they depend on.
    pending = [e.path for e in rust]
    pending += [posixpath.join(d, "Cargo.toml") for d in _members_in_scope(config, manifests, {manifests.nearest(e.path) for e in rust})]
    seen_crates: Set[str] = set()
    while pending:
        path = pending.pop()
        directory = manifests.nearest(path) if path not in crate_dirs else crate_dirs[path]
        crate_dirs[path] = directory
        if directory is None or directory in seen_crates:
            continue
        seen_crates.add(directory)
        crate = _crate(manifests, directory)
        if crate is None:
            continue
        ws.crates[directory] = crate
        for dep_dir in _local_deps(manifests, directory):
            if dep_dir not in seen_crates:
                pending.append(posixpath.join(dep_dir, "Cargo.toml"))
    _name_dependencies(manifests, ws.crates)
    by_name = {c.name: k for k, c in ws.crates.items()}
    for crate in ws.crates.values():
        named = set(crate.info.deps.values()).union(*(crate.info.alts or {}).values())
        workspace = {dep: by_name[dep] for dep in sorted(named) if dep in by_name}
        crate.info = CrateInfo(True, crate.info.deps, workspace, crate.info.alts)
    files = _crate_files(root, ws.crates)
    ws.crates.update(_targets(manifests, ws.crates, files))
    files.update({e.path: e.abspath for e in rust})
    salt = cache_mod.config_salt(config)
    tracked = _tracked(rules)
    words = tuple(sorted({w for ws_words in tracked.values() for w in ws_words}))
    banned = _banned(rules)
    ws.all_files = files
    ws.sketch_words = words
    ws.jobs = options.jobs
    ws.keys = _keys(files, store, salt)
    # What the layout, the hot words and the reach bindings are computed from: the configuration's
    # part here, and each file's sketch. A warm run, or one where only bodies and comments
    # changed, reads them back: it sketches only the files whose bytes changed, and reads no
    # other sketch.
    context = blake2b(json.dumps([
        salt.hex(), sorted((p, sorted(i)) for p, i in banned.items()), _crates_data(ws), repr(config.profile),
        sorted((r.id, sorted(tracked.get(r.id, ()))) for r in rules), sorted(config.pack.reexports.get("rust", {}).items()),
    ]).encode(), digest_size=16).hexdigest()
    # the manifests read so far are read on every run, warm or cold: one that is broken is a DST000
    ws.broken = dict(sorted(manifests.broken.items()))
    cached = store.get_run(INDEX_NAMESPACE, context) if store is not None else None
    if cached is not None and ws.restore(cached):
        stats["rust index: read back, files sketched again"] = len(ws.sketches)
        if ws.sketches:
            store.put_run(INDEX_NAMESPACE, context, ws.saved())
    else:
        from dstcheck.rust import sketch as sketch_mod  # only here: a run that reads the index back sketches through `Workspace.sketch`

        jobs = options.jobs or os.cpu_count() or 1
        sketches, ws.keys = summaries(files, partial(sketch_mod.sketch, tracked=words), store, SKETCH_NAMESPACE, salt, stats, jobs)
        ws.sketches = sketches
        _layout(ws, files, sketches, manifests, config.profile)
        ws.hot = hot_words(sketches, banned, config.pack.reexports.get("rust", {}), ws)
        ws.aliases, ws.alias_typed = _typed_hot(ws.hot, sketches, files, tracked, rules)
        ws.binds = sorted({(name, segs[-1]) for sk in sketches.values() if sk for name, segs, _ in sk["binds"] if segs})
        ws.impls = impl_table(ws.modules, ws.crates, sketches)
        ws.sketch_digests = {p: _sketch_digest(sk) for p, sk in sketches.items() if p in ws.keys}
        stats["rust index: files sketched"] = sum(1 for sk in sketches.values() if sk is not None)
        if store is not None:
            store.put_run(INDEX_NAMESPACE, context, ws.saved())
    for path, ids in _banned(rules, include_direct=True).items():
        ws.anchors[path.rsplit("::", 1)[-1]] = ws.anchors.get(path.rsplit("::", 1)[-1], frozenset()) | ids
    stats["rust index: hot words"] = len(ws.hot.words) + sum(len(d) for d in ws.hot.local_words.values())
    return ws


def impl_table(modules: Dict[str, ModRef], crates: Dict[str, "Crate"], sketches: Dict[str, dict]) -> Dict[str, Dict[str, List[str]]]:
    """Per crate, each word of an impl header -> the files of the crate's module tree whose impl
    headers spell it (a file outside the tree, such as tests/, is a crate of its own that no
    other file's type can be implemented in)."""
    out: Dict[str, Dict[str, set]] = {}
    for path, sk in sorted(sketches.items()):
        module = modules.get(path)
        if not sk or not sk.get("impls") or module is None or module.crate not in crates:
            continue
        table = out.setdefault(module.crate, {})
        for word in sk.get("impls", ()):
            table.setdefault(word, set()).add(path)
    return {c: {w: sorted(files) for w, files in sorted(words.items())} for c, words in sorted(out.items())}


def _keys(files: Dict[str, str], store, salt: bytes) -> Dict[str, str]:
    """Each file's sketch key, from its digest (read back by its stat when unchanged)."""
    from dstcheck.stages import cache as cache_mod

    out = {}
    for path in sorted(files):
        digest = cache_mod.file_digest(store, path, files[path])
        if digest is not None:
            out[path] = cache_mod.key_of_digest(salt, [SKETCH_NAMESPACE], digest)
    return out


def _sketch_digest(sketch) -> str:
    return blake2b(json.dumps(sketch, sort_keys=True).encode(), digest_size=12).hexdigest()


def _crates_data(ws: "Workspace") -> list:
    return [[k, c.name, c.src, c.roots, sorted(c.info.deps.items()), sorted(c.info.workspace.items()), c.info.known, sorted((c.info.alts or {}).items()), c.package] for k, c in sorted(ws.crates.items())]


def _members_in_scope(config, manifests: Manifests, crate_dirs) -> List[str]:
    """Members of the Cargo workspaces holding `crate_dirs` (`members` globs less `exclude`)
    whose source directory a source set can reach."""
    from dstcheck.stages.discover import could_reach

    def reaches(directory: str) -> bool:
        return any(could_reach(p, directory + "/") for scope in config.scopes for p in scope.include)

    out: Set[str] = set()
    workspaces = {manifests.workspace_of(d)[0]: manifests.workspace_of(d)[1] for d in crate_dirs if d is not None and manifests.workspace_of(d)}
    for ws_dir, table in sorted(workspaces.items()):
        members = table.get("members") if isinstance(table.get("members"), list) else []
        excluded = {posixpath.normpath(posixpath.join(ws_dir, x)) for x in table.get("exclude", ()) if isinstance(x, str)} if isinstance(table.get("exclude"), list) else set()
        for pattern in (m for m in members if isinstance(m, str)):
            for member in _expand(manifests.root, posixpath.normpath(posixpath.join(ws_dir, pattern))):
                if member in excluded or not reaches(member):
                    continue  # its manifest is not even read
                crate = _crate(manifests, member)
                if crate is not None and reaches(crate.src):
                    out.add(member)
    return sorted(out)


def _expand(root: str, pattern: str) -> List[str]:
    """Directories (project-relative) a `members` entry names; it may hold `*` globs."""
    if not any(c in pattern for c in "*?["):
        return [pattern] if os.path.isfile(os.path.join(root, pattern, "Cargo.toml")) else []
    return sorted(p.parent.relative_to(root).as_posix() for p in Path(root).glob(pattern + "/Cargo.toml"))


def _name_dependencies(manifests: Manifests, crates: Dict[str, Crate]) -> None:
    """A dependency's manifest names its package; code names its library, which `[lib] name`
    may rename (`alpha = { path = ".." }` with `[lib] name = "alpha_lib"` is `alpha_lib::` in
    code, and `al = { package = "alpha" }` is `al::`). So each package name of this workspace
    is mapped to its crate's library name."""
    library = {}
    for key, crate in crates.items():
        package = (manifests.get(key) or {}).get("package", {}).get("name")
        if isinstance(package, str):
            library[_code_name(package)] = crate.name
    for crate in crates.values():
        deps: Dict[str, str] = {}
        for code, real in crate.info.deps.items():
            lib = library.get(real, real)
            deps[lib if code == real else code] = lib
        alts = {code: tuple(sorted({library.get(r, r) for r in reals})) for code, reals in (crate.info.alts or {}).items()}
        crate.info = CrateInfo(crate.info.known, deps, crate.info.workspace, alts or None)


def _local_deps(manifests: Manifests, directory: str) -> List[str]:
    crate = _crate(manifests, directory)
    if crate is None:
        return []
    return sorted({path for _, _, path in _dependencies(manifests, directory, manifests.get(directory) or {}) if path is not None})


def _crate_files(root: str, crates: Dict[str, Crate]) -> Dict[str, str]:
    """Every .rs file of the crates (their module trees live there), relative -> absolute."""
    from dstcheck.stages.discover import is_file_entry

    out: Dict[str, str] = {}
    for crate in crates.values():
        stack = [crate.key]
        while stack:  # one scandir per directory; a directory with its own manifest is another crate
            rel = stack.pop()
            try:
                with os.scandir(os.path.join(root, rel) if rel else root) as it:
                    children = list(it)
            except OSError:
                continue
            if rel != crate.key and any(c.name == "Cargo.toml" and is_file_entry(c) for c in children):
                continue
            for child in children:
                name = child.name
                path = f"{rel}/{name}" if rel else name
                if child.is_dir(follow_symlinks=False):
                    if name not in SKIP_DIRS and not name.startswith("."):
                        stack.append(path)
                elif name.endswith(".rs") and is_file_entry(child):  # a link to a directory is neither
                    out[path] = child.path
    return dict(sorted(out.items()))


def _layout(ws: Workspace, files: Dict[str, str], sketches: Dict[str, dict], manifests: Manifests, profile) -> None:
    """Module paths from each crate's layout, then `#[path]` declarations."""
    from dstcheck.rust.context import path_attribute
    from dstcheck.stages.modtree import child_paths

    crate_of: Dict[str, Crate] = {}
    targets = {c.roots[0]: c for c in ws.crates.values() if c.package is not None}
    for path in files:
        directory = manifests.nearest(path)
        crate = ws.crates.get(directory) if directory is not None else None
        if crate is None:
            continue
        crate_of[path] = crate
        module = _layout_module(crate, path) if path not in targets else None
        if module is not None:
            ws.modules[path] = module
    shared = _target_layout(ws, targets, files, sketches)
    declared: Dict[ModRef, str] = {}
    for path in sorted(files):
        sk = sketches.get(path)
        if not sk or path not in ws.modules:
            continue
        parent = ws.modules[path]
        if not any(attr and path_attribute(attr, profile) for _, attr in sk["mods"]):
            continue
        for decl in _path_decls(files[path], profile):  # few files have one: parsed for the inline modules around it
            module = ModRef(parent.crate, parent.path + decl.inline_dirs + (decl.name,))
            for child in child_paths(path, decl):
                if child in files and child in crate_of:
                    declared[module] = child
                    ws.modules[child] = module
    ws.files.update(declared)  # a `#[path]` declaration beats the layout's file for that module
    for path, module in sorted(ws.modules.items()):
        ws.files.setdefault(module, path)
    for module, path in sorted(shared.items()):
        ws.files.setdefault(module, path)


def _target_layout(ws: Workspace, targets: Dict[str, Crate], files: Dict[str, str], sketches: Dict[str, dict]) -> Dict[ModRef, str]:
    """Each target's module tree, from the `mod` declarations its root and their files make (a
    root's children sit beside it: `mod helper;` in src/bin/tool.rs is src/bin/helper.rs). A
    target root another root declares is that root's module; of several targets declaring one
    file, the first has it. A file the package's library declares too stays the library's, and
    is also the target's module (compiled into both): returned, module -> file."""

    def mods(path: str) -> List[str]:
        return [name for name, attr in (sketches.get(path) or {}).get("mods", ()) if attr is None]

    def children(path: str, is_root: bool) -> List[Tuple[str, str]]:
        directory = posixpath.dirname(path) if is_root or path.endswith("/mod.rs") else path[:-3]
        out = []
        for name in mods(path):
            found = [c for c in (f"{directory}/{name}.rs", f"{directory}/{name}/mod.rs") if c in files]
            if found:
                out.append((name, found[0]))
        return out

    by_module: Dict[ModRef, str] = {}
    for path, module in sorted(ws.modules.items()):
        by_module.setdefault(module, path)
    declared = {child for root in targets for _, child in children(root, True) if child in targets and child != root}
    claimed: Set[str] = set()
    shared: Dict[ModRef, str] = {}
    for root, target in sorted(targets.items()):
        if root in declared:
            continue
        ws.modules[root] = ModRef(target.key, ())
        claimed.add(root)
        todo, seen = [(root, ())], {root}
        while todo:
            path, mpath = todo.pop()
            for name, child in children(path, not mpath):
                if child in claimed or child in seen:
                    continue
                seen.add(child)
                module = ModRef(target.key, mpath + (name,))
                current = ws.modules.get(child)
                owner = by_module.get(ModRef(current.crate, current.path[:-1])) if current is not None and current.path else None
                if owner is not None and owner not in claimed and name in mods(owner):
                    shared[module] = child
                else:
                    ws.modules[child] = module
                    claimed.add(child)
                todo.append((child, module.path))
    return shared


def declared_verdict(ws: Workspace, tables, path: str, holders: Optional[set] = None) -> str:
    """The strongest verdict of the `mod` declarations that lead to a file (`#[cfg(test)] mod
    tests;` makes its impls test-only), the live declaration preferred where there are two.
    `holders` collects the files those declarations are in (what the verdict depends on)."""
    from dstcheck.rust.items import VERDICTS

    module = ws.modules.get(path)
    verdict = ""
    for cut in range(1, len(module.path) + 1) if module is not None else ():
        parent = ModRef(module.crate, module.path[:cut - 1])
        if holders is not None:
            holder = next((ws.files[m] for up in range(len(parent.path), -1, -1) for m in (ModRef(parent.crate, parent.path[:up]),) if m in ws.files), None)
            if holder is not None:
                holders.add(holder)
        table = tables(parent)
        decls = [b[4] for b in (table or {}).get("names", {}).get(module.path[cut - 1], ()) if b[0] == "mod"]
        if decls:
            verdict = max(verdict, min(decls, key=VERDICTS.index), key=VERDICTS.index)
    return verdict


def _path_decls(abspath: str, profile) -> list:
    """The `#[path]` module declarations of a file, with the inline modules they sit in
    (`mod inl { #[path = "w.rs"] mod q; }` is module inl::q, and w.rs is looked for under inl/)."""
    from dstcheck.rust import context, parse
    from dstcheck.stages.analyze import read_source

    source, problem = read_source(abspath)
    if problem is not None:
        return []
    return [d for d in context.ContextFinder(parse.parse(source), profile).mod_decls(swapped=False) if d.path_attr is not None]


def _layout_module(crate: Crate, path: str) -> Optional[ModRef]:
    if path in crate.roots:
        return ModRef(crate.key, ())
    if not path.startswith(crate.src + "/"):
        return None  # tests/, benches/, examples/: their own crates, each a root
    rel = path[len(crate.src) + 1:-3].split("/")
    if rel[0] == "bin":
        return None
    if rel[-1] == "mod":
        rel = rel[:-1]
    return ModRef(crate.key, tuple(rel)) if rel else None


# -- hot words ----------------------------------------------------------------------------------
def _tracked(rules) -> Dict[str, frozenset]:
    """Rule id -> the type names (last segments) whose receivers its typed matchers look at."""
    out: Dict[str, set] = {}
    for rule in rules:
        for m in rule.matchers:
            if m.kind in ("hash-iteration", "typed-method"):
                for key in ("maps", "sets", "types"):
                    out.setdefault(rule.id, set()).update(p.rsplit("::", 1)[-1] for p in m.params.get(key, ()))
    return {k: frozenset(v) for k, v in out.items()}


def _typed_hot(hot: "Hot", sketches: Dict[str, dict], files: Dict[str, str], tracked: Dict[str, frozenset], rules):
    """Names declared anywhere (fields, parameters, lets, function returns) with a tracked type or
    an alias of one: a file that iterates or calls through such a name may hold a typed site
    without spelling the type. Returns the aliases and, per file, what it declares with them
    (read from the files: a sketch records only the tracked names)."""
    from dstcheck.rust.typed import triggers

    typed_ids = set(tracked)
    aliases = {w: ids & typed_ids for table in [hot.words, *hot.local_words.values()] for w, ids in table.items() if ids & typed_ids}
    aliases = {w: ids for w, ids in aliases.items() if not any(w in words for words in tracked.values())}
    # A rule with a typed matcher may ban other paths too (DST101: `.elapsed()` on an `Instant`,
    # and `SystemTime::now`, `UNIX_EPOCH`): an alias is a name bound to a tracked type, directly
    # or through another alias.
    bound: Dict[str, set] = {}
    for sk in sketches.values():
        for name, segs, _ in (sk or {}).get("binds", ()):
            if segs and name in aliases:
                bound.setdefault(name, set()).add(segs[-1])
    typed_words = set().union(*tracked.values()) if tracked else set()
    kept: Set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, lasts in bound.items():
            if name not in kept and not lasts.isdisjoint(typed_words | kept):
                kept.add(name)
                grown = True
    aliases = {w: ids for w, ids in aliases.items() if w in kept}
    reach = ("field", "fn")  # parameters and locals stay in their file, which spells the type itself
    entries = [(path, name, word) for path, sk in sketches.items() if sk for name, word, kind in sk.get("typed", ()) if kind in reach]
    found: Dict[str, list] = {}
    if aliases:
        for path in sorted(files):
            try:
                with open(files[path], "rb") as handle:
                    source = handle.read()
            except OSError:
                continue
            declared = alias_typed_of(source, aliases)
            if declared:
                found[path] = declared
                entries.extend((path, name, word) for name, word in declared)
    for path, name, word in entries:
        ids = frozenset(r for r, words in tracked.items() if word in words) | aliases.get(word, frozenset())
        if ids:
            hot.typed[name] = hot.typed.get(name, frozenset()) | ids
    by_rule = {r.id: r for r in rules}
    hot.triggers = {rid: frozenset(triggers([by_rule[rid]])) for rid in tracked if rid in by_rule}
    return tuple(sorted(aliases)), found


def alias_typed_of(source: bytes, aliases) -> list:
    """[name, alias] of the fields and functions a file declares with one of `aliases`: what
    `_typed_hot` reads from the file itself, beyond its sketch."""
    from dstcheck.rust import sketch as sketch_mod

    present = [w for w in aliases if w.encode() in source]
    return sorted([name, word] for name, word, kind in sketch_mod.typed_names(source, present) if kind in ("field", "fn")) if present else []


def _banned(rules, include_direct: bool = False) -> Dict[str, frozenset]:
    """Banned path -> ids of the rules that ban it. A `direct` matcher needs no other file (what
    reaches its paths through another module's re-export is not its site), so across files it is
    left out; within one file it counts."""
    from dstcheck.matchers import path_lists

    out: Dict[str, set] = {}
    for rule in rules:
        for m in rule.matchers:
            if m.params.get("direct") and not include_direct:
                continue
            for path in list(path_lists(m.params)) + list(m.params.get("types", ())):
                out.setdefault(path, set()).add(rule.id)
    return {p: frozenset(ids) for p, ids in sorted(out.items())}


class Banned:
    """Banned paths in every spelling, each with the rules that ban it; prefix sets make
    relatedness checks a few set lookups."""

    def __init__(self, banned: Dict[str, frozenset], reexports: Dict[str, str]):
        from dstcheck.stages.prefilter import anchor

        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        rules: Dict[str, set] = {}
        for path, ids in banned.items():
            rules.setdefault(path, set()).update(ids)
            for src, dst in reexports.items():
                if path == dst or path.startswith(dst + "::"):
                    rules.setdefault(src + path[len(dst):], set()).update(ids)
        self.rules = {p: frozenset(ids) for p, ids in rules.items()}
        self.prefixes: Dict[str, set] = {}
        for p, ids in self.rules.items():
            segs = p.split("::")
            for i in range(1, len(segs)):
                self.prefixes.setdefault("::".join(segs[:i]), set()).update(ids)
        self.anchors: Dict[str, set] = {}
        for p, ids in self.rules.items():
            self.anchors.setdefault(anchor(p.split("::")), set()).update(ids)

        self.firsts = frozenset(p.split("::")[0] for p in self.rules) | frozenset(src.split("::")[0] for src, _ in self.reexports)
        self._items: Dict[str, frozenset] = {}  # item() by path: files repeat the same `use`s

    def canon(self, path: str) -> str:
        if path.split("::", 1)[0] not in self.firsts:
            return path
        for prefix, target in self.reexports:
            if path == prefix or path.startswith(prefix + "::"):
                return target + path[len(prefix):]
        return path

    def item(self, path: str) -> frozenset:
        """Rules banning the path or a path above it."""
        found = self._items.get(path)
        if found is None:
            segs = path.split("::")
            out = set()
            if segs[0] in self.firsts:
                for i in range(1, len(segs) + 1):
                    out |= self.rules.get("::".join(segs[:i]), set())
            found = self._items[path] = frozenset(out)
        return found

    def module_above(self, path: str) -> frozenset:
        return frozenset(self.prefixes.get(path, ()))

    def continuations(self, prefix: str) -> List[Tuple[List[str], frozenset]]:
        """For a module above banned paths: the segments after it of each, with its rules."""
        return [(p[len(prefix) + 2:].split("::"), ids) for p, ids in sorted(self.rules.items()) if p.startswith(prefix + "::")]


@dataclass
class Hot:
    """What can carry a banned path from one file to another (see `hot_words`). Each word or
    spelling maps to the ids of the rules it matters to. Public bindings count everywhere; a
    private one only in its file and the modules below it (`local_*`, keyed by file)."""

    words: Dict[str, frozenset] = field(default_factory=dict)
    spellings: Dict[frozenset, frozenset] = field(default_factory=dict)
    local_words: Dict[str, Dict[str, frozenset]] = field(default_factory=dict)
    local_spellings: Dict[str, Dict[frozenset, frozenset]] = field(default_factory=dict)
    globbed: Dict[str, frozenset] = field(default_factory=dict)  # files that glob-import a banned module
    typed: Dict[str, frozenset] = field(default_factory=dict)  # names declared with a tracked type -> rules
    triggers: Dict[str, frozenset] = field(default_factory=dict)  # typed rule -> words a site must contain

    @classmethod
    def from_data(cls, data) -> Optional["Hot"]:
        """The inverse of `as_data` (None when the data is not in that shape: recompute)."""
        try:
            words, spellings, local_words, local_spellings, globbed, typed, triggers = data
            w = lambda rows: {k: frozenset(v) for k, v in rows}
            sp = lambda rows: {frozenset(k): frozenset(v) for k, v in rows}
            return cls(w(words), sp(spellings), {f: w(r) for f, r in local_words}, {f: sp(r) for f, r in local_spellings}, w(globbed), w(typed), w(triggers))
        except (TypeError, ValueError):
            return None

    def as_data(self) -> list:
        def words(d):
            return sorted((w, sorted(ids)) for w, ids in d.items())

        def spells(d):
            return sorted((sorted(sp), sorted(ids)) for sp, ids in d.items())

        return [
            words(self.words), spells(self.spellings),
            sorted((f, words(d)) for f, d in self.local_words.items()),
            sorted((f, spells(d)) for f, d in self.local_spellings.items()),
            words(self.globbed),
            words(self.typed),
            words(self.triggers),
        ]


_BANNED_CACHE: Dict[tuple, "Banned"] = {}


def banned_for(banned: Dict[str, frozenset], reexports: Dict[str, str]) -> "Banned":
    key = (tuple(sorted(banned.items())), tuple(sorted(reexports.items())))
    if key not in _BANNED_CACHE:
        _BANNED_CACHE[key] = Banned(banned, reexports)
    return _BANNED_CACHE[key]


def hot_words(sketches: Dict[str, dict], banned: Dict[str, frozenset], reexports: Dict[str, str], ws: Optional[Workspace] = None) -> Hot:
    """From the sketches alone:
    - hot words: names a `use` / `type` / `extern crate` binds to a banned item or below one,
      directly, or (for a path into this workspace) to a path whose last segment is a hot word
      or a banned path's anchor: a re-export chain (`pub use crate::clock::Instant as Stamp;`);
    - extra spellings: a name bound to a module above banned paths (`use std::thread as t;`)
      spells `t::spawn`, so {t, spawn} is a spelling; likewise a Cargo rename of a crate;
    - the files that glob-import a banned module (there every identifier is a candidate; below
      them the glob's banned names are hot words).
    Name-based on purpose: a bound name is taken to mean every binding of that name in its scope,
    so each set can only be too large, never too small."""
    ban = banned_for(banned, reexports)
    names_of: Dict[str, Set[str]] = {}  # a name in code -> every crate it names in some crate (Cargo renames, target tables)
    external = set(EXTERN_ROOTS)
    if ws is not None:
        for crate in ws.crates.values():
            for key, real in crate.info.deps.items():
                for name in (crate.info.alts or {}).get(key, (real,)):
                    names_of.setdefault(key, set()).add(name)
                    if name not in crate.info.workspace:
                        external.add(key)
    firsts = {key: sorted(names) for key, names in names_of.items() if names != {key}}
    hot = Hot()

    def add(table: dict, key, ids) -> None:
        if ids:
            table[key] = table.get(key, frozenset()) | ids

    for key, names in sorted(firsts.items()):
        for real in names:
            if real != key:
                for rest, ids in ban.continuations(real):
                    add(hot.spellings, frozenset([key] + rest), ids)
    chained = []
    for path, sk in sorted(sketches.items()):
        if not sk:
            continue
        for name, segs, public in sk["binds"]:
            if not segs:
                continue
            words = hot.words if public else hot.local_words.setdefault(path, {})
            spellings = hot.spellings if public else hot.local_spellings.setdefault(path, {})
            for first in firsts.get(segs[0], (segs[0],)):
                written = ban.canon("::".join([first] + list(segs[1:])))
                ids = ban.item(written)
                if ids:
                    add(words, name, ids)
                elif ban.module_above(written):
                    for rest, rest_ids in ban.continuations(written):
                        add(spellings, frozenset([name] + rest), rest_ids)
                elif ws is not None and first not in external:
                    chained.append((words, path, name, segs[-1]))
        for segs, public in sk["globs"]:
            if not segs:
                continue
            for first in firsts.get(segs[0], (segs[0],)):
                target = ban.canon("::".join([first] + list(segs[1:])))
                ids = ban.module_above(target) | ban.item(target)
                if ids:
                    add(hot.globbed, path, ids)
                    words = hot.words if public else hot.local_words.setdefault(path, {})
                    for rest, rest_ids in ban.continuations(target):
                        add(words, rest[0], rest_ids)
    changed = True
    while changed:  # re-export chains, to fixpoint
        changed = False
        for words, path, name, last in chained:
            ids = hot.words.get(last, frozenset()) | hot.local_words.get(path, {}).get(last, frozenset())
            if ids - words.get(name, frozenset()):
                add(words, name, ids)
                changed = True
    hot.local_words = {f: d for f, d in hot.local_words.items() if d}
    hot.local_spellings = {f: d for f, d in hot.local_spellings.items() if d}
    return hot


# -- linking --------------------------------------------------------------------------------------
def link(ws: Workspace, config, results: Dict, rules_run: Dict, store, stats: Counter) -> None:
    """Finish the facts each analysed file left pending, through every file's module tables, and
    find the reach sites. What this adds to each file depends only on the workspace's bytes, the
    configuration and the rules that ran: a run where none of those changed reads it back."""
    from dstcheck.stages import cache as cache_mod

    rust = sorted(p for p, r in results.items() if r.language == "rust")
    inputs = None
    if store is not None:
        inputs = blake2b(json.dumps([
            cache_mod.config_salt(config).hex(), ws.digest(), sorted(ws.keys.items()), config.reach_depth,
            [[p, sorted(r.id for r in rules_run.get(p, ()))] for p in rust],
        ]).encode(), digest_size=16).hexdigest()
        if _read_back_link(store.get_run(LINK_NAMESPACE, inputs), results, stats):
            return
    before = {p: (len(results[p].findings), results[p].unresolved) for p in rust}
    counted = Counter(stats)
    _link(ws, config, results, rules_run, store, stats)
    if store is not None:
        changed = [p for p in rust if (len(results[p].findings), results[p].unresolved) != before[p]]
        store.put_run(LINK_NAMESPACE, inputs, {
            "files": [[p, cache_mod.to_json(results[p])["findings"], results[p].unresolved] for p in changed],
            "stats": sorted([k, v - counted.get(k, 0)] for k, v in stats.items() if v != counted.get(k, 0)),
        })


def _read_back_link(data, results: Dict, stats: Counter) -> bool:
    from dstcheck.stages import cache as cache_mod

    if data is None:
        return False
    try:
        files = [(p, cache_mod.findings_from_json(findings), int(unresolved)) for p, findings, unresolved in data["files"]]
        counts = [(str(k), int(v)) for k, v in data["stats"]]
    except (KeyError, TypeError, ValueError):
        return False
    if any(p not in results for p, _, _ in files):
        return False
    for path, findings, unresolved in files:
        results[path].findings, results[path].unresolved = findings, unresolved
    for key, value in counts:
        stats[key] += value
    return True


def _link(ws: Workspace, config, results: Dict, rules_run: Dict, store, stats: Counter) -> None:
    from dstcheck.model import Context, Fact, Finding
    from dstcheck.rust import types
    from dstcheck.rust.names import External, ModuleResolver, Pending, Unresolved
    from dstcheck.stages.match import match

    from dstcheck.stages import cache as cache_mod

    waiting = [(p, r) for p, r in sorted(results.items()) if r.language == "rust" and r.deferred]
    known: Dict[str, Optional[dict]] = {}
    salt = cache_mod.config_salt(config) if store is not None else b""

    def summary_of(path: str) -> Optional[dict]:
        if path not in known:
            result = results.get(path)
            known[path] = result.summary if result is not None and result.summary else _summarize(ws, path, config, store, stats, salt)
        return known[path]

    def tables(ref: ModRef):
        for cut in range(len(ref.path), -1, -1):
            path = ws.files.get(ModRef(ref.crate, ref.path[:cut]))
            if path is not None:
                summary = summary_of(path)
                return summary["modules"].get("::".join(ref.path[cut:])) if summary else None
        return None

    mres = ModuleResolver(tables, ws.crate_info, config.pack.reexports.get("rust", {}))

    def summary_with_module(ref: ModRef):
        for cut in range(len(ref.path), -1, -1):
            path = ws.files.get(ModRef(ref.crate, ref.path[:cut]))
            if path is not None:
                summary = summary_of(path)
                return (summary, ModRef(ref.crate, ref.path[:cut]), "::".join(ref.path[cut:])) if summary else None
        return None

    def impls_of(owner: types.Type):
        local = types.split_local(owner.path)
        if local is None:
            return []
        module, name = local
        home = summary_with_module(module)
        home_file = ws.files.get(home[1]) if home is not None else None
        out = []
        for path in ws.impl_files(module, name):
            summary = summary_of(path) if path != home_file else None
            if summary and path in ws.modules:
                out.append((summary, ws.modules[path], declared_verdict(ws, tables, path)))
        return out

    evaluator = types.Evaluator(mres, summary_with_module, impls_of)
    for path, result in waiting:
        rules = rules_run.get(path, [])
        for record in result.deferred:
            if "typed" in record:
                _link_typed(record, evaluator, rules, result)
                continue
            origin = ModRef(record["origin"][0], tuple(record["origin"][1]))
            found: list = []
            for mode, crate, module_path, segs in record["pending"]:
                found.extend(mres.resume(Pending(mode, ModRef(crate, tuple(module_path)), tuple(segs)), origin))
            external = [r for r in found if isinstance(r, External)]
            fact = Fact(
                record["kind"],
                tuple(sorted(set(record["paths"]) | {r.path for r in external})),
                0,
                1,
                None,
                method=record["method"],
                first_tokens=tuple(record["first_tokens"]),
                imported=tuple(sorted(set(record["imported"]) | {r.path for r in external if r.imported})),
                indirect=tuple(sorted(set(record["indirect"]) | {r.path for r in external if r.indirect})),
            )
            line, column, end_line, end_column = record["span"]
            ctx = Context(**record["context"])
            matched = match([fact], rules)
            for rule, matched_path, _ in matched:
                result.findings.append(Finding(rule.id, line, column, end_line, end_column, record["snippet"], rule.message.format(path=matched_path), ctx, matched_path))
            if not matched and (record["unresolved"] or any(isinstance(r, Unresolved) for r in found)):
                result.unresolved += 1
        result.findings.sort(key=lambda f: (f.line, f.column, f.rule, f.end_line, f.end_column))
        stats["rust index: references resolved across files"] += len(result.deferred)
    from dstcheck.rust import reach

    reach.link_reach(ws, config, results, rules_run, store, stats, tables, mres, (summary_with_module, impls_of))


def _link_typed(record: dict, evaluator, rules, result) -> None:
    from dstcheck.model import Context, Finding
    from dstcheck.rust import typed, types
    from dstcheck.stages.match import match

    try:
        fact = typed.finish(record["typed"], evaluator)
    except types.NeedsOtherFile:  # cannot happen with every table at hand; be safe
        fact = None
    if fact is None:
        return
    line, column, end_line, end_column = record["span"]
    ctx = Context(**record["context"])
    for rule, matched_path, _ in match([fact], rules):
        result.findings.append(Finding(rule.id, line, column, end_line, end_column, record["snippet"], rule.message.format(path=matched_path), ctx, matched_path))


def _summarize(ws: Workspace, path: str, config, store, stats: Counter, salt: bytes) -> Optional[dict]:
    """A module's summary when its file was not analysed (parsed here, cached by content)."""
    from dstcheck.rust import context, items, parse
    from dstcheck.stages import cache as cache_mod
    from dstcheck.stages.analyze import read_source

    abspath = os.path.join(ws.root, path)
    digest = store.digest(path, abspath) if store is not None else None
    key = cache_mod.key_of_digest(salt, [SUMMARY_NAMESPACE], digest) if digest is not None else ""
    hit = store.get_raw(SUMMARY_NAMESPACE, path, key) if key else None
    if hit is not None and isinstance(hit.get("summary"), dict):
        stats["rust index: summaries from cache"] += 1
        return hit["summary"]
    source, problem = read_source(abspath)
    if problem is not None:
        return None
    stats["rust index: files parsed for their summary"] += 1
    parsed = parse.parse(source)
    summary = items.Summarizer(parsed, context.ContextFinder(parsed, config.profile), config.profile).summary()
    if key:
        store.put_raw(SUMMARY_NAMESPACE, path, key, {"summary": summary})
    return summary
