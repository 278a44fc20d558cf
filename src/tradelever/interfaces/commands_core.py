"""Core commands: ``datasets`` and ``leverage``."""

from __future__ import annotations

from typing import Any

import typer

from tradelever.analysis.leverage import LEVERAGE
from tradelever.interfaces.cli_app import (
    FormatOption,
    analysis_command,
    app,
    handle_errors,
    session,
)
from tradelever.interfaces.output import (
    OutputFormat,
    columns,
    console,
    dump_json,
    fit_columns,
    frame_to_csv,
    rich_table,
    source_caption,
)


@app.command("datasets")
@handle_errors
def datasets_cmd(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List the data sets in the store, with their provenance and what each is the default for."""
    from tradelever.store.embedded import default_uses

    frame = session(ctx).datasets()
    uses = dict(default_uses())
    frame["default_for"] = [uses.get(str(n), "") for n in frame["name"]]
    if fmt is OutputFormat.json:
        typer.echo(dump_json(frame.to_dict(orient="records")))
    elif fmt is OutputFormat.csv:
        typer.echo(frame_to_csv(frame), nl=False)
    else:

        def dash(fmt: Any) -> Any:
            # A damaged data set has no release, years or rows: "-", never "None".
            return lambda v: "-" if v is None or v == [] else fmt(v)

        shown = [
            ("name", "name", str),
            ("status", "status", dash(str)),
            ("source", "source", dash(str)),
            ("version", "release", dash(str)),
            ("years", "years", dash(lambda v: ", ".join(map(str, v)))),
            ("classification", "classification", dash(str)),
            ("rows", "rows", dash(lambda v: f"{int(v):,}")),
            ("licence", "licence", dash(str)),
            ("default_for", "default for (when no --dataset is given)", dash(str)),
            ("note", "note", lambda v: v or ""),
        ]
        console().print(rich_table(frame, shown, title="tradelever data sets"))


_LEVERAGE_COLUMNS = columns(
    "code",
    "description",
    "home_share_of_partner_imports",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "home_world_export_share",
    "rival_share_of_partner_imports",
    "partner_import_hhi",
    "home_export_weight",
    "partner_cost_of_losing_home_usd",
    "sigma",
    "home_rca",
)


# On a data set of one reporter (census-us-2024) the world columns are null: show the
# chapter coverage and the 2024 applied rates instead.
_LEVERAGE_ONE_REPORTER = columns(
    "code",
    "description",
    "home_share_of_partner_imports",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "rival_share_of_partner_imports",
    "partner_import_hhi",
    "partner_cost_of_losing_home_usd",
    "sigma",
    "home_applied_rate",
    "coverage",
)


def _leverage_render(
    result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]
) -> None:
    if top is None and fmt is OutputFormat.table:
        top = 20
    result = result.head(top)
    if fmt is OutputFormat.json:
        typer.echo(result.to_json())
        return
    if fmt is OutputFormat.csv:
        from tradelever import schema

        fields = ["code", "description", *schema.LEVERAGE_FIELDS, "sigma"]
        fields += list(schema.LEVERAGE_EXTRA_FIELDS)
        typer.echo(frame_to_csv(result.rows[fields]), nl=False)
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
    one_reporter = len(result.rows) > 0 and result.rows["home_world_export_share"].isna().all()
    wanted = _LEVERAGE_ONE_REPORTER if one_reporter else _LEVERAGE_COLUMNS
    if result.rival is None:
        wanted = [c for c in wanted if c[0] != "rival_share_of_partner_imports"]
    optional = ("description", "home_world_export_share", "home_export_weight", "sigma", "coverage")
    shown = fit_columns(wanted, optional, out.width)
    if len(shown) < len(wanted):
        caption += "\n(narrow terminal: some columns hidden; widen it or use --format csv)"
    out.print(rich_table(result.rows, shown, title=title, caption=caption))


leverage_cmd = analysis_command(
    app,
    LEVERAGE,
    _leverage_render,
    help="""Where the partner depends on HOME (and on the rival).

    Rows are ranked by the partner's cost of losing HOME's supply (CES price index).
    """,
)
