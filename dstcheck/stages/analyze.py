"""Per-file analysis: read, parse, resolve and match one file into a FileResult.

This is the unit of work a worker process runs. Everything after it (module tree,
classification, rendering) is language-neutral and works on FileResults.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from dstcheck.model import FileResult, Finding
from dstcheck.stages.prefilter import plan_for, words_of
from dstcheck.rules import Rule

PATH_BEFORE = re.compile(rb"((?:::)?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)$")


def glob_paths(source: bytes) -> List[str]:
    """The module paths of `use path::*` globs (found with bytes.find, then a short look back)."""
    out = []
    i = source.find(b"::*")
    while i != -1:
        m = PATH_BEFORE.search(source, max(0, i - 256), i)
        if m:
            out.append(m.group(1).decode().lstrip(":"))
        i = source.find(b"::*", i + 3)
    return out


def read_source(abspath: str) -> Tuple[Optional[bytes], Optional[Finding]]:
    """The file's bytes, or a DST000 finding saying why it cannot be checked."""
    try:
        with open(abspath, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        return None, _problem(1, f"cannot read file: {exc.strerror or exc}")
    nul = source.find(b"\x00")
    if nul != -1:
        return None, _problem(source.count(b"\n", 0, nul) + 1, "binary file (NUL byte): not checked")
    if abspath.endswith(".py"):  # decoded as CPython does; one form for every later stage
        from dstcheck.python.parse import decode

        source, trouble = decode(source)
        return (source, None) if trouble is None else (None, _problem(*trouble))
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _problem(source.count(b"\n", 0, exc.start) + 1, f"not valid UTF-8 (byte {exc.start}): not checked")
    return source, None


def _problem(line: int, message: str, column: int = 1) -> Finding:
    return Finding("DST000", line, column, line, column, "", message)


def analyze_file(path: str, abspath: str, language: str, rules: List[Rule], config, prefilter: bool = True, index=None) -> FileResult:
    source, problem = read_source(abspath)
    result = FileResult(path, language)
    if problem is not None:
        result.findings.append(problem)
        return result
    result.size = len(source)
    result.lines = source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    plan = plan_for(rules, config.pack.reexports.get(language, {}), language)
    part = index.for_language(language) if index is not None else None
    vocabulary = words_of(source)
    may_hold = (
        plan.may_hold_site(source, config.marker.encode(), vocabulary)
        or (hasattr(part, "keeps") and part.keeps(path, vocabulary, _untyped_ids(rules), source))
        or (language == "rust" and _typed_may_hold(path, source, vocabulary, rules, part))
    )
    if prefilter and not may_hold:
        result.parsed = False
        if language == "rust":  # the module tree still needs its `mod name;` declarations
            result.mod_decls = _mod_decls(source, config)
        return result
    if language == "rust":
        _analyze_rust(path, source, rules, config, result, plan, part)
    else:
        _analyze_python(path, source, rules, config, result, part)
    if not may_hold:
        result.unresolved = 0  # no reading of a reference here can reach a banned path: none matters
    return result


def _untyped_ids(rules) -> List[str]:
    """Rules whose sites need no receiver type (the typed ones have their own prefilter)."""
    from dstcheck.stages.prefilter import TYPED_KINDS

    return [r.id for r in rules if not all(m.kind in TYPED_KINDS for m in r.matchers)]


def _typed_may_hold(path: str, source: bytes, vocabulary, rules, workspace) -> bool:
    from dstcheck.rust import typed

    sketched = workspace.sketch(path) if workspace is not None else None
    return typed.may_hold(source, vocabulary, rules, sketched, workspace, path)


def _analyze_rust(path: str, source: bytes, rules: List[Rule], config, result: FileResult, plan, workspace) -> None:
    from dstcheck.rust import context, items, parse, resolve
    from dstcheck.rust.names import NO_CRATE, PENDING, ModRef, ModuleResolver
    from dstcheck.stages.match import match

    parsed = parse.parse(source)
    error = parse.first_error(parsed)
    if error is not None:
        line, column = parsed.position(error)
        result.findings.append(_problem(line, "syntax error: tree-sitter-rust could not parse this part of the file", column))
    finder = context.ContextFinder(parsed, config.profile)
    result.summary = items.Summarizer(parsed, finder, config.profile).summary()
    result.markers = parse.markers(parsed, config.marker)
    result.mod_decls = finder.mod_decls()
    if not rules:
        return
    module = workspace.module_of(path) if workspace is not None else ModRef("file:" + path, ())
    own = {module.path + (tuple(k.split("::")) if k else ()): t for k, t in result.summary["modules"].items()}
    in_crate = workspace is not None and module.crate in workspace.crates

    def tables(ref: ModRef):
        if ref.crate == module.crate and ref.path in own:
            return own[ref.path]
        return PENDING if in_crate or (workspace is not None and ref.crate in workspace.crates) else None

    crates = workspace.crate_info if workspace is not None else (lambda key: NO_CRATE)
    mres = ModuleResolver(tables, crates, config.pack.reexports.get("rust", {}))
    resolver = resolve.Resolver(parsed, finder, module, mres)
    want_use = any(m.params.get("include-use") for r in rules for m in r.matchers)
    collector = resolve.FactCollector(parsed, resolver, want_use)
    # A glob import of a banned module can bring in any name: then every identifier is a candidate.
    globbed = (workspace is not None and workspace.globbed(path, {r.id for r in rules})) or any(any((g + "::").startswith(p + "::") for p in plan.banned) for g in glob_paths(source))
    ids = [r.id for r in rules]
    if globbed:
        facts = collector.collect(every_identifier=True)
    else:
        words = set(plan.anchors) | resolve.extern_aliases(source, plan.banned)
        if workspace is not None:
            # the index's words cover every rule that may be reached across files; a `direct`
            # rule only through this file's own imports
            words |= workspace.words_for(path, ids)
            direct = [r for r in rules if any(m.params.get("direct") for m in r.matchers)]
            if direct:
                words |= resolve.local_hot_words(source, direct, config.pack.reexports.get("rust", {}), workspace.sketch(path))
        else:
            words |= resolve.local_hot_words(source, rules, config.pack.reexports.get("rust", {}))
        facts = collector.collect(words)
    _typed_facts(parsed, finder, resolver, mres, module, own, in_crate, workspace, rules, result)
    for fact in facts:
        if fact.pending and workspace is not None:
            fact.pending = tuple(p for p in fact.pending if workspace.may_carry(p.module, p.segs, ids))
        matched = [] if fact.pending else match([fact], rules)
        if not matched and not fact.pending:
            result.unresolved += fact.unresolved
            continue
        line, column = parsed.position(fact.start)
        end_line, end_column = parsed.position(fact.end)
        snippet = " ".join(parsed.source[fact.start:fact.end].decode("utf-8", "replace").split())
        ctx = finder.context(fact.handle, (fact.start, fact.end))
        if fact.pending:
            result.deferred.append(deferred_record(fact, resolver.module_at(fact.handle), (line, column, end_line, end_column), snippet, ctx))
        for rule, matched_path, _ in matched:
            result.findings.append(Finding(rule.id, line, column, end_line, end_column, snippet, rule.message.format(path=matched_path), ctx, matched_path))


def _typed_facts(parsed, finder, resolver, mres, module, own, in_crate, workspace, rules, result) -> None:
    """Facts that need a receiver's type (DST108 iterations, `.elapsed()`): answered here when
    this file declares what they need, else kept for the index."""
    from dstcheck.rust import typed, types
    from dstcheck.rust.names import PENDING
    from dstcheck.stages.match import match

    wanted = typed.triggers(rules)
    if not wanted:
        return

    def summary_of(ref):
        if ref.crate == module.crate and ref.path in own and ref.path[: len(module.path)] == module.path:
            return result.summary, module, "::".join(ref.path[len(module.path):])
        return PENDING if in_crate or (workspace is not None and ref.crate in workspace.crates) else None

    evaluator = types.Evaluator(mres, summary_of)
    for record in typed.records(parsed, types.QueryBuilder(parsed, resolver), wanted):
        node = record.pop("node")
        try:
            fact = typed.finish(record, evaluator)
        except types.NeedsOtherFile:
            fact = None
            pending = workspace is not None and workspace.may_type(record["receiver"], rules)
            if not pending:
                continue
        else:
            pending = False
        matched = match([fact], rules) if fact is not None else []
        if not matched and not pending:
            continue
        line, column = parsed.position(node.start_byte)
        end_line, end_column = parsed.position(node.end_byte)
        snippet = " ".join(parsed.source[node.start_byte:node.end_byte].decode("utf-8", "replace").split())
        ctx = finder.context(node)
        if record["kind"] == "iteration":  # the site runs from the chain's receiver to its end
            first, last = _chain_rows(node, parsed.text)
            if first + 1 < line or last + 1 > end_line:
                result.extents.append([line, column, end_line, end_column, min(first + 1, line), max(last + 1, end_line)])
        if pending:
            result.deferred.append({"typed": record, "span": [line, column, end_line, end_column], "snippet": snippet,
                                    "context": {"test": ctx.test, "gate": ctx.gate, "item": ctx.item}})
        for rule, matched_path, _ in matched:
            result.findings.append(Finding(rule.id, line, column, end_line, end_column, snippet, rule.message.format(path=matched_path), ctx, matched_path))


CHAIN_OUTWARD = {"try_expression", "await_expression"}
CONSUMING_CALLS = {"extend", "append", "from_iter"}  # take an iteration whole: `v.extend(m.values())`


def _is(parent, name: str, node) -> bool:
    child = parent.child_by_field_name(name)
    return child is not None and child.id == node.id


def _chain_rows(node, text):
    """(first row, last row), 0-based, of the site a Rust iteration at `node` forms: the whole
    method chain it stands in, from the receiver to the chain's end, taking in the call that
    consumes it (`v.extend(m.values())`, `Vec::from_iter(..)`); when that chain is what a `for`
    loops over, the loop's header, from `for` to the body's `{` (its body is not the site)."""
    n = node
    for _ in range(256):
        parent = n.parent
        if parent is None:
            break
        t = parent.type
        if t == "field_expression" or t in CHAIN_OUTWARD or (t in ("generic_function", "call_expression") and _is(parent, "function", n)):
            n = parent
            continue
        call = parent.parent if t == "arguments" else None
        if call is not None and call.type == "call_expression" and len([a for a in parent.named_children if a.type not in ("line_comment", "block_comment")]) == 1:
            function = call.child_by_field_name("function")
            kind = function.type if function is not None else ""
            name = function.child_by_field_name("field" if kind == "field_expression" else "name") if kind in ("field_expression", "scoped_identifier") else None
            if name is not None and text(name) in CONSUMING_CALLS:
                n = call
                continue
        break
    parent = n.parent
    if parent is not None and parent.type == "for_expression" and _is(parent, "value", n):
        body = parent.child_by_field_name("body")
        return parent.start_point[0], (body.start_point[0] if body is not None else n.end_point[0])
    return n.start_point[0], n.end_point[0]


def deferred_record(fact, origin, span, snippet: str, ctx) -> dict:
    """A fact whose resolution continues in another file, as plain data (it is cached)."""
    return {
        "kind": fact.kind,
        "method": fact.method,
        "first_tokens": list(fact.first_tokens),
        "paths": list(fact.paths),
        "imported": list(fact.imported),
        "indirect": list(fact.indirect),
        "pending": [[p.mode, p.module.crate, list(p.module.path), list(p.segs)] for p in fact.pending],
        "unresolved": fact.unresolved,
        "origin": [origin.crate, list(origin.path)],
        "span": list(span),
        "snippet": snippet,
        "context": {"test": ctx.test, "gate": ctx.gate, "item": ctx.item},
    }


def _analyze_python(path: str, source: bytes, rules: List[Rule], config, result: FileResult, project) -> None:
    from dstcheck.stages.match import match
    from dstcheck.python import parse, resolve

    result.markers = parse.markers(source, config.marker)
    tree, error = parse.parse(source)
    if error is not None:
        line, column, message = error
        result.findings.append(_problem(line, message, column))
        return
    if not rules:
        return
    try:
        walker = resolve.collect(tree, source, resolve.wants(rules, config), config.languages["python"].guards, project, path)
    except RecursionError:  # the walk is iterative; this guards the few recursive helpers
        result.findings.append(_problem(1, parse.DEEP))
        return
    owners = None
    for rule, matched, fact in match(walker.facts, rules):
        (line, column), (end_line, end_column) = fact.start, fact.end
        result.findings.append(
            Finding(rule.id, line, column, end_line, end_column, walker.snippet(fact.handle), rule.message.format(path=matched), walker.contexts[id(fact)], matched)
        )
        if owners is None:
            owners = _python_owners(tree, walker.lines)
        lines = owners.get(id(fact.handle))
        if lines is not None and (lines[0] < line or lines[1] > end_line):
            result.extents.append([line, column, end_line, end_column, min(lines[0], line), max(lines[1], end_line)])


def _python_owners(tree, lines) -> dict:
    """id(node) -> (first, last line) of the site a node iterated by a comprehension or a `for`
    forms: the whole comprehension, bracket to bracket (or the call whose parentheses a lone
    generator shares), or the loop's header, from `for` to its colon (the body is not the site)."""
    import ast

    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for generator in node.generators:
                out[id(generator.iter)] = (node.lineno, node.end_lineno)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            out[id(node.iter)] = (node.lineno, _colon_line(node, lines))
    return out


def _colon_line(loop, lines) -> int:
    """The line of a `for` header's colon: the first `:` after the iterable, past closing
    parentheses and comments (nothing else can stand between them)."""
    line, column = loop.iter.end_lineno, loop.iter.end_col_offset
    last = loop.body[0].lineno if loop.body else line
    while line < last:
        rest = lines[line - 1][column:] if 0 < line <= len(lines) else b""
        if b":" in rest.split(b"#", 1)[0]:
            return line
        line, column = line + 1, 0
    return line


def _mod_decls(source: bytes, config) -> list:
    from dstcheck.rust import context, parse

    if not context.mod_decl_offsets(source):
        return []
    return context.ContextFinder(parse.parse(source), config.profile).mod_decls()


def rust_mod_decls(abspath: str, config) -> Optional[list]:
    """Only the `mod` declarations of a file (a parent of a checked file that was not checked)."""
    source, problem = read_source(abspath)
    if problem is not None:
        return None
    return _mod_decls(source, config)
