"""Encoding writes against the P4Info, and cutting them into capped batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from finsy.proto import p4r
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.p4rt import (
    InvalidEntityError,
    P4DigestList,
    P4PacketOut,
    P4Schema,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    UpdateKind,
    split_batches,
)
from controlplane.p4rt.entities import UPDATE_FRAMING_BYTES, encode_entities, encode_write


@pytest.fixture(scope="module")
def schema(pipeline: PipelineFiles) -> P4Schema:
    return pipeline.load()


def dmac(dst: int, port: int = 1) -> P4TableEntry:
    return P4TableEntry("dmac", match=P4TableMatch(dst=dst), action=P4TableAction("fwd", port=port))


def test_entities_become_updates_of_the_kind_asked(schema: P4Schema) -> None:
    entries = [dmac(1), dmac(2)]
    out = encode_write(UpdateKind.DELETE, entries, schema)
    assert [u.type for u in out.updates] == [p4r.Update.DELETE, p4r.Update.DELETE]
    assert out.sources == entries
    entry = out.updates[0].entity.table_entry
    assert entry.table_id == schema.tables["dmac"].id
    assert entry.match[0].exact.value == b"\x01"  # minimal big-endian bytes (P4Runtime §8.3)


def test_items_that_carry_their_kind_and_stream_messages_are_sorted_out(schema: P4Schema) -> None:
    raw = p4r.Update(type=p4r.Update.MODIFY, entity=dmac(3).encode(schema))
    ack = P4DigestList("learn_t", list_id=4, timestamp=0, data=[]).ack()
    out = encode_write(None, [+dmac(1), raw, -dmac(2), P4PacketOut(b"x", egress_port=1, reserved=0), ack], schema)
    assert [u.type for u in out.updates] == [p4r.Update.INSERT, p4r.Update.MODIFY, p4r.Update.DELETE]
    kinds = [m.WhichOneof("update") for m in out.stream_messages]
    assert kinds == ["packet", "digest_ack"]
    assert out.stream_messages[1].digest_ack.list_id == 4


def test_an_entity_that_does_not_fit_names_its_position(schema: P4Schema) -> None:
    with pytest.raises(InvalidEntityError) as info:
        encode_write(UpdateKind.INSERT, [dmac(1), P4TableEntry("no_such_table")], schema)
    assert info.value.index == 1 and "no_such_table" in str(info.value)
    with pytest.raises(InvalidEntityError) as info:
        encode_write(UpdateKind.INSERT, [dmac(1), dmac(2), dmac(3, port=1 << 9)], schema)  # port is bit<9>
    assert info.value.index == 2
    with pytest.raises(InvalidEntityError, match="unspecified update type"):
        encode_write(None, [dmac(1)], schema)  # not marked +, ~ or -
    with pytest.raises(InvalidEntityError, match="no type"):
        encode_write(None, [p4r.Update(entity=dmac(1).encode(schema))], schema)
    with pytest.raises(InvalidEntityError, match="not an entity"):
        encode_write(UpdateKind.INSERT, ["dmac"], schema)
    with pytest.raises(InvalidEntityError, match="not an entity"):
        encode_entities([42], schema)  # type: ignore[list-item]


def test_batches_respect_both_caps_and_keep_order() -> None:
    updates = [p4r.Update(type=p4r.Update.INSERT, entity=p4r.Entity(table_entry=p4r.TableEntry(table_id=i + 1))) for i in range(25)]
    batches = list(split_batches(updates, max_updates=10))
    assert [(start, len(b)) for start, b in batches] == [(0, 10), (10, 10), (20, 5)]
    one = updates[0].ByteSize() + UPDATE_FRAMING_BYTES
    by_bytes = list(split_batches(updates[:6], max_updates=100, max_bytes=2 * one))
    assert [len(b) for _, b in by_bytes] == [2, 2, 2]
    # an update larger than the byte cap still goes, alone
    assert [len(b) for _, b in split_batches(updates[:3], max_bytes=1)] == [1, 1, 1]
    assert list(split_batches([], max_updates=5)) == []
    with pytest.raises(ValueError):
        list(split_batches(updates, max_updates=0))


@settings(deadline=None, max_examples=60)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=300), max_size=60),
    max_updates=st.integers(min_value=1, max_value=12),
    max_bytes=st.integers(min_value=1, max_value=2000),
)
def test_batches_partition_the_updates(sizes: list[int], max_updates: int, max_bytes: int) -> None:
    updates = [
        p4r.Update(type=p4r.Update.INSERT, entity=p4r.Entity(table_entry=p4r.TableEntry(table_id=i + 1, metadata=b"m" * n)))
        for i, n in enumerate(sizes)
    ]
    batches = list(split_batches(updates, max_updates=max_updates, max_bytes=max_bytes))
    assert [u for _, b in batches for u in b] == updates
    position = 0
    for start, batch in batches:
        assert start == position and 1 <= len(batch) <= max_updates
        cost = sum(u.ByteSize() + UPDATE_FRAMING_BYTES for u in batch)
        assert cost <= max_bytes or len(batch) == 1
        position += len(batch)


def test_pipeline_files_follow_the_build_layout(build_dir: Path) -> None:
    files = PipelineFiles.from_build("l2_learning", build_dir=build_dir)
    assert files.p4info == build_dir / "softswitch" / "l2_learning.p4info.txtpb"
    assert files.device_config.name == "l2_learning.bin"
    bmv2 = PipelineFiles.from_build("edge", target="bmv2", build_dir=Path("build"))
    assert bmv2.device_config == Path("build/bmv2/edge.json")
