"""The typed prefilter parses a file whose only typed receiver is reached through a chain it does
not scan: a tokio runtime `Builder`'s `build()` leads to a `Runtime`."""

from __future__ import annotations

from types import SimpleNamespace

from dstcheck.rust import typed, types
from dstcheck.stages.prefilter import words_of


def _rule(methods):
    matcher = SimpleNamespace(kind="typed-method", params={"types": ["tokio::runtime::Runtime"], "methods": methods})
    return SimpleNamespace(id="X9" + "-".join(methods), matchers=[matcher])  # plans are memoised by rule id


def test_a_builder_chain_is_parsed():
    source = b"use tokio::runtime::Builder;\nfn f() { Builder::new_current_thread().enable_all().build().unwrap().block_on(run()); }\n"
    assert types.leading_to(["tokio::runtime::Runtime"]) == {"Builder": "tokio::runtime::Builder"}
    assert typed.may_hold(source, words_of(source), [_rule(["block_on"])])
    assert not typed.may_hold(source, words_of(source), [_rule(["spawn_blocking"])])  # the rule's method is not spelled
