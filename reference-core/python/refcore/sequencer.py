"""The one place sequence ids are assigned. A batch is ordered by event time, then source priority,
venue, instrument and producer index, then arrival order, so equal times never depend on which
producer happened to deliver first."""
from dataclasses import replace
from typing import List

from refcore.model import SOURCE_PRIORITY, Event


def order_key(ev: Event):
    return (ev.time, SOURCE_PRIORITY.get(ev.source, len(SOURCE_PRIORITY)), ev.venue, ev.instrument, ev.producer)


class Sequencer:
    def __init__(self, next_seq: int = 1):
        self.next_seq = next_seq

    def sequence(self, batch: List[Event], ingest: int) -> List[Event]:
        ranked = sorted(range(len(batch)), key=lambda i: (order_key(batch[i]), i))
        out = []
        for i in ranked:
            out.append(replace(batch[i], seq=self.next_seq, ingest=ingest))
            self.next_seq += 1
        return out
