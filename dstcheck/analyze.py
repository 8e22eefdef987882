"""Per-file analysis: read, parse, resolve and match one file into a FileResult.

This is the unit of work a worker process runs. Everything after it (module tree,
classification, rendering) is language-neutral and works on FileResults.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional, Tuple

from dstcheck.matchers import path_lists
from dstcheck.model import FileResult, Finding
from dstcheck.rules import Rule

GLOB_USE_RE = re.compile(rb"((?:::)?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::\*")
ANY_IDENT = re.compile(rb"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*")


def rule_words(rules: List[Rule]) -> Tuple[str, ...]:
    words = set()
    for rule in rules:
        for matcher in rule.matchers:
            for path in path_lists(matcher.params):
                words.update(p for p in re.split(r"::|\.", path) if p)
    return tuple(sorted(words))


def rule_paths(rules: List[Rule]) -> Tuple[str, ...]:
    return tuple(sorted({p for r in rules for m in r.matchers for p in m.params.get("paths", ())}))


@lru_cache(maxsize=64)
def _regex(words: Tuple[str, ...]):
    from dstcheck.rust.resolve import candidate_regex

    return candidate_regex(words)


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
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _problem(source.count(b"\n", 0, exc.start) + 1, f"not valid UTF-8 (byte {exc.start}): not checked")
    return source, None


def _problem(line: int, message: str, column: int = 1) -> Finding:
    return Finding("DST000", line, column, line, column, "", message)


def analyze_file(path: str, abspath: str, language: str, rules: List[Rule], config) -> FileResult:
    source, problem = read_source(abspath)
    result = FileResult(path, language)
    if problem is not None:
        result.findings.append(problem)
        return result
    result.size = len(source)
    result.lines = source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    if language == "rust":
        _analyze_rust(source, rules, config, result)
    else:
        _analyze_python(source, rules, config, result)
    return result


def _analyze_rust(source: bytes, rules: List[Rule], config, result: FileResult) -> None:
    from dstcheck.match import match
    from dstcheck.rust import context, parse, resolve

    parsed = parse.parse(source)
    error = parse.first_error(parsed)
    if error is not None:
        line, column = parsed.position(error)
        result.findings.append(_problem(line, "syntax error: tree-sitter-rust could not parse this part of the file", column))
    finder = context.ContextFinder(parsed, config.profile)
    if rules:
        words = set(rule_words(rules)) | set(resolve.aliases(source))
        prefixes = rule_paths(rules)
        globbed = any(
            any((g.decode().lstrip(":") + "::").startswith(p + "::") for p in prefixes) for g in GLOB_USE_RE.findall(source)
        )
        regex = ANY_IDENT if globbed else _regex(tuple(sorted(words)))
        want_use = any(m.params.get("include-use") for r in rules for m in r.matchers)
        facts = resolve.FactCollector(parsed, config.pack.reexports.get("rust", {}), want_use).collect(regex)
        for rule, path, fact in match(facts, rules):
            line, column = parsed.position(fact.start)
            end_line, end_column = parsed.position(fact.end)
            snippet = " ".join(parsed.source[fact.start:fact.end].decode("utf-8", "replace").split())
            result.findings.append(
                Finding(rule.id, line, column, end_line, end_column, snippet, rule.message.format(path=path), finder.context(fact.handle))
            )
    result.markers = parse.markers(parsed, config.marker)
    result.mod_decls = finder.mod_decls()


def _analyze_python(source: bytes, rules: List[Rule], config, result: FileResult) -> None:
    from dstcheck.match import match
    from dstcheck.python import parse

    result.markers = parse.markers(source, config.marker)
    module, error = parse.parse(source)
    if error is not None:
        line, column, message = error
        result.findings.append(_problem(line, message, column))
        return
    if not rules:
        return
    from dstcheck.python import resolve

    want_sets = any(m.kind == "set-iteration" for r in rules for m in r.matchers)
    facts, finder = resolve.collect(module, config.pack.reexports.get("python", {}), want_sets, config.languages["python"].guards)
    for rule, path, fact in match(facts, rules):
        (line, column), (end_line, end_column) = fact.start, fact.end
        snippet = " ".join(finder.module.code_for_node(fact.handle).split())
        result.findings.append(
            Finding(rule.id, line, column + 1, end_line, end_column + 1, snippet, rule.message.format(path=path), finder.context(fact.handle))
        )


def rust_mod_decls(abspath: str, config) -> Optional[list]:
    """Only the `mod` declarations of a file (a parent of a checked file that was not checked)."""
    from dstcheck.rust import context, parse

    source, problem = read_source(abspath)
    if problem is not None:
        return None
    return context.ContextFinder(parse.parse(source), config.profile).mod_decls()
