"""Index stage: what resolving one file needs to know about the others.

Rust: the Cargo workspace (members, package names, dependency renames), each crate's module
tree and, per module, the names it binds (`use` of any visibility, type aliases, items with their
field and return types). Python: the project's own modules and what each binds at top level.

Per-file summaries are pure functions of a file's bytes (and the cfg profile), so they are cached
by content like analysis results. Each language's index has a `digest()`: the part of it that can
change another file's analysis. It goes into every analysis cache key of that language, so a warm
run stays warm until something that can change a result changes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from typing import Any, Dict, List, Tuple

from dstcheck.model import _FACTORY, record


UNRESOLVED = "references that looked like candidates but could not be resolved (neither proven nor cleared)"


@record
class Index:
    rust: Any = None  # dstcheck.rust.workspace.Workspace, or None when no Rust file is analysed
    python: Any = None  # dstcheck.python.project.Project, or None when no Python file is analysed
    stats: Counter = field(default_factory=Counter)  # files summarised, from the cache, parsed

    def __init__(self, rust=None, python=None, stats=_FACTORY):
        self.rust = rust
        self.python = python
        self.stats = Counter() if stats is _FACTORY else stats

    def digest(self, language: str) -> str:
        part = self.rust if language == "rust" else self.python
        return part.digest() if part is not None else ""

    def for_language(self, language: str):
        return self.rust if language == "rust" else self.python

    def problems(self) -> List:
        """A DST000 for each Cargo manifest the index needed but could not read: the crates it
        declares (their dependencies, renames and module trees) are not known, so what crosses
        into or out of them is not resolved, and a gate must not pass it silently."""
        from dstcheck.model import Site

        out = []
        for path, (why, line, column) in sorted((self.rust.broken if self.rust is not None else {}).items()):
            message = f"{why}: the crates it declares are not resolved across files until it is fixed"
            out.append(Site("DST000", "parse-error", path, line, column, line, column + 1, "", "", message, "violation"))
        return out


def build(config, entries: List, todo: List, store, options, rules: List) -> Index:
    """The index for a run. `entries` are every file discovered (the index may read files outside
    the source sets when in-scope code refers to them); `todo` are the files to be analysed;
    `rules` every rule the run may apply to some file (the same whichever files are named, so a
    pre-commit run indexes what a full scan does)."""
    index = Index()
    languages = {e.language for e in todo}
    if "rust" in languages:
        from dstcheck.rust import workspace

        index.rust = workspace.build(config, entries, todo, store, options, index.stats, sorted((r for r in rules if r.language == "rust"), key=lambda r: r.id))
    if "python" in languages:
        from dstcheck.python import project

        index.python = project.build(config, entries, todo, store, options, index.stats)
    return index


def link(index: Index, config, results: Dict[str, Any], rules_run: Dict[str, List], store) -> None:
    """After analysis: finish the references that left their file, now that every file's summary
    is known (the findings they produce join their file's results)."""
    for part in (index.rust, index.python):
        if part is not None and hasattr(part, "link"):
            part.link(config, results, rules_run, store, index.stats)


PARALLEL_MIN_FILES = 64  # below this a pool costs more than it saves


def summaries(paths: Dict[str, str], summarize, store, namespace: str, salt: bytes, stats: Counter, jobs: int = 1) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """({path: summary}, {path: content key}) for files given as {path: abspath}, from the cache
    where the content is unchanged, the rest computed (in a process pool when many).
    `summarize(source) -> JSON-able summary or None` must be a module-level function (or a
    functools.partial of one); a file that cannot be read has None (its analysis reports it)."""
    from dstcheck.stages import cache as cache_mod

    out: Dict[str, Any] = {}
    keys: Dict[str, str] = {}
    missing: List[str] = []
    for path in sorted(paths):
        digest = cache_mod.file_digest(store, path, paths[path])
        if digest is None:
            out[path] = None
            continue
        keys[path] = cache_mod.key_of_digest(salt, [namespace], digest)
        hit = store.get_raw(namespace, path, keys[path]) if store is not None else None
        if hit is not None:
            stats[f"{namespace}: from cache"] += 1
            out[path] = hit["summary"]
        else:
            missing.append(path)
    stats[f"{namespace}: summarised"] += len(missing)
    if jobs > 1 and len(missing) >= PARALLEL_MIN_FILES:
        from dstcheck.stages import workers

        with workers.pool(jobs) as pool:
            chunk = max(1, min(64, len(missing) // (jobs * 4)))
            done = pool.map(_summarize_file, [(paths[p], summarize) for p in missing], chunksize=chunk)
            out.update(zip(missing, done))
    else:
        out.update((p, _summarize_file((paths[p], summarize))) for p in missing)
    if store is not None:
        for path in missing:
            store.put_raw(namespace, path, keys[path], {"summary": out[path]})
    return out, keys


def _summarize_file(job):
    abspath, summarize = job
    try:
        with open(abspath, "rb") as handle:
            return summarize(handle.read())
    except OSError:
        return None
