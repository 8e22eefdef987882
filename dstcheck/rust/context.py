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
    """The file a `mod` attribute may point at: `#[path = "x.rs"]`, or `#[cfg_attr(p, path = "x.rs")]`
    with a predicate that parses, whatever the profile says of p: which file the `mod` is depends
    on all its path attributes together (`#[cfg_attr(madsim, path = "sim.rs")]
    #[cfg_attr(not(madsim), path = "real.rs")] mod m;` is sim.rs), as `ContextFinder.mod_decls`
    reads them."""
    m = PATH_ATTRIBUTE.match(text)
    if m:
        return m.group(1)
    m = CFG_ATTR_PATH.match(text)
    if m:
        try:
            cfg.parse(m.group(1))
        except cfg.CfgSyntaxError:
            return None
        return m.group(2)
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
        elif name in TEST_ATTRIBUTES or name.endswith("::test") or name.rsplit("::", 1)[-1] in TEST_ATTRIBUTES:
            out.append(("test", "#[" + name + "]"))
    return tuple(out)


def _rank(ctx: Context) -> int:
    return 1 if ctx.test else 2 if ctx.gate else 0


def _compiled_declarations(decls: List[ModDecl]) -> List[ModDecl]:
    """Of several declarations of one module (`#[path = "sim.rs"] mod imp;` and `#[path =
    "real.rs"] mod imp;` in the branches of a `cfg_if!`), those the DST build compiles the most
    (live before test code before gated): the module is their file."""
    best: Dict[Tuple, int] = {}
    for d in decls:
        key = (d.inline_dirs, d.name)
        best[key] = min(best.get(key, 2), _rank(d.context))
    return [d for d in decls if _rank(d.context) == best[(d.inline_dirs, d.name)]]


# Attributes that make a function a test (`#[test]`, `#[tokio::test]` and any other `x::test` too):
# parameterised and property-test harnesses generate `#[test]` functions from them.
TEST_ATTRIBUTES = frozenset({"test", "bench", "rstest", "test_case", "quickcheck", "wasm_bindgen_test"})
DIVERGING_MACROS = frozenset({"panic", "unreachable", "todo", "unimplemented", "std::panic", "core::panic"})


def _diverges(block) -> bool:
    """A block whose last statement leaves it: `return`, `break`, `continue`, `panic!(..)`."""
    last = None
    for child in block.named_children if block is not None else ():
        if child.type not in ("line_comment", "block_comment"):
            last = child
    if last is not None and last.type == "expression_statement" and last.named_child_count:
        last = last.named_children[0]
    if last is None:
        return False
    if last.type in ("return_expression", "break_expression", "continue_expression"):
        return True
    if last.type == "macro_invocation":
        macro = last.child_by_field_name("macro")
        return macro is not None and macro.text.decode("utf-8", "replace") in DIVERGING_MACROS
    return False


class ContextFinder:
    def __init__(self, parsed: ParsedRust, profile: cfg.Profile, depth: int = 0):
        self.parsed = parsed
        self.text = parsed.text
        self.profile = profile
        self.depth = depth  # how many cfg_if! branches this tree is nested in
        self._attrs: Dict[int, Tuple] = {}
        self._exits: Dict[int, Dict[int, Tuple]] = {}  # block -> statement -> early-exit guards before it
        self._cfg_ifs: Dict[int, list] = {}  # invocation -> its branches
        self._branches: Dict[Tuple[int, int], "ContextFinder"] = {}  # (invocation, branch) -> the branch parsed

    def branch_at(self, node, span: Optional[Tuple[int, int]] = None):
        """For a node among the tokens of a `cfg_if!` branch: (the invocation, the branch's
        selection predicate, a finder over the branch parsed on its own, the node there, the span
        there), else None. Tree-sitter reads a branch as loose tokens; parsed on its own, its items'
        cfg attributes, `if cfg!` and nested `cfg_if!` read as they would outside the macro.
        `span` (bytes of this tree) picks the node more precisely than `node`'s own range."""
        from dstcheck.rust.items import MAX_DEPTH

        tree = node if node.type == "token_tree" else node.parent
        if self.depth >= MAX_DEPTH or tree is None or tree.type != "token_tree":
            return None
        invocation = tree
        while invocation is not None and invocation.type == "token_tree":
            invocation = invocation.parent
        if invocation is None or invocation.type != "macro_invocation":
            return None
        start, end = span or (node.start_byte, node.end_byte)
        for selection, block, inner in self.cfg_if_branches(invocation):
            if not (block.start_byte <= start and end <= block.end_byte):
                continue
            size = len(inner.parsed.source)
            lo = min(max(start - block.start_byte - 1, 0), size)
            hi = min(max(end - block.start_byte - 1, lo), size)
            return invocation, selection, inner, inner.parsed.root.descendant_for_byte_range(lo, hi), (lo, hi)
        return None

    def cfg_if_branches(self, invocation) -> list:
        """A `cfg_if!` invocation's branches as (selection predicate, token tree, a finder over
        the branch parsed on its own); [] for another macro or past the nesting bound. Parsed
        once each: sites and block scopes share the parse."""
        from dstcheck.rust import parse
        from dstcheck.rust.items import MAX_DEPTH, cfg_if_branches

        branches = self._cfg_ifs.get(invocation.id)
        if branches is None:
            found = cfg_if_branches(invocation, self.text) if self.depth < MAX_DEPTH else []
            branches = self._cfg_ifs[invocation.id] = [
                (selection, block, ContextFinder(parse.parse(self.parsed.source[block.start_byte + 1:block.end_byte - 1]), self.profile, self.depth + 1))
                for selection, block in found
            ]
        return branches

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
        if parent.type == "block":  # after `if cfg!(p) { return; }` a statement runs only under not(p)
            guards = self._early_exits(parent).get(node.id)
            if guards:
                return guards[0] if len(guards) == 1 else ("all", guards)
        return None

    def _early_exits(self, block) -> Dict[int, Tuple]:
        """For each statement of a block, the negated conditions of the `if cfg!(p) { return; }`
        before it (read once per block: a long block is not walked again for every site)."""
        found = self._exits.get(block.id)
        if found is None:
            found, guards = {}, ()
            for statement in block.named_children:
                if guards:
                    found[statement.id] = guards
                guard = statement.named_children[0] if statement.type == "expression_statement" and statement.named_child_count else statement
                if guard.type == "if_expression" and _diverges(guard.child_by_field_name("consequence")):
                    pred = self._condition(guard)
                    if pred is not None:
                        guards = guards + (("not", pred),)
            self._exits[block.id] = found
        return found

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

    def context(self, node, span: Optional[Tuple[int, int]] = None) -> Context:
        """Why `node` is test code or compiled out, and its enclosing item. `span`: the bytes of
        the site at `node`, when `node` is the token tree around it (see `branch_at`)."""
        found = self.branch_at(node, span)
        if found is not None:  # inside the branch, then under the branch's selection, then around the macro
            invocation, selection, inner, at, inner_span = found
            ctx = inner.context(at, inner_span)
            verdict, why = cfg.reason(selection, self.profile)
            outer = self.context(invocation)
            return Context(
                test=ctx.test or (why if verdict == "test" else None) or outer.test,
                gate=ctx.gate or (why if verdict == "gated" else None) or outer.gate,
                item=ctx.item or outer.item,  # the function inside the branch, else the item around the macro
            )
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
            if branch is not None:
                verdict = cfg.classify(branch, self.profile)
                if verdict == "test":
                    test = test or f"cfg!({cfg.render(branch)})"
                elif verdict == "gated":
                    gate = gate or f"cfg!({cfg.render(branch)})"
            elif n.type == "macro_invocation" and child is not None:
                selection = self._cfg_if_branch(n, node)
                if selection is not None:  # reads like the `#[cfg(..)]` of the branch: `not(madsim)`
                    verdict, why = cfg.reason(selection, self.profile)
                    if verdict == "test":
                        test = test or why
                    elif verdict == "gated":
                        gate = gate or why
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

    def mod_decls(self, swapped: bool = True, depth: int = 0) -> List[ModDecl]:
        """`mod name;` declarations: the child file inherits the context of the declaration.
        A declaration inside a `cfg_if!` branch inherits that branch too (the branch is parsed on
        its own, nested `cfg_if!` included). With `swapped`, also the files the `#[path]` /
        `#[cfg_attr(p, path)]` attributes and the default layout name besides the one the DST
        build compiles, each in the context of the condition it is compiled under (live when the
        profile cannot decide it); without, only the first file that may be compiled, and of
        several declarations of one module the ones the DST build compiles the most."""
        out: List[ModDecl] = []
        invocations: Dict[int, object] = {}
        for start in mod_decl_offsets(self.parsed.source):
            node = self.parsed.root.descendant_for_byte_range(start, start + 3)
            if node is None or node.parent is None:
                continue
            if node.parent.type != "mod_item":
                invocation = self._enclosing_macro(node)
                if invocation is not None and invocation.id not in invocations:
                    invocations[invocation.id] = invocation
                    out.extend(self._cfg_if_mod_decls(invocation, swapped, depth))
                continue
            decl = node.parent
            if decl.child_by_field_name("body") is not None:
                continue
            ctx = self.context(decl)
            ctx = Context(test=ctx.test, gate=ctx.gate)
            name = self._name(decl)
            if name.startswith("r#"):
                name = name[2:]
            inline = self._inline_dirs(decl)
            candidates = self._file_candidates(decl)
            primary = next((i for i, (_, condition) in enumerate(candidates) if condition is None or cfg.evaluate(condition, self.profile) is not False), 0)
            out.append(ModDecl(name, candidates[primary][0], inline, ctx))
            if not swapped:
                continue
            for i, (path, condition) in enumerate(candidates):
                if i == primary:
                    continue
                verdict, why = cfg.reason(condition, self.profile)
                own = Context(test=why if verdict == "test" else None, gate=why if verdict == "gated" else None)
                out.append(ModDecl(name, path, inline, own.under(ctx)))
        if not swapped and depth == 0:
            out = _compiled_declarations(out)
        return out

    def _inline_dirs(self, node) -> Tuple[str, ...]:
        inline = []
        n = node.parent
        while n is not None:
            if n.type == "mod_item":
                inline.append(self._name(n))
            n = n.parent
        return tuple(reversed(inline))

    @staticmethod
    def _enclosing_macro(node):
        """The macro invocation whose token trees hold `node` (a `mod x;` tree-sitter does not
        read as an item), or None."""
        n = node.parent
        while n is not None and n.type == "token_tree":
            n = n.parent
        return n if n is not None and n.type == "macro_invocation" and node.parent.type == "token_tree" else None

    def _cfg_if_mod_decls(self, invocation, swapped: bool, depth: int) -> List[ModDecl]:
        """The `mod` declarations in the branches of a `cfg_if!`: each branch is parsed on its own
        and its declarations are under the branch's selection predicate (the branch the profile
        selects is live; when it cannot choose, every branch that may be compiled is), the
        invocation's own context and the inline modules around it."""
        from dstcheck.rust import parse
        from dstcheck.rust.items import MAX_DEPTH, cfg_if_branches

        if depth >= MAX_DEPTH:
            return []
        around = self.context(invocation)
        around = Context(test=around.test, gate=around.gate)
        inline = self._inline_dirs(invocation)
        out: List[ModDecl] = []
        for selection, block in cfg_if_branches(invocation, self.text):
            inner = self.text(block)[1:-1].encode("utf-8")
            if not mod_decl_offsets(inner):
                continue
            verdict, why = cfg.reason(selection, self.profile)
            branch = Context(test=why if verdict == "test" else None, gate=why if verdict == "gated" else None).under(around)
            for decl in ContextFinder(parse.parse(inner), self.profile).mod_decls(swapped, depth + 1):
                out.append(ModDecl(decl.name, decl.path_attr, inline + decl.inline_dirs, decl.context.under(branch)))
        return out

    def _path_attributes(self, decl) -> List[Tuple[Optional[cfg.Pred], str]]:
        """The `#[path = ".."]` (predicate None) and `#[cfg_attr(p, path = "..")]` attributes of a
        `mod`, in source order (a cfg_attr whose predicate does not parse is left out)."""
        found = []
        sibling = decl.prev_named_sibling
        while sibling is not None and sibling.type in ("attribute_item", "line_comment", "block_comment"):
            if sibling.type == "attribute_item":
                text = self.text(sibling)
                m = PATH_ATTRIBUTE.match(text)
                if m:
                    found.append((None, m.group(1)))
                else:
                    m = CFG_ATTR_PATH.match(text)
                    if m:
                        try:
                            found.append((cfg.parse(m.group(1)), m.group(2)))
                        except cfg.CfgSyntaxError:
                            pass
            sibling = sibling.prev_named_sibling
        found.reverse()
        return found

    def _file_candidates(self, decl) -> List[Tuple[Optional[str], Optional[cfg.Pred]]]:
        """Each file `mod m;` may be, with the condition it is the one compiled under (None: always):
        as rustc reads them, the first path attribute that applies names the file, and the default
        layout (path None) is used when none does. `#[cfg_attr(a, path = "x.rs")]
        #[cfg_attr(b, path = "y.rs")] mod m;` is x.rs under a, y.rs under all(not(a), b), m.rs
        under all(not(a), not(b)); a plain `#[path]` ends the list."""
        out: List[Tuple[Optional[str], Optional[cfg.Pred]]] = []
        earlier: List[cfg.Pred] = []
        for pred, path in self._path_attributes(decl):
            if pred is None:
                out.append((path, cfg.conjunction(earlier)))
                return out
            out.append((path, cfg.conjunction(earlier + [pred])))
            earlier.append(("not", pred))
        out.append((None, cfg.conjunction(earlier)))
        return out
