"""The module tree under cfg: `mod` declarations in `cfg_if!` branches and several
`cfg_attr(.., path)` on one `mod` (the fixture corpus is tests/fixtures/rust/modtree_cfg)."""

from __future__ import annotations

import json
import time

import pytest

from fixture_harness import workspace
from dstcheck.model import Context, ModDecl
from dstcheck.rust import cfg, context, parse
from dstcheck.stages.modtree import inherited_contexts

REAL = "pub fn now() -> std::time::Instant { std::time::Instant::now() }\n"
SIM = "pub fn now() -> u64 { 0 }\n"


def _decls(source: str, swapped: bool = True):
    finder = context.ContextFinder(parse.parse(source.encode()), cfg.Profile())
    return [(d.name, d.path_attr, d.inline_dirs, d.context.test, d.context.gate) for d in finder.mod_decls(swapped=swapped)]


def _sites(run_cli, ws, *paths):
    code, out, err = run_cli(["check", "--no-cache", "--show-all", "--format", "json", *paths], ws)
    assert code in (0, 1), err
    return sorted((s["path"], s["line"], s["disposition"], s["reason"]) for s in json.loads(out)["sites"])


CFG_IF_MADSIM_FIRST = """\
cfg_if::cfg_if! {
    if #[cfg(madsim)] {
        mod clock_sim;
        pub use clock_sim::now;
    } else {
        mod clock_real;
        pub use clock_real::now;
        pub fn inline_real() -> std::time::Instant { std::time::Instant::now() }
    }
}
"""
CFG_IF_REAL_FIRST = """\
cfg_if::cfg_if! {
    if #[cfg(not(madsim))] {
        mod clock_real;
        pub use clock_real::now;
        pub fn inline_real() -> std::time::Instant { std::time::Instant::now() }
    } else {
        mod clock_sim;
        pub use clock_sim::now;
    }
}
"""


@pytest.mark.parametrize("lib", [CFG_IF_MADSIM_FIRST, CFG_IF_REAL_FIRST], ids=["madsim-first", "not-madsim-first"])
def test_cfg_if_branch_gates_the_module_file_it_declares(tmp_path, run_cli, lib):
    ws = workspace(tmp_path, {"src/lib.rs": lib, "src/clock_real.rs": REAL, "src/clock_sim.rs": SIM})
    inline = 8 if lib is CFG_IF_MADSIM_FIRST else 5
    # the reason reads like the branch's `#[cfg(..)]`, for the file and for inline code alike
    assert _sites(run_cli, ws) == [
        ("src/clock_real.rs", 1, "gated", "not(madsim)"),
        ("src/lib.rs", inline, "gated", "not(madsim)"),
    ]
    # a pre-commit run over the one file reads its declaring parent
    assert _sites(run_cli, ws, "src/clock_real.rs") == [("src/clock_real.rs", 1, "gated", "not(madsim)")]


def test_cfg_if_test_branch_is_test_code_and_unknown_branches_are_live():
    decls = _decls(
        """\
cfg_if::cfg_if! {
    if #[cfg(test)] { mod mock; } else { mod prod; }
}
cfg_if::cfg_if! {
    if #[cfg(feature = "nobody-knows")] { mod one; } else if #[cfg(madsim)] { mod two; } else { mod three; }
}
"""
    )
    assert decls == [
        ("mock", None, (), "cfg(test)", None),
        ("prod", None, (), None, None),
        ("one", None, (), None, None),
        ("two", None, (), None, None),
        ("three", None, (), None, "not(madsim)"),
    ]


def test_cfg_if_nested_and_inside_inline_modules():
    decls = _decls(
        """\
#[cfg(test)]
mod outer {
    cfg_if::cfg_if! {
        if #[cfg(madsim)] {
            mod inner {
                cfg_if::cfg_if! {
                    if #[cfg(not(madsim))] { #[path = "x.rs"] mod deep; }
                }
            }
        }
    }
}
mod plain {
    cfg_if::cfg_if! {
        if #[cfg(not(madsim))] { mod real; } else { mod sim; }
    }
}
"""
    )
    assert decls == [
        ("deep", "x.rs", ("outer", "inner"), "cfg(test)", "not(madsim)"),
        ("real", None, ("plain",), None, "not(madsim)"),
        ("sim", None, ("plain",), None, None),
    ]


TWO_PATHS = {
    "real-first": '#[cfg_attr(not(madsim), path = "clock_real.rs")]\n#[cfg_attr(madsim, path = "clock_sim.rs")]\nmod clock;\n',
    "sim-first": '#[cfg_attr(madsim, path = "clock_sim.rs")]\n#[cfg_attr(not(madsim), path = "clock_real.rs")]\nmod clock;\n',
}


@pytest.mark.parametrize("order", sorted(TWO_PATHS))
def test_two_cfg_attr_paths_gate_the_same_files_in_either_order(tmp_path, run_cli, order):
    files = {"src/lib.rs": TWO_PATHS[order], "src/clock_real.rs": REAL, "src/clock_sim.rs": REAL, "src/clock.rs": REAL}
    ws = workspace(tmp_path, files)
    assert _sites(run_cli, ws) == [
        ("src/clock.rs", 1, "gated", "not(madsim)"),  # compiled only when no cfg_attr path applies
        ("src/clock_real.rs", 1, "gated", "not(madsim)"),
        ("src/clock_sim.rs", 1, "violation", ""),
    ]
    for path in ("src/clock.rs", "src/clock_real.rs"):
        assert _sites(run_cli, ws, path) == [(path, 1, "gated", "not(madsim)")]


@pytest.mark.parametrize("order", sorted(TWO_PATHS))
def test_two_cfg_attr_paths_the_module_is_the_first_that_applies(order):
    # what the workspace index maps `clock` to, whichever attribute comes first
    assert _decls(TWO_PATHS[order], swapped=False) == [("clock", "clock_sim.rs", (), None, None)]


def test_unknown_cfg_attr_paths_keep_every_file_that_may_be_compiled_live():
    source = '#[cfg_attr(feature = "a", path = "a.rs")]\n#[cfg_attr(feature = "b", path = "b.rs")]\nmod m;\n'
    assert _decls(source) == [("m", "a.rs", (), None, None), ("m", "b.rs", (), None, None), ("m", None, (), None, None)]
    assert _decls(source, swapped=False) == [("m", "a.rs", (), None, None)]
    source = '#[cfg_attr(madsim, path = "sim.rs")]\n#[path = "fixed.rs"]\n#[cfg_attr(not(test), path = "never.rs")]\nmod m;\n'
    # rustc takes the first path attribute that applies: a plain #[path] ends the list
    assert _decls(source) == [("m", "sim.rs", (), None, None), ("m", "fixed.rs", (), None, "not(madsim)")]


def test_a_file_declared_twice_takes_the_declaration_that_compiles_it():
    gated = ModDecl("shared", None, (), Context(gate="not(madsim)"))
    test = ModDecl("shared", None, (), Context(test="cfg(test)"))
    live = ModDecl("shared", None, (), Context())
    for decls, want in [([gated, live], Context()), ([live, gated], Context()), ([gated, test], Context(test="cfg(test)")), ([gated], Context(gate="not(madsim)"))]:
        got = inherited_contexts(["src/shared.rs"], ["src/lib.rs"], lambda p, d=decls: d if p == "src/lib.rs" else None, lambda p: p == "src/lib.rs")
        assert got == {"src/shared.rs": want}


def test_declaration_cycles_through_path_end_quickly():
    # lib.rs declares m0; every m declares every other m through a gated #[path] `mod`: a file
    # with several declaring parents follows each chain once and never a cycle round
    names = [f"src/m{i}.rs" for i in range(14)]
    decls = {p: [ModDecl(f"x{j}", f"m{j}.rs", (), Context(gate="g")) for j in range(14) if names[j] != p] for p in names}
    decls["src/lib.rs"] = [ModDecl("m0", None, (), Context())]
    started = time.monotonic()
    got = inherited_contexts(names, ["src/lib.rs"] + names, decls.get, lambda p: p in decls)
    assert time.monotonic() - started < 5
    assert got == {p: Context() if p == "src/m0.rs" else Context(gate="g") for p in names}


@pytest.mark.parametrize(
    "text,label",
    [
        ("all(not(madsim))", "not(madsim)"),
        ("all(not(not(madsim)), not(madsim))", "not(madsim)"),
        ("all(not(test), not(madsim))", "not(madsim)"),
        ("all(test)", "test"),
        ('all(not(feature = "x"), not(madsim))', "not(madsim)"),
        ("all(not(madsim), not(not(madsim)))", "not(madsim)"),
    ],
)
def test_cfg_deciding_names_the_conjunct_that_decides(text, label):
    assert cfg.render(cfg.deciding(cfg.parse(text), cfg.Profile())) == label


CARGO = '[package]\nname = "w"\nversion = "0.1.0"\n'


@pytest.mark.parametrize("order", sorted(TWO_PATHS))
@pytest.mark.parametrize("sim_clock,want", [("std", ["src/lib.rs"]), ("madsim", [])])
def test_names_resolve_through_the_file_the_first_applying_cfg_attr_names(tmp_path, run_cli, order, sim_clock, want):
    other = "madsim" if sim_clock == "std" else "std"
    lib = TWO_PATHS[order] + "pub fn f() { let _ = clock::Clock::now(); }\n"
    files = {"Cargo.toml": CARGO, "src/lib.rs": lib, "src/clock_sim.rs": f"pub use {sim_clock}::time::Instant as Clock;\n",
             "src/clock_real.rs": f"pub use {other}::time::Instant as Clock;\n"}
    ws = workspace(tmp_path, files)
    assert [p for p, _, d, _ in _sites(run_cli, ws) if d == "violation"] == want


@pytest.mark.parametrize("first", ["madsim", "not(madsim)"])
@pytest.mark.parametrize("sim_clock,want", [("std", ["src/lib.rs"]), ("madsim", [])])
def test_names_resolve_through_the_path_module_of_the_selected_cfg_if_branch(tmp_path, run_cli, first, sim_clock, want):
    other = "madsim" if sim_clock == "std" else "std"
    a, b = ("sim_impl", "real_impl") if first == "madsim" else ("real_impl", "sim_impl")
    lib = (
        f'cfg_if::cfg_if! {{\n    if #[cfg({first})] {{\n        #[path = "{a}.rs"]\n        mod imp;\n'
        f'    }} else {{\n        #[path = "{b}.rs"]\n        mod imp;\n    }}\n}}\n'
        "pub fn f() { let _ = imp::Clock::now(); }\n"
    )
    files = {"Cargo.toml": CARGO, "src/lib.rs": lib, "src/sim_impl.rs": f"pub use {sim_clock}::time::Instant as Clock;\n",
             "src/real_impl.rs": f"pub use {other}::time::Instant as Clock;\n"}
    ws = workspace(tmp_path, files)
    assert [p for p, _, d, _ in _sites(run_cli, ws) if d == "violation"] == want


NAMED = ["k.rs", "l.rs", "p_mock.rs", "inner/f_real.rs", "nested_inline/h_gated.rs", "g_gated.rs", "j_shared.rs", "e_mock.rs"]


@pytest.mark.parametrize("name", NAMED)
def test_a_fixture_file_named_alone_gets_its_declarations_context(tmp_path, run_cli, name):
    """Pre-commit: the file's declaring parents (lib.rs, its cfg_if branches and inline modules)
    are read for it, so it gets the disposition the fixture corpus expects of a full scan."""
    import shutil

    from fixture_harness import FIXTURES

    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "rust" / "modtree_cfg", ws / "rust" / "modtree_cfg")
    (ws / "dstcheck.toml").write_text('[[scope]]\nname = "fixtures"\ninclude = ["rust/**/*.rs"]\n')
    path = f"rust/modtree_cfg/src/{name}"
    text = (ws / path).read_text()
    want = "violation" if "// expect: DST101" in text else "test" if "expect(test)" in text else "gated"
    assert [(p, d) for p, _, d, _ in _sites(run_cli, ws, path)] == [(path, want)]


def test_a_file_a_path_attribute_brings_in_from_elsewhere_gets_its_context_when_named(tmp_path, run_cli):
    """Pre-commit: a file that `#[path = "../.."]` declares from another directory has no
    conventional parent next to it; the index's module tree names its declaring file, so the
    run gets the cfg that gates it, as a full scan does (cold and warm)."""
    files = {
        "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/lib.rs": '#[cfg(not(madsim))]\nmod a;\n#[cfg(not(madsim))]\n#[path = "../platform/real.rs"]\nmod real;\n',
        "src/a/mod.rs": '#[path = "../sys/other.rs"]\nmod other;\n',
        "src/sys/other.rs": REAL,
        "platform/real.rs": REAL,
    }
    ws = workspace(tmp_path, files)
    (ws / "dstcheck.toml").write_text('[[scope]]\nname = "x"\ninclude = ["src/", "platform/"]\n[rust.profile]\ncfg = ["madsim"]\n')
    full = _sites(run_cli, ws)
    assert full == [("platform/real.rs", 1, "gated", "not(madsim)"), ("src/sys/other.rs", 1, "gated", "not(madsim)")]
    for path in ("src/sys/other.rs", "platform/real.rs"):
        assert _sites(run_cli, ws, path) == [s for s in full if s[0] == path]
        code, out, err = run_cli(["check", "--show-all", "--format", "json", path], ws)  # with the cache a full run left
        assert [(s["path"], s["disposition"]) for s in json.loads(out)["sites"]] == [(path, "gated")], err


def test_a_site_in_a_cfg_if_branch_names_its_function(tmp_path, run_cli):
    """The enclosing item of a site inside a branch is the function or method there (what an
    allowlist's `item` names and the inventory shows), else the item around the macro."""
    source = (
        "cfg_if::cfg_if! {\n    if #[cfg(not(madsim))] {\n"
        "        pub fn stamp() -> std::time::Instant { std::time::Instant::now() }\n"
        "        pub struct W;\n        impl W { pub fn now(&self) -> std::time::Instant { std::time::Instant::now() } }\n"
        "    }\n}\npub fn outer() {\n    cfg_if::cfg_if! { if #[cfg(not(madsim))] { let _ = std::time::Instant::now(); } }\n}\n"
    )
    ws = workspace(tmp_path, {"src/lib.rs": source, "dstcheck.toml": '[[scope]]\nname = "c"\ninclude = ["src/"]\n[rust.profile]\ncfg = ["madsim"]\n'})
    code, out, err = run_cli(["check", "--no-cache", "--show-all", "--format", "json"], ws)
    assert [(s["line"], s["item"], s["disposition"]) for s in json.loads(out)["sites"]] == [(3, "stamp", "gated"), (5, "W::now", "gated"), (9, "outer", "gated")], err


def test_a_test_file_that_declares_a_gated_library_file_does_not_make_it_live(tmp_path, run_cli):
    """`#[path = "../src/real.rs"] mod real;` in an integration test compiles the file into the
    test crate, not into the DST build: it stays out of the DST path (test code there), in a
    full run and named alone."""
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["app"]\n',
        "app/Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n',
        "app/src/lib.rs": "#[cfg(not(madsim))]\npub mod real;\n",
        "app/src/real.rs": REAL,
        "app/tests/it.rs": '#[path = "../src/real.rs"]\nmod real;\n#[test]\nfn t() {\n    real::now();\n}\n',
        "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["app/src/**/*.rs"]\n[rust.profile]\ncfg = ["madsim"]\n',
    }
    ws = workspace(tmp_path, files)
    want = [("app/src/real.rs", 1, "test", "test path app/tests/it.rs")]
    assert _sites(run_cli, ws) == want
    assert _sites(run_cli, ws, "app/src/real.rs") == want
