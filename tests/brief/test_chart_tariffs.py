"""The tariff timeline chart: steps from a tariffs result, drawn as inline SVG."""

from __future__ import annotations

import datetime as dt

import pytest

from tradelever.brief.chart_tariffs import tariff_chart, tariff_series


@pytest.fixture(scope="module")
def timeline(icio_session):  # type: ignore[no-untyped-def]
    return icio_session.tariffs("USA", "MYS,VNM", start="2025-01-01", end="2025-12-31")


def test_series_steps_cover_the_period(timeline) -> None:  # type: ignore[no-untyped-def]
    series = tariff_series(timeline, end="2025-12-31")
    for _, steps in series.groupby("exporter"):
        assert steps["start"].iloc[0] == dt.date(2025, 1, 1)
        assert steps["end"].iloc[-1] == dt.date(2025, 12, 31)
        assert (steps["start"].iloc[1:].to_numpy() == steps["end"].iloc[:-1].to_numpy()).all()
    mys = series[series["exporter"] == "MYS"].set_index("start")["rate"]
    rows = timeline.rows[timeline.rows["exporter"] == "MYS"]
    assert mys.loc[dt.date(2025, 8, 7)] == pytest.approx(
        float(rows.loc[rows["date"] == "2025-08-07", "effective_additional_rate"].iloc[0])
    )


def test_chart_is_svg_with_home_and_peers(timeline) -> None:  # type: ignore[no-untyped-def]
    chart = tariff_chart(timeline, home="MYS", names={"MYS": "Malaysia", "VNM": "Viet Nam"})
    assert chart.svg.startswith("<svg") and "Malaysia" in chart.svg and "Viet Nam" in chart.svg
    assert "Malaysia" in chart.title and "2024 import values" in chart.caption
    with pytest.raises(ValueError, match="THA"):
        tariff_chart(timeline, home="THA")
