"""The row order of a leverage table (:func:`tradelever.analysis.leverage.ranked_order`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.leverage import ranked_order

_VALUE = st.one_of(st.just(float("nan")), st.sampled_from([0.0, 1.0, 2.5]), st.floats(0, 1e12))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(_VALUE, _VALUE, st.text(alphabet="0123456789ab", min_size=1, max_size=6)),
        max_size=40,
        unique_by=lambda r: r[2],
    )
)
def test_order_is_that_of_sort_values(rows: list[tuple[float, float, str]]) -> None:
    """Cost descending, then home's shipments descending, then code; NaN last."""
    frame = pd.DataFrame(rows, columns=["cost", "shipped", "code"])
    frame["code"] = frame["code"].astype(str)
    expected = frame.sort_values(
        ["cost", "shipped", "code"],
        ascending=[False, False, True],
        na_position="last",
        kind="mergesort",
    ).index.to_numpy()
    got = ranked_order(
        frame["cost"].to_numpy(), frame["shipped"].to_numpy(), frame["code"].tolist()
    )
    assert got.tolist() == expected.tolist()


def test_order_by_hand() -> None:
    nan = float("nan")
    order = ranked_order(
        np.array([5.0, nan, 5.0, 9.0, 5.0]),
        np.array([1.0, 7.0, 3.0, 0.0, 1.0]),
        ["b", "z", "c", "d", "a"],
    )
    # 9 first; then the three 5s by shipments 3, 1, 1 (codes a before b); NaN cost last
    assert order.tolist() == [3, 2, 4, 0, 1]
