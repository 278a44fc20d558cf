"""The first-in-line chart: one point per deal with a stated rate, home highlighted."""

from __future__ import annotations

from tradelever.analysis.deals import first_in_line
from tradelever.brief.chart_deals import first_in_line_chart


def test_chart_marks_every_stated_rate(icio_session) -> None:  # type: ignore[no-untyped-def]
    result = first_in_line(icio_session._deal_inputs(), home="MYS")
    chart = first_in_line_chart(result)
    stated = result.rows[result.rows["rate_obtained"].notna()]
    assert chart.svg.startswith("<svg") and 'data-chart="first-in-line"' in chart.svg
    assert chart.alt.count(";") == len(stated) - 1
    assert "MYS: 19% after 207 days" in chart.alt
    assert "all-in ceiling" in chart.svg
    stat = result.summary["statistics"][0]
    assert f"n = {stat['n']}" in chart.caption
    assert "not an effect of timing" in chart.caption
