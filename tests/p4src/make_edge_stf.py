"""Generates the STF packet tests of p4src/edge.p4: ``python tests/p4src/make_edge_stf.py``.

Every expected packet is built by hand with scapy from what p4src/README.md says the edge does
(scapy computes the checksums independently); nothing is recorded from a switch. Each scenario
also knows which drop-reason counters its refused packets must bump, for tests that can read
counters. The generated files live in ``tests/p4src/stf/``.
"""

from __future__ import annotations

import ipaddress
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (
    ICMPv6EchoRequest,
    ICMPv6MLReport2,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6ND_RA,
    ICMPv6ND_RS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    RouterAlert,
)
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Packet, Raw

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.p4src.edge_world import (
    ACCESS_OTHER,
    ACCESS_TAGGED,
    ACCESS_UNTAGGED,
    ACME,
    CPU_PORT,
    DEV_A,
    DEV_B,
    DEV_C,
    DEV_D,
    DEV_F,
    DROP_BAD_CHECKSUM,
    DROP_BAD_PACKET_OUT,
    DROP_CROSS_CUSTOMER,
    DROP_DISALLOWED_DEST,
    DROP_HOUSEKEEPING,
    DROP_NO_CPU_PORT,
    DROP_NO_ROLE,
    DROP_NOT_FROM_ENDPOINT,
    DROP_PARSER_ERROR,
    DROP_SPOOFED_SOURCE,
    DROP_UNKNOWN_DEST,
    DROP_UNKNOWN_DEVICE,
    DROP_UNKNOWN_GROUP,
    DROP_UNSUPPORTED,
    DROP_UPLINK_VLAN,
    DROP_WRONG_VLAN,
    GATEWAY_V4,
    GATEWAY_V6,
    GLOBEX,
    GROUP_ADDR,
    NO_ROLE_PORT,
    PORT_MAC,
    PUNT_DEVICE_ASLEEP,
    PUNT_ROUTER_SOLICIT,
    UPLINK,
    Customer,
    Device,
    base_entries,
)

STF_DIR = Path(__file__).resolve().parent / "stf"
BROADCAST = "ff:ff:ff:ff:ff:ff"
PAYLOAD = b"p4edge-telemetry"


# ---- the controller headers (p4src/include/headers.p4) --------------------------------------------


def packet_out_header(egress_port: int) -> bytes:
    """packet_out_t: egress_port (9 bits), then mcast_grp (16), customer_id (16) and 71 reserved
    bits, all zero here (a port-directed packet_out)."""
    return (egress_port << 103).to_bytes(14, "big")


def packet_in_header(ingress_port: int, reason: int) -> bytes:
    """packet_in_t: ingress_port (9 bits), reason (8 bits), 7 pad bits."""
    return ((ingress_port << 15) | (reason << 7)).to_bytes(3, "big")


# ---- frames ------------------------------------------------------------------------------------


def l2(src: str, dst: str, vlan: int, prio: int = 0) -> Packet:
    """An Ethernet header, with an 802.1Q tag when vlan is nonzero."""
    eth = Ether(src=src, dst=dst)
    return eth / Dot1Q(vlan=vlan, prio=prio) if vlan else eth


def from_device(d: Device, l3: Packet, *, vlan: int | None = None, prio: int = 0, port_mac: str = "") -> Packet:
    """A frame device d sends to the edge (to the MAC of its access port)."""
    return l2(d.mac, port_mac or PORT_MAC[d.port], d.vlan if vlan is None else vlan, prio) / l3


def to_uplink(c: Customer, l3: Packet, prio: int = 0) -> Packet:
    """A frame the edge sends up to customer c's VPC gateway."""
    return l2(PORT_MAC[UPLINK], c.gateway_mac, c.vlan, prio) / l3


def from_uplink(c: Customer, l3: Packet, *, vlan: int | None = None, prio: int = 0) -> Packet:
    """A frame customer c's VPC gateway sends down to the edge."""
    return l2(c.gateway_mac, PORT_MAC[UPLINK], c.vlan if vlan is None else vlan, prio) / l3


def to_device(d: Device, l3: Packet, *, dst_mac: str = "", prio: int = 0) -> Packet:
    """A frame the edge delivers to device d (its learned MAC, or the one given)."""
    return l2(PORT_MAC[d.port], dst_mac or d.mac, d.vlan, prio) / l3


def udp6(src: str, dst: str, sport: int = 40000, dport: int = 5683) -> Packet:
    return IPv6(src=src, dst=dst, hlim=64) / UDP(sport=sport, dport=dport) / Raw(PAYLOAD)


def tcp6(src: str, dst: str) -> Packet:
    return IPv6(src=src, dst=dst, hlim=64) / TCP(sport=40001, dport=443, flags="PA", seq=1000, ack=2000) / Raw(PAYLOAD)


def udp4(src: str, dst: str, chksum: int | None = None) -> Packet:
    udp = UDP(sport=40000, dport=5683) if chksum is None else UDP(sport=40000, dport=5683, chksum=chksum)
    return IP(src=src, dst=dst, ttl=64, id=7) / udp / Raw(PAYLOAD)


#: 40 bytes of IPv4 options (IHL 15): one experimental option (type 30, RFC 4727), all bytes distinct
LONGEST_OPTIONS = bytes([30, 40]) + bytes(range(1, 39))


def ping4(src: str, dst: str, options: bytes) -> Packet:
    """An ICMP echo request whose IPv4 header carries ``options``."""
    return IP(src=src, dst=dst, ttl=64, id=7, options=[options]) / ICMP(type=8, id=1, seq=1) / Raw(PAYLOAD)


def tcp4_ack(src: str, dst: str) -> Packet:
    """A bare TCP ACK: too short for Ethernet, so its frame carries padding."""
    return IP(src=src, dst=dst, ttl=64, id=8) / TCP(sport=40002, dport=8883, flags="A", seq=5, ack=9)


def padded(frame: Packet) -> bytes:
    """The frame's bytes with Ethernet padding to 60 bytes (zeros), as a sender's NIC adds them."""
    raw = bytes(frame)
    return raw + bytes(max(0, 60 - len(raw)))


def solicited_node(addr: str) -> tuple[str, str]:
    """The solicited-node multicast address of addr, and its MAC."""
    low = int(ipaddress.IPv6Address(addr)) & 0xFFFFFF
    group = ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | low)
    mac = "33:33:ff:" + ":".join(f"{(low >> s) & 0xFF:02x}" for s in (16, 8, 0))
    return str(group), mac


# ---- scenario builder ---------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    title: str
    setup: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    ingress_drops: Counter[int] = field(default_factory=Counter)
    egress_drops: Counter[int] = field(default_factory=Counter)

    def say(self, text: str) -> None:
        self.lines.append("")
        self.lines.append(f"# {text}")

    def send(
        self,
        port: int,
        frame: Packet | bytes,
        expect: list[tuple[int, Packet | bytes]] | None = None,
        *,
        drop: int | None = None,
        egress_drop: int | None = None,
    ) -> None:
        """One packet in, and every packet it must produce (none when dropped)."""
        self.lines.append(f"packet {port} {_hex(frame)}")
        for out_port, out in expect or []:
            self.lines.append(f"expect {out_port} {_hex(out)} $")
        if drop is not None:
            self.ingress_drops[drop] += 1
        if egress_drop is not None:
            self.egress_drops[egress_drop] += 1

    def text(self) -> str:
        head = [
            f"# {self.title}",
            "# Generated by tests/p4src/make_edge_stf.py; do not edit by hand.",
            "# Program: p4src/edge.p4. Entries follow p4src/README.md.",
            "",
        ]
        return "\n".join([*head, *self.setup, *self.lines]) + "\n"


def _hex(frame: Packet | bytes) -> str:
    return (frame if isinstance(frame, bytes) else bytes(frame)).hex()


# ---- scenarios ----------------------------------------------------------------------------------


def upstream() -> Scenario:
    s = Scenario("edge_upstream", "Admission and virtual-endpoint forwarding (device -> VPC).", base_entries())

    s.say("A (untagged) to its own endpoint: tagged with ACME's VLAN, to the VPC gateway, unchanged above L2")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)),
           [(UPLINK, to_uplink(ACME, udp6(DEV_A.addr, DEV_A.endpoint)))])

    s.say("B (VLAN 100, priority 3) to ACME's anycast address: retagged, destination rewritten, UDP checksum fixed")
    s.send(ACCESS_TAGGED, from_device(DEV_B, udp6(DEV_B.addr, ACME.anycast_v6), prio=3),
           [(UPLINK, to_uplink(ACME, udp6(DEV_B.addr, DEV_B.endpoint), prio=3))])

    s.say("B pings the anycast address: ICMPv6 checksum fixed")
    echo = IPv6(src=DEV_B.addr, dst=ACME.anycast_v6, hlim=64) / ICMPv6EchoRequest(id=1, seq=1, data=PAYLOAD)
    echo_out = IPv6(src=DEV_B.addr, dst=DEV_B.endpoint, hlim=64) / ICMPv6EchoRequest(id=1, seq=1, data=PAYLOAD)
    s.send(ACCESS_TAGGED, from_device(DEV_B, echo), [(UPLINK, to_uplink(ACME, echo_out))])

    s.say("A over TCP into an allowed prefix of ACME: forwarded unchanged")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, tcp6(DEV_A.addr, "2001:db8:ff::53")),
           [(UPLINK, to_uplink(ACME, tcp6(DEV_A.addr, "2001:db8:ff::53")))])

    s.say("C (IPv4, VLAN 200) sends a bare TCP ACK to GLOBEX's anycast: IPv4 and TCP checksums fixed, padding kept")
    s.send(ACCESS_TAGGED, padded(from_device(DEV_C, tcp4_ack(DEV_C.addr, GLOBEX.anycast_v4))),
           [(UPLINK, padded(to_uplink(GLOBEX, tcp4_ack(DEV_C.addr, DEV_C.endpoint))))])

    s.say("C sends UDP without a checksum (0) to the anycast: the checksum stays 0")
    s.send(ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, GLOBEX.anycast_v4, chksum=0)),
           [(UPLINK, to_uplink(GLOBEX, udp4(DEV_C.addr, DEV_C.endpoint, chksum=0)))])

    s.say("C to an allowed IPv4 prefix: forwarded unchanged")
    s.send(ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, "10.99.1.2")),
           [(UPLINK, to_uplink(GLOBEX, udp4(DEV_C.addr, "10.99.1.2")))])

    s.say("C pings GLOBEX's anycast with a 60-byte IPv4 header (40 bytes of options): options kept, checksum fixed")
    s.send(ACCESS_TAGGED, from_device(DEV_C, ping4(DEV_C.addr, GLOBEX.anycast_v4, LONGEST_OPTIONS)),
           [(UPLINK, to_uplink(GLOBEX, ping4(DEV_C.addr, DEV_C.endpoint, LONGEST_OPTIONS)))])

    s.say("The first fragment of B's datagram to the anycast: the UDP checksum in it is fixed")
    frag_in = IPv6(src=DEV_B.addr, dst=ACME.anycast_v6, hlim=64) / IPv6ExtHdrFragment(nh=17, id=77, m=1, offset=0)
    frag_out = IPv6(src=DEV_B.addr, dst=DEV_B.endpoint, hlim=64) / IPv6ExtHdrFragment(nh=17, id=77, m=1, offset=0)
    udp_hdr_in = _udp_header_for(DEV_B.addr, ACME.anycast_v6, PAYLOAD * 4)
    udp_hdr_out = _udp_header_for(DEV_B.addr, DEV_B.endpoint, PAYLOAD * 4)
    s.send(ACCESS_TAGGED, from_device(DEV_B, frag_in / Raw(udp_hdr_in + PAYLOAD)),
           [(UPLINK, to_uplink(ACME, frag_out / Raw(udp_hdr_out + PAYLOAD)))])

    s.say("A to a destination ACME does not allow: dropped")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, "2001:db8:dead::1")), drop=DROP_DISALLOWED_DEST)
    s.say("A to another device's endpoint in the same VPC: dropped")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, DEV_B.endpoint)), drop=DROP_DISALLOWED_DEST)

    s.say("An unknown sender on an access port: dropped (and an access request digest)")
    stranger = Device("E", 99, ACME, ACCESS_UNTAGGED, 0, "00:00:00:ee:00:01", "2001:db8:100::e", "::")
    s.send(ACCESS_UNTAGGED, from_device(stranger, udp6(stranger.addr, DEV_A.endpoint)), drop=DROP_UNKNOWN_DEVICE)
    s.send(ACCESS_UNTAGGED, from_device(stranger, udp4("192.168.20.77", "10.20.0.3")), drop=DROP_UNKNOWN_DEVICE)

    s.say("A's address from another port: spoofed")
    s.send(ACCESS_OTHER, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint), port_mac=PORT_MAC[ACCESS_OTHER]),
           drop=DROP_SPOOFED_SOURCE)
    s.say("B's address on B's port but VLAN 300: wrong VLAN; B untagged: wrong VLAN too")
    s.send(ACCESS_TAGGED, from_device(DEV_B, udp6(DEV_B.addr, DEV_B.endpoint), vlan=300), drop=DROP_WRONG_VLAN)
    s.send(ACCESS_TAGGED, from_device(DEV_B, udp6(DEV_B.addr, DEV_B.endpoint), vlan=0), drop=DROP_WRONG_VLAN)
    s.say("C's IPv4 address on VLAN 100: wrong VLAN")
    s.send(ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, DEV_C.endpoint), vlan=100), drop=DROP_WRONG_VLAN)

    s.say("Refused shapes: a port with no role, a bad IPv4 header checksum, a truncated header, not IP")
    s.send(NO_ROLE_PORT, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)), drop=DROP_NO_ROLE)
    bad = from_device(DEV_C, IP(src=DEV_C.addr, dst=DEV_C.endpoint, chksum=0x1234) / UDP() / Raw(PAYLOAD))
    s.send(ACCESS_TAGGED, bad, drop=DROP_BAD_CHECKSUM)
    s.send(ACCESS_UNTAGGED, bytes(from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)))[:40], drop=DROP_PARSER_ERROR)
    s.say("The IPv4 checksum covers the options: one option byte changed is a bad checksum")
    changed = bytearray(bytes(from_device(DEV_C, ping4(DEV_C.addr, DEV_C.endpoint, LONGEST_OPTIONS))))
    changed[18 + 20 + 17] ^= 0xFF  # Ethernet and tag, the fixed IPv4 header, into the option's value
    s.send(ACCESS_TAGGED, bytes(changed), drop=DROP_BAD_CHECKSUM)
    s.say("Malformed IP headers: IPv4 with IHL 4, IPv4 saying version 6, IPv6 saying version 4")
    s.send(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst=DEV_C.endpoint, ihl=4) / UDP() / Raw(PAYLOAD)),
           drop=DROP_PARSER_ERROR)
    s.send(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst=DEV_C.endpoint, version=6) / UDP() / Raw(PAYLOAD)),
           drop=DROP_PARSER_ERROR)
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=DEV_A.endpoint, version=4) / UDP() / Raw(PAYLOAD)),
           drop=DROP_PARSER_ERROR)
    s.send(ACCESS_UNTAGGED, Ether(src=DEV_A.mac, dst=PORT_MAC[ACCESS_UNTAGGED], type=0x88CC) / Raw(bytes(46)),
           drop=DROP_UNSUPPORTED)
    s.say("A frame on the CPU port without a packet-out header (this also makes the STF watch port 64)")
    s.send(CPU_PORT, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)), drop=DROP_BAD_PACKET_OUT)
    return s


def _udp_header_for(src: str, dst: str, whole_payload: bytes) -> bytes:
    """The 8-byte UDP header of a datagram carrying whole_payload (checksum by scapy)."""
    dgram = IPv6(src=src, dst=dst, hlim=64) / UDP(sport=40000, dport=5683) / Raw(whole_payload)
    return bytes(IPv6(bytes(dgram))[UDP])[:8]


def downstream() -> Scenario:
    s = Scenario("edge_downstream", "Traffic from the VPCs to devices (VPC -> device).", base_entries())

    s.say("A and B send first: the edge learns their MACs; B uses the anycast address")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)),
           [(UPLINK, to_uplink(ACME, udp6(DEV_A.addr, DEV_A.endpoint)))])
    s.send(ACCESS_TAGGED, from_device(DEV_B, udp6(DEV_B.addr, ACME.anycast_v6)),
           [(UPLINK, to_uplink(ACME, udp6(DEV_B.addr, DEV_B.endpoint)))])
    s.send(ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, GLOBEX.anycast_v4)),
           [(UPLINK, to_uplink(GLOBEX, udp4(DEV_C.addr, DEV_C.endpoint)))])

    s.say("A's endpoint to A: untagged out of port 1, to A's MAC, from the port's MAC")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000)),
           [(ACCESS_UNTAGGED, to_device(DEV_A, udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000)))])

    s.say("B's endpoint to B (priority 5): retagged VLAN 100, source restored to the anycast address B used")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_B.endpoint, DEV_B.addr, 5683, 40000), prio=5),
           [(ACCESS_TAGGED, to_device(DEV_B, udp6(ACME.anycast_v6, DEV_B.addr, 5683, 40000), prio=5))])

    s.say("An allowed peer of ACME to B: delivered, source untouched (not B's endpoint)")
    s.send(UPLINK, from_uplink(ACME, tcp6("2001:db8:ff::53", DEV_B.addr)),
           [(ACCESS_TAGGED, to_device(DEV_B, tcp6("2001:db8:ff::53", DEV_B.addr)))])

    s.say("C's endpoint to C over IPv4: VLAN 2000 -> 200, source restored to GLOBEX's anycast")
    s.send(UPLINK, from_uplink(GLOBEX, udp4(DEV_C.endpoint, DEV_C.addr)),
           [(ACCESS_TAGGED, to_device(DEV_C, udp4(GLOBEX.anycast_v4, DEV_C.addr)))])

    s.say("D has never sent: its frame goes to the broadcast MAC")
    s.send(UPLINK, from_uplink(GLOBEX, udp6(DEV_D.endpoint, DEV_D.addr)),
           [(ACCESS_OTHER, to_device(DEV_D, udp6(DEV_D.endpoint, DEV_D.addr), dst_mac=BROADCAST))])

    s.say("F sleeps: its traffic goes to the controller as a packet-in, already rewritten for F")
    held = to_device(DEV_F, udp6(DEV_F.endpoint, DEV_F.addr), dst_mac=BROADCAST)
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_F.endpoint, DEV_F.addr)),
           [(CPU_PORT, packet_in_header(UPLINK, PUNT_DEVICE_ASLEEP) + bytes(held))])

    s.say("Cross-customer: GLOBEX's VLAN and endpoint, to ACME's device A")
    s.send(UPLINK, from_uplink(GLOBEX, udp6("2001:db8:b::1", DEV_A.addr)), drop=DROP_CROSS_CUSTOMER)
    s.say("ACME's VLAN, but a source outside ACME's prefixes")
    s.send(UPLINK, from_uplink(ACME, udp6("2001:db8:b::1", DEV_A.addr)), drop=DROP_NOT_FROM_ENDPOINT)
    s.say("Unknown VLAN 3000, and untagged, on the uplink")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, DEV_A.addr), vlan=3000), drop=DROP_UPLINK_VLAN)
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, DEV_A.addr), vlan=0), drop=DROP_UPLINK_VLAN)
    s.say("To an address that is no device")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, "2001:db8:100::77")), drop=DROP_UNKNOWN_DEST)
    s.say("To a group ACME has not registered")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, "ff3e::9999")), drop=DROP_UNKNOWN_GROUP)
    return s


def multicast() -> Scenario:
    s = Scenario("edge_multicast", "Group instructions replicated to member devices.", base_entries())

    s.say("A sends first, so the edge knows A's MAC; B has not sent (broadcast MAC)")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)),
           [(UPLINK, to_uplink(ACME, udp6(DEV_A.addr, DEV_A.endpoint)))])

    sender = "2001:db8:a::1"
    s.say("ACME's group instruction: one copy per ACME member, each to its own address and VLAN; "
          "D (GLOBEX) is in the PRE group by mistake, and the egress drops its copy")
    s.send(UPLINK, from_uplink(ACME, udp6(sender, GROUP_ADDR, 5683, 5683), prio=2),
           [(ACCESS_UNTAGGED, to_device(DEV_A, udp6(sender, DEV_A.addr, 5683, 5683))),
            (ACCESS_TAGGED, to_device(DEV_B, udp6(sender, DEV_B.addr, 5683, 5683), dst_mac=BROADCAST, prio=2))],
           egress_drop=DROP_CROSS_CUSTOMER)

    s.say("GLOBEX cannot send to ACME's group: the group is looked up per customer")
    s.send(UPLINK, from_uplink(GLOBEX, udp6("2001:db8:b::1", GROUP_ADDR)), drop=DROP_UNKNOWN_GROUP)
    s.say("Devices never send to a group (multicast from an access port is housekeeping)")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, GROUP_ADDR)), drop=DROP_HOUSEKEEPING)
    s.say("D to a destination GLOBEX does not allow (this also makes the STF watch port 4)")
    s.send(ACCESS_OTHER, from_device(DEV_D, udp6(DEV_D.addr, "2001:db8:dead::1")), drop=DROP_DISALLOWED_DEST)
    return s


def housekeeping() -> Scenario:
    s = Scenario("edge_housekeeping", "Neighbour discovery, router solicitation, MLD, DAD and ARP.", base_entries())
    gw_group, gw_group_mac = solicited_node(GATEWAY_V6)
    mac1 = PORT_MAC[ACCESS_UNTAGGED]
    mac2 = PORT_MAC[ACCESS_TAGGED]

    s.say("A solicits the gateway (with its link-layer address): answered by a router advertisement of the MAC")
    ns = (IPv6(src=DEV_A.addr, dst=gw_group, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6)
          / ICMPv6NDOptSrcLLAddr(lladdr=DEV_A.mac))
    na = (IPv6(src=GATEWAY_V6, dst=DEV_A.addr, hlim=255) / ICMPv6ND_NA(R=1, S=1, O=1, tgt=GATEWAY_V6)
          / ICMPv6NDOptDstLLAddr(lladdr=mac1))
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns, port_mac=gw_group_mac),
           [(ACCESS_UNTAGGED, l2(mac1, DEV_A.mac, 0) / na)])

    s.say("B checks the gateway is reachable (unicast, no option, VLAN 100): answered on VLAN 100")
    ns = IPv6(src=DEV_B.addr, dst=GATEWAY_V6, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6)
    na = (IPv6(src=GATEWAY_V6, dst=DEV_B.addr, hlim=255) / ICMPv6ND_NA(R=1, S=1, O=1, tgt=GATEWAY_V6)
          / ICMPv6NDOptDstLLAddr(lladdr=mac2))
    s.send(ACCESS_TAGGED, from_device(DEV_B, ns), [(ACCESS_TAGGED, l2(mac2, DEV_B.mac, 100) / na)])

    s.say("A resolves its endpoint address (fronted, not a router)")
    ep_group, ep_group_mac = solicited_node(DEV_A.endpoint)
    ns = (IPv6(src=DEV_A.addr, dst=ep_group, hlim=255) / ICMPv6ND_NS(tgt=DEV_A.endpoint)
          / ICMPv6NDOptSrcLLAddr(lladdr=DEV_A.mac))
    na = (IPv6(src=DEV_A.endpoint, dst=DEV_A.addr, hlim=255) / ICMPv6ND_NA(R=0, S=1, O=1, tgt=DEV_A.endpoint)
          / ICMPv6NDOptDstLLAddr(lladdr=mac1))
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns, port_mac=ep_group_mac),
           [(ACCESS_UNTAGGED, l2(mac1, DEV_A.mac, 0) / na)])

    s.say("DAD probe for the gateway's address: defended with an advertisement to all nodes")
    ns = IPv6(src="::", dst=gw_group, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6)
    na = (IPv6(src=GATEWAY_V6, dst="ff02::1", hlim=255) / ICMPv6ND_NA(R=1, S=0, O=1, tgt=GATEWAY_V6)
          / ICMPv6NDOptDstLLAddr(lladdr=mac1))
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns, port_mac=gw_group_mac),
           [(ACCESS_UNTAGGED, l2(mac1, "33:33:00:00:00:01", 0) / na)])

    s.say("DAD probe for the device's own address: nobody answers, dropped silently")
    own_group, own_group_mac = solicited_node(DEV_A.addr)
    ns = IPv6(src="::", dst=own_group, hlim=255) / ICMPv6ND_NS(tgt=DEV_A.addr)
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns, port_mac=own_group_mac), drop=DROP_HOUSEKEEPING)

    s.say("Solicitation for an address the edge does not front, and one with a hop limit below 255")
    ns = IPv6(src=DEV_A.addr, dst="2001:db8:100::99", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:100::99")
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns), drop=DROP_HOUSEKEEPING)
    ns = IPv6(src=DEV_A.addr, dst=GATEWAY_V6, hlim=64) / ICMPv6ND_NS(tgt=GATEWAY_V6)
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ns), drop=DROP_HOUSEKEEPING)

    s.say("Router solicitation: to the controller as a packet-in (reason 1), frame as received")
    rs = from_device(DEV_B, IPv6(src="fe80::b", dst="ff02::2", hlim=255) / ICMPv6ND_RS()
                     / ICMPv6NDOptSrcLLAddr(lladdr=DEV_B.mac), port_mac="33:33:00:00:00:02")
    s.send(ACCESS_TAGGED, rs, [(CPU_PORT, packet_in_header(ACCESS_TAGGED, PUNT_ROUTER_SOLICIT) + bytes(rs))])

    s.say("A rogue router advertisement, an MLDv2 report behind hop-by-hop, a link-local ping: dropped silently")
    ra = IPv6(src="fe80::a", dst="ff02::1", hlim=255) / ICMPv6ND_RA()
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ra, port_mac="33:33:00:00:00:01"), drop=DROP_HOUSEKEEPING)
    mld = (IPv6(src="fe80::a", dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
           / ICMPv6MLReport2())
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, mld, port_mac="33:33:00:00:00:16"), drop=DROP_HOUSEKEEPING)
    ping = IPv6(src="fe80::a", dst="fe80::1", hlim=64) / ICMPv6EchoRequest()
    s.send(ACCESS_UNTAGGED, from_device(DEV_A, ping), drop=DROP_HOUSEKEEPING)

    s.say("C asks ARP for its IPv4 gateway on VLAN 200: answered on VLAN 200")
    req = ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, hwdst="00:00:00:00:00:00", pdst=GATEWAY_V4)
    rep = ARP(op=2, hwsrc=mac2, psrc=GATEWAY_V4, hwdst=DEV_C.mac, pdst=DEV_C.addr)
    s.send(ACCESS_TAGGED, padded(from_device(DEV_C, req, port_mac=BROADCAST)),
           [(ACCESS_TAGGED, padded(l2(mac2, DEV_C.mac, 200) / rep))])
    s.say("A gratuitous ARP, and an ARP for an address not fronted: dropped silently")
    grat = ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, hwdst="00:00:00:00:00:00", pdst=DEV_C.addr)
    s.send(ACCESS_TAGGED, padded(from_device(DEV_C, grat, port_mac=BROADCAST)), drop=DROP_HOUSEKEEPING)
    other = ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, hwdst="00:00:00:00:00:00", pdst="192.168.20.50")
    s.send(ACCESS_TAGGED, padded(from_device(DEV_C, other, port_mac=BROADCAST)), drop=DROP_HOUSEKEEPING)
    s.say("The VPC gateway solicits A's address on the uplink (not fronted there): dropped silently")
    a_group, a_group_mac = solicited_node(DEV_A.addr)
    ns = (IPv6(src="2001:db8:a::1", dst=a_group, hlim=255) / ICMPv6ND_NS(tgt=DEV_A.addr)
          / ICMPv6NDOptSrcLLAddr(lladdr=ACME.gateway_mac))
    s.send(UPLINK, l2(ACME.gateway_mac, a_group_mac, ACME.vlan) / ns, drop=DROP_HOUSEKEEPING)
    s.say("DHCP discover (0.0.0.0 -> 255.255.255.255) and IPv4 multicast: dropped silently")
    dhcp = IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(bytes(240))
    s.send(ACCESS_TAGGED, from_device(DEV_C, dhcp, port_mac=BROADCAST), drop=DROP_HOUSEKEEPING)
    mc4 = IP(src=DEV_C.addr, dst="239.1.2.3") / ICMP()
    s.send(ACCESS_TAGGED, padded(from_device(DEV_C, mc4, port_mac="01:00:5e:01:02:03")), drop=DROP_HOUSEKEEPING)
    return s


def packet_io() -> Scenario:
    s = Scenario("edge_packet_io", "Controller packet-out and its misuse.", base_entries())
    replay = to_device(DEV_A, udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000), dst_mac=DEV_A.mac)

    s.say("A packet-out toward port 1 (a stored event replayed to A): the frame leaves unchanged")
    s.send(CPU_PORT, packet_out_header(ACCESS_UNTAGGED) + bytes(replay), [(ACCESS_UNTAGGED, replay)])
    s.say("A tagged replay toward port 2: unchanged too")
    replay_b = to_device(DEV_B, udp6(DEV_B.endpoint, DEV_B.addr, 5683, 40000))
    s.send(CPU_PORT, packet_out_header(ACCESS_TAGGED) + bytes(replay_b), [(ACCESS_TAGGED, replay_b)])

    s.say("A packet-out naming the CPU port itself, and a CPU frame without the header: dropped")
    s.send(CPU_PORT, packet_out_header(CPU_PORT) + bytes(replay), drop=DROP_BAD_PACKET_OUT)
    s.send(CPU_PORT, bytes(replay), drop=DROP_BAD_PACKET_OUT)
    s.say("A packet-out header from a device port: dropped")
    s.send(ACCESS_UNTAGGED, packet_out_header(ACCESS_TAGGED) + bytes(replay), drop=DROP_BAD_PACKET_OUT)
    return s


def no_cpu_port() -> Scenario:
    s = Scenario("edge_no_cpu_port", "Without a CPU port, nothing is sent to the controller.",
                 base_entries(cpu_port=False))
    s.say("Router solicitation: dropped, and counted as having no CPU port")
    rs = from_device(DEV_A, IPv6(src="fe80::a", dst="ff02::2", hlim=255) / ICMPv6ND_RS(),
                     port_mac="33:33:00:00:00:02")
    s.send(ACCESS_UNTAGGED, rs, drop=DROP_NO_CPU_PORT)
    s.say("Traffic for the sleeping F: dropped too")
    s.send(UPLINK, from_uplink(ACME, udp6(DEV_F.endpoint, DEV_F.addr)), drop=DROP_NO_CPU_PORT)
    s.say("Port 64 is then an ordinary port without a role")
    s.send(CPU_PORT, packet_out_header(ACCESS_UNTAGGED) + bytes(rs), drop=DROP_BAD_PACKET_OUT)
    return s


SCENARIOS: tuple[Callable[[], Scenario], ...] = (upstream, downstream, multicast, housekeeping, packet_io, no_cpu_port)


def build_all() -> list[Scenario]:
    return [make() for make in SCENARIOS]


def main() -> int:
    STF_DIR.mkdir(exist_ok=True)
    for sc in build_all():
        path = STF_DIR / f"{sc.name}.stf"
        path.write_text(sc.text())
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
