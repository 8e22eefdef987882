"""Install paths a user takes: a wheel in a fresh venv, and the pre-commit hook in another repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, cwd, env=None, check=True):
    proc = subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)], ROOT)
    (built,) = out.glob("dstcheck-*.whl")
    return built


def test_wheel_ships_the_rule_packs(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "dstcheck/rules/rust.toml" in names
    assert "dstcheck/rules/python.toml" in names


def test_wheel_in_fresh_venv_finds_rules_from_another_directory(wheel, tmp_path):
    import site
    import sysconfig

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    # Dependencies come from this interpreter's site-packages (a .pth line adds the directory
    # without running its .pth files, so an editable dstcheck there stays invisible); dstcheck
    # itself comes only from the wheel.
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip()
    ours = sorted({*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    Path(purelib, "outer-deps.pth").write_text("\n".join(ours) + "\n")
    run([str(python), "-m", "pip", "install", "--no-deps", "--force-reinstall", "-q", str(wheel)], tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "lib.rs").write_text("fn f() { let _ = std::time::Instant::now(); }\n")
    where = run([str(python), "-c", "import dstcheck, dstcheck.rules as r; print(dstcheck.__file__); print(r.rules_dir())"], elsewhere)
    module_file, rules = where.stdout.split()
    assert str(venv) in module_file and str(venv) in rules, where.stdout
    proc = run([str(venv / "bin" / "dstcheck"), "check", "--color", "never"], elsewhere, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "lib.rs:1:18: DST101 raw-clock" in proc.stdout
    explain = run([str(venv / "bin" / "dstcheck"), "explain", "DST201"], elsewhere)
    assert "time.time" in explain.stdout


def snapshot_of_this_checkout(dest: Path, env) -> Path:
    """A committed copy of the working tree (tracked and new files), as pre-commit would clone it."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT).stdout
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    run(["git", "init", "-q"], dest, env)
    run(["git", "add", "-A"], dest, env)
    run(["git", "commit", "-q", "-m", "snapshot"], dest, env)
    return dest


@pytest.mark.skipif(shutil.which("git") is None, reason="git is required for pre-commit")
def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    repo = tmp_path / "project"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "lib.rs").write_text("pub fn f() -> u64 { let _ = std::time::Instant::now(); 0 }\n")
    (repo / "src" / "clean.rs").write_text("pub fn g() -> u64 { 1 }\n")
    (repo / "strategy.py").write_text("import time\n\nT = time.time()\n")
    (repo / "README.md").write_text("std::time::Instant::now()\n")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    hook_repo = snapshot_of_this_checkout(tmp_path / "dstcheck-repo", env)
    run(["git", "init", "-q"], repo, env)
    run(["git", "add", "."], repo, env)
    proc = run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "dstcheck", "--all-files", "--verbose"], repo, env, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "src/lib.rs:1:29: DST101 raw-clock" in out
    assert "strategy.py:3:5: DST201 py-raw-clock" in out
    assert "README.md" not in out.split("dstcheck (DST conventions)")[-1]
    # Only the files pre-commit passes are checked (here all three source files).
    assert "in 2 of 3 files checked" in out
