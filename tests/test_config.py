"""Configuration: flags > environment > defaults, resolved once; secrets never shown."""

from __future__ import annotations

from pathlib import Path

from tradelever import config as cfg
from tradelever.config import Config, Secret
from tradelever.sources import baci_download, census, comtrade
from tradelever.store import catalog


def test_precedence_flags_then_environment_then_defaults(tmp_path: Path) -> None:
    env = {
        "TRADELEVER_DATA_DIR": str(tmp_path / "env"),
        "COMTRADE_API_KEY": "env-key",
        "TRADELEVER_CENSUS_URL": "http://127.0.0.1:9/census",
    }
    from_env = Config.resolve(env=env)
    assert from_env.data_dir == tmp_path / "env"
    assert from_env.comtrade_api_key is not None
    assert from_env.comtrade_api_key.reveal() == "env-key"
    assert from_env.census_api_key is None and from_env.census_url == "http://127.0.0.1:9/census"
    flagged = Config.resolve(data_dir=tmp_path / "flag", comtrade_api_key="flag-key", env=env)
    assert flagged.data_dir == tmp_path / "flag"
    assert flagged.comtrade_api_key.reveal() == "flag-key"  # type: ignore[union-attr]
    default = Config.resolve(env={})
    assert default.data_dir == cfg.platform_data_dir() and "tradelever" in str(default.data_dir)
    assert default.comtrade_url is None and default.comtrade_api_key is None
    assert default.http_cache_dir == default.data_dir / "cache" / "http"


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    env = {"COMTRADE_API_KEY": "  ", "TRADELEVER_DATA_DIR": ""}
    resolved = Config.resolve(env=env)
    assert resolved.comtrade_api_key is None and resolved.data_dir == cfg.platform_data_dir()
    # An explicit empty key means "no key", whatever the environment holds.
    assert (
        Config.resolve(comtrade_api_key="", env={"COMTRADE_API_KEY": "k"}).comtrade_api_key is None
    )


def test_secrets_never_show(tmp_path: Path) -> None:
    resolved = Config.resolve(data_dir=tmp_path, census_api_key="s3cr3t-value", env={})
    for text in (repr(resolved), str(resolved), repr(resolved.census_api_key), f"{resolved}"):
        assert "s3cr3t-value" not in text
    assert repr(Secret("x")) == "Secret('********')" and not Secret("")


def test_config_is_frozen(tmp_path: Path) -> None:
    import dataclasses

    import pytest

    resolved = Config.resolve(data_dir=tmp_path, env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        resolved.data_dir = Path("/")  # type: ignore[misc]
    assert resolved.with_data_dir(tmp_path / "b").data_dir == tmp_path / "b"


def test_environment_names_match_the_sources() -> None:
    # The sources name these variables in their messages; config.py is the only reader.
    assert (cfg.ENV_COMTRADE_KEY, cfg.ENV_COMTRADE_URL) == (comtrade.ENV_KEY, comtrade.ENV_URL)
    assert (cfg.ENV_CENSUS_KEY, cfg.ENV_CENSUS_URL) == (census.ENV_KEY, census.ENV_URL)
    assert cfg.ENV_BACI_URL == baci_download.ENV_URL
    assert cfg.ENV_DATA_DIR == catalog.ENV_DATA_DIR


def test_no_library_module_reads_the_environment() -> None:
    # Below the interfaces only config.py reads os.environ / os.getenv (issue 10).
    import ast

    source = Path(cfg.__file__).parent
    readers = set()
    for path in source.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.add(path.relative_to(source).as_posix())
    assert readers <= {"config.py"}, readers


# -- the query engine (issue 10 item 7) -------------------------------------------------------
def test_engine_flags_then_environment_then_default(tmp_path: Path) -> None:
    import pytest

    from tradelever.errors import InputError

    assert Config.resolve(data_dir=tmp_path, env={}).engine == "duckdb"
    env = {
        "TRADELEVER_ENGINE": "spark",
        "TRADELEVER_SPARK_MASTER": "spark://head:7077",
        "TRADELEVER_SPARK_DRIVER_MEMORY": "8g",
        "TRADELEVER_SPARK_CONF": "spark.executor.memory=16g, spark.executor.cores=4",
        "TRADELEVER_DATA_URI": "s3a://bucket/tradelever/",
    }
    spark = Config.resolve(data_dir=tmp_path, env=env)
    assert (spark.engine, spark.spark_master, spark.spark_driver_memory) == (
        "spark",
        "spark://head:7077",
        "8g",
    )
    assert spark.spark_conf == (("spark.executor.memory", "16g"), ("spark.executor.cores", "4"))
    assert spark.data_uri == "s3a://bucket/tradelever"  # no trailing slash
    flagged = Config.resolve(data_dir=tmp_path, spark_master="local[2]", env=env)
    assert flagged.spark_master == "local[2]"
    # The flag wins: DuckDB, and the environment's Spark settings are ignored
    duck = Config.resolve(data_dir=tmp_path, engine="duckdb", env=env)
    assert (duck.engine, duck.spark_master, duck.spark_conf, duck.data_uri) == (
        "duckdb",
        None,
        (),
        None,
    )
    defaults = Config.resolve(data_dir=tmp_path, engine="SPARK", env={})
    assert (defaults.engine, defaults.spark_master) == ("spark", "local[*]")
    assert defaults.data_uri is None
    local = Config.resolve(data_dir=tmp_path, engine="spark", data_uri="/mnt/shared/tl", env={})
    assert local.data_uri == "file:///mnt/shared/tl"
    with pytest.raises(InputError) as caught:
        Config.resolve(data_dir=tmp_path, env={"TRADELEVER_ENGINE": "polars"})
    assert caught.value.parameter == "engine"
    assert "'polars' (from $TRADELEVER_ENGINE) is not an engine; choose duckdb or spark" in str(
        caught.value
    )


def test_engine_settings_are_checked(tmp_path: Path) -> None:
    import pytest

    from tradelever.errors import InputError

    bad = [
        ({"engine": "duckdb", "spark_master": "local[2]"}, "spark_master", "only used with"),
        ({"spark_master": "local[2]"}, "spark_master", "only used with"),
        ({"engine": "spark", "spark_master": "http://head:7077"}, "spark_master", "master URL"),
        ({"engine": "spark", "spark_master": "local[0]"}, "spark_master", "master URL"),
        ({"engine": "spark", "spark_driver_memory": "lots"}, "spark_driver_memory", "memory"),
        ({"engine": "spark", "spark_conf": {"executor.memory": "4g"}}, "spark_conf", "spark."),
        ({"engine": "spark", "data_uri": "bucket/tradelever"}, "data_uri", "not a URI"),
    ]
    for given, parameter, words in bad:
        with pytest.raises(InputError, match=words) as caught:
            Config.resolve(data_dir=tmp_path, env={}, **given)
        assert caught.value.parameter == parameter, given
    env = {"TRADELEVER_ENGINE": "spark", "TRADELEVER_SPARK_CONF": "spark.a=1,oops"}
    with pytest.raises(InputError, match=r"'oops' \(from \$TRADELEVER_SPARK_CONF\)"):
        Config.resolve(data_dir=tmp_path, env=env)
    for master in ("local", "local[*]", "local[4]", "local[4,2]", "yarn", "k8s://https://h:443"):
        assert Config.resolve(data_dir=tmp_path, engine="spark", spark_master=master, env={})
