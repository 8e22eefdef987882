"""Cargo targets in the index: `[target.'cfg(..)'.dependencies]` tables under the DST profile,
and binaries, examples, tests and benches as crate roots of their own that see the package's
dependencies and its library."""

from __future__ import annotations

from dstcheck import config as config_mod
from dstcheck import pipeline
from fixture_harness import workspace

PACKAGE = '[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'

SIM_REAL = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/sim/Cargo.toml": PACKAGE.format(name="sim"),
    "crates/sim/src/lib.rs": "pub struct Instant;\nimpl Instant {\n    pub fn now() -> Self {\n        Instant\n    }\n}\n",
    "crates/real/Cargo.toml": PACKAGE.format(name="real"),
    "crates/real/src/lib.rs": "pub use std::time::Instant;\n",
    "crates/eng/src/lib.rs": "pub fn f() {\n    let _ = clocks::Instant::now();\n}\n",
}
SIM_TABLE = "[target.'cfg(madsim)'.dependencies]\nclocks = { path = \"../sim\", package = \"sim\" }\n"
REAL_TABLE = "[target.'cfg(not(madsim))'.dependencies]\nclocks = { path = \"../real\", package = \"real\" }\n"


def scan(ws, profile: str = ""):
    if profile:
        (ws / "dstcheck.toml").write_text(profile)
    config = config_mod.load(ws)
    return pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1), include_scoped_out=True)


def rows(result, disposition=None):
    return sorted((s.rule, s.path, s.line) for s in result.sites if disposition is None or s.disposition == disposition)


def test_a_target_table_counts_only_when_its_cfg_may_hold(tmp_path):
    """The DST build (madsim on) compiles the cfg(madsim) table's crate, in either order; when
    the profile cannot decide, both tables count; with madsim off, the real one."""
    for order in ((SIM_TABLE, REAL_TABLE), (REAL_TABLE, SIM_TABLE)):
        ws = workspace(tmp_path / str(len(list(tmp_path.iterdir()))), {**SIM_REAL, "crates/eng/Cargo.toml": PACKAGE.format(name="eng") + "".join(order)})
        assert rows(scan(ws), "violation") == []
        assert rows(scan(ws, "[rust.profile]\ncfg = []\n"), "violation") == [("DST101", "crates/eng/src/lib.rs", 2)]
        assert rows(scan(ws, '[rust.profile]\ncfg = []\ncfg-off = ["madsim"]\n'), "violation") == [("DST101", "crates/eng/src/lib.rs", 2)]


def test_the_madsim_tokio_rename_follows_the_profile(tmp_path):
    """Also across files: a re-export of `tokio::task::spawn_blocking` is madsim's under madsim,
    and both when the profile cannot decide."""
    sim = "[target.'cfg(madsim)'.dependencies]\ntokio = { version = \"0.2\", package = \"madsim-tokio\" }\n"
    real = "[target.'cfg(not(madsim))'.dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n"
    source = "pub mod pool;\npub async fn dial() {\n    let _ = tokio::net::TcpStream::connect(\"x\").await;\n    let _ = pool::off_thread(|| ());\n}\n"
    both = [("DST104", "src/lib.rs", 4), ("DST106", "src/lib.rs", 3)]
    for i, order in enumerate(((sim, real), (real, sim))):
        files = {"Cargo.toml": PACKAGE.format(name="net") + "".join(order), "src/lib.rs": source, "src/pool.rs": "pub use tokio::task::spawn_blocking as off_thread;\n"}
        ws = workspace(tmp_path / str(i), files)
        assert rows(scan(ws), "violation") == []
        assert rows(scan(ws, '[rust.profile]\ncfg = []\ncfg-off = ["madsim"]\n'), "violation") == both
        assert rows(scan(ws, "[rust.profile]\ncfg = []\n"), "violation") == both


def test_target_triples_and_undecided_predicates_may_be_compiled(tmp_path):
    """A target triple, or a cfg the profile cannot decide (`all(unix, madsim)`), may be
    compiled: its table counts. A table whose cfg is false contributes nothing, not even a crate
    to index (`cfg(all(not(madsim), unix))` naming the real clocks)."""
    triple = "[target.x86_64-unknown-linux-gnu.dependencies]\nclocks = { path = \"../real\", package = \"real\" }\n"
    ws = workspace(tmp_path / "triple", {**SIM_REAL, "crates/eng/Cargo.toml": PACKAGE.format(name="eng") + triple})
    assert rows(scan(ws), "violation") == [("DST101", "crates/eng/src/lib.rs", 2)]
    unknown = "[target.'cfg(all(unix, not(madsim)))'.dependencies]\nclocks = { path = \"../real\", package = \"real\" }\n[target.'cfg(all(unix, madsim))'.dependencies]\nclocks = { path = \"../sim\", package = \"sim\" }\n"
    ws = workspace(tmp_path / "unknown", {**SIM_REAL, "crates/eng/Cargo.toml": PACKAGE.format(name="eng") + unknown})
    assert rows(scan(ws), "violation") == []
    (ws / "dstcheck.toml").write_text('[[scope]]\nname = "eng"\ninclude = ["crates/eng/"]\n')  # sim and real only through eng's tables
    result = pipeline.scan(config_mod.load(ws), options=pipeline.Options(cache=False, jobs=1))
    assert rows(result, "violation") == []
    assert "crates/sim" in result.index.rust.crates and "crates/real" not in result.index.rust.crates


def test_a_plain_dependency_and_a_gated_target_table(tmp_path):
    """`[dependencies] clocks = real` with a false `cfg(not(madsim))` table renaming it to sim:
    the plain table still counts."""
    gated = "[target.'cfg(not(madsim))'.dependencies]\nclocks = { path = \"../sim\", package = \"sim\" }\n"
    plain = "[dependencies]\nclocks = { path = \"../real\", package = \"real\" }\n"
    ws = workspace(tmp_path, {**SIM_REAL, "crates/eng/Cargo.toml": PACKAGE.format(name="eng") + plain + gated})
    assert rows(scan(ws), "violation") == [("DST101", "crates/eng/src/lib.rs", 2)]


APP = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/seam/Cargo.toml": PACKAGE.format(name="seam"),
    "crates/seam/src/lib.rs": "pub use std::time::SystemTime as Wall;\npub struct Sim;\nimpl Sim {\n    pub fn now() -> u64 {\n        0\n    }\n}\n",
    "crates/app/Cargo.toml": PACKAGE.format(name="app-core") + '[lib]\nname = "app"\n[dependencies]\nseam = { path = "../seam" }\n',
    "crates/app/src/lib.rs": "pub use seam::Wall;\npub use seam::Sim as Quiet;\n",
    "crates/app/src/main.rs": (
        "mod cli;\n"
        "fn main() {\n"
        "    let _ = seam::Wall::now();\n"  # 3
        "    let _ = app::Wall::now();\n"  # 4
        "    let _ = cli::Wall::now();\n"  # 5
        "    let _ = app::Quiet::now();\n"  # 6: seam's own type
        "    let _ = seam::Sim::now();\n"  # 7
        "}\n"
    ),
    "crates/app/src/cli.rs": "pub use seam::Wall;\n",
    "crates/app/src/bin/tool.rs": (
        "mod helper;\n"
        "fn main() {\n"
        "    let _ = seam::Wall::now();\n"  # 3
        "    let _ = helper::W::now();\n"  # 4
        "    let _ = app::Wall::now();\n"  # 5
        "    let _ = nodep::Wall::now();\n"  # 6: not a dependency
        "}\n"
    ),
    "crates/app/src/bin/helper.rs": "pub use seam::Wall as W;\npub fn h() {\n    let _ = seam::Wall::now();\n}\n",
    "crates/app/src/bin/multi/main.rs": "mod part;\nfn main() {\n    let _ = part::W::now();\n}\n",
    "crates/app/src/bin/multi/part.rs": "pub use app::Wall as W;\n",
    "crates/app/examples/demo.rs": "fn main() {\n    let _ = app::Wall::now();\n}\n",
    "crates/app/tests/it.rs": "mod common;\n#[test]\nfn t() {\n    let _ = app::Wall::now();\n    let _ = common::W::now();\n}\n",
    "crates/app/tests/common/mod.rs": "pub use seam::Wall as W;\n",
    "crates/app/benches/b.rs": "fn main() {\n    let _ = seam::Wall::now();\n}\n",
}


def test_binaries_examples_tests_and_benches_see_the_package(tmp_path):
    """Each is a crate root of its own: it names the package's dependencies and its library (by
    the lib name), and its `mod` declarations are its own modules."""
    result = scan(workspace(tmp_path, APP))
    assert rows(result, "violation") == [
        ("DST101", "crates/app/examples/demo.rs", 2),
        ("DST101", "crates/app/src/bin/helper.rs", 3),
        ("DST101", "crates/app/src/bin/multi/main.rs", 3),
        ("DST101", "crates/app/src/bin/tool.rs", 3),
        ("DST101", "crates/app/src/bin/tool.rs", 4),
        ("DST101", "crates/app/src/bin/tool.rs", 5),
        ("DST101", "crates/app/src/main.rs", 3),
        ("DST101", "crates/app/src/main.rs", 4),
        ("DST101", "crates/app/src/main.rs", 5),
    ]
    assert rows(result, "test") == [
        ("DST101", "crates/app/benches/b.rs", 2),
        ("DST101", "crates/app/tests/it.rs", 4),
        ("DST101", "crates/app/tests/it.rs", 5),
    ]


def test_a_module_both_the_library_and_a_binary_declare(tmp_path):
    """`mod shared;` in lib.rs and in main.rs compiles src/shared.rs into both: its sites are the
    library's, and main.rs reaches its names through its own `mod`. A file only the library
    declares is not main's module."""
    files = dict(APP)
    files["crates/app/src/lib.rs"] = "pub mod shared;\npub mod only_lib;\n"
    files["crates/app/src/shared.rs"] = "pub use seam::Wall;\npub fn f() {\n    let _ = crate::shared::Wall::now();\n}\n"
    files["crates/app/src/only_lib.rs"] = "pub use seam::Wall;\n"
    files["crates/app/src/main.rs"] = "mod shared;\nfn main() {\n    let _ = shared::Wall::now();\n    let _ = crate::only_lib::Wall::now();\n    let _ = app::only_lib::Wall::now();\n}\n"
    result = scan(workspace(tmp_path, files))
    assert [r for r in rows(result, "violation") if "/src/" in r[1] and "/bin/" not in r[1]] == [
        ("DST101", "crates/app/src/main.rs", 3),
        ("DST101", "crates/app/src/main.rs", 5),
        ("DST101", "crates/app/src/shared.rs", 3),
    ]


def test_a_binary_only_package_keeps_main_as_its_root(tmp_path):
    """Without a library, src/main.rs is the package's root: `crate::` and its modules as before."""
    files = {
        "Cargo.toml": PACKAGE.format(name="solo") + '[dependencies]\nseam = { path = "seam" }\n[workspace]\nmembers = ["seam"]\n',
        "seam/Cargo.toml": PACKAGE.format(name="seam"),
        "seam/src/lib.rs": APP["crates/seam/src/lib.rs"],
        "src/main.rs": "mod clock;\nfn main() {\n    let _ = clock::Wall::now();\n    let _ = crate::clock::Wall::now();\n}\n",
        "src/clock.rs": "pub use seam::Wall;\n",
    }
    result = scan(workspace(tmp_path, files))
    assert rows(result, "violation") == [("DST101", "src/main.rs", 3), ("DST101", "src/main.rs", 4)]


def test_reach_follows_a_binarys_own_modules_and_not_other_binaries(tmp_path):
    """An in-scope binary calls into its own out-of-scope module and the library's; another
    binary's module of the same name is no code anything in scope can call."""
    ws = workspace(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["app"]\n',
        "app/Cargo.toml": PACKAGE.format(name="app"),
        "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["app/src/bin/sim.rs", "app/src/lib.rs"]\n',
        "app/src/lib.rs": "pub mod outside;\n",
        "app/src/outside.rs": "pub fn stamp() -> u64 {\n    std::time::Instant::now().elapsed().as_secs()\n}\n",
        "app/src/bin/sim.rs": "mod helper;\nfn main() {\n    let _ = helper::stamp();\n    let _ = app::outside::stamp();\n}\n",
        "app/src/bin/helper.rs": "pub fn stamp() -> u64 {\n    std::time::Instant::now().elapsed().as_secs()\n}\n",
        "app/src/bin/other/main.rs": "mod helper;\nfn main() {}\n",
        "app/src/bin/other/helper.rs": "pub fn stamp() -> u64 {\n    0\n}\n",
    })
    config = config_mod.load(ws)
    result = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1))
    assert rows(result, "violation") == [("DST109", "app/src/bin/sim.rs", 3), ("DST109", "app/src/bin/sim.rs", 4)]


def test_the_targets_of_a_package_at_the_project_root_are_crates_of_their_own(tmp_path):
    """A package whose manifest is the project's own: its src/main.rs (beside a lib.rs) and
    src/bin/ files name the library by its name, as in a workspace member."""
    ws = workspace(tmp_path, {
        "Cargo.toml": PACKAGE.format(name="app"),
        "dstcheck.toml": '[[scope]]\nname = "core"\ninclude = ["src/"]\n',
        "src/lib.rs": "pub use std::time::SystemTime as Wall;\n",
        "src/main.rs": "fn main() {\n    let _ = app::Wall::now();\n}\n",
        "src/bin/tool.rs": "fn main() {\n    let _ = app::Wall::now();\n}\n",
    })
    config = config_mod.load(ws)
    result = pipeline.scan(config, options=pipeline.Options(cache=False, jobs=1))
    assert rows(result, "violation") == [("DST101", "src/bin/tool.rs", 2), ("DST101", "src/main.rs", 2)]
