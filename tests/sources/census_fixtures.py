"""Synthetic US Census international trade API responses in the documented format.

Array of arrays, header row first, every value a string, predicate variables (``time``,
``COMM_LVL`` and the commodity filter) appended as columns. Values are synthetic, not real
trade figures.
"""

from __future__ import annotations

IMPORT_HEADER = [
    "CTY_CODE",
    "CTY_NAME",
    "I_COMMODITY",
    "I_COMMODITY_SDESC",
    "GEN_VAL_YR",
    "SUMMARY_LVL",
    "time",
    "COMM_LVL",
    "I_COMMODITY",
]
EXPORT_HEADER = [
    "CTY_CODE",
    "CTY_NAME",
    "E_COMMODITY",
    "E_COMMODITY_SDESC",
    "ALL_VAL_YR",
    "SUMMARY_LVL",
    "time",
    "COMM_LVL",
    "E_COMMODITY",
]
PROC = "PROCESSORS AND CONTROLLERS, ELECTRONIC INTEGRATED CIRCUITS"
MEM = "MEMORIES, ELECTRONIC INTEGRATED CIRCUITS"
GLOVES = "GLOVES, MITTENS AND MITTS, OTHER THAN SURGICAL, OF VULCANIZED RUBBER"


def row(code: str, name: str, hs: str, desc: str, value: str, level: str = "DET") -> list[str]:
    return [code, name, hs, desc, value, level, "2024-12", "HS6", hs]


def imports_8542() -> list[list[str]]:
    """US imports 2024 of 8542 (synthetic).

    854231: total 1,000,000 = MYS 600,000 + CHN 250,000 + TWN 100,000 + code 9999 50,000.
    854232: total 400,000 = CHN 300,000 + KOR 100,000.
    Aggregate rows: the total (-), the EU grouping (0003), Asia (5XXX), Pacific Rim (0014).
    """
    return [
        IMPORT_HEADER,
        row("-", "TOTAL FOR ALL COUNTRIES", "854231", PROC, "1000000"),
        row("0003", "EUROPEAN UNION", "854231", PROC, "10000", "CGP"),
        row("0014", "PACIFIC RIM COUNTRIES", "854231", PROC, "950000", "CGP"),
        row("5XXX", "ASIA", "854231", PROC, "1000000", "CGP"),
        row("5570", "MALAYSIA", "854231", PROC, "600000"),
        row("5700", "CHINA", "854231", PROC, "250000"),
        row("5830", "TAIWAN", "854231", PROC, "100000"),
        row("9999", "NEW TERRITORY", "854231", PROC, "50000"),
        row("-", "TOTAL FOR ALL COUNTRIES", "854232", MEM, "400000"),
        row("5700", "CHINA", "854232", MEM, "300000"),
        row("5800", "KOREA, SOUTH", "854232", MEM, "100000"),
    ]


def imports_4015() -> list[list[str]]:
    """US imports 2024 of 4015 (synthetic): 401519 total 200 = MYS 150 + THA 50."""
    return [
        IMPORT_HEADER,
        row("-", "TOTAL FOR ALL COUNTRIES", "401519", GLOVES, "200"),
        row("5570", "MALAYSIA", "401519", GLOVES, "150"),
        row("5490", "THAILAND", "401519", GLOVES, "50"),
    ]


def exports_8542() -> list[list[str]]:
    """US exports 2024 of 8542 (synthetic): 854231 to MYS 70, to MEX 30."""
    return [
        EXPORT_HEADER,
        row("-", "TOTAL FOR ALL COUNTRIES", "854231", PROC, "100"),
        row("5570", "MALAYSIA", "854231", PROC, "70"),
        row("2010", "MEXICO", "854231", PROC, "30"),
    ]
