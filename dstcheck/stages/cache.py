"""Content cache: per-file results keyed by the file's bytes and everything that can change them
(tool version and code, the rules that ran and their parameters, re-exports, the cfg profile, the
marker, the guards). Module-tree context is applied after the cache, so it is not part of the key.

Trust: the key of an entry is something anyone can compute, so an entry is only believed when the
cache file carries a MAC made with a secret key that never lives in the project tree (the user's
cache directory, or the `--cache-dir` the cache itself lives in). A cache that was committed,
copied from another machine or edited by hand does not verify and is ignored; so is a cache
directory that git tracks. The file is one header line (`dstcheck-cache v2 <mac>`) and a JSON body,
replaced atomically.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

from dstcheck import __version__
from dstcheck.model import Context, FileResult, Finding, Marker, ModDecl

DIRNAME = ".dstcheck_cache"
FILENAME = "results-v2"
KEYNAME = "key"
RESULTS = "results"
ENV_DIR = "DSTCHECK_CACHE_DIR"
MAGIC = b"dstcheck-cache v2 "
REJECTED = "cache entries rejected (not authenticated)"
MALFORMED = "cache entries rejected (malformed)"


def _code_digest() -> str:
    """The tool's own code: a changed analysis (even without a version bump) invalidates the cache."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def config_salt(config) -> bytes:
    """Everything in the configuration and the tool that can change one file's analysis."""
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
    return hashlib.blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).digest()


def key(salt: bytes, rule_ids, source: bytes) -> str:
    h = hashlib.blake2b(salt, digest_size=20)
    h.update(",".join(rule_ids).encode() + b"\0")
    h.update(source)
    return h.hexdigest()


def to_json(result: FileResult) -> dict:
    return asdict(result)


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


def from_json(d) -> FileResult:
    """A FileResult from its cached form; every field is type-checked (raises _Invalid), so a bad
    entry is a cache miss and never a crash later in the run."""
    return _record(FileResult, d)


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


def mac(secret: bytes, body: bytes) -> str:
    return hashlib.blake2b(body, key=secret, digest_size=32, person=b"dstcheck-cache").hexdigest()


class Cache:
    """Entries by namespace (`results` for analysis, one per index part) and project path.

    `directory` is `--cache-dir` (or `$DSTCHECK_CACHE_DIR`): the cache and its key live there.
    Without it the cache is `.dstcheck_cache/` in the project and the key is in the user's cache
    directory. A cache it cannot trust is not used, with a warning on stderr; `stats` counts the
    entries it rejected, for `--statistics`."""

    def __init__(self, root: Path, directory: Optional[str] = None, name: Optional[str] = None):
        directory = directory or os.environ.get(ENV_DIR) or None
        if directory:
            self.dir = Path(os.path.abspath(directory))
            self.key_file = self.dir / KEYNAME
        else:
            self.dir = root / DIRNAME
            self.key_file = user_cache_dir() / KEYNAME
        self.root = root
        self.file = self.dir / (name or FILENAME)  # one directory and key; a caller may keep its own file there
        self.spaces: Dict[str, Dict[str, dict]] = {}
        self.dirty = False
        self.usable = True
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
        self._load()

    def _refuse(self, warning: str) -> None:
        self.usable = False
        sys.stderr.write(f"dstcheck: warning: {warning}\n")

    def _tracked(self) -> bool:
        """A cache directory (or key) that git tracks could have been written by anyone who commits."""
        if not (self.file.exists() or (self.dir / KEYNAME).exists()):
            return False  # nothing in it to trust yet
        if tracked_by_git(self.dir):
            return True
        inside = os.path.abspath(str(self.key_file)).startswith(os.path.abspath(str(self.root)) + os.sep)
        return inside and self.key_file.parent != self.dir and tracked_by_git(self.key_file)

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as handle:
                raw = handle.read()
        except OSError:
            return
        head, _, body = raw.partition(b"\n")
        if not head.startswith(MAGIC) or not hmac.compare_digest(head[len(MAGIC):].decode("ascii", "replace"), mac(self.secret, body)):
            self.stats[REJECTED] += _count_entries(body)
            return
        try:
            data = json.loads(body)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("version") == __version__ and isinstance(data.get("spaces"), dict):
            self.spaces = {k: v for k, v in data["spaces"].items() if isinstance(v, dict)}

    @property
    def entries(self) -> Dict[str, dict]:
        return self.spaces.get(RESULTS, {})

    def get_raw(self, namespace: str, path: str, file_key: str) -> Optional[dict]:
        entry = self.spaces.get(namespace, {}).get(path)
        if not isinstance(entry, dict) or entry.get("key") != file_key:
            return None
        return entry

    def put_raw(self, namespace: str, path: str, file_key: str, value: dict) -> None:
        if not self.usable:
            return
        self.spaces.setdefault(namespace, {})[path] = {"key": file_key, **value}
        self.dirty = True

    def get(self, path: str, file_key: str) -> Optional[FileResult]:
        entry = self.get_raw(RESULTS, path, file_key)
        if entry is None:
            return None
        try:
            return from_json(entry.get("result"))
        except _Invalid:
            self.stats[MALFORMED] += 1
            return None

    def put(self, path: str, file_key: str, result: FileResult) -> None:
        self.put_raw(RESULTS, path, file_key, {"result": to_json(result)})

    def prune(self, keep) -> None:
        """Drop entries of files that are gone (an entry keyed "" belongs to the run, not a file)."""
        for space in self.spaces.values():
            for path in [p for p in space if p and p not in keep]:
                del space[path]
                self.dirty = True

    def save(self) -> None:
        if not (self.dirty and self.usable):
            return
        body = json.dumps({"version": __version__, "spaces": self.spaces}, sort_keys=True, separators=(",", ":")).encode("utf-8")
        tmp = None
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by dstcheck\n*\n")
            fd, tmp = tempfile.mkstemp(dir=str(self.dir), prefix=".results-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + mac(self.secret, body).encode("ascii") + b"\n" + body)
            os.replace(tmp, self.file)
            tmp = None
        except OSError:
            pass  # a read-only checkout still gets a correct (uncached) result
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
