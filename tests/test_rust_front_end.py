"""The Rust front end's edges: positions after a byte order mark, and a file whose analysis
fails is a DST000 on that file, never the end of the run."""

from __future__ import annotations

import json

from fixture_harness import workspace


def sites(out: str):
    return sorted((s["rule"], s["path"], s["line"], s["column"]) for s in json.loads(out)["sites"])


def test_a_byte_order_mark_does_not_shift_columns(tmp_path, run_cli):
    body = "pub fn f() { let _ = std::time::Instant::now(); } // dst-ok: marker on line 1\n"
    (tmp_path / "plain.rs").write_text(body, encoding="utf-8")
    (tmp_path / "bom.rs").write_bytes(b"\xef\xbb\xbf" + body.encode())
    code, out, _ = run_cli(["check", "--format", "json", "--show-all", "--no-cache"], tmp_path)
    found = json.loads(out)["sites"]
    columns = {s["path"]: (s["line"], s["column"], s["disposition"]) for s in found if s["rule"] == "DST101"}
    assert columns == {"plain.rs": (1, 22, "suppressed"), "bom.rs": (1, 22, "suppressed")}


def test_a_failing_file_is_a_diagnostic_and_the_run_goes_on(tmp_path, run_cli, monkeypatch):
    workspace(tmp_path, {
        "a.rs": "pub fn f() { let _ = std::time::Instant::now(); }\n",
        "b.rs": "pub fn g() { let _ = std::time::SystemTime::now(); }\n",
        "crash.py": "import sys\n",
    })
    # Make the analysis of one file raise, inside the real CLI process.
    (tmp_path / "sitecustomize.py").write_text(
        "import dstcheck.stages.analyze as a\n"
        "_real = a.analyze_file\n"
        "def boom(path, *args, **kwargs):\n"
        "    if path == 'b.rs':\n"
        "        raise RecursionError('too deep')\n"
        "    if path == 'a.rs':\n"
        "        raise KeyError('bug')\n"
        "    return _real(path, *args, **kwargs)\n"
        "a.analyze_file = boom\n"
        "import dstcheck.pipeline as p\n"
        "p.analyze_file = boom\n"
    )
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "-j", "1"], tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert code == 1, err
    found = {(s["path"], s["rule"], s["message"]) for s in json.loads(out)["sites"]}
    assert ("b.rs", "DST000", "nested too deeply to check") in found
    assert any(p == "a.rs" and r == "DST000" and "internal error while checking this file (KeyError" in m for p, r, m in found)
