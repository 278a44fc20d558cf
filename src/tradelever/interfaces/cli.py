"""The ``tradelever`` command line (typer + rich).

Each command is a thin function in its own ``commands_*`` module: parse options, call
:mod:`tradelever.api`, render. Errors raised on purpose
(:class:`tradelever.errors.TradeleverError`) become one line on stderr and exit code 1;
``--debug`` shows the traceback instead. Importing a command module registers its commands
on the shared :data:`tradelever.interfaces.cli_app.app`.
"""

from __future__ import annotations

import sys

# Command modules register themselves on `app` when imported (one line per module).
from tradelever.interfaces import (
    commands_brief,  # noqa: F401
    commands_core,  # noqa: F401
    commands_data,  # noqa: F401
    commands_fetch,  # noqa: F401
    commands_negotiation,  # noqa: F401
    commands_network,  # noqa: F401
    commands_scenario,  # noqa: F401
    commands_serve,  # noqa: F401
    commands_tariffs,  # noqa: F401
)
from tradelever.interfaces.cli_app import app
from tradelever.interfaces.output import console

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``tradelever`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        console(stderr=True).print("interrupted")
        sys.exit(130)
