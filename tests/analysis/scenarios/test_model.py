"""Scenario schema: the issue's example is accepted; bad input names the key path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradelever.analysis.scenarios import parse_scenario, read_scenario_file
from tradelever.analysis.scenarios.selectors import Notes, product_mask, resolve_countries_spec
from tradelever.errors import InputError

ISSUE_EXAMPLE = """
name: us-chips-vietnam-example
description: The United States raises its tariff on Vietnamese processors to 25 percent.
elasticities:            # optional; defaults documented
  substitution: 1.5      # between suppliers of one product
  import_demand: -1.2    # of the importer's total demand for the product
measures:
  - importer: USA
    exporters: [VNM]     # ISO3 list, a group (ASEAN), "all", or {all_except: [...]}
    products: ["854231"] # HS codes or prefixes, group names, ICIO industry codes, or "all"
    new_rate: 0.25       # ad valorem fraction; or `change:` added to the baseline rate
    basis: reciprocal
    source: "EO 14257 Annex I"
"""


def _measure(**over: object) -> dict[str, object]:
    m: dict[str, object] = {
        "importer": "USA",
        "exporters": ["VNM"],
        "products": ["854231"],
        "new_rate": 0.25,
        "basis": "reciprocal",
        "source": "EO 14257 Annex I",
    }
    m.update(over)
    return m


def _scenario(*measures: dict[str, object], **over: object) -> dict[str, object]:
    return {"name": "t", "measures": list(measures), **over}


def test_issue_example_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ISSUE_EXAMPLE, "utf-8")
    sc = read_scenario_file(path)
    assert sc.name == "us-chips-vietnam-example"
    assert sc.elasticities.substitution == 1.5
    assert sc.elasticities.import_demand == -1.2
    assert sc.elasticities.export_supply is None
    (m,) = sc.measures
    assert (m.importer, m.exporters, m.products, m.new_rate) == ("USA", ["VNM"], ["854231"], 0.25)


@pytest.mark.parametrize(
    ("measure", "path", "fragment"),
    [
        (_measure(new_rate=25), "measures[0].new_rate", "write 0.25 for 25 percent"),
        (_measure(source=""), "measures[0].source", "at least 1 character"),
        (_measure(basis="tariff"), "measures[0].basis", "'reciprocal'"),
        (_measure(change=0.1), "measures[0]", "exactly one of new_rate"),
        (_measure(products=["85-42"]), "measures[0].products[0]", "'85-42'"),
        (_measure(colour="red"), "measures[0].colour", "Extra inputs"),
        (_measure(exempt=["all"]), "measures[0].exempt", "cannot be exempt"),
    ],
)
def test_invalid_measure_names_key_path(
    measure: dict[str, object], path: str, fragment: str
) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(_scenario(measure), where="my.yaml")
    message = str(info.value)
    assert message.startswith("my.yaml: invalid scenario: ")
    assert f"{path}:" in message
    assert fragment in message


def test_bad_elasticity_sign_names_path() -> None:
    with pytest.raises(InputError, match=r"elasticities\.import_demand: .*less than 0"):
        parse_scenario(_scenario(_measure(), elasticities={"import_demand": 1.2}))


def test_missing_measures_and_bad_name() -> None:
    with pytest.raises(InputError, match="at least one measure"):
        parse_scenario({"name": "empty"})
    with pytest.raises(InputError, match=r"name: 'Bad Name'"):
        parse_scenario(_scenario(_measure(), name="Bad Name"))


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nmeasures:\n  - importer: USA\n   exporters: [VNM\n", "utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml, line \d+: not valid YAML"):
        read_scenario_file(path)


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_scenario_file(tmp_path / "nope.yaml")


def test_unknown_country_names_path() -> None:
    with pytest.raises(InputError, match=r"measures\[2\]\.exporters\[1\]: .*XYZ"):
        resolve_countries_spec(["VNM", "XYZ"], "measures[2].exporters")


def test_groups_and_all_except() -> None:
    sc = parse_scenario(_scenario(_measure(exporters={"all_except": ["ASEAN"]})))
    sel = resolve_countries_spec(sc.measures[0].exporters, "measures[0].exporters")
    codes = np.array(["MYS", "VNM", "CHN", "DEU"], dtype=object)
    assert sel.mask(codes).tolist() == [False, False, True, True]
    eu = resolve_countries_spec("EU27", "x").mask(codes)
    assert eu.tolist() == [False, False, False, True]


def test_product_selectors_on_hs_and_industry_data() -> None:
    notes = Notes()
    hs = np.array(["854231", "854232", "401519", "100630"], dtype=object)
    mask = product_mask(["8542", "gloves"], hs, industry_level=False, path="p", notes=notes)
    assert mask.tolist() == [True, True, True, False]
    # an 8-digit HTS code acts on its HS6 subheading
    mask = product_mask(["85423100"], hs, industry_level=False, path="p", notes=notes)
    assert mask.tolist() == [True, False, False, False]
    ind = np.array(["C26", "C22", "D", "A01"], dtype=object)
    mask = product_mask("all", ind, industry_level=True, path="p", notes=notes)
    assert mask.tolist() == [True, True, False, True]
    # HS codes cannot act on industries: nothing selected, and the run says so
    mask = product_mask(["8542"], ind, industry_level=True, path="m.products", notes=notes)
    assert not mask.any()
    assert any("cannot be applied to ICIO industries" in n for n in notes.items)
    with pytest.raises(InputError, match=r"p\[0\]: 'C26' is an ICIO industry code"):
        product_mask(["C26"], hs, industry_level=False, path="p", notes=notes)
    with pytest.raises(InputError, match=r"p\[0\]: 'C99' is not an industry"):
        product_mask(["C99"], ind, industry_level=True, path="p", notes=notes)
    with pytest.raises(InputError, match=r"p\[0\]: 'chips' is not a known product set"):
        product_mask(["chips"], hs, industry_level=False, path="p", notes=notes)


def test_project_groups_follow_the_hs_revision() -> None:
    notes = Notes()
    codes = np.array(["854140", "854231", "401519"], dtype=object)
    hs17 = product_mask(
        ["semiconductors"],
        codes,
        industry_level=False,
        path="p",
        notes=notes,
        classification="HS17",
    )
    assert hs17.tolist() == [False, True, False]  # HS17 semiconductors exclude 8541.40
    with pytest.raises(InputError, match=r"p\[0\]: product group 'gloves' has no definition"):
        product_mask(
            ["gloves"], codes, industry_level=False, path="p", notes=notes, classification="HS99"
        )
    ind = np.array(["C22", "C26"], dtype=object)
    assert not product_mask(["gloves"], ind, industry_level=True, path="p", notes=notes).any()
    assert any("product group gloves is defined in HS codes" in n for n in notes.items)


@pytest.mark.parametrize(
    ("elasticities", "path", "fragment"),
    [
        ({"substitution": float("inf")}, "elasticities.substitution", "finite number"),
        ({"substitution": float("nan")}, "elasticities.substitution", "finite number"),
        ({"substitution": 0}, "elasticities.substitution", "greater than 0"),
        ({"substitution": 250}, "elasticities.substitution", "less than or equal to 100"),
        ({"import_demand": float("-inf")}, "elasticities.import_demand", "finite number"),
        ({"export_supply": -2}, "elasticities.export_supply", "greater than 0"),
        (
            {"products": {"4015": {"substitution": 1e9}}},
            "elasticities.products.4015.substitution",
            "less than or equal to 100",
        ),
        (
            {"uncertainty": {"substitution": [0.5, float("inf")]}},
            "elasticities.uncertainty.substitution",
            "0 < p5 <= p95",
        ),
        ({"uncertainty": {"seed": -1}}, "elasticities.uncertainty.seed", "greater than or equal"),
    ],
)
def test_invalid_elasticities_name_the_field(elasticities, path, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        parse_scenario(_scenario(_measure(), elasticities=elasticities), where="e.yaml")
    message = str(info.value)
    assert message.startswith("e.yaml: invalid scenario: ") and "\n" not in message
    assert f"{path}:" in message and fragment in message


@pytest.mark.parametrize(
    ("measure", "path", "fragment"),
    [
        (_measure(new_rate=-0.1), "measures[0].new_rate", "greater than or equal to 0"),
        (_measure(new_rate=float("nan")), "measures[0].new_rate", "finite number"),
    ],
)
def test_negative_or_missing_rates_name_the_field(measure, path, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        parse_scenario(_scenario(measure), where="r.yaml")
    assert f"{path}:" in str(info.value) and fragment in str(info.value)


def test_carry_forward_is_a_boolean() -> None:
    assert parse_scenario(_scenario(_measure(), carry_forward=True)).carry_forward is True
    assert parse_scenario(_scenario(_measure())).carry_forward is False
    with pytest.raises(InputError, match="carry_forward: Input should be a valid boolean"):
        parse_scenario(_scenario(_measure(), carry_forward="sometimes"))
