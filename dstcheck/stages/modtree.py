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


def inherited_contexts(
    files: List[str],
    declaring: List[str],
    decls_of: Callable[[str], Optional[List[ModDecl]]],
    exists: Callable[[str], bool],
) -> Dict[str, Context]:
    """For each of `files`, the context its chain of declaring modules gives it. `declaring`
    are files whose declarations are known already (they may declare a file through #[path])."""
    parent_of: Dict[str, Tuple[str, ModDecl]] = {}
    scanned = set()

    def scan(parent: str) -> None:
        if parent in scanned:
            return
        scanned.add(parent)
        for decl in decls_of(parent) or ():
            for child in child_paths(parent, decl):
                parent_of.setdefault(child, (parent, decl))

    memo: Dict[str, Context] = {}

    def context(path: str, depth: int = 0) -> Context:
        if path in memo:
            return memo[path]
        if depth > 32:
            return Context()
        for candidate in parent_candidates(path, exists):
            scan(candidate)
        found = parent_of.get(path)
        result = Context()
        if found is not None:
            parent, decl = found
            result = decl.context.under(context(parent, depth + 1))
        memo[path] = result
        return result

    for path in declaring:
        scan(path)
    return {path: context(path) for path in files}
