"""Benchmark the consent log's Merkle tree and head signing, in memory (no database).

    .venv/bin/python bench/merkle.py [--backlog 1000000] [--batch 50000] [--leaves 10000000]

1. Appends: `nodes_to_add` over a backlog of leaves in batches, into a dict store.
2. Proofs: inclusion and consistency proofs against a tree of `--leaves` leaves. The store keeps
   each level as one packed byte string (32 bytes a node), built level by level with hashlib
   from random leaf hashes, so every proof is real and checked by the verifier.
3. Signing: one signed tree head (Ed25519 compact JWS), and its verification.

Prints figures; it is not a test. Pure Python, one core.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from privacy.consent.merkle import (
    Key,
    MemoryNodeStore,
    consistency_proof,
    frontier_keys,
    inclusion_proof,
    nodes_to_add,
    root_hash,
)
from privacy.consent.signing import generate_private_key, head_sign, jwks_of, kid_of
from privacy.consent.verifier import (
    head_verify,
    verify_consistency,
    verify_inclusion,
)

# Levels are built this many nodes at a time, to bound the list of digests held at once.
CHUNK = 1 << 20


class PackedStore:
    """A NodeStore whose level l is one bytes object of its stored nodes, 32 bytes each."""

    def __init__(self, levels: list[bytes]) -> None:
        self.levels = levels
        self.reads: list[int] = []

    def get_many(self, keys: list[Key]) -> dict[Key, bytes]:
        self.reads.append(len(keys))
        found = {}
        for level, index in keys:
            row = self.levels[level] if level < len(self.levels) else b""
            if 32 * index + 32 <= len(row):
                found[level, index] = row[32 * index : 32 * index + 32]
        return found

    def nbytes(self) -> int:
        return sum(len(row) for row in self.levels)


def parent_level(row: bytes) -> bytes:
    sha256 = hashlib.sha256
    parts = []
    for start in range(0, len(row) // 64, CHUNK):
        stop = min(start + CHUNK, len(row) // 64)
        parts.append(
            b"".join(
                sha256(b"\x01" + row[64 * i : 64 * i + 64]).digest() for i in range(start, stop)
            )
        )
    return b"".join(parts)


def build_packed(leaves: int) -> PackedStore:
    levels = [os.urandom(32 * leaves)]  # stand-ins for leaf hashes: any 32 bytes will do
    while len(levels[-1]) >= 64:
        levels.append(parent_level(levels[-1]))
    return PackedStore(levels)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_appends(backlog: int, batch: int) -> None:
    store = MemoryNodeStore()
    leaves = [os.urandom(32) for _ in range(batch)]  # reused per batch: the hashing is the same
    compute = stored = 0.0
    size = 0
    while size < backlog:
        count = min(batch, backlog - size)
        started = time.perf_counter()
        created = nodes_to_add(old_size=size, new_leaf_hashes=leaves[:count], store=store)
        compute += time.perf_counter() - started
        started = time.perf_counter()
        store.put_many(created)
        stored += time.perf_counter() - started
        size += count
    batches = -(-backlog // batch)
    print(f"appends: {backlog:,} leaves in {batches} batches of {batch:,}")
    print(
        f"  nodes_to_add: {compute:.2f} s, {backlog / compute:,.0f} records/s, "
        f"{compute / batches * 1000:.0f} ms a batch"
    )
    print(f"  + dict store writes: {stored:.2f} s ({len(store.nodes):,} nodes stored)")
    started = time.perf_counter()
    root_hash(tree_size=size, store=store)
    print(f"  root_hash after the backlog: {(time.perf_counter() - started) * 1e6:.0f} µs")
    print(f"  peak RSS so far: {peak_rss_mib():,.0f} MiB")


def timed(call, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat


def bench_proofs(leaves: int, samples: int) -> None:
    started = time.perf_counter()
    store = build_packed(leaves)
    built = time.perf_counter() - started
    print(
        f"proofs: tree of {leaves:,} leaves built level by level in {built:.1f} s, "
        f"{store.nbytes() / 2**20:,.0f} MiB of node hashes, peak RSS {peak_rss_mib():,.0f} MiB"
    )
    rng = random.Random(9162)
    root = root_hash(tree_size=leaves, store=store)
    print(f"  root_hash: {len(frontier_keys(leaves))} keys read")

    indices = [rng.randrange(leaves) for _ in range(samples)]
    store.reads.clear()
    started = time.perf_counter()
    proofs = [inclusion_proof(index=i, tree_size=leaves, store=store) for i in indices]
    each = (time.perf_counter() - started) / samples
    print(
        f"  inclusion_proof: {each * 1e6:.1f} µs each over {samples:,} random leaves, "
        f"{len(store.reads) / samples:.0f} read of {max(store.reads)} keys at most"
    )
    started = time.perf_counter()
    for index, proof in zip(indices, proofs, strict=True):
        leaf = store.levels[0][32 * index : 32 * index + 32]
        assert verify_inclusion(
            leaf_hash=leaf, index=index, tree_size=leaves, proof=proof, root=root
        )
    print(f"  verify_inclusion: {(time.perf_counter() - started) / samples * 1e6:.1f} µs each")

    sizes = [rng.randrange(1, leaves) for _ in range(samples)]
    store.reads.clear()
    started = time.perf_counter()
    proofs = [consistency_proof(size1=s, size2=leaves, store=store) for s in sizes]
    each = (time.perf_counter() - started) / samples
    print(
        f"  consistency_proof: {each * 1e6:.1f} µs each over {samples:,} random old sizes, "
        f"{len(store.reads) / samples:.0f} read of {max(store.reads)} keys at most"
    )
    checked = min(samples, 1000)  # each check needs the old root: one more read
    started = time.perf_counter()
    for size1, proof in zip(sizes[:checked], proofs[:checked], strict=True):
        old_root = root_hash(tree_size=size1, store=store)
        assert verify_consistency(
            size1=size1, size2=leaves, root1=old_root, root2=root, proof=proof
        )
    spent = (time.perf_counter() - started) / checked
    print(f"  root_hash(old size) + verify_consistency: {spent * 1e6:.1f} µs each")


def bench_signing(repeat: int) -> None:
    key = generate_private_key()
    kid = kid_of(key.public_key())
    jwks = jwks_of([key.public_key()])
    root = os.urandom(32)
    now = datetime.now(UTC)

    def sign() -> str:
        return head_sign(
            log="consent", tree_size=10**7, root_hash=root, timestamp=now, private_key=key, kid=kid
        )

    token = sign()
    signing = timed(sign, repeat)
    verifying = timed(lambda: head_verify(token, jwks), repeat)
    print(
        f"signing: head_sign {signing * 1e3:.3f} ms a token, head_verify {verifying * 1e3:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backlog", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--sign", type=int, default=5_000, help="tokens to sign and verify")
    args = parser.parse_args()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    bench_signing(args.sign)
    bench_appends(args.backlog, args.batch)
    bench_proofs(args.leaves, args.samples)


if __name__ == "__main__":
    main()
