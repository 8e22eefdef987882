"""The shared tables, read at import from `reference-core/core.spec`, the file the Rust core
includes with include_str!: constants, order states and transitions, report targets, intent
fields, source priority, venues and their capabilities, markets, harness commands, profiles."""
from dataclasses import dataclass, fields as dataclass_fields
from pathlib import Path
from typing import Dict, List, Tuple

from refcore.grammar import GrammarError, parse_line

SPEC_PATH = Path(__file__).resolve().parents[2] / "core.spec"


@dataclass(frozen=True)
class Profile:
    """Parameters of the seeded generator, the venue simulator and the strategy (see core.spec)."""

    name: str
    quote_pct: int
    timer_every: int
    halt_on_pct: int
    halt_off_pct: int
    stale_after: int
    reject_pct: int
    expire_pct: int
    dup_pct: int
    plans: int
    no_fill_plans: int


class Spec:
    def __init__(self, text: str, origin: str):
        self.consts: Dict[str, int] = {}
        self.states: Dict[str, bool] = {}  # name -> terminal, in file order
        self.legal: List[Tuple[str, str]] = []
        self.reports: Dict[str, str] = {}
        self.intents: Dict[str, List[Tuple[str, bool]]] = {}  # type -> [(field, positive)]
        self.priority: Dict[str, int] = {}
        self.venues: Dict[str, Tuple[int, int]] = {}  # name -> (index, fee-bps)
        self.capabilities: Dict[Tuple[str, str], int] = {}
        self.markets: List[Tuple[str, str, int]] = []  # (venue, instrument, start-mid)
        self.commands: Dict[str, Tuple[Tuple[str, ...], str]] = {}  # name -> (from states, to)
        self.profiles: Dict[str, Profile] = {}
        self.profile_settings: Dict[str, List[Tuple[str, dict]]] = {}
        for number, text_line in enumerate(text.split("\n"), start=1):
            if not text_line or text_line.startswith("#"):
                continue
            try:
                kind, f = parse_line(text_line)
                self._row(kind, f)
            except (GrammarError, KeyError, TypeError, ValueError) as err:
                raise ValueError(f"{origin}:{number}: bad spec line ({err}): {text_line}") from None

    def _row(self, kind: str, f: dict) -> None:
        if kind == "const":
            self.consts[f["name"]] = int(f["value"])
        elif kind == "state":
            self.states[f["name"]] = f["terminal"] == 1
        elif kind == "transition":
            self.legal.append((f["from"], f["to"]))
        elif kind == "report":
            self.reports[f["kind"]] = f["to"]
        elif kind == "intent":
            self.intents.setdefault(f["type"], [])
            if "field" in f:
                self.intents[f["type"]].append((f["field"], f["positive"] == 1))
        elif kind in ("source", "capability") and "profile" in f:
            rest = {k: v for k, v in f.items() if k != "profile"}
            self.profile_settings.setdefault(f["profile"], []).append((kind, rest))
        elif kind == "source":
            self.priority[f["name"]] = int(f["priority"])
        elif kind == "venue":
            self.venues[f["name"]] = (int(f["index"]), int(f["fee-bps"]))
        elif kind == "capability":
            self.capabilities[f["venue"], f["name"]] = int(f["value"])
        elif kind == "market":
            self.markets.append((f["venue"], f["instrument"], int(f["start-mid"])))
        elif kind == "command":
            allowed, _ = self.commands.get(f["name"], ((), ""))
            self.commands[f["name"]] = (allowed + (f["from"],), f["to"])
        elif kind == "profile":
            names = [field.name for field in dataclass_fields(Profile)]
            if sorted(k.replace("-", "_") for k in f) != sorted(names):
                raise ValueError(f"a profile has exactly the keys {', '.join(sorted(names))}")
            self.profiles[f["name"]] = Profile(**{k.replace("-", "_"): v for k, v in f.items()})
        else:
            raise ValueError(f"unknown spec line {kind!r}")


SPEC = Spec(SPEC_PATH.read_text(encoding="ascii"), str(SPEC_PATH))
