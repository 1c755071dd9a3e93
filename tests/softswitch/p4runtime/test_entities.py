"""Action profiles, PRE, counters, meters, registers, value sets and digest configs over gRPC.

Expected codes: P4TARGET.md §5 "Entity support" (PI), and the P4Runtime spec for registers and
value sets, which PI does not implement.
"""

from __future__ import annotations

import grpc
import pytest
from finsy.proto import p4d, p4r, rpc_code

from tests.softswitch.p4runtime.p4rt_harness import (
    Client,
    action,
    code_of,
    delete,
    exact,
    insert,
    modify,
    per_update_errors,
)


def refused(client: Client, *updates: p4r.Update) -> list[int]:
    with pytest.raises(grpc.RpcError) as info:
        client.write(*updates)
    assert code_of(info.value) == grpc.StatusCode.UNKNOWN
    _code, errors = per_update_errors(info.value)
    return [e.canonical_code for e in errors]


def member(client: Client, mid: int, port: bytes) -> p4r.ActionProfileMember:
    return p4r.ActionProfileMember(
        action_profile_id=client.id_of("action_profiles", "selector"),
        member_id=mid,
        action=action(client.action_id("fwd"), port).action,
    )


def group(client: Client, gid: int, *members: tuple[int, int]) -> p4r.ActionProfileGroup:
    return p4r.ActionProfileGroup(
        action_profile_id=client.id_of("action_profiles", "selector"),
        group_id=gid,
        members=[p4r.ActionProfileGroup.Member(member_id=m, weight=w) for m, w in members],
    )


# --------------------------------------------------------------------------- action profiles


def test_members_groups_and_indirect_entries(client: Client) -> None:
    client.write(insert(action_profile_member=member(client, 1, b"\x01")), insert(action_profile_member=member(client, 2, b"\x02")))
    client.write(insert(action_profile_group=group(client, 10, (1, 1), (2, 3))))
    table_id = client.table_id("t_select")
    entry = p4r.TableEntry(table_id=table_id, match=[exact(1, b"\x08\x00")])
    entry.action.action_profile_group_id = 10
    client.write(insert(table_entry=entry))
    other = p4r.TableEntry(table_id=table_id, match=[exact(1, b"\x08\x06")])
    other.action.action_profile_member_id = 1
    client.write(insert(table_entry=other))

    members = client.read(p4r.Entity(action_profile_member=p4r.ActionProfileMember()))
    assert sorted(e.action_profile_member.member_id for e in members) == [1, 2]
    (grp,) = client.read(p4r.Entity(action_profile_group=p4r.ActionProfileGroup()))
    assert [(m.member_id, m.weight) for m in grp.action_profile_group.members] == [(1, 1), (2, 3)]
    entries = client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=table_id)))
    kinds = sorted(str(e.table_entry.action.WhichOneof("type")) for e in entries)
    assert kinds == ["action_profile_group_id", "action_profile_member_id"]

    # members and groups in use cannot go (PI reports the target's refusal as UNKNOWN)
    assert refused(client, delete(action_profile_member=member(client, 2, b"\x02"))) == [rpc_code.UNKNOWN]
    assert refused(client, delete(action_profile_group=group(client, 10))) == [rpc_code.UNKNOWN]
    # unknown member in a group, duplicate ids, direct action on an indirect table
    assert refused(client, insert(action_profile_group=group(client, 11, (9, 1)))) == [rpc_code.NOT_FOUND]
    assert refused(client, insert(action_profile_member=member(client, 1, b"\x01"))) == [rpc_code.ALREADY_EXISTS]
    direct = p4r.TableEntry(table_id=table_id, match=[exact(1, b"\x08\x07")], action=action(client.action_id("fwd"), b"\x01"))
    assert refused(client, insert(table_entry=direct)) == [rpc_code.INVALID_ARGUMENT]
    unknown = p4r.TableEntry(table_id=table_id, match=[exact(1, b"\x08\x07")])
    unknown.action.action_profile_member_id = 99
    assert refused(client, insert(table_entry=unknown)) == [rpc_code.INVALID_ARGUMENT]
    assert refused(client, insert(action_profile_group=group(client, 12, (1, 0)))) == [rpc_code.INVALID_ARGUMENT]

    client.write(modify(action_profile_group=group(client, 10, (2, 1))))
    (grp,) = client.read(p4r.Entity(action_profile_group=group(client, 10)))
    assert [m.member_id for m in grp.action_profile_group.members] == [2]


def test_one_shot_action_set(client: Client) -> None:
    table_id = client.table_id("t_select")
    entry = p4r.TableEntry(table_id=table_id, match=[exact(1, b"\x08\x00")])
    action_set = entry.action.action_profile_action_set
    for port, weight in ((b"\x01", 1), (b"\x02", 2)):
        item = action_set.action_profile_actions.add()
        item.action.CopyFrom(action(client.action_id("fwd"), port).action)
        item.weight = weight
    client.write(insert(table_entry=entry))
    (got,) = client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=table_id)))
    assert got.table_entry.action == entry.action  # read-write symmetry
    # one-shot groups are not visible as members or groups
    assert client.read(p4r.Entity(action_profile_member=p4r.ActionProfileMember())) == []
    assert client.read(p4r.Entity(action_profile_group=p4r.ActionProfileGroup())) == []
    # mixing methods on one profile is refused
    assert refused(client, insert(action_profile_member=member(client, 1, b"\x01"))) == [rpc_code.INVALID_ARGUMENT]
    client.write(delete(table_entry=entry))
    client.write(insert(action_profile_member=member(client, 1, b"\x01")))


# ---------------------------------------------------------------------------------------- PRE


def mc_group(gid: int, *replicas: tuple[int, int]) -> p4r.PacketReplicationEngineEntry:
    entry = p4r.PacketReplicationEngineEntry()
    entry.multicast_group_entry.multicast_group_id = gid
    for port, instance in replicas:
        entry.multicast_group_entry.replicas.add(egress_port=port, instance=instance)
    return entry


def clone_session(sid: int, *replicas: tuple[int, int], cos: int = 0, length: int = 0) -> p4r.PacketReplicationEngineEntry:
    entry = p4r.PacketReplicationEngineEntry()
    session = entry.clone_session_entry
    session.session_id = sid
    session.class_of_service = cos
    session.packet_length_bytes = length
    for port, instance in replicas:
        session.replicas.add(egress_port=port, instance=instance)
    return entry


def test_multicast_groups(client: Client) -> None:
    client.write(insert(packet_replication_engine_entry=mc_group(1, (1, 0), (2, 0), (2, 1))))
    (got,) = client.read(p4r.Entity(packet_replication_engine_entry=mc_group(1)))
    replicas = got.packet_replication_engine_entry.multicast_group_entry.replicas
    assert sorted((r.egress_port, r.instance) for r in replicas) == [(1, 0), (2, 0), (2, 1)]
    client.write(modify(packet_replication_engine_entry=mc_group(1, (3, 0))))
    (got,) = client.read(p4r.Entity(packet_replication_engine_entry=mc_group(0)))
    assert [(r.egress_port, r.instance) for r in got.packet_replication_engine_entry.multicast_group_entry.replicas] == [
        (3, 0)
    ]
    assert refused(client, insert(packet_replication_engine_entry=mc_group(1, (1, 0)))) == [rpc_code.ALREADY_EXISTS]
    assert refused(client, insert(packet_replication_engine_entry=mc_group(0, (1, 0)))) == [rpc_code.INVALID_ARGUMENT]
    assert refused(client, insert(packet_replication_engine_entry=mc_group(32768, (1, 0)))) == [rpc_code.OUT_OF_RANGE]
    assert refused(client, insert(packet_replication_engine_entry=mc_group(2, (1, 0), (1, 0)))) == [
        rpc_code.INVALID_ARGUMENT
    ]
    assert refused(client, delete(packet_replication_engine_entry=mc_group(5))) == [rpc_code.NOT_FOUND]
    # replicas given with the newer 'port' bytes field read back the same way
    entry = p4r.PacketReplicationEngineEntry()
    entry.multicast_group_entry.multicast_group_id = 7
    entry.multicast_group_entry.replicas.add(port=b"\x00\x05", instance=2)
    client.write(insert(packet_replication_engine_entry=entry))
    (got,) = client.read(p4r.Entity(packet_replication_engine_entry=mc_group(7)))
    assert got.packet_replication_engine_entry == entry


def test_clone_sessions(client: Client) -> None:
    client.write(insert(packet_replication_engine_entry=clone_session(5, (4, 1))))
    (got,) = client.read(p4r.Entity(packet_replication_engine_entry=clone_session(0)))
    assert got.packet_replication_engine_entry.clone_session_entry.session_id == 5
    # clone sessions are not multicast groups
    assert client.read(p4r.Entity(packet_replication_engine_entry=mc_group(0))) == []
    assert refused(client, insert(packet_replication_engine_entry=clone_session(6, (4, 1), cos=1))) == [
        rpc_code.UNIMPLEMENTED
    ]
    assert refused(client, insert(packet_replication_engine_entry=clone_session(0, (4, 1)))) == [
        rpc_code.INVALID_ARGUMENT
    ]


# ------------------------------------------------------------------ counters, meters, registers


def counter_entry(client: Client, name: str, index: int | None) -> p4r.CounterEntry:
    entry = p4r.CounterEntry(counter_id=client.id_of("counters", name))
    if index is not None:
        entry.index.index = index
    return entry


def test_counters(client: Client) -> None:
    entry = counter_entry(client, "port_counter", 3)
    entry.data.packet_count = 5
    entry.data.byte_count = 500
    client.write(modify(counter_entry=entry))
    (got,) = client.read(p4r.Entity(counter_entry=counter_entry(client, "port_counter", 3)))
    assert (got.counter_entry.data.packet_count, got.counter_entry.data.byte_count) == (5, 500)
    everything = client.read(p4r.Entity(counter_entry=counter_entry(client, "port_counter", None)))
    assert len(everything) == 128
    packets_only = counter_entry(client, "packet_only_counter", 1)
    packets_only.data.packet_count = 2
    packets_only.data.byte_count = 99
    client.write(modify(counter_entry=packets_only))
    (got,) = client.read(p4r.Entity(counter_entry=counter_entry(client, "packet_only_counter", 1)))
    assert (got.counter_entry.data.packet_count, got.counter_entry.data.byte_count) == (2, 0)
    assert refused(client, insert(counter_entry=entry)) == [rpc_code.INVALID_ARGUMENT]
    assert refused(client, modify(counter_entry=counter_entry(client, "port_counter", None))) == [rpc_code.UNIMPLEMENTED]
    assert refused(client, modify(counter_entry=counter_entry(client, "port_counter", 500))) == [rpc_code.UNKNOWN]
    reset = counter_entry(client, "port_counter", 3)
    client.write(modify(counter_entry=reset))


def test_meters(client: Client) -> None:
    entry = p4r.MeterEntry(meter_id=client.id_of("meters", "port_meter"))
    entry.index.index = 2
    entry.config.CopyFrom(p4r.MeterConfig(cir=10, cburst=1, pir=20, pburst=2))
    client.write(modify(meter_entry=entry))
    (got,) = client.read(p4r.Entity(meter_entry=entry))
    assert (got.meter_entry.config.cir, got.meter_entry.config.pir) == (10, 20)
    everything = client.read(p4r.Entity(meter_entry=p4r.MeterEntry(meter_id=entry.meter_id)))
    assert len(everything) == 16
    assert sum(e.meter_entry.HasField("config") for e in everything) == 1
    entry.ClearField("config")  # no config: back to the default (unconfigured) meter
    client.write(modify(meter_entry=entry))
    (got,) = client.read(p4r.Entity(meter_entry=entry))
    assert not got.meter_entry.HasField("config")
    assert refused(client, delete(meter_entry=entry)) == [rpc_code.INVALID_ARGUMENT]


def test_registers(client: Client) -> None:
    entry = p4r.RegisterEntry(register_id=client.id_of("registers", "scratch"))
    entry.index.index = 4
    entry.data.bitstring = b"\x00\x00\x12\x34"
    client.write(modify(register_entry=entry))
    (got,) = client.read(p4r.Entity(register_entry=entry))
    assert got.register_entry.data == p4d.P4Data(bitstring=b"\x12\x34")
    assert len(client.read(p4r.Entity(register_entry=p4r.RegisterEntry(register_id=entry.register_id)))) == 16
    entry.data.bitstring = b"\x01\x00\x00\x00\x00"
    assert refused(client, modify(register_entry=entry)) == [rpc_code.INVALID_ARGUMENT]
    entry.data.bitstring = b"\x00"
    client.write(modify(register_entry=entry))


def test_value_sets(client: Client) -> None:
    vs_id = client.id_of("value_sets", "special_types")
    entry = p4r.ValueSetEntry(value_set_id=vs_id)
    entry.members.add().match.append(exact(1, b"\x88\xcc"))
    client.write(modify(value_set_entry=entry))
    (got,) = client.read(p4r.Entity(value_set_entry=p4r.ValueSetEntry(value_set_id=vs_id)))
    assert got.value_set_entry == entry
    for n in range(4):
        entry.members.add().match.append(exact(1, bytes([n + 1])))
    assert refused(client, modify(value_set_entry=entry)) == [rpc_code.RESOURCE_EXHAUSTED]
    client.write(modify(value_set_entry=p4r.ValueSetEntry(value_set_id=vs_id)))


def test_digest_entry_config(client: Client) -> None:
    digest_id = client.id_of("digests", "learn_t")
    entry = p4r.DigestEntry(digest_id=digest_id)
    entry.config.max_timeout_ns = 0
    entry.config.max_list_size = 1
    entry.config.ack_timeout_ns = 10**9
    with pytest.raises(grpc.RpcError) as unconfigured:  # PI: NOT_FOUND "Digest <id> not configured"
        client.read(p4r.Entity(digest_entry=p4r.DigestEntry(digest_id=digest_id)))
    assert code_of(unconfigured.value) == grpc.StatusCode.NOT_FOUND
    assert refused(client, modify(digest_entry=entry)) == [rpc_code.NOT_FOUND]
    client.write(insert(digest_entry=entry))
    (got,) = client.read(p4r.Entity(digest_entry=p4r.DigestEntry(digest_id=digest_id)))
    assert got.digest_entry == entry
    assert refused(client, insert(digest_entry=entry)) == [rpc_code.ALREADY_EXISTS]
    with pytest.raises(grpc.RpcError) as info:
        client.read(p4r.Entity(digest_entry=p4r.DigestEntry()))
    assert code_of(info.value) == grpc.StatusCode.UNIMPLEMENTED
    client.write(delete(digest_entry=entry))
    with pytest.raises(grpc.RpcError) as deleted:
        client.read(p4r.Entity(digest_entry=p4r.DigestEntry(digest_id=digest_id)))
    assert code_of(deleted.value) == grpc.StatusCode.NOT_FOUND
