"""The HTTP server's cache of finished answers: bounded by size, least recently used out.

Keys are built by the routes from the endpoint, the normalised parameters and the data
set's fingerprint (checksum, retrieval time and store version of the version answered
from), so an answer is never served for another version of its data set. Concurrent
requests for the same key are computed once: the first claims the key, the others wait for
its result (or its error; errors are not kept).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, Literal, TypeVar

__all__ = ["ResultCache"]

T = TypeVar("T")


class ResultCache:
    """A thread-safe LRU cache of answers bounded by total size, with single flight.

    ``get_or_compute(key, compute)`` returns the cached value, or runs ``compute`` once
    while concurrent callers with the same key wait for its result (or its exception;
    errors are not cached). Values are bytes, or tuples whose first item is the bytes
    (their size is what counts against ``max_bytes``). Asynchronous callers use
    :meth:`claim` and :meth:`settle` (the engine does).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, Future[Any]] = {}
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @staticmethod
    def _size(value: Any) -> int:
        body = value[0] if isinstance(value, tuple) else value
        return len(body)

    def claim(
        self, key: Hashable
    ) -> tuple[Literal["hit"], Any] | tuple[Literal["wait", "own"], Future[Any]]:
        """Look ``key`` up: ``("hit", value)``, or the future of its computation.

        ``("own", future)``: the caller must compute the value and :meth:`settle` it;
        ``("wait", future)``: another caller is computing it.
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return "hit", self._data[key]
            future = self._inflight.get(key)
            if future is not None:
                return "wait", future
            future = Future()
            self._inflight[key] = future
            self.misses += 1
            return "own", future

    def settle(self, key: Hashable, value: Any = None, error: BaseException | None = None) -> None:
        """Finish a claimed computation: keep ``value`` (unless ``error``) and wake the waiters."""
        with self._lock:
            future = self._inflight.pop(key, None)
            if error is None:
                size = self._size(value)
                if self.max_bytes > 0 and size <= self.max_bytes:
                    if key in self._data:
                        self._bytes -= self._size(self._data.pop(key))
                    self._data[key] = value
                    self._bytes += size
                    while self._bytes > self.max_bytes:
                        _, old = self._data.popitem(last=False)
                        self._bytes -= self._size(old)
        if future is not None and not future.done():
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Cached value for ``key``, computing it (once) if absent."""
        state, found = self.claim(key)
        if state == "hit":
            return found  # type: ignore[no-any-return]
        if state == "wait":
            return found.result()  # type: ignore[no-any-return]
        try:
            value = compute()
        except BaseException as exc:
            self.settle(key, error=exc)
            raise
        self.settle(key, value)
        return value
