"""One configuration, resolved once: flags, then environment, then defaults.

:meth:`Config.resolve` is the only place tradelever reads environment variables. The
command line resolves one :class:`Config` per invocation from its flags, the HTTP server
one for its lifetime, and :class:`tradelever.api.Session` one when it is not given one;
everything below (store, sources, analyses) receives explicit values.

=====================  ==========================  ==========================================
setting                environment variable        default
=====================  ==========================  ==========================================
``data_dir``           ``TRADELEVER_DATA_DIR``     the platform's user data folder
                                                   (``~/.local/share/tradelever`` on Linux)
``comtrade_api_key``   ``COMTRADE_API_KEY``        none: the public preview (500 records a call)
``census_api_key``     ``CENSUS_API_KEY``          none: the keyless quota (500 calls a day)
``comtrade_url``       ``TRADELEVER_COMTRADE_URL`` ``https://comtradeapi.un.org``
``census_url``         ``TRADELEVER_CENSUS_URL``   ``https://api.census.gov``
``baci_url``           ``TRADELEVER_BACI_URL``     CEPII's data folder
``http_cache``         (none)                      on, under ``<data_dir>/cache/http``
``http_cache_max_age`` (none)                      30 days
=====================  ==========================  ==========================================

API keys are :class:`Secret` values: their ``repr`` and ``str`` never show the key, so a
configuration can be logged or printed; :meth:`Secret.reveal` gives the value to the one
call that sends it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "ENV_BACI_URL",
    "ENV_CENSUS_KEY",
    "ENV_CENSUS_URL",
    "ENV_COMTRADE_KEY",
    "ENV_COMTRADE_URL",
    "ENV_DATA_DIR",
    "Config",
    "Secret",
    "platform_data_dir",
]

ENV_DATA_DIR: Final = "TRADELEVER_DATA_DIR"
ENV_COMTRADE_KEY: Final = "COMTRADE_API_KEY"
ENV_CENSUS_KEY: Final = "CENSUS_API_KEY"
ENV_COMTRADE_URL: Final = "TRADELEVER_COMTRADE_URL"
ENV_CENSUS_URL: Final = "TRADELEVER_CENSUS_URL"
ENV_BACI_URL: Final = "TRADELEVER_BACI_URL"
#: Seconds a cached HTTP response stays valid (30 days).
HTTP_CACHE_MAX_AGE: Final = 30 * 86400.0


def platform_data_dir() -> Path:
    """The platform's user data folder for tradelever (``~/.local/share/tradelever``)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("tradelever", appauthor=False))


@dataclass(frozen=True)
class Secret:
    """A credential whose ``repr`` and ``str`` never show it.

    >>> key = Secret("abc123")
    >>> key, str(key), key.reveal()
    (Secret('********'), '********', 'abc123')
    """

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The value itself, for the request that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __bool__(self) -> bool:
        return bool(self._value)


def _secret(value: str | Secret | None) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value or None
    return Secret(value) if value.strip() else None


@dataclass(frozen=True)
class Config:
    """Where tradelever keeps its data and how it reaches remote sources.

    Build it with :meth:`resolve` (flags > environment > defaults); the constructor takes
    every value as given and reads nothing.

    Attributes
    ----------
    data_dir
        The data directory (data sets, download and response caches).
    comtrade_api_key, census_api_key
        API keys, or None.
    comtrade_url, census_url, baci_url
        Base URLs of the remote sources, or None for each source's public address.
    http_cache
        Keep API responses under ``<data_dir>/cache/http``.
    http_cache_max_age
        Seconds a cached response stays valid (None: forever).
    """

    data_dir: Path
    comtrade_api_key: Secret | None = None
    census_api_key: Secret | None = None
    comtrade_url: str | None = None
    census_url: str | None = None
    baci_url: str | None = None
    http_cache: bool = True
    http_cache_max_age: float | None = HTTP_CACHE_MAX_AGE

    @property
    def http_cache_dir(self) -> Path | None:
        """Folder of the HTTP response cache (None when caching is off)."""
        return self.data_dir / "cache" / "http" if self.http_cache else None

    @classmethod
    def resolve(
        cls,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        comtrade_api_key: str | Secret | None = None,
        census_api_key: str | Secret | None = None,
        comtrade_url: str | None = None,
        census_url: str | None = None,
        baci_url: str | None = None,
        http_cache: bool = True,
        http_cache_max_age: float | None = HTTP_CACHE_MAX_AGE,
        env: Mapping[str, str] | None = None,
    ) -> Config:
        """A configuration from explicit values, then the environment, then defaults.

        Parameters
        ----------
        data_dir, comtrade_api_key, census_api_key, comtrade_url, census_url, baci_url
            Explicit values (command-line flags, function arguments); None falls back to
            the environment variable, then the default (see the module docstring). An
            empty environment variable counts as unset.
        http_cache, http_cache_max_age
            Response cache settings.
        env
            The environment to read (default ``os.environ``; tests pass a dict).
        """
        env = os.environ if env is None else env

        def pick(value: str | None, name: str) -> str | None:
            if value is not None:
                return value
            found = env.get(name, "").strip()
            return found or None

        folder = data_dir if data_dir is not None else pick(None, ENV_DATA_DIR)
        return cls(
            data_dir=Path(folder).expanduser() if folder is not None else platform_data_dir(),
            comtrade_api_key=_secret(
                comtrade_api_key if comtrade_api_key is not None else pick(None, ENV_COMTRADE_KEY)
            ),
            census_api_key=_secret(
                census_api_key if census_api_key is not None else pick(None, ENV_CENSUS_KEY)
            ),
            comtrade_url=pick(comtrade_url, ENV_COMTRADE_URL),
            census_url=pick(census_url, ENV_CENSUS_URL),
            baci_url=pick(baci_url, ENV_BACI_URL),
            http_cache=http_cache,
            http_cache_max_age=http_cache_max_age,
        )

    def with_data_dir(self, data_dir: str | os.PathLike[str]) -> Config:
        """The same configuration on another data directory."""
        from dataclasses import replace

        return replace(self, data_dir=Path(data_dir).expanduser())


def reveal(secret: Secret | None) -> str | None:
    """The value of an optional secret (None stays None)."""
    return secret.reveal() if secret is not None else None
