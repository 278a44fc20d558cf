"""The files of a data directory: names, atomic writes, checks, clean-up and migration.

What :class:`tradelever.store.Store` builds on; see :mod:`tradelever.store.catalog` for the
layout and the rules (who may delete what, and when). Nothing here keeps state.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Final

from tradelever.errors import DataFileError, StoreError
from tradelever.store.locks import FileLock, holder_text, process_alive, read_owner

__all__ = [
    "CONTENTS",
    "DAMAGED",
    "LEASE",
    "LEGACY",
    "MANIFEST",
    "OWNER",
    "POINTER",
    "check_parquet_magic",
    "collect_garbage",
    "errno_of",
    "legacy_folders",
    "list_contents",
    "migrate_folder",
    "migrate_layout",
    "next_version",
    "old_trash",
    "read_json",
    "read_pointer",
    "remove_trees",
    "valid_name",
    "write_error",
    "write_file_atomic",
]

log = logging.getLogger(__name__)

MANIFEST: Final = "dataset.json"
CONTENTS: Final = "contents.json"
POINTER: Final = "current"
LEASE: Final = ".lease"
OWNER: Final = ".owner"
#: :func:`read_pointer`'s answer for a data set in the layout before versions.
LEGACY: Final = "legacy"
DAMAGED: Final = "the data set is damaged: ingest or fetch it again to replace it"
VERSION_RE: Final = re.compile(r"^v(\d+)-[0-9a-z]+$")
_OLD_TRASH_RE: Final = re.compile(r"^(.+)--[0-9a-f]{32}$")
_PARQUET_MAGIC: Final = b"PAR1"


def valid_name(name: str) -> bool:
    """Whether ``name`` can be a data set folder (no separators, no leading dot, no ``--``)."""
    return bool(name) and not (
        name.startswith(".") or "--" in name or any(c in name for c in "/\\\x00")
    )


def errno_of(exc: OSError) -> int | None:
    """The errno of an OSError, also when pyarrow only writes it in the message."""
    if exc.errno is not None:
        return exc.errno
    match = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)
    return int(match.group(1)) if match else None


def write_error(exc: OSError, path: Path | str, root: Path) -> StoreError:
    """A one-line :class:`StoreError` for a failed write, naming the file and what to do."""
    code = errno_of(exc)
    reason = os.strerror(code) if code is not None else (exc.strerror or str(exc))
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        advice = (
            f"free some space on the disk holding {root} (downloads are kept in "
            f"{root / 'downloads'}) and run the command again; nothing stored was changed"
        )
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = (
            "the data directory is read-only for this user: choose another with --data-dir "
            "or $TRADELEVER_DATA_DIR; nothing stored was changed"
        )
    else:
        advice = "nothing stored was changed"
    return StoreError(f"{path}: cannot write ({reason}); {advice}")


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk (best effort; renames survive a power cut)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file, fsync and ``os.replace``."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def list_contents(folder: Path) -> dict[str, int]:
    """Data files under ``folder`` (relative POSIX path -> bytes), bookkeeping excluded."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0].startswith(".") or rel.parts[0] in (MANIFEST, CONTENTS):
            continue
        if path.is_file():
            out[rel.as_posix()] = path.stat().st_size
    return out


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file of the store.

    Raises
    ------
    DataFileError
        Missing, not UTF-8 or not JSON, naming the file and ``what`` it holds.
    StoreError
        When it cannot be read (permissions, I/O error).
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataFileError(f"missing ({what}); {DAMAGED}", path=str(path)) from None
    except UnicodeDecodeError:
        raise DataFileError(f"not UTF-8 text ({what}); {DAMAGED}", path=str(path)) from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"not valid JSON at line {exc.lineno} ({what}); {DAMAGED}", path=str(path)
        ) from None


def read_pointer(datasets_dir: Path, name: str) -> str | None:
    """The current version folder of ``name``; :data:`LEGACY` for the old layout; None if absent.

    Raises
    ------
    DataFileError
        If ``current`` does not hold a version folder name.
    StoreError
        If it cannot be read.
    """
    folder = datasets_dir / name
    path = folder / POINTER
    try:
        text = path.read_bytes().decode("ascii").strip()
    except FileNotFoundError:
        return LEGACY if (folder / MANIFEST).is_file() else None
    except NotADirectoryError:
        return None
    except UnicodeDecodeError:
        raise DataFileError(f"not a version folder name; {DAMAGED}", path=str(path)) from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
    if not VERSION_RE.match(text):
        raise DataFileError(
            f"holds {text[:40]!r}, not a version folder name; {DAMAGED}", path=str(path)
        )
    return text


def check_parquet_magic(path: Path, size: int) -> None:
    """A Parquet file starts and ends with ``PAR1``; a truncated or overwritten one does not.

    Raises
    ------
    DataFileError
        Naming the file.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(max(0, size - 4))
            tail = fh.read(4)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
    if size < 12 or head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
        raise DataFileError(
            f"not a Parquet file (corrupt or overwritten); {DAMAGED}", path=str(path)
        )


def next_version(root: Path, name: str) -> str:
    """``v<N>-<token>``: N one more than any version or staging folder of ``name``.

    Called with the data set's writer lock held, so no other process numbers it meanwhile.
    """
    numbers = [0]
    with contextlib.suppress(OSError):
        for entry in (root / "datasets" / name).iterdir():
            if match := VERSION_RE.match(entry.name):
                numbers.append(int(match.group(1)))
    with contextlib.suppress(OSError):
        for entry in (root / ".staging").iterdir():
            prefix, _, vid = entry.name.partition("--")
            if prefix == name and (match := VERSION_RE.match(vid)):
                numbers.append(int(match.group(1)))
    return f"v{max(numbers) + 1}-{uuid.uuid4().hex[:8]}"


def remove_trees(paths: list[Path]) -> None:
    """Delete folders (missing ones and errors ignored: a later clean-up retries)."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


# -- clean-up (writers only, with the store lock held) ----------------------------------------
def collect_garbage(root: Path, own: set[str]) -> list[Path]:
    """Move what no one holds to ``.trash``; return the folders to delete after the lock.

    - ``.trash`` entries (only ever moved there, under the store lock, to be deleted);
    - ``.staging`` folders whose writer lock is free and whose writer process is gone
      (``own``: names whose writer lock this process holds, so their staging is stale);
    - version folders that are not current and on which no reader holds a lease.
    """
    doomed: list[Path] = []
    trash = root / ".trash"
    with contextlib.suppress(OSError):
        doomed.extend(trash.iterdir())
    doomed.extend(_stale_staging(root, own))
    with contextlib.suppress(OSError):
        for folder in (root / "datasets").iterdir():
            if folder.is_dir() and valid_name(folder.name):
                doomed.extend(_unused_versions(folder, trash))
    return doomed


def _stale_staging(root: Path, own: set[str]) -> list[Path]:
    stale = []
    with contextlib.suppress(OSError):
        for work in (root / ".staging").iterdir():
            name = work.name.split("--", 1)[0]
            if name in own:
                stale.append(work)
                continue
            if not valid_name(name):
                continue
            try:
                lock = FileLock.acquire(root / ".locks" / f"write-{name}.lock", wait=0.0)
            except OSError:
                continue
            if lock is None:
                continue  # a live writer owns it
            try:
                owner = read_owner(work / OWNER)
                if owner and process_alive(owner):
                    log.warning(
                        "keeping %s: its writer lock is free but %s is still running",
                        work,
                        holder_text(owner),
                    )
                    continue
                log.info("removing %s, left by %s (no longer running)", work, holder_text(owner))
                stale.append(work)
            finally:
                lock.release()
    return stale


def _unused_versions(folder: Path, trash: Path) -> list[Path]:
    try:
        current = read_pointer(folder.parent, folder.name)
    except (DataFileError, StoreError):
        return []  # a damaged pointer: keep every version for whoever repairs it
    doomed = []
    for entry in list(folder.iterdir()):
        if entry.name.startswith(f"{POINTER}.tmp-"):
            with contextlib.suppress(OSError):
                entry.unlink()  # a pointer write interrupted before its rename
            continue
        if entry.name == current or not VERSION_RE.match(entry.name) or not entry.is_dir():
            continue
        lock = None
        if (entry / LEASE).exists():
            try:
                lock = FileLock.acquire(entry / LEASE, wait=0.0, create=False)
            except OSError:
                continue
            if lock is None:
                continue  # a reader holds it
        try:
            moved = trash / f"{folder.name}--{entry.name}--{uuid.uuid4().hex[:6]}"
            os.rename(entry, moved)
            doomed.append(moved)
        except OSError as exc:
            log.warning("cannot move the unused version %s to the trash: %s", entry, exc)
        finally:
            if lock is not None:
                lock.release()
    if current is None:
        with contextlib.suppress(OSError):
            folder.rmdir()  # a removed data set with nothing left in it
    return doomed


# -- migration from the layout before versions ---------------------------------------------
def legacy_folders(datasets_dir: Path) -> list[Path]:
    """Data set folders in the old layout (``dataset.json`` beside the tables, no pointer)."""
    try:
        entries = list(datasets_dir.iterdir())
    except OSError:
        return []
    return [
        p
        for p in entries
        if valid_name(p.name) and (p / MANIFEST).is_file() and not (p / POINTER).exists()
    ]


def old_trash(trash: Path, datasets_dir: Path) -> list[tuple[Path, str]]:
    """Old-layout data sets left in ``.trash`` by a replacement interrupted between renames.

    The old layout replaced a data set by renaming it to ``.trash/<name>--<32 hex>`` and the
    new copy into place; a crash between the two left none visible.
    """
    found: list[tuple[Path, str]] = []
    with contextlib.suppress(OSError):
        for entry in sorted(trash.iterdir()):
            match = _OLD_TRASH_RE.match(entry.name)
            if not match or not (entry / MANIFEST).is_file() or not valid_name(match.group(1)):
                continue
            name = match.group(1)
            if not (datasets_dir / name).exists() and name not in {n for _, n in found}:
                found.append((entry, name))
    return found


def migrate_folder(folder: Path) -> None:
    """Move an old-layout data set into a version folder (resumable after a crash).

    The tables move first, then the manifest is copied byte for byte (a corrupt one stays
    visible as damaged), ``current`` is written and only then is the old top-level manifest
    removed: at every step the old layout or the new one is complete.
    """
    versions = [p for p in folder.iterdir() if VERSION_RE.match(p.name) and p.is_dir()]
    resumed = [p for p in versions if p.name.endswith("-legacy")]
    if resumed:
        target = resumed[0]
    else:
        numbers = [int(m.group(1)) for p in versions if (m := VERSION_RE.match(p.name))]
        target = folder / f"v{max(numbers or [0]) + 1}-legacy"
        target.mkdir()
    for entry in list(folder.iterdir()):
        if entry.name in (MANIFEST, POINTER, LEASE) or entry == target:
            continue
        if VERSION_RE.match(entry.name) or entry.name.startswith(f"{POINTER}.tmp-"):
            continue
        os.rename(entry, target / entry.name)
    (target / LEASE).touch()
    write_file_atomic(target / CONTENTS, json.dumps(list_contents(target), indent=1).encode())
    write_file_atomic(target / MANIFEST, (folder / MANIFEST).read_bytes())
    write_file_atomic(folder / POINTER, target.name.encode("ascii"))
    (folder / MANIFEST).unlink()
    log.info("migrated data set %s to %s", folder.name, target)


def migrate_layout(root: Path) -> None:
    """Bring a data directory of the layout before versions up to date (store lock held).

    A data set left in ``.trash`` by an interrupted replacement is restored first (as the
    old layout's own recovery did), then every old-layout folder is migrated; a folder
    that cannot be moved now is logged and read in place.
    """
    datasets_dir = root / "datasets"
    for entry, name in old_trash(root / ".trash", datasets_dir):
        log.warning("restoring data set %s after an interrupted replacement", name)
        os.rename(entry, datasets_dir / name)
    for folder in legacy_folders(datasets_dir):
        try:
            migrate_folder(folder)
        except OSError as exc:
            log.warning("cannot upgrade %s now (%s); reading it in place", folder, exc)
