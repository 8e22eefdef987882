"""Where the reference core's parts live, for the tests."""
from pathlib import Path

CORE = Path(__file__).resolve().parents[2]  # reference-core/
FIXTURES = CORE / "fixtures"
RUST = CORE / "rust"
