"""The consent log's Merkle tree over stored nodes: known answers, the RFC's own definitions,
one read per proof, and bulk appends."""

from __future__ import annotations

import functools
import hashlib
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.consent.merkle import (
    Key,
    MemoryNodeStore,
    MissingNodesError,
    consistency_proof,
    frontier_keys,
    inclusion_proof,
    nodes_to_add,
    root_hash,
)
from privacy.consent.verifier import (
    leaf_hash,
    node_hash,
    parent_hashes,
    verify_consistency,
    verify_inclusion,
)
from tests.privacy.consent.vectors import CONSISTENCY_PROOFS, INCLUSION_PROOFS, LEAVES, ROOTS

# The stored nodes, as (level, index), that each proof is built from: transparency-dev/merkle
# proof/proof_test.go, TestInclusion and TestConsistency (compact.NewNodeID(level, index)).
INCLUSION_NODES = {  # (index, tree size): nodes
    (0, 2): {(0, 1)},
    (1, 2): {(0, 0)},
    (1, 3): {(0, 0), (0, 2)},
    (0, 7): {(0, 1), (1, 1), (0, 6), (1, 2)},
    (2, 7): {(0, 3), (1, 0), (0, 6), (1, 2)},
    (4, 7): {(0, 5), (0, 6), (2, 0)},
    (6, 7): {(1, 2), (2, 0)},
    (2, 4): {(0, 3), (1, 0)},
    (3, 5): {(0, 2), (1, 0), (0, 4)},
    (3, 6): {(0, 2), (1, 0), (1, 2)},
    (4, 6): {(0, 5), (2, 0)},
    (10, 15): {(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)},
    (24, 31): {(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)},
    (81, 95): {(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)},
}
CONSISTENCY_NODES = {  # (size1, size2): nodes
    (1, 2): {(0, 1)},
    (1, 4): {(0, 1), (1, 1)},
    (1, 6): {(0, 1), (1, 1), (1, 2)},
    (2, 3): {(0, 2)},
    (2, 8): {(1, 1), (2, 1)},
    (3, 7): {(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)},
    (4, 7): {(0, 6), (1, 2)},
    (5, 7): {(0, 4), (0, 5), (0, 6), (2, 0)},
    (6, 7): {(1, 2), (0, 6), (2, 0)},
    (7, 8): {(0, 6), (0, 7), (1, 2), (2, 0)},
    (2, 4): {(1, 1)},
    (3, 5): {(0, 2), (0, 3), (1, 0), (0, 4)},
    (3, 6): {(0, 2), (0, 3), (1, 0), (1, 2)},
    (4, 6): {(1, 2)},
    (1, 7): {(0, 1), (1, 1), (0, 6), (1, 2)},
    (10, 15): {(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)},
    (24, 31): {(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)},
    (81, 95): {(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)},
}


class CountingStore(MemoryNodeStore):
    """A memory store that keeps the key list of every read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[list[Key]] = []

    def get_many(self, keys: list[Key]) -> dict[Key, bytes]:
        self.reads.append(list(keys))
        return super().get_many(keys)


def store_of(leaves: list[bytes], batch: int = 1) -> CountingStore:
    store = CountingStore()
    for start in range(0, len(leaves), batch):
        hashes = [leaf_hash(data) for data in leaves[start : start + batch]]
        store.put_many(nodes_to_add(old_size=start, new_leaf_hashes=hashes, store=store))
    store.reads.clear()
    return store


def data_leaves(count: int) -> list[bytes]:
    return [f"consent record {n}".encode() for n in range(count)]


# The RFC 9162 §2.1 definitions, written out plainly over lists of leaf data.


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.cache
def mth(d: tuple[bytes, ...]) -> bytes:
    if not d:
        return _sha256(b"")
    if len(d) == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(len(d))
    return _sha256(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: tuple[bytes, ...], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    return subproof(m, d, True) if 0 < m < len(d) else []


REFERENCE_LEAVES = tuple(data_leaves(70))
REFERENCE_STORE = store_of(list(REFERENCE_LEAVES))


def test_the_roots_of_the_rfc_test_tree_match_the_published_values_for_sizes_1_to_8():
    store = store_of(LEAVES)
    assert [root_hash(tree_size=n, store=store) for n in range(1, 9)] == ROOTS


def test_the_reference_definitions_give_the_published_roots_too():
    assert [mth(tuple(LEAVES[:n])) for n in range(1, 9)] == ROOTS


def test_the_empty_tree_has_the_hash_of_nothing_as_root_and_reads_nothing():
    store = CountingStore()
    expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_hash(tree_size=0, store=store).hex() == expected
    assert store.reads == []


@pytest.mark.parametrize(("index", "size"), INCLUSION_PROOFS)
def test_an_inclusion_proof_from_the_store_equals_the_published_one(index, size):
    got = inclusion_proof(index=index, tree_size=size, store=store_of(LEAVES))
    assert [h.hex() for h in got] == INCLUSION_PROOFS[index, size]


@pytest.mark.parametrize(("size1", "size2"), CONSISTENCY_PROOFS)
def test_a_consistency_proof_from_the_store_equals_the_published_one(size1, size2):
    got = consistency_proof(size1=size1, size2=size2, store=store_of(LEAVES))
    assert [h.hex() for h in got] == CONSISTENCY_PROOFS[size1, size2]


@pytest.mark.parametrize(("index", "size"), INCLUSION_NODES)
def test_an_inclusion_proof_reads_exactly_the_nodes_transparency_dev_names(index, size):
    store = store_of(data_leaves(100), batch=7)
    inclusion_proof(index=index, tree_size=size, store=store)
    assert len(store.reads) == 1
    assert sorted(store.reads[0]) == sorted(INCLUSION_NODES[index, size])


@pytest.mark.parametrize(("size1", "size2"), CONSISTENCY_NODES)
def test_a_consistency_proof_reads_exactly_the_nodes_transparency_dev_names(size1, size2):
    store = store_of(data_leaves(100), batch=7)
    consistency_proof(size1=size1, size2=size2, store=store)
    assert len(store.reads) == 1
    assert sorted(store.reads[0]) == sorted(CONSISTENCY_NODES[size1, size2])


def test_the_root_from_the_store_equals_the_rfc_definition_for_every_size_up_to_70():
    for size in range(1, 71):
        got = root_hash(tree_size=size, store=REFERENCE_STORE)
        assert got == mth(REFERENCE_LEAVES[:size]), size


def test_inclusion_proofs_from_the_store_equal_the_rfc_path_for_every_index_and_size_to_70():
    for size in range(1, 71):
        d = REFERENCE_LEAVES[:size]
        for index in range(size):
            got = inclusion_proof(index=index, tree_size=size, store=REFERENCE_STORE)
            assert got == path(index, d), (index, size)


def test_consistency_proofs_from_the_store_equal_the_rfc_proof_for_every_pair_of_sizes_to_70():
    for size2 in range(0, 71):
        d = REFERENCE_LEAVES[:size2]
        for size1 in range(0, size2 + 1):
            got = consistency_proof(size1=size1, size2=size2, store=REFERENCE_STORE)
            assert got == proof(size1, d), (size1, size2)


def test_an_inclusion_proof_from_the_store_verifies_for_every_leaf_of_every_size_up_to_64():
    for size in range(1, 65):
        root = root_hash(tree_size=size, store=REFERENCE_STORE)
        for index in range(size):
            assert verify_inclusion(
                leaf_hash=leaf_hash(REFERENCE_LEAVES[index]),
                index=index,
                tree_size=size,
                proof=inclusion_proof(index=index, tree_size=size, store=REFERENCE_STORE),
                root=root,
            ), (index, size)


def test_a_consistency_proof_from_the_store_verifies_for_every_pair_of_sizes_up_to_64():
    roots = [root_hash(tree_size=n, store=REFERENCE_STORE) for n in range(65)]
    for size2 in range(65):
        for size1 in range(size2 + 1):
            assert verify_consistency(
                size1=size1,
                size2=size2,
                root1=roots[size1],
                root2=roots[size2],
                proof=consistency_proof(size1=size1, size2=size2, store=REFERENCE_STORE),
            ), (size1, size2)


def test_every_proof_costs_at_most_one_read_of_at_most_two_keys_per_tree_level():
    store = store_of(data_leaves(1000), batch=97)
    for size in (1, 2, 3, 255, 256, 257, 511, 777, 1000):
        bound = 2 * size.bit_length()
        for index in {0, size // 3, size // 2, size - 1}:
            store.reads.clear()
            inclusion_proof(index=index, tree_size=size, store=store)
            assert len(store.reads) <= 1
            assert all(len(keys) <= bound for keys in store.reads)
        for size1 in {0, 1, size // 3, size - 1, size}:
            store.reads.clear()
            consistency_proof(size1=size1, size2=size, store=store)
            assert len(store.reads) <= 1
            assert all(len(keys) <= bound for keys in store.reads)
        store.reads.clear()
        root_hash(tree_size=size, store=store)
        assert store.reads == [frontier_keys(size)]


def test_appending_reads_only_the_left_frontier_it_hashes_with_in_one_call():
    store = store_of(data_leaves(1000))
    # 1000 = 0b1111101000: the new leaves hang off the perfect subtrees of levels 3, 5 to 9.
    nodes_to_add(old_size=1000, new_leaf_hashes=[leaf_hash(b"x")] * 24, store=store)
    assert store.reads == [[(3, 124), (5, 30), (6, 14), (7, 6), (8, 2), (9, 0)]]


def test_appending_nothing_creates_nothing_and_reads_nothing():
    store = store_of(data_leaves(5))
    assert nodes_to_add(old_size=5, new_leaf_hashes=[], store=store) == {}
    assert store.reads == []


def test_appending_creates_exactly_the_perfect_subtrees_that_became_complete():
    store = store_of(data_leaves(5))
    created = nodes_to_add(old_size=5, new_leaf_hashes=[leaf_hash(b"a")] * 3, store=store)
    assert sorted(created) == [(0, 5), (0, 6), (0, 7), (1, 2), (1, 3), (2, 1), (3, 0)]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
)
def test_appending_in_any_batches_stores_what_appending_one_by_one_stores(sizes):
    leaves = data_leaves(sum(sizes))
    one_by_one = store_of(leaves)
    batched = MemoryNodeStore()
    start = 0
    for size in sizes:
        hashes = [leaf_hash(data) for data in leaves[start : start + size]]
        batched.put_many(nodes_to_add(old_size=start, new_leaf_hashes=hashes, store=batched))
        start += size
    assert batched.nodes == one_by_one.nodes
    assert root_hash(tree_size=start, store=batched) == mth(tuple(leaves))


def test_appending_50000_leaves_to_a_large_tree_takes_well_under_a_second():
    store = MemoryNodeStore()
    hashes = [os.urandom(32) for _ in range(50_000)]
    store.put_many(nodes_to_add(old_size=0, new_leaf_hashes=hashes, store=store))
    started = time.perf_counter()
    created = nodes_to_add(old_size=50_000, new_leaf_hashes=hashes, store=store)
    elapsed = time.perf_counter() - started
    assert len(created) == 100_000  # doubling a tree doubles its node count: n leaves, n inner
    assert elapsed < 1.0, f"{elapsed:.3f} s"


def test_a_store_missing_a_node_is_reported_not_papered_over():
    store = store_of(data_leaves(8))
    del store.nodes[(1, 3)]
    with pytest.raises(MissingNodesError, match=r"\(1, 3\)"):
        inclusion_proof(index=4, tree_size=8, store=store)
    with pytest.raises(MissingNodesError):
        nodes_to_add(old_size=7, new_leaf_hashes=[leaf_hash(b"x")], store=MemoryNodeStore())


@pytest.mark.parametrize(
    "call",
    [
        lambda s: inclusion_proof(index=5, tree_size=5, store=s),
        lambda s: inclusion_proof(index=-1, tree_size=5, store=s),
        lambda s: inclusion_proof(index=0, tree_size=0, store=s),
        lambda s: consistency_proof(size1=6, size2=5, store=s),
        lambda s: consistency_proof(size1=-1, size2=5, store=s),
        lambda s: root_hash(tree_size=-1, store=s),
        lambda s: nodes_to_add(old_size=-1, new_leaf_hashes=[], store=s),
        lambda s: nodes_to_add(old_size=5, new_leaf_hashes=[b"short"], store=s),
    ],
)
def test_requests_outside_the_tree_are_refused(call):
    with pytest.raises(ValueError):
        call(store_of(data_leaves(5)))


def test_batched_parent_hashing_equals_node_hash_pair_by_pair():
    row = [leaf_hash(bytes([n])) for n in range(7)]
    assert parent_hashes(row) == [node_hash(row[i], row[i + 1]) for i in (0, 2, 4)]
