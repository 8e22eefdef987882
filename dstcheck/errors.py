"""Errors that end a run with exit code 2 and a message naming what was wrong and where."""


class UsageError(Exception):
    """Bad input: a missing path, a bad option value. Exit 2."""


class ConfigError(UsageError):
    """A configuration or data file is invalid: names the file, the key and what was expected."""

    def __init__(self, file: str, key: str, expected: str):
        self.file, self.key, self.expected = file, key, expected
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {expected}")
