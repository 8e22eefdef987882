"""Generate a deterministic synthetic workspace for the benchmark.

Default: about 40 MB of Rust over 2,000 files in 20 crates (impl blocks, generics, macros,
nested use trees, cfg attributes, inline and file test modules; about half the files hold
candidate tokens and a few hold real sites) plus about 5 MB of Python. The same arguments give
the same bytes on every machine.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

WORDS = "order fill book level quote trade venue account position ledger risk limit report event timer queue cache route feed signal".split()

USE_PLAIN = [
    "use std::collections::BTreeMap;",
    "use std::sync::{Arc, Mutex};",
    "use std::fmt::{self, Display, Formatter};",
    "use crate::model::{identifiers::{OrderId, VenueId}, enums::{Side, OrderType as Kind}};",
    "use serde::{Deserialize, Serialize};",
]
USE_CANDIDATE = [
    "use std::time::{Duration, Instant};",
    "use tokio::sync::mpsc;",
    "use std::collections::{BTreeMap, HashMap};",
    "use rand::{rngs::StdRng, SeedableRng};",
    "use std::thread;",
]
SITES = [
    "        let _started = Instant::now();",
    "        let _jitter: u64 = rand::thread_rng().gen_range(0..10);",
    "        std::thread::spawn(move || drop(state));",
    "        let _wall = std::time::SystemTime::now();",
]


def rust_item(rng: random.Random, n: int, candidate: bool, site: bool) -> str:
    name = "".join(w.capitalize() for w in rng.sample(WORDS, 2)) + str(n)
    field = rng.choice(WORDS)
    body = [
        f"/// A {field} record kept by the engine ({n}).",
        "#[derive(Debug, Clone, PartialEq)]",
        f"pub struct {name}<T: Clone + Send> {{",
        f"    pub {field}_id: u64,",
        "    pub values: BTreeMap<u64, T>,",
        "    pub label: String,",
        "}",
        "",
        f"impl<T: Clone + Send> {name}<T> {{",
        f"    pub fn new({field}_id: u64, label: &str) -> Self {{",
        f"        Self {{ {field}_id, values: BTreeMap::new(), label: label.to_string() }}",
        "    }",
        "",
        "    pub fn insert(&mut self, key: u64, value: T) -> Option<T> {",
        "        let previous = self.values.insert(key, value);",
        "        if previous.is_some() {",
        f'            log::debug!("replaced {{}} in {{}}", key, "{name}");',
        "        }",
        "        previous",
        "    }",
        "",
        "    pub fn total(&self) -> usize {",
        "        self.values.iter().filter(|(k, _)| **k % 2 == 0).count()",
        "    }",
    ]
    if candidate:
        body += [
            "",
            "    pub fn timeout(&self) -> Duration {",
            f'        // Instant::now() would read the wall clock here; "{field}" uses the seam',
            "        Duration::from_millis(self.values.len() as u64 * 10)",
            "    }",
        ]
    if site:
        body += ["", "    pub fn refresh(&self, state: u64) {", rng.choice(SITES), "    }"]
    body += ["}", ""]
    if n % 3 == 0:
        body += [
            "#[cfg(not(madsim))]",
            f"pub fn {field}_live_{n}() -> u32 {{",
            "    std::process::id()",
            "}",
            "",
        ]
    if n % 4 == 0:
        body += [
            f"impl<T: Clone + Send> fmt::Display for {name}<T> {{",
            "    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {",
            f'        write!(f, "{name}({{}})", self.label)',
            "    }",
            "}",
            "",
        ]
    return "\n".join(body) + "\n"


def rust_file(rng: random.Random, target: int, candidate: bool, sites: int, with_tests: bool) -> str:
    out = ["//! Generated module for the dstcheck benchmark.", ""]
    out += rng.sample(USE_PLAIN, 3)
    if candidate:
        out += rng.sample(USE_CANDIDATE, 2)
    out.append("")
    n = 0
    text = "\n".join(out) + "\n"
    while len(text) < target:
        text += rust_item(rng, n, candidate, site=n < sites)
        n += 1
    if with_tests:
        text += "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn reads_the_clock() {\n        let _ = std::time::Instant::now();\n    }\n}\n"
    return text


def python_file(rng: random.Random, target: int, candidate: bool, site: bool) -> str:
    out = ['"""Generated strategy module for the dstcheck benchmark."""', "", "from dataclasses import dataclass", "from typing import Dict, List", ""]
    if candidate:
        out += ["import time", "import random", ""]
    text = "\n".join(out) + "\n"
    n = 0
    while len(text) < target:
        word = rng.choice(WORDS)
        chunk = [
            "",
            "@dataclass",
            f"class {word.capitalize()}{n}:",
            f"    {word}_id: int",
            "    values: List[int]",
            "",
            "    def total(self) -> int:",
            "        return sum(v for v in self.values if v % 2 == 0)",
            "",
            "    def by_parity(self) -> List[List[int]]:",
            "        evens = [v for v in self.values if v % 2 == 0]",
            "        odds = [v for v in self.values if v % 2 == 1]",
            "        return [evens, odds]",
            "",
        ]
        if candidate:
            chunk += ["    def stamp(self, clock) -> float:", "        return clock.now() + time.timezone", ""]
        if site and n == 0:
            chunk += ["    def jitter(self) -> float:", "        return random.random() + time.time()", ""]
        text += "\n".join(chunk) + "\n"
        n += 1
    return text


def generate(out: Path, scale: float = 1.0, seed: int = 7) -> dict:
    rng = random.Random(seed)
    crates, files_per_crate, size = 20, max(1, int(100 * scale)), 20_000
    total = {"rust_files": 0, "rust_bytes": 0, "python_files": 0, "python_bytes": 0}
    for c in range(crates):
        src = out / "crates" / f"crate{c:02d}" / "src"
        src.mkdir(parents=True, exist_ok=True)
        (out / "crates" / f"crate{c:02d}" / "Cargo.toml").write_text(f'[package]\nname = "crate{c:02d}"\nversion = "0.1.0"\n')
        mods = [f"m{i:03d}" for i in range(files_per_crate - 1)]
        lib = "//! Crate root.\n" + "".join(f"pub mod {m};\n" for m in mods) + "#[cfg(test)]\nmod tests;\n"
        files = {"lib.rs": lib, "tests.rs": "#[test]\nfn t() {\n    let _ = std::time::Instant::now();\n}\n"}
        for i, m in enumerate(mods):
            candidate = rng.random() < 0.5
            sites = 1 if candidate and rng.random() < 0.1 else 0
            files[f"{m}.rs"] = rust_file(rng, size, candidate, sites, with_tests=(i % 5 == 0))
        for name, text in files.items():
            (src / name).write_text(text)
            total["rust_files"] += 1
            total["rust_bytes"] += len(text.encode())
    py = out / "strategies"
    py.mkdir(parents=True, exist_ok=True)
    for i in range(max(1, int(250 * scale))):
        candidate = rng.random() < 0.5
        text = python_file(rng, 20_000, candidate, candidate and rng.random() < 0.1)
        (py / f"strategy_{i:03d}.py").write_text(text)
        total["python_files"] += 1
        total["python_bytes"] += len(text.encode())
    (out / "dstcheck.toml").write_text('[[scope]]\nname = "crates"\ninclude = ["crates/*/src/**/*.rs"]\n\n[[scope]]\nname = "strategies"\ninclude = ["strategies/"]\n')
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is about 40 MB of Rust and 5 MB of Python")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty")
    stats = generate(args.out, args.scale, args.seed)
    print(", ".join(f"{k}={v}" for k, v in stats.items()))


if __name__ == "__main__":
    os.umask(0o022)
    main()
