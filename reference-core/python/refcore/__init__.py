"""A small deterministic trading core, mirrored in Rust, and the harness that proves it replays."""
