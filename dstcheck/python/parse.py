"""Parse stage for Python: CPython's own parser (the `ast` module) and `# dst-ok` markers."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import List, Optional, Tuple

from dstcheck.model import Marker


def parse(source: bytes) -> Tuple[Optional[ast.Module], Optional[Tuple[int, int, str]]]:
    """The module's syntax tree, or (line, column, message) of the syntax error."""
    try:
        return ast.parse(source), None
    except SyntaxError as exc:
        return None, (exc.lineno or 1, exc.offset or 1, f"syntax error: {exc.msg}")
    except (RecursionError, ValueError, MemoryError) as exc:  # pathological nesting
        return None, (1, 1, f"cannot parse: {type(exc).__name__}")


def marker_regex(marker: str) -> "re.Pattern[str]":
    return re.compile(r"^#+\s*" + re.escape(marker) + r"(?![\w-])(?:\[([^\]]*)\])?\s*(?::\s*(.*?))?\s*$")


def markers(source: bytes, marker: str) -> List[Marker]:
    """`# dst-ok`, `# dst-ok: reason`, `# dst-ok[DST201]: reason` in comments (never in strings)."""
    if marker.encode() not in source:
        return []
    pattern = marker_regex(marker)
    out = []
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type == tokenize.COMMENT:
                m = pattern.match(tok.string)
                if m:
                    rules = tuple(sorted(r.strip() for r in (m.group(1) or "").split(",") if r.strip()))
                    out.append(Marker(tok.start[0], rules, (m.group(2) or "").strip(), tok.start[1] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return out
