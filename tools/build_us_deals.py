"""Package the primary texts of the 2025-26 US trade deals that the deal facts quote.

Copies each text unchanged (YAML front matter with its whitehouse.gov ``source_url``
included) into ``src/tradelever/data/us_deals/texts/`` and writes ``SOURCES.json`` beside it:
file, title, public URL, the public archive the copy came from, kind, date and sha256.

Inputs are the sample folders collected for the project (``us-deals/``,
``us-tariff-documents/`` and ``us-tariff-lists/`` of the reference samples), given with
``--samples``. The texts there were copied from public archives:

* ``brian14708/wh-briefings`` on GitHub, a scrape of whitehouse.gov (snapshot commit
  737ca03a2 of 2026-08-21), for every page;
* ``tradewartracker/trade-war-redux-2025`` on GitHub (snapshot 726c5958, July 2026) for the
  PDF of Annex I to Executive Order 14257 *as first posted* on 2 April 2025. The PDF's text is
  extracted with pypdf into a Markdown file whose front matter names the PDF, its URL and
  sha256; the White House revised that annex on 3 April 2025 for 16 economies (the deal
  files say so where it matters).

Run from the repository root::

    python tools/build_us_deals.py --samples PATH/TO/reference/samples

Re-running with the same inputs rewrites identical files (the output is deterministic).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

from tradelever.checksums import bytes_sha256

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "src" / "tradelever" / "data" / "us_deals"

WH_ARCHIVE = (
    "GitHub brian14708/wh-briefings (scrape of whitehouse.gov), snapshot commit 737ca03a2, "
    "2026-08-21"
)
LISTS_ARCHIVE = (
    "GitHub tradewartracker/trade-war-redux-2025 (official annex PDFs of US tariff actions), "
    "snapshot 726c5958, July 2026"
)

# (sample folder, unique start of the file name, kind). Each text is packaged under its own
# name, except the Malaysia texts of us-tariff-documents/, whose names there were cut at 80
# characters: they take the full name they have in the archive (listed in us-deals/INDEX.md).
TEXTS: list[tuple[str, str, str]] = [
    ("us-deals", "2025-04-02-regulating-imports-with-a-reciprocal", "executive order"),
    ("us-deals", "2025-04-09-modifying-reciprocal-tariff-rates", "executive order"),
    ("us-deals", "2025-05-08-fact-sheet-u-s-uk", "fact sheet"),
    ("us-deals", "2025-05-08-general-terms", "general terms"),
    ("us-deals", "2025-05-12-fact-sheet", "fact sheet"),
    ("us-deals", "2025-05-12-joint-statement", "joint statement"),
    ("us-deals", "2025-05-12-modifying", "executive order"),
    ("us-deals", "2025-06-16-implementing", "executive order"),
    ("us-deals", "2025-06-17-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-07-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-22-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-22-joint-statement", "joint statement"),
    ("us-deals", "2025-07-23-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-28-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-31-fact-sheet", "fact sheet"),
    ("us-deals", "2025-07-31-further-modifying", "executive order"),
    ("us-deals", "2025-08-06-addressing-threats", "executive order"),
    ("us-deals", "2025-08-11-fact-sheet", "fact sheet"),
    ("us-deals", "2025-08-11-further-modifying", "executive order"),
    ("us-deals", "2025-08-11-joint-statement", "joint statement"),
    ("us-deals", "2025-08-21-joint-statement", "joint statement"),
    ("us-deals", "2025-09-04-implementing", "executive order"),
    ("us-deals", "2025-09-05-fact-sheet-president-donald-j-trump-implements", "fact sheet"),
    ("us-deals", "2025-09-05-modifying-the-scope", "executive order"),
    ("us-deals", "2025-09-19-fact-sheet", "fact sheet"),
    (
        "us-deals",
        "2025-10-26-agreement-between-the-united-states-of-america-and-the-kingdom-of-cambodia",
        "agreement",
    ),
    (
        "us-deals",
        "2025-10-26-joint-statement-on-a-framework-for-a-united-states-thailand",
        "joint statement",
    ),
    ("us-deals", "2025-10-26-joint-statement-on-united-states-cambodia", "joint statement"),
    ("us-deals", "2025-10-26-joint-statement-on-united-states-vietnam", "joint statement"),
    ("us-deals", "2025-10-26-memorandum-of-understanding", "memorandum of understanding"),
    ("us-deals", "2025-10-27-implementation", "leaders' document"),
    ("us-deals", "2025-10-27-united-states-japan-framework", "framework"),
    ("us-deals", "2025-10-28-fact-sheet", "fact sheet"),
    ("us-deals", "2025-10-29-fact-sheet", "fact sheet"),
    ("us-deals", "2025-11-01-fact-sheet", "fact sheet"),
    ("us-deals", "2025-11-04-modifying-duties", "executive order"),
    ("us-deals", "2025-11-04-modifying-reciprocal", "executive order"),
    ("us-deals", "2025-11-13-fact-sheet", "fact sheet"),
    ("us-deals", "2025-11-13-joint-fact-sheet", "joint fact sheet"),
    (
        "us-deals",
        "2025-11-13-joint-statement-on-framework-for-a-united-states-argentina",
        "joint statement",
    ),
    (
        "us-deals",
        "2025-11-13-joint-statement-on-framework-for-united-states-ecuador",
        "joint statement",
    ),
    (
        "us-deals",
        "2025-11-13-joint-statement-on-framework-for-united-states-el-salvador",
        "joint statement",
    ),
    (
        "us-deals",
        "2025-11-13-joint-statement-on-framework-for-united-states-guatemala",
        "joint statement",
    ),
    ("us-deals", "2025-11-14-fact-sheet-the-united-states-switzerland", "fact sheet"),
    ("us-deals", "2025-11-14-joint-statement", "joint statement"),
    ("us-deals", "2025-12-29-to-implement", "proclamation"),
    ("us-deals", "2026-02-06-modifying-duties", "executive order"),
    ("us-deals", "2026-02-06-united-states-india", "joint statement"),
    ("us-deals", "2026-02-09-fact-sheet", "fact sheet"),
    ("us-deals", "2026-02-09-joint-statement", "joint statement"),
    ("us-deals", "2026-02-12-joint-statement", "joint statement"),
    ("us-deals", "2026-02-19-fact-sheet", "fact sheet"),
    ("us-deals", "2026-02-19-implementation", "leaders' document"),
    ("us-deals", "2026-02-20-ending", "executive order"),
    ("us-deals", "2026-02-20-imposing", "proclamation"),
    ("us-deals", "2026-03-19-fact-sheet", "fact sheet"),
    ("us-deals", "2026-05-17-fact-sheet", "fact sheet"),
    ("us-deals", "2026-07-21-agreement", "agreement"),
    ("us-deals", "2026-07-21-fact-sheet", "fact sheet"),
    ("us-deals", "2026-07-23-actions", "memorandum"),
    (
        "us-tariff-documents",
        "2025-10-26-agreement-between-the-united-states-of-america-and-malaysia",
        "agreement",
    ),
    ("us-tariff-documents", "2025-10-26-fact-sheet", "fact sheet"),
    ("us-tariff-documents", "2025-10-26-joint-statement", "joint statement"),
    (
        "us-tariff-documents",
        "2025-10-26-memorandum-of-understanding",
        "memorandum of understanding",
    ),
]

# Full archive names of the Malaysia texts whose sample names were truncated.
RENAMED = {
    "2025-10-26-memorandum-of-understanding-between-the-government-of-the-united-states-of-amer.md": (  # noqa: E501
        "2025-10-26-memorandum-of-understanding-between-the-government-of-the-united-states-of-"
        "america-and-the-government-of-malaysia-concerning-cooperation-to-diversify-global-"
        "critical-minerals-supply-chains-and-promote.md"
    ),
}

ANNEX_I_PDF = "EO14257-Annex-I.pdf"
ANNEX_I_FILE = "2025-04-02-annex-i-to-executive-order-14257-as-first-posted.md"
ANNEX_I_URL = "https://www.whitehouse.gov/wp-content/uploads/2025/04/Annex-I.pdf"
ANNEX_I_TITLE = "Annex I to Executive Order 14257 (Reciprocal Tariff, Adjusted), as first posted"


def front_matter(text: str, where: str) -> dict:
    if not text.startswith("---"):
        raise SystemExit(f"{where}: no YAML front matter")
    end = text.find("\n---", 3)
    meta = yaml.safe_load(text[3:end])
    for key in ("source_url", "title", "date"):
        if not meta.get(key):
            raise SystemExit(f"{where}: front matter lacks {key!r}")
    if not str(meta["source_url"]).startswith("https://www.whitehouse.gov/"):
        raise SystemExit(f"{where}: source_url is not a whitehouse.gov page")
    return meta


def annex_i_text(pdf: Path) -> bytes:
    """Markdown with front matter and the text of the Annex I PDF (pypdf extraction)."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # the PDF has harmless xref warnings
    data = pdf.read_bytes()
    reader = pypdf.PdfReader(pdf)
    pages = [page.extract_text() or "" for page in reader.pages]
    lines = [ln.rstrip() for page in pages for ln in page.splitlines()]
    meta = {
        "date": "2025-04-02",
        "title": ANNEX_I_TITLE,
        "source_url": ANNEX_I_URL,
        "derived_from": {
            "file": ANNEX_I_PDF,
            "sha256": bytes_sha256(data),
            "archive": LISTS_ARCHIVE,
            "method": f"text extracted page by page with pypdf {pypdf.__version__}",
        },
        "note": (
            "Annex I as first posted with Executive Order 14257 on 2 April 2025. The White "
            "House revised it on 3 April 2025, one point lower for 16 economies (among them "
            "India 27 -> 26, Philippines 18 -> 17, South Korea 26 -> 25, Switzerland 32 -> 31, "
            "Thailand 37 -> 36, as reported by the press on 3-4 April 2025); the revised PDF is "
            "not in the archive."
        ),
    }
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
    body = "\n".join(lines).strip() + "\n"
    return f"---\n{head}---\n\n{body}".encode()


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(samples: Path, target: Path = TARGET) -> list[dict]:
    records: list[dict] = []
    wanted: set[str] = set()
    for folder, prefix, kind in TEXTS:
        matches = sorted((samples / folder).glob(f"{prefix}*.md"))
        if len(matches) != 1:
            found = [m.name for m in matches]
            raise SystemExit(
                f"{samples / folder}: {prefix}*.md matches {len(matches)} files {found}"
            )
        source = matches[0]
        name = source.name
        data = source.read_bytes()
        meta = front_matter(data.decode("utf-8"), str(source))
        out = RENAMED.get(name, name)
        write_atomic(target / "texts" / out, data)
        wanted.add(out)
        records.append(
            {
                "file": out,
                "title": str(meta["title"]).strip(),
                "url": str(meta["source_url"]),
                "archive": WH_ARCHIVE,
                "kind": kind,
                "date": str(meta["date"]),
                "sha256": bytes_sha256(data),
            }
        )
    pdf = samples / "us-tariff-lists" / ANNEX_I_PDF
    if not pdf.is_file():
        raise SystemExit(f"{pdf}: input PDF is missing")
    annex = annex_i_text(pdf)
    write_atomic(target / "texts" / ANNEX_I_FILE, annex)
    wanted.add(ANNEX_I_FILE)
    records.append(
        {
            "file": ANNEX_I_FILE,
            "title": ANNEX_I_TITLE,
            "url": ANNEX_I_URL,
            "archive": LISTS_ARCHIVE + f" (text extracted from {ANNEX_I_PDF})",
            "kind": "annex",
            "date": "2025-04-02",
            "sha256": bytes_sha256(annex),
        }
    )
    for stale in (target / "texts").glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    records.sort(key=lambda r: r["file"])
    manifest = {
        "description": (
            "Primary texts of the 2025-26 US trade deals quoted by the deal files in deals/. "
            "Each file is the whitehouse.gov page as archived (front matter with its "
            "source_url included), copied unchanged; built by tools/build_us_deals.py."
        ),
        "licence": "US government works, public domain",
        "texts": records,
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    write_atomic(target / "SOURCES.json", text.encode("utf-8"))
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--samples",
        type=Path,
        required=True,
        help="folder holding us-deals/, us-tariff-documents/ and us-tariff-lists/",
    )
    parser.add_argument("--target", type=Path, default=TARGET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    records = build(args.samples, args.target)
    size = sum((args.target / "texts" / r["file"]).stat().st_size for r in records)
    print(f"{len(records)} texts, {size / 1024:.0f} KiB, written to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
