"""The ``brief`` command: one step from data to a sourced negotiation brief.

``tradelever brief MYS --partner USA --rival CHN --out brief.html`` runs the analyses on the
embedded data (or ``--dataset``), builds the :class:`tradelever.brief.Brief` and writes it as
Markdown, self-contained HTML or PDF according to the suffix of ``--out``. Home-currency
figures need ``--currency``, ``--fx`` and ``--fx-date`` together (no rate is fetched). The
options are those of :data:`tradelever.brief.build.BRIEF`, plus ``--out``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from tradelever.brief.build import BRIEF
from tradelever.errors import InputError
from tradelever.interfaces.cli_app import analysis_command, app, session
from tradelever.interfaces.output import OutputFormat, console

_OUT = inspect.Parameter(
    "out",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Output file: .html (self-contained), .pdf or .md.", dir_okay=False
        ),
    ],
)


def _write(ctx: Any, given: dict[str, Any]) -> Any:
    from tradelever.brief.build import parse_fx
    from tradelever.brief.render_pdf import FORMATS

    options = dict(given)
    out: Path = options.pop("out")
    if out.suffix.lower() not in FORMATS:
        raise InputError(f"{out.name} must end in .md, .html or .pdf", parameter="out")
    # Fail fast, before the analyses run.
    parse_fx(options["currency"], options["fx"], options["fx_date"], options["fx_source"])
    peers = options["peers"]
    options["peers"] = None if peers is None or peers.strip().lower() == "none" else peers
    options["scenarios"] = tuple(options["scenarios"] or ())
    with console(stderr=True).status("Running the analyses and writing the brief..."):
        result = session(ctx).brief(**options)
        path = result.save(out)
    return result, path


def _report(written: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result, path = written
    missing = [s.title for s in result.sections if not s.available]
    console(stderr=True).print(
        f"wrote {path} ({len(result.figures())} figures from {len(result.results)} analyses"
        + (f"; not available: {', '.join(missing)}" if missing else "")
        + ")",
        markup=False,
        highlight=False,
    )


analysis_command(
    app,
    BRIEF,
    _report,
    help="""Write a sourced negotiation brief (HTML, PDF or Markdown) for HOME and the partner.

    Sections whose analysis is not available say so; every figure names its data set,
    release, year, classification and codes.
    """,
    table_top=None,
    formats=False,
    call=_write,
    extra=[_OUT],
)
