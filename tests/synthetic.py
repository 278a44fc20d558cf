"""Small hand-made trade data sets for tests (synthetic: not real trade figures).

``HAND_FLOWS`` is a four-country, HS6 world in which every indicator can be worked out by
hand (see tests/analysis/test_leverage.py for the arithmetic). Countries: MYS (home),
USA (partner), CHN (rival), THA (third).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tradelever.store import Store

# (exporter, importer, product, value_usd) for year 2023; year 2022 is the same halved.
HAND_FLOWS_2023 = [
    # 854231 processors: USA imports 100 = MYS 50 + CHN 30 + THA 20
    ("MYS", "USA", "854231", 50.0),
    ("CHN", "USA", "854231", 30.0),
    ("THA", "USA", "854231", 20.0),
    ("MYS", "CHN", "854231", 50.0),  # MYS also sells 50 to CHN: X(MYS, 854231) = 100
    ("CHN", "THA", "854231", 100.0),  # W(854231) = 100 + 30 + 20 + 100 = 250
    # 854232 memories: USA imports 40 = CHN 40 (sole supplier)
    ("CHN", "USA", "854232", 40.0),
    # 401519 gloves: USA imports 80 = MYS 60 + THA 20
    ("MYS", "USA", "401519", 60.0),
    ("THA", "USA", "401519", 20.0),
    ("MYS", "CHN", "401519", 40.0),
    # 280530 rare-earth metals: USA imports 10 = CHN 9 + MYS 1
    ("CHN", "USA", "280530", 9.0),
    ("MYS", "USA", "280530", 1.0),
    # 100630 rice: MYS imports from THA 30 and USA 10; USA exports rice to CHN 50
    ("THA", "MYS", "100630", 30.0),
    ("USA", "MYS", "100630", 10.0),
    ("USA", "CHN", "100630", 50.0),
    # 880240 aircraft: USA exports to CHN 200 and to THA 100; MYS imports from CHN 5
    ("USA", "CHN", "880240", 200.0),
    ("USA", "THA", "880240", 100.0),
    ("CHN", "MYS", "880240", 5.0),
]

HAND_PRODUCTS = {
    "854231": "Electronic integrated circuits: processors and controllers",
    "854232": "Electronic integrated circuits: memories",
    "401519": "Rubber: vulcanised, gloves other than surgical",
    "280530": "Earth-metals, rare: scandium and yttrium",
    "100630": "Rice: semi-milled or wholly milled",
    "880240": "Aeroplanes and other aircraft, unladen weight > 15,000 kg",
}


def hand_flows() -> pd.DataFrame:
    """Canonical flows for 2022 (half values) and 2023, dataset ``hand-hs17``."""
    rows = []
    for year, factor in ((2022, 0.5), (2023, 1.0)):
        for exporter, importer, product, value in HAND_FLOWS_2023:
            rows.append(
                {
                    "dataset": "hand-hs17",
                    "year": year,
                    "exporter": exporter,
                    "importer": importer,
                    "product": product,
                    "classification": "HS17",
                    "value_usd": value * factor,
                    "quantity": float("nan"),
                }
            )
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int16")
    return frame


def hand_products() -> pd.DataFrame:
    """Canonical products rows (HS6 level) for the hand data set."""
    return pd.DataFrame(
        {
            "classification": "HS17",
            "code": list(HAND_PRODUCTS),
            "description": list(HAND_PRODUCTS.values()),
            "parent": [c[:4] for c in HAND_PRODUCTS],
            "level": "hs6",
        }
    )


def write_hand_dataset(
    data_dir: str | Path, name: str = "hand-hs17", flows: pd.DataFrame | None = None
) -> Store:
    """Write the hand data set (or other ``flows``) into a store (synthetic; tests only)."""
    store = Store(data_dir)
    manifest = {
        "source": "synthetic hand-made test data (not real trade figures)",
        "version": "test",
        "years": [2022, 2023],
        "classification": "HS17",
        "level": "hs6",
        "licence": "test data",
        "note": "synthetic",
        "assumptions": ["synthetic test data"],
    }
    flows = hand_flows() if flows is None else flows.copy()
    flows["dataset"] = name
    with store.stage(name, manifest) as staged:
        staged.write_table("flows", flows, partition_year=True)
        staged.write_table("products", hand_products())
        staged.manifest["rows"] = len(flows)
    return store
