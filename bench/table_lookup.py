"""Micro-benchmark of softswitch table lookups. Prints lookups per second; asserts nothing.

Run: ``PYTHONPATH=. python bench/table_lookup.py``
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from softswitch.engine import tables
from softswitch.engine.tables import Entry, KeySpec, MatchKind, Table


def rate(
    lookup: Callable[[tuple[int, ...]], Entry[str] | None], keys: Sequence[tuple[int, ...]], rounds: int = 3
) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for key in keys:
            lookup(key)
        elapsed = time.perf_counter() - start
        best = max(best, len(keys) / elapsed)
    return best


def show(label: str, lookups_per_s: float) -> None:
    print(f"{label:<58} {lookups_per_s / 1e6:8.2f} M lookups/s  ({1e9 / lookups_per_s:7.0f} ns each)")


def bench_exact(rng: random.Random) -> None:
    t: Table[str] = Table(
        "exact", [KeySpec("dst", MatchKind.EXACT, 48), KeySpec("vid", MatchKind.EXACT, 12)], 200_000, "miss"
    )
    keys = []
    for _ in range(100_000):
        key = (rng.getrandbits(48), rng.getrandbits(12))
        if t.get(list(key)) is None:
            t.insert(list(key), "fwd", [1])
            keys.append(key)
    hits = [keys[rng.randrange(len(keys))] for _ in range(200_000)]
    misses = [(rng.getrandbits(48), rng.getrandbits(12)) for _ in range(200_000)]
    show(f"exact, 2 keys, {len(t)} entries, hits", rate(t.lookup, hits))
    show(f"exact, 2 keys, {len(t)} entries, misses", rate(t.lookup, misses))


def bench_lpm(rng: random.Random) -> None:
    t: Table[str] = Table("lpm", [KeySpec("dst", MatchKind.LPM, 32)], 100_000, "miss")
    for _ in range(20_000):
        plen = rng.choice([8, 12, 16, 20, 22, 24, 24, 24, 28, 32])
        value = rng.getrandbits(32) & ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)
        if t.get([(value, plen)]) is None:
            t.insert([(value, plen)], "route")
    keys = [(rng.getrandbits(32),) for _ in range(200_000)]
    show(f"lpm, 1 key, {len(t)} prefixes over 9 lengths, random dst", rate(t.lookup, keys))
    t2: Table[str] = Table(
        "lpm2", [KeySpec("vrf", MatchKind.EXACT, 8), KeySpec("dst", MatchKind.LPM, 32)], 100_000, "m"
    )
    for vrf in range(4):
        for plen in (8, 16, 24, 32):
            for _ in range(500):
                value = rng.getrandbits(32) & ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)
                if t2.get([vrf, (value, plen)]) is None:
                    t2.insert([vrf, (value, plen)], "route")
    keys2 = [(rng.randrange(4), rng.getrandbits(32)) for _ in range(200_000)]
    show(f"lpm, exact+lpm, {len(t2)} prefixes over 4 lengths", rate(t2.lookup, keys2))


def ternary_table(rng: random.Random, n: int) -> Table[str]:
    t: Table[str] = Table(
        "acl",
        [
            KeySpec("src", MatchKind.TERNARY, 32),
            KeySpec("proto", MatchKind.TERNARY, 8),
            KeySpec("dport", MatchKind.RANGE, 16),
        ],
        10_000,
        "deny",
    )
    for i in range(n):
        src_mask = rng.choice([0, 0xFF000000, 0xFFFF0000, 0xFFFFFF00, 0xFFFFFFFF])
        src = rng.getrandbits(32) & src_mask
        proto = rng.choice([(6, 0xFF), (17, 0xFF), (0, 0)])
        lo = rng.randrange(0, 60000)
        hi = min(0xFFFF, lo + rng.randrange(0, 5000))
        t.insert([(src, src_mask), proto, (lo, hi)], "permit", priority=1 + i % 50)
    return t


def bench_ternary(rng: random.Random) -> None:
    for n in (16, 100, 1000):
        t = ternary_table(rng, n)
        flows = [(rng.getrandbits(32), rng.choice([6, 17]), rng.randrange(65536)) for _ in range(1000)]
        repeated = [flows[rng.randrange(len(flows))] for _ in range(100_000)]
        unique = [
            (rng.getrandbits(32), rng.choice([6, 17]), rng.randrange(65536))
            for _ in range(100_000 if n < 1000 else 20_000)
        ]
        saved = tables.CACHE_MIN_ENTRIES
        try:
            show(f"ternary+range, {n} entries, 1000 flows, cache", rate(t.lookup, repeated))
            show(f"ternary+range, {n} entries, all-new keys, cache", rate(t.lookup, unique))
            tables.CACHE_MIN_ENTRIES = 1 << 62  # cache off
            t._cache.clear()
            show(f"ternary+range, {n} entries, 1000 flows, no cache", rate(t.lookup, repeated))
            show(f"ternary+range, {n} entries, all-new keys, no cache", rate(t.lookup, unique))
        finally:
            tables.CACHE_MIN_ENTRIES = saved
    t1: Table[str] = Table("t1", [KeySpec("x", MatchKind.TERNARY, 16)], 64, "m")
    for i in range(8):
        t1.insert([(i << 8, 0xFF00)], "a", priority=i + 1)
    keys = [(rng.getrandbits(16),) for _ in range(200_000)]
    show("ternary, 1 key, 8 entries, random keys (cache churn)", rate(t1.lookup, keys))


def main() -> None:
    rng = random.Random(4)
    bench_exact(rng)
    bench_lpm(rng)
    bench_ternary(rng)


if __name__ == "__main__":
    main()
