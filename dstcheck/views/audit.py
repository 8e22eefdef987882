"""`dstcheck audit PATH`: every site in a crate or package that is not yet on the DST path, as
`check` would report it once PATH is in scope: grouped by family, with the seam to use instead,
a verdict, and the source set that brings PATH in scope.

What PATH is decides how its files are classified, wherever it lives: test paths, the language
excludes (`python/`, `ffi/`) and the parts off the DST path (binaries, examples, benches) are
matched against paths relative to PATH, never the repository, so a crate kept under `tests/`
gets the same verdict as one under `crates/`. Files the proposed source set leaves out (off the
path, or excluded by the configuration) are listed but never block. Where the project's test
paths would classify PATH's files otherwise (PATH under `tests/`), the proposed source set
carries its own `test-paths`, so that pasting it gives `check` the verdict the audit printed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from dstcheck import globs
from dstcheck.config import Config, Scope
from dstcheck.errors import UsageError
from dstcheck.stages.discover import Discovered, discover, relative
from dstcheck.views.inventory import family_order, family_title, plural

OFF_PATH = ("bin/**", "src/bin/**", "examples/**", "benches/**")  # relative to the audited path
ACCEPTED = ("suppressed", "allowlisted", "baselined")
OFF, EXCLUDED = "off-path", "excluded"


def _entries(config: Config, path: str, base: str, scope: Scope, off_path: Sequence[str]) -> Tuple[Discovered, Dict[str, Tuple[str, str, str]], List[str]]:
    """The files under PATH, classified relative to it: (entries, {path: (group, pattern, why)})
    for the files the proposed source set would not bring in (group OFF or EXCLUDED), and the
    project's test paths that would classify a file it brings in otherwise than PATH's own do.

    When there are such patterns (a crate under `tests/`: every file matches the project's
    `tests/`), `scope` gets `test_paths`, the language test paths relative to PATH, and the
    files it brings in are classified by them, as `check` does once the source set is pasted."""
    found = discover(config, [path], honor_exclude=False)
    left_out: Dict[str, Tuple[str, str, str]] = {}
    own_test: Dict[str, bool] = {}
    for entry in found:
        own = entry.path[len(base):]
        settings = config.languages[entry.language]
        off = globs.first(own, off_path)
        excluded = globs.first(own, settings.exclude)
        if off is not None:
            left_out[entry.path] = (OFF, off, f"`{off}`")
        elif excluded is not None:
            left_out[entry.path] = (EXCLUDED, excluded, f"`{entry.language}.exclude` `{excluded}`")
        own_test[entry.path] = globs.matches(own, settings.test_paths)
    brought = [e for e in found if e.path not in left_out]
    misread = sorted({p for e in brought for p in config.languages[e.language].test_paths
                      if globs.matches(e.path, [p]) != globs.matches(e.path[len(base):], [p])})
    if misread:
        scope.test_paths = scope_test_paths(config, base, sorted({e.language for e in brought}))
    entries = []
    for entry in found:
        test = own_test[entry.path] if entry.path in left_out or not misread else globs.matches(entry.path, scope.test_paths)
        entries.append(replace(entry, scope=None if entry.path in left_out else scope, test="test path" if test else None))
    return Discovered(entries, found.skipped, found.problems), left_out, misread


EXTENSION = {"rust": ".rs", "python": ".py"}


def _below(base: str, pattern: str) -> str:
    """A test-path glob meant relative to the directory `base`, as a project glob: a pattern
    without a `/` (any depth) gets `base**/`, an anchored one gets `base`."""
    body = pattern[2:] if pattern.startswith("./") else pattern.lstrip("/")
    if not base:
        return body
    return base + body if "/" in body.rstrip("/") else f"{base}**/{body}"


def scope_test_paths(config: Config, base: str, languages: Sequence[str]) -> List[str]:
    """The test paths of `languages`, relative to `base`, as one list for a source set (whose
    `test-paths` apply to its files of every language): a directory pattern only one of the
    languages has (Rust's `benches/`) is kept to that language's files."""
    out: List[str] = []
    for lang in languages:
        for pattern in config.languages[lang].test_paths:
            glob = _below(base, pattern)
            shared = all(pattern in config.languages[other].test_paths for other in languages)
            if glob.endswith("/") and not shared:
                glob += "**/*" + EXTENSION[lang]
            if glob not in out:
                out.append(glob)
    return out


def run(config: Config, path: str, off_path: Optional[Sequence[str]] = None, options=None) -> dict:
    """`options`: how the scans run (pipeline.Options; `--no-cache`), never what they find."""
    from dstcheck import pipeline

    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file or directory")
    is_dir = os.path.isdir(path)
    rel = relative(config.root, path).rstrip("/")
    rel = "" if rel == "." else rel
    base = (rel + "/" if rel else "") if is_dir else rel[: rel.rfind("/") + 1]
    off_path = list(OFF_PATH if off_path is None else off_path)
    scope = Scope(name="audit", include=[base if is_dir else rel])
    entries, left_out, misread = _entries(config, path, base, scope, off_path)
    if not entries:
        raise UsageError(f"{path}: no Rust or Python files to audit")
    reached = _reached(config, base if is_dir else rel, is_dir, options)
    scan = pipeline.scan(config, [path], entries=entries, include_scoped_out=True, options=options)
    rules = config.pack.rules
    audited = [e for e in entries if e.path not in left_out]
    ran = {rules[r].family for e in audited for r in scan.rules_run.get(e.path, ())}
    rows: Dict[str, List[dict]] = {}
    aside: Dict[str, List[dict]] = {OFF: [], EXCLUDED: []}
    for s in scan.sites:
        family = rules[s.rule].family
        if family == "hygiene":
            continue  # marker and allowlist hygiene is the gate's business, not the crate's
        row = {"site": f"{s.path}:{s.line}", "item": s.item, "rule": s.rule, "name": s.name, "family": family}
        if s.path in left_out:
            group, _, why = left_out[s.path]
            aside[group].append(dict(row, why=why))
        else:
            rows.setdefault(family, []).append(dict(row, disposition=s.disposition, reason=s.reason, seam=rules[s.rule].hint))
    groups = []
    for family in family_order(set(rows) | ran | {r["family"] for side in aside.values() for r in side}):
        counts = Counter(r["disposition"] for r in rows.get(family, ()))
        counts.update({group: sum(1 for r in side if r["family"] == family) for group, side in aside.items()})
        groups.append({"family": family, "title": family_title(family), "sites": rows.get(family, []), "counts": {k: v for k, v in sorted(counts.items()) if v}})
    blocking = [r for family_rows in rows.values() for r in family_rows if r["disposition"] == "violation"]
    files_blocking = len({r["site"].rsplit(":", 1)[0] for r in blocking})
    verdict = "ready: 0 blocking sites" if not blocking else f"{len(blocking)} blocking {plural(len(blocking), 'site')} in {files_blocking} {plural(files_blocking, 'file')}"
    used_off = [p for p in off_path if any(g == OFF and pattern == p for g, pattern, _ in left_out.values())]
    languages = sorted({e.language for e in audited}) or sorted({e.language for e in entries})
    config_file = "pyproject.toml" if (config.file or "").startswith("pyproject.toml") else config.file or "dstcheck.toml"
    return {
        "schema": "dstcheck/audit/v2",
        "path": rel or ".",
        "files": len(entries),
        "lines": sum(r.lines for r in scan.results.values()),
        "languages": sorted({e.language for e in entries}),
        "groups": groups,
        "off_path": {"patterns": off_path, "files": sum(1 for g, _, _ in left_out.values() if g == OFF), "sites": aside[OFF]},
        "excluded": {"files": sum(1 for g, _, _ in left_out.values() if g == EXCLUDED), "sites": aside[EXCLUDED]},
        "reached": reached,
        "blocking": len(blocking),
        "verdict": verdict,
        "config_file": config_file if config.file else f"{config_file} (new)",
        "config_snippet": config_snippet(config_file, rel, base, languages, is_dir, used_off, scope.test_paths, misread),
        "test_paths_replaced": misread,
        "excluded_by_config": sorted({p for e in entries for p in config.exclude if globs.matches(e.path, [p])}),
        "language_excludes": _language_excludes(config, audited),
    }


def _language_excludes(config: Config, audited) -> List[dict]:
    """The language excludes of the project that match files the proposed source set brings in
    (PATH under `ffi/`): matched against the project's paths, they keep those files out of every
    source set, whatever the audit (which matches them relative to PATH) found."""
    covered: Dict[str, set] = {}
    for entry in audited:
        for pattern in config.languages[entry.language].exclude:
            if globs.matches(entry.path, [pattern]):
                covered.setdefault(entry.language, set()).add(pattern)
    return [{"language": lang, "patterns": sorted(covered[lang])} for lang in sorted(covered)]


def _reached(config: Config, prefix: str, is_dir: bool, options=None) -> List[dict]:
    """The audited path's sites that in-scope code calls into today: where a DST109 / DST207
    violation of the configured scope ends (the run is `check`'s, so it shares its cache). They
    are on the DST path already, whatever the verdict says of the rest."""
    from dstcheck import pipeline

    rows = []
    for s in pipeline.scan(config, options=options).sites:
        if not s.chain or s.disposition != "violation":
            continue
        path, line, _, item, what = s.chain[-1][:5]
        if path.startswith(prefix) if is_dir else path == prefix:
            rows.append({"site": f"{path}:{line}", "item": item, "what": what, "from": f"{s.path}:{s.line}", "rule": s.rule})
    return sorted(rows, key=lambda r: (r["site"], r["from"]))


def config_snippet(config_file: str, rel: str, base: str, languages: List[str], is_dir: bool, off_path: List[str],
                   test_paths: Optional[List[str]] = None, misread: Sequence[str] = ()) -> str:
    """The source set that brings the path in scope, in the syntax of the project's own file;
    with `test_paths` (the project's `misread` patterns would classify its files otherwise than
    the audit did), the source set's own, so that pasting it gives the audit's verdict."""
    table = "[[tool.dstcheck.scope]]" if config_file == "pyproject.toml" else "[[scope]]"
    name = rel.rsplit("/", 1)[-1] if rel else "project"
    if is_dir:
        include = [f'"{base}**/*.{ext}"' for lang, ext in (("python", "py"), ("rust", "rs")) if lang in languages]
    else:
        include = [f'"{rel}"']
    out = f'{table}\nname = "{name}"\ninclude = [{", ".join(include)}]\n'
    if off_path:
        out += f'exclude = [{", ".join(json.dumps(base + p) for p in off_path)}]  # off the DST path\n'
    if test_paths is not None:
        what = ", ".join(f"`{p}`" for p in misread)
        out += f'test-paths = [{", ".join(json.dumps(p) for p in test_paths)}]  # the language test paths, relative to this path: the project\'s {what} classifies its files otherwise\n'
    return out


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _item(row: dict) -> str:
    return f"`{row['item']}`" if row["item"] else ""


def markdown(report: dict) -> str:
    out = [f"# DST audit: {report['path']}", ""]
    langs = ", ".join(report["languages"]) or "no Rust or Python"
    out += [f"Scanned {report['files']} {plural(report['files'], 'file')} ({langs}), {report['lines']} lines, as `check` would once the path is in scope.", ""]
    out += [f"**Verdict: {report['verdict']}**", ""]
    out += ["| Family | Blocking | Accepted | Gated | Test | Off the DST path | Excluded |", "|---|---|---|---|---|---|---|"]
    for group in report["groups"]:
        c = group["counts"]
        accepted = sum(c.get(d, 0) for d in ACCEPTED)
        out.append(f"| {group['title']} | {c.get('violation', 0)} | {accepted} | {c.get('gated', 0)} | {c.get('test', 0)} | {c.get(OFF, 0)} | {c.get(EXCLUDED, 0)} |")
    for group in report["groups"]:
        out += ["", f"## {group['title']}", ""]
        if not group["sites"]:
            out.append("No sites." if not any(group["counts"].get(k) for k in (OFF, EXCLUDED)) else "No sites the proposed source set brings in.")
            continue
        out += ["| Site | Item | Rule | Disposition | Use instead |", "|---|---|---|---|---|"]
        for row in group["sites"]:
            disp = row["disposition"] + (f" ({row['reason']})" if row["reason"] else "")
            out.append(f"| `{row['site']}` | {_item(row)} | {row['rule']} {row['name']} | {_cell(disp)} | {_cell(row['seam'])} |")
    if report["reached"]:
        count = len({r["site"] for r in report["reached"]})
        out += ["", "## Reached from the DST path today", "",
                f"{count} {plural(count, 'site')} of this path {'is' if count == 1 else 'are'} run by calls from in-scope code (the end of a reach chain): "
                "on the DST path already, in scope or not.", "",
                "| Site | Item | What | Called from |", "|---|---|---|---|"]
        for row in report["reached"]:
            out.append(f"| `{row['site']}` | {_item(row)} | {_cell(row['what'])} | `{row['from']}` ({row['rule']}) |")
    sides = (
        (report["off_path"], "Off the DST path: binaries, examples and benches",
         "Not blocking: the proposed source set excludes them (`--off-path` sets the patterns, relative to the audited path)."),
        (report["excluded"], "Excluded by the configuration",
         "Not blocking: the configuration's language excludes keep them out of every source set."),
    )
    for side, title, why in sides:
        if not side["files"]:
            continue
        out += ["", f"## {title}", "", f"{side['files']} {plural(side['files'], 'file')}. {why}", ""]
        if not side["sites"]:
            out.append("No sites.")
            continue
        out += ["| Site | Item | Rule | Why |", "|---|---|---|---|"]
        for row in side["sites"]:
            out.append(f"| `{row['site']}` | {_item(row)} | {row['rule']} {row['name']} | {_cell(row['why'])} |")
    out += ["", "## Bring it in scope", "", f"Once the blocking sites are fixed, add this source set to {report['config_file']}:", "", "```toml", report["config_snippet"].rstrip("\n"), "```"]
    if report["test_paths_replaced"]:
        listed = ", ".join(f"`{p}`" for p in report["test_paths_replaced"])
        out += ["", f"The source set carries its own `test-paths` (the language ones, relative to this path, replace them for its files): "
                f"the project's {listed} would classify its files otherwise, and the gate would not give this verdict."]
    if report["excluded_by_config"]:
        listed = ", ".join(f"`{p}`" for p in report["excluded_by_config"])
        out += ["", f"The configuration's `exclude` ({listed}) covers this path too: narrow it, or the source set brings nothing in."]
    for item in report["language_excludes"]:
        listed = ", ".join(f"`{p}`" for p in item["patterns"])
        title = {"rust": "Rust", "python": "Python"}[item["language"]]
        out += ["", f"The configuration's `{item['language']}.exclude` ({listed}) covers this path too: narrow it, or the source set brings none of its {title} files in."]
    return "\n".join(out) + "\n"


def as_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
