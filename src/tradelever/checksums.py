"""SHA-256 checksums of files and bytes: the one implementation every layer uses.

Packaged data (``BUILD.json``), the store's manifests, downloaded releases and the cached
network arrays all record SHA-256 hex digests; they are computed here, reading files in
1 MiB chunks so that memory stays flat whatever the size.
"""

from __future__ import annotations

import hashlib
import os
from typing import Final

__all__ = ["CHUNK_BYTES", "bytes_sha256", "file_sha256"]

CHUNK_BYTES: Final = 1 << 20


def file_sha256(path: str | os.PathLike[str], chunk_size: int = CHUNK_BYTES) -> str:
    """SHA-256 hex digest of a file, read in chunks of ``chunk_size`` bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def bytes_sha256(data: bytes | memoryview) -> str:
    """SHA-256 hex digest of bytes in memory."""
    return hashlib.sha256(data).hexdigest()
