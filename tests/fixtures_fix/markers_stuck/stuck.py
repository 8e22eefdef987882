import time


def typed():
    return time.time()  # type: ignore


def continued():
    return time.time() + \
        1


def in_string():
    return (time.time(), """starts here
ends here""")
