"""The workspace index: options that reach every matcher, allowlist entries naming an API,
unresolved references counted, and resolution that does not depend on where a re-export lives."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstcheck import config as config_mod
from dstcheck import pipeline
from fixture_harness import workspace

MANIFEST = """\
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"

[dependencies]
tokio = "1"
futures = "0.3"
ahash = "0.8"
"""


def violations(out: str):
    return sorted((s["rule"], s["path"], s["line"]) for s in json.loads(out)["sites"] if s["disposition"] == "violation")


def test_an_option_names_the_whole_list_of_every_matcher(tmp_path, run_cli):
    source = """\
    async fn pick(a: Rx, b: Rx) {
        tokio::select! { x = a.recv() => x, y = b.recv() => y };
        futures::select! { x = a => x, y = b => y };
    }
    """
    ws = workspace(tmp_path, {"src/lib.rs": source})
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST103", "src/lib.rs", 2), ("DST103", "src/lib.rs", 3)]
    # futures::select! lives in the rule's second matcher: replacing the list drops it there too
    (ws / "dstcheck.toml").write_text('[rules.DST103]\nmacros = ["tokio::select"]\n')
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST103", "src/lib.rs", 2)]
    (ws / "dstcheck.toml").write_text('[rules.DST103]\nmacros = ["futures::select"]\n')
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST103", "src/lib.rs", 3)]


def test_dst105_can_also_report_the_import(tmp_path, run_cli):
    files = {"src/book.rs": "use ahash::AHashMap;\n\npub struct Book {\n    levels: AHashMap<u64, u64>,\n}\n"}
    ws = workspace(tmp_path, files)
    (ws / "dstcheck.toml").write_text('[rules.DST105]\nonly-in = ["src/book.rs"]\n')
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST105", "src/book.rs", 4)]
    (ws / "dstcheck.toml").write_text('[rules.DST105]\nonly-in = ["src/book.rs"]\ninclude-use = true\n')
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST105", "src/book.rs", 1), ("DST105", "src/book.rs", 4)]
    (ws / "dstcheck.toml").write_text('[rules.DST105]\nonly-in = ["src/book.rs"]\ninclude-use = "yes"\n')
    code, _, err = run_cli(["check", "--no-cache"], ws)
    assert code == 2 and "rules.DST105.include-use: expected true or false" in err


def test_an_allowlist_entry_can_name_one_api(tmp_path, run_cli):
    files = {
        "src/time.rs": "pub fn wall() -> std::time::SystemTime {\n    std::time::SystemTime::now()\n}\n\npub fn started() -> std::time::Instant {\n    std::time::Instant::now()\n}\n",
        "allowlists/clock.toml": '[[allow]]\nrule = "DST101"\npath = "src/time.rs"\napi = "std::time::SystemTime::now"\nreason = "the clock seam\'s wall-clock read"\n',
        "dstcheck.toml": 'allowlists = ["allowlists/*.toml"]\n',
    }
    ws = workspace(tmp_path, files)
    code, out, _ = run_cli(["check", "--format", "json", "--show-all", "--no-cache"], ws)
    sites = {(s["line"], s["disposition"]) for s in json.loads(out)["sites"] if s["rule"] == "DST101"}
    assert sites == {(2, "allowlisted"), (6, "violation")}
    (ws / "allowlists" / "clock.toml").write_text('[[allow]]\nrule = "DST101"\npath = "src/time.rs"\napi = "not a path!"\nreason = "x"\n')
    code, _, err = run_cli(["check", "--no-cache"], ws)
    assert code == 2 and "allow[0].api" in err


def test_unresolved_candidates_are_counted(tmp_path, run_cli):
    files = {
        "Cargo.toml": MANIFEST.format(name="counted"),
        # `clock` is neither a module, a dependency nor an import: neither proven nor cleared
        "src/lib.rs": "pub fn f() {\n    let _ = clock::Instant::now();\n    let _ = std::time::Instant::now();\n}\n",
    }
    ws = workspace(tmp_path, files)
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    summary = json.loads(out)["summary"]
    assert summary["violations"] == 1 and summary["unresolved_references"] == 1
    code, out, _ = run_cli(["check", "--statistics", "--no-cache"], ws)
    assert "1  references that looked like candidates but could not be resolved" in out


def test_a_dependency_is_named_by_its_library_or_its_rename(tmp_path, run_cli):
    """Code names a dependency by its `[lib] name` (not its package name), or by the key that
    renames it: `al = { package = "alpha" }` is `al::`."""
    alpha = '[package]\nname = "alpha"\nversion = "0.1.0"\n\n[lib]\nname = "alpha_lib"\n'
    user = '[package]\nname = "{name}"\nversion = "0.1.0"\n\n[dependencies]\n{dep} = {{ {spec}path = "../a" }}\n'
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["a", "b", "c"]\n',
        "a/Cargo.toml": alpha,
        "a/src/lib.rs": "pub use std::time::SystemTime as Wall;\n",
        "b/Cargo.toml": user.format(name="b", dep="alpha", spec=""),
        "b/src/lib.rs": "pub fn f() {\n    let _ = alpha_lib::Wall::now();\n}\n",
        "c/Cargo.toml": user.format(name="c", dep="al", spec='package = "alpha", '),
        "c/src/lib.rs": "pub fn f() {\n    let _ = al::Wall::now();\n}\n",
    }
    ws = workspace(tmp_path, files)
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    assert violations(out) == [("DST101", "b/src/lib.rs", 2), ("DST101", "c/src/lib.rs", 2)]
    assert json.loads(out)["summary"]["unresolved_references"] == 0


# -- resolution does not depend on where a re-export lives ---------------------------------------
TARGETS = [
    ("std::time::Instant", "now()"),
    ("std::time::SystemTime", "now()"),
    ("tokio::time::Instant", "now()"),
    ("std::thread::spawn", "(|| {})"),
    ("rand::rng", "()"),
]


def _layout(seam: str, home: str, alias: str, target: str, call: str, via_use: bool, extra_module: bool) -> dict:
    """A crate whose module `home` (a file, declared in lib.rs, possibly under `seam/`) re-exports
    `target` as `alias`; `src/engine.rs` uses it through the re-export."""
    is_fn = call.startswith("(")
    reference = f"crate::{home}::{alias}" if not via_use else alias
    user = (f"use crate::{home}::{alias};\n\n" if via_use else "") + "pub fn run() {\n" + (
        f"    {reference}{call};\n" if is_fn else f"    let _ = {reference}::{call};\n"
    ) + "}\n"
    lib = f"pub mod engine;\npub mod {home};\n" + (f"pub mod {seam}_other;\n" if extra_module else "")
    files = {
        "Cargo.toml": MANIFEST.format(name="moved") + 'rand = "0.9"\n',
        "src/lib.rs": lib,
        f"src/{home}.rs": f"pub use {target} as {alias};\n",
        "src/engine.rs": user,
    }
    if extra_module:
        files[f"src/{seam}_other.rs"] = "pub fn unrelated() {}\n"
    return files


def _sites(tmp: Path, files: dict):
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    cfg = config_mod.from_data({}, tmp, None)
    scan = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))
    return sorted((s.rule, s.path, s.line, s.column, s.disposition) for s in scan.sites if s.path == "src/engine.rs")


NAMES = st.sampled_from(["clock", "seam", "wall", "dst", "rt", "timing"])


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seam=NAMES,
    moved_to=NAMES,
    alias=st.sampled_from(["Instant", "Clock", "Stamp", "go", "fresh"]),
    target=st.sampled_from(TARGETS),
    via_use=st.booleans(),
    extra=st.booleans(),
)
def test_moving_a_reexport_or_renaming_its_module_keeps_the_sites(tmp_path_factory, seam, moved_to, alias, target, via_use, extra):
    path, call = target
    before = _sites(tmp_path_factory.mktemp("before"), _layout(seam, seam, alias, path, call, via_use, extra))
    after = _sites(tmp_path_factory.mktemp("after"), _layout(seam, moved_to + "_moved", alias, path, call, via_use, extra))
    assert before == after
    banned = path in ("std::time::Instant", "std::time::SystemTime", "std::thread::spawn", "rand::rng")
    assert bool([s for s in before if s[4] == "violation"]) == banned, (path, before)


WORKSPACE = Path(__file__).parent / "fixtures" / "rust" / "workspace"


def _copy_workspace(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "ws"
    shutil.copytree(WORKSPACE, target)
    return target


def _every_site(out: str):
    return sorted((s["rule"], s["path"], s["line"], s["column"], s["disposition"]) for s in json.loads(out)["sites"])


def test_the_index_read_back_after_edits_answers_as_a_fresh_scan(tmp_path, run_cli):
    """A warm run reads the layout and hot words back while every changed file keeps its sketch:
    after an edit inside a body, and after one that adds a re-export (a new sketch), the cached
    run must give exactly what a run without the cache gives."""
    ws = _copy_workspace(tmp_path)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    run_cli(["check", "--format", "json"], ws, env=env)
    typed = ws / "engine" / "src" / "typed.rs"
    clocks = ws / "engine" / "src" / "clocks.rs"
    lib = ws / "engine" / "src" / "lib.rs"

    def body_edit():
        typed.write_text(typed.read_text() + "\npub fn late(book: &dst_seam::book::Book) -> Vec<u64> {\n    book.levels.keys().copied().collect()\n}\n")
        return ("DST108", "engine/src/typed.rs", typed.read_text().count("\n") - 1)

    def new_reexport():
        clocks.write_text(clocks.read_text() + "\npub use std::time::Instant as Later;\n")
        lib.write_text(lib.read_text() + "\npub fn later() {\n    let _ = clocks::Later::now();\n}\n")
        return ("DST101", "engine/src/lib.rs", lib.read_text().count("\n") - 1)

    for edit in (body_edit, new_reexport):
        expected = edit()
        _, cached, _ = run_cli(["check", "--format", "json"], ws, env=env)
        _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
        assert _every_site(cached) == _every_site(fresh)
        assert expected in {(r, p, line) for r, p, line, *_ in _every_site(fresh)}


def test_a_run_over_named_files_reports_what_a_full_scan_reports_for_them(tmp_path, run_cli):
    """The index is the same whichever files are named: each file alone gets the sites the full
    scan gives it, cold and then from the cache the full scan left."""
    ws = _copy_workspace(tmp_path)
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _, full, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    by_file = {}
    for site in _every_site(full):
        by_file.setdefault(site[1], []).append(site)
    assert len(by_file) >= 3
    run_cli(["check", "--format", "json"], ws, env=env)
    for path in sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*.rs")):
        for extra in (["--no-cache"], []):
            _, out, _ = run_cli(["check", "--format", "json", *extra, path], ws, env=env)
            assert _every_site(out) == by_file.get(path, []), (path, extra)


TYPED_CRATE = {
    "Cargo.toml": MANIFEST.format(name="desk"),
    "src/lib.rs": "pub mod book;\npub mod reads;\npub mod locals;\n",
    "src/book.rs": """\
        use std::collections::HashMap;

        pub struct Book {
            pub values: HashMap<u64, u64>,
        }

        pub fn lookup() -> HashMap<u64, u64> {
            HashMap::new()
        }
        """,
    # another file's hash-typed field and function, reached as a field, through a local bound to
    # it (past type-keeping methods) and through a call
    "src/reads.rs": """\
        use crate::book::{lookup, Book};

        pub fn field(b: &Book) -> Vec<u64> {
            b.values.keys().copied().collect()
        }

        pub fn kept(b: &Book) -> Vec<u64> {
            let copy = b.values.clone();
            copy.keys().copied().collect()
        }

        pub fn called() -> Vec<u64> {
            let fresh = lookup();
            fresh.keys().copied().collect()
        }
        """,
    # the same names, but as this file's own locals whose types this file spells: no hash type
    # can reach them, so the file is not parsed at all
    "src/locals.rs": """\
        pub fn sum(values: &[u64]) -> u64 {
            let values: Vec<u64> = values.to_vec();
            let copy = values.len() + 1;
            let fresh = copy;
            values.iter().sum::<u64>() + fresh as u64
        }
        """,
}


def test_the_typed_prefilter_parses_only_files_another_files_hash_types_can_reach(tmp_path):
    """A field or function another file declares with a hash type is reached as `x.name`, a
    call, or a local bound to one (by an annotation, or a value whose evaluated type is it);
    a bare local of the same name is this file's own and typed by this file."""
    ws = workspace(tmp_path, TYPED_CRATE)
    config = config_mod.load(ws)
    scan = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1))
    sites = sorted((s.rule, s.path, s.line) for s in scan.sites if s.disposition == "violation")
    assert sites == [("DST108", "src/reads.rs", 4), ("DST108", "src/reads.rs", 9), ("DST108", "src/reads.rs", 14)]
    assert scan.results["src/reads.rs"].parsed is not False
    assert scan.results["src/locals.rs"].parsed is False
    unfiltered = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1, prefilter=False))
    assert sorted((s.rule, s.path, s.line) for s in unfiltered.sites if s.disposition == "violation") == sites


# an in-scope crate whose one call reaches a clock read in a crate outside the scope
REACHING_CORE = {
        "core/Cargo.toml": MANIFEST.format(name="core") + 'clocks = { path = "../clocks" }\n',
        "core/src/lib.rs": "pub fn step() -> u64 {\n    clocks::stamp()\n}\n",
        "clocks/Cargo.toml": MANIFEST.format(name="clocks"),
        "clocks/src/lib.rs": "pub fn stamp() -> u64 {\n    std::time::Instant::now().elapsed().as_nanos() as u64\n}\n",
}


def test_show_all_reports_reach_only_for_in_scope_calls(tmp_path, run_cli):
    """A reach site is an in-scope call into out-of-scope code. With --show-all a scoped-out
    crate's own call of the same function is not one (its direct site is listed as scoped-out),
    and the in-scope reach sites are those of a plain run."""
    files = {
        **REACHING_CORE,
        "Cargo.toml": '[workspace]\nmembers = ["core", "clocks", "adapter"]\n',
        "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["core/**/*.rs"]\n',
        "adapter/Cargo.toml": MANIFEST.format(name="adapter") + 'clocks = { path = "../clocks" }\n',
        "adapter/src/lib.rs": "pub fn poll() -> u64 {\n    clocks::stamp() + std::time::Instant::now().elapsed().as_nanos() as u64\n}\n",
    }
    ws = workspace(tmp_path, files)
    _, plain, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
    _, every, _ = run_cli(["check", "--format", "json", "--no-cache", "--show-all"], ws)

    def rows(out):
        return sorted((s["rule"], s["path"], s["line"], s["disposition"]) for s in json.loads(out)["sites"])

    assert [r for r in rows(plain) if r[0] == "DST109"] == [("DST109", "core/src/lib.rs", 2, "violation")]
    assert [r for r in rows(every) if r[1] == "core/src/lib.rs"] == [r for r in rows(plain) if r[1] == "core/src/lib.rs"]
    adapter = [r for r in rows(every) if r[1] == "adapter/src/lib.rs"]
    assert adapter and all(r[0] != "DST109" and r[3] == "scoped-out" for r in adapter)


def test_a_sketch_reads_no_binding_out_of_line_comments():
    """Doc examples and prose in `//` comments bind nothing (English "use" and "type" are common
    there); a real `use` with a comment after it still binds."""
    from dstcheck.rust import sketch

    source = b"""//! Use this crate with `use std::collections::HashMap as Map;` in scope.
/// For use with Arrow schemas, HashMap<String, String>;
/// ```
/// use std::time::Instant as Clock;
/// type Stamp = std::time::Instant;
/// mod hidden;
/// ```
use std::collections::HashMap as Map; // the real one, with a comment after it
pub type Book = Map<u64, u64>;
mod shown;
"""
    found = sketch.sketch(source)
    assert sorted((name, segs) for name, segs, _ in found["binds"]) == [("Book", ["Map"]), ("Map", ["std", "collections", "HashMap"])]
    assert [name for name, _ in found["mods"]] == ["shown"]


def test_a_sketch_names_tuple_struct_fields_by_position():
    """`struct W(u8, pub Instant)` declares field `1`: commas inside generics and tuples do not
    count, so another file's `w.1.elapsed()` is known to need this file's declaration."""
    from dstcheck.rust import sketch

    source = b"""pub struct P<K, V>(pub HashMap<K, V>, pub u8);
pub struct Q(pub Vec<(u8, u8)>, [u8; 2], pub(crate) Instant);
pub enum E { A(u8, Instant) }
"""
    found = sketch.sketch(source, tracked=("HashMap", "Instant"))
    assert found["typed"] == [["0", "HashMap", "field"], ["2", "Instant", "field"]]


def test_a_typed_alias_is_a_name_bound_to_a_tracked_type(tmp_path):
    """DST101 bans `UNIX_EPOCH` and tracks `Instant` for `.elapsed()`: a re-export of the first is
    a hot word, not an alias of a tracked type; the second's alias types a field elsewhere."""
    files = {
        "Cargo.toml": MANIFEST.format(name="desk"),
        "src/lib.rs": "pub mod clock;\npub mod timer;\n",
        "src/clock.rs": "pub use std::time::{Instant as Stamp, UNIX_EPOCH};\npub type Later = Stamp;\n",
        "src/timer.rs": "use crate::clock::Later;\n\npub struct Timer {\n    started: Later,\n}\n\nimpl Timer {\n    pub fn age(&self) -> u128 {\n        self.started.elapsed().as_nanos()\n    }\n}\n",
    }
    ws = workspace(tmp_path, files)
    scan = pipeline.scan(config_mod.load(ws), options=pipeline.Options(cache=False, jobs=1))
    assert scan.index.rust.aliases == ("Later", "Stamp")
    assert [(s.rule, s.path, s.line) for s in scan.sites if s.disposition == "violation"] == [("DST101", "src/timer.rs", 9)]


def test_a_run_over_named_files_reads_the_full_scans_taint_back(tmp_path):
    """Which out-of-scope code in-scope calls can reach does not depend on the files named: a
    pre-commit run after a full scan finds the taint in the cache instead of analysing again."""
    files = {
        **REACHING_CORE,
        "Cargo.toml": '[workspace]\nmembers = ["core", "clocks", "other"]\n',
        "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["core/**/*.rs", "other/**/*.rs"]\nexclude = ["other/src/ffi.rs"]\n',
        "other/Cargo.toml": MANIFEST.format(name="other"),
        "other/src/lib.rs": "pub mod ffi;\n\npub fn idle() -> u64 {\n    ffi::stamp()\n}\n",
        "other/src/ffi.rs": "pub fn stamp() -> u64 {\n    std::time::Instant::now().elapsed().as_nanos() as u64\n}\n",
    }
    ws = workspace(tmp_path, files)
    config = config_mod.load(ws)
    options = pipeline.Options(jobs=1, cache_dir=str(tmp_path / "cache"))
    full = pipeline.scan(config, options=options)
    assert full.index.stats["reach: out-of-scope files analysed"] == 2
    for named in (["core/src/lib.rs"], ["other/src/lib.rs"]):
        run = pipeline.scan(config_mod.load(ws), [str(ws / p) for p in named], options=options)
        assert run.index.stats["reach: out-of-scope files analysed"] == 0, named
    again = pipeline.scan(config_mod.load(ws), [str(ws / "core/src/lib.rs")], options=options)
    assert [(s.rule, s.path, s.line) for s in again.sites if s.disposition == "violation"] == [("DST109", "core/src/lib.rs", 2)]


IMPLS = Path(__file__).resolve().parent / "fixtures" / "rust" / "impls"


def test_impl_methods_in_other_files_are_indexed_and_read_back_after_edits(tmp_path, run_cli):
    """The index's impl table (per crate: the files whose impl headers may be of a type) is saved
    and read back with the rest of the index: a warm run after a new impl file, and after a
    method's return type changes, gives exactly what a run without the cache gives."""
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(IMPLS, ws)
    (ws / "dstcheck.toml").write_text('[[scope]]\nname = "all"\ninclude = ["**/*.rs"]\n')
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    config = config_mod.load(ws)
    cold = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1)).index.rust
    assert cold.impls[cold.crate_of("store/src/lib.rs")]["Store"] == ["store/src/cache/views.rs"]
    assert cold.impl_files(cold.modules["store/src/cache/mod.rs"], "Cache") == [
        "store/src/cache/mod.rs", "store/src/cache/orders.rs", "store/src/cache/testing.rs",
        "store/src/cache/views.rs", "store/src/cache/wall.rs", "store/src/lookalike.rs", "store/src/positions.rs",
    ]
    saved = json.loads(json.dumps(cold.saved()))
    again = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1)).index.rust
    again.impls = {}
    assert again.restore(saved) and again.impls == cold.impls
    _, first, _ = run_cli(["check", "--format", "json"], ws, env=env)
    assert ("DST108", "store/src/lib.rs", 14) in {(r, p, line) for r, p, line, *_ in _every_site(first)}
    lib = ws / "store" / "src" / "lib.rs"
    cache_mod = ws / "store" / "src" / "cache" / "mod.rs"
    orders = ws / "store" / "src" / "cache" / "orders.rs"

    def new_impl_file():
        cache_mod.write_text(cache_mod.read_text().replace("mod orders;\n", "mod extra;\nmod orders;\n"))
        (ws / "store" / "src" / "cache" / "extra.rs").write_text(
            "use std::collections::HashMap;\n\nimpl super::Cache {\n    pub fn extra(&self) -> &HashMap<u64, f64> {\n        &self.accounts\n    }\n}\n"
        )
        lib.write_text(lib.read_text() + "\npub fn extra(cache: &Cache) -> f64 {\n    cache.extra().values().sum()\n}\n")
        return ("DST108", "store/src/lib.rs", lib.read_text().count("\n") - 1), True

    def ordered_return():
        orders.write_text(orders.read_text().replace("pub fn orders(&self) -> &AHashMap<u64, u64>", "pub fn orders(&self) -> &std::collections::BTreeMap<u64, u64>"))
        return ("DST108", "store/src/lib.rs", 14), False

    for edit in (new_impl_file, ordered_return):
        site, present = edit()
        _, cached, _ = run_cli(["check", "--format", "json"], ws, env=env)
        _, fresh, _ = run_cli(["check", "--format", "json", "--no-cache"], ws)
        assert _every_site(cached) == _every_site(fresh)
        assert (site in {(r, p, line) for r, p, line, *_ in _every_site(fresh)}) == present, edit.__name__
