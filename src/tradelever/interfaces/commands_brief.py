"""The ``brief`` command: one step from data to a sourced negotiation brief.

``tradelever brief MYS --partner USA --rival CHN --out brief.html`` runs the analyses on the
embedded data (or ``--dataset``), builds the :class:`tradelever.brief.Brief` and writes it as
Markdown, self-contained HTML or PDF according to the suffix of ``--out``. Home-currency
figures need ``--currency``, ``--fx`` and ``--fx-date`` together (no rate is fetched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradelever.interfaces.cli_app import app, handle_errors, session
from tradelever.interfaces.output import console


@app.command("brief")
@handle_errors
def brief_cmd(
    ctx: typer.Context,
    home: Annotated[str, typer.Argument(help="Home country, ISO3 (e.g. MYS).", show_default=False)],
    partner: Annotated[
        str, typer.Option("--partner", "-p", help="Counterpart country, ISO3 (e.g. USA).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Output file: .html (self-contained), .pdf or .md.", dir_okay=False
        ),
    ],
    rival: Annotated[
        str | None, typer.Option("--rival", "-r", help="Rival supplier, ISO3 (e.g. CHN).")
    ] = None,
    peers: Annotated[
        str,
        typer.Option(
            "--peers", help="Peer group (ASEAN, EU27, G20), ISO3,ISO3,... or 'none' (no section)."
        ),
    ] = "ASEAN",
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="Data set name (see `tradelever datasets`).")
    ] = "icio2022",
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Year (default: latest in the data set).")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="industry (ICIO) or hs6|hs4|hs2|group (product data sets)."),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="Scenario preset or YAML file to run (repeatable)."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Home currency, ISO 4217 (e.g. MYR).")
    ] = None,
    fx: Annotated[
        float | None,
        typer.Option("--fx", help="Home-currency units per US dollar (e.g. 4.4510)."),
    ] = None,
    fx_date: Annotated[
        str | None, typer.Option("--fx-date", help="Date of the rate, YYYY-MM-DD.")
    ] = None,
    fx_source: Annotated[
        str | None,
        typer.Option("--fx-source", help="Who published the rate (printed with it)."),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", "-n", help="Leverage points and table rows per section.")
    ] = 5,
) -> None:
    """Write a sourced negotiation brief (HTML, PDF or Markdown) for HOME and the partner.

    Sections whose analysis is not available say so; every figure names its data set,
    release, year, classification and codes.
    """
    from tradelever.brief.build import brief, parse_fx
    from tradelever.brief.render_pdf import FORMATS

    if out.suffix.lower() not in FORMATS:
        from tradelever.errors import InputError

        raise InputError(f"{out.name} must end in .md, .html or .pdf", parameter="out")
    parse_fx(currency, fx, fx_date, fx_source)  # fail fast, before the analyses run
    err = console(stderr=True)
    with err.status("Running the analyses and writing the brief..."):
        result = brief(
            session(ctx),
            home,
            partner,
            rival,
            peers=None if peers.strip().lower() == "none" else peers,
            dataset=dataset,
            year=year,
            level=level,
            scenarios=tuple(scenario or ()),
            currency=currency,
            fx=fx,
            fx_date=fx_date,
            fx_source=fx_source,
            top=top,
        )
        path = result.save(out)
    missing = [s.title for s in result.sections if not s.available]
    err.print(
        f"wrote {path} ({len(result.figures())} figures from {len(result.results)} analyses"
        + (f"; not available: {', '.join(missing)}" if missing else "")
        + ")",
        markup=False,
        highlight=False,
    )
