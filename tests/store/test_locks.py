"""flock locks and owner records: who holds what, and whether that process still runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tradelever.store.locks import FileLock, holder_text, owner_record, process_alive, read_owner


def test_exclusive_and_shared_locks_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = FileLock.acquire(path)
    assert first is not None
    assert FileLock.acquire(path, wait=0.0) is None  # another open file description
    assert FileLock.acquire(path, shared=True, wait=0.05) is None
    first.release()
    readers = [FileLock.acquire(path, shared=True, create=False) for _ in range(2)]
    assert all(r is not None for r in readers)
    assert FileLock.acquire(path, wait=0.0) is None
    for r in readers:
        assert r is not None
        r.release()
    assert FileLock.acquire(path, wait=0.0) is not None


def test_a_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    code = (
        "import sys, time; from tradelever.store.locks import FileLock; "
        f"lock = FileLock.acquire(__import__('pathlib').Path({str(path)!r})); lock.write_owner(); "
        "print('locked', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        assert FileLock.acquire(path, wait=0.0) is None
        owner = read_owner(path)
        assert owner["pid"] == child.pid and process_alive(owner)
        assert holder_text(owner).startswith(f"process {child.pid}, since ")
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert not process_alive(read_owner(path))
    assert FileLock.acquire(path, wait=5.0) is not None


def test_a_reused_pid_is_not_alive() -> None:
    me = owner_record()
    assert process_alive(me)
    if me["start_ticks"] is not None:  # Linux: the PID now runs a process started later
        assert not process_alive({**me, "start_ticks": me["start_ticks"] - 1})
    assert process_alive({"pid": os.getpid(), "host": "elsewhere"})  # not ours to judge
    assert process_alive({})
    assert socket.gethostname() == me["host"]


def test_still_linked_notices_a_deleted_lock_file(tmp_path: Path) -> None:
    path = tmp_path / ".lease"
    path.touch()
    lock = FileLock.acquire(path, shared=True, create=False)
    assert lock is not None and lock.still_linked()
    path.unlink()
    assert not lock.still_linked()
    lock.release()
    assert not lock.held
