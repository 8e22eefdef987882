from collections import Counter

import pytest

from refcore.harness import COMMANDS, Harness, HarnessError, run as run_stream
from refcore.model import LEGAL, TICK_NS
from refcore.replay import digest, first_divergence, replay
from refcore.scenario import seeded

STATES = ("initialized", "running", "paused", "crashed", "restarting", "completed")
# What the spec's command table must say, written out as the harness's contract.
CONTRACT = {
    "start": (("initialized", "restarting"), "running"),
    "pause": (("running",), "paused"),
    "resume": (("paused",), "running"),
    "crash": (("running", "paused", "restarting"), "crashed"),
    "restart": (("crashed",), "restarting"),
    "step": (("running",), "running"),
    "complete": (("running", "paused"), "completed"),
}


def run(seed, steps, crash_at=(), profile="default"):
    return run_stream(seeded(seed, steps, profile), crash_at)


def harness_in(state):
    h = Harness(100 * TICK_NS)
    path = {"initialized": [], "running": ["start"], "paused": ["start", "pause"], "crashed": ["start", "crash"],
            "restarting": ["start", "crash", "restart"], "completed": ["start", "complete"]}[state]
    for command in path:
        h.command(command)
    assert h.state == state
    return h


def test_the_spec_holds_the_harness_contract():
    assert COMMANDS == CONTRACT


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("command", sorted(CONTRACT))
def test_every_command_in_every_state(state, command):
    h = harness_in(state)
    allowed, target = CONTRACT[command]
    if state in allowed:
        h.command(command)
        assert h.state == target
    else:
        with pytest.raises(HarnessError, match=f"{command} is illegal in state {state}"):
            h.command(command)
        assert h.state == state and h.timeline[-1].startswith(f"rejected cmd={command} ")


def test_completed_accepts_nothing():
    assert all("completed" not in allowed for allowed, _ in COMMANDS.values())


def test_virtual_time_budget():
    h = harness_in("running")
    h.budget_ns = 2 * TICK_NS
    h.command("step")
    h.command("step")
    with pytest.raises(HarnessError, match="budget"):
        h.command("step")
    assert h.clock.now_ns() == 2 * TICK_NS


def test_same_seed_same_trace_different_seed_different_trace():
    assert run(7, 120).trace == run(7, 120).trace
    assert digest(run(7, 120).trace) != digest(run(8, 120).trace)


@pytest.mark.parametrize("seed", range(1, 9))
@pytest.mark.parametrize("crash_at", [(0,), (1,), (37,), (60, 61), (20, 90, 119)])
def test_crash_and_restart_recovers_the_same_trace(seed, crash_at):
    clean = run(seed, 120)
    crashed = run(seed, 120, crash_at=crash_at)
    assert crashed.failure is None
    assert first_divergence(clean.trace, crashed.trace) is None
    cmds = [l.split()[1] for l in crashed.timeline if l.startswith("harness")]
    assert cmds.count("cmd=crash") == len(crash_at) == cmds.count("cmd=restart") and cmds[-1] == "cmd=complete"


def test_the_log_is_flushed_at_checkpoints_every_32_events_or_more():
    result = run(3, 120)
    seqs = [int(l.split(" seq=")[1].split()[0]) for l in result.trace if l.startswith("checkpoint ")]
    assert len(seqs) >= 3 and all(b - a >= 32 for a, b in zip([0] + seqs, seqs))


def test_seeded_runs_exercise_every_transition_and_never_need_a_diagnostic():
    seen = Counter()
    for seed in range(1, 31):
        trace = run(seed, 200).trace
        assert not [l for l in trace if l.startswith(("diag", "invariant"))], seed
        for l in trace:
            if l.startswith("transition"):
                fields = dict(p.split("=", 1) for p in l.split()[1:])
                seen[fields["from"], fields["to"]] += 1
    assert set(seen) == set(LEGAL)


def test_replay_verifies_a_log_and_names_the_first_tampered_step():
    trace = run(4, 120).trace
    core, divergence = replay(trace)
    assert divergence is None and core.events == run(4, 120).events
    at = next(i for i, l in enumerate(trace) if l.startswith("fill "))
    tampered = trace[:at] + [trace[at].replace(" qty=", " qty=9")] + trace[at + 1:]
    _, divergence = replay(tampered)
    assert divergence.line == at + 1 and divergence.expected == tampered[at] and divergence.got == trace[at]
    assert f"seq={divergence.seq} " in trace[at] + " "


def test_replay_refuses_extra_missing_and_foreign_lines():
    trace = run(4, 60).trace
    assert replay(trace[:-1] + ["noise"] + trace[-1:])[1].line == len(trace)
    assert replay(["event nonsense"])[1].line == 1
    _, divergence = replay(trace[:5] + trace[6:])  # a decision line dropped
    assert divergence is not None and divergence.line == 6


def test_first_divergence_names_line_and_step():
    a = ["run seed=1", "event seq=1 x=1", "fill seq=1 q=1", "event seq=2", "final seq=2"]
    b = a[:2] + ["fill seq=1 q=2"] + a[3:]
    d = first_divergence(a, b)
    assert (d.line, d.seq, d.expected, d.got) == (3, 1, a[2], b[2])
    d = first_divergence(a, a[:-1])
    assert (d.line, d.seq, d.got) == (5, 2, None)
    assert first_divergence(a, list(a)) is None


def test_a_crowded_profile_gives_timers_several_stale_orders_at_once():
    """What makes cancel order (and a hash-ordered walk over the orders) visible in the trace."""
    def crowded_ticks(profile):
        cancels = Counter()
        for seed in range(1, 4):
            for l in run(seed, 300, profile=profile).trace:
                if l.startswith("intent ") and " type=cancel" in l:
                    cancels[seed, l.split(" seq=")[1].split()[0]] += 1
        return sum(1 for n in cancels.values() if n >= 2)
    assert crowded_ticks("default") == 0
    assert crowded_ticks("crowded") >= 10


def test_a_profile_can_reorder_sources_and_change_capabilities():
    trace = run(2, 200, profile="reordered").trace
    assert trace[1:4] == ["source name=timer priority=0", "source name=control priority=4",
                          "capability name=replace value=1 venue=XB"]
    replaced_on_xb = [l for l in trace if l.startswith("decision ") and "reason=capability:replace" in l]
    assert not replaced_on_xb
    assert any(l.startswith("intent ") and "type=replace" in l for l in trace)
    assert replay(trace)[1] is None
