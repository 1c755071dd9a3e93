"""Upstream: an admitted device to its endpoint, an allowed prefix or the anycast address
(p4src/README.md 3.1), and the anycast source restored on the way back (3.3 step 5).

Expected frames are the sent flows with what the contract changes: the customer's VLAN (pushed on an
untagged frame, replacing the access VID on a tagged one, PCP kept), the VPC gateway's MAC, the
uplink port's MAC, and for the anycast address the device's endpoint. scapy computes every checksum
of the expected frame from scratch, so the switch's incremental updates must agree byte for byte.
"""

from __future__ import annotations

from dataclasses import replace

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import build, udp_payload_for_checksum
from edge_ptf import EdgeTest
from edge_world import ACME, DEV_A, DEV_B, DEV_C, DEV_D, DEV_E, DISALLOWED_DEST, GLOBEX, UPLINK


class UpstreamV6Untagged(EdgeTest):
    """A (untagged access port) to its endpoint: UDP, TCP and ICMPv6 leave tagged with ACME's VLAN."""

    def runTest(self) -> None:
        for proto in ("udp", "tcp", "icmp6"):
            flow = upstream_flow(DEV_A, proto=proto)
            self.send(DEV_A.port, flow)
            self.expect(as_forwarded_up(flow, DEV_A), UPLINK)
        self.proof()


class UpstreamV6TaggedKeepsPcp(EdgeTest):
    """B (VLAN 100, PCP 5) to its endpoint: the VID becomes ACME's 1000, the PCP stays 5."""

    def runTest(self) -> None:
        for proto in ("udp", "tcp"):
            flow = upstream_flow(DEV_B, proto=proto, pcp=5)
            self.send(DEV_B.port, flow)
            self.expect(as_forwarded_up(flow, DEV_B), UPLINK)
        self.proof()


class UpstreamV4Untagged(EdgeTest):
    """E (IPv4, untagged) to its endpoint."""

    def runTest(self) -> None:
        for proto in ("udp", "tcp"):
            flow = upstream_flow(DEV_E, proto=proto)
            self.send(DEV_E.port, flow)
            self.expect(as_forwarded_up(flow, DEV_E), UPLINK)
        self.proof()


class UpstreamV4Tagged(EdgeTest):
    """C (IPv4, VLAN 200, PCP 3) to its endpoint: GLOBEX's VLAN 2000, PCP 3."""

    def runTest(self) -> None:
        for proto in ("udp", "tcp"):
            flow = upstream_flow(DEV_C, proto=proto, pcp=3)
            self.send(DEV_C.port, flow)
            self.expect(as_forwarded_up(flow, DEV_C), UPLINK)
        self.proof()


class AllowedDestinationPrefix(EdgeTest):
    """Destinations inside the customer's allowed prefixes pass unchanged (IPv6 and IPv4)."""

    def runTest(self) -> None:
        for device, dst in ((DEV_A, "2001:db8:ff:1::1234"), (DEV_B, "2001:db8:ff::1"), (DEV_E, "10.99.3.4"),
                            (DEV_C, "10.98.200.1")):
            flow = upstream_flow(device, dst=dst, proto="tcp")
            self.send(device.port, flow)
            self.expect(as_forwarded_up(flow, device), UPLINK)
        self.proof()


class AnycastV6RewriteAndRestore(EdgeTest):
    """A to ACME's anycast address: the destination becomes A's endpoint (TCP, UDP and ICMPv6
    checksums adjusted). Replies from the endpoint get the anycast source back; replies from another
    ACME source do not; once A talks to its endpoint directly, replies are no longer rewritten."""

    def runTest(self) -> None:
        a, anycast = DEV_A, ACME.anycast_v6
        for proto in ("udp", "tcp", "icmp6"):
            flow = upstream_flow(a, dst=anycast, proto=proto)
            self.send(a.port, flow)
            self.expect(as_forwarded_up(flow, a, dst=a.endpoint), UPLINK)

        for proto in ("udp", "tcp"):
            reply = downstream_flow(a, proto=proto)
            self.send(UPLINK, reply)
            self.expect(as_delivered(reply, a, dst_mac=a.mac, src=anycast), a.port)
        peer = downstream_flow(a, src="2001:db8:ff::9", note="peer")
        self.send(UPLINK, peer)
        self.expect(as_delivered(peer, a, dst_mac=a.mac), a.port)

        direct = upstream_flow(a, note="direct")
        self.send(a.port, direct)
        self.expect(as_forwarded_up(direct, a), UPLINK)
        reply = downstream_flow(a, note="after direct")
        self.send(UPLINK, reply)
        self.expect(as_delivered(reply, a, dst_mac=a.mac), a.port)
        self.proof()


class AnycastV4RewriteAndRestore(EdgeTest):
    """C to GLOBEX's IPv4 anycast address (and E to ACME's): the IPv4 header checksum and the TCP/UDP
    checksums follow the rewritten address both ways; a UDP checksum of 0 stays 0."""

    def runTest(self) -> None:
        for device in (DEV_C, DEV_E):
            anycast = device.customer.anycast_v4
            for proto in ("udp", "tcp"):
                flow = upstream_flow(device, dst=anycast, proto=proto)
                self.send(device.port, flow)
                self.expect(as_forwarded_up(flow, device, dst=device.endpoint), UPLINK)
            no_sum = upstream_flow(device, dst=anycast, udp_checksum=0, note="no checksum")
            self.send(device.port, no_sum)
            self.expect(as_forwarded_up(no_sum, device, dst=device.endpoint), UPLINK)

            for proto in ("udp", "tcp"):
                reply = downstream_flow(device, proto=proto)
                self.send(UPLINK, reply)
                self.expect(as_delivered(reply, device, dst_mac=device.mac, src=anycast), device.port)
            no_sum_reply = downstream_flow(device, udp_checksum=0, note="no checksum")
            self.send(UPLINK, no_sum_reply)
            self.expect(as_delivered(no_sum_reply, device, dst_mac=device.mac, src=anycast), device.port)
        self.proof()


class AnycastUdpChecksumNeverZero(EdgeTest):
    """An IPv6 UDP checksum that the rewrite makes 0x0000 is sent as 0xFFFF (zero means "none")."""

    def runTest(self) -> None:
        a = DEV_A
        # The payload is chosen so that the datagram to the endpoint sums to 0xFFFF: its checksum
        # is then 0xFFFF, written by scapy as RFC 768 asks.
        wanted = upstream_flow(a, note="zero sum")
        payload = udp_payload_for_checksum(wanted, 0xFFFF)
        sent = replace(wanted, dst=ACME.anycast_v6, payload=payload)
        expected = as_forwarded_up(replace(wanted, payload=payload), a)
        self.assertEqual(build(expected)[-len(payload) - 2 : -len(payload)], b"\xff\xff")
        self.send(a.port, sent)
        self.expect(expected, UPLINK)
        self.proof()


class AnycastNotConfigured(EdgeTest):
    """GLOBEX has no IPv6 anycast address (all-zero): D's datagram to :: is not an anycast match."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(DEV_D.port, upstream_flow(DEV_D, dst="::"))
        self.proof()
        self.assert_dropped(before, {DISALLOWED_DEST: 1})
        self.assertEqual(GLOBEX.anycast_v6, "::")
