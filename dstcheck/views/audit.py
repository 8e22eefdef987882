"""`dstcheck audit PATH`: every site in a crate or package that is not yet on the DST path,
grouped by family, with the seam to use instead and the config that brings it in scope."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from typing import List

from dstcheck.config import Config, Scope
from dstcheck.stages.discover import discover, relative
from dstcheck.errors import UsageError
from dstcheck.model import Site

GROUPS = (
    ("Clocks", ("clock",)),
    ("Randomness", ("rng",)),
    ("Threads and blocking", ("thread", "blocking")),
    ("Transport and network", ("net-seam",)),
    ("Hash-ordered collections", ("hash-order",)),
    ("Runtime facade", ("runtime-facade",)),
    ("Select", ("select",)),
    ("Custom rules", ("custom",)),
    ("Files that could not be checked", ("diagnostic",)),
)
ACCEPTED = ("suppressed", "allowlisted", "baselined")


def run(config: Config, path: str) -> dict:
    from dstcheck import pipeline

    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file or directory")
    rel = relative(config.root, path).rstrip("/")
    audit_scope = Scope(name="audit", include=[rel + "/" if os.path.isdir(path) else rel])
    entries = [replace(e, scope=audit_scope) for e in discover(config, [path], honor_exclude=False)]
    if not entries:
        raise UsageError(f"{path}: no Rust or Python files to audit")
    scan = pipeline.scan(config, [path], entries=entries, apply_rule_paths=False)
    rules = config.pack.rules
    groups = []
    for title, families in GROUPS:
        rows = [
            {
                "site": f"{s.path}:{s.line}",
                "item": s.item,
                "rule": s.rule,
                "name": s.name,
                "disposition": s.disposition,
                "reason": s.reason,
                "seam": rules[s.rule].hint,
            }
            for s in scan.sites
            if rules[s.rule].family in families
        ]
        if rows or families[0] not in ("custom", "diagnostic"):
            groups.append({"title": title, "sites": rows, "counts": dict(sorted(Counter(r["disposition"] for r in rows).items()))})
    blocking: List[Site] = [s for s in scan.sites if s.disposition == "violation" and rules[s.rule].family != "hygiene"]
    languages = sorted({e.language for e in entries})
    files_blocking = len({s.path for s in blocking})
    verdict = "ready: 0 blocking sites" if not blocking else f"{len(blocking)} blocking {'site' if len(blocking) == 1 else 'sites'} in {files_blocking} {'file' if files_blocking == 1 else 'files'}"
    return {
        "schema": "dstcheck/audit/v1",
        "path": rel,
        "files": len(entries),
        "lines": sum(r.lines for r in scan.results.values()),
        "languages": languages,
        "groups": groups,
        "blocking": len(blocking),
        "verdict": verdict,
        "config_snippet": config_snippet(config, rel, languages, os.path.isdir(path)),
    }


def config_snippet(config: Config, rel: str, languages: List[str], is_dir: bool) -> str:
    table = "[[scope]]" if (config.file or "").endswith("dstcheck.toml") else "[[tool.dstcheck.scope]]"
    name = os.path.basename(rel) or rel
    if is_dir:
        globs = [f'"{rel}/**/*.{ext}"' for lang, ext in (("python", "py"), ("rust", "rs")) if lang in languages]
    else:
        globs = [f'"{rel}"']
    return f'{table}\nname = "{name}"\ninclude = [{", ".join(globs)}]\n'


def markdown(report: dict) -> str:
    out = [f"# DST audit: {report['path']}", ""]
    langs = ", ".join(report["languages"]) or "no Rust or Python"
    out += [f"Scanned {report['files']} files ({langs}), {report['lines']} lines, with every rule, as if in scope.", ""]
    out += [f"**Verdict: {report['verdict']}**", ""]
    out += ["| Family | Blocking | Accepted | Gated | Test |", "|---|---|---|---|---|"]
    for group in report["groups"]:
        c = group["counts"]
        accepted = sum(c.get(d, 0) for d in ACCEPTED)
        out.append(f"| {group['title']} | {c.get('violation', 0)} | {accepted} | {c.get('gated', 0)} | {c.get('test', 0)} |")
    for group in report["groups"]:
        out += ["", f"## {group['title']}", ""]
        if not group["sites"]:
            out.append("No sites.")
            continue
        out += ["| Site | Item | Rule | Disposition | Use instead |", "|---|---|---|---|---|"]
        for row in group["sites"]:
            disp = row["disposition"] + (f" ({row['reason']})" if row["reason"] else "")
            item = f"`{row['item']}`" if row["item"] else ""
            out.append(f"| `{row['site']}` | {item} | {row['rule']} {row['name']} | {disp.replace('|', '/')} | {row['seam'].replace('|', '/')} |")
    out += ["", "## Bring it in scope", "", "Once the blocking sites are fixed, add this source set to the configuration:", "", "```toml", report["config_snippet"].rstrip("\n"), "```"]
    return "\n".join(out) + "\n"


def as_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
