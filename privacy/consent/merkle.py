"""The consent log's Merkle tree (RFC 9162) over stored nodes: appends, roots and proofs.

Every perfect subtree hash is stored once under a key (level, index): level 0 holds the leaf
hashes and node (level, i) covers leaves [i * 2**level, (i + 1) * 2**level). Nodes never change
once written, so an append only adds keys. A tree of any size is then tiled by at most
log2(size) stored perfect subtrees, and the hash of a non-perfect part is composed from them.

Each reading function first works out the keys it needs, then reads them with ONE
`NodeStore.get_many` call of O(log n) keys, then hashes. Appends must be serialised by the
caller (one writer at a time): `nodes_to_add` trusts that `old_size` is the stored tree's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Protocol

from .verifier import EMPTY_ROOT, HASH_SIZE, node_hash, parent_hashes

Key = tuple[int, int]


class NodeStore(Protocol):
    """Where the perfect-subtree hashes live (a database table, a dict)."""

    def get_many(self, keys: list[Key]) -> dict[Key, bytes]:
        """Return the stored hashes of `keys` in one read; absent keys are left out."""
        ...


class MissingNodesError(LookupError):
    """The store lacks nodes a tree of the asked size must have."""


class MemoryNodeStore:
    """A NodeStore in a dict, for tests and benchmarks."""

    def __init__(self) -> None:
        self.nodes: dict[Key, bytes] = {}

    def get_many(self, keys: list[Key]) -> dict[Key, bytes]:
        """Return the stored hashes of `keys`; absent keys are left out."""
        nodes = self.nodes
        return {key: nodes[key] for key in keys if key in nodes}

    def put_many(self, nodes: Mapping[Key, bytes]) -> None:
        """Store new nodes."""
        self.nodes.update(nodes)


def _fetch(store: NodeStore, keys: list[Key]) -> dict[Key, bytes]:
    if not keys:
        return {}
    unique = list(dict.fromkeys(keys))
    found = store.get_many(unique)
    missing = [key for key in unique if key not in found]
    if missing:
        raise MissingNodesError(f"the store lacks nodes {missing[:5]}")
    return found


def _perfect_keys(begin: int, end: int) -> list[Key]:
    """Return the stored subtrees tiling leaves [begin, end), largest first."""
    # In an RFC 9162 tree every subtree starts at a multiple of a power of two at least as
    # large as its width, so the greedy tiling below lands on stored (aligned) nodes.
    keys = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        keys.append((level, begin >> level))
        begin += 1 << level
    return keys


def _compose(keys: list[Key], nodes: Mapping[Key, bytes]) -> bytes:
    """Return MTH of the subtree tiled by `keys` (largest first): a right fold."""
    result = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        result = node_hash(nodes[key], result)
    return result


def _hashes_of(ranges: list[tuple[int, int]], store: NodeStore) -> list[bytes]:
    """Return MTH of each leaf range, reading every stored node with one call."""
    tilings = [_perfect_keys(begin, end) for begin, end in ranges]
    nodes = _fetch(store, [key for keys in tilings for key in keys])
    return [_compose(keys, nodes) for keys in tilings]


def _split(size: int) -> int:
    """Return the largest power of two smaller than `size` (RFC 9162 k)."""
    return 1 << ((size - 1).bit_length() - 1)


def frontier_keys(tree_size: int) -> list[Key]:
    """Return the stored subtrees that tile a tree of `tree_size` leaves, largest first."""
    return _perfect_keys(0, tree_size)


def root_hash(*, tree_size: int, store: NodeStore) -> bytes:
    """Return MTH(D[0:tree_size])."""
    if tree_size < 0:
        raise ValueError("tree_size must not be negative")
    if tree_size == 0:
        return EMPTY_ROOT
    return _hashes_of([(0, tree_size)], store)[0]


def inclusion_ranges(index: int, tree_size: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose hashes are PATH(index, D[0:tree_size]), in proof order."""
    if not 0 <= index < tree_size:
        raise ValueError(f"index {index} is outside a tree of size {tree_size}")
    ranges = []
    begin, end = 0, tree_size
    while end - begin > 1:
        middle = begin + _split(end - begin)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((begin, middle))
            begin = middle
    return ranges[::-1]


def inclusion_proof(*, index: int, tree_size: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf `index` in the tree of `tree_size`."""
    return _hashes_of(inclusion_ranges(index, tree_size), store)


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose hashes are PROOF(size1, D[0:size2]), in proof order."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 in (0, size2):
        return []
    ranges = []
    # SUBPROOF(m, D[begin:end], whole) unrolled; m counts from begin.
    m, begin, end, whole = size1, 0, size2, True
    while m != end - begin:
        middle = begin + _split(end - begin)
        if begin + m <= middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((begin, middle))
            m, begin, whole = m - (middle - begin), middle, False
    if not whole:
        ranges.append((begin, end))
    return ranges[::-1]


def consistency_proof(*, size1: int, size2: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 9162 consistency proof from tree size `size1` to `size2`."""
    return _hashes_of(consistency_ranges(size1, size2), store)


def _append_reads(old_size: int, new_size: int) -> list[Key]:
    """Return the stored nodes that become left children of new nodes."""
    return [
        (level, (old_size >> level) - 1)
        for level in range(new_size.bit_length())
        if old_size >> level & 1 and old_size >> (level + 1) < new_size >> (level + 1)
    ]


def nodes_to_add(
    *, old_size: int, new_leaf_hashes: Sequence[bytes], store: NodeStore
) -> dict[Key, bytes]:
    """Return the perfect-subtree nodes that appending these leaf hashes creates."""
    if old_size < 0:
        raise ValueError("old_size must not be negative")
    if any(size != HASH_SIZE for size in map(len, new_leaf_hashes)):
        raise ValueError(f"a leaf hash must be {HASH_SIZE} bytes")
    if not new_leaf_hashes:
        return {}
    old_nodes = _fetch(store, _append_reads(old_size, old_size + len(new_leaf_hashes)))
    created: dict[Key, bytes] = {}
    row, first, level = list(new_leaf_hashes), old_size, 0
    while True:
        # row holds the new nodes of this level, indices first .. first + len(row) - 1.
        created.update(zip(zip(repeat(level), range(first, first + len(row))), row, strict=True))
        if first & 1:
            row.insert(0, old_nodes[(level, first - 1)])
            first -= 1
        if len(row) < 2:
            return created
        row = parent_hashes(row)
        first, level = first >> 1, level + 1
