"""Plausibility flags: extreme elasticities, large changes, bounded rows."""

from __future__ import annotations

import numpy as np

from tradelever.analysis.scenarios.plausibility import (
    EXTREME_SIGMA,
    LARGE_CHANGE,
    flag_counts,
    plausibility_notes,
    row_flags,
)


def test_row_flags_by_hand() -> None:
    sigma = np.array([2.0, 10.0, 10.01, 14.0, 3.0, 3.0])
    change = np.array([0.5, -1.0, 0.0, 3.16, np.nan, -0.2])
    bounded = np.array([False, True, False, False, False, True])
    flags = row_flags(sigma, change, bounded)
    assert list(flags) == [
        "",
        "bounded",  # sigma 10 is not above 10; -100% is not more than 100%
        "extreme_sigma",
        "extreme_sigma;large_change",  # the issue's +316% at sigma near 14
        "",  # an undefined change (no baseline) is not flagged
        "bounded",
    ]
    assert flag_counts(flags) == {"extreme_sigma": 2, "large_change": 1, "bounded": 2}
    assert (EXTREME_SIGMA, LARGE_CHANGE) == (10.0, 1.0)


def test_notes_only_for_flags_that_occur() -> None:
    assert plausibility_notes({"extreme_sigma": 0, "large_change": 0, "bounded": 0}) == []
    notes = plausibility_notes({"extreme_sigma": 3, "large_change": 1, "bounded": 0}, 13.9)
    assert len(notes) == 2
    assert notes[0].startswith("plausibility: 3 rows") and "(up to 13.9)" in notes[0]
    assert notes[1].startswith("plausibility: 1 row changes by more than 100%")
    assert notes[0].startswith("plausibility: 3 rows are in markets")
