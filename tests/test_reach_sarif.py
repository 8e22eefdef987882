"""Reach sites (DST109, DST207) in SARIF: each result carries its chain as a codeFlow, and the
document validates against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from fixture_harness import FIXTURES

ROOT = FIXTURES.parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("rule,directory", [("DST109", "rust/reach"), ("DST207", "python/reach")])
def test_reach_chains_are_schema_valid_code_flows(run_cli, rule, directory):
    code, out, err = run_cli(["check", "--format", "sarif", "--show-all", "--no-cache", "--select", rule, directory], FIXTURES)
    assert code == 1, err
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    results = [r for r in doc["runs"][0]["results"] if r["ruleId"] == rule]
    assert len(results) >= 5
    for result in results:
        flows = result["codeFlows"]
        assert len(flows) == 1 and len(flows[0]["threadFlows"]) == 1
        steps = flows[0]["threadFlows"][0]["locations"]
        start = result["locations"][0]["physicalLocation"]
        first = steps[0]["location"]["physicalLocation"]
        assert first["artifactLocation"] == start["artifactLocation"]
        assert first["region"]["startLine"] == start["region"]["startLine"]
        assert steps[0]["location"]["message"]["text"] == result["message"]["text"]
        assert len(steps) >= 3  # the call, the callee's definition, the site
        assert steps[1]["location"]["message"]["text"].startswith("calls ")
        assert not steps[-1]["location"]["message"]["text"].startswith("calls ")
        for step in steps:
            location = step["location"]["physicalLocation"]
            assert (FIXTURES / location["artifactLocation"]["uri"]).is_file()
            assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1


def test_a_broken_code_flow_fails_the_schema(run_cli):
    """The schema check can fail: a thread flow without locations is not SARIF."""
    code, out, _ = run_cli(["check", "--format", "sarif", "--no-cache", "--select", "DST207", "python/reach"], FIXTURES)
    doc = json.loads(out)
    result = next(r for r in doc["runs"][0]["results"] if "codeFlows" in r)
    result["codeFlows"][0]["threadFlows"][0]["locations"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
