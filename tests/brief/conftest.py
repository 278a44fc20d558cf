"""Briefs built once per test run on the embedded data (read-only)."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelever.brief import FxRate, build_brief

# Bernama closing quote of 2 April 2025, ringgit per US dollar (bid), as reported by Malay Mail.
MYR_FX = FxRate.parse("MYR", 4.4510, "2025-04-02", "Bernama closing quote")
TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="session")
def icio_brief(icio_session):  # type: ignore[no-untyped-def]
    """MYS-USA brief with China as rival, ringgit figures, on icio2022."""
    return build_brief(
        icio_session, "MYS", "USA", rival="CHN", dataset="icio2022", fx=MYR_FX, today=TODAY
    )


@pytest.fixture(scope="session")
def census_brief(icio_session):  # type: ignore[no-untyped-def]
    """The default MYS-USA brief (rival China): census-us-2024 at HS6, the US schedule,
    balance and deals, on 15 January 2026."""
    return build_brief(icio_session, "MYS", "USA", rival="CHN", today=TODAY)


@pytest.fixture(scope="session")
def census_brief_html(census_brief) -> str:  # type: ignore[no-untyped-def]
    return census_brief.to_html()


@pytest.fixture(scope="session")
def census_brief_md(census_brief) -> str:  # type: ignore[no-untyped-def]
    return census_brief.to_markdown()


@pytest.fixture(scope="session")
def icio_brief_html(icio_brief) -> str:  # type: ignore[no-untyped-def]
    return icio_brief.to_html()


@pytest.fixture(scope="session")
def icio_brief_md(icio_brief) -> str:  # type: ignore[no-untyped-def]
    return icio_brief.to_markdown()
