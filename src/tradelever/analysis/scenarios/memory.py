"""Memory a scenario run has freed, given back to the operating system between chunks.

A run reads and solves one chunk of importers after another; what a chunk frees sits in
the allocators' free lists, scattered between live blocks, and resident memory would grow
with every chunk. :func:`release_freed_memory` returns whole free pages (glibc's
``malloc_trim``, Arrow's pool), and :func:`arrow_memory_from_the_c_library` makes Arrow
allocate where ``malloc_trim`` can return it while a run lasts.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "arrow_memory_from_the_c_library",
    "release_freed_memory",
    "with_arrow_memory_from_the_c_library",
]


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` on glibc (None elsewhere: macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release_freed_memory() -> None:
    """Give memory this process has already freed back to the operating system.

    Between chunks the freed arrays of the last chunk (and the engine's freed query
    buffers) sit in the C allocator's free lists, scattered between live blocks, so
    resident memory grows with each chunk; glibc's ``malloc_trim(0)`` returns their whole
    pages, and the Arrow memory pool releases what it caches. Nothing live is touched;
    where neither call exists this does nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


_POOL_LOCK = threading.Lock()
_POOL_STATE: dict[str, Any] = {"runs": 0, "before": None}


@contextlib.contextmanager
def arrow_memory_from_the_c_library() -> Iterator[None]:
    """Arrow allocates from the C library's ``malloc`` while a run lasts (glibc only).

    pandas 3 keeps text in Arrow arrays, so a run's chunks allocate much of their memory
    from Arrow's default pool (mimalloc), which keeps freed pages of its own that
    :func:`release_freed_memory` cannot return: about 20 MiB at the end of a scenario over
    11 M rows. From the C library, ``malloc_trim`` returns them between chunks. Buffers
    remember the pool they came from, so buffers allocated before or after are unaffected;
    runs in several threads share the switch (the pool before the first run is restored
    when the last one ends). Where ``malloc_trim`` does not exist, nothing changes.
    """
    if _malloc_trim() is None:
        yield
        return
    import pyarrow as pa

    with _POOL_LOCK:
        if _POOL_STATE["runs"] == 0:
            _POOL_STATE["before"] = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _POOL_STATE["runs"] += 1
    try:
        yield
    finally:
        with _POOL_LOCK:
            _POOL_STATE["runs"] -= 1
            if _POOL_STATE["runs"] == 0:
                pa.set_memory_pool(_POOL_STATE["before"])
                _POOL_STATE["before"] = None


def with_arrow_memory_from_the_c_library(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run inside :func:`arrow_memory_from_the_c_library`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with arrow_memory_from_the_c_library():
            return func(*args, **kwargs)

    return wrapper
