"""The JSON bodies of the HTTP API: compact UTF-8, no NaN, numpy scalars as plain numbers."""

from __future__ import annotations

import json
from typing import Any

from tradelever.analysis.result import json_value

__all__ = ["json_bytes"]


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities become ``null``, numpy scalars plain numbers."""
    return json.dumps(
        json_value(obj), ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":")
    ).encode("utf-8")
