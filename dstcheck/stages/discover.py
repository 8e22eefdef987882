"""Stage 1: find the files to check and what the configuration says about each one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from dstcheck import globs
from dstcheck.config import Config, Scope, language_of
from dstcheck.errors import UsageError

SKIP_DIRS = {"target", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class FileEntry:
    path: str  # project-relative POSIX path: what every output and glob uses
    abspath: str
    language: str
    scope: Optional[Scope]  # None: outside every in-scope source set (or excluded)
    test: Optional[str]  # why the whole file is test code, if it is


def _skip_dir(name: str, full: str) -> bool:
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    return os.path.exists(os.path.join(full, "pyvenv.cfg")) or os.path.exists(os.path.join(full, "CACHEDIR.TAG"))


def walk(directory: str) -> List[str]:
    """Every file below `directory` (absolute paths), skipping VCS, build and virtualenv dirs."""
    out = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not _skip_dir(d, os.path.join(current, d)))
        out.extend(os.path.join(current, f) for f in files)
    return out


_LISTINGS: dict = {}


def project_files(root: Path) -> List[str]:
    """Every file of the project, relative to its root (one walk per run and root)."""
    base = str(root)
    if base not in _LISTINGS:
        _LISTINGS[base] = sorted(relative(root, p) for p in walk(base))
    return _LISTINGS[base]


def relative(root: Path, path: str) -> str:
    full, base = os.path.abspath(path), str(root)
    if full.startswith(base + os.sep) and os.sep == "/":
        return full[len(base) + 1:]
    return Path(os.path.relpath(full, base)).as_posix()


def classify_file(config: Config, rel: str, abspath: str, honor_exclude: bool = True) -> Optional[FileEntry]:
    language = language_of(rel)
    if language is None or (honor_exclude and config.exclude and globs.matches(rel, config.exclude)):
        return None
    settings = config.languages[language]
    scope = None
    if not globs.matches(rel, settings.exclude):
        for candidate in config.scopes:
            if globs.matches(rel, candidate.include) and not globs.matches(rel, candidate.exclude):
                scope = candidate
                break
    test = "test path" if globs.matches(rel, settings.test_paths) else None
    return FileEntry(rel, abspath, language, scope, test)


def discover(config: Config, paths: Sequence[str] = (), honor_exclude: bool = True) -> List[FileEntry]:
    """The files named (directories walked), or the whole project; sorted by path."""
    candidates = []
    if not paths:
        candidates = [os.path.join(str(config.root), p) for p in project_files(config.root)]
    for given in paths:
        if os.path.isdir(given):
            candidates.extend(walk(os.path.abspath(given)))
        elif os.path.isfile(given):
            candidates.append(os.path.abspath(given))
        else:
            raise UsageError(f"{given}: no such file or directory")
    entries = {}
    for abspath in candidates:
        rel = relative(config.root, abspath)
        entry = classify_file(config, rel, abspath, honor_exclude)
        if entry is not None:
            entries[rel] = entry
    return [entries[k] for k in sorted(entries)]
