"""Downstream: from a customer's VLAN on the uplink to its devices (p4src/README.md 3.3).

A frame is delivered only from a known customer VLAN, from that customer's endpoint (or allowed
peer) prefixes, to a device of the same customer: untagged for an untagged attachment, re-tagged
with the access VLAN (PCP kept) for a tagged one, to the MAC the device last sent from (broadcast
before it ever sent), from the access port's own MAC.
"""

from __future__ import annotations

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import BROADCAST, build
from edge_ptf import EdgeTest
from edge_world import (
    ACME,
    CROSS_CUSTOMER,
    DEV_A,
    DEV_B,
    DEV_C,
    DEV_D,
    DEV_E,
    GLOBEX,
    NOT_FROM_ENDPOINT,
    UNKNOWN_DEST,
    UPLINK,
    UPLINK_VLAN,
    down_entry,
)


class DownstreamV6Untagged(EdgeTest):
    """To A (untagged): the tag is removed; the destination MAC is broadcast until A has sent, then
    the MAC A last sent from; UDP, TCP and ICMPv6 leave unchanged otherwise."""

    def runTest(self) -> None:
        a = DEV_A
        first = downstream_flow(a, note="before A sent")
        self.send(UPLINK, first)
        self.expect(as_delivered(first, a, dst_mac=BROADCAST), a.port)

        hello = upstream_flow(a, note="hello")
        self.send(a.port, hello)
        self.expect(as_forwarded_up(hello, a), UPLINK)
        for proto in ("udp", "tcp", "icmp6"):
            flow = downstream_flow(a, proto=proto, pcp=3)
            self.send(UPLINK, flow)
            self.expect(as_delivered(flow, a, dst_mac=a.mac, pcp=0), a.port)

        new_mac = "00:00:00:aa:01:01"  # A's last frame came from another MAC: replies follow it
        moved = upstream_flow(a, src_mac=new_mac, note="new nic")
        self.send(a.port, moved)
        self.expect(as_forwarded_up(moved, a), UPLINK)
        flow = downstream_flow(a, note="after new nic")
        self.send(UPLINK, flow)
        self.expect(as_delivered(flow, a, dst_mac=new_mac), a.port)
        self.proof()


class DownstreamV6Retagged(EdgeTest):
    """To B (VLAN 100): VID 1000 becomes 100, the PCP stays."""

    def runTest(self) -> None:
        for pcp in (0, 6):
            flow = downstream_flow(DEV_B, pcp=pcp, note=f"pcp {pcp}")
            self.send(UPLINK, flow)
            self.expect(as_delivered(flow, DEV_B, dst_mac=BROADCAST), DEV_B.port)
        self.proof()


class DownstreamV4(EdgeTest):
    """IPv4: to C re-tagged with VLAN 200 (GLOBEX's VLAN 2000 in), to E untagged (ACME's VLAN in)."""

    def runTest(self) -> None:
        for device in (DEV_C, DEV_E):
            self.send(device.port, upstream_flow(device, note="learn"))
            self.expect(as_forwarded_up(upstream_flow(device, note="learn"), device), UPLINK)
            for proto in ("udp", "tcp"):
                flow = downstream_flow(device, proto=proto)
                self.send(UPLINK, flow)
                self.expect(as_delivered(flow, device, dst_mac=device.mac), device.port)
        self.proof()


class DownstreamFromAllowedPeer(EdgeTest):
    """A source in the customer's allowed prefixes (not an endpoint) may reach its devices."""

    def runTest(self) -> None:
        for device, src in ((DEV_A, "2001:db8:ff:7::1"), (DEV_B, "2001:db8:ff::2")):
            flow = downstream_flow(device, src=src, proto="tcp")
            self.send(UPLINK, flow)
            self.expect(as_delivered(flow, device, dst_mac=BROADCAST), device.port)
        self.proof()


class UplinkVlanRefused(EdgeTest):
    """An untagged frame on the uplink, or one on a VLAN no customer has there: UPLINK_VLAN."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(UPLINK, downstream_flow(DEV_A, vlan=0, note="untagged"))
        self.send(UPLINK, downstream_flow(DEV_A, vlan=3000, note="unknown vlan"))
        self.send(UPLINK, downstream_flow(DEV_A, vlan=DEV_B.vlan, note="an access vlan"))
        self.proof()
        self.assert_dropped(before, {UPLINK_VLAN: 3})


class NotFromEndpoint(EdgeTest):
    """A source outside the VLAN's customer prefixes (another customer's endpoint) is refused."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(UPLINK, downstream_flow(DEV_A, src=DEV_D.endpoint, note="globex src on acme vlan"))
        self.send(UPLINK, downstream_flow(DEV_C, src=DEV_E.endpoint, note="acme src on globex vlan"))
        self.send(UPLINK, downstream_flow(DEV_A, src="2001:db8:dead::1", note="stranger"))
        self.proof()
        self.assert_dropped(before, {NOT_FROM_ENDPOINT: 3})


class UnknownDestination(EdgeTest):
    """A destination that is no registered device: UNKNOWN_DEST (IPv6 and IPv4)."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(UPLINK, downstream_flow(DEV_A, dst="2001:db8:100::77"))
        self.send(UPLINK, downstream_flow(DEV_E, dst="192.168.10.77"))
        self.proof()
        self.assert_dropped(before, {UNKNOWN_DEST: 2})


class CrossCustomerUnicast(EdgeTest):
    """A customer's VLAN and source, but another customer's device: CROSS_CUSTOMER, and the
    destination's downstream counter still counts it (README 2.1)."""

    def runTest(self) -> None:
        before = self.drops()
        to_d = down_entry(DEV_D)
        counted = self.direct_counter(to_d)
        acme_to_d = downstream_flow(DEV_D, vlan=ACME.vlan, src=DEV_A.endpoint, note="acme to globex")
        self.send(UPLINK, acme_to_d)
        globex_to_e = downstream_flow(DEV_E, vlan=GLOBEX.vlan, src=DEV_C.endpoint, note="globex to acme")
        self.send(UPLINK, globex_to_e)
        self.proof()
        self.assert_dropped(before, {CROSS_CUSTOMER: 2})
        self.assertEqual(self.direct_counter(to_d), (counted[0] + 1, counted[1] + len(build(acme_to_d))))


class DownstreamCounters(EdgeTest):
    """device_down_* direct counters count each delivered packet and its bytes."""

    def runTest(self) -> None:
        for device in (DEV_B, DEV_C):
            entry = down_entry(device)
            self.assertEqual(self.direct_counter(entry), (0, 0))
            total = 0
            for n in range(3):
                flow = downstream_flow(device, note="x" * (10 * n))
                self.send(UPLINK, flow)
                self.expect(as_delivered(flow, device, dst_mac=BROADCAST), device.port)
                total += len(build(flow))
            self.assertEqual(self.direct_counter(entry), (3, total))
        self.proof()
