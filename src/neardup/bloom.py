"""Bloom filters over 64-bit hash keys: which keys a segment of the index may hold.

Most fingerprints of a new document are held by no indexed document; a filter per segment lets
a query skip those lookups instead of searching every segment's B-tree for every key. The keys
are already uniform 64-bit hashes, so the filter's positions are taken from multiplicative
hashes of the key itself.
"""

from __future__ import annotations

import numpy as np

#: Bits per key: with 4 positions, about 2.4% false positives (each costs one lookup).
BITS_PER_KEY = 8
#: Odd 64-bit multipliers, one per position.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)


def _positions(keys: np.ndarray, log_bits: int) -> np.ndarray:
    """Bit positions of each key (keys × positions)."""
    with np.errstate(over="ignore"):
        mixed = keys.astype(np.uint64)[:, None] * _MULTIPLIERS[None, :]
    return (mixed >> np.uint64(64 - log_bits)).astype(np.int64)


def build(keys: np.ndarray) -> bytes:
    """A filter holding `keys` (uint64 or int64): 2**n bits, at least BITS_PER_KEY per key.

    >>> keys = np.arange(1000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    >>> bits = np.frombuffer(build(keys), dtype=np.uint8)
    >>> bool(may_hold(bits, keys).all())
    True
    """
    log_bits = max(6, int(np.ceil(np.log2(max(1, keys.size) * BITS_PER_KEY))))
    positions = _positions(keys, log_bits).ravel()
    bits = np.zeros(1 << (log_bits - 3), dtype=np.uint8)
    np.bitwise_or.at(bits, positions >> 3, (1 << (positions & 7)).astype(np.uint8))
    return bits.tobytes()


def may_hold(bits: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, False when the filter surely lacks it (True: it may hold it)."""
    log_bits = int(bits.size * 8).bit_length() - 1
    positions = _positions(keys, log_bits)
    return ((bits[positions >> 3] >> (positions & 7).astype(np.uint8)) & 1).all(axis=1)
