"""country_converter's country table, found and read without importing coco or pandas.

:func:`tradelever.reference.countries.country_table` reads the whole table (with pandas);
an ingest, which starts without pandas, needs only the ISO 3166-1 numeric code of each
ISO3 code (:func:`iso_numeric`).
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
from functools import cache
from typing import Final

__all__ = ["data_path", "iso_numeric"]

_ISO3_ALPHA_RE: Final = re.compile(r"[A-Z]{3}")


def data_path() -> str:
    """The path of coco's ``country_data.tsv`` (coco is not imported).

    Raises
    ------
    ImportError
        If country_converter is not installed.
    """
    spec = importlib.util.find_spec("country_converter")
    if spec is None or spec.origin is None:
        raise ImportError("country_converter is not installed (pip install country_converter)")
    return os.path.join(os.path.dirname(spec.origin), "country_data.tsv")


@cache
def iso_numeric() -> dict[str, str]:
    """ISO3 -> ISO 3166-1 numeric code (text, empty when none): ``country_table()``'s.

    The same rows as :func:`tradelever.reference.countries.country_table`: three-letter
    ISO3 codes, the first row of each.
    """
    out: dict[str, str] = {}
    with open(data_path(), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            iso3 = row.get("ISO3") or ""
            if _ISO3_ALPHA_RE.fullmatch(iso3) and iso3 not in out:
                out[iso3] = row.get("ISOnumeric") or ""
    return out
