"""Bloom filters over 64-bit hash keys: which keys a segment of the index may hold.

Most fingerprints of a new document are held by no indexed document; a filter per segment lets
a query skip those lookups instead of searching every segment's B-tree for every key. The keys
are already uniform 64-bit hashes, so a filter's bit positions are the top bits of a few
multiplicative hashes of the key itself: computed once per query (`mix`), shifted per filter.
"""

from __future__ import annotations

import numpy as np

from neardup.core import kernel

#: Bits per key (rounded up to a power of two): with 4 positions, at most 0.5% false positives,
#: each of which costs one B-tree lookup, a random read when the index is not in the page cache.
BITS_PER_KEY = 12
#: Odd 64-bit multipliers, one per position.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)


def mix(keys: np.ndarray) -> np.ndarray:
    """The hashes that a filter's positions are taken from (keys × positions), uint64."""
    with np.errstate(over="ignore"):
        return keys.astype(np.uint64)[:, None] * _MULTIPLIERS[None, :]


def build(keys: np.ndarray) -> bytes:
    """A filter holding `keys` (uint64 or int64): 2**n bits, at least BITS_PER_KEY per key.

    >>> keys = np.arange(1000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    >>> bits = np.frombuffer(build(keys), dtype=np.uint8)
    >>> bool(may_hold(bits, mix(keys)).all())
    True
    """
    log_bits = max(6, int(np.ceil(np.log2(max(1, keys.size) * BITS_PER_KEY))))
    bits = np.zeros(1 << (log_bits - 3), dtype=np.uint8)
    kernel.bloom_set_bits(bits, mix(keys), 64 - log_bits)
    return bits.tobytes()


def may_hold(bits: np.ndarray, mixed: np.ndarray) -> np.ndarray:
    """For each key (as `mix` gives it), False when the filter surely lacks it."""
    log_bits = int(bits.size * 8).bit_length() - 1
    positions = (mixed >> np.uint64(64 - log_bits)).astype(np.int64)
    return ((bits[positions >> 3] >> (positions & 7).astype(np.uint8)) & 1).all(axis=1)
