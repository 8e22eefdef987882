"""Rust module tree: a file inherits the cfg context of the `mod name;` that declares it.

`#[cfg(test)] mod tests;` makes tests.rs test code and `#[cfg(not(madsim))] mod real;` gates
real.rs, whichever files a run was given: the declaring parents are found by the module
layout (lib.rs / main.rs / mod.rs / name.rs and `#[path]`) and parsed when not already known.
"""

from __future__ import annotations

import posixpath
from typing import Callable, Dict, List, Optional, Tuple

from dstcheck.model import Context, ModDecl

ROOT_NAMES = ("lib.rs", "main.rs", "mod.rs")


def child_paths(parent: str, decl: ModDecl) -> List[str]:
    pdir, base = posixpath.split(parent)
    moddir = pdir if base in ROOT_NAMES else posixpath.join(pdir, base[:-3])
    inline = posixpath.join(moddir, *decl.inline_dirs) if decl.inline_dirs else moddir
    if decl.path_attr is not None:
        start = inline if decl.inline_dirs else pdir
        return [posixpath.normpath(posixpath.join(start, decl.path_attr))]
    return [posixpath.join(inline, decl.name + ".rs"), posixpath.join(inline, decl.name, "mod.rs")]


def parent_candidates(path: str, exists: Callable[[str], bool]) -> List[str]:
    """Files that could declare `path` by the default layout, nearest first, a few levels up."""
    out = []
    directory = posixpath.dirname(path)
    for _ in range(4):
        if not directory or directory == ".":
            break
        for name in ROOT_NAMES:
            out.append(posixpath.join(directory, name))
        out.append(directory + ".rs")
        directory = posixpath.dirname(directory)
    return [p for p in dict.fromkeys(out) if p != path and exists(p)]


def _rank(ctx: Context) -> int:
    """How far a context keeps code out of the DST build: live, test code, compiled out."""
    return 1 if ctx.test else 2 if ctx.gate else 0


def inherited_contexts(
    files: List[str],
    declaring: List[str],
    decls_of: Callable[[str], Optional[List[ModDecl]]],
    exists: Callable[[str], bool],
    test_of: Callable[[str], Optional[str]] = lambda path: None,
) -> Dict[str, Context]:
    """For each of `files`, the context its chain of declaring modules gives it. `declaring`
    are files whose declarations are known already (they may declare a file through #[path]).
    A file declared more than once (in both branches of a `cfg_if!`, by two `mod`s with
    opposite cfgs) is compiled when any declaration compiles it: the one that keeps it the
    least out of the DST build counts (live before test code before gated; the first found
    among equals)."""
    parents_of: Dict[str, List[Tuple[str, ModDecl]]] = {}
    scanned = set()

    def scan(parent: str) -> None:
        if parent in scanned:
            return
        scanned.add(parent)
        for decl in decls_of(parent) or ():
            for child in child_paths(parent, decl):
                found = parents_of.setdefault(child, [])
                if (parent, decl) not in found:
                    found.append((parent, decl))

    memo: Dict[str, Context] = {}
    active: List[str] = []  # the chain being followed: a declaration cycle (#[path] loops) adds nothing
    steps = [0]

    def context(path: str, depth: int = 0) -> Tuple[Context, bool]:
        """The context and whether it is provisional: reached while a cycle was cut, it may miss
        the declaration through a file still being followed, so it is not remembered (unless the
        walk has been long: a bound for pathological #[path] cycles)."""
        if path in memo:
            return memo[path], False
        if depth > 32:
            return Context(), True
        for candidate in parent_candidates(path, exists):
            scan(candidate)
        steps[0] += 1
        active.append(path)
        result = None
        provisional = False
        for parent, decl in parents_of.get(path, ()):
            if parent in active:
                provisional = True
                continue
            outer, partial = context(parent, depth + 1)
            provisional = provisional or partial
            inherited = decl.context.under(outer)
            if result is None or _rank(inherited) < _rank(result):
                result = inherited
            if _rank(result) == 0:
                provisional = False  # nothing can make it more live
                break
        active.pop()
        result = result or Context()
        why = test_of(path)  # a test or bench file: what it declares (`#[path = "../src/x.rs"]`) is test code there
        if why and not result.test and not result.gate:
            result = Context(test=f"{why} {path}", item=result.item)
        if not provisional or not active or steps[0] > 4096:
            memo[path] = result
        return result, provisional

    for path in declaring:
        scan(path)
    return {path: context(path)[0] for path in files}
