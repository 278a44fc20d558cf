"""country_converter's table read with the standard library (what an ingest uses)."""

from __future__ import annotations

from tradelever.reference.coco_data import iso_numeric
from tradelever.reference.countries import country_table


def test_iso_numeric_codes_read_without_pandas_equal_the_country_table() -> None:
    # BACI's primary() reads country_converter's file with the standard library (an ingest
    # does not import pandas); it must see exactly what country_table() holds.
    table = country_table()
    assert iso_numeric() == dict(zip(table["iso3"], table["iso_numeric"], strict=True))
    assert iso_numeric()["DEU"] == "276" and iso_numeric()["MYS"] == "458"  # ISO 3166-1
