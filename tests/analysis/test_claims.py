from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tradelever.analysis.claims import (
    Claim,
    ClaimsFile,
    Parameters,
    Recomputed,
    check_claim,
    check_claims,
    checks_frame,
    format_value,
    parse_claims,
    read_claims_file,
)
from tradelever.errors import DataFileError, InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims" / "kenanga-2025-04-14.yaml"


@pytest.fixture(scope="module")
def example() -> ClaimsFile:
    return read_claims_file(EXAMPLE)


@pytest.fixture(scope="module")
def claims(example: ClaimsFile) -> dict[str, Claim]:
    return {c.id: c for c in example.claims}


def figure(value: float | None, unit: str = "share", **kw: Any) -> Recomputed:
    """A recomputed figure as the analysis would return it (made-up numbers)."""
    kw.setdefault("year", 2024)
    kw.setdefault("dataset", "baci-hs22-v202501")
    kw.setdefault("provenance", {"source": "CEPII BACI", "release": "V202501"})
    return Recomputed(value=value, unit=unit, **kw)


# --- the example file ---------------------------------------------------------------------


def test_example_file_lists_every_claim_of_the_note(claims: dict[str, Claim]) -> None:
    assert set(claims) == {
        "mys-share-of-us-chip-imports",
        "mys-ee-share-of-exports-2024",
        "lynas-largest-plant-outside-china",
        "us-rare-earth-imports-from-china",
        "mys-share-of-global-glove-supply-2024",
        "us-glove-imports-2023",
    }
    chips = claims["mys-share-of-us-chip-imports"]
    assert (chips.measure, chips.claimed.value, chips.claimed.unit) == (
        "share_of_partner_imports",
        0.20,
        "share",
    )
    assert chips.parameters is not None and chips.parameters.partner == "USA"
    assert chips.parameters.home == ["MYS"]
    gloves = claims["us-glove-imports-2023"]
    assert (gloves.claimed.value, gloves.claimed.unit, gloves.year) == (6.0e9, "USD", 2023)
    assert gloves.claimed.also_stated == "RM26.53 billion"
    assert claims["mys-ee-share-of-exports-2024"].claimed.value == 0.399
    assert claims["us-rare-earth-imports-from-china"].claimed.value == 0.78
    supply = claims["mys-share-of-global-glove-supply-2024"]
    assert supply.measure == "other" and supply.proxy is not None
    assert supply.proxy.measure == "world_export_share"
    for claim in claims.values():
        assert claim.where.url == "https://theedgemalaysia.com/node/751369"
        assert str(claim.where.date) == "2025-04-14"
        assert claim.settle_with


# --- verdicts ------------------------------------------------------------------------------


def test_supported_within_an_absolute_tolerance(claims: dict[str, Claim]) -> None:
    check = check_claim(claims["mys-share-of-us-chip-imports"], figure(0.2249))
    assert check.verdict == "supported"
    assert check.difference == pytest.approx(0.0249)
    assert check.recomputed == 0.2249
    assert any(n.startswith("scope: product scope ambiguous") for n in check.notes)
    assert "tolerance ±2.5 points" in check.notes[0]


def test_contradicted_outside_an_absolute_tolerance(claims: dict[str, Claim]) -> None:
    check = check_claim(claims["mys-share-of-us-chip-imports"], figure(0.1249))
    assert check.verdict == "contradicted"
    assert check.difference == pytest.approx(-0.0751)
    assert "recomputed 12.5%" in check.notes[0]


def test_the_tolerance_edge_supports(claims: dict[str, Claim]) -> None:
    # US$6.0 bn stated to one decimal: 5.95 bn rounds to 6.0 (tolerance US$50 m)
    claim = claims["us-glove-imports-2023"]
    assert check_claim(claim, figure(5.95e9, "USD", year=2023)).verdict == "supported"
    assert check_claim(claim, figure(5.94e9, "USD", year=2023)).verdict == "contradicted"
    assert check_claim(claim, figure(6.05e9, "USD", year=2023)).verdict == "supported"


def test_relative_tolerance() -> None:
    claim = make_claim(tolerance={"kind": "relative", "value": 0.05, "why": "five per cent"})
    # claimed US$2 bn; 5% of it is US$100 m
    assert check_claim(claim, figure(2.09e9, "USD")).verdict == "supported"
    assert check_claim(claim, figure(2.11e9, "USD")).verdict == "contradicted"


def test_not_checkable_without_a_figure(claims: dict[str, Claim]) -> None:
    claim = claims["us-rare-earth-imports-from-china"]
    check = check_claim(claim, None)
    assert (check.verdict, check.recomputed, check.difference) == ("not_checkable", None, None)
    assert "would settle it: US imports by partner of HS 2805.30" in check.notes[0]
    missing = check_claim(claim, figure(None, missing_reason="2024 is not in the store"))
    assert missing.verdict == "not_checkable"
    assert missing.notes[0].startswith("no recomputed value: 2024 is not in the store")


def test_not_checkable_when_the_year_differs(claims: dict[str, Claim]) -> None:
    check = check_claim(claims["mys-share-of-us-chip-imports"], figure(0.20, year=2022))
    assert check.verdict == "not_checkable"
    assert check.recomputed == 0.20  # reported, but not a verdict
    assert check.notes[0].startswith("year differs: claimed for 2024, recomputed for 2022")


def test_not_checkable_when_the_basis_differs(claims: dict[str, Claim]) -> None:
    check = check_claim(claims["us-rare-earth-imports-from-china"], figure(0.77, basis="quantity"))
    assert check.verdict == "not_checkable"
    assert check.notes[0] == "basis differs: the claim is by value, the recomputation by quantity"


def test_a_capacity_claim_is_not_checkable(claims: dict[str, Claim]) -> None:
    lynas = check_claim(claims["lynas-largest-plant-outside-china"], None)
    assert lynas.verdict == "not_checkable"
    assert lynas.notes[0].startswith("not a trade measure")
    supply = check_claim(claims["mys-share-of-global-glove-supply-2024"], figure(0.38))
    assert supply.verdict == "not_checkable"
    assert supply.recomputed == 0.38
    assert any(
        n.startswith("proxy, not the claimed measure: world_export_share = 38.0%")
        for n in supply.notes
    )


def test_notes_on_data_set_and_product_scope() -> None:
    claim = make_claim(
        products={"description": "gloves", "hs": ["401519"], "revision": "HS17"},
    )
    check = check_claim(
        claim, figure(2.0e9, "USD", dataset="comtrade-usa-m", products=("401519", "392620"))
    )
    assert check.verdict == "supported"
    assert "data set differs: comtrade-usa-m is not among the preferred baci-hs22" in check.notes
    assert "product scope differs: the data summed codes outside 401519" in check.notes


def test_unit_mismatch_is_an_error(claims: dict[str, Claim]) -> None:
    with pytest.raises(InputError, match="recomputed unit 'USD' is not 'share'"):
        check_claim(claims["mys-share-of-us-chip-imports"], figure(1.0e9, "USD"))


def test_check_claims_asks_for_each_measure_and_proxy(example: ClaimsFile) -> None:
    asked: list[tuple[str, int]] = []

    def recompute(measure: str, parameters: Parameters) -> Recomputed | None:
        asked.append((measure, parameters.year))
        return None

    checks = check_claims(example, recompute)
    assert [c.id for c in checks] == [c.id for c in example.claims]
    assert {c.verdict for c in checks} == {"not_checkable"}
    # five trade figures: four claims and the glove-supply proxy; Lynas asks for nothing
    assert asked == [
        ("share_of_partner_imports", 2024),
        ("export_share", 2024),
        ("share_of_partner_imports", 2024),
        ("world_export_share", 2024),
        ("partner_imports", 2023),
    ]


def test_rows_and_frame(claims: dict[str, Claim]) -> None:
    check = check_claim(claims["us-glove-imports-2023"], figure(5.5e9, "USD", year=2023))
    row = check.to_row()
    assert list(row)[:4] == ["id", "verdict", "claimed", "recomputed"]
    assert (row["verdict"], row["claimed"], row["recomputed"]) == ("contradicted", 6.0e9, 5.5e9)
    assert row["provenance"] == {"source": "CEPII BACI", "release": "V202501"}
    frame = checks_frame([check])
    assert frame.loc[0, "id"] == "us-glove-imports-2023"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0.399, "share", "39.9%"), (6.0e9, "USD", "US$6.00 bn"), (1, "rank", "1"), (None, "USD", "-")],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


# --- schema errors --------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "id": "synthetic-claim",
    "text": "A SYNTHETIC claim for tests.",
    "where": {
        "publication": "Synthetic Daily",
        "url": "https://example.org/synthetic",
        "date": "2025-04-14",
        "attributed_to": "nobody",
    },
    "measure": "partner_imports",
    "parameters": {
        "partner": "USA",
        "products": {"description": "gloves", "group": "gloves"},
        "year": 2024,
        "datasets": ["baci-hs22"],
    },
    "claimed": {"value": 2.0e9, "unit": "USD", "wording": "US$2 billion"},
    "tolerance": {"kind": "absolute", "value": 5.0e8, "why": "rounded to a whole billion"},
    "settle_with": "US imports of gloves in 2024",
}


def merged(**changes: Any) -> dict[str, Any]:
    claim = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key == "products":
            claim["parameters"]["products"] = value
        elif value is None:
            claim.pop(key, None)
        else:
            claim[key] = value
    return claim


def make_claim(**changes: Any) -> Claim:
    return Claim.model_validate(merged(**changes))


def parse(claims: list[dict[str, Any]]) -> ClaimsFile:
    text = yaml.safe_dump({"title": "t", "source": "s", "claims": claims}, sort_keys=False)
    return parse_claims(text, where="claims.yaml")


def test_valid_synthetic_claim() -> None:
    assert parse([merged()]).claims[0].id == "synthetic-claim"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parameters": {**BASE["parameters"], "partner": "MAS"}}, "MAS: unknown country"),
        ({"products": {"description": "x", "group": "chips"}}, "'chips': unknown product group"),
        ({"products": {"description": "x", "hs": [401519], "revision": "HS17"}}, "quoted strings"),
        ({"products": {"description": "x", "hs": ["40151"], "revision": "HS17"}}, "2, 4 or 6"),
        ({"products": {"description": "x", "hs": ["401519"]}}, "need their 'revision'"),
        ({"products": {"description": "x", "hs": ["401519"], "revision": "HS2030"}}, "HS2030"),
        ({"tolerance": None}, "give a 'tolerance'"),
        ({"measure": "share_of_partner_imports"}, "needs parameters \\['home'\\]"),
        (
            {
                "claimed": {"value": 20, "unit": "share", "wording": "20%"},
                "measure": "world_export_share",
                "parameters": {**BASE["parameters"], "home": ["MYS"]},
            },
            "between 0 and 1",
        ),
        ({"claimed": {"value": 0.2, "unit": "share", "wording": "20%"}}, "is in 'USD'"),
        ({"measure": "other"}, "has no parameters"),
        ({"where": {**BASE["where"], "url": "theedge"}}, "give the public URL"),
        ({"where": {**BASE["where"], "date": "2025-02-30"}}, "where.date"),
        ({"id": "Bad Id"}, "lower-case"),
    ],
)
def test_schema_rejects(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        parse([merged(**changes)])


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(DataFileError, match="claim ids are not unique"):
        parse([merged(), merged()])


def test_errors_name_file_line_and_field() -> None:
    text = yaml.safe_dump(
        {"title": "t", "source": "s", "claims": [merged(), merged(id="x-2", measure="ratio")]},
        sort_keys=False,
    )
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "ratio" in ln)
    with pytest.raises(DataFileError) as info:
        parse_claims(text, where="claims.yaml")
    assert str(info.value).startswith(f"claims.yaml, line {line}, field 'claims[1].measure'")


def test_yaml_and_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"claims\.yaml, line 3: not valid YAML"):
        parse_claims("title: t\nclaims: [\n", where="claims.yaml")
    with pytest.raises(DataFileError, match="cannot read the claims file"):
        read_claims_file(tmp_path / "none.yaml")
