"""The Python project index: names followed through the project's own modules, exactly, cheaply,
and with a cache key that changes when (and only when) a re-export that matters changes."""

from __future__ import annotations

from pathlib import Path

from dstcheck import config as config_mod
from dstcheck import pipeline
from dstcheck.python.imports import scan
from fixture_harness import workspace

PACKAGE = {
    "pkg/__init__.py": "from .clock import now\n",
    "pkg/clock.py": "from time import time as now\n",
    "pkg/user.py": "from . import now\n\n\ndef stamp():\n    return now()\n",
    "pkg/other.py": "import json\n\n\ndef dump(x):\n    return json.dumps(x)\n",
}


def run(root: Path, cache: bool = False, prefilter: bool = True):
    cfg = config_mod.from_data({}, root, None)
    return pipeline.scan(cfg, options=pipeline.Options(cache=cache, jobs=1, prefilter=prefilter))


def violations(result):
    return [(s.path, s.line, s.rule) for s in result.violations]


def test_re_export_through_a_package_init(tmp_path):
    ws = workspace(tmp_path, PACKAGE)
    assert violations(run(ws)) == [("pkg/user.py", 5, "DST201")]


def test_warm_run_sees_a_changed_re_export(tmp_path):
    """user.py is unchanged; what it imports stops being a clock, so its cached result must go."""
    ws = workspace(tmp_path, PACKAGE)
    assert violations(run(ws, cache=True)) == [("pkg/user.py", 5, "DST201")]
    (ws / "pkg/clock.py").write_text("def now():\n    return 0\n")
    assert violations(run(ws, cache=True)) == []
    (ws / "pkg/clock.py").write_text("from time import monotonic as now\n")
    assert violations(run(ws, cache=True)) == [("pkg/user.py", 5, "DST201")]


def test_a_settled_tree_reads_import_scans_back_and_sees_an_edit(tmp_path):
    """Each file's byte-scan imports are read back by its stat once the tree has settled; an edit
    that changes a re-export (a new size and modification time) is scanned again."""
    import os

    ws = workspace(tmp_path, PACKAGE)
    for path in ws.rglob("*.py"):
        os.utime(path, ns=(10**18, 10**18))
    assert violations(run(ws, cache=True)) == [("pkg/user.py", 5, "DST201")]
    assert any(p.name.endswith(".python-imports-v2") for p in (ws / ".dstcheck_cache").iterdir())
    assert violations(run(ws, cache=True)) == [("pkg/user.py", 5, "DST201")]
    init = ws / "pkg/__init__.py"
    init.write_text("from .other import dump as now\n")
    os.utime(init, ns=(2 * 10**18, 2 * 10**18))
    assert violations(run(ws, cache=True)) == []


def test_digest_ignores_files_off_every_chain(tmp_path):
    ws = workspace(tmp_path, PACKAGE)
    first = run(ws).index.digest("python")
    (ws / "pkg/other.py").write_text("import json\nimport time\n\n\ndef dump(x):\n    return json.dumps(x)\n")
    (ws / "pkg/new.py").write_text("x = 1\n")
    assert run(ws).index.digest("python") == first
    (ws / "pkg/clock.py").write_text("from time import time as now\nfrom time import monotonic\n")
    assert run(ws).index.digest("python") != first


def test_exact_where_the_byte_scan_is_not(tmp_path):
    """A docstring that reads like an import, and an import inside a function, bind nothing."""
    ws = workspace(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/doc.py": '"""Usage:\n\nfrom time import time as now\n"""\n\n\ndef now():\n    return 0\n',
        "pkg/inner.py": "def helper():\n    from time import time as now\n    return 0\n\n\ndef now():\n    return 1\n",
        "pkg/user.py": "from .doc import now\nfrom .inner import now as later\n\nA = now()\nB = later()\n",
    })
    assert any(i.module == "time" for i in scan((ws / "pkg/doc.py").read_bytes()))  # the scan over-reads
    result = run(ws)
    assert violations(result) == []
    project = result.index.python
    for name in ("pkg.doc.now", "pkg.inner.now"):
        assert project.resolve(name, exact=False) == ("time.time",)  # what the scan alone would say
        assert project.resolve(name, exact=True) == (name,)  # what the module really binds


def test_namespace_package_and_absolute_names(tmp_path):
    ws = workspace(tmp_path, {
        "ns/clock.py": "from random import random as draw\n",
        "ns/user.py": "from .clock import draw\nfrom ns.clock import draw as again\n\nX = draw()\nY = again()\n",
    })
    assert violations(run(ws)) == [("ns/user.py", 4, "DST202"), ("ns/user.py", 5, "DST202")]


def test_project_module_named_like_the_standard_library_does_not_hide_it(tmp_path):
    ws = workspace(tmp_path, {
        "time.py": "def time():\n    return 0\n",
        "user.py": "import time\n\nT = time.time()\n",
    })
    assert violations(run(ws)) == [("user.py", 3, "DST201")]


def test_relative_import_above_the_top_and_cycles_do_not_break_a_run(tmp_path):
    ws = workspace(tmp_path, {
        "a.py": "from ...nowhere import x\nfrom .b import y\nimport time\n\nT = time.time()\n",
        "b.py": "from .a import y\n",
    })
    assert violations(run(ws)) == [("a.py", 5, "DST201")]


def test_prefilter_keeps_what_only_the_index_can_see(tmp_path):
    ws = workspace(tmp_path, PACKAGE)
    fast, full = run(ws), run(ws, prefilter=False)
    assert fast.sites == full.sites
    assert not fast.results["pkg/other.py"].parsed and fast.results["pkg/user.py"].parsed


def test_a_run_over_one_named_file_sees_the_same_re_exports(tmp_path):
    """Pre-commit passes only the staged files: the index still reads what they import."""
    ws = workspace(tmp_path, PACKAGE)
    cfg = config_mod.from_data({}, ws, None)
    result = pipeline.scan(cfg, [str(ws / "pkg/user.py")], options=pipeline.Options(cache=False, jobs=1))
    assert violations(result) == [("pkg/user.py", 5, "DST201")]


def test_src_layout_absolute_imports(tmp_path):
    ws = workspace(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/rng.py": "from secrets import token_hex as fresh_id\n",
        "src/app/orders.py": "from app.rng import fresh_id\n\n\ndef new_order():\n    return fresh_id()\n",
    })
    assert violations(run(ws)) == [("src/app/orders.py", 5, "DST202")]


SETS = {
    "app/__init__.py": "from .consts import VENUES as ALL\n",
    "app/consts.py": 'VENUES = {"XA", "XB", "XC"}\n',
    "app/engine.py": (
        "from . import ALL, consts\nfrom .consts import VENUES\n\n\n"
        "def subscribe(out):\n    for v in VENUES:\n        out.append(v)\n\n\n"
        "def names():\n    return ','.join(consts.VENUES) + ','.join(ALL)\n"
    ),
    "app/other.py": "import json\n\n\ndef dump(x):\n    return json.dumps(x)\n",
}
SET_SITES = [("app/engine.py", 6, "DST203"), ("app/engine.py", 11, "DST203"), ("app/engine.py", 11, "DST203")]


def test_a_set_constant_of_another_module(tmp_path):
    ws = workspace(tmp_path, SETS)
    fast, full = run(ws), run(ws, prefilter=False)
    assert violations(fast) == SET_SITES
    assert fast.sites == full.sites  # engine.py spells no set: the index keeps it for the prefilter
    assert fast.results["app/engine.py"].parsed and not fast.results["app/other.py"].parsed


def test_warm_run_sees_a_set_constant_change(tmp_path):
    """engine.py is unchanged; what it imports stops being a set, so its cached result must go."""
    ws = workspace(tmp_path, SETS)
    assert violations(run(ws, cache=True)) == SET_SITES
    (ws / "app/consts.py").write_text('VENUES = {"XA", "XB", "XC"}\nVENUES = sorted(VENUES)\n')
    assert violations(run(ws, cache=True)) == []
    (ws / "app/consts.py").write_text('VENUES = frozenset(["XA", "XB"])\n')
    assert violations(run(ws, cache=True)) == SET_SITES


def test_digest_ignores_modules_without_a_set_constant(tmp_path):
    ws = workspace(tmp_path, {**SETS, "app/user.py": "from .other import dump\nfrom . import other\n"})
    first = run(ws).index.digest("python")
    (ws / "app/other.py").write_text("import json\nimport math\n\nLIMITS = [1, 2]\n\n\ndef dump(x):\n    return json.dumps(x)\n")
    assert run(ws).index.digest("python") == first
    (ws / "app/other.py").write_text("import json\n\nLIMITS = {\"a\", \"b\"}\n")
    assert run(ws).index.digest("python") != first


def test_a_run_over_one_named_file_sees_the_same_set_constants(tmp_path):
    ws = workspace(tmp_path, SETS)
    cfg = config_mod.from_data({}, ws, None)
    result = pipeline.scan(cfg, [str(ws / "app/engine.py")], options=pipeline.Options(cache=False, jobs=1))
    assert violations(result) == SET_SITES


def test_a_project_module_loaded_by_a_literal_name(tmp_path):
    """No import statement names pkg.clock: each call with its literal name is what loads it."""
    ws = workspace(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/clock.py": "from time import time as now\n\n\ndef local():\n    return 0\n",
        "pkg/a.py": "import importlib\n\n\ndef f():\n    return importlib.import_module('pkg.clock').now()\n",
        "pkg/b.py": "import importlib\n\n\ndef f():\n    m = importlib.import_module('pkg.clock')\n    return m.now(), m.local()\n",
        "pkg/c.py": "def f():\n    return __import__('pkg.clock', fromlist=['now']).now()\n",
        "pkg/d.py": "from importlib import import_module\n\n\ndef f():\n    return import_module('pkg.clock').local()\n",
    })
    expected = [("pkg/a.py", 5, "DST201"), ("pkg/b.py", 6, "DST201"), ("pkg/c.py", 2, "DST201")]
    fast, full = run(ws), run(ws, prefilter=False)
    assert violations(fast) == expected and fast.sites == full.sites
    cfg = config_mod.from_data({}, ws, None)
    one = pipeline.scan(cfg, [str(ws / "pkg/b.py")], options=pipeline.Options(cache=False, jobs=1))
    assert violations(one) == [("pkg/b.py", 6, "DST201")]


def test_warm_run_sees_a_derived_class_change(tmp_path):
    """A subclass of `random.Random` defined in another module: constructed without a seed it is
    an unseeded generator, until the class decides its seed itself."""
    ws = workspace(tmp_path, {
        "sim/__init__.py": "",
        "sim/rng.py": "import random\n\n\nclass SimRandom(random.Random):\n    pass\n",
        "sim/user.py": "from .rng import SimRandom\n\n\ndef make(seed):\n    return SimRandom(), SimRandom(seed)\n",
    })
    assert violations(run(ws, cache=True)) == [("sim/user.py", 5, "DST202")]
    (ws / "sim/rng.py").write_text("import random\n\n\nclass SimRandom(random.Random):\n    def __init__(self, seed=7):\n        super().__init__(seed)\n")
    assert violations(run(ws, cache=True)) == []
    (ws / "sim/rng.py").write_text("import random\n\n\nclass SimRandom(random.SystemRandom):\n    pass\n")
    assert violations(run(ws, cache=True)) == [("sim/user.py", 5, "DST202"), ("sim/user.py", 5, "DST202")]


# -- import roots: the same whichever files a run analyses -------------------------------------
def _scoped(tmp_path, files, scope="src/app/core/"):
    return workspace(tmp_path, {"dstcheck.toml": f'[[scope]]\nname = "core"\ninclude = ["{scope}"]\n', **files})


def _three_ways(ws, named):
    """(a plain run, the in-scope sites of `--show-all`, a run naming one file), as (path, line, rule)."""
    cfg = config_mod.load(explicit=ws / "dstcheck.toml")
    options = pipeline.Options(cache=False, jobs=1)
    plain = pipeline.scan(cfg, options=options)
    every = pipeline.scan(cfg, include_scoped_out=True, options=options)
    one = pipeline.scan(cfg, [str(ws / named)], options=options)
    return violations(plain), violations(every), violations(one)


ROOTS = {
    "src/app/venue/clock.py": 'import time\nfrom time import time as now\nVENUES = {"a", "b"}\n\n\ndef stamp():\n    return time.time()\n',
    "src/app/core/engine.py": "from app.venue.clock import stamp, now, VENUES\n\n\ndef tick():\n    return stamp(), now(), [v for v in VENUES]\n",
}
ROOT_SITES = [("src/app/core/engine.py", 5, "DST207"), ("src/app/core/engine.py", 5, "DST201"), ("src/app/core/engine.py", 5, "DST203")]


def test_import_roots_do_not_depend_on_the_files_analysed(tmp_path):
    """core/ has no `__init__.py`; `src/` is where `app` starts because of venue/'s packages,
    which a plain run does not analyse (they are out of scope) and a named run does not either."""
    ws = _scoped(tmp_path, {**ROOTS, "src/app/__init__.py": "", "src/app/venue/__init__.py": ""})
    assert _three_ways(ws, "src/app/core/engine.py") == (ROOT_SITES, ROOT_SITES, ROOT_SITES)


def test_a_src_namespace_package(tmp_path):
    """src/app has no `__init__.py` (a namespace package): `app.venue.clock` is still found under src/."""
    ws = _scoped(tmp_path, {**ROOTS, "src/app/venue/__init__.py": ""})
    assert _three_ways(ws, "src/app/core/engine.py") == (ROOT_SITES, ROOT_SITES, ROOT_SITES)


def test_a_namespace_root_names_no_standard_library_module(tmp_path):
    """src/app/time.py under the namespace package is `app.time`, never `time`."""
    ws = _scoped(tmp_path, {
        "src/app/venue/__init__.py": "",
        "src/app/time.py": "def time():\n    return 0\n",
        "src/app/core/engine.py": "import time\nfrom app import time as t\n\n\ndef tick():\n    return time.time(), t.time()\n",
    })
    assert _three_ways(ws, "src/app/core/engine.py") == ([("src/app/core/engine.py", 6, "DST201")],) * 3


def test_a_regular_package_wins_over_a_namespace_portion(tmp_path):
    """With a regular package `app` at the root, Python never imports src/app (a namespace
    portion): `app.venue.clock` is not src/app/venue/clock.py."""
    ws = _scoped(tmp_path, {**ROOTS, "src/app/venue/__init__.py": "", "app/__init__.py": ""})
    assert _three_ways(ws, "src/app/core/engine.py") == ([], [], [])


def test_a_loose_script_outside_the_source_sets_is_no_import_root(tmp_path):
    """scripts/utils.py and docs/conf.py are on no import path of the code checked: `import utils`
    and `from config import now` there are other modules (an installed one, or nothing)."""
    ws = _scoped(tmp_path, {
        "app/__init__.py": "",
        "scripts/utils.py": "import time\n\n\ndef stamp():\n    return time.time()\n",
        "scripts/config.py": 'from time import time as now\nVENUES = {"a", "b"}\n',
        "app/core.py": "import utils\nfrom config import now, VENUES\n\n\ndef f():\n    return utils.stamp(), now(), [v for v in VENUES]\n",
    }, scope="app/")
    assert _three_ways(ws, "app/core.py") == ([], [], [])


def test_a_loose_file_named_like_a_namespace_package_does_not_hide_it(tmp_path):
    """examples/app.py is no root of the code checked, so it does not hold `app` against src/'s
    namespace portion."""
    ws = _scoped(tmp_path, {**ROOTS, "src/app/venue/__init__.py": "", "examples/app.py": 'print("demo")\n'})
    assert _three_ways(ws, "src/app/core/engine.py") == (ROOT_SITES, ROOT_SITES, ROOT_SITES)


# -- a project submodule re-exported by name ----------------------------------------------------
SUBMODULES = {
    "pkg/__init__.py": "from . import consts as C\nfrom . import timeutil as tu\n",
    "pkg/consts.py": 'VENUES = {"a", "b"}\n',
    "pkg/timeutil.py": "import time\n",
    "pkg/engine.py": "from pkg import C, tu\n\n\ndef f():\n    return tu.time.monotonic(), [v for v in C.VENUES]\n",
}
SUBMODULE_SITES = [("pkg/engine.py", 5, "DST201"), ("pkg/engine.py", 5, "DST203")]


def test_a_submodule_re_exported_by_name(tmp_path):
    """`from pkg import C, tu`, where pkg/__init__.py binds them to its submodules, reports what
    `from pkg import consts as C, timeutil as tu` does; so does a run naming engine.py only."""
    ws = workspace(tmp_path, SUBMODULES)
    assert violations(run(ws)) == SUBMODULE_SITES
    assert violations(run(ws, prefilter=False)) == SUBMODULE_SITES
    cfg = config_mod.from_data({}, ws, None)
    one = pipeline.scan(cfg, [str(ws / "pkg/engine.py")], options=pipeline.Options(cache=False, jobs=1))
    assert violations(one) == SUBMODULE_SITES
    (ws / "pkg/engine.py").write_text("from pkg import consts as C, timeutil as tu\n\n\ndef f():\n    return tu.time.monotonic(), [v for v in C.VENUES]\n")
    assert violations(run(ws)) == SUBMODULE_SITES


def test_warm_run_sees_a_re_exported_submodule_change(tmp_path):
    """engine.py is unchanged; consts.py stops holding a set, then pkg/__init__.py rebinds C."""
    ws = workspace(tmp_path, SUBMODULES)
    assert violations(run(ws, cache=True)) == SUBMODULE_SITES
    (ws / "pkg/consts.py").write_text('VENUES = ["a", "b"]\n')
    assert violations(run(ws, cache=True)) == SUBMODULE_SITES[:1]
    (ws / "pkg/consts.py").write_text('VENUES = {"a", "b"}\n')
    (ws / "pkg/__init__.py").write_text("from . import consts as C\nfrom . import timeutil as tu\nC = None\ntu = None\n")
    assert violations(run(ws, cache=True)) == SUBMODULE_SITES[:1]


def test_a_submodule_bound_by_a_plain_module(tmp_path):
    """helpers.py (not an `__init__`) has `from . import timeutil, consts`; engine.py takes them
    from there, or reaches them as attributes of helpers."""
    ws = workspace(tmp_path, {
        **SUBMODULES,
        "pkg/helpers.py": "from . import consts, timeutil\n",
        "pkg/engine.py": (
            "from pkg import helpers\nfrom pkg.helpers import consts, timeutil\n\n\n"
            "def f():\n    return timeutil.time.time(), [v for v in consts.VENUES]\n\n\n"
            "def g():\n    return helpers.timeutil.time.time(), [v for v in helpers.consts.VENUES]\n"
        ),
    })
    assert violations(run(ws)) == [("pkg/engine.py", 6, "DST201"), ("pkg/engine.py", 6, "DST203"), ("pkg/engine.py", 10, "DST201"), ("pkg/engine.py", 10, "DST203")]


def test_modules_that_bind_each_other_are_judged_whichever_is_asked_first(tmp_path):
    """a.py and b.py import each other, and b.py imports timeutil (`import time`): both lead to
    the clock, in a full run and in a run naming either user first."""
    ws = workspace(tmp_path, {
        "cyc/__init__.py": "",
        "cyc/a.py": "from cyc import b\n",
        "cyc/b.py": "from cyc import a, timeutil\n",
        "cyc/timeutil.py": "import time\n",
        "cyc/use_a.py": "from cyc.b import a\n\n\ndef f():\n    return a.b.timeutil.time.time()\n",
        "cyc/use_b.py": "from cyc.a import b\n\n\ndef f():\n    return b.timeutil.time.time()\n",
    })
    expected = [("cyc/use_a.py", 5, "DST201"), ("cyc/use_b.py", 5, "DST201")]
    assert violations(run(ws)) == expected
    cfg = config_mod.from_data({}, ws, None)
    for order in (["cyc/use_a.py", "cyc/use_b.py"], ["cyc/use_b.py", "cyc/use_a.py"]):
        for named in order:
            one = pipeline.scan(cfg, [str(ws / named)], options=pipeline.Options(cache=False, jobs=1))
            assert violations(one) == [e for e in expected if e[0] == named]


NAMESPACE_ALIASES = {
    "app/__init__.py": "",
    "app/w.py": (
        "import random\nimport requests\nimport time\n\nhttp = requests\nclock = time\nSession = requests.Session\nRandom = random.Random\n\n\n"
        "async def local():\n    http.get('x')\n    clock.sleep(1)\n    http.Session().get('x')\n    Session().get('x')\n    Session()\n\n\n"
        "def draws():\n    return Random().random()\n"
    ),
    "app/user.py": (
        "from app.w import Random, Session, clock, http\n\n\n"
        "async def f():\n    http.get('x')\n    clock.sleep(1)\n    http.Session().get('x')\n    Session().get('x')\n    Session()\n\n\n"
        "def draws():\n    return Random().random()\n\n\n"
        "async def shadowed(http):\n    http.get('x')\n\n\n"
        "def not_async():\n    http.get('x')\n"
    ),
    "app/dotted.py": "import app.w\nfrom app import w as mod\n\n\nasync def f():\n    app.w.http.get('x')\n    mod.http.get('x')\n",
    "app/inner.py": "import requests\n\n\ndef setup():\n    http = requests\n    return http\n",
    "app/inner_user.py": "from app.inner import http\n\n\nasync def f():\n    http.get('x')\n",
}
# the same lines of app/w.py (local aliases) and app/user.py (the aliases imported): `requests`
# and `random.Random` are banned themselves but namespaces (banned paths lie below them), as
# `time` is one; building a session (`Session()`) blocks nothing
NAMESPACE_ALIAS_SITES = [
    ("app/dotted.py", 6, "DST205"), ("app/dotted.py", 7, "DST205"),
    ("app/user.py", 5, "DST205"), ("app/user.py", 6, "DST205"), ("app/user.py", 7, "DST205"), ("app/user.py", 8, "DST205"), ("app/user.py", 13, "DST202"),
    ("app/w.py", 12, "DST205"), ("app/w.py", 13, "DST205"), ("app/w.py", 14, "DST205"), ("app/w.py", 15, "DST205"), ("app/w.py", 20, "DST202"),
]


def test_a_module_level_alias_of_a_banned_namespace_is_followed_across_modules(tmp_path):
    """`http = requests` at module level is followed from another module (`from app.w import
    http`, `app.w.http`, `mod.http`) as it is in its own module, and as `clock = time` is; a
    parameter of that name, a call outside `async def` and a function's local alias are not."""
    ws = workspace(tmp_path, NAMESPACE_ALIASES)
    assert violations(run(ws)) == NAMESPACE_ALIAS_SITES
    assert violations(run(ws, prefilter=False)) == NAMESPACE_ALIAS_SITES
    cfg = config_mod.from_data({}, ws, None)
    one = pipeline.scan(cfg, [str(ws / "app/user.py")], options=pipeline.Options(cache=False, jobs=1))
    assert violations(one) == [s for s in NAMESPACE_ALIAS_SITES if s[0] == "app/user.py"]


def test_a_star_import_binds_the_modules_aliases_of_banned_names(tmp_path):
    """`from app.w import *` binds w's `clock = time` and `http = requests` as an import by name
    would."""
    ws = _scoped(tmp_path, {
        "app/__init__.py": "",
        "app/w.py": "import requests\nimport time\n\nhttp = requests\nclock = time\n",
        "app/u.py": 'from app.w import *\n\n\nasync def f():\n    clock.sleep(1)\n    http.get("x")\n',
    }, scope="app/u.py")
    sites = [("app/u.py", 5, "DST205"), ("app/u.py", 6, "DST205")]
    assert _three_ways(ws, "app/u.py") == (sites, sites, sites)


def test_branch_truth_knows_type_checking_under_another_name():
    """`from typing import TYPE_CHECKING as TC`: `TC` is False as `TYPE_CHECKING` is, only where
    the caller says the name means it (`off`); the guards and `not` work on it as on the name."""
    import ast

    from dstcheck.python.project import branch_truth, type_checking_aliases

    def truth(source, off=frozenset()):
        return branch_truth(ast.parse(source, mode="eval").body, frozenset({"SIMULATION"}), off)

    assert truth("TC") is None
    assert truth("TC", {"TC"}) is False
    assert truth("not TC", {"TC"}) is True
    assert truth("TC or SIMULATION", {"TC"}) is True
    assert truth("TC and x", {"TC"}) is False
    assert truth("typing.TYPE_CHECKING") is False
    assert truth("x.TC", {"TC"}) is None  # an attribute named like the alias is not it
    imports = ast.parse("from typing import TYPE_CHECKING as TC, cast\nfrom typing_extensions import TYPE_CHECKING as TE\n"
                        "from typing import TYPE_CHECKING\nfrom .typing import TYPE_CHECKING as LOCAL\nfrom other import TYPE_CHECKING as O\n").body
    assert [n for node in imports for n in type_checking_aliases(node)] == ["TC", "TE"]


def test_a_dotted_guard_gates_the_attribute_it_names(tmp_path):
    """`guards = ["settings.SIMULATION"]` is that path as written (`if not settings.SIMULATION:`),
    in the module's own code and for what the project index binds; a guard's last part alone
    still names it on any object (`config.SIMULATION` for `SIMULATION`). Another object's
    attribute of the same name is not the dotted guard."""
    ws = workspace(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/settings.py": "SIMULATION = True\n",
        "pkg/live.py": (
            "import time\nfrom pkg import settings\n\n"
            "if not settings.SIMULATION:\n    from time import monotonic as tick\nelse:\n    def tick():\n        return 0\n\n\n"
            "def stamp(other):\n"
            "    if not settings.SIMULATION:\n        return time.time()\n"
            "    if not other.SIMULATION:\n        return time.time()\n"
            "    return 0.0 if settings.SIMULATION else time.time()\n"
        ),
        "pkg/user.py": "from pkg.live import tick\n\n\ndef now():\n    return tick()\n",
    })
    cfg = config_mod.from_data({"python": {"guards": ["settings.SIMULATION"]}}, ws, None)
    result = pipeline.scan(cfg, options=pipeline.Options(cache=False, jobs=1))
    assert violations(result) == [("pkg/live.py", 15, "DST201")]
    gated = sorted((s.path, s.line, s.reason) for s in result.sites if s.disposition == "gated")
    assert gated == [
        ("pkg/live.py", 13, "if not settings.SIMULATION"),
        ("pkg/live.py", 16, "else of `if settings.SIMULATION`"),
    ]


def test_branch_truth_reads_a_dotted_guard_as_written():
    import ast

    from dstcheck.python.project import branch_truth

    def truth(source, guards):
        return branch_truth(ast.parse(source, mode="eval").body, frozenset(guards))

    assert truth("settings.SIMULATION", {"settings.SIMULATION"}) is True
    assert truth("not app.settings.SIMULATION", {"app.settings.SIMULATION"}) is False
    assert truth("other.SIMULATION", {"settings.SIMULATION"}) is None
    assert truth("SIMULATION", {"settings.SIMULATION"}) is None  # a bare name is not the dotted path
    assert truth("config.SIMULATION", {"SIMULATION"}) is True
    assert truth("f().SIMULATION", {"f.SIMULATION"}) is None
