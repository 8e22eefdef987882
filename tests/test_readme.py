"""The README's examples are real: the nautilus-shaped configuration works as described."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = [
    "analysis", "common", "core", "cryptography", "data", "execution", "indicators", "live",
    "model", "network", "persistence", "portfolio", "risk", "serialization", "system", "trading",
]


def toml_blocks_after(heading: str):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading):]
    return re.findall(r"```toml\n(.*?)```", section, re.S)


def test_nautilus_shaped_config_from_readme(tmp_path, run_cli):
    config, allowlist = toml_blocks_after("### Example: a nautilus-shaped workspace")[:2]
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "allowlists").mkdir()
    (tmp_path / "allowlists" / "dst.toml").write_text(allowlist)
    for crate in CRATES:
        (tmp_path / "crates" / crate / "src").mkdir(parents=True)
        (tmp_path / "crates" / crate / "src" / "lib.rs").write_text("pub fn f() {}\n")
    files = {
        "crates/live/src/manager.rs": "use ahash::AHashMap;\npub struct M { m: AHashMap<u8, u8> }\n",
        "crates/execution/src/matching_engine/engine.rs": "pub struct E { m: std::collections::HashMap<u8, u8> }\n",
        "crates/model/src/book.rs": "pub struct B { m: ahash::AHashMap<u8, u8> }\n",
        "crates/common/src/cache/mod.rs": "pub fn t() { let _ = std::time::Instant::now(); }\n",
        "crates/core/src/time.rs": "pub fn now() -> std::time::SystemTime { std::time::SystemTime::now() }\n",
        "crates/common/src/live/dst/runtime.rs": "pub use tokio::time::sleep;\n",
        "crates/live/src/node.rs": "pub async fn run() { tokio::signal::ctrl_c().await.ok(); }\n",
        "crates/network/src/python/http.rs": "pub fn f() { std::thread::spawn(|| {}); }\n",
        "crates/adapters/binance/src/lib.rs": "pub fn f() { let _ = chrono::Utc::now(); }\n",
    }
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    code, out, err = run_cli(["check", "--show-all", "--format", "json"], tmp_path)
    assert code == 1, err
    sites = {(s["path"], s["rule"], s["disposition"]) for s in json.loads(out)["sites"]}
    assert sites == {
        ("crates/live/src/manager.rs", "DST105", "violation"),
        ("crates/execution/src/matching_engine/engine.rs", "DST105", "violation"),
        ("crates/common/src/cache/mod.rs", "DST101", "allowlisted"),
        ("crates/core/src/time.rs", "DST101", "allowlisted"),
        ("crates/live/src/node.rs", "DST107", "violation"),
        ("crates/network/src/python/http.rs", "DST104", "scoped-out"),
        ("crates/adapters/binance/src/lib.rs", "DST101", "scoped-out"),
    }


def test_readme_demo_output_is_real(run_cli):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("$ cd examples/demo && dstcheck check\n")[1].split("```")[0]
    code, out, _ = run_cli(["check", "--color", "never", "--no-cache"], ROOT / "examples" / "demo")
    assert code == 1
    assert out == block
    code, out, _ = run_cli(["check", "--no-cache"], ROOT)
    assert code == 0
    assert "$ dstcheck check\n" + out in text


def test_readme_reach_sample_is_real(tmp_path, run_cli):
    """The Reach section's sample is the real output on DST109's own example files."""
    from dstcheck.rules import load_pack

    example = load_pack().rules["DST109"].invalid[0]
    for name, body in {**example.files, example.path: example.code}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Reach (DST109, DST207)"):]
    block = section.split("$ dstcheck check\n", 1)[1].split("```", 1)[0]
    code, out, _ = run_cli(["check", "--color", "never", "--no-cache"], tmp_path)
    assert code == 1
    assert out == block
