"""The on-disk cache of validated HTTP responses (``<data_dir>/cache/http``).

One entry per request: ``<key>.body`` (the body as received) and ``<key>.json`` (URL without
secrets, status, a few headers, first retrieval time, body length), written body first,
each through a temporary file and ``os.replace``, so that an entry is valid only when both
files exist and agree. The key is the sha256 of the URL and its sorted query parameters
*without* secrets: a key never enters a file name or a file. What goes in is decided by
:meth:`tradelever.sources.http.HttpClient.get`: only answers the caller validated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tradelever.sources.redaction import SECRET_PARAMS

__all__ = ["ResponseCache", "cache_key"]

log = logging.getLogger(__name__)


def cache_key(url: str, params: Mapping[str, Any] | None) -> str:
    """sha256 of the URL and its sorted public parameters (secrets excluded)."""
    public = sorted(
        (str(k), str(v)) for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS
    )
    return hashlib.sha256(json.dumps([url, public]).encode("utf-8")).hexdigest()


class ResponseCache:
    """Cached response bodies under ``folder``, valid for ``max_age`` seconds (None: forever)."""

    def __init__(self, folder: Path, max_age: float | None) -> None:
        self.folder = folder
        self.max_age = max_age

    def _paths(self, key: str) -> tuple[Path, Path]:
        sub = self.folder / key[:2]
        return sub / f"{key}.json", sub / f"{key}.body"

    def get(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """``(metadata, body)`` of a complete, fresh entry; None otherwise."""
        meta_path, body_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            content = body_path.read_bytes()
            stored = datetime.fromisoformat(meta["retrieved_at"]).timestamp()
            complete = len(content) == meta["bytes"] and isinstance(meta["url"], str)
            int(meta["status"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not complete:
            return None  # torn entry: ignore, it will be rewritten
        if self.max_age is not None and time.time() - stored > self.max_age:
            return None
        return meta, content

    def put(
        self,
        key: str,
        url: str,
        status: int,
        headers: Mapping[str, str],
        retrieved_at: str,
        content: bytes,
    ) -> None:
        """Store an entry (best effort: a cache that cannot be written is logged, not fatal)."""
        meta_path, body_path = self._paths(key)
        meta = {
            "url": url,
            "status": status,
            "headers": {
                k: v
                for k, v in headers.items()
                if k.lower() in ("content-type", "etag", "last-modified")
            },
            "retrieved_at": retrieved_at,
            "bytes": len(content),
        }
        try:
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            for path, data in ((body_path, content), (meta_path, json.dumps(meta).encode())):
                tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write the HTTP cache under %s: %s", self.folder, exc.strerror)

    def drop(self, key: str) -> None:
        """Delete an entry (a cached answer found invalid)."""
        for path in self._paths(key):
            with contextlib.suppress(OSError):
                path.unlink()
