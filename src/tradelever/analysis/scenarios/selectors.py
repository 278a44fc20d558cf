"""Resolve a scenario's country and product selectors against one data set.

Countries: ISO3 codes, group names (``ASEAN``, ``EU27``, ``G20`` via
:func:`tradelever.reference.countries.group_members`), ``all`` or ``{all_except: [...]}``.

Products, by the data set's level:

==========================  ==================================  ============================
token                       HS product data (hs6)               ICIO industries (icio2022)
==========================  ==================================  ============================
``all``                     every code                          goods industries A01..C31T33
HS code or prefix           codes starting with it (codes of    not applicable: noted in the
(2-10 digits)               7-10 digits act on their HS6)       assumptions, not applied
industry code (``C26``)     error                               that industry
set name (``s232-steel``)   the set's HS codes                  the set's ``industries``
                                                                (none: noted, not applied)
group (``gloves``)          the project's group definition      not applicable: noted
                            for the data's HS revision
==========================  ==================================  ============================

Everything is evaluated on the unique codes of the data and gathered onto the rows, so a
measure costs a few vectorised passes whatever the number of markets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradelever.analysis.scenarios.model import AllExcept, is_hs_token, is_industry_token
from tradelever.analysis.scenarios.presets import expand_set, product_sets
from tradelever.errors import InputError, UnknownCodeError
from tradelever.reference.countries import group_members, group_names, resolve_country

__all__ = ["CountrySelection", "Notes", "country_mask", "product_mask", "resolve_countries_spec"]

GOODS_SECTIONS = ("A", "B", "C")


@dataclass
class Notes:
    """Assumption sentences collected while resolving selectors (deduplicated, ordered).

    A run over chunks of importers lays the scenario on each chunk with the same notes, so
    a sentence is recorded once however many chunks add it; a sentence with a count
    (:meth:`add_count`) adds up the counts of every chunk.
    """

    items: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _counted: set[str] = field(default_factory=set, repr=False)

    def add(self, text: str) -> None:
        """Record a sentence once."""
        if text not in self.items:
            self.items.append(text)

    def add_count(self, template: str, n: int) -> None:
        """Record a sentence whose ``{n}`` is the sum of ``n`` over the chunks.

        Within one chunk (see :meth:`next_chunk`) the sentence counts once, as :meth:`add`
        records it once (the scenario and its baseline scenario lay the same schedule).
        """
        if template not in self.counts:
            self.counts[template] = 0
            self.items.append(template)
        if template not in self._counted:
            self._counted.add(template)
            self.counts[template] += int(n)

    def next_chunk(self) -> None:
        """Start the next chunk of rows: counted sentences count again."""
        self._counted.clear()

    def sentences(self) -> list[str]:
        """The sentences in order, counts filled in."""
        return [
            t.replace("{n}", str(self.counts[t])) if t in self.counts else t for t in self.items
        ]


@dataclass(frozen=True)
class CountrySelection:
    """A resolved country selector: ``include`` None means every country."""

    include: frozenset[str] | None
    exclude: frozenset[str] = frozenset()

    def mask(self, codes: np.ndarray) -> np.ndarray:
        """Boolean mask over an array of ISO3 codes."""
        hit = (
            np.ones(len(codes), dtype=bool)
            if self.include is None
            else np.isin(codes, list(self.include))
        )
        if self.exclude:
            hit &= ~np.isin(codes, list(self.exclude))
        return hit


def _one_country(item: str, path: str) -> list[str]:
    key = item.strip().upper()
    if key in group_names():
        return list(group_members(key))
    try:
        return [resolve_country(key, parameter=path)]
    except UnknownCodeError as exc:
        raise InputError(f"{path}: {exc}") from None


def resolve_countries_spec(spec: str | list[str] | AllExcept, path: str) -> CountrySelection:
    """Resolve an importer/exporter selector; errors name ``path`` (e.g. measures[2].exporters)."""
    if isinstance(spec, AllExcept):
        out: list[str] = []
        for n, item in enumerate(spec.all_except):
            out.extend(_one_country(item, f"{path}.all_except[{n}]"))
        return CountrySelection(None, frozenset(out))
    if isinstance(spec, str):
        if spec == "all":
            return CountrySelection(None)
        return CountrySelection(frozenset(_one_country(spec, path)))
    out = []
    for n, item in enumerate(spec):
        out.extend(_one_country(item, f"{path}[{n}]"))
    return CountrySelection(frozenset(out))


def country_mask(spec: str | list[str] | AllExcept, codes: np.ndarray, path: str) -> np.ndarray:
    """Boolean mask of the selector over an array of ISO3 codes."""
    return resolve_countries_spec(spec, path).mask(codes)


def _prefix_mask(codes: np.ndarray, prefixes: Sequence[str]) -> np.ndarray:
    """Codes starting with any prefix; prefixes longer than 6 digits are cut to 6."""
    hit = np.zeros(len(codes), dtype=bool)
    by_len: dict[int, set[str]] = {}
    for p in prefixes:
        q = p[:6]
        by_len.setdefault(len(q), set()).add(q)
    for length, group in by_len.items():
        cut = np.asarray([c[:length] for c in codes], dtype=object)
        hit |= np.isin(cut, list(group))
    return hit


def _project_groups() -> Any:
    """The project's named product groups (``tradelever.analysis.groups``), if available."""
    try:
        from tradelever.analysis.groups import default_groups
    except ImportError:  # pragma: no cover - the groups module ships with the package
        return {}
    return default_groups()


def _group_mask(
    token: str, codes: np.ndarray, classification: str, where: str, notes: Notes
) -> np.ndarray:
    group = _project_groups()[token]
    definition = group.definition(classification.upper()) if classification else None
    if definition is None:
        revisions = sorted(group.definitions)
        if classification:
            raise InputError(
                f"{where}: product group {token!r} has no definition for {classification} "
                f"(revisions: {', '.join(revisions)})"
            )
        definition = group.definitions[revisions[-1]]
        notes.add(f"product group {token} taken in its {revisions[-1]} definition")
    notes.add(f"product group {token}: {group.description} ({group.source})")
    return np.asarray([definition.matches(c) for c in codes], dtype=bool)


def product_mask(
    tokens: str | Sequence[str],
    codes: np.ndarray,
    *,
    industry_level: bool,
    path: str,
    notes: Notes,
    classification: str = "",
) -> np.ndarray:
    """Boolean mask of product selectors over the data set's unique codes.

    Parameters
    ----------
    tokens
        ``"all"`` or a list of HS codes/prefixes, industry codes and set names.
    codes
        Unique product codes of the data (HS6 strings or ICIO industry codes).
    industry_level
        True for ICIO industries, False for HS product data.
    classification
        HS revision of the codes (``HS17``...), for the project's product groups
        (``semiconductors``, ``gloves``, ``rare_earths``... of
        :mod:`tradelever.analysis.groups`, defined per revision).
    path
        Key path of the selector, for messages (``measures[3].exempt``).
    notes
        Collects the assumptions (HTS codes cut to HS6, selectors not applicable...).

    Raises
    ------
    InputError
        Unknown industry or set name, or an industry code on product data.
    """
    items = [tokens] if isinstance(tokens, str) else list(tokens)
    codes = np.asarray(codes, dtype=object).astype(str)
    hit = np.zeros(len(codes), dtype=bool)
    hs_tokens: list[str] = []
    industries: list[str] = []
    for n, token in enumerate(items):
        where = f"{path}[{n}]" if not isinstance(tokens, str) else path
        if token == "all":
            if industry_level:
                hit |= np.asarray([c[:1] in GOODS_SECTIONS for c in codes], dtype=bool)
                notes.add(
                    "'all' products on industry data means the goods industries A01 to "
                    "C31T33 (agriculture, mining, manufacturing); services are not tariffed"
                )
            else:
                hit[:] = True
        elif is_hs_token(token):
            hs_tokens.append(token)
            if len(token) > 6:
                notes.add(
                    "HTS codes longer than 6 digits are applied to their whole HS 6-digit "
                    "subheading (the finest level of the trade data)"
                )
        elif token in product_sets():
            set_hs, set_ind = expand_set(token)
            if industry_level:
                if set_ind:
                    industries.extend(set_ind)
                    note = product_sets()[token].note
                    notes.add(
                        f"product set {token} is applied on industry data to "
                        f"{', '.join(set_ind)}" + (f" ({note})" if note else "")
                    )
                else:
                    notes.add(
                        f"product set {token} ({product_sets()[token].description}) is "
                        "defined in HS codes and has no industry equivalent; it is not "
                        "applied on industry data"
                    )
                # a compound set may map part of its members only
                for member in product_sets()[token].members:
                    if not expand_set(member)[1]:
                        notes.add(
                            f"product set {member} (part of {token}) has no industry "
                            "equivalent; it is not applied on industry data"
                        )
            else:
                hs_tokens.extend(set_hs)
                if any(len(c) > 6 for c in set_hs):
                    notes.add(
                        "HTS codes longer than 6 digits are applied to their whole HS "
                        "6-digit subheading (the finest level of the trade data)"
                    )
        elif token in _project_groups():
            if industry_level:
                notes.add(
                    f"product group {token} is defined in HS codes and has no industry "
                    "equivalent; it is not applied on industry data"
                )
            else:
                hit |= _group_mask(token, codes, classification, where, notes)
        elif is_industry_token(token):
            if not industry_level:
                raise InputError(
                    f"{where}: {token!r} is an ICIO industry code but the data set holds HS "
                    "products; use HS codes or a product set"
                )
            if token not in set(codes):
                raise InputError(
                    f"{where}: {token!r} is not an industry of the data set "
                    f"(industries: {', '.join(sorted(set(codes))[:12])}...)"
                )
            industries.append(token)
        else:
            known = sorted({*product_sets(), *_project_groups()})
            raise InputError(
                f"{where}: {token!r} is not a known product set or group; known: {', '.join(known)}"
            )
    if hs_tokens:
        if industry_level:
            notes.add(
                f"HS codes {', '.join(hs_tokens[:6])}{'...' if len(hs_tokens) > 6 else ''} "
                f"at {path} cannot be applied to ICIO industries and are ignored on "
                "industry data"
            )
        else:
            hit |= _prefix_mask(codes, hs_tokens)
    if industries:
        hit |= np.isin(codes, industries)
    return hit
