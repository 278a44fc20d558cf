"""Core commands: ``datasets`` and ``leverage``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradelever.interfaces.cli_app import (
    DatasetOption,
    FormatOption,
    HomeArg,
    LevelOption,
    PartnerOption,
    RivalOption,
    TopOption,
    YearOption,
    app,
    handle_errors,
    session,
)
from tradelever.interfaces.output import (
    OutputFormat,
    console,
    dump_json,
    fit_columns,
    fmt_pct,
    fmt_usd,
    frame_to_csv,
    rich_table,
    source_caption,
)


@app.command("datasets")
@handle_errors
def datasets_cmd(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List the data sets in the store, with their provenance."""
    frame = session(ctx).datasets()
    if fmt is OutputFormat.json:
        typer.echo(dump_json(frame.to_dict(orient="records")))
    elif fmt is OutputFormat.csv:
        typer.echo(frame_to_csv(frame), nl=False)
    else:
        columns = [
            ("name", "name", str),
            ("source", "source", str),
            ("version", "release", str),
            ("years", "years", lambda v: ", ".join(map(str, v or []))),
            ("classification", "classification", str),
            ("rows", "rows", lambda v: f"{int(v):,}" if v is not None else "-"),
            ("licence", "licence", str),
            ("note", "note", lambda v: v or ""),
        ]
        console().print(rich_table(frame, columns, title="tradelever data sets"))


_LEVERAGE_COLUMNS = [
    ("code", "code", str),
    ("description", "description", lambda v: (v or "")[:48]),
    ("home_share_of_partner_imports", "home share", fmt_pct),
    ("partner_imports_usd", "partner imports", fmt_usd),
    ("home_exports_to_partner_usd", "home exports to partner", fmt_usd),
    ("home_world_export_share", "home world share", fmt_pct),
    ("rival_share_of_partner_imports", "rival share", fmt_pct),
    ("partner_import_hhi", "HHI", lambda v: "-" if v is None else f"{v:.3f}"),
    ("home_export_weight", "export weight", fmt_pct),
    ("partner_cost_of_losing_home_usd", "partner cost of losing home", fmt_usd),
    ("sigma", "sigma", lambda v: f"{v:.2f}"),
    ("home_rca", "home RCA", lambda v: "-" if v is None or v != v else f"{v:.2f}"),
]


@app.command("leverage")
@handle_errors
def leverage_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    rival: RivalOption = None,
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    level: LevelOption = None,
    top: TopOption = None,
    sigma: Annotated[
        float | None,
        typer.Option("--sigma", help="One elasticity of substitution (> 1) for every product."),
    ] = None,
    groups: Annotated[
        Path | None,
        typer.Option(
            "--groups",
            help="YAML or CSV file of product groups (per HS revision) that extends the "
            "built-in groups; with --level group.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Where the partner depends on HOME (and on the rival).

    Rows are ranked by the partner's cost of losing HOME's supply (CES price index).
    """
    result = session(ctx).leverage(
        home, partner, rival, dataset=dataset, year=year, level=level, sigma=sigma, groups=groups
    )
    if top is None and fmt is OutputFormat.table:
        top = 20
    result = result.head(top)
    if fmt is OutputFormat.json:
        typer.echo(dump_json(result.to_dict()))
        return
    if fmt is OutputFormat.csv:
        from tradelever import schema

        columns = ["code", "description", *schema.LEVERAGE_FIELDS, "sigma"]
        columns += list(schema.LEVERAGE_EXTRA_FIELDS)
        typer.echo(frame_to_csv(result.rows[columns]), nl=False)
        return
    from tradelever.reference.countries import country_name

    title = (
        f"Where {country_name(result.partner)} depends on {country_name(result.home)}"
        f" - {result.dataset}, {result.year}, level {result.level}"
    )
    if result.rival:
        title += f" (rival: {country_name(result.rival)})"
    caption = source_caption(result.provenance, result.assumptions)
    out = console()
    optional = ("description", "home_world_export_share", "home_export_weight", "sigma")
    columns = fit_columns(_LEVERAGE_COLUMNS, optional, out.width)
    if len(columns) < len(_LEVERAGE_COLUMNS):
        caption += "\n(narrow terminal: some columns hidden; widen it or use --format csv)"
    out.print(rich_table(result.rows, columns, title=title, caption=caption))
