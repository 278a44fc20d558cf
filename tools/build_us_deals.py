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
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

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

# (sample folder, file name in the folder, kind). Packaged under the same name, except the
# Malaysia texts, whose names in us-tariff-documents/ were cut at 80 characters: they take
# the full file name they have in the archive (listed in us-deals/INDEX.md).
TEXTS: list[tuple[str, str, str]] = [
    ("us-deals", "2025-04-02-regulating-imports-with-a-reciprocal-tariff-to-rectify-trade-practices-that-contribute-to-large-and-persistent-annual-united-states-goods-trade-deficits.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-04-09-modifying-reciprocal-tariff-rates-to-reflect-trading-partner-retaliation-and-alignment.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-05-08-fact-sheet-u-s-uk-reach-historic-trade-deal.md", "fact sheet"),
    ("us-deals", "2025-05-08-general-terms-for-the-united-states-of-america-and-the-united-kingdom-of-great-britain-and-northern-ireland-economic-prosperity-deal.md", "general terms"),  # noqa: E501
    ("us-deals", "2025-05-12-fact-sheet-president-donald-j-trump-secures-a-historic-trade-win-for-the-united-states.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-05-12-joint-statement-on-u-s-china-economic-and-trade-meeting-in-geneva.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-05-12-modifying-reciprocal-tariff-rates-to-reflect-discussions-with-the-peoples-republic-of-china.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-06-16-implementing-the-general-terms-of-the-united-states-of-america-united-kingdom-economic-prosperity-deal.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-06-17-fact-sheet-implementing-the-general-terms-of-the-u-s-uk-economic-prosperity-deal.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-07-fact-sheet-president-donald-j-trump-continues-enforcement-of-reciprocal-tariffs-and-announces-new-tariff-rates.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-22-fact-sheet-the-united-states-and-indonesia-reach-historic-trade-deal.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-22-joint-statement-on-framework-for-united-states-indonesia-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-07-23-fact-sheet-president-donald-j-trump-secures-unprecedented-u-s-japan-strategic-trade-and-investment-agreement.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-28-fact-sheet-the-united-states-and-european-union-reach-massive-trade-deal.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-31-fact-sheet-president-donald-j-trump-further-modifies-the-reciprocal-tariff-rates.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-07-31-further-modifying-the-reciprocal-tariff-rates.md", "executive order"),
    ("us-deals", "2025-08-06-addressing-threats-to-the-united-states-by-the-government-of-the-russian-federation.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-08-11-fact-sheet-president-donald-j-trump-continues-the-suspension-of-the-heightened-tariffs-on-china.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-08-11-further-modifying-reciprocal-tariff-rates-to-reflect-ongoing-discussions-with-the-peoples-republic-of-china.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-08-11-joint-statement-on-u-s-china-economic-and-trade-meeting-in-stockholm.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-08-21-joint-statement-on-a-united-states-european-union-framework-on-an-agreement-on-reciprocal-fair-and-balanced-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-09-04-implementing-the-united-states-japan-agreement.md", "executive order"),
    ("us-deals", "2025-09-05-fact-sheet-president-donald-j-trump-implements-a-historic-u-s-japan-framework-agreement.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-09-05-modifying-the-scope-of-reciprocal-tariffs-and-establishing-procedures-for-implementing-trade-and-security-agreements.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-09-19-fact-sheet-the-u-s-uk-special-relationship.md", "fact sheet"),
    ("us-deals", "2025-10-26-agreement-between-the-united-states-of-america-and-the-kingdom-of-cambodia-on-reciprocal-trade.md", "agreement"),  # noqa: E501
    ("us-deals", "2025-10-26-joint-statement-on-a-framework-for-a-united-states-thailand-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-10-26-joint-statement-on-united-states-cambodia-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-10-26-joint-statement-on-united-states-vietnam-framework-for-an-agreement-on-reciprocal-fair-and-balanced-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-10-26-memorandum-of-understanding-between-the-government-of-the-united-states-of-america-and-the-government-of-the-kingdom-of-thailand-concerning-cooperation-to-diversify-global-critical-minerals-supply-cha.md", "memorandum of understanding"),  # noqa: E501
    ("us-deals", "2025-10-27-implementation-of-the-agreement-toward-a-new-golden-age-for-the-u-s-japan-alliance.md", "leaders' document"),  # noqa: E501
    ("us-deals", "2025-10-27-united-states-japan-framework-for-securing-the-supply-of-critical-minerals-and-rare-earths-through-mining-and-processing.md", "framework"),  # noqa: E501
    ("us-deals", "2025-10-28-fact-sheet-president-donald-j-trump-drives-forward-billions-in-investments-from-japan.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-10-29-fact-sheet-president-donald-j-trump-brings-home-more-billion-dollar-deals-during-state-visit-to-the-republic-of-korea.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-01-fact-sheet-president-donald-j-trump-strikes-deal-on-economic-and-trade-relations-with-china.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-04-modifying-duties-addressing-the-synthetic-opioid-supply-chain-in-the-peoples-republic-of-china.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-11-04-modifying-reciprocal-tariff-rates-consistent-with-the-economic-and-trade-arrangement-between-the-united-states-and-the-peoples-republic-of-china.md", "executive order"),  # noqa: E501
    ("us-deals", "2025-11-13-fact-sheet-president-donald-j-trump-announces-historic-trade-deals-with-western-hemisphere-trading-partners.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-13-joint-fact-sheet-on-president-donald-j-trumps-meeting-with-president-lee-jae-myung.md", "joint fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-13-joint-statement-on-framework-for-a-united-states-argentina-agreement-on-reciprocal-trade-and-investment.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-11-13-joint-statement-on-framework-for-united-states-ecuador-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-11-13-joint-statement-on-framework-for-united-states-el-salvador-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-11-13-joint-statement-on-framework-for-united-states-guatemala-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-11-14-fact-sheet-following-trade-deal-announcements-president-donald-j-trump-modifies-the-scope-of-the-reciprocal-tariffs-with-respect-to-certain-agricultural-products.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-14-fact-sheet-the-united-states-switzerland-and-liechtenstein-reach-a-historic-trade-deal.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2025-11-14-joint-statement-on-a-framework-for-a-united-states-switzerland-liechtenstein-agreement-on-fair-balanced-and-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2025-12-29-to-implement-the-united-states-israel-agreement-on-trade-in-agricultural-products-and-for-other-purposes.md", "proclamation"),  # noqa: E501
    ("us-deals", "2026-02-06-modifying-duties-to-address-threats-to-the-united-states-by-the-government-of-the-russian-federation-04b2.md", "executive order"),  # noqa: E501
    ("us-deals", "2026-02-06-united-states-india-joint-statement.md", "joint statement"),
    ("us-deals", "2026-02-09-fact-sheet-the-united-states-and-india-announce-historic-trade-deal.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2026-02-09-joint-statement-on-framework-for-united-states-bangladesh-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2026-02-12-joint-statement-on-a-framework-for-united-states-north-macedonia-agreement-on-reciprocal-fair-and-balanced-trade.md", "joint statement"),  # noqa: E501
    ("us-deals", "2026-02-19-fact-sheet-trump-administration-finalizes-trade-deal-with-indonesia.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2026-02-19-implementation-of-the-agreement-toward-a-new-golden-age-for-the-u-s-indonesian-alliance.md", "leaders' document"),  # noqa: E501
    ("us-deals", "2026-02-20-ending-certain-tariff-actions.md", "executive order"),
    ("us-deals", "2026-02-20-imposing-a-temporary-import-surcharge-to-address-fundamental-international-payments-problems.md", "proclamation"),  # noqa: E501
    ("us-deals", "2026-03-19-fact-sheet-president-donald-j-trump-strengthens-u-s-japan-alliance-for-the-benefit-of-all-americans.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2026-05-17-fact-sheet-president-donald-j-trump-secures-historic-deals-with-china-delivering-for-american-workers-farmers-and-industry.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2026-07-21-agreement-between-the-united-states-of-america-and-the-hashemite-kingdom-of-jordan-on-reciprocal-trade.md", "agreement"),  # noqa: E501
    ("us-deals", "2026-07-21-fact-sheet-president-donald-j-trump-announces-trade-deal-with-jordan.md", "fact sheet"),  # noqa: E501
    ("us-deals", "2026-07-23-actions-by-the-united-states-in-the-investigations-under-section-301-of-the-trade-act-of-1974-of-the-acts-policies-and-practices-of-60-economies-related-to-the-failure-of-each-economy-to-impose-and.md", "memorandum"),  # noqa: E501
    ("us-tariff-documents", "2025-10-26-agreement-between-the-united-states-of-america-and-malaysia-on-reciprocal-trade.md", "agreement"),  # noqa: E501
    ("us-tariff-documents", "2025-10-26-fact-sheet-president-donald-j-trump-secures-peace-and-prosperity-in-malaysia.md", "fact sheet"),  # noqa: E501
    ("us-tariff-documents", "2025-10-26-joint-statement-on-united-states-malaysia-agreement-on-reciprocal-trade.md", "joint statement"),  # noqa: E501
    ("us-tariff-documents", "2025-10-26-memorandum-of-understanding-between-the-government-of-the-united-states-of-amer.md", "memorandum of understanding"),  # noqa: E501
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
            "sha256": sha256(data),
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
    for folder, name, kind in TEXTS:
        source = samples / folder / name
        if not source.is_file():
            raise SystemExit(f"{source}: input text is missing")
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
                "sha256": sha256(data),
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
            "sha256": sha256(annex),
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
