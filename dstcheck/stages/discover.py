"""Stage 1: find the files to check and what the configuration says about each one.

Nothing in scope is skipped silently. The walk leaves out, by default, directories that hold no
project source: version-control metadata and bytecode and tool caches (by name), virtual
environments, node_modules and tagged caches (by name, or by the CACHEDIR.TAG / pyvenv.cfg inside
them: Cargo tags every target directory, so a module directory called `target` is walked); the
configuration's `exclude` drops what it names. Of these, those that may hold source files are
listed for `--show-all` and `--statistics` when a source set could reach them; a directory that
cannot be read is a DST000 there. Symbolic links to directories are not followed, and FIFOs and
other special files are never opened.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from dstcheck import globs
from dstcheck.config import EXTENSIONS, Config, Scope, check_globs
from dstcheck.errors import ConfigError, UsageError
from dstcheck.model import _FACTORY, Site, record

# Never walked. Directories that hold no source by construction are skipped without a word; the
# others (they may hold .py or generated .rs files) are reported when a source set could reach them.
QUIET = {".git", ".hg", ".svn", ".bzr", ".jj", "__pycache__", ".dstcheck_cache", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SKIP_NAMES = {"node_modules": "JavaScript dependencies", ".tox": "tool environments", ".nox": "tool environments"}
SKIP_MARKERS = {"CACHEDIR.TAG": "tagged cache directory (e.g. Cargo's target/)", "pyvenv.cfg": "virtual environment", "conda-meta": "conda environment"}


@record(frozen=True)
class FileEntry:
    path: str  # project-relative POSIX path: what every output and glob uses
    abspath: str
    language: str
    scope: Optional[Scope]  # None: outside every in-scope source set (or excluded)
    test: Optional[str]  # why the whole file is test code, if it is

    def __init__(self, path, abspath, language, scope, test):
        d = self.__dict__  # frozen: fields are set once, here
        d['path'] = path
        d['abspath'] = abspath
        d['language'] = language
        d['scope'] = scope
        d['test'] = test


@record
class Listing:
    """One walk: the regular files found, and everything not looked at, with the reason."""

    files: List[str] = field(default_factory=list)  # project-relative, sorted
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (directory/, why): not walked
    unreadable: List[Tuple[str, str]] = field(default_factory=list)  # (directory/, error)
    special: List[Tuple[str, str]] = field(default_factory=list)  # (path, kind): source-named, not a regular file

    def __init__(self, files=_FACTORY, skipped=_FACTORY, unreadable=_FACTORY, special=_FACTORY):
        self.files = [] if files is _FACTORY else files
        self.skipped = [] if skipped is _FACTORY else skipped
        self.unreadable = [] if unreadable is _FACTORY else unreadable
        self.special = [] if special is _FACTORY else special


class Discovered(list):
    """The FileEntries of a run (a list, sorted by path) and what discovery could not look at:
    `skipped` (path, why) for the report, `problems` DST000 sites for unreadable directories."""

    def __init__(self, entries=(), skipped=(), problems=()):
        super().__init__(entries)
        self.skipped: List[Tuple[str, str]] = list(skipped)
        self.problems: List[Site] = list(problems)


def is_file_entry(entry: os.DirEntry) -> bool:
    """A directory entry that is a file, its link followed; False for a link that cannot be
    followed (a loop, a dangling link: discovery reports those)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def is_dir_entry(entry: os.DirEntry) -> bool:
    """A directory entry that is a directory, its link followed; False when it cannot be."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _special_kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "broken symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "not a regular file"


def walk(root: str, start: str = "", keep: Tuple[str, ...] = ()) -> Listing:
    """Every file below `root`/`start` (relative paths), iteratively (no depth limit). A
    directory skipped by default is walked when a `keep` prefix (an include glob's literal
    directory, such as `vendor/node_modules/pkg/`) leads into it: the user named it."""
    out = Listing()
    named = {prefix[:i] for prefix in keep for i, char in enumerate(prefix) if char == "/"}  # directories leading to a kept prefix

    stack = [start]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel) if rel else root) as it:
                children = list(it)
        except OSError as exc:
            out.unreadable.append((rel + "/", exc.strerror or str(exc)))
            continue
        names = {c.name for c in children}
        marker = next((why for name, why in SKIP_MARKERS.items() if name in names), None)
        if marker and rel != start and rel not in named:
            out.skipped.append((rel + "/", marker))
            continue
        for child in children:
            path = f"{rel}/{child.name}" if rel else child.name
            try:
                is_dir = child.is_dir(follow_symlinks=False)
                is_file = not is_dir and child.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                if path in named or not (child.name in SKIP_NAMES or child.name in QUIET):
                    stack.append(path)
                elif child.name in SKIP_NAMES:
                    out.skipped.append((path + "/", SKIP_NAMES[child.name]))
            elif is_file:
                out.files.append(path)
            elif child.is_symlink() and os.path.isdir(child.path):
                out.skipped.append((path + "/", "symbolic link to a directory: not followed"))
            elif os.path.splitext(child.name)[1] in EXTENSIONS:
                out.special.append((path, _special_kind(child.path)))
    out.files.sort()
    for items in (out.skipped, out.unreadable, out.special):
        items.sort()
    return out


_LISTINGS: Dict[str, Listing] = {}


def listing(root: Path, refresh: bool = False, keep: Tuple[str, ...] = ()) -> Listing:
    """The walk of the whole project (one per run and root: a full scan refreshes it)."""
    base = str(root)
    if refresh or base not in _LISTINGS:
        _LISTINGS[base] = walk(base, "", keep)
    return _LISTINGS[base]


def project_files(root: Path) -> List[str]:
    """Every file of the project, relative to its root."""
    return listing(root).files


def relative(root: Path, path: str) -> str:
    full, base = os.path.abspath(path), str(root)
    if full.startswith(base + os.sep) and os.sep == "/":
        return full[len(base) + 1:]
    return Path(os.path.relpath(full, base)).as_posix()


def _matches(path: str, patterns: List[str]) -> bool:
    return globs.union(tuple(patterns)).match(path) is not None


def _language(rel: str) -> Optional[str]:
    dot = rel.rfind(".")
    return EXTENSIONS.get(rel[dot:]) if dot > rel.rfind("/") else None


def classify_file(config: Config, rel: str, abspath: str, honor_exclude: bool = True, reachable: bool = True) -> Optional[FileEntry]:
    """`reachable=False`: the file lies outside every include glob's literal prefix, so no source
    set can hold it and the include globs need not be matched. (`classifier` classifies many.)"""
    language = _language(rel)
    if language is None or (honor_exclude and config.exclude and _matches(rel, config.exclude)):
        return None
    settings = config.languages[language]
    scope = None
    if reachable and not _matches(rel, settings.exclude):
        for candidate in config.scopes:
            if _matches(rel, candidate.include) and not _matches(rel, candidate.exclude):
                scope = candidate
                break
    test_paths = settings.test_paths if scope is None or scope.test_paths is None else scope.test_paths
    test = "test path" if _matches(rel, test_paths) else None
    return FileEntry(rel, abspath, language, scope, test)


def classifier(config: Config, honor_exclude: bool = True):
    """`classify_file` for many files of one configuration, as it is now: each list of its globs
    is looked up once as its one regular expression, not once per file."""

    def matcher(patterns):
        return globs.union(tuple(patterns)).match if patterns else None

    excluded = matcher(config.exclude) if honor_exclude else None
    languages = {lang: (matcher(s.exclude), matcher(s.test_paths)) for lang, s in config.languages.items()}
    scopes = [(scope, matcher(scope.include), matcher(scope.exclude), None if scope.test_paths is None else matcher(scope.test_paths)) for scope in config.scopes]

    def classify(rel: str, abspath: str, reachable: bool = True) -> Optional[FileEntry]:
        dot = rel.rfind(".")
        language = EXTENSIONS.get(rel[dot:]) if dot > rel.rfind("/") else None
        if language is None or (excluded is not None and excluded(rel)):
            return None
        language_exclude, tests = languages[language]
        scope = None
        if reachable and not (language_exclude is not None and language_exclude(rel)):
            for candidate, include, exclude, scope_tests in scopes:
                if include is not None and include(rel) and not (exclude is not None and exclude(rel)):
                    scope = candidate
                    if candidate.test_paths is not None:
                        tests = scope_tests
                    break
        return FileEntry(rel, abspath, language, scope, "test path" if tests is not None and tests(rel) else None)

    return classify


def _body(pattern: str) -> str:
    body = pattern[2:] if pattern.startswith("./") else pattern
    return body.strip("/")


def matches_a_file(pattern: str, files: Sequence[str]) -> bool:
    """Whether the glob matches one of `files` (sorted, as a listing is): only the slice its
    literal prefix allows is tried."""
    import bisect
    from itertools import islice, takewhile

    regex = globs.compile_glob(pattern)
    prefix = literal_prefix(pattern)
    allowed = takewhile(lambda p: p.startswith(prefix), islice(files, bisect.bisect_left(files, prefix), None))
    return any(regex.match(p) for p in allowed)


def literal_prefix(pattern: str) -> str:
    """The leading literal part of an include glob: no file outside it can match ('' for all)."""
    body = _body(pattern)
    if "/" not in body:
        return ""  # a pattern without a slash matches at any depth
    parts = body.split("/")
    literal = []
    for part in parts:
        if not globs.is_literal(part):
            break
        literal.append(part)
    if len(literal) == len(parts):
        return body
    return "/".join(literal) + "/" if literal else ""


def could_reach(pattern: str, directory: str) -> bool:
    """Whether the glob could match some path below `directory` (a relative directory path)."""
    body = _body(pattern)
    if "/" not in body:
        return True
    parts = body.split("/")
    for i, name in enumerate(directory.strip("/").split("/")):
        if i >= len(parts) or "**" in parts[i]:
            return True  # a matched directory matches everything below it
        if not fnmatch.fnmatchcase(name, parts[i]):
            return False
    return True


def _reachable(config: Config, directory: str) -> bool:
    return any(could_reach(p, directory) for scope in config.scopes for p in scope.include)


def _problem(path: str, message: str) -> Site:
    return Site("DST000", "parse-error", path, 1, 1, 1, 2, "", "", message, "violation")


def _outside(config: Config, given: str) -> bool:
    rel = relative(config.root, given)
    return rel == ".." or rel.startswith("../") or os.path.isabs(rel)


def discover(config: Config, paths: Sequence[str] = (), honor_exclude: bool = True) -> Discovered:
    """The files named (directories walked), or the whole project; sorted by path."""
    walks: List[Listing] = []
    candidates: List[str] = []
    literal = tuple(sorted({literal_prefix(p) for scope in config.scopes for p in scope.include}))
    if not paths:
        walks.append(listing(config.root, refresh=True, keep=literal))
    for given in paths:
        if _outside(config, given):
            raise UsageError(f"{given}: outside the project root {config.root} (the directory of {config.file or 'the working directory'})")
        rel = relative(config.root, given)
        if os.path.isdir(given):
            walks.append(walk(str(config.root), "" if rel == "." else rel, literal))
        elif os.path.isfile(given):
            candidates.append(rel)
        elif os.path.lexists(given):
            walks.append(Listing(special=[(rel, _special_kind(given))]))
        else:
            raise UsageError(f"{given}: no such file or directory")
    for found in walks:
        candidates.extend(found.files)
    base = str(config.root) + os.sep
    entries: Dict[str, FileEntry] = {}
    classify = classifier(config, honor_exclude)
    for rel in candidates:  # a file outside every literal prefix is in no source set: no glob to match
        entry = classify(rel, base + rel, rel.startswith(literal))
        if entry is not None:
            entries[rel] = entry
    skipped, problems = set(), []
    for found in walks:
        for path, why in found.skipped:
            if _reachable(config, path):
                skipped.add((path, why))
        for path, error in found.unreadable:
            if _reachable(config, path):
                problems.append(_problem(path, f"cannot read directory: {error}: nothing below it was checked"))
            else:
                skipped.add((path, f"cannot read directory: {error}"))
        for path, kind in found.special:
            entry = classify(path, base + path)
            if entry is not None and entry.scope is not None:
                skipped.add((path, f"{kind}: not a regular file, not opened"))
    if honor_exclude and config.exclude:
        skipped = {(p, w) for p, w in skipped if not globs.matches(p, config.exclude)}
        problems = [s for s in problems if not globs.matches(s.path, config.exclude)]
    found = Discovered([entries[k] for k in sorted(entries)], sorted(skipped), sorted(problems, key=Site.sort_key))
    if not paths and honor_exclude and config.scopes_declared:
        check_globs(config)  # a glob that matches no file at all is the more precise error
        check_scopes(config, found, walks[0].files)
    return found


def check_scopes(config: Config, found: Discovered, files: Sequence[str]) -> None:
    """On a full scan, every configured [[scope]] must hold a source file: one whose include
    matches only other files, or whose files its exclude, the top-level exclude, the language's
    exclude or earlier scopes all take away, checks nothing, and a gate that silently checks
    nothing is the worst failure it can have. A scope of files without sites, or of test files
    only, is fine; a directory that could not be read is a DST000 instead (it may hold them)."""
    held = {id(e.scope) for e in found}
    for index, scope in enumerate(config.scopes):
        if id(scope) in held or any(_could_hold(scope, s.path) for s in found.problems):
            continue
        raise ConfigError(config.file or "(defaults)", f"scope[{index}]", f"scope {scope.name!r} " + _why_empty(config, scope, found, files))


def _could_hold(scope: Scope, directory: str) -> bool:
    return any(could_reach(p, directory) for p in scope.include)


def _why_empty(config: Config, scope: Scope, found: Discovered, files: Sequence[str]) -> str:
    include = f"its include ({', '.join(scope.include)})"
    sources = [f for f in files if _language(f) is not None and _matches(f, scope.include)]
    not_walked = sorted(p for p, _ in found.skipped if p.endswith("/") and _could_hold(scope, p))
    if not_walked:
        shown = ", ".join(not_walked[:3]) + (f" and {len(not_walked) - 3} more" if len(not_walked) > 3 else "")
        include += f" (not walked: {shown}; see --show-all)"
    if not sources:
        return f"matches no Rust or Python source file: expected {include} to match a .rs or .py file"
    removed = f"removes every .rs or .py file {include} matches"
    sources = [f for f in sources if not (scope.exclude and _matches(f, scope.exclude))]
    if not sources:
        return f"holds no source file: its exclude ({', '.join(scope.exclude)}) {removed}"
    sources = [f for f in sources if not (config.exclude and _matches(f, config.exclude))]
    if not sources:
        return f"holds no source file: the top-level exclude ({', '.join(config.exclude)}) {removed}"
    languages = sorted({_language(f) for f in sources})
    sources = [f for f in sources if not _matches(f, config.languages[_language(f)].exclude)]
    if not sources:
        excludes = " and ".join(f"{lang}.exclude ({', '.join(config.languages[lang].exclude)})" for lang in languages)
        return f"holds no source file: {excludes} {removed.replace('removes', 'remove' if len(languages) > 1 else 'removes')}"
    owners = {e.path: e.scope for e in found}
    earlier = [s for s in config.scopes if any(owners.get(f) is s for f in sources)]
    names = ", ".join(repr(s.name) for s in earlier)
    if not names:  # not reached: a source file no exclude removes is held by some scope
        return f"holds no source file {include} matches"
    return f"holds no source file: every .rs or .py file {include} matches belongs to an earlier scope ({names}; the first scope that matches a file wins)"
