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
    """Parse a predicate such as `all(test, not(feature = "x"))`. Iterative: a predicate nested
    500 deep is as fine as a flat one (a file must never end a run with a RecursionError)."""
    tokens = _tokenize(text)
    count = len(tokens)
    stack: list = []  # operators still open: (name, their arguments so far)
    pos = 0
    while True:
        if pos >= count or tokens[pos][0] != "ident":
            raise CfgSyntaxError("expected a cfg name")
        name = tokens[pos][1]
        pos += 1
        if pos < count and tokens[pos] == ("p", "("):
            if name not in ("all", "any", "not"):
                raise CfgSyntaxError(f"unknown cfg operator {name!r}")
            stack.append((name, []))
            pos += 1
            if not (pos < count and tokens[pos] == ("p", ")")):
                continue  # read its first argument
            done = None  # an empty argument list
        elif pos < count and tokens[pos] == ("p", "="):
            if pos + 1 >= count or tokens[pos + 1][0] != "str":
                raise CfgSyntaxError(f"expected a string after '{name} ='")
            done, pos = ("kv", name, tokens[pos + 1][1]), pos + 2
        else:
            done = ("atom", name)
        while True:  # hand the finished predicate to the innermost open operator; close at ')'
            if not stack:
                if pos != count:
                    raise CfgSyntaxError(f"trailing tokens in cfg predicate {text!r}")
                return done
            operator, args = stack[-1]
            if done is not None:
                args.append(done)
            if pos < count and tokens[pos] == ("p", ","):
                pos += 1
            if pos >= count:
                raise CfgSyntaxError("unclosed '(' in cfg predicate")
            if tokens[pos] != ("p", ")"):
                break  # read the next argument
            pos += 1
            stack.pop()
            if operator == "not":
                if len(args) != 1:
                    raise CfgSyntaxError("not() takes exactly one predicate")
                done = ("not", args[0])
            else:
                done = (operator, tuple(args))


def _children(pred: Pred) -> tuple:
    kind = pred[0]
    if kind == "not":
        return (pred[1],)
    return pred[1] if kind in ("all", "any") else ()


def _fold(pred: Pred, leaf, combine):
    """Post-order over the predicate tree with an explicit stack: `leaf(pred)` for atoms and
    key/value pairs, `combine(pred, child_values)` for all/any/not."""
    values: dict = {}
    stack = [(pred, False)]
    while stack:
        node, expanded = stack.pop()
        children = _children(node)
        if not children and node[0] not in ("all", "any"):
            values[id(node)] = leaf(node)
        elif expanded:
            values[id(node)] = combine(node, [values[id(c)] for c in children])
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children))
    return values[id(pred)]


def render(pred: Pred) -> str:
    """Canonical spelling, so `not( madsim )` and `not(madsim)` report the same. One pass over
    the tree with an explicit stack, joined once (linear in the predicate's size)."""
    out = []
    stack: list = [pred]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "atom":
            out.append(item[1])
        elif item[0] == "kv":
            out.append(f'{item[1]} = "{item[2]}"')
        else:
            out.append(item[0] + "(")
            parts: list = []
            for child in _children(item):
                parts += [", ", child] if parts else [child]
            stack.append(")")
            stack.extend(reversed(parts))
    return "".join(out)


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
    def leaf(node):
        if node[0] == "atom":
            name = node[1]
            if name in profile.on:
                return True
            if name in profile.off:
                return False
            return profile.other_cfg
        key, value = node[1], node[2]
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

    def combine(node, results):
        if node[0] == "not":
            return None if results[0] is None else not results[0]
        if node[0] == "all":
            if any(r is False for r in results):
                return False
            return True if all(r is True for r in results) else None
        if any(r is True for r in results):
            return True
        return False if all(r is False for r in results) else None

    return _fold(pred, leaf, combine)


Classification = Union[str, None]


def classify(pred: Pred, profile: Profile) -> Classification:
    """'gated' when the DST build compiles it out, 'test' when only a test build has it, else None."""
    if evaluate(pred, profile) is not False:
        return None
    if evaluate(pred, profile.with_test()) is not False:
        return "test"
    return "gated"


def conjunction(preds) -> Optional[Pred]:
    """`all(..)` of `preds`: None (always holds) when there are none."""
    preds = tuple(preds)
    return ("all", preds) if preds else None


def _without_double_negation(pred: Pred) -> Pred:
    while pred[0] == "not" and pred[1][0] == "not":
        pred = pred[1][1]
    return pred


def deciding(pred: Pred, profile: Profile) -> Pred:
    """The part of `pred` that decides its classification, for a reason a reader recognises: of
    `all(not(a), b)` (a cfg_if branch after `if #[cfg(a)]`, a `cfg_attr` path after another) the
    first conjunct classified as the whole is, `not(not(p))` read as `p`; else `pred` itself."""
    verdict = classify(pred, profile)
    conjuncts = []
    stack = [pred]
    while stack:  # flatten nested all(..), in order
        node = stack.pop()
        if node[0] == "all":
            stack.extend(reversed(node[1]))
        else:
            conjuncts.append(node)
    if verdict is not None:
        for conjunct in conjuncts:
            if classify(conjunct, profile) == verdict:
                return _without_double_negation(conjunct)
    if len(conjuncts) == 1:
        return _without_double_negation(conjuncts[0])
    return pred


def reason(pred: Pred, profile: Profile) -> Tuple[Classification, str]:
    """How code compiled under `pred` is classified, and the reason to show: ('gated', 'not(madsim)'),
    ('test', 'cfg(test)'), or (None, '') when the DST build may compile it."""
    verdict = classify(pred, profile)
    if verdict is None:
        return None, ""
    rendered = render(deciding(pred, profile))
    return verdict, (rendered if verdict == "gated" else f"cfg({rendered})")
