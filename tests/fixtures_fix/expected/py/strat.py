"""Configured replacements in Python: the reference keeps its form."""
import time
import acme.clock
import acme.settings
from acme.clock import monotonic


def stamp():
    # A dotted path from its module stays one, from the replacement's module.
    started = acme.clock.now()  # wall clock
    waited = monotonic()
    return started, waited, time.sleep


def level():
    return acme.settings.env.get('LOG_LEVEL', "info")
