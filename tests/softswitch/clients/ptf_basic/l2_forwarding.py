"""PTF tests of ``programs/l2_clients.p4`` on softswitch: P4Runtime writes, then packets on veth.

PTF ports 0 and 1 face switch ports 0 and 1. Every test ends, and every drop is checked, with a
proof packet that must be the next one out (:meth:`L2Test.nothing_else`), so a "nothing (else)
comes out" check cannot pass just because the switch is slow.
"""

from __future__ import annotations

from finsy.proto import p4r
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from tests.softswitch.clients.l2_program import packet_in_fields, packet_out
from tests.softswitch.clients.ptf_p4runtime import (
    P4RuntimeTest,
    send_packet,
    verify_next_is,
    verify_packet,
    verify_packets,
)
from tests.softswitch.p4runtime.p4rt_harness import delete, exact, insert, modify

CPU_PORT = 255
HOST0 = "02:00:00:00:00:10"
HOST1 = "02:00:00:00:00:11"
STRANGER = "02:00:00:00:00:66"
PROOF = "02:00:00:00:00:99"  # every test's table sends it from anywhere to port 1
BROADCAST = "ff:ff:ff:ff:ff:ff"


def udp_frame(dst: str, src: str = HOST0, note: str = "ptf") -> bytes:
    packet = (
        Ether(dst=dst, src=src)
        / IP(src="10.0.0.1", dst="10.0.0.2")
        / UDP(sport=4000, dport=5000)
        / Raw(f"softswitch ptf {note}".encode().ljust(32, b"."))
    )
    return bytes(packet)


class L2Test(P4RuntimeTest):
    """Helpers to write ``l2`` entries and PRE entries with the primary client; every test starts
    with one entry, the proof packet's (to port 1)."""

    def setUp(self) -> None:
        super().setUp()
        self.insert_l2(PROOF, "forward", 1)

    def nothing_else(self) -> None:
        """Nothing more comes out of the switch than what was already checked."""
        verify_next_is(self, udp_frame(PROOF, note="proof"), via=0, port=1)

    def l2(self, dst: str, action: str, *params: int) -> p4r.TableEntry:
        entry = p4r.TableEntry(table_id=self.client.table_id("l2"))
        entry.match.append(exact(1, bytes.fromhex(dst.replace(":", ""))))
        entry.action.action.action_id = self.client.action_id(action)
        for index, value in enumerate(params, 1):
            entry.action.action.params.add(param_id=index, value=value.to_bytes(4, "big").lstrip(b"\0") or b"\0")
        return entry

    def insert_l2(self, dst: str, action: str, *params: int) -> None:
        self.client.write(insert(table_entry=self.l2(dst, action, *params)))

    def multicast_group(self, group_id: int, replicas: list[tuple[int, int]]) -> None:
        pre = p4r.PacketReplicationEngineEntry()
        pre.multicast_group_entry.multicast_group_id = group_id
        for port, instance in replicas:
            pre.multicast_group_entry.replicas.add(egress_port=port, instance=instance)
        self.client.write(insert(packet_replication_engine_entry=pre))

    def clone_session(self, session_id: int, replicas: list[tuple[int, int]]) -> None:
        pre = p4r.PacketReplicationEngineEntry()
        pre.clone_session_entry.session_id = session_id
        for port, instance in replicas:
            pre.clone_session_entry.replicas.add(egress_port=port, instance=instance)
        self.client.write(insert(packet_replication_engine_entry=pre))


class Forwarding(L2Test):
    """Known destinations go out of their port, in both directions."""

    def runTest(self) -> None:
        self.insert_l2(HOST1, "forward", 1)
        self.insert_l2(HOST0, "forward", 0)
        to_host1 = udp_frame(HOST1, HOST0, "0->1")
        send_packet(self, 0, to_host1)
        verify_packets(self, to_host1, [1])
        to_host0 = udp_frame(HOST0, HOST1, "1->0")
        send_packet(self, 1, to_host0)
        verify_packets(self, to_host0, [0])
        self.nothing_else()


class UnknownDestinationIsDropped(L2Test):
    """The table's default action drops what matches no entry."""

    def runTest(self) -> None:
        send_packet(self, 0, udp_frame(STRANGER, note="stranger"))
        self.nothing_else()


class ModifyThenDelete(L2Test):
    """MODIFY changes the port at once; after DELETE the destination is unknown again."""

    def runTest(self) -> None:
        self.insert_l2(HOST1, "forward", 1)
        frame = udp_frame(HOST1, note="moving")
        send_packet(self, 0, frame)
        verify_packets(self, frame, [1])
        self.nothing_else()
        self.client.write(modify(table_entry=self.l2(HOST1, "forward", 0)))
        send_packet(self, 0, frame)
        verify_packets(self, frame, [0])
        self.nothing_else()
        self.client.write(delete(table_entry=self.l2(HOST1, "forward", 0)))
        send_packet(self, 0, frame)
        self.nothing_else()


class Flood(L2Test):
    """A multicast group copies the packet to every member port, the ingress port included."""

    def runTest(self) -> None:
        self.multicast_group(1, [(0, 1), (1, 1)])
        self.insert_l2(BROADCAST, "flood", 1)
        frame = udp_frame(BROADCAST, note="flood")
        send_packet(self, 0, frame)
        verify_packets(self, frame, [0, 1])
        self.nothing_else()


class Mirror(L2Test):
    """An I2E clone session sends a copy to port 1 while the original goes to port 0."""

    def runTest(self) -> None:
        self.clone_session(5, [(1, 1)])
        self.insert_l2(HOST0, "mirror", 0, 5)
        frame = udp_frame(HOST0, HOST1, note="mirror")
        send_packet(self, 1, frame)
        verify_packets(self, frame, [0, 1])
        self.nothing_else()


class PacketOutAndIn(L2Test):
    """A PacketOut leaves on the port it names; a frame sent to the CPU arrives as a PacketIn."""

    def runTest(self) -> None:
        frame = udp_frame(STRANGER, note="packet-out")
        self.stream.send(packet_out(frame, egress_port=1, use_tables=0))
        verify_packet(self, frame, 1)
        self.nothing_else()

        self.insert_l2(HOST0, "to_cpu")
        punted = udp_frame(HOST0, HOST1, note="punt")
        send_packet(self, 1, punted)
        # ingress_port 1, no replica, instance_type NORMAL; the payload is the frame as received
        self.assertEqual(packet_in_fields(self.stream.next("packet")), (1, 0, 0, punted))
        self.nothing_else()
