"""Fault injection on the store with real processes and files (issue 13, findings 2 and 3).

Writers run in child processes (tests/store/faultproc.py) that can be paused in the middle
of staging or of publishing and killed with SIGKILL there; readers run in this process,
in threads. Every data set is SYNTHETIC: version k has every value equal to k, so a sum
tells which version a reader saw and whether it saw all of it.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.store import faultproc
from tests.store.faultproc import expected_sum, spawn, wait_for
from tradelever.store import Store

NAME = "demo"


def _publish(root: Path, k: int, name: str = NAME) -> None:
    proc = spawn("write", str(root), name, str(k))
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err


def _total(root: Path, name: str = NAME) -> float:
    return float(Store(root).table(name).value_usd.sum().to_pandas())


def _leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for sub in (".staging", ".trash")
        if (root / sub).is_dir()
        for p in (root / sub).iterdir()
    )


def test_kill_9_mid_staging_keeps_the_old_version_and_only_a_writer_cleans_up(
    tmp_path: Path,
) -> None:
    root = tmp_path / "store"
    _publish(root, 1)
    signals = tmp_path / "signals"
    signals.mkdir()
    writer = spawn("write", str(root), NAME, "2", "--pause", "staging", "--signals", str(signals))
    wait_for(signals / "ready", writer)
    staging = _leftovers(root)
    assert len(staging) == 1 and staging[0].startswith(".staging/demo--")
    # A writer of another data set while this one is alive: the live staging is kept.
    _publish(root, 5, name="other")
    assert _leftovers(root) == staging
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # Readers see the old version, whole, and never delete the dead writer's files.
    assert _total(root) == expected_sum(1)
    reader = Store(root)
    assert reader.names() == ["demo", "other"]
    assert _leftovers(root) == staging
    # The next writer (of any data set) finds the writer dead and removes its staging.
    _publish(root, 6, name="other")
    assert _leftovers(root) == []
    assert _total(root) == expected_sum(1)
    assert set(reader.datasets()["status"]) == {"ok"}


def test_kill_9_mid_publish_leaves_the_old_version_then_a_clean_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _publish(root, 1)
    signals = tmp_path / "signals"
    signals.mkdir()
    writer = spawn("write", str(root), NAME, "2", "--pause", "publish", "--signals", str(signals))
    wait_for(signals / "ready", writer)
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)
    assert _total(root) == expected_sum(1)
    _publish(root, 3)
    assert _total(root) == expected_sum(3)
    assert _leftovers(root) == []
    versions = [p.name for p in (root / "datasets" / NAME).iterdir() if p.is_dir()]
    assert versions == [Store(root).version(NAME)]  # the half-published version is gone


def test_a_command_run_during_a_publish_does_not_break_the_writer(tmp_path: Path) -> None:
    """Finding 3: opening the store 'recovered' a data set mid-publish; the writer then died."""
    root = tmp_path / "store"
    _publish(root, 1)
    signals = tmp_path / "signals"
    signals.mkdir()
    writer = spawn("write", str(root), NAME, "2", "--pause", "publish", "--signals", str(signals))
    wait_for(signals / "ready", writer)
    reader = Store(root)  # what every command does first
    assert reader.names() == [NAME]
    assert float(reader.table(NAME).value_usd.sum().to_pandas()) == expected_sum(1)
    (signals / "go").touch()
    _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert _total(root) == expected_sum(2)
    assert float(reader.table(NAME).value_usd.sum().to_pandas()) == expected_sum(2)


def test_a_second_writer_of_the_same_data_set_fails_cleanly(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _publish(root, 1)
    signals = tmp_path / "signals"
    signals.mkdir()
    first = spawn("write", str(root), NAME, "2", "--pause", "publish", "--signals", str(signals))
    wait_for(signals / "ready", first)
    second = spawn("write", str(root), NAME, "3")
    _out, err = second.communicate(timeout=60)
    assert second.returncode == faultproc.TRADELEVER_ERROR_EXIT, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"demo: the data set is being written by process {first.pid}" in lines[0]
    (signals / "go").touch()
    _out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert _total(root) == expected_sum(2)
    assert _leftovers(root) == []


def _reader_loop(
    root: Path, stop: threading.Event, errors: list[str], reads: list[int], pinned: bool
) -> None:
    store = Store(root)
    valid = {expected_sum(k) for k in range(1, 100)}
    count = 0
    while not stop.is_set() and len(errors) < 50:
        try:
            if pinned:
                with store.snapshot():
                    k = store.manifest(NAME)["k"]
                    total = float(store.table(NAME).value_usd.sum().to_pandas())
                    rows = int(store.table(NAME).count().to_pandas())
                if total != expected_sum(k) or rows != faultproc.ROWS * 3:
                    errors.append(f"snapshot of k={k} read sum {total}, {rows} rows")
            else:
                # Like a request: one table expression, several queries on it, some work
                # in between.
                flows = store.table(NAME)
                total = float(flows.value_usd.sum().to_pandas())
                time.sleep(0.005)
                rows = int(flows.count().to_pandas())
                if total not in valid or rows != faultproc.ROWS * 3:
                    errors.append(f"read a mixture: sum {total}, {rows} rows")
            count += 1
        except Exception as exc:  # every failure counts, whatever its type
            errors.append(f"{type(exc).__name__}: {exc}")
    reads.append(count)


@pytest.mark.parametrize("pinned", [False, True], ids=["follow-current", "snapshot"])
def test_reingest_while_readers_query_loses_no_read(tmp_path: Path, pinned: bool) -> None:
    """Finding 2: replacing a data set while serving gave 404s and 500s."""
    root = tmp_path / "store"
    _publish(root, 1)
    stop = threading.Event()
    errors: list[str] = []
    reads: list[int] = []
    readers = [
        threading.Thread(target=_reader_loop, args=(root, stop, errors, reads, pinned))
        for _ in range(3)
    ]
    for thread in readers:
        thread.start()
    try:
        writer = spawn("reingest", str(root), NAME, "2", "9")
        _out, err = writer.communicate(timeout=300)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert writer.returncode == 0, err
    assert errors == []
    assert sum(reads) >= 3 and all(n > 0 for n in reads)
    assert _total(root) == expected_sum(9)
    # Once no reader holds them, the next writer removes every replaced version.
    _publish(root, 10)
    versions = [p.name for p in (root / "datasets" / NAME).iterdir() if p.is_dir()]
    assert versions == [Store(root).version(NAME)]


def _unshare_prefix() -> tuple[str, ...] | None:
    """A user and mount namespace in which this process may bind-mount (works as root)."""
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"],
        capture_output=True,
        check=False,
    )
    return ("unshare", "--user", "--map-root-user", "--mount") if probe.returncode == 0 else None


def test_read_only_store_is_readable_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    """A read-only bind mount: chmod would not stop root, a read-only mount does."""
    prefix = _unshare_prefix()
    if prefix is None:
        pytest.skip("no unprivileged user+mount namespace (unshare) to make a read-only mount")
    root = tmp_path / "store"
    _publish(root, 1)
    mount = tmp_path / "ro"
    mount.mkdir()
    script = 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"'
    proc = subprocess.Popen(
        [
            *prefix,
            "sh",
            "-c",
            script,
            "sh",
            str(root),
            str(mount),
            faultproc.sys.executable,
            "-m",
            "tests.store.faultproc",
            "readonly",
            str(mount),
            NAME,
            "1",
        ],
        env=faultproc.child_env(),
        cwd=Path(faultproc.__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    refused = out.strip().splitlines()[-1]
    assert refused.startswith("refused: ") and "Read-only file system" in refused
    assert str(mount) in refused and "--data-dir" in refused
