"""HTTP API and web dashboard (FastAPI), served by ``tradelever serve``.

:func:`create_app` builds the application; the routes call only :mod:`tradelever.api`
and return the same JSON objects as ``tradelever <command> --format json``.
"""

from __future__ import annotations

from tradelever.interfaces.http.app import create_app

__all__ = ["create_app"]
