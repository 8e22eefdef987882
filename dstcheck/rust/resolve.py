"""Resolve stage for Rust: turn candidate tokens into Facts with fully qualified paths.

Candidates are the occurrences of a few words (the anchors of the banned paths, and the index's
hot words: names some file binds to one), confirmed on the syntax tree, so strings, comments and
attributes never produce a Fact and files need no full tree walk. A path resolves through the
blocks that enclose it (their `use` declarations, items and globs), then at module level through
`names.ModuleResolver`, the way rustc resolves it. What leads into another file's module is left
`Pending` on the Fact, for the index to finish.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from dstcheck.model import Fact
from dstcheck.rust import cfg, items
from dstcheck.rust.names import MAX_DEPTH, External, Local, ModRef, Module, ModuleResolver, Pending, Unresolved
from dstcheck.rust.parse import ParsedRust
from dstcheck.stages.prefilter import word_positions, words_of

IDENT = {"identifier", "type_identifier", "self", "super", "crate", "metavariable"}
PATH = {"scoped_identifier", "scoped_type_identifier"}
ITEM_DEFS = {
    "struct_item", "enum_item", "union_item", "type_item", "trait_item", "function_item",
    "function_signature_item", "const_item", "static_item", "mod_item", "macro_definition",
}
GENERIC_ITEMS = {"function_item", "impl_item", "struct_item", "enum_item", "union_item", "trait_item", "type_item", "function_signature_item"}
BINDING_PARENTS = {"parameter", "closure_parameters", "field_pattern", "let_condition", "for_expression"}


segments = items.segments_of


LOCAL = "local"


class BlockScope:
    """The names a block binds: `use` declarations, items and `extern crate` inside it."""

    __slots__ = ("node", "names", "globs", "owner")

    def __init__(self, node, owner):
        self.node = node
        self.owner = owner  # the Resolver whose tree holds `node` (a cfg_if branch has its own)
        self.names: Dict[str, object] = {}  # name -> LOCAL or [(target, global)]
        self.globs: List[Tuple[Tuple[str, ...], bool]] = []


def _plain_alias(item, text):
    """(segments, global) of the path a `type X = a::b::C;` names, when it is a plain path (no
    generic arguments, no reference, tuple or array), else None."""
    value = item.child_by_field_name("type")
    if item.child_by_field_name("name") is None or value is None or value.type not in ("type_identifier", "scoped_type_identifier"):
        return None
    seg = items.segments_of(value, text)
    return (tuple(seg[0]), seg[1]) if seg is not None and seg[0] else None


def _is_module_body(node) -> bool:
    return node.type == "source_file" or (node.type == "declaration_list" and node.parent is not None and node.parent.type == "mod_item")


class Resolver:
    """Resolves a path written at a node: through the blocks that enclose it (their `use`
    declarations, items, globs), then at module level through `ModuleResolver`."""

    def __init__(self, parsed: ParsedRust, finder, module: ModRef, mres: ModuleResolver):
        self.parsed = parsed
        self.text = parsed.text
        self.finder = finder
        self.module = module
        self.mres = mres
        self._blocks: Dict[int, BlockScope] = {}
        self._modules: Dict[int, ModRef] = {}
        self._branches: Dict[int, "Resolver"] = {}

    def _branch(self, node):
        """For a node among a `cfg_if!` branch's tokens: (a resolver over the branch parsed on its
        own, the node there, the invocation), else None: names resolve there as outside the macro."""
        found = self.finder.branch_at(node)
        if found is None:
            return None
        invocation, _, finder, at, _ = found
        return self._inner(finder, invocation), at, invocation

    def _inner(self, finder, invocation) -> "Resolver":
        """The resolver over a `cfg_if!` branch parsed on its own (one per branch)."""
        inner = self._branches.get(id(finder))
        if inner is None:
            inner = self._branches[id(finder)] = Resolver(finder.parsed, finder, self.module_at(invocation), self.mres)
        return inner

    def module_at(self, node) -> ModRef:
        """The module a node is in: the file's module, or an inline `mod` inside it."""
        names = []
        n = node if node.type == "token_tree" else node.parent  # a macro's tokens: from their own tree
        while n is not None:
            if n.type == "mod_item" and n.child_by_field_name("body") is not None:
                name = n.child_by_field_name("name")
                names.append(self.text(name).removeprefix("r#") if name is not None else "")
            elif n.type == "token_tree":
                branch = self._branch(n)
                if branch is not None:
                    return branch[0].module_at(branch[1])
                while n.parent is not None and n.parent.type == "token_tree":
                    n = n.parent  # one look per macro
            n = n.parent
        return ModRef(self.module.crate, self.module.path + tuple(reversed(names)))

    def blocks(self, node, start=None) -> List[BlockScope]:
        """Enclosing block scopes, innermost first, up to the enclosing module (from `start`
        itself when given)."""
        out = []
        n = start if start is not None else node if node.type == "token_tree" else node.parent
        while n is not None and not _is_module_body(n):
            if n.type == "block":
                out.append(self._block(n))
            elif n.type == "token_tree":
                branch = self._branch(n)
                if branch is not None:
                    inner, at, invocation = branch
                    return out + inner.blocks(at, at) + self.blocks(invocation)
                while n.parent is not None and n.parent.type == "token_tree":
                    n = n.parent  # one look per macro
            n = n.parent
        return out

    def _block(self, node) -> BlockScope:
        cached = self._blocks.get(node.id)
        if cached is not None:
            return cached
        scope = BlockScope(node, self)
        self._bind(scope, node)
        self._blocks[node.id] = scope
        return scope

    def _bind(self, scope: BlockScope, node) -> None:
        """Bind in `scope` what the statements of `node` (a block, or a `cfg_if!` branch parsed
        on its own) declare. A `cfg_if!` among them binds what each branch that may be compiled
        declares: its expansion puts those items in this block."""
        for statement in node.named_children:
            child = statement.named_children[0] if statement.type == "expression_statement" and statement.named_child_count == 1 else statement
            t = child.type
            if t not in ("use_declaration", "extern_crate_declaration", "macro_invocation") and t not in ITEM_DEFS:
                continue
            if any(kind == "cfg" and cfg.classify(value, self.finder.profile) == "gated" for kind, value in self.finder.attributes(statement)):
                continue
            if t == "macro_invocation":
                for selection, _, finder in self.finder.cfg_if_branches(child):
                    if cfg.classify(selection, self.finder.profile) != "gated":
                        self._inner(finder, child)._bind(scope, finder.parsed.root)
            elif t == "use_declaration":
                for _, name, segs, is_global, is_glob in items.use_leaves(child.child_by_field_name("argument"), self.text):
                    if is_glob:
                        scope.globs.append((tuple(segs), is_global))
                    elif name is not None:
                        bound = scope.names.setdefault(name, [])
                        if bound is not LOCAL:
                            bound.append((tuple(segs), is_global))
            elif t == "extern_crate_declaration":
                name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                if name is not None:
                    scope.names[self.text(alias or name)] = [((self.text(name),), True)]
            elif t == "type_item" and child.child_by_field_name("type_parameters") is None and (aliased := _plain_alias(child, self.text)) is not None:
                # `type Clock = std::time::Instant;` in a body names what its path names, as a `use` would
                # (an alias with parameters or arguments stays a local item: its arguments matter)
                scope.names[self.text(child.child_by_field_name("name"))] = [aliased]
            else:
                name = child.child_by_field_name("name")
                if name is not None:
                    scope.names[self.text(name)] = LOCAL

    def resolve(self, segs, is_global: bool, at) -> list:
        """Results (see `names`) for the path `segs` written at node `at`."""
        module = self.module_at(at)
        segs = tuple(segs)
        if not is_global and segs and segs[0] == "Self":
            return self._self_type(at, module, segs[1:], 0)
        if not is_global and segs and self.generic_param(at, segs[0]):
            return [Local(module, segs[0], "type-parameter", segs[1:])]
        results = self._resolve(segs, is_global, self.blocks(at), module, 0)
        if len(segs) == 1 and not is_global and all(isinstance(r, Unresolved) for r in results):
            # One name that nothing binds: a local, a pattern binding or a prelude item, never a
            # banned path (those are reached through a `use`, a glob or a written path).
            return [Local(module, segs[0], "local", ())]
        return results

    def generic_param(self, node, name: str) -> bool:
        """`T` in `impl<T>`, `fn f<T>`, `struct S<T>`, `trait Tr<T>`: a type parameter, local."""
        n = node if node.type == "token_tree" else node.parent
        while n is not None and not _is_module_body(n):
            if n.type == "token_tree":
                branch = self._branch(n)
                if branch is not None:
                    inner, at, invocation = branch
                    return inner.generic_param(at, name) or self.generic_param(invocation, name)
                while n.parent is not None and n.parent.type == "token_tree":
                    n = n.parent
            params = n.child_by_field_name("type_parameters") if n.type in GENERIC_ITEMS else None
            if params is not None:
                for p in params.named_children:
                    ident = p.child_by_field_name("name") or (p.named_children[0] if p.named_child_count else None)
                    if ident is not None and self.text(ident) == name:
                        return True
            n = n.parent
        return False

    def _resolve(self, segs, is_global: bool, scopes: List[BlockScope], module: ModRef, depth: int) -> list:
        if not segs:
            return []
        if depth > MAX_DEPTH:
            return [Unresolved("resolution nested too deeply")]
        if is_global or segs[0] in ("crate", "self", "super"):
            return self.mres.resolve_from(module, segs, is_global)
        if segs[0] == "Self":
            return (scopes[0].owner if scopes else self)._self_type(scopes[0].node if scopes else None, module, segs[1:], depth)
        for i, scope in enumerate(scopes):
            bound = scope.names.get(segs[0])
            if bound is LOCAL:
                return [Local(module, segs[0], "block", segs[1:])]
            if bound:
                out = []
                for target, target_global in bound:
                    # a block's `use` resolves from the same block outward, never through itself
                    inner = self._resolve(target, target_global, scopes[i + 1:] if target[0] == segs[0] else scopes[i:], module, depth + 1)
                    out.extend(self.mres.extend(_imported(r), segs[1:], depth) for r in inner)
                return sorted({r for rs in out for r in rs}, key=repr)
            if scope.globs:
                out = set(self._resolve(segs, False, scopes[i + 1:], module, depth + 1))
                for target, target_global in scope.globs:
                    for r in self._resolve(target, target_global, scopes[i + 1:], module, depth + 1):
                        if isinstance(r, External):
                            out.add(External(self.mres.canon(r.path.split("::") + list(segs)), True, r.indirect))
                        elif isinstance(r, (Module, Pending)):  # a glob of another file's module: the link stage walks it
                            out.update(self.mres.extend(r, tuple(segs), depth))
                return sorted(out, key=repr)
        return self.mres.resolve_from(module, segs, False)

    def _self_type(self, node, module: ModRef, rest, depth: int) -> list:
        """`Self::x` inside an impl: the impl's type; inside a trait, an associated item (local)."""
        while node is not None and node.type not in ("impl_item", "trait_item"):
            node = node.parent
        if node is not None and node.type == "trait_item":
            return [Local(module, "Self", "trait-self", tuple(rest))]
        target = node.child_by_field_name("type") if node is not None else None
        found = items.type_of(target, self.text) if target is not None else None
        if found is None:
            return [Unresolved("`Self` outside an impl")]
        return [r2 for r in self._resolve(tuple(found["p"]), found["g"], [], module, depth + 1) for r2 in self.mres.extend(r, tuple(rest), depth)]

    def shadowed_by_local(self, node, name: str) -> bool:
        """A single-segment value reference that a `let`, parameter or pattern binds is not the import."""
        n, child = node.parent, node
        while n is not None:
            t = n.type
            if t in ("function_item", "closure_expression"):
                params = n.child_by_field_name("parameters")
                if params is not None and _binds(params, name, self.text):
                    return True
                if t == "function_item":
                    return False
            elif t == "block":
                for stmt in n.named_children:
                    if stmt.start_byte >= child.start_byte:
                        break
                    if stmt.type == "let_declaration":
                        pattern = stmt.child_by_field_name("pattern")
                        if pattern is not None and _binds(pattern, name, self.text):
                            return True
            elif t in ("match_arm", "for_expression", "if_expression", "while_expression"):
                for field in ("pattern", "condition"):
                    sub = n.child_by_field_name(field)
                    if sub is not None and sub.id != child.id and sub.type in ("match_pattern", "let_condition", "let_chain", "identifier", "tuple_pattern") and _binds(sub, name, self.text):
                        return True
            n, child = n.parent, n
        return False


def _binds(pattern, name: str, text) -> bool:
    stack = [pattern]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) == name:
            parent = n.parent
            if parent is None or parent.type not in PATH:
                return True
        if n.type in ("type_identifier", "scoped_identifier", "scoped_type_identifier", "call_expression"):
            continue
        stack.extend(n.named_children)
    return False


ANY_IDENT = re.compile(rb"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*")


EXTERN_ALIAS_RE = re.compile(rb"\bextern\s+crate\s+([A-Za-z_][A-Za-z0-9_]*)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)")


def local_hot_words(source: bytes, rules, reexports, sketched=None) -> set:
    """Names this file's own `use` / `type` / `extern crate` bind to paths the rules ban
    (`sketched`: the file's sketch, when the index already made it)."""
    from dstcheck.rust import sketch, workspace

    hot = workspace.hot_words({"": sketched or sketch.sketch(source)}, workspace._banned(rules, include_direct=True), reexports)
    words = set(hot.words) | set(hot.local_words.get("", {}))
    for spellings in (hot.spellings, hot.local_spellings.get("", {})):
        words.update(w for spelling in spellings for w in spelling)
    return words


def extern_aliases(source: bytes, banned) -> set:
    """`extern crate rand as r;`: `r` can start a banned path."""
    roots = {b.split("::")[0] for b in banned}
    return {m.group(2).decode() for m in EXTERN_ALIAS_RE.finditer(source) if m.group(1).decode() in roots}


def _is_binding_position(node) -> bool:
    parent = node.parent
    if parent is None:
        return True
    for field in ("name", "pattern", "alias", "field", "label"):
        child = parent.child_by_field_name(field)
        if child is not None and child.id == node.id:
            return not (field == "pattern" and parent.type == "match_pattern")
    return parent.type.endswith("_pattern") and parent.type != "match_pattern" or parent.type in BINDING_PARENTS


def _first_tokens(token_tree, text, count: int = 4) -> Tuple[str, ...]:
    out = []
    for child in token_tree.children[1:-1]:
        if child.type in ("line_comment", "block_comment"):
            continue
        out.append(text(child))
        if len(out) == count:
            break
    return tuple(out)


TEXT_MACROS = ("stringify",)  # their tokens become a string: nothing in them runs


def under_attribute(node) -> bool:
    """Tokens of an attribute, or of a macro that only turns them into text."""
    n = node.parent
    while n is not None and n.type == "token_tree":
        n = n.parent
    if n is not None and n.type == "macro_invocation":
        name = n.child_by_field_name("macro")
        return name is not None and name.type == "identifier" and name.text.decode() in TEXT_MACROS
    return n is not None and n.type in ("attribute", "attribute_item", "inner_attribute_item")


def _imported(result):
    if isinstance(result, External):
        return External(result.path, True, result.indirect)
    return result


def make_fact(kind: str, results: list, start: int, end: int, handle, **extra) -> Optional[Fact]:
    """A Fact from resolution results; None when the path names nothing that could matter."""
    external = [r for r in results if isinstance(r, External)]
    pending = tuple(sorted({r for r in results if isinstance(r, Pending)}, key=repr))
    unresolved = any(isinstance(r, Unresolved) for r in results)
    if not external and not pending and not unresolved:
        return None
    return Fact(
        kind,
        tuple(sorted({r.path for r in external})),
        start,
        end,
        handle,
        imported=tuple(sorted({r.path for r in external if r.imported})),
        indirect=tuple(sorted({r.path for r in external if r.indirect})),
        pending=pending,
        unresolved=unresolved,
        **extra,
    )


class FactCollector:
    def __init__(self, parsed: ParsedRust, resolver: Resolver, want_use: bool):
        self.parsed = parsed
        self.resolver = resolver
        self.text = parsed.text
        self.want_use = want_use
        self.facts: List[Fact] = []
        self._seen = set()

    def _add(self, kind: str, results: list, start: int, end: int, handle, **extra) -> None:
        fact = make_fact(kind, results, start, end, handle, **extra)
        if fact is not None:
            self.facts.append(fact)

    def collect(self, words=None, every_identifier: bool = False) -> List[Fact]:
        """Facts at every occurrence of a candidate word (or of every identifier)."""
        root = self.parsed.root
        source = self.parsed.source
        if every_identifier:
            hits = [(m.start(), m.end()) for m in ANY_IDENT.finditer(source)]
        else:
            present = words_of(source)
            hits = sorted((i, i + len(w)) for w in {w.encode() for w in words} & present for i in word_positions(source, w))
        for start, end in hits:
            node = root.descendant_for_byte_range(start, end)
            if node is None or node.type not in IDENT or node.start_byte != start or node.end_byte != end:
                continue
            parent = node.parent
            if parent is None:
                continue
            if parent.type == "token_tree":
                self._token_path(node, parent)
            else:
                self._tree_path(node)
        return self.facts

    def _tree_path(self, node) -> None:
        top = node
        while top.parent is not None:
            p = top.parent
            if p.type in PATH or (p.type in ("generic_type", "generic_type_with_turbofish") and p.child_by_field_name("type") is not None and p.child_by_field_name("type").id == top.id):
                top = p
            elif p.type == "qualified_type" and _field_is(p, "alias", top) and p.parent is not None and p.parent.type == "bracketed_type":
                top = p  # `<T as rand::SeedableRng>::from_entropy`: the trait's path goes on past the brackets
            elif p.type == "bracketed_type" and getattr(items.bracketed_path(p), "id", None) in (top.id, getattr(top.child_by_field_name("alias"), "id", -1)) and p.parent is not None and p.parent.type in PATH and _field_is(p.parent, "path", p):
                top = p  # `<std::time::Instant>::now`: the path goes on past the brackets
            else:
                break
        if top.id in self._seen:
            return
        self._seen.add(top.id)
        parent = top.parent
        if parent.type in ("attribute",) or parent.type in ("use_declaration", "use_list", "scoped_use_list", "use_as_clause", "use_wildcard"):
            if parent.type != "attribute":
                self._use_declaration(top)
            return
        if top.type in IDENT and _is_binding_position(top):
            return
        seg = segments(top, self.text)
        if seg is None:
            return
        segs, is_global = seg
        if len(segs) == 1 and not is_global and top.type == "identifier" and self.resolver.shadowed_by_local(top, segs[0]):
            return
        results = self.resolver.resolve(segs, is_global, top)
        if parent.type == "macro_invocation" and _field_is(parent, "macro", top):
            tree = next((c for c in parent.children if c.type == "token_tree"), None)
            first = _first_tokens(tree, self.text) if tree is not None else ()
            self._add("macro", results, parent.start_byte, parent.end_byte, parent, first_tokens=first)
            return
        if parent.type == "field_expression" and _field_is(parent, "value", top):
            call = parent.parent
            field = parent.child_by_field_name("field")
            if call is not None and call.type == "call_expression" and _field_is(call, "function", parent) and field is not None:
                self._add("method", results, call.start_byte, call.end_byte, call, method=self.text(field))
        if parent.type == "call_expression" and _field_is(parent, "function", top):
            self._add("ref", results, parent.start_byte, parent.end_byte, parent)
        else:
            self._add("ref", results, top.start_byte, top.end_byte, top)

    def _use_declaration(self, node) -> None:
        if not self.want_use:
            return
        decl = node
        while decl is not None and decl.type != "use_declaration":
            decl = decl.parent
        if decl is None or decl.id in self._seen:
            return
        self._seen.add(decl.id)
        for leaf, _, segs, is_global, _ in items.use_leaves(decl.child_by_field_name("argument"), self.text):
            if segs:
                # the use's own path, resolved from where the use stands (not through itself)
                results = self.resolver.resolve(segs, is_global, decl)
                self._add("use", results, leaf.start_byte, leaf.end_byte, leaf)

    def _token_path(self, node, tree) -> None:
        """A path spelled as loose tokens inside a macro's token tree."""
        if under_attribute(node):
            return
        children = tree.children
        idx = next(i for i, c in enumerate(children) if c.id == node.id)
        i = idx
        while i >= 2 and children[i - 1].type == "::" and children[i - 2].type in IDENT:
            i -= 2
        key = (tree.id, i)
        if key in self._seen:
            return
        self._seen.add(key)
        if i >= 1 and children[i - 1].type in (".", "let", "fn", "struct", "enum", "mod", "const", "static", "type", "trait", "$"):
            return
        is_global = i >= 1 and children[i - 1].type == "::"
        head: List[str] = []
        opening = _bracketed_before(children, i)
        if opening is not None:  # `<std::time::Instant>::now()` in a macro's tokens
            inner = children[opening + 1:i - 2]
            is_global = inner[0].type == "::"
            head = [self.text(c) for c in inner if c.type != "::"]
        j = idx
        while j + 2 < len(children) and children[j + 1].type == "::" and children[j + 2].type in IDENT:
            j += 2
        after_close = j + 3
        if opening is None and after_close < len(children) and children[j + 1].type == ">" and children[j + 2].type == "::" and children[after_close].type in IDENT and _bracketed_before(children, after_close) is not None:
            self._token_path(children[after_close], tree)  # this path is the `<T>` of `<T>::f`: it goes on there
            return
        segs = head + [self.text(children[k]) for k in range(i, j + 1, 2)]
        if segs[0] == "$crate":  # a macro's own crate, wherever the macro is expanded
            segs[0] = "crate"
        results = self.resolver.resolve(segs, is_global, tree)
        start = children[opening].start_byte if opening is not None else children[i - 1].start_byte if is_global else children[i].start_byte
        end = children[j].end_byte
        nxt = children[j + 1] if j + 1 < len(children) else None
        after = children[j + 2] if j + 2 < len(children) else None
        if nxt is not None and nxt.type == "!" and after is not None and after.type == "token_tree":
            self._add("macro", results, start, after.end_byte, tree, first_tokens=_first_tokens(after, self.text))
            return
        if nxt is not None and nxt.type == "token_tree" and self.text(nxt).startswith("("):
            end = nxt.end_byte
        elif nxt is not None and nxt.type == "." and after is not None and after.type == "identifier":
            call = children[j + 3] if j + 3 < len(children) else None
            if call is not None and call.type == "token_tree" and self.text(call).startswith("("):
                self._add("method", results, start, call.end_byte, tree, method=self.text(after))
        self._add("ref", results, start, end, tree)


def traits_in_scope(resolver: "Resolver", at, names) -> list:
    """What each of `names` (a trait's last segment) resolves to at node `at`: a method of a trait
    can only be called where the trait is in scope, by its name or through a glob (a block's or
    the module's `use`, a Cargo rename, a re-export the index finishes: `Pending`). A name that
    nothing binds is a local or prelude name, not the trait; it is left out."""
    out = []
    for name in names:
        out.extend(r for r in resolver.resolve((name,), False, at) if not isinstance(r, Local))
    if not words_of(resolver.parsed.source).isdisjoint(n.encode() for n in names):
        out.extend(_renamed_imports(resolver, at, names))
    return out


def _renamed_imports(resolver: "Resolver", at, names) -> list:
    """What the `use` declarations of the blocks around `at` and of its module resolve to, for
    those that import one of `names` under another name: `use rayon::iter::ParallelBridge as _;`
    (which binds no name, yet puts the trait in scope) or `.. as Bridge;`. A `use` whose cfg is
    false under the DST profile imports nothing."""
    out = []
    n = at if at.type == "token_tree" else at.parent
    while n is not None:
        top = _is_module_body(n)
        if n.type == "block" or top:
            for statement in n.named_children:
                if statement.type != "use_declaration":
                    continue
                if any(kind == "cfg" and cfg.classify(value, resolver.finder.profile) == "gated" for kind, value in resolver.finder.attributes(statement)):
                    continue
                for _, name, segs, is_global, is_glob in items.use_leaves(statement.child_by_field_name("argument"), resolver.text):
                    if is_glob or not segs or segs[-1] not in names or name == segs[-1]:
                        continue
                    out.extend(r for r in resolver.resolve(tuple(segs), is_global, statement) if not isinstance(r, Local))
        if top:
            break
        n = n.parent
    return out


def method_call(node, text):
    """(handle, start, end) when `node` is the method name of a call `recv.name(..)` (also
    `recv.name::<T>(..)`), in the syntax tree or among a macro's tokens; else None."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "token_tree":
        children = parent.children
        idx = next(i for i, c in enumerate(children) if c.id == node.id)
        if idx < 1 or children[idx - 1].type != ".":
            return None
        after = children[idx + 1] if idx + 1 < len(children) else None
        if after is not None and after.type == "token_tree" and text(after).startswith("("):
            return parent, node.start_byte, after.end_byte
        return None
    if parent.type != "field_expression" or not _field_is(parent, "field", node):
        return None
    call, function = parent.parent, parent
    if call is not None and call.type == "generic_function" and _field_is(call, "function", parent):
        call, function = call.parent, call
    if call is None or call.type != "call_expression" or not _field_is(call, "function", function):
        return None
    return call, call.start_byte, call.end_byte


def _bracketed_before(children, i: int) -> Optional[int]:
    """The index of the `<` of `<a::b::T>::` right before token `i`, when the brackets hold a
    plain path and open a path of their own (not `<T as Trait>`, not `Vec::<T>::` generics)."""
    k = i - 3
    if k < 1 or children[i - 1].type != "::" or children[i - 2].type != ">" or children[k].type not in IDENT:
        return None
    k -= 1
    while k >= 1 and children[k].type == "::" and children[k - 1].type in IDENT:
        k -= 2
    if k >= 0 and children[k].type == "::":
        k -= 1
    if k < 0 or children[k].type != "<":
        return None
    if k >= 1 and (children[k - 1].type in IDENT or children[k - 1].type in ("::", ">")):
        return None  # `Vec::<T>::new`, `Foo<T>::f`: generic arguments, not a qualified self type
    return k


def _field_is(parent, field: str, node) -> bool:
    child = parent.child_by_field_name(field)
    return child is not None and child.id == node.id
