"""Writing fixed files (atomically, keeping mode and bytes outside the edits) and diffing them."""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from typing import Dict, Tuple


def write_atomic(path: str, data: bytes) -> None:
    """Replace a file's content in one step: a temporary file in the same directory, the old
    file's permission bits, then a rename. A symbolic link stays a link (its target is written)."""
    real = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    directory = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(real) + ".", suffix=".dstcheck-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def unified_diff(changes: Dict[str, Tuple[bytes, bytes]]) -> str:
    """A `git apply`-able unified diff of every changed file, by path."""
    out = []
    for path in sorted(changes):
        before, after = changes[path]
        old = _LINES.findall(before.decode("utf-8", "replace"))
        new = _LINES.findall(after.decode("utf-8", "replace"))
        for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"):
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)
