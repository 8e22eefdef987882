"""The line grammar every input, trace and spec line follows (SPEC.md): `kind key=value ...`,
printable ASCII, values that are i64 integers or plain words. Parsing is strict so that both
cores refuse exactly the same inputs with exactly the same diagnostic."""
import re
from typing import Dict, Optional, Tuple, Union

Value = Union[int, str]
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1
_WORD = re.compile(r"[A-Za-z0-9:._-]+")
_INT = re.compile(r"-?[0-9]+")
_PLAIN = re.compile(r"[A-Za-z0-9:._-]+(?: [A-Za-z0-9:._-]+=[A-Za-z0-9:._-]+)*")  # fields of plain words


class GrammarError(ValueError):
    """A line outside the grammar. `reason` is a word; `number` is the 1-based input line."""

    def __init__(self, reason: str, number: Optional[int] = None):
        super().__init__(reason)
        self.reason = reason
        self.number = number

    def at(self, number: int) -> "GrammarError":
        return GrammarError(self.reason, number)

    def line(self) -> str:
        return f"error line={self.number} reason={self.reason}"


def printable(text: str) -> bool:
    """Every character is printable ASCII (0x20-0x7e): no tab, no carriage return, no UTF-8."""
    return text.isascii() and text.isprintable()


def parse_line(text: str) -> Tuple[str, Dict[str, Value]]:
    """Split a line into its kind and fields (in line order), refusing anything off the grammar."""
    if _PLAIN.fullmatch(text):  # the common case: only duplicates and integer range left to check
        kind, *pairs = text.split(" ")
        fields: Dict[str, Value] = {}
        for pair in pairs:
            key, _, value = pair.partition("=")
            if key in fields:
                raise GrammarError("duplicate-key:" + key)
            fields[key] = _integer(value) if _INT.fullmatch(value) else value
        return kind, fields
    return _parse_slowly(text)


def _integer(value: str) -> int:
    if len(value.lstrip("-").lstrip("0")) > 19:
        raise GrammarError("int-range")
    number = int(value)
    if not I64_MIN <= number <= I64_MAX:
        raise GrammarError("int-range")
    return number


def _parse_slowly(text: str) -> Tuple[str, Dict[str, Value]]:
    """The same parse, field by field, to name the first thing off the grammar."""
    if not printable(text):
        raise GrammarError("bad-byte")
    kind, *pairs = text.split(" ")
    if not _WORD.fullmatch(kind):
        raise GrammarError("bad-kind")
    fields: Dict[str, Value] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise GrammarError("bad-field")
        if not _WORD.fullmatch(key):
            raise GrammarError("bad-key")
        if key in fields:
            raise GrammarError("duplicate-key:" + key)
        if _INT.fullmatch(value):
            fields[key] = _integer(value)
        elif _WORD.fullmatch(value):
            fields[key] = value
        else:
            raise GrammarError("bad-value")
    return kind, fields


def line(kind: str, /, **fields: Value) -> str:
    """The canonical form: keys in byte order. Values are trusted: words were checked on the way
    in (parse_line) or are the core's own constants."""
    return " ".join([kind] + [f"{key}={fields[key]}" for key in sorted(fields)])
