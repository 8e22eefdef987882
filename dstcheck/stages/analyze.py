"""Per-file analysis: read, parse, resolve and match one file into a FileResult.

This is the unit of work a worker process runs. Everything after it (module tree,
classification, rendering) is language-neutral and works on FileResults.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from dstcheck.model import FileResult, Finding
from dstcheck.stages.prefilter import plan_for
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
    project = index.python if index is not None and language == "python" else None
    if prefilter and not plan.may_hold_site(source, config.marker.encode()) and not (project is not None and project.keeps(path)):
        result.parsed = False
        if language == "rust":  # the module tree still needs its `mod name;` declarations
            result.mod_decls = _mod_decls(source, config)
        return result
    if language == "rust":
        _analyze_rust(source, rules, config, result, plan)
    else:
        _analyze_python(path, source, rules, config, result, project)
    return result


def _analyze_rust(source: bytes, rules: List[Rule], config, result: FileResult, plan) -> None:
    from dstcheck.stages.match import match
    from dstcheck.rust import context, parse, resolve

    parsed = parse.parse(source)
    error = parse.first_error(parsed)
    if error is not None:
        line, column = parsed.position(error)
        result.findings.append(_problem(line, "syntax error: tree-sitter-rust could not parse this part of the file", column))
    finder = context.ContextFinder(parsed, config.profile)
    if rules:
        want_use = any(m.params.get("include-use") for r in rules for m in r.matchers)
        collector = resolve.FactCollector(parsed, config.pack.reexports.get("rust", {}), want_use)
        # A glob import of a banned module can bring in any name: then every identifier is a candidate.
        globbed = any(any((g + "::").startswith(p + "::") for p in plan.banned) for g in glob_paths(source))
        if globbed:
            facts = collector.collect(every_identifier=True)
        else:
            words = set(plan.anchors) | collector.names_bound_to(plan.banned) | resolve.extern_aliases(source, plan.banned)
            facts = collector.collect(words)
        for rule, path, fact in match(facts, rules):
            line, column = parsed.position(fact.start)
            end_line, end_column = parsed.position(fact.end)
            snippet = " ".join(parsed.source[fact.start:fact.end].decode("utf-8", "replace").split())
            result.findings.append(
                Finding(rule.id, line, column, end_line, end_column, snippet, rule.message.format(path=path), finder.context(fact.handle))
            )
    result.markers = parse.markers(parsed, config.marker)
    result.mod_decls = finder.mod_decls()


def _analyze_python(path: str, source: bytes, rules: List[Rule], config, result: FileResult, project) -> None:
    from dstcheck.stages.match import match
    from dstcheck.python import parse, resolve

    result.markers = parse.markers(source, config.marker)
    with parse.no_gc():  # a syntax tree holds no cycles: the collector would only rescan it
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
        for rule, matched, fact in match(walker.facts, rules):
            (line, column), (end_line, end_column) = fact.start, fact.end
            result.findings.append(
                Finding(rule.id, line, column, end_line, end_column, walker.snippet(fact.handle), rule.message.format(path=matched), walker.contexts[id(fact)])
            )
        del tree, walker  # freed here, before the collector is back


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
