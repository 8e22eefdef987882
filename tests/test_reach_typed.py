"""DST109 through a method called on a value whose type the declarations prove (a parameter, a
struct field declared in another file), and the cache: when the field's declared type changes in
that other file, a warm run answers as a fresh one does."""

from __future__ import annotations

from fixture_harness import violation_lines, workspace

FILES = {
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


def reach_lines(out: str):
    return violation_lines(out, "DST109", "engine/src/lib.rs")


def test_a_method_of_a_parameter_and_of_a_field_declared_elsewhere(tmp_path, run_cli):
    ws = workspace(tmp_path, FILES)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(out) == [2, 4], err


def test_a_field_retyped_in_another_file_is_seen_on_a_warm_run(tmp_path, run_cli):
    ws = workspace(tmp_path, FILES)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _, out, err = run_cli(["check", "--format", "json"], ws, env=env)
    assert reach_lines(out) == [2, 4], err
    (ws / "engine/src/desk.rs").write_text("pub struct Desk {\n    pub feed: venue::Calm,\n}\n", encoding="utf-8")
    _, warm, err = run_cli(["check", "--format", "json"], ws, env=env)
    _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert reach_lines(warm) == reach_lines(fresh) == [2], err
