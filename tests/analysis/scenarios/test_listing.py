"""``scenario show`` data: every measure and every member, never cut."""

from __future__ import annotations

from tradelever.analysis.scenarios import load_scenario, preset_scenario, scenario_listing
from tradelever.analysis.scenarios.listing import measure_table, member_table
from tradelever.analysis.scenarios.presets import expand_set
from tradelever.reference.countries import group_members


def test_the_39_country_measure_is_listed_in_full() -> None:
    # The issue: `scenario show` printed 8 of the 39 countries of the 15% measure.
    sc = preset_scenario("us-2025-08-07")
    m = sc.measures[1]
    assert isinstance(m.exporters, list) and len(m.exporters) == 39
    table = measure_table(sc)
    row = table[(table["kind"] == "measure") & (table["index"] == 1)].iloc[0]
    assert row["exporters"].split(", ") == m.exporters
    assert row["exporter_members"] == m.exporters
    members = member_table(sc)
    listed = members[(members["index"] == 1) & (members["role"] == "exporter")]["member"]
    assert listed.tolist() == m.exporters
    assert len(table) == len(sc.measures) + len(sc.baseline)


def test_groups_and_sets_are_expanded() -> None:
    sc = load_scenario(
        {
            "name": "listing",
            "baseline": [{"importer": "USA", "products": ["4015"], "rate": 0.03, "source": "MFN"}],
            "measures": [
                {
                    "importer": "USA",
                    "exporters": ["ASEAN", "EU27", "CHN"],
                    "products": "all",
                    "exempt": ["eo14257-annex-ii"],
                    "new_rate": 0.1,
                    "basis": "reciprocal",
                    "source": "test",
                },
                {
                    "importer": "USA",
                    "exporters": {"all_except": ["CAN", "MEX"]},
                    "products": ["s232-steel", "8542"],
                    "change": 0.05,
                    "basis": "section232",
                    "source": "test",
                },
            ],
        }
    )
    members = member_table(sc)
    m0 = members[(members["kind"] == "measure") & (members["index"] == 0)]
    asean = m0[m0["via"] == "ASEAN"]["member"].tolist()
    n_asean = len(group_members("ASEAN"))
    assert asean == list(group_members("ASEAN")) and n_asean >= 10
    assert len(m0[m0["via"] == "EU27"]) == 27
    assert m0[(m0["role"] == "exporter") & (m0["via"] == "")]["member"].tolist() == ["CHN"]
    hs, industries = expand_set("eo14257-annex-ii")
    exempt = m0[m0["role"] == "exempt"]["member"].tolist()
    assert exempt == [*hs, *(f"industry {i}" for i in industries)]
    m1 = members[(members["kind"] == "measure") & (members["index"] == 1)]
    assert m1[m1["role"] == "excluded exporter"]["member"].tolist() == ["CAN", "MEX"]
    assert "8542" in m1[m1["role"] == "product"]["member"].tolist()
    table = measure_table(sc)
    assert table.iloc[0]["kind"] == "baseline" and table.iloc[0]["products"] == "4015"
    assert table.iloc[1]["exporter_members"][:n_asean] == list(group_members("ASEAN"))
    assert len(table.iloc[1]["exporter_members"]) == n_asean + 27 + 1
    assert table.iloc[2]["exporters"] == "all except CAN, MEX"
    assert table.iloc[2]["rate"] == "+5 pts"
    listing = scenario_listing(sc)
    assert listing["n_measures"] == 2 and listing["n_members"] == len(members)
    assert listing["baseline"] == "no additional tariffs"


def test_listing_of_every_preset_loads() -> None:
    from tradelever.analysis.scenarios import preset_names

    for name in preset_names():
        listing = scenario_listing(preset_scenario(name))
        assert listing["n_measures"] == len(preset_scenario(name).measures)
        assert not listing["measures"]["source"].eq("").any()
