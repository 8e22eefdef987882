"""DST109 through a trait's default body reached by an implementing type (`T::f()`,
`<T as Trait>::f()`, `T.f()` where T's impls do not define `f`), for a type of another crate and
an in-scope one, and the cache: an override added in another file is seen on a warm run; and
through a method called on a value whose type the declarations prove."""

from __future__ import annotations

from fixture_harness import violation_lines, workspace

FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["engine", "venue"]\n',
    "dstcheck.toml": '[[scope]]\nname = "engine"\ninclude = ["engine/**/*.rs"]\n',
    "venue/Cargo.toml": '[package]\nname = "venue"\nversion = "0.1.0"\nedition = "2021"\n',
    "venue/src/lib.rs": """\
        pub trait Feed {
            fn read(&self) -> u64 {
                std::time::SystemTime::now().elapsed().map(|d| d.as_secs()).unwrap_or(0)
            }
        }
        pub struct Wire;
        impl Feed for Wire {}
        """,
    "engine/Cargo.toml": '[package]\nname = "engine"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nvenue = { path = "../venue" }\n',
    "engine/src/lib.rs": """\
        pub mod local;
        pub mod overrides;
        use venue::{Feed, Wire};
        pub fn wire() -> u64 { Wire::read(&Wire) }
        pub fn local() -> u64 { local::Local::read(&local::Local) }
        pub fn qualified() -> u64 { <local::Local as Feed>::read(&local::Local) }
        pub fn value() -> u64 { local::Local.read() }
        """,
    "engine/src/local.rs": "pub struct Local;\nimpl venue::Feed for Local {}\n",
    "engine/src/overrides.rs": "// nothing yet\n",
}


def reach_lines(out: str):
    return violation_lines(out, "DST109", "engine/src/lib.rs")


def test_default_body_through_the_implementing_type(tmp_path, run_cli):
    ws = workspace(tmp_path, FILES)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(out) == [4, 5, 6, 7], err


def test_an_override_added_elsewhere_is_seen_on_a_warm_run(tmp_path, run_cli):
    ws = workspace(tmp_path, FILES)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _, out, err = run_cli(["check", "--format", "json"], ws, env=env)
    assert reach_lines(out) == [4, 5, 6, 7], err
    (ws / "engine/src/local.rs").write_text("pub struct Local;\n", encoding="utf-8")
    (ws / "engine/src/overrides.rs").write_text("impl venue::Feed for crate::local::Local {\n    fn read(&self) -> u64 { 1 }\n}\n", encoding="utf-8")
    _, warm, err = run_cli(["check", "--format", "json"], ws, env=env)
    _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(warm) == reach_lines(fresh) == [4], err


def test_an_inherent_method_in_a_new_file_is_seen_on_a_warm_run(tmp_path, run_cli):
    """A file that had no impl of the type gains one: the impl table lists another file, and the
    calls cached for lib.rs (whose own bytes did not change) are worked out again."""
    ws = workspace(tmp_path, FILES)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _, out, err = run_cli(["check", "--format", "json"], ws, env=env)
    assert reach_lines(out) == [4, 5, 6, 7], err
    (ws / "engine/src/overrides.rs").write_text("impl crate::local::Local {\n    pub fn read(&self) -> u64 { 1 }\n}\n", encoding="utf-8")
    _, warm, err = run_cli(["check", "--format", "json"], ws, env=env)
    _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(warm) == reach_lines(fresh) == [4, 6], err


# A method called on a value whose type the declarations prove: a parameter, a field declared
# in another file of the crate.
TYPED = {
    "Cargo.toml": '[workspace]\nmembers = ["engine", "venue"]\n',
    "dstcheck.toml": '[[scope]]\nname = "engine"\ninclude = ["engine/**/*.rs"]\n',
    "venue/Cargo.toml": '[package]\nname = "venue"\nversion = "0.1.0"\nedition = "2021"\n',
    "venue/src/lib.rs": """\
        pub struct Wire;
        impl Wire {
            pub fn read(&self) -> u64 {
                std::time::SystemTime::now().elapsed().map(|d| d.as_secs()).unwrap_or(0)
            }
        }
        pub struct Calm;
        impl Calm {
            pub fn read(&self) -> u64 { 1 }
        }
        """,
    "engine/Cargo.toml": '[package]\nname = "engine"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nvenue = { path = "../venue" }\n',
    "engine/src/lib.rs": """\
        pub mod desk;
        pub fn param(w: &venue::Wire) -> u64 { w.read() }
        pub fn calm(c: &venue::Calm) -> u64 { c.read() }
        pub fn field(d: &desk::Desk) -> u64 { d.feed.read() }
        """,
    "engine/src/desk.rs": "pub struct Desk {\n    pub feed: venue::Wire,\n}\n",
}


def test_a_method_of_a_parameter_and_of_a_field_declared_elsewhere(tmp_path, run_cli):
    """DST109 through a method called on a value whose type the declarations prove."""
    ws = workspace(tmp_path, TYPED)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(out) == [2, 4], err


def test_a_field_retyped_in_another_file_is_seen_on_a_warm_run(tmp_path, run_cli):
    """The field's declared type changes in another file: a warm run answers as a fresh one."""
    ws = workspace(tmp_path, TYPED)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _, out, err = run_cli(["check", "--format", "json"], ws, env=env)
    assert reach_lines(out) == [2, 4], err
    (ws / "engine/src/desk.rs").write_text("pub struct Desk {\n    pub feed: venue::Calm,\n}\n", encoding="utf-8")
    _, warm, err = run_cli(["check", "--format", "json"], ws, env=env)
    _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(warm) == reach_lines(fresh) == [2], err
