"""Preset scenarios load, and every measure carries a source document and a date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tradelever.analysis.scenarios import preset_names, preset_scenario, product_sets
from tradelever.analysis.scenarios.presets import expand_set, load_scenario
from tradelever.errors import InputError, UnknownCodeError

REQUIRED = (
    "us-2025-04-02",
    "us-2025-04-10",
    "us-2025-05-14",
    "us-2025-08-07",
    "us-2025-11-10",
    "us-2026-02-24",
)


def test_required_presets_exist() -> None:
    assert set(REQUIRED) <= set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_every_measure_has_source_and_date(name: str) -> None:
    sc = preset_scenario(name)
    assert sc.description and sc.sources
    assert sc.measures
    for m in sc.measures:
        assert m.source.strip()
        assert isinstance(m.effective, dt.date)
        assert m.effective <= (sc.date or dt.date.max)


def test_product_sets_have_sources_and_resolve() -> None:
    sets = product_sets()
    for name, ps in sets.items():
        assert ps.source, name
        expand_set(name)
    hs, industries = expand_set("apr11-semiconductors")
    assert "8542" in hs and "85171300" in hs and len(hs) == 20
    assert industries == ("C26",)


def _rate(name: str, exporter: str, basis: str = "reciprocal") -> list[float]:
    return [
        m.new_rate
        for m in preset_scenario(name).measures
        if m.basis == basis and isinstance(m.exporters, list) and exporter in m.exporters
    ]


def test_rates_follow_the_reference() -> None:
    # EO 14257 Annex I: Malaysia 24; July 31, 2025 order: 19; EO 14266: China 125 + 20 on April 10
    assert _rate("us-2025-04-02", "MYS") == [0.24]
    assert _rate("us-2025-08-07", "MYS") == [0.19]
    assert _rate("us-2025-08-07", "VNM") == [0.20]
    assert _rate("us-2025-04-10", "CHN") == [1.25]
    assert _rate("us-2025-04-10", "CHN", "fentanyl") == [0.20]
    assert _rate("us-2025-11-10", "CHN", "fentanyl") == [0.10]
    assert not _rate("us-2026-02-24", "CHN")  # IEEPA duties ended
    s122 = [m for m in preset_scenario("us-2026-02-24").measures if m.basis == "section122"]
    assert [m.new_rate for m in s122] == [0.10]
    assert s122[0].effective == dt.date(2026, 2, 24)


def test_reciprocal_measures_carry_annex_ii_exemptions() -> None:
    for name in ("us-2025-04-02", "us-2025-04-10", "us-2025-08-07"):
        for m in preset_scenario(name).measures:
            if m.basis == "reciprocal":
                assert "eo14257-annex-ii" in m.exempt, (name, m.exporters)


def test_extends_appends_measures() -> None:
    child = load_scenario("us-2025-08-07-mys-no-deal")
    parent = load_scenario("us-2025-08-07")
    assert len(child.measures) == len(parent.measures) + 1
    assert child.measures[-1].new_rate == 0.25


# A user's "Malaysia first at 15%" file dated before the August 7 schedule it extends: it
# used to run with Thailand and Viet Nam at 0% (their 19% and 20% silently dropped).
MYS_FIRST = """
name: mys-first-15
description: Malaysia settles first at 15% (hypothetical)
extends: us-2025-08-07
date: 2025-07-15
measures:
  - importer: USA
    exporters: [MYS]
    products: all
    exempt: [eo14257-annex-ii]
    new_rate: 0.15
    basis: reciprocal
    source: hypothetical
    effective: 2025-07-15
"""


def test_date_before_extended_measures_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mys-first.yaml"
    path.write_text(MYS_FIRST, "utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: date: 2025-07-15 is earlier than")
    assert "of us-2025-08-07 that it extends" in message
    assert "THA" in message and "VNM" in message
    assert "reciprocal 19% on" in message and "effective 2025-08-07" in message
    assert "Date the scenario on or after 2025-08-07" in message
    assert "carry_forward: true" in message


def test_carry_forward_applies_the_extended_measures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tradelever.analysis.scenarios.rates import RowIndex, schedule
    from tradelever.analysis.scenarios.selectors import Notes

    path = tmp_path / "mys-first.yaml"
    path.write_text(MYS_FIRST.replace("date: 2025-07-15", "date: 2025-07-15\ncarry_forward: true"))
    sc = load_scenario(path)
    assert sc.carry_forward and sc.date == dt.date(2025, 7, 15)
    exporters = np.array(["MYS", "THA", "VNM"], dtype=object)
    rows = RowIndex(
        np.zeros(3, dtype=np.int64),
        np.array(["USA"], dtype=object),
        np.arange(3),
        exporters,
        np.zeros(3, dtype=np.int64),
        np.array(["401519"], dtype=object),
        industry_level=False,
        classification="HS17",
    )
    notes = Notes()
    s = schedule(sc, rows, notes)
    assert s.t1.tolist() == pytest.approx([0.15, 0.19, 0.20])
    assert any("(carry_forward: true)" in n for n in notes.items)


def test_unknown_parent_names_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orphan.yaml"
    path.write_text(MYS_FIRST.replace("extends: us-2025-08-07", "extends: us-1999"), "utf-8")
    with pytest.raises(UnknownCodeError, match=rf"^{path}: extends: us-1999: unknown scenario"):
        load_scenario(path)
