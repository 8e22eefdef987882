"""The pipeline: discover -> analyze each file (parse, resolve, match) -> module tree -> classify.

`check`, `inventory` and `audit` are three views of the one list of Sites this returns.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import field
from typing import Dict, List, Sequence

from dstcheck import globs
from dstcheck.stages import hygiene
from dstcheck.stages import index as index_stage
from dstcheck.stages.index import Index
from dstcheck.stages.analyze import analyze_file, rust_mod_decls
from dstcheck.stages.classify import classify
from dstcheck.config import AllowEntry, Config, check_globs
from dstcheck.stages.discover import FileEntry, discover
from dstcheck.model import _FACTORY, Context, FileResult, Site, record
from dstcheck.stages.modtree import inherited_contexts
from dstcheck.rules import Rule


@record
class Selection:
    """Rule selection from the command line, on top of the configuration's."""

    select: Sequence[str] = ()
    ignore: Sequence[str] = ()

    def __init__(self, select=(), ignore=()):
        self.select = select
        self.ignore = ignore


@record
class Scan:
    config: Config
    entries: List[FileEntry]
    results: Dict[str, FileResult]
    sites: List[Site]
    rules_run: Dict[str, List[str]] = field(default_factory=dict)  # path -> rule ids that ran
    index: Index = field(default_factory=Index)
    marker_use: Dict[tuple, int] = field(default_factory=dict)  # (path, Marker) -> sites accepted
    allow_use: Dict[AllowEntry, int] = field(default_factory=dict)
    stale_baseline: List[dict] = field(default_factory=list)

    def __init__(self, config, entries, results, sites, rules_run=_FACTORY, index=_FACTORY, marker_use=_FACTORY, allow_use=_FACTORY, stale_baseline=_FACTORY):
        self.config = config
        self.entries = entries
        self.results = results
        self.sites = sites
        self.rules_run = {} if rules_run is _FACTORY else rules_run
        self.index = Index() if index is _FACTORY else index
        self.marker_use = {} if marker_use is _FACTORY else marker_use
        self.allow_use = {} if allow_use is _FACTORY else allow_use
        self.stale_baseline = [] if stale_baseline is _FACTORY else stale_baseline

    @property
    def violations(self) -> List[Site]:
        return [s for s in self.sites if s.disposition == "violation"]


def _picked(rule: Rule, names: Sequence[str]) -> bool:
    return rule.id in names or rule.family in names


def _chosen(rule: Rule, layers) -> bool:
    for select, ignore in layers:
        if select and not _picked(rule, select):
            return False
        if ignore and _picked(rule, ignore):
            return False
    return True


def selected_rules(config: Config, entry: FileEntry, selection: Selection) -> List[Rule]:
    """The language's rules that the configuration, the file's source set and the command line select."""
    layers = [(config.select, config.ignore), (selection.select, selection.ignore)]
    if entry.scope is not None:
        layers.insert(1, (entry.scope.select, entry.scope.ignore))
    return [r for r in config.pack.for_language(entry.language) if _chosen(r, layers)]


def rules_for(entry: FileEntry, selected: List[Rule], apply_rule_paths: bool = True) -> List[Rule]:
    """The selected rules that apply to this file's path (only-in / except-in)."""
    return [
        r
        for r in selected
        if not apply_rule_paths
        or ((r.only_in is None or globs.matches(entry.path, r.only_in)) and not (r.except_in and globs.matches(entry.path, r.except_in)))
    ]


def engine_rules_selected(config: Config, selection: Selection) -> set:
    layers = [(config.select, config.ignore), (selection.select, selection.ignore)]
    return {rid for rid, r in config.pack.rules.items() if r.language == "any" and _chosen(r, layers)}


SPARSE_FILES = 128  # a run analysing fewer files reads a few of the cached results: decode them one by one
PARALLEL_MIN_FILES = 64  # below this a pool costs more than it saves (pre-commit runs)...
PARALLEL_MIN_BYTES = 1 << 20  # ...unless the files are this large together (a commit of big files)
_WORKER_CONFIG = None
_WORKER_INDEX = None


def _init_worker(config: Config, index) -> None:
    global _WORKER_CONFIG, _WORKER_INDEX
    _WORKER_CONFIG, _WORKER_INDEX = config, index


def _work(job):
    """(result, whether it may be cached): a file the analysis could not finish is never cached."""
    path, abspath, language, rule_ids, prefilter = job
    rules = [_WORKER_CONFIG.pack.rules[r] for r in rule_ids]
    try:
        return analyze_file(path, abspath, language, rules, _WORKER_CONFIG, prefilter, _WORKER_INDEX), True
    except RecursionError:
        return _unchecked(path, language, "nested too deeply to check"), False
    except Exception as exc:  # a bug in dstcheck on one file: that file is not checked, and says so
        return _unchecked(path, language, f"internal error while checking this file ({type(exc).__name__}: {exc}); please report it"), False


def _unchecked(path: str, language: str, why: str) -> FileResult:
    """A DST000 for a file the analysis could not finish (never cached: the key is dropped)."""
    from dstcheck.model import Finding

    result = FileResult(path, language)
    result.findings.append(Finding("DST000", 1, 1, 1, 1, "", why))
    return result


@record
class Options:
    """How to run a scan; none of these change its result."""

    jobs: int = 0  # 0: all cores
    cache: bool = True
    prefilter: bool = True
    progress: bool = False
    cache_dir: str = None  # --cache-dir (else $DSTCHECK_CACHE_DIR, else .dstcheck_cache/ in the project)
    cache_name: str = None  # a file of its own in that directory (the inventory's scoped-out files), else check's

    def __init__(self, jobs=0, cache=True, prefilter=True, progress=False, cache_dir=None, cache_name=None):
        self.jobs = jobs
        self.cache = cache
        self.prefilter = prefilter
        self.progress = progress
        self.cache_dir = cache_dir
        self.cache_name = cache_name


def analyze_all(config: Config, todo: List[FileEntry], rules_run: Dict[str, List[Rule]], options: Options, full_scan: bool, store, index: Index) -> Dict[str, FileResult]:
    """Per-file analysis for every file, from the cache where possible, in parallel when large.
    Results are keyed by path, so their order never depends on the worker count."""
    from dstcheck.stages import cache as cache_mod

    salt = cache_mod.config_salt(config) if store else b""
    results: Dict[str, FileResult] = {}
    keys: Dict[str, str] = {}
    pending: List[FileEntry] = []
    digests = {lang: index.digest(lang) for lang in ("rust", "python")}
    digest_of: Dict[str, str] = {}
    for entry in todo:
        if store is not None:
            digest = store.digest(entry.path, entry.abspath)
            if digest is not None:
                digest_of[entry.path] = digest
                ids = [r.id for r in rules_run[entry.path]] + (["prefilter"] if options.prefilter else []) + [digests[entry.language]]
                keys[entry.path] = cache_mod.key_of_digest(salt, ids, digest)
                hit = store.get(entry.path, keys[entry.path])
                if hit is not None:
                    results[entry.path] = hit
                    continue
        pending.append(entry)
    jobs_list = [(e.path, e.abspath, e.language, tuple(r.id for r in rules_run[e.path]), options.prefilter) for e in pending]
    progress = _Progress(len(pending)) if options.progress and len(pending) >= 200 else None
    cacheable = set()
    for entry, (result, ok) in zip(pending, analyze_many(config, index, jobs_list, options.jobs, progress)):
        results[entry.path] = result
        if ok:
            cacheable.add(entry.path)
    if progress:
        progress.done()
    if store is not None:
        from dstcheck.rust.workspace import SUMMARY_NAMESPACE

        for entry in pending:
            if entry.path in keys and entry.path in cacheable:
                # a Rust file's module tables go where the link stage looks for another file's,
                # so a warm run that needs none of them does not read them
                at = (SUMMARY_NAMESPACE, cache_mod.key_of_digest(salt, [SUMMARY_NAMESPACE], digest_of[entry.path])) if entry.language == "rust" else None
                store.put(entry.path, keys[entry.path], results[entry.path], summary_at=at)
    return results


def analyze_many(config: Config, index, jobs_list: list, jobs: int = 0, progress=None):
    """(result, cacheable) for each (path, abspath, language, rule ids, prefilter) job, in order;
    in a process pool when there are many."""
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(jobs_list) > 1 and (len(jobs_list) >= PARALLEL_MIN_FILES or _total_size(jobs_list) >= PARALLEL_MIN_BYTES):
        from dstcheck.stages import workers

        chunk = max(1, min(32, len(jobs_list) // (jobs * 8)))
        with workers.pool(jobs, _init_worker, (config, index)) as pool:
            for done in pool.map(_work, jobs_list, chunksize=chunk):
                workers.raise_pending()
                if progress:
                    progress.step()
                yield done
    else:
        _init_worker(config, index)
        for job in jobs_list:
            done = _work(job)
            if progress:
                progress.step()
            yield done


def _total_size(jobs_list: list) -> int:
    total = 0
    for job in jobs_list:
        try:
            total += os.path.getsize(job[1])
        except OSError:
            pass  # the analysis reports it
    return total


class _Progress:
    """A one-line progress bar on stderr (only used on a terminal, never in CI)."""

    def __init__(self, total: int):
        self.total, self.count, self.shown = total, 0, -1

    def step(self) -> None:
        import sys

        self.count += 1
        percent = self.count * 100 // self.total
        if percent != self.shown:
            self.shown = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r[{bar:<25}] {self.count}/{self.total} files")
            sys.stderr.flush()

    def done(self) -> None:
        import sys

        sys.stderr.write("\r" + " " * 50 + "\r")
        sys.stderr.flush()


def scan(
    config: Config,
    paths: Sequence[str] = (),
    selection: Selection = Selection(),
    include_scoped_out: bool = False,
    ignore_markers: bool = False,
    entries: List[FileEntry] = None,
    baseline: List[dict] = None,
    apply_rule_paths: bool = True,
    options: Options = None,
) -> Scan:
    from dstcheck.stages import cache as cache_mod

    with _without_gc(), cache_mod.salted(config):
        return _scan(config, paths, selection, include_scoped_out, ignore_markers, entries, baseline, apply_rule_paths, options)


def _declarers(index: Index, paths: List[str]) -> List[str]:
    """The file declaring each file's module, by the index's module tree: a pre-commit run that
    names a file a `#[path = "../x.rs"]` brings in would not find its declaration among the files
    next to it, and would miss the cfg that gates it."""
    ws = index.rust
    if ws is None:
        return []
    out = set()
    for path in paths:
        module = ws.modules.get(path)
        for cut in range(len(module.path) - 1, -1, -1) if module is not None else ():
            owner = ws.files.get(module._replace(path=module.path[:cut]))
            if owner is not None:
                out.add(owner)
                break
    return sorted(out)


@contextmanager
def _without_gc():
    """A scan allocates millions of small objects and frees them by reference counting; the cycle
    collector only re-walks them (a fifth of a cold run, a third of a warm one). So it is paused
    for the scan; what the scan leaves is then frozen (exempt from collection) before the
    collector resumes, or resuming would walk all of it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _scan(config, paths, selection, include_scoped_out, ignore_markers, entries, baseline, apply_rule_paths, options) -> Scan:
    full_scan = not paths
    entries = discover(config, paths) if entries is None else entries
    if full_scan:
        check_globs(config)
    todo = [e for e in entries if e.scope is not None or include_scoped_out]
    chosen: Dict[tuple, List[Rule]] = {}  # what a file's source set and language select, once each
    for e in entries:
        if (id(e.scope), e.language) not in chosen:
            found = selected_rules(config, e, selection)
            if e.scope is None:  # a reach site is an in-scope call; out of scope, the site it reaches shows itself
                found = [r for r in found if not any(m.kind == "reach" for m in r.matchers)]
            chosen[(id(e.scope), e.language)] = found
    rules_run = {e.path: rules_for(e, chosen[(id(e.scope), e.language)], apply_rule_paths) for e in todo}
    options = options or Options()
    from dstcheck.stages import cache as cache_mod

    store = cache_mod.Cache(config.root, options.cache_dir, options.cache_name, sparse=len(todo) < SPARSE_FILES) if options.cache and config.cache else None
    layers = [(config.select, config.ignore), (selection.select, selection.ignore)]
    index = index_stage.build(config, entries, todo, store, options, [r for r in config.pack.rules.values() if _chosen(r, layers)])
    results = analyze_all(config, todo, rules_run, options, full_scan, store, index)
    index_stage.link(index, config, results, rules_run, store)
    index.stats[index_stage.UNRESOLVED] = sum(results[e.path].unresolved for e in todo if e.scope is not None)
    if store is not None:
        if full_scan:
            from dstcheck.stages.discover import project_files

            store.prune(set(project_files(config.root)))
        store.save()
        index.stats.update(store.stats)

    root = str(config.root)
    rust_files = [e.path for e in todo if e.language == "rust" and results[e.path].findings]
    declaring = [e.path for e in todo if e.language == "rust" and results[e.path].mod_decls]
    if not full_scan:
        declaring += _declarers(index, rust_files)
    known = {e.path for e in entries} if full_scan else None

    def decls_of(path: str):
        if path in results:
            return results[path].mod_decls
        return rust_mod_decls(os.path.join(root, path), config)

    tests = {e.path: e.test for e in entries}

    def test_of(path: str):
        if path not in tests:
            from dstcheck.stages.discover import classify_file

            entry = classify_file(config, path, os.path.join(root, path))
            tests[path] = entry.test if entry is not None else None
        return tests[path]

    inherited = inherited_contexts(
        rust_files, declaring, decls_of, (lambda p: p in known) if known is not None else (lambda p: os.path.isfile(os.path.join(root, p))), test_of
    )
    sites: List[Site] = []
    marker_use: Dict[tuple, int] = {}
    allow_use: Dict[AllowEntry, int] = {}
    for entry in todo:
        found, markers, allows = classify(
            config,
            results[entry.path],
            entry.scope is not None,
            entry.test,
            inherited.get(entry.path, Context()),
            ignore_markers,
        )
        sites.extend(found)
        for marker, count in markers.items():
            marker_use[(entry.path, marker)] = marker_use.get((entry.path, marker), 0) + count
        for allow, count in allows.items():
            allow_use[allow] = allow_use.get(allow, 0) + count
    engine = engine_rules_selected(config, selection)
    in_scope = {e.path: e for e in todo if e.scope is not None}
    if not ignore_markers:
        by_path: Dict[str, List[Site]] = {}
        for site in sites:
            by_path.setdefault(site.path, []).append(site)
        selected = {p: [r.id for r in chosen[(id(e.scope), e.language)]] for p, e in in_scope.items()}
        language_rules = {lang: [r.id for r in config.pack.for_language(lang)] for lang in ("rust", "python")}
        sites.extend(hygiene.marker_sites(config, {p: results[p] for p in in_scope}, by_path, selected, language_rules, engine))
    if "DST004" in engine:
        selected_anywhere = {r.id for r in config.pack.rules.values() if r.matchers and _chosen(r, [(config.select, config.ignore), (selection.select, selection.ignore)])}
        sites.extend(hygiene.allowlist_sites(config, allow_use, full_scan, selected_anywhere))
    sites.extend(getattr(entries, "problems", ()))  # unreadable directories (discovery's DST000)
    sites.extend(index.problems())  # unreadable Cargo manifests (the index's DST000)
    stale: List[dict] = []
    if baseline is not None:
        from dstcheck.views import baseline as baseline_mod

        sites, stale = baseline_mod.apply(sites, baseline, set(in_scope) | {a.file for a in config.allowlist})
    sites.sort(key=Site.sort_key)
    return Scan(
        config=config,
        entries=entries,
        results=results,
        sites=sites,
        rules_run={p: [r.id for r in rs] for p, rs in rules_run.items()},
        index=index,
        marker_use=marker_use,
        allow_use=allow_use,
        stale_baseline=stale,
    )
