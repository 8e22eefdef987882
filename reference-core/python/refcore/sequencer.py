"""The one place sequence ids are assigned. A batch is ordered by event time, then source priority
(the run's settings), venue, instrument and producer index, then arrival order, so equal times
never depend on which producer happened to deliver first."""
from typing import Dict, List

from refcore.model import UNKNOWN_RANK, Event
from refcore.spec import SPEC


class Sequencer:
    def __init__(self, next_seq: int = 1, priority: Dict[str, int] = SPEC.priority):
        self.next_seq = next_seq
        self.priority = priority

    def sequence(self, batch: List[Event], ingest: int) -> List[Event]:
        """Order the batch in place and stamp it: ids in that order, all with the same ingest
        time. Sequencing a sequenced batch again from the same id gives it the same ids."""
        rank = self.priority.get
        keys = [(ev.time, rank(ev.source, UNKNOWN_RANK), ev.venue, ev.instrument, ev.producer, i)
                for i, ev in enumerate(batch)]
        keys.sort()
        batch[:] = [batch[k[-1]] for k in keys]
        for seq, ev in enumerate(batch, start=self.next_seq):
            ev.seq, ev.ingest = seq, ingest
        self.next_seq += len(batch)
        return batch
