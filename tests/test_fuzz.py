"""Fuzz and metamorphic tests: generated Rust and Python sources, valid and broken.

- Broken input (truncated, random bytes spliced in, deep nesting, odd line endings, a BOM) never
  makes a scan raise: every file gets a result, every site a position inside the file.
- The sites do not change when comments, blank lines or trailing whitespace are added, a local
  variable is renamed, independent items are reordered, or `\\n` becomes `\\r\\n` (positions
  included); nor, for Python, with lone `\\r` or mixed line endings or a BOM.
- Wrapping an item in `#[cfg(test)]` / `#[cfg(not(madsim))]` (Python: `if not SIMULATION:`)
  moves exactly its sites to `test` / `gated`.
- The output bytes do not depend on PYTHONHASHSEED, -j, the cache or the prefilter.

The seed is fixed (derandomized) and the example counts are small for CI. For a longer run:
`DSTCHECK_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_fuzz.py` (the count applies to
each property; the subprocess property runs a tenth of it).

Not yet asserted, because the Rust front end still fails it: a BOM's effect on Rust columns (it
shifts them by one). Rust sources get no BOM in the position properties.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstcheck import config as config_mod
from dstcheck import pipeline

EXAMPLES = int(os.environ.get("DSTCHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SLOW = settings(FUZZ, max_examples=max(2, EXAMPLES // 10))

# -- generators -------------------------------------------------------------------------------
RUST_HEADER = ["use std::time::Instant;", "use std::collections::HashMap;", ""]
RUST_STATEMENTS = [
    "let _a = Instant::now();",
    "let _b = std::time::SystemTime::now();",
    "std::thread::spawn(|| {});",
    "let _c = rand::thread_rng();",
    'let _d = format!("{:?}", Instant::now());',
    "tokio::select! { _ = async {} => {} }",
    "let _e = value + 1;",
    "let _f: HashMap<u8, u8> = HashMap::new();",
    'let _g = "Instant::now()";',
    "let _m = Instant::now(); // dst-ok: timing only",
]
PY_HEADER = ["import random", "import threading", "import time", "import uuid", ""]
PY_STATEMENTS = [
    "t = time.time()",
    "r = random.random()",
    "threading.Thread(target=print).start()",
    "u = uuid.uuid4()",
    "for x in {'a', 'b'}: print(x)",  # strings: salted, a DST203 site
    "y = value + 1",
    's = "time.time()"',
    "m = time.monotonic()  # dst-ok: timing only",
]

items = st.lists(
    st.tuples(st.sampled_from(["fn", "method", "async"]), st.lists(st.integers(0, len(RUST_STATEMENTS) - 1), max_size=5)),
    min_size=1,
    max_size=5,
)


def rust_lines(program) -> list:
    """Each item as its own list of lines: `fn f0`, or a method in `impl T0`."""
    out = []
    for n, (kind, body) in enumerate(program):
        stmts = ["    let value = 7;"] + [f"    {RUST_STATEMENTS[i]}" for i in body]
        if kind == "method":
            out.append([f"pub struct T{n};", f"impl T{n} {{", f"    pub fn m{n}(&self) {{"] + ["    " + s for s in stmts] + ["    }", "}"])
        else:
            out.append([f"pub {'async ' if kind == 'async' else ''}fn f{n}() {{"] + stmts + ["}"])
    return out


def python_lines(program) -> list:
    out = []
    for n, (kind, body) in enumerate(program):
        stmts = ["    value = 7"] + [f"    {PY_STATEMENTS[i % len(PY_STATEMENTS)]}" for i in body]
        if kind == "async":
            stmts.append("    time.sleep(1)")
        if kind == "method":
            out.append([f"class C{n}:", f"    def m{n}(self):"] + ["    " + s for s in stmts])
        else:
            out.append([f"{'async ' if kind == 'async' else ''}def f{n}():"] + stmts)
    return out


def join(header, blocks) -> str:
    return "\n".join(header + [line for block in blocks for line in block + [""]]) + "\n"


def scan(files: dict, config: dict = None):
    """Scan a fresh workspace in-process; returns the pipeline's Scan."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        cfg = config_mod.from_data(config or {"python": {"guards": ["SIMULATION"]}}, root, "dstcheck.toml")
        return pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))


def identity(result):
    """What must not move: rule, file, enclosing item, snippet, disposition (not the position)."""
    return Counter((s.rule, s.path, s.item, s.snippet, s.disposition) for s in result.sites)


def positions(result):
    return sorted((s.path, s.line, s.column, s.end_line, s.end_column, s.rule, s.snippet, s.disposition) for s in result.sites)


def both(program) -> dict:
    return {"src/lib.rs": join(RUST_HEADER, rust_lines(program)), "pkg/mod.py": join(PY_HEADER, python_lines(program))}


# -- broken input never raises ----------------------------------------------------------------
def _deep_rust(kind: str, depth: int) -> str:
    site = "std::time::Instant::now()"
    if kind == "parens":
        return f"fn f() {{ let _ = {'(' * depth}{site}{')' * depth}; }}\n"
    if kind == "blocks":
        return f"fn f() {'{' * depth} let _ = {site}; {'}' * depth}\n"
    if kind == "cfg":
        pred = "madsim"
        for _ in range(depth):
            pred = f"all({pred})"
        return f"#[cfg({pred})]\nfn f() {{ let _ = {site}; }}\n"
    if kind == "mods":
        return "".join(f"mod m{i} {{ " for i in range(depth)) + f"fn f() {{ let _ = {site}; }}" + "}" * depth + "\n"
    return f"use std::{'{' * depth}time::Instant{'}' * depth};\nfn f() {{ let _ = Instant::now(); }}\n"


def _deep_python(depth: int) -> str:
    return f"import time\nx = {'(' * depth}1{')' * depth}\ny = {'-' * depth}1\nt = time.time()\n"


@st.composite
def broken(draw):
    program = draw(items)
    files = {name: text.encode("utf-8") for name, text in both(program).items()}
    for name in sorted(files):
        data = files[name]
        for _ in range(draw(st.integers(0, 3))):
            op = draw(st.sampled_from(["truncate", "splice", "endings", "bom"]))
            if op == "truncate":
                data = data[: draw(st.integers(0, len(data)))]
            elif op == "splice":
                at = draw(st.integers(0, len(data)))
                data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
            elif op == "endings":
                data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\r"])))
            elif op == "bom" and not data.startswith(b"\xef\xbb\xbf"):
                data = b"\xef\xbb\xbf" + data
        files[name] = data
    kind = draw(st.sampled_from(["parens", "blocks", "cfg", "mods", "use"]))
    depth = draw(st.integers(1, 600))
    files["src/deep.rs"] = _deep_rust(kind, depth).encode()
    files["pkg/deep.py"] = _deep_python(depth).encode()
    return files


@FUZZ
@given(broken())
def test_broken_sources_never_make_a_scan_raise(files):
    result = scan(files)
    assert sorted(result.results) == sorted(files)  # every file got a result: none skipped, none fatal
    for site in result.sites:
        size = len(files[site.path].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))
        assert 1 <= site.line <= max(site.end_line, site.line) <= size, site
        assert site.column >= 1, site


# -- metamorphic: what must not change the sites ----------------------------------------------
@st.composite
def with_noise(draw):
    """The program, and a copy with comments, blank lines and trailing whitespace added."""
    program = draw(items)
    plain, noisy = {}, {}
    for name, header, blocks, comment in (
        ("src/lib.rs", RUST_HEADER, rust_lines(program), "// a comment"),
        ("pkg/mod.py", PY_HEADER, python_lines(program), "# a comment"),
    ):
        plain[name] = join(header, blocks)
        changed = []
        for block in blocks:
            lines = []
            for line in block:
                extra = draw(st.sampled_from(["", "", "blank", "comment", "trailing"]))
                lines.append(line + ("   " if extra == "trailing" else ""))
                if extra == "blank":
                    lines.append("")
                elif extra == "comment":
                    lines.append("        " + comment)
            changed.append(lines)
        noisy[name] = join(header, changed)
    return plain, noisy


@FUZZ
@given(with_noise())
def test_comments_blank_lines_and_whitespace_change_no_site(pair):
    plain, noisy = pair
    assert identity(scan(plain)) == identity(scan(noisy))


@FUZZ
@given(items, st.from_regex(r"\Av_[a-z0-9]{1,8}\Z"))
def test_renaming_a_local_variable_changes_no_site(program, name):
    files = both(program)
    renamed = {path: text.replace("value", name) for path, text in files.items()}
    key = lambda r: Counter((s.rule, s.path, s.item, s.snippet, s.line, s.disposition) for s in r.sites)  # noqa: E731
    assert key(scan(files)) == key(scan(renamed))


@FUZZ
@given(items, st.randoms(use_true_random=False))
def test_reordering_independent_items_changes_no_site(program, rng):
    order = list(range(len(program)))
    rng.shuffle(order)
    rust, python = rust_lines(program), python_lines(program)
    shuffled = {"src/lib.rs": join(RUST_HEADER, [rust[i] for i in order]), "pkg/mod.py": join(PY_HEADER, [python[i] for i in order])}
    assert identity(scan(both(program))) == identity(scan(shuffled))


@FUZZ
@given(items)
def test_crlf_line_endings_change_no_site_or_position(program):
    files = both(program)
    crlf = {path: text.replace("\n", "\r\n") for path, text in files.items()}
    assert positions(scan(files)) == positions(scan(crlf))


@FUZZ
@given(items, st.data())
def test_python_line_endings_and_a_bom_change_no_site_or_position(program, data):
    """CPython counts `\\r\\n`, `\\r` and `\\n` as line ends and no column counts a BOM."""
    lines = join(PY_HEADER, python_lines(program)).split("\n")
    endings = data.draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    for n in range(1, len(lines) - 1):  # "\\r" then an empty line ending "\\n" would be one "\\r\\n"
        if endings[n - 1] == "\r" and not lines[n] and endings[n] == "\n":
            endings[n] = "\r"
    mixed = "".join(line + end for line, end in zip(lines[:-1], endings)) + lines[-1]
    bom = data.draw(st.booleans())
    plain = scan({"pkg/mod.py": "\n".join(lines)})
    changed = scan({"pkg/mod.py": ("\ufeff" if bom else "") + mixed})
    assert positions(plain) == positions(changed)


OUTRANKED = ("violation", "suppressed")  # dispositions that test code and gates take precedence over


@FUZZ
@given(items, st.data())
def test_cfg_test_and_not_madsim_move_exactly_one_items_sites(program, data):
    target = data.draw(st.integers(0, len(program) - 1))
    attribute, disposition = data.draw(st.sampled_from([("#[cfg(test)]", "test"), ("#[cfg(not(madsim))]", "gated")]))
    blocks = rust_lines(program)
    at = 1 if blocks[target][0].startswith("pub struct") else 0  # a method: the attribute goes on its impl
    wrapped = blocks[:target] + [blocks[target][:at] + [attribute] + blocks[target][at:]] + blocks[target + 1:]
    inserted = len(RUST_HEADER) + sum(len(b) + 1 for b in blocks[:target]) + at + 1  # the attribute's line
    before = scan({"src/lib.rs": join(RUST_HEADER, blocks)}).sites
    after = scan({"src/lib.rs": join(RUST_HEADER, wrapped)}).sites
    moved = (f"f{target}", f"T{target}::m{target}")
    expected = sorted(
        (s.rule, s.item, s.line + (s.line >= inserted), disposition if s.item in moved and s.disposition in OUTRANKED else s.disposition)
        for s in before
    )
    assert sorted((s.rule, s.item, s.line, s.disposition) for s in after) == expected


@FUZZ
@given(items, st.data())
def test_python_guard_moves_exactly_one_functions_sites_to_gated(program, data):
    target = data.draw(st.integers(0, len(program) - 1))
    blocks = python_lines(program)
    wrapped = [block if n != target else ["if not SIMULATION:"] + ["    " + line for line in block] for n, block in enumerate(blocks)]
    header = PY_HEADER[:-1] + ["SIMULATION = True", ""]
    before = identity(scan({"pkg/mod.py": join(header, blocks)}))
    after = identity(scan({"pkg/mod.py": join(header, wrapped)}))
    names = (f"f{target}", f"C{target}.m{target}", f"C{target}::m{target}")
    expected = Counter()
    for (rule, path, item, snippet, disposition), n in before.items():
        moved = item in names and disposition in OUTRANKED and not rule.startswith("DST00")
        expected[(rule, path, item, snippet, "gated" if moved else disposition)] += n
    assert after == expected


# -- output bytes: independent of hash seed, workers, cache, prefilter -------------------------
@SLOW
@given(items)
def test_output_bytes_do_not_depend_on_hash_seed_workers_cache_or_prefilter(program):
    files = both(program)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in range(36):  # 72 files: enough for the process pool to start with -j 2
            for name, text in files.items():
                path = root / name.replace("lib", f"lib{n}").replace("mod", f"mod{n}")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        cache = root.parent / (root.name + "-cache")

        def run(*args, seed="0"):
            env = dict(os.environ, PYTHONHASHSEED=seed)
            cmd = [sys.executable, "-m", "dstcheck", "check", "--show-all", "--format", "json", "--cache-dir", str(cache), *args]
            proc = subprocess.run(cmd, cwd=str(root), capture_output=True, env=env, timeout=300)
            assert proc.returncode in (0, 1), proc.stderr
            return proc.stdout

        reference = run("--no-cache", "-j", "1")
        variants = {
            "hash seed 1": run("--no-cache", seed="1"),
            "hash seed 4242, 2 workers": run("--no-cache", "-j", "2", seed="4242"),
            "no prefilter": run("--no-cache", "--no-prefilter", "-j", "2"),
            "cold cache": run("-j", "2"),
            "warm cache": run("-j", "1", seed="7"),
        }
        for name, output in variants.items():
            assert output == reference, name
