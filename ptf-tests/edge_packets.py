"""Frames for the edge PTF tests, built by hand with scapy (the one typed adapter over scapy).

A :class:`Flow` describes one IPv6 or IPv4 datagram in an Ethernet frame (optionally 802.1Q-tagged)
and :func:`build` turns it into bytes with every length and checksum computed by scapy from
scratch. An expected frame is the sent flow with the fields the contract says change replaced
(``dataclasses.replace``), built the same way; a switch whose incremental checksum update is wrong
therefore produces different bytes. :func:`checksum_problems` recomputes the checksums of a received
frame independently, for a clear message.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, replace
from typing import Any

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.layers.inet import ICMP, IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6EchoRequest,
    ICMPv6MLQuery,
    ICMPv6MLReport,
    ICMPv6MLReport2,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6ND_RA,
    ICMPv6ND_Redirect,
    ICMPv6ND_RS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    RouterAlert,
)
from scapy.layers.l2 import ARP, Dot1Q, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

BROADCAST = "ff:ff:ff:ff:ff:ff"
ALL_NODES_MAC = "33:33:00:00:00:01"
ALL_NODES = "ff02::1"
ZERO_MAC = "00:00:00:00:00:00"

#: IPv4 options (``Flow.ip_options``): one word of four NOPs (IHL 6), and the longest header's 40
#: bytes (IHL 15), one experimental option (type 30, RFC 4727) whose value bytes all differ
NOP_OPTIONS = b"\x01\x01\x01\x01"
LONGEST_OPTIONS = bytes([30, 40]) + bytes(range(1, 39))


@dataclass(frozen=True)
class Flow:
    """One datagram in an Ethernet frame. ``vlan`` 0 means untagged."""

    src_mac: str
    dst_mac: str
    src: str
    dst: str
    vlan: int = 0
    pcp: int = 0
    proto: str = "udp"  # udp, tcp, icmp6 / icmp (echo request), raw (next header 59 / protocol 253)
    sport: int = 40000
    dport: int = 5683
    payload: bytes = b"edge ptf payload"
    udp_checksum: int | None = None  # force a UDP checksum (0: none, IPv4 only)
    hop_limit: int = 64
    ext_header: bool = False  # IPv6: a destination options header before the transport
    ip_options: bytes = b""  # IPv4: options as they are (a multiple of 4 bytes, at most 40)
    fragment: int | None = None  # a fragment at this offset (8-byte units); after 0 the body is raw

    @property
    def v6(self) -> bool:
        return ipaddress.ip_address(self.src).version == 6


def _l2(src_mac: str, dst_mac: str, vlan: int, pcp: int = 0) -> Any:
    frame = Ether(src=src_mac, dst=dst_mac)
    if vlan:
        frame = frame / Dot1Q(vlan=vlan, prio=pcp)
    return frame


def _transport(flow: Flow) -> Any:
    if flow.proto == "udp":
        udp = UDP(sport=flow.sport, dport=flow.dport)
        if flow.udp_checksum is not None:
            udp.chksum = flow.udp_checksum
        return udp / Raw(flow.payload)
    if flow.proto == "tcp":
        return TCP(sport=flow.sport, dport=flow.dport, flags="PA", seq=1000, ack=2000) / Raw(flow.payload)
    if flow.proto == "icmp6":
        return ICMPv6EchoRequest(id=7, seq=1) / Raw(flow.payload)
    if flow.proto == "icmp":
        return ICMP(type=8, id=7, seq=1) / Raw(flow.payload)
    if flow.proto == "raw":
        return Raw(flow.payload)
    raise ValueError(f"unknown transport {flow.proto!r}")


def packet(flow: Flow) -> Any:
    """The scapy packet of ``flow``."""
    later_fragment = flow.fragment is not None and flow.fragment > 0
    body = Raw(flow.payload) if later_fragment else _transport(flow)
    if flow.v6:
        nh = {"udp": 17, "tcp": 6, "icmp6": 58, "raw": 59}[flow.proto]
        l3: Any = IPv6(src=flow.src, dst=flow.dst, hlim=flow.hop_limit)
        if flow.ext_header:
            l3 = l3 / IPv6ExtHdrDestOpt(nh=nh)
        if flow.fragment is not None:
            l3 = l3 / IPv6ExtHdrFragment(nh=nh, offset=flow.fragment, m=int(flow.fragment == 0), id=0x1234)
        if flow.proto == "raw" and not flow.ext_header and flow.fragment is None:
            l3.nh = nh
    else:
        l3 = IP(src=flow.src, dst=flow.dst, ttl=flow.hop_limit, id=1)
        l3.proto = {"udp": 17, "tcp": 6, "icmp": 1, "raw": 253}[flow.proto]
        if flow.ip_options:
            l3.options = [flow.ip_options]
        if flow.fragment is not None:
            l3.frag = flow.fragment
            l3.flags = "MF" if flow.fragment == 0 else 0
    return _l2(flow.src_mac, flow.dst_mac, flow.vlan, flow.pcp) / l3 / body


def build(flow: Flow) -> bytes:
    return bytes(packet(flow))


def udp_payload_for_checksum(flow: Flow, checksum: int) -> bytes:
    """``flow``'s payload with two bytes appended so that its UDP checksum comes out ``checksum``
    (0xFFFF: a datagram whose one's-complement sum is 0xFFFF, the case a rewrite must not send as 0)."""
    if flow.proto != "udp" or len(flow.payload) % 2:
        raise ValueError("needs a UDP flow with an even-length payload")
    current = int(Ether(build(replace(flow, payload=flow.payload + b"\0\0")))[UDP].chksum)
    total = ~current & 0xFFFF  # the one's-complement sum the checksum was made from
    want_total = ~checksum & 0xFFFF or 0xFFFF
    payload: bytes = flow.payload + ((want_total - total) % 0xFFFF).to_bytes(2, "big")
    if Ether(build(replace(flow, payload=payload)))[UDP].chksum != checksum:
        raise ValueError(f"no payload tail gives UDP checksum {checksum:#06x}")
    return payload


# ---- checksums of a received frame -------------------------------------------------------------

_CHECKSUMS = (
    (IP, "chksum"), (TCP, "chksum"), (UDP, "chksum"), (ICMP, "chksum"),
    (ICMPv6EchoRequest, "cksum"), (ICMPv6ND_NA, "cksum"), (ICMPv6ND_NS, "cksum"), (ICMPv6ND_RS, "cksum"),
)


def checksum_problems(frame: bytes) -> list[str]:
    """Checksums in ``frame`` that differ from a recomputation (IPv4 header, TCP, UDP, ICMPv6)."""
    parsed = Ether(frame)
    problems = []
    for layer, name in _CHECKSUMS:
        if not parsed.haslayer(layer):
            continue
        stored = getattr(parsed[layer], name)
        if layer is UDP and stored == 0 and parsed.haslayer(IP):
            continue  # no checksum over IPv4
        fresh = Ether(frame)
        setattr(fresh[layer], name, None)
        recomputed = getattr(Ether(bytes(fresh))[layer], name)
        if stored != recomputed:
            problems.append(f"{layer.__name__} checksum {stored:#06x}, recomputed {recomputed:#06x}")
    return problems


def describe(frame: bytes) -> str:
    """A one-line summary of a frame, for failure messages."""
    try:
        return str(Ether(frame).summary())
    except Exception:  # a malformed frame is still worth showing
        return frame.hex()


# ---- IPv6 neighbour discovery, router solicitation, MLD -----------------------------------------


def solicited_node(addr: str) -> str:
    low = int(ipaddress.IPv6Address(addr)) & 0xFFFFFF
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | low))


def multicast_mac(addr: str) -> str:
    low = int(ipaddress.IPv6Address(addr)) & 0xFFFFFFFF
    return "33:33:" + ":".join(f"{(low >> s) & 0xFF:02x}" for s in (24, 16, 8, 0))


def neighbour_solicitation(
    src_mac: str, src: str, target: str, *, vlan: int = 0, pcp: int = 0, option: bool = True,
    hop_limit: int = 255, code: int = 0, dst: str | None = None, traffic_class: int = 0, flow_label: int = 0,
) -> bytes:
    """An NS for ``target`` (to its solicited-node group unless ``dst``), with a source LL option."""
    group = dst or solicited_node(target)
    l3 = IPv6(src=src, dst=group, hlim=hop_limit, tc=traffic_class, fl=flow_label) / ICMPv6ND_NS(tgt=target, code=code)
    if option:
        l3 = l3 / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)
    return bytes(_l2(src_mac, multicast_mac(group), vlan, pcp) / l3)


def ns_with_extra_option(src_mac: str, src: str, target: str) -> bytes:
    """An NS with a second 8-byte option (a nonce, type 14) after the source LL option: 40 bytes."""
    l3 = IPv6(src=src, dst=solicited_node(target), hlim=255) / ICMPv6ND_NS(tgt=target)
    l3 = l3 / ICMPv6NDOptSrcLLAddr(lladdr=src_mac) / Raw(b"\x0e\x01nonce!")
    return bytes(Ether(src=src_mac, dst=multicast_mac(solicited_node(target))) / l3)


def neighbour_advertisement(
    src_mac: str, dst_mac: str, target: str, dst: str, *, router: int, solicited: int, vlan: int = 0, pcp: int = 0,
) -> bytes:
    """The NA the edge answers with: from the target, override set, target LL option = ``src_mac``,
    traffic class and flow label 0, hop limit 255."""
    l3 = IPv6(src=target, dst=dst, hlim=255, tc=0, fl=0) / ICMPv6ND_NA(
        R=router, S=solicited, O=1, tgt=target
    ) / ICMPv6NDOptDstLLAddr(lladdr=src_mac)
    return bytes(_l2(src_mac, dst_mac, vlan, pcp) / l3)


def router_solicitation(src_mac: str, src: str, *, vlan: int = 0, note: bytes = b"") -> bytes:
    l3 = IPv6(src=src, dst="ff02::2", hlim=255) / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)
    frame = _l2(src_mac, "33:33:00:00:00:02", vlan) / l3
    return bytes(frame) + note


def router_advertisement(src_mac: str, src: str) -> bytes:
    return bytes(Ether(src=src_mac, dst=ALL_NODES_MAC) / IPv6(src=src, dst=ALL_NODES, hlim=255) / ICMPv6ND_RA())


def unsolicited_na(src_mac: str, src: str) -> bytes:
    return bytes(
        Ether(src=src_mac, dst=ALL_NODES_MAC) / IPv6(src=src, dst=ALL_NODES, hlim=255)
        / ICMPv6ND_NA(R=0, S=0, O=1, tgt=src) / ICMPv6NDOptDstLLAddr(lladdr=src_mac)
    )


def redirect(src_mac: str, dst_mac: str, src: str, dst: str) -> bytes:
    return bytes(
        Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=dst, hlim=255)
        / ICMPv6ND_Redirect(tgt="2001:db8:100::1", dst="2001:db8:ff::1")
    )


def mld(src_mac: str, src: str, kind: str, *, hop_by_hop: bool) -> bytes:
    """An MLD message (query, report, report2), with or without its hop-by-hop router alert."""
    message: Any = {"query": ICMPv6MLQuery(), "report": ICMPv6MLReport(mladdr="ff3e::4242"),
                    "report2": ICMPv6MLReport2()}[kind]
    dst = {"query": ALL_NODES, "report": "ff3e::4242", "report2": "ff02::16"}[kind]
    l3: Any = IPv6(src=src, dst=dst, hlim=1)
    if hop_by_hop:
        l3 = l3 / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
    return bytes(Ether(src=src_mac, dst=multicast_mac(dst)) / l3 / message)


# ---- ARP -----------------------------------------------------------------------------------------


def arp_request(src_mac: str, src: str, target: str, *, vlan: int = 0) -> bytes:
    return bytes(_l2(src_mac, BROADCAST, vlan) / ARP(op=1, hwsrc=src_mac, psrc=src, hwdst=ZERO_MAC, pdst=target))


def arp_reply(answer_mac: str, target: str, asker_mac: str, asker: str, *, vlan: int = 0) -> bytes:
    return bytes(_l2(answer_mac, asker_mac, vlan) / ARP(op=2, hwsrc=answer_mac, psrc=target, hwdst=asker_mac, pdst=asker))


# ---- odd frames ----------------------------------------------------------------------------------


def ethernet(src_mac: str, dst_mac: str, ether_type: int, body: bytes, *, vlan: int = 0) -> bytes:
    """An arbitrary frame: Ethernet (and tag) with ``ether_type``, then ``body`` as it is."""
    head = _l2(src_mac, dst_mac, vlan)
    if vlan:
        head[Dot1Q].type = ether_type
    else:
        head.type = ether_type
    return bytes(head) + body


def ip_header_start(frame: bytes) -> int:
    """Where the IP header of ``frame`` starts: after Ethernet and at most one 802.1Q tag."""
    return 18 if frame[12:14] == b"\x81\x00" else 14


def with_ip_first_byte(frame: bytes, *, version: int, ihl: int | None = None) -> bytes:
    """``frame`` with its IP header's version (and IPv4 IHL) replaced. An IPv4 header (EtherType
    0x0800) gets a header checksum that is right for the length the new IHL claims, so the edited
    field is the only fault."""
    start = ip_header_start(frame)
    edited = bytearray(frame)
    low = edited[start] & 0x0F if ihl is None else ihl
    edited[start] = (version << 4) | low
    if frame[start - 2 : start] == b"\x08\x00":
        length = max(low * 4, 12)  # the checksum field itself sits at bytes 10-11
        edited[start + 10 : start + 12] = b"\0\0"
        edited[start + 10 : start + 12] = internet_checksum(bytes(edited[start : start + length])).to_bytes(2, "big")
    return bytes(edited)


def internet_checksum(data: bytes) -> int:
    """The one's-complement checksum of RFC 1071 (an odd last byte is padded with zero)."""
    padded = data + b"\0" * (len(data) % 2)
    total = sum(int.from_bytes(padded[i : i + 2], "big") for i in range(0, len(padded), 2))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
