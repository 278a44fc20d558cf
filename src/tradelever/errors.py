"""One exception tree for the whole package.

Every error a user can cause derives from :class:`TradeleverError`. Input errors also
derive from :class:`ValueError` and lookup errors from :class:`KeyError`, so callers can
catch either the specific class or the builtin one. Messages say what is wrong and what to
do next.

The parameter at fault is data, not text: ``exc.parameter`` holds its Python spelling
(``"partner"``, ``"year"``, ``"min_rca"``; ``exc.parameters`` when several are at fault)
and ``exc.message`` the message without it. ``str(exc)`` reads ``"partner: MAS: unknown
country; did you mean MYS (Malaysia)?"``. Each interface spells the parameter its own way
with :meth:`TradeleverError.describe`: the command line as its flag (``--partner``), the
HTTP API as its query name.

>>> str(InputError("must be 1 or more, got 0", parameter="top"))
'top: must be 1 or more, got 0'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = [
    "DataFileError",
    "EmptyResultError",
    "FetchError",
    "InputError",
    "StoreError",
    "TradeleverError",
    "UnknownCodeError",
    "UnknownCountryError",
    "UnknownDatasetError",
    "UnknownProductError",
]

# Messages written before errors carried their parameter lead with its command-line
# spelling ("--min-rca: must be >= 0"). They are read once, here, into ``parameters``
# (Python spelling) and the bare message, so that no interface ever parses message text;
# ``str()`` keeps the text as it was raised. tests/test_errors.py lists the modules that
# still raise them (the list only shrinks): convert them to ``parameter=``.
_LEGACY_PREFIX = re.compile(r"^(--[a-z][a-z0-9-]*(?:, --[a-z][a-z0-9-]*)*): ")


def _python_name(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


class TradeleverError(Exception):
    """Root of every error raised on purpose by tradelever.

    Parameters
    ----------
    message
        What is wrong and what to do, without the parameter's name.
    parameter
        The parameter at fault, in Python spelling (``"partner"``), or several of them.
    """

    def __init__(self, message: str = "", *, parameter: str | Sequence[str] | None = None):
        message = str(message)
        self._raised_as: str | None = None
        if parameter is None:
            names: tuple[str, ...] = ()
            legacy = _LEGACY_PREFIX.match(message)
            if legacy:
                names = tuple(_python_name(n) for n in legacy.group(1).split(", "))
                self._raised_as = message
                message = message[legacy.end() :]
        elif isinstance(parameter, str):
            names = (parameter,)
        else:
            names = tuple(parameter)
        super().__init__(message)
        self.message = message
        self.parameters = names

    @property
    def parameter(self) -> str | None:
        """The (first) parameter at fault, in Python spelling, or None."""
        return self.parameters[0] if self.parameters else None

    def describe(self, spell: Callable[[str], str] | None = None) -> str:
        """One line: the parameters (each passed through ``spell``), then the message."""
        if not self.parameters:
            return self.message or self.__class__.__name__
        names = [spell(p) if spell is not None else p for p in self.parameters]
        return f"{', '.join(names)}: {self.message}"

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that.
        return self._raised_as if self._raised_as is not None else self.describe()


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
    parameter
        The parameter that named the file, when there is one (``"groups"``).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        parameter: str | Sequence[str] | None = None,
    ) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message, parameter=parameter)
        self.path = path
        self.line = line
        self.field = field


class StoreError(TradeleverError):
    """The data directory cannot be read or written."""


class FetchError(TradeleverError):
    """A download or API request failed.

    Carries the URL and HTTP status so that scripts can decide whether to retry.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        parameter: str | Sequence[str] | None = None,
    ):
        super().__init__(message, parameter=parameter)
        self.url = url
        self.status = status


class EmptyResultError(FetchError):
    """An API answered, but with no data; the message says what was asked and why."""
