"""Match stage: run each rule's matchers over a file's Facts. Language-neutral."""

from __future__ import annotations

from typing import Iterable, List, Tuple

from dstcheck.matchers import KINDS
from dstcheck.model import Fact
from dstcheck.rules import Rule


def match(facts: Iterable[Fact], rules: List[Rule]) -> List[Tuple[Rule, str, Fact]]:
    """(rule, matched path, fact) for every rule a fact violates; one hit per rule and span."""
    out = []
    seen = set()
    for fact in facts:
        for rule in rules:
            for matcher in rule.matchers:
                path = KINDS[matcher.kind].match(matcher.params, fact)
                if path is not None:
                    key = (rule.id, fact.start, fact.end)
                    if key not in seen:
                        seen.add(key)
                        out.append((rule, path, fact))
                    break
    return out
