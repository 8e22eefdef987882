"""Same-named items under a cfg pair in another crate (the DST build's declaration types the
code), and DST109 through functions declared inside `cfg_if!` branches of a scoped-out file."""

from __future__ import annotations

import json

from fixture_harness import workspace

PAIRS = {
    "Cargo.toml": '[workspace]\nmembers = ["model", "engine"]\n',
    "dstcheck.toml": '[[scope]]\nname = "engine"\ninclude = ["engine/**/*.rs"]\n',
    "model/Cargo.toml": '[package]\nname = "model"\nversion = "0.1.0"\nedition = "2021"\n',
    "model/src/lib.rs": """\
        use std::collections::{BTreeMap, HashMap};
        #[cfg(madsim)]
        pub fn load() -> HashMap<u64, u64> { HashMap::new() }
        #[cfg(not(madsim))]
        pub fn load() -> BTreeMap<u64, u64> { BTreeMap::new() }
        #[cfg(not(madsim))]
        pub fn load_real() -> HashMap<u64, u64> { HashMap::new() }
        #[cfg(madsim)]
        pub fn load_real() -> BTreeMap<u64, u64> { BTreeMap::new() }
        #[cfg(madsim)]
        pub struct Book { pub m: HashMap<u64, u64> }
        #[cfg(not(madsim))]
        pub struct Book { pub m: BTreeMap<u64, u64> }
        #[cfg(madsim)]
        pub struct Timer { pub t: madsim::time::Instant }
        #[cfg(not(madsim))]
        pub struct Timer { pub t: std::time::Instant }
        """,
    "engine/Cargo.toml": '[package]\nname = "engine"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nmodel = { path = "../model" }\n',
    "engine/src/lib.rs": """\
        pub fn keys() -> Vec<u64> { model::load().keys().copied().collect() }
        pub fn real_keys() -> Vec<u64> { model::load_real().keys().copied().collect() }
        pub fn book(b: &model::Book) -> Vec<u64> { b.m.keys().copied().collect() }
        pub fn timer(t: &model::Timer) -> u64 { t.t.elapsed().as_secs() }
        """,
}


def _sites(run_cli, ws, path):
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "--show-all"], ws)
    assert code in (0, 1), err
    return sorted((s["line"], s["rule"], s["disposition"]) for s in json.loads(out)["sites"] if s["path"] == path)


def test_the_dst_builds_declaration_of_another_crate_wins(tmp_path, run_cli):
    ws = workspace(tmp_path, PAIRS)
    assert _sites(run_cli, ws, "engine/src/lib.rs") == [(1, "DST108", "violation"), (3, "DST108", "violation")]
