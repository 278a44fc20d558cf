"""frame_records: the fast records conversion gives what json_value gives cell by cell."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.result import frame_records, json_value
from tradelever.interfaces.http.encoding import json_bytes


def _slow(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [json_value(r) for r in frame.to_dict(orient="records")]


def test_every_kind_of_column() -> None:
    frame = pd.DataFrame(
        {
            "code": ["854231", "401512", "2846"],
            "value": [1.5, np.nan, np.inf],
            "count": np.array([1, 2, 3], dtype="int64"),
            "flag": [True, False, True],
            "maybe": pd.array([1.0, None, 2.5], dtype="Float64"),
            "kind": pd.Categorical(["a", "b", "a"]),
            "mixed": ["x", None, 3],
            "int_na": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    got = frame_records(frame)
    assert got == _slow(frame)
    assert got[1]["value"] is None and got[2]["value"] is None  # NaN and inf: null
    assert got[1]["maybe"] is None and got[1]["int_na"] is None
    assert type(got[0]["count"]) is int and type(got[0]["flag"]) is bool
    assert frame_records(frame.iloc[:0]) == []


def test_text_and_empty_columns_as_cell_by_cell() -> None:
    """Text columns (pandas ``str``, with missing values) and all-missing object columns."""
    frame = pd.DataFrame(
        {
            "text": pd.array(["854231", None, "gloves"], dtype="str"),
            "arrow": pd.array(["a", None, "c"], dtype="string[pyarrow]"),
            "none": pd.Series([None, None, None], dtype=object),
            "nan": pd.Series([np.nan, None, np.nan], dtype=object),
        }
    )
    got = frame_records(frame)
    assert got == _slow(frame)
    assert got[1] == {"text": None, "arrow": None, "none": None, "nan": None}
    assert got[0]["text"] == "854231" and type(got[0]["text"]) is str


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            st.integers(-(2**40), 2**40),
            st.text(max_size=5),
        ),
        max_size=20,
    )
)
def test_same_as_cell_by_cell(rows: list[tuple[float, int, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["x", "n", "s"])
    if frame.empty:
        frame = frame.astype({"x": float, "n": "int64", "s": object})
    got = frame_records(frame)
    want = _slow(frame)
    assert got == want
    # and the HTTP bytes say the same as the standard library would
    text = json.dumps(want, allow_nan=False)
    assert json.loads(json_bytes(got)) == json.loads(text)
    assert all(v is None or math.isfinite(v) for r in got for v in [r["x"]])
