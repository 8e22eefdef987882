"""`check --add-markers REASON`: adopt the gate on a dirty tree in one commit."""

from __future__ import annotations

import shutil

from test_fix import FIXTURES, dstcheck, files

MARKERS = FIXTURES / "markers"


def copy(tmp_path, name: str, crlf: bool = False):
    work = tmp_path / name
    shutil.copytree(MARKERS / "project" if name == "markers" else FIXTURES / name, work)
    if crlf:
        for path in work.rglob("*"):
            if path.suffix in (".rs", ".py"):
                path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return work


def test_markers_give_the_after_files_and_then_check_is_clean(tmp_path):
    work = copy(tmp_path, "markers")
    assert dstcheck([], work)[0] == 1
    code, out, err = dstcheck(["--add-markers", "pre-existing"], work)
    assert code == 0, out + err
    for path in ("src/lib.rs", "py/strat.py"):
        assert (work / path).read_bytes() == (MARKERS / "expected" / path).read_bytes(), path
    assert err == "Added markers for 13 violations in 2 files (DST101 raw-clock: 7, DST102 raw-rng: 1, DST201 py-raw-clock: 5).\n"
    code, out, _ = dstcheck([], work)
    assert code == 0
    assert out == "All clear: 0 violations in 2 files checked (15 suppressed).\n"  # no marker unused, none without a reason


def test_markers_twice_add_nothing(tmp_path):
    work = copy(tmp_path, "markers")
    dstcheck(["--add-markers", "pre-existing"], work)
    marked = files(work)
    code, _, err = dstcheck(["--add-markers", "pre-existing"], work)
    assert code == 0
    assert err == "No violations to mark.\n"
    assert files(work) == marked


def test_markers_keep_crlf(tmp_path):
    work = copy(tmp_path, "markers", crlf=True)
    dstcheck(["--add-markers", "pre-existing"], work)
    for path in ("src/lib.rs", "py/strat.py"):
        assert (work / path).read_bytes() == (MARKERS / "expected" / path).read_bytes().replace(b"\n", b"\r\n"), path
    assert dstcheck([], work)[0] == 0


def test_a_diff_of_the_markers_writes_nothing(tmp_path):
    work = copy(tmp_path, "markers")
    before = files(work)
    code, out, err = dstcheck(["--diff", "--add-markers", "pre-existing"], work)
    assert code == 1
    assert files(work) == before
    assert "+    let started = Instant::now(); // dst-ok[DST101]: pre-existing\n" in out
    assert err.startswith("Would add markers for 13 violations in 2 files")


def test_sites_that_cannot_take_a_marker_are_named_and_left_alone(tmp_path):
    work = copy(tmp_path, "markers_stuck")
    before = files(work)
    code, _, err = dstcheck(["--add-markers", "legacy"], work)
    assert code == 1
    after = files(work)
    # a type comment stays first: the marker follows it as a pragma of its own, and accepts the site
    assert after.pop("stuck.py").splitlines()[4] == b"    return time.time()  # type: ignore  # dst-ok[DST201]: legacy"
    before.pop("stuck.py")
    assert after == before
    assert err.splitlines() == [
        "Added markers for 1 violation in 1 file (DST201 py-raw-clock: 1).",
        "note: stuck.py:9:12: DST201 not marked: no line of the site can take a comment: line 9 is continued with a backslash",
        "note: stuck.py:14:13: DST201 not marked: no line of the site can take a comment: line 14 ends inside a string or a block comment",
        "note: stuck.rs:2:6: DST101 not marked: no line of the site can take a comment: line 2 ends inside a string or a block comment",
    ]


def test_fix_then_mark_what_remains(tmp_path):
    from test_fix import LEFT, copy_project, remaining

    work = copy_project(tmp_path)
    code, _, err = dstcheck(["--unsafe-fixes", "--add-markers", "no fix yet"], work)
    assert code == 0, err
    assert "Applied 29 fixes to 7 files" in err
    assert f"Added markers for {len(LEFT)} violations in 3 files (DST108 hash-iteration: 1, DST203 py-hash-order: 3)." in err
    assert remaining(work) == []
    assert "    zipped = zip(names, other)  # dst-ok[DST203]: no fix yet  # which argument" in (work / "py" / "order.py").read_text()
