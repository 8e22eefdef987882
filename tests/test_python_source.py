"""Python sources are read as CPython reads them: encodings, line ends, depth. Never an abort."""

from __future__ import annotations

from pathlib import Path

import pytest

from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.python import parse


def scan(tmp_path: Path, files: dict):
    """Sites of a workspace whose files are given as bytes (exactly what is on disk)."""
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    cfg = config_mod.from_data({}, tmp_path, None)
    return pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1)).sites


def where(sites):
    return [(s.rule, s.line, s.column, s.end_line, s.end_column, s.snippet, s.item, s.disposition) for s in sites]


CLOCK = "import time\n\n\ndef on_bar(bar):\n    started = time.time()  # dst-ok: log timing\n    return (time.monotonic(),\n            bar)\n"


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_line_ends_give_the_same_sites_snippets_and_markers(tmp_path, ending):
    reference = where(scan(tmp_path / "lf", {"a.py": CLOCK.encode()}))
    assert [r[0] for r in reference] == ["DST201", "DST201"]
    assert reference[0][-1] == "suppressed"  # the marker is found, so not reported unused
    other = where(scan(tmp_path / "other", {"a.py": CLOCK.replace("\n", ending).encode()}))
    assert other == reference


def test_mixed_line_ends_count_as_cpython_counts_them(tmp_path):
    text = "import time\r\nx = 1\ry = 2\nz = time.time()  # dst-ok: fine\r\nw = time.monotonic()\n"
    sites = scan(tmp_path, {"a.py": text.encode()})
    assert where(sites) == [
        ("DST201", 4, 5, 4, 16, "time.time()", "", "suppressed"),
        ("DST201", 5, 5, 5, 21, "time.monotonic()", "", "violation"),
    ]


def test_byte_order_mark_does_not_shift_columns(tmp_path):
    plain = scan(tmp_path / "plain", {"a.py": b"import time; started = time.time()\n"})
    marked = scan(tmp_path / "bom", {"a.py": b"\xef\xbb\xbfimport time; started = time.time()\n"})
    assert where(marked) == where(plain)
    assert where(plain)[0][1:6] == (1, 24, 1, 35, "time.time()")


@pytest.mark.parametrize(
    "encoding,word",
    [("latin-1", "café"), ("koi8-r", "время"), ("cp1252", "naïve €")],
)
def test_coding_declaration_is_honoured(tmp_path, encoding, word):
    text = f"# -*- coding: {encoding} -*-\nimport time\nlabel = '{word}'; t = time.time()  # dst-ok: {word}\n"
    sites = scan(tmp_path, {"a.py": text.encode(encoding)})
    assert [(s.rule, s.line, s.column, s.snippet, s.disposition, s.reason) for s in sites] == [
        ("DST201", 3, 17 + len(word), "time.time()", "suppressed", word)
    ]


def test_coding_declaration_on_the_second_line(tmp_path):
    text = "#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nimport time\nx = 'é' + str(time.time())\n"
    sites = scan(tmp_path, {"a.py": text.encode("latin-1")})
    assert [(s.rule, s.line) for s in sites] == [("DST201", 4)]


@pytest.mark.parametrize(
    "data,line,fragment",
    [
        (b"import time\nx = '\xe9'\n", 2, "not valid utf-8"),
        (b"# -*- coding: no-such-codec -*-\nx = 1\n", 1, "cannot decode"),
        (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n", 1, "cannot decode"),
    ],
    ids=["invalid-utf8", "unknown-codec", "bom-and-other-codec"],
)
def test_undecodable_source_is_dst000_at_its_line(tmp_path, data, line, fragment):
    sites = scan(tmp_path, {"a.py": data, "b.py": b"import time\nT = time.time()\n"})
    problem = [s for s in sites if s.path == "a.py"]
    assert [(s.rule, s.line) for s in problem] == [("DST000", line)]
    assert fragment in problem[0].message
    assert [s.rule for s in sites if s.path == "b.py"] == ["DST201"]  # the run goes on


def test_decode_normal_form():
    assert parse.decode(b"a\r\nb\rc\n") == (b"a\nb\nc\n", None)
    assert parse.decode(b"\xef\xbb\xbfx = 1\n") == (b"x = 1\n", None)
    same = b"x = 1\n"
    assert parse.decode(same)[0] is same  # the common case costs no copy


def test_deep_nesting_is_walked_without_recursion(tmp_path):
    minus = "import time\nx = " + "-" * 500 + "time.time()\n"
    conditional = "import time\nx = " + "1 if c else (" * 150 + "time.time()" + ")" * 150 + "\n"
    guard = "import time\nSIMULATION = True\nif " + "not " * 500 + "SIMULATION:\n    y = time.time()\n"
    sites = scan(tmp_path, {"minus.py": minus.encode(), "cond.py": conditional.encode(), "guard.py": guard.encode()})
    assert [(s.path, s.rule, s.line) for s in sites] == [("cond.py", "DST201", 2), ("guard.py", "DST201", 4), ("minus.py", "DST201", 2)]


def test_nesting_the_parser_refuses_is_dst000_for_that_file_only(tmp_path):
    deep = "import time\nx = " + "(" * 300 + "time.time()" + ")" * 300 + "\n"
    deeper = "import time\nx = " + "-" * 200000 + "time.time()\n"
    sites = scan(tmp_path, {"a.py": deep.encode(), "b.py": deeper.encode(), "c.py": b"import time\nT = time.time()\n"})
    by_path = {s.path: s for s in sites}
    assert by_path["a.py"].rule == "DST000"
    assert by_path["b.py"].rule == "DST000"
    assert by_path["c.py"].rule == "DST201"


def test_syntax_error_location_is_precise(tmp_path):
    sites = scan(tmp_path, {"a.py": "import time\n\ndef f(x):\n    return time.time(\n\nclass C:\n    pass\n".encode()})
    assert [(s.rule, s.line, s.column) for s in sites] == [("DST000", 4, 21)]
    assert "never closed" in sites[0].message


@pytest.mark.parametrize("comment,disposition,reason", [
    ("# type: ignore[assignment]  # dst-ok: log timing", "suppressed", "log timing"),  # a type comment stays first
    ("# noqa: E501  # dst-ok[DST201]: r", "suppressed", "r"),
    ("# dst-ok: log timing  # noqa: E501", "suppressed", "log timing"),  # the reason ends at the next pragma
    ("# dst-ok: pre  # fmt: skip", "suppressed", "pre"),
    ("# dst-ok: see issue #123", "suppressed", "see issue #123"),  # `#123` starts no pragma
    ("# noqa  # not a marker: dst-ok", "violation", None),
])
def test_a_marker_may_follow_another_pragma_and_its_reason_ends_at_the_next(tmp_path, comment, disposition, reason):
    sites = scan(tmp_path, {"m.py": f"import time\nstarted = time.time()  {comment}\n".encode()})
    clock = [s for s in sites if s.rule == "DST201"]
    assert [(s.line, s.disposition) for s in clock] == [(2, disposition)]
    if reason is not None:
        assert clock[0].reason == reason
