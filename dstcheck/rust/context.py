"""Resolve stage for Rust, part two: what compiles a node into the DST build.

An outer attribute gates exactly the item, statement, expression, field or arm it precedes;
an inner `#![cfg]` gates its module; `if cfg!(p)` gates the branch that cannot run. Walking a
node's ancestors and looking only at what is attached to each one gives that precision (the
anchor hook's "any cfg within 15 lines" does not).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from dstcheck.model import Context, ModDecl
from dstcheck.rust import cfg
from dstcheck.rust.parse import ParsedRust

OWN_ATTRIBUTES = {"match_arm", "field_initializer", "shorthand_field_initializer", "base_field_initializer"}
NAMED_ITEMS = {"struct_item", "enum_item", "union_item", "trait_item", "const_item", "static_item", "type_item"}
MOD_DECL_RE = re.compile(rb"mod\s+(?:r#)?[A-Za-z_][A-Za-z0-9_]*\s*;")


def mod_decl_offsets(source: bytes) -> List[int]:
    """Offsets of `mod name;` declarations (found with bytes.find: a regex scan is slower)."""
    from dstcheck.stages.prefilter import word_positions

    return [i for i in word_positions(source, b"mod") if MOD_DECL_RE.match(source, i)]


PATH_ATTRIBUTE = re.compile(r'#\[\s*path\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]$')
CFG_ATTR_PATH = re.compile(r'#\[\s*cfg_attr\s*\((.*),\s*path\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)\s*\]$', re.S)


def path_attribute(text: str, profile: cfg.Profile) -> Optional[str]:
    """The file a `mod` attribute points at: `#[path = "x.rs"]`, or `#[cfg_attr(p, path = "x.rs")]`
    unless the profile proves p false."""
    m = PATH_ATTRIBUTE.match(text)
    if m:
        return m.group(1)
    m = CFG_ATTR_PATH.match(text)
    if m:
        try:
            pred = cfg.parse(m.group(1))
        except cfg.CfgSyntaxError:
            return None
        return m.group(2) if cfg.evaluate(pred, profile) is not False else None
    return None


def attribute_facts(items, text) -> Tuple:
    """(kind, value) for each cfg / test attribute among `attribute_item` nodes."""
    out = []
    for item in items:
        attr = next((c for c in item.named_children if c.type == "attribute"), None)
        if attr is None or attr.named_child_count == 0:
            continue
        name = text(attr.named_children[0])
        if name == "cfg":
            args = attr.child_by_field_name("arguments")
            if args is None:
                continue
            try:
                out.append(("cfg", cfg.parse(text(args)[1:-1])))
            except cfg.CfgSyntaxError:
                continue
        elif name == "test" or name.endswith("::test") or name == "bench":
            out.append(("test", "#[" + name + "]"))
    return tuple(out)


class ContextFinder:
    def __init__(self, parsed: ParsedRust, profile: cfg.Profile):
        self.parsed = parsed
        self.text = parsed.text
        self.profile = profile
        self._attrs: Dict[int, Tuple] = {}

    def attributes(self, node, text=None) -> Tuple:
        """(kind, value) for the cfg / test attributes attached to `node` (`text` reads a node
        of another tree, such as a parsed cfg_if branch; those are not cached)."""
        own = text is None
        text = text or self.text
        cached = self._attrs.get(node.id) if own else None
        if cached is not None:
            return cached
        found = []
        sibling = node.prev_named_sibling
        while sibling is not None and sibling.type in ("attribute_item", "line_comment", "block_comment"):
            if sibling.type == "attribute_item":
                found.append(sibling)
            sibling = sibling.prev_named_sibling
        if node.type in OWN_ATTRIBUTES:
            found.extend(c for c in node.named_children if c.type == "attribute_item")
        if node.type == "source_file" or (node.type == "declaration_list" and node.parent is not None and node.parent.type == "mod_item"):
            found.extend(c for c in node.named_children if c.type == "inner_attribute_item")
        result = attribute_facts(found, text)
        if own:
            self._attrs[node.id] = result
        return result

    def _branch_predicate(self, node) -> Optional[cfg.Pred]:
        """For the branch of `if cfg!(p) {..} else {..}` that `node` is, the predicate it runs under."""
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "if_expression":
            consequence = parent.child_by_field_name("consequence")
            if consequence is None or consequence.id != node.id:
                return None
            return self._condition(parent)
        if parent.type == "else_clause" and parent.parent is not None and parent.parent.type == "if_expression":
            pred = self._condition(parent.parent)
            return ("not", pred) if pred is not None else None
        return None

    def _condition(self, if_node) -> Optional[cfg.Pred]:
        cond = if_node.child_by_field_name("condition")
        negate = False
        while cond is not None and cond.type in ("unary_expression", "parenthesized_expression"):
            if cond.type == "unary_expression":
                if cond.child_count == 0 or cond.children[0].type != "!":
                    return None
                negate = not negate
            cond = cond.named_children[-1] if cond.named_child_count else None
        if cond is None or cond.type != "macro_invocation":
            return None
        macro = cond.child_by_field_name("macro")
        if macro is None or self.text(macro) not in ("cfg", "std::cfg", "core::cfg"):
            return None
        tree = next((c for c in cond.children if c.type == "token_tree"), None)
        if tree is None:
            return None
        try:
            pred = cfg.parse(self.text(tree)[1:-1])
        except cfg.CfgSyntaxError:
            return None
        return ("not", pred) if negate else pred

    def _cfg_if_branch(self, invocation, inner) -> Optional[cfg.Pred]:
        """For a node inside `cfg_if! { if #[cfg(p)] { .. } else { .. } }`, its branch's selection predicate."""
        from dstcheck.rust.items import cfg_if_branches

        for pred, block in cfg_if_branches(invocation, self.text):
            if block.start_byte <= inner.start_byte and inner.end_byte <= block.end_byte:
                return pred
        return None

    def context(self, node) -> Context:
        test = gate = None
        item = fn_name = None
        n = node
        child = None
        while n is not None:
            for kind, value in self.attributes(n):
                if kind == "test":
                    test = test or value
                    continue
                verdict = cfg.classify(value, self.profile)
                if verdict == "test":
                    test = test or f"cfg({cfg.render(value)})"
                elif verdict == "gated":
                    gate = gate or cfg.render(value)
            branch = self._branch_predicate(n)
            if branch is None and n.type == "macro_invocation" and child is not None:
                branch = self._cfg_if_branch(n, node)
            if branch is not None:
                verdict = cfg.classify(branch, self.profile)
                if verdict == "test":
                    test = test or f"cfg!({cfg.render(branch)})"
                elif verdict == "gated":
                    gate = gate or f"cfg!({cfg.render(branch)})"
            t = n.type
            if item is None:
                if t == "function_item":
                    fn_name = self._name(n)
                    owner = n.parent.parent if n.parent is not None and n.parent.type == "declaration_list" else None
                    if owner is not None and owner.type in ("impl_item", "trait_item"):
                        item = f"{self._owner_name(owner)}::{fn_name}"
                    else:
                        item = fn_name
                elif t in NAMED_ITEMS:
                    item = self._name(n)
                elif t == "impl_item":
                    item = self._owner_name(n)
                elif t == "mod_item":
                    item = f"mod {self._name(n)}"
            n, child = n.parent, n
        return Context(test=test, gate=gate, item=item or "")

    def _name(self, node) -> str:
        name = node.child_by_field_name("name")
        return self.text(name) if name is not None else ""

    def _owner_name(self, node) -> str:
        target = node.child_by_field_name("type" if node.type == "impl_item" else "name")
        while target is not None and target.type in ("generic_type", "scoped_type_identifier", "reference_type"):
            target = target.child_by_field_name("type" if target.type != "scoped_type_identifier" else "name")
        return self.text(target) if target is not None else ""

    def mod_decls(self, swapped: bool = True) -> List[ModDecl]:
        """`mod name;` declarations: the child file inherits the context of the declaration.
        With `swapped`, also the file a decided `cfg_attr(p, path)` keeps out of the DST build,
        in the context that says so."""
        out = []
        for start in mod_decl_offsets(self.parsed.source):
            node = self.parsed.root.descendant_for_byte_range(start, start + 3)
            if node is None or node.parent is None or node.parent.type != "mod_item":
                continue
            decl = node.parent
            if decl.child_by_field_name("body") is not None:
                continue
            path_attr = self._path_attribute(decl)
            inline = []
            n = decl.parent
            while n is not None:
                if n.type == "mod_item":
                    inline.append(self._name(n))
                n = n.parent
            ctx = self.context(decl)
            name = self._name(decl)
            if name.startswith("r#"):
                name = name[2:]
            inline = tuple(reversed(inline))
            out.append(ModDecl(name, path_attr, inline, Context(test=ctx.test, gate=ctx.gate)))
            other_file = self._swapped(decl) if swapped else None
            if other_file is not None:  # the file the DST build does not compile for this module
                other, verdict, rendered = other_file
                out.append(ModDecl(name, other, inline, Context(test=ctx.test or (rendered if verdict == "test" else None), gate=ctx.gate or (rendered if verdict == "gated" else None))))
        return out

    def _swapped(self, decl):
        """For `#[cfg_attr(p, path = "x.rs")] mod m;` whose p the profile decides, the other
        file and how it is compiled: (None: the default layout, 'gated' or 'test', rendered
        predicate) when p holds in the DST build, ("x.rs", ..) when p is false there."""
        sibling = decl.prev_named_sibling
        while sibling is not None and sibling.type in ("attribute_item", "line_comment", "block_comment"):
            m = CFG_ATTR_PATH.match(self.text(sibling)) if sibling.type == "attribute_item" else None
            if m:
                try:
                    pred = cfg.parse(m.group(1))
                except cfg.CfgSyntaxError:
                    return None
                value = cfg.evaluate(pred, self.profile)
                if value is None:
                    return None  # either file may be compiled: both are live
                other = ("not", pred) if value else pred
                verdict = cfg.classify(other, self.profile)
                if verdict is None:
                    return None
                rendered = cfg.render(other)
                return (None if value else m.group(2)), verdict, rendered if verdict == "gated" else f"cfg({rendered})"
            sibling = sibling.prev_named_sibling
        return None

    def _path_attribute(self, decl) -> Optional[str]:
        """`#[path = ".."]`, or `#[cfg_attr(p, path = "..")]` when p may hold in the DST build."""
        sibling = decl.prev_named_sibling
        while sibling is not None and sibling.type in ("attribute_item", "line_comment", "block_comment"):
            if sibling.type == "attribute_item":
                found = path_attribute(self.text(sibling), self.profile)
                if found is not None:
                    return found
            sibling = sibling.prev_named_sibling
        return None
