"""``Table.insert_trusted``: the P4Runtime layer's insert, which skips re-checking the entry itself.

For any entry :meth:`Table.insert` accepts, the trusted path must leave the table in the same state
(lookups, handles, iteration order, timed entries, reference counts); the checks that depend on the
table's state (const, keyless, duplicate, full) stay.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import KeySpec, Match, MatchKind, RefCounted, Table

EXACT, LPM, TERNARY, RANGE, OPTIONAL = (
    MatchKind.EXACT, MatchKind.LPM, MatchKind.TERNARY, MatchKind.RANGE, MatchKind.OPTIONAL,
)

Row = tuple[int, int, int, int, int | None, int]  # exact, ternary value, ternary mask, range low, optional, priority


def scan_table() -> Table[int]:
    keys = [KeySpec("e", EXACT, 2), KeySpec("t", TERNARY, 4), KeySpec("r", RANGE, 4), KeySpec("o", OPTIONAL, 2)]
    return Table("scan", keys, 100, -1, supports_timeout=True)


@st.composite
def rows(draw: st.DrawFn) -> Row:
    mask = draw(st.integers(0, 15))
    return (
        draw(st.integers(0, 3)),
        draw(st.integers(0, 15)) & mask,
        mask,
        draw(st.integers(0, 15)),
        draw(st.none() | st.integers(0, 3)),
        draw(st.integers(1, 3)),
    )


def match_of(row: Row) -> Match:
    exact, value, mask, low, optional, _priority = row
    return (exact, (value, mask), (low, min(15, low + 3)), optional)


def snapshot(table: Table[int]) -> list[object]:
    """Everything observable: entries in order with their handles, every lookup, the timed ones."""
    entries = [(e.match, e.priority, e.action, e.args, e.seq, e.ttl_ns) for e in table]
    lookups = []
    for e in range(4):
        for t in range(16):
            for r in range(16):
                for o in range(4):
                    hit = table.lookup((e, t, r, o))
                    lookups.append(None if hit is None else hit.seq)
    return [entries, lookups, sorted(x.seq for x in table.expired(10**12))]


@settings(deadline=None, max_examples=100)
@given(st.lists(rows(), max_size=10), st.lists(st.integers(0, 9), max_size=3))
def test_trusted_insert_leaves_the_same_state_as_insert(items: list[Row], deletes: list[int]) -> None:
    checked, trusted = scan_table(), scan_table()
    inserted: list[Row] = []
    for number, row in enumerate(items):
        ttl = 1000 * (number % 2)
        outcomes: list[ErrorCode | None] = []
        for table, fast in ((checked, False), (trusted, True)):
            try:
                if fast:
                    table.insert_trusted(match_of(row), number, (number,), row[5], ttl, 5)
                else:
                    table.insert(list(match_of(row)), number, [number], priority=row[5], ttl_ns=ttl, now_ns=5)
                outcomes.append(None)
            except EntityError as err:
                outcomes.append(err.code)
        assert outcomes[0] == outcomes[1]
        if outcomes[0] is None:
            inserted.append(row)
    for index in deletes:
        if index < len(inserted):
            row = inserted.pop(index)
            for table in (checked, trusted):
                table.delete(list(match_of(row)), priority=row[5])
    assert snapshot(checked) == snapshot(trusted)


def test_exact_and_lpm_tables_take_trusted_entries() -> None:
    exact: Table[str] = Table("x", [KeySpec("a", EXACT, 8), KeySpec("b", EXACT, 16)], 4, "miss")
    entry = exact.insert_trusted((1, 0x0800), "fwd", (3,))
    assert exact.lookup((1, 0x0800)) is entry and entry.args == (3,) and entry.seq == 0
    lpm: Table[str] = Table("l", [KeySpec("dst", LPM, 32)], 4, "miss")
    lpm.insert_trusted(((0x0A000000, 8),), "wide")
    narrow = lpm.insert_trusted(((0x0A010000, 16),), "narrow")
    assert lpm.lookup((0x0A010203,)) is narrow
    assert lpm.lookup((0x0A020304,)) is not None and lpm.lookup((0x0B000000,)) is None


def test_trusted_insert_keeps_the_state_checks() -> None:
    table: Table[str] = Table("x", [KeySpec("a", EXACT, 8)], 2, "miss")
    table.insert_trusted((1,), "a")
    with pytest.raises(EntityError) as duplicate:
        table.insert_trusted((1,), "b")
    assert duplicate.value.code is ErrorCode.ALREADY_EXISTS
    table.insert_trusted((2,), "b")
    with pytest.raises(EntityError) as full:
        table.insert_trusted((3,), "c")
    assert full.value.code is ErrorCode.RESOURCE_EXHAUSTED

    const: Table[str] = Table("c", [KeySpec("a", EXACT, 8)], 2, "miss", is_const=True)
    with pytest.raises(EntityError) as denied:
        const.insert_trusted((1,), "a")
    assert denied.value.code is ErrorCode.PERMISSION_DENIED

    keyless: Table[str] = Table("k", [], 2, "miss")
    with pytest.raises(EntityError) as invalid:
        keyless.insert_trusted((), "a")
    assert invalid.value.code is ErrorCode.INVALID_ARGUMENT


def test_trusted_insert_counts_references_and_times_entries() -> None:
    member = RefCounted()
    table: Table[object] = Table("x", [KeySpec("a", EXACT, 8)], 4, "miss", supports_timeout=True)
    entry = table.insert_trusted((7,), member, (), 0, 100, 50)
    assert member.refs == 1
    assert entry.last_hit_ns == 50
    assert table.expired(149) == [] and table.expired(150) == [entry]
    table.delete([7])
    assert member.refs == 0
