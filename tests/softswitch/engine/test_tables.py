"""Tests for softswitch.engine.tables: P4Runtime write semantics and lookup per table kind."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import (
    KeySpec,
    MatchKind,
    RefCounted,
    Table,
    is_wildcard,
    validate_p4runtime_field,
    wildcard,
)

EXACT = MatchKind.EXACT
LPM = MatchKind.LPM
TERNARY = MatchKind.TERNARY
RANGE = MatchKind.RANGE
OPTIONAL = MatchKind.OPTIONAL


def ip(text: str) -> int:
    a, b, c, d = (int(x) for x in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def code_of(exc: pytest.ExceptionInfo[EntityError]) -> ErrorCode:
    return exc.value.code


def exact_table(size: int = 1024) -> Table[str]:
    return Table("t_exact", [KeySpec("h.a", EXACT, 8), KeySpec("h.b", EXACT, 16)], size, "NoAction")


def lpm_table() -> Table[str]:
    return Table("t_lpm", [KeySpec("ipv4.dst", LPM, 32)], 1024, "miss")


def ternary_table(size: int = 1024) -> Table[str]:
    return Table("t_tern", [KeySpec("h.x", TERNARY, 8)], size, "miss")


# ------------------------------------------------------------------------------------ exact


def test_exact_insert_lookup_and_miss() -> None:
    t = exact_table()
    assert t.lookup_kind == "exact"
    e = t.insert([1, 0x0800], "fwd", [3])
    assert t.lookup((1, 0x0800)) is e
    assert e.action == "fwd" and e.args == (3,)
    assert t.lookup((1, 0x0801)) is None
    assert t.lookup((2, 0x0800)) is None
    assert len(t) == 1


def test_exact_duplicate_insert_is_already_exists() -> None:
    t = exact_table()
    t.insert([1, 2], "a")
    with pytest.raises(EntityError) as exc:
        t.insert([1, 2], "b")
    assert code_of(exc) is ErrorCode.ALREADY_EXISTS
    assert t.lookup((1, 2)) is not None and t.lookup((1, 2)).action == "a"  # type: ignore[union-attr]


def test_modify_and_delete_missing_are_not_found() -> None:
    t = exact_table()
    with pytest.raises(EntityError) as exc:
        t.modify([1, 2], "a")
    assert code_of(exc) is ErrorCode.NOT_FOUND
    with pytest.raises(EntityError) as exc:
        t.delete([1, 2])
    assert code_of(exc) is ErrorCode.NOT_FOUND


def test_modify_keeps_counters_and_identity() -> None:
    t = exact_table()
    e = t.insert([1, 2], "a", [1])
    e.packets, e.bytes = 5, 500
    e2 = t.modify([1, 2], "b", [9])
    assert e2 is e and t.lookup((1, 2)) is e
    assert (e.action, e.args, e.packets, e.bytes) == ("b", (9,), 5, 500)


def test_delete_then_reinsert() -> None:
    t = exact_table()
    t.insert([1, 2], "a")
    removed = t.delete([1, 2])
    assert removed.action == "a"
    assert t.lookup((1, 2)) is None and len(t) == 0
    t.insert([1, 2], "b")
    assert t.lookup((1, 2)).action == "b"  # type: ignore[union-attr]


def test_value_wider_than_key_is_invalid_argument() -> None:
    t = exact_table()
    with pytest.raises(EntityError) as exc:
        t.insert([256, 0], "a")
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT
    with pytest.raises(EntityError) as exc:
        t.insert([-1, 0], "a")
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_wrong_number_or_type_of_fields_is_invalid_argument() -> None:
    t = exact_table()
    for bad in ([1], [1, 2, 3], [(1, 2), 3], [None, 3]):
        with pytest.raises(EntityError) as exc:
            t.insert(bad, "a")
        assert code_of(exc) is ErrorCode.INVALID_ARGUMENT, bad


def test_nonzero_priority_on_exact_table_is_invalid_argument() -> None:
    t = exact_table()
    with pytest.raises(EntityError) as exc:
        t.insert([1, 2], "a", priority=1)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_iteration_is_insertion_order_and_get() -> None:
    t = exact_table()
    t.insert([3, 3], "c")
    t.insert([1, 1], "a")
    t.insert([2, 2], "b")
    assert [e.action for e in t] == ["c", "a", "b"]
    assert t.get([1, 1]) is not None and t.get([1, 1]).action == "a"  # type: ignore[union-attr]
    assert t.get([9, 9]) is None
    # iterating over a snapshot allows deleting while iterating
    for e in t:
        t.delete(list(e.match))
    assert len(t) == 0


# -------------------------------------------------------------------------------------- lpm


def test_lpm_longest_prefix_wins() -> None:
    t = lpm_table()
    assert t.lookup_kind == "lpm"
    t.insert([(ip("10.0.0.0"), 8)], "A")
    t.insert([(ip("10.1.0.0"), 16)], "B")
    t.insert([(ip("10.1.2.0"), 24)], "C")
    t.insert([(0, 0)], "D")  # default route: allowed outside P4Runtime
    cases = {"10.1.2.3": "C", "10.1.3.3": "B", "10.2.0.0": "A", "11.0.0.0": "D", "10.1.2.255": "C"}
    for addr, want in cases.items():
        hit = t.lookup((ip(addr),))
        assert hit is not None and hit.action == want, addr
    t.delete([(0, 0)])
    assert t.lookup((ip("11.0.0.0"),)) is None
    t.delete([(ip("10.1.2.0"), 24)])
    assert t.lookup((ip("10.1.2.3"),)).action == "B"  # type: ignore[union-attr]


def test_lpm_host_route_and_same_value_different_lengths_are_distinct() -> None:
    t = lpm_table()
    t.insert([(ip("10.0.0.0"), 8)], "net")
    t.insert([(ip("10.0.0.0"), 32)], "host")
    assert t.lookup((ip("10.0.0.0"),)).action == "host"  # type: ignore[union-attr]
    assert t.lookup((ip("10.0.0.1"),)).action == "net"  # type: ignore[union-attr]
    with pytest.raises(EntityError) as exc:
        t.insert([(ip("10.0.0.0"), 8)], "again")
    assert code_of(exc) is ErrorCode.ALREADY_EXISTS


def test_lpm_with_exact_keys() -> None:
    t: Table[str] = Table("t", [KeySpec("vrf", EXACT, 8), KeySpec("dst", LPM, 32)], 64, "miss")
    assert t.lookup_kind == "lpm"
    t.insert([1, (ip("10.0.0.0"), 8)], "vrf1-8")
    t.insert([2, (ip("10.1.0.0"), 16)], "vrf2-16")
    t.insert([2, (ip("10.0.0.0"), 8)], "vrf2-8")
    assert t.lookup((1, ip("10.1.2.3"))).action == "vrf1-8"  # type: ignore[union-attr]
    assert t.lookup((2, ip("10.1.2.3"))).action == "vrf2-16"  # type: ignore[union-attr]
    assert t.lookup((2, ip("10.2.0.0"))).action == "vrf2-8"  # type: ignore[union-attr]
    assert t.lookup((3, ip("10.1.2.3"))) is None


def test_lpm_with_lpm_key_first() -> None:
    t: Table[str] = Table("t", [KeySpec("dst", LPM, 16), KeySpec("port", EXACT, 9)], 64, "miss")
    t.insert([(0xAB00, 8), 5], "x")
    assert t.lookup((0xABCD, 5)).action == "x"  # type: ignore[union-attr]
    assert t.lookup((0xABCD, 6)) is None
    assert t.lookup((0xAC00, 5)) is None


def test_lpm_validation() -> None:
    t = lpm_table()
    bad = [
        (ip("10.0.0.1"), 8),  # bits past the prefix
        (ip("10.0.0.0"), 33),  # prefix longer than the key
        (ip("10.0.0.0"), -1),
        (1 << 32, 32),  # too wide
    ]
    for value in bad:
        with pytest.raises(EntityError) as exc:
            t.insert([value], "a")
        assert code_of(exc) is ErrorCode.INVALID_ARGUMENT, value
    with pytest.raises(EntityError) as exc:
        t.insert([ip("10.0.0.0")], "a")  # not a pair
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_two_lpm_keys_without_ternary_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="more than one lpm"):
        Table("t", [KeySpec("a", LPM, 8), KeySpec("b", LPM, 8)], 4, "x")


# ------------------------------------------------------------------------ ternary / range


def test_ternary_higher_priority_wins() -> None:
    t = ternary_table()
    assert t.lookup_kind == "ternary"
    t.insert([(0x00, 0x00)], "any", priority=1)
    t.insert([(0x10, 0xF0)], "high-nibble-1", priority=10)
    t.insert([(0x12, 0xFF)], "exactly-12", priority=5)
    assert t.lookup((0x12,)).action == "high-nibble-1"  # type: ignore[union-attr]
    assert t.lookup((0x1F,)).action == "high-nibble-1"  # type: ignore[union-attr]
    assert t.lookup((0x22,)).action == "any"  # type: ignore[union-attr]
    t.modify([(0x12, 0xFF)], "exactly-12", priority=5)  # modify doesn't reorder
    t.delete([(0x10, 0xF0)], priority=10)
    assert t.lookup((0x12,)).action == "exactly-12"  # type: ignore[union-attr]


def test_ternary_priority_ties_go_to_lowest_handle() -> None:
    t = ternary_table()
    t.insert([(0, 0)], "first", priority=5)
    t.insert([(0x01, 0x01)], "second", priority=5)
    t.insert([(0x01, 0x03)], "third", priority=5)
    assert t.lookup((0x01,)).action == "first"  # type: ignore[union-attr]
    t.delete([(0, 0)], priority=5)
    assert t.lookup((0x01,)).action == "second"  # type: ignore[union-attr]
    # The freed handle 0 is reused, and (as in BMv2) the lower handle wins the tie.
    e = t.insert([(0x00, 0x02)], "fourth", priority=5)
    assert e.seq == 0
    assert t.lookup((0x01,)).action == "fourth"  # type: ignore[union-attr]


def test_same_match_different_priority_are_distinct_entries() -> None:
    t = ternary_table()
    t.insert([(0x01, 0xFF)], "p1", priority=1)
    t.insert([(0x01, 0xFF)], "p2", priority=2)
    assert len(t) == 2
    assert t.lookup((0x01,)).action == "p2"  # type: ignore[union-attr]
    t.delete([(0x01, 0xFF)], priority=2)
    assert t.lookup((0x01,)).action == "p1"  # type: ignore[union-attr]
    with pytest.raises(EntityError) as exc:
        t.delete([(0x01, 0xFF)], priority=3)
    assert code_of(exc) is ErrorCode.NOT_FOUND


def test_priority_required_for_ternary_tables() -> None:
    t = ternary_table()
    for prio in (0, -1):
        with pytest.raises(EntityError) as exc:
            t.insert([(1, 1)], "a", priority=prio)
        assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_ternary_value_outside_mask_is_invalid() -> None:
    t = ternary_table()
    with pytest.raises(EntityError) as exc:
        t.insert([(0x13, 0xF0)], "a", priority=1)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_ternary_cache_is_invalidated_by_writes() -> None:
    t = ternary_table()
    for i in range(8):  # enough entries for the cache to be active
        t.insert([(0x80 | i, 0xFF)], f"e{i}", priority=1)
    assert t.lookup((0x05,)) is None
    assert t.lookup((0x05,)) is None  # now cached
    t.insert([(0x05, 0xFF)], "new", priority=1)
    assert t.lookup((0x05,)).action == "new"  # type: ignore[union-attr]
    t.insert([(0x00, 0x00)], "top", priority=100)
    assert t.lookup((0x05,)).action == "top"  # type: ignore[union-attr]
    t.delete([(0x00, 0x00)], priority=100)
    assert t.lookup((0x05,)).action == "new"  # type: ignore[union-attr]
    t.clear()
    assert t.lookup((0x05,)) is None


def test_range_and_ternary_together() -> None:
    t: Table[str] = Table("acl", [KeySpec("proto", TERNARY, 8), KeySpec("dport", RANGE, 16)], 64, "deny")
    assert t.lookup_kind == "range"
    t.insert([(6, 0xFF), (1000, 2000)], "tcp-mid", priority=10)
    t.insert([(0, 0), (0, 0xFFFF)], "anything", priority=1)
    t.insert([(17, 0xFF), (53, 53)], "dns", priority=20)
    assert t.lookup((6, 1000)).action == "tcp-mid"  # type: ignore[union-attr]
    assert t.lookup((6, 2000)).action == "tcp-mid"  # type: ignore[union-attr]
    assert t.lookup((6, 2001)).action == "anything"  # type: ignore[union-attr]
    assert t.lookup((6, 999)).action == "anything"  # type: ignore[union-attr]
    assert t.lookup((17, 53)).action == "dns"  # type: ignore[union-attr]
    assert t.lookup((17, 54)).action == "anything"  # type: ignore[union-attr]


def test_range_low_above_high_is_invalid() -> None:
    t: Table[str] = Table("r", [KeySpec("p", RANGE, 16)], 8, "x")
    with pytest.raises(EntityError) as exc:
        t.insert([(10, 9)], "a", priority=1)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT
    t.insert([(10, 10)], "single", priority=1)
    assert t.lookup((10,)).action == "single"  # type: ignore[union-attr]
    assert t.lookup((11,)) is None


def test_optional_wildcard_and_value() -> None:
    t: Table[str] = Table("o", [KeySpec("port", OPTIONAL, 9), KeySpec("vid", EXACT, 12)], 8, "x")
    assert t.needs_priority and t.lookup_kind == "ternary"
    t.insert([None, 10], "any-port", priority=1)
    t.insert([3, 10], "port3", priority=2)
    assert t.lookup((3, 10)).action == "port3"  # type: ignore[union-attr]
    assert t.lookup((4, 10)).action == "any-port"  # type: ignore[union-attr]
    assert t.lookup((4, 11)) is None
    with pytest.raises(EntityError) as exc:
        t.insert([(1, 1), 10], "a", priority=1)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


def test_lpm_key_inside_ternary_table_acts_as_mask() -> None:
    t: Table[str] = Table("m", [KeySpec("dst", LPM, 32), KeySpec("tos", TERNARY, 8)], 8, "x")
    t.insert([(ip("10.0.0.0"), 8), (0, 0)], "ten", priority=1)
    t.insert([(ip("10.1.0.0"), 16), (0x10, 0xF0)], "ten-one", priority=2)
    assert t.lookup((ip("10.1.0.1"), 0x15)).action == "ten-one"  # type: ignore[union-attr]
    assert t.lookup((ip("10.1.0.1"), 0x25)).action == "ten"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- const / size


def test_const_table_refuses_writes_but_loader_can_install() -> None:
    t: Table[str] = Table("c", [KeySpec("k", EXACT, 8)], 4, "NoAction", is_const=True)
    t.install_initial([1], "one")
    assert t.lookup((1,)).action == "one"  # type: ignore[union-attr]
    ops: list[Callable[[], object]] = [
        lambda: t.insert([2], "two"),
        lambda: t.modify([1], "uno"),
        lambda: t.delete([1]),
    ]
    for op in ops:
        with pytest.raises(EntityError) as exc:
            op()
        assert code_of(exc) is ErrorCode.PERMISSION_DENIED
    assert t.lookup((1,)).action == "one"  # type: ignore[union-attr]
    assert [e.action for e in t] == ["one"]  # const tables can be read


def test_const_default_action() -> None:
    t: Table[str] = Table("c", [KeySpec("k", EXACT, 8)], 4, "drop", [7], const_default=True)
    with pytest.raises(EntityError) as exc:
        t.set_default("fwd", [1])
    assert code_of(exc) is ErrorCode.PERMISSION_DENIED
    with pytest.raises(EntityError) as exc:
        t.reset_default()
    assert code_of(exc) is ErrorCode.PERMISSION_DENIED
    assert (t.default_action, t.default_args) == ("drop", (7,))


def test_set_and_reset_default() -> None:
    t: Table[str] = Table("d", [KeySpec("k", EXACT, 8)], 4, "NoAction")
    t.set_default("fwd", [2])
    assert (t.default_action, t.default_args) == ("fwd", (2,))
    t.reset_default()
    assert (t.default_action, t.default_args) == ("NoAction", ())


def test_size_limit_is_resource_exhausted() -> None:
    t = exact_table(size=2)
    t.insert([1, 1], "a")
    t.insert([1, 2], "b")
    with pytest.raises(EntityError) as exc:
        t.insert([1, 3], "c")
    assert code_of(exc) is ErrorCode.RESOURCE_EXHAUSTED
    t.delete([1, 1])
    t.insert([1, 3], "c")
    # duplicate detection comes before the size check
    with pytest.raises(EntityError) as exc:
        t.insert([1, 3], "c")
    assert code_of(exc) is ErrorCode.ALREADY_EXISTS


def test_declared_size_costs_nothing_until_filled() -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tables = [
            Table("big", [KeySpec("k", EXACT, 32)], 1_000_000, "x"),
            Table("big", [KeySpec("k", LPM, 32)], 1_000_000, "x"),
            Table("big", [KeySpec("k", TERNARY, 32)], 1_000_000, "x"),
        ]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(tables) == 3
    assert after - before < 64 * 1024


def test_keyless_table_always_misses_and_refuses_entries() -> None:
    t: Table[str] = Table("kl", [], 1024, "act", [1])
    assert t.lookup_kind == "keyless"
    assert t.lookup(()) is None
    with pytest.raises(EntityError) as exc:
        t.insert([], "x")
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT
    t.set_default("other")
    assert t.default_action == "other"


# ----------------------------------------------------------------------- bound lookup


@pytest.mark.parametrize(
    ("keys", "match", "key", "prio"),
    [
        ([KeySpec("k", EXACT, 8)], [5], (5,), 0),
        ([KeySpec("k", LPM, 8)], [(0x50, 4)], (0x5A,), 0),
        ([KeySpec("k", TERNARY, 8)], [(0x50, 0xF0)], (0x5A,), 1),
        ([KeySpec("k", RANGE, 8)], [(0x50, 0x5F)], (0x5A,), 1),
    ],
)
def test_lookup_callable_stays_valid_across_writes_and_clear(
    keys: list[KeySpec], match: list[object], key: tuple[int, ...], prio: int
) -> None:
    t: Table[str] = Table("b", keys, 16, "x")
    lookup = t.lookup
    assert lookup(key) is None
    t.insert(match, "hit", priority=prio)
    assert lookup(key) is not None
    t.clear()
    assert lookup(key) is None and len(t) == 0
    t.insert(match, "again", priority=prio)
    assert lookup(key).action == "again"  # type: ignore[union-attr]


# ----------------------------------------------------------------------- idle timeout


def test_idle_timeout_expiry() -> None:
    t: Table[str] = Table("idle", [KeySpec("k", EXACT, 8)], 16, "x", supports_timeout=True)
    a = t.insert([1], "a", ttl_ns=1000, now_ns=100)
    t.insert([2], "b", ttl_ns=5000, now_ns=100)
    t.insert([3], "c")  # no timeout
    assert a.last_hit_ns == 100
    assert t.expired(1099) == []
    assert [e.action for e in t.expired(1100)] == ["a"]
    a.last_hit_ns = 1100  # the pipeline records a hit
    assert t.expired(1500) == []
    assert sorted(e.action for e in t.expired(10_000)) == ["a", "b"]
    t.modify([2], "b", ttl_ns=0)
    assert [e.action for e in t.expired(10_000)] == ["a"]
    t.delete([1])
    assert t.expired(10_000) == []


def test_idle_timeout_on_table_without_support_is_invalid() -> None:
    t = exact_table()
    with pytest.raises(EntityError) as exc:
        t.insert([1, 1], "a", ttl_ns=10)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT


# ------------------------------------------------------------------------ refcounting


class Target(RefCounted):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


def test_entries_count_references_to_refcounted_actions() -> None:
    t: Table[object] = Table("ind", [KeySpec("k", EXACT, 8)], 16, "x")
    m1, m2 = Target("m1"), Target("m2")
    t.insert([1], m1)
    t.insert([2], m1)
    assert m1.refs == 2
    t.modify([2], m2)
    assert (m1.refs, m2.refs) == (1, 1)
    with pytest.raises(EntityError):
        t.insert([1], m2)  # failed insert takes no reference
    assert m2.refs == 1
    t.delete([1])
    assert m1.refs == 0
    t.clear()
    assert m2.refs == 0


# ---------------------------------------------------------------- P4Runtime helpers


def test_wildcards_and_p4runtime_dont_care_checks() -> None:
    lpm = KeySpec("l", LPM, 32)
    tern = KeySpec("t", TERNARY, 8)
    rng = KeySpec("r", RANGE, 16)
    opt = KeySpec("o", OPTIONAL, 9)
    ex = KeySpec("e", EXACT, 8)
    assert wildcard(lpm) == (0, 0)
    assert wildcard(tern) == (0, 0)
    assert wildcard(rng) == (0, 0xFFFF)
    assert wildcard(opt) is None
    with pytest.raises(EntityError) as exc:
        wildcard(ex)
    assert code_of(exc) is ErrorCode.INVALID_ARGUMENT
    for spec in (lpm, tern, rng, opt):
        assert is_wildcard(spec, wildcard(spec))
    assert not is_wildcard(ex, 0)
    assert not is_wildcard(lpm, (ip("10.0.0.0"), 8))
    assert not is_wildcard(rng, (0, 0xFFFE))
    assert not is_wildcard(opt, 0)
    for spec, value in ((lpm, (0, 0)), (tern, (0, 0)), (rng, (0, 0xFFFF))):
        with pytest.raises(EntityError) as exc:
            validate_p4runtime_field(spec, value)
        assert code_of(exc) is ErrorCode.INVALID_ARGUMENT
    validate_p4runtime_field(lpm, (ip("10.0.0.0"), 8))
    validate_p4runtime_field(tern, (1, 1))
    validate_p4runtime_field(rng, (0, 5))
    validate_p4runtime_field(opt, 3)
    validate_p4runtime_field(ex, 0)


# ------------------------------------------------------------------- property tests


TernRow = tuple[int, int, int, int, int | None, int]  # tern v, tern m, lo, hi, opt, priority


@st.composite
def ternary_rows(draw: st.DrawFn) -> TernRow:
    m = draw(st.integers(0, 15))
    v = draw(st.integers(0, 15)) & m
    lo = draw(st.integers(0, 15))
    hi = draw(st.integers(lo, 15))
    opt = draw(st.none() | st.integers(0, 3))
    prio = draw(st.integers(1, 4))
    return v, m, lo, hi, opt, prio


@settings(deadline=None, max_examples=150)
@given(rows=st.lists(ternary_rows(), max_size=12), deletes=st.lists(st.integers(0, 11), max_size=4))
def test_scan_lookup_matches_reference_model(rows: list[TernRow], deletes: list[int]) -> None:
    t: Table[int] = Table(
        "p", [KeySpec("t", TERNARY, 4), KeySpec("r", RANGE, 4), KeySpec("o", OPTIONAL, 2)], 100, -1
    )
    live: dict[int, TernRow] = {}  # handle -> row
    actions: dict[int, int] = {}
    for i, (v, m, lo, hi, opt, prio) in enumerate(rows):
        try:
            e = t.insert([(v, m), (lo, hi), opt], i, priority=prio)
        except EntityError as err:
            assert err.code is ErrorCode.ALREADY_EXISTS
            continue
        live[e.seq] = rows[i]
        actions[e.seq] = i
    for d in deletes:
        for seq, (v, m, lo, hi, opt, prio) in list(live.items()):
            if actions[seq] == d:
                t.delete([(v, m), (lo, hi), opt], priority=prio)
                del live[seq]
    for tk in range(16):
        for rk in range(16):
            for ok in range(4):
                best: tuple[int, int] | None = None
                for seq, (v, m, lo, hi, opt, prio) in live.items():
                    if tk & m == v and lo <= rk <= hi and (opt is None or opt == ok):
                        cand = (-prio, seq)
                        if best is None or cand < best:
                            best = cand
                got = t.lookup((tk, rk, ok))
                if best is None:
                    assert got is None
                else:
                    assert got is not None and got.seq == best[1]
                    assert got.action == actions[best[1]]


@settings(deadline=None, max_examples=150)
@given(
    prefixes=st.lists(st.tuples(st.integers(0, 0xFF), st.integers(0, 8)), max_size=16),
    probes=st.lists(st.integers(0, 0xFF), min_size=1, max_size=16),
)
def test_lpm_lookup_matches_reference_model(prefixes: list[tuple[int, int]], probes: list[int]) -> None:
    t: Table[tuple[int, int]] = Table("p", [KeySpec("k", LPM, 8)], 100, (-1, -1))
    installed: set[tuple[int, int]] = set()
    for value, plen in prefixes:
        value &= (0xFF << (8 - plen)) & 0xFF
        if (value, plen) in installed:
            continue
        t.insert([(value, plen)], (value, plen))
        installed.add((value, plen))
    for probe in probes:
        matching = [(p, v) for v, p in installed if probe >> (8 - p) == v >> (8 - p)]
        got = t.lookup((probe,))
        if not matching:
            assert got is None
        else:
            plen, value = max(matching)
            assert got is not None and got.action == (value, plen)


def test_entry_direct_resources() -> None:
    t = exact_table()
    e = t.insert([1, 1], "a")
    assert (e.packets, e.bytes, e.meter, e.ttl_ns) == (0, 0, None, 0)
    m = e.ensure_meter()
    assert e.ensure_meter() is m and not m.configured
    assert m.execute(0, 1) == 0  # unconfigured direct meter: GREEN
    m.set_rates(0.0, 0, 0.0, 0)
    assert e.meter is not None and e.meter.execute(0, 1) == 2
