"""Encoder batches spread over threads: same results, in order, with one-core BLAS each."""

from __future__ import annotations

import threading

import pytest
from threadpoolctl import threadpool_info

from tools.embeddings import parallel
from tools.embeddings.parallel import map_batches


def test_batches_run_side_by_side_and_come_back_in_order() -> None:
    both_running = threading.Barrier(2, timeout=10)

    def encode(batch: int) -> tuple[int, int]:
        if batch < 2:
            both_running.wait()  # fails unless two batches are in flight at once
        return batch * batch, threading.get_ident()

    results = map_batches(encode, list(range(9)), workers=2)
    assert [square for square, _ in results] == [n * n for n in range(9)]
    assert len({thread for _, thread in results}) == 2
    assert threading.get_ident() not in {thread for _, thread in results}


def test_blas_uses_one_core_per_thread_while_batches_run() -> None:
    if not any(pool["user_api"] == "blas" for pool in threadpool_info()):
        pytest.skip("no BLAS library that threadpoolctl can see")

    def blas_threads(_: int) -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    assert map_batches(blas_threads, [0, 1], workers=2) == [{1}, {1}]


def test_a_call_while_another_runs_stays_in_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    busy = threading.Lock()
    busy.acquire()
    monkeypatch.setattr(parallel, "_exclusive", busy)
    caller = threading.get_ident()
    assert map_batches(lambda _: threading.get_ident(), [0, 1, 2], workers=2) == [caller] * 3
    assert map_batches(lambda batch: batch + 1, [4], workers=2) == [5]
