"""File locks of a data directory: the store lock, one writer per data set, reader leases.

All locks are ``flock(2)`` locks on small files. They were chosen over POSIX record locks
(``fcntl.lockf``) and over PID files for three reasons:

- a flock lock belongs to one open file description, so two :class:`~tradelever.store.Store`
  objects in one process (two server sessions) hold separate leases, and closing an
  unrelated descriptor of the same file does not drop a lock, as it does with record locks;
- the kernel releases a lock when its holder dies, even on ``kill -9``: a dead writer or
  reader never blocks anyone, and nobody has to guess from a PID whether it is alive;
- a shared lock can be taken on a file opened read-only, so readers work on a read-only
  data directory (a read-only bind mount, a shared network folder).

Holders write who they are (PID, host, start time) into the lock file, or into a
``.owner`` file beside their work, so that an error can say which process holds a lock and
a clean-up can log whose leftovers it removes. Liveness is decided by the lock, and
double-checked against the PID (see :func:`process_alive`).

flock needs a POSIX system (Linux, macOS); on a network file system it must be supported
by the server (NFSv4 and SMB emulate it).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["FileLock", "holder_text", "owner_record", "process_alive", "read_owner"]

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_POLL = 0.02  # seconds between attempts when waiting for a lock


class FileLock:
    """An flock lock on one file, held until :meth:`release` (or the end of the process).

    Use :meth:`acquire`; it returns None when the lock is held elsewhere and ``wait``
    runs out.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(
        cls,
        path: Path,
        *,
        shared: bool = False,
        wait: float | None = 0.0,
        create: bool = True,
    ) -> FileLock | None:
        """Lock ``path`` (shared or exclusive).

        Parameters
        ----------
        path
            The lock file.
        shared
            A shared (reader) lock instead of an exclusive one.
        wait
            Seconds to wait for the lock; 0 tries once, None waits as long as it takes.
        create
            Create the file if absent (opened read-write); otherwise it is opened read-only
            (enough for flock) and a missing file raises ``FileNotFoundError``.

        Raises
        ------
        OSError
            When the file cannot be opened or created (read-only file system, permissions).
        """
        flags = (os.O_RDWR | os.O_CREAT) if create else os.O_RDONLY
        fd = os.open(path, flags | _CLOEXEC, 0o644)
        if fcntl is None:  # pragma: no cover - no flock: nothing is ever held elsewhere
            return cls(path, fd)
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return cls(path, fd)
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return None
                time.sleep(_POLL)
            except OSError:
                os.close(fd)
                raise

    @property
    def held(self) -> bool:
        """Whether the lock is still held by this object."""
        return self._fd is not None

    def still_linked(self) -> bool:
        """Whether ``path`` still names the locked file (not deleted or replaced)."""
        if self._fd is None:
            return False
        try:
            return os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except OSError:
            return False

    def write_owner(self) -> None:
        """Record this process as the holder (in the lock file itself); best effort."""
        if self._fd is None:
            return
        data = json.dumps(owner_record()).encode("utf-8")
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        """Release the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        self.release()

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _start_ticks(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (Linux ``/proc``), else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def owner_record() -> dict[str, Any]:
    """Who this process is: PID, host, start ticks (to tell a reused PID) and the time."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "start_ticks": _start_ticks(os.getpid()),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def read_owner(path: Path) -> dict[str, Any]:
    """The owner record in ``path`` ({} when absent or unreadable)."""
    try:
        data = json.loads(path.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def process_alive(owner: dict[str, Any]) -> bool:
    """Whether the process of an owner record may still be running.

    False when the record names this host and its PID is gone, or the PID now belongs to
    a process started at another time (a reused PID). True when unsure (another host, no
    PID).
    """
    pid = owner.get("pid")
    if not isinstance(pid, int) or owner.get("host") != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    recorded = owner.get("start_ticks")
    current = _start_ticks(pid)
    return recorded is None or current is None or recorded == current


def holder_text(owner: dict[str, Any]) -> str:
    """``process 1234 on host, since 2026-01-01T10:00:00+00:00`` (or ``another process``)."""
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return "another process"
    where = f" on {owner['host']}" if owner.get("host") not in (None, socket.gethostname()) else ""
    since = f", since {owner['since']}" if owner.get("since") else ""
    return f"process {pid}{where}{since}"
