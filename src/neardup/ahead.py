"""Work one item ahead on a thread of its own: the native kernels release the GIL, so one item
is worked on while the caller makes the next one and uses the one before."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worked_ahead(work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """`work(item)` of each item, in order, on a worker thread. Each item is handed over as soon
    as it is made, before the result of the one before is waited for and used: the worker is
    never idle while the caller uses a result. At most two items, and the result the caller
    holds, are held at a time: an item is made once the caller is done with the result two
    items before it, so items may reuse memory in turns of two (`native_jsonl.kept_rows`).

    >>> list(worked_ahead(len, ["a", "bb", "ccc"]))
    [1, 2, 3]
    """
    with ThreadPoolExecutor(1) as worker:
        working: Future[R] | None = None
        for item in items:
            done, working = working, worker.submit(work, item)
            if done is not None:
                yield done.result()
                done = None  # not held while the next item is made
        if working is not None:
            yield working.result()
