"""Replacements and built-in fixes are rule data: validated with file, key and expectation, and
shown by `dstcheck explain`."""

from __future__ import annotations

import pytest

from dstcheck.errors import ConfigError
from dstcheck.rules import load_pack, parse_rule
from test_fix import PROJECT

PACK = load_pack()


def test_the_built_in_fixes_are_data():
    assert PACK.rules["DST103"].fix.kind == "insert-first"
    assert PACK.rules["DST103"].replacements["futures::select"].replacement == "futures::select_biased"
    assert PACK.rules["DST103"].replacements["futures::select"].safety == "unsafe"
    assert PACK.rules["DST105"].fix.params == PACK.rules["DST108"].fix.params
    assert PACK.rules["DST105"].fix.params["methods"]["remove"] == "shift_remove"
    assert PACK.rules["DST203"].fix.params == {"function": "sorted"}
    # every built-in fix changes behaviour: none is applied by --fix alone
    assert {r.fix.safety for r in PACK.rules.values() if r.fix} == {"unsafe"}
    assert {x.safety for r in PACK.rules.values() for x in r.replacements.values()} == {"unsafe"}
    # the matchers still see plain strings
    assert PACK.rules["DST103"].matchers[1].params["macros"] == ["futures::select"]


def test_explain_shows_configured_replacements_and_the_fixes(run_cli):
    code, out, _ = run_cli(["explain", "DST101"], PROJECT)
    assert code == 0
    assert "  std::time::Instant::now  (and every path below it)  -> crate::sim::time::now\n" in out
    assert "  automatic, safe (--fix): `std::time::Instant::now` becomes `crate::sim::time::now`, with the import it needs\n" in out
    code, out, _ = run_cli(["explain", "DST201"], PROJECT)
    assert "  time.time()  -> acme.clock.now\n" in out
    code, out, _ = run_cli(["explain", "DST103"], PROJECT)
    assert "  futures::select!  -> futures::select_biased\n" in out
    assert "  automatic, unsafe (--unsafe-fixes): inserts `biased;` as the macro's first token\n" in out


@pytest.mark.parametrize(
    "config,key,expected",
    [
        ('[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "now" }]\n', "rules.DST101.extend-paths[0].replacement", "expected a path like crate::sim::time::now"),
        ('[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replace = "crate::now" }]\n', "rules.DST101.extend-paths[0].replace", "unknown key; expected one of path, replacement, safety"),
        ('[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::now", safety = "maybe" }]\n', "rules.DST101.extend-paths[0].safety", "expected one of safe, unsafe"),
        ('[rules.DST101]\nextend-paths = [{ replacement = "crate::now" }]\n', "rules.DST101.extend-paths[0].path", "expected a non-empty string"),
        ('[rules.DST201]\nextend-paths = [{ path = "time.time", replacement = "acme::clock::now" }]\n', "rules.DST201.extend-paths[0].replacement", "expected a dotted path like acmepy.clock.now"),
        ('[rules.DST101]\nextend-paths = [3]\n', "rules.DST101.extend-paths[0]", "expected a string or a table with path and replacement"),
    ],
)
def test_a_bad_replacement_names_file_key_and_expectation(tmp_path, run_cli, config, key, expected):
    (tmp_path / "dstcheck.toml").write_text(config)
    (tmp_path / "lib.rs").write_text("fn f() { let _ = std::time::Instant::now(); }\n")
    code, out, err = run_cli(["check", "--fix"], tmp_path)
    assert code == 2, out + err
    assert f"dstcheck.toml: {key}: {expected}" in err
    assert (tmp_path / "lib.rs").read_text() == "fn f() { let _ = std::time::Instant::now(); }\n"


def _rule(**extra):
    raw = {"id": "DST901", "name": "x", "contract": "c", "message": "{path}", "hint": "h", "match": [{"kind": "path", "paths": ["std::process::id"]}]}
    raw.update(extra)
    return raw


@pytest.mark.parametrize(
    "fix,key,expected",
    [
        ({"kind": "nope", "safety": "safe"}, "fix.kind", "expected one of insert-first, retype, wrap"),
        ({"kind": "wrap", "safety": "safe", "function": "sorted"}, "fix.kind", "does not apply to rust"),
        ({"kind": "retype", "types": {}, "crate": "indexmap"}, "fix.safety", "expected one of safe, unsafe"),
        ({"kind": "retype", "safety": "unsafe", "crate": "indexmap"}, "fix.types", "required parameter is missing"),
        ({"kind": "retype", "safety": "unsafe", "crate": "indexmap", "types": {"a::B": "other::B"}}, "fix.types.a::B", "expected a path into crate 'indexmap'"),
        ({"kind": "insert-first", "safety": "unsafe"}, "fix.kind", "needs a macro matcher with unless-first"),
        ({"kind": "retype", "safety": "unsafe", "crate": "indexmap", "types": {}, "bogus": 1}, "fix.bogus", "unknown parameter"),
    ],
)
def test_a_bad_rule_fix_names_its_key(fix, key, expected):
    with pytest.raises(ConfigError) as info:
        parse_rule(_rule(fix=fix), "rules/x.toml", "rule[0]", "rust")
    assert info.value.file == "rules/x.toml"
    assert info.value.key.endswith(key)
    assert expected in info.value.expected


def test_a_user_rule_takes_the_same_shape():
    rule = parse_rule(_rule(match=[{"kind": "path", "paths": [{"path": "std::process::id", "replacement": "crate::sim::process_id"}]}]), "dstcheck.toml", "rule[0]", "rust")
    assert rule.matchers[0].params["paths"] == ["std::process::id"]
    assert rule.replacements["std::process::id"].replacement == "crate::sim::process_id"
    assert rule.replacements["std::process::id"].safety == "safe"


def test_a_replaced_list_drops_the_replacements_it_does_not_carry(tmp_path, run_cli):
    (tmp_path / "dstcheck.toml").write_text('[rules.DST103]\nmacros = ["tokio::select", "futures::select"]\n')
    code, out, _ = run_cli(["explain", "DST103"], tmp_path)
    assert code == 0
    assert "  futures::select!\n" in out and "select_biased" not in out.split("Fix")[0]
    (tmp_path / "dstcheck.toml").write_text('[rules.DST101]\nextend-paths = [{ path = "std::time::Instant::now", replacement = "crate::now" }]\n')
    code, out, _ = run_cli(["explain", "DST101"], tmp_path)
    assert out.count("  std::time::Instant::now  (") == 1  # extending with a listed path only adds its replacement
