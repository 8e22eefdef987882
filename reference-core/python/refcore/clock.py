"""The clock seam. The core only ever sees virtual time; the wall clock exists for live mode and
is the one place in the core allowed to read the operating system's time."""
import time

# True in every build this repository ships: dstcheck treats `if not SIMULATION:` as compiled out.
SIMULATION = True


class VirtualClock:
    def __init__(self, start_ns: int = 0):
        self.now = start_ns

    def now_ns(self) -> int:
        return self.now

    def advance(self, ns: int) -> None:
        self.now += ns


class WallClock:
    def now_ns(self) -> int:
        return time.time_ns()
