"""The Rust half of the index stage: the Cargo workspace, its crates' module trees and what each
module binds. (Work in progress: until it lands `build` returns None.)"""

from __future__ import annotations


def build(config, entries, todo, store, options, stats):
    return None
