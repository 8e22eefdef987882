"""Properties of the fixes and markers over generated Rust and Python sources (the fuzz suite's
generators; bounded and derandomized): markers then check is clean and twice adds nothing;
fixes leave files that parse, and a second round changes nothing."""

from __future__ import annotations

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
