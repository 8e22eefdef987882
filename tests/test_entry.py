"""`dstcheck.entry` reads a plain `check` command line without click: whatever it reads must be
what click reads (the same arguments for `check_command`), and whatever it cannot read exactly
it must hand to click (None)."""

import click
from hypothesis import given, settings, strategies as st

from dstcheck import cli
from dstcheck.entry import plain_check

WORDS = st.sampled_from([
    "src", "a b.rs", "x.py", "-", "--", "-x", "--show-all", "--statistics", "--exit-zero", "--ignore-markers",
    "--no-cache", "--no-prefilter", "--fix", "--diff", "--config", "--format", "--select", "--ignore",
    "--cache-dir", "--color", "-j", "--jobs", "json", "text", "sarif", "github", "bogus", "always", "never",
    "auto", "DST101", "DST101,DST102", "clock", "0", "2", "-1", "1x", "²", "--format=json", "--format=",
    "--select=DST201", "--jobs=3", "-j=3", "-j2", "--unknown", "--baseline", "b.json", "--color=never",
])


def _click_params(args):
    """What click passes to the check command for this command line, or None where it refuses."""
    try:
        with cli.check.make_context("check", list(args), resilient_parsing=False) as ctx:
            return dict(ctx.params)
    except (click.exceptions.Exit, click.UsageError, click.exceptions.Abort):
        return None


@settings(max_examples=600, deadline=None)
@given(st.lists(WORDS, max_size=7))
def test_plain_reading_is_clicks_reading(words):
    args = ["check", *words]
    found = plain_check(args)
    if found is None:
        return  # click reads it (and reports its errors)
    expected = _click_params(args[1:])
    assert expected is not None, f"entry read a command line click refuses: {args}"
    assert found == expected, args


def test_examples_read_both_ways():
    for args in (["check"], ["check", "src", "--format", "json", "-j", "2", "--select", "DST101", "--select=clock"],
                 ["check", "--no-cache", "--color=never", "x.py"]):
        assert plain_check(args) is not None, args
        assert plain_check(args) == _click_params(args[1:]), args
    for args in (["check", "--fix"], ["check", "--help"], ["check", "--format", "bogus"], ["rules"], []):
        assert plain_check(args) is None, args
