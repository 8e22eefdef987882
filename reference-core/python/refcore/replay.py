"""The replay log's other half: re-apply a trace's events to a fresh core and require that every
line the core writes is the line the log holds. Also the trace comparison and digest."""
from dataclasses import dataclass
from typing import List, Optional, Tuple

from refcore.core import Core, InvariantError
from refcore.grammar import GrammarError, parse_line
from refcore.model import PROFILES, Settings
from refcore.stream import SETTINGS, event, header, setting


@dataclass
class Divergence:
    line: int  # 1-based line number in the trace
    seq: Optional[int]  # the event sequence id (the step) the line belongs to
    expected: Optional[str]
    got: Optional[str]

    def describe(self, left: str = "expected", right: str = "got") -> str:
        step = f"step seq={self.seq}" if self.seq is not None else "the run header"
        return (f"first divergence at {step} (line {self.line})\n"
                f"  {left}: {self.expected if self.expected is not None else '<end of trace>'}\n"
                f"  {right}: {self.got if self.got is not None else '<end of trace>'}")


def seq_of(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    for part in text.split(" ")[1:]:
        if part.startswith("seq="):
            return int(part[4:]) if part[4:].isdigit() else None
    return None


def first_divergence(a: List[str], b: List[str]) -> Optional[Divergence]:
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else None
        right = b[i] if i < len(b) else None
        if left != right:
            seq = seq_of(left) if left is not None else seq_of(right)
            if seq is None:  # a checkpoint or final line: name the last event before it
                seq = next((s for s in (seq_of(x) for x in reversed(a[:i])) if s is not None), None)
            return Divergence(i + 1, seq, left, right)
    return None


def digest(lines: List[str]) -> str:
    """FNV-1a 64 over the trace bytes: trivial to write identically in std-only Rust."""
    h = 0xCBF29CE484222325
    for byte in ("\n".join(lines) + "\n").encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def _start(lines: List[str]) -> Tuple[Core, List[str]]:
    """The core a log's header and settings describe, and those lines as the core writes them."""
    kind, fields = parse_line(lines[0])
    if kind != "run":
        raise GrammarError("expected-run")
    stream = header(fields)
    i = 1
    while i < len(lines) and lines[i].split(" ", 1)[0] in SETTINGS:
        try:
            kind, fields = parse_line(lines[i])
            stream.settings.append((kind, setting(kind, fields)))
        except GrammarError as err:
            raise err.at(i + 1) from None
        i += 1
    settings = Settings(tuple(stream.settings))
    return Core(settings, PROFILES[stream.profile]), [stream.header()] + settings.lines


def replay(lines: List[str]) -> Tuple[Core, Optional[Divergence]]:
    """Rebuild the core from a log, verifying every line; returns the core and the first mismatch."""
    if not lines:
        return Core(), Divergence(1, None, "a `run` header", None)
    try:
        core, produced = _start(lines)
    except GrammarError as err:
        number = err.number or 1
        return Core(), Divergence(number, None, lines[number - 1], f"<{err.reason}>")
    i = 0
    while True:
        for j, text in enumerate(produced):
            if i + j >= len(lines) or lines[i + j] != text:
                return core, Divergence(i + j + 1, seq_of(text), lines[i + j] if i + j < len(lines) else None, text)
        i += len(produced)
        if i >= len(lines):
            return core, None
        try:
            kind, fields = parse_line(lines[i])
            try:
                if kind == "event":
                    core.apply(event(fields, None))
                elif kind == "checkpoint":
                    core.checkpoint()
                elif kind == "final":
                    core.final()
                else:
                    raise GrammarError("unknown-line:" + kind)
            except InvariantError:
                pass  # the invariant line is in core.lines; the log must hold it too
        except (GrammarError, ValueError) as err:
            return core, Divergence(i + 1, seq_of(lines[i]), lines[i], f"<{err}>")
        produced, _ = core.take()
