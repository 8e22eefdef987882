"""The Python pack names real APIs: a typo in a ban list must fail the build, not unban an API."""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from dstcheck.rules import load_pack

THIRD_PARTY = {"httpx", "numpy", "requests", "pandas", "pendulum", "arrow"}


def resolve(dotted: str):
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def python_paths():
    pack = load_pack()
    out = []
    for rule in pack.for_language("python"):
        for matcher in rule.matchers:
            out.extend((rule.id, p) for p in matcher.params.get("paths", ()))
    for alias, target in pack.reexports["python"].items():
        out.extend([("reexports", alias), ("reexports", target)])
    return sorted(set(out))


PATHS = python_paths()


@pytest.mark.parametrize("rule,path", PATHS, ids=[p for _, p in PATHS])
def test_pack_path_names_a_real_attribute(rule, path):
    top = path.split(".")[0]
    if top in THIRD_PARTY and importlib.util.find_spec(top) is None:
        pytest.skip(f"{top} is not installed here")
    assert resolve(path) is not None, f"{rule}: {path}"


def test_resolver_rejects_a_typo():
    with pytest.raises(AttributeError):
        resolve("time.tiem")


def test_stdlib_paths_are_checked_everywhere():
    stdlib = [p for _, p in PATHS if p.split(".")[0] not in THIRD_PARTY]
    assert len(stdlib) > 50


NOT_DRAWS = {"get_state", "set_state", "seed"}  # state handling; `seed()` without a seed is its own matcher


def _drawing_paths(rule_id: str) -> set:
    return {p for m in load_pack().rules[rule_id].matchers for p in m.params.get("paths", ())}


def test_every_legacy_numpy_draw_is_in_the_pack():
    """Introspects the installed numpy: a new legacy draw function fails here until it is listed."""
    np_random = pytest.importorskip("numpy.random")
    listed = _drawing_paths("DST202")
    draws = sorted(m for m in dir(np_random.RandomState) if not m.startswith("_") and m not in NOT_DRAWS)
    assert len(draws) > 40
    # `tomaxint` is a method only; an unseeded RandomState() is flagged where it is made.
    module_level = [m for m in draws if callable(getattr(np_random, m, None))]
    missing = [m for m in module_level if f"numpy.random.{m}" not in listed]
    assert not missing, f"numpy.random draws missing from rules/python.toml: {missing}"


def test_every_numpy_bit_generator_is_in_the_pack():
    np_random = pytest.importorskip("numpy.random")
    listed = _drawing_paths("DST202")
    generators = sorted(c.__name__ for c in np_random.BitGenerator.__subclasses__())
    assert generators
    assert [g for g in generators if f"numpy.random.{g}" not in listed] == []


def test_star_import_binds_what_the_module_really_exports():
    """`from random import *` binds the banned names a star import of the module really binds."""
    from dstcheck.python.project import banned

    pack = load_pack()
    names = banned(pack.for_language("python"), pack.reexports["python"])
    for module in ("time", "random", "os", "secrets", "uuid", "threading", "datetime", "socket", "subprocess", "asyncio"):
        exported: dict = {}
        exec(f"from {module} import *", exported)
        for name in names.star_names(module):
            assert name in exported, f"from {module} import * does not bind {name}"
