from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from tests.sources.deal_fixtures import (
    SYNTHETIC_FILE,
    SYNTHETIC_TEXT,
    write_synthetic_library,
)
from tradelever.errors import DataFileError
from tradelever.sources.deal_texts import (
    TextLibrary,
    normalise_text,
    package_root,
    packaged_library,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\n\n c", "a b c"),
        ("**Agreement on\nReciprocal Trade**", "Agreement on Reciprocal Trade"),
        ("I**nvestment", "Investment"),
        ("\\(a\\)  Malaysia", "(a) Malaysia"),
        ("1\\.  The purpose", "1. The purpose"),
        ("Malaysia’s “domestic fund”", 'Malaysia\'s "domestic fund"'),
        ("1.\u200b The European Union", "1. The European Union"),
        ("<td>Malaysia</td>\n<td>19%</td>", "Malaysia 19%"),
        ("<td>A</td><td>B</td>", "A B"),
        ("commodities</span>.", "commodities."),
        ("duty<a href='#x'>[1]</a> on", "duty[1] on"),
        ("15<sup>th</sup> largest", "15th largest"),
        ("Rate &lt; 15%", "Rate < 15%"),
        ("x\n<!-- -->\ny", "x y"),
        ("no\u00a0break", "no break"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_synthetic_library_finds_quotes_and_not_front_matter(tmp_path: Path) -> None:
    library = write_synthetic_library(tmp_path)
    assert library.contains(SYNTHETIC_FILE, "reciprocal tariff rate of 17 percent on originating")
    assert library.contains(SYNTHETIC_FILE, "combat(a) duty evasion[1].")
    assert not library.contains(SYNTHETIC_FILE, "reciprocal tariff rate of 18 percent")
    assert not library.contains(SYNTHETIC_FILE, "SYNTHETIC joint statement (test data)")
    assert not library.contains(SYNTHETIC_FILE, "   ")


def test_missing_sources_json(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"SOURCES\.json: the list of packaged deal texts"):
        TextLibrary(tmp_path)


def test_malformed_sources_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "SOURCES.json").write_text('{"texts": [\n{"file": }\n]}', "utf-8")
    with pytest.raises(DataFileError, match=r"SOURCES\.json, line 2: not valid JSON"):
        TextLibrary(tmp_path)


def test_record_without_checksum_is_rejected(tmp_path: Path) -> None:
    entry = {"file": "a.md", "title": "t", "url": "u", "archive": "a", "date": "d", "kind": "k"}
    (tmp_path / "SOURCES.json").write_text(json.dumps({"texts": [entry]}), "utf-8")
    with pytest.raises(DataFileError, match=r"entry 0 lacks \['sha256'\]"):
        TextLibrary(tmp_path)


def test_unknown_file_suggests_close_names(tmp_path: Path) -> None:
    library = write_synthetic_library(tmp_path)
    wrong = SYNTHETIC_FILE.replace("statement", "statment")
    with pytest.raises(DataFileError, match=r"is not a packaged deal text.*did you mean"):
        library.record(wrong)


def test_missing_text_file(tmp_path: Path) -> None:
    library = write_synthetic_library(tmp_path)
    (tmp_path / "texts" / SYNTHETIC_FILE).unlink()
    with pytest.raises(DataFileError, match="packaged deal text is missing"):
        library.body(SYNTHETIC_FILE)


def test_altered_text_is_detected(tmp_path: Path) -> None:
    library = write_synthetic_library(tmp_path)
    path = tmp_path / "texts" / SYNTHETIC_FILE
    path.write_text(SYNTHETIC_TEXT.replace("17 percent", "7 percent"), "utf-8")
    with pytest.raises(DataFileError, match="sha256 differs"):
        library.body(SYNTHETIC_FILE)


# --- the packaged texts -----------------------------------------------------------------


def test_every_packaged_text_is_present_unaltered_and_public() -> None:
    library = packaged_library()
    assert len(library) >= 60
    root = package_root()
    for record in library:
        data = root.joinpath("texts").joinpath(record.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record.sha256, record.file
        text = data.decode("utf-8")
        meta = yaml.safe_load(text[3 : text.index("\n---", 3)])
        assert meta["source_url"] == record.url, record.file
        assert record.url.startswith("https://www.whitehouse.gov/"), record.file
        assert record.archive and record.title and record.kind
        assert str(meta["date"]) == record.date, record.file
        assert library.body(record.file)


def test_no_packaged_file_is_left_out_of_the_list() -> None:
    listed = set(packaged_library().records)
    on_disk = {p.name for p in package_root().joinpath("texts").iterdir()}
    assert on_disk == listed


def test_annex_i_text_is_the_first_posting() -> None:
    """The extracted Annex I lists the rates of the first posting (e.g. Thailand 37%)."""
    library = packaged_library()
    annex = "2025-04-02-annex-i-to-executive-order-14257-as-first-posted.md"
    for line in ("Thailand 37%", "Malaysia 24%", "Vietnam 46%", "South Korea 26%", "India 27%"):
        assert library.contains(annex, line)
    assert not library.contains(annex, "Thailand 36%")
