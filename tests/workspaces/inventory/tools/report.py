import os
import time


def stamp():
    return time.time(), os.environ.get("REPORT_DIR")
