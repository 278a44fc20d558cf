"""The CEPII BACI reader: real dictionaries, synthetic trade rows (tests/data_factories/baci.py)."""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.data_factories import baci as factory
from tradelever.errors import DataFileError
from tradelever.sources import baci

DATA = factory.DATA


def _member(path: Path) -> baci.BaciMember:
    return baci.BaciMember(path.name, str(path), path.stat().st_size, path)


@pytest.fixture(scope="module")
def countries_2022() -> baci.CountryDictionary:
    return baci.read_country_codes(_member(DATA / "country_codes_V202201.csv"))


@pytest.fixture(scope="module")
def countries_2025() -> baci.CountryDictionary:
    return baci.read_country_codes(_member(DATA / "country_codes_V202501.csv"))


def _row(countries: baci.CountryDictionary, code: int) -> dict:
    table = countries.table
    return table[table["baci_code"] == code].iloc[0].to_dict()


# -- text repair ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CÃ´te d'Ivoire", "Côte d'Ivoire"),  # V202501: UTF-8 read as Latin-1
        ("TÃ¼rkiye", "Türkiye"),
        ("CuraÃ§ao", "Curaçao"),
        ("CÙte d'Ivoire", "Côte d'Ivoire"),  # V202201: Latin-1 read as Mac Roman
        ("CuraÁao", "Curaçao"),
        ("Saint BarthÈlemy", "Saint Barthélemy"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),  # already right: untouched
        ("Åland Islands", "Åland Islands"),
        ("São Tomé and Príncipe", "São Tomé and Príncipe"),
        ("USA", "USA"),
    ],
)
def test_repair_mojibake(raw: str, expected: str) -> None:
    assert baci.repair_mojibake(raw) == expected


# -- country dictionaries ---------------------------------------------------------------
def test_new_header_dictionary_maps_taiwan_pseudo_codes_and_accents(countries_2025) -> None:
    assert len(countries_2025.table) == 238  # 239 lines minus the header
    taiwan = _row(countries_2025, 490)
    assert taiwan["iso3"] == "TWN"
    assert "S19" in taiwan["note"] and "Taiwan" in taiwan["note"]
    assert _row(countries_2025, 384)["name"] == "Côte d'Ivoire"
    assert _row(countries_2025, 792)["name"] == "Türkiye"
    efta = _row(countries_2025, 697)
    assert efta["iso3"] == "R20" and "pseudo-code" in efta["note"]
    sacu = _row(countries_2025, 711)
    assert sacu["iso3"] == "ZA1" and "historical entity (until 1999)" in sacu["note"]
    # Namibia: ISO2 "NA" would be read as missing by a default CSV reader.
    assert _row(countries_2025, 516)["iso3"] == "NAM"
    assert _row(countries_2025, 842)["iso3"] == "USA"
    assert _row(countries_2025, 380)["iso3"] == "ITA"  # Italy is 380 in V202501


def test_historical_entities_share_iso3_with_successors(countries_2025) -> None:
    shared = countries_2025.shared()
    assert shared["DEU"] == [276, 280]  # Fed. Rep. of Germany (...1990)
    assert shared["BEL"] == [56, 58]  # Belgium-Luxembourg (...1998)
    assert "summed" in _row(countries_2025, 58)["note"]


def test_old_header_dictionary(countries_2022) -> None:
    table = countries_2022.table
    assert len(table) == 238  # BOM, header, 238 rows (grep -c "^[0-9]"), CRLF
    assert _row(countries_2022, 490)["iso3"] == "TWN"  # ISO3 "N/A" in this release
    assert _row(countries_2022, 697)["iso3"] == "X697"  # no ISO3: labelled code
    assert "no ISO3" in _row(countries_2022, 697)["note"]
    assert _row(countries_2022, 849)["iso3"] == "X849"
    assert _row(countries_2022, 381)["iso3"] == "ITA"  # Italy is 381 in V202201
    assert _row(countries_2022, 384)["name"] == "Côte d'Ivoire"
    assert _row(countries_2022, 531)["name"] == "Curaçao"
    assert _row(countries_2022, 652)["name"] == "Saint Barthélemy"
    assert _row(countries_2022, 251)["note"] == "full name: France, Monaco"
    assert countries_2022.shared()["ZAF"] == [710, 711]
    # Lookup array: code -> index of the canonical code.
    lookup, codes = countries_2022.lookup, countries_2022.codes
    assert codes[lookup[458]] == "MYS" and codes[lookup[490]] == "TWN"
    assert lookup[999 if len(lookup) > 999 else 1] == -1


def test_country_dictionary_errors(tmp_path: Path) -> None:
    bad = tmp_path / "country_codes_V202501.csv"
    bad.write_text("code,name\n4,Afghanistan\n")
    with pytest.raises(DataFileError, match="unexpected header") as err:
        baci.read_country_codes(_member(bad))
    assert err.value.line == 1
    bad.write_text(
        "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n"
        "4,Again,AF,AFG\n"
    )
    with pytest.raises(DataFileError, match="already defined on line 2") as err:
        baci.read_country_codes(_member(bad))
    assert (err.value.line, err.value.field) == (3, "country_code")
    bad.write_text("country_code,country_name,country_iso2,country_iso3\nX4,Afghanistan,AF,AFG\n")
    with pytest.raises(DataFileError, match="not a number") as err:
        baci.read_country_codes(_member(bad))
    assert err.value.line == 2


@pytest.mark.parametrize("name", ["country_codes_V202201.csv", "country_codes_V202501.csv"])
def test_country_table_is_built_from_the_columns(name: str) -> None:
    countries = baci.read_country_codes(_member(DATA / name))
    table = countries.table
    assert list(table.columns) == ["baci_code", "iso3", "name", "note"]
    assert table["baci_code"].is_monotonic_increasing and table["baci_code"].is_unique
    assert {k: list(v) for k, v in table.items()} == countries.columns
    assert countries.shared() == {
        iso3: sorted(part["baci_code"]) for iso3, part in table.groupby("iso3") if len(part) > 1
    }


def test_product_columns_are_the_product_table() -> None:
    member = _member(DATA / factory.PRODUCT_SAMPLE)
    frame = baci.read_product_codes(member, "HS17")
    assert {k: list(v) for k, v in frame.items()} == baci.read_product_columns(member, "HS17")


# -- product dictionary -----------------------------------------------------------------
def test_product_dictionary_real_file() -> None:
    products = baci.read_product_codes(_member(DATA / factory.PRODUCT_SAMPLE), "HS17")
    assert len(products) == 5384  # grep -c "^[0-9]" on the file
    assert list(products.columns) == ["classification", "code", "description", "parent", "level"]
    first = products.iloc[0].to_dict()
    assert first == {
        "classification": "HS17",
        "code": "010121",
        "description": "Horses: live, pure-bred breeding animals",
        "parent": "0101",
        "level": "hs6",
    }
    assert (products["code"].str.len() == 6).all()
    assert products.set_index("code").loc["854232", "description"] == (
        "Electronic integrated circuits: memories"
    )


def test_product_codes_without_leading_zero_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "product_codes_HS22_V202501.csv"
    path.write_text('code,description\n10121,"Horses: live, pure-bred"\n854231,Processors\n')
    products = baci.read_product_codes(_member(path), "HS22")
    assert products["code"].tolist() == ["010121", "854231"]
    assert products["parent"].tolist() == ["0101", "8542"]
    path.write_text("code,description\n8542,Integrated circuits\n")
    with pytest.raises(DataFileError, match="not an HS 6-digit code") as err:
        baci.read_product_codes(_member(path), "HS22")
    assert (err.value.line, err.value.field) == (2, "code")


# -- locating a release -----------------------------------------------------------------
def test_locate_release_zip_folder_and_single_file(tmp_path: Path) -> None:
    zipped = factory.write_release_zip(tmp_path / "zip")
    release, name = baci.locate_release(zipped)
    assert (release.hs, release.version, release.years) == ("HS17", "V202201", [2020, 2021])
    assert name == "baci-hs17-v202201"
    assert release.sources == (zipped,)
    assert release.trade[2021].display.endswith("BACI_HS17_V202201.zip/BACI_HS17_Y2021_V202201.csv")

    folder = factory.write_release_folder(tmp_path / "folder")
    release, name = baci.locate_release(folder)
    assert name == "baci-hs17-v202201" and release.years == [2020, 2021]
    assert len(release.sources) == 4  # two trade files and the two dictionaries

    release, name = baci.locate_release(folder / "BACI_HS17_Y2021_V202201.csv")
    assert name == "baci-hs17-v202201-y2021" and release.years == [2021]


def test_locate_release_refuses_mixed_or_incomplete_releases(tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "r")
    (folder / "BACI_HS17_Y2019_V202301.csv").write_text("t,i,j,k,v,q\n")
    with pytest.raises(DataFileError, match="do not mix BACI versions"):
        baci.locate_release(folder)
    (folder / "BACI_HS17_Y2019_V202301.csv").unlink()
    (folder / "country_codes_V202201.csv").unlink()
    with pytest.raises(DataFileError, match=r"country_codes_V202201\.csv of the same release"):
        baci.locate_release(folder)
    with pytest.raises(DataFileError, match="no such file"):
        baci.locate_release(tmp_path / "missing.zip")
    with pytest.raises(DataFileError, match="expected a BACI release zip"):
        baci.locate_release(folder / "Readme.txt")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("Readme.txt", "nothing")
    with pytest.raises(DataFileError, match="no BACI trade file"):
        baci.locate_release(empty)


# -- trade rows -------------------------------------------------------------------------
def _read(tmp_path: Path, rows: list[str], *, year: int = 2021, block_size: int = 1 << 20):
    folder = factory.write_release_folder(tmp_path / "rel", {year: rows})
    release, _ = baci.locate_release(folder)
    countries = baci.read_country_codes(release.countries)
    reader = baci.TradeFileReader(
        release.trade[year],
        year,
        countries,
        dataset="test",
        classification="HS17",
        block_size=block_size,
    )
    return reader, pa.Table.from_batches(list(reader), schema=baci.flow_schema())


def test_trade_rows_to_canonical_flows(tmp_path: Path) -> None:
    reader, table = _read(tmp_path, factory.ROWS_2021)
    frame = table.to_pandas()
    assert reader.rows == len(factory.ROWS_2021) == len(frame)
    first = frame.iloc[0]
    assert (first["exporter"], first["importer"], first["product"]) == ("MYS", "USA", "854231")
    assert first["value_usd"] == 500_123.0  # v = 500.123 thousand US dollars
    assert first["quantity"] == 1.5
    assert first["dataset"] == "test" and first["classification"] == "HS17"
    assert int(first["year"]) == 2021
    # q empty and q "NA" are both missing
    assert np.isnan(frame.iloc[1]["quantity"]) and np.isnan(frame.iloc[2]["quantity"])
    # Taiwan, the code written without its leading zero, the unlabelled pseudo-code
    assert frame.iloc[2]["exporter"] == "TWN"
    assert frame.iloc[11]["product"] == "010121"
    assert frame.iloc[11]["value_usd"] == 12_345.0
    assert frame.iloc[10]["exporter"] == "X697"
    assert frame.iloc[13]["exporter"] == "CIV"
    # BACI codes seen, for summing codes that share an ISO3 code
    assert reader.seen_codes[276] and reader.seen_codes[280] and not reader.seen_codes[4]


def test_value_conversion_is_exact_to_the_dollar(tmp_path: Path) -> None:
    rows = ["2021,156,699,120791,23685.927,8047.4", "2021,699,124,120791,212.054,12.398"]
    _, table = _read(tmp_path, rows)  # the two real rows quoted in data-formats.md
    assert table.column("value_usd").to_pylist() == [23_685_927.0, 212_054.0]
    assert table.column("quantity").to_pylist() == [8047.4, 12.398]
    assert table.column("exporter").to_pylist() == ["CHN", "IND"]


# Each corruption: (bad line, field, text expected in the message). The bad line is
# appended after 300 good filler rows, so with a 4 KiB block it is found several blocks in.
CORRUPTIONS = [
    ("2021,458,842,854231,abc,1", "v", "value is not a number"),
    ("2021,458,842,854231,1_000,1", "v", "value is not a number"),
    ("2021,458.0,842,854231,5,1", "i", "exporter code is not an integer"),
    ("2021,458,842, 854231,5,1", "k", "product code is not an HS 6-digit code"),
    ("2021,458,842,854231,5", "t,i,j,k,v,q", "expected 6 columns, found 5"),
    ("2021,458,842,854231,5,1,7", "t,i,j,k,v,q", "expected 6 columns, found 7"),
    ("2021,999,842,854231,5,1", "i", "exporter code is not in the release's country dictionary"),
    ("2021,458,123,854231,5,1", "j", "importer code is not in the release's country dictionary"),
    ("2021,458,842,8542,5,1", "k", "product code is not an HS 6-digit code"),
    ("2021,458,842,854231,-5,1", "v", "value is negative"),
    ("2021,458,842,854231,5,-1", "q", "quantity is negative"),
    ("2020,458,842,854231,5,1", "t", "year does not match the file name (2021)"),
    ("2021,458,842,854231,NA,1", "v", "missing value"),
    ("2021,458,842,854231,inf,1", "v", "value is not a finite number"),
    ("", "t,i,j,k,v,q", "expected 6 columns, found 0 (empty line)"),
    ("2021,458,842,85423X,5,1", "k", "product code is not an HS 6-digit code"),
    # issue 13: values are checked after scaling thousands to dollars; no NaN text
    ("2021,458,842,854231,1e306,1", "v", "value is not finite once converted to US dollars"),
    ("2021,458,842,854231,2e10,1", "v", "value exceeds the plausible maximum of one flow"),
    ("2021,458,842,854231,nan,1", "v", "value is not a finite number"),
    ("2021,458,842,854231,5,nan", "q", "quantity is not a finite number"),
    ("2021,458,842,854231,5,inf", "q", "quantity is not a finite number"),
    # codes are matched as written in the dictionary and the file name
    ("2021,0458,842,854231,5,1", "i", "exporter code is not written as in the dictionary (458)"),
    ("2021,458, 842,854231,5,1", "j", "importer code is not written as in the dictionary (842)"),
    ("02021,458,842,854231,5,1", "t", "year is not written as 2021"),
    ("2021,458,NA,854231,5,1", "j", "missing value"),
    ("2021,458,842,,5,1", "k", "missing value"),
]


@pytest.mark.parametrize(("line", "field", "message"), CORRUPTIONS)
@pytest.mark.parametrize("block_size", [4096, 1 << 20])
def test_malformed_row_names_file_line_field_and_value(
    tmp_path: Path, line: str, field: str, message: str, block_size: int
) -> None:
    good = factory.filler_rows(2021, 300)
    rows = [*good, line, *factory.filler_rows(2021, 20)]
    with pytest.raises(DataFileError) as err:
        _read(tmp_path, rows, block_size=block_size)
    error = err.value
    assert error.line == 302  # header is line 1, the 300 good rows are lines 2..301
    assert error.field == field
    assert error.path.endswith("BACI_HS17_Y2021_V202201.csv")
    assert message in str(error)
    assert "line 302" in str(error)
    if "," in field:
        assert f"(value {line!r})" in str(error)
    else:
        written = line.split(",")[["t", "i", "j", "k", "v", "q"].index(field)]
        assert f"(value {written!r})" in str(error)


def test_bad_header(tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "rel", {2021: []})
    (folder / "BACI_HS17_Y2021_V202201.csv").write_text("year,i,j,k,v,q\n2021,458,842,854231,1,1\n")
    release, _ = baci.locate_release(folder)
    reader = baci.TradeFileReader(
        release.trade[2021],
        2021,
        baci.read_country_codes(release.countries),
        dataset="t",
        classification="HS17",
    )
    with pytest.raises(DataFileError, match="unexpected header") as err:
        list(reader)
    assert err.value.line == 1


def test_streaming_in_small_blocks_gives_the_same_rows(tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 2000)]
    _, whole = _read(tmp_path / "a", rows)
    reader, blocks = _read(tmp_path / "b", rows, block_size=4096)
    assert blocks.num_rows == whole.num_rows == len(rows)
    assert blocks.to_pandas().equals(whole.to_pandas())
    assert (
        reader.bytes_read == (tmp_path / "b" / "rel" / "BACI_HS17_Y2021_V202201.csv").stat().st_size
    )


# -- issue 13: hostile and damaged input ----------------------------------------------------
def _country_file(tmp_path: Path, code: str) -> Path:
    path = tmp_path / "country_codes_V202501.csv"
    path.write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
        f"4,Afghanistan,AF,AFG\n{code},Nowhere,NW,NWH\n"
    )
    return path


@pytest.mark.parametrize("code", ["1000", "999999999", "9" * 30])
def test_country_code_width_is_checked_before_any_allocation(tmp_path: Path, code: str) -> None:
    import tracemalloc

    path = _country_file(tmp_path, code)
    tracemalloc.start()
    try:
        with pytest.raises(
            DataFileError, match=r"digits; BACI country codes have at most 3"
        ) as err:
            baci.read_country_codes(_member(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (err.value.line, err.value.field) == (3, "country_code")
    assert peak < 20 << 20  # 999999999 used to allocate a 4 GB lookup array


def test_three_digit_codes_keep_a_small_lookup(tmp_path: Path) -> None:
    countries = baci.read_country_codes(_member(_country_file(tmp_path, "999")))
    assert len(countries.lookup) == 1000 and countries.codes[countries.lookup[999]] == "NWH"


def test_empty_product_dictionary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "product_codes_HS22_V202501.csv"
    path.write_text("code,description\n")
    with pytest.raises(DataFileError, match="no product rows"):
        baci.read_product_codes(_member(path), "HS22")


def test_megabyte_field_in_a_dictionary_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "product_codes_HS22_V202501.csv"
    path.write_text(f"code,description\n010121,Horses\n010129,{'x' * 5_000_000}\n")
    with pytest.raises(DataFileError, match="malformed CSV") as err:
        baci.read_product_codes(_member(path), "HS22")
    assert err.value.line == 3 and len(str(err.value)) < 300


@pytest.mark.parametrize("block_size", [4096, 1 << 20])
def test_megabyte_field_in_a_trade_file_is_a_one_line_error(tmp_path: Path, block_size) -> None:
    rows = [*factory.filler_rows(2021, 50), f"2021,458,842,{'8' * 5_000_000},5,1"]
    with pytest.raises(DataFileError, match="product code is not an HS 6-digit code") as err:
        _read(tmp_path, rows, block_size=block_size)
    assert (err.value.line, err.value.field) == (52, "k")
    assert "(5,000,000 characters)" in str(err.value) and len(str(err.value)) < 400


def test_header_only_trade_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"no data rows \(header only\)") as err:
        _read(tmp_path, [])
    assert err.value.path.endswith("BACI_HS17_Y2021_V202201.csv")


def test_zero_byte_or_truncated_zip_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "BACI_HS22_V202501.zip"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match=r"empty file \(0 bytes\)") as err:
        baci.locate_release(empty)
    assert "expected a BACI release zip" not in str(err.value)
    whole = factory.write_release_zip(tmp_path / "dl").read_bytes()
    truncated = tmp_path / "BACI_HS17_V202201.zip"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataFileError, match="not a readable zip file"):
        baci.locate_release(truncated)


def _damaged_zip(tmp_path: Path) -> Path:
    """A release zip whose 2021 trade member has corrupted deflate data (its CRC fails)."""
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 3000)]
    zipped = factory.write_release_zip(tmp_path / "dl", {2021: rows})
    with zipfile.ZipFile(zipped) as archive:
        info = archive.getinfo("BACI_HS17_Y2021_V202201.csv")
    data = bytearray(zipped.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + info.compress_size // 2, start + info.compress_size // 2 + 64):
        data[offset] ^= 0x5A
    zipped.write_bytes(bytes(data))
    return zipped


def test_damaged_zip_member_is_a_one_line_error(tmp_path: Path) -> None:
    release, _ = baci.locate_release(_damaged_zip(tmp_path))
    reader = baci.TradeFileReader(
        release.trade[2021],
        2021,
        baci.read_country_codes(release.countries),
        dataset="t",
        classification="HS17",
    )
    with pytest.raises(DataFileError, match="damaged zip member") as err:
        list(reader)
    assert err.value.path.endswith("BACI_HS17_V202201.zip/BACI_HS17_Y2021_V202201.csv")
    assert "download the release again" in str(err.value)


def _fifo(path: Path) -> Path:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    os.mkfifo(path)
    return path


def _returns_within(seconds: float, call) -> BaseException | None:  # type: ignore[no-untyped-def]
    """Run ``call`` in a thread; return what it raised, or fail if it blocks."""
    import threading

    box: dict = {}

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return None if thread.is_alive() else box.get("error", AssertionError("no error"))


def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    pipe = _fifo(tmp_path / "BACI_HS17_Y2021_V202201.csv")
    try:
        error = _returns_within(10, lambda: baci.locate_release(pipe))
        assert isinstance(error, DataFileError), "locate_release blocked on a named pipe"
        assert "named pipe" in str(error)
        folder = factory.write_release_folder(tmp_path / "rel")
        (folder / "country_codes_V202201.csv").unlink()
        _fifo(folder / "country_codes_V202201.csv")
        error = _returns_within(10, lambda: baci.locate_release(folder))
        assert isinstance(error, DataFileError) and "named pipe" in str(error)
    finally:  # unblock a reader left waiting by old code
        for fifo in (pipe, tmp_path / "rel" / "country_codes_V202201.csv"):
            if fifo.exists():
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
