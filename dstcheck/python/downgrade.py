"""Python syntax newer than the running interpreter, rewritten into older syntax of the same length.

dstcheck must read Python 3.8-3.13 sources whatever interpreter runs it, and CPython's `ast`
only knows its own version's grammar. When `ast.parse` rejects a file, this module rewrites the
constructs the running parser does not know (PEP 701 f-strings, `type` aliases and type
parameter lists, `except*`, starred subscripts, `match`) into forms it does know, replacing
characters one for one (a blanked character becomes as many spaces as it has UTF-8 bytes, line
breaks stay), so every line and byte column of what remains is where it was. The rewrite keeps
what the rules look at: names, calls, attribute chains and their positions; an f-string becomes
a tuple of its replacement fields, a type parameter list disappears, a `case` pattern becomes
an expression. It is used only on files the interpreter rejects.

The tokenizer below is also the fallback for finding comments (markers) in such files.
"""

from __future__ import annotations

import re
import sys
from typing import List, Optional, Tuple

Token = Tuple[str, int, int]  # kind, start, end (character offsets)

_NAME = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"(?:\d|\.\d)(?:[eE][+-]?|[\w.])*")
_SPACE = re.compile(r"(?:[ \t\f]|\\\r?\n)+")
_COMMENT = re.compile(r"#[^\r\n]*")
_OPS3 = ("**=", "//=", ">>=", "<<=", "...")
_OPS2 = ("**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=")
_PREFIXES = {"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"}
_PLAIN_END = {
    "'": re.compile(r"(?:[^'\\\n]|\\(?:.|\n))*'"),
    '"': re.compile(r'(?:[^"\\\n]|\\(?:.|\n))*"'),
    "'''": re.compile(r"(?:[^\\]|\\.)*?'''", re.S),
    '"""': re.compile(r'(?:[^\\]|\\.)*?"""', re.S),
}
OPEN, CLOSE = "([{", ")]}"


class _FString:
    __slots__ = ("quote", "raw")

    def __init__(self, quote: str, raw: bool):
        self.quote, self.raw = quote, raw


class _Field:
    __slots__ = ("fstring", "depth", "spec")

    def __init__(self, fstring: _FString):
        self.fstring, self.depth, self.spec = fstring, 0, False


def tokenize(text: str) -> List[Token]:
    """Tokens of a Python source as 3.12's tokenizer sees them (f-strings are split into their
    parts: fstart, flit, fopen, fconv, fspec, fclose, fend). Never raises: what it cannot read
    becomes an `error` token and scanning goes on."""
    out: List[Token] = []
    stack: list = []  # _FString / _Field frames, innermost last
    depth = 0  # bracket depth outside f-strings
    pos, size = 0, len(text)
    while pos < size:
        top = stack[-1] if stack else None
        literal = isinstance(top, _FString) or (isinstance(top, _Field) and top.spec)
        if literal:
            pos = _scan_literal(text, pos, stack, out)
            continue
        char = text[pos]
        m = _SPACE.match(text, pos)
        if m:
            pos = m.end()
            continue
        if char == "\n":
            kind = "newline" if depth == 0 and top is None else "nl"
            out.append((kind, pos, pos + 1))
            pos += 1
            continue
        if char == "#":
            end = _COMMENT.match(text, pos).end()
            out.append(("comment", pos, end))
            pos = end
            continue
        m = _NAME.match(text, pos)
        if m:
            end = m.end()
            if end < size and text[end] in "'\"" and m.group().lower() in _PREFIXES:
                pos = _scan_string(text, pos, end, stack, out)
            else:
                out.append(("name", pos, end))
                pos = end
            continue
        if char in "'\"":
            pos = _scan_string(text, pos, pos, stack, out)
            continue
        m = _NUMBER.match(text, pos)
        if m:
            out.append(("number", pos, m.end()))
            pos = m.end()
            continue
        field = top if isinstance(top, _Field) else None
        if field is not None and field.depth == 0:
            if char == "}":
                out.append(("fclose", pos, pos + 1))
                stack.pop()
                pos += 1
                continue
            if char == ":":
                field.spec = True
                out.append(("fspec", pos, pos + 1))
                pos += 1
                continue
            if char == "!" and text[pos + 1:pos + 2] != "=":
                m = _NAME.match(text, pos + 1)
                end = m.end() if m else pos + 1
                out.append(("fconv", pos, end))
                pos = end
                continue
        width = 3 if text.startswith(_OPS3, pos) else 2 if text.startswith(_OPS2, pos) else 1
        if width == 1 and (char in OPEN or char in CLOSE):
            step = 1 if char in OPEN else -1
            if field is not None:
                field.depth = max(0, field.depth + step)
            else:
                depth = max(0, depth + step)
        kind = "op" if width > 1 or char in "()[]{}:;,.=+-*/%@&|^~<>!" else "error"
        out.append((kind, pos, pos + width))
        pos += width
    return out


def _scan_string(text: str, start: int, quote_at: int, stack: list, out: List[Token]) -> int:
    prefix = text[start:quote_at].lower()
    quote = text[quote_at:quote_at + 3] if text.startswith(("'''", '"""'), quote_at) else text[quote_at]
    body = quote_at + len(quote)
    if "f" in prefix or "t" in prefix:
        out.append(("fstart", start, body))
        stack.append(_FString(quote, "r" in prefix))
        return body
    m = _PLAIN_END[quote].match(text, body)
    end = m.end() if m else len(text)
    out.append(("string" if m else "error", start, end))
    return end


def _scan_literal(text: str, pos: int, stack: list, out: List[Token]) -> int:
    """The literal part of an f-string (or of a format spec) from `pos` to the next field,
    the end of the spec, or the closing quote."""
    top = stack[-1]
    fstring = top if isinstance(top, _FString) else top.fstring
    in_spec = isinstance(top, _Field)
    quote, single = fstring.quote, len(fstring.quote) == 1
    start, size = pos, len(text)
    while pos < size:
        char = text[pos]
        if char == "\\" and not fstring.raw and pos + 1 < size:
            pos += 2
            continue
        if text.startswith(quote, pos):
            if pos > start:
                out.append(("flit", start, pos))
            out.append(("fend", pos, pos + len(quote)))
            while stack and stack[-1] is not fstring:
                stack.pop()
            stack.pop()
            return pos + len(quote)
        if char == "\n" and single:
            break  # an unterminated single-quoted f-string
        if char == "{":
            if text.startswith("{{", pos) and not in_spec:
                pos += 2
                continue
            if pos > start:
                out.append(("flit", start, pos))
            out.append(("fopen", pos, pos + 1))
            stack.append(_Field(fstring))
            return pos + 1
        if char == "}":
            if text.startswith("}}", pos) and not in_spec:
                pos += 2
                continue
            if in_spec:
                if pos > start:
                    out.append(("flit", start, pos))
                out.append(("fclose", pos, pos + 1))
                stack.pop()
                return pos + 1
        pos += 1
    if pos > start:
        out.append(("error", start, pos))
    while stack and stack[-1] is not fstring:
        stack.pop()
    stack.pop()
    return pos


def comments(text: str) -> List[Tuple[int, int]]:
    """(start, end) of every comment."""
    return [(s, e) for kind, s, e in tokenize(text) if kind == "comment"]


class _Rewrite:
    def __init__(self, text: str):
        self.text = text
        self.out = list(text)
        self.changed = False

    def blank(self, start: int, end: int, continued: bool = True) -> None:
        """Spaces in place of text[start:end], byte for byte. Line breaks stay; with `continued`
        each is preceded by a backslash, so a logical line that was broken inside brackets
        goes on once the brackets are gone."""
        for i in range(start, end):
            char = self.text[i]
            if char == "\n":
                if continued and i > start:
                    self.out[i - 1] = "\\"
                continue
            self.out[i] = " " * len(char.encode("utf-8", "surrogatepass"))
        self.changed = True

    def put(self, at: int, chars: str) -> None:
        for i, char in enumerate(chars):
            self.out[at + i] = char
        self.changed = True

    def result(self) -> str:
        return "".join(self.out)


def downgrade(text: str, version: Tuple[int, int] = sys.version_info[:2]) -> Optional[str]:
    """`text` with the syntax that `version`'s parser lacks rewritten, or None if it has none."""
    rw = _Rewrite(text)
    toks = [t for t in tokenize(text) if t[0] not in ("comment", "nl")]

    def word(i: int) -> str:
        kind, s, e = toks[i]
        return text[s:e] if kind in ("name", "op") else ""

    def group_end(i: int) -> int:
        """Index of the bracket closing the one at toks[i]."""
        level = 0
        for j in range(i, len(toks)):
            w = word(j)
            if w in ("(", "[", "{") or toks[j][0] == "fopen":
                level += 1
            elif w in (")", "]", "}") or toks[j][0] == "fclose":
                level -= 1
                if level == 0:
                    return j
        return len(toks) - 1

    starts = _line_starts(toks, text)
    if version < (3, 12):
        _fstrings(toks, text, rw)
    if version < (3, 13):  # type parameter lists (3.12), their defaults (3.13)
        for i in range(len(toks) - 1):
            w = word(i)
            if i in starts and w == "type" and toks[i + 1][0] == "name" and i + 2 < len(toks) and word(i + 2) in ("[", "="):
                _, ks, _ = toks[i]
                _, xs, xe = toks[i + 1]
                if "\n" not in text[ks:xe]:
                    rw.blank(ks, xe)
                    rw.put(ks, text[xs:xe])
                    if word(i + 2) == "[":
                        rw.blank(toks[i + 2][1], toks[group_end(i + 2)][2])
            elif w in ("class", "def") and toks[i + 1][0] == "name" and i + 2 < len(toks) and word(i + 2) == "[":
                rw.blank(toks[i + 2][1], toks[group_end(i + 2)][2])
    if version < (3, 11):
        for i in range(1, len(toks)):
            w = word(i)
            if w == "*" and word(i - 1) == "except" and (i - 1) in starts:
                rw.blank(toks[i][1], toks[i][2])
            elif w == "*" and word(i - 1) in ("[", ",") and _in_subscript(toks, text, i):
                rw.blank(toks[i][1], toks[i][2])
            elif w == "*" and word(i - 1) == ":" and i >= 3 and word(i - 3) == "*":
                rw.blank(toks[i][1], toks[i][2])  # `*args: *Ts`
    if version < (3, 10):
        _match_statements(toks, text, rw, starts)
    return rw.result() if rw.changed else None


def _line_starts(toks: List[Token], text: str) -> set:
    """Indexes of tokens that begin a logical line (or follow a `;`)."""
    out, fresh = set(), True
    for i, (kind, s, e) in enumerate(toks):
        if kind == "newline":
            fresh = True
            continue
        if fresh:
            out.add(i)
        fresh = kind == "op" and text[s:e] == ";"
    return out


def _in_subscript(toks: List[Token], text: str, i: int) -> bool:
    """Whether toks[i] sits directly inside a `[` that subscripts (follows a name or a closing bracket)."""
    level = 0
    for j in range(i - 1, -1, -1):
        kind, s, e = toks[j]
        w = text[s:e] if kind == "op" else ""
        if w in (")", "]", "}"):
            level += 1
        elif w in ("(", "[", "{"):
            if level == 0:
                if w != "[" or j == 0:
                    return False
                pk, ps, pe = toks[j - 1]
                return pk in ("name", "string", "fend") or text[ps:pe] in (")", "]")
            level -= 1
        elif kind == "newline":
            return False
    return False


def _fstrings(toks: List[Token], text: str, rw: _Rewrite) -> None:
    """Every f-string becomes a parenthesised tuple of its replacement fields: `f"a{x!r:>{w}}b"`
    reads `(  x,     w,  )`: any parser accepts it and the fields keep their places."""
    open_strings = 0
    fields: list = []  # per open field: [last code token index, field text is over]
    last_string_end = -2  # index of the last token that closed a converted string
    for i, (kind, s, e) in enumerate(toks):
        if kind == "fstart":
            open_strings += 1
            rw.blank(s, e, continued=False)
            rw.put(s, "(")
        elif kind == "flit":
            rw.blank(s, e, continued=False)
        elif kind == "fopen":
            fields.append([None, False])
            rw.blank(s, e)
        elif kind in ("fconv", "fspec", "fclose"):
            rw.blank(s, e, continued=False)
            if fields and not fields[-1][1]:
                # the field's expression ends here: one comma after it
                last = fields[-1][0]
                if last is not None and toks[last][0] == "op" and text[toks[last][1]:toks[last][2]] == "=":
                    rw.blank(toks[last][1], toks[last][2])  # a self-documenting `{x=}`
                fields[-1][1] = True
                rw.put(s, ",")
            if kind == "fclose" and fields:
                fields.pop()
        elif kind == "fend":
            rw.blank(s, e, continued=False)
            rw.put(e - 1, ")")
            open_strings -= 1
            if not open_strings:
                last_string_end = i
        elif kind == "string" and last_string_end == i - 1 and not open_strings:
            # a plain string concatenated after an f-string: `( x,)"b"` would not parse
            rw.blank(s, e, continued=False)
            rw.put(s, "(")
            rw.put(e - 1, ")")
            last_string_end = i
        elif fields and not fields[-1][1]:
            fields[-1][0] = i


def _match_statements(toks: List[Token], text: str, rw: _Rewrite, starts: set) -> None:
    """`match s:` reads `with s:` and each `case p as n if g:` reads `with p as n ,  g:` (a `with`
    statement takes the same tuples, calls, literals and `as` as a pattern); an `as` nested inside
    a pattern reads `or`."""
    indent_of_match: List[int] = []
    for i in sorted(starts):
        kind, s, e = toks[i]
        column = s - (text.rfind("\n", 0, s) + 1)
        while indent_of_match and column <= indent_of_match[-1]:
            indent_of_match.pop()
        w = text[s:e] if kind == "name" else ""
        if w not in ("match", "case") or i + 1 >= len(toks):
            continue
        nk, ns, ne = toks[i + 1]
        if nk in ("newline",) or (nk == "op" and text[ns:ne] in ("=", ".", ",", ")", "]", "}", ":", ";") or text[ns:ne].endswith("=")):
            continue
        colon = _header_colon(toks, text, i)
        if colon is None:
            continue
        if w == "match":
            if not (toks[colon + 1][0] == "newline" if colon + 1 < len(toks) else True):
                continue
            rw.put(s, "with ")
            indent_of_match.append(column)
        elif indent_of_match and column > indent_of_match[-1]:
            rw.put(s, "with")
            level = 0
            for j in range(i + 1, colon):
                jk, js, je = toks[j]
                jw = text[js:je]
                if jk == "op" and jw in ("(", "[", "{"):
                    level += 1
                elif jk == "op" and jw in (")", "]", "}"):
                    level -= 1
                elif jk == "name" and jw == "as" and level > 0:
                    rw.put(js, "or")
                elif jk == "name" and jw == "if" and level == 0:
                    rw.put(js, ", ")


def _header_colon(toks: List[Token], text: str, i: int) -> Optional[int]:
    level = 0
    for j in range(i + 1, len(toks)):
        kind, s, e = toks[j]
        if kind == "newline":
            return None
        w = text[s:e] if kind == "op" else ""
        if w in ("(", "[", "{"):
            level += 1
        elif w in (")", "]", "}"):
            level -= 1
        elif w == ":" and level == 0:
            return j
        elif kind == "name" and text[s:e] == "lambda" and level == 0:
            return None
    return None
