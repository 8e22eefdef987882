"""DST207: in-scope Python calls into out-of-scope modules that reach a nondeterministic site.

The fixture package `tests/fixtures/python/reach/` states the cases line by line (test_fixtures
checks them); these tests check what a line annotation cannot: the chain, the depth, cycles, the
cache, and a run over one file."""

from __future__ import annotations

import json

import pytest

from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.python.reach import CALLS, MODULES
from dstcheck.stages.index import UNRESOLVED
from fixture_harness import FIXTURES, workspace

CONFIG = """
[[scope]]
include = ["engine/**/*.py"]

[python]
guards = ["SIMULATION"]
"""


def _scan(root, paths=(), cache=False):
    cfg = config_mod.load(explicit=root / "dstcheck.toml")
    return pipeline.scan(cfg, [str(root / p) for p in paths], options=pipeline.Options(cache=cache, cache_dir=str(root / ".cache") if cache else None))


def _reach(scan):
    return [s for s in scan.sites if s.rule == "DST207"]


@pytest.fixture(scope="module")
def fixture_scan():
    return pipeline.scan(config_mod.load(explicit=FIXTURES / "dstcheck.toml"), include_scoped_out=True, options=pipeline.Options(cache=False))


def test_chain_names_every_step_down_to_the_site(fixture_scan):
    site = next(s for s in _reach(fixture_scan) if s.path == "python/reach/engine.py" and s.snippet == "deep.level1()")
    venue = "python/reach/venue/deep.py"
    assert site.api == "reach.venue.deep.level1"
    assert site.message == "calls `reach.venue.deep.level1`, which reaches a nondeterministic site outside the in-scope source sets"
    assert site.item == "reaches"
    assert [list(step) for step in site.chain] == [
        [venue, 11, 1, "level1", "calls reach.venue.deep.level1"],
        [venue, 15, 1, "level2", "calls reach.venue.deep.level2"],
        [venue, 19, 1, "level3", "calls reach.venue.deep.level3"],
        [venue, 20, 12, "level3", "`random.random` draws from an unseeded random source"],
    ]


def test_methods_are_followed_through_self_and_base_classes(fixture_scan):
    site = next(s for s in _reach(fixture_scan) if s.snippet == "self.tick()")
    assert site.item == "Engine.start"  # an in-scope subclass of the out-of-scope Feed
    assert [step[4] for step in site.chain] == [
        "calls reach.venue.feed.Feed.tick",
        "calls reach.venue.feed.Feed._read",
        "calls reach.venue.feed.Base._start",
        "`threading.Thread` runs work on a thread or process outside the scheduler",
    ]
    assert site.chain[-1][3] == "Base._start"


def test_a_classmethod_building_cls_reaches_its_init(fixture_scan):
    """`cls()` in a classmethod runs the class's `__init__`, as `Thing()` does: the chain goes
    through the classmethod into `__init__`; a subclass's classmethod runs the `__init__` that
    subclass has (its own, or the inherited one)."""
    venue = "python/reach/venue/made.py"
    site = next(s for s in _reach(fixture_scan) if s.snippet == "Thing.make()")
    assert [list(step) for step in site.chain] == [
        [venue, 11, 5, "Thing.make", "calls reach.venue.made.Thing.make"],
        [venue, 7, 5, "Thing.__init__", "calls reach.venue.made.Thing.__init__"],
        [venue, 8, 21, "Thing.__init__", "`time.time` reads the wall clock"],
    ]
    inherits = next(s for s in _reach(fixture_scan) if s.snippet == "Inherits.build()")
    assert [step[4] for step in inherits.chain][:2] == ["calls reach.venue.made.Inherits.build", "calls reach.venue.made.Thing.__init__"]
    assert not any(s.snippet in ("Quiet()", "Quiet.build()") for s in _reach(fixture_scan))


def test_nothing_is_reported_in_out_of_scope_code(fixture_scan):
    """Out-of-scope code calling out-of-scope code (venue/only.py) is not reported, and no
    DST207 site is ever placed outside the source sets."""
    reach = _reach(fixture_scan)
    assert reach, "the fixture package must produce DST207 sites"
    assert {s.path for s in reach} == {"python/reach/aliased.py", "python/reach/engine.py", "python/reach/stars.py"}
    assert not any(step[0].endswith("/only.py") or step[0].endswith("/test_support.py") for s in reach for step in s.chain)


def _chain_workspace(tmp_path, depth=None):
    config = CONFIG + (f"\n[reach]\nmax-depth = {depth}\n" if depth is not None else "")
    return workspace(tmp_path, {
        "dstcheck.toml": config,
        "engine/__init__.py": "",
        "engine/core.py": """
            from venue import steps

            def run():
                return steps.one()
            """,
        "venue/__init__.py": "",
        "venue/steps.py": """
            import os

            def one():
                return two()

            def two():
                return three()

            def three():
                return os.urandom(8)
            """,
    })


@pytest.mark.parametrize("depth,reported", [(2, False), (3, True), (None, True)])
def test_max_depth_bounds_the_functions_followed(tmp_path, depth, reported):
    """`one -> two -> three -> site` is three functions deep: reported from max-depth 3 up."""
    found = _reach(_scan(_chain_workspace(tmp_path, depth)))
    assert bool(found) == reported
    if reported:
        assert [step[3] for step in found[0].chain] == ["one", "two", "three", "three"]


def test_a_recursive_call_graph_terminates(tmp_path):
    """Mutual recursion, self recursion, a method calling itself through `self`, and classes
    that name each other as bases: the analysis ends and reports what reaches a site."""
    root = workspace(tmp_path, {
        "dstcheck.toml": CONFIG + "\n[reach]\nmax-depth = 16\n",
        "engine/calls.py": """
            from venue import loop

            def go():
                # the tainted pair, the pure pair, the recursive method, the cyclic classes
                return loop.ping(3), loop.spin(3), loop.Looper().again(3), loop.A().f()
            """,
        "venue/loop.py": """
            import time

            def ping(n):
                return pong(n) if n else time.time()

            def pong(n):
                return ping(n - 1)

            def spin(n):
                return spin(n) + spin_back(n)

            def spin_back(n):
                return spin(n)

            class Looper:
                def again(self, n):
                    return self.again(n - 1) if n else 0

            class A(B):
                pass

            class B(A):
                pass
            """,
    })
    found = _reach(_scan(root))
    assert [s.api for s in found] == ["venue.loop.ping"]
    assert [step[4] for step in found[0].chain] == ["calls venue.loop.ping", "`time.time` reads the wall clock"]


def test_an_inherited_constructor_is_followed_from_another_file(tmp_path):
    """`Mine()` in b.py runs `Feed.__init__` out of scope: a.py derives Mine from Feed, and b.py
    names neither Feed nor `__init__`."""
    root = workspace(tmp_path, {
        "dstcheck.toml": CONFIG,
        "engine/__init__.py": "",
        "engine/a.py": """
            from venue.feed import Feed

            class Mine(Feed):
                pass

            class Other:
                pass
            """,
        "engine/b.py": """
            from engine.a import Mine as Built, Other

            def make():
                return Built(), Other()
            """,
        "venue/__init__.py": "",
        "venue/feed.py": """
            import time

            class Feed:
                def __init__(self):
                    self.started = time.monotonic()
            """,
    })
    found = _reach(_scan(root))
    assert [(s.path, s.snippet, s.api) for s in found] == [("engine/b.py", "Built()", "venue.feed.Feed.__init__")]


def test_a_run_over_one_file_follows_the_same_calls(tmp_path):
    root = _chain_workspace(tmp_path)
    full = [(s.path, s.line, s.chain) for s in _reach(_scan(root))]
    one = [(s.path, s.line, s.chain) for s in _reach(_scan(root, ["engine/core.py"]))]
    assert full and one == full


def test_a_warm_run_reads_the_summaries_from_the_cache(tmp_path):
    root = _chain_workspace(tmp_path)
    cold = _scan(root, cache=True)
    warm = _scan(root, cache=True)
    assert [(s.path, s.line, s.chain) for s in _reach(warm)] == [(s.path, s.line, s.chain) for s in _reach(cold)]
    assert _reach(warm)
    # venue/steps.py; venue/__init__.py imports nothing that could reach a site: not summarised
    assert cold.index.stats[f"python reach: {MODULES} summarised"] == 1
    assert cold.index.stats["python reach: out-of-scope modules that cannot reach a site (not summarised)"] == 1
    assert cold.index.stats[f"python reach: {CALLS} summarised"] == 1
    assert warm.index.stats[f"python reach: {MODULES} from cache"] == 1
    assert warm.index.stats[f"python reach: {CALLS} from cache"] == 1
    assert not any(k.endswith(" summarised") and k.startswith("python reach") and n for k, n in warm.index.stats.items())


def test_an_edit_out_of_scope_is_seen_on_a_warm_run(tmp_path):
    root = _chain_workspace(tmp_path)
    assert _reach(_scan(root, cache=True))
    steps = root / "venue" / "steps.py"
    steps.write_text(steps.read_text().replace("return os.urandom(8)", "return os.urandom(8)  # dst-ok: a nonce for the log"))
    assert not _reach(_scan(root, cache=True))


def test_an_allowlist_entry_out_of_scope_stops_propagation_on_a_warm_run(tmp_path):
    """The sites a module holds are cached; whether they are accepted is decided on every run."""
    root = _chain_workspace(tmp_path)
    assert _reach(_scan(root, cache=True))
    (root / "allow.toml").write_text('[[allow]]\nrule = "DST202"\npath = "venue/steps.py"\nreason = "a nonce for the log"\n')
    (root / "dstcheck.toml").write_text('allowlists = ["allow.toml"]\n' + (root / "dstcheck.toml").read_text())
    assert not _reach(_scan(root, cache=True))


def test_a_reexport_edited_elsewhere_is_seen_on_a_warm_run(tmp_path):
    root = workspace(tmp_path, {
        "dstcheck.toml": CONFIG,
        "engine/book.py": """
            from venue import stamp

            def quote():
                return stamp()
            """,
        "venue/__init__.py": "from .clock import now as stamp\n",
        "venue/clock.py": """
            import time

            def now():
                return time.time()

            def fixed():
                return 0.0
            """,
    })
    assert [s.api for s in _reach(_scan(root, cache=True))] == ["venue.clock.now"]
    (root / "venue" / "__init__.py").write_text("from .clock import fixed as stamp\n")
    assert not _reach(_scan(root, cache=True))


def test_an_unresolved_candidate_call_is_counted(tmp_path):
    """`self.tick()` in a class whose base is computed: `tick` names a function that reaches a
    site, but which function this is cannot be proven."""
    root = workspace(tmp_path, {
        "dstcheck.toml": CONFIG,
        "engine/feed.py": """
            from venue.clock import tick

            def make_base():
                return object

            class Live(make_base()):
                def go(self):
                    return self.tick()

            def direct():
                return tick()
            """,
        "venue/clock.py": """
            import time

            def tick():
                return time.monotonic()
            """,
    })
    scan = _scan(root)
    assert [s.snippet for s in _reach(scan)] == ["tick()"]
    assert scan.index.stats[UNRESOLVED] == 1


def test_json_output_carries_the_chain(tmp_path, run_cli):
    root = _chain_workspace(tmp_path)
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache"], root)
    assert code == 1
    site = next(s for s in json.loads(out)["sites"] if s["rule"] == "DST207")
    assert site["chain"][0] == {"path": "venue/steps.py", "line": 4, "column": 1, "item": "one", "what": "calls venue.steps.one"}
    assert site["chain"][-1]["what"] == "`os.urandom` draws from an unseeded random source"


def test_output_is_the_same_across_hash_seeds_and_workers(run_cli):
    outputs = {
        run_cli(["check", "--format", "json", "--no-cache", "-j", jobs, "python/reach"], FIXTURES, env={"PYTHONHASHSEED": seed})[1]
        for seed in ("0", "1", "4242")
        for jobs in ("1", "2")
    }
    assert len(outputs) == 1
    assert '"DST207"' in outputs.pop()


def test_readme_python_reach_sample_is_real(tmp_path, run_cli):
    """The Reach section's Python sample is the real output on DST207's own example files."""
    from dstcheck.rules import load_pack

    example = load_pack().rules["DST207"].invalid[0]
    for name, body in {**example.files, example.path: example.code}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    text = (FIXTURES.parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("On the files of DST207's example"):]
    block = section.split("$ dstcheck check\n", 1)[1].split("```", 1)[0]
    code, out, _ = run_cli(["check", "--color", "never", "--no-cache"], tmp_path)
    assert code == 1
    assert out == block



def test_explain_shows_the_example_files(run_cli):
    code, out, _ = run_cli(["explain", "DST207"], FIXTURES)
    assert code == 0
    assert "holds a site of: clock, rng, thread, blocking, select" in out
    flagged = out.split("Flagged (engine/book.py):\n", 1)[1].split("Accepted", 1)[0]
    assert "  venue/clock.py:\n\n    import time\n\n    def stamp():\n        return time.time()\n" in flagged
    assert '  dstcheck.toml:\n\n    [[scope]]\n    include = ["engine/**/*.py"]\n' in flagged


ALIASES = {
    "dstcheck.toml": CONFIG,
    "engine/__init__.py": "",
    "engine/core.py": """
        from venue.clock import Feed, Plain, _now, later, stamp, stamp2

        again = stamp

        def run():
            # each reaches `time.time` through an alias the venue assigns at module or class level
            return stamp(), _now(), later(), Feed().read(), Feed.clock(), again()

        def quiet(_now):
            # a parameter shadows the import; a class without the alias; a parameter's default
            # (a seam: callers pass their own clock) is not followed
            return _now(), Plain().read(), Plain.clock(), stamp2()
        """,
    "venue/__init__.py": "",
    "venue/clock.py": """
        import time

        _now = time.time
        later = _now

        def stamp():
            return _now()

        class Feed:
            clock = time.time

            def read(self):
                return self.clock()

        class Plain:
            def clock(self):
                return 0

            def read(self):
                return self.clock()

        def shadowing():
            _now = int
            return _now()

        def stamp2(clock=time.time):
            return clock()
        """,
}


def test_a_module_or_class_level_alias_of_a_site_is_followed(tmp_path):
    """`_now = time.time` out of scope: a call of `_now` (or of `later = _now`), and a function
    calling it, reach the alias's site; so does `self.clock()` where the class body assigns
    `clock = time.time`, and `Feed.clock()`; and `again()` where the caller has `again = stamp`.
    The chain ends at the alias line."""
    found = _reach(_scan(workspace(tmp_path, ALIASES)))
    assert [(s.line, s.snippet, s.api) for s in found] == [
        (8, "stamp()", "venue.clock.stamp"),
        (8, "_now()", "venue.clock._now"),
        (8, "later()", "venue.clock._now"),
        (8, "Feed().read()", "venue.clock.Feed.read"),
        (8, "Feed.clock()", "venue.clock.Feed.clock"),
        (8, "again()", "venue.clock.stamp"),  # an alias in the calling module too
    ]
    assert [(step[1], step[4]) for step in found[0].chain] == [(7, "calls venue.clock.stamp"), (4, "calls venue.clock._now"), (4, "`time.time` reads the wall clock")]


def test_an_alias_in_scope_is_the_site_itself(tmp_path):
    """In scope, `_now = time.time` is the DST201 site; calling it is not a second one."""
    files = {**ALIASES, "dstcheck.toml": CONFIG.replace('"engine/**/*.py"', '"engine/**/*.py", "venue/**/*.py"')}
    found = _scan(workspace(tmp_path, files))
    assert _reach(found) == []
    assert [(s.path, s.line) for s in found.violations if s.rule == "DST201"] == [("venue/clock.py", 4), ("venue/clock.py", 11), ("venue/clock.py", 27)]


SHADOWED = {
    "dstcheck.toml": CONFIG,
    "engine/__init__.py": "",
    "engine/core.py": """
        from venue.shadow import Cfg, Chained, Conditional, Declared, Fallback, Holder, Injected, Injects, Later, NoInit, Override, Split, Unread

        class Local(Holder):
            def __init__(self, clock):
                self.clock = clock

            def go(self):
                return self.clock()

        class Local2(Holder):
            def go(self):
                return self.clock()

        def quiet(c):
            # `__init__` (or a dataclass's) assigns `self.clock`: the instance's clock is called
            return Injected(c).tick(), Injects(c).tock(), Chained(c).tock(), Cfg().tick(), Local(c).go(), Split(c).tick()

        def loud(c):
            # through the class, or the alias is what the instance may still call
            return (Injected.clock(), Injected.default(), Override(c).tock(), Conditional(c).tick(), Fallback(c).tick(),
                    Later().tick(), Declared().tick(), NoInit().tick(), Unread(c).tick())
        """,
    "venue/__init__.py": "",
    "venue/shadow.py": """
        import time
        from dataclasses import dataclass
        from typing import Callable, ClassVar

        class Injected:
            clock = time.time

            def __init__(self, clock):
                self.start = 0
                self.clock = clock

            def tick(self):
                return self.clock()

            @classmethod
            def default(cls):
                return cls.clock()

        class Holder:
            clock = time.time

        class Injects(Holder):
            def __init__(self, clock):
                self.clock: Callable[[], float] = clock

            def tock(self):
                return self.clock()

        class Chained(Injected):
            def __init__(self, clock):
                super().__init__(clock)

            def tock(self):
                return self.clock()

        class Override(Injected):
            def tock(self):
                return super().clock()

        @dataclass(frozen=True)
        class Cfg:
            clock: Callable[[], float] = time.time

            def tick(self):
                return self.clock()

        class Split:
            clock = time.time

            def __init__(this, clock):
                this.start, this.clock = 0, clock

            def tick(self):
                return self.clock()

        class Conditional:
            clock = time.time

            def __init__(self, clock=None):
                if clock is not None:
                    self.clock = clock

            def tick(self):
                return self.clock()

        class Fallback:
            clock = time.time

            def __init__(self, clock=None):
                self.clock = clock or self.clock

            def tick(self):
                return self.clock()

        class Later:
            clock = time.time

            def use(self, clock):
                self.clock = clock

            def tick(self):
                return self.clock()

        class Declared:
            clock = time.time

            def __init__(self):
                self.clock: Callable[[], float]

            def tick(self):
                return self.clock()

        @dataclass(init=False)
        class NoInit:
            clock: Callable[[], float] = time.time

            def tick(self):
                return self.clock()

        @dataclass
        class Unread:
            other: int
            clock: ClassVar[Callable[[], float]] = time.time

            def tick(self):
                return self.clock()
        """,
}


def test_a_class_alias_the_instance_always_shadows_is_not_followed_through_self(tmp_path):
    """`clock = time.time` in the class body, `self.clock = clock` at the top of `__init__` (the
    class's, a base's on the way, or a dataclass's for a field): `self.clock()` calls the
    injected clock, as a parameter's default is not followed. Through the class (`Injected.clock()`,
    `cls.clock()`, `super().clock()`), an assignment under an `if`, one that reads the alias back,
    one in another method, an annotation without a value, `init=False` or a `ClassVar`, the alias is still followed."""
    found = _reach(_scan(workspace(tmp_path, SHADOWED)))
    assert [(s.line, s.snippet, s.api) for s in found] == [
        (13, "self.clock()", "venue.shadow.Holder.clock"),  # in scope: Local2 derives from Holder
        (21, "Injected.clock()", "venue.shadow.Injected.clock"),
        (21, "Injected.default()", "venue.shadow.Injected.default"),
        (21, "Override(c).tock()", "venue.shadow.Override.tock"),
        (21, "Conditional(c).tick()", "venue.shadow.Conditional.tick"),
        (21, "Fallback(c).tick()", "venue.shadow.Fallback.tick"),
        (22, "Later().tick()", "venue.shadow.Later.tick"),
        (22, "Declared().tick()", "venue.shadow.Declared.tick"),  # annotated, not assigned
        (22, "NoInit().tick()", "venue.shadow.NoInit.tick"),
        (22, "Unread(c).tick()", "venue.shadow.Unread.tick"),
    ]
