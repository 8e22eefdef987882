"""cfg predicates: parse `#[cfg(..)]` token text and evaluate it with three-valued logic.

A predicate that is definitely false under the DST profile means the code it gates is not
compiled into the DST build. Unknown (an atom the profile says nothing about) counts as
compiled in, so a gate can only hide code when the profile proves it away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Tuple, Union

_TOKEN = re.compile(r'\s*(?:([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*")|([(),=]))')

# Pred is a small tree: ("all", (..)), ("any", (..)), ("not", p), ("atom", name), ("kv", key, value)
Pred = Tuple


class CfgSyntaxError(ValueError):
    pass


def _tokenize(text: str) -> list:
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise CfgSyntaxError(f"unexpected {text[pos:pos + 10]!r} in cfg predicate")
        pos = m.end()
        ident, string, punct = m.groups()
        if ident is not None:
            tokens.append(("ident", ident))
        elif string is not None:
            tokens.append(("str", string[1:-1]))
        else:
            tokens.append(("p", punct))
    return tokens


def parse(text: str) -> Pred:
    """Parse a predicate such as `all(test, not(feature = "x"))`."""
    tokens = _tokenize(text)
    pred, pos = _parse_at(tokens, 0)
    if pos != len(tokens):
        raise CfgSyntaxError(f"trailing tokens in cfg predicate {text!r}")
    return pred


def _parse_at(tokens: list, pos: int):
    if pos >= len(tokens) or tokens[pos][0] != "ident":
        raise CfgSyntaxError("expected a cfg name")
    name = tokens[pos][1]
    pos += 1
    if pos < len(tokens) and tokens[pos] == ("p", "("):
        if name not in ("all", "any", "not"):
            raise CfgSyntaxError(f"unknown cfg operator {name!r}")
        pos += 1
        args = []
        while pos < len(tokens) and tokens[pos] != ("p", ")"):
            arg, pos = _parse_at(tokens, pos)
            args.append(arg)
            if pos < len(tokens) and tokens[pos] == ("p", ","):
                pos += 1
        if pos >= len(tokens):
            raise CfgSyntaxError("unclosed '(' in cfg predicate")
        pos += 1
        if name == "not":
            if len(args) != 1:
                raise CfgSyntaxError("not() takes exactly one predicate")
            return ("not", args[0]), pos
        return (name, tuple(args)), pos
    if pos < len(tokens) and tokens[pos] == ("p", "="):
        if pos + 1 >= len(tokens) or tokens[pos + 1][0] != "str":
            raise CfgSyntaxError(f"expected a string after '{name} ='")
        return ("kv", name, tokens[pos + 1][1]), pos + 2
    return ("atom", name), pos


def render(pred: Pred) -> str:
    """Canonical spelling, so `not( madsim )` and `not(madsim)` report the same."""
    kind = pred[0]
    if kind == "atom":
        return pred[1]
    if kind == "kv":
        return f'{pred[1]} = "{pred[2]}"'
    if kind == "not":
        return f"not({render(pred[1])})"
    return f"{kind}({', '.join(render(p) for p in pred[1])})"


Tri = Optional[bool]  # True, False, or None for unknown


@dataclass(frozen=True)
class Profile:
    """Which cfg atoms and features are on or off in the DST build."""

    on: frozenset = frozenset({"madsim"})
    off: frozenset = frozenset({"test"})
    features_on: frozenset = frozenset({"simulation"})
    features_off: frozenset = frozenset()
    other_cfg: Tri = None
    other_features: Tri = None
    values: Tuple = field(default_factory=tuple)  # (("target_os", "linux"), ..) known key/value cfgs

    def with_test(self) -> "Profile":
        return Profile(
            on=self.on | {"test"},
            off=self.off - {"test"},
            features_on=self.features_on,
            features_off=self.features_off,
            other_cfg=self.other_cfg,
            other_features=self.other_features,
            values=self.values,
        )


def evaluate(pred: Pred, profile: Profile) -> Tri:
    kind = pred[0]
    if kind == "atom":
        name = pred[1]
        if name in profile.on:
            return True
        if name in profile.off:
            return False
        return profile.other_cfg
    if kind == "kv":
        key, value = pred[1], pred[2]
        if key == "feature":
            if value in profile.features_on:
                return True
            if value in profile.features_off:
                return False
            return profile.other_features
        known = [v for k, v in profile.values if k == key]
        if known:
            return value in known
        return profile.other_cfg
    if kind == "not":
        inner = evaluate(pred[1], profile)
        return None if inner is None else not inner
    results = [evaluate(p, profile) for p in pred[1]]
    if kind == "all":
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


Classification = Union[str, None]


def classify(pred: Pred, profile: Profile) -> Classification:
    """'gated' when the DST build compiles it out, 'test' when only a test build has it, else None."""
    if evaluate(pred, profile) is not False:
        return None
    if evaluate(pred, profile.with_test()) is not False:
        return "test"
    return "gated"
