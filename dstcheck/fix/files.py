"""Diffing fixed files (dstcheck.write replaces them)."""

from __future__ import annotations

import difflib
import re
from typing import Dict, Tuple


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def unified_diff(changes: Dict[str, Tuple[bytes, bytes]]) -> bytes:
    """A `git apply`-able unified diff of every changed file, by path. A line is its file's bytes:
    one that is not UTF-8 (a latin-1 file with its coding declaration) goes out as it was read."""
    out = []
    for path in sorted(changes):
        before, after = changes[path]
        old = _LINES.findall(before.decode("utf-8", "surrogateescape"))
        new = _LINES.findall(after.decode("utf-8", "surrogateescape"))
        for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"):
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out).encode("utf-8", "surrogateescape")
