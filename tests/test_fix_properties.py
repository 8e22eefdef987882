"""Properties of the fixes and markers over generated Rust and Python sources (the fuzz suite's
generators; bounded and derandomized): markers then check is clean and twice adds nothing;
fixes leave files that parse, and a second round changes nothing."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstcheck import config as config_mod
from dstcheck import fix, pipeline
from test_fuzz import both, items

PROPERTY = settings(max_examples=12, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
CONFIG = {
    "rules": {
        "DST101": {"extend-paths": [{"path": "std::time::Instant::now", "replacement": "crate::sim::now"}]},
        "DST201": {"extend-paths": [{"path": "time.time", "replacement": "acme.clock.now"}]},
    }
}


def workspace(program, crlf: bool):
    tmp = tempfile.TemporaryDirectory()
    root = Path(tmp.name)
    for name, text in both(program).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode("utf-8"))
    cfg = config_mod.from_data(CONFIG, root, "dstcheck.toml")
    return tmp, root, cfg, (lambda: pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1)))


def contents(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@PROPERTY
@given(items, st.booleans())
def test_markers_then_check_is_clean_and_twice_adds_nothing(program, crlf):
    tmp, root, cfg, scan = workspace(program, crlf)
    with tmp:
        before = scan().violations
        result, report = fix.run(cfg, scan, fix.Mode(markers="generated"))
        assert result.violations == []
        assert sum(report.marked.values()) == len(before)
        marked = contents(root)
        assert all((b"\r\n" in data) == crlf for data in marked.values())
        _, again = fix.run(cfg, scan, fix.Mode(markers="generated"))
        assert not again.marked and contents(root) == marked


@PROPERTY
@given(items, st.booleans())
def test_fixed_files_parse_and_a_second_fix_changes_nothing(program, crlf):
    tmp, root, cfg, scan = workspace(program, crlf)
    with tmp:
        result, report = fix.run(cfg, scan, fix.Mode(fixes=True, unsafe=True))
        fixed = contents(root)
        for name, data in fixed.items():
            assert fix.parses("rust" if name.endswith(".rs") else "python", data), name
        left = {(s.path, s.line, s.column, s.rule) for s in result.violations}
        explained = {(s.path, s.line, s.column, s.rule) for s, _, _ in report.not_applied}
        unfixable = {(s.path, s.line, s.column, s.rule) for s in result.violations if not fix.candidates(cfg.pack.rules[s.rule], s)}
        assert left <= explained | unfixable  # every violation left has no fix, or says why it was not applied
        _, again = fix.run(cfg, scan, fix.Mode(fixes=True, unsafe=True))
        assert not again.applied and contents(root) == fixed


# -- layouts the fixes must keep: delimiters, spacing, comments and line breaks around a site -------
GAPS = st.sampled_from(["", " ", "  ", "\n        ", " # c\n        "])
PY_FORMS = st.sampled_from([
    "for x in{o}s{c}:\n        print(x)",
    "out = [x for x in{o}s{c}]",
    "out = list({o}s{c})",
    "out = enumerate({o}s{c}, 1)",
    "out = next(iter({o}s{c}), None)",
    "print(*{o}s{c})",
    "out = \", \".join({o}s{c})",
])
RS_FORMS = st.sampled_from(["{{{g}x = a => x{h}}}", "({g}x = a => x{h})", "[{g}x = a => x, y = b => y{h}]"])


def _layout(form: str, gap: str, close: str) -> str:
    """A Python statement with its set written bare or in parentheses, spaced by `gap`."""
    if "{o}s{c}" in form and form.split("{o}")[0].endswith(("in", "(")) and gap:
        opening = "(" if form.split("{o}")[0].endswith("in") else ""
        return form.format(o=(" " if opening else "") + opening + gap, c=close.replace("#", "") + (")" if opening else ""))
    return form.format(o=" " if form.split("{o}")[0].endswith("in") else "", c="")


@PROPERTY
@given(st.lists(st.tuples(PY_FORMS, GAPS, st.sampled_from(["", " ", "\n    "])), min_size=1, max_size=4), st.booleans())
def test_python_sorted_wraps_keep_the_layout_and_converge(forms, crlf):
    body = "".join(f"    {_layout(f, g, c)}\n" for f, g, c in forms)
    source = "def f(s: set):\n" + body + "    return None\n"
    try:
        compile(source, "a.py", "exec")
    except SyntaxError:
        return  # a layout the generator got wrong is no input
    fixed = _check_fixes_converge({"a.py": source}, crlf)
    assert len(fixed["a.py"].splitlines()) == len(source.splitlines())  # a wrap adds no line and joins none


@PROPERTY
@given(st.lists(st.tuples(RS_FORMS, GAPS, GAPS), min_size=1, max_size=4), st.booleans())
def test_biased_inserts_keep_the_layout_and_converge(forms, crlf):
    calls = "".join(f"    tokio::select!{form.format(g=g.replace('#', '//'), h=h.replace('#', '//') if h.strip() else h)};\n" for form, g, h in forms)
    source = "pub async fn f(a: A, b: B) {\n" + calls + "}\n"
    fixed = _check_fixes_converge({"lib.rs": source}, crlf)["lib.rs"].replace("\r\n", "\n")
    # `biased;` on a line of its own, or beside the delimiter spaced as the body was: taking it out
    # gives the source back
    assert re.sub(r"\n[ \t]*biased;(?=\n)|(?<=[{(\[])biased; | biased;(?= )", "", fixed) == source, fixed


def _check_fixes_converge(sources: dict, crlf: bool):
    """The unsafe fixes leave files that parse, with no violation they claimed left, only the
    sites' own lines changed (and the line above one, where the parentheses around it open: an
    edit never reaches code it is not about), and a second run changes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in sources.items():
            (root / name).write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode("utf-8"))
        cfg = config_mod.from_data({}, root, "dstcheck.toml")
        scan = lambda: pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))  # noqa: E731
        before = scan().violations
        result, report = fix.run(cfg, scan, fix.Mode(fixes=True, unsafe=True))
        fixed = contents(root)
        for name, data in fixed.items():
            assert fix.parses("rust" if name.endswith(".rs") else "python", data), data
            assert (b"\r\n" in data) == crlf or b"\n" not in data
        left = {(s.path, s.line, s.rule) for s in result.violations}
        explained = {(s.path, s.line, s.rule) for s, _, _ in report.not_applied}
        assert left <= explained, (left, report.not_applied)
        assert not [why for _, _, why in report.not_applied if "would not parse" in why], report.not_applied
        assert sum(report.applied.values()) >= len(before) - len(left)
        for name, text in sources.items():
            old = text.splitlines()
            new = fixed[name].decode("utf-8").splitlines()
            sites = {line for s in before if s.path == name for line in range(s.line - 1, s.end_line + 1)}
            if len(old) == len(new):
                assert all(a == b for i, (a, b) in enumerate(zip(old, new), 1) if i not in sites), (old, new)
        _, again = fix.run(cfg, scan, fix.Mode(fixes=True, unsafe=True))
        assert not again.applied and contents(root) == fixed
        return {name: data.decode("utf-8") for name, data in fixed.items()}
