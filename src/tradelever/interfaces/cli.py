"""The ``tradelever`` command line (typer + rich).

Each command is a thin function in its own ``commands_*`` module: parse options, call
:mod:`tradelever.api`, render. The modules are imported when their command runs
(:class:`~tradelever.interfaces.cli_app.LazyGroup`), so ``tradelever --version`` and
``tradelever --help`` start without pandas, Ibis or DuckDB.

Exit codes: 0 success; 1 an error in the input, the data or the environment, printed as one
line ``error: ...`` naming the option, file, field or value at fault; 2 a command-line
usage error (unknown option, missing argument); 3 an internal error (a bug: one line, the
traceback with ``--debug``); 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["COMMANDS", "main"]  # and ``app``, the typer application, built on first use

#: Every command: name -> (module, one-line help of ``tradelever --help``). A new command
#: module adds its commands here (``tests/interfaces/test_cli.py`` checks that the help
#: lines are those of the commands).
COMMANDS: dict[str, tuple[str, str]] = {
    "datasets": (
        "commands_core",
        "List the data sets in the store, with their provenance and what each is the default for.",
    ),
    "leverage": ("commands_core", "Where the partner depends on HOME (and on the rival)."),
    "scan": (
        "commands_scan",
        "HOME's leverage over every partner at once, or who holds leverage over one (--over).",
    ),
    "substitutes": (
        "commands_negotiation",
        "Where the partner depends on the rival and HOME could supply instead.",
    ),
    "exposure": (
        "commands_negotiation",
        "HOME's exports to the partner by product: shares of exports and GDP, room elsewhere.",
    ),
    "formula": (
        "commands_negotiation",
        'The US "reciprocal" formula of 2 April 2025: max(10%, (m - x) / (2 m)).',
    ),
    "formula-annex": (
        "commands_negotiation",
        "The formula on a data set for every Annex I partner, against the announced rate.",
    ),
    "balance": (
        "commands_negotiation",
        "The partner's goods imports from, exports to and balance with HOME over time.",
    ),
    "concessions": (
        "commands_negotiation",
        "Purchases HOME could switch from third countries to the partner, ranked.",
    ),
    "peers": (
        "commands_negotiation",
        "HOME and its peers in the partner's market: leverage, exposure, formula, overlap.",
    ),
    "supply-chain": (
        "commands_network",
        "How the partner's supply chain depends on HOME (intermediate goods, ICIO 2022).",
    ),
    "tariffs": (
        "commands_tariffs",
        "Effective additional tariff rates that IMPORTER (USA) charges each exporter, by date.",
    ),
    "deals": (
        "commands_deals",
        "The 2025-26 US trade deals as quoted facts: what peers gave and got.",
    ),
    "check": ("commands_deals", "Check the figures a research note quotes against the data."),
    "scenario": (
        "commands_scenario",
        "Tariff scenarios: the 2025-26 US actions as sourced presets, simulated over all "
        "markets (WITS-SMART or CES partial equilibrium).",
    ),
    "brief": (
        "commands_brief",
        "Write a sourced negotiation brief (HTML, PDF or Markdown) for HOME and the partner.",
    ),
    "ingest": (
        "commands_data",
        "Load downloaded data files (CEPII BACI) into the store, validated and atomically.",
    ),
    "fetch": (
        "commands_fetch",
        "Download trade data (UN Comtrade, US Census, CEPII BACI) into the store.",
    ),
    "serve": (
        "commands_serve",
        "Serve the JSON API (/api/..., schema at /openapi.json) and the dashboard at /.",
    ),
}


def _fast_version(argv: list[str]) -> bool:
    """``tradelever --version`` alone: print it without loading the command line."""
    if argv != ["--version"]:
        return False
    from tradelever import __version__

    sys.stdout.write(f"tradelever {__version__}\n")
    return True


def main() -> None:
    """Entry point of the ``tradelever`` console script (exit codes in the module docstring)."""
    argv = sys.argv[1:]
    if _fast_version(argv):
        return
    try:
        _app()()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # not a TradeleverError (those are handled per command)
        if "--debug" in argv:
            raise
        text = " ".join(str(exc).split())[:300]
        if isinstance(exc, OSError):
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            sys.stderr.write(f"error: {where}{exc.strerror or text}\n")
            sys.exit(1)
        sys.stderr.write(
            f"error: internal error ({type(exc).__name__}: {text}); run again with --debug "
            "for the traceback, and report it\n"
        )
        sys.exit(3)


def _app() -> Any:
    """The typer application, its commands registered lazily (imports typer and rich)."""
    from tradelever.interfaces.cli_app import LAZY_COMMANDS
    from tradelever.interfaces.cli_app import app as typer_app

    LAZY_COMMANDS.update(COMMANDS)
    return typer_app


def __getattr__(name: str) -> Any:
    # ``cli.app`` is built on first use, so that importing this module stays cheap.
    if name == "app":
        return _app()
    raise AttributeError(name)
