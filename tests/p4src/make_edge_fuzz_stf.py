"""Differential packet test of p4src/edge.p4: valid packets of the edge world and seeded mutations of them.

The input packets are built here (deterministic, seed ``SEED``); the expected outputs are those of the
reference BMv2 simple_switch, recorded through p4c's own STF harness. Usage, from the repository root::

    python tests/p4src/make_edge_fuzz_stf.py inputs OUT.stf      # the table setup and packets, no expects
    python tests/p4src/make_edge_fuzz_stf.py record RUN_DIR      # expects from a kept BMv2 run of OUT.stf
    P4EDGE_BMV2_STF_HARNESS=SCRIPT python tests/p4src/make_edge_fuzz_stf.py regenerate [SCRATCH_DIR]

``regenerate`` does both; SCRIPT is a local wrapper (not part of the project) that runs p4c's
``backends/bmv2/run-bmv2-test.py`` as ``SCRIPT P4 STF LOG`` against an installed simple_switch and,
with ``KEEP=1``, keeps the harness's build directory.

``record`` reads the harness's kept build directory: the output pcap of every port
and simple_switch's log, whose packet ids tie each transmitted packet to the input that caused it. It
writes ``tests/p4src/stf/edge_fuzz_bmv2.stf``.

Ordering: simple_switch reads the input pcaps in timestamp order (file order) and runs one ingress thread,
but its egress can lag behind later ingresses. The egress reads ``device_mac`` (written by the ingress of
admitted access packets), so every mutated packet from an access port comes after every packet whose egress
reads it, and mutations never touch a device's source MAC (an egress lagging behind could otherwise see a MAC
written by a later packet).
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (
    ICMPv6EchoRequest,
    ICMPv6ND_NS,
    ICMPv6ND_RS,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting,
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
    GATEWAY_V4,
    GATEWAY_V6,
    GLOBEX,
    GROUP_ADDR,
    GROUP_ID,
    NO_ROLE_PORT,
    PORT_MAC,
    UPLINK,
    base_entries,
)
from tests.p4src.make_edge_stf import (
    BROADCAST,
    LONGEST_OPTIONS,
    PAYLOAD,
    STF_DIR,
    from_device,
    from_uplink,
    packet_out_header,
    ping4,
    solicited_node,
    tcp4_ack,
    tcp6,
    udp4,
    udp6,
)

SEED = 20240611
OUTPUT = STF_DIR / "edge_fuzz_bmv2.stf"
ACCESS_PORTS = (ACCESS_UNTAGGED, ACCESS_TAGGED, ACCESS_OTHER)
HARNESS_VARIABLE = "P4EDGE_BMV2_STF_HARNESS"
PROGRAM = Path(__file__).resolve().parents[2] / "p4src" / "edge.p4"


@dataclass(frozen=True)
class Template:
    """A valid packet of the edge world: its port, an optional prefix (packet_out header) and its frame."""

    name: str
    port: int
    frame: Packet
    prefix: bytes = b""
    pad: bool = False

    def data(self) -> bytes:
        raw = self.prefix + bytes(self.frame)
        return raw + bytes(max(0, 60 - len(raw))) if self.pad else raw

    def regions(self) -> list[tuple[int, int, str]]:
        """(start, end, layer name) of each header, the Raw payload excluded."""
        out: list[tuple[int, int, str]] = []
        if self.prefix:
            out.append((0, len(self.prefix), "packet_out"))
        total = len(bytes(self.frame))
        layer: Packet | None = self.frame
        while layer is not None and not isinstance(layer, Raw) and layer.name != "NoPayload":
            start = total - len(bytes(layer))
            inner = layer.payload
            end = total - len(bytes(inner)) if inner is not None else total
            if end > start:
                out.append((len(self.prefix) + start, len(self.prefix) + end, str(layer.name)))
            layer = inner if inner is not None and inner.name != "NoPayload" else None
        return out


@dataclass(frozen=True)
class Input:
    port: int
    data: bytes
    label: str


# ---- templates: the valid packets ----------------------------------------------------------------


def ns_for(target: str, src: str, *, option: bool) -> Packet:
    group, _ = solicited_node(target)
    ns = IPv6(src=src, dst=group, hlim=255) / ICMPv6ND_NS(tgt=target)
    return ns / ICMPv6NDOptSrcLLAddr(lladdr=DEV_A.mac) if option else ns


def templates() -> list[Template]:
    gw_group, gw_mac = solicited_node(GATEWAY_V6)
    replay = Ether(src=PORT_MAC[ACCESS_UNTAGGED], dst=DEV_A.mac) / udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000)
    replay_b = Ether(src=PORT_MAC[ACCESS_TAGGED], dst=DEV_B.mac) / Dot1Q(vlan=100) / udp6(DEV_B.endpoint, DEV_B.addr)
    group_frame = Ether(src=PORT_MAC[UPLINK], dst="33:33:00:00:42:42") / udp6("2001:db8:a::1", GROUP_ADDR, 5683, 5683)
    echo = IPv6(src=DEV_B.addr, dst=ACME.anycast_v6, hlim=64) / ICMPv6EchoRequest(id=1, seq=1, data=PAYLOAD)
    frag = (IPv6(src=DEV_B.addr, dst=ACME.anycast_v6, hlim=64) / IPv6ExtHdrFragment(nh=17, id=77, m=1, offset=0)
            / UDP(sport=40000, dport=5683, chksum=0x4321) / Raw(PAYLOAD))
    arp = ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, hwdst="00:00:00:00:00:00", pdst=GATEWAY_V4)
    return [
        # upstream (device -> VPC); these also teach the edge A's, B's and C's MACs and B's and C's anycast use
        Template("up A udp6 endpoint", ACCESS_UNTAGGED, from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint))),
        Template("up B udp6 anycast", ACCESS_TAGGED, from_device(DEV_B, udp6(DEV_B.addr, ACME.anycast_v6), prio=3)),
        Template("up B icmp6 anycast", ACCESS_TAGGED, from_device(DEV_B, echo)),
        Template("up A tcp6 allowed", ACCESS_UNTAGGED, from_device(DEV_A, tcp6(DEV_A.addr, "2001:db8:ff::53"))),
        Template("up D udp6 endpoint", ACCESS_OTHER, from_device(DEV_D, udp6(DEV_D.addr, DEV_D.endpoint))),
        Template("up C tcp4 ack anycast", ACCESS_TAGGED, from_device(DEV_C, tcp4_ack(DEV_C.addr, GLOBEX.anycast_v4)),
                 pad=True),
        Template("up C udp4 anycast", ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, GLOBEX.anycast_v4))),
        Template("up C udp4 allowed", ACCESS_TAGGED, from_device(DEV_C, udp4(DEV_C.addr, "10.99.1.2"))),
        Template("up C ping4 options", ACCESS_TAGGED,
                 from_device(DEV_C, ping4(DEV_C.addr, GLOBEX.anycast_v4, LONGEST_OPTIONS))),
        Template("up B frag anycast", ACCESS_TAGGED, from_device(DEV_B, frag)),
        # downstream (VPC -> device)
        Template("down A udp6", UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000))),
        Template("down B udp6 restore", UPLINK, from_uplink(ACME, udp6(DEV_B.endpoint, DEV_B.addr, 5683, 40000), prio=5)),
        Template("down B tcp6 peer", UPLINK, from_uplink(ACME, tcp6("2001:db8:ff::53", DEV_B.addr))),
        Template("down C udp4 restore", UPLINK, from_uplink(GLOBEX, udp4(DEV_C.endpoint, DEV_C.addr))),
        Template("down C tcp4 restore", UPLINK, from_uplink(GLOBEX, tcp4_ack(DEV_C.endpoint, DEV_C.addr)), pad=True),
        Template("down D udp6 broadcast", UPLINK, from_uplink(GLOBEX, udp6(DEV_D.endpoint, DEV_D.addr))),
        Template("down F held", UPLINK, from_uplink(ACME, udp6(DEV_F.endpoint, DEV_F.addr))),
        Template("down group", UPLINK, from_uplink(ACME, udp6("2001:db8:a::1", GROUP_ADDR, 5683, 5683), prio=2)),
        # housekeeping
        Template("hk NS gateway", ACCESS_UNTAGGED, from_device(DEV_A, ns_for(GATEWAY_V6, DEV_A.addr, option=True),
                                                                port_mac=gw_mac)),
        Template("hk NS unicast B", ACCESS_TAGGED,
                 from_device(DEV_B, IPv6(src=DEV_B.addr, dst=GATEWAY_V6, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6))),
        Template("hk DAD gateway", ACCESS_UNTAGGED,
                 from_device(DEV_A, IPv6(src="::", dst=gw_group, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6),
                             port_mac=gw_mac)),
        Template("hk RS", ACCESS_TAGGED,
                 from_device(DEV_B, IPv6(src="fe80::b", dst="ff02::2", hlim=255) / ICMPv6ND_RS()
                             / ICMPv6NDOptSrcLLAddr(lladdr=DEV_B.mac), port_mac="33:33:00:00:00:02")),
        Template("hk ARP gateway", ACCESS_TAGGED, from_device(DEV_C, arp, port_mac=BROADCAST), pad=True),
        # controller packet-out
        Template("po to 1", CPU_PORT, replay, prefix=packet_out_header(ACCESS_UNTAGGED)),
        Template("po to 2", CPU_PORT, replay_b, prefix=packet_out_header(ACCESS_TAGGED)),
        Template("po group", CPU_PORT, group_frame, prefix=packet_out_mcast(GROUP_ID, ACME.cid)),
    ]


def packet_out_mcast(group: int, customer: int, egress_port: int = 0, reserved: int = 0) -> bytes:
    """packet_out_t with mcast_grp and customer_id (9 + 16 + 16 + 71 bits)."""
    value = (egress_port << 103) | (group << 87) | (customer << 71) | reserved
    return value.to_bytes(14, "big")


# ---- mutations -----------------------------------------------------------------------------------


def mutations(t: Template, rng: random.Random) -> list[Input]:
    data = t.data()
    out: list[Input] = []
    regions = t.regions()
    cuts: set[int] = set()
    for start, end, _ in regions:
        cuts.add(start)
        if end - start > 1:
            cuts.add(rng.randrange(start + 1, end))
    cuts.add(rng.randrange(1, len(data)))
    for cut in sorted(c for c in cuts if 0 < c < len(data)):
        out.append(Input(t.port, data[:cut], f"{t.name}: cut at {cut}"))
    for _ in range(3):
        start, end, layer = rng.choice(regions)
        at = rng.randrange(start, end)
        if t.port in ACCESS_PORTS and 6 <= at < 12:
            at -= 6  # a device's source MAC stays: see the module docstring on ordering
        buf = bytearray(data)
        if rng.random() < 0.5:
            bit = rng.randrange(8)
            buf[at] ^= 1 << bit
            what = f"bit {bit} of byte {at} ({layer}) flipped"
        else:
            buf[at] = rng.randrange(256)
            what = f"byte {at} ({layer}) set to {buf[at]:#04x}"
        out.append(Input(t.port, bytes(buf), f"{t.name}: {what}"))
    return out


# ---- hand-made special cases -----------------------------------------------------------------------


def ipv4_checksum(header: bytes) -> int:
    total = 0
    for i in range(0, len(header) - 1, 2):
        total += (header[i] << 8) | header[i + 1]
    if len(header) % 2:
        total += header[-1] << 8
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_ihl(frame: bytes, ip_at: int, ihl: int, *, fix_checksum: bool) -> bytes:
    """The frame with the IPv4 IHL changed and, if asked, the checksum recomputed over the claimed header."""
    buf = bytearray(frame)
    buf[ip_at] = (buf[ip_at] & 0xF0) | ihl
    if fix_checksum:
        buf[ip_at + 10:ip_at + 12] = b"\0\0"
        claimed = bytes(buf[ip_at:ip_at + max(ihl, 5) * 4])
        buf[ip_at + 10:ip_at + 12] = ipv4_checksum(claimed).to_bytes(2, "big")
    return bytes(buf)


def zero_checksum_ipv4(src: str, dst: str) -> Packet:
    """An IPv4/UDP datagram whose correct header checksum is 0x0000 (id chosen to make it so)."""
    plain = IP(bytes(IP(src=src, dst=dst, ttl=64, id=0) / UDP(sport=40000, dport=5683) / Raw(PAYLOAD)))
    # With id 0 the one's-complement sum of the header is ~c; adding id = c makes it 0xFFFF, the checksum 0.
    p = IP(src=src, dst=dst, ttl=64, id=int(plain.chksum)) / UDP(sport=40000, dport=5683) / Raw(PAYLOAD)
    if IP(bytes(p)).chksum != 0:
        raise AssertionError("the chosen id does not give a zero checksum")
    return p


def words(addr: str) -> list[int]:
    raw = ipaddress.ip_address(addr).packed
    return [(raw[i] << 8) | raw[i + 1] for i in range(0, len(raw), 2)]


def udp_checksum_rewriting_to_zero(old: str, new: str) -> int:
    """A UDP checksum value that becomes 0 after an incremental replacement of old by new (RFC 1624 eqn. 3)."""
    for c in range(1, 65536):
        s = (~c & 0xFFFF) + sum(~w & 0xFFFF for w in words(old)) + sum(words(new))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        if (~s & 0xFFFF) == 0:
            return c
    raise AssertionError("no such checksum")


def udp6_raw_checksum(src: str, dst: str, chksum: int, sport: int = 40000, dport: int = 5683) -> Packet:
    return IPv6(src=src, dst=dst, hlim=64) / UDP(sport=sport, dport=dport, chksum=chksum) / Raw(PAYLOAD)


def specials() -> list[Input]:
    out: list[Input] = []

    def add(port: int, frame: Packet | bytes, label: str, pad: bool = False) -> None:
        raw = frame if isinstance(frame, bytes) else bytes(frame)
        if pad:
            raw += bytes(max(0, 60 - len(raw)))
        out.append(Input(port, raw, label))

    # runts and bare headers
    base = bytes(from_device(DEV_A, udp6(DEV_A.addr, DEV_A.endpoint)))
    for port in (ACCESS_UNTAGGED, UPLINK, CPU_PORT):
        for n in (1, 2, 6, 12, 13, 14):
            add(port, base[:n], f"runt of {n} bytes")
    add(ACCESS_UNTAGGED, bytes(14), "14 zero bytes (packet_out mark, nothing after)")
    add(CPU_PORT, bytes(14), "14 zero bytes on the CPU port (packet_out to port 0, no frame)")
    add(CPU_PORT, packet_out_header(ACCESS_UNTAGGED), "packet_out header alone")
    add(CPU_PORT, packet_out_header(ACCESS_UNTAGGED) + base[:13], "packet_out + 13-byte runt")
    add(CPU_PORT, packet_out_header(ACCESS_UNTAGGED) + base[:20], "packet_out + frame cut in the IPv6 header")
    add(ACCESS_UNTAGGED, Ether(src=DEV_A.mac, dst=PORT_MAC[1], type=0x8100) / Raw(b"\x00"), "VLAN type, 1-byte tag")

    # oversized frames
    for size in (1500, 9000):
        big = Raw(bytes(range(256)) * (size // 256) + bytes(size % 256))
        add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=DEV_A.endpoint, hlim=64)
                                         / UDP(sport=40000, dport=5683) / big), f"A udp6 with {size}-byte payload")
        add(UPLINK, from_uplink(ACME, IPv6(src=DEV_A.endpoint, dst=DEV_A.addr, hlim=64)
                                / UDP(sport=5683, dport=40000) / big), f"down A udp6 with {size}-byte payload")

    # VLAN shapes
    v6a = udp6(DEV_A.addr, DEV_A.endpoint)
    add(ACCESS_UNTAGGED, Ether(src=DEV_A.mac, dst=PORT_MAC[1]) / Dot1Q(vlan=0, prio=5) / v6a, "A priority-tagged (vid 0)")
    add(ACCESS_TAGGED, Ether(src=DEV_B.mac, dst=PORT_MAC[2]) / Dot1Q(vlan=100, dei=1, prio=6)
        / udp6(DEV_B.addr, ACME.anycast_v6), "B with DEI set")
    add(ACCESS_TAGGED, Ether(src=DEV_B.mac, dst=PORT_MAC[2]) / Dot1Q(vlan=100) / Dot1Q(vlan=7)
        / udp6(DEV_B.addr, DEV_B.endpoint), "B double-tagged")
    add(ACCESS_TAGGED, Ether(src=DEV_B.mac, dst=PORT_MAC[2], type=0x88A8) / Dot1Q(vlan=100)
        / udp6(DEV_B.addr, DEV_B.endpoint), "B QinQ 0x88a8 outer")
    add(UPLINK, Ether(src=ACME.gateway_mac, dst=PORT_MAC[3]) / Dot1Q(vlan=1000) / Dot1Q(vlan=1000)
        / udp6(DEV_A.endpoint, DEV_A.addr), "uplink double-tagged")
    add(UPLINK, Ether(src=ACME.gateway_mac, dst=PORT_MAC[3]) / Dot1Q(vlan=1000, prio=7, dei=1)
        / udp6(DEV_B.endpoint, DEV_B.addr), "uplink DEI and prio 7 to B")
    add(UPLINK, from_uplink(ACME, udp6(DEV_A.endpoint, DEV_A.addr)) / Raw(bytes(30)), "down A with trailing bytes")

    # wrong EtherTypes
    add(ACCESS_UNTAGGED, Ether(src=DEV_A.mac, dst=PORT_MAC[1], type=0x0800) / v6a, "IPv6 under 0x0800")
    add(ACCESS_TAGGED, Ether(src=DEV_C.mac, dst=PORT_MAC[2]) / Dot1Q(vlan=200, type=0x86DD)
        / udp4(DEV_C.addr, DEV_C.endpoint), "IPv4 under 0x86dd")
    add(ACCESS_TAGGED, Ether(src=DEV_C.mac, dst=PORT_MAC[2]) / Dot1Q(vlan=200, type=0x0800)
        / ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, pdst=GATEWAY_V4), "ARP under 0x0800", pad=True)
    add(ACCESS_TAGGED, Ether(src=DEV_C.mac, dst=BROADCAST) / Dot1Q(vlan=200, type=0x0806)
        / udp4(DEV_C.addr, GATEWAY_V4), "IPv4 under 0x0806")
    add(ACCESS_UNTAGGED, Ether(src=DEV_A.mac, dst=PORT_MAC[1], type=0x0000) / v6a, "EtherType 0 from a device")
    add(UPLINK, Ether(src=ACME.gateway_mac, dst=PORT_MAC[3]) / Dot1Q(vlan=1000, type=0x0000)
        / udp6(DEV_A.endpoint, DEV_A.addr), "uplink, inner EtherType 0")
    add(NO_ROLE_PORT, from_device(DEV_A, v6a), "a port without a role")

    # IPv4 checksums
    c_up = udp4(DEV_C.addr, GLOBEX.anycast_v4)
    good = bytes(from_device(DEV_C, c_up))
    for bad in (0x0000, 0xFFFF, 0x1234):
        buf = bytearray(good)
        buf[18 + 10:18 + 12] = bad.to_bytes(2, "big")
        add(ACCESS_TAGGED, bytes(buf), f"C udp4 anycast, header checksum {bad:#06x}")
    zero = zero_checksum_ipv4(DEV_C.addr, "10.99.1.2")
    add(ACCESS_TAGGED, from_device(DEV_C, zero), "C udp4 allowed, correct header checksum 0x0000")
    buf = bytearray(bytes(from_device(DEV_C, zero)))
    buf[28:30] = b"\xff\xff"
    add(ACCESS_TAGGED, bytes(buf), "C udp4 allowed, 0xffff where the checksum is 0x0000")
    zero_down = zero_checksum_ipv4(DEV_C.endpoint, DEV_C.addr)
    add(UPLINK, from_uplink(GLOBEX, zero_down), "down C, correct header checksum 0x0000")

    # IPv4 options of every length, and bad IHLs
    for n in range(4, 44, 4):
        opts = bytes([30, n]) + bytes(range(1, n - 1))
        add(ACCESS_TAGGED, from_device(DEV_C, ping4(DEV_C.addr, GLOBEX.anycast_v4, opts)), f"C ping4 anycast, {n}B options")
        if n in (4, 12, 40):
            add(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst="10.99.1.2", ttl=64, options=[opts])
                                           / UDP(sport=1, dport=2) / Raw(PAYLOAD)), f"C udp4 allowed, {n}B options")
            add(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, ttl=64, options=[opts])
                                           / UDP(sport=1, dport=2) / Raw(PAYLOAD)), f"C udp4 anycast, {n}B options")
            add(UPLINK, from_uplink(GLOBEX, IP(src=DEV_C.endpoint, dst=DEV_C.addr, ttl=64, options=[opts])
                                    / ICMP() / Raw(PAYLOAD)), f"down C icmp4 restore, {n}B options")
            add(UPLINK, from_uplink(GLOBEX, IP(src=DEV_C.endpoint, dst=DEV_C.addr, ttl=64, options=[opts])
                                    / TCP() / Raw(PAYLOAD)), f"down C tcp4 restore, {n}B options")
    nop_eol = bytes([1, 1, 1, 0])
    add(ACCESS_TAGGED, from_device(DEV_C, ping4(DEV_C.addr, "10.99.0.1", nop_eol)), "C ping4, NOP NOP NOP EOL")
    for ihl in (0, 1, 4, 6, 7, 15):
        for fix in (False, True):
            add(ACCESS_TAGGED, with_ihl(good, 18, ihl, fix_checksum=fix),
                f"C udp4 anycast, IHL {ihl}{' (checksum over claimed header)' if fix else ''}")
    allowed = bytes(from_device(DEV_C, udp4(DEV_C.addr, "10.99.1.2")))
    add(ACCESS_TAGGED, with_ihl(allowed, 18, 6, fix_checksum=True), "C udp4 allowed, IHL 6, checksum fixed")
    add(ACCESS_TAGGED, with_ihl(allowed[:18 + 22], 18, 6, fix_checksum=True), "C IHL 6, 22 bytes of IP")
    down_c = bytes(from_uplink(GLOBEX, udp4(DEV_C.endpoint, DEV_C.addr)))
    add(UPLINK, with_ihl(down_c, 18, 6, fix_checksum=True), "down C udp4, IHL 6, checksum fixed")
    add(UPLINK, with_ihl(down_c, 18, 3, fix_checksum=True), "down C udp4, IHL 3")
    frag4 = IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, ttl=64, flags=0, frag=10, proto=17) / Raw(PAYLOAD)
    add(ACCESS_TAGGED, from_device(DEV_C, frag4), "C later IPv4 fragment to anycast")
    first4 = IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, ttl=64, flags="MF") / UDP(sport=1, dport=2, chksum=0x1111)
    add(ACCESS_TAGGED, from_device(DEV_C, first4 / Raw(PAYLOAD)), "C first IPv4 fragment to anycast")
    add(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, ttl=64, proto=47) / Raw(PAYLOAD)),
        "C GRE to anycast")
    add(ACCESS_TAGGED, from_device(DEV_C, IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, version=5) / UDP() / Raw(PAYLOAD)),
        "C IPv4 version 5")

    # UDP checksum corner cases around the incremental rewrite
    z6 = udp_checksum_rewriting_to_zero(ACME.anycast_v6, DEV_B.endpoint)
    for c in (0, 0xFFFF, z6):
        add(ACCESS_TAGGED, from_device(DEV_B, udp6_raw_checksum(DEV_B.addr, ACME.anycast_v6, c)),
            f"B udp6 anycast, UDP checksum {c:#06x}")
    z4 = udp_checksum_rewriting_to_zero(GLOBEX.anycast_v4, DEV_C.endpoint)
    for c in (0xFFFF, z4):
        p = IP(src=DEV_C.addr, dst=GLOBEX.anycast_v4, ttl=64, id=7) / UDP(sport=1, dport=2, chksum=c) / Raw(PAYLOAD)
        add(ACCESS_TAGGED, from_device(DEV_C, p), f"C udp4 anycast, UDP checksum {c:#06x}")
    zr = udp_checksum_rewriting_to_zero(DEV_B.endpoint, ACME.anycast_v6)
    for c in (0, zr):
        add(UPLINK, from_uplink(ACME, udp6_raw_checksum(DEV_B.endpoint, DEV_B.addr, c, 5683, 40000)),
            f"down B udp6 restore, UDP checksum {c:#06x}")

    # IPv6 extension headers
    def v6(src: str, dst: str) -> Packet:
        return IPv6(src=src, dst=dst, hlim=64)

    udp_tail = UDP(sport=40000, dport=5683) / Raw(PAYLOAD)
    add(ACCESS_UNTAGGED, from_device(DEV_A, v6(DEV_A.addr, DEV_A.endpoint) / IPv6ExtHdrHopByHop() / udp_tail),
        "A hop-by-hop to endpoint")
    add(ACCESS_UNTAGGED, from_device(DEV_A, v6(DEV_A.addr, DEV_A.endpoint) / IPv6ExtHdrRouting() / udp_tail),
        "A routing header to endpoint")
    add(ACCESS_UNTAGGED, from_device(DEV_A, v6(DEV_A.addr, DEV_A.endpoint) / IPv6ExtHdrDestOpt() / udp_tail),
        "A destination options to endpoint")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrHopByHop() / udp_tail),
        "B hop-by-hop to anycast")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=17, offset=5, id=9)
                                   / Raw(PAYLOAD)), "B later fragment to anycast")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=6, m=1, id=9)
                                   / TCP(sport=1, dport=2)), "B first fragment TCP to anycast")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=58, m=1, id=9)
                                   / ICMPv6EchoRequest(data=PAYLOAD)), "B first fragment ICMPv6 to anycast")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=0, m=1, id=9)
                                   / IPv6ExtHdrHopByHop() / udp_tail), "B fragment then hop-by-hop to anycast")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=17, m=1, id=9)),
        "B fragment header, nothing after")
    add(ACCESS_TAGGED, from_device(DEV_B, v6(DEV_B.addr, ACME.anycast_v6) / IPv6ExtHdrFragment(nh=17, m=1, id=9)
                                   / Raw(b"\x01\x02\x03")), "B first fragment with 3 bytes of UDP")
    add(ACCESS_UNTAGGED, from_device(DEV_A, v6(DEV_A.addr, "2001:db8:ff::1") / IPv6ExtHdrFragment(nh=59, id=3)),
        "A fragment, no next header, allowed prefix")
    add(UPLINK, from_uplink(ACME, v6(DEV_B.endpoint, DEV_B.addr) / IPv6ExtHdrDestOpt() / udp_tail),
        "down B restore behind destination options")
    add(UPLINK, from_uplink(ACME, v6(DEV_B.endpoint, DEV_B.addr) / IPv6ExtHdrFragment(nh=17, offset=3, id=4)
                            / Raw(PAYLOAD)), "down B restore, later fragment")
    add(UPLINK, from_uplink(ACME, v6(DEV_A.endpoint, DEV_A.addr) / IPv6ExtHdrHopByHop() / udp_tail),
        "down A behind hop-by-hop (no rewrite)")
    add(UPLINK, from_uplink(ACME, v6("2001:db8:a::1", GROUP_ADDR) / IPv6ExtHdrHopByHop() / udp_tail),
        "group behind hop-by-hop (member rewrite)")
    add(UPLINK, from_uplink(ACME, v6("2001:db8:a::1", GROUP_ADDR) / IPv6ExtHdrFragment(nh=17, offset=2, id=4)
                            / Raw(PAYLOAD)), "group, later fragment")
    add(UPLINK, from_uplink(ACME, v6("2001:db8:a::1", GROUP_ADDR) / ICMPv6EchoRequest(data=PAYLOAD)), "group ICMPv6")
    add(UPLINK, from_uplink(ACME, v6("2001:db8:a::1", GROUP_ADDR) / TCP(sport=1, dport=2)), "group TCP")

    # neighbour discovery and ARP shapes
    gw_group, gw_mac = solicited_node(GATEWAY_V6)
    ns_ok = ns_for(GATEWAY_V6, DEV_A.addr, option=True)
    ns_bytes = bytes(from_device(DEV_A, ns_ok, port_mac=gw_mac))
    add(ACCESS_UNTAGGED, ns_bytes[:-8], "NS, payload length 32, option missing")
    add(ACCESS_UNTAGGED, ns_bytes + bytes(8), "NS with 8 trailing bytes")
    for plen in (24, 40, 16):
        buf = bytearray(ns_bytes)
        buf[18:20] = plen.to_bytes(2, "big")
        add(ACCESS_UNTAGGED, bytes(buf), f"NS, payload length field {plen}")
    for hlim in (254, 1):
        add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=gw_group, hlim=hlim) / ICMPv6ND_NS(tgt=GATEWAY_V6)
                                         / ICMPv6NDOptSrcLLAddr(lladdr=DEV_A.mac), port_mac=gw_mac), f"NS hop limit {hlim}")
    add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=gw_group, hlim=255) / ICMPv6ND_NS(code=1, tgt=GATEWAY_V6),
                                     port_mac=gw_mac), "NS code 1")
    add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=gw_group, hlim=255, tc=0xB8, fl=0x12345)
                                     / ICMPv6ND_NS(tgt=GATEWAY_V6, res=0x1234)
                                     / ICMPv6NDOptSrcLLAddr(lladdr=DEV_A.mac), port_mac=gw_mac),
        "NS with traffic class, flow label and reserved bits")
    add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=gw_group, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6)
                                     / Raw(bytes([14, 1, 1, 2, 3, 4, 5, 6])), port_mac=gw_mac), "NS, nonce option")
    add(ACCESS_UNTAGGED, from_device(DEV_A, IPv6(src=DEV_A.addr, dst=gw_group, hlim=255) / IPv6ExtHdrFragment(nh=58)
                                     / ICMPv6ND_NS(tgt=GATEWAY_V6), port_mac=gw_mac), "NS behind a fragment header")
    add(ACCESS_TAGGED, from_device(DEV_B, IPv6(src=DEV_B.addr, dst=GATEWAY_V6, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6),
                                   vlan=200), "NS from B on VLAN 200")
    add(UPLINK, Ether(src=ACME.gateway_mac, dst=gw_mac) / Dot1Q(vlan=1000)
        / IPv6(src="2001:db8:a::1", dst=gw_group, hlim=255) / ICMPv6ND_NS(tgt=GATEWAY_V6), "NS for the gateway on the uplink")
    add(UPLINK, from_uplink(ACME, IPv6(src="fe80::1", dst="ff02::2", hlim=255) / ICMPv6ND_RS()), "RS on the uplink")
    add(CPU_PORT, packet_out_header(ACCESS_UNTAGGED) + ns_bytes, "packet_out of an NS")
    for field, value in (("hwtype", 6), ("ptype", 0x86DD), ("hwlen", 8), ("plen", 16), ("op", 2)):
        odd = ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, pdst=GATEWAY_V4)
        odd.setfieldval(field, value)
        add(ACCESS_TAGGED, from_device(DEV_C, odd, port_mac=BROADCAST), f"ARP with {field}={value}", pad=True)
    arp_ok = bytes(from_device(DEV_C, ARP(op=1, hwsrc=DEV_C.mac, psrc=DEV_C.addr, pdst=GATEWAY_V4), port_mac=BROADCAST))
    add(ACCESS_TAGGED, arp_ok, "ARP request without padding")
    add(ACCESS_TAGGED, arp_ok + bytes(range(40)), "ARP request with 40 trailing bytes")
    add(ACCESS_TAGGED, arp_ok[:-1], "ARP request one byte short")
    add(ACCESS_UNTAGGED, from_device(DEV_A, ARP(op=1, hwsrc=DEV_A.mac, psrc="192.168.20.9", pdst=GATEWAY_V4),
                                     port_mac=BROADCAST), "ARP for the gateway on port 1 (not proxied there)", pad=True)

    # packet-out shapes
    replay = bytes(Ether(src=PORT_MAC[1], dst=DEV_A.mac) / udp6(DEV_A.endpoint, DEV_A.addr, 5683, 40000))
    for port in (0, 3, 4, 9, 5, 511, 64):
        add(CPU_PORT, packet_out_header(port) + replay, f"packet_out to port {port}")
    add(CPU_PORT, packet_out_header(1) + packet_out_header(2) + replay, "two packet_out headers")
    add(CPU_PORT, packet_out_mcast(0, 0, 1, reserved=1 << 16) + replay, "packet_out, reserved bit above the mark")
    add(CPU_PORT, packet_out_mcast(0, 0, 1, reserved=1) + replay, "packet_out, reserved bit inside the mark")
    add(CPU_PORT, packet_out_header(1) + bytes(Ether(src=PORT_MAC[1], dst=DEV_A.mac) / Dot1Q(vlan=9) / Dot1Q(vlan=8)
                                               / udp6(DEV_A.endpoint, DEV_A.addr)), "packet_out of a double-tagged frame")
    bad4 = bytearray(bytes(Ether(src=PORT_MAC[2], dst=DEV_C.mac) / Dot1Q(vlan=200) / udp4(DEV_C.endpoint, DEV_C.addr)))
    bad4[28:30] = b"\x12\x34"
    add(CPU_PORT, packet_out_header(2) + bytes(bad4), "packet_out of IPv4 with a bad checksum")
    add(CPU_PORT, packet_out_header(2) + with_ihl(bytes(bad4), 18, 15, fix_checksum=False),
        "packet_out of IPv4 with IHL 15 (options cut short)")
    add(CPU_PORT, packet_out_header(2) + with_ihl(bytes(bad4), 18, 2, fix_checksum=False),
        "packet_out of IPv4 with IHL 2")
    add(CPU_PORT, packet_out_header(1) + replay[:14 + 30], "packet_out of a frame cut in IPv6")
    add(CPU_PORT, packet_out_header(1) + replay[:14 + 40 + 3], "packet_out of a frame cut in UDP")
    gframe = bytes(Ether(src=PORT_MAC[3], dst="33:33:00:00:42:42") / udp6("2001:db8:a::1", GROUP_ADDR, 5683, 5683))
    for grp, cust, eport, what in ((GROUP_ID, GLOBEX.cid, 0, "customer GLOBEX"), (GROUP_ID, 0, 0, "customer 0"),
                                   (6, ACME.cid, 0, "unknown group 6"), (GROUP_ID, ACME.cid, 1, "egress port 1 too")):
        add(CPU_PORT, packet_out_mcast(grp, cust, eport) + gframe, f"packet_out group, {what}")
    uni = bytes(Ether(src=PORT_MAC[3], dst=DEV_A.mac) / udp6("2001:db8:a::1", DEV_A.addr))
    add(CPU_PORT, packet_out_mcast(GROUP_ID, ACME.cid) + uni, "packet_out group, unicast destination")
    add(CPU_PORT, packet_out_mcast(GROUP_ID, ACME.cid) + bytes(Ether() / udp4("10.0.0.1", "239.0.0.1")),
        "packet_out group, IPv4")
    add(CPU_PORT, packet_out_mcast(GROUP_ID, ACME.cid) + gframe[:30], "packet_out group, truncated IPv6")
    add(CPU_PORT, packet_out_mcast(GROUP_ID, ACME.cid) + bytes(Ether(src=PORT_MAC[3], dst="33:33:00:00:42:42")
                                                               / Dot1Q(vlan=1000) / udp6("2001:db8:a::1", GROUP_ADDR)),
        "packet_out group, tagged frame")
    return out


# ---- the input list --------------------------------------------------------------------------------


def inputs() -> list[Input]:
    rng = random.Random(SEED)
    temps = templates()
    valid = [Input(t.port, t.data(), f"{t.name} (valid)") for t in temps]
    mutated: list[Input] = []
    for t in temps:
        mutated.extend(mutations(t, rng))
    mutated.extend(specials())
    early = [i for i in mutated if i.port not in ACCESS_PORTS]
    late = [i for i in mutated if i.port in ACCESS_PORTS]
    seen: set[tuple[int, bytes]] = set()
    result: list[Input] = []
    for item in valid + early + late:
        if lone_packet_out(item):
            continue
        if (item.port, item.data) not in seen:
            seen.add((item.port, item.data))
            result.append(item)
    return result


def lone_packet_out(item: Input) -> bool:
    """A packet_out header with no frame behind it, to a nonzero port: BMv2 sends a zero-length packet, which
    p4c's harness reads back from the pcap as a 4-byte packet (linktype 0), so no expect line can match it."""
    return (item.port == CPU_PORT and len(item.data) == 14 and item.data[12:14] == b"\0\0"
            and int.from_bytes(item.data, "big") >> 103 != 0)


# ---- STF text ----------------------------------------------------------------------------------------


def header_lines(version: str, day: str) -> list[str]:
    return [
        "# Differential packet test of p4src/edge.p4: valid packets of the edge world and seeded mutations",
        "# (truncations, byte and bit flips, IPv4 options and checksums, IPv6 extension headers, VLAN shapes,",
        "# wrong EtherTypes, runts, jumbo frames, packet_out misuse).",
        f"# The expect lines were recorded from the real BMv2 simple_switch {version} ({day}) through p4c's",
        "# STF harness by tests/p4src/make_edge_fuzz_stf.py; they are BMv2's outputs, not hand-derived.",
        "# Regenerate: see the docstring of tests/p4src/make_edge_fuzz_stf.py (needs BMv2 and p4c's STF harness).",
        "# Do not edit by hand.",
        "",
    ]


def input_stf(items: list[Input]) -> str:
    lines = list(base_entries())
    for n, item in enumerate(items):
        lines.append(f"# {n}: {item.label}")
        lines.append(f"packet {item.port} {item.data.hex()}")
    return "\n".join(lines) + "\n"


def final_stf(items: list[Input], outputs: dict[int, list[tuple[int, bytes]]], version: str, day: str) -> str:
    lines = header_lines(version, day) + list(base_entries())
    for n, item in enumerate(items):
        lines.append("")
        lines.append(f"# {n}: {item.label}")
        lines.append(f"packet {item.port} {item.data.hex()}")
        for port, data in outputs.get(n, []):
            lines.append(f"expect {port} {data.hex()} $")
    return "\n".join(lines) + "\n"


# ---- reading a kept BMv2 run ---------------------------------------------------------------------------


def read_pcap(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    if not raw:
        return []
    magic = raw[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out: list[bytes] = []
    at = 24
    while at + 16 <= len(raw):
        _, _, incl, _ = struct.unpack(endian + "IIII", raw[at:at + 16])
        out.append(raw[at + 16:at + 16 + incl])
        at += 16 + incl
    return out


RECEIVED = re.compile(r"\[(\d+)\.(\d+)\] \[cxt \d+\] Processing packet received on port (\d+)")
SENT = re.compile(r"\[(\d+)\.(\d+)\] \[cxt \d+\] Transmitting packet of size (\d+) out of port (\d+)")


def attribute(run_dir: Path, items: list[Input]) -> dict[int, list[tuple[int, bytes]]]:
    """Per input index, the (port, bytes) BMv2 transmitted because of it, in each port's order."""
    # simple_switch rotates its log (switch.log.1.txt is older than switch.log.txt); a lost part is caught below
    rotated = sorted(run_dir.glob("switch.log.*.txt"), key=lambda f: -int(f.name.split(".")[2]))
    log = "".join(f.read_text() for f in [*rotated, run_dir / "switch.log.txt"])
    received = [(int(m[1]), int(m[3])) for m in RECEIVED.finditer(log) if m[2] == "0"]
    if [port for _, port in received] != [i.port for i in items] or [pid for pid, _ in received] != list(range(len(items))):
        raise SystemExit("simple_switch did not receive the inputs in file order")
    sent: dict[int, list[tuple[int, int]]] = {}
    for m in SENT.finditer(log):
        sent.setdefault(int(m[4]), []).append((int(m[1]), int(m[3])))
    outputs: dict[int, list[tuple[int, bytes]]] = {}
    for pcap in sorted(run_dir.glob("pcap*_out.pcap")):
        port = int(pcap.name.removeprefix("pcap").removesuffix("_out.pcap"))
        packets = read_pcap(pcap)
        log_side = sent.get(port, [])
        if len(packets) != len(log_side):
            raise SystemExit(f"port {port}: {len(packets)} packets in the pcap, {len(log_side)} in the log")
        last = -1
        for data, (pid, size) in zip(packets, log_side, strict=True):
            if size != len(data) or pid < last:
                raise SystemExit(f"port {port}: packet of input {pid} out of order or of another size")
            last = pid
            outputs.setdefault(pid, []).append((port, data))
    return outputs


def switch_version() -> str:
    proc = subprocess.run(["simple_switch", "--version"], capture_output=True, text=True, check=False)
    return f"version {proc.stdout.strip() or 'unknown'}"


def record(run_dir: Path) -> None:
    items = inputs()
    outputs = attribute(run_dir, items)
    OUTPUT.write_text(final_stf(items, outputs, switch_version(), date.today().isoformat()))
    print(f"wrote {OUTPUT}: {len(items)} packets, {sum(len(v) for v in outputs.values())} expected outputs")


def regenerate(scratch: Path) -> None:
    harness = os.environ.get(HARNESS_VARIABLE)
    if not harness:
        raise SystemExit(f"set {HARNESS_VARIABLE} to a script that runs p4c's BMv2 STF harness: SCRIPT P4 STF LOG")
    scratch.mkdir(parents=True, exist_ok=True)
    stf = scratch / "edge_fuzz_inputs.stf"
    log = scratch / "edge_fuzz_inputs.log"
    stf.write_text(input_stf(inputs()))
    subprocess.run([harness, str(PROGRAM), str(stf), str(log)], env={"KEEP": "1", "PATH": "/usr/bin:/bin"},
                   check=False)
    dirs = re.findall(r"(/\S+?)/pcap\d+_(?:in|out)\.pcap", log.read_text())
    if not dirs:
        raise SystemExit(f"no kept run directory named in {log}")
    record(Path(dirs[-1]))


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "inputs":
        Path(argv[1]).write_text(input_stf(inputs()))
        print(f"wrote {argv[1]}: {len(inputs())} packets")
    elif len(argv) == 2 and argv[0] == "record":
        record(Path(argv[1]))
    elif argv[:1] == ["regenerate"] and len(argv) <= 2:
        regenerate(Path(argv[1]) if len(argv) == 2 else Path(tempfile.mkdtemp(prefix="edgefuzz-")))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
