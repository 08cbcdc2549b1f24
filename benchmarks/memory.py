"""Peak memory of a piece of work being measured: its processes' and PostgreSQL's.

A thread samples, every 100 ms, the resident memory of the processes doing the work, and
the private (resident, not shared) memory of all of PostgreSQL's processes together: the
backends' sorts, hashes and parallel workers, without the shared buffers that every
backend maps. A backend keeps some of what a query freed, so the figure is a peak over
the task, not the task's own increment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil

SAMPLE_SECONDS = 0.1
MB = 2**20


@dataclass
class MemoryPeaks:
    total: int = 0  # bytes: the work's processes together, at their peak
    largest: int = 0  # the largest single process at its peak
    postgres: int = 0  # all of PostgreSQL's processes' private memory, together

    def as_mb(self) -> dict[str, float]:
        return {
            "peak_memory_mb": self.total / MB,
            "peak_process_mb": self.largest / MB,
            "peak_postgres_mb": self.postgres / MB,
        }


def _postgres_private_bytes() -> int:
    total = 0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "postgres":
            continue
        try:
            memory = process.memory_info()
        except psutil.Error:
            continue  # a backend that just ended
        total += max(0, memory.rss - memory.shared)
    return total


def _sample(peaks: MemoryPeaks, processes: Callable[[], list[psutil.Process]]) -> None:
    sizes = []
    for process in processes():
        try:
            sizes.append(process.memory_info().rss)
        except psutil.Error:
            continue
    if sizes:
        peaks.total = max(peaks.total, sum(sizes))
        peaks.largest = max(peaks.largest, max(sizes))
    peaks.postgres = max(peaks.postgres, _postgres_private_bytes())


@contextmanager
def memory_peaks(processes: Callable[[], list[psutil.Process]]) -> Iterator[MemoryPeaks]:
    """Sample while the block runs; `processes` names the work's processes at each sample
    (a worker's children come and go)."""
    peaks = MemoryPeaks()
    stop = threading.Event()

    def sample_until_stopped() -> None:
        while not stop.is_set():
            _sample(peaks, processes)
            stop.wait(SAMPLE_SECONDS)

    thread = threading.Thread(target=sample_until_stopped, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()
        _sample(peaks, processes)


def this_process() -> list[psutil.Process]:
    return [psutil.Process()]
