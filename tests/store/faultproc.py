"""A writer or reader in its own process, for the fault tests (tests/store/test_faults.py).

Run as ``python -m tests.store.faultproc COMMAND ...`` with the repository root and the
tradelever sources on ``PYTHONPATH`` (see :func:`spawn`). Every data set written here is
SYNTHETIC: ``flows`` with ``ROWS`` rows in each of three years, each of value ``k`` (the
version number), so a reader can tell from a sum which version it read (sum = k * ROWS * 3)
and whether it read a whole version. Odd versions cover 2021-2023 and even ones 2022-2024,
so that consecutive versions have different files, as consecutive releases do.

Commands:

- ``write ROOT NAME K [--pause staging|publish] [--signals DIR]``: write version ``k`` of
  ``NAME``. With ``--pause staging`` the writer stops after its tables are written, inside
  :meth:`Store.stage`; with ``--pause publish`` it stops right after the first rename into
  ``datasets/`` (in the middle of publishing). It then creates ``DIR/ready`` and waits for
  ``DIR/go`` (or to be killed).
- ``reingest ROOT NAME FIRST LAST``: publish versions FIRST..LAST one after the other.
- ``readonly ROOT NAME K``: check that a read-only store is readable and refuses a write
  with a one-line error (run inside a read-only bind mount by the test).

A :class:`tradelever.errors.TradeleverError` is printed as one line ``error: ...`` on stderr
with exit code 3; anything else is a traceback (exit code 1).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROWS = 40
YEARS_PER_VERSION = 3
TRADELEVER_ERROR_EXIT = 3


def years(k: int) -> list[int]:
    """Years of version ``k``: 2021-2023 when odd, 2022-2024 when even."""
    first = 2021 + (k + 1) % 2
    return list(range(first, first + YEARS_PER_VERSION))


def synthetic_flows(name: str, k: int) -> pd.DataFrame:
    """SYNTHETIC flows of version ``k``: ROWS rows a year, every value ``k``."""
    rows = [
        {
            "dataset": name,
            "year": year,
            "exporter": f"X{i % 7:02d}",
            "importer": f"M{i:03d}",
            "product": f"{850000 + i:06d}",
            "classification": "HS17",
            "value_usd": float(k),
            "quantity": float("nan"),
        }
        for year in years(k)
        for i in range(ROWS)
    ]
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int16")
    return frame


def expected_sum(k: int) -> float:
    """Sum of ``value_usd`` over a whole version ``k``."""
    return float(k * ROWS * YEARS_PER_VERSION)


def _wait_for_go(signals: Path) -> None:
    (signals / "ready").write_text(str(os.getpid()), "utf-8")
    while not (signals / "go").exists():
        time.sleep(0.02)


def _pause_after_first_rename_into(root: Path, signals: Path) -> None:
    """Make the first rename that touches ``root/datasets`` stop once it has happened."""
    datasets = str(root / "datasets")
    state = {"done": False}

    def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
        def renamed(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            result = real(src, dst, *args, **kwargs)
            touched = str(src).startswith(datasets) or str(dst).startswith(datasets)
            if touched and not state["done"]:
                state["done"] = True
                _wait_for_go(signals)
            return result

        return renamed

    os.rename = wrap(os.rename)  # type: ignore[assignment]
    os.replace = wrap(os.replace)  # type: ignore[assignment]


def write(root: Path, name: str, k: int, pause: str | None, signals: Path | None) -> None:
    from tradelever.store import Store

    store = Store(root)
    if pause == "publish" and signals is not None:
        _pause_after_first_rename_into(root, signals)
    with store.stage(name, {"source": "synthetic (tests/store/faultproc.py)", "k": k}) as staged:
        staged.write_table("flows", synthetic_flows(name, k), partition_year=True)
        staged.manifest["rows"] = ROWS * YEARS_PER_VERSION
        staged.manifest["years"] = years(k)
        if pause == "staging" and signals is not None:
            _wait_for_go(signals)
    print(f"published {name} k={k}")


def reingest(root: Path, name: str, first: int, last: int) -> None:
    for k in range(first, last + 1):
        write(root, name, k, None, None)


def readonly(root: Path, name: str, k: int) -> None:
    from tradelever.errors import StoreError
    from tradelever.store import Store

    store = Store(root)
    total = store.table(name).value_usd.sum().to_pandas()
    assert total == expected_sum(k), total
    try:
        with store.stage(name, {"source": "must not be written"}) as staged:
            staged.write_table("flows", synthetic_flows(name, k + 1), partition_year=True)
    except StoreError as exc:
        refused = str(exc)
    else:
        raise AssertionError("a read-only store accepted a write")
    listed = store.datasets()
    assert list(listed["status"]) == ["ok"], listed.to_dict("records")
    assert store.table(name).value_usd.sum().to_pandas() == total
    print(f"refused: {refused}")


def main(argv: list[str]) -> int:
    from tradelever.errors import TradeleverError

    command, root, name, *rest = argv
    try:
        if command == "write":
            pause = rest[rest.index("--pause") + 1] if "--pause" in rest else None
            signals = Path(rest[rest.index("--signals") + 1]) if "--signals" in rest else None
            write(Path(root), name, int(rest[0]), pause, signals)
        elif command == "reingest":
            reingest(Path(root), name, int(rest[0]), int(rest[1]))
        elif command == "readonly":
            readonly(Path(root), name, int(rest[0]))
        else:
            raise SystemExit(f"unknown command {command}")
    except TradeleverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return TRADELEVER_ERROR_EXIT
    return 0


def child_env() -> dict[str, str]:
    """Environment for a child: this test run's tradelever and the repository root."""
    import tradelever

    src = Path(tradelever.__file__).resolve().parents[1]
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(repo)])
    return env


def spawn(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """Start ``python -m tests.store.faultproc ARGS`` (after ``prefix``, e.g. unshare)."""
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "tests.store.faultproc", *args],
        env=child_env(),
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Wait until ``path`` exists; fail with the child's output if it ends first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            _out, err = proc.communicate()
            raise AssertionError(f"child ended ({proc.returncode}) before {path.name}:\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"child never reached {path.name}")
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
