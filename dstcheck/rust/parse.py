"""Parse stage for Rust: tree-sitter-rust, the first syntax error, and `dst-ok` markers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional

from dstcheck.model import Marker, marker_rules


BOM = b"\xef\xbb\xbf"


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter
    import tree_sitter_rust

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


@dataclass
class ParsedRust:
    source: bytes
    tree: object
    _line_starts: Optional[List[int]] = None

    @property
    def line_starts(self) -> List[int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.source)
        return self._line_starts

    @property
    def root(self):
        return self.tree.root_node

    def text(self, node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def position(self, offset: int):
        """1-based line and 1-based character column of a byte offset."""
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        start = self.line_starts[lo]
        if lo == 0 and self.source.startswith(BOM):
            start = len(BOM)  # the compiler does not see a byte order mark: columns start after it
        column = len(self.source[start:offset].decode("utf-8", "replace")) + 1
        return lo + 1, column


def line_starts(source: bytes) -> List[int]:
    starts = [0]
    find = source.find
    i = find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


def parse(source: bytes) -> ParsedRust:
    return ParsedRust(source, _parser().parse(source))


def first_error(parsed: ParsedRust) -> Optional[int]:
    """Byte offset of the first ERROR or MISSING node, or None when the parse is clean."""
    node = parsed.root
    if not node.has_error:
        return None
    while True:
        if node.is_error or node.is_missing:
            return node.start_byte
        for child in node.children:
            if child.has_error or child.is_error or child.is_missing:
                node = child
                break
        else:
            return node.start_byte


def marker_regex(marker: str) -> "re.Pattern[bytes]":
    return re.compile(
        rb"^(?://+!?|/\*+!?)\s*" + re.escape(marker.encode()) + rb"(?![\w-])(?:\[([^\]]*)\])?\s*(?::\s*(.*?))?\s*(?:\*/)?\s*$",
        re.S,
    )


def markers(parsed: ParsedRust, marker: str) -> List[Marker]:
    """`// dst-ok`, `// dst-ok: reason`, `// dst-ok[DST101, DST104]: reason` in real comments only."""
    out = []
    pattern = marker_regex(marker)
    needle = marker.encode()
    source = parsed.source
    start = source.find(needle)
    seen = set()
    while start != -1:
        node = parsed.root.descendant_for_byte_range(start, start + len(needle))
        while node is not None and node.type not in ("line_comment", "block_comment"):
            node = node.parent if node.type in ("doc_comment",) else None
        if node is not None and node.id not in seen:
            seen.add(node.id)
            text = source[node.start_byte:node.end_byte].rstrip()
            is_doc = text.startswith((b"///", b"//!", b"/**", b"/*!")) and not text.startswith((b"////", b"/***"))
            m = None if is_doc else pattern.match(text)
            if m:
                rules = marker_rules(m.group(1).decode() if m.group(1) is not None else None)
                reason = (m.group(2) or b"").decode("utf-8", "replace").strip()
                line, column = parsed.position(node.start_byte)
                out.append(Marker(line, rules, reason, column))
        start = source.find(needle, start + 1)
    return out
