"""One exception tree for the whole package.

Every error a user can cause derives from :class:`TradeleverError`. Input errors also
derive from :class:`ValueError` and lookup errors from :class:`KeyError`, so callers can
catch either the specific class or the builtin one. Messages name the file, line, field or
parameter at fault and say what to do next.
"""

from __future__ import annotations


class TradeleverError(Exception):
    """Root of every error raised on purpose by tradelever."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that.
        return str(self.args[0]) if self.args else self.__class__.__name__


class InputError(TradeleverError, ValueError):
    """A parameter, option or file content is invalid."""


class UnknownCodeError(TradeleverError, KeyError):
    """A country, product, industry or group code is not known."""


class UnknownCountryError(UnknownCodeError):
    """A country code is not an ISO3 code known to tradelever or to the data set."""


class UnknownProductError(UnknownCodeError):
    """A product, industry or group code is not in the data set's classification."""


class UnknownDatasetError(UnknownCodeError):
    """A data set name is not in the store."""


class DataFileError(TradeleverError, ValueError):
    """A data file is missing, malformed or altered.

    Parameters
    ----------
    message
        What is wrong and what to do.
    path
        The file at fault.
    line
        1-based line number in the file, when the fault is on a line.
    field
        The column or key at fault.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path = path
        self.line = line
        self.field = field


class StoreError(TradeleverError):
    """The data directory cannot be read or written."""


class FetchError(TradeleverError):
    """A download or API request failed.

    Carries the URL and HTTP status so that scripts can decide whether to retry.
    """

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class EmptyResultError(FetchError):
    """An API answered, but with no data; the message says what was asked and why."""
