"""Properties of the Python front end's byte-level parts, on generated input: they never raise, the
rewrite keeps every position, and the byte scan of imports finds every real import."""

from __future__ import annotations

import ast

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from dstcheck.python import downgrade, parse
from dstcheck.python.imports import scan

PIECES = [
    "x", "time", " ", "\t", "\n", "\r", "\r\n", "'", '"', "'''", '"""', "f'", 'f"', "rb'", "{", "}", "{{", "}}",
    "(", ")", "[", "]", ":", "=", "!r", "*", "**", "#", "\\", "\\\n", "import ", "from ", ".", ",", "as ", "type ",
    "class C", "[T]", "match ", "case ", "except* ", "é", "€", "\x0c", "lambda", "if ", "else",
]
SOURCES = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
FAST = settings(max_examples=300, deadline=None, derandomize=True)


@seed(14)
@FAST
@given(SOURCES)
def test_tokenizer_and_downgrade_never_raise_and_keep_positions(text):
    downgrade.tokenize(text)
    for version in ((3, 9), (3, 11), (3, 12)):
        out = downgrade.downgrade(text, version)
        if out is not None:
            assert out.count("\n") == text.count("\n")
            for before, after in zip(text.split("\n"), out.split("\n")):
                assert len(before.encode("utf-8", "surrogatepass")) == len(after.encode("utf-8", "surrogatepass")) or after.endswith("\\")


@seed(15)
@FAST
@given(st.binary(max_size=300) | SOURCES.map(lambda s: s.encode("utf-8")))
def test_decode_scan_and_parse_never_raise(data):
    source, problem = parse.decode(data)
    assert (source is None) != (problem is None)
    scan(data)
    if source is not None and b"\x00" not in source:
        parse.markers(source, "dst-ok")
        tree, error = parse.parse(source)
        assert (tree is None) != (error is None)


NAMES = st.sampled_from(["time", "os", "a", "pkg.mod", "x_1"])
IMPORTS = st.one_of(
    st.builds(lambda n, a: f"import {n}" + (f" as {a}" if a else ""), NAMES, st.sampled_from(["", "t"])),
    st.builds(lambda m, n, lvl: f"from {'.' * lvl}{m} import {n}", st.sampled_from(["time", "pkg", ""]), st.sampled_from(["x", "y as z", "*", "(x,\n    y)"]), st.integers(0, 2)),
)
WRAPPERS = st.sampled_from(["{}", "if c:\n    {}", "try:\n    {}\nexcept E:\n    pass", "def f():\n    {}", "x = 1; {}"])


@seed(16)
@FAST
@given(st.lists(st.tuples(WRAPPERS, IMPORTS), min_size=1, max_size=6))
def test_scan_finds_every_import_ast_finds(parts):
    text = "\n".join(wrapper.format(statement.replace("\n", "\n    " if wrapper != "{}" else "\n")) for wrapper, statement in parts) + "\n"
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return  # e.g. a relative star import inside a function
    found = {(i.level, i.module, n) for i in scan(text.encode()) for n, _ in i.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert (0, None, alias.name) in found, text
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                assert (node.level, node.module or "", alias.name) in found, text
