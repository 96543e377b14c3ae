"""The one error type for bad user input: it names the file, the key and what was expected."""

from __future__ import annotations


class UserInputError(Exception):
    """Bad input from a file, a flag or a widget; the command line turns it into exit status 2."""

    def __init__(self, source: str, key: str | None, expected: str) -> None:
        self.source = str(source)
        self.key = key
        self.expected = expected
        where = f"{self.source}: {key}" if key else self.source
        super().__init__(f"{where}: {expected}")

    def __reduce__(self):  # travels intact from worker processes
        return (type(self), (self.source, self.key, self.expected))
