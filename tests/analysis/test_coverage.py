"""Coverage of the partner's imports by a partial-partner data set, per code and group."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelever.analysis.coverage import code_coverage
from tradelever.errors import InputError

# Synthetic chapter totals (US dollars): chapter 85 covered 99 of 100, chapter 40 45 of 50.
COVERAGE = pd.DataFrame(
    {
        "chapter": ["40", "85"],
        "world_imports_usd": [50.0, 100.0],
        "covered_imports_usd": [45.0, 99.0],
    }
)


def test_code_takes_its_chapter() -> None:
    out = code_coverage(["8542310001", "85423100", "854231", "8542", "85", "401512"], COVERAGE)
    assert list(out["chapters"]) == ["85"] * 5 + ["40"]
    assert list(out["coverage_share"]) == pytest.approx([0.99] * 5 + [0.9])


def test_group_spans_its_members_chapters() -> None:
    selector = pd.DataFrame(
        {"product": ["854231", "401512", "401519"], "code": ["mixed", "mixed", "gloves"]}
    )
    out = code_coverage(["mixed", "gloves"], COVERAGE, selector).set_index("code")
    # (99 + 45) / (100 + 50) = 0.96
    assert out.loc["mixed", "coverage_share"] == pytest.approx(144 / 150)
    assert out.loc["mixed", "chapters"] == "40,85"
    assert out.loc["gloves", "coverage_share"] == pytest.approx(0.9)


def test_unknown_chapter_is_nan_and_bad_code_is_refused() -> None:
    assert math.isnan(code_coverage(["0101"], COVERAGE)["coverage_share"].iloc[0])
    with pytest.raises(InputError, match="semiconductors: not an HS code"):
        code_coverage(["semiconductors"], COVERAGE)
    with pytest.raises(InputError, match="columns"):
        code_coverage(["85"], COVERAGE.drop(columns="covered_imports_usd"))


@given(
    st.lists(
        st.tuples(st.floats(1.0, 1e12), st.floats(0.0, 1.0)), min_size=1, max_size=6, unique=True
    )
)
def test_group_coverage_lies_between_its_chapters(chapters: list[tuple[float, float]]) -> None:
    table = pd.DataFrame(
        {
            "chapter": [f"{i + 10:02d}" for i in range(len(chapters))],
            "world_imports_usd": [w for w, _ in chapters],
            "covered_imports_usd": [w * s for w, s in chapters],
        }
    )
    selector = pd.DataFrame({"product": [f"{c}0000" for c in table["chapter"]], "code": "g"})
    share = code_coverage(["g"], table, selector)["coverage_share"].iloc[0]
    shares = [s for _, s in chapters]
    assert min(shares) - 1e-9 <= share <= max(shares) + 1e-9
