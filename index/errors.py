"""Named errors whose messages name the file, line or word involved."""

from __future__ import annotations


class NianbaoError(Exception):
    """Base of every error the product turns into a clear message."""


class ReportError(NianbaoError):
    """A report file that cannot be read or parsed; the build skips it and goes on."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexMissing(NianbaoError):
    """The index file does not exist or is not a nianbao index."""

    def __init__(self, path):
        self.path = str(path)
        super().__init__(f"no index at {self.path}: build one with `nianbao index build seeds --db {self.path}`")


class UnknownAgency(NianbaoError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"no agency in the index matches {name!r}")


class ReindexBusy(NianbaoError):
    """A re-index was asked for while another one runs."""
