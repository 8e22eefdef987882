"""Content cache: per-file analysis results keyed by the file's bytes and everything that can
change them (tool version, the rules that ran and their parameters, re-exports, the cfg profile,
the marker, the guards). Module-tree context is applied after the cache, so it is not part of
the key. One JSON file, written atomically; a corrupt or foreign-version cache is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Dict, Optional

from dstcheck import __version__
from dstcheck.model import Context, FileResult, Finding, Marker, ModDecl

DIRNAME = ".dstcheck_cache"
FILENAME = "results-v1.json"
RESULTS = "results"


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


def _ctx(d: dict) -> Context:
    return Context(test=d.get("test"), gate=d.get("gate"), item=d.get("item", ""))


def to_json(result: FileResult) -> dict:
    return asdict(result)


def from_json(d: dict) -> FileResult:
    return FileResult(
        path=d["path"],
        language=d["language"],
        findings=[Finding(**{**f, "context": _ctx(f["context"])}) for f in d["findings"]],
        markers=[Marker(m["line"], tuple(m["rules"]), m["reason"], m["column"]) for m in d["markers"]],
        mod_decls=[ModDecl(m["name"], m["path_attr"], tuple(m["inline_dirs"]), _ctx(m["context"])) for m in d["mod_decls"]],
        lines=d["lines"],
        size=d["size"],
        parsed=d["parsed"],
    )


class Cache:
    """Entries by namespace (`results` for analysis, one per index part) and project path."""

    def __init__(self, root: Path):
        self.dir = root / DIRNAME
        self.file = self.dir / FILENAME
        self.spaces: Dict[str, Dict[str, dict]] = {}
        self.dirty = False
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("version") == __version__ and isinstance(data.get("spaces"), dict):
                self.spaces = {k: v for k, v in data["spaces"].items() if isinstance(v, dict)}
        except (OSError, ValueError, AttributeError):
            self.spaces = {}

    @property
    def entries(self) -> Dict[str, dict]:
        return self.spaces.get(RESULTS, {})

    def get_raw(self, namespace: str, path: str, file_key: str) -> Optional[dict]:
        entry = self.spaces.get(namespace, {}).get(path)
        if not isinstance(entry, dict) or entry.get("key") != file_key:
            return None
        return entry

    def put_raw(self, namespace: str, path: str, file_key: str, value: dict) -> None:
        self.spaces.setdefault(namespace, {})[path] = {"key": file_key, **value}
        self.dirty = True

    def get(self, path: str, file_key: str) -> Optional[FileResult]:
        entry = self.get_raw(RESULTS, path, file_key)
        if entry is None:
            return None
        try:
            return from_json(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, path: str, file_key: str, result: FileResult) -> None:
        self.put_raw(RESULTS, path, file_key, {"result": to_json(result)})

    def prune(self, keep) -> None:
        for space in self.spaces.values():
            for path in [p for p in space if p not in keep]:
                del space[path]
                self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.dir.mkdir(exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by dstcheck\n*\n")
            fd, tmp = tempfile.mkstemp(dir=str(self.dir), prefix=".results-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({"version": __version__, "spaces": self.spaces}, sort_keys=True, separators=(",", ":")))
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only checkout still gets a correct (uncached) result
