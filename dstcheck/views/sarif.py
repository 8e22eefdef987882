"""Render stage: SARIF 2.1.0 for code-scanning uploads (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
from typing import List, Optional

from dstcheck import __version__
from dstcheck.views.baseline import fingerprints
from dstcheck.model import Site
from dstcheck.rules import RulePack

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SUPPRESSION_KIND = {"suppressed": "inSource", "allowlisted": "external", "baselined": "external"}


def _rule(rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": f"{rule.id} {rule.name} ({rule.family})"},
        "fullDescription": {"text": rule.contract},
        "help": {"text": rule.hint, "markdown": rule.hint},
        "defaultConfiguration": {"level": "error"},
        "properties": {"family": rule.family, "language": rule.language, "tags": ["determinism", rule.family]},
    }


def _flow(path: str, line: int, column: int, what: str) -> dict:
    """A step of a reach chain as a SARIF threadFlowLocation."""
    return {"location": {"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": line, "startColumn": column}}, "message": {"text": what}}}


def sarif_report(sites: List[Site], pack: RulePack, notes: Optional[List[str]] = None) -> str:
    """One run; results for the sites shown. Accepted sites carry SARIF suppressions; notes
    (stale baseline entries, files not opened) are tool execution notifications."""
    rules = pack.sorted()
    index = {r.id: i for i, r in enumerate(rules)}
    prints = fingerprints(sites)
    results = []
    for site in sites:
        region = {"startLine": site.line, "startColumn": site.column, "endLine": site.end_line, "endColumn": max(site.end_column, site.column)}
        if site.snippet:
            region["snippet"] = {"text": site.snippet}
        result = {
            "ruleId": site.rule,
            "ruleIndex": index[site.rule],
            "level": "error" if site.disposition in ("violation", "baselined", "suppressed", "allowlisted") else "note",
            "message": {"text": site.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": site.path, "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"dstcheck/v1": prints[site]},
            "properties": {"disposition": site.disposition},
        }
        if site.item:
            result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": site.item}]
        if site.chain:
            result["codeFlows"] = [{"threadFlows": [{"locations": [_flow(site.path, site.line, site.column, site.message)] + [_flow(p, l, c, w) for p, l, c, _i, w in site.chain]}]}]
        if site.reason:
            result["properties"]["reason"] = site.reason
        if site.disposition in SUPPRESSION_KIND:
            result["suppressions"] = [{"kind": SUPPRESSION_KIND[site.disposition], "justification": site.reason or site.disposition}]
        results.append(result)
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dstcheck",
                        "version": __version__,
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    if notes:
        doc["runs"][0]["invocations"] = [
            {"executionSuccessful": True, "toolExecutionNotifications": [{"level": "warning", "message": {"text": n}} for n in notes]}
        ]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
