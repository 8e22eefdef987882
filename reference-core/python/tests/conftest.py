import subprocess
from pathlib import Path

import pytest

from corepaths import RUST


@pytest.fixture(scope="session")
def rust_bin() -> Path:
    """The Rust core's binary, built once per session (cargo is part of the toolchain we need)."""
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(RUST / "Cargo.toml")], check=True)
    return RUST / "target" / "release" / "refcore-rs"
