"""Worker threads for the heavy steps (loading, delivery report, id encoding).

numpy's array loops and Arrow's kernels release the GIL, so two independent halves of a large
computation take about the time of the longer one on two cores. Every module asks for its
pool here, by name: the pools are made on first use, and a forked child forgets them all (it
has none of its parent's threads, so a parent's pool would take a job and never run it).

Examples
--------
>>> pool("example").submit(sum, [1, 2]).result()
3
>>> in_worker("example")
False
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["in_worker", "pool"]

_POOLS: dict[str, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def _prefix(name: str) -> str:
    return f"collab-{name}"


def pool(name: str, workers: int = 1) -> ThreadPoolExecutor:
    """The pool called ``name`` (``workers`` threads), made on first use."""
    with _LOCK:
        p = _POOLS.get(name)
        if p is None:
            p = _POOLS[name] = ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix=_prefix(name)
            )
        return p


def in_worker(name: str) -> bool:
    """True when called from a thread of the pool ``name`` (which must not wait on itself)."""
    return threading.current_thread().name.startswith(_prefix(name))


def _forget() -> None:
    global _LOCK
    _POOLS.clear()
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)
