"""Group instructions: the frame each member receives, built by the controller.

The contract's packet-out (README 3.6) sends a frame out of the port it names *unchanged*: it
does not enter the packet replication engine. So the controller does per member what the egress
does for a multicast copy (README 3.4): one IPv6/UDP frame per member, from the member's own
virtual endpoint to the member's address, tagged with its access VLAN (none when untagged), to
the MAC it last sent from (broadcast if it never sent), from the edge's MAC on its port.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from controlplane.edge.settings import SwitchProfile
from controlplane.edge.translate import ipv6_int, member_address, vlan_of
from controlplane.registry.model import Device

ETHERTYPE_VLAN = 0x8100
ETHERTYPE_IPV6 = 0x86DD
IP_PROTO_UDP = 17
MAC_BROADCAST = 0xFFFF_FFFF_FFFF
HOP_LIMIT = 64


def _ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def udp6_checksum(src: int, dst: int, udp: bytes) -> int:
    """The UDP checksum over the IPv6 pseudo-header (RFC 8200 8.1); never 0 (0 becomes 0xffff)."""
    pseudo = src.to_bytes(16, "big") + dst.to_bytes(16, "big") + struct.pack("!I3xB", len(udp), IP_PROTO_UDP)
    checksum = 0xFFFF - _ones_complement_sum(pseudo + udp)
    return checksum or 0xFFFF


def ipv6_udp_frame(
    *,
    dst_mac: int,
    src_mac: int,
    vlan: int,
    src: int,
    dst: int,
    sport: int,
    dport: int,
    payload: bytes,
    hop_limit: int = HOP_LIMIT,
) -> bytes:
    """An Ethernet (802.1Q when ``vlan`` is not 0) / IPv6 / UDP frame with a correct checksum."""
    length = 8 + len(payload)
    udp = struct.pack("!HHHH", sport, dport, length, 0) + payload
    udp = udp[:6] + struct.pack("!H", udp6_checksum(src, dst, udp)) + udp[8:]
    ip = struct.pack("!IHBB", 6 << 28, length, IP_PROTO_UDP, hop_limit) + src.to_bytes(16, "big") + dst.to_bytes(16, "big")
    eth = dst_mac.to_bytes(6, "big") + src_mac.to_bytes(6, "big")
    if vlan:
        eth += struct.pack("!HHH", ETHERTYPE_VLAN, vlan & 0x0FFF, ETHERTYPE_IPV6)
    else:
        eth += struct.pack("!H", ETHERTYPE_IPV6)
    return eth + ip + udp


@dataclass(frozen=True, slots=True)
class MemberCopy:
    device_id: str
    egress_port: int
    frame: bytes


def member_copy(
    device: Device, profile: SwitchProfile, payload: bytes, *, learned_mac: int = 0
) -> MemberCopy | None:
    """The instruction as ``device`` receives it (None for a device without an IPv6 address)."""
    dst = member_address(device)
    if dst is None:
        return None
    port = profile.settings.instruction_port
    frame = ipv6_udp_frame(
        dst_mac=learned_mac or MAC_BROADCAST,
        src_mac=profile.port_mac(device.access_port),
        vlan=vlan_of(device),
        src=ipv6_int(device.endpoint),
        dst=dst,
        sport=port,
        dport=port,
        payload=payload,
    )
    return MemberCopy(device.device_id, device.access_port, frame)
