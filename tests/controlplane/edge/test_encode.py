"""Entities on the wire: our serializer against finsy's encoder, the contract check, read decoding."""

from __future__ import annotations

import pytest
from finsy import P4MulticastGroupEntry, P4Schema, P4TableAction, P4TableEntry, P4TableMatch
from finsy.p4entity import P4MeterConfig
from finsy.proto import p4i, p4r

from controlplane.edge import contract as c
from controlplane.edge.encode import ContractError, EdgeSchema, EncodeError
from controlplane.edge.entries import (
    DefaultAction,
    DigestConfig,
    Entity,
    Lpm,
    MeterCell,
    MeterRates,
    MulticastGroup,
    TableEntry,
)
from controlplane.edge.plan import Op
from controlplane.p4rt import PipelineFiles

ADDR = 0x2001_0DB8_0100_0000_0000_0000_0000_000A
ENDPOINT = 0x2001_0DB8_000A_0000_0000_0000_0000_000A


def finsy_entity(entity: P4TableEntry | P4MulticastGroupEntry, schema: P4Schema) -> p4r.Entity:
    encoded: p4r.Entity = entity.encode(schema)
    return encoded


def test_table_entry_matches_finsy(edge_schema: EdgeSchema) -> None:
    entry = TableEntry(
        c.DEVICE_V6, (1, 0, ADDR), c.ADMIT_V6, (1, 10, ENDPOINT, 0),
        idle_timeout_ns=60_000_000_000, meter=MeterRates(125_000, 15_000, 250_000, 30_000),
    )
    expected = P4TableEntry(
        c.DEVICE_V6,
        match=P4TableMatch(port=1, vlan=0, src_addr=ADDR),
        action=P4TableAction(c.ADMIT_V6, dev_id=1, customer_id=10, endpoint=ENDPOINT, notify=0),
        idle_timeout_ns=60_000_000_000,
        meter_config=P4MeterConfig(cir=125_000, cburst=15_000, pir=250_000, pburst=30_000),
    )
    assert edge_schema.entity(entry) == finsy_entity(expected, edge_schema.schema)
    update = edge_schema.update(Op.INSERT, entry)
    assert update.type == p4r.Update.INSERT and update.entity == finsy_entity(expected, edge_schema.schema)


def test_lpm_entry_matches_finsy_and_a_zero_length_prefix_is_omitted(edge_schema: EdgeSchema) -> None:
    entry = TableEntry(c.ALLOWED_DST_V6, (10, Lpm(0x2001_0DB8_00FF << 80, 48)), c.ALLOW)
    expected = P4TableEntry(
        c.ALLOWED_DST_V6, match=P4TableMatch(customer_id=10, dst_addr="2001:db8:ff::/48"), action=P4TableAction(c.ALLOW)
    )
    assert edge_schema.entity(entry) == finsy_entity(expected, edge_schema.schema)
    everything = edge_schema.entity(TableEntry(c.ALLOWED_DST_V6, (10, Lpm(0, 0)), c.ALLOW))
    assert [m.field_id for m in everything.table_entry.match] == [1]  # only customer_id


def test_delete_carries_the_key_only(edge_schema: EdgeSchema) -> None:
    entry = TableEntry(c.KNOWN_ADDR_V6, (ADDR,), c.REGISTERED_AT, (1, 0))
    update = edge_schema.update(Op.DELETE, entry)
    assert update.type == p4r.Update.DELETE
    assert not update.entity.table_entry.HasField("action")
    assert update.entity.table_entry == edge_schema.table_key(entry)


def test_multicast_group_matches_finsy(edge_schema: EdgeSchema) -> None:
    group = MulticastGroup(5, ((1, 1), (2, 7)))
    expected = P4MulticastGroupEntry(5, replicas=[(1, 1), (2, 7)])
    ours = edge_schema.entity(group).packet_replication_engine_entry.multicast_group_entry
    theirs = finsy_entity(expected, edge_schema.schema).packet_replication_engine_entry.multicast_group_entry
    assert ours.multicast_group_id == theirs.multicast_group_id
    assert [(r.egress_port or int.from_bytes(r.port, "big"), r.instance) for r in ours.replicas] == [
        (r.egress_port or int.from_bytes(r.port, "big"), r.instance) for r in theirs.replicas
    ]


def test_modify_only_kinds_are_always_modify(edge_schema: EdgeSchema) -> None:
    cell = MeterCell(c.REQUEST_METER, 4, MeterRates(10, 10, 10, 10))
    assert edge_schema.update(Op.INSERT, cell).type == p4r.Update.MODIFY
    reset = edge_schema.update(Op.DELETE, MeterCell(c.REQUEST_METER, 4, None))
    assert reset.type == p4r.Update.MODIFY and not reset.entity.meter_entry.HasField("config")
    default = edge_schema.update(Op.INSERT, DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (64,)))
    assert default.type == p4r.Update.MODIFY and default.entity.table_entry.is_default_action


@pytest.mark.parametrize(
    "entity",
    [
        TableEntry(c.DEVICE_V4, (2, 100, 0xC0A81402), c.ADMIT_V4, (2, 10, 0x0A0A000B, 1), idle_timeout_ns=5, meter=MeterRates(1, 2, 3, 4)),
        TableEntry(c.ENDPOINT_SRC_V4, (10, Lpm(0x0A0A0000, 24)), c.FROM_CUSTOMER),
        TableEntry(c.MCAST_MEMBER, (64, 7), c.HOLD_MEMBER, (2, 10, ADDR, 100, 2)),
        TableEntry(c.PORT_ROLE, (0,), c.SET_ACCESS_PORT),
        DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (64,)),
        MulticastGroup(9, ((1, 1), (64, 2))),
        MeterCell(c.REQUEST_METER, 4, MeterRates(10, 10, 10, 10)),
        DigestConfig(c.ACCESS_REQUEST_DIGEST, 10_000_000, 100, 1_000_000_000),
    ],
)
def test_decoding_gives_back_the_entity(edge_schema: EdgeSchema, entity: Entity) -> None:
    assert edge_schema.decode(edge_schema.entity(entity)) == entity


def test_a_default_noaction_reads_as_reset(edge_schema: EdgeSchema) -> None:
    message = p4r.TableEntry(table_id=edge_schema.table_id(c.CPU_PORT), is_default_action=True)
    noaction = edge_schema.schema.actions["NoAction"].id
    message.action.action.action_id = noaction
    assert edge_schema.decode_table_entry(message) == DefaultAction(c.CPU_PORT, None)


@pytest.mark.parametrize(
    ("entity", "message"),
    [
        (TableEntry(c.PORT_ROLE, (512,), c.SET_ACCESS_PORT), "does not fit 9 bits"),
        (TableEntry(c.PORT_ROLE, (1, 2), c.SET_ACCESS_PORT), "2 match values for 1 fields"),
        (TableEntry(c.PORT_ROLE, (1,), c.SET_PORT_MAC, (1,)), "is not one of"),
        (TableEntry(c.ALLOWED_DST_V4, (1, Lpm(0x0A0A0001, 24)), c.ALLOW), "host bits"),
        (TableEntry(c.ALLOWED_DST_V4, (1, 5), c.ALLOW), "an LPM value must be an Lpm"),
        (TableEntry(c.PORT_MAC, (1,), c.SET_PORT_MAC, (1, 2)), "2 values for 1 parameters"),
    ],
)
def test_bad_entities_are_refused_before_sending(edge_schema: EdgeSchema, entity: TableEntry, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        edge_schema.update(Op.INSERT, entity)


def test_packet_out_names_the_port_and_zeroes_the_rest(edge_schema: EdgeSchema) -> None:
    packet = edge_schema.packet_out(b"frame", 7)
    assert packet.payload == b"frame"
    assert [(m.metadata_id, m.value) for m in packet.metadata] == [(1, b"\x07"), (2, b"\x00"), (3, b"\x00"), (4, b"\x00")]


def test_packet_out_to_a_group_names_the_group_and_its_customer(edge_schema: EdgeSchema) -> None:
    packet = edge_schema.packet_out_group(b"frame", 0x0105, 7)
    assert packet.payload == b"frame"
    assert [(m.metadata_id, m.value) for m in packet.metadata] == [
        (1, b"\x00"), (2, b"\x01\x05"), (3, b"\x07"), (4, b"\x00"),
    ]
    with pytest.raises(EncodeError, match="group 0 means no group"):
        edge_schema.packet_out_group(b"frame", 0, 7)
    with pytest.raises(EncodeError, match="does not fit in 16 bits"):
        edge_schema.packet_out_group(b"frame", 1, 1 << 16)


def _p4info(edge_pipeline: PipelineFiles) -> p4i.P4Info:
    info = p4i.P4Info()
    info.CopyFrom(edge_pipeline.load().p4info)
    return info


def test_a_renamed_match_field_breaks_the_contract(edge_pipeline: PipelineFiles) -> None:
    info = _p4info(edge_pipeline)
    table = next(t for t in info.tables if t.preamble.name == c.DEVICE_V6)
    table.match_fields[2].name = "source"
    with pytest.raises(ContractError, match=r"device_v6: expected match field src_addr \(exact\), found source"):
        EdgeSchema(P4Schema(info))


def test_a_missing_table_breaks_the_contract(edge_pipeline: PipelineFiles) -> None:
    info = _p4info(edge_pipeline)
    for i, table in enumerate(info.tables):
        if table.preamble.name == c.MCAST_MEMBER:
            del info.tables[i]
            break
    with pytest.raises(ContractError, match=r"no table EdgeEgress\.mcast_member"):
        EdgeSchema(P4Schema(info))


def test_a_changed_action_breaks_the_contract(edge_pipeline: PipelineFiles) -> None:
    info = _p4info(edge_pipeline)
    action = next(a for a in info.actions if a.preamble.name == c.SET_UPLINK)
    del action.params[-1]
    with pytest.raises(ContractError, match="set_uplink: expected parameters"):
        EdgeSchema(P4Schema(info))


def test_no_pipeline_is_no_contract() -> None:
    with pytest.raises(ContractError, match="no pipeline"):
        EdgeSchema(P4Schema())
