"""Parse stage for Python: libcst (loaded only when Python files are scanned) and `# dst-ok` markers."""

from __future__ import annotations

import io
import re
import tokenize
from typing import List, Optional, Tuple

from dstcheck.model import Marker


def parse(source: bytes) -> Tuple[Optional[object], Optional[Tuple[int, int, str]]]:
    """The libcst module, or (line, column, message) of the syntax error."""
    import libcst

    try:
        return libcst.parse_module(source), None
    except libcst.ParserSyntaxError as exc:
        # CPython's own parser places the error precisely; libcst's position can be a line late.
        try:
            compile(source, "<checked file>", "exec", dont_inherit=True, flags=0x400)  # ast.PyCF_ONLY_AST
        except SyntaxError as precise:
            return None, (precise.lineno or 1, precise.offset or 1, f"syntax error: {precise.msg}")
        except ValueError:
            pass
        return None, (max(exc.raw_line, 1), max(exc.raw_column, 0) + 1, f"syntax error: {exc.message}")
    except (RecursionError, ValueError) as exc:  # pathological nesting, bad encoding declaration
        return None, (1, 1, f"cannot parse: {exc}")


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
