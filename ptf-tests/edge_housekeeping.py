"""IPv6 ND, RS, MLD, DAD and ARP housekeeping (p4src/README.md 3.5).

Answered solicitations leave by the ingress port (same VLAN) as hand-built advertisements or ARP
replies; router solicitations become packet-ins; everything else of the kind is dropped silently:
counted as HOUSEKEEPING, never an access request (checked by a later unknown sender's digest being
the next one) and never a packet-in.
"""

from __future__ import annotations

from dataclasses import replace

from edge_flows import upstream_flow
from edge_p4rt import MeterRates
from edge_packets import (
    ALL_NODES,
    ALL_NODES_MAC,
    Flow,
    arp_reply,
    arp_request,
    mld,
    neighbour_advertisement,
    neighbour_solicitation,
    ns_with_extra_option,
    redirect,
    router_advertisement,
    router_solicitation,
    unsolicited_na,
)
from edge_ptf import EdgeTest
from edge_world import (
    ACCESS,
    ACME,
    DEV_A,
    DEV_B,
    DEV_C,
    DEV_E,
    EVENT_RS_LIMITED,
    EVENT_RS_PUNTED,
    GATEWAY_MAC,
    GATEWAY_V4,
    GATEWAY_V6,
    HOUSEKEEPING,
    OTHER,
    PORT_MAC,
    PUNT_ROUTER_SOLICIT,
    REQUEST_METER,
    TAGGED,
    UNKNOWN_DEVICE,
    UPLINK,
    nd_proxy_entry,
)

A_LINK_LOCAL = "fe80::a"
B_LINK_LOCAL = "fe80::b"


class NeighbourSolicitationAnswered(EdgeTest):
    """An NS for an address in nd_proxy (port, VLAN, target) is answered out of the ingress port:
    NA from the target to the solicitor, R from the entry, S=1, O=1, target LL option = the entry's
    MAC; with or without the solicitor's own LL option, untagged and tagged."""

    def runTest(self) -> None:
        cases = [
            (ACCESS, 0, DEV_A.mac, A_LINK_LOCAL, GATEWAY_V6, 1, True),
            (ACCESS, 0, DEV_A.mac, DEV_A.addr, GATEWAY_V6, 1, False),
            (ACCESS, 0, DEV_A.mac, A_LINK_LOCAL, DEV_A.endpoint, 0, True),  # an on-link endpoint
            (TAGGED, 100, DEV_B.mac, B_LINK_LOCAL, GATEWAY_V6, 1, True),
        ]
        for port, vlan, mac, src, target, router, option in cases:
            self.send(port, neighbour_solicitation(mac, src, target, vlan=vlan, option=option))
            answer = neighbour_advertisement(GATEWAY_MAC, mac, target, src, router=router, solicited=1, vlan=vlan)
            self.expect(answer, port)
        # traffic class and flow label are not copied; the PCP of the tag stays
        self.send(TAGGED, neighbour_solicitation(DEV_B.mac, B_LINK_LOCAL, GATEWAY_V6, vlan=100, pcp=5,
                                                 traffic_class=0xB8, flow_label=0x12345))
        self.expect(neighbour_advertisement(GATEWAY_MAC, DEV_B.mac, GATEWAY_V6, B_LINK_LOCAL, router=1, solicited=1,
                                            vlan=100, pcp=5), TAGGED)
        # a device address fronted on the uplink, for the VPC gateway resolving it
        gw = ACME.gateway_mac
        self.rt.insert(nd_proxy_entry(UPLINK, ACME.vlan, DEV_A.addr, PORT_MAC[UPLINK], 0))
        self.send(UPLINK, neighbour_solicitation(gw, "fe80::1", DEV_A.addr, vlan=ACME.vlan))
        self.expect(neighbour_advertisement(PORT_MAC[UPLINK], gw, DEV_A.addr, "fe80::1", router=0, solicited=1,
                                            vlan=ACME.vlan), UPLINK)
        self.proof()


class DuplicateAddressDetection(EdgeTest):
    """A DAD probe (NS from ::) for a fronted address is answered to all nodes with S=0: the address
    is in use. A DAD probe for the device's own address (not fronted) is dropped silently."""

    def runTest(self) -> None:
        self.send(ACCESS, neighbour_solicitation(DEV_A.mac, "::", GATEWAY_V6, option=False))
        self.expect(neighbour_advertisement(GATEWAY_MAC, ALL_NODES_MAC, GATEWAY_V6, ALL_NODES, router=1, solicited=0),
                    ACCESS)
        before = self.drops()
        self.send(ACCESS, neighbour_solicitation(DEV_A.mac, "::", DEV_A.addr, option=False))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {HOUSEKEEPING: 1, UNKNOWN_DEVICE: 1})


class OtherSolicitationsDroppedSilently(EdgeTest):
    """NS for an unknown target, a target fronted on another port or VLAN, a hop limit other than
    255, a nonzero code, a multicast target, or two options: dropped silently, never a request."""

    def runTest(self) -> None:
        stranger_mac, stranger = "00:00:00:ee:00:99", "2001:db8:100::e:99"  # unknown: a request if data
        frames = [
            neighbour_solicitation(stranger_mac, stranger, "2001:db8:100::77"),
            neighbour_solicitation(stranger_mac, stranger, GATEWAY_V6, hop_limit=64),
            neighbour_solicitation(stranger_mac, stranger, GATEWAY_V6, code=1),
            neighbour_solicitation(stranger_mac, stranger, "ff02::1", dst="ff02::1"),
            ns_with_extra_option(stranger_mac, stranger, GATEWAY_V6),
        ]
        # the gateway is fronted on port 1 VLAN 0 and port 2 VLAN 100 only
        foreign = [(OTHER, 0), (TAGGED, 200), (TAGGED, 0), (UPLINK, ACME.vlan)]
        before = self.drops()
        for frame in frames:
            self.send(ACCESS, frame)
        for port, vlan in foreign:
            self.send(port, neighbour_solicitation(stranger_mac, stranger, GATEWAY_V6, vlan=vlan))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {HOUSEKEEPING: len(frames) + len(foreign), UNKNOWN_DEVICE: 1})


class RouterSolicitationPacketIn(EdgeTest):
    """An RS on an access port becomes a packet-in: ingress port, reason 1, the frame as received
    (with its VLAN tag). On an uplink it is dropped silently."""

    def runTest(self) -> None:
        events = self.events()
        untagged = router_solicitation(DEV_A.mac, A_LINK_LOCAL)
        self.send(ACCESS, untagged)
        self.expect_packet_in(untagged, ACCESS, PUNT_ROUTER_SOLICIT)
        tagged = router_solicitation(DEV_B.mac, B_LINK_LOCAL, vlan=100)
        self.send(TAGGED, tagged)
        self.expect_packet_in(tagged, TAGGED, PUNT_ROUTER_SOLICIT)
        self.assert_events(events, {EVENT_RS_PUNTED: 2})

        before = self.drops()
        self.send(UPLINK, router_solicitation(ACME.gateway_mac, "fe80::1", vlan=ACME.vlan))
        self.proof()
        self.packet_in_proof()
        self.assert_dropped(before, {HOUSEKEEPING: 1})
        self.assert_events(events, {EVENT_RS_PUNTED: 3})


class RouterSolicitationMeter(EdgeTest):
    """Router solicitations share the port's request_meter: beyond its burst they are dropped
    (HOUSEKEEPING) and counted as suppressed."""

    BURST = 8
    MOST = 4  # the burst of 2, plus a token a second if the switch is slow to handle the burst

    def runTest(self) -> None:
        self.rt.set_meter(REQUEST_METER, OTHER, MeterRates(cir=1, cburst=2, pir=1, pburst=2))
        before, events = self.drops(), self.events()
        frames = [router_solicitation(f"00:00:00:dd:00:{n:02x}", f"fe80::dd:{n:x}") for n in range(self.BURST)]
        for frame in frames:
            self.send(OTHER, frame)
        self.wait_until(
            "the burst is handled",
            lambda: sum(self.events().get(k, 0) - events.get(k, 0) for k in (EVENT_RS_PUNTED, EVENT_RS_LIMITED))
            == self.BURST,
        )
        counted = self.events()
        punted = counted.get(EVENT_RS_PUNTED, 0) - events.get(EVENT_RS_PUNTED, 0)
        limited = counted.get(EVENT_RS_LIMITED, 0) - events.get(EVENT_RS_LIMITED, 0)
        self.assertTrue(1 <= punted <= self.MOST, f"{punted} of {self.BURST} solicitations punted")
        for frame in frames[:punted]:
            self.expect_packet_in(frame, OTHER, PUNT_ROUTER_SOLICIT)
        self.packet_in_proof()
        self.proof()
        self.assert_dropped(before, {HOUSEKEEPING: limited})


class RouterAndMldMessagesDropped(EdgeTest):
    """RA, NA, redirect and MLD (query, report, MLDv2 report; with and without the hop-by-hop router
    alert) are dropped silently, from access ports and uplinks."""

    def runTest(self) -> None:
        a, ll = DEV_A.mac, A_LINK_LOCAL
        frames = [
            router_advertisement(a, ll),
            unsolicited_na(a, ll),
            redirect(a, PORT_MAC[ACCESS], ll, "fe80::1"),
        ] + [mld(a, ll, kind, hop_by_hop=hbh) for kind in ("query", "report", "report2") for hbh in (False, True)]
        before = self.drops()
        for frame in frames:
            self.send(ACCESS, frame)
        self.send(UPLINK, _tag(mld(ACME.gateway_mac, "fe80::1", "report2", hop_by_hop=True), ACME.vlan))
        self.proof()
        self.packet_in_proof()
        self.digest_proof()
        self.assert_dropped(before, {HOUSEKEEPING: len(frames) + 1, UNKNOWN_DEVICE: 1})


def _tag(frame: bytes, vlan: int) -> bytes:
    return frame[:12] + b"\x81\x00" + vlan.to_bytes(2, "big") + frame[12:]


class LinkScopeTrafficDropped(EdgeTest):
    """Link-local or unspecified sources, link-local or link-scope destinations, and any multicast
    destination from an access port: dropped silently, even from a registered device."""

    def runTest(self) -> None:
        flows: list[Flow] = [
            upstream_flow(DEV_A, dst="ff02::1", note="all nodes"),
            upstream_flow(DEV_A, dst="ff05::1:3", note="site multicast"),
            upstream_flow(DEV_A, dst="ff3e::4242", note="a group, upstream"),
            upstream_flow(DEV_A, dst="fe80::1", note="link-local dst"),
            upstream_flow(DEV_A, src=A_LINK_LOCAL, note="link-local src"),
            upstream_flow(DEV_A, src="::", note="unspecified src"),
        ]
        before = self.drops()
        for flow in flows:
            self.send(ACCESS, flow)
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {HOUSEKEEPING: len(flows), UNKNOWN_DEVICE: 1})


class ArpProxy(EdgeTest):
    """An ARP request for an address in arp_proxy is answered out of the ingress port (same VLAN);
    gratuitous ARP, replies, unknown targets and other attachments are dropped silently."""

    def runTest(self) -> None:
        self.send(ACCESS, arp_request(DEV_E.mac, DEV_E.addr, GATEWAY_V4))
        self.expect(arp_reply(GATEWAY_MAC, GATEWAY_V4, DEV_E.mac, DEV_E.addr), ACCESS)
        self.send(TAGGED, arp_request(DEV_C.mac, DEV_C.addr, "192.168.20.1", vlan=200))
        self.expect(arp_reply(GATEWAY_MAC, "192.168.20.1", DEV_C.mac, DEV_C.addr, vlan=200), TAGGED)

        before = self.drops()
        self.send(ACCESS, arp_request(DEV_E.mac, GATEWAY_V4, GATEWAY_V4))  # gratuitous
        self.send(ACCESS, arp_request(DEV_E.mac, DEV_E.addr, "192.168.10.77"))  # unknown target
        self.send(ACCESS, arp_reply(DEV_E.mac, DEV_E.addr, GATEWAY_MAC, GATEWAY_V4))  # a reply
        self.send(OTHER, arp_request(DEV_E.mac, "192.168.10.6", GATEWAY_V4))  # not fronted on port 4
        self.send(TAGGED, arp_request(DEV_C.mac, DEV_C.addr, "192.168.20.1", vlan=100))  # other VLAN
        self.proof()
        self.assert_dropped(before, {HOUSEKEEPING: 5})


class Ipv4LocalTrafficDropped(EdgeTest):
    """IPv4 from 0.0.0.0 or 169.254/16, or to 255.255.255.255 or 224/4: dropped silently, no request."""

    def runTest(self) -> None:
        flows = [
            upstream_flow(DEV_E, src="0.0.0.0", dst="255.255.255.255", sport=68, dport=67, note="dhcp"),
            upstream_flow(DEV_E, src="169.254.7.7", note="link-local"),
            upstream_flow(DEV_E, dst="255.255.255.255", note="broadcast"),
            upstream_flow(DEV_E, dst="224.0.0.251", note="mdns"),
            upstream_flow(DEV_E, dst="239.1.2.3", note="multicast"),
        ]
        before = self.drops()
        for flow in flows:
            self.send(ACCESS, replace(flow, dst_mac="ff:ff:ff:ff:ff:ff"))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {HOUSEKEEPING: len(flows), UNKNOWN_DEVICE: 1})
