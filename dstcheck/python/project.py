"""The Python half of the index stage: the project's own modules and what each binds.

(Filled in by the cross-module resolution work; until then there is nothing to resolve across
files and `build` returns None.)
"""

from __future__ import annotations


def build(config, entries, todo, store, options, stats):
    return None
