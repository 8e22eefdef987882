"""The pre-commit hook with `args: [--fix]`: a run that changed files fails, as pre-commit
expects, and the next run over the fixed files passes."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from test_packaging import run, snapshot_of_this_checkout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is required for pre-commit")
def test_pre_commit_hook_with_fix_rewrites_and_fails_then_passes(tmp_path):
    repo = tmp_path / "project"
    (repo / "src").mkdir(parents=True)
    (repo / "dstcheck.toml").write_text(
        '[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme.clock.now" }]\n'
        '[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::sim::now" }]\n'
    )
    (repo / "strategy.py").write_text("import time\n\nT = time.time()  # stamp\n")
    (repo / "src" / "lib.rs").write_text("use std::time::Instant;\n\npub fn f() {\n    let _ = Instant::now();\n}\n")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    hook_repo = snapshot_of_this_checkout(tmp_path / "dstcheck-repo", env)
    rev = run(["git", "rev-parse", "HEAD"], hook_repo, env).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: dstcheck\n        args: [--fix]\n"
    )
    run(["git", "init", "-q"], repo, env)
    run(["git", "add", "."], repo, env)
    first = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], repo, env, check=False)
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert "files were modified by this hook" in out
    assert "Applied 2 fixes to 2 files (DST101 raw-clock: 1, DST201 py-raw-clock: 1)." in out
    assert (repo / "strategy.py").read_text() == "import acme.clock\n\nT = acme.clock.now()  # stamp\n"
    assert (repo / "src" / "lib.rs").read_text() == "use crate::sim::now;\n\npub fn f() {\n    let _ = now();\n}\n"
    run(["git", "add", "."], repo, env)
    second = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], repo, env, check=False)
    assert second.returncode == 0, second.stdout + second.stderr
