"""`--add-markers REASON`: a `dst-ok[ID]: REASON` comment on a line of each violation, so a dirty
tree adopts the gate in one commit and the markers can be burnt down one by one.

Which line: the site's first line (its reported one: a chain's receiver can start above it),
unless the marker would make it longer than the formatter's width (rustfmt's 100, black's and
ruff's 88); then the first line of the site it fits on, else the one it makes shortest. A line
can take a marker when it ends in code or in a comment: in Rust a trailing `// comment` keeps its
place and the marker goes before it as `/* dst-ok[..]: .. */`; in Python the marker starts the
comment and the old text follows (`# dst-ok[..]: REASON  # old`), except after a type comment,
which must stay first (`# type: ignore  # dst-ok[..]: REASON`), and another marker, which keeps
its line. A line ending inside a string or
a block comment, or continued with a backslash, cannot. A site none of whose lines can take one
keeps its violation, and the run says so. Sites marked on one line share one marker; an existing
marker with the same reason gets the new ids instead of a second marker.
"""

from __future__ import annotations

import io
import tokenize
from typing import Dict, List, Optional, Tuple

from dstcheck.fix.text import Edit, Lines, apply, utf8_view

WIDTH = {"rust": 100, "python": 88}
CODE, COMMENT, NONE = "code", "comment", "none"
IN_STRING = "ends inside a string or a block comment"


def add_markers(raw: bytes, language: str, sites, word: str, reason: str) -> Tuple[bytes, list, list]:
    """(new bytes, sites marked, [(site, why not)]) for the violations of one file."""
    text, back = utf8_view(raw, language)
    if text is None:
        return raw, [], [(s, "the file cannot be decoded") for s in sites]
    lines = Lines(text, language)
    endings = _rust_endings(text, lines) if language == "rust" else _python_endings(text, lines)
    if endings is None:
        return raw, [], [(s, "the file cannot be tokenized") for s in sites]
    pattern = _marker_pattern(language, word)
    chosen: Dict[int, List] = {}
    unmarked = []
    for site in sorted(sites, key=lambda s: s.sort_key()):
        line = _pick(site, lines, endings, language, word, reason, chosen, pattern)
        if isinstance(line, str):
            unmarked.append((site, f"no line of the site can take a comment: line {site.line} {line}"))
        else:
            chosen.setdefault(line, []).append(site)
    edits = [_edit(line, group, lines, endings[line], language, word, reason, pattern) for line, group in sorted(chosen.items())]
    return back(apply(text, edits)), [s for group in chosen.values() for s in group], unmarked


def _marker_pattern(language: str, word: str):
    """comment text -> None, or (the ids it names, None for all; its reason) for a marker."""
    if language == "rust":
        from dstcheck.rust.parse import marker_regex

        pattern = marker_regex(word)
        encode = lambda comment: comment.encode("utf-8", "surrogatepass")
        decode = lambda group: group.decode("utf-8", "surrogatepass") if group is not None else None
    else:
        from dstcheck.python.parse import marker_regex

        pattern = marker_regex(word)
        encode = decode = lambda value: value

    def parsed(comment: str):
        m = pattern.match(encode(comment))
        if m is None:
            return None
        ids = decode(m.group(1))
        return ([r.strip() for r in ids.split(",") if r.strip()] if ids is not None else None), (decode(m.group(2)) or "").strip()

    return parsed


def _rust_endings(text: bytes, lines: Lines) -> Dict[int, Optional[tuple]]:
    """Per line: (CODE, offset after the last code byte), (COMMENT, comment start) or (NONE, why)."""
    from dstcheck.rust import parse

    root = parse.parse(text).root
    out: Dict[int, Optional[tuple]] = {}
    for line in range(1, len(lines) + 1):
        start, end = lines.starts[line - 1], lines.ends[line - 1]
        content = text[start:end].rstrip()
        if not content.strip():
            out[line] = (NONE, "is blank")
            continue
        last = start + len(content) - 1
        node = root.descendant_for_byte_range(last, last + 1)
        while node is not None and node.type not in ("line_comment", "block_comment", "string_literal", "raw_string_literal", "char_literal"):
            node = node.parent
        if node is None:
            out[line] = (CODE, last + 1)
        elif node.type == "line_comment":
            code = text[start:node.start_byte].strip()
            out[line] = (COMMENT, node.start_byte) if code else (NONE, "holds only a comment")
        elif node.end_byte > last + 1:
            out[line] = (NONE, IN_STRING)
        else:
            out[line] = (CODE, last + 1)
    return out


def _python_endings(text: bytes, lines: Lines) -> Optional[Dict[int, tuple]]:
    decoded = text.decode("utf-8", "surrogatepass")
    out: Dict[int, Optional[tuple]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(decoded).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    comments = {}
    spanning = set()
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.start[1]
        elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) and tok.end[0] > tok.start[0]:
            spanning.update(range(tok.start[0], tok.end[0]))
    for line in range(1, len(lines) + 1):
        start, end = lines.starts[line - 1], lines.ends[line - 1]
        content = text[start:end].rstrip()
        if not content.strip():
            out[line] = (NONE, "is blank")
        elif line in spanning:
            out[line] = (NONE, IN_STRING)
        elif content.endswith(b"\\") and line not in comments:
            out[line] = (NONE, "is continued with a backslash")
        elif line in comments:
            code_part = text[start:start + len(text[start:end].decode("utf-8", "surrogatepass")[: comments[line]].encode("utf-8", "surrogatepass"))]
            out[line] = (COMMENT, start + len(code_part)) if code_part.strip() else (NONE, "holds only a comment")
        else:
            out[line] = (CODE, start + len(content))
    return out


def _comment(text: bytes, at: int, lines: Lines, line: int) -> str:
    return text[at:lines.ends[line - 1]].decode("utf-8", "surrogatepass").rstrip()


def _unusable(line: int, ending, lines: Lines, language: str, pattern, reason: str) -> Optional[str]:
    """Why a line cannot take the marker, or None when it can."""
    if ending[0] == NONE:
        return ending[1]
    if ending[0] == COMMENT and language == "python":
        comment = _comment(lines.source, ending[1], lines, line)
        found = pattern(comment)
        if found and not (found[0] is not None and found[1] == reason):
            return "ends in another marker, which must stay first"  # one with the same reason takes more ids
    return None


def _pick(site, lines: Lines, endings, language: str, word: str, reason: str, chosen, pattern):
    """The line to mark the site on, or why none of its lines can take a marker."""
    first, last = site.lines()  # a chain from a receiver above its reported line: that line first
    order = [site.line] + [n for n in range(first, last + 1) if n != site.line]
    why = {n: _unusable(n, endings[n], lines, language, pattern, reason) for n in order}
    usable = [n for n in order if why[n] is None]
    if not usable:
        return why[site.line]
    for line in usable:
        if line in chosen and site.line <= line <= site.end_line:
            return line  # a marker already planned on the site's span takes this id too
    width = {n: lines.width(n) + len(_marker_text(language, word, [site.rule], reason)) + 3 for n in usable}
    fitting = [n for n in usable if width[n] <= WIDTH[language]]
    return fitting[0] if fitting else min(usable, key=lambda n: (width[n], n))


def _marker_text(language: str, word: str, ids, reason: str) -> str:
    opening = "//" if language == "rust" else "#"
    return f"{opening} {word}[{', '.join(sorted(set(ids)))}]: {reason}"


def _edit(line: int, group, lines: Lines, ending, language: str, word: str, reason: str, pattern) -> Edit:
    ids = [s.rule for s in group]
    kind, at = ending
    if kind == CODE:
        gap = " " if language == "rust" else "  "
        return Edit(at, at, (gap + _marker_text(language, word, ids, reason)).encode())
    comment = _comment(lines.source, at, lines, line)
    found = pattern(comment)
    if found and found[0] is not None and found[1] == reason:
        merged = found[0] + ids
        return Edit(at, at + len(comment.encode("utf-8", "surrogatepass")), _marker_text(language, word, merged, reason).encode())
    if language == "rust":
        return Edit(at, at, f"/* {word}[{', '.join(sorted(set(ids)))}]: {reason} */ ".encode())
    if _type_comment(comment):  # it must stay first: the marker follows it, a pragma of its own
        end = at + len(comment.encode("utf-8", "surrogatepass"))
        return Edit(end, end, ("  " + _marker_text(language, word, ids, reason)).encode())
    return Edit(at, at, (_marker_text(language, word, ids, reason) + "  ").encode())


def _type_comment(comment: str) -> bool:
    return comment.lstrip("#").strip().startswith("type:")
