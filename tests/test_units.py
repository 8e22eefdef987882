"""Small units with many cases: cfg predicates and globs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dstcheck import globs
from dstcheck.rust import cfg

DST = cfg.Profile()


@pytest.mark.parametrize(
    "text,value,verdict",
    [
        ("madsim", True, None),
        ("not(madsim)", False, "gated"),
        ("not( madsim )", False, "gated"),
        ("test", False, "test"),
        ("not(test)", True, None),
        ('feature = "simulation"', True, None),
        ('not(feature = "simulation")', False, "gated"),
        ('feature = "other"', None, None),
        ('all(test, feature = "x")', False, "test"),
        ("all(test, not(madsim))", False, "gated"),
        ("not(any(madsim, test))", False, "gated"),
        ('any(not(madsim), feature = "x")', None, None),
        ('all(not(madsim), feature = "x")', False, "gated"),
        ('not(all(feature = "simulation", madsim))', False, "gated"),
        ("unix", None, None),
        ('target_os = "linux"', None, None),
        ("any()", False, "gated"),
        ("all()", True, None),
    ],
)
def test_cfg_three_valued(text, value, verdict):
    pred = cfg.parse(text)
    assert cfg.evaluate(pred, DST) is value
    assert cfg.classify(pred, DST) == verdict


def test_cfg_profile_can_turn_unknowns_off():
    strict = cfg.Profile(other_features=False, other_cfg=False)
    assert cfg.evaluate(cfg.parse('feature = "python"'), strict) is False
    assert cfg.evaluate(cfg.parse("unix"), strict) is False


@pytest.mark.parametrize("bad", ["all(", "not(a, b)", "foo(x)", 'feature =', "a b"])
def test_cfg_syntax_errors(bad):
    with pytest.raises(cfg.CfgSyntaxError):
        cfg.parse(bad)


atoms = st.sampled_from(["madsim", "test", "unix", 'feature = "simulation"', 'feature = "x"'])


def preds(depth=3):
    if depth == 0:
        return atoms
    sub = preds(depth - 1)
    return st.one_of(
        atoms,
        sub.map(lambda p: f"not({p})"),
        st.lists(sub, max_size=3).map(lambda ps: f"all({', '.join(ps)})"),
        st.lists(sub, max_size=3).map(lambda ps: f"any({', '.join(ps)})"),
    )


@given(preds())
def test_cfg_render_round_trips_and_not_negates(text):
    pred = cfg.parse(text)
    assert cfg.parse(cfg.render(pred)) == pred
    value = cfg.evaluate(pred, DST)
    negated = cfg.evaluate(("not", pred), DST)
    assert negated is (None if value is None else not value)


@pytest.mark.parametrize(
    "pattern,path,hit",
    [
        ("tests/", "crates/core/tests/it.rs", True),
        ("tests/", "tests.rs", False),
        ("*_test.rs", "src/a/b_test.rs", True),
        ("*_test.rs", "src/a/b_test.rs.bak", False),
        ("crates/*/src/**/*.rs", "crates/core/src/lib.rs", True),
        ("crates/*/src/**/*.rs", "crates/core/src/a/b.rs", True),
        ("crates/*/src/**/*.rs", "crates/core/tests/a.rs", False),
        ("crates/*/src/**/*.rs", "x/crates/core/src/lib.rs", False),
        ("crates/adapters/", "crates/adapters/x/src/lib.rs", True),
        ("crates/adapters", "crates/adapters/x/src/lib.rs", True),
        ("python/", "crates/net/src/python/http.rs", True),
        ("conftest.py", "pkg/conftest.py", True),
        ("src/lib.rs", "src/lib.rs", True),
        ("src/lib.rs", "other/src/lib.rs", False),
        ("**", "anything/at/all.rs", True),
        # a leading `/` (or `./`) anchors a pattern at the project root, as in .gitignore
        ("/vendor/", "vendor/a.rs", True),
        ("/vendor/", "src/vendor/mod.rs", False),
        ("/vendor", "src/vendor/mod.rs", False),
        ("/src/", "crates/seam/src/lib.rs", False),
        ("./src/", "src/lib.rs", True),
        ("./src/", "crates/seam/src/lib.rs", False),
        ("/*.rs", "build.rs", True),
        ("/*.rs", "src/build.rs", False),
    ],
)
def test_globs(pattern, path, hit):
    assert bool(globs.matches(path, [pattern])) is hit
