"""RFC 6962 Merkle tree hashing, inclusion and consistency proofs (RFC 6962 §2.1; verification as RFC 9162
§2.1.3 and §2.1.4).

Leaves and interior nodes are domain-separated: a leaf is ``SHA-256(0x00 || data)``, a node
``SHA-256(0x01 || left || right)``, so no leaf can pose as a subtree. Trees are built from a
``SubtreeSource`` that returns the hash of an aligned, perfect subtree (``size`` a power of two, ``start``
a multiple of it): the store keeps those hashes, so a proof reads O(log n) rows instead of every leaf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class SubtreeSource(Protocol):
    def subtree(self, start: int, size: int) -> bytes:
        """Hash of the perfect subtree over leaves ``[start, start + size)``."""


class LeafList:
    """A ``SubtreeSource`` over leaf hashes held in memory (verification and tests)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = leaves

    def subtree(self, start: int, size: int) -> bytes:
        if size == 1:
            return self.leaves[start]
        half = size // 2
        return node_hash(self.subtree(start, half), self.subtree(start + half, half))


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): RFC 6962's split point."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_power_of_two(n: int) -> bool:
    return n & (n - 1) == 0


def _hash_range(source: SubtreeSource, start: int, size: int) -> bytes:
    if _is_power_of_two(size):
        return source.subtree(start, size)
    k = _split(size)
    return node_hash(_hash_range(source, start, k), _hash_range(source, start + k, size - k))


def root(source: SubtreeSource, size: int) -> bytes:
    """The Merkle Tree Hash of the first ``size`` leaves."""
    return EMPTY_ROOT if size == 0 else _hash_range(source, 0, size)


def inclusion_proof(source: SubtreeSource, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 6962 PATH), leaf to root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")

    def path(index: int, start: int, size: int) -> list[bytes]:
        if size == 1:
            return []
        k = _split(size)
        if index < k:
            return [*path(index, start, k), _hash_range(source, start + k, size - k)]
        return [*path(index - k, start + k, size - k), _hash_range(source, start, k)]

    return path(index, 0, size)


def consistency_proof(source: SubtreeSource, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of ``old_size`` leaves is a prefix of the one of ``new_size``
    (RFC 6962 PROOF / SUBPROOF)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")

    def subproof(m: int, start: int, n: int, complete: bool) -> list[bytes]:
        if m == n:
            return [] if complete else [_hash_range(source, start, n)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, start, k, complete), _hash_range(source, start + k, n - k)]
        return [*subproof(m - k, start + k, n - k, False), _hash_range(source, start, k)]

    return subproof(old_size, 0, new_size, True)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if _is_power_of_two(old_size):
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The right edge of a growing tree: the hashes of its perfect subtrees, left to right (one per 1-bit of
    its size). Enough to append a leaf without reading older ones, and to know the root at every size while
    streaming the leaves once (``xinyong audit verify``)."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} perfect subtrees, not {len(hashes)}"
            )
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; returns the interior nodes it completes as (height, index, hash)."""
        completed = []
        height, value, index = 0, leaf, self.size
        while index & 1:
            value = node_hash(self.hashes.pop(), value)
            height += 1
            index >>= 1
            completed.append((height, index, value))
        self.hashes.append(value)
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        value = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            value = node_hash(left, value)
        return value
