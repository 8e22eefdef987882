"""Set iteration: the unsafe fix sorts the set where it is iterated."""


def forms(names: set, other: set, pairs: set):
    for name in sorted(names):  # loop
        print(name)
    upper = [n.upper() for n in sorted(names | other)]
    listed = sorted(names)
    joined = ", ".join(sorted(other))
    first = next(iter(sorted(names)))
    numbered = enumerate(sorted(other))
    lengths = map(len, sorted(names))
    print(*sorted(other))
    spread = [*sorted(names)]
    a, b = sorted(pairs)
    return upper, listed, joined, first, numbered, lengths, spread, a, b


def left_alone(names: set, other: set):
    zipped = zip(names, other)  # which argument is the set is not said: no fix
    names.pop()  # takes an element out: no fix
    return zipped
