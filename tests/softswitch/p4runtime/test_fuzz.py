"""10,000 randomly mutated Write and Read requests, then the switch must still work.

Mutations happen at the byte level (bit flips, truncation, insertion, splicing of serialized
requests, sent raw) and at the field level (random values in random fields of valid requests,
sent as well-formed protobuf). Every request must get an answer (any status), the process must
survive, and afterwards packet-out → packet-in and reads must still be right.
"""

from __future__ import annotations

import random
from typing import Any

import grpc
from finsy.proto import p4r
from google.protobuf.descriptor import FieldDescriptor  # type: ignore[import-untyped]

from tests.softswitch.p4runtime.conftest import wipe
from tests.softswitch.p4runtime.p4rt_harness import CPU_PORT, Client, SwitchProcess, action, exact, insert

ROUNDS = 10_000
SEED = 20241121
INTERESTING_INTS = [0, 1, 2, 3, 7, 8, 9, 16, 64, 255, 256, 511, 512, 1024, 32767, 32768, 65535, 2**31 - 1, 2**32 - 1]


def seed_requests(client: Client) -> tuple[list[p4r.WriteRequest], list[p4r.ReadRequest]]:
    """Valid requests touching every entity kind."""
    fm = p4r.FieldMatch
    ids = {t.preamble.name.split(".")[-1]: t.preamble.id for t in client.p4info.tables}
    fwd = client.action_id("fwd")
    entities: list[p4r.Entity] = [
        p4r.Entity(table_entry=p4r.TableEntry(table_id=ids["t_big"], match=[exact(1, b"\x01")], action=action(fwd, b"\x01"))),
        p4r.Entity(
            table_entry=p4r.TableEntry(
                table_id=ids["t_ternary"],
                match=[fm(field_id=1, ternary=fm.Ternary(value=b"\x08", mask=b"\xff")), exact(2, b"\x02")],
                action=action(fwd, b"\x02"),
                priority=5,
            )
        ),
        p4r.Entity(
            table_entry=p4r.TableEntry(
                table_id=ids["t_lpm"],
                match=[fm(field_id=1, lpm=fm.LPM(value=b"\x0a\x00\x00\x00\x00\x00", prefix_len=8))],
                action=action(client.action_id("fwd_metered"), b"\x01"),
                meter_config=p4r.MeterConfig(cir=1, cburst=1, pir=2, pburst=2),
            )
        ),
        p4r.Entity(
            table_entry=p4r.TableEntry(
                table_id=ids["t_range"], match=[fm(field_id=1, range=fm.Range(low=b"\x01", high=b"\x02"))],
                action=action(fwd, b"\x01"), priority=1,
            )
        ),
        p4r.Entity(
            table_entry=p4r.TableEntry(
                table_id=ids["t_optional"], match=[fm(field_id=2, optional=fm.Optional(value=b"\x03"))],
                action=action(fwd, b"\x01"), priority=1,
            )
        ),
        p4r.Entity(
            table_entry=p4r.TableEntry(
                table_id=ids["t_idle"], match=[exact(1, b"\x05")], action=action(client.action_id("NoAction")),
                idle_timeout_ns=10**9,
            )
        ),
        p4r.Entity(
            action_profile_member=p4r.ActionProfileMember(
                action_profile_id=client.id_of("action_profiles", "selector"), member_id=1, action=action(fwd, b"\x01").action
            )
        ),
        p4r.Entity(
            action_profile_group=p4r.ActionProfileGroup(
                action_profile_id=client.id_of("action_profiles", "selector"),
                group_id=1,
                members=[p4r.ActionProfileGroup.Member(member_id=1, weight=1)],
            )
        ),
        p4r.Entity(
            packet_replication_engine_entry=p4r.PacketReplicationEngineEntry(
                multicast_group_entry=p4r.MulticastGroupEntry(
                    multicast_group_id=1, replicas=[p4r.Replica(egress_port=1, instance=1)]
                )
            )
        ),
        p4r.Entity(
            packet_replication_engine_entry=p4r.PacketReplicationEngineEntry(
                clone_session_entry=p4r.CloneSessionEntry(session_id=1, replicas=[p4r.Replica(egress_port=2, instance=0)])
            )
        ),
        p4r.Entity(
            counter_entry=p4r.CounterEntry(
                counter_id=client.id_of("counters", "port_counter"), index=p4r.Index(index=1),
                data=p4r.CounterData(packet_count=1, byte_count=2),
            )
        ),
        p4r.Entity(
            meter_entry=p4r.MeterEntry(
                meter_id=client.id_of("meters", "port_meter"), index=p4r.Index(index=1),
                config=p4r.MeterConfig(cir=1, cburst=1, pir=2, pburst=2),
            )
        ),
        p4r.Entity(
            register_entry=p4r.RegisterEntry(register_id=client.id_of("registers", "scratch"), index=p4r.Index(index=2))
        ),
        p4r.Entity(
            value_set_entry=p4r.ValueSetEntry(
                value_set_id=client.id_of("value_sets", "special_types"),
                members=[p4r.ValueSetMember(match=[exact(1, b"\x88\xcc")])],
            )
        ),
        p4r.Entity(
            digest_entry=p4r.DigestEntry(
                digest_id=client.id_of("digests", "learn_t"),
                config=p4r.DigestEntry.Config(max_timeout_ns=0, max_list_size=1, ack_timeout_ns=1000),
            )
        ),
    ]
    entities[12].register_entry.data.bitstring = b"\x01"
    writes = []
    for kind in (p4r.Update.INSERT, p4r.Update.MODIFY, p4r.Update.DELETE):
        for entity in entities:
            writes.append(client.write_request([p4r.Update(type=kind, entity=entity)]))
    writes.append(client.write_request([p4r.Update(type=p4r.Update.INSERT, entity=e) for e in entities]))
    reads = [p4r.ReadRequest(device_id=0, entities=[e]) for e in entities]
    reads.append(p4r.ReadRequest(device_id=0, entities=[p4r.Entity(table_entry=p4r.TableEntry())]))
    return writes, reads


def _random_value(rng: random.Random, field: FieldDescriptor) -> Any:
    t = field.type
    if t == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if t in (FieldDescriptor.TYPE_BYTES,):
        n = rng.choice([0, 1, 2, 3, 4, 6, 7, 16, 33])
        return bytes(rng.getrandbits(8) for _ in range(n))
    if t == FieldDescriptor.TYPE_STRING:
        return rng.choice(["", "x", "\u00e9" * 3])
    if t == FieldDescriptor.TYPE_ENUM:
        return rng.choice([v.number for v in field.enum_type.values] + [99])
    value = rng.choice(INTERESTING_INTS) if rng.random() < 0.7 else rng.getrandbits(rng.choice([8, 16, 31]))
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT32) and rng.random() < 0.2:
        value = -value - 1
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32):
        value = max(-(2**31), min(value, 2**31 - 1))
    return value


def mutate_fields(rng: random.Random, message: Any, depth: int = 0) -> None:
    """Change one random field somewhere inside ``message`` (in place)."""
    fields = list(message.DESCRIPTOR.fields)
    present = [f for f in fields if (f.is_repeated and len(getattr(message, f.name))) or (
        not f.is_repeated and f.type == FieldDescriptor.TYPE_MESSAGE and message.HasField(f.name))]
    if present and depth < 6 and rng.random() < 0.75:
        field = rng.choice(present)
        if field.is_repeated:
            items = getattr(message, field.name)
            choice = rng.random()
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                if choice < 0.15:
                    items.add().CopyFrom(items[rng.randrange(len(items))])
                    return
                if choice < 0.25:
                    del items[rng.randrange(len(items))]
                    return
                mutate_fields(rng, items[rng.randrange(len(items))], depth + 1)
                return
            items[rng.randrange(len(items))] = _random_value(rng, field)
            return
        mutate_fields(rng, getattr(message, field.name), depth + 1)
        return
    field = rng.choice(fields)
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(message, field.name).add()
        else:
            getattr(message, field.name).append(_random_value(rng, field))
        return
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if message.HasField(field.name) and rng.random() < 0.5:
            message.ClearField(field.name)
        else:
            getattr(message, field.name).SetInParent()
        return
    setattr(message, field.name, _random_value(rng, field))


def mutate_bytes(rng: random.Random, data: bytes, other: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if not buf:
            buf.extend(rng.getrandbits(8) for _ in range(4))
        if op < 0.4:
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op < 0.55:
            buf[rng.randrange(len(buf))] = rng.choice([0, 0xFF, 0x7F, 0x80])
        elif op < 0.7:
            del buf[rng.randrange(len(buf)) :]
        elif op < 0.85:
            i = rng.randrange(len(buf) + 1)
            buf[i:i] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
        else:
            i = rng.randrange(len(buf) + 1)
            buf[i:i] = other[rng.randrange(len(other) + 1) :]
    return bytes(buf)


def _identity(data: bytes) -> bytes:
    return data


def test_fuzzed_requests_leave_the_switch_working(switch: SwitchProcess, client: Client) -> None:
    rng = random.Random(SEED)
    writes, reads = seed_requests(client)
    raw_write = client.channel.unary_unary("/p4.v1.P4Runtime/Write", request_serializer=_identity)
    raw_read = client.channel.unary_stream("/p4.v1.P4Runtime/Read", request_serializer=_identity)
    seeds = [w.SerializeToString() for w in writes] + [r.SerializeToString() for r in reads]
    answered = 0
    for round_number in range(ROUNDS):
        is_write = rng.random() < 0.6
        if rng.random() < 0.5:
            base = rng.choice(writes if is_write else reads)
            message: Any = type(base)()
            message.CopyFrom(base)
            for _ in range(rng.randint(1, 3)):
                mutate_fields(rng, message)
            if is_write and rng.random() < 0.9:  # keep the primary's election id most of the time
                message.election_id.CopyFrom(writes[0].election_id)
            payload = message.SerializeToString()
        else:
            base_bytes = rng.choice(seeds[: len(writes)] if is_write else seeds[len(writes) :])
            payload = mutate_bytes(rng, base_bytes, rng.choice(seeds))
        try:
            if is_write:
                raw_write(payload, timeout=30)
            else:
                list(raw_read(payload, timeout=30))
            answered += 1
        except grpc.RpcError as err:
            assert err.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED), (
                f"round {round_number}: the switch stopped answering: {err}\n{switch.stderr()}"
            )
            answered += 1
        if round_number % 1000 == 0:
            assert switch.alive(), switch.stderr()
    assert answered == ROUNDS
    assert switch.alive(), switch.stderr()
    log = switch.stderr()
    assert "Traceback" not in log and "unexpectedly" not in log, log[-5000:]

    # the switch still works: state can be cleaned up, written, read back, and packets flow
    wipe(client)
    entry = p4r.TableEntry(
        table_id=client.table_id("t_big"), match=[exact(1, b"\x0a\x0b")], action=action(client.action_id("fwd"), b"\x03")
    )
    client.write(insert(table_entry=entry))
    (got,) = client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=entry.table_id)))
    assert got.table_entry == entry
    stream = client.streams[0]
    request = p4r.StreamMessageRequest()
    request.packet.metadata.add(metadata_id=2, value=b"\x04")
    request.packet.payload = b"\x00" * 12 + b"\x08\x00" + b"after fuzz"
    stream.send(request)
    packet = stream.next("packet").packet
    assert {m.metadata_id: m.value for m in packet.metadata} == {1: bytes([CPU_PORT]), 2: b"\x04"}
    assert packet.payload == request.packet.payload
