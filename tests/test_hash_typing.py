"""DST108's receiver types across crates and files: a generic alias keeps its hasher wherever it
is named from, and a block's `use` into another file shadows the module's std import."""

from __future__ import annotations

import json

from fixture_harness import workspace

CRATE = """\
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
{deps}
"""


def dst108_lines(out: str, path: str):
    return sorted(s["line"] for s in json.loads(out)["sites"] if s["rule"] == "DST108" and s["path"] == path and s["disposition"] == "violation")


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
