"""Path globs with gitignore-like meaning, matched against project-relative POSIX paths.

- `**` matches any number of directories, `*` and `?` never cross a `/`.
- A pattern with no `/` (other than a trailing one) matches at any depth: `*_test.rs`, `tests/`.
- A trailing `/` makes a directory pattern: it matches everything below that directory.
- Any other pattern is anchored at the project root: `crates/*/src/**/*.rs`, and so is one that
  starts with `/` or `./` (`/vendor/`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional, Sequence, Tuple

GLOB_CHARS = re.compile(r"[*?\[]")


@lru_cache(maxsize=None)
def compile_glob(pattern: str) -> "re.Pattern[str]":
    directory = pattern.endswith("/")
    rooted = pattern.startswith(("/", "./"))  # `/vendor/`, `./src/`: at the root only, as in .gitignore
    body = pattern[2:] if pattern.startswith("./") else pattern
    body = body.strip("/")
    anchored = rooted or "/" in body
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[":
            end = body.find("]", i + 1)
            if end == -1:
                out.append(re.escape(body[i]))
                i += 1
            else:
                out.append("[" + body[i + 1:end].replace("!", "^", 1) + "]")
                i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    regex = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if directory else "(?:/.*)?"
    return re.compile(f"^{prefix}{regex}{suffix}$")


def matches(path: str, patterns: Iterable[str]) -> bool:
    return any(compile_glob(p).match(path) for p in patterns)


@lru_cache(maxsize=None)
def union(patterns: Tuple[str, ...]) -> "re.Pattern[str]":
    """One regex for a list of globs: a path is matched once, not once per glob."""
    return re.compile("|".join(f"(?:{compile_glob(p).pattern})" for p in patterns) or r"(?!)")


def first(path: str, patterns: Sequence[str]) -> Optional[str]:
    """The first of `patterns` that matches `path`, or None."""
    if not union(tuple(patterns)).match(path):
        return None
    return next(p for p in patterns if compile_glob(p).match(path))


def is_literal(pattern: str) -> bool:
    return not GLOB_CHARS.search(pattern)
