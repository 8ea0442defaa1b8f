"""Items cut into batches by size: the units of work handed to the native core at once (texts
to sketch, lines to read)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """The items in batches of about `limit`: a batch ends with the item that brings its size
    (the sum of `size` of its items) to `limit`, the last one with the items.

    >>> list(batched([3, 1, 2, 5, 1], int, 4))
    [[3, 1], [2, 5], [1]]
    """
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if total >= limit:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch
