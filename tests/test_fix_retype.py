"""A retype to indexmap where the collection's API differs, and imports a fix leaves behind
(tests/fixtures_fix/retype/: `project/` is the "before" side, `expected/` every file a fix
changes, byte for byte; the files a fix must refuse stay as they are and say why)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstcheck import config as config_mod
from dstcheck import fix, pipeline
from test_fix import dstcheck, files

FIXTURE = Path(__file__).resolve().parent / "fixtures_fix" / "retype"
EXPECTED = FIXTURE / "expected"
CHANGED = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file())
REFUSED = {
    "src/unknown.rs": "note: src/unknown.rs:15:22: DST108 not fixed: cannot tell whether `other.pending.remove(` on line 21 is on the `HashMap` this fix retypes (an `IndexMap`'s `.remove(` is `swap_remove`, which reorders; the order-keeping one is `.shift_remove(`)",
    "src/entry_remove.rs": "note: src/entry_remove.rs:18:19: DST108 not fixed: cannot tell whether `e.remove(` on line 12 is on the `HashMap` this fix retypes, or on its entry (an `IndexMap`'s `.remove(` is `swap_remove`, which reorders; the order-keeping one is `.shift_remove(`)",
    "src/nested_remove.rs": "note: src/nested_remove.rs:9:23: DST108 not fixed: cannot tell whether `self.by_venue.entry(venue).or_default().remove(` on line 14 is on the `HashMap` this fix retypes (an `IndexMap`'s `.remove(` is `swap_remove`, which reorders; the order-keeping one is `.shift_remove(`)",
    "src/macro_remove.rs": "note: src/macro_remove.rs:5:7: DST108 not fixed: cannot tell whether `.remove(` inside `println!` on line 4 is on the value this fix retypes",
    "src/glob.rs": "note: src/glob.rs:11:7: DST108 not fixed: `use std::collections::hash_map::*` on line 1 brings std's entry and iterator types, which an `IndexMap` does not use",
}


def run_fix(tmp_path):
    work = tmp_path / "project"
    shutil.copytree(FIXTURE / "project", work)
    before = files(work)
    code, out, err = dstcheck(["--unsafe-fixes"], work)
    return work, before, files(work), code, out, err


def test_retypes_rewrite_the_api_that_differs_and_refuse_what_they_cannot_prove(tmp_path):
    work, before, after, code, out, err = run_fix(tmp_path)
    assert code == 1, out + err
    for path in CHANGED:
        assert after[path] == (EXPECTED / path).read_bytes(), path
    assert {p for p in before if before[p] != after[p]} == set(CHANGED)
    for path, note in REFUSED.items():
        assert after[path] == before[path], path
        assert note in err, err


def test_a_select_inside_a_macro_definition_says_so(tmp_path):
    _, before, after, _, _, err = run_fix(tmp_path)
    assert after["src/in_macro.rs"] == before["src/in_macro.rs"]
    assert "note: src/in_macro.rs:3:9: DST103 not fixed: the `tokio::select!` is inside a `macro_rules!` definition: a fix there would change every expansion\n" in err


def test_an_import_a_child_module_cannot_reach_is_removed():
    from dstcheck.fix.rust import may_name

    assert not may_name(b"pub async fn f() { tokio::select! { biased; x = a => x } }\n", "select")
    assert not may_name(b"fn g() { let selected = 1; }\n", "select")
    assert may_name(b"use super::*;\nfn g() { select! { x = a => x } }\n", "select")
    assert may_name(b"use super::select;\n", "select")
    assert may_name(b"use crate::a::{b, select};\n", "select")
    assert may_name(b"fn g() { super::select!(x) }\n", "select")
    assert may_name(b"use crate::{self as root, *};\nfn g() { select!(x) }\n", "select")


# -- the property ------------------------------------------------------------------------------
PROPERTY = settings(max_examples=30, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
IMPORTS = st.sampled_from([
    "use std::collections::hash_map::Entry;\nuse std::collections::HashMap;\n",
    "use std::collections::{hash_map::Entry, HashMap};\n",
    "use std::collections::{hash_map::{Entry, OccupiedEntry}, HashMap};\n",
    "use std::collections::hash_map::Entry as Slot;\nuse std::collections::HashMap;\n",
    "use std::collections::hash_map::*;\nuse std::collections::HashMap;\n",
    "use std::collections::HashMap;\n",
])
BODIES = st.lists(st.sampled_from([
    "self.m.drain().count()",
    "{ self.m.remove(&1); 0 }",
    "{ self.m.remove_entry(&1); 0 }",
    "{ other.m.remove(&1); 0 }",
    "{ other.m.drain(); 0 }",
    "{ other.m.insert(1, 1); 0 }",
    "{ let mut v = vec![1usize]; v.remove(0) }",
    "{ let mut o = Some(1usize); o.take().unwrap_or(0) }",
    "match self.m.entry(1) { ENTRY::Occupied(e) => { e.remove(); 0 } ENTRY::Vacant(_) => 0 }",
    "match self.m.entry(1) { ENTRY::Occupied(mut e) => { *e.get_mut() += 1; 0 } ENTRY::Vacant(v) => { v.insert(0); 0 } }",
    "match other.m.entry(1) { ENTRY::Occupied(_) => 1, ENTRY::Vacant(_) => 0 }",
    "self.m.keys().count()",
    "match self.m.entry(1) { std::collections::hash_map::Entry::Occupied(e) => { e.remove(); 0 } _ => 0 }",
    "match other.m.entry(1) { ::std::collections::hash_map::Entry::Occupied(_) => 1, _ => 0 }",
    "match self.m.entry(1) { ::std::collections::hash_map::Entry::Occupied(e) => *e.get() as usize, _ => 0 }",
]), min_size=1, max_size=4)


def _retype(source: str, other_field: str):
    """Run the unsafe fixes on `source` as src/q.rs of a crate whose lib.rs declares `Other` with
    `other_field`: (violations before, the fixed text, the notes of what was not fixed)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Cargo.toml").write_text('[package]\nname = "p"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = "2"\n')
        (root / "src").mkdir()
        (root / "src" / "lib.rs").write_text(f"pub mod q;\n\npub struct Other {{\n    pub {other_field},\n}}\n")
        (root / "src" / "q.rs").write_text(source)
        cfg = config_mod.from_data({}, root, "dstcheck.toml")
        scan = lambda: pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))  # noqa: E731
        found = scan().violations
        _, report = fix.run(cfg, scan, fix.Mode(fixes=True, unsafe=True))
        fixed = (root / "src" / "q.rs").read_text()
    assert fix.parses("rust", fixed.encode())
    return found, fixed, {(s.path, s.rule, why) for s, _, why in report.not_applied}


@PROPERTY
@given(IMPORTS, BODIES)
def test_a_retyped_file_keeps_no_api_the_new_type_breaks_or_reorders(imports, bodies):
    entry = "Slot" if "as Slot" in imports else "Entry"
    if "Entry" not in imports and "*" not in imports:
        bodies = [b for b in bodies if "ENTRY" not in b] or ["self.m.keys().count()"]
    bodies = [b.replace("ENTRY", entry) for b in bodies]
    fns = "".join(f"    pub fn f{i}(&mut self, other: &mut crate::Other) -> usize {{\n        let _ = &other;\n        {b}\n    }}\n" for i, b in enumerate(bodies))
    source = imports + "\npub struct Q {\n    m: HashMap<u64, u64>,\n}\n\nimpl Q {\n" + fns + "    pub fn keys(&self) -> Vec<u64> {\n        self.m.keys().copied().collect()\n    }\n}\n"
    found, fixed, notes = _retype(source, "m: std::collections::BTreeMap<u64, u64>")
    if fixed == source:
        assert not found or any(p == "src/q.rs" and r == "DST108" for p, r, _ in notes), notes  # refused, and says why
        return
    assert "IndexMap<u64, u64>" in fixed and "HashMap" not in fixed
    assert "hash_map" not in fixed  # std's Entry (or its module) never stays beside an IndexMap
    assert not re.search(r"self\.m\.(remove|remove_entry|take)\(", fixed)  # shift_remove, never swap_remove
    assert not re.search(r"\bm\.drain\(\)", fixed)  # an IndexMap's drain takes a range
    assert not re.search(r"\be\.remove(_entry)?\(", fixed)  # an entry's remove is swap_remove too
    assert "other.m.remove(&1)" not in fixed and "other.m.drain()" not in fixed  # whose `m` this is, the file cannot tell


SET_IMPORTS = st.sampled_from([
    "use std::collections::HashSet;\n",
    "use std::collections::{hash_set::Iter, HashSet};\n",
    "use std::collections::hash_set::Iter as Walk;\nuse std::collections::HashSet;\n",
    "use std::collections::hash_set;\nuse std::collections::HashSet;\n",
])
SET_BODIES = st.lists(st.sampled_from([
    "self.s.drain().count()",
    "{ self.s.remove(&1); 0 }",
    "{ self.s.take(&1); 0 }",
    "{ other.s.remove(&1); 0 }",
    "{ other.s.take(&1); 0 }",
    "{ let i: ITER<'_, u64> = self.s.iter(); i.count() }",
    "{ let i: std::collections::hash_set::Iter<'_, u64> = self.s.iter(); i.count() }",
    "self.s.len()",
]), min_size=1, max_size=4)


@PROPERTY
@given(SET_IMPORTS, SET_BODIES)
def test_a_retyped_set_keeps_no_api_the_new_type_breaks_or_reorders(imports, bodies):
    walk = "Walk" if "as Walk" in imports else "Iter" if "Iter" in imports else "hash_set::Iter" if "hash_set;" in imports else None
    bodies = [b.replace("ITER", walk or "") for b in bodies if walk is not None or "ITER" not in b] or ["self.s.len()"]
    fns = "".join(f"    pub fn f{i}(&mut self, other: &mut crate::Other) -> usize {{\n        let _ = &other;\n        {b}\n    }}\n" for i, b in enumerate(bodies))
    source = imports + "\npub struct S {\n    s: HashSet<u64>,\n}\n\nimpl S {\n" + fns + "    pub fn all(&self) -> Vec<u64> {\n        self.s.iter().copied().collect()\n    }\n}\n"
    found, fixed, notes = _retype(source, "s: std::collections::BTreeSet<u64>")
    if fixed == source:
        assert not found or any(p == "src/q.rs" and r == "DST108" for p, r, _ in notes), notes
        return
    assert "IndexSet<u64>" in fixed and "HashSet" not in fixed
    assert "hash_set" not in fixed  # std's set iterators never stay beside an IndexSet
    assert not re.search(r"self\.s\.(remove|take)\(", fixed)
    assert not re.search(r"\bs\.drain\(\)", fixed)
    assert "other.s.remove(&1)" not in fixed and "other.s.take(&1)" not in fixed


def test_a_dependency_name_target_tables_give_to_two_crates_is_not_used():
    from types import SimpleNamespace

    from dstcheck.fix.rust import Typing
    from dstcheck.rust.names import CrateInfo

    info = CrateInfo(True, {"map": "ahash", "indexmap": "indexmap"}, {}, {"map": ("ahash", "indexmap")})
    typing = SimpleNamespace(workspace=SimpleNamespace(crate_info=lambda key: info), module=SimpleNamespace(crate="p"))
    assert Typing.dependency(typing, "ahash") is None  # `map` is indexmap under another cfg
    assert Typing.dependency(typing, "indexmap") == "indexmap"


def test_a_removed_first_line_use_keeps_the_bom_and_leaves_no_blank_line():
    from dstcheck.fix.rust import remove_unused_imports

    source = "\ufeffuse std::time::Instant;\nfn g() {}\n".encode()
    assert remove_unused_imports(source, {"Instant"}, lambda name: False) == "\ufefffn g() {}\n".encode()


def test_what_a_method_of_the_retyped_value_returns_is_not_that_value():
    """`s.iter().take(3)` is an iterator's `take`, `m.keys().take(2)` too: only `clone` and
    `to_owned` (and the generic borrows) of a std map or set give back the collection, so the
    retype goes ahead and leaves them alone."""
    source = (
        "use std::collections::HashSet;\n\npub struct S {\n    s: HashSet<u64>,\n}\n\nimpl S {\n"
        "    pub fn first(&mut self) -> Vec<u64> {\n        let out: Vec<u64> = self.s.iter().take(3).copied().collect();\n"
        "        self.s.take(&1);\n        out\n    }\n\n    pub fn all(&self) -> Vec<u64> {\n        self.s.iter().copied().collect()\n    }\n}\n"
    )
    _, fixed, notes = _retype(source, "s: u8")
    assert fixed == source.replace("HashSet", "IndexSet").replace("std::collections::IndexSet", "indexmap::IndexSet").replace("self.s.take(&1)", "self.s.shift_take(&1)"), notes
    for through in ("clone", "borrow_mut"):
        again = source.replace("self.s.take(&1);", f"self.s.{through}().take(&1);")
        _, fixed, notes = _retype(again, "s: u8")
        assert fixed != again.replace("HashSet", "IndexSet").replace("std::collections::IndexSet", "indexmap::IndexSet"), through  # never `swap_take` left


def test_a_pyo3_binding_needs_pyo3s_indexmap_feature(tmp_path):
    """pyo3 converts an IndexMap only with its `indexmap` feature: a file that binds to Python
    (`#[pyclass]`, `#[pyfunction]`, `#[pymethods]`) is not retyped without it, as a serde derive is
    not without indexmap's `serde`."""
    from test_fix import dstcheck

    source = (
        "use std::collections::HashMap;\n\n#[pyo3::pyclass]\npub struct S {\n    #[pyo3(get)]\n    m: HashMap<u64, u64>,\n}\n\n"
        "impl S {\n    pub fn keys(&self) -> Vec<u64> {\n        self.m.keys().copied().collect()\n    }\n}\n"
    )
    manifest = '[package]\nname = "p"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = "2"\npyo3 = {{ version = "0.22"{features} }}\n'
    for features, fixed in (("", False), (', features = ["indexmap"]', True)):
        work = tmp_path / str(fixed)
        (work / "src").mkdir(parents=True)
        (work / "dstcheck.toml").write_text("")
        (work / "Cargo.toml").write_text(manifest.format(features=features))
        (work / "src" / "lib.rs").write_text(source)
        code, out, err = dstcheck(["--unsafe-fixes"], work)
        after = (work / "src" / "lib.rs").read_text()
        if fixed:
            assert after == source.replace("std::collections::HashMap", "indexmap::IndexMap").replace("HashMap<", "IndexMap<"), err
        else:
            assert after == source, after
            assert "DST108 not fixed: a pyo3 binding in this file would need pyo3's `indexmap` feature, which the crate's Cargo.toml does not turn on" in err, err


def test_other_integrations_need_their_indexmap_features(tmp_path):
    """Like serde: a derive or call that needs a crate's support for IndexMap (indexmap's `borsh`,
    `arbitrary` and `rayon` features, schemars' `indexmap2`) refuses the retype without it."""
    from test_fix import dstcheck

    body = "pub struct S {\n    m: HashMap<u64, u64>,\n}\n\nimpl S {\n    pub fn keys(&self) -> Vec<u64> {\n        self.m.keys().copied().collect()\n    }\n}\n"
    cases = {
        "borsh": ('borsh = "1"\n', "#[derive(borsh::BorshSerialize)]\n", "indexmap's `borsh`"),
        "schemars": ('schemars = "0.8"\n', "#[derive(schemars::JsonSchema)]\n", "schemars' `indexmap2`"),
        "rayon": ('rayon = "1"\n', "fn par(m: &HashMap<u64, u64>) -> usize { use rayon::prelude::*; m.par_iter().count() }\n", "indexmap's `rayon`"),
    }
    for name, (dependency, extra, feature) in cases.items():
        work = tmp_path / name
        (work / "src").mkdir(parents=True)
        (work / "dstcheck.toml").write_text("")
        (work / "Cargo.toml").write_text('[package]\nname = "p"\nversion = "0.1.0"\n\n[dependencies]\nindexmap = "2"\n' + dependency)
        source = "use std::collections::HashMap;\n\n" + extra + body
        (work / "src" / "lib.rs").write_text(source)
        code, out, err = dstcheck(["--unsafe-fixes"], work)
        assert (work / "src" / "lib.rs").read_text() == source, name
        assert f"would need {feature} feature, which the crate's Cargo.toml does not turn on" in err, err
