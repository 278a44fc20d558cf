"""CEPII BACI bulk files: locate a release, read its dictionaries, stream its trade files.

A BACI release (``BACI_HS22_V202501.zip``) holds one CSV per year,
``BACI_HS22_Y2022_V202501.csv`` with header ``t,i,j,k,v,q``, a country dictionary
``country_codes_V202501.csv`` and a product dictionary ``product_codes_HS22_V202501.csv``
(see ``reference/data-formats.md``, section (a)). This module accepts the zip itself, an
extracted release folder, or one yearly CSV with the two dictionaries beside it.

Trade columns and their canonical counterparts:

======  ======================================  =============================================
``t``   year                                    ``year`` (must equal the year in the name)
``i``   exporter, BACI numeric country code     ``exporter`` (ISO3, from the dictionary)
``j``   importer, BACI numeric country code     ``importer`` (ISO3, from the dictionary)
``k``   HS 6-digit product of the file's HS     ``product`` (6 characters; ``10121`` is
        revision                                ``010121``)
``v``   value, thousands of current US dollars  ``value_usd`` = 1000 * v (US dollars, FOB)
``q``   quantity, metric tons (empty or ``NA``  ``quantity`` (tonnes, null when missing)
        when missing)
======  ======================================  =============================================

Country codes are mapped with the dictionary of the same release (numeric codes change
between releases: Italy is 381 in V202201 and 380 in V202501). Code 490, "Other Asia, nes"
(ISO3 ``S19`` or ``N/A``), is Taiwan and becomes ``TWN``. Other pseudo-codes (``R20``
Europe EFTA nes, ``ZA1`` SACU until 1999, ...) are kept as their own codes and labelled in
the ``countries`` table; a pseudo-code with no ISO3 in the dictionary becomes ``X`` plus
the numeric code (``X697``). Codes that share an ISO3 code (historical entities such as
``58 Belgium-Luxembourg (...1998)`` and their successors) are summed under that code.

Two readers apply the same rules. :func:`convert_trade_file` (used by the ingest) streams
a yearly file through DuckDB's multi-threaded CSV reader straight into Parquet and checks
every rule over the whole table (null counts, minimum and maximum, one ``GROUP BY`` of the
product codes, a count of distinct keys); memory stays bounded by DuckDB's memory limit.
:class:`TradeFileReader` streams the CSV in blocks with ``pyarrow.csv.open_csv``, validates
each block with vectorised checks and locates a row pyarrow cannot parse by re-reading the
file from the start of the failing block line by line; it names the first offending line
when the engine path fails, so every error names the file, the 1-based line number, the
field and the value.

Values are checked after scaling: a flow above ``MAX_VALUE_USD`` (US$10 trillion) once
converted from thousands of dollars is refused, as is any non-finite value or quantity
(``nan`` text included). Dictionaries are size-capped and country codes limited to three
digits before anything is allocated from them.
"""

from __future__ import annotations

from tradelever.sources.baci.convert import ConvertResult, convert_trade_file
from tradelever.sources.baci.dictionaries import (
    CountryDictionary,
    read_country_codes,
    read_product_codes,
    read_product_columns,
)
from tradelever.sources.baci.release import (
    ASSUMPTIONS,
    BLOCK_SIZE,
    CITATION,
    LICENCE,
    MAX_VALUE_USD,
    SOURCE,
    TAIWAN_CODE,
    TRADE_COLUMNS,
    BaciMember,
    BaciRelease,
    LineScan,
    file_sha256,
    locate_release,
    repair_mojibake,
    scan_file,
)
from tradelever.sources.baci.trade import TradeFileReader, TradeRules, flow_schema

__all__ = [
    "ASSUMPTIONS",
    "BLOCK_SIZE",
    "CITATION",
    "LICENCE",
    "MAX_VALUE_USD",
    "SOURCE",
    "TAIWAN_CODE",
    "TRADE_COLUMNS",
    "BaciMember",
    "BaciRelease",
    "ConvertResult",
    "CountryDictionary",
    "LineScan",
    "TradeFileReader",
    "TradeRules",
    "convert_trade_file",
    "file_sha256",
    "flow_schema",
    "locate_release",
    "read_country_codes",
    "read_product_codes",
    "read_product_columns",
    "repair_mojibake",
    "scan_file",
]
