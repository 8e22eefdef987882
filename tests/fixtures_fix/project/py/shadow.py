from time import time


def run(now):
    # `now` is taken here, so the replacement is written from its module instead.
    return time() - now
