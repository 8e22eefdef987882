"""`--unsafe-fixes` of DST203 where `sorted(..)` around the site would be wrong: tasks do not
order (the fix is refused with a note), and a carrier that picks by the order (`islice`) is
sorted on the set it is given, not around what it picked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BEFORE = '''import asyncio
import itertools
from itertools import chain, islice


async def tasks(ts):
    for t in asyncio.all_tasks():
        t.cancel()
    done, pending = await asyncio.wait(ts)
    for t in pending:
        t.cancel()
    both = list(done | pending)
    first = [t for t in (await asyncio.wait(ts))[0]]
    return both, first


def carriers(s: set[str], t: set[str], xs: list):
    a = list(itertools.islice(s, 3))
    b = [x for x in islice(s, 2)]
    c = list(itertools.combinations(s, 2))
    d = list(chain(s, t))
    e = list(itertools.takewhile(bool, s))
    f = list(chain(s, xs))
    return a, b, c, d, e, f


def plain(s: set[str]):
    return list(s), [x for x in s]
'''

AFTER = '''import asyncio
import itertools
from itertools import chain, islice


async def tasks(ts):
    for t in asyncio.all_tasks():
        t.cancel()
    done, pending = await asyncio.wait(ts)
    for t in pending:
        t.cancel()
    both = list(done | pending)
    first = [t for t in (await asyncio.wait(ts))[0]]
    return both, first


def carriers(s: set[str], t: set[str], xs: list):
    a = list(itertools.islice(sorted(s), 3))
    b = [x for x in islice(sorted(s), 2)]
    c = list(itertools.combinations(sorted(s), 2))
    d = list(chain(s, t))
    e = list(itertools.takewhile(bool, sorted(s)))
    f = list(chain(s, xs))
    return a, b, c, d, e, f


def plain(s: set[str]):
    return sorted(s), [x for x in sorted(s)]
'''

TASKS = "the set holds asyncio tasks, which do not order: sort by a key of yours, `sorted(pending, key=lambda t: t.get_name())`"


def test_unorderable_tasks_and_carriers(tmp_path: Path):
    (tmp_path / "dstcheck.toml").write_text("")
    (tmp_path / "m.py").write_text(BEFORE)
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--unsafe-fixes"], cwd=str(tmp_path), capture_output=True, env=dict(os.environ))
    err = proc.stderr.decode("utf-8")
    assert (tmp_path / "m.py").read_text() == AFTER, err
    for line, column in ((7, 14), (10, 14), (12, 12), (13, 25)):
        assert f"note: m.py:{line}:{column}: DST203 not fixed: {TASKS}" in err, err
    assert "note: m.py:21:14: DST203 not fixed: more than one argument may be the set" in err, err
    assert "note: m.py:23:14: DST203 not fixed: more than one argument may be the set" in err, err
    again = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--unsafe-fixes"], cwd=str(tmp_path), capture_output=True, env=dict(os.environ))
    assert again.stderr.decode("utf-8").startswith("No fixes to apply.\n")  # `islice(sorted(s), 3)` is quiet: nothing wrapped twice


ANNOTATED = '''import asyncio
import weakref
from asyncio import Task


def cancel_all(tasks: set[asyncio.Task]) -> None:
    for t in tasks:
        t.cancel()


def cancel_weak(tasks: "weakref.WeakSet[asyncio.Task[None]] | set[Task]") -> None:
    for t in list(tasks):
        t.cancel()


class Pool:
    def __init__(self) -> None:
        self.pending: set[asyncio.Future] = set()

    def stop(self) -> None:
        for f in self.pending:
            f.cancel()


def names(s: set[str]) -> list:
    return list(s)
'''


def test_a_set_annotated_to_hold_tasks_is_not_sorted(tmp_path: Path):
    """The annotation says what the set holds: `set[asyncio.Task]`, a string one with a `WeakSet`
    arm, an attribute's `set[asyncio.Future]`; only the set of strings is wrapped."""
    (tmp_path / "dstcheck.toml").write_text("")
    (tmp_path / "m.py").write_text(ANNOTATED)
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--unsafe-fixes"], cwd=str(tmp_path), capture_output=True, env=dict(os.environ))
    err = proc.stderr.decode("utf-8")
    assert (tmp_path / "m.py").read_text() == ANNOTATED.replace("return list(s)", "return sorted(s)"), err
    for line, column in ((7, 14), (12, 14), (21, 18)):
        assert f"note: m.py:{line}:{column}: DST203 not fixed: {TASKS}" in err, err


HANDED_ON = '''from collections import defaultdict


def carriers(s: set[str], by: dict[str, set[str]]):
    yield from s
    out = []
    out.extend(s)
    out += s
    a = list(iter(s))
    b = str.join(",", s)
    c = list(by["k"])
    return out, a, b, c
'''


def test_what_hands_a_set_on_is_wrapped_where_the_set_is(tmp_path: Path):
    """`yield from s`, `out.extend(s)`, `out += s`, `str.join(",", s)`: the site is the set, so the
    fix sorts the set and leaves the call around it; `list(iter(s))` becomes `sorted(iter(s))`."""
    (tmp_path / "dstcheck.toml").write_text("")
    (tmp_path / "m.py").write_text(HANDED_ON)
    proc = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never", "--unsafe-fixes"], cwd=str(tmp_path), capture_output=True, env=dict(os.environ))
    err = proc.stderr.decode("utf-8")
    expected = (
        HANDED_ON.replace("yield from s", "yield from sorted(s)").replace("out.extend(s)", "out.extend(sorted(s))")
        .replace("out += s", "out += sorted(s)").replace("list(iter(s))", "sorted(iter(s))")
        .replace('str.join(",", s)', 'str.join(",", sorted(s))').replace('list(by["k"])', 'sorted(by["k"])')
    )
    assert (tmp_path / "m.py").read_text() == expected, err
    again = subprocess.run([sys.executable, "-m", "dstcheck", "check", "--no-cache", "--color", "never"], cwd=str(tmp_path), capture_output=True, env=dict(os.environ))
    assert again.returncode == 0, again.stdout.decode("utf-8")
