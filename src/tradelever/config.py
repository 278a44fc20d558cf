"""One configuration, resolved once: flags, then environment, then defaults.

:meth:`Config.resolve` is the only place tradelever reads environment variables. The
command line resolves one :class:`Config` per invocation from its flags, the HTTP server
one for its lifetime, and :class:`tradelever.api.Session` one when it is not given one;
everything below (store, sources, analyses) receives explicit values.

=======================  ====================================  ===============================
setting                  environment variable                  default
=======================  ====================================  ===============================
``data_dir``             ``TRADELEVER_DATA_DIR``               the platform's user data folder
                                                               (``~/.local/share/tradelever``)
``comtrade_api_key``     ``COMTRADE_API_KEY``                  none: the public preview (500
                                                               records a call)
``census_api_key``       ``CENSUS_API_KEY``                    none: the keyless quota (500
                                                               calls a day)
``comtrade_url``         ``TRADELEVER_COMTRADE_URL``           ``https://comtradeapi.un.org``
``census_url``           ``TRADELEVER_CENSUS_URL``             ``https://api.census.gov``
``baci_url``             ``TRADELEVER_BACI_URL``               CEPII's data folder
``http_cache``           (none)                                on, under
                                                               ``<data_dir>/cache/http``
``http_cache_max_age``   (none)                                30 days
``engine``               ``TRADELEVER_ENGINE``                 ``duckdb`` (in this process);
                                                               or ``spark`` (Apache Spark)
``spark_master``         ``TRADELEVER_SPARK_MASTER``           ``local[*]`` (Spark in this
                                                               process, every core);
                                                               ``spark://host:7077``, ``yarn``
``spark_driver_memory``  ``TRADELEVER_SPARK_DRIVER_MEMORY``    Spark's own (1g); e.g. ``8g``
``spark_conf``           ``TRADELEVER_SPARK_CONF``             none; ``key=value,key=value``
                                                               (``spark.*`` settings)
``data_uri``             ``TRADELEVER_DATA_URI``               none: Spark reads the data
                                                               directory's files; else the URI
                                                               of a copy of the data directory
                                                               (``s3a://``, ``hdfs://``,
                                                               ``file://``)
=======================  ====================================  ===============================

The Spark settings are used only with ``engine="spark"``: given as arguments with the DuckDB
engine they are an error, set in the environment they are ignored (a cluster profile may
export them for every command).

API keys are :class:`Secret` values: their ``repr`` and ``str`` never show the key, so a
configuration can be logged or printed; :meth:`Secret.reveal` gives the value to the one
call that sends it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tradelever.errors import InputError

__all__ = [
    "ENGINES",
    "ENV_BACI_URL",
    "ENV_CENSUS_KEY",
    "ENV_CENSUS_URL",
    "ENV_COMTRADE_KEY",
    "ENV_COMTRADE_URL",
    "ENV_DATA_DIR",
    "ENV_DATA_URI",
    "ENV_ENGINE",
    "ENV_SPARK_CONF",
    "ENV_SPARK_DRIVER_MEMORY",
    "ENV_SPARK_MASTER",
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

# -- the query engine (see tradelever.store.engines) -----------------------------------------
ENV_ENGINE: Final = "TRADELEVER_ENGINE"
ENV_SPARK_MASTER: Final = "TRADELEVER_SPARK_MASTER"
ENV_SPARK_DRIVER_MEMORY: Final = "TRADELEVER_SPARK_DRIVER_MEMORY"
ENV_SPARK_CONF: Final = "TRADELEVER_SPARK_CONF"
ENV_DATA_URI: Final = "TRADELEVER_DATA_URI"
#: The engines the Ibis queries can run on.
ENGINES: Final = ("duckdb", "spark")
#: Spark master used when none is given: Spark in this process on every core.
DEFAULT_SPARK_MASTER: Final = "local[*]"
_MASTER_RE: Final = re.compile(
    r"^(local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?|yarn|(spark|k8s|mesos)://\S+)$"
)
_MEMORY_RE: Final = re.compile(r"^[1-9]\d*[kmgt]?b?$", re.IGNORECASE)
_URI_RE: Final = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)


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
    engine
        Where the Ibis queries run: ``duckdb`` (in this process) or ``spark``.
    spark_master
        The Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``);
        None with the DuckDB engine.
    spark_driver_memory
        ``spark.driver.memory`` (``8g``); None: Spark's default.
    spark_conf
        Further Spark settings, ``(key, value)`` pairs (``spark.executor.memory``...).
    data_uri
        Where Spark reads the data sets' Parquet files: the URI of a copy of the data
        directory (``s3a://bucket/tradelever``); None: the data directory itself.
    """

    data_dir: Path
    comtrade_api_key: Secret | None = None
    census_api_key: Secret | None = None
    comtrade_url: str | None = None
    census_url: str | None = None
    baci_url: str | None = None
    http_cache: bool = True
    http_cache_max_age: float | None = HTTP_CACHE_MAX_AGE
    engine: str = "duckdb"
    spark_master: str | None = None
    spark_driver_memory: str | None = None
    spark_conf: tuple[tuple[str, str], ...] = ()
    data_uri: str | None = None

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
        engine: str | None = None,
        spark_master: str | None = None,
        spark_driver_memory: str | None = None,
        spark_conf: Mapping[str, str] | None = None,
        data_uri: str | None = None,
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
        engine, spark_master, spark_driver_memory, spark_conf, data_uri
            The query engine and its Spark settings (see the module docstring).
        env
            The environment to read (default ``os.environ``; tests pass a dict).

        Raises
        ------
        InputError
            An unknown engine, a malformed Spark setting, or a Spark setting given with
            the DuckDB engine, naming the parameter (and the environment variable when
            the value came from it).
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
            **_engine_settings(
                env,
                engine=engine,
                spark_master=spark_master,
                spark_driver_memory=spark_driver_memory,
                spark_conf=spark_conf,
                data_uri=data_uri,
            ),
        )

    def with_data_dir(self, data_dir: str | os.PathLike[str]) -> Config:
        """The same configuration on another data directory."""
        from dataclasses import replace

        return replace(self, data_dir=Path(data_dir).expanduser())


def _engine_settings(
    env: Mapping[str, str],
    *,
    engine: str | None,
    spark_master: str | None,
    spark_driver_memory: str | None,
    spark_conf: Mapping[str, str] | None,
    data_uri: str | None,
) -> dict[str, Any]:
    """The engine fields of a :class:`Config`, checked (see :meth:`Config.resolve`)."""

    def pick(value: str | None, name: str) -> tuple[str | None, str]:
        if value is not None:
            return value.strip() or None, ""
        found = env.get(name, "").strip()
        return found or None, f" (from ${name})" if found else ""

    chosen, origin = pick(engine, ENV_ENGINE)
    chosen = (chosen or "duckdb").lower()
    if chosen not in ENGINES:
        raise InputError(
            f"{chosen!r}{origin} is not an engine; choose {' or '.join(ENGINES)}",
            parameter="engine",
        )
    given = {
        "spark_master": spark_master,
        "spark_driver_memory": spark_driver_memory,
        "spark_conf": spark_conf,
        "data_uri": data_uri,
    }
    if chosen != "spark":
        for name, value in given.items():
            if value:  # explicit Spark settings with DuckDB: a mistake; environment: ignored
                raise InputError(
                    "only used with the spark engine (engine='spark', --engine spark)",
                    parameter=name,
                )
        return {"engine": chosen}
    master, where = pick(spark_master, ENV_SPARK_MASTER)
    master = master or DEFAULT_SPARK_MASTER
    if not _MASTER_RE.match(master):
        raise InputError(
            f"{master!r}{where} is not a Spark master URL (local[*], local[4], "
            "spark://host:7077, yarn, k8s://https://host:443)",
            parameter="spark_master",
        )
    memory, where = pick(spark_driver_memory, ENV_SPARK_DRIVER_MEMORY)
    if memory is not None and not _MEMORY_RE.match(memory):
        raise InputError(
            f"{memory!r}{where} is not a JVM memory size (e.g. 4g, 512m)",
            parameter="spark_driver_memory",
        )
    if spark_conf is not None:
        pairs = [(str(k).strip(), str(v).strip()) for k, v in spark_conf.items()]
        where = ""
    else:
        text, where = pick(None, ENV_SPARK_CONF)
        pairs = []
        for item in (text or "").split(","):
            if not item.strip():
                continue
            key, sep, value = item.partition("=")
            if not sep:
                raise InputError(
                    f"{item.strip()!r}{where}: expected key=value", parameter="spark_conf"
                )
            pairs.append((key.strip(), value.strip()))
    for key, _ in pairs:
        if not key.startswith("spark."):
            raise InputError(
                f"{key!r}{where} is not a Spark setting (they start with spark.)",
                parameter="spark_conf",
            )
    uri, where = pick(data_uri, ENV_DATA_URI)
    if uri is not None:
        if uri.startswith("/"):
            uri = Path(uri).as_uri()
        if not _URI_RE.match(uri):
            raise InputError(
                f"{uri!r}{where} is not a URI (s3a://bucket/path, hdfs://host/path, file:///path)",
                parameter="data_uri",
            )
        uri = uri.rstrip("/")
    return {
        "engine": chosen,
        "spark_master": master,
        "spark_driver_memory": memory,
        "spark_conf": tuple(pairs),
        "data_uri": uri,
    }


def reveal(secret: Secret | None) -> str | None:
    """The value of an optional secret (None stays None)."""
    return secret.reveal() if secret is not None else None
