"""Prefilter stage: drop files that cannot hold a site before parsing them.

A reference to a banned path can only resolve when every segment of the path (in one of its
spellings, counting public re-exports) is written somewhere in the file: resolution only
replaces a prefix with the target of a `use` or `import`, whose text is in the same file. So a
file that lacks a segment of every spelling of every banned path cannot hold a site. Markers
(for hygiene) and `#[path]` attributes (for the module tree) keep a file too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Tuple

from dstcheck.matchers import path_lists
from dstcheck.model import record

def _split(path: str, language: str) -> List[str]:
    return [p for p in (path.split("::") if language == "rust" else path.split(".")) if p]


def _sep(language: str) -> str:
    return "::" if language == "rust" else "."


@record(frozen=True)
class Plan:
    """What the byte-level stages need to know about one set of rules."""

    language: str
    spellings: Tuple[FrozenSet[bytes], ...]  # a site needs every word of at least one spelling
    anchors: Tuple[str, ...]  # Rust: tokens a reference to a banned path must contain
    banned: Tuple[str, ...]  # every banned path, in every spelling
    sets: bool  # a set-iteration rule is active (Python)
    identity: bool = False  # an identity-order rule is active (Python)
    methods: Tuple[bytes, ...] = ()  # Python: method names a rule flags on any receiver

    def __init__(self, language, spellings, anchors, banned, sets, identity=False, methods=()):
        d = self.__dict__  # frozen: fields are set once, here
        d['language'] = language
        d['spellings'] = spellings
        d['anchors'] = anchors
        d['banned'] = banned
        d['sets'] = sets
        d['identity'] = identity
        d['methods'] = methods

    def may_hold_site(self, source: bytes, marker: bytes, vocabulary: Optional[FrozenSet[bytes]] = None) -> bool:
        if marker in source:
            return True
        if self.language == "rust" and b"#[path" in source:
            return True
        words = vocabulary if vocabulary is not None else words_of(source)
        if self.language == "python":
            from dstcheck.python.prefilter import may_hold_site

            return may_hold_site(self, source, words)
        return any(spelling <= words for spelling in self.spellings)


IDENT_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_SEPARATE = bytes(c if c in IDENT_BYTES else 32 for c in range(256))


_LAST: list = [None, frozenset()]  # the file most recently asked about, and its words


def words_of(source: bytes) -> FrozenSet[bytes]:
    """Every identifier-like word in a file, comments and strings included (one C-speed pass:
    non-identifier bytes become spaces, then split). The prefilter, the candidate search and the
    typed analysis ask about the same file in turn: the last answer is kept."""
    if _LAST[0] is not source:
        _LAST[0], _LAST[1] = source, frozenset(source.translate(_SEPARATE).split())
    return _LAST[1]


def word_positions(source: bytes, word: bytes):
    """Start offsets where `word` occurs as a whole identifier (bytes.find beats a regex here)."""
    size, end = len(word), len(source)
    i = source.find(word)
    while i != -1:
        before = source[i - 1] if i else 32
        after = source[i + size] if i + size < end else 32
        if before not in IDENT_BYTES and after not in IDENT_BYTES:
            yield i
        i = source.find(word, i + 1)


def has_word(source: bytes, word: bytes) -> bool:
    return next(word_positions(source, word), None) is not None


def anchor(segments: List[str]) -> str:
    """The token a reference must contain: the last segment, or for an associated function
    of a type (`Instant::now`, which cannot be imported on its own) the type's name."""
    if len(segments) >= 2 and segments[-1][:1].islower() and segments[-2][:1].isupper():
        return segments[-2]
    return segments[-1]


TYPED_KINDS = ("hash-iteration", "typed-method")


def make_plan(language: str, rule_params: Tuple[Tuple[str, Tuple[Tuple[str, Tuple[str, ...]], ...]], ...], reexports: Tuple[Tuple[str, str], ...]) -> Plan:
    return _make_plan(language, rule_params, reexports)


@lru_cache(maxsize=128)
def _make_plan(language, rule_params, reexports) -> Plan:
    sep = _sep(language)
    spellings, anchors, banned, sets, identity, methods = [], set(), [], False, False, set()
    for kind, params in rule_params:
        params = dict(params)
        if kind in TYPED_KINDS:
            continue  # sites that need a receiver's type: `dstcheck.rust.typed.may_hold` decides
        if kind == "set-iteration":
            sets = True
        if kind == "identity-order":
            identity = True
        if language == "python":
            methods.update(m.encode() for m in params.get("methods", ()))
        paths = list(path_lists(params))
        for path in paths:
            variants = [path] + [src + path[len(dst):] for src, dst in reexports if path == dst or path.startswith(dst + sep)]
            for variant in variants:
                segs = _split(variant, language)
                banned.append(variant)
                spellings.append(frozenset(s.encode() for s in segs))
                anchors.add(anchor(segs))
        if language == "python":
            for method in params.get("methods", ()):  # `<any>.run_in_executor(..)`: the name alone can be a site
                spellings.append(frozenset([method.encode()]))
    return Plan(
        language, tuple(sorted(set(spellings), key=sorted)), tuple(sorted(anchors)), tuple(sorted(set(banned))), sets, identity, tuple(sorted(methods))
    )


def plan_for(rules, reexports: Dict[str, str], language: str) -> Plan:
    params = tuple(
        (m.kind, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in m.params.items())))
        for r in rules
        for m in r.matchers
    )
    return make_plan(language, params, tuple(sorted(reexports.items())))
