"""Rule packs are data: they load, validate, and their embedded examples behave as documented."""

from __future__ import annotations

import pytest

from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.errors import ConfigError
from dstcheck.rules import load_pack, parse_rule

PACK = load_pack()
EXAMPLES = [
    (rule.id, kind, i, ex)
    for rule in PACK.sorted()
    for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid))
    for i, ex in enumerate(examples)
]
EXTENSION = {"rust": ".rs", "python": ".py"}


def _scan_example(tmp_path, rule_id, code, path=None, files=None):
    rule = PACK.rules[rule_id]
    name = path or ("example" + EXTENSION[rule.language])
    for other, text in {**(files or {}), name: code}.items():
        target = tmp_path / other
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    # An example that ships a dstcheck.toml (DST207: what is out of scope) is checked with it.
    cfg = config_mod.load(explicit=tmp_path / "dstcheck.toml") if "dstcheck.toml" in (files or {}) else config_mod.from_data({}, tmp_path, None)
    # Examples are evaluated as if the file were among the rule's configured files.
    cfg.pack.rules[rule_id].only_in = None
    cfg.pack.rules[rule_id].except_in = []
    return pipeline.scan(cfg, selection=pipeline.Selection(select=[rule_id]))


@pytest.mark.parametrize("rule_id,kind,index,example", EXAMPLES, ids=[f"{r}-{k}{i}" for r, k, i, _ in EXAMPLES])
def test_rule_examples(tmp_path, rule_id, kind, index, example):
    result = _scan_example(tmp_path, rule_id, example.code, example.path, example.files)
    hits = [s for s in result.violations if s.rule == rule_id and s.path == (example.path or s.path)]
    parse_errors = [s for s in result.sites if s.rule == "DST000"]
    assert not parse_errors, f"{rule_id} {kind} example {index} does not parse: {parse_errors}"
    if kind == "invalid":
        assert hits, f"{rule_id} invalid example {index} produced no violation"
    else:
        assert not hits, f"{rule_id} valid example {index} was flagged: {hits}"


def test_every_rule_has_both_kinds_of_example():
    for rule in (r for r in PACK.sorted() if r.matchers):
        assert rule.invalid and rule.valid, f"{rule.id} needs valid and invalid examples"


def test_rule_ids_are_unique_and_named():
    names = [r.name for r in PACK.sorted()]
    assert len(names) == len(set(names))
    for rule in PACK.sorted():
        assert rule.contract and rule.hint and "{path}" in rule.message
    assert sorted(r.id for r in PACK.sorted() if not r.matchers) == ["DST000", "DST001", "DST002", "DST003", "DST004"]


@pytest.mark.parametrize(
    "mutation,key,expected",
    [
        ({"kind": "nope"}, "match[0].kind", "expected one of"),
        ({"kind": "path", "paths": "std::time"}, "match[0].paths", "list of strings"),
        ({"kind": "path", "bogus": []}, "match[0].bogus", "unknown parameter"),
        ({"kind": "macro"}, "match[0].macros", "required parameter"),
        ({"kind": "call", "paths": ["time.time"]}, "match[0].kind", "does not apply to rust"),
    ],
)
def test_bad_matchers_are_named(mutation, key, expected):
    raw = {"id": "DST901", "name": "x", "contract": "c", "message": "{path}", "hint": "h", "match": [mutation]}
    with pytest.raises(ConfigError) as info:
        parse_rule(raw, "rules/x.toml", "rule[0]", "rust")
    assert info.value.file == "rules/x.toml"
    assert key in info.value.key
    assert expected in info.value.expected


def test_rule_without_required_field_is_named():
    with pytest.raises(ConfigError) as info:
        parse_rule({"id": "DST901", "name": "x", "message": "m", "hint": "h", "match": []}, "f.toml", "rule[0]", "rust")
    assert info.value.key.endswith(".contract")


@pytest.mark.parametrize(
    "mutation,key,expected",
    [
        ({"kind": "trait-method", "methods": ["par_iter"]}, "match[0].traits", "required parameter"),
        ({"kind": "trait-method", "traits": ["rayon::iter::ParallelBridge"]}, "match[0].methods", "required parameter"),
        ({"kind": "trait-method", "traits": "rayon::iter::ParallelBridge", "methods": ["par_bridge"]}, "match[0].traits", "list of strings"),
    ],
)
def test_bad_trait_method_matchers_are_named(mutation, key, expected):
    raw = {"id": "DST901", "name": "x", "contract": "c", "message": "{path}", "hint": "h", "match": [mutation]}
    with pytest.raises(ConfigError) as info:
        parse_rule(raw, "rules/x.toml", "rule[0]", "rust")
    assert key in info.value.key
    assert expected in info.value.expected


USER_TRAIT_RULE = (
    '[[rule]]\nid = "DST901"\nname = "par-ext"\nlanguage = "rust"\ncontract = "c"\nmessage = "`{path}` runs on a pool"\nhint = "h"\n'
    '[[rule.match]]\nkind = "trait-method"\ntraits = ["parx::ext::ParExt"]\nmethods = ["par_each"]\n'
)


def test_a_user_rule_flags_another_crates_extension_trait(tmp_path):
    """`trait-method` is data: a project's own rule names another crate's extension trait, and a
    method of that name is reported only where the trait is in scope (by name, by glob, in a
    block), never on a look-alike."""
    (tmp_path / "dstcheck.toml").write_text(USER_TRAIT_RULE)
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nparx = "1"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "lib.rs").write_text(
        "mod named {\n    use parx::ext::ParExt;\n    pub fn a(v: &[u8]) { v.par_each(|_| ()); }\n}\n"
        "mod globbed {\n    use parx::ext::*;\n    pub fn b(v: &[u8]) { v.par_each(|_| ()); }\n}\n"
        "mod in_body {\n    pub fn c(v: &[u8]) {\n        use parx::ext::ParExt;\n        v.par_each(|_| ());\n    }\n}\n"
        "mod other_trait {\n    use parx::ext::Other;\n    pub fn d(v: &[u8]) { v.par_each(|_| ()); }\n}\n"
        "mod lookalike {\n    pub trait ParExt { fn par_each(&self); }\n    pub fn e(v: &dyn ParExt) { v.par_each(); }\n}\n"
        "mod qualified {\n    pub fn f(v: &[u8]) { parx::ext::ParExt::par_each(v, |_| ()); }\n}\n"
    )
    cfg = config_mod.load(explicit=tmp_path / "dstcheck.toml")
    result = pipeline.scan(cfg, selection=pipeline.Selection(select=["DST901"]), options=pipeline.Options(cache=False))
    lines = sorted(s.line for s in result.violations if s.rule == "DST901")
    assert lines == [3, 7, 12, 24], [(s.line, s.message) for s in result.violations]
    assert all("`parx::ext::ParExt::par_each` runs on a pool" == s.message for s in result.violations)
