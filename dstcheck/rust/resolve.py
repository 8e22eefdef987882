"""Resolve stage for Rust: turn candidate tokens into Facts with fully qualified paths.

Candidates are located by a byte regex (the segments of every path the active rules name, plus
every `as` alias in the file) and confirmed on the syntax tree, so strings, comments and
attributes never produce a Fact and files need no full tree walk. Names resolve through the
`use` declarations, local items and globs of the blocks and module that enclose the reference,
the way rustc resolves them; `super::*` follows the parent module.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from dstcheck.model import Fact
from dstcheck.stages.prefilter import word_positions
from dstcheck.rust.parse import ParsedRust

IDENT = {"identifier", "type_identifier", "self", "super", "crate", "metavariable"}
PATH = {"scoped_identifier", "scoped_type_identifier"}
ITEM_DEFS = {
    "struct_item", "enum_item", "union_item", "type_item", "trait_item", "function_item",
    "function_signature_item", "const_item", "static_item", "mod_item", "macro_definition",
}
BINDING_PARENTS = {"parameter", "closure_parameters", "field_pattern", "let_condition", "for_expression"}
LOCAL = "local"


def segments(node, text) -> Optional[Tuple[List[str], bool]]:
    """The path a node spells, and whether it starts with `::`. None when it is not a plain path."""
    t = node.type
    if t in IDENT or t == "primitive_type":
        return [text(node)], False
    if t in PATH:
        path = node.child_by_field_name("path")
        name = node.child_by_field_name("name")
        if name is None:
            return None
        if path is None:
            return [text(name)], node.child_count > 0 and node.children[0].type == "::"
        inner = segments(path, text)
        if inner is None:
            return None
        return inner[0] + [text(name)], inner[1]
    if t in ("generic_type", "generic_type_with_turbofish"):
        inner = node.child_by_field_name("type")
        return segments(inner, text) if inner is not None else None
    return None


class Scope:
    __slots__ = ("names", "globs", "module", "node")

    def __init__(self, node, module: bool):
        self.node = node
        self.module = module
        self.names: Dict[str, object] = {}  # name -> LOCAL or (segments, global)
        self.globs: List[Tuple[List[str], bool]] = []


class Resolver:
    def __init__(self, parsed: ParsedRust, reexports: Dict[str, str]):
        self.parsed = parsed
        self.text = parsed.text
        self.reexports = sorted(reexports.items(), key=lambda kv: -len(kv[0]))
        self._scopes: Dict[int, Scope] = {}

    # -- scopes ---------------------------------------------------------------------------
    def scope(self, node) -> Scope:
        cached = self._scopes.get(node.id)
        if cached is not None:
            return cached
        module = node.type == "source_file" or (node.type == "declaration_list" and node.parent is not None and node.parent.type == "mod_item")
        scope = Scope(node, module)
        for child in node.named_children:
            t = child.type
            if t == "use_declaration":
                argument = child.child_by_field_name("argument")
                if argument is not None:
                    self._use_tree(argument, [], False, scope)
            elif t == "extern_crate_declaration":
                name = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if name is not None:
                    scope.names[self.text(alias or name)] = ([self.text(name)], True)
            elif t in ITEM_DEFS:
                name = child.child_by_field_name("name")
                if name is not None:
                    scope.names.setdefault(self.text(name), LOCAL)
        self._scopes[node.id] = scope
        return scope

    def _use_tree(self, node, prefix: List[str], glob: bool, scope: Scope) -> None:
        t = node.type
        if t in IDENT or t in PATH:
            seg = segments(node, self.text)
            if seg is None:
                return
            segs, is_global = prefix + seg[0], glob or (not prefix and seg[1])
            if segs[-1] == "self":
                segs = segs[:-1]
            if segs:
                scope.names[segs[-1]] = (segs, is_global)
        elif t == "use_as_clause":
            path, alias = node.child_by_field_name("path"), node.child_by_field_name("alias")
            seg = segments(path, self.text) if path is not None else None
            if seg is None or alias is None or self.text(alias) == "_":
                return
            segs = prefix + seg[0]
            if segs and segs[-1] == "self":
                segs = segs[:-1]
            scope.names[self.text(alias)] = (segs, glob or (not prefix and seg[1]))
        elif t == "use_wildcard":
            inner = node.named_children[0] if node.named_child_count else None
            seg = segments(inner, self.text) if inner is not None else ([], False)
            if seg is not None:
                scope.globs.append((prefix + seg[0], glob or (not prefix and seg[1])))
        elif t == "scoped_use_list":
            path = node.child_by_field_name("path")
            seg = segments(path, self.text) if path is not None else ([], node.child_count > 0 and node.children[0].type == "::")
            lst = node.child_by_field_name("list")
            if seg is None or lst is None:
                return
            for child in lst.named_children:
                self._use_tree(child, prefix + seg[0], glob or (not prefix and seg[1]), scope)
        elif t == "use_list":
            for child in node.named_children:
                self._use_tree(child, prefix, glob, scope)

    def chain(self, node) -> List[Scope]:
        """Enclosing name scopes, innermost first, ending with the enclosing module."""
        out = []
        n = node.parent
        while n is not None:
            if n.type == "block" or n.type == "source_file" or (n.type == "declaration_list" and n.parent is not None and n.parent.type == "mod_item"):
                scope = self.scope(n)
                out.append(scope)
                if scope.module:
                    break
            n = n.parent
        return out

    def parent_module(self, scope: Scope) -> Optional[Scope]:
        if scope.node.type == "source_file":
            return None
        chain = self.chain(scope.node.parent)
        return chain[-1] if chain else None

    # -- resolution -----------------------------------------------------------------------
    def canon(self, segs: List[str]) -> str:
        path = "::".join(segs)
        for prefix, target in self.reexports:
            if path == prefix or path.startswith(prefix + "::"):
                return target + path[len(prefix):]
        return path

    def resolve(self, segs: List[str], is_global: bool, at, depth: int = 0, chain=None, globs: bool = True) -> List[Tuple[str, bool]]:
        """Candidate (canonical path, reached through an import) pairs for `segs` written at node
        `at`; [] when it names a local item. A glob's own path is resolved without expanding
        globs again (one level), which keeps resolution linear in the number of globs."""
        if depth > 16 or not segs:
            return []
        if is_global:
            return [(self.canon(segs), False)]
        first = segs[0]
        if first == "crate":
            return []
        chain = chain if chain is not None else self.chain(at)
        if not chain:
            return [(self.canon(segs), False)]
        if first in ("self", "super"):
            module = chain[-1]
            while segs and segs[0] in ("self", "super"):
                if segs[0] == "super":
                    module = self.parent_module(module)
                    if module is None:
                        return []
                segs = segs[1:]
            return self.in_module(module, segs, depth) if segs else []
        for scope in chain:
            binding = scope.names.get(first)
            if binding is LOCAL:
                return []
            if binding is not None:
                return self._through(binding, segs, scope, depth)
        out = []
        for scope in chain if globs else ():
            for glob_segs, glob_global in scope.globs:
                found = self.resolve(glob_segs + segs, glob_global, scope.node, depth + 1, self._chain_of(scope), globs=False)
                out.extend((path, True) for path, _ in found)
        out.append((self.canon(segs), False))  # an extern crate such as std, tokio, rand
        return sorted(set(out))

    def _chain_of(self, scope: Scope) -> List[Scope]:
        chain = self.chain(scope.node)
        return [scope] + chain if not scope.module else [scope]

    def _through(self, binding, segs: List[str], scope: Scope, depth: int) -> List[Tuple[str, bool]]:
        target, is_global = binding
        if not is_global and target and target[0] == segs[0] and len(target) > 1 and scope.names.get(target[0]) is binding:
            return [(self.canon(target + segs[1:]), True)]  # `use foo::foo;`: the first foo is the crate
        found = self.resolve(target + segs[1:], is_global, scope.node, depth + 1, self._chain_of(scope))
        return [(path, True) for path, _ in found]

    def in_module(self, module: Scope, segs: List[str], depth: int) -> List[Tuple[str, bool]]:
        binding = module.names.get(segs[0])
        if binding is LOCAL:
            return []
        if binding is not None:
            return self._through(binding, segs, module, depth)
        out = []
        for glob_segs, glob_global in module.globs:
            found = self.resolve(glob_segs + segs, glob_global, module.node, depth + 1, [module], globs=False)
            out.extend((path, True) for path, _ in found)
        return sorted(set(out))

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
                    if sub is not None and sub.id != child.id and sub.type in ("match_pattern", "let_condition", "identifier", "tuple_pattern") and _binds(sub, name, self.text):
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
USE_RE = re.compile(rb"(?<![A-Za-z0-9_])use\s")


def _related(path: str, banned) -> bool:
    return any(b == path or b.startswith(path + "::") or path.startswith(b + "::") for b in banned)


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


def _under_attribute(node) -> bool:
    n = node.parent
    while n is not None and n.type == "token_tree":
        n = n.parent
    return n is not None and n.type in ("attribute", "attribute_item", "inner_attribute_item")


class FactCollector:
    def __init__(self, parsed: ParsedRust, reexports: Dict[str, str], want_use: bool):
        self.parsed = parsed
        self.resolver = Resolver(parsed, reexports)
        self.text = parsed.text
        self.want_use = want_use
        self.facts: List[Fact] = []
        self._seen = set()

    def names_bound_to(self, banned) -> set:
        """Names that `use` declarations bind to a banned path, a module above one, or an item
        below one: references through them need not spell the banned path's own segments."""
        names = set()
        root = self.parsed.root
        for m in USE_RE.finditer(self.parsed.source):
            node = root.descendant_for_byte_range(m.start(), m.start() + 3)
            if node is None or node.parent is None or node.parent.type != "use_declaration":
                continue
            decl = node.parent
            scope = self.resolver.scope(decl.parent) if decl.parent is not None else None
            chain = self.resolver._chain_of(scope) if scope is not None else None
            leaves: List[Tuple[object, List[str], bool]] = []
            self._use_leaves(decl.child_by_field_name("argument"), [], False, leaves)
            for leaf, segs, is_global in leaves:
                if not segs or leaf.type == "use_wildcard":
                    continue
                if any(_related(p, banned) for p, _ in self.resolver.resolve(segs, is_global, leaf, 0, chain)):
                    alias = leaf.child_by_field_name("alias") if leaf.type == "use_as_clause" else None
                    names.add(self.text(alias) if alias is not None else segs[-1])
        return names

    def collect(self, words=None, every_identifier: bool = False) -> List[Fact]:
        """Facts at every occurrence of a candidate word (or of every identifier)."""
        root = self.parsed.root
        source = self.parsed.source
        if every_identifier:
            hits = [(m.start(), m.end()) for m in ANY_IDENT.finditer(source)]
        else:
            hits = sorted((i, i + len(w)) for w in {w.encode() for w in words} for i in word_positions(source, w))
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
        resolved = self.resolver.resolve(segs, is_global, top)
        if not resolved:
            return
        paths = tuple(p for p, _ in resolved)
        imported = tuple(p for p, via in resolved if via)
        if len(segs) == 1 and not is_global and top.type == "identifier" and self.resolver.shadowed_by_local(top, segs[0]):
            return
        if parent.type == "macro_invocation" and _field_is(parent, "macro", top):
            tree = next((c for c in parent.children if c.type == "token_tree"), None)
            first = _first_tokens(tree, self.text) if tree is not None else ()
            self.facts.append(Fact("macro", paths, parent.start_byte, parent.end_byte, parent, first_tokens=first, imported=imported))
            return
        if parent.type == "field_expression" and _field_is(parent, "value", top):
            call = parent.parent
            field = parent.child_by_field_name("field")
            if call is not None and call.type == "call_expression" and _field_is(call, "function", parent) and field is not None:
                self.facts.append(Fact("method", paths, call.start_byte, call.end_byte, call, method=self.text(field), imported=imported))
        if parent.type == "call_expression" and _field_is(parent, "function", top):
            self.facts.append(Fact("ref", paths, parent.start_byte, parent.end_byte, parent, imported=imported))
        else:
            self.facts.append(Fact("ref", paths, top.start_byte, top.end_byte, top, imported=imported))

    def _use_declaration(self, node) -> None:
        if not self.want_use:
            return
        decl = node
        while decl is not None and decl.type != "use_declaration":
            decl = decl.parent
        if decl is None or decl.id in self._seen:
            return
        self._seen.add(decl.id)
        scope = self.resolver.scope(decl.parent) if decl.parent is not None else None
        leaves: List[Tuple[object, List[str], bool]] = []
        self._use_leaves(decl.child_by_field_name("argument"), [], False, leaves)
        for leaf, segs, is_global in leaves:
            if not segs:
                continue
            chain = self.resolver._chain_of(scope) if scope is not None else None
            resolved = self.resolver.resolve(segs, is_global, leaf, 0, chain)
            if resolved:
                self.facts.append(Fact("use", tuple(p for p, _ in resolved), leaf.start_byte, leaf.end_byte, leaf))

    def _use_leaves(self, node, prefix, glob, out) -> None:
        if node is None:
            return
        t = node.type
        if t in IDENT or t in PATH:
            seg = segments(node, self.text)
            if seg is not None:
                segs = prefix + seg[0]
                out.append((node, segs[:-1] if segs[-1] == "self" else segs, glob or (not prefix and seg[1])))
        elif t == "use_as_clause":
            path = node.child_by_field_name("path")
            seg = segments(path, self.text) if path is not None else None
            if seg is not None:
                segs = prefix + seg[0]
                out.append((node, segs[:-1] if segs[-1] == "self" else segs, glob or (not prefix and seg[1])))
        elif t == "use_wildcard":
            inner = node.named_children[0] if node.named_child_count else None
            seg = segments(inner, self.text) if inner is not None else ([], False)
            if seg is not None:
                out.append((node, prefix + seg[0], glob or (not prefix and seg[1])))
        elif t == "scoped_use_list":
            path = node.child_by_field_name("path")
            seg = segments(path, self.text) if path is not None else ([], node.child_count > 0 and node.children[0].type == "::")
            lst = node.child_by_field_name("list")
            if seg is not None and lst is not None:
                for child in lst.named_children:
                    self._use_leaves(child, prefix + seg[0], glob or (not prefix and seg[1]), out)
        elif t == "use_list":
            for child in node.named_children:
                self._use_leaves(child, prefix, glob, out)

    def _token_path(self, node, tree) -> None:
        """A path spelled as loose tokens inside a macro's token tree."""
        if _under_attribute(node):
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
        j = idx
        while j + 2 < len(children) and children[j + 1].type == "::" and children[j + 2].type in IDENT:
            j += 2
        segs = [self.text(children[k]) for k in range(i, j + 1, 2)]
        resolved = self.resolver.resolve(segs, is_global, tree)
        if not resolved:
            return
        paths = tuple(p for p, _ in resolved)
        imported = tuple(p for p, via in resolved if via)
        start = children[i - 1].start_byte if is_global else children[i].start_byte
        end = children[j].end_byte
        nxt = children[j + 1] if j + 1 < len(children) else None
        after = children[j + 2] if j + 2 < len(children) else None
        if nxt is not None and nxt.type == "!" and after is not None and after.type == "token_tree":
            self.facts.append(Fact("macro", paths, start, after.end_byte, tree, first_tokens=_first_tokens(after, self.text), imported=imported))
            return
        if nxt is not None and nxt.type == "token_tree" and self.text(nxt).startswith("("):
            end = nxt.end_byte
        elif nxt is not None and nxt.type == "." and after is not None and after.type == "identifier":
            call = children[j + 3] if j + 3 < len(children) else None
            if call is not None and call.type == "token_tree" and self.text(call).startswith("("):
                self.facts.append(Fact("method", paths, start, call.end_byte, tree, method=self.text(after), imported=imported))
        self.facts.append(Fact("ref", paths, start, end, tree, imported=imported))


def _field_is(parent, field: str, node) -> bool:
    child = parent.child_by_field_name(field)
    return child is not None and child.id == node.id
