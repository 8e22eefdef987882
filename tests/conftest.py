import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_cli():
    """Run the dstcheck CLI in a directory, as a user would; returns (exit code, stdout, stderr)."""
    import subprocess

    def run(args, cwd, env=None, input=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "dstcheck", *args],
            cwd=str(cwd),
            capture_output=True,
            text=True,
            env=full_env,
            input=input,
        )
        return proc.returncode, proc.stdout, proc.stderr

    return run
