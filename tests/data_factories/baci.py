"""Build tiny CEPII BACI releases in the real layout (synthetic trade rows, real dictionaries).

The dictionaries in ``tests/data/baci/`` are real CEPII files from the BACI releases V202201
and V202501 (https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37):
``country_codes_V202201.csv`` (old header, UTF-8 BOM, CRLF, accents shown through Mac Roman),
``country_codes_V202501.csv`` (new header, UTF-8 mojibake) and the HS17 product dictionary of
V202201 (with an extra ``bec`` column). The
trade rows below are SYNTHETIC, hand-made so that every indicator can be worked out by hand
(see tests/store/test_ingest.py). Values ``v`` are in thousands of US dollars, as in BACI.

Country codes of release V202201 used here: 458 Malaysia, 842 USA, 156 China, 490 "Other
Asia, nes" (Taiwan), 764 Thailand, 384 Côte d'Ivoire, 276 Germany and 280 "Fmr Fed. Rep. of
Germany" (both DEU: summed), 697 "Europe EFTA, nes" (no ISO3: X697).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "baci"
HS = "HS17"
VERSION = "V202201"
PRODUCT_SAMPLE = "product_codes_HS17_V202201_with_bec.csv"

# Synthetic rows (t, i, j, k, v, q) exactly as written in the CSV: "10121" has lost its
# leading zero, q is empty or NA where missing.
ROWS_2021: list[str] = [
    "2021,458,842,854231,500.123,1.5",  # MYS -> USA processors
    "2021,156,842,854231,300,",  # CHN -> USA, q empty
    "2021,490,842,854231,200,NA",  # Taiwan -> USA, q NA
    "2021,458,156,854231,100,2",  # MYS -> CHN
    "2021,276,842,854231,10,2",  # Germany -> USA
    "2021,280,842,854231,5,1",  # Fmr Fed. Rep. of Germany -> USA (summed into DEU)
    "2021,156,842,854232,400,10",  # CHN -> USA memories
    "2021,458,842,854232,100,",  # MYS -> USA memories
    "2021,458,842,401519,600,300",  # MYS -> USA gloves
    "2021,764,842,401519,200,90",  # THA -> USA gloves
    "2021,697,842,401519,1,",  # Europe EFTA nes -> USA gloves
    "2021,842,458,10121,12.345,3",  # USA -> MYS horses, code without leading zero
    "2021,764,842,10121,7.5,NA",  # THA -> USA horses
    "2021,384,842,180100,250,100",  # Côte d'Ivoire -> USA cocoa
]
ROWS_2020: list[str] = [
    "2020,458,842,854231,250,",
    "2020,156,842,854231,250,",
    "2020,458,156,401519,40.5,7",
]


def filler_rows(year: int, n: int) -> list[str]:
    """``n`` distinct synthetic Thailand -> ASEAN rows in HS chapters 01-24.

    Each row is a different flow (importer, product); products come from the real HS17
    dictionary, many with a leading zero written without it (``10121``). They do not touch
    MYS, USA or CHN nor chapters 40 and 85, so they leave the hand-worked figures unchanged.
    """
    codes = [
        line.split(",", 1)[0]
        for line in (DATA / PRODUCT_SAMPLE).read_text("utf-8").splitlines()[1:]
        if line[:2] < "25"
    ]
    importers = (704, 360, 608, 116)  # Viet Nam, Indonesia, Philippines, Cambodia
    if n > len(codes) * len(importers):
        raise ValueError(f"at most {len(codes) * len(importers)} distinct filler rows")
    return [
        f"{year},764,{importers[r // len(codes)]},{int(codes[r % len(codes)])},"
        f"{1 + (r % 97)}.25,{r % 5}"
        for r in range(n)
    ]


def trade_csv(rows: list[str]) -> str:
    """CSV text of a BACI trade file (header ``t,i,j,k,v,q``, LF line ends)."""
    return "t,i,j,k,v,q\n" + "".join(r + "\n" for r in rows)


def release_files(
    rows_by_year: dict[int, list[str]] | None = None,
    *,
    version: str = VERSION,
    hs: str = HS,
) -> dict[str, bytes]:
    """File name -> content of a synthetic release in the real BACI layout."""
    if rows_by_year is None:
        rows_by_year = {2020: ROWS_2020, 2021: ROWS_2021}
    files = {
        f"BACI_{hs}_Y{year}_{version}.csv": trade_csv(rows).encode()
        for year, rows in sorted(rows_by_year.items())
    }
    files[f"country_codes_{version}.csv"] = (DATA / f"country_codes_{version}.csv").read_bytes()
    # The HS17 product dictionary of V202201 stands in for the same release's file.
    files[f"product_codes_{hs}_{version}.csv"] = (DATA / PRODUCT_SAMPLE).read_bytes()
    files["Readme.txt"] = (DATA / "Readme_V202201.txt").read_bytes()
    return files


def write_release_zip(
    target_dir: Path,
    rows_by_year: dict[int, list[str]] | None = None,
    *,
    version: str = VERSION,
    hs: str = HS,
) -> Path:
    """Write ``BACI_<hs>_<version>.zip`` (deflated, files at the root) into ``target_dir``."""
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"BACI_{hs}_{version}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in release_files(rows_by_year, version=version, hs=hs).items():
            archive.writestr(name, content)
    return path


def write_release_folder(
    target_dir: Path,
    rows_by_year: dict[int, list[str]] | None = None,
    *,
    version: str = VERSION,
    hs: str = HS,
) -> Path:
    """Write the extracted release into ``target_dir`` (created) and return it."""
    if target_dir.exists():
        shutil.rmtree(target_dir)
    target_dir.mkdir(parents=True)
    for name, content in release_files(rows_by_year, version=version, hs=hs).items():
        (target_dir / name).write_bytes(content)
    return target_dir
