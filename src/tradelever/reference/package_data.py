"""Reading the CSV code lists shipped in ``tradelever/data``."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources

import pandas as pd

__all__ = ["read_code_list"]


def read_code_list(filename: str, columns: Sequence[str]) -> pd.DataFrame:
    """A packaged CSV as strings; lines starting with ``#`` (source notes) are skipped.

    Parameters
    ----------
    filename
        File name inside ``tradelever/data``.
    columns
        Columns to keep, in order (the file's header must name them).
    """
    text = resources.files("tradelever.data").joinpath(filename).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    return pd.DataFrame(rows, columns=list(columns)).astype(str)
