"""A SYNTHETIC library of deal texts and a SYNTHETIC deal file, for schema tests.

The text and the deal are made up (the partner, rates and amounts are not real); they are
small enough to show in a failing assertion and exercise every rule of the schema.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from tradelever.sources.deal_texts import TextLibrary
from tradelever.sources.us_deals import TRACKED_FIELDS

SYNTHETIC_FILE = "2025-03-01-synthetic-joint-statement.md"
SYNTHETIC_URL = "https://www.whitehouse.gov/briefings-statements/2025/03/synthetic-joint-statement/"
SYNTHETIC_TEXT = """---
date: '2025-03-01'
source_url: https://www.whitehouse.gov/briefings-statements/2025/03/synthetic-joint-statement/
title: SYNTHETIC joint statement (test data)
---

SYNTHETIC TEXT FOR TESTS. The United States will apply a reciprocal tariff rate of
17 percent on **originating goods** of the partner.

-   The partner will purchase goods worth USD12.5 billion
    over 5 years.

<!-- -->

-   The partner commits to combat\\(a\\) duty evasion<a href="#n1">[1]</a>.

Done on March 1, 2025.
"""


def write_synthetic_library(root: Path, *, text: str = SYNTHETIC_TEXT) -> TextLibrary:
    """Write ``SOURCES.json`` and one synthetic text under ``root``; return the library."""
    (root / "texts").mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    (root / "texts" / SYNTHETIC_FILE).write_bytes(data)
    record = {
        "file": SYNTHETIC_FILE,
        "title": "SYNTHETIC joint statement (test data)",
        "url": SYNTHETIC_URL,
        "archive": "synthetic (tests)",
        "kind": "joint statement",
        "date": "2025-03-01",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (root / "SOURCES.json").write_text(json.dumps({"texts": [record]}), "utf-8")
    return TextLibrary(root)


def source(quote: str) -> dict[str, str]:
    return {"file": SYNTHETIC_FILE, "url": SYNTHETIC_URL, "quote": quote}


_FILLED = {"dates.announced", "rates.announced", "commitments.purchases"}


def synthetic_deal() -> dict[str, Any]:
    """A valid deal mapping: three facts, every other tracked field listed as missing."""
    deal: dict[str, Any] = {
        "id": "mys-2025-03-01",
        "title": "SYNTHETIC deal (test data)",
        "partners": ["MYS"],
        "kind": "framework",
        "summary": "A made-up deal used to test the schema of the deal files.",
        "instruments": [
            {
                "title": "SYNTHETIC joint statement",
                "type": "joint statement",
                "date": "2025-03-01",
                "file": SYNTHETIC_FILE,
                "url": SYNTHETIC_URL,
            }
        ],
        "dates": {
            "announced": {
                "value": "2025-03-01",
                "sources": [source("Done on March 1, 2025.")],
            }
        },
        "rates": {
            "announced": [
                {
                    "value": 17,
                    "authority": "IEEPA reciprocal",
                    "applies_to": "originating goods",
                    "sources": [
                        source(
                            "The United States will apply a reciprocal tariff rate of 17 percent "
                            "on originating goods of the partner."
                        )
                    ],
                }
            ]
        },
        "commitments": {
            "purchases": [
                {
                    "summary": "goods",
                    "category": "goods",
                    "commitment": "commitment",
                    "amount": {
                        "value": 12.5,
                        "wording": "USD12.5 billion",
                        "qualifier": "exact",
                    },
                    "period": "over 5 years",
                    "years": 5,
                    "headline": True,
                    "sources": [
                        source(
                            "The partner will purchase goods worth USD12.5 billion over 5 years."
                        )
                    ],
                }
            ]
        },
        "economic_security": {},
        "missing": [
            {"field": name, "checked": [SYNTHETIC_FILE], "note": "Not in the synthetic text."}
            for name in TRACKED_FIELDS
            if name not in _FILLED
        ],
    }
    return copy.deepcopy(deal)


def dump(deal: dict[str, Any]) -> str:
    return yaml.safe_dump(deal, sort_keys=False, allow_unicode=True)
