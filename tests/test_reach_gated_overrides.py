"""DST109 through a trait's default body when the only override or inherent method of that
name is compiled out of the DST build (or test-only): it is not an override there."""

from __future__ import annotations

import json

from fixture_harness import workspace

FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["core", "venue"]\n',
    "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["core/src/**/*.rs"]\n[rust.profile]\ncfg = ["madsim"]\n',
    "venue/Cargo.toml": '[package]\nname = "venue"\nversion = "0.1.0"\nedition = "2021"\n',
    "venue/src/lib.rs": """\
        pub mod imp;
        pub trait Source {
            fn read(&self) -> u64 { std::time::SystemTime::now().elapsed().unwrap().as_secs() }
        }
        pub struct Feed;
        pub struct Tape;
        pub struct Test;
        pub struct Real;
        pub struct Kept;
        """,
    "venue/src/imp.rs": """\
        use crate::{Source, Feed, Tape, Test, Real, Kept};
        impl Source for Feed { #[cfg(not(madsim))] fn read(&self) -> u64 { 0 } }
        #[cfg(not(madsim))]
        impl Source for Tape { fn read(&self) -> u64 { 0 } }
        #[cfg(madsim)]
        impl Source for Tape {}
        impl Source for Test {}
        #[cfg(test)]
        impl Test { pub fn read(&self) -> u64 { 0 } }
        impl Source for Real {}
        #[cfg(not(madsim))]
        mod real { impl crate::Real { pub fn read(&self) -> u64 { 0 } } }
        impl Source for Kept { #[cfg(madsim)] fn read(&self) -> u64 { 0 } }
        """,
    "core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nvenue = { path = "../venue" }\n',
    "core/src/lib.rs": """\
        use venue::{Feed, Tape, Test, Real, Kept, Source};
        pub fn a() -> u64 { Feed::read(&Feed) }
        pub fn b() -> u64 { <Tape as Source>::read(&Tape) }
        pub fn c() -> u64 { Tape.read() }
        pub fn d() -> u64 { Test.read() }
        pub fn e() -> u64 { Real.read() }
        pub fn f() -> u64 { Kept.read() }
        """,
}


def test_a_gated_or_test_only_override_is_not_an_override(tmp_path, run_cli):
    ws = workspace(tmp_path, FILES)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    lines = sorted(s["line"] for s in json.loads(out)["sites"] if s["rule"] == "DST109" and s["path"] == "core/src/lib.rs" and s["disposition"] == "violation")
    assert lines == [2, 3, 4, 5, 6], err


def test_an_inherent_method_in_a_file_its_mod_declaration_gates_is_no_override(tmp_path, run_cli):
    files = dict(FILES)
    files["venue/src/lib.rs"] = FILES["venue/src/lib.rs"].replace("pub mod imp;\n", "pub mod imp;\n#[cfg(not(madsim))]\npub mod off;\n#[cfg(test)]\nmod checks;\n")
    files["venue/src/off.rs"] = "impl crate::Kept { pub fn read(&self) -> u64 { 0 } }\n"
    files["venue/src/checks.rs"] = "impl crate::Test { pub fn read(&self) -> u64 { 0 } }\n"
    files["venue/src/imp.rs"] = FILES["venue/src/imp.rs"].replace("impl Source for Kept { #[cfg(madsim)] fn read(&self) -> u64 { 0 } }", "impl Source for Kept {}")
    ws = workspace(tmp_path, files)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    lines = sorted(s["line"] for s in json.loads(out)["sites"] if s["rule"] == "DST109" and s["path"] == "core/src/lib.rs" and s["disposition"] == "violation")
    assert lines == [2, 3, 4, 5, 6, 7], err
