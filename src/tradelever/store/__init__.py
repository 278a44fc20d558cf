"""The embedded analytical store: Parquet files in a data directory, queried with DuckDB."""

from tradelever.store.catalog import Store, default_data_dir

__all__ = ["Store", "default_data_dir"]
