"""Configuration: find `dstcheck.toml` or `[tool.dstcheck]`, validate every key, load allowlists.

A gate that silently stops checking is the worst failure it can have, so anything unknown or
ill-typed is an error naming the file, the key and what was expected.
"""

from __future__ import annotations

import re
import sys
from dataclasses import field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from dstcheck import globs
from dstcheck.errors import ConfigError
from dstcheck.model import _FACTORY, record
from dstcheck.rust.cfg import CfgSyntaxError, Profile
from dstcheck.rust.cfg import parse as parse_cfg
from dstcheck.rules import ALWAYS_ON, ALWAYS_ON_REASON, RulePack, apply_overrides, load_pack, selectable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_TEST_PATHS = {
    "rust": ["tests/", "benches/", "*_test.rs", "*_tests.rs"],
    "python": ["tests/", "test_*.py", "*_test.py", "conftest.py"],
}
DEFAULT_EXCLUDE = {"rust": ["python/", "ffi/", "build.rs"], "python": []}  # build scripts run at compile time, never in the simulation
EXTENSIONS = {".rs": "rust", ".py": "python"}

TOP_KEYS = {
    "scope", "select", "ignore", "allowlists", "marker", "require-reason", "exclude",
    "rust", "python", "rules", "rule", "inventory", "cache", "reach",
}
REACH_KEYS = {"max-depth"}
INVENTORY_KEYS = {"file", "output"}
SCOPE_KEYS = {"name", "include", "exclude", "select", "ignore", "test-paths"}
LANG_KEYS = {"rust": {"profile", "test-paths", "exclude"}, "python": {"test-paths", "exclude", "guards"}}
PROFILE_KEYS = {"cfg", "cfg-off", "features", "features-off", "other-cfg", "other-features"}
ALLOW_KEYS = {"rule", "path", "item", "api", "reason"}
API_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:(?:::|\.)[A-Za-z_][A-Za-z0-9_]*)*$")


@record
class Scope:
    name: str
    include: List[str]
    exclude: List[str] = field(default_factory=list)
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    test_paths: Optional[List[str]] = None  # replaces the language test-paths for this set's files

    def __init__(self, name, include, exclude=_FACTORY, select=_FACTORY, ignore=_FACTORY, test_paths=None):
        self.name = name
        self.include = include
        self.exclude = [] if exclude is _FACTORY else exclude
        self.select = [] if select is _FACTORY else select
        self.ignore = [] if ignore is _FACTORY else ignore
        self.test_paths = test_paths


@record(frozen=True)
class AllowEntry:
    rule: str
    path: str
    item: Optional[str]
    reason: str
    file: str
    index: int
    line: int  # line of its [[allow]] header, for reporting a stale entry
    api: Optional[str] = None  # only sites of this resolved path (or below it)

    def __init__(self, rule, path, item, reason, file, index, line, api=None):
        d = self.__dict__  # frozen: fields are set once, here
        d['rule'] = rule
        d['path'] = path
        d['item'] = item
        d['reason'] = reason
        d['file'] = file
        d['index'] = index
        d['line'] = line
        d['api'] = api


@record
class LanguageSettings:
    test_paths: List[str]
    exclude: List[str]
    guards: List[str] = field(default_factory=list)

    def __init__(self, test_paths, exclude, guards=_FACTORY):
        self.test_paths = test_paths
        self.exclude = exclude
        self.guards = [] if guards is _FACTORY else guards


@record
class Config:
    root: Path
    file: Optional[str]  # display name of the config file, None for defaults
    pack: RulePack
    scopes: List[Scope]
    select: List[str]
    ignore: List[str]
    marker: str
    require_reason: bool
    profile: Profile
    languages: Dict[str, LanguageSettings]
    allowlist: List[AllowEntry]
    inventory: dict = field(default_factory=dict)
    cache: bool = True
    glob_checks: List[Tuple[str, str]] = field(default_factory=list)  # (key, glob) that must match a file
    exclude: List[str] = field(default_factory=list)  # never scanned at all (vendored code, fixtures)
    reach_depth: int = 4  # [reach] max-depth: calls followed from an in-scope call into out-of-scope code
    scopes_declared: bool = False  # the [[scope]] tables are the configuration's (else the default one)

    def __init__(
        self,
        root,
        file,
        pack,
        scopes,
        select,
        ignore,
        marker,
        require_reason,
        profile,
        languages,
        allowlist,
        inventory=_FACTORY,
        cache=True,
        glob_checks=_FACTORY,
        exclude=_FACTORY,
        reach_depth=4,
        scopes_declared=False,
    ):
        self.root = root
        self.file = file
        self.pack = pack
        self.scopes = scopes
        self.select = select
        self.ignore = ignore
        self.marker = marker
        self.require_reason = require_reason
        self.profile = profile
        self.languages = languages
        self.allowlist = allowlist
        self.inventory = {} if inventory is _FACTORY else inventory
        self.cache = cache
        self.glob_checks = [] if glob_checks is _FACTORY else glob_checks
        self.exclude = [] if exclude is _FACTORY else exclude
        self.reach_depth = reach_depth
        self.scopes_declared = scopes_declared


def find_config(start: Path) -> Optional[Tuple[Path, dict, str]]:
    """Walk up from `start` to the first dstcheck.toml or pyproject.toml with [tool.dstcheck]."""
    for directory in [start, *start.parents]:
        own = directory / "dstcheck.toml"
        if own.is_file():
            return own, read_toml(own, own.name), own.name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = read_toml(pyproject, pyproject.name)
            if "dstcheck" in data.get("tool", {}):
                return pyproject, data["tool"]["dstcheck"], "pyproject.toml [tool.dstcheck]"
    return None


def read_toml(path: Path, display: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(display, "", "not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(display, "", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(display, "", f"invalid TOML: {exc}") from None


def load(start: Optional[Path] = None, explicit: Optional[Path] = None, pack: Optional[RulePack] = None) -> Config:
    start = (start or Path.cwd()).resolve()
    if explicit is not None:
        explicit = explicit.resolve()
        if not explicit.is_file():
            raise ConfigError(str(explicit), "", "config file does not exist")
        data = read_toml(explicit, explicit.name)
        if explicit.name == "pyproject.toml":
            data = data.get("tool", {}).get("dstcheck", {})
        return from_data(data, explicit.parent, explicit.name, pack)
    found = find_config(start)
    if found is None:
        return from_data({}, start, None, pack)
    path, data, display = found
    return from_data(data, path.parent, display, pack)


def _list(value, file, key) -> List[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ConfigError(file, key, "expected a list of strings")
    return list(value)


def check_keys(table: dict, allowed: set, file: str, prefix: str) -> None:
    for key in sorted(table):
        if key not in allowed:
            raise ConfigError(file, f"{prefix}{key}", f"unknown key; expected one of {', '.join(sorted(allowed))}")


def tables(data: dict, key: str, allowed: set, file: str, what: str, prefix: str = ""):
    """(key, table) for each table of an array of tables, each checked for unknown keys.
    `prefix` names the enclosing table in messages (`area[0].`)."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise ConfigError(file, prefix + key, f"expected an array of [[{what}]] tables")
    for i, item in enumerate(raw):
        item_key = f"{prefix}{key}[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(file, item_key, "expected a table")
        check_keys(item, allowed, file, f"{item_key}.")
        yield item_key, item


def _tri(value, file, key):
    if value not in ("unknown", "off"):
        raise ConfigError(file, key, 'expected "unknown" or "off"')
    return None if value == "unknown" else False


def _profile(table: dict, file: str) -> Profile:
    key = "rust.profile"
    if not isinstance(table, dict):
        raise ConfigError(file, key, "expected a table")
    check_keys(table, PROFILE_KEYS, file, f"{key}.")
    on, values = set(), []
    for entry in _list(table.get("cfg", ["madsim"]), file, f"{key}.cfg"):
        try:
            pred = parse_cfg(entry)
        except CfgSyntaxError:
            raise ConfigError(file, f"{key}.cfg", f'expected cfg names or name = "value" pairs, got {entry!r}') from None
        if pred[0] == "atom":
            on.add(pred[1])
        elif pred[0] == "kv" and pred[1] != "feature":
            values.append((pred[1], pred[2]))
        else:
            raise ConfigError(file, f"{key}.cfg", f'expected cfg names or name = "value" pairs, got {entry!r}')
    off = set(_list(table.get("cfg-off", []), file, f"{key}.cfg-off")) | {"test"}
    if on & off:
        raise ConfigError(file, f"{key}.cfg", f"{sorted(on & off)[0]!r} cannot be both on and off")
    return Profile(
        on=frozenset(on),
        off=frozenset(off),
        features_on=frozenset(_list(table.get("features", ["simulation"]), file, f"{key}.features")),
        features_off=frozenset(_list(table.get("features-off", []), file, f"{key}.features-off")),
        other_cfg=_tri(table.get("other-cfg", "unknown"), file, f"{key}.other-cfg"),
        other_features=_tri(table.get("other-features", "unknown"), file, f"{key}.other-features"),
        values=tuple(sorted(values)),
    )


def from_data(data: dict, root: Path, file: Optional[str], pack: Optional[RulePack] = None) -> Config:
    display = file or "(defaults)"
    if not isinstance(data, dict):
        raise ConfigError(display, "tool.dstcheck", "expected a table")
    check_keys(data, TOP_KEYS, display, "")
    base = pack or load_pack()
    rule_overrides = data.get("rules", {})
    if not isinstance(rule_overrides, dict):
        raise ConfigError(display, "rules", "expected a table of [rules.<ID>] tables")
    user_rules = data.get("rule", [])
    if not isinstance(user_rules, list):
        raise ConfigError(display, "rule", "expected an array of [[rule]] tables")
    pack = apply_overrides(base, rule_overrides, user_rules, display, owned=pack is None)
    known = selectable(pack)

    def selection(value, key):
        items = _list(value, display, key)
        for item in items:
            if item in ALWAYS_ON:
                raise ConfigError(display, key, f"{item!r}: {ALWAYS_ON_REASON}")
            if item not in known:
                raise ConfigError(display, key, f"unknown rule id or family {item!r}; expected one of {', '.join(sorted(known))}")
        return items

    scopes = []
    raw_scopes = data.get("scope", [{"name": "default", "include": ["**/*.rs", "**/*.py"]}])
    if not isinstance(raw_scopes, list) or not raw_scopes:
        raise ConfigError(display, "scope", "expected an array of [[scope]] tables")
    for i, raw in enumerate(raw_scopes):
        key = f"scope[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(display, key, "expected a table")
        check_keys(raw, SCOPE_KEYS, display, f"{key}.")
        if "include" not in raw:
            raise ConfigError(display, f"{key}.include", "required: the globs of this source set")
        scopes.append(
            Scope(
                name=str(raw.get("name", f"scope{i}")),
                include=_list(raw["include"], display, f"{key}.include"),
                exclude=_list(raw.get("exclude", []), display, f"{key}.exclude"),
                select=selection(raw.get("select", []), f"{key}.select"),
                ignore=selection(raw.get("ignore", []), f"{key}.ignore"),
                test_paths=_list(raw["test-paths"], display, f"{key}.test-paths") if "test-paths" in raw else None,
            )
        )

    languages = {}
    for lang in ("rust", "python"):
        table = data.get(lang, {})
        if not isinstance(table, dict):
            raise ConfigError(display, lang, "expected a table")
        check_keys(table, LANG_KEYS[lang], display, f"{lang}.")
        languages[lang] = LanguageSettings(
            test_paths=_list(table.get("test-paths", DEFAULT_TEST_PATHS[lang]), display, f"{lang}.test-paths"),
            exclude=_list(table.get("exclude", DEFAULT_EXCLUDE[lang]), display, f"{lang}.exclude"),
            guards=_list(table.get("guards", []), display, f"{lang}.guards") if lang == "python" else [],
        )
    profile = _profile(data.get("rust", {}).get("profile", {}), display)

    marker = data.get("marker", "dst-ok")
    if not isinstance(marker, str) or not marker or any(c.isspace() for c in marker):
        raise ConfigError(display, "marker", "expected a non-empty word such as dst-ok")
    require_reason = data.get("require-reason", False)
    if not isinstance(require_reason, bool):
        raise ConfigError(display, "require-reason", "expected true or false")
    cache = data.get("cache", True)
    if not isinstance(cache, bool):
        raise ConfigError(display, "cache", "expected true or false")
    inventory = data.get("inventory", {})
    if not isinstance(inventory, dict):
        raise ConfigError(display, "inventory", "expected a table")
    check_keys(inventory, INVENTORY_KEYS, display, "inventory.")
    for key in sorted(inventory):
        if not isinstance(inventory[key], str):
            raise ConfigError(display, f"inventory.{key}", "expected a path string")
    reach = data.get("reach", {})
    if not isinstance(reach, dict):
        raise ConfigError(display, "reach", "expected a table")
    check_keys(reach, REACH_KEYS, display, "reach.")
    depth = reach.get("max-depth", 4)
    if type(depth) is not int or not 1 <= depth <= 16:
        raise ConfigError(display, "reach.max-depth", "expected a whole number from 1 to 16")

    config = Config(
        root=root,
        file=file,
        pack=pack,
        scopes=scopes,
        select=selection(data.get("select", []), "select"),
        ignore=selection(data.get("ignore", []), "ignore"),
        marker=marker,
        require_reason=require_reason,
        profile=profile,
        languages=languages,
        allowlist=[],
        inventory=inventory,
        cache=cache,
        exclude=_list(data.get("exclude", []), display, "exclude"),
        reach_depth=depth,
        scopes_declared="scope" in data,
    )
    config.allowlist = _load_allowlists(_list(data.get("allowlists", []), display, "allowlists"), config, display)
    _check_paths_exist(config, data, display)
    return config


def _load_allowlists(patterns: List[str], config: Config, display: str) -> List[AllowEntry]:
    entries = []
    for pattern in patterns:
        files = sorted(p for p in config.root.glob(pattern) if p.is_file())
        if not files:
            raise ConfigError(display, "allowlists", f"{pattern!r} matches no file")
        for path in files:
            name = path.relative_to(config.root).as_posix()
            data = read_toml(path, name)
            headers = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.strip().startswith("[[allow]]")]
            check_keys(data, {"allow"}, name, "")
            for i, (key, item) in enumerate(tables(data, "allow", ALLOW_KEYS, name, "allow")):
                for req in ("rule", "path", "reason"):
                    if not isinstance(item.get(req), str) or not item[req].strip():
                        raise ConfigError(name, f"{key}.{req}", "expected a non-empty string")
                if item["rule"] not in config.pack.rules or not config.pack.rules[item["rule"]].matchers:
                    raise ConfigError(name, f"{key}.rule", f"unknown rule id {item['rule']!r}")
                if "item" in item and not isinstance(item["item"], str):
                    raise ConfigError(name, f"{key}.item", "expected a string")
                if "api" in item and not (isinstance(item["api"], str) and API_RE.match(item["api"])):
                    raise ConfigError(name, f"{key}.api", 'expected a path such as "std::time::SystemTime::now" or "time.time"')
                line = headers[i] if i < len(headers) else 1
                entries.append(AllowEntry(item["rule"], item["path"], item.get("item"), item["reason"].strip(), name, i, line, item.get("api")))
    return entries


def _check_paths_exist(config: Config, data: dict, display: str) -> None:
    """Configured paths must exist. Literal paths are checked now; globs need a listing of the
    project, so they are checked on full scans only (a pre-commit run never walks the tree)."""
    checks = []
    if "scope" in data:
        for i, scope in enumerate(config.scopes):
            checks.extend((f"scope[{i}].include", p) for p in scope.include)
    for rid, table in sorted(data.get("rules", {}).items()):
        for opt in ("only-in", "except-in"):
            checks.extend((f"rules.{rid}.{opt}", p) for p in table.get(opt, []))
    for key, pattern in checks:
        if globs.is_literal(pattern) and not pattern.endswith("/"):
            if not (config.root / (pattern[2:] if pattern.startswith("./") else pattern.lstrip("/"))).exists():  # `/x` is `x` at the root
                raise ConfigError(display, key, f"{pattern!r} matches no file")
        else:
            config.glob_checks.append((key, pattern))


def check_globs(config: Config) -> None:
    """The deferred half of the path checks: every configured glob must match some file."""
    if not config.glob_checks:
        return
    from dstcheck.stages.discover import matches_a_file, project_files

    listing = project_files(config.root)
    for key, pattern in config.glob_checks:
        if not matches_a_file(pattern, listing):
            raise ConfigError(config.file or "(defaults)", key, f"{pattern!r} matches no file under {config.root.name or config.root}")


def language_of(path: str) -> Optional[str]:
    return EXTENSIONS.get(Path(path).suffix)
