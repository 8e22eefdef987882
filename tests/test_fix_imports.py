"""Which `use` declarations a Rust replacement fix removes, and how: the real CLI on a temp
project (a replacement per path) and `remove_unused_imports` on its own."""

from __future__ import annotations

from dstcheck.fix.rust import remove_unused_imports
from test_fix import dstcheck

CONFIG = (
    '[rules.DST110]\nextend-paths = [{ path = "std::env::var", replacement = "crate::sim::var" }]\n'
    '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::sim::now" }]\n'
)


def fixed(tmp_path, source: str) -> str:
    (tmp_path / "dstcheck.toml").write_text(CONFIG)
    (tmp_path / "lib.rs").write_text(source)
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert code == 0, out + err
    return (tmp_path / "lib.rs").read_text()


def test_an_item_of_the_imported_name_does_not_keep_the_import(tmp_path):
    """`fn var() {}` defines `var`, it does not use the import: kept, `use std::env::{self, var}`
    clashed with it (E0255). The rewritten sites are written in full, as `var` is taken."""
    source = "use std::env::{self, var};\n\npub fn f() -> String {\n    let _ = env::var(\"A\");\n    var(\"B\").unwrap_or_default()\n}\n\nfn var() {}\n"
    assert fixed(tmp_path, source) == "\npub fn f() -> String {\n    let _ = crate::sim::var(\"A\");\n    crate::sim::var(\"B\").unwrap_or_default()\n}\n\nfn var() {}\n"


def test_an_associated_fn_of_the_imported_name_does_not_keep_the_import(tmp_path):
    source = "use std::env::var;\n\npub struct S;\n\nimpl S {\n    pub fn var() {}\n}\n\npub fn f() -> String {\n    var(\"B\").unwrap_or_default()\n}\n"
    assert fixed(tmp_path, source) == "\npub struct S;\n\nimpl S {\n    pub fn var() {}\n}\n\npub fn f() -> String {\n    crate::sim::var(\"B\").unwrap_or_default()\n}\n"
