import time


def plain():
    return time.time()  # dst-ok[DST201]: pre-existing


def commented():
    return time.time()  # dst-ok[DST201]: pre-existing  # seconds


def spanning():
    return max(
        time.time(),  # dst-ok[DST201]: pre-existing
        0,
    )


def long_line():
    return call_a_function_with_a_long_name(first_argument, second_argument, time.time())  # dst-ok[DST201]: pre-existing


def split():
    return time.time(  # dst-ok[DST201]: pre-existing
    )
