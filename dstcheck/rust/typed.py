"""Facts that need a receiver's type: an iteration whose order escapes (DST108) and a method that
reads the clock inside (`t.elapsed()` on a std `Instant`, DST101).

Each candidate becomes a *record* (plain data: the receiver's type query and how the order is
used). `finish` answers the record with an `types.Evaluator`; when the answer needs another
file's declarations it raises `NeedsOtherFile`, and the record waits for the index.
"""

from __future__ import annotations

from typing import List, Optional

from dstcheck.model import Fact
from dstcheck.rust import order, types
from dstcheck.stages.prefilter import word_positions, words_of

FOR = "for"


def triggers(rules) -> dict:
    """Words that start a typed candidate -> the fact kind they start, for these rules."""
    out = {}
    for rule in rules:
        for m in rule.matchers:
            if m.kind == "hash-iteration":
                out.update({w: "iteration" for w in order.ITERATION_METHODS})
                out[FOR] = "iteration"
            elif m.kind == "typed-method":
                out.update({w: "typed-method" for w in m.params.get("methods", ())})
    return out


def records(parsed, builder: types.QueryBuilder, wanted: dict) -> List[dict]:
    """Candidate records, each with the node it is reported at (`node`, not serialised)."""
    source = parsed.source
    present = words_of(source)
    nodes_by_kind = {"iteration": [], "typed-method": []}
    for word in sorted(wanted):
        if word.encode() not in present:
            continue
        for i in word_positions(source, word.encode()):
            node = parsed.root.descendant_for_byte_range(i, i + len(word))
            if node is not None and node.start_byte == i and node.end_byte == i + len(word):
                nodes_by_kind[wanted[word]].append(node)
    out = []
    if nodes_by_kind["iteration"]:
        for site, receiver, form, how in order.iteration_sites(parsed.root, parsed.text, nodes_by_kind["iteration"]):
            query = builder.of(receiver)
            if query is None:
                continue
            out.append({
                "kind": "iteration",
                "method": form,
                "receiver": query,
                "verdict": how.verdict,
                "element": how.element,
                "sum_type": builder.type_node(site, how.sum_type) if how.sum_type is not None else None,
                "target": _target(builder, site, how),
                "node": site,
            })
    for node in nodes_by_kind["typed-method"]:
        parent = node.parent
        if node.type != "field_identifier" or parent is None or parent.type != "field_expression":
            continue
        call = parent.parent
        if call is None or call.type != "call_expression":
            continue
        query = builder.of(parent.child_by_field_name("value"))
        if query is not None:
            out.append({"kind": "typed-method", "method": parsed.text(node), "receiver": query, "node": call})
    return out


def _target(builder, site, how) -> Optional[list]:
    if how.target is None:
        return None
    if how.verdict == "extend":
        return builder.of(how.target)
    if how.target.type in ("type_identifier", "scoped_type_identifier", "generic_type", "reference_type", "scoped_identifier", "identifier"):
        return builder.type_node(site, how.target)
    return None


def _arg_path(t: Optional[types.Type]) -> str:
    return t.path if t is not None else ""


def finish(record: dict, evaluator: types.Evaluator) -> Optional[Fact]:
    """The fact a record proves, or None (not proven, or order-free)."""
    receiver = evaluator.evaluate(record["receiver"])
    if receiver is None:
        return None
    receiver = receiver.peel()
    if record["kind"] == "typed-method":
        return Fact("typed-method", (receiver.path,), 0, 1, None, method=record["method"])
    verdict = record["verdict"]
    if verdict == "sum":
        written = evaluator.evaluate(record["sum_type"]) if record["sum_type"] is not None else None
        element = written
        if element is None and record["element"] is not None and record["element"] < len(receiver.args):
            element = receiver.args[record["element"]]
        if element is None and record["element"] is None and record["method"] in ("iter", "into_iter", "drain", "par_iter") and len(receiver.args) == 1:
            element = receiver.args[0]  # a set yields its elements
        if not order.is_float(element.path if element is not None else None):
            return None
    elif verdict in ("collect", "extend"):
        target = evaluator.evaluate(record["target"]) if record["target"] is not None else None
        if target is not None:
            target = target.peel()
        if not order.ordered_target(target.path if target is not None else None):
            return None
    return Fact("iteration", (receiver.path,), 0, 1, None, method=record["method"], type_args=tuple(_arg_path(a) for a in receiver.args))
