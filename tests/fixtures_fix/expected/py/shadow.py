import acme.clock


def run(now):
    # `now` is taken here, so the replacement is written from its module instead.
    return acme.clock.now() - now
