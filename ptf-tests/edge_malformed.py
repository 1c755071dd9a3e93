"""Malformed, truncated and odd packets (p4src/README.md 3.1 "Checksums", 5 PARSER_ERROR,
BAD_CHECKSUM, UNSUPPORTED): each is dropped and counted once, and the switch keeps forwarding (every
test ends with a packet that must come out). IPv4 headers with options are checked and forwarded
whole."""

from __future__ import annotations

import random

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import (
    LONGEST_OPTIONS,
    NOP_OPTIONS,
    build,
    ethernet,
    ip_header_start,
    neighbour_solicitation,
    with_ip_first_byte,
)
from edge_ptf import EdgeTest
from edge_world import (
    ACCESS,
    ACME,
    BAD_CHECKSUM,
    DEV_A,
    DEV_C,
    DEV_E,
    EVENT_RS_PUNTED,
    GATEWAY_V6,
    PARSER_ERROR,
    PORT_MAC,
    TAGGED,
    UNKNOWN_DEVICE,
    UNSUPPORTED,
    UPLINK,
)

GARBAGE_FRAMES = 40
GARBAGE_SEED = 4242


class TruncatedHeaders(EdgeTest):
    """Frames cut inside a header (IPv6, IPv4 behind a tag or not, IPv4 options, UDP, TCP,
    fragment header, ARP, neighbour solicitation and its option) are PARSER_ERROR drops, from access
    ports and the uplink.

    A frame cut inside its 802.1Q tag cannot be sent: a veth drops tagged frames shorter than 20
    bytes on receive, before any switch sees them."""

    def runTest(self) -> None:
        v6 = build(upstream_flow(DEV_A))  # 14 Ethernet + 40 IPv6 + 8 UDP + payload
        tcp = build(upstream_flow(DEV_A, proto="tcp"))
        frag = build(upstream_flow(DEV_A, fragment=0))
        v4 = build(upstream_flow(DEV_E))
        v4_options = build(upstream_flow(DEV_E, ip_options=LONGEST_OPTIONS))  # 14 + 60 IPv4 + 8 UDP
        down_options = build(downstream_flow(DEV_E, ip_options=NOP_OPTIONS))  # 18 + 24 IPv4 + 8 UDP
        tagged = build(upstream_flow(DEV_C))  # 14 + 4 tag + 20 IPv4 + 8 UDP
        down = build(downstream_flow(DEV_A))
        ns = neighbour_solicitation(DEV_A.mac, "fe80::a", GATEWAY_V6)  # 14 + 40 + ICMPv6 4 + NS 20 + option 8
        arp = ethernet(DEV_E.mac, "ff:ff:ff:ff:ff:ff", 0x0806, bytes(10))
        cut = [
            (ACCESS, v6[:14]), (ACCESS, v6[:33]), (ACCESS, v6[:53]), (ACCESS, v6[:54]), (ACCESS, v6[:61]),
            (ACCESS, tcp[:70]), (ACCESS, frag[:58]), (ACCESS, v4[:20]), (ACCESS, v4[:37]), (ACCESS, v4[:40]),
            (ACCESS, v4_options[:35]), (ACCESS, v4_options[:73]), (UPLINK, down_options[:41]),
            (TAGGED, tagged[:20]), (TAGGED, tagged[:30]), (ACCESS, arp),
            (ACCESS, ns[:14 + 40 + 4 + 10]), (ACCESS, ns[:14 + 40 + 4 + 20 + 4]),
            (UPLINK, down[:21]), (UPLINK, down[:40]), (UPLINK, down[:65]),
        ]
        before = self.drops()
        for port, frame in cut:
            self.send(port, frame)
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {PARSER_ERROR: len(cut), UNKNOWN_DEVICE: 1})


class BadIpv4HeaderChecksum(EdgeTest):
    """An IPv4 header with a wrong checksum is BAD_CHECKSUM, upstream and downstream."""

    def runTest(self) -> None:
        before = self.drops()
        for port, frame in ((DEV_E.port, build(upstream_flow(DEV_E))), (DEV_C.port, build(upstream_flow(DEV_C))),
                            (UPLINK, build(downstream_flow(DEV_E)))):
            ip_start = 18 if frame[12:14] == b"\x81\x00" else 14
            broken = bytearray(frame)
            broken[ip_start + 10] ^= 0x5A  # the header checksum's first byte
            self.send(port, bytes(broken))
        self.proof()
        self.assert_dropped(before, {BAD_CHECKSUM: 3})


class Ipv4OptionsInTheHeaderChecksum(EdgeTest):
    """The IPv4 header checksum covers the options. Headers of 24 and 60 bytes with a right
    checksum pass with their options (an anycast rewrite adjusts the checksum, both ways); a wrong
    checksum field, or one changed option byte, is BAD_CHECKSUM from access ports and the uplink."""

    def runTest(self) -> None:
        e = DEV_E
        ups = [
            (upstream_flow(e, ip_options=NOP_OPTIONS, note="nops"), {}),
            (upstream_flow(e, ip_options=LONGEST_OPTIONS, note="longest"), {}),
            (upstream_flow(e, dst=ACME.anycast_v4, ip_options=LONGEST_OPTIONS, proto="icmp", note="anycast"),
             {"dst": e.endpoint}),
        ]
        for flow, changes in ups:
            self.send(e.port, flow)
            self.expect(as_forwarded_up(flow, e, **changes), UPLINK)
        down = downstream_flow(e, ip_options=LONGEST_OPTIONS, proto="icmp")  # E last used the anycast
        self.send(UPLINK, down)
        self.expect(as_delivered(down, e, dst_mac=e.mac, src=ACME.anycast_v4), e.port)

        broken = [
            (e.port, _flipped(build(upstream_flow(e, ip_options=NOP_OPTIONS, note="checksum")), 10)),
            (e.port, _flipped(build(upstream_flow(e, ip_options=LONGEST_OPTIONS, note="option")), 41)),
            (DEV_C.port, _flipped(build(upstream_flow(DEV_C, ip_options=NOP_OPTIONS, note="tagged")), 22)),
            (UPLINK, _flipped(build(downstream_flow(e, ip_options=LONGEST_OPTIONS)), 20)),
        ]
        before = self.drops()
        for port, frame in broken:
            self.send(port, frame)
        self.proof()
        self.assert_dropped(before, {BAD_CHECKSUM: len(broken)})


class MalformedIpHeaders(EdgeTest):
    """An IP version that disagrees with the EtherType (4 in IPv6, 6 in IPv4, 0), and an IPv4 IHL
    below 5, are PARSER_ERROR drops, from access ports and the uplink; each header checksum is
    right for what the header claims, so the version or IHL is the only fault."""

    def runTest(self) -> None:
        v4 = build(upstream_flow(DEV_E, note="malformed v4"))
        v6 = build(upstream_flow(DEV_A, note="malformed v6"))
        down_v4 = build(downstream_flow(DEV_E, note="malformed v4"))
        down_v6 = build(downstream_flow(DEV_A, note="malformed v6"))
        frames = [
            (DEV_E.port, with_ip_first_byte(v4, version=4, ihl=4)),
            (DEV_E.port, with_ip_first_byte(v4, version=4, ihl=0)),
            (DEV_E.port, with_ip_first_byte(v4, version=6)),
            (DEV_A.port, with_ip_first_byte(v6, version=4)),
            (DEV_C.port, with_ip_first_byte(build(upstream_flow(DEV_C)), version=4, ihl=4)),
            (UPLINK, with_ip_first_byte(down_v4, version=4, ihl=4)),
            (UPLINK, with_ip_first_byte(down_v4, version=0)),
            (UPLINK, with_ip_first_byte(down_v6, version=0)),
        ]
        before = self.drops()
        for port, frame in frames:
            self.send(port, frame)
        self.proof()
        self.digest_proof()  # none of them was taken for an unknown sender
        self.assert_dropped(before, {PARSER_ERROR: len(frames), UNKNOWN_DEVICE: 1})


def _flipped(frame: bytes, offset: int) -> bytes:
    """``frame`` with the byte ``offset`` bytes into its IP header inverted."""
    changed = bytearray(frame)
    changed[ip_header_start(frame) + offset] ^= 0xFF
    return bytes(changed)


class RewriteNeedsTransport(EdgeTest):
    """A rewrite whose transport checksum cannot be reached (IPv6 destination options header, IPv4
    options before UDP/TCP) is UNSUPPORTED; without a rewrite the same packets pass unchanged. A
    first fragment's UDP checksum and a later fragment (no transport header) are rewritten, and an
    IPv4 protocol without address checksum (ICMP) only gets its header checksum adjusted."""

    def runTest(self) -> None:
        a, e = DEV_A, DEV_E
        before = self.drops()
        self.send(a.port, upstream_flow(a, dst=ACME.anycast_v6, ext_header=True, note="ext"))
        self.send(a.port, upstream_flow(a, dst=ACME.anycast_v6, ext_header=True, proto="tcp", note="ext tcp"))
        self.send(e.port, upstream_flow(e, dst=ACME.anycast_v4, ip_options=NOP_OPTIONS, note="options"))
        self.send(e.port, upstream_flow(e, dst=ACME.anycast_v4, ip_options=NOP_OPTIONS, proto="tcp", note="options tcp"))
        self.proof()
        self.assert_dropped(before, {}, {UNSUPPORTED: 4})  # the egress rewrites

        passing = [
            (a, upstream_flow(a, ext_header=True, note="ext, no rewrite"), {}),
            (e, upstream_flow(e, ip_options=NOP_OPTIONS, note="options, no rewrite"), {}),
            (a, upstream_flow(a, dst=ACME.anycast_v6, fragment=0, note="first fragment"), {"dst": a.endpoint}),
            (a, upstream_flow(a, dst=ACME.anycast_v6, fragment=3, note="later fragment"), {"dst": a.endpoint}),
            (e, upstream_flow(e, dst=ACME.anycast_v4, fragment=0, note="first v4 fragment"), {"dst": e.endpoint}),
            (e, upstream_flow(e, dst=ACME.anycast_v4, fragment=3, note="later v4 fragment"), {"dst": e.endpoint}),
            (e, upstream_flow(e, dst=ACME.anycast_v4, proto="icmp", note="icmp"), {"dst": e.endpoint}),
        ]
        for device, flow, changes in passing:
            self.send(device.port, flow)
            self.expect(as_forwarded_up(flow, device, **changes), UPLINK)
        self.proof()


class GarbageDoesNotStopTheSwitch(EdgeTest):
    """Random bytes, and random bytes behind valid Ethernet, 802.1Q, IPv6, IPv4 and ARP types, on
    access ports and the uplink: nothing comes out, each frame is counted once as dropped (or
    punted, should one happen to be a router solicitation), and a valid packet still forwards."""

    def runTest(self) -> None:
        rng = random.Random(GARBAGE_SEED)
        before, events = self.drops(), self.events()
        heads = [
            (ACCESS, b""),
            (UPLINK, b""),
            (ACCESS, ethernet(DEV_A.mac, PORT_MAC[ACCESS], 0x86DD, b"")),
            (ACCESS, ethernet(DEV_E.mac, PORT_MAC[ACCESS], 0x0800, b"")),
            (ACCESS, ethernet(DEV_E.mac, PORT_MAC[ACCESS], 0x0806, b"")),
            (TAGGED, ethernet(DEV_C.mac, PORT_MAC[TAGGED], 0x86DD, b"", vlan=100)),
            (UPLINK, ethernet(ACME.gateway_mac, PORT_MAC[UPLINK], 0x86DD, b"", vlan=ACME.vlan)),
            (UPLINK, ethernet(ACME.gateway_mac, PORT_MAC[UPLINK], 0x0800, b"", vlan=ACME.vlan)),
        ]
        for n in range(GARBAGE_FRAMES):
            port, head = heads[n % len(heads)]
            body = rng.randbytes(rng.randrange(0, 200))
            frame = (head + body).ljust(20, b"\xa5")  # a veth drops shorter tagged frames
            self.send(port, frame)
        self.proof()
        ingress, egress = self.drops()
        dropped = sum(ingress.values()) - sum(before[0].values())
        punted = self.events().get(EVENT_RS_PUNTED, 0) - events.get(EVENT_RS_PUNTED, 0)
        self.assertEqual(dropped + punted, GARBAGE_FRAMES, f"drops by reason now: {ingress}")
        self.assertEqual(egress, before[1])
        valid = upstream_flow(DEV_A, note="still alive")
        self.send(DEV_A.port, valid)
        self.expect(as_forwarded_up(valid, DEV_A), UPLINK)
