"""Which `use` declarations a Rust replacement fix removes, and how: the real CLI on a temp
project (a replacement per path) and `remove_unused_imports` on its own."""

from __future__ import annotations

from dstcheck import fix
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


def test_a_mention_of_a_nested_mods_own_item_does_not_keep_the_outer_use(tmp_path):
    """A nested `mod` sees none of its parent's imports: its `Instant` is its own struct."""
    nested = "\nmod m {\n    pub struct Instant;\n    pub fn g() -> Instant {\n        Instant\n    }\n}\n"
    source = "use std::time::Instant;\n\npub fn f() -> std::time::Instant {\n    Instant::now()\n}\n" + nested
    assert fixed(tmp_path, source) == "use crate::sim::now;\n\npub fn f() -> std::time::Instant {\n    now()\n}\n" + nested


def removed(source: str) -> str:
    out = remove_unused_imports(source.encode(), {"Instant"}, lambda name: False)
    assert fix.parses("rust", out), out
    return out.decode()


USE = "use std::time::Instant;\n"


def test_a_use_is_kept_by_a_mention_in_its_scope_or_through_super_only():
    mine = "\nmod m {\n    pub struct Instant;\n    pub fn g() -> Instant { Instant }\n}\n"
    assert removed(USE + mine) == mine
    assert removed(USE + "pub fn h(_: Instant) {}\n" + mine) == USE + "pub fn h(_: Instant) {}\n" + mine  # the same scope
    assert removed(USE + "pub fn h() { let _: Option<Instant> = None; }\n") == USE + "pub fn h() { let _: Option<Instant> = None; }\n"  # a block in it
    for child in ("mod m {\n    pub fn g(_: super::Instant) {}\n}\n", "mod m {\n    use super::Instant;\n    pub fn g(_: Instant) {}\n}\n", "mod m {\n    use super::*;\n    pub fn g(_: Instant) {}\n}\n"):
        assert removed(USE + child) == USE + child, child
    deep = "mod m {\n    mod n {\n        pub fn g(_: super::super::Instant) {}\n    }\n}\n"
    assert removed(USE + deep) == USE + deep
    wrong = "mod m {\n    pub struct Instant;\n    mod n {\n        pub fn g(_: super::Instant) {}\n    }\n}\n"  # m's own
    assert removed(USE + wrong) == wrong


def test_a_block_with_its_own_use_does_not_keep_the_outer_one():
    block = "pub fn g() {\n    use std::time::Instant;\n    let _: Option<Instant> = None;\n}\n"
    assert removed(USE + block) == block
    assert removed("pub fn f() {\n    " + USE + "    let _ = 1;\n}\n" + block) == "pub fn f() {\n    let _ = 1;\n}\n" + block


def test_removing_a_group_element_keeps_the_comments_of_the_others(tmp_path):
    source = "use std::{time::Instant, // c\n    collections::HashMap};\n\npub fn f() -> HashMap<u8, u8> {\n    let _ = Instant::now();\n    HashMap::new()\n}\n"
    after = fixed(tmp_path, source)
    assert after == "use std::{ // c\n    collections::HashMap};\nuse crate::sim::now;\n\npub fn f() -> HashMap<u8, u8> {\n    let _ = now();\n    HashMap::new()\n}\n"


def test_a_removed_group_element_takes_its_comma_and_leaves_every_comment():
    cases = {
        "use std::{\n    collections::HashMap, // keep\n    time::Instant, // after it\n    fmt::Debug, /* kept too */\n};\n":
            "use std::{\n    collections::HashMap, // keep\n    // after it\n    fmt::Debug, /* kept too */\n};\n",
        "use std::{\n    collections::HashMap, // keep\n    fmt::Debug, // keep too\n    time::Instant\n};\n":
            "use std::{\n    collections::HashMap, // keep\n    fmt::Debug // keep too\n};\n",
        "use std::{\n    // about it\n    time::Instant,\n    collections::HashMap,\n};\n": "use std::{\n    // about it\n    collections::HashMap,\n};\n",
        "use std::{time::{Instant, /* i */ Duration}, collections::HashMap};\n": "use std::{time::{ /* i */ Duration}, collections::HashMap};\n",
        # without comments, as before
        "use std::{collections::HashMap, time::Instant, fmt::Debug};\n": "use std::{collections::HashMap, fmt::Debug};\n",
        "use std::{collections::HashMap, fmt::Debug, time::Instant};\n": "use std::{collections::HashMap, fmt::Debug};\n",
        "use std::{\n    collections::HashMap,\n    time::Instant,\n    fmt::Debug,\n};\n": "use std::{\n    collections::HashMap,\n    fmt::Debug,\n};\n",
        "use std::{\n    collections::HashMap,\n    fmt::Debug,\n    time::Instant,\n};\n": "use std::{\n    collections::HashMap,\n    fmt::Debug,\n};\n",
        "use std::{collections::HashMap, time::{Duration, Instant}, fmt::Debug};\n": "use std::{collections::HashMap, time::Duration, fmt::Debug};\n",
    }
    for source, expected in cases.items():
        assert removed(source + "fn g(_: HashMap<u8, u8>, _: &dyn Debug, _: Duration) {}\n") == expected + "fn g(_: HashMap<u8, u8>, _: &dyn Debug, _: Duration) {}\n", source


def test_a_new_use_goes_below_a_comment_or_item_that_continues_the_last_uses_line(tmp_path):
    """The line after the last `use` may still be inside something that starts on the `use`'s
    line: a block comment, an item. A `use` written there would be commented out, or scoped to
    that item's body, and the rewritten call would name nothing (E0425)."""
    body = "\npub fn f() -> std::time::Instant {\n    Instant::now()\n}\n"
    comment = "use std::fmt::Debug; /* the clock,\n   read raw */\nuse std::time::Instant; /* why,\n   and more */\n"
    assert fixed(tmp_path, comment + body) == "use std::fmt::Debug; /* the clock,\n   read raw */\n/* why,\n   and more */\nuse crate::sim::now;\n" + body.replace("Instant::now()", "now()")
    item = "use std::time::Instant; pub fn g() {\n    let _ = 1;\n}\n"
    assert fixed(tmp_path, item + body) == "pub fn g() {\n    let _ = 1;\n}\nuse crate::sim::now;\n" + body.replace("Instant::now()", "now()")


def test_a_new_use_goes_after_an_inner_attribute_on_the_first_items_line(tmp_path):
    """An inner attribute must come before every item (E0753 otherwise): the new `use` of a
    module without one goes right after it, not at the start of its line."""
    source = "#![allow(unused)] pub fn f() -> std::time::Instant {\n    use std::time::Instant;\n    Instant::now()\n}\n"
    assert fixed(tmp_path, source) == "#![allow(unused)]\nuse crate::sim::now; pub fn f() -> std::time::Instant {\n    now()\n}\n"


def test_a_new_use_of_a_one_line_mod_stays_inside_it(tmp_path):
    source = "mod m { use std::time::Instant; pub fn f() -> std::time::Instant { let _ = Instant::now(); Instant::now() } }\n"
    assert fixed(tmp_path, source) == "mod m { use crate::sim::now; pub fn f() -> std::time::Instant { let _ = now(); now() } }\n"
    tight = "mod m { use std::fmt::Debug;use std::time::Instant as T;}\npub fn f() -> std::time::Instant { m::g() }\n"
    assert fixed(tmp_path, tight.replace(";}", "; pub fn g() -> std::time::Instant { T::now() }}")) == "mod m { use std::fmt::Debug; use crate::sim::now; pub fn g() -> std::time::Instant { now() }}\npub fn f() -> std::time::Instant { m::g() }\n"


PY_CONFIG = '[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme.clock.now" }]\n'


def fixed_py(tmp_path, source: str) -> str:
    (tmp_path / "dstcheck.toml").write_text(PY_CONFIG)
    (tmp_path / "mod.py").write_text(source)
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert code == 0, out + err
    return (tmp_path / "mod.py").read_text()


def test_every_python_import_of_a_module_the_fix_leaves_unused_goes(tmp_path):
    """`import time` and `import time as t`, both unused once their reads are replaced: both go
    (libcst's remover keeps one alias per module, so the module's aliases are removed in turn)."""
    source = "import time\nimport time as t\n\n\ndef f():\n    return time.time(), t.time()\n"
    assert fixed_py(tmp_path, source) == "import acme.clock\n\n\ndef f():\n    return acme.clock.now(), acme.clock.now()\n"
    source = "import os, time  # grouped\nimport time as t\n\n\ndef f():\n    return time.time(), t.time(), os.sep\n"
    assert fixed_py(tmp_path, source) == "import os  # grouped\nimport acme.clock\n\n\ndef f():\n    return acme.clock.now(), acme.clock.now(), os.sep\n"


def test_a_new_use_at_the_top_of_a_file_goes_after_its_byte_order_mark(tmp_path):
    source = "\ufeffpub fn f() -> std::time::Instant {\n    use std::time::Instant;\n    Instant::now()\n}\n"
    assert fixed(tmp_path, source) == "\ufeffuse crate::sim::now;\n\npub fn f() -> std::time::Instant {\n    now()\n}\n"


def test_a_path_with_a_comment_inside_is_not_rewritten_in_part(tmp_path):
    """`Instant /* c */ ::now()` is one path: rewriting `Instant` alone gave `now /* c */ ::now()`
    (E0433), and rewriting all of it would drop the comment. It is left, and says so."""
    (tmp_path / "dstcheck.toml").write_text(CONFIG)
    source = "use std::time::Instant;\n\npub fn f() -> Instant {\n    Instant /* c */ ::now()\n}\n"
    (tmp_path / "lib.rs").write_text(source)
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert (tmp_path / "lib.rs").read_text() == source
    assert "note: lib.rs:4:5: DST101 not fixed: a comment is written inside the path\n" in err


def test_a_python_reference_with_a_comment_inside_is_left_with_a_note(tmp_path):
    """`(time  # c` / `.time)()`: rewriting the chain would drop the comment inside it."""
    (tmp_path / "dstcheck.toml").write_text(PY_CONFIG)
    source = "import time\n\n\ndef f():\n    return (time  # the module\n            .time)()\n"
    (tmp_path / "mod.py").write_text(source)
    code, out, err = dstcheck(["--fix"], tmp_path)
    assert (tmp_path / "mod.py").read_text() == source
    assert "DST201 not fixed: a comment is written inside the reference" in err, err
