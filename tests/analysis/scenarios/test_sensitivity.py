"""Sensitivity: the sigma range and the draws check."""

from __future__ import annotations

import numpy as np
import pytest

from tradelever.analysis.scenarios.sensitivity import MAX_DRAWS, check_draws, sigma_range
from tradelever.errors import InputError


def test_sigma_range_halves_and_doubles_sigma_minus_one() -> None:
    low, high = sigma_range(np.array([1.5, 4.95, 1.0, 0.5]))
    assert low.tolist() == pytest.approx([1.25, 2.975, 0.5, 0.25])
    assert high.tolist() == pytest.approx([2.0, 8.9, 2.0, 1.0])


@pytest.mark.parametrize("good", [0, 1, 1000, MAX_DRAWS, 3.0, np.int64(5)])
def test_check_draws_accepts_whole_numbers(good) -> None:  # type: ignore[no-untyped-def]
    assert check_draws(good) == int(good)


@pytest.mark.parametrize("bad", [-1, MAX_DRAWS + 1, 2.5, True, "5", None])
def test_check_draws_names_the_parameter(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"^--draws: must be a whole number from 0 to 10000"):
        check_draws(bad)
