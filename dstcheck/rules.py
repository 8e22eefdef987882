"""Rule packs: load `rules/*.toml`, validate them, and apply a configuration's overrides."""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from dstcheck.errors import ConfigError
from dstcheck.matchers import KINDS, WHEN_VALUES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ID_RE = re.compile(r"^DST\d{3}$|^[A-Z][A-Z0-9]*\d{3}$")
FAMILIES = ("clock", "rng", "hash-order", "thread", "blocking", "select", "net-seam", "runtime-facade", "env", "reach", "custom")
ENGINE_FAMILIES = ("diagnostic", "hygiene")
LANGUAGES = ("rust", "python")
RULE_KEYS = {
    "id", "name", "language", "family", "contract", "message", "hint", "match",
    "only-in", "except-in", "valid", "invalid",
}

PARSE_ERROR = "DST000"


@dataclass
class Matcher:
    kind: str
    params: dict


@dataclass
class Example:
    code: str
    path: Optional[str] = None
    files: Dict[str, str] = field(default_factory=dict)  # the example's other files (path -> text)


@dataclass
class Rule:
    id: str
    name: str
    language: str
    family: str
    contract: str
    message: str
    hint: str
    matchers: List[Matcher]
    only_in: Optional[List[str]] = None  # None: everywhere
    except_in: List[str] = field(default_factory=list)
    valid: List[Example] = field(default_factory=list)
    invalid: List[Example] = field(default_factory=list)
    source: str = ""


@dataclass
class RulePack:
    rules: Dict[str, Rule]
    reexports: Dict[str, Dict[str, str]]  # language -> {prefix: canonical prefix}

    def for_language(self, language: str) -> List[Rule]:
        return [r for r in self.sorted() if r.language == language]

    def sorted(self) -> List[Rule]:
        return [self.rules[k] for k in sorted(self.rules)]


def rules_dir() -> Path:
    """The rule packs: inside the installed package, or `rules/` beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "rules"
    return installed if installed.is_dir() else here.parent / "rules"


def _expect(cond: bool, file: str, key: str, expected: str) -> None:
    if not cond:
        raise ConfigError(file, key, expected)


def _str_list(value, file: str, key: str) -> List[str]:
    _expect(isinstance(value, list) and all(isinstance(v, str) for v in value), file, key, "expected a list of strings")
    return list(value)


def _engine_rule(data: dict, file: str, key: str) -> Rule:
    """A diagnostic the engine emits (rules/engine.toml): described as data, decided in code."""
    for required in ("id", "name", "family", "contract", "hint"):
        _expect(isinstance(data.get(required), str) and data[required].strip() != "", file, f"{key}.{required}", "expected a non-empty string")
    _expect(data["family"] in ENGINE_FAMILIES, file, f"{key}.family", f"expected one of {', '.join(ENGINE_FAMILIES)}")
    return Rule(data["id"], data["name"], "any", data["family"], data["contract"].strip(), "{path}", data["hint"].strip(), [], source=file)


def parse_rule(data: dict, file: str, key: str, default_language: Optional[str] = None) -> Rule:
    _expect(isinstance(data, dict), file, key, "expected a table")
    unknown = sorted(set(data) - RULE_KEYS)
    _expect(not unknown, file, f"{key}.{unknown[0] if unknown else ''}", f"unknown key; expected one of {', '.join(sorted(RULE_KEYS))}")
    rid = data.get("id")
    _expect(isinstance(rid, str) and bool(ID_RE.match(rid)), file, f"{key}.id", "expected a rule id like DST101")
    key = f"{key}[{rid}]"
    for required in ("name", "message", "hint", "contract"):
        _expect(isinstance(data.get(required), str) and data[required].strip() != "", file, f"{key}.{required}", "expected a non-empty string")
    language = data.get("language", default_language)
    _expect(language in LANGUAGES, file, f"{key}.language", f"expected one of {', '.join(LANGUAGES)}")
    family = data.get("family", "custom")
    _expect(family in FAMILIES, file, f"{key}.family", f"expected one of {', '.join(FAMILIES)}")
    raw_matchers = data.get("match")
    _expect(isinstance(raw_matchers, list) and len(raw_matchers) > 0, file, f"{key}.match", "expected at least one [[match]] table")
    matchers = []
    for i, m in enumerate(raw_matchers):
        mkey = f"{key}.match[{i}]"
        _expect(isinstance(m, dict), file, mkey, "expected a table")
        kind = m.get("kind")
        _expect(kind in KINDS, file, f"{mkey}.kind", f"expected one of {', '.join(sorted(KINDS))}")
        spec = KINDS[kind]
        _expect(language in spec.languages, file, f"{mkey}.kind", f"matcher kind {kind!r} does not apply to {language}")
        params = {}
        for pkey, value in m.items():
            if pkey == "kind":
                continue
            _expect(pkey in spec.params, file, f"{mkey}.{pkey}", f"unknown parameter; {kind!r} takes {', '.join(sorted(spec.params)) or 'none'}")
            if spec.params[pkey] is list:
                params[pkey] = _str_list(value, file, f"{mkey}.{pkey}")
            else:
                _expect(isinstance(value, spec.params[pkey]), file, f"{mkey}.{pkey}", f"expected a {spec.params[pkey].__name__}")
                params[pkey] = value
        for req in spec.required:
            _expect(req in params, file, f"{mkey}.{req}", "required parameter is missing")
        if "when" in params:
            _expect(params["when"] in WHEN_VALUES, file, f"{mkey}.when", f"expected one of {', '.join(WHEN_VALUES)}")
        matchers.append(Matcher(kind, params))
    only_in = _str_list(data["only-in"], file, f"{key}.only-in") if "only-in" in data else None
    except_in = _str_list(data.get("except-in", []), file, f"{key}.except-in")
    examples = {}
    for ex_key in ("valid", "invalid"):
        items = data.get(ex_key, [])
        _expect(isinstance(items, list), file, f"{key}.{ex_key}", "expected an array of tables")
        examples[ex_key] = []
        for j, ex in enumerate(items):
            _expect(isinstance(ex, dict) and isinstance(ex.get("code"), str), file, f"{key}.{ex_key}[{j}].code", "expected a string")
            others = ex.get("files", {})
            _expect(isinstance(others, dict) and all(isinstance(v, str) for v in others.values()), file, f"{key}.{ex_key}[{j}].files", "expected a table of path = text")
            examples[ex_key].append(Example(ex["code"].lstrip("\n"), ex.get("path"), {k: v.lstrip("\n") for k, v in sorted(others.items())}))
    return Rule(
        id=rid,
        name=data["name"],
        language=language,
        family=family,
        contract=data["contract"].strip(),
        message=data["message"],
        hint=data["hint"].strip(),
        matchers=matchers,
        only_in=only_in,
        except_in=except_in,
        valid=examples["valid"],
        invalid=examples["invalid"],
        source=file,
    )


def load_pack(directory: Optional[Path] = None) -> RulePack:
    directory = directory or rules_dir()
    rules: Dict[str, Rule] = {}
    reexports: Dict[str, Dict[str, str]] = {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ConfigError(str(directory), "", "no rule packs (*.toml) found")
    for path in files:
        name = f"rules/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(name, "", f"invalid TOML: {exc}") from None
        language = data.get("language")
        _expect(language in LANGUAGES + ("any",), name, "language", f"expected one of {', '.join(LANGUAGES)}, any")
        reexports.setdefault(language, {}).update(data.get("reexports", {}))
        for i, raw in enumerate(data.get("rule", [])):
            if language == "any":
                rule = _engine_rule(raw, name, f"rule[{i}]")
            else:
                rule = parse_rule(raw, name, f"rule[{i}]", language)
            _expect(rule.id not in rules, name, f"rule[{i}].id", f"duplicate rule id {rule.id}")
            rules[rule.id] = rule
    return RulePack(rules, reexports)


OVERRIDE_KEYS = ("only-in", "except-in")


def apply_overrides(pack: RulePack, overrides: dict, user_rules: list, file: str) -> RulePack:
    """Return a copy of the pack with `[rules.<ID>]` overrides and user rules applied.

    An override key is `only-in`, `except-in`, or the name of a list parameter of one of the
    rule's matchers (replacing it), or that name prefixed with `extend-` (appending to it).
    """
    pack = RulePack(copy.deepcopy(pack.rules), copy.deepcopy(pack.reexports))
    for i, raw in enumerate(user_rules):
        rule = parse_rule(raw, file, f"rule[{i}]")
        _expect(rule.id not in pack.rules, file, f"rule[{i}].id", f"rule id {rule.id} is already taken")
        pack.rules[rule.id] = rule
    for rid in sorted(overrides):
        key = f"rules.{rid}"
        _expect(rid in pack.rules and pack.rules[rid].matchers, file, key, f"unknown rule id; expected one of {', '.join(sorted(r for r in pack.rules if pack.rules[r].matchers))}")
        rule = pack.rules[rid]
        table = overrides[rid]
        _expect(isinstance(table, dict), file, key, "expected a table")
        lists = sorted({p for m in rule.matchers for p, t in KINDS[m.kind].params.items() if t is list})
        flags = sorted({p for m in rule.matchers for p, t in KINDS[m.kind].params.items() if t is bool})
        takes = ["only-in", "except-in"] + [f"{p}, extend-{p}" for p in lists] + flags
        for opt in sorted(table):
            extend = opt.startswith("extend-")
            param = opt[len("extend-"):] if extend else opt
            if param in flags and not extend:
                _expect(isinstance(table[opt], bool), file, f"{key}.{opt}", "expected true or false")
                for m in rule.matchers:
                    if KINDS[m.kind].params.get(param) is bool:
                        m.params[param] = table[opt]
                continue
            value = _str_list(table[opt], file, f"{key}.{opt}")
            if opt == "only-in":
                rule.only_in = value
                continue
            if opt == "except-in":
                rule.except_in = value
                continue
            targets = [m for m in rule.matchers if KINDS[m.kind].params.get(param) is list and (param in m.params or not extend)]
            _expect(param in lists, file, f"{key}.{opt}", f"unknown option; {rid} takes " + ", ".join(takes))
            if extend:
                # extend the first matcher that has the list (a rule's matchers split one list by shape)
                target = targets[0] if targets else next(m for m in rule.matchers if KINDS[m.kind].params.get(param) is list)
                target.params[param] = list(target.params.get(param, [])) + value
            else:
                # The option names the rule's whole list, which its matchers may split by shape
                # (DST103: `tokio::select` unless `biased;`, `futures::select` always): each
                # matcher keeps the entries it had that are still listed; new entries join the first.
                having = [m for m in rule.matchers if param in m.params] or [next(m for m in rule.matchers if KINDS[m.kind].params.get(param) is list)]
                placed = {v for m in having for v in m.params.get(param, [])}
                for i, m in enumerate(having):
                    kept = [v for v in m.params.get(param, []) if v in value]
                    m.params[param] = kept + ([v for v in value if v not in placed] if i == 0 else [])
            rule.matchers = [m for m in rule.matchers if not _emptied(m)]
        _expect(bool(rule.matchers), file, key, "the overrides leave the rule nothing to match; drop it with `ignore` instead")
    return pack


def _emptied(matcher: Matcher) -> bool:
    """A matcher whose required list an override emptied matches nothing: drop it."""
    return any(isinstance(matcher.params.get(p), list) and not matcher.params[p] for p in KINDS[matcher.kind].required) or (
        matcher.kind == "path" and "paths" in matcher.params and not matcher.params["paths"]
    )

