"""Inline expectations for fixture files.

On the line(s) above a site: `// expect: DST101` (a violation), `// expect(gated): DST104`
(a site with that disposition), `// ok: DST101` (no violation of that rule). `#` in Python.
Every violation must be expected (else Noisy) and every expectation met (else Missing).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

from dstcheck.model import DISPOSITIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"

ANNOTATION = re.compile(r"^\s*(?://|#)\s*(expect|ok)(?:\(([a-z-]+)\))?:\s*(.+?)\s*$")
RULE_ID = re.compile(r"^DST\d{3}$")


def annotations(path: Path, known_rules) -> Tuple[Dict[int, Counter], Dict[int, set]]:
    """line -> Counter((rule, disposition)) expected, and line -> rules that must not be violations."""
    expected: Dict[int, Counter] = {}
    ok: Dict[int, set] = {}
    pending: List[Tuple[str, str, str]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(lines, start=1):
        m = ANNOTATION.match(text)
        if m:
            kind, disposition, ids = m.group(1), m.group(2) or "violation", m.group(3)
            if disposition not in DISPOSITIONS:
                raise AssertionError(f"{path}:{number}: unknown disposition {disposition!r}")
            for rule in re.split(r"[,\s]+", ids):
                if not RULE_ID.match(rule) or rule not in known_rules:
                    raise AssertionError(f"{path}:{number}: unknown rule id {rule!r} in annotation")
                pending.append((kind, rule, disposition))
            continue
        for kind, rule, disposition in pending:
            if kind == "expect":
                expected.setdefault(number, Counter())[(rule, disposition)] += 1
            else:
                ok.setdefault(number, set()).add(rule)
        pending = []
    return expected, ok


def compare(path: Path, display: str, sites, known_rules) -> List[str]:
    """Problems, each naming file:line: Missing expectations, Noisy violations, broken `ok`s."""
    expected, ok = annotations(path, known_rules)
    actual: Dict[int, Counter] = {}
    for site in sites:
        actual.setdefault(site.line, Counter())[(site.rule, site.disposition)] += 1
    problems = []
    for line in sorted(set(expected) | set(actual) | set(ok)):
        want = expected.get(line, Counter())
        have = actual.get(line, Counter())
        for (rule, disposition), count in sorted(want.items()):
            if have[(rule, disposition)] < count:
                found = sorted(f"{r}({d})" for (r, d) in have)
                problems.append(f"Missing: {display}:{line}: expected {rule} ({disposition}) x{count}, found {found or 'nothing'}")
        for (rule, disposition), count in sorted(have.items()):
            if disposition == "violation" and count > want[(rule, disposition)]:
                problems.append(f"Noisy: {display}:{line}: unexpected {rule} violation")
        for rule in sorted(ok.get(line, ())):
            if have[(rule, "violation")]:
                problems.append(f"Noisy: {display}:{line}: {rule} marked ok but reported")
    return problems


def workspace(tmp_path: Path, files: dict) -> Path:
    """Write a temporary workspace: {relative path: dedented text}."""
    import textwrap

    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def violation_lines(out: str, rule: str, path: str) -> List[int]:
    """The sorted lines of `rule`'s violations in `path`, from `check --format json` output."""
    import json

    return sorted(s["line"] for s in json.loads(out)["sites"] if s["rule"] == rule and s["path"] == path and s["disposition"] == "violation")
