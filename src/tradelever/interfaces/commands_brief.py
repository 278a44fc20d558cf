"""The ``brief`` command: one step from data to a sourced negotiation brief.

``tradelever brief MYS --partner USA --rival CHN --out brief.html`` runs the analyses (on
``census-us-2024`` and the US schedule, deals and balance for a US partner; on ``icio2022``
or ``--dataset`` otherwise), builds the :class:`tradelever.brief.Brief` and writes it as
Markdown, self-contained HTML or PDF according to the suffix of ``--out``. Each step is
reported on stderr as it runs (never in the document). Home-currency figures need
``--currency``, ``--fx`` and ``--fx-date`` together (no rate is fetched). ``--claims FILE``
adds a "claims checked" annex. The options are those of
:data:`tradelever.brief.build.BRIEF`, plus ``--out``.
"""

from __future__ import annotations

import inspect
import time
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
    if not out.parent.exists():
        raise InputError(f"directory {out.parent} does not exist", parameter="out")
    # Fail fast, before the analyses run.
    parse_fx(options["currency"], options["fx"], options["fx_date"], options["fx_source"])
    peers = options["peers"]
    options["peers"] = None if peers is None or peers.strip().lower() == "none" else peers
    options["scenarios"] = tuple(options["scenarios"] or ())
    if options.get("claims") is not None:
        options["claims"] = str(options["claims"])
    err = console(stderr=True)
    start = time.perf_counter()
    with err.status("brief: starting") as status:

        def progress(step: str) -> None:
            status.update(f"brief: {step}")
            err.print(
                f"  [{time.perf_counter() - start:5.1f} s] {step}",
                markup=False,
                highlight=False,
                style="dim",
            )

        result = session(ctx).brief(**options, progress=progress)
        progress(f"rendering {out.suffix.lower().lstrip('.')}")
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
    year, classification and codes. A scenario that does not exist is an error.
    """,
    table_top=None,
    formats=False,
    call=_write,
    extra=[_OUT],
)
