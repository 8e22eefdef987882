"""A committed or copied cache must not open the gate: entries are believed only under a MAC made
with a key that never lives in the project tree, and a cache directory git tracks is refused."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.rust import workspace as workspace_mod
from dstcheck.stages import cache as cache_mod
from fixture_harness import workspace

CLOCK = "import time\nt = time.time()\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], cwd=str(cwd), check=True, capture_output=True)


def cache_file(directory: Path) -> Path:
    return directory / cache_mod.FILENAME


def forge(path: Path, secret: bytes = b"") -> None:
    """Empty every cached result's findings, as a hostile contributor would; re-sign with
    `secret` when given (a key the forger has: their own, or one committed with the cache)."""
    head, body = path.read_bytes().split(b"\n", 1)
    data = json.loads(body)
    assert data["spaces"]["results"], "nothing cached to forge"
    for entry in data["spaces"]["results"].values():
        entry["result"]["findings"] = []
    body = json.dumps(data).encode()
    if secret:
        head = cache_mod.MAGIC + cache_mod.mac(secret, body).encode()
    path.write_bytes(head + b"\n" + body)


def test_forged_cache_committed_to_the_repository_cannot_hide_a_site(tmp_path, run_cli):
    repo = workspace(tmp_path / "repo", {"a.py": CLOCK})
    git(repo, "init", "-q")
    forger = {"XDG_CACHE_HOME": str(tmp_path / "forger-home")}
    code, out, _ = run_cli(["check", "a.py"], repo, env=forger)
    assert code == 1 and "Found 1 violation" in out
    # Forged with the forger's own key: it verifies on the forger's machine...
    forge(cache_file(repo / ".dstcheck_cache"), cache_mod.load_key(tmp_path / "forger-home" / "dstcheck" / "key"))
    git(repo, "add", "-f", ".dstcheck_cache/results-v2", "a.py")
    git(repo, "commit", "-qm", "x")
    git(tmp_path, "clone", "-q", str(repo), "fresh")
    fresh = tmp_path / "fresh"
    assert cache_file(fresh / ".dstcheck_cache").exists()
    # ...but never in CI's fresh clone, which has its own key.
    code, out, err = run_cli(["check", "a.py"], fresh, env={"XDG_CACHE_HOME": str(tmp_path / "ci-home")})
    assert code == 1, out
    assert "a.py:2:5: DST201" in out and "Found 1 violation" in out
    assert "is tracked by git" in err and "cache not used" in err


def test_cache_copied_from_another_machine_is_ignored_and_counted(tmp_path, run_cli):
    ws = workspace(tmp_path / "ws", {"a.py": CLOCK, "b.py": CLOCK})
    run_cli(["check"], ws, env={"XDG_CACHE_HOME": str(tmp_path / "machine-a")})
    forge(cache_file(ws / ".dstcheck_cache"), cache_mod.load_key(tmp_path / "machine-a" / "dstcheck" / "key"))
    code, out, _ = run_cli(["check", "--statistics"], ws, env={"XDG_CACHE_HOME": str(tmp_path / "machine-b")})
    assert code == 1
    assert out.splitlines()[:4] == ["2  DST201  py-raw-clock", "", "2  cache entries rejected (not authenticated)", ""]
    # Rewritten under this machine's key: the next run trusts it and counts nothing.
    code, out, _ = run_cli(["check", "--statistics"], ws, env={"XDG_CACHE_HOME": str(tmp_path / "machine-b")})
    assert out.splitlines()[:2] == ["2  DST201  py-raw-clock", ""] and "rejected" not in out


def test_cache_restored_with_its_key_is_used(tmp_path, monkeypatch):
    """CI restores --cache-dir (results and key) into a fresh checkout: every file is a hit."""
    files = {f"src/m{i}.py": CLOCK for i in range(3)}
    first = workspace(tmp_path / "first", files)
    cfg = config_mod.load(start=first)
    before = pipeline.scan(cfg, options=pipeline.Options(jobs=1, cache_dir=str(tmp_path / "ci-cache")))
    assert len(before.violations) == 3
    shutil.copytree(tmp_path / "ci-cache", tmp_path / "restored")
    assert (tmp_path / "restored" / cache_mod.KEYNAME).exists()
    second = workspace(tmp_path / "second", files)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a file was analysed although its result was cached")

    monkeypatch.setattr(pipeline, "analyze_file", no_analysis)
    after = pipeline.scan(config_mod.load(start=second), options=pipeline.Options(jobs=1, cache_dir=str(tmp_path / "restored")))
    assert after.sites == before.sites


def test_cache_dir_from_the_environment(tmp_path, run_cli):
    ws = workspace(tmp_path / "ws", {"a.py": CLOCK})
    code, _, _ = run_cli(["check"], ws, env={"DSTCHECK_CACHE_DIR": str(tmp_path / "env-cache")})
    assert code == 1
    assert cache_file(tmp_path / "env-cache").exists() and not (ws / ".dstcheck_cache").exists()
    key = tmp_path / "env-cache" / cache_mod.KEYNAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    code, _, _ = run_cli(["check", "--cache-dir", str(tmp_path / "flag-cache")], ws, env={"DSTCHECK_CACHE_DIR": str(tmp_path / "env-cache")})
    assert code == 1 and cache_file(tmp_path / "flag-cache").exists()


def test_tracked_cache_dir_with_its_key_is_refused(tmp_path, run_cli):
    """--cache-dir inside the repository keeps the key there too: once git tracks it, anyone who
    commits can sign entries, so the directory is not used at all."""
    repo = workspace(tmp_path / "repo", {"a.py": CLOCK})
    git(repo, "init", "-q")
    code, _, _ = run_cli(["check", "--cache-dir", "ci-cache"], repo)
    assert code == 1
    forge(cache_file(repo / "ci-cache"), cache_mod.load_key(repo / "ci-cache" / cache_mod.KEYNAME))
    code, out, _ = run_cli(["check", "--cache-dir", "ci-cache"], repo)
    assert code == 0 and "All clear" in out  # untracked: the key is the user's own, and the forgery is theirs
    git(repo, "add", "-f", "ci-cache", "a.py")
    git(repo, "commit", "-qm", "x")
    before = cache_file(repo / "ci-cache").read_bytes()
    code, out, err = run_cli(["check", "--cache-dir", "ci-cache"], repo)
    assert code == 1 and "Found 1 violation" in out
    assert "ci-cache is tracked by git" in err
    assert cache_file(repo / "ci-cache").read_bytes() == before  # not used, not written


def test_unusable_key_location_gives_a_correct_uncached_run(tmp_path, run_cli):
    ws = workspace(tmp_path / "ws", {"a.py": CLOCK})
    (tmp_path / "not-a-dir").write_text("")
    code, out, err = run_cli(["check"], ws, env={"XDG_CACHE_HOME": str(tmp_path / "not-a-dir")})
    assert code == 1 and "Found 1 violation" in out
    assert "cache not used: cannot use its key" in err
    assert not cache_file(ws / ".dstcheck_cache").exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: f.update(line="2"),
        lambda f: f.update(line=True),
        lambda f: f.update(context=[]),
        lambda f: f.pop("message"),
        lambda f: f["context"].update(test=7),
    ],
    ids=["line-as-string", "line-as-bool", "context-as-list", "missing-message", "test-as-int"],
)
def test_authentic_entry_with_a_field_of_the_wrong_type_is_recomputed(tmp_path, run_cli, damage):
    """Even an entry that verifies (a bug, an old layout) cannot crash every later run."""
    home = {"XDG_CACHE_HOME": str(tmp_path / "home")}
    ws = workspace(tmp_path / "ws", {"a.py": CLOCK})
    reference = run_cli(["check", "--no-cache"], ws, env=home)
    run_cli(["check"], ws, env=home)
    path = cache_file(ws / ".dstcheck_cache")
    secret = cache_mod.load_key(tmp_path / "home" / "dstcheck" / cache_mod.KEYNAME)

    def damage_entry():
        data = json.loads(path.read_bytes().split(b"\n", 1)[1])
        damage(data["spaces"]["results"]["a.py"]["result"]["findings"][0])
        body = json.dumps(data).encode()
        path.write_bytes(cache_mod.MAGIC + cache_mod.mac(secret, body).encode() + b"\n" + body)

    damage_entry()
    assert run_cli(["check"], ws, env=home) == reference
    damage_entry()
    code, out, _ = run_cli(["check", "--statistics"], ws, env=home)
    assert code == 1 and "1  cache entries rejected (malformed)" in out.splitlines()
    code, out, _ = run_cli(["check", "--statistics"], ws, env=home)
    assert code == 1 and "rejected" not in out  # the bad entry was replaced by the run before


def test_a_manifest_is_read_back_by_its_stat_and_read_again_when_it_changes(tmp_path, run_cli):
    """Cargo manifests are parsed once and read back while their size, modification time and
    inode stay; a rename added to a settled manifest is seen by the next (warm) run."""
    import os

    files = {
        "Cargo.toml": '[package]\nname = "desk"\nversion = "0.1.0"\n\n[dependencies]\nrand = "0.9"\n',
        "src/lib.rs": "pub fn roll() -> u64 {\n    dice::random()\n}\n",
    }
    ws = workspace(tmp_path, files)
    for path in ws.rglob("*"):
        os.utime(path, ns=(10**18, 10**18))  # settled long ago: the racy rule lets the cache trust it
    env = {"DSTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    code, out, _ = run_cli(["check", "--format", "json"], ws, env=env)
    assert code == 0 and json.loads(out)["summary"]["violations"] == 0
    remembered = list((tmp_path / "cache").glob("*." + cache_mod.TOML))
    assert remembered and "Cargo.toml" in remembered[0].read_text(encoding="utf-8", errors="replace")
    manifest = ws / "Cargo.toml"
    manifest.write_text(manifest.read_text() + 'dice = { package = "rand", version = "0.9" }\n')
    os.utime(manifest, ns=(2 * 10**18, 2 * 10**18))
    code, out, _ = run_cli(["check", "--format", "json"], ws, env=env)
    assert [(s["rule"], s["line"]) for s in json.loads(out)["sites"] if s["disposition"] == "violation"] == [("DST102", 2)]


def test_a_value_read_by_stat_is_computed_once_for_a_settled_file(tmp_path):
    store = cache_mod.Cache(tmp_path, str(tmp_path / "cache"))
    target = tmp_path / "a.toml"
    target.write_text("x = 1\n")
    calls = []

    def compute(data):
        calls.append(data)
        return {"size": len(data)}

    assert store.by_stat("toml", "a.toml", str(target), compute) == {"size": 6}
    assert store.by_stat("toml", "a.toml", str(target), compute) == {"size": 6}
    assert len(calls) == 2  # just written: not settled, so computed again
    import os

    os.utime(target, ns=(10**18, 10**18))
    store.by_stat("toml", "a.toml", str(target), compute)
    store.by_stat("toml", "a.toml", str(target), compute)
    assert len(calls) == 3
    assert store.by_stat("toml", "gone.toml", str(tmp_path / "gone.toml"), compute) is None


def test_entries_added_without_reading_go_to_delta_files_merged_on_read(tmp_path):
    """A run that only adds to a namespace (a pre-commit run's summaries) writes a delta file
    instead of rewriting the namespace; a reader merges base and deltas, oldest first; a run
    that read the namespace and changed a good part of it writes it whole and drops the deltas
    it merged; DELTAS_KEPT deltas make the next save a whole rewrite."""
    directory = str(tmp_path / "cache")

    def store():
        return cache_mod.Cache(tmp_path, directory)

    first = store()
    first.put_raw("sums", "a.rs", "k1", {"summary": 1})
    first.put_raw("sums", "b.rs", "k1", {"summary": 1})
    first.save()
    for generation in (2, 3):
        writer = store()
        writer.put_raw("sums", "a.rs", f"k{generation}", {"summary": generation})
        writer.save()
    deltas = sorted(p.name for p in (tmp_path / "cache").glob("*.sums.delta-*"))
    assert len(deltas) == 2  # the first run wrote the namespace itself: there was none
    reader = store()
    assert reader.get_raw("sums", "a.rs", "k3") == {"key": "k3", "summary": 3}
    assert reader.get_raw("sums", "b.rs", "k1") == {"key": "k1", "summary": 1}
    reader.put_raw("sums", "c.rs", "k1", {"summary": 1})
    reader.save()
    assert not list((tmp_path / "cache").glob("*.sums.delta-*"))
    for generation in range(cache_mod.DELTAS_KEPT + 1):
        writer = store()
        writer.put_raw("sums", "a.rs", f"g{generation}", {"summary": generation})
        writer.save()
    assert len(list((tmp_path / "cache").glob("*.sums.delta-*"))) == 0
    last = store()
    assert last.get_raw("sums", "a.rs", f"g{cache_mod.DELTAS_KEPT}")["summary"] == cache_mod.DELTAS_KEPT
    assert last.get_raw("sums", "c.rs", "k1") is not None


def test_a_forged_delta_file_is_rejected(tmp_path):
    directory = tmp_path / "cache"
    writer = cache_mod.Cache(tmp_path, str(directory))
    writer.put_raw("sums", "a.rs", "k1", {"summary": "real"})
    writer.save()
    forged = json.dumps({"version": cache_mod.__version__, "spaces": {"sums": {"a.rs": {"key": "k1", "summary": "forged"}}}}).encode()
    (directory / (writer._file_of("sums").name + ".delta-99999999999999999999-1")).write_bytes(cache_mod.MAGIC + b"0" * 64 + b"\n" + forged)
    reader = cache_mod.Cache(tmp_path, str(directory))
    assert reader.get_raw("sums", "a.rs", "k1")["summary"] == "real"
    assert reader.stats[cache_mod.REJECTED] == 1


def test_a_read_namespace_changed_a_little_gets_a_delta_and_a_prune_rewrites_it(tmp_path):
    directory = tmp_path / "cache"

    def store():
        return cache_mod.Cache(tmp_path, str(directory))

    first = store()
    for i in range(12):
        first.put_raw("sums", f"f{i}.rs", "k", {"summary": i})
    first.save()
    base = directory / first._file_of("sums").name
    before = base.read_bytes()
    edit = store()
    assert edit.get_raw("sums", "f0.rs", "k")["summary"] == 0  # read: the whole namespace is loaded
    edit.put_raw("sums", "f1.rs", "k2", {"summary": "new"})
    edit.save()
    assert base.read_bytes() == before  # one change in twelve: a delta, not a rewrite
    assert len(list(directory.glob("*.sums.delta-*"))) == 1
    assert store().get_raw("sums", "f1.rs", "k2")["summary"] == "new"
    pruning = store()
    pruning.get_raw("sums", "f0.rs", "k")
    pruning.prune({f"f{i}.rs" for i in range(1, 12)})
    pruning.save()
    assert not list(directory.glob("*.sums.delta-*")) and base.read_bytes() != before
    after = store()
    assert after.get_raw("sums", "f0.rs", "k") is None and after.get_raw("sums", "f1.rs", "k2")["summary"] == "new"


def test_a_store_saved_twice_leaves_no_delta_older_than_its_last_write(tmp_path):
    """A delta a store wrote is one it holds: when the same store later writes the namespace
    whole, that delta goes too, or a reader would apply the older value over the newer."""
    directory = tmp_path / "cache"
    first = cache_mod.Cache(tmp_path, str(directory))
    for i in range(12):
        first.put_raw("sums", f"f{i}.rs", "k", {"summary": i})
    first.save()
    store = cache_mod.Cache(tmp_path, str(directory))
    store.get_raw("sums", "f0.rs", "k")
    store.put_raw("sums", "f1.rs", "k", {"summary": "second"})
    store.save()  # one change in twelve: a delta
    assert len(list(directory.glob("*.sums.delta-*"))) == 1
    for i in range(12):
        store.put_raw("sums", f"f{i}.rs", "k", {"summary": "third"})
    store.save()  # every entry changed: the namespace whole
    assert not list(directory.glob("*.sums.delta-*"))
    assert cache_mod.Cache(tmp_path, str(directory)).get_raw("sums", "f1.rs", "k")["summary"] == "third"


def test_a_content_keyed_entry_one_store_was_given_serves_another_store_which_keeps_it(tmp_path, monkeypatch):
    """The inventory's two scans keep their own cache files; a summary or digest one of them
    computed is a pure function of its key, so the other takes it instead of parsing again, and
    writes it to its own file. An entry of any other namespace stays with its store."""
    check = cache_mod.Cache(tmp_path, str(tmp_path / "cache"))
    scoped = cache_mod.Cache(tmp_path, str(tmp_path / "cache"), name="scoped")
    check.put_raw(workspace_mod.SUMMARY_NAMESPACE, "src/lib.rs", "k1", {"summary": {"modules": {}}})
    check.put_raw("rust-link", "src/lib.rs", "k1", {"files": []})
    assert scoped.get_raw(workspace_mod.SUMMARY_NAMESPACE, "src/lib.rs", "k1")["summary"] == {"modules": {}}
    assert scoped.get_raw(workspace_mod.SUMMARY_NAMESPACE, "src/lib.rs", "k2") is None  # another key: another content
    assert scoped.get_raw("rust-link", "src/lib.rs", "k1") is None
    other = cache_mod.Cache(tmp_path / "other", str(tmp_path / "cache"), name="other")  # another project's src/lib.rs
    assert other.get_raw(workspace_mod.SUMMARY_NAMESPACE, "src/lib.rs", "k1") is None
    scoped.save()
    monkeypatch.setattr(cache_mod, "_GIVEN", {})  # a later process: only the file can answer
    reread = cache_mod.Cache(tmp_path, str(tmp_path / "cache"), name="scoped")
    assert reread.get_raw(workspace_mod.SUMMARY_NAMESPACE, "src/lib.rs", "k1")["summary"] == {"modules": {}}
