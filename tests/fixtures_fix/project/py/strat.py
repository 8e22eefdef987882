"""Configured replacements in Python: the reference keeps its form."""
import os
import time
from time import monotonic as mono


def stamp():
    # A dotted path from its module stays one, from the replacement's module.
    started = time.time()  # wall clock
    waited = mono()
    return started, waited, time.sleep


def level():
    return os.environ.get('LOG_LEVEL', "info")
