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


NOW = "std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()"
BRANCHES = {
    "Cargo.toml": '[workspace]\nmembers = ["engine"]\n',
    "dstcheck.toml": '[[scope]]\nname = "engine"\ninclude = ["engine/**/*.rs"]\n',
    "engine/Cargo.toml": '[package]\nname = "engine"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ncfg-if = "1"\n',
    "engine/src/lib.rs": """\
        pub mod python;
        pub fn live() -> u64 { python::stamp() }
        pub fn gated() -> u64 { python::real_stamp() }
        pub fn maybe() -> u64 { python::maybe() }
        pub fn inline() -> u64 { python::inner::deep() }
        pub fn caller() -> u64 { python::caller() }
        pub fn nested() -> u64 { python::nested() }
        pub fn pair() -> u64 { python::pair() }
        pub fn pair_real() -> u64 { python::pair_real() }
        pub fn outside() -> u64 { python::plain() }
        """,
    "engine/src/python/mod.rs": f"""\
        pub fn plain() -> u64 {{ {NOW} }}
        cfg_if::cfg_if! {{
            if #[cfg(madsim)] {{
                pub fn stamp() -> u64 {{ {NOW} }}
                pub fn caller() -> u64 {{ stamp() + 1 }}
                pub fn pair() -> u64 {{ {NOW} }}
                pub fn pair_real() -> u64 {{ 0 }}
                pub mod inner {{
                    pub fn deep() -> u64 {{ std::time::Instant::now().elapsed().as_secs() }}
                }}
                cfg_if::cfg_if! {{
                    if #[cfg(not(madsim))] {{
                        pub fn nested() -> u64 {{ 0 }}
                    }} else {{
                        pub fn nested() -> u64 {{ {NOW} }}
                    }}
                }}
            }} else {{
                pub fn real_stamp() -> u64 {{ {NOW} }}
                pub fn pair() -> u64 {{ 0 }}
                pub fn pair_real() -> u64 {{ plain() }}
            }}
        }}
        cfg_if::cfg_if! {{
            if #[cfg(feature = "nobody-knows")] {{
                pub fn maybe() -> u64 {{ {NOW} }}
            }} else {{
                pub fn maybe() -> u64 {{ 0 }}
            }}
        }}
        """,
}


def test_reach_follows_the_live_cfg_if_branch_of_a_scoped_out_file(tmp_path, run_cli):
    """The branch the DST build compiles (or may: an undecided feature) is followed, at any
    nesting and into an inline mod in it; a gated branch's function is not, even when it calls
    a function that reads the clock (its `pair_real` shares a name with the live, clean one)."""
    ws = workspace(tmp_path, BRANCHES)
    reached = [line for line, rule, disposition in _sites(run_cli, ws, "engine/src/lib.rs") if rule == "DST109" and disposition == "violation"]
    assert reached == [2, 4, 5, 6, 7, 8, 10]
