"""Byte-level edits and positions, shared by the Rust fixes and the markers.

Sites carry 1-based lines and 1-based character columns as the language's compiler counts them
(Rust: lines end at `\\n`; Python: at `\\r\\n`, `\\r` or `\\n`). An edit is a byte range and the
bytes that replace it; edits never overlap, except insertions at one point.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Iterable, List, NamedTuple, Optional, Tuple

_BREAKS = {"rust": re.compile(rb"\r?\n"), "python": re.compile(rb"\r\n|\r|\n")}


class Edit(NamedTuple):
    start: int
    end: int
    text: bytes


def overlap(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same bytes (two insertions at one point do not)."""
    if a.start == a.end and b.start == b.end:
        return False
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def apply(source: bytes, edits: Iterable[Edit]) -> bytes:
    """The source with the edits applied (identical edits once; insertions at one point in order)."""
    unique = sorted(set(edits), key=lambda e: (e.start, e.end, e.text))
    out, at = [], 0
    for edit in unique:
        out.append(source[at:edit.start])
        out.append(edit.text)
        at = max(at, edit.end)
    out.append(source[at:])
    return b"".join(out)


class Lines:
    """Line starts, ends (before the line break) and breaks of a source, counted per language."""

    def __init__(self, source: bytes, language: str):
        self.source = source
        self.starts: List[int] = [0]
        self.ends: List[int] = []
        self.breaks: List[bytes] = []
        for m in _BREAKS[language].finditer(source):
            self.ends.append(m.start())
            self.breaks.append(m.group())
            self.starts.append(m.end())
        self.ends.append(len(source))
        self.breaks.append(b"")

    def __len__(self) -> int:
        return len(self.starts)

    def offset(self, line: int, column: int) -> Optional[int]:
        """The byte offset of a 1-based line and character column, or None when out of range."""
        if not 1 <= line <= len(self.starts):
            return None
        start, end = self.starts[line - 1], self.ends[line - 1]
        text = self.source[start:end].decode("utf-8", "replace")
        if column - 1 > len(text):
            return None
        return start + len(text[: column - 1].encode("utf-8"))

    def line_of(self, offset: int) -> int:
        """The 1-based line holding a byte offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def newline(self, line: int) -> bytes:
        """The line break a new line next to `line` should use: that line's, else the file's first."""
        own = self.breaks[line - 1] if 1 <= line <= len(self.breaks) else b""
        return own or next((b for b in self.breaks if b), b"\n")

    def indent(self, line: int) -> bytes:
        text = self.source[self.starts[line - 1]:self.ends[line - 1]]
        return text[: len(text) - len(text.lstrip(b" \t"))]

    def width(self, line: int) -> int:
        """Characters on a line (tabs count as one)."""
        return len(self.source[self.starts[line - 1]:self.ends[line - 1]].decode("utf-8", "replace"))


def normalized(text: str) -> str:
    return " ".join(text.split())


def span(lines: Lines, site) -> Optional[Tuple[int, int]]:
    """The byte range of a site, or None when the file no longer holds its snippet there (it
    changed since it was checked)."""
    start = lines.offset(site.line, site.column)
    end = lines.offset(site.end_line, site.end_column)
    if start is None or end is None or end < start:
        return None
    if normalized(lines.source[start:end].decode("utf-8", "replace")) != site.snippet:
        return None
    return start, end


def utf8_view(raw: bytes, language: str):
    """The source as UTF-8 bytes (line breaks kept) and how to turn the result back."""
    if language == "rust":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, None
        return raw, lambda data: data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        decoded = raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None, None
    bom = decoded.startswith("\ufeff")
    body = decoded[1:] if bom else decoded
    return body.encode("utf-8", "surrogatepass"), lambda data: (("\ufeff" if bom else "") + data.decode("utf-8", "surrogatepass")).encode(encoding)
