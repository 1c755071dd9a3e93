"""p4c's P4Runtime id scheme and aliases (softswitch.p4info.ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.p4info.ids import (
    AliasSet,
    SymbolKind,
    SymbolTable,
    allocate_field_ids,
    hashed_id,
    jenkins_one_at_a_time,
)
from softswitch.p4info.model import P4InfoError
from softswitch.p4info.textformat import p4info_from_text

GOLDEN = Path(__file__).parent / "golden"
P4C_OUTPUTS = Path("/work/p4c-snap/testdata/p4_16_samples_outputs")

# -- hash and prefixes ------------------------------------------------------------------------


def test_values_from_p4target() -> None:
    # P4TARGET.md section 4, "Checked".
    assert hashed_id(SymbolKind.TABLE, "ingress.ipv4_da_lpm") == 35996228
    assert hashed_id(SymbolKind.ACTION, "NoAction") == 21257015
    assert hashed_id(SymbolKind.ACTION, "my_drop") == 32609675


def test_values_from_golden_files() -> None:
    # Ids p4c 1.2.4.8 wrote in the golden files (names without @id).
    assert hashed_id(SymbolKind.TABLE, "Ing.exact_t") == 47701610
    assert hashed_id(SymbolKind.ACTION, "Ing.set_l4") == 23157948
    assert hashed_id(SymbolKind.COUNTER, "Ing.port_counter") == 313324405
    assert hashed_id(SymbolKind.DIRECT_COUNTER, "Ing.acl_hits") == 334356845
    assert hashed_id(SymbolKind.METER, "Ing.port_meter") == 336252719
    assert hashed_id(SymbolKind.DIRECT_METER, "Ing.acl_policer") == 354025246
    assert hashed_id(SymbolKind.REGISTER, "Ing.signed_reg") == 373431149
    assert hashed_id(SymbolKind.ACTION_PROFILE, "Ing.ecmp_selector") == 285407440
    assert hashed_id(SymbolKind.VALUE_SET, "P.ether_types") == 62525272
    # Controller headers hash the header *type* name.
    assert hashed_id(SymbolKind.CONTROLLER_HEADER, "packet_in_t") == 80671331
    assert hashed_id(SymbolKind.DIGEST, "digest_0") == 401776493


def test_prefix_values() -> None:
    expected = {
        "ACTION": 0x01,
        "TABLE": 0x02,
        "VALUE_SET": 0x03,
        "CONTROLLER_HEADER": 0x04,
        "ACTION_PROFILE": 0x11,
        "COUNTER": 0x12,
        "DIRECT_COUNTER": 0x13,
        "METER": 0x14,
        "DIRECT_METER": 0x15,
        "REGISTER": 0x16,
        "DIGEST": 0x17,
    }
    assert {k.name: int(k) for k in SymbolKind} == expected


def test_hash_of_empty_and_single_byte() -> None:
    # Hand computation of the one-at-a-time steps.
    assert jenkins_one_at_a_time(b"") == 0
    h = 97
    h = (h + (h << 10)) & 0xFFFFFFFF
    h ^= h >> 6
    h = (h + (h << 3)) & 0xFFFFFFFF
    h ^= h >> 11
    h = (h + (h << 15)) & 0xFFFFFFFF
    assert jenkins_one_at_a_time(b"a") == h


_GOLDEN_FIELDS = {
    "tables": SymbolKind.TABLE,
    "actions": SymbolKind.ACTION,
    "action_profiles": SymbolKind.ACTION_PROFILE,
    "counters": SymbolKind.COUNTER,
    "direct_counters": SymbolKind.DIRECT_COUNTER,
    "meters": SymbolKind.METER,
    "direct_meters": SymbolKind.DIRECT_METER,
    "value_sets": SymbolKind.VALUE_SET,
    "registers": SymbolKind.REGISTER,
    "digests": SymbolKind.DIGEST,
}


def _check_ids_and_aliases(text: str, explicit: dict[str, int]) -> int:
    """Rebuild ids and aliases from the names in a real p4c P4Info; return names checked."""
    info = p4info_from_text(text)
    table = SymbolTable()
    actual: dict[tuple[SymbolKind, str], tuple[int, str]] = {}
    for field, kind in _GOLDEN_FIELDS.items():
        for entity in getattr(info, field):
            name = entity.preamble.name
            table.add(kind, name, explicit.get(name))
            actual[(kind, name)] = (entity.preamble.id, entity.preamble.alias)
    table.assign_ids()
    for (kind, name), (expected_id, expected_alias) in actual.items():
        assert table.id_of(kind, name) == expected_id, name
        assert table.alias_of(name) == expected_alias, name
    return len(actual)


@pytest.mark.parametrize(
    "program", ["match_kinds", "annotations", "resources", "packet_io_digest", "subcontrols", "types"]
)
def test_golden_ids_and_aliases(program: str) -> None:
    explicit = {"Ing.fwd": 0x01000ABC, "Ing.routing_table": 0x02000123} if program == "annotations" else {}
    text = (GOLDEN / f"{program}.p4info.txtpb").read_text(encoding="utf-8")
    assert _check_ids_and_aliases(text, explicit) > 0


@pytest.mark.skipif(not P4C_OUTPUTS.is_dir(), reason="p4c sample outputs are not on this machine")
def test_ids_and_aliases_of_p4c_sample_outputs() -> None:
    checked = 0
    for path in sorted(P4C_OUTPUTS.glob("*.p4info.txtpb")):
        text = path.read_text(encoding="utf-8")
        if 'arch: "v1model"' not in text:
            continue
        checked += _check_ids_and_aliases(text, {})
    assert checked > 1000


# -- @id and collisions -----------------------------------------------------------------------


def test_explicit_id_gets_prefix() -> None:
    table = SymbolTable()
    table.add(SymbolKind.ACTION, "Ing.a", 0xABC)
    table.add(SymbolKind.ACTION, "Ing.b", 0x01000ABD)
    table.assign_ids()
    assert table.id_of(SymbolKind.ACTION, "Ing.a") == 0x01000ABC
    assert table.id_of(SymbolKind.ACTION, "Ing.b") == 0x01000ABD


def test_explicit_id_with_wrong_prefix_is_an_error() -> None:
    table = SymbolTable()
    with pytest.raises(P4InfoError, match="wrong 8-bit prefix"):
        table.add(SymbolKind.TABLE, "Ing.t", 0x01000001)


def test_duplicate_explicit_id_is_an_error() -> None:
    table = SymbolTable()
    table.add(SymbolKind.TABLE, "Ing.t1", 5)
    with pytest.raises(P4InfoError, match="multiple declarations"):
        table.add(SymbolKind.TABLE, "Ing.t2", 0x02000005)


def test_same_name_twice_counts_once() -> None:
    table = SymbolTable()
    table.add(SymbolKind.ACTION, "NoAction")
    table.add(SymbolKind.ACTION, "NoAction")
    table.assign_ids()
    assert table.id_of(SymbolKind.ACTION, "NoAction") == 21257015
    assert table.names(SymbolKind.ACTION) == ["NoAction"]


# "Ing.t2145" and "Ing.t3186" share the low 24 bits of their hash (0xe21fae).
_COLLIDING = ("Ing.t3186", "Ing.t2145")


def test_collision_bumps_the_later_sorted_name() -> None:
    assert (
        hashed_id(SymbolKind.TABLE, _COLLIDING[0]) == hashed_id(SymbolKind.TABLE, _COLLIDING[1]) == 0x02E21FAE
    )
    table = SymbolTable()
    for name in _COLLIDING:  # declaration order does not matter: names are sorted
        table.add(SymbolKind.TABLE, name)
    table.assign_ids()
    assert table.id_of(SymbolKind.TABLE, "Ing.t2145") == 0x02E21FAE
    assert table.id_of(SymbolKind.TABLE, "Ing.t3186") == 0x02E21FAF


def test_explicit_ids_are_reserved_before_hashing() -> None:
    table = SymbolTable()
    table.add(SymbolKind.TABLE, "Ing.t2145")
    table.add(SymbolKind.TABLE, "Ing.other", 0x02E21FAE)
    table.add(SymbolKind.TABLE, "Ing.t3186")
    table.assign_ids()
    assert table.id_of(SymbolKind.TABLE, "Ing.other") == 0x02E21FAE
    assert table.id_of(SymbolKind.TABLE, "Ing.t2145") == 0x02E21FAF
    assert table.id_of(SymbolKind.TABLE, "Ing.t3186") == 0x02E21FB0


def test_same_hash_in_different_kinds_does_not_collide() -> None:
    table = SymbolTable()
    table.add(SymbolKind.TABLE, "Ing.x")
    table.add(SymbolKind.COUNTER, "Ing.x")
    table.assign_ids()
    assert table.id_of(SymbolKind.TABLE, "Ing.x") == hashed_id(SymbolKind.TABLE, "Ing.x")
    assert table.id_of(SymbolKind.COUNTER, "Ing.x") == hashed_id(SymbolKind.COUNTER, "Ing.x")


def test_unknown_symbol_is_an_error() -> None:
    table = SymbolTable()
    table.assign_ids()
    with pytest.raises(P4InfoError, match="unknown table"):
        table.id_of(SymbolKind.TABLE, "Ing.nope")


# -- aliases ----------------------------------------------------------------------------------


def test_alias_is_shortest_unique_suffix() -> None:
    aliases = AliasSet()
    for name in ("Ing.inbound.rules", "Ing.outbound.rules", "Ing.nexthop", "NoAction"):
        aliases.add(name)
    assert aliases.alias("Ing.inbound.rules") == "inbound.rules"
    assert aliases.alias("Ing.outbound.rules") == "outbound.rules"
    assert aliases.alias("Ing.nexthop") == "nexthop"
    assert aliases.alias("NoAction") == "NoAction"


def test_alias_when_one_name_is_a_suffix_of_another() -> None:
    aliases = AliasSet()
    aliases.add("a.b")
    aliases.add("b")
    assert aliases.alias("b") == "b"
    assert aliases.alias("a.b") == "a.b"


def test_alias_is_unique_across_kinds() -> None:
    # p4c keeps a single suffix set for every kind of symbol.
    table = SymbolTable()
    table.add(SymbolKind.ACTION, "Ing.drop")
    table.add(SymbolKind.COUNTER, "Egr.drop")
    table.add(SymbolKind.TABLE, "Ing.t")
    table.assign_ids()
    assert table.alias_of("Ing.drop") == "Ing.drop"
    assert table.alias_of("Egr.drop") == "Egr.drop"
    assert table.alias_of("Ing.t") == "t"


def test_alias_of_deep_names() -> None:
    aliases = AliasSet()
    aliases.add("d.a.c")
    aliases.add("e.b.c")
    aliases.add("x.b.c.z")
    assert aliases.alias("d.a.c") == "a.c"
    assert aliases.alias("e.b.c") == "b.c"
    assert aliases.alias("x.b.c.z") == "z"


# -- field ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explicit", "expected"),
    [
        ([], []),
        ([None, None, None], [1, 2, 3]),
        ([5, None, None], [5, 2, 3]),
        ([None, 1], [2, 1]),
        ([2, None], [2, 3]),
        ([None, 2, None], [1, 2, 3]),
        ([None, 3, None, None], [1, 3, 2, 4]),
    ],
)
def test_field_ids_follow_p4c_walk(explicit: list[int | None], expected: list[int]) -> None:
    assert allocate_field_ids(explicit) == expected


def test_field_id_zero_is_an_error() -> None:
    with pytest.raises(P4InfoError, match="0 is not a valid @id"):
        allocate_field_ids([0])


def test_duplicate_field_id_is_an_error() -> None:
    with pytest.raises(P4InfoError, match="used multiple times"):
        allocate_field_ids([3, None, 3])
