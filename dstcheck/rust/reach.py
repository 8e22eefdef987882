"""DST109 reach (Rust): an in-scope call into code outside the in-scope source sets (`python/`,
`ffi/`, other crates of the workspace) whose body, directly or through the calls it makes, holds
a site of the clock, rng, thread, blocking or select families that would be a violation if that
code were in scope. The site is the in-scope call; its chain says how the site is reached.

What is followed, exactly: free functions and associated functions called by path (through
`use`, a block's own `use` or glob, re-exports and renames) or named as a value where a value is
passed or bound (`o.unwrap_or_else(venue::now)`, `let f = venue::start;`), `Self::f()`, `<T as Trait>::f()`, a trait's
default body through the trait's path, methods called on `self` (through the impl's type) and on
a value that names its struct (`Feed.read()`, `Tape(2).read()`, `Feed { .. }.read()`) or whose
type the declarations prove (`feed.read()` on a parameter, a typed local, a field: `types`), in
function bodies and the closures inside them; functions inside a `cfg_if!` branch are found in
the branch parsed on its own (a gated branch's sites and calls do not propagate). A method called through a type whose impls (in the
files the index's impl table lists for it) do not define it is the default body of the one trait
among its impls that declares it (`<T as Trait>::f()`: of that trait). A call whose callee cannot be resolved is
not followed. Gated, marked, allowlisted and test sites do not propagate. Each function is
summarised once; the depth is bounded by `[reach] max-depth` (default 4), so cycles end.

It runs in the index stage after the per-file analysis: which out-of-scope functions reach a
site is only known once they are analysed, and only then is it known which calls to look for.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Tuple

from dstcheck.model import Context, Fact, Finding, Step
from dstcheck.rust.names import Local, ModRef, Pending
from dstcheck.rust.resolve import IDENT
from dstcheck.stages.prefilter import word_positions

# v2: a method called through a type (`T::f()`, `<T as Tr>::f()`, `T.f()`) whose impls do not
# define it is the trait's default body; entries keep the files whose impls decided that.
# v3: functions inside `cfg_if!` branches are followed; a gated or test-only call does not propagate
# v4 (calls v3): a gated or test-only impl or method (or a file its `mod` gates) is no override of
# a trait's default body
# calls v4: a method called on a value whose type the declarations prove (`feed.read()` on a
# parameter, a typed local, a field), and a trait's method called by path on such a value
TAINT_NAMESPACE = "rust-reach-v4"
CALLS_NAMESPACE = "rust-reach-calls-v4"


def _compiled_out(ctx) -> bool:
    """A node the DST build does not compile (gated) or compiles only for tests."""
    return bool(ctx.gate or ctx.test)


def _digest(data) -> str:
    from dstcheck.stages.cache import blake2b
    import json

    return blake2b(json.dumps(data, default=list).encode(), digest_size=16).hexdigest()


def _key_data(key: tuple) -> list:
    """A function key as JSON: ("fn", crate, module path, name) or ("method", ModRef, type, name)."""
    if key[0] == "fn":
        return ["fn", key[1], list(key[2]), key[3]]
    return ["method", [key[1].crate, list(key[1].path)], key[2], key[3]]


def _key(data: list) -> tuple:
    if data[0] == "fn":
        return ("fn", data[1], tuple(data[2]), data[3])
    return ("method", ModRef(data[1][0], tuple(data[1][1])), data[2], data[3])


def _call_data(call) -> list:
    ctx = call.context
    return [call.path, call.item, list(call.span), call.snippet, {"test": ctx.test, "gate": ctx.gate, "item": ctx.item},
            [call.module.crate, list(call.module.path)], list(call.segs), call.is_global, call.self_type, call.trait, call.receiver]


def _call_from(c) -> "Call":
    return Call(*c[:4], Context(**c[4]), ModRef(c[5][0], tuple(c[5][1])), tuple(c[6]), c[7], c[8], c[9], c[10])


def _current(ws, deps) -> bool:
    """Whether what a cached answer read still holds: the files whose impls and traits it read
    have the same keys, and the index's impl table lists the same files for each type it asked
    about (a new file with an impl of the type changes the answer too)."""
    try:
        return all(ws.keys.get(p, "") == k for p, k in deps["files"]) and all(
            ws.impl_files(ModRef(m[0], tuple(m[1])), name) == files for m, name, files in deps["types"]
        )
    except (KeyError, TypeError, ValueError):
        return False


def _deps(ws, read) -> dict:
    files = sorted(item[1] for item in read if item[0] == "file")
    types = sorted([[item[1].crate, list(item[1].path)], item[2], ws.impl_files(item[1], item[2])] for item in read if item[0] == "type")
    return {"files": [[p, ws.keys.get(p, "")] for p in files], "types": types}


def _tainted_from(data) -> Optional[dict]:
    try:
        return {_key(k): Taint(display, tuple(definition), [Step(*s) for s in chain], family) for k, display, definition, chain, family in data}
    except (TypeError, ValueError, IndexError):
        return None


def _reach_rules(rules_run: Dict[str, list], results) -> Dict[str, object]:
    out = {}
    for path, rules in rules_run.items():
        if results.get(path) is None or results[path].language != "rust":
            continue
        for rule in rules:
            if any(m.kind == "reach" for m in rule.matchers):
                out[rule.id] = rule
    return out


def link_reach(ws, config, results: Dict, rules_run: Dict, store, stats: Counter, tables, mres, typing) -> None:
    """Add DST109 findings to the in-scope files whose calls reach out-of-scope sites. `typing`:
    (summary_of, impls_of) of the index, to type a method call's receiver (`types.Evaluator`)."""
    reach = _reach_rules(rules_run, results)
    if not reach:
        return
    families = {f for rule in reach.values() for m in rule.matchers if m.kind == "reach" for f in m.params.get("families", ())}
    finder = _Finder(ws, config, results, store, stats, families, tables, mres, typing)
    from dstcheck.stages import cache as cache_mod

    salt = cache_mod.config_salt(config).hex()
    inputs = _digest([salt, sorted(families), config.reach_depth, sorted((p, ws.keys.get(p, "")) for p in finder.outside)])
    cached = store.get_run(TAINT_NAMESPACE, inputs) if store is not None else None
    tainted = _tainted_from(cached.get("tainted")) if cached is not None and _current(ws, cached.get("deps")) else None
    if tainted is None:
        finder.read = set()
        tainted = finder.taint()
        if store is not None:
            store.put_run(TAINT_NAMESPACE, inputs, {
                "tainted": [[list(k), t.display, list(t.definition), [list(s) for s in t.chain], t.family] for k, t in sorted(tainted.items(), key=repr)],
                "deps": _deps(ws, finder.read),
            })
    stats["reach: out-of-scope functions that reach a site"] = len(tainted)
    if not tainted:
        return
    words = finder.words(tainted)
    words_key = _digest([inputs, sorted(words)])
    for path in sorted(results):
        result = results[path]
        rules = [r for r in rules_run.get(path, ()) if r.id in reach]
        if result.language != "rust" or not rules or path in finder.outside:
            continue
        key_here = _digest([words_key, ws.keys.get(path, "") or path])
        hit = store.get_raw(CALLS_NAMESPACE, path, key_here) if store is not None else None
        if hit is not None and _current(ws, hit.get("deps")):
            found = [(_call_from(c), tuple(_key(k))) for c, k in hit["calls"]]
        else:
            found = []
            finder.read = set()
            if finder.mentions(path, words):
                for call in finder.calls(path, words):
                    callee = finder.callee(call, tainted)
                    if callee is not None and callee in tainted:
                        found.append((call, callee))
            if store is not None:
                store.put_raw(CALLS_NAMESPACE, path, key_here, {"calls": [[_call_data(c), _key_data(k)] for c, k in found], "deps": _deps(ws, finder.read)})
        for call, key in found:
            if key not in tainted:
                continue
            chain = [Step(*tainted[key].definition, f"calls {tainted[key].display}")] + tainted[key].chain
            if len(chain) - 1 > config.reach_depth:
                continue
            fact = Fact("reach", (tainted[key].display,), 0, 1, None, method=tainted[key].family)
            call = call._replace(span=tuple(call.span))
            from dstcheck.stages.match import match

            for rule, matched, _ in match([fact], rules):
                result.findings.append(
                    Finding(rule.id, *call.span, call.snippet, rule.message.format(path=matched), call.context, matched, [list(s) for s in chain])
                )
                stats["reach: in-scope calls that reach a site"] += 1
        result.findings.sort(key=lambda f: (f.line, f.column, f.rule, f.end_line, f.end_column))


class Taint(NamedTuple):
    display: str  # the function's path, e.g. nautilus_common::python::clock::stamp
    definition: Tuple[str, int, int, str]  # (path, line, column, item) of its `fn`
    chain: List[Step]  # from the first call it makes on the way (or its own site) to the site
    family: str


class Call(NamedTuple):
    path: str
    item: str
    span: Tuple[int, int, int, int]
    snippet: str
    context: Context
    module: ModRef
    segs: Tuple[str, ...]
    is_global: bool
    self_type: Optional[list]  # `self.f()`: the impl's written type (items.type_of) and its module
    trait: Optional[list] = None  # `<T as Trait>::f()`: the trait's path as written, [segments, global]
    # the type the declarations prove for the receiver of `value.f()` (segs is then `(f,)`), or
    # for the first argument of `Trait::f(value)`: [crate, module path, name] of a workspace type
    receiver: Optional[list] = None


def _callable_crates(ws, callers) -> set:
    """The crates of the in-scope files and every workspace crate they depend on, directly or
    not: the only code their calls can reach (a run that indexes more crates, as `--show-all`
    does, follows no more calls; a run over named files follows the same)."""
    todo = sorted({k for k in (ws.crate_of(p) for p in callers) if k is not None})
    seen = set()
    while todo:
        key = todo.pop()
        if key in seen or key not in ws.crates:
            continue
        seen.add(key)
        todo.extend(ws.crates[key].info.workspace.values())
    return seen | {ws.module_of(p).crate for p in callers}  # and a binary's, test's or bench's own modules


class _Finder:
    """Analyses out-of-scope files of the crates in-scope code can call as if they were in scope,
    and finds calls."""

    def __init__(self, ws, config, results, store, stats, families, tables, mres, typing):
        from dstcheck.stages.discover import classifier

        self.ws, self.config, self.results, self.store, self.stats = ws, config, results, store, stats
        self.families = families
        self.tables, self.mres = tables, mres
        classify = classifier(config)  # each glob list compiled once, not once per file
        entries = {path: classify(path, ws.all_files[path]) for path in sorted(ws.all_files)}
        crates = _callable_crates(ws, [p for p, e in entries.items() if e is not None and e.scope is not None])
        self.outside: Dict[str, str] = {}
        for path, entry in entries.items():
            if entry is not None and entry.scope is None and entry.test is None and ws.module_of(path).crate in crates:  # a bin's, test's or bench's modules only for in-scope code of that target
                self.outside[path] = entry.abspath
        self._parsed: Dict[str, object] = {}
        self._resolvers: Dict[str, object] = {}
        self._vocabulary: Dict[str, frozenset] = {}
        self._calls: Dict[Tuple[str, frozenset], List[Call]] = {}
        self._impls: Dict[Tuple[ModRef, str], tuple] = {}
        self._traits: Dict[tuple, object] = {}  # (module, trait) -> (methods, files); (module, name, None) -> is a trait
        self.read: set = set()  # ("file", path) and ("type", module, name): what the callees read since it was last emptied
        self._typing = typing
        self._evaluator = None

    # -- out-of-scope functions --------------------------------------------------------------
    def site_rules(self, path: str) -> list:
        from dstcheck import globs

        return [
            r for r in self.config.pack.for_language("rust")
            if r.family in self.families and r.matchers
            and (r.only_in is None or globs.matches(path, r.only_in)) and not (r.except_in and globs.matches(path, r.except_in))
        ]

    def taint(self) -> Dict[tuple, Taint]:
        """Out-of-scope functions that reach a site, to the configured depth: first those that
        hold one, then, round by round, those that call one."""
        from dstcheck.stages.classify import classify

        from dstcheck.pipeline import analyze_many

        tainted: Dict[tuple, Taint] = {}
        paths = sorted(self.outside)
        jobs_list = [(path, self.outside[path], "rust", tuple(r.id for r in self.site_rules(path)), True) for path in paths]
        for path, (result, analysed) in zip(paths, analyze_many(self.config, _Only(self.ws), jobs_list, self.ws.jobs)):
            if not result.findings or not analysed:
                continue  # an out-of-scope file the analysis could not finish has no sites to follow
            self.stats["reach: out-of-scope files analysed"] += 1
            sites, _, _ = classify(self.config, result, True, None, Context())
            for site in sites:
                if site.disposition != "violation" or self.config.pack.rules[site.rule].family not in self.families:
                    continue
                fn = self.function_at(path, site.line, site.column)
                if fn is None or fn[0] in tainted:
                    continue
                key, display, definition = fn
                tainted[key] = Taint(display, definition, [Step(path, site.line, site.column, site.item, site.message)], self.config.pack.rules[site.rule].family)
        for _ in range(self.config.reach_depth - 1):
            words = self.words(tainted)
            grown = False
            for path in sorted(self.outside):
                if not self.mentions(path, words):
                    continue
                for call in self.calls(path, words):
                    if call.context.gate or call.context.test:
                        continue  # compiled out of the DST build (or test-only): it does not propagate, as a site there does not
                    key = self.callee(call, tainted)
                    if key is None or key not in tainted:
                        continue
                    fn = self.function_at(path, call.span[0], call.span[1])
                    if fn is None or fn[0] in tainted:
                        continue
                    caller, display, definition = fn
                    step = Step(*tainted[key].definition, f"calls {tainted[key].display}")
                    tainted[caller] = Taint(display, definition, [step] + tainted[key].chain, tainted[key].family)
                    grown = True
            if not grown:
                break
        return tainted

    def _parse(self, path: str):
        if path not in self._parsed:
            from dstcheck.rust import context, parse
            from dstcheck.stages.analyze import read_source

            abspath = self.outside.get(path) or os.path.join(self.ws.root, path)
            source, problem = read_source(abspath)
            if problem is not None:
                self._parsed[path] = None
            else:
                parsed = parse.parse(source)
                self._parsed[path] = (parsed, context.ContextFinder(parsed, self.config.profile))
                self.stats["reach: files parsed for their calls"] += 1
        return self._parsed[path]

    def function_at(self, path: str, line: int, column: int):
        """(key, display path, definition) of the function whose body holds the point (1-based)."""
        found = self._parse(path)
        if found is None:
            return None
        parsed, finder = found
        point = (line - 1, column - 1)  # the point itself: a line's start may lie before its `fn`
        node = parsed.root.descendant_for_point_range(point, point)
        at = _byte_of(parsed.source, *point)
        shift, outer = 0, []  # bytes before the branch being read, and the inline mods around it
        while True:
            fn_node = node
            while fn_node is not None and fn_node.type != "function_item":
                fn_node = fn_node.parent
            branch = finder.branch_at(node, (at, at)) if fn_node is None and node is not None else None
            if branch is None:
                break
            # a `cfg_if!` branch is loose tokens: its functions are found in the branch parsed on its own
            outer = self._mod_names(branch[0], parsed.text) + outer
            finder, node, lo = branch[2], branch[3], branch[4][0]
            shift, at, parsed = shift + at - lo, lo, branch[2].parsed
        node = fn_node
        if node is None:
            return None
        name = node.child_by_field_name("name")
        if name is None:
            return None
        fn = parsed.text(name)
        owner = node.parent.parent if node.parent is not None and node.parent.type == "declaration_list" else None
        module = self.module_at(path, node, parsed, outer)
        if owner is not None and owner.type == "impl_item":
            from dstcheck.rust import items

            written = items.type_of(owner.child_by_field_name("type"), parsed.text)
            target = self._type_key(module, written)
            if target is None:
                return None
            key = ("method",) + target + (fn,)
            display = f"{self._display(target[0], target[1])}::{fn}"
        elif owner is not None and owner.type == "trait_item":  # a default body: `Trait::f(&x)` calls it
            trait = owner.child_by_field_name("name")
            if trait is None:
                return None
            target = (module, parsed.text(trait))
            key = ("method",) + target + (fn,)
            display = f"{self._display(module, target[1])}::{fn}"
        else:
            key = ("fn", module.crate, module.path, fn)
            display = self._display(module, fn)
        line0, col0 = _point_of(self._parse(path)[0].source, shift + node.start_byte)
        return key, display, (path, line0 + 1, col0 + 1, finder.context(node).item)

    def module_at(self, path: str, node, parsed, outer: list = ()) -> ModRef:
        """The module of `node`; `outer`: the inline mods around the `cfg_if!` branch it was parsed from."""
        base = self.ws.module_of(path)
        return ModRef(base.crate, base.path + tuple(outer) + tuple(self._mod_names(node, parsed.text)))

    @staticmethod
    def _mod_names(node, text) -> list:
        """The inline `mod x { .. }` around `node`, outermost first."""
        names = []
        n = node.parent
        while n is not None:
            if n.type == "mod_item" and n.child_by_field_name("body") is not None:
                name = n.child_by_field_name("name")
                names.append(text(name) if name is not None else "")
            n = n.parent
        return names[::-1]

    def _display(self, module: ModRef, name: str) -> str:
        crate = self.ws.crates.get(module.crate)
        head = crate.name if crate is not None else "crate"
        return "::".join([head, *module.path, name])

    def _type_key(self, module: ModRef, written) -> Optional[Tuple[ModRef, str]]:
        if written is None:
            return None
        results = self.mres.resolve_from(module, tuple(written["p"]), written["g"])
        for r in results:
            if isinstance(r, Local) and not r.rest:
                return (r.module, r.name)
        return None

    # -- calls ---------------------------------------------------------------------------------
    def words(self, tainted: Dict[tuple, Taint]) -> frozenset:
        """The word a call of each tainted function must contain: a free function's name, or a
        method's type (its calls are `Type::f()`, or `self.f()` inside that type's impls)."""
        out = set()
        for key in tainted:
            if key[0] == "fn":
                out.add(key[3])
            else:
                out.add(key[2])
                out.add("self")
                out.add(key[3])
        binds = self.ws.binds
        grown = True
        while grown:  # `pub use clock::stamp as reexported;`: the alias calls it too
            grown = False
            for name, last in binds:
                if last in out and name not in out:
                    out.add(name)
                    grown = True
        return frozenset(out)

    def mentions(self, path: str, words: frozenset) -> bool:
        """Whether the file spells one of `words` (its vocabulary is read once a run)."""
        if path not in self._vocabulary:
            from dstcheck.stages.prefilter import words_of

            abspath = self.outside.get(path) or self.ws.all_files.get(path) or os.path.join(self.ws.root, path)
            try:
                with open(abspath, "rb") as handle:
                    self._vocabulary[path] = words_of(handle.read())
            except OSError:
                self._vocabulary[path] = frozenset()
        return not self._vocabulary[path].isdisjoint(w.encode() for w in words)

    def calls(self, path: str, words: frozenset) -> List[Call]:
        """Calls in `path` whose callee's last name is one of `words`, with what resolution needs."""
        key = (path, words)
        if key in self._calls:
            return self._calls[key]
        out: List[Call] = []
        found = self._parse(path)
        if found is not None:
            parsed, finder = found
            seen = set()
            for word in sorted(words):
                for i in word_positions(parsed.source, word.encode()):
                    node = parsed.root.descendant_for_byte_range(i, i + len(word))
                    if node is not None and node.parent is not None and node.parent.type == "token_tree":
                        made = self._token_call(path, parsed, finder, node, seen)  # `println!("{}", stamp())`
                        if made is not None:
                            out.append(made)
                        continue
                    call = _call_of(node)
                    if call is None or call.id in seen:
                        continue
                    seen.add(call.id)
                    made = self._call(path, parsed, finder, call)
                    if made is not None:
                        out.append(made)
        self._calls[key] = out
        return out

    def _call(self, path: str, parsed, finder, call) -> Optional[Call]:
        from dstcheck.rust import items

        function = call if call.type in ("identifier", "scoped_identifier") else call.child_by_field_name("function")
        if function is not None and function.type == "generic_function":
            function = function.child_by_field_name("function")
        if function is None:
            return None
        module = self.module_at(path, call, parsed)
        self_type = trait = receiver = None
        if function.type in ("identifier", "scoped_identifier"):
            qualified = _qualified_segments(function, parsed.text)
            seg = qualified[:2] if qualified is not None else items.segments_of(function, parsed.text)
            if seg is None:
                return None
            segs, is_global = tuple(seg[0]), seg[1]
            if function.type == "identifier" and self._resolver(path, parsed, finder).shadowed_by_local(function, segs[0]):
                return None  # `let stamp = || ..; stamp()`, a parameter `stamp: fn() -> u64`: not the import
            found = self._through_blocks(path, parsed, finder, call, segs, is_global)
            if found is None:
                return None
            segs, is_global = found
            if qualified is not None and qualified[2] is not None:  # `<T as Trait>::f()`: the trait, through the blocks too
                trait = self._through_blocks(path, parsed, finder, call, tuple(qualified[2][0]), qualified[2][1])
                trait = [list(trait[0]), trait[1]] if trait is not None else None
            if len(segs) == 2 and segs[0] == "Self" and not is_global:  # `Self::f()`: the impl's type
                self_type = self._impl_type(path, parsed, call)
                if self_type is None:
                    return None
                segs = segs[1:]
            elif len(segs) >= 2:  # `Source::read(&feed)`: which body runs may depend on the value's type
                args = call.child_by_field_name("arguments")
                given = [a for a in args.named_children if a.type not in ("line_comment", "block_comment")] if args is not None else []
                receiver = self._value_type(path, parsed, finder, given[0]) if given else None
        elif function.type == "field_expression":
            value, field = function.child_by_field_name("value"), function.child_by_field_name("field")
            if value is None or field is None:
                return None
            if value.type == "self":
                self_type = self._impl_type(path, parsed, call)
                if self_type is None:
                    return None
                segs, is_global = (parsed.text(field),), False
            else:  # `Feed.read()`, `Tape(2).read()`, `Feed { .. }.read()`: a method of the struct the value names
                found = self._struct_value(path, parsed, finder, value)
                if found is not None:
                    segs, is_global = found[0] + (parsed.text(field),), found[1]
                else:  # `feed.read()`: a method of the type the declarations prove for the value
                    receiver = self._value_type(path, parsed, finder, value)
                    if receiver is None:
                        return None
                    segs, is_global = (parsed.text(field),), False
        else:
            return None
        (l0, c0), (l1, c1) = call.start_point, call.end_point
        snippet = " ".join(parsed.source[call.start_byte:call.end_byte].decode("utf-8", "replace").split())
        return Call(path, finder.context(call).item, (l0 + 1, c0 + 1, l1 + 1, c1 + 1), snippet, finder.context(call), module, segs, is_global, self_type, trait, receiver)

    def _value_type(self, path: str, parsed, finder, value) -> Optional[list]:
        """[crate, module path, name] of the workspace type the declarations prove for `value` (a
        parameter, a typed or constructed local, a field, what a function returns; through `&`,
        `Box`, `Arc` and guards), else None. What the answer read joins `read`."""
        from dstcheck.rust import types

        query = types.QueryBuilder(parsed, self._resolver(path, parsed, finder)).of(value)
        if query is None:
            return None
        try:
            found = self._typer().evaluate(query)
        except types.NeedsOtherFile:
            return None
        local = types.split_local(found.peel().path) if found is not None else None
        return [local[0].crate, list(local[0].path), local[1]] if local is not None else None

    def _typer(self):
        """The index's type evaluator, noting in `read` every file whose declarations it reads."""
        if self._evaluator is None:
            from dstcheck.rust import types

            summary_of, impls_of = self._typing

            def summary(ref: ModRef):
                found = summary_of(ref)
                if found is not None and self.ws.files.get(found[1]) is not None:
                    self.read.add(("file", self.ws.files[found[1]]))
                return found

            def impls(owner):
                local = types.split_local(owner.path)
                if local is not None:
                    self.read.add(("type", local[0], local[1]))
                    self.read.update(("file", p) for p in self.ws.impl_files(local[0], local[1]))
                return impls_of(owner)

            self._evaluator = types.Evaluator(self.mres, summary, impls)
        return self._evaluator

    def _struct_value(self, path: str, parsed, finder, value) -> Optional[tuple]:
        """(segments, global) of the struct a method's receiver is a value of, written as a path:
        a unit struct (`Feed`), a tuple struct's constructor (`Tape(2)`) or a struct literal
        (`Feed { .. }`); the path is resolved with the call, and only a struct counts there. A
        local binding (`feed.read()`) has no type here."""
        from dstcheck.rust import items

        if value.type == "call_expression":
            value = value.child_by_field_name("function")
        elif value.type == "struct_expression":
            value = value.child_by_field_name("name")
        if value is None or value.type not in ("identifier", "scoped_identifier", "type_identifier", "scoped_type_identifier"):
            return None
        seg = items.segments_of(value, parsed.text)
        if seg is None or (len(seg[0]) == 1 and self._resolver(path, parsed, finder).shadowed_by_local(value, seg[0][0])):
            return None
        found = self._through_blocks(path, parsed, finder, value, tuple(seg[0]), seg[1])
        if found is None or (found[0] and found[0][0] == "Self"):
            return None
        return found

    def _resolver(self, path: str, parsed, finder):
        """The block-aware resolver of one file (its block scopes are read once)."""
        from dstcheck.rust import resolve

        if path not in self._resolvers:
            self._resolvers[path] = resolve.Resolver(parsed, finder, self.ws.module_of(path), self.mres)
        return self._resolvers[path]

    def _through_blocks(self, path: str, parsed, finder, node, segs: tuple, is_global: bool) -> Optional[tuple]:
        """The path a call names once the `use` declarations of the blocks around it are applied
        (a function-local `use a::b;` makes `b::f()` `a::b::f()`); None when a block declares the
        name itself (a local item, not followed)."""
        from dstcheck.rust import resolve

        if is_global or not segs or segs[0] in ("crate", "self", "super", "Self"):
            return segs, is_global
        scopes = self._resolver(path, parsed, finder).blocks(node)
        return self._rewrite(scopes, 0, segs, is_global, lambda: self.module_at(path, node, parsed), 0)

    def _rewrite(self, scopes, i: int, segs: tuple, is_global: bool, module, depth: int) -> Optional[tuple]:
        """`_through_blocks` from `scopes[i]` outward. A block's glob (`use venue::feed::*;` in a
        function) brings the name in when what it names defines it: `start()` is then
        `venue::feed::start()`."""
        from dstcheck.rust import resolve

        rewrites = 0
        while i < len(scopes):
            if is_global or segs[0] in ("crate", "self", "super"):
                break
            bound = scopes[i].names.get(segs[0])
            if bound is resolve.LOCAL:
                return None
            if bound:
                rewrites += 1
                if rewrites > 16:
                    return None  # `use`s in a cycle: nothing to follow
                target, is_global = bound[0]
                if target[0] != segs[0]:
                    i -= 1  # a block's `use` resolves from the same block outward
                segs = tuple(target) + segs[1:]
                i += 1
                continue
            if scopes[i].globs and depth < 4:
                for target, target_global in scopes[i].globs:
                    found = self._rewrite(scopes, i + 1, tuple(target), target_global, module, depth + 1)
                    if found is None or not found[0]:
                        continue
                    candidate = tuple(found[0]) + segs
                    if any(isinstance(r, Local) for r in self.mres.resolve_from(module(), candidate, found[1])):
                        return candidate, found[1]
            i += 1
        return segs, is_global

    def _token_call(self, path: str, parsed, finder, node, seen: set) -> Optional[Call]:
        """A call spelled as loose tokens in a macro's arguments: a path (`v::stamp`, `Self::f`)
        or `self.f` followed by a parenthesised group. The macro's expansion is not followed."""
        tree = node.parent
        children = tree.children
        idx = next(i for i, c in enumerate(children) if c.id == node.id)
        args = children[idx + 1] if idx + 1 < len(children) else None
        if args is None or args.type != "token_tree" or not parsed.text(args).startswith("(") or node.type not in ("identifier", "self"):
            return None
        first = idx
        while first >= 2 and children[first - 1].type == "::" and children[first - 2].type in IDENT:
            first -= 2
        is_global = first >= 1 and children[first - 1].type == "::"
        before = children[first - 1] if first >= 1 and not is_global else None
        self_type = None
        segs = tuple("crate" if parsed.text(children[k]) == "$crate" else parsed.text(children[k]) for k in range(first, idx + 1, 2))
        if before is not None and before.type == "." and first >= 2 and children[first - 2].type == "self" and first == idx:
            first -= 2  # `self.f(..)`
            self_type = self._impl_type(path, parsed, tree)
            if self_type is None:
                return None
        elif before is not None and before.type in (".", "fn", "!", "'"):
            return None  # a method on another value, a definition, a macro name, a label
        elif len(segs) == 2 and segs[0] == "Self":
            self_type = self._impl_type(path, parsed, tree)
            if self_type is None:
                return None
            segs = segs[1:]
        key = (tree.id, first)
        if key in seen:
            return None
        seen.add(key)
        start = children[first - 1] if is_global else children[first]
        (l0, c0), (l1, c1) = start.start_point, args.end_point
        snippet = " ".join(parsed.source[start.start_byte:args.end_byte].decode("utf-8", "replace").split())
        ctx = finder.context(tree)
        return Call(path, ctx.item, (l0 + 1, c0 + 1, l1 + 1, c1 + 1), snippet, ctx, self.module_at(path, tree, parsed), segs, is_global, self_type)

    def _impl_type(self, path: str, parsed, node) -> Optional[list]:
        """The written type of the impl around `node`, with the module it is written in."""
        from dstcheck.rust import items

        impl = node
        while impl is not None and impl.type != "impl_item":
            impl = impl.parent
        written = items.type_of(impl.child_by_field_name("type"), parsed.text) if impl is not None else None
        return [written, list(self.module_at(path, impl, parsed))] if written is not None else None

    def callee(self, call: Call, tainted=()) -> Optional[tuple]:
        """The key of the function a call resolves to (None when it cannot be resolved). A method
        called through a type is looked for in that type's impls, and when none defines it, in
        the trait whose default body the type keeps (only when some tainted method has that
        name: `tainted`)."""
        if call.self_type is not None:
            written, (crate, path) = call.self_type
            target = self._type_key(ModRef(crate, tuple(path)), written)
            return self._method_key(target[0], target[1], call.segs[0], None, tainted) if target is not None else None
        if call.receiver is not None and len(call.segs) == 1:  # `feed.read()` on a value of a proven type
            return self._method_key(ModRef(call.receiver[0], tuple(call.receiver[1])), call.receiver[2], call.segs[0], None, tainted)
        if call.segs and call.segs[0] == "Self":
            return None  # `Self::Variant::f()` and the like: not followed
        results = self.mres.resolve_from(call.module, call.segs, call.is_global)
        for r in results:
            if isinstance(r, Pending):
                continue
            if isinstance(r, Local) and r.kind == "fn" and not r.rest:
                return ("fn", r.module.crate, r.module.path, r.name)
            if isinstance(r, Local) and r.kind == "trait" and len(r.rest) == 1:
                return self._through_trait(r.module, r.name, r.rest[0], call.receiver)
            if isinstance(r, Local) and r.kind in ("struct", "enum", "union") and len(r.rest) == 1:
                trait = self._trait_key(call.module, call.trait) if call.trait is not None else None
                return self._method_key(r.module, r.name, r.rest[0], trait, tainted)
        return None

    def _through_trait(self, module: ModRef, trait: str, method: str, receiver: Optional[list]) -> tuple:
        """`Source::read(&feed)`: the trait's default body, unless the first argument's type is
        proven and its impl of the trait defines the method (that override is what runs)."""
        default = ("method", module, trait, method)
        if receiver is None:
            return default
        owner = ModRef(receiver[0], tuple(receiver[1]))
        for implemented, methods in self._impls_of(owner, receiver[2]):
            if implemented == (module, trait):
                return ("method", owner, receiver[2], method) if method in methods else default
        return default

    def _is_trait(self, module: ModRef, name: str) -> bool:
        if (module, name, None) not in self._traits:
            self._traits[(module, name, None)] = any(isinstance(r, Local) and r.kind == "trait" and not r.rest for r in self.mres.resolve_from(module, (name,), False))
        return self._traits[(module, name, None)]

    def _trait_key(self, module: ModRef, written) -> Optional[Tuple[ModRef, str]]:
        for r in self.mres.resolve_from(module, tuple(written[0]), written[1]):
            if isinstance(r, Local) and r.kind == "trait" and not r.rest:
                return (r.module, r.name)
        return None

    def _method_key(self, module: ModRef, name: str, method: str, trait, tainted) -> tuple:
        """The key of `method` called through the type `name` of `module` (of `trait`'s method,
        for `<T as Trait>::f`): the type's own when one of its impls (of that trait) defines it,
        else the default body of the one trait among its impls that declares it."""
        own = ("method", module, name, method)
        if not any(k[0] == "method" and k[3] == method and self._is_trait(k[1], k[2]) for k in tainted):
            return own  # no trait's default body of that name reaches a site: the impls need not be read
        impls = self._impls_of(module, name)
        if trait is not None:
            for implemented, methods in impls:
                if implemented == trait:
                    return own if method in methods else ("method", trait[0], trait[1], method)
            return own
        if any(method in methods for _, methods in impls):
            return own
        traits = sorted({t for t, _ in impls if t is not None and method in self._trait_methods(*t)}, key=repr)
        return ("method", traits[0][0], traits[0][1], method) if len(traits) == 1 else own

    def _impls_of(self, module: ModRef, name: str) -> tuple:
        """((trait key or None, names of the methods it defines), ..) of every impl of the type
        in the files the index's impl table lists for it. An impl or method compiled out of the
        DST build, or test-only, is left out: it is no override there, so the default body runs."""
        from dstcheck.rust import items

        if (module, name) not in self._impls:
            files, out, deps = self.ws.impl_files(module, name), [], set()
            for path in files:
                found = self._parse(path)
                if found is None or self._declared_out(path, deps):
                    continue
                parsed, finder = found
                for n in _outermost(parsed.root, "impl_item"):
                    where = self.module_at(path, n, parsed)
                    if self._type_key(where, items.type_of(n.child_by_field_name("type"), parsed.text)) != (module, name):
                        continue
                    written = items.type_of(n.child_by_field_name("trait"), parsed.text)
                    trait = self._trait_key(where, [written["p"], written["g"]]) if written is not None else None
                    if written is not None and trait is None:
                        continue  # a trait from outside the workspace (`impl Clone for T`): no body indexed here
                    if _compiled_out(finder.context(n)):
                        continue
                    body = n.child_by_field_name("body")
                    methods = frozenset(parsed.text(f.child_by_field_name("name")) for f in (body.named_children if body is not None else ())
                                        if f.type == "function_item" and f.child_by_field_name("name") is not None and not _compiled_out(finder.context(f)))
                    out.append((trait, methods))
            self._impls[(module, name)] = (tuple(sorted(out, key=repr)), tuple(sorted(set(files) | deps)))
        impls, files = self._impls[(module, name)]
        self.read.update(("file", p) for p in files)
        self.read.add(("type", module, name))
        return impls

    def _declared_out(self, path: str, deps: set) -> bool:
        """Whether the `mod` declarations leading to the file gate it out of the DST build or make
        it test-only (`#[cfg(test)] mod checks;`): its impls are then no overrides. The declaring
        files go into `deps`, since the verdict depends on them."""
        from dstcheck.rust.workspace import declared_verdict

        return declared_verdict(self.ws, self.tables, path, deps) != ""

    def _trait_methods(self, module: ModRef, name: str) -> frozenset:
        """The methods a trait of the workspace declares (with a default body or not)."""
        if (module, name) not in self._traits:
            path = None
            for cut in range(len(module.path), -1, -1):
                path = self.ws.files.get(ModRef(module.crate, module.path[:cut]))
                if path is not None:
                    break
            out: set = set()
            found = self._parse(path) if path is not None else None
            if found is not None:
                parsed = found[0]
                for n in _outermost(parsed.root, "trait_item"):
                    trait = n.child_by_field_name("name")
                    body = n.child_by_field_name("body")
                    if trait is None or body is None or parsed.text(trait) != name or self.module_at(path, n, parsed) != module:
                        continue
                    for f in body.named_children:
                        fname = f.child_by_field_name("name") if f.type in ("function_item", "function_signature_item") else None
                        if fname is not None:
                            out.add(parsed.text(fname))
            self._traits[(module, name)] = (frozenset(out), (path,) if path is not None else ())
        methods, files = self._traits[(module, name)]
        self.read.update(("file", p) for p in files)
        return methods


def _outermost(root, kind: str):
    """The nodes of `kind` not inside another one (impls and traits nest only through modules and
    blocks), walked without recursion."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == kind:
            yield n
        else:
            stack.extend(n.named_children)


def _byte_of(source: bytes, row: int, column: int) -> int:
    """The byte at a 0-based (row, byte column)."""
    start = 0
    for _ in range(row):
        nl = source.find(b"\n", start)
        if nl < 0:
            return len(source)
        start = nl + 1
    return min(start + column, len(source))


def _point_of(source: bytes, byte: int) -> Tuple[int, int]:
    """The 0-based (row, byte column) of a byte."""
    return source.count(b"\n", 0, byte), byte - (source.rfind(b"\n", 0, byte) + 1)


def _qualified_segments(function, text) -> Optional[tuple]:
    """`<T as Trait>::f` and `<T>::f` call what `T::f` calls, the impl found by its type:
    (segments of `T::f`, global, the trait's [segments, global] or None)."""
    from dstcheck.rust import items

    bracket, name = function.child_by_field_name("path"), function.child_by_field_name("name")
    if bracket is None or bracket.type != "bracketed_type" or name is None:
        return None
    inner = [c for c in bracket.named_children if c.type not in ("line_comment", "block_comment")]
    if len(inner) != 1:
        return None
    qualified = inner[0].type == "qualified_type"
    written = inner[0].child_by_field_name("type") if qualified else inner[0]
    seg = items.segments_of(written, text) if written is not None else None
    if seg is None:
        return None
    alias = items.type_of(inner[0].child_by_field_name("alias"), text) if qualified else None
    return (list(seg[0]) + [text(name)], seg[1], [alias["p"], alias["g"]] if alias is not None else None)


def _call_of(node):
    """The call expression a name is the callee of (`f()`, `m::f()`, `T::f()`, `self.f()`)."""
    if node is None:
        return None
    top = node
    while top.parent is not None and top.parent.type in ("scoped_identifier", "generic_function"):
        top = top.parent
    parent = top.parent
    if parent is not None and parent.type == "field_expression" and top.type == "field_identifier":
        call = parent.parent
        return call if call is not None and call.type == "call_expression" and call.child_by_field_name("function").id == parent.id else None
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function").id == top.id:
        return parent
    if top.type in ("identifier", "scoped_identifier") and parent is not None and _value_position(top, parent):
        return top  # a function named as a value: `o.unwrap_or_else(venue::now)`, `let f = venue::start;`
    return None


def _value_position(node, parent) -> bool:
    """Whether a path stands where a value is passed or bound (an argument, a `let`'s value, a
    field's value, an array element), so naming a function there hands it on to be called."""
    t = parent.type
    if t in ("arguments", "array_expression"):
        return True
    if t == "let_declaration":
        value = parent.child_by_field_name("value")
        return value is not None and value.id == node.id
    if t == "field_initializer":
        value = parent.child_by_field_name("value")
        return value is not None and value.id == node.id
    return False


class _Only:
    """An index that holds only the Rust workspace (what `analyze_file` needs for a file)."""

    def __init__(self, ws):
        self.rust = ws
        self.python = None

    def for_language(self, language: str):
        return self.rust if language == "rust" else None
