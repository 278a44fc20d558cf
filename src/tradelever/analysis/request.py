"""The request every analysis takes, resolved and checked once.

A :class:`Request` is what an analysis needs to know about the question before it runs:
home, partner and rival (ISO3, validated against the data set), the data set (its typed
:class:`~tradelever.store.dataset.DatasetView`), the year, the product level, the flows
coded at that level (a lazy Ibis expression), the code descriptions, the provenance and the
data set's assumptions, and, at group level, the group definitions and their notes.

:func:`resolve` is the one place where those inputs are checked, in this order: the data set
exists and suits the analysis; the level is one the analysis and the data set support; the
countries are known to the data set (with suggestions) and distinct; the year is in the
data set; product groups are given only at group level. Every error names its parameter.

The data set by question. When no data set is given (``dataset=None``, the default of
:data:`DATASET_BY_QUESTION`), :func:`resolve` chooses it from the command and the partner
(:func:`tradelever.store.embedded.default_dataset`): a product-level question to the
United States reads ``census-us-2024`` at HS6, the reciprocal formula and the balance read
``census-us-trade``, everything else ``icio2022``. The choice and its reason are recorded
in the request (:attr:`Request.dataset_choice`) and so in every result's ``provenance``
(``dataset_choice``) and first assumption.

The options shared by the analyses (:data:`HOME`, :data:`PARTNER`, :data:`RIVAL`,
:data:`DATASET`, :data:`DATASET_BY_QUESTION`, :data:`YEAR`, :data:`LEVEL`, :data:`GROUPS`)
are declared here once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import pandas as pd

from tradelever.analysis.codes import product_code_expr
from tradelever.errors import InputError, UnknownDatasetError
from tradelever.options import LEVELS, REQUIRED, Analysis, Level, Option, choice
from tradelever.reference.countries import (
    EU_AGGREGATE,
    EU_ALIASES,
    group_members,
    group_names,
    resolve_country,
)
from tradelever.sources.icio import DATASET_NAME
from tradelever.store.dataset import DatasetView, Manifest
from tradelever.store.embedded import default_dataset

if TYPE_CHECKING:
    from tradelever.analysis.groups import ProductGroup

__all__ = [
    "DATASET",
    "DATASET_BY_QUESTION",
    "DEFAULT_DATASET",
    "GROUPS",
    "HOME",
    "LEVEL",
    "PARTNER",
    "RIVAL",
    "YEAR",
    "Request",
    "Views",
    "industry_note",
    "resolve",
]

#: The data set analyses use unless told otherwise: the embedded OECD ICIO 2022 network.
DEFAULT_DATASET: Final = DATASET_NAME

# -- the options every analysis shares ------------------------------------------------------
HOME: Final = Option(
    "home",
    str,
    REQUIRED,
    "Home country, ISO3 (e.g. MYS).",
    argument=True,
    min_length=1,
    max_length=64,
    examples=("MYS",),
)
PARTNER: Final = Option(
    "partner",
    str,
    REQUIRED,
    "Counterpart country, ISO3 (e.g. USA).",
    short="-p",
    min_length=1,
    max_length=64,
    examples=("USA",),
)
RIVAL: Final = Option(
    "rival",
    str | None,
    None,
    "Rival supplier, ISO3 (e.g. CHN).",
    short="-r",
    min_length=1,
    max_length=64,
    examples=("CHN",),
)
DATASET: Final = Option(
    "dataset",
    str,
    DEFAULT_DATASET,
    "Data set name (see `tradelever datasets` or /api/datasets).",
    short="-d",
    min_length=1,
    max_length=128,
    examples=(DEFAULT_DATASET,),
)
DATASET_BY_QUESTION: Final = DATASET.but(
    annotation=str | None,
    default=None,
    help="Data set name (see `tradelever datasets` or /api/datasets); default by question: "
    "census-us-2024 at hs6 for product-level questions with partner USA, census-us-trade "
    "for the formula and the balance with partner USA, else icio2022.",
)
YEAR: Final = Option(
    "year",
    int | None,
    None,
    "Year (default: the latest in the data set).",
    short="-y",
    ge=0,
    le=9999,
)
LEVEL: Final = Option(
    "level",
    Level | None,
    None,
    "industry (ICIO), hs10|hs8 (tariff lines), hs6|hs4|hs2|group (products) or total, as "
    "far as the data set has them (default: hs6, else the data set's own level).",
)
GROUPS: Final = Option(
    "groups",
    str | os.PathLike[str] | None,
    None,
    "YAML or CSV file of product groups (per HS revision) that extends the built-in "
    "groups; with level group.",
    http=False,  # a server does not read files named by its clients
    cli_annotation=Path | None,
)


class Views(Protocol):
    """Anything that opens data sets by name (a :class:`tradelever.api.Session`)."""

    def view(self, dataset: str) -> DatasetView:
        """The view of a data set (raises ``UnknownDatasetError`` naming ``dataset``)."""
        ...


@dataclass(frozen=True)
class Request:
    """A resolved request (see the module docstring); build it with :func:`resolve`.

    Attributes
    ----------
    analysis
        Name of the analysis it was resolved for.
    dataset, year, level
        The data set, the year (the latest when not given) and the product level.
    home, partner, rival
        ISO3 codes (``home`` may be a group such as ``EU27`` where the analysis allows).
    members
        The group's members covered by the data set when ``home`` is a group.
    view
        The data set (manifest, tables, cached look-ups).
    coded
        The data set's flows with a ``code`` column at ``level`` (a lazy Ibis expression).
    descriptions
        Code -> description at ``level``.
    groups
        The product groups used at group level.
    group_notes
        Assumption sentences on the group definitions (group level only).
    selector
        The (``product``, ``code``) pairs of the groups at group level
        (:func:`tradelever.analysis.groups.selector_table`), None otherwise.
    dataset_choice
        Why the data set was chosen when none was given (None when it was given).
    """

    analysis: str
    dataset: str
    year: int
    level: str
    view: DatasetView = field(repr=False)
    home: str | None = None
    partner: str | None = None
    rival: str | None = None
    members: tuple[str, ...] | None = None
    groups: Mapping[str, ProductGroup] | None = field(default=None, repr=False)
    group_notes: tuple[str, ...] = ()
    selector: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    dataset_choice: str | None = None

    @property
    def manifest(self) -> Manifest:
        """The data set's typed manifest."""
        return self.view.manifest

    @property
    def classification(self) -> str:
        """Classification of the data set's product codes (``ICIO2025``, ``HS17``, ...)."""
        return self.manifest.classification

    @property
    def provenance(self) -> dict[str, Any]:
        """The ``provenance`` object of a result: the data set's record and the year.

        When the data set was chosen by default, ``dataset_choice`` says why.
        """
        out = self.manifest.provenance(self.year)
        if self.dataset_choice is not None:
            out["dataset_choice"] = self.dataset_choice
        return out

    @property
    def assumptions(self) -> list[str]:
        """The data set's own assumption sentences (every result repeats them).

        When the data set was chosen by default, the reason comes first. On the spark
        engine, followed by where the result was computed (what ran on Spark and what ran
        locally).
        """
        chosen = [self.dataset_choice] if self.dataset_choice is not None else []
        return [*chosen, *self.manifest.assumptions, *self.view.engine_assumptions()]

    @property
    def reporters(self) -> tuple[str, ...] | None:
        """The importers whose imports the data set holds, or None for world trade.

        ``("USA",)`` for the Census data sets; None for a data set of every reporter.
        """
        listed = self.manifest.raw.get("reporters")
        return tuple(str(r) for r in listed) if listed else None

    @property
    def flows(self) -> Any:
        """The data set's flows, uncoded (a lazy Ibis expression)."""
        return self.view.table("flows")

    @cached_property
    def coded(self) -> Any:
        """The flows with a ``code`` column at ``level`` (a lazy Ibis expression).

        Built when first asked for, not by :func:`resolve`: an analysis that reads the
        materialised market tables never starts the query engine. At ``hs*`` and
        ``industry`` level one expression serves every request of the view and level.
        """
        view, level = self.view, self.level
        if self.selector is not None:
            return product_code_expr(view.table("flows"), level, self.selector)
        # one expression per view and level: building it costs more than a pair query
        return view.memo(("coded", level), lambda: product_code_expr(view.table("flows"), level))

    @property
    def descriptions(self) -> Mapping[str, str]:
        """Code -> description at ``level`` (the groups' own at group level).

        Read when first asked for (and kept by the view), not by :func:`resolve`: a scenario
        reads them after its first query, through the connection it has opened already.
        """
        if self.level == "group" and self.groups is not None:
            return {name: g.description for name, g in self.groups.items()}
        return self.view.descriptions(self.level)

    @property
    def coded_columns(self) -> tuple[str, ...]:
        """The columns of :attr:`coded`, known without building it."""
        if self.selector is not None:
            return tuple(self.coded.columns)
        return (*self.view.columns("flows"), "code")

    def params(self, **first: Any) -> dict[str, Any]:
        """A result's ``params``: ``first`` (countries, options), then data set, year, level."""
        return {**first, "dataset": self.dataset, "year": self.year, "level": self.level}

    def for_home(self, home: str) -> Request:
        """The same request for another home country and no rival (peers)."""
        other = replace(self, home=home, rival=None, members=None)
        if "coded" in self.__dict__:  # built already: the same flows, the same expression
            other.__dict__["coded"] = self.__dict__["coded"]
        return other


def industry_note(request: Request) -> list[str]:
    """The assumption every negotiation analysis adds at ICIO industry level."""
    if request.level != "industry":
        return []
    return [
        "industry level: codes are whole ICIO industries (ISIC Rev.4), including services "
        "industries; product-level (HS6) work needs a product data set"
    ]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _level(analysis: Analysis, manifest: Manifest, dataset: str, level: str | None) -> str:
    offered = analysis.levels or LEVELS
    if level is None:
        level = manifest.default_level
    level = choice(level, offered, "level")
    if level not in manifest.levels:
        allowed = [lv for lv in offered if lv in manifest.levels]
        raise InputError(
            f"data set {dataset} supports level {_join(allowed) if allowed else 'none'}, "
            f"not {level}",
            parameter="level",
        )
    return level


def _year(view: DatasetView, year: int | None) -> int:
    years = view.years
    if not years:
        raise UnknownDatasetError(f"{view.name}: data set records no years", parameter="dataset")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise InputError(
            f"{year} is not in data set {view.name} (years: {', '.join(map(str, years))})",
            parameter="year",
        )
    return int(year)


def _group_selector(
    view: DatasetView, groups: str | os.PathLike[str] | None
) -> tuple[pd.DataFrame, dict[str, ProductGroup], tuple[str, ...]]:
    """Selector table, group set and assumption sentences for ``level="group"``."""
    from tradelever.analysis.groups import merge_groups, selector_table
    from tradelever.analysis.hs_elasticities import hs_member_sigmas
    from tradelever.reference.hs import normalise_revision

    classification = view.manifest.classification
    try:
        revision = normalise_revision(classification)
    except InputError:
        raise InputError(
            f"group needs an HS data set; {view.name} is in {classification!r}",
            parameter="level",
        ) from None
    group_set = merge_groups(Path(groups) if groups is not None else None)
    selector = selector_table(
        group_set, revision, view.product_codes(), member_sigma=hs_member_sigmas
    )
    if selector.empty:
        raise InputError(
            f"no product of data set {view.name} ({revision}) is in any group defined for "
            f"{revision} ({', '.join(sorted(group_set))})",
            parameter="groups",
        )
    notes = [
        "group level: a group's values are the sums over its member HS6 codes; a product "
        "may belong to several groups (semiconductors are also electrical_electronic), so "
        "group rows must not be added up"
    ]
    for name in sorted(group_set):
        g = group_set[name]
        d = g.definition(revision)
        if d is None:
            notes.append(f"group {name}: no definition for {revision}; skipped")
            continue
        members = int((selector["code"] == name).sum())
        excluded = f" excluding {', '.join(d.exclude)}" if d.exclude else ""
        notes.append(
            f"group {name} ({revision}): HS {', '.join(d.codes)}{excluded}; "
            f"{members} HS6 codes in the data; source: {g.source}"
            + (f" (from {g.origin})" if groups is not None else "")
        )
    return selector, group_set, tuple(notes)


def _home_group(
    home: str, available: list[str], dataset: str
) -> tuple[str, tuple[str, ...]] | None:
    """``(GROUP, members in the data set)`` when ``home`` names a country group.

    The European Union (``EU``, ``EU27``, ``EUU``) is the aggregate ``EUU`` where the data
    set has it (None here: resolved as one economy), else the group of its member states.
    """
    key = home.strip().upper() if isinstance(home, str) else ""
    if key in EU_ALIASES:
        if EU_AGGREGATE in available:
            return None
        key = "EU27"
    if key not in {g.upper() for g in group_names()}:
        return None
    members = tuple(m for m in group_members(key) if m in available)
    if not members:
        raise InputError(f"no member of {key} is covered by {dataset}", parameter="home")
    return key, members


def _partner_code(partner: str | None) -> str | None:
    """The partner as ISO3 for choosing a data set (as typed when it is not a country)."""
    if partner is None:
        return None
    try:
        return resolve_country(partner, None, parameter="partner")
    except InputError:  # reported against the data set, with suggestions, below
        return partner.strip().upper() if isinstance(partner, str) else None


def resolve(
    views: Views,
    analysis: Analysis,
    *,
    dataset: str | None = None,
    home: str | None = None,
    partner: str | None = None,
    rival: str | None = None,
    year: int | None = None,
    level: str | None = None,
    groups: str | os.PathLike[str] | None = None,
) -> Request:
    """Check a request for ``analysis`` and resolve its defaults; see the module docstring.

    Parameters
    ----------
    views
        Opens the data set (a :class:`tradelever.api.Session`).
    analysis
        The analysis the request is for (its levels, data sets, country rules).
    dataset, home, partner, rival, year, level, groups
        As given by the caller; ``None`` means "not given": the data set is chosen by
        question (module docstring), the year defaults to the latest of the data set, the
        level to the data set's default (hs6 where it has it).

    Raises
    ------
    UnknownDatasetError, UnknownCountryError, InputError
        Naming the parameter at fault (``exc.parameter``).
    """
    if analysis.rival_required and rival is None:
        raise InputError(f"{analysis.command} needs a rival country (e.g. CHN)", parameter="rival")
    choice_note: str | None = None
    if dataset is None:
        dataset, choice_note, _ = default_dataset(analysis.command, _partner_code(partner))
        if analysis.datasets is not None and dataset not in analysis.datasets:
            dataset, choice_note = analysis.datasets[0], None
    if analysis.datasets is not None and dataset not in analysis.datasets:
        raise InputError(
            f"{analysis.command} needs the input-output network {_join(list(analysis.datasets))}; "
            f"{dataset!r} has no "
            "industry-to-industry flows",
            parameter="dataset",
        )
    view = views.view(dataset)
    level = _level(analysis, view.manifest, dataset, level)
    members: tuple[str, ...] | None = None
    if home is not None or partner is not None or rival is not None:
        available = view.countries()
        grouped = _home_group(home, available, dataset) if home and analysis.home_groups else None
        if grouped is not None:
            home, members = grouped
        elif home is not None:
            home = resolve_country(home, available, parameter="home")
        if partner is not None:
            partner = resolve_country(partner, available, parameter="partner")
        if rival is not None:
            rival = resolve_country(rival, available, parameter="rival")
        if partner is not None and home is not None:
            if partner == home:
                raise InputError(
                    f"must be a different country from home ({home})", parameter="partner"
                )
            if members is not None and partner in members:
                raise InputError(f"{partner} is a member of {home}", parameter="partner")
        if rival is not None and rival in (home, partner):
            raise InputError(
                f"must be a different country from home and partner ({rival})", parameter="rival"
            )
    year = _year(view, year)
    selector = None
    group_set: dict[str, ProductGroup] | None = None
    notes: tuple[str, ...] = ()
    if level == "group":
        selector, group_set, notes = _group_selector(view, groups)
    elif groups is not None:
        raise InputError("only used with level group", parameter="groups")
    return Request(
        analysis=analysis.name,
        dataset=dataset,
        year=year,
        level=level,
        view=view,
        home=home,
        partner=partner,
        rival=rival,
        members=members,
        groups=group_set,
        group_notes=notes,
        selector=selector,
        dataset_choice=choice_note,
    )
