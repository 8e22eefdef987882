"""Parse stage for Python: decode as CPython does, parse with CPython's own parser (the `ast`
module) whatever version runs dstcheck, and find `# dst-ok` markers.

Everything after `decode` sees one normal form of a source: UTF-8, no byte-order mark, `\\n`
line ends (CPython also ends a line at `\\r\\n` and a lone `\\r`). Lines and columns of sites,
snippets and markers are then counted the way the interpreter counts them.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import warnings
from typing import List, Optional, Tuple

from dstcheck.model import Marker, marker_rules

BOM = b"\xef\xbb\xbf"
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.M)
DEEP = "nested too deeply to check"


def decode(raw: bytes) -> Tuple[Optional[bytes], Optional[Tuple[int, str]]]:
    """The normal form of a source file, or (line, message) when CPython could not read it either:
    a BOM or a PEP 263 coding declaration picks the encoding, as in the interpreter."""
    head = raw[: raw.find(b"\n", raw.find(b"\n") + 1) + 1 or len(raw)]
    if raw.startswith(BOM) or _COOKIE.search(head):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            return None, (1, f"cannot decode: {exc.msg if hasattr(exc, 'msg') else exc}")
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_count(raw[: exc.start]) + 1
        return None, (line, f"not valid {encoding} (byte {exc.start}): not checked")
    except LookupError:
        return None, (1, f"unknown encoding {encoding}: not checked")
    changed = encoding != "utf-8"
    if text.startswith("\ufeff"):
        text, changed = text[1:], True
    if "\r" in text:
        text, changed = text.replace("\r\n", "\n").replace("\r", "\n"), True
    return (text.encode("utf-8", "surrogatepass") if changed else raw), None


def _line_count(raw: bytes) -> int:
    return raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")


def parse(source: bytes) -> Tuple[Optional[ast.Module], Optional[Tuple[int, int, str]]]:
    """The module's syntax tree, or (line, column, message) of why there is none. Syntax newer
    than the running interpreter is rewritten first (see `downgrade`)."""
    text = source.decode("utf-8", "surrogatepass")
    tree, error = _parse(text)
    if error is not None and sys.version_info < (3, 13) and not isinstance(error, str):
        from dstcheck.python.downgrade import downgrade

        rewritten = downgrade(text)
        if rewritten is not None:
            tree, error = _parse(rewritten)  # same positions: its error is where the original's is
    if error is None:
        return tree, None
    if isinstance(error, str):
        return None, (1, 1, error)
    line = max(1, error.lineno or 1)
    return None, (line, max(1, error.offset or 1), f"syntax error: {error.msg}")


def _parse(text: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning (invalid escapes) is the compiler's business
            return ast.parse(text), None
    except SyntaxError as exc:
        return None, exc
    except (RecursionError, MemoryError):
        return None, DEEP


def marker_regex(marker: str) -> "re.Pattern[str]":
    return re.compile(r"^#+\s*" + re.escape(marker) + r"(?![\w-])(?:\[([^\]]*)\])?\s*(?::\s*(.*?))?\s*$")


def markers(source: bytes, marker: str) -> List[Marker]:
    """`# dst-ok`, `# dst-ok: reason`, `# dst-ok[DST201]: reason` in comments (never in strings)."""
    if marker.encode() not in source:
        return []
    pattern = marker_regex(marker)
    text = source.decode("utf-8", "surrogatepass")
    out = []
    for line, column, comment in _comments(text):
        for offset, segment in _segments(comment):
            m = pattern.match(segment)
            if m:
                rules = marker_rules(m.group(1))
                out.append(Marker(line, rules, (m.group(2) or "").strip(), column + offset + 1))  # a second is reported unused (DST001)
    return out


# A comment holds several pragmas one after another (`# type: ignore[x]  # dst-ok: reason  # noqa`):
# each starts at a `#` followed by a space after whitespace, so a reason ends where the next begins
# (`issue #123` does not start one).
_PRAGMA_START = re.compile(r"\s+(?=#+\s)")


def _segments(comment: str):
    """(offset, text) of each pragma of a comment, the first at offset 0."""
    start = 0
    for m in _PRAGMA_START.finditer(comment):
        yield start, comment[start:m.start()]
        start = m.end()
    yield start, comment[start:]


def _comments(text: str):
    """(line, 0-based column, text) of each comment; the standard tokenizer where it can read
    the file, the version-independent one where it cannot (syntax newer than this interpreter)."""
    try:
        return [
            (tok.start[0], tok.start[1], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        from dstcheck.python.downgrade import comments

        out = []
        for start, end in comments(text):
            line_start = text.rfind("\n", 0, start) + 1
            out.append((text.count("\n", 0, start) + 1, start - line_start, text[start:end]))
        return out
