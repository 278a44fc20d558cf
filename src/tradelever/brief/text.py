"""Wording helpers shared by the sections: country phrases, possessives, product names.

Plain functions of strings; no figures here (those are :class:`~tradelever.brief.model.Figure`).
"""

from __future__ import annotations

import re

__all__ = [
    "INTERMEDIATE_ONLY",
    "cap",
    "country_phrase",
    "possessive",
    "product_phrase",
    "sentence",
]

INTERMEDIATE_ONLY = "intermediate goods only"

# Countries whose English short name takes the definite article ("the United States").
_THE = frozenset(
    {
        "USA",
        "GBR",
        "NLD",
        "PHL",
        "ARE",
        "CZE",
        "DOM",
        "BHS",
        "GMB",
        "CAF",
        "COM",
        "MDV",
        "MHL",
        "SLB",
        "SYC",
        "CYM",
        "VGB",
        "TCA",
        "FSM",
        "COD",
        "COG",
        "EUU",
    }
)


def country_phrase(iso3: str, name: str) -> str:
    """The name as used inside a sentence: "the United States", "Malaysia"."""
    return f"the {name}" if iso3 in _THE and not name.lower().startswith("the ") else name


def cap(text: str) -> str:
    """Capitalise the first letter of a sentence ("the United States" -> "The United States")."""
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """English possessive of a name: "Malaysia's", "the United States'", "the Philippines'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


#: A sentence that opens with a one-letter symbol ("m and x are ...", "s = L z") keeps its case.
_SYMBOL_START = re.compile(r"^[a-z](?:\s+(?:and|or|is|are|=)\b|\s*[=,(])")


def sentence(text: str) -> str:
    """A note as a sentence: capitalised, ending with a full stop.

    A sentence that opens with a one-letter symbol ("m and x are the ...") is not
    capitalised: ``M`` and ``m`` are different quantities.
    """
    text = " ".join(str(text).split())
    if not text:
        return text
    head = text if _SYMBOL_START.match(text) else cap(text)
    return head + ("" if text.endswith((".", "!", "?")) else ".")


def product_phrase(description: str, code: str) -> str:
    """Lower-case product wording for a sentence (ICIO's "Manufacture of" dropped)."""
    text = re.sub(r"^Manufacture of ", "", str(description or "")).strip()
    text = re.sub(r"(?<=[a-z)]{2})\.$", "", text)  # a closing full stop, not "n.e.c."
    text = re.sub(r"\s*;\s*$", "", text)
    if not text:
        return f"code {code}"
    if not (len(text) > 1 and text[1].isupper()):
        text = text[:1].lower() + text[1:]
    return text
