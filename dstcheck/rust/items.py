"""What a Rust file declares at module level, read off its syntax tree: the file's exact summary.

For the file's own module and each inline `mod x { .. }` in it, a table of the names the module
binds (`use` of any visibility, `extern crate`, `type` aliases, items, child modules) and its glob
imports; plus the struct fields, function return types and impl methods it declares. A
declaration carries the verdict of its cfg under the DST profile: live (""), "test" (only a test
build has it) or "gated" (the DST build compiles it out). Lookups prefer live bindings, so of the
madsim pair `#[cfg(madsim)] use madsim::time::Instant; #[cfg(not(madsim))] use std::time::Instant;`
the one the DST build compiles wins, in either order; code inside gated or test modules still
resolves through their own bindings. Same-named structs and fns (`structs`, `fns`) are kept the
same way: the DST build's declaration wins, and two of one verdict that disagree are unknown. `cfg_if::cfg_if!` branches are parsed, each with the
verdict of its selection predicate. The summary is plain data (cached with the analysis) and is what the index
resolves other files' references through.

Module keys are inline paths joined by `::` ("" for the file's own module). A binding is
`[kind, target, global, visibility, verdict]`:
  kind   "use" (target: path segments), "extern" (target: [crate]), "type" (target: a type),
         "mod" (target: "inline" or "file"), or "item:<struct|enum|fn|...>" (target: None)
  global the target path starts with `::`
  visibility "pub", "crate" (restricted pub) or "" (private)
A type is {"p": path segments, "g": global, "a": [argument types]}, references and pointers
stripped; a slice or array is the path `[]`, a tuple `()` (its elements the arguments); None for
`impl Trait` and other shapes. A `type` alias's written type
also holds "params": its generic parameter names in declared order, lifetimes left out, and
"defaults" (when one has a default): the default type of each, or null.

`impls` lists `[inline key, self type, {method: [return type or None, verdict]}, verdict, is a
trait impl]` for every impl, with the verdicts of its cfg and of each method's (of two
same-named methods under opposite cfgs the live one is kept): a method the DST build compiles
is preferred to a test-only one, and that to a gated one, which only code compiled out with it
can call.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from dstcheck.rust import cfg
from dstcheck.rust.context import attribute_facts

ITEM_KINDS = {
    "struct_item": "struct",
    "enum_item": "enum",
    "union_item": "union",
    "trait_item": "trait",
    "function_item": "fn",
    "function_signature_item": "fn",
    "const_item": "const",
    "static_item": "static",
    "macro_definition": "macro",
}
SLICE = "[]"  # the path `type_of` gives a slice or an array: no path can name it
TUPLE = "()"  # the path of a tuple `(A, B)`, its elements the arguments (`p.1` is B)
PATH_TYPES = {"type_identifier", "scoped_type_identifier", "primitive_type", "identifier", "scoped_identifier"}
MAX_DEPTH = 64  # inline modules and cfg_if nesting deeper than this are not summarised
VERDICTS = ("", "test", "gated")  # live, test-only, compiled out of the DST build


def _stronger(a: str, b: str) -> str:
    return a if VERDICTS.index(a) >= VERDICTS.index(b) else b


def bracketed_path(node):
    """The path that `<..>::` continues: the type inside `<T>`, the trait of `<T as Trait>` (its
    `::f` is the trait's method); None for what is not a path."""
    inner = [c for c in node.named_children if c.type not in ("line_comment", "block_comment")]
    if len(inner) == 1 and inner[0].type == "qualified_type":
        inner = [inner[0].child_by_field_name("alias")] if inner[0].child_by_field_name("alias") is not None else []
    if len(inner) != 1 or inner[0].type not in PATH_TYPES | {"generic_type"} or inner[0].type == "identifier":
        return None
    return inner[0]


def segments_of(node, text) -> Optional[Tuple[List[str], bool]]:
    """The path a node spells and whether it starts with `::` (iterative: any depth)."""
    parts: List[str] = []
    is_global = False
    n = node
    while True:
        t = n.type
        if t in ("generic_type", "generic_type_with_turbofish"):
            inner = n.child_by_field_name("type")
            if inner is None:
                return None
            n = inner
            continue
        if t == "bracketed_type":  # `<std::time::Instant>::now`: the type's own path (not `<T as Trait>`)
            inner = bracketed_path(n)
            if inner is None:
                return None
            n = inner
            continue
        if t in ("identifier", "type_identifier", "self", "super", "crate", "metavariable", "primitive_type", "field_identifier"):
            parts.append(text(n))
            break
        if t in ("scoped_identifier", "scoped_type_identifier"):
            name = n.child_by_field_name("name")
            if name is None:
                return None
            parts.append(text(name))
            path = n.child_by_field_name("path")
            if path is None:
                is_global = n.child_count > 0 and n.children[0].type == "::"
                break
            n = path
            continue
        return None
    parts.reverse()
    return parts, is_global


def type_of(node, text) -> Optional[dict]:
    """A type node as data (see the module docstring)."""
    while node is not None and node.type in ("reference_type", "pointer_type"):
        node = node.child_by_field_name("type")
    if node is None:
        return None
    if node.type == "array_type":  # `[T]` and `[T; N]`: a sequence of T, under the path `[]`
        element = node.child_by_field_name("element")
        return {"p": [SLICE], "g": False, "a": [type_of(element, text)]} if element is not None else None
    if node.type == "tuple_type":
        return {"p": [TUPLE], "g": False, "a": [type_of(c, text) for c in node.named_children if c.type not in ("line_comment", "block_comment")]}
    args: List[Optional[dict]] = []
    base = node
    if node.type == "generic_type":
        base = node.child_by_field_name("type")
        type_args = node.child_by_field_name("type_arguments")
        if type_args is not None:
            args = [type_of(c, text) for c in type_args.named_children if c.type not in ("lifetime", "type_binding", "block")]
    if base is None or base.type not in PATH_TYPES:
        return None
    seg = segments_of(base, text)
    if seg is None:
        return None
    return {"p": seg[0], "g": seg[1], "a": args}


def alias_defaults(node, text) -> List[Optional[dict]]:
    """The default of each of `alias_params`, in the same order (None where there is none):
    `type M<K, V, S = RandomState> = HashMap<K, V, S>` used as `M<u64, u64>` keeps the hasher."""
    out: List[Optional[dict]] = []
    for child in node.named_children if node is not None else ():
        if child.type in ("lifetime_parameter", "lifetime", "line_comment", "block_comment", "attribute_item"):
            continue
        default = child.child_by_field_name("default_type") or child.child_by_field_name("default")
        out.append(type_of(default, text) if default is not None else None)
    return out


def alias_params(node, text) -> List[str]:
    """The names of a `type` alias's generic parameters in declared order (`<'a, K, const N:
    usize, S = X>` gives K, N, S): the positions of the arguments written where it is used.
    Lifetimes take no type argument's place, so they are left out."""
    out: List[str] = []
    for child in node.named_children if node is not None else ():
        if child.type in ("lifetime_parameter", "lifetime", "line_comment", "block_comment", "attribute_item"):
            continue
        name = child.child_by_field_name("name")
        if name is None:  # older grammars: `constrained_type_parameter` / `optional_type_parameter`
            name = child if child.type in ("type_identifier", "identifier") else child.child_by_field_name("left")
            if name is None:
                name = next((c for c in child.named_children if c.type in ("type_identifier", "identifier")), None)
        if name is not None:
            out.append(text(name))
    return out


def visibility(node, text) -> str:
    for child in node.children:
        if child.type == "visibility_modifier":
            return "pub" if text(child) == "pub" else "crate"
    return ""


def use_leaves(node, text) -> List[Tuple[object, Optional[str], List[str], bool, bool]]:
    """(leaf node, bound name or None for a glob, target segments, global, is_glob) for every leaf
    of a `use` tree. Iterative, so a tree nested a thousand braces deep is fine."""
    out = []
    stack = [(node, [], False)]
    while stack:
        n, prefix, glob = stack.pop()
        if n is None:
            continue
        t = n.type
        if t in ("identifier", "self", "super", "crate", "metavariable", "scoped_identifier"):
            seg = segments_of(n, text)
            if seg is None:
                continue
            segs = prefix + seg[0]
            is_global = glob or (not prefix and seg[1])
            if segs and segs[-1] == "self":
                segs = segs[:-1]
            if segs:
                out.append((n, segs[-1], segs, is_global, False))
        elif t == "use_as_clause":
            path, alias = n.child_by_field_name("path"), n.child_by_field_name("alias")
            seg = segments_of(path, text) if path is not None else None
            if seg is None or alias is None:
                continue
            segs = prefix + seg[0]
            if segs and segs[-1] == "self":
                segs = segs[:-1]
            name = text(alias)
            out.append((n, None if name == "_" else name, segs, glob or (not prefix and seg[1]), False))
        elif t == "use_wildcard":
            inner = n.named_children[0] if n.named_child_count else None
            seg = segments_of(inner, text) if inner is not None else ([], n.child_count > 0 and n.children[0].type == "::")
            if seg is not None:
                out.append((n, None, prefix + seg[0], glob or (not prefix and seg[1]), True))
        elif t == "scoped_use_list":
            path = n.child_by_field_name("path")
            seg = segments_of(path, text) if path is not None else ([], n.child_count > 0 and n.children[0].type == "::")
            lst = n.child_by_field_name("list")
            if seg is None or lst is None:
                continue
            for child in reversed(lst.named_children):
                stack.append((child, prefix + seg[0], glob or (not prefix and seg[1])))
        elif t == "use_list":
            for child in reversed(n.named_children):
                stack.append((child, prefix, glob))
    out.reverse()
    return out


def cfg_if_branches(invocation, text) -> List[Tuple[Optional[cfg.Pred], object]]:
    """The branches of `cfg_if::cfg_if! { if #[cfg(a)] { .. } else if #[cfg(b)] { .. } else { .. } }`
    as (selection predicate, branch token tree): branch i runs when its predicate holds and no
    earlier one did. None when the invocation is not a cfg_if."""
    macro = invocation.child_by_field_name("macro")
    if macro is None or text(macro) not in ("cfg_if", "cfg_if::cfg_if", "::cfg_if::cfg_if"):
        return []
    body = next((c for c in invocation.children if c.type == "token_tree"), None)
    if body is None:
        return []
    out = []
    earlier: List[cfg.Pred] = []
    children = body.children[1:-1]
    i = 0
    while i < len(children):
        tok = children[i]
        if tok.type == "if" or text(tok) == "if":
            attr = children[i + 2] if i + 2 < len(children) else None
            block = children[i + 3] if i + 3 < len(children) else None
            pred = _attr_cfg(attr, text) if attr is not None else None
            if pred is None or block is None or block.type != "token_tree":
                return []
            out.append((("all", tuple([("not", p) for p in earlier] + [pred])), block))
            earlier.append(pred)
            i += 4
        elif text(tok) == "else" and i + 1 < len(children) and children[i + 1].type == "token_tree":
            out.append((("all", tuple(("not", p) for p in earlier)), children[i + 1]))
            i += 2
        else:
            i += 1
    return out


def _attr_cfg(tree, text) -> Optional[cfg.Pred]:
    """`[cfg(..)]` (a token tree after `#`) as a predicate."""
    body = text(tree)
    if not (body.startswith("[") and body.endswith("]")):
        return None
    inner = body[1:-1].strip()
    if not inner.startswith("cfg") or not inner[3:].lstrip().startswith("("):
        return None
    args = inner[3:].strip()
    try:
        return cfg.parse(args[1:-1])
    except cfg.CfgSyntaxError:
        return None


class Summarizer:
    """Builds the summary of one parsed file (see the module docstring)."""

    def __init__(self, parsed, finder, profile: cfg.Profile):
        self.parsed = parsed
        self.text = parsed.text
        self.finder = finder
        self.profile = profile
        self.modules: Dict[str, dict] = {}
        self.structs: Dict[str, Dict[str, Optional[dict]]] = {}
        self.fns: Dict[str, Optional[dict]] = {}
        self.impls: List[list] = []
        self.mod_files: List[list] = []  # [inline path, name, #[path] or None]
        self._kept: Dict[Tuple[str, str], str] = {}  # (table, key): verdict of what `structs` / `fns` hold

    def summary(self) -> dict:
        self._module(self.parsed.root, "", "", 0, self.text)
        return {"modules": self.modules, "structs": self.structs, "fns": self.fns, "impls": self.impls}

    def _verdict(self, node, text, attributes=None) -> Optional[str]:
        """'gated', 'test' or None for a declaration's own attributes."""
        out = None
        for kind, value in self.finder.attributes(node, text) if attributes is None else attributes:
            if kind == "test":
                out = "test"
                continue
            verdict = cfg.classify(value, self.profile)
            if verdict == "gated":
                return "gated"
            if verdict == "test":
                out = "test"
        return out

    def _table(self, key: str) -> dict:
        return self.modules.setdefault(key, {"names": {}, "globs": []})

    def _module(self, body, key: str, outer: str, depth: int, text) -> None:
        table = self._table(key)
        if depth > MAX_DEPTH:
            return
        pending = []  # the attributes seen since the last declaration: they belong to the next one
        for child in body.named_children:
            t = child.type
            if t == "attribute_item":
                pending.append(child)
                continue
            if t in ("line_comment", "block_comment", "inner_attribute_item"):
                continue
            attributes = attribute_facts(pending, text) if pending else ()
            pending = []
            self._declaration(child, key, table, _stronger(outer, self._verdict(child, text, attributes) or ""), depth, text)

    def _bind(self, table: dict, name: str, binding: list) -> None:
        table["names"].setdefault(name, []).append(binding)

    def _declaration(self, child, key: str, table: dict, test: str, depth: int, text) -> None:
        t = child.type
        prefix = key + "::" if key else ""
        if t == "use_declaration":
            vis = visibility(child, text)
            for _, name, segs, is_global, is_glob in use_leaves(child.child_by_field_name("argument"), text):
                if is_glob:
                    table["globs"].append([segs, is_global, vis, test])
                elif name is not None:
                    self._bind(table, name, ["use", segs, is_global, vis, test])
        elif t == "extern_crate_declaration":
            name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
            if name is not None:
                self._bind(table, text(alias or name), ["extern", [text(name)], True, visibility(child, text), test])
        elif t == "mod_item":
            name_node = child.child_by_field_name("name")
            if name_node is None:
                return
            name = text(name_node).removeprefix("r#")
            body = child.child_by_field_name("body")
            self._bind(table, name, ["mod", "inline" if body is not None else "file", False, visibility(child, text), test])
            if body is not None:
                self._module(body, prefix + name, test, depth + 1, text)
        elif t == "type_item":
            name, target = child.child_by_field_name("name"), child.child_by_field_name("type")
            if name is not None and target is not None:
                written = type_of(target, text)
                if written is not None:  # `type M<K, V> = ..`: the parameters, in declared order
                    written["params"] = alias_params(child.child_by_field_name("type_parameters"), text)
                    defaults = alias_defaults(child.child_by_field_name("type_parameters"), text)
                    if any(d is not None for d in defaults) and len(defaults) == len(written["params"]):
                        written["defaults"] = defaults
                self._bind(table, text(name), ["type", written, False, visibility(child, text), test])
        elif t in ITEM_KINDS:
            name = child.child_by_field_name("name")
            if name is None:
                return
            self._bind(table, text(name), ["item:" + ITEM_KINDS[t], None, False, visibility(child, text), test])
            if t == "struct_item":
                self._keep("structs", self.structs, prefix + text(name), self._fields(child, text), test)
            elif t == "function_item":
                ret = child.child_by_field_name("return_type")
                self._keep("fns", self.fns, prefix + text(name), type_of(ret, text) if ret is not None else None, test)
        elif t == "impl_item":
            target = child.child_by_field_name("type")
            seg = type_of(target, text) if target is not None else None
            body = child.child_by_field_name("body")
            if seg is not None and body is not None:
                methods: Dict[str, list] = {}
                for fn in body.named_children:
                    if fn.type != "function_item":
                        continue
                    verdict = _stronger(test, self._verdict(fn, text) or "")
                    name, ret = fn.child_by_field_name("name"), fn.child_by_field_name("return_type")
                    if name is None:
                        continue
                    known = methods.get(text(name))  # of `#[cfg(test)] fn f` and `#[cfg(not(test))] fn f`, the live one
                    if known is None or VERDICTS.index(verdict) < VERDICTS.index(known[1]):
                        methods[text(name)] = [type_of(ret, text) if ret is not None else None, verdict]
                self.impls.append([key, seg, methods, test, child.child_by_field_name("trait") is not None])
        elif t == "macro_invocation" and depth <= MAX_DEPTH:
            for pred, block in cfg_if_branches(child, text):
                self._branch(block, key, table, _stronger(test, cfg.classify(pred, self.profile) or ""), depth, text)

    def _keep(self, kind: str, table: dict, key: str, value, verdict: str) -> None:
        """Of same-named structs or fns (`#[cfg(madsim)] struct Book {..}` beside
        `#[cfg(not(madsim))] struct Book {..}`, in either order), the one the DST build compiles
        wins, a test-only one over a gated one; two of the same verdict that disagree (neither
        decided) leave the type unknown: a struct field by field, a fn's return type whole."""
        known = self._kept.get((kind, key))
        if known is not None and VERDICTS.index(verdict) > VERDICTS.index(known):
            return
        if known is None or VERDICTS.index(verdict) < VERDICTS.index(known):
            table[key] = value
        elif kind == "structs":
            merged = {**value, **table[key]}
            for f in set(value) & set(table[key]):
                if value[f] != table[key][f]:
                    merged[f] = None
            table[key] = merged
        elif table[key] != value:
            table[key] = None
        self._kept[(kind, key)] = verdict

    def _branch(self, block, key: str, table: dict, verdict: str, depth: int, text) -> None:
        """A cfg_if branch's tokens are not items to tree-sitter: parse them on their own."""
        from dstcheck.rust import parse as parse_mod

        inner = text(block)[1:-1].encode("utf-8")
        sub = parse_mod.parse(inner)
        for child in sub.root.named_children:
            self._declaration(child, key, table, _stronger(verdict, self._verdict(child, sub.text) or ""), depth + 1, sub.text)

    def _fields(self, struct, text) -> Dict[str, Optional[dict]]:
        body = struct.child_by_field_name("body")
        fields: Dict[str, Optional[dict]] = {}
        if body is None:
            return fields
        if body.type == "field_declaration_list":
            for f in body.named_children:
                if f.type == "field_declaration" and self._verdict(f, text) != "gated":
                    name, ftype = f.child_by_field_name("name"), f.child_by_field_name("type")
                    if name is not None and ftype is not None:
                        fields[text(name)] = type_of(ftype, text)
        elif body.type == "ordered_field_declaration_list":
            index = 0
            for f in body.children:
                if f.type in ("(", ")", ",", "visibility_modifier", "attribute_item"):
                    continue
                fields[str(index)] = type_of(f, text)
                index += 1
        return fields
