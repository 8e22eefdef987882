"""Rust fixes: byte-range edits computed from tree-sitter positions, re-parsed afterwards.

- `replace` (a configured replacement): the written path is rewritten and keeps its form. A path
  written in full (`std::time::Instant::now()`) becomes the full replacement; a name an import
  brought in (`Instant::now()`) becomes the replacement's name (a type's, or the item's own) and
  the import is added to the module, or an existing one reused. Where the new name is already
  used in the file for something else, the full path is written instead. An import the rewrite
  left unused in its own module or block (an item of the name, or a nested `mod`'s mention
  without `super::`, is not a use of it: `ScopedUses`) is removed: only a private one without
  attributes, and in a file with `mod x;` children only when no file below it may reach it
  (`use super::*`, `super::name`: `may_name`).
- `insert-first`: the macro matcher's `unless-first` tokens (`biased;`) start the macro body (not
  inside a `macro_rules!` definition, where it would change every expansion).
- `retype`: every reference in the file to a hash-ordered type (type, constructor, alias) becomes
  the configured type of a crate the package already depends on, and methods whose order-keeping
  form has another name (`.remove(` -> `.shift_remove(`) are renamed, and `.drain()` given its
  range, on receivers this file's own declarations prove to be of that type; std's entry and
  iterator types (`hash_map::Entry`) follow the collection (`indexmap::map::Entry`). Where such a
  call is on a receiver the file cannot type but that is named like one of the type's values (or
  is an entry's `remove()`), or the entry types cannot be followed, the file is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, NamedTuple, Optional, Set, Tuple

from dstcheck.fix.text import Edit, Lines, apply, overlap, span
from dstcheck.rust import items, parse

IDENT = re.compile(rb"(?:r#)?[A-Za-z_][A-Za-z0-9_]*")
ROOTS = ("crate", "self", "super")
NAME_LEAVES = ("identifier", "type_identifier")
# The entry and iterator types of a retyped std collection, and where indexmap keeps its own
# (`<crate>::map::Entry`, same generic parameters): references to them are rewritten with the
# collection. Another collection's (hashbrown's take a hasher parameter) refuse the fix.
MAP_ITEMS = frozenset({"Entry", "OccupiedEntry", "VacantEntry", "Iter", "IterMut", "Keys", "Values", "ValuesMut", "IntoIter", "IntoKeys", "IntoValues", "Drain"})
SET_ITEMS = frozenset({"Iter", "IntoIter", "Drain", "Difference", "Intersection", "SymmetricDifference", "Union"})
COMPANIONS = {
    "std::collections::HashMap": ("std::collections::hash_map", "map", MAP_ITEMS),
    "std::collections::HashSet": ("std::collections::hash_set", "set", SET_ITEMS),
}
FOREIGN_COMPANIONS = ("hashbrown::hash_map", "hashbrown::hash_set")
RETYPABLE = frozenset({
    "std::collections::HashMap", "std::collections::HashSet", "hashbrown::HashMap", "hashbrown::HashSet",
    "ahash::AHashMap", "ahash::AHashSet", "ahash::HashMap", "ahash::HashSet",
})
# Methods through which a map or set gives back itself (or a reference to itself): what any other
# method of one returns is not that collection (an iterator, a view, an option).
SELF_RETURNING = frozenset({"clone", "to_owned", "borrow", "borrow_mut", "as_ref", "as_mut", "deref", "deref_mut"})
# Items whose `name` defines that name (in the module or block they are written in, or in their
# enum, impl or trait): a definition is not a use of an import of the name.
DEFINERS = ("function_item", "function_signature_item", "struct_item", "enum_item", "union_item", "type_item", "trait_item", "const_item", "static_item", "mod_item", "macro_definition", "enum_variant", "associated_type")
# Declarations whose names a value of a type they spell is bound to.
BINDERS = ("field_declaration", "parameter", "let_declaration", "static_item", "const_item", "function_item", "function_signature_item", "tuple_struct_pattern", "struct_pattern", "closure_parameters")


@dataclass
class Plan:
    """One fix's edits: its own, the `use` lines it needs, and names whose import it may free."""

    edits: List[Edit] = field(default_factory=list)
    imports: List[Edit] = field(default_factory=list)
    released: Set[str] = field(default_factory=set)


class Segment(NamedTuple):
    name: str
    start: int  # the first segment's includes a leading `::`
    end: int


def _skip_ws(source: bytes, pos: int) -> int:
    while pos < len(source) and source[pos:pos + 1] in b" \t\r\n":
        pos += 1
    return pos


_GAP = re.compile(rb"(?:\s+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*")


def _skip_gap(source: bytes, pos: int) -> int:
    """Past whitespace and comments (not nested block comments: those end the gap early)."""
    return _GAP.match(source, pos).end()


def _before(source: bytes, at: int, count: int = 2) -> bytes:
    """The `count` bytes before offset `at`, whitespace skipped."""
    while at > 0 and source[at - 1:at] in b" \t\r\n":
        at -= 1
    return source[max(0, at - count):at]


def _bare(name: str) -> str:
    return name[2:] if name.startswith("r#") else name


def read_path(source: bytes, at: int) -> Tuple[List[Segment], bool]:
    """The path written at byte `at` (`::a::b::c`), segment by segment; stops before `::<`."""
    pos, is_global = at, False
    if source.startswith(b"::", pos):
        is_global, pos = True, _skip_gap(source, pos + 2)
    segments: List[Segment] = []
    while True:
        m = IDENT.match(source, pos)
        if m is None:
            break
        segments.append(Segment(m.group().decode(), at if not segments else m.start(), m.end()))
        after = _skip_gap(source, m.end())  # a comment between segments is still one path
        if source.startswith(b"::", after) and IDENT.match(source, _skip_gap(source, after + 2)):
            pos = _skip_gap(source, after + 2)
            continue
        break
    return segments, is_global


def path_start(source: bytes, ident: int) -> int:
    """Where the path that ends with the identifier at `ident` starts (`std::a::B` for `B`)."""
    start = ident
    while True:
        i = start
        while i > 0 and source[i - 1:i] in b" \t\r\n":
            i -= 1
        if i < 2 or source[i - 2:i] != b"::":
            return start
        j = i - 2
        while j > 0 and source[j - 1:j] in b" \t\r\n":
            j -= 1
        k = j
        while k > 0 and (source[k - 1:k].isalnum() or source[k - 1:k] in b"_#"):
            k -= 1
        if k == j:  # `::` with nothing before it: a global path, unless it follows generics
            return i - 2 if source[j - 1:j] not in b">" else start
        start = k


def import_unit(path: List[str]) -> Tuple[List[str], List[str]]:
    """What to import for a path and how to name it then: a type (the first segment that starts
    with a capital) and what follows it, else the item itself (`crate::sim::time::now` -> `now`)."""
    for i, seg in enumerate(path[1:], 1):
        if seg[:1].isupper():
            return path[: i + 1], path[i:]
    return path, path[-1:]


class RustFixer:
    """Plans and renders the fixes of one file. `context` is the fix run (config, scan)."""

    language = "rust"

    def __init__(self, path: str, source: bytes, context):
        self.path = path
        self.source = source
        self.context = context
        self.parsed = parse.parse(source)
        self.lines = Lines(source, "rust")
        self.broken = parse.first_error(self.parsed) is not None
        self._names = None
        self._typing = None
        self._retypes: Dict[Tuple[str, str], object] = {}
        self._importing: Dict[Tuple[int, str], List[str]] = {}  # (module body, name) -> what a planned `use` imports

    # -- planning --------------------------------------------------------------------------------
    def plan(self, candidate):
        """A Plan for a candidate fix, or the reason it does not apply here."""
        where = span(self.lines, candidate.site)
        if where is None:
            return "the file changed since it was checked"
        if candidate.kind == "replace":
            replacement = candidate.params["replacement"]
            if replacement.startswith("crate::") and self._own_crate_root():
                return f"`crate` in {self.path} is not the crate `{replacement}` is written for (a binary, example, test or bench is a crate of its own): name the library's path instead"
            return self._replace(where[0], candidate.site.api, candidate.params["path"], replacement)
        if candidate.kind == "insert-first":
            return self._insert_first(where, candidate)
        if candidate.kind == "retype":
            return self._retype(where, candidate)
        return f"no Rust fix of kind {candidate.kind}"

    def _own_crate_root(self) -> bool:
        """Whether the file is in a crate of its own beside the package's library (a binary, an
        example, a test or a bench), where `crate::` names that crate, not the library."""
        typing = self._typing_context()
        if typing.workspace is None:
            return False
        if typing.module.crate.startswith("file:"):  # outside its package's module tree, if it has one
            return typing.workspace.crate_of(self.path) is not None
        crate = typing.workspace.crates.get(typing.module.crate)
        return crate is not None and crate.package is not None

    def conflicts(self, plan: Plan, other: Plan) -> bool:
        return plan is not other and any(overlap(a, b) for a in plan.edits for b in other.edits)

    def _replace(self, start: int, api: str, entry: str, replacement: str, plan: Optional[Plan] = None, length: Optional[int] = None):
        """Rewrite the path written at `start` (its first `length` segments), which means `api`,
        where it spells `entry`, to `replacement`."""
        node = self.parsed.root.descendant_for_byte_range(start, start + 1)
        if _ancestor(node, "use_list") is not None:
            return "the path is inside a `use` group"
        written, is_global = read_path(self.source, start)
        written = written[:length] if length is not None else written
        if not written:
            return "no path is written at the site"
        if self.source[_skip_ws(self.source, written[-1].end):][:1] in (b".", b"?"):
            return "the site is a method call on a value, not a path"
        if re.search(rb"//|/\*", self.source[written[0].start:written[-1].end]):
            return "a comment is written inside the path"
        names = [_bare(s.name) for s in written]
        matched, banned = api.split("::"), entry.split("::")
        tail = matched[len(banned):]
        new = replacement.lstrip(":").split("::")
        cut = len(written) - len(tail)
        if cut >= 1 and names[cut:] == tail:
            spelled = len(banned)
        else:
            cut, new, spelled = len(written), new + tail, len(banned) + len(tail)
        in_use = _ancestor(node, "use_declaration") is not None
        plan = plan or Plan()
        first, last = written[0], written[cut - 1]
        text = ("::" if (is_global or replacement.startswith("::")) and new[0] not in ROOTS else "") + "::".join(new)
        if not (is_global or cut >= spelled or in_use):
            unit, reference = import_unit(new)
            scope = _scope(node)
            if self._imported(scope, unit):
                text = "::".join(reference)
            elif not self._taken(unit[-1]) and self._importing.setdefault((scope.id, unit[-1]), unit) == unit:
                where = self._import_point(scope)
                if where is None:
                    return "no place in the module for a `use`"
                at, before, after = where
                plan.imports.append(Edit(at, at, before + b"use " + "::".join(unit).encode() + b";" + after))
                text = "::".join(reference)
        plan.edits.append(Edit(first.start, last.end, text.encode()))
        if names[0] not in ROOTS and not is_global:
            plan.released.add(names[0])
        return plan

    def _insert_first(self, where, candidate):
        start, _ = where
        node = self.parsed.root.descendant_for_byte_range(start, start + 1)
        if _ancestor(node, "macro_definition") is not None:
            return f"the `{candidate.site.api}!` is inside a `macro_rules!` definition: a fix there would change every expansion"
        while node is not None and not (node.type == "macro_invocation" and node.start_byte == start):
            node = node.parent
        body = next((c for c in reversed(node.children) if c.type == "token_tree"), None) if node is not None else self._nested_body(start)
        if body is None or body.child_count < 3:
            return "the macro has no body to insert into"
        tokens = next(
            (m.params["unless-first"] for m in candidate.rule.matchers if m.kind == "macro" and candidate.site.api in m.params.get("macros", ()) and m.params.get("unless-first")),
            None,
        )
        if tokens is None:
            return "the macro takes no required first tokens"
        text = " ".join(tokens).replace(" ;", ";").replace(" ,", ",").encode()
        opening, first = body.children[0], body.children[1]
        line = self.lines.line_of(first.start_byte)
        if line != self.lines.line_of(opening.end_byte):
            insert = self.lines.newline(line - 1) + self.lines.indent(line) + text
        elif self.source[opening.end_byte:opening.end_byte + 1] in (b" ", b"\t"):
            insert = b" " + text  # `{ x` -> `{ biased; x`
        else:
            insert = text + b" "  # `(x` -> `(biased; x`
        return Plan(edits=[Edit(opening.end_byte, opening.end_byte, insert)])

    def _nested_body(self, start: int):
        """The body of a macro call written inside another macro's arguments (`join!(async {
        tokio::select! { .. } })`), which the parser leaves as tokens: the bracketed group after
        the path and its `!`."""
        path = re.match(rb"(?:::)?[A-Za-z_][A-Za-z0-9_]*(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)*\s*!\s*", self.source[start:start + 512])
        if path is None:
            return None
        at = start + path.end()
        node = self.parsed.root.descendant_for_byte_range(at, at + 1)
        while node is not None and not (node.type == "token_tree" and node.start_byte == at):
            node = node.parent
        return node

    # -- imports ---------------------------------------------------------------------------------
    def _imported(self, scope, unit: List[str]) -> bool:
        """Whether the module already has `use <unit>;` (possibly inside a group)."""
        for child in scope.named_children:
            if child.type == "use_declaration":
                for _, name, segs, _, glob in items.use_leaves(child.child_by_field_name("argument"), self.parsed.text):
                    if not glob and name == unit[-1] and [_bare(s) for s in segs] == unit:
                        return True
        return False

    def _taken(self, name: str) -> bool:
        """Whether a `use` would clash with (or shadow) something the file already names so."""
        bare, bound = self._name_uses()
        return name in bare or name in bound

    def _name_uses(self):
        """(names used bare in code, names bound by `use`) over the whole file (cached)."""
        if self._names is None:
            self._names = name_uses(self.parsed)
        return self._names

    def _import_point(self, scope) -> Optional[Tuple[int, bytes, bytes]]:
        """(offset, text before, text after) for a new `use` line in a module body."""
        children = scope.named_children
        uses = [c for c in children if c.type == "use_declaration"]
        if uses:
            # The new line goes after the last `use`'s line, and after whatever starts on that
            # line and ends below it (a block comment, an item): a `use` written inside one would
            # be commented out, or scoped to that item's body. Where the module's closing brace is
            # on that line (`mod m { use a::B; fn f() {} }`), it goes right before what follows
            # the last `use` instead, inside the module.
            last = uses[-1]
            line = self.lines.line_of(last.end_byte)
            every = scope.children
            after = every[[c.id for c in every].index(last.id) + 1:]
            for child in after:
                if self.lines.line_of(child.start_byte) > line:
                    break
                line = max(line, self.lines.line_of(max(child.start_byte, child.end_byte - 1)))
            closing = every[-1] if scope.type == "declaration_list" and every and every[-1].type == "}" else None
            if closing is not None and self.lines.line_of(closing.start_byte) <= line:
                at = after[0].start_byte
                return at, b"" if self.source[at - 1:at] in (b" ", b"\t") else b" ", b" "
            first_line = self.lines.line_of(last.start_byte)
            return self.lines.ends[line - 1], self.lines.newline(line) + self.lines.indent(first_line), b""
        firsts = [c for c in children if c.type != "inner_attribute_item" and not _inner_doc(c, self.parsed.text)]
        first = next((c for c in firsts if c.type not in ("line_comment", "block_comment")), None)
        if first is None:
            return None
        index = children.index(first)
        while index > 0 and children[index - 1].type in ("line_comment", "block_comment") and not _inner_doc(children[index - 1], self.parsed.text):
            above = children[index - 1]
            if self.lines.line_of(above.end_byte) + 1 < self.lines.line_of(children[index].start_byte):
                break
            index -= 1
        line = self.lines.line_of(children[index].start_byte)
        newline = self.lines.newline(line)
        if index > 0 and children[index - 1].end_byte > self.lines.starts[line - 1]:
            # an inner attribute ends on the first item's line (`#![allow(x)] fn f() {}`), and
            # must stay before every item: the `use` follows it on a line of its own
            return children[index - 1].end_byte, newline + self.lines.indent(line), b""
        at = self.lines.starts[line - 1]
        if at == 0 and self.source.startswith(b"\xef\xbb\xbf"):
            at = 3  # a byte-order mark stays first
        return at, self.lines.indent(line), newline + newline

    # -- retype ----------------------------------------------------------------------------------
    def _retype(self, where, candidate):
        types, crate = candidate.params["types"], candidate.params["crate"]
        api = candidate.site.api
        old = max((t for t in types if api == t or api.startswith(t + "::")), key=len, default=None)
        if old is None:
            return f"no order-keeping type is configured for `{api}`"
        typing = self._typing_context()
        code_name = typing.dependency(crate)
        if code_name is None:
            return f"the crate does not depend on {crate}"
        if candidate.rule.id in typing.accepted_rules(old):
            return f"a `{old}` in this file is accepted (dst-ok or allowlist), so the file keeps the type"
        for pattern, what, owner, feature, used in INTEGRATIONS if crate == "indexmap" else ():
            if pattern.search(self.source) and typing.dependency(used) is not None and feature not in typing.features(owner):
                whose = f"{owner}'" if owner.endswith("s") else f"{owner}'s"
                return f"{what} in this file would need {whose} `{feature}` feature, which the crate's Cargo.toml does not turn on"
        if any(m.kind == "hash-iteration" for m in candidate.rule.matchers):
            proven = typing.receiver_type(self._receiver(where[0]))
            if proven != old:
                return "the iterated value's type is not declared in this file"
        key = (old, code_name)
        if key not in self._retypes:
            new = code_name + types[old][len(crate):]
            self._retypes[key] = self._retype_plan(old, new, candidate.params.get("methods", {}), typing)
        return self._retypes[key]

    def _receiver(self, start: int):
        node = self.parsed.root.descendant_for_byte_range(start, start + 1)
        if node.type == "field_identifier" and node.parent is not None and node.parent.type == "field_expression":
            return node.parent.child_by_field_name("value")
        while node.parent is not None and node.parent.type != "for_expression":
            node = node.parent
        while node is not None and node.type in ("reference_expression", "parenthesized_expression"):
            node = node.child_by_field_name("value") or (node.named_children[-1] if node.named_child_count else None)
        return node

    def _retype_plan(self, old: str, new: str, methods: Dict[str, str], typing):
        plan = Plan()
        last = old.rsplit("::", 1)[-1]
        aliases = {last}
        for _, name, segs, _, glob in typing.use_leaves():
            if not glob and name and typing.canon(segs) == old:
                aliases.add(name)
        in_macro = self._call_in_macro(set(methods) | {"drain"})
        if in_macro is not None:
            return in_macro
        for leaf, start, upto, is_global, written, resolved in self._written_paths(lambda t: _bare(t) in aliases, typing):
            if resolved is None:
                return f"cannot tell what `{self.parsed.text(leaf)}` on line {self.lines.line_of(leaf.start_byte)} refers to"
            if resolved != old:
                continue
            found = self._replace(start, old, old, new, plan, len(upto))
            if isinstance(found, str):
                return found
            after = written[len(upto)] if len(written) > len(upto) else None  # `HashMap::remove(&mut m, k)`
            if after is not None and after.name in methods:
                plan.edits.append(Edit(after.start + self.source[after.start:after.end].find(after.name.encode()), after.end, methods[after.name].encode()))
            elif after is not None and after.name == "drain":
                return f"`{self.parsed.text(leaf)}::drain` on line {self.lines.line_of(leaf.start_byte)} takes no range; an `{new.rsplit('::', 1)[-1]}`'s does"
        companions = self._companions(old, new, plan, typing)
        if isinstance(companions, str):
            return companions
        entries = self._entry_bindings(companions)
        refused = self._retype_calls(old, new, methods, plan, typing, entries, companions)
        return refused if refused is not None else plan

    def _written_paths(self, wanted, typing):
        """(name leaf, path start, path segments up to it, leading `::`?, resolved path) for each
        name outside `use` declarations whose text `wanted` accepts, written as a path (not a
        field, method or lifetime)."""
        for leaf in _leaves(self.parsed.root):
            if leaf.type not in NAME_LEAVES or not wanted(self.parsed.text(leaf)) or _ancestor(leaf, "use_declaration") is not None:
                continue
            if _before(self.source, leaf.start_byte, 1) in (b".", b"'") or _in_text_macro(leaf, self.parsed.text):
                continue
            start = path_start(self.source, leaf.start_byte)
            written, is_global = read_path(self.source, start)
            upto = [s for s in written if s.end <= leaf.end_byte]
            yield leaf, start, upto, is_global, written, typing.resolve([_bare(s.name) for s in upto], is_global, leaf)

    def _call_in_macro(self, names: Set[str]) -> Optional[str]:
        """Why the file is refused when a macro's arguments call one of these methods
        (`println!("{:?}", m.remove(&k))`): tokens there are not typed, so the call could be on
        the retyped value and would keep the name that reorders or breaks."""
        pattern = re.compile(rb"\.\s*(" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\s*\(")
        for node in _leaves(self.parsed.root, ("macro_invocation",)):
            tree = next((c for c in node.named_children if c.type == "token_tree"), None)
            found = pattern.search(self.source, tree.start_byte, tree.end_byte) if tree is not None else None
            if found is not None:
                macro = self.parsed.text(node.child_by_field_name("macro") or node)
                return f"cannot tell whether `.{found.group(1).decode()}(` inside `{macro}!` on line {self.lines.line_of(found.start())} is on the value this fix retypes"
        return None

    def _companions(self, old: str, new: str, plan: Plan, typing):
        """Rewrite this file's references to the entry and iterator types of the retyped
        collection (`std::collections::hash_map::Entry` -> `indexmap::map::Entry`): in place for a
        `use` leaf or a path written in full, a new `use` for a leaf of a group. Returns the bare
        names those references bind, or why the file is refused."""
        spec = COMPANIONS.get(old)
        foreign = [m for o, (m, _, _) in COMPANIONS.items() if o != old] + list(FOREIGN_COMPANIONS)
        names: Set[str] = set()
        doomed: Dict[int, tuple] = {}
        text = self.parsed.text
        for leaf, name, segs, _, glob in typing.use_leaves():
            canon = typing.canon(segs)
            line = self.lines.line_of(leaf.start_byte)
            decl = _ancestor(leaf, "use_declaration")
            written = "use " + text(decl.child_by_field_name("argument"))
            if spec is None or not (canon == spec[0] or canon.startswith(spec[0] + "::")):
                if spec is None and any(canon == m or canon.startswith(m + "::") for m in foreign) and _companion_item(canon, foreign) is not None:
                    return f"`{written}` on line {line} names the entry or iterator types of another collection, which this fix does not retype for `{old}`"
                continue
            module, new_module, items_ = spec
            if glob:
                return f"`{written}` on line {line} brings std's entry and iterator types, which an `{new.rsplit('::', 1)[-1]}` does not use"
            if canon == module:
                return f"`{written}` on line {line} imports `{module}`, whose entry and iterator types an `{new.rsplit('::', 1)[-1]}` does not use"
            rest = canon[len(module) + 2:].split("::")
            if rest[0] not in items_:
                continue
            target = "::".join([new.split("::")[0], new_module] + rest)
            names.add(_bare(name or rest[-1]))
            argument = decl.child_by_field_name("argument")
            path_node = leaf.child_by_field_name("path") if leaf.type == "use_as_clause" else leaf
            if argument is not None and argument.id == leaf.id:
                plan.edits.append(Edit(path_node.start_byte, path_node.end_byte, target.encode()))
                continue
            where = self._import_point(_scope(decl))
            if where is None:
                return "no place in the module for a `use`"
            at, before, after = where
            alias = f" as {name}" if leaf.type == "use_as_clause" and name else ""
            plan.imports.append(Edit(at, at, before + f"use {target}{alias};".encode() + after))
            doomed.setdefault(decl.id, (decl, []))[1].append(leaf)
        for decl, leaves in doomed.values():
            plan.edits.extend(_removal(decl, leaves, self.lines, text))
        if spec is None:
            return names
        module, new_module, items_ = spec
        imported = set(names)
        for leaf, _, upto, is_global, _, resolved in self._written_paths(lambda t: t in items_, typing):
            if not resolved or not resolved.startswith(module + "::"):
                continue
            line = self.lines.line_of(leaf.start_byte)
            if len(upto) == 1:
                if _bare(upto[0].name) not in imported:
                    return f"`{text(leaf)}` on line {line} is std's `{resolved}`, brought in by no `use` of this file"
                continue
            spelled = [_bare(s.name) for s in upto]
            if spelled[: len(module.split("::"))] != module.split("::"):
                return f"`{self.source[upto[0].start:upto[-1].end].decode()}` on line {line} names std's `{resolved}` through a module this fix does not rewrite"
            cut = upto[len(module.split("::")) - 1]
            lead = "::" if is_global else ""
            plan.edits.append(Edit(upto[0].start, cut.end, (lead + new.split("::")[0] + "::" + new_module).encode()))
            names.add(text(leaf))  # its pattern's bindings are entries too
        return names

    def _entry_bindings(self, companions: Set[str]) -> Set[str]:
        """Names bound to one of the retyped type's entries: fields, parameters, `let`s, statics
        and functions whose declaration spells an entry type, the bindings of a pattern of one
        (`Entry::Occupied(e)`), and those of a `let` of an `.entry(` call."""
        text = self.parsed.text
        entries: Set[str] = set()
        for leaf in _leaves(self.parsed.root):
            if leaf.type not in NAME_LEAVES or _ancestor(leaf, "use_declaration") is not None:
                continue
            word = _bare(text(leaf))
            if word not in companions:
                continue
            node = leaf.parent
            while node is not None and node.type not in BINDERS:
                node = node.parent
            if node is None:
                continue
            if node.type in ("function_item", "function_signature_item", "field_declaration", "static_item", "const_item"):
                name = node.child_by_field_name("name")
                if name is not None:
                    entries.add(_bare(text(name)))
            else:
                pattern = node.child_by_field_name("pattern") or node
                entries.update(_bare(text(n)) for n in _leaves(pattern) if n.type == "identifier")
        for call, _ in _method_calls(self.parsed.root, text, {"entry": "entry"}):
            node = call.parent
            while node is not None and node.type not in ("let_declaration", "block", "match_arm", "closure_expression", "function_item"):
                node = node.parent
            if node is not None and node.type == "let_declaration" and node.child_by_field_name("pattern") is not None:
                entries.update(_bare(text(n)) for n in _leaves(node.child_by_field_name("pattern")) if n.type == "identifier")
        return entries

    def _retype_calls(self, old: str, new: str, methods: Dict[str, str], plan: Plan, typing, entries: Set[str], companions: Set[str]) -> Optional[str]:
        """Rename, on receivers this file proves to be of the retyped type (or of its occupied
        entry), the methods whose order-keeping form has another name, and give `.drain()` its
        range; refuse where a call that would break or reorder under the new type is on a receiver
        this file cannot type (or is an entry's `remove()` it cannot tell from the map's)."""
        text = self.parsed.text
        old_name, new_name = old.rsplit("::", 1)[-1], new.rsplit("::", 1)[-1]
        watched = dict(methods, drain="drain", entry="entry")
        for call, name in _method_calls(self.parsed.root, text, watched):
            function = call.child_by_field_name("function")
            field_node, receiver = function.child_by_field_name("field"), function.child_by_field_name("value")
            arguments = call.child_by_field_name("arguments")
            count = len([c for c in arguments.named_children if c.type not in ("line_comment", "block_comment")]) if arguments is not None else 0
            line = self.lines.line_of(call.start_byte)
            called = f"`{text(receiver)}.{name}(`" if len(text(receiver)) <= 40 else f"`.{name}(`"
            if name == "entry":
                if not companions:
                    continue
                proven = typing.receiver_type(receiver)
                if proven != old and (proven is None or proven in RETYPABLE):
                    return f"cannot tell whether {called} on line {line} is on the `{old_name}` this fix retypes, whose entry type it rewrites"
                continue
            if name == "drain":
                if count != 0:
                    continue
                proven = typing.receiver_type(receiver)
                if proven == old:
                    plan.edits.append(Edit(arguments.start_byte, arguments.end_byte, b"(..)"))
                elif proven is None and not self._returned_by(receiver, old, typing):
                    return f"cannot tell whether {called} on line {line} is on the `{old_name}` this fix retypes (an `{new_name}`'s `.drain(` takes a range)"
                continue
            why = f"(an `{new_name}`'s `.{name}(` is `swap_{name}`, which reorders; the order-keeping one is `.{methods[name]}(`)"
            if count == 0 and name in ("remove", "remove_entry"):  # an occupied entry's
                proven = typing.receiver_type(receiver) if companions else None
                if proven is not None and proven.endswith("::OccupiedEntry") and proven.split("::")[0] == old.split("::")[0]:
                    plan.edits.append(Edit(field_node.start_byte, field_node.end_byte, methods[name].encode()))  # `e: OccupiedEntry<..>`
                elif companions and proven is None and _value_name(receiver, text) in entries | {None}:
                    return f"cannot tell whether {called} on line {line} is on the `{old_name}` this fix retypes, or on its entry {why}"
                continue
            if count != 1:
                continue
            proven = typing.receiver_type(receiver)
            if proven == old:
                plan.edits.append(Edit(field_node.start_byte, field_node.end_byte, methods[name].encode()))
            elif proven is None and not self._returned_by(receiver, old, typing):
                return f"cannot tell whether {called} on line {line} is on the `{old_name}` this fix retypes {why}"
        return None

    def _returned_by(self, receiver, old: str, typing) -> bool:
        """Whether a receiver is what a method of a value proven of the retyped type returned
        (`s.iter()`, `m.keys()`, `m.get(&k)`): an iterator, a view, a reference or an option,
        never the collection itself, which std's maps and sets give back only from `clone`,
        `to_owned` and the generic borrows (`borrow_mut()`, `as_ref()`, `deref()`, ...).
        `s.iter().take(3)` is an iterator's `take`."""
        if receiver is None or receiver.type != "call_expression":
            return False
        function = receiver.child_by_field_name("function")
        if function is None or function.type != "field_expression":
            return False
        method = function.child_by_field_name("field")
        if method is None or self.parsed.text(method) in SELF_RETURNING:
            return False
        return typing.receiver_type(function.child_by_field_name("value")) == old

    def _typing_context(self):
        if self._typing is None:
            self._typing = Typing(self)
        return self._typing

    # -- rendering -------------------------------------------------------------------------------
    def render(self, plans: List[Plan]) -> bytes:
        unique = list({id(p): p for p in plans}.values())
        edits = [e for p in unique for e in p.edits + p.imports]
        fixed = apply(self.source, edits)
        released = set().union(*(p.released for p in unique)) if unique else set()
        return remove_unused_imports(fixed, released, self._used_by_children) if released else fixed

    def _used_by_children(self, name: str) -> bool:
        """Whether a file of a module below this file's may name `name` through this module (see
        `may_name`); True when the module layout is unknown."""
        workspace = self.context.scan.index.rust if self.context.scan is not None else None
        module = workspace.module_of(self.path) if workspace is not None else None
        if module is None or module.crate.startswith("file:"):
            return True
        for ref, path in sorted(workspace.files.items(), key=lambda kv: kv[1]):
            if path != self.path and ref.crate == module.crate and len(ref.path) > len(module.path) and ref.path[: len(module.path)] == module.path:
                try:
                    with open(os.path.join(str(self.context.config.root), path), "rb") as handle:
                        if may_name(handle.read(), name):
                            return True
                except OSError:
                    return True
        return False

    def parses(self, data: bytes) -> bool:
        from dstcheck.fix import parses

        return parses("rust", data)


class Typing:
    """Name resolution and receiver types from this file alone (a type declared in another file
    is not proven here), through the front end's own resolver and evaluator."""

    def __init__(self, fixer: RustFixer):
        from dstcheck.rust import context, resolve, types
        from dstcheck.rust.names import NO_CRATE, PENDING, ModRef, ModuleResolver

        config, scan = fixer.context.config, fixer.context.scan
        parsed = fixer.parsed
        self.fixer = fixer
        self.workspace = scan.index.rust if scan is not None else None
        finder = context.ContextFinder(parsed, config.profile)
        summary = items.Summarizer(parsed, finder, config.profile).summary()
        module = self.workspace.module_of(fixer.path) if self.workspace is not None else ModRef("file:" + fixer.path, ())
        self.module = module
        own = {module.path + (tuple(k.split("::")) if k else ()): t for k, t in summary["modules"].items()}

        def tables(ref):
            if ref.crate == module.crate and ref.path in own:
                return own[ref.path]
            return PENDING

        def summary_of(ref):
            if ref.crate == module.crate and ref.path in own and ref.path[: len(module.path)] == module.path:
                return summary, module, "::".join(ref.path[len(module.path):])
            return PENDING

        crates = self.workspace.crate_info if self.workspace is not None else (lambda key: NO_CRATE)
        self.mres = ModuleResolver(tables, crates, config.pack.reexports.get("rust", {}))
        self.resolver = resolve.Resolver(parsed, finder, module, self.mres)
        self.builder = types.QueryBuilder(parsed, self.resolver)
        self.evaluator = types.Evaluator(self.mres, summary_of)
        self._types = types

    def dependency(self, package: str) -> Optional[str]:
        """The name code uses for a package this file's crate depends on, or None. A name that
        target tables give to more than one crate (`alts`) is none of them for sure: not used."""
        if self.workspace is None:
            return None
        info = self.workspace.crate_info(self.module.crate)
        alts = info.alts or {}
        names = sorted(name for name, crate in info.deps.items() if crate == package and len(set(alts.get(name, (crate,)))) == 1)
        return names[0] if names else None

    def features(self, package: str) -> Set[str]:
        """The features this file's crate turns on for a dependency (and, for `workspace = true`,
        the workspace's entry for it), read from the manifests."""
        from dstcheck.config import tomllib

        root = str(self.fixer.context.config.root)
        directory = self.workspace.crate_of(self.fixer.path) if self.workspace is not None else None
        if directory is None:
            return set()
        found: Set[str] = set()

        def entries(data: dict, *keys):
            tables = [data.get(k, {}) for k in keys] + [t.get(k2, {}) for t in data.get("target", {}).values() if isinstance(t, dict) for k2 in keys]
            for table in tables:
                for name, entry in table.items() if isinstance(table, dict) else ():
                    if isinstance(entry, dict) and (entry.get("package") or name) == package:
                        yield entry

        def read(path: str) -> dict:
            try:
                with open(os.path.join(root, path, "Cargo.toml"), "rb") as handle:
                    return tomllib.load(handle)
            except (OSError, ValueError):
                return {}

        inherited = False
        for entry in entries(read(directory), "dependencies", "dev-dependencies", "build-dependencies"):
            found.update(_strings(entry.get("features")))
            inherited = inherited or entry.get("workspace") is True
        up = directory
        while inherited:
            data = read(up)
            if isinstance(data.get("workspace"), dict):
                for entry in entries(data["workspace"], "dependencies"):
                    found.update(_strings(entry.get("features")))
                break
            if not up:
                break
            up = os.path.dirname(up)
        return found

    def accepted_rules(self, path: str) -> Set[str]:
        """Rules with an accepted site (marker or allowlist) in this file naming `path`."""
        return {
            s.rule for s in self.fixer.context.sites_of(self.fixer.path)
            if s.disposition in ("suppressed", "allowlisted") and (s.api == path or s.api.startswith(path + "::"))
        }

    def use_leaves(self):
        out = []
        for leaf in _leaves(self.fixer.parsed.root, ("use_declaration",)):
            out.extend(items.use_leaves(leaf.child_by_field_name("argument"), self.fixer.parsed.text))
        return out

    def canon(self, segs) -> str:
        return self.mres.canon([_bare(s) for s in segs])

    def resolve(self, segs, is_global: bool, at) -> Optional[str]:
        """The one external path a written path resolves to ("" for anything else), or None when
        this file alone cannot tell."""
        from dstcheck.rust.names import External, Pending, Unresolved

        results = self.resolver.resolve(segs, is_global, at)
        if any(isinstance(r, (Pending, Unresolved)) for r in results):
            return None
        paths = {r.path for r in results if isinstance(r, External)}
        return paths.pop() if len(paths) == 1 and len(results) == 1 else ""

    def receiver_type(self, node) -> Optional[str]:
        query = self.builder.of(node) if node is not None else None
        if query is None:
            return None
        try:
            found = self.evaluator.evaluate(query)
        except self._types.NeedsOtherFile:
            return None
        return found.peel().path if found is not None else None


# -- syntax helpers ---------------------------------------------------------------------------------
def _strings(value) -> List[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


SERDE_DERIVE = re.compile(rb"derive\s*\([^)]*\b(?:Serialize|Deserialize)\b")
# What converts a file's values to and from Python through pyo3 (an IndexMap only with its feature).
PYO3_BINDING = re.compile(rb"\b(?:pyclass|pyfunction|pymethods|IntoPyObject|FromPyObject|IntoPy|ToPyObject)\b")
# What in a file needs a crate's support for IndexMap: (what the file has, its description, the
# crate whose feature gives the support, the feature, the dependency that makes it what it looks
# like). A file retyped without the feature does not compile.
INTEGRATIONS = (
    (SERDE_DERIVE, "a serde derive", "indexmap", "serde", "indexmap"),
    (re.compile(rb"derive\s*\([^)]*\bBorsh(?:Serialize|Deserialize)\b"), "a borsh derive", "indexmap", "borsh", "borsh"),
    (re.compile(rb"derive\s*\([^)]*\bArbitrary\b"), "an arbitrary derive", "indexmap", "arbitrary", "arbitrary"),
    (re.compile(rb"\.\s*(?:par_iter|par_iter_mut|into_par_iter|par_keys|par_values|par_drain|par_extend)\s*\("), "a rayon parallel iterator", "indexmap", "rayon", "rayon"),
    (re.compile(rb"derive\s*\([^)]*\bJsonSchema\b"), "a schemars derive", "schemars", "indexmap2", "schemars"),
    (PYO3_BINDING, "a pyo3 binding", "pyo3", "indexmap", "pyo3"),
)


def _in_text_macro(leaf, text) -> bool:
    """Inside `stringify!(..)` / `concat!(..)` a name is text, not a use: rewriting it would
    change a string."""
    node = _ancestor(leaf, "macro_invocation")
    while node is not None:
        name = node.child_by_field_name("macro")
        if name is not None and text(name).rsplit("::", 1)[-1] in ("stringify", "concat"):
            return True
        node = _ancestor(node.parent, "macro_invocation") if node.parent is not None else None
    return False


def _ancestor(node, kind: str):
    while node is not None:
        if node.type == kind:
            return node
        node = node.parent
    return None


def _scope(node):
    """The module body a node is in: an inline `mod`'s declaration list, or the file."""
    n = node.parent if node is not None else None
    while n is not None:
        if n.type == "source_file" or (n.type == "declaration_list" and n.parent is not None and n.parent.type == "mod_item"):
            return n
        n = n.parent
    return node


def _is_scope(node) -> bool:
    """A module body (the file, an inline `mod`'s) or a block: where items and `use`s bind names."""
    return node is not None and (node.type in ("source_file", "block") or (node.type == "declaration_list" and node.parent is not None and node.parent.type == "mod_item"))


def _block_scope(node):
    """The innermost module body or block a node is in (None for the file itself)."""
    n = node.parent if node is not None else None
    while n is not None and not _is_scope(n):
        n = n.parent
    return n


def _inner_doc(node, text) -> bool:
    return node.type in ("line_comment", "block_comment") and text(node).startswith(("//!", "/*!"))


def _leaves(root, kinds: Tuple[str, ...] = ()):
    """Every leaf (or, with `kinds`, every node of those kinds), in source order, iteratively."""
    cursor = root.walk()
    out = []
    while True:
        node = cursor.node
        if (node.type in kinds) if kinds else node.child_count == 0:
            out.append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def _definition(leaf) -> bool:
    """Whether a name leaf is the name an item defines (`fn var() {}`), not a mention of one."""
    parent = leaf.parent
    name = parent.child_by_field_name("name") if parent is not None and parent.type in DEFINERS else None
    return name is not None and name.id == leaf.id


def name_uses(parsed) -> Tuple[Set[str], Set[str]]:
    """Names the code uses bare (a path's first segment, a binding, an item name: not after `::`
    or `.`), outside `use` declarations; and names `use` declarations bind."""
    source = parsed.source
    bare: Set[str] = set()
    for leaf in _leaves(parsed.root):
        if leaf.type not in NAME_LEAVES:
            continue
        if _ancestor(leaf, "use_declaration") is not None:
            continue
        before = _before(source, leaf.start_byte)
        if before == b"::" or before[-1:] in (b".", b"'") or _in_text_macro(leaf, parsed.text):
            continue
        bare.add(_bare(parsed.text(leaf)))
    bound: Set[str] = set()
    for decl in _leaves(parsed.root, ("use_declaration",)):
        for _, name, _, _, glob in items.use_leaves(decl.child_by_field_name("argument"), parsed.text):
            if name and not glob:
                bound.add(_bare(name))
    return bare, bound


def may_name(source: bytes, name: str) -> bool:
    """Whether a file of a module below may reach a private import `name` of a module above it
    (conservatively, from its text): through a path from `super`, `crate` or `self` that spells the
    name (`super::name`, `use crate::a::{b, name}`), or, where it has a glob `use`, by spelling the
    name anywhere but after `::` (a path of its own, `tokio::select!`, is another item)."""
    word = re.escape(name.encode())
    if re.search(rb"(?<![A-Za-z0-9_])(?:super|crate|self)\s*::[\sA-Za-z0-9_:{},]*?(?<![A-Za-z0-9_])" + word + rb"(?![A-Za-z0-9_])", source):
        return True
    if not re.search(rb"(?<![A-Za-z0-9_])use\s[^;]*\*", source):
        return False
    return any(not _before(source, m.start()).endswith(b"::") for m in re.finditer(rb"(?<![A-Za-z0-9_])" + word + rb"(?![A-Za-z0-9_])", source))


def _value_name(node, text) -> Optional[str]:
    """The name a receiver is known by: a variable's, a field's, a called function's or method's
    (`self.book.levels` -> `levels`, `maps[i]` -> `maps`); None for anything else."""
    while node is not None:
        t = node.type
        if t in ("reference_expression", "parenthesized_expression", "unary_expression", "try_expression"):
            node = node.child_by_field_name("value") or (node.named_children[-1] if node.named_child_count else None)
        elif t == "index_expression":
            node = node.named_children[0] if node.named_child_count else None
        elif t == "call_expression":
            node = node.child_by_field_name("function")
        elif t == "field_expression":
            name = node.child_by_field_name("field")
            return _bare(text(name)) if name is not None else None
        elif t in ("scoped_identifier", "generic_function"):
            name = node.child_by_field_name("name") or node.child_by_field_name("function")
            if name is None or name.id == node.id:
                return None
            node = name
        elif t in ("identifier", "self"):
            return _bare(text(node))
        else:
            return None
    return None


def _companion_item(canon: str, modules) -> Optional[str]:
    for module in modules:
        if canon.startswith(module + "::"):
            item = canon[len(module) + 2:].split("::")[0]
            return item if item in MAP_ITEMS | SET_ITEMS else None
    return None


def _method_calls(root, text, methods: Dict[str, str]):
    """(call, method name) for `x.name(..)` calls of the given method names."""
    out = []
    for node in _leaves(root, ("call_expression",)):
        function = node.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            name = function.child_by_field_name("field")
            if name is not None and text(name) in methods:
                out.append((node, text(name)))
    return out


class ScopedUses:
    """Which module or block each mention of a name reaches, to tell a `use` that is still used
    from one only another scope's item of the name is (a nested `mod` sees none of its parent's
    imports but through `super::`/`crate::`, or a glob `use super::*`). Where it cannot tell (a
    mention inside `macro_rules!`, a glob from a root path) it keeps the import."""

    def __init__(self, parsed):
        self.used: Set[Tuple[int, str]] = set()  # (scope id, name) a mention resolves to
        self.anywhere: Set[str] = set()  # mentioned where any scope's import may be meant
        self.globbed: Set[int] = set()  # modules a `use <root path>::*` imports from
        self.mentioned: Set[str] = set()
        text = parsed.text
        binds: Dict[int, Set[str]] = {}  # scope id -> names its own items and `use`s bind
        for decl in _leaves(parsed.root, ("use_declaration",)):
            for _, name, segs, is_global, glob in items.use_leaves(decl.child_by_field_name("argument"), text):
                if name and not glob:
                    binds.setdefault(_block_scope(decl).id, set()).add(_bare(name))
                self._rooted(decl, [_bare(x) for x in segs], glob and not is_global)
        for leaf in _leaves(parsed.root):
            if leaf.type in NAME_LEAVES and _definition(leaf) and _is_scope(leaf.parent.parent):  # not an impl's, trait's or enum's
                binds.setdefault(leaf.parent.parent.id, set()).add(_bare(text(leaf)))
        self._mentions(parsed, binds)

    def _mentions(self, parsed, binds):
        text, source = parsed.text, parsed.source
        for leaf in _leaves(parsed.root):
            if leaf.type not in NAME_LEAVES or _definition(leaf) or _ancestor(leaf, "use_declaration") is not None:
                continue
            before = _before(source, leaf.start_byte)
            if before[-1:] in (b".", b"'") or _in_text_macro(leaf, parsed.text):
                continue
            name = _bare(text(leaf))
            in_macro = _ancestor(leaf, "macro_definition") is not None
            if before == b"::":
                segs, is_global = read_path(source, path_start(source, leaf.start_byte))
                names = [_bare(x.name) for x in segs if x.end <= leaf.end_byte]
                if not is_global and len(names) > 1 and names[-1] == name and all(n in ROOTS for n in names[:-1]):
                    if in_macro:
                        self.anywhere.add(name)
                    else:
                        self._rooted(leaf, names, False)
                continue
            self.mentioned.add(name)
            macro = leaf.parent is not None and leaf.parent.type == "macro_invocation"
            if in_macro or macro:  # macro_rules! bodies and macro names are not scoped as items are
                self.anywhere.add(name)
                continue
            scope = _block_scope(leaf)
            while scope is not None:
                if name in binds.get(scope.id, ()):
                    self.used.add((scope.id, name))
                    break
                scope = _block_scope(scope) if scope.type == "block" else None

    def _rooted(self, node, names: List[str], glob: bool):
        """Record the module a path from `self`/`super`/`crate` reaches and the name it takes
        there (`super::Instant`), or, for a glob (`super::*`), that every name of it may be used."""
        count = next((i for i, n in enumerate(names) if n not in ROOTS), len(names))
        if count == 0 or (count == len(names) and not glob):
            return
        module = _scope(node)
        for root in names[:count]:
            if module is None:
                return
            if root == "crate":
                while module.parent is not None:
                    module = module.parent
            elif root == "super":
                module = _scope(module) if module.type != "source_file" else None  # above the file: another file's
        if module is None:
            return
        if count == len(names):
            self.globbed.add(module.id)
        else:
            self.used.add((module.id, names[count]))

    def keeps(self, decl, name: str) -> bool:
        scope = _block_scope(decl)
        return (scope.id, name) in self.used or name in self.anywhere or (_scope(decl).id in self.globbed and name in self.mentioned)


def remove_unused_imports(source: bytes, released: Set[str], used_elsewhere: Callable[[str], bool]) -> bytes:
    """Drop the private `use` leaves binding a released name the code no longer uses in the
    `use`'s own scope (`ScopedUses`), nor, when the file declares `mod x;` children, may use in
    them through `use super::*`."""
    parsed = parse.parse(source)
    if parse.first_error(parsed) is not None:
        return source
    text = parsed.text
    children = any(d.child_by_field_name("body") is None for d in _leaves(parsed.root, ("mod_item",)))
    candidates = {n for n in released if not (children and used_elsewhere(n))}
    if not candidates:
        return source
    uses = ScopedUses(parsed)
    lines = Lines(source, "rust")
    edits: List[Edit] = []
    for decl in _leaves(parsed.root, ("use_declaration",)):
        if any(c.type == "visibility_modifier" for c in decl.children):
            continue
        previous = decl.prev_named_sibling
        if previous is not None and previous.type == "attribute_item":
            continue
        doomed = [leaf for leaf, name, _, _, glob in items.use_leaves(decl.child_by_field_name("argument"), text) if not glob and name and _bare(name) in candidates and not uses.keeps(decl, _bare(name))]
        edits.extend(_removal(decl, doomed, lines, text))
    return apply(source, edits)


def _elements(use_list) -> list:
    return [c for c in use_list.named_children if c.type not in ("line_comment", "block_comment")]


def _removal(decl, doomed, lines: Lines, text) -> List[Edit]:
    """Edits that remove the given leaves of a `use` declaration: the declaration when none stay,
    a group's element otherwise (`a::{B}` when one stays becomes `a::B`)."""
    if not doomed:
        return []
    ids = {n.id for n in doomed}
    by_list: Dict[int, tuple] = {}
    for leaf in doomed:
        lst = leaf.parent
        if lst is not None and lst.type == "use_list":
            by_list.setdefault(lst.id, (lst, []))[1].append(leaf)
    changed = True
    while changed:  # a group that loses every element goes as a whole, as one element of its parent
        changed = False
        for key, (lst, leaves) in list(by_list.items()):
            holder = lst.parent
            if len(leaves) == len(_elements(lst)) and holder is not None and holder.id not in ids:
                ids.add(holder.id)
                del by_list[key]
                outer = holder.parent
                if outer is not None and outer.type == "use_list":
                    by_list.setdefault(outer.id, (outer, []))[1].append(holder)
                changed = True
    argument = decl.child_by_field_name("argument")
    if argument is not None and argument.id in ids:
        return [_declaration_removal(decl, lines)]
    edits, cuts = [], []
    for lst, leaves in by_list.values():
        elements = _elements(lst)
        gone = {n.id for n in leaves}
        kept = [e for e in elements if e.id not in gone]
        if len(kept) == 1 and kept[0].type != "self" and lst.named_child_count == len(elements):
            edits.append(Edit(lst.start_byte, lst.end_byte, text(kept[0]).encode()))
            continue
        cuts.extend(_element_cuts(lst, gone))
    return edits + _cut_edits(cuts, lines)


def _element_cuts(lst, gone: Set[int]) -> List[Tuple[int, int]]:
    """The byte ranges of a group's removed elements and their commas (the last element's, when
    it has none, is the one after the last kept element); comments between them are not cut."""
    kids = lst.children

    def comma_after(i: int):
        for kid in kids[i + 1:]:
            if kid.type not in ("line_comment", "block_comment"):
                return kid if kid.type == "," else None
        return None

    positions = [i for i, k in enumerate(kids) if k.is_named and k.type not in ("line_comment", "block_comment")]
    last_kept = max(i for i in positions if kids[i].id not in gone)
    cuts = []
    for i in positions:
        if kids[i].id not in gone:
            continue
        cuts.append((kids[i].start_byte, kids[i].end_byte))
        comma = comma_after(i) or (comma_after(last_kept) if i > last_kept else None)
        if comma is not None:
            cuts.append((comma.start_byte, comma.end_byte))
    return cuts


def _cut_edits(cuts: List[Tuple[int, int]], lines: Lines) -> List[Edit]:
    """Edits deleting the cut ranges and tidying the lines they touch: a line left blank goes, a
    line whose first token went keeps its indent before what follows, and trailing blanks go
    (blanks before a comment that stays are kept, `{ // c`)."""
    if not cuts:
        return []
    source = lines.source
    first, last = lines.line_of(min(a for a, _ in cuts)), lines.line_of(max(b for _, b in cuts))
    lo, hi = lines.starts[first - 1], lines.starts[last] if last < len(lines) else len(source)
    cut = bytearray(hi - lo)
    for a, b in cuts:
        cut[a - lo:b - lo] = b"\x01" * (b - a)
        after = b
        while after < lines.ends[lines.line_of(b) - 1] and source[after:after + 1] in b" \t":
            after += 1
        if not source.startswith((b"//", b"/*"), after):
            cut[b - lo:after - lo] = b"\x01" * (after - b)
    touched = sorted({line for a, b in cuts for line in range(lines.line_of(a), lines.line_of(b) + 1)})
    for line in touched:
        start, end = lines.starts[line - 1], lines.ends[line - 1]
        left = [i for i in range(start, end) if not cut[i - lo] and source[i:i + 1] not in b" \t"]
        if not left:
            upto = lines.starts[line] if line < len(lines) else end  # with its line break
            cut[start - lo:upto - lo] = b"\x01" * (upto - start)
            continue
        indent = start + len(lines.indent(line))
        if cut[indent - lo]:
            cut[indent - lo:left[0] - lo] = b"\x01" * (left[0] - indent)
        cut[left[-1] + 1 - lo:end - lo] = b"\x01" * (end - left[-1] - 1)
    edits, at = [], None
    for i in range(lo, hi + 1):
        if i < hi and cut[i - lo]:
            at = i if at is None else at
        elif at is not None:
            edits.append(Edit(at, i, b""))
            at = None
    return edits


def _declaration_removal(node, lines: Lines) -> Edit:
    """The declaration's lines when nothing else is on them; a trailing comment stays."""
    first, last = lines.line_of(node.start_byte), lines.line_of(node.end_byte)
    source = lines.source
    begin = lines.starts[first - 1] + (3 if first == 1 and source.startswith(b"\xef\xbb\xbf") else 0)  # a BOM stays
    rest = source[node.end_byte:lines.ends[last - 1]]
    if source[begin:node.start_byte].strip():
        # code before it on the line: the blanks before it go with it (`{ use a::B; f() }` ->
        # `{ f() }`), and those after it too at the line's end
        start = node.start_byte
        while start > begin and source[start - 1:start] in b" \t":
            start -= 1
        spaces = len(rest) - len(rest.lstrip(b" \t")) if not rest.strip() else 0
        return Edit(start, node.end_byte + spaces, b"")
    if rest.strip():
        return Edit(node.start_byte, node.end_byte + len(rest) - len(rest.lstrip()), b"")
    return Edit(begin, lines.starts[last] if last < len(lines) else lines.ends[last - 1], b"")
