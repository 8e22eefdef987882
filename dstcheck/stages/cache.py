"""Content cache: per-file results keyed by the file's bytes and everything that can change them
(tool version and code, the rules that ran and their parameters, re-exports, the cfg profile, the
marker, the guards). Module-tree context is applied after the cache, so it is not part of the key.

Trust: the key of an entry is something anyone can compute, so an entry is only believed when the
cache file carries a MAC made with a secret key that never lives in the project tree (the user's
cache directory, or the `--cache-dir` the cache itself lives in). A cache that was committed,
copied from another machine or edited by hand does not verify and is ignored; so is a cache
directory that git tracks. Each namespace's file is one header line (`dstcheck-cache v2 <mac>`)
and a JSON body, replaced atomically.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import fields
from functools import lru_cache
from glob import escape as glob_escape
from pathlib import Path
from typing import Dict, Optional

from dstcheck import __version__

try:  # hashlib and hmac would load OpenSSL (a few milliseconds at every start) for what _blake2 does
    from _blake2 import blake2b
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover
    from hashlib import blake2b
    from hmac import compare_digest
from dstcheck.model import Context, FileResult, Finding, Marker, ModDecl

DIRNAME = ".dstcheck_cache"
FILENAME = "results-v2"
KEYNAME = "key"
RESULTS = "results"
FILES = "files"  # a file's digest by its size, modification time and inode
TOML = "toml-v2"  # a Cargo manifest's parsed table (or why it cannot be read), the same way
RUNS_KEPT = 4
DELTAS_KEPT = 8  # a namespace with this many delta files is rewritten whole on its next save
RACY_SECONDS = 2
ENV_DIR = "DSTCHECK_CACHE_DIR"
MAGIC = b"dstcheck-cache v2 "
# Namespaces whose entries are pure functions of their key (a file's stat stamp, or a digest of
# its bytes and the configuration): what one store of this process was given serves any other
# (the inventory's two scans, each with its own cache file), which then keeps it too.
CONTENT_KEYED = {FILES, TOML}
_GIVEN: Dict[tuple, dict] = {}  # (project root, namespace, path, key) -> the value a store was given this process


def content_keyed(namespace: str) -> str:
    CONTENT_KEYED.add(namespace)
    return namespace


REJECTED = "cache entries rejected (not authenticated)"
MALFORMED = "cache entries rejected (malformed)"


@lru_cache(maxsize=None)
def _code_digest() -> str:
    """The tool's own code: a changed analysis (even without a version bump) invalidates the cache."""
    h = blake2b(digest_size=16)
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for rel in _sources(package, ""):
        with open(os.path.join(package, rel), "rb") as handle:
            h.update(rel.encode() + b"\0" + handle.read())
    return h.hexdigest()


def _sources(base: str, rel: str) -> list:
    """The .py files below `base`/`rel` (relative POSIX paths), in the order of their paths' parts."""
    out = []
    with os.scandir(os.path.join(base, rel) if rel else base) as it:
        for entry in sorted(it, key=lambda e: e.name):
            path = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir():
                out.append((entry.name, _sources(base, path)))
            elif entry.name.endswith(".py") and entry.is_file():
                out.append((entry.name, [path]))
    return [p for _, paths in sorted(out) for p in paths]


_SALTS: list = []  # [(config, salt)] while a scan runs (`salted`): its stages ask for it several times


@contextmanager
def salted(config):
    """While a scan runs, its configuration does not change: its salt is computed once."""
    _SALTS.append((config, None))
    try:
        yield
    finally:
        _SALTS.pop()


def config_salt(config) -> bytes:
    """Everything in the configuration and the tool that can change one file's analysis."""
    if _SALTS and _SALTS[-1][0] is config:
        if _SALTS[-1][1] is None:
            _SALTS[-1] = (config, _config_salt(config))
        return _SALTS[-1][1]
    return _config_salt(config)


def _config_salt(config) -> bytes:
    rules = {
        rid: {"matchers": [[m.kind, sorted(m.params.items())] for m in r.matchers], "message": r.message}
        for rid, r in sorted(config.pack.rules.items())
    }
    data = {
        "version": __version__,
        "code": _code_digest(),
        "rules": rules,
        "reexports": config.pack.reexports,
        "profile": repr(config.profile),
        "marker": config.marker,
        "guards": config.languages["python"].guards,
    }
    return blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).digest()


def content_digest(source: bytes) -> str:
    return blake2b(source, digest_size=20).hexdigest()


def file_digest(store, path: str, abspath: str) -> Optional[str]:
    """`content_digest` of a file: through the cache's stat memo when there is a cache; None
    when it cannot be read."""
    if store is not None:
        return store.digest(path, abspath)
    try:
        with open(abspath, "rb") as handle:
            return content_digest(handle.read())
    except OSError:
        return None


def _json_safe(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def key(salt: bytes, rule_ids, source: bytes) -> str:
    return key_of_digest(salt, rule_ids, content_digest(source))


def key_of_digest(salt: bytes, rule_ids, digest: str) -> str:
    """An entry's key from the file's digest (`Cache.digest` finds it without reading the file)."""
    h = blake2b(salt, digest_size=20)
    h.update(",".join(rule_ids).encode() + b"\0" + digest.encode())
    return h.hexdigest()


def to_json(result: FileResult) -> dict:
    """The cached form of a result: its records as dicts, the rest (already plain JSON data, never
    changed once analysed) as it is. `dataclasses.asdict` deep-copies every summary: a third of a
    cold run's cost on a large tree."""
    return _plain(result)


def _plain(value):
    names = _NAMES.get(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if type(value) is list and (not value or type(value[0]) in _NAMES):  # a new list: the result's may grow
        return [_plain(v) for v in value]
    return value


class _Invalid(ValueError):
    pass


_ELEMENTS = {"findings": Finding, "markers": Marker, "mod_decls": ModDecl}  # FileResult's lists of records
_SCALARS = {"int": int, "str": str, "bool": bool, "dict": dict, "list": list}


@lru_cache(maxsize=None)
def _spec(cls) -> tuple:
    """(field, optional, check, argument) per field of a model dataclass, read once from its
    annotations (strings: model.py has postponed annotations)."""
    out = []
    for f in fields(cls):
        annotation = str(f.type)
        optional = annotation.startswith("Optional[")
        if optional:
            annotation = annotation[len("Optional["):-1]
        if annotation in _RECORDS:
            out.append((f.name, optional, "record", _RECORDS[annotation]))
        elif annotation.startswith("Tuple[str"):
            out.append((f.name, optional, "strings", None))
        elif f.name in _ELEMENTS and annotation == "list":
            out.append((f.name, optional, "records", _ELEMENTS[f.name]))
        elif annotation in _SCALARS:
            out.append((f.name, optional, "scalar", _SCALARS[annotation]))
        else:
            out.append((f.name, optional, "any", None))
    return tuple(out)


def _record(cls, d):
    """An instance of a model dataclass from its cached dict, every field type-checked (exactly:
    a bool is never a line number). Containers without a declared element type are checked as such."""
    if type(d) is not dict:
        raise _Invalid(cls.__name__)
    values = {}
    for name, optional, check, arg in _spec(cls):
        if name not in d:
            raise _Invalid(name)
        value = d[name]
        if value is None and optional:
            values[name] = None
        elif check == "scalar":
            if type(value) is not arg:
                raise _Invalid(name)
            values[name] = value
        elif check == "record":
            values[name] = _record(arg, value)
        elif check == "records":
            if type(value) is not list:
                raise _Invalid(name)
            values[name] = [_record(arg, v) for v in value]
        elif check == "strings":
            if type(value) is not list or not all(type(v) is str for v in value):
                raise _Invalid(name)
            values[name] = tuple(value)
        else:
            values[name] = value
    return cls(**values)


_RECORDS = {"Context": Context, "Finding": Finding, "Marker": Marker, "ModDecl": ModDecl}
_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (FileResult, *_RECORDS.values())}


def from_json(d) -> FileResult:
    """A FileResult from its cached form; every field is type-checked (raises _Invalid), so a bad
    entry is a cache miss and never a crash later in the run."""
    return _record(FileResult, d)


def findings_from_json(items) -> list:
    """Findings from their cached form; raises ValueError when one is not in that shape."""
    if type(items) is not list:
        raise _Invalid("findings")
    return [_record(Finding, f) for f in items]


def user_cache_dir() -> Path:
    """Where the default key lives: the platform's per-user cache directory, outside any project."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "dstcheck" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "dstcheck"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "dstcheck"


def load_key(path: Path) -> bytes:
    """The MAC key at `path`, created (0600, atomically, never overwritten) on first use."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    import secrets  # imported here, as tempfile is in `_write`: a warm run that writes nothing needs neither
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=".key-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # fails if another run created it first: then use theirs
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _work_tree(directory: Path) -> Optional[Path]:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def tracked_by_git(path: Path) -> bool:
    """Whether git tracks `path` or anything below it (no git, or no work tree: not tracked)."""
    tree = _work_tree(path if path.is_dir() else path.parent)
    if tree is None:
        return False
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", os.path.relpath(str(path), str(tree))],
            cwd=str(tree), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout)


def _count_entries(body: bytes) -> int:
    try:
        spaces = json.loads(body)["spaces"]
        return max(1, sum(len(space) for space in spaces.values()))
    except (ValueError, TypeError, KeyError, AttributeError):
        return 1


# A namespace file's body is one JSON document, {"spaces": {namespace: {path: entry}}, "version": v},
# laid out one entry a line (compact JSON never holds a raw newline). A reader that verified the
# MAC splits the lines and decodes an entry only when the run asks for it: a pre-commit run reads
# a few module summaries of the hundreds a namespace holds. A body in any other layout (written by
# hand, or by a test) is parsed whole, as before.
def _head(namespace: str) -> str:
    return '{"spaces":{' + json.dumps(namespace) + ":{"


_FOOT = '}},"version":' + json.dumps(__version__) + "}"


def _body(namespace: str, space: Dict[str, object]) -> bytes:
    dumps = json.dumps
    lines = [
        dumps(path) + ":" + (entry if type(entry) is str else dumps(entry, sort_keys=True, separators=(",", ":")))
        for path, entry in sorted(space.items())
    ]
    return "\n".join([_head(namespace), ",\n".join(lines), _FOOT] if lines else [_head(namespace), _FOOT]).encode("utf-8")


# Entries this large on average are decoded one by one, when read: a full scan reads every result
# and decodes lazily only module summaries; a run over named files (a pre-commit run) needs a few
# results of the hundreds a namespace holds, so it reads those lazily too (`sparse`).
LAZY_ENTRY_BYTES = 4096
LAZY_ENTRY_BYTES_SPARSE = 512
LAZY_ENTRIES = 8  # nor is a namespace of fewer entries (one whole-run entry: the index) read lazily


def _lines(body: bytes, namespace: str, lazy_bytes: int = LAZY_ENTRY_BYTES) -> Optional[Dict[str, object]]:
    """{path: entry's JSON text} of a body in the one-entry-a-line layout whose entries are large
    (module summaries), else None: small entries (digests, results) are all read by a warm run,
    and one parse of the whole body is the fastest way to read them all."""
    window = lazy_bytes * 64  # small entries show in the first lines: no need to count every line
    if min(len(body), window) < lazy_bytes * body.count(b"\n", 0, window):
        return None
    at = 0
    for _ in range(LAZY_ENTRIES):
        at = body.find(b"\n", at) + 1
        if not at:
            return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    if len(lines) < 2 or lines[0] != _head(namespace) or lines[-1] != _FOOT:
        return None
    from json.decoder import scanstring

    space: Dict[str, object] = {}
    last = len(lines) - 3  # the last entry has no comma
    for i, line in enumerate(lines[1:-1]):
        if i < last:
            if not line.endswith(","):
                return None
            line = line[:-1]
        if not line.startswith('"'):
            return None
        try:
            path, end = scanstring(line, 1)
        except ValueError:
            return None
        if line[end:end + 2] != ':{':
            return None
        space[path] = line[end + 1:]
    return space


_SCAN = []  # the C scanner json.loads uses, without its per-call overhead (made on first use)


def _entry(space: Dict[str, object], path: str):
    """The entry at `path`, decoded on first use (None when absent or not a JSON object)."""
    entry = space.get(path)
    if type(entry) is str:
        if not _SCAN:
            _SCAN.append(json.JSONDecoder().scan_once)
        try:
            entry, end = _SCAN[0](entry, 0)
            if end != len(space[path]):
                entry = None
        except (StopIteration, ValueError):
            entry = None
        if type(entry) is not dict:
            del space[path]
            return None
        space[path] = entry
    return entry


def mac(secret: bytes, body: bytes) -> str:
    return blake2b(body, key=secret, digest_size=32, person=b"dstcheck-cache").hexdigest()


class Cache:
    """Entries by namespace (`results` for analysis, one per index part) and project path.

    `directory` is `--cache-dir` (or `$DSTCHECK_CACHE_DIR`): the cache and its key live there.
    Without it the cache is `.dstcheck_cache/` in the project and the key is in the user's cache
    directory. Each namespace is a file of its own (`results-v2`, `results-v2.<namespace>`), read
    the first time the run asks for it and written only when it changed: a warm run reads what it
    uses, not every index part. A file it cannot trust is not used, with a warning on stderr;
    `stats` counts the entries it rejected, for `--statistics`."""

    def __init__(self, root: Path, directory: Optional[str] = None, name: Optional[str] = None, sparse: bool = False):
        directory = directory or os.environ.get(ENV_DIR) or None
        if directory:
            self.dir = Path(os.path.abspath(directory))
            self.key_file = self.dir / KEYNAME
        else:
            self.dir = root / DIRNAME
            self.key_file = user_cache_dir() / KEYNAME
        self.root = root
        self.file = self.dir / (name or FILENAME)  # one directory and key; a caller may keep its own file there
        self.spaces: Dict[str, Dict[str, dict]] = {}  # the namespaces read so far
        self._added: Dict[str, Dict[str, dict]] = {}  # entries put into namespaces not read
        self._merged: Dict[str, list] = {}  # the delta files each namespace read has merged
        self._changed: Dict[str, set] = {}  # the paths each namespace was given this run
        self._pruned: set = set()  # namespaces this run removed entries from
        self.usable = True
        self.lazy_bytes = LAZY_ENTRY_BYTES_SPARSE if sparse else LAZY_ENTRY_BYTES  # `sparse`: the run reads a few files' entries
        self.stats: Counter = Counter()
        self.secret = b""
        try:
            self.secret = load_key(self.key_file)
            if len(self.secret) < 16:
                raise ValueError("key too short")
        except (OSError, ValueError) as exc:
            self._refuse(f"cache not used: cannot use its key {self.key_file}: {getattr(exc, 'strerror', None) or exc}")
            return
        if self._tracked():
            self._refuse(f"cache not used: {self.dir} is tracked by git (a committed cache is never trusted; untrack it)")
            return

    def _refuse(self, warning: str) -> None:
        self.usable = False
        sys.stderr.write(f"dstcheck: warning: {warning}\n")

    def _tracked(self) -> bool:
        """A cache directory (or key) that git tracks could have been written by anyone who commits."""
        if not (self.file.exists() or (self.dir / KEYNAME).exists() or self._namespace_files()):
            return False  # nothing in it to trust yet
        if tracked_by_git(self.dir):
            return True
        inside = os.path.abspath(str(self.key_file)).startswith(os.path.abspath(str(self.root)) + os.sep)
        return inside and self.key_file.parent != self.dir and tracked_by_git(self.key_file)

    def _namespace_files(self) -> list:
        try:
            return [n for n in os.listdir(self.dir) if n.startswith(self.file.name + ".")]
        except OSError:
            return []

    def _file_of(self, namespace: str) -> Path:
        return self.file if namespace == RESULTS else self.file.with_name(f"{self.file.name}.{namespace}")

    def _space(self, namespace: str) -> Dict[str, dict]:
        if namespace not in self.spaces:
            space = {}
            if self.usable:
                space = self._load(self._file_of(namespace), namespace)
                self._merged[namespace] = self._deltas(namespace)
                for delta in self._merged[namespace]:
                    space.update(self._load(delta, namespace))
            space.update(self._added.pop(namespace, {}))
            self.spaces[namespace] = space
        return self.spaces[namespace]

    def _deltas(self, namespace: str) -> list:
        """A namespace's delta files, oldest first: what runs that wrote entries into it without
        reading it (a pre-commit run's summaries) added, so that they did not rewrite it all."""
        return sorted(self.dir.glob(glob_escape(self._file_of(namespace).name) + ".delta-*"))

    def _load(self, file: Path, namespace: str) -> Dict[str, dict]:
        try:
            with open(file, "rb") as handle:
                raw = handle.read()
        except OSError:
            return {}
        head, _, body = raw.partition(b"\n")
        if not head.startswith(MAGIC) or not compare_digest(head[len(MAGIC):].decode("ascii", "replace"), mac(self.secret, body)):
            self.stats[REJECTED] += _count_entries(body)
            return {}
        lines = _lines(body, namespace, self.lazy_bytes)
        if lines is not None:
            return lines
        try:
            data = json.loads(body)
        except ValueError:
            return {}
        if isinstance(data, dict) and data.get("version") == __version__ and isinstance(data.get("spaces"), dict):
            space = data["spaces"].get(namespace)
            return space if isinstance(space, dict) else {}
        return {}

    @property
    def entries(self) -> Dict[str, dict]:
        return self._space(RESULTS)

    def get_raw(self, namespace: str, path: str, file_key: str) -> Optional[dict]:
        entry = _entry(self._space(namespace), path)
        if isinstance(entry, dict) and entry.get("key") == file_key:
            return entry
        given = _GIVEN.get((self.root, namespace, path, file_key)) if namespace in CONTENT_KEYED else None
        if given is not None:
            self.put_raw(namespace, path, file_key, given)
        return given

    def put_raw(self, namespace: str, path: str, file_key: str, value: dict) -> None:
        if namespace in CONTENT_KEYED:
            _GIVEN[(self.root, namespace, path, file_key)] = value
        if not self.usable:
            return
        space = self.spaces.get(namespace)
        (space if space is not None else self._added.setdefault(namespace, {}))[path] = {"key": file_key, **value}
        self._changed.setdefault(namespace, set()).add(path)

    def get_run(self, namespace: str, inputs: str) -> Optional[dict]:
        """A whole-run entry (hot words, taint) by the digest of what it was computed from. A few
        are kept, so a full scan and a pre-commit run over fewer crates do not evict each other."""
        runs = _entry(self._space(namespace), "")
        for item in runs.get("runs", ()) if isinstance(runs, dict) and isinstance(runs.get("runs"), list) else ():
            if isinstance(item, list) and len(item) == 2 and item[0] == inputs and isinstance(item[1], dict):
                return item[1]
        return None

    def put_run(self, namespace: str, inputs: str, value: dict) -> None:
        if not self.usable:
            return
        space = self._space(namespace)
        old = _entry(space, "")
        runs = [r for r in (old.get("runs", []) if isinstance(old, dict) and isinstance(old.get("runs"), list) else []) if isinstance(r, list) and r and r[0] != inputs]
        space[""] = {"key": "runs", "runs": (runs + [[inputs, value]])[-RUNS_KEPT:]}
        self._changed.setdefault(namespace, set()).add("")

    def digest(self, path: str, abspath: str) -> Optional[str]:
        """The digest of a file's bytes (`content_digest`), read back without reading the file when
        its size, modification time and inode are those it had when it was hashed."""
        digest = self.by_stat(FILES, path, abspath, content_digest, "digest")
        return digest if isinstance(digest, str) else None

    def by_stat(self, namespace: str, path: str, abspath: str, compute, name: str = "value"):
        """`compute(bytes)` of a file (a JSON value), read back without reading the file while its
        size, modification time and inode are those it had then; None when it cannot be read. A
        file changed less than RACY_SECONDS before it was read is read again next time (git's
        racy rule)."""
        try:
            st = os.stat(abspath)
        except OSError:
            return None
        stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        hit = self.get_raw(namespace, path, stamp)
        if hit is not None and name in hit:
            return hit[name]
        try:
            with open(abspath, "rb") as handle:
                value = compute(handle.read())
        except OSError:
            return None
        if time.time_ns() - st.st_mtime_ns > RACY_SECONDS * 10**9 and _json_safe(value):
            self.put_raw(namespace, path, stamp, {name: value})
        return value

    def get(self, path: str, file_key: str) -> Optional[FileResult]:
        entry = self.get_raw(RESULTS, path, file_key)
        if entry is None:
            return None
        try:
            return from_json(entry.get("result"))
        except _Invalid:
            self.stats[MALFORMED] += 1
            return None

    def put(self, path: str, file_key: str, result: FileResult, summary_at: Optional[tuple] = None) -> None:
        """`summary_at` (namespace, key): the result's summary is kept there instead of in the
        result (read back only by a run that needs it)."""
        data = to_json(result)
        if summary_at is not None and data["summary"]:
            self.put_raw(summary_at[0], path, summary_at[1], {"summary": data["summary"]})
            data["summary"] = {}
        self.put_raw(RESULTS, path, file_key, {"result": data})

    def prune(self, keep) -> None:
        """Drop entries of files that are gone (an entry keyed "" belongs to the run, not a file),
        in the namespaces this run read: the others are pruned by a run that reads them."""
        for namespace, space in self.spaces.items():
            for path in [p for p in space if p and p not in keep]:
                del space[path]
                self._pruned.add(namespace)

    def save(self) -> None:
        if not self.usable:
            return
        for namespace in sorted(set(self._changed) | self._pruned):
            self._save(namespace)
        self._changed.clear()
        self._pruned.clear()
        self._added.clear()  # on disk now: a later read of the namespace merges them

    def _save(self, namespace: str) -> None:
        """What this run gave a namespace goes to a delta file while that is a small part of it;
        the namespace is written whole (its delta files then go) when it has none yet, when this
        run removed entries, changed a quarter of them, or found DELTAS_KEPT deltas."""
        deltas = self._merged[namespace] if namespace in self.spaces else self._deltas(namespace)
        if namespace not in self.spaces and len(deltas) >= DELTAS_KEPT:
            self._space(namespace)
        if namespace in self.spaces:
            space, changed = self.spaces[namespace], self._changed.get(namespace, set())
            small = 4 * len(changed) <= len(space) and len(deltas) < DELTAS_KEPT and namespace not in self._pruned
            if small and self._file_of(namespace).exists():
                self._write_delta(namespace, {p: space[p] for p in sorted(changed) if p in space})
            elif self._write(self._file_of(namespace), namespace, space):
                for delta in self._merged.get(namespace, ()):
                    try:
                        delta.unlink()
                    except OSError:
                        pass
        elif not deltas and not self._file_of(namespace).exists():
            self._write(self._file_of(namespace), namespace, self._added[namespace])  # all there is of it
        else:
            self._write_delta(namespace, self._added[namespace])

    def _write_delta(self, namespace: str, entries: Dict[str, dict]) -> None:
        delta = self.dir / f"{self._file_of(namespace).name}.delta-{time.time_ns():020d}-{os.getpid()}"
        if self._write(delta, namespace, entries) and namespace in self.spaces:
            self._merged[namespace].append(delta)  # what this run holds already: a whole rewrite drops it

    def _write(self, file: Path, namespace: str, space: Dict[str, dict]) -> bool:
        import tempfile

        body = _body(namespace, space)
        tmp = None
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by dstcheck\n*\n")
            fd, tmp = tempfile.mkstemp(dir=str(self.dir), prefix=".results-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + mac(self.secret, body).encode("ascii") + b"\n" + body)
            os.replace(tmp, file)
            tmp = None
            return True
        except OSError:
            return False  # a read-only checkout still gets a correct (uncached) result
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
