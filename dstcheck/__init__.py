"""dstcheck: keep Rust and Python code bases fit for deterministic simulation testing."""

__version__ = "0.1.0"
