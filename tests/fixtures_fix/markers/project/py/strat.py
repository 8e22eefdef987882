import time


def plain():
    return time.time()


def commented():
    return time.time()  # seconds


def spanning():
    return max(
        time.time(),
        0,
    )


def long_line():
    return call_a_function_with_a_long_name(first_argument, second_argument, time.time())


def split():
    return time.time(
    )
