"""The Python pack names real APIs: a typo in a ban list must fail the build, not unban an API."""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from dstcheck.rules import load_pack

THIRD_PARTY = {"numpy", "requests"}


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
