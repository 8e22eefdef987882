"""Live mode: a feed thread that stamps events with the wall clock. It exists to show where the
DST contract stops; it is only reachable when SIMULATION is off, which no build here does."""
import threading

from refcore.clock import SIMULATION, WallClock


def start_feed(deliver, poll):
    """Poll a transport on a real thread and hand each message to `deliver` with a wall timestamp."""
    if not SIMULATION:
        clock = WallClock()

        def loop():
            for message in iter(poll, None):
                deliver(clock.now_ns(), message)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread
    raise RuntimeError("live mode is not part of the simulation build")
