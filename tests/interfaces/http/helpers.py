"""Helpers of the HTTP tests: the CLI's JSON for comparison, float-tolerant equality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner


def cli_json(data_dir: Path, *args: str) -> Any:
    """The parsed output of ``tradelever --data-dir DIR <args> --format json``."""
    from tradelever.interfaces.cli import app

    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same(a: object, b: object) -> bool:
    """Equal, keys in the same order, floats to 1e-12 relative.

    DuckDB's parallel sums may differ in the last bit between runs; nothing more.
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-300)
    return a == b


def _canonical(value: Any) -> Any:
    """Lists of records sorted by their text fields (the order of ties is not a contract)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            return sorted(
                items,
                key=lambda r: json.dumps(
                    {k: v for k, v in r.items() if isinstance(v, str)}, sort_keys=True
                ),
            )
        return items
    return value


def same_records(a: object, b: object) -> bool:
    """:func:`same`, ignoring the order of records within lists.

    Scenario tables are sorted by effect; rows with equal effects (often zero) come in the
    order the data set was scanned, which a parallel scan does not fix.
    """
    return same(_canonical(a), _canonical(b))
