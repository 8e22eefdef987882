"""Baselines: adopt dstcheck on a dirty tree, fail only on new violations, ratchet down.

A fingerprint is rule + path + enclosing item + normalised snippet + occurrence index among
identical ones: no line number, so edits that move code do not invalidate it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from typing import Dict, List, Tuple

from dstcheck.errors import UsageError
from dstcheck.model import Site

SCHEMA = "dstcheck/baseline/v1"


def fingerprints(sites: List[Site]) -> Dict[Site, str]:
    """Stable fingerprints for sites (the input order is the occurrence order)."""
    seen: Dict[tuple, int] = {}
    out = {}
    for site in sorted(sites, key=Site.sort_key):
        key = (site.rule, site.path, site.item, " ".join(site.snippet.split()))
        if site.chain:  # a reach site: the callee counts, the chain's line numbers do not
            key = key + (site.api,)
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\0".join([*key, str(index)]).encode("utf-8")).hexdigest()
        out[site] = digest[:20]
    return out


def entry(site: Site, fingerprint: str) -> dict:
    return {"fingerprint": fingerprint, "rule": site.rule, "path": site.path, "item": site.item, "snippet": site.snippet}


def check_writable(path: str) -> None:
    """Fail before the scan, naming the file, when the baseline could not be written."""
    real = os.path.realpath(path)
    if os.path.exists(real) and not os.path.isfile(real) and not os.path.isdir(real):
        if os.access(real, os.W_OK):
            return  # /dev/null or a FIFO: written in place
        raise UsageError(f"{path}: cannot write the baseline: not writable")
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise UsageError(f"{path}: cannot write the baseline: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"{path}: cannot write the baseline: directory {directory} is not writable")


def write(path: str, violations: List[Site]) -> int:
    """Replace the baseline atomically (dstcheck.write: a link stays a link, the mode is kept)."""
    prints = fingerprints(violations)
    entries = sorted((entry(s, f) for s, f in prints.items()), key=lambda e: (e["path"], e["rule"], e["item"], e["fingerprint"]))
    text = json.dumps({"schema": SCHEMA, "entries": entries}, indent=2, ensure_ascii=False) + "\n"
    from dstcheck.write import replace_file

    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def load(path: str) -> List[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file does not exist (create it with --write-baseline)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a dstcheck baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("entries"), list):
        raise UsageError(f"{path}: not a dstcheck baseline (expected schema {SCHEMA!r})")
    for i, item in enumerate(data["entries"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("fingerprint", "rule", "path")):
            raise UsageError(f"{path}: entries[{i}]: expected fingerprint, rule and path strings")
    return data["entries"]


def apply(sites: List[Site], entries: List[dict], scanned_paths: set) -> Tuple[List[Site], List[dict]]:
    """Mark violations that are in the baseline as `baselined`; return the entries that matched
    nothing among the scanned files (fixed or gone: rewrite the baseline to drop them)."""
    known = {e["fingerprint"] for e in entries}
    violations = [s for s in sites if s.disposition == "violation"]
    prints = fingerprints(violations)
    matched = set()
    out = []
    for site in sites:
        fp = prints.get(site)
        if fp is not None and fp in known:
            matched.add(fp)
            out.append(replace(site, disposition="baselined", reason="in the baseline"))
        else:
            out.append(site)
    stale = [e for e in entries if e["fingerprint"] not in matched and e["path"] in scanned_paths]
    return out, sorted(stale, key=lambda e: (e["path"], e["rule"], e["item"], e["fingerprint"]))
