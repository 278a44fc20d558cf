"""``/api/deals``: the same JSON as ``tradelever deals ... --format json``."""

from __future__ import annotations


def test_deals_members(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/deals", params={"members": "ASEAN"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["partner"] for row in body["rows"]] == ["IDN", "PHL", "VNM", "KHM", "MYS", "THA"]
    assert body["members"] == "ASEAN"


def test_deal_of_one_partner(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/deals/vnm")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["partner"] == "VNM" and body["summary"]["deals"][0]["id"] == "vnm-2025-07"
    unknown = client.get("/api/deals/XQZ")
    assert unknown.status_code == 404
    assert unknown.json()["parameter"] == "partner"
    none = client.get("/api/deals/SGP")
    assert none.status_code == 422 and "no US deal" in none.json()["detail"]


def test_first_in_line_and_precedents(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/deals/first-in-line", params={"home": "MYS"})
    assert r.status_code == 200, r.text
    assert r.json()["home"] == "MYS"
    p = client.get("/api/deals/precedents", params={"offer": "investment"})
    assert p.status_code == 200, p.text
    assert any(row["partner"] == "JPN" for row in p.json()["rows"])
    bad = client.get("/api/deals/precedents", params={"offer": "loans"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "offer"
