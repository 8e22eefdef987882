def sorted(items):
    return items


def walk(names: set):
    for name in names:  # `sorted` means something else in this file: no fix
        print(name)
