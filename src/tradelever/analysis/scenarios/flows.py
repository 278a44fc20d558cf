"""The flows a scenario runs on: one query per run, codes kept as integer categories.

:func:`load_flows` reads the international flows of the scenario's importers for one year
with one Ibis query (``Store.table(dataset, "flows")``, filtered on year and importers,
summed by importer, exporter and product, executed once), so DuckDB and Spark run the
same code. :func:`scenario_importers` says which importers a scenario needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.selectors import resolve_countries_spec

__all__ = ["category_codes", "load_flows", "scenario_importers"]


def scenario_importers(scenario: Scenario, *others: Scenario | None) -> list[str] | None:
    """ISO3 importers named by the scenario (and its baseline scenarios), or None for all.

    None means a measure or baseline rate covers every importer.
    """
    out: set[str] = set()
    for sc in (scenario, *others):
        if sc is None:
            continue
        if sc.on is not None:
            out.add("USA")  # the schedule of a date is the US schedule
        specs = [(m.importer, f"measures[{n}].importer") for n, m in enumerate(sc.measures)]
        specs += [(b.importer, f"baseline[{n}].importer") for n, b in enumerate(sc.baseline)]
        for spec, path in specs:
            sel = resolve_countries_spec(spec, path)
            if sel.include is None:
                return None
            out |= set(sel.include)
    return sorted(out)


def load_flows(
    flows: Any, *, year: int, importers: list[str] | None, unique: bool = False
) -> pd.DataFrame:
    """Importer, exporter, code, value_usd for one year (international flows, one query).

    Parameters
    ----------
    flows
        Ibis table of canonical flows.
    year
        Year to keep.
    importers
        ISO3 importers to keep (None: all).
    unique
        The data set has one row per (year, exporter, importer, product), as its manifest
        records with ``unique_flow_keys`` (BACI after ingest, icio2022): the rows are read as
        they are instead of summed by key, which saves most of the query time on a large year.

    Returns
    -------
    pandas.DataFrame
        ``importer``, ``exporter``, ``code`` (categoricals) and ``value`` (US$, > 0).
    """
    t = flows.filter((flows[f.YEAR] == year) & (flows[f.EXPORTER] != flows[f.IMPORTER]))
    if importers is not None:
        t = t.filter(t[f.IMPORTER].isin(importers))
    if unique:
        t = t.select(f.IMPORTER, f.EXPORTER, f.PRODUCT, value=t[f.VALUE_USD])
    else:
        t = t.group_by([f.IMPORTER, f.EXPORTER, f.PRODUCT]).aggregate(value=t[f.VALUE_USD].sum())
    import pyarrow as pa
    import pyarrow.compute as pc

    table = t.filter(t["value"] > 0).to_pyarrow()
    # Country and product codes come back dictionary-encoded (pandas categoricals): the
    # model works on their integer codes and never materialises millions of strings.
    columns = {
        "importer": pc.dictionary_encode(table[f.IMPORTER].cast(pa.string())),
        "exporter": pc.dictionary_encode(table[f.EXPORTER].cast(pa.string())),
        "code": pc.dictionary_encode(table[f.PRODUCT].cast(pa.string())),
        "value": table["value"].cast(pa.float64()),
    }
    return pa.table(columns).to_pandas()


def category_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and unique values of a column (categorical or not)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories.astype(str), dtype=object)
        return column.cat.codes.to_numpy(dtype=np.int64), cats
    idx, uniques = pd.factorize(column.astype(str), sort=True)
    return np.asarray(idx, dtype=np.int64), np.asarray(uniques, dtype=object)
