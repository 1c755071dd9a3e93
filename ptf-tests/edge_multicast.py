"""Group instructions: one copy per member device, rewritten for it (p4src/README.md 3.4), whether
the instruction comes from an uplink or as one PacketOut naming the group (3.6).

The base world has ACME's group ff3e::4242 as PRE group 5 with replicas (port 1, rid 1) for A,
(port 2, rid 2) for B, and (port 4, rid 4) for D, a GLOBEX device put there by mistake. Every copy
gets the member's own address as destination (checksum adjusted) and the member's access VLAN;
D's copy must be dropped by the egress (``EdgeEgress.drops[CROSS_CUSTOMER]``).
"""

from __future__ import annotations

from dataclasses import replace

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import BROADCAST, Flow, build
from edge_ptf import EdgeTest
from edge_world import (
    ACME,
    BAD_PACKET_OUT,
    CPU_PORT,
    CROSS_CUSTOMER,
    DEV_A,
    DEV_B,
    DEV_D,
    GLOBEX,
    GROUP_ADDR,
    GROUP_ID,
    MEMBERS,
    NO_MEMBER,
    NOT_FROM_ENDPOINT,
    PUNT_DEVICE_ASLEEP,
    UNKNOWN_GROUP,
    UPLINK,
    Device,
    group_entry,
    member_entry,
)

ACME_SOURCE = "2001:db8:a::1"  # an ACME endpoint address


def group_flow(src: str = ACME_SOURCE, *, vlan: int = ACME.vlan, proto: str = "udp", pcp: int = 0,
               group: str = GROUP_ADDR, note: str = "group") -> Flow:
    return downstream_flow(DEV_A, src=src, dst=group, vlan=vlan, proto=proto, pcp=pcp,
                           payload=f"instruction {note}".encode().ljust(28, b"."))


def member_copy(flow: Flow, member: Device, dst_mac: str) -> Flow:
    return as_delivered(flow, member, dst_mac=dst_mac, dst=member.addr, pcp=flow.pcp if member.vlan else 0)


class GroupCopiesPerMember(EdgeTest):
    """A and B each get their copy (UDP, TCP, ICMPv6); D (another customer) gets none."""

    def runTest(self) -> None:
        before = self.drops()
        sent = 0
        for proto in ("udp", "tcp", "icmp6"):
            flow = group_flow(proto=proto, pcp=5, note=proto)
            self.send(UPLINK, flow)
            sent += 1
            self.expect_each({DEV_A.port: member_copy(flow, DEV_A, BROADCAST),
                              DEV_B.port: member_copy(flow, DEV_B, BROADCAST)})
        self.proof()
        self.assert_dropped(before, {}, {CROSS_CUSTOMER: sent})


class GroupCopyToLearnedMac(EdgeTest):
    """Once a member has sent, its copy goes to the MAC it sent from."""

    def runTest(self) -> None:
        hello = upstream_flow(DEV_B, note="hello")
        self.send(DEV_B.port, hello)
        self.expect(as_forwarded_up(hello, DEV_B), UPLINK)
        flow = group_flow()
        self.send(UPLINK, flow)
        self.expect_each({DEV_A.port: member_copy(flow, DEV_A, BROADCAST),
                          DEV_B.port: member_copy(flow, DEV_B, DEV_B.mac)})
        self.proof()


class CrossCustomerGroup(EdgeTest):
    """ACME's group address is never looked up for GLOBEX's VLAN: UNKNOWN_GROUP, no copy to anyone.
    With the same address registered for GLOBEX (its own PRE group, D only), each customer's
    instruction reaches only its own members."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(UPLINK, group_flow(DEV_D.endpoint, vlan=GLOBEX.vlan, note="globex"))
        self.send(UPLINK, group_flow(ACME_SOURCE, vlan=GLOBEX.vlan, note="acme src, globex vlan"))
        self.proof()
        self.assert_dropped(before, {UNKNOWN_GROUP: 1, NOT_FROM_ENDPOINT: 1})

        self.rt.multicast_group(6, [(DEV_D.port, 40)])
        self.rt.insert(group_entry(GLOBEX, GROUP_ADDR, 6), member_entry(40, DEV_D))
        globex = group_flow(DEV_D.endpoint, vlan=GLOBEX.vlan, note="globex group")
        self.send(UPLINK, globex)
        self.expect(member_copy(globex, DEV_D, DEV_D.mac), DEV_D.port)  # D sent the proof packets
        acme = group_flow(note="acme group")
        self.send(UPLINK, acme)
        self.expect_each({DEV_A.port: member_copy(acme, DEV_A, BROADCAST),
                          DEV_B.port: member_copy(acme, DEV_B, BROADCAST)})
        self.proof()


class UnknownGroupAddress(EdgeTest):
    """A group address the customer has not registered: UNKNOWN_GROUP."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(UPLINK, group_flow(group="ff3e::9999"))
        self.proof()
        self.assert_dropped(before, {UNKNOWN_GROUP: 1})


class ReplicaWithoutMember(EdgeTest):
    """A replica with no mcast_member entry is dropped by the egress (NO_MEMBER); the others pass."""

    def runTest(self) -> None:
        replicas = [(d.port, rid) for rid, d in MEMBERS] + [(DEV_A.port, 9)]
        self.rt.multicast_group(GROUP_ID, replicas, modify=True)
        before = self.drops()
        flow = group_flow()
        self.send(UPLINK, flow)
        self.expect_each({DEV_A.port: member_copy(flow, DEV_A, BROADCAST),
                          DEV_B.port: member_copy(flow, DEV_B, BROADCAST)})
        self.proof()
        self.assert_dropped(before, {}, {CROSS_CUSTOMER: 1, NO_MEMBER: 1})


class SleepingMemberHeld(EdgeTest):
    """A sleeping member's replica moved to the CPU port with hold_member: its copy arrives as a
    packet-in (reason 2, ingress port = the uplink), rewritten as the member would receive it, and
    a PacketOut replays it byte for byte out of the member's port."""

    def runTest(self) -> None:
        replicas = [(CPU_PORT, 1), (DEV_B.port, 2), (DEV_D.port, 4)]
        self.rt.multicast_group(GROUP_ID, replicas, modify=True)
        self.rt.insert(member_entry(1, DEV_A, port=CPU_PORT, hold=True))
        flow = group_flow(pcp=2)
        self.send(UPLINK, flow)
        self.expect(member_copy(flow, DEV_B, BROADCAST), DEV_B.port)
        held = build(member_copy(flow, DEV_A, BROADCAST))
        self.expect_packet_in(held, UPLINK, PUNT_DEVICE_ASLEEP)
        self.proof()
        self.stream.packet_out(held, egress_port=DEV_A.port)
        self.expect(held, DEV_A.port)
        self.proof()


def instruction_flow(*, vlan: int = 0, proto: str = "udp", note: str = "packet-out") -> Flow:
    """A group instruction as the controller injects it: from an ACME endpoint to the group address
    (UDP from and to the instruction port), its MACs and VLAN left for the egress to set."""
    return Flow(src_mac="02:ed:9e:00:00:40", dst_mac="33:33:00:00:42:42", src=ACME_SOURCE, dst=GROUP_ADDR,
                vlan=vlan, proto=proto, sport=5683, dport=5683,
                payload=f"instruction {note}".encode().ljust(28, b"."))


class PacketOutToGroup(EdgeTest):
    """A PacketOut naming ACME's multicast group (README 3.6, 4.2) is replicated by the PRE: A and B
    each get exactly one copy rewritten for them (address, VLAN, MACs, checksums), D (GLOBEX, in the
    group by mistake) gets none and is counted in EdgeEgress.drops[CROSS_CUSTOMER]."""

    def runTest(self) -> None:
        before = self.drops()
        sent = 0
        for flow in (instruction_flow(), instruction_flow(vlan=ACME.vlan, note="tagged"),
                     instruction_flow(proto="tcp", note="tcp")):
            self.stream.packet_out(build(flow), egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
            sent += 1
            self.expect_each({DEV_A.port: member_copy(flow, DEV_A, BROADCAST),
                              DEV_B.port: member_copy(flow, DEV_B, BROADCAST)})
        self.proof()
        self.assert_dropped(before, {}, {CROSS_CUSTOMER: sent})

        # a member that has sent gets its copy at its learned MAC
        hello = upstream_flow(DEV_B, note="hello")
        self.send(DEV_B.port, hello)
        self.expect(as_forwarded_up(hello, DEV_B), UPLINK)
        flow = instruction_flow(note="after hello")
        self.stream.packet_out(build(flow), egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        self.expect_each({DEV_A.port: member_copy(flow, DEV_A, BROADCAST),
                          DEV_B.port: member_copy(flow, DEV_B, DEV_B.mac)})
        self.proof()


class PacketOutToOwnGroupOnly(EdgeTest):
    """With GLOBEX's own group (PRE group 6, D only) next to ACME's, a PacketOut to each group
    reaches only that customer's members."""

    def runTest(self) -> None:
        self.rt.multicast_group(6, [(DEV_D.port, 40)])
        self.rt.insert(member_entry(40, DEV_D))
        before = self.drops()
        globex = instruction_flow(note="globex")
        self.stream.packet_out(build(globex), egress_port=0, mcast_grp=6, customer_id=GLOBEX.cid)
        self.expect(member_copy(globex, DEV_D, BROADCAST), DEV_D.port)
        acme = instruction_flow(note="acme")
        self.stream.packet_out(build(acme), egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        self.expect_each({DEV_A.port: member_copy(acme, DEV_A, BROADCAST),
                          DEV_B.port: member_copy(acme, DEV_B, BROADCAST)})
        self.proof()
        self.assert_dropped(before, {}, {CROSS_CUSTOMER: 1})


class PacketOutToGroupMisuse(EdgeTest):
    """A group PacketOut that also names a port, carries no IPv6 packet, or is not addressed to a
    multicast address is dropped as BAD_PACKET_OUT; a port-directed PacketOut still works."""

    def runTest(self) -> None:
        before = self.drops()
        good = build(instruction_flow(note="misuse"))
        self.stream.packet_out(good, egress_port=DEV_A.port, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        unicast = build(replace(instruction_flow(note="unicast"), dst=DEV_A.addr))
        self.stream.packet_out(unicast, egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        v4 = build(Flow(src_mac="02:ed:9e:00:00:40", dst_mac=BROADCAST, src="10.10.0.1", dst="224.0.1.187"))
        self.stream.packet_out(v4, egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        self.proof()
        self.assert_dropped(before, {BAD_PACKET_OUT: 3})

        replay = build(member_copy(instruction_flow(note="replay"), DEV_A, BROADCAST))
        self.stream.packet_out(replay, egress_port=DEV_A.port)
        self.expect(replay, DEV_A.port)
        self.proof()
        self.assert_dropped(before, {BAD_PACKET_OUT: 3})


class PacketOutToGroupHeldMember(EdgeTest):
    """A sleeping member's replica on the CPU port (hold_member): its copy of a group PacketOut
    comes back as a packet-in (reason 2, ingress port = the CPU port), rewritten for the member."""

    def runTest(self) -> None:
        replicas = [(CPU_PORT, 1), (DEV_B.port, 2), (DEV_D.port, 4)]
        self.rt.multicast_group(GROUP_ID, replicas, modify=True)
        self.rt.insert(member_entry(1, DEV_A, port=CPU_PORT, hold=True))
        flow = instruction_flow(note="held")
        self.stream.packet_out(build(flow), egress_port=0, mcast_grp=GROUP_ID, customer_id=ACME.cid)
        self.expect(member_copy(flow, DEV_B, BROADCAST), DEV_B.port)
        self.expect_packet_in(build(member_copy(flow, DEV_A, BROADCAST)), CPU_PORT, PUNT_DEVICE_ASLEEP)
        self.proof()
        self.packet_in_proof()
