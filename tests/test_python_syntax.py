"""Python 3.8-3.13 syntax parses whatever interpreter runs dstcheck, with every position kept."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dstcheck.python import downgrade, parse
from dstcheck.python.downgrade import tokenize
from fixture_harness import FIXTURES, annotations

ROOT = Path(__file__).resolve().parent.parent
NEW_SYNTAX = FIXTURES / "python" / "syntax_new.py"
PYENV = Path.home() / ".pyenv" / "versions"


def _same_shape(before: str, after: str) -> None:
    """Every line keeps its UTF-8 length, so every byte column is where it was."""
    old, new = before.split("\n"), after.split("\n")
    assert len(old) == len(new)
    for a, b in zip(old, new):
        assert len(a.encode()) == len(b.encode()) or b.endswith("\\"), (a, b)


@pytest.mark.parametrize("version", [(3, 9), (3, 10), (3, 11), (3, 12)])
def test_downgraded_fixture_keeps_every_line_and_column(version):
    text = NEW_SYNTAX.read_text(encoding="utf-8")
    rewritten = downgrade.downgrade(text, version)
    assert rewritten is not None
    _same_shape(text, rewritten)
    # The clock and RNG calls are where they were, character for character.
    for needle in ("time.time()", "time.monotonic()", "random.choice(items)", "time.time_ns()"):
        at = text.index(needle)
        assert rewritten[at:at + len(needle)] == needle


def test_downgrade_rewrites_each_construct_into_one_the_old_parser_knows():
    cases = {
        "type Alias[T] = list[T]\n": (3, 11),
        "class C[T: int, *Ts, **P](Base): pass\n": (3, 11),
        "def f[T = int](x: T) -> T: return x\n": (3, 12),
        'x = f"{d["k"]} {a!r:>{w}} {b=}" "tail"\n': (3, 11),
        "try:\n    pass\nexcept* ValueError:\n    pass\n": (3, 10),
        "y = x[*a, 1]\n": (3, 10),
        "match p:\n    case Point(x=0) as q if q:\n        pass\n    case [a, *rest]:\n        pass\n": (3, 9),
    }
    for source, version in cases.items():
        rewritten = downgrade.downgrade(source, version)
        assert rewritten is not None, source
        _same_shape(source, rewritten)
        if sys.version_info[:2] <= version:
            with pytest.raises(SyntaxError):
                ast.parse(source)
        ast.parse(rewritten)  # the running interpreter (>= the target) accepts it


def test_older_syntax_is_left_alone():
    assert downgrade.downgrade("x = f'{a}'\nmatch = 1\ntype = 2\n", (3, 12)) is None


def test_tokenizer_finds_comments_not_inside_f_string_fields():
    text = 'x = f"{d["#k"]}"  # real\n# also real\ns = "# not a comment"\n'
    comments = [text[s:e] for kind, s, e in tokenize(text) if kind == "comment"]
    assert comments == ["# real", "# also real"]


def test_real_syntax_error_is_reported_where_it_is_even_among_new_syntax():
    source = "class Box[T]:\n    pass\n\n\ndef broken(:\n    return 1\n".encode()
    tree, error = parse.parse(source)
    assert tree is None
    line, column, message = error
    assert (line, column) == (5, 12)
    assert message.startswith("syntax error")


def test_new_syntax_fixture_parses_here():
    tree, error = parse.parse(NEW_SYNTAX.read_bytes())
    assert error is None and tree is not None


CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from dstcheck.python import parse, resolve
from dstcheck.python.project import Banned
source = open(sys.argv[2], "rb").read()
tree, error = parse.parse(source)
assert error is None, error
wants = resolve.Wants(Banned(["time.time", "time.time_ns", "time.monotonic", "time.perf_counter", "random.choice", "random.random"], {}), frozenset(), False, False)
walker = resolve.collect(tree, source, wants, [])
print(json.dumps(sorted({f.start[0] for f in walker.facts if f.kind == "call"})))
"""


def _interpreters():
    found = []
    for minor in range(9, 14):
        candidates = sorted(PYENV.glob(f"3.{minor}.*/bin/python"))
        found.append(pytest.param(candidates[-1] if candidates else None, id=f"3.{minor}"))
    return found


@pytest.mark.parametrize("python", _interpreters())
def test_new_syntax_fixture_under_each_interpreter(python):
    """The same sites under 3.9 .. 3.13 (the front end needs nothing beyond the standard library)."""
    if python is None:
        pytest.skip("this interpreter version is not installed here")
    expected, _ = annotations(NEW_SYNTAX, {"DST201", "DST202"})
    want = sorted(line for line, counter in expected.items() if counter)
    proc = subprocess.run([str(python), "-c", CHILD, str(ROOT), str(NEW_SYNTAX)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == want
