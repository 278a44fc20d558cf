"""Arrow's pool during a scenario run: the C library's while runs last, then as before."""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from tradelever.analysis.scenarios import memory


@pytest.fixture(autouse=True)
def _glibc_only() -> None:
    if memory._malloc_trim() is None:
        pytest.skip("the switch applies where glibc's malloc_trim exists")


def test_pool_is_the_c_librarys_during_a_run_and_restored_after() -> None:
    before = pa.default_memory_pool().backend_name
    with memory.arrow_memory_from_the_c_library():
        assert pa.default_memory_pool().backend_name == "system"
        kept = pa.array(["a", "b"] * 1000)  # allocated from the system pool
    assert pa.default_memory_pool().backend_name == before
    assert kept.to_pylist()[:2] == ["a", "b"]  # a buffer outlives the switch


def test_pool_is_restored_when_the_run_fails() -> None:
    before = pa.default_memory_pool().backend_name

    @memory.with_arrow_memory_from_the_c_library
    def failing() -> None:
        raise ValueError("a run that fails")

    with pytest.raises(ValueError, match="fails"):
        failing()
    assert pa.default_memory_pool().backend_name == before


def test_overlapping_runs_restore_the_pool_when_the_last_one_ends() -> None:
    """Runs in two threads: the second to start ends first; the first still has the switch."""
    before = pa.default_memory_pool().backend_name
    first_in, second_done, seen = threading.Event(), threading.Event(), []

    def first() -> None:
        with memory.arrow_memory_from_the_c_library():
            first_in.set()
            second_done.wait(10)
            seen.append(pa.default_memory_pool().backend_name)

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with memory.arrow_memory_from_the_c_library():
        pass
    second_done.set()
    thread.join(10)
    assert seen == ["system"]
    assert pa.default_memory_pool().backend_name == before


def test_nothing_changes_without_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    before = pa.default_memory_pool().backend_name
    with memory.arrow_memory_from_the_c_library():
        assert pa.default_memory_pool().backend_name == before
