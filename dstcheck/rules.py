"""Rule packs: load `rules/*.toml`, validate them, and apply a configuration's overrides."""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from dstcheck.errors import ConfigError
from dstcheck.model import _FACTORY, record
from dstcheck.matchers import KINDS, WHEN_VALUES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ID_RE = re.compile(r"^DST\d{3}$|^[A-Z][A-Z0-9]*\d{3}$")
FAMILIES = ("clock", "rng", "hash-order", "thread", "blocking", "select", "net-seam", "runtime-facade", "env", "reach", "custom")
ENGINE_FAMILIES = ("diagnostic", "hygiene")
ALWAYS_ON = ("DST000", "diagnostic")  # a file that could not be checked is never hidden: not selectable
ALWAYS_ON_REASON = "DST000 (a file that could not be checked) is always reported; it cannot be selected or ignored"


def selectable(pack: "RulePack") -> set:
    """What --select / --ignore and the configuration's select / ignore accept: the pack's rule
    ids and every family, also one with no rule yet (custom); never ALWAYS_ON."""
    return (set(pack.rules) | set(FAMILIES) | set(ENGINE_FAMILIES)) - set(ALWAYS_ON)
LANGUAGES = ("rust", "python")
RULE_KEYS = {
    "id", "name", "language", "family", "contract", "message", "hint", "match",
    "only-in", "except-in", "valid", "invalid", "fix",
}
# Matcher lists whose entries name what a site matched: an entry may be a table that carries a
# replacement, `{ path = "std::time::Instant::now", replacement = "crate::sim::time::now" }`.
REPLACEABLE = ("paths", "macros")
ENTRY_KEYS = ("path", "replacement", "safety")
SAFETIES = ("safe", "unsafe")
# Built-in fix kinds a rule's `[rule.fix]` table may name (the code is in dstcheck/fix/):
# parameter -> type, the required ones, and the languages each applies to.
FIX_KINDS = {
    "insert-first": ({}, (), ("rust",)),  # insert the macro matcher's `unless-first` tokens
    "wrap": ({"function": str}, ("function",), ("python",)),  # wrap the site in a call
    "retype": ({"types": dict, "methods": dict, "crate": str}, ("types", "crate"), ("rust",)),  # swap a type for another crate's
}
_PATH_SHAPES = {
    "rust": (re.compile(r"^(?:::)?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+$"), "a path like crate::sim::time::now"),
    "python": (re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$"), "a dotted path like acmepy.clock.now"),
}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

PARSE_ERROR = "DST000"


@record
class Matcher:
    kind: str
    params: dict

    def __init__(self, kind, params):
        self.kind = kind
        self.params = params


@record(frozen=True)
class Replacement:
    """A configured fix: references to `path` (or below it) are rewritten to `replacement`."""

    path: str
    replacement: str
    safety: str = "safe"

    def __init__(self, path, replacement, safety="safe"):
        d = self.__dict__  # frozen: fields are set once, here
        d['path'] = path
        d['replacement'] = replacement
        d['safety'] = safety


@record(frozen=True)
class FixSpec:
    """A rule's built-in fix (`[rule.fix]`): a kind from FIX_KINDS and its parameters."""

    kind: str
    safety: str
    params: dict

    def __init__(self, kind, safety, params):
        d = self.__dict__  # frozen: fields are set once, here
        d['kind'] = kind
        d['safety'] = safety
        d['params'] = params


@record
class Example:
    code: str
    path: Optional[str] = None
    files: Dict[str, str] = field(default_factory=dict)  # the example's other files (path -> text)

    def __init__(self, code, path=None, files=_FACTORY):
        self.code = code
        self.path = path
        self.files = {} if files is _FACTORY else files


@record
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
    replacements: Dict[str, Replacement] = field(default_factory=dict)  # entry path -> its replacement
    fix: Optional[FixSpec] = None

    def __init__(
        self,
        id,
        name,
        language,
        family,
        contract,
        message,
        hint,
        matchers,
        only_in=None,
        except_in=_FACTORY,
        valid=_FACTORY,
        invalid=_FACTORY,
        source="",
        replacements=_FACTORY,
        fix=None,
    ):
        self.id = id
        self.name = name
        self.language = language
        self.family = family
        self.contract = contract
        self.message = message
        self.hint = hint
        self.matchers = matchers
        self.only_in = only_in
        self.except_in = [] if except_in is _FACTORY else except_in
        self.valid = [] if valid is _FACTORY else valid
        self.invalid = [] if invalid is _FACTORY else invalid
        self.source = source
        self.replacements = {} if replacements is _FACTORY else replacements
        self.fix = fix


@record
class RulePack:
    rules: Dict[str, Rule]
    reexports: Dict[str, Dict[str, str]]  # language -> {prefix: canonical prefix}

    def __init__(self, rules, reexports):
        self.rules = rules
        self.reexports = reexports

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


def _entries(value, file: str, key: str, language: str) -> Tuple[List[str], List[Replacement]]:
    """A matcher's path list: strings, or tables `{ path, replacement, safety }`."""
    _expect(isinstance(value, list), file, key, "expected a list of strings (or tables with path and replacement)")
    paths, replacements = [], []
    shape, described = _PATH_SHAPES[language]
    for i, entry in enumerate(value):
        if isinstance(entry, str):
            paths.append(entry)
            continue
        ekey = f"{key}[{i}]"
        _expect(isinstance(entry, dict), file, ekey, "expected a string or a table with path and replacement")
        unknown = sorted(set(entry) - set(ENTRY_KEYS))
        _expect(not unknown, file, f"{ekey}.{unknown[0] if unknown else ''}", f"unknown key; expected one of {', '.join(ENTRY_KEYS)}")
        _expect(isinstance(entry.get("path"), str) and entry["path"] != "", file, f"{ekey}.path", "expected a non-empty string")
        target = entry.get("replacement")
        _expect(isinstance(target, str) and bool(shape.match(target)), file, f"{ekey}.replacement", f"expected {described}")
        safety = entry.get("safety", "safe")
        _expect(safety in SAFETIES, file, f"{ekey}.safety", f"expected one of {', '.join(SAFETIES)}")
        paths.append(entry["path"])
        replacements.append(Replacement(entry["path"], target, safety))
    return paths, replacements


def _fix_spec(data, file: str, key: str, language: str, matchers: List["Matcher"]) -> FixSpec:
    _expect(isinstance(data, dict), file, key, "expected a table with kind and safety")
    kind = data.get("kind")
    _expect(kind in FIX_KINDS, file, f"{key}.kind", f"expected one of {', '.join(sorted(FIX_KINDS))}")
    params_spec, required, languages = FIX_KINDS[kind]
    _expect(language in languages, file, f"{key}.kind", f"fix kind {kind!r} does not apply to {language}")
    _expect(data.get("safety") in SAFETIES, file, f"{key}.safety", f"expected one of {', '.join(SAFETIES)}")
    params = {}
    for pkey in sorted(set(data) - {"kind", "safety"}):
        _expect(pkey in params_spec, file, f"{key}.{pkey}", f"unknown parameter; {kind!r} takes {', '.join(sorted(params_spec)) or 'none'}")
        value = data[pkey]
        if params_spec[pkey] is dict:
            _expect(isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()), file, f"{key}.{pkey}", "expected a table of strings")
        else:
            _expect(isinstance(value, str) and bool(_IDENT.match(value)), file, f"{key}.{pkey}", "expected a name")
        params[pkey] = value
    for req in required:
        _expect(req in params, file, f"{key}.{req}", "required parameter is missing")
    if kind == "retype":
        shape, described = _PATH_SHAPES["rust"]
        for old, new in params["types"].items():
            _expect(bool(shape.match(new)) and new.split("::")[0] == params["crate"], file, f"{key}.types.{old}", f"expected a path into crate {params['crate']!r}")
        for old, new in params.get("methods", {}).items():
            _expect(bool(_IDENT.match(old)) and bool(_IDENT.match(new)), file, f"{key}.methods.{old}", "expected a method name")
    if kind == "insert-first":
        _expect(any(m.kind == "macro" and m.params.get("unless-first") for m in matchers), file, f"{key}.kind", "'insert-first' needs a macro matcher with unless-first")
    return FixSpec(kind, data["safety"], params)


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
    replacements: Dict[str, Replacement] = {}
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
            if pkey in REPLACEABLE:
                params[pkey], found = _entries(value, file, f"{mkey}.{pkey}", language)
                replacements.update((r.path, r) for r in found)
            elif spec.params[pkey] is list:
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
        replacements=replacements,
        fix=_fix_spec(data["fix"], file, f"{key}.fix", language, matchers) if "fix" in data else None,
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


def apply_overrides(pack: RulePack, overrides: dict, user_rules: list, file: str, owned: bool = False) -> RulePack:
    """Return a copy of the pack with `[rules.<ID>]` overrides and user rules applied.

    An override key is `only-in`, `except-in`, or the name of a list parameter of one of the
    rule's matchers (replacing it), or that name prefixed with `extend-` (appending to it).
    `owned`: the caller made the pack for this call alone (a fresh `load_pack()`), so its rules
    are changed in place instead of deep-copied first (a tenth of loading the configuration).
    """
    if owned:
        pack = RulePack(dict(pack.rules), dict(pack.reexports))
    else:
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
            if param in REPLACEABLE and param in lists:
                value, found = _entries(table[opt], file, f"{key}.{opt}", rule.language)
                for path in value if not extend else ():
                    rule.replacements.pop(path, None)  # the list is replaced: a plain string drops its replacement
                rule.replacements.update((r.path, r) for r in found)
            else:
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
                listed = {v for m in rule.matchers for v in m.params.get(param, ())}
                target.params[param] = list(target.params.get(param, [])) + [v for v in value if v not in listed]
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
        listed = {v for m in rule.matchers for p in REPLACEABLE for v in m.params.get(p, ())}
        rule.replacements = {p: r for p, r in sorted(rule.replacements.items()) if p in listed}
    return pack


def _emptied(matcher: Matcher) -> bool:
    """A matcher whose required list an override emptied matches nothing: drop it."""
    return any(isinstance(matcher.params.get(p), list) and not matcher.params[p] for p in KINDS[matcher.kind].required) or (
        matcher.kind == "path" and "paths" in matcher.params and not matcher.params["paths"]
    )

