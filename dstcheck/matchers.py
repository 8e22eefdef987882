"""Matcher kinds: the only code rules have. A rule's data picks a kind and gives its parameters.

Each kind declares its parameters (name -> type) and a function that, given the parameters
and a Fact from a front end, returns the canonical path that matched or None.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

from dstcheck.model import Fact, record


def _starts(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "::") or path.startswith(prefix + ".")


def match_path(params: dict, fact: Fact) -> Optional[str]:
    """A reference to a banned path or anything below it; `use` leaves only with include-use.
    With `direct`, only what the file names itself: a path reached through another module's
    re-export (a seam or facade module) is that module's business, not this file's."""
    if fact.kind == "use" and not params.get("include-use", False):
        return None
    if fact.kind not in ("ref", "use", "macro", "call"):
        return None
    paths = fact.paths
    if params.get("direct", False):
        paths = tuple(p for p in paths if p not in fact.indirect)
    if fact.kind == "ref" and params.get("include-use", False) and params.get("at-use-only", False):
        # the `use` that brought a name in is the site; every later use of the name is not another
        paths = tuple(p for p in paths if p not in fact.imported)
    return _first_under(paths, params.get("paths", ()))


def _first_under(paths, banned, spared=()) -> Optional[str]:
    """The first path that is a banned path or lies below one (a banned type bans its functions),
    unless it is a `spared` path or lies below one (`os.environ` but not `os.environ.update`)."""
    for path in paths:
        if any(_starts(path, spare) for spare in spared):
            continue
        for ban in banned:
            if _starts(path, ban):
                return path
    return None


def match_method(params: dict, fact: Fact) -> Optional[str]:
    if fact.kind != "method" or fact.method not in params.get("methods", ()):
        return None
    for path in fact.paths:
        if path in params.get("receivers", ()):
            return f"{path}.{fact.method}"
    return None


def match_macro(params: dict, fact: Fact) -> Optional[str]:
    if fact.kind != "macro":
        return None
    for path in fact.paths:
        if path in params.get("macros", ()):
            required = tuple(params.get("unless-first", ()))
            if required and fact.first_tokens[: len(required)] == required:
                return None
            return path
    return None


def match_call(params: dict, fact: Fact) -> Optional[str]:
    """A call to one of `paths` or below one, optionally only with a given argument shape, a first
    argument that is one of the `first-arg` strings (Python: a literal, compared trimmed and in
    lower case), or in `async def`; with `values` (the default) also the function used as a value
    (`default_factory=time.time`), which a caller will call (except for `in-async` rules: the
    value is called elsewhere). A resolved path that is one of `except-paths` or lies below one is
    not a match, called or as a value (DST208: `os.environ.update` writes the environment, every
    other path below `os.environ` reads it)."""
    spared = params.get("except-paths", ())
    if fact.kind == "ref":
        if not params.get("values", True) or params.get("in-async"):
            return None
        return _first_under(fact.paths, params.get("paths", ()), spared)
    if fact.kind != "call":
        return None
    positional, keywords = fact.args
    nargs = positional + len(keywords)
    when = params.get("when", "always")
    if when == "no-args" and nargs:
        return None
    if when == "no-seed" and (positional or set(keywords) & set(params.get("seed-keywords", ()))):
        return None
    if when == "one-arg" and nargs != 1:
        return None
    literals = params.get("first-arg")
    if literals and not (fact.first_tokens and fact.first_tokens[0].strip().lower() in literals):
        return None  # `pd.Timestamp("now")` reads the clock, `pd.Timestamp("2024-01-01")` does not
    if params.get("in-async") and not fact.in_async:
        return None
    if fact.method and fact.method in params.get("methods", ()):
        return f"*.{fact.method}"
    return _first_under(fact.paths, params.get("paths", ()), spared)


def match_typed_method(params: dict, fact: Fact) -> Optional[str]:
    """A method called on a receiver whose declared type is one of `types` (`t.elapsed()` with
    `t: std::time::Instant`)."""
    if fact.kind != "typed-method" or fact.method not in params.get("methods", ()):
        return None
    path = fact.paths[0] if fact.paths else ""
    return f"{path}::{fact.method}" if path in params.get("types", ()) else None


def match_trait_method(params: dict, fact: Fact) -> Optional[str]:
    """A method that one of `traits` provides, called where that trait is in scope (imported by
    name or through a glob, in the enclosing blocks or the module: the front end resolves the
    trait's name at the call), e.g. rayon's `v.par_iter()` under `use rayon::prelude::*`. Without
    the trait in scope, a method of that name is some other type's or trait's. Also the method
    named through the trait's path (`rayon::iter::IntoParallelRefIterator::par_iter(&v)`)."""
    traits = params.get("traits", ())
    methods = params.get("methods", ())
    if fact.kind == "trait-method":
        if fact.method not in methods:
            return None
        for trait in traits:  # the matcher's order: `par_drain` on a Vec names ParallelDrainRange first
            if trait in fact.paths:
                return f"{trait}::{fact.method}"
        return None
    if fact.kind in ("ref", "call"):
        for path in fact.paths:
            head, _, method = path.rpartition("::")
            if method in methods and head in traits:
                return path
    return None


def match_hash_iteration(params: dict, fact: Fact) -> Optional[str]:
    """An iteration whose order escapes (the front end decides that), over a receiver proven to be
    a hash-ordered map or set: one of `maps` / `sets` with the default hasher, or with a hasher
    from `random-hashers`. A hasher in `deterministic`, or one not proven either way, is not."""
    if fact.kind != "iteration" or not fact.paths:
        return None
    path = fact.paths[0]
    if path in params.get("deterministic", ()):
        return None
    if path in params.get("maps", ()):
        position = 2
    elif path in params.get("sets", ()):
        position = 1
    else:
        return None
    if len(fact.type_args) > position:
        hasher = fact.type_args[position]
        return path if hasher in params.get("random-hashers", ()) else None
    return path


def match_reach(params: dict, fact: Fact) -> Optional[str]:
    """A call that reaches, outside the in-scope source sets, a site of one of `families` (the
    index follows the calls; the fact names the callee and the family it reaches)."""
    if fact.kind != "reach" or fact.method not in params.get("families", ()):
        return None
    return fact.paths[0] if fact.paths else None


def match_set_iteration(params: dict, fact: Fact) -> Optional[str]:
    return fact.paths[0] if fact.kind == "set-iteration" else None


def match_identity_order(params: dict, fact: Fact) -> Optional[str]:
    """Order or buckets taken from `id()` / `hash()` (the Python front end finds the forms)."""
    return fact.paths[0] if fact.kind == "identity-order" else None


@record(frozen=True)
class Kind:
    params: Dict[str, type]
    required: tuple
    match: Callable[[dict, Fact], Optional[str]]
    languages: tuple

    def __init__(self, params, required, match, languages):
        d = self.__dict__  # frozen: fields are set once, here
        d['params'] = params
        d['required'] = required
        d['match'] = match
        d['languages'] = languages


KINDS: Dict[str, Kind] = {
    "path": Kind({"paths": list, "include-use": bool, "at-use-only": bool, "direct": bool}, (), match_path, ("rust",)),
    "method": Kind({"receivers": list, "methods": list}, ("receivers", "methods"), match_method, ("rust",)),
    "macro": Kind({"macros": list, "unless-first": list}, ("macros",), match_macro, ("rust",)),
    "call": Kind(
        {"paths": list, "except-paths": list, "methods": list, "when": str, "seed-keywords": list, "in-async": bool, "values": bool, "first-arg": list},
        (),
        match_call,
        ("python",),
    ),
    "set-iteration": Kind({}, (), match_set_iteration, ("python",)),
    "typed-method": Kind({"types": list, "methods": list}, ("types", "methods"), match_typed_method, ("rust",)),
    "trait-method": Kind({"traits": list, "methods": list}, ("traits", "methods"), match_trait_method, ("rust",)),
    "hash-iteration": Kind(
        {"maps": list, "sets": list, "random-hashers": list, "deterministic": list}, ("maps", "sets"), match_hash_iteration, ("rust",)
    ),
    "identity-order": Kind({}, (), match_identity_order, ("python",)),
    "reach": Kind({"families": list}, ("families",), match_reach, ("rust", "python")),
}

WHEN_VALUES = ("always", "no-args", "no-seed", "one-arg")


def path_lists(params: dict) -> list:
    """Every dotted or `::` path a matcher's parameters name (for prefilters and self-tests)."""
    out = []
    for key in ("paths", "receivers", "macros", "types", "maps", "sets", "traits"):
        out.extend(params.get(key, ()))
    return out
