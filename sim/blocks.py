"""Large batches in blocks: the heavy kernels (Gaussian wells, network landscapes) work through
their points CHUNK at a time, so the (CHUNK, K) scratch arrays stay in cache, and from
PARALLEL_MIN points on they share the blocks between threads (NumPy releases the GIL in its
loops). ``one_thread()`` runs everything on the calling thread, for timing one core.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

CHUNK = 4096          # points per block in the heavy kernels: keeps (CHUNK, K) arrays in cache
PARALLEL_MIN = 32768  # from this many points on, blocks are shared between threads (numpy releases the GIL)
_POOL: ThreadPoolExecutor | None = None
_one_thread = False   # set inside one_thread(): every block runs on the calling thread


class _CallingThread:
    """Stands in for the pool inside ``one_thread()``: runs each job in turn on the calling thread."""

    @staticmethod
    def map(fn, items):
        return map(fn, items)


def pool():
    """The threads that share the blocks of a large batch (up to 4, one per core)."""
    global _POOL
    if _one_thread:
        return _CallingThread
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))
    return _POOL


@contextmanager
def one_thread():
    """Within this ``with`` block the heavy kernels run all their blocks on the calling thread.

    The results are the same bits either way; bench.py uses it to time the CPU cost of a step
    on one core. The setting is process-wide: not for use while other threads step worlds.
    """
    global _one_thread
    before, _one_thread = _one_thread, True
    try:
        yield
    finally:
        _one_thread = before


def for_each_block(job, n: int):
    """Call ``job(i)`` for every block start i = 0, CHUNK, 2 CHUNK, ... below n: shared between
    threads from PARALLEL_MIN points on, else in order on the calling thread."""
    starts = range(0, n, CHUNK)
    if n >= PARALLEL_MIN:
        list(pool().map(job, starts))
    else:
        for i in starts:
            job(i)
