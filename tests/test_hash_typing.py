"""DST108's receiver types across crates and files: a generic alias keeps its hasher wherever it
is named from, and a block's `use` into another file shadows the module's std import."""

from __future__ import annotations

from fixture_harness import violation_lines, workspace

CRATE = """\
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
{deps}
"""


def dst108_lines(out: str, path: str):
    return violation_lines(out, "DST108", path)


def test_a_generic_alias_keeps_its_hasher_across_crates(tmp_path, run_cli):
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["a", "b"]\n',
        "dstcheck.toml": '[[scope]]\nname = "all"\ninclude = ["**/*.rs"]\n',
        "a/Cargo.toml": CRATE.format(name="a", deps="[dependencies]\nrustc-hash = \"2\""),
        "b/Cargo.toml": CRATE.format(name="b", deps='[dependencies]\na = { path = "../a" }'),
        "a/src/lib.rs": """\
            use std::collections::HashMap;
            pub mod maps;
            pub type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<rustc_hash::FxHasher>>;
            pub type Map<K, V> = HashMap<K, V>;
            pub struct Registry { pub det: FxMap<u64, u64>, pub plain: Map<u64, u64>, pub nested: maps::Fx<u64> }
            """,
        "a/src/maps.rs": "pub type Fx<V> = crate::FxMap<u64, V>;\n",
        "b/src/lib.rs": """\
            use a::{FxMap, Map, Registry};
            pub fn det(r: &Registry) -> Vec<u64> { r.det.keys().copied().collect() }
            pub fn plain(r: &Registry) -> Vec<u64> { r.plain.keys().copied().collect() }
            pub fn nested(r: &Registry) -> Vec<u64> { r.nested.keys().copied().collect() }
            pub fn imported(m: &FxMap<u64, u64>) -> Vec<u64> { m.keys().copied().collect() }
            pub fn by_path(m: &a::FxMap<u64, u64>) -> Vec<u64> { m.keys().copied().collect() }
            pub fn by_module(m: &a::maps::Fx<f64>) -> f64 { m.values().sum() }
            pub fn imported_plain(m: &Map<u64, f64>) -> f64 { m.values().sum() }
            """,
    }
    ws = workspace(tmp_path, files)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "--show-all"], ws)
    assert dst108_lines(out, "b/src/lib.rs") == [3, 8], err


def test_a_block_use_into_another_file_shadows_the_std_import(tmp_path, run_cli):
    files = {
        "Cargo.toml": CRATE.format(name="c", deps=""),
        "dstcheck.toml": '[[scope]]\nname = "all"\ninclude = ["**/*.rs"]\n',
        "src/mine.rs": """\
            pub struct HashMap;
            impl HashMap {
                pub fn new() -> Self { HashMap }
                pub fn keys(&self) -> std::vec::IntoIter<u64> { Vec::new().into_iter() }
            }
            """,
        "src/lib.rs": """\
            mod mine;
            use std::collections::HashMap;
            pub fn shadowed() -> Vec<u64> { use crate::mine::HashMap; let m = HashMap::new(); m.keys().collect() }
            pub fn through_module() -> Vec<u64> { use crate::mine; let m = mine::HashMap::new(); m.keys().collect() }
            pub fn sibling() -> Vec<u64> { let m: HashMap<u64, u64> = HashMap::new(); m.keys().copied().collect() }
            """,
    }
    ws = workspace(tmp_path, files)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "--show-all"], ws)
    assert dst108_lines(out, "src/lib.rs") == [5], err


def dst_lines(out: str, path: str, rule: str):
    return violation_lines(out, rule, path)


def test_receivers_inside_macro_arguments_are_typed_from_another_file(tmp_path, run_cli):
    """A field declared in another file of the crate types a receiver written in a macro's tokens:
    the fragment's record waits for the index like any other, and is answered the same, with and
    without the prefilter."""
    files = {
        "Cargo.toml": CRATE.format(name="c", deps=""),
        "dstcheck.toml": '[[scope]]\nname = "all"\ninclude = ["**/*.rs"]\n',
        "src/lib.rs": """\
            mod state;
            pub use state::Loop;
            """,
        "src/state.rs": """\
            use std::collections::HashMap;
            pub struct Loop { pub last: std::time::Instant, pub m: HashMap<u64, u64>, pub out: Vec<u64> }
            """,
        "src/run.rs": """\
            use crate::Loop;
            impl Loop {
                pub fn log(&self) { println!("took {:?}", self.last.elapsed()); }
                pub async fn run(&mut self) {
                    tokio::select! {
                        biased;
                        _ = tick() => { for k in self.m.keys() { self.out.push(*k); } }
                    }
                }
                pub fn count(&self) -> usize { format!("{}", self.m.keys().count()).len() }
            }
            async fn tick() {}
            """,
    }
    files["src/lib.rs"] += "mod run;\n"
    ws = workspace(tmp_path, files)
    for extra in ([], ["--no-prefilter"]):
        code, out, err = run_cli(["check", "--format", "json", "--no-cache", "--show-all", *extra], ws)
        assert dst_lines(out, "src/run.rs", "DST101") == [3], err
        assert dst_lines(out, "src/run.rs", "DST108") == [7], err


def test_the_typed_prefilter_keeps_locals_bound_to_a_clock_value():
    """`let start = Instant::now()`, `Instant::now() + d` and `let e = UNIX_EPOCH` type the local:
    the typed prefilter keeps the file on its own (the path words of the clock read aside)."""
    from pathlib import Path

    from dstcheck import config as config_mod
    from dstcheck.rust import typed
    from dstcheck.stages.prefilter import words_of

    cfg = config_mod.load(explicit=Path(__file__).resolve().parent / "fixtures" / "dstcheck.toml")
    rules = [cfg.pack.rules["DST101"]]
    kept = [
        b"use x::Instant; fn f() { let s = Instant::now(); s.elapsed(); }",
        b"use x::Instant; fn f(d: D) { let s = Instant::now() + d; s.elapsed(); }",
        b"use x::UNIX_EPOCH; fn f() { let e = UNIX_EPOCH; e.elapsed(); }",
        b"fn f(t: Instant) { println!(\"{:?}\", t.elapsed()); }",
    ]
    dropped = [
        b"use x::UNIX_EPOCH; fn f() { let e = UNIX_EPOCH; e.checked_add(); }",
        b"fn f() { let s = make(); s.elapsed(); }",
    ]
    assert [typed.may_hold(s, words_of(s), rules) for s in kept] == [True] * len(kept)
    assert [typed.may_hold(s, words_of(s), rules) for s in dropped] == [False] * len(dropped)
