"""Set iteration: the unsafe fix sorts the set where it is iterated."""


def forms(names: set, other: set, pairs: set):
    for name in names:  # loop
        print(name)
    upper = [n.upper() for n in (names | other)]
    listed = list(names)
    joined = ", ".join(other)
    first = next(iter(names))
    numbered = enumerate(other)
    lengths = map(len, names)
    print(*other)
    spread = [*names]
    a, b = pairs
    return upper, listed, joined, first, numbered, lengths, spread, a, b


def left_alone(names: set, other: set):
    zipped = zip(names, other)  # which argument is the set is not said: no fix
    names.pop()  # takes an element out: no fix
    return zipped
