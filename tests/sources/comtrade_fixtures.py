"""Synthetic UN Comtrade API v1 responses in the documented format (not real trade figures).

The envelope is ``{"elapsedTime", "count", "data", "error"}``; each record carries every
documented field of final data, classic mode (reference/data-formats.md section b).
"""

from __future__ import annotations

from typing import Any

AREAS = {
    0: ("W00", "World"),
    842: ("USA", "USA"),
    458: ("MYS", "Malaysia"),
    156: ("CHN", "China"),
    490: ("S19", "Other Asia, nes"),
    899: ("_X ", "Areas, nes"),
    251: ("FRA", "France"),
}
DESCRIPTIONS = {
    "8542": "Electronic integrated circuits",
    "4015": "Articles of apparel and clothing accessories (including gloves), of vulcanised rubber",
    "854231": "Electronic integrated circuits: processors and controllers",
}


def record(
    reporter: int,
    partner: int,
    cmd: str,
    value: float,
    *,
    period: str = "2023",
    flow: str = "M",
    net_wgt: float | None = None,
    cl: str = "H6",
    mot: int = 0,
    customs: str = "C00",
    partner2: int = 0,
) -> dict[str, Any]:
    """One synthetic final-data record with all documented fields."""
    monthly = len(period) == 6
    r_iso, r_desc = AREAS[reporter]
    p_iso, p_desc = AREAS[partner]
    return {
        "typeCode": "C",
        "freqCode": "M" if monthly else "A",
        "refPeriodId": int(period + ("01" if monthly else "0101")),
        "refYear": int(period[:4]),
        "refMonth": int(period[4:]) if monthly else 52,
        "period": period,
        "reporterCode": reporter,
        "reporterISO": r_iso,
        "reporterDesc": r_desc,
        "flowCode": flow,
        "flowDesc": "Import" if flow == "M" else "Export",
        "partnerCode": partner,
        "partnerISO": p_iso,
        "partnerDesc": p_desc,
        "partner2Code": partner2,
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": cl,
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": cmd,
        "cmdDesc": DESCRIPTIONS.get(cmd, f"product {cmd}"),
        "aggrLevel": len(cmd),
        "isLeaf": len(cmd) == 6,
        "customsCode": customs,
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": mot,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": -1,
        "qtyUnitAbbr": "N/A",
        "qty": None,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": None,
        "isAltQtyEstimated": False,
        "netWgt": net_wgt,
        "isNetWgtEstimated": False,
        "grossWgt": None,
        "isGrossWgtEstimated": False,
        "cifvalue": value if flow == "M" else None,
        "fobvalue": value if flow == "X" else None,
        "primaryValue": value,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": partner == 0,
    }


def envelope(data: list[dict[str, Any]], *, count: int | None = None, error: str = "") -> dict:
    """The documented response envelope."""
    return {
        "elapsedTime": "0.09 secs",
        "count": len(data) if count is None else count,
        "data": data,
        "error": error,
    }
