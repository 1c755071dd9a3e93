"""Packet-out → pipeline → packet-in, multicast to the CPU port, digests with acks, idle timeouts.

``runtime_all.p4`` sends a PacketOut whose ``flags`` is 0 (or above 3) straight back to the CPU
port with a ``packet_in`` header {ingress_port = 64, reason = flags}; with flags 1..3 the packet
goes through the tables like a received packet (ingress port 64). Expected values are computed by
hand from the program and P4TARGET.md §5 "Packet I/O".
"""

from __future__ import annotations

import time

from finsy.proto import p4r

from tests.softswitch.p4runtime.p4rt_harness import CPU_PORT, Client, Stream, action, exact, insert

ETH = bytes.fromhex("0000000000aa" "0000000000bb" "0800") + b"payload"


def packet_out(payload: bytes, egress_port: int | None = None, flags: int | None = None) -> p4r.StreamMessageRequest:
    request = p4r.StreamMessageRequest()
    if egress_port is not None:
        request.packet.metadata.add(metadata_id=1, value=egress_port.to_bytes(2, "big"))
    if flags is not None:
        request.packet.metadata.add(metadata_id=2, value=bytes([flags]))
    request.packet.payload = payload
    return request


def metadata(packet: p4r.PacketIn) -> dict[int, bytes]:
    return {m.metadata_id: m.value for m in packet.metadata}


def primary_stream(client: Client) -> Stream:
    return client.streams[0]


def test_packet_out_loops_back_as_packet_in(client: Client) -> None:
    stream = primary_stream(client)
    stream.send(packet_out(ETH, egress_port=3, flags=5))
    packet = stream.next("packet").packet
    # packet_in = {ingress_port: 9 bits = 64, reason: 7 bits = 5}, decoded canonically
    assert metadata(packet) == {1: bytes([CPU_PORT]), 2: b"\x05"}
    assert packet.payload == ETH
    # missing metadata fields are zero: flags 0 also loops back
    stream.send(packet_out(ETH))
    packet = stream.next("packet").packet
    assert metadata(packet) == {1: bytes([CPU_PORT]), 2: b"\x00"}


def test_packet_out_errors_and_backups(client: Client) -> None:
    stream = primary_stream(client)
    bad = packet_out(ETH, flags=5)
    bad.packet.metadata.add(metadata_id=9, value=b"\x01")
    stream.send(bad)
    error = stream.next("error").error
    assert error.canonical_code == 3 and error.packet_out.packet_out == bad.packet
    too_wide = packet_out(ETH, egress_port=0x200)  # 10 bits for a 9-bit field
    stream.send(too_wide)
    assert stream.next("error").error.canonical_code == 3
    # a backup's packet-out is dropped silently
    other = Client(client.address)
    try:
        backup = other.stream()
        backup.arbitrate(2)
        assert backup.next("arbitration").arbitration.status.code == 6
        backup.send(packet_out(ETH, flags=6))
        assert stream.nothing("packet") and backup.nothing("packet")
    finally:
        other.close()


def test_multicast_to_the_cpu_port(client: Client) -> None:
    group = p4r.PacketReplicationEngineEntry()
    group.multicast_group_entry.multicast_group_id = 3
    group.multicast_group_entry.replicas.add(egress_port=CPU_PORT, instance=1)
    group.multicast_group_entry.replicas.add(egress_port=CPU_PORT, instance=2)
    client.write(insert(packet_replication_engine_entry=group))
    entry = p4r.TableEntry(
        table_id=client.table_id("t_exact"),
        match=[exact(1, b"\xaa")],
        action=action(client.action_id("set_mcast"), b"\x03"),
    )
    client.write(insert(table_entry=entry))
    stream = primary_stream(client)
    stream.send(packet_out(ETH, flags=1))
    first = stream.next("packet").packet
    second = stream.next("packet").packet
    # no packet_in header was added on this path: the frame's first two bytes read as metadata
    assert first.payload == second.payload == ETH[2:]
    assert stream.nothing("packet")
    # the direct counter of t_exact counted the hit
    (read,) = client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=entry.table_id, counter_data=p4r.CounterData())))
    assert read.table_entry.counter_data.packet_count == 1
    assert read.table_entry.counter_data.byte_count == 2 + len(ETH)  # packet_out header + frame


def test_to_cpu_action(client: Client) -> None:
    entry = p4r.TableEntry(
        table_id=client.table_id("t_exact"),
        match=[exact(1, b"\xaa")],
        action=action(client.action_id("to_cpu"), b"\x02"),
    )
    client.write(insert(table_entry=entry))
    stream = primary_stream(client)
    stream.send(packet_out(ETH, flags=1))
    packet = stream.next("packet").packet
    assert metadata(packet) == {1: bytes([CPU_PORT]), 2: b"\x02"}
    assert packet.payload == ETH


def test_digests_with_acks(client: Client) -> None:
    digest_id = client.id_of("digests", "learn_t")
    config = p4r.DigestEntry(digest_id=digest_id)
    config.config.max_timeout_ns = 0
    config.config.max_list_size = 1
    config.config.ack_timeout_ns = 60 * 10**9
    stream = primary_stream(client)
    # before the digest is configured, samples are dropped
    stream.send(packet_out(ETH, flags=1))
    assert stream.nothing("digest")
    client.write(insert(digest_entry=config))
    stream.send(packet_out(ETH, flags=1))
    digest = stream.next("digest").digest
    assert digest.digest_id == digest_id and digest.list_id == 1
    (sample,) = digest.data
    # learn_t {src = 0x0000000000bb, port = 64}
    assert [m.bitstring for m in sample.struct.members] == [b"\xbb", bytes([CPU_PORT])]
    # the same sample is suppressed until the list is acked
    stream.send(packet_out(ETH, flags=1))
    assert stream.nothing("digest")
    ack = p4r.StreamMessageRequest()
    ack.digest_ack.digest_id = digest_id
    ack.digest_ack.list_id = 1
    stream.send(ack)
    deadline = time.monotonic() + 10
    while True:  # the ack is handled asynchronously: poll until a new list arrives
        stream.send(packet_out(ETH, flags=1))
        try:
            digest = stream.next("digest", timeout=0.2).digest
            break
        except TimeoutError:
            assert time.monotonic() < deadline, "no digest after the ack"
    assert digest.list_id == 2
    client.write(p4r.Update(type=p4r.Update.DELETE, entity=p4r.Entity(digest_entry=config)))


def test_digest_lists_batch_until_timeout(client: Client) -> None:
    digest_id = client.id_of("digests", "learn_t")
    config = p4r.DigestEntry(digest_id=digest_id)
    config.config.max_timeout_ns = 200_000_000
    config.config.max_list_size = 100
    client.write(insert(digest_entry=config))
    stream = primary_stream(client)
    for src in (b"\x01", b"\x02", b"\x03"):
        stream.send(packet_out(ETH[:11] + src + ETH[12:], flags=1))
    digest = stream.next("digest").digest
    assert sorted(d.struct.members[0].bitstring for d in digest.data) == [b"\x01", b"\x02", b"\x03"]
    client.write(p4r.Update(type=p4r.Update.DELETE, entity=p4r.Entity(digest_entry=config)))


def test_idle_timeout_notification(client: Client) -> None:
    entry = p4r.TableEntry(
        table_id=client.table_id("t_idle"),
        match=[exact(1, b"\xcc")],
        action=action(client.action_id("NoAction")),
        idle_timeout_ns=200_000_000,
    )
    client.write(insert(table_entry=entry))
    notification = primary_stream(client).next("idle_timeout_notification").idle_timeout_notification
    (expired,) = notification.table_entry
    assert expired.table_id == entry.table_id and list(expired.match) == list(entry.match)
    assert expired.idle_timeout_ns == entry.idle_timeout_ns
