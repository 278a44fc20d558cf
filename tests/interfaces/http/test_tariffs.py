"""``GET /api/tariffs``: the body of ``tradelever tariffs --format json``; errors name the query."""

from __future__ import annotations

import pytest


def test_tariffs_route(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/tariffs", params={"importer": "USA", "exporters": "MYS,THA",
                                           "dates": "2025-08-07"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["importer"] == "USA" and body["exporters"] == ["MYS", "THA"]
    row = next(x for x in body["rows"] if x["exporter"] == "MYS")
    assert row["date"] == "2025-08-07"
    assert 0 < row["effective_additional_rate"] < 0.19  # chips are exempt
    assert sum(row["measure_contributions"].values()) == pytest.approx(
        row["effective_additional_rate"]
    )
    assert set(body["provenance"]) == {"schedule", "trade"}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"importer": "USA", "exporters": "MYS", "dates": "2025-02-30"}, "dates"),
        ({"importer": "USA", "exporters": "XXX", "dates": "2025-08-07"}, "exporters"),
        ({"importer": "FRA", "exporters": "MYS"}, "importer"),
        ({"importer": "USA", "exporters": "MYS", "start": "2025-01-01"}, "end"),
    ],
)
def test_tariffs_errors_name_the_parameter(client, params, parameter) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/tariffs", params=params)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["parameter"] == parameter
