import time

from engine import SIMULATION


def on_bar(bar):
    if not SIMULATION:
        print(time.time())
    return bar
