"""``tradelever supply-chain`` and ``Session.supply_chain`` on the embedded icio2022."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tradelever.analysis.network import SUPPLY_CHAIN_COLUMNS
from tradelever.errors import InputError, UnknownCountryError
from tradelever.interfaces.cli import app

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), "supply-chain", *args])


def _icio_flows_usd(exporter: str, importer: str, industry: str) -> float:
    """MYS -> USA deliveries of one industry, summed from the raw network arrays."""
    from tradelever.sources.icio import load_icio

    net = load_icio()
    C, S = net.n_countries, net.n_industries
    h = net.industries.index(industry) * C + net.countries.index(exporter)
    cols = np.arange(S) * C + net.countries.index(importer)
    return float((net.A[h, cols] * net.omb[cols] * net.s[cols]).sum() * 1e6)


def test_session_supply_chain(icio_session) -> None:  # type: ignore[no-untyped-def]
    result = icio_session.supply_chain("mys", "usa")
    assert result.kind == "supply_chain"
    assert result.params["home"] == "MYS" and result.params["partner"] == "USA"
    assert len(result.rows) == 50
    losses = result.rows["partner_output_loss_usd"]
    assert losses.is_monotonic_decreasing and (losses >= 0).all()
    assert result.provenance["name"] == "icio2022" and result.provenance["year"] == 2022
    assert any(a.startswith("intermediate goods only") for a in result.assumptions)
    c26 = result.rows.set_index("industry").loc["C26"]
    assert c26["direct_deliveries_to_partner_usd"] == pytest.approx(
        _icio_flows_usd("MYS", "USA", "C26"), rel=1e-9
    )
    # deliveries summed over industries = the summary total
    assert result.rows["direct_deliveries_to_partner_usd"].sum() == pytest.approx(
        result.summary["direct_deliveries_to_partner_usd"]
    )
    joint = result.summary["all_industries"]
    assert joint["partner_output_loss_usd"] > joint["deliveries_removed_usd"] > 0


def test_session_errors_name_the_parameter(icio_session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"^dataset: supply-chain needs") as info:
        icio_session.supply_chain("MYS", "USA", dataset="baci")
    assert info.value.parameter == "dataset"
    with pytest.raises(UnknownCountryError, match="MAS"):
        icio_session.supply_chain("MAS", "USA")


def test_cli_json_contract(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "MYS", "--partner", "USA", "--industry", "C26", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data)[:7] == [
        "home",
        "partner",
        "dataset",
        "year",
        "level",
        "industry",
        "share_lost",
    ]
    assert data["industry"] == ["C26"]
    assert {"provenance", "assumptions", "summary", "rows"} <= set(data)
    assert len(data["rows"]) == 1 and list(data["rows"][0]) == list(SUPPLY_CHAIN_COLUMNS)
    row = data["rows"][0]
    assert row["industry"] == "C26"
    # the selected joint extraction of one industry equals its row
    sel = data["summary"]["selected_industries"]
    assert sel["partner_output_loss_usd"] == pytest.approx(row["partner_output_loss_usd"])


def test_cli_csv_top_and_table(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "MYS", "-p", "USA", "--top", "5", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 5 and tuple(rows[0]) == SUPPLY_CHAIN_COLUMNS
    table = _run(icio_data_dir, "MYS", "-p", "USA", "--top", "3")
    assert table.exit_code == 0, table.output
    assert "intermediate goods only" in table.output
    assert "partner output falls by" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MYS", "-p", "USA", "--dataset", "hand-hs17"], "--dataset"),
        (["MYS", "-p", "USA", "--industry", "C99"], "--industry"),
        (["MYS", "-p", "MYS"], "--partner"),
        (["MYS", "-p", "USA", "--share-lost", "1.5"], "--share-lost"),
    ],
)
def test_cli_errors(icio_data_dir: Path, args: list[str], message: str) -> None:
    result = _run(icio_data_dir, *args)
    assert result.exit_code == 1
    assert message in result.output
