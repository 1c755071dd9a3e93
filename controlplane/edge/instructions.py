"""Group instructions: the frame the controller injects, and the frame each member receives.

A group instruction is ONE packet-out per switch naming the group's PRE multicast group and its
customer (README 3.6, 4.2): an IPv6/UDP frame from the customer to the group address, to and from
the instruction port. The switch replicates it to the group's replicas and its egress rewrites each
copy for its member exactly as a group copy from the customer's uplink (README 3.4): the member's
address (checksum adjusted), access VLAN and MACs; members of another customer get none.

:func:`member_copy` is the copy a single member receives, for a packet-out that names its port
(frames held for a sleeping member are replayed that way, byte for byte).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from controlplane.edge.settings import SwitchProfile, mac_to_int
from controlplane.edge.translate import ipv6_int, member_address, vlan_of
from controlplane.registry.model import Customer, Device, Group

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


@dataclass(frozen=True, slots=True)
class GroupInstruction:
    """One packet-out for a whole group: replicate ``frame`` to PRE group ``mcast_grp`` as a group
    copy of customer ``customer_id``."""

    group: str
    mcast_grp: int
    customer_id: int
    frame: bytes


def instruction_source(customer: Customer) -> int:
    """The address a group instruction comes from: the customer's IPv6 anycast service address, or
    else the first address of its endpoint prefix."""
    if customer.anycast:
        return ipv6_int(customer.anycast)
    return int(ipaddress.IPv6Network(customer.prefix, strict=False).network_address) + 1


def multicast_mac(group_address: int) -> int:
    """The Ethernet address of an IPv6 multicast address: 33:33 and its low 32 bits (RFC 2464 7)."""
    return 0x3333_0000_0000 | (group_address & 0xFFFF_FFFF)


def group_instruction(group: Group, customer: Customer, profile: SwitchProfile, payload: bytes) -> GroupInstruction:
    """The packet-out of an instruction to ``group`` (of ``customer``): the frame as the customer
    would send it to the group address on its VLAN connection; the egress sets each copy's address,
    VLAN and MACs for its member."""
    if group.customer != customer.name:
        raise ValueError(f"group {group.name!r} belongs to {group.customer!r}, not {customer.name!r}")
    if not 0 < group.number < 1 << 16:
        raise ValueError(f"group {group.name!r}: multicast group id {group.number} is not 1..65535")
    dst = ipv6_int(group.address)
    port = profile.settings.instruction_port
    frame = ipv6_udp_frame(
        dst_mac=multicast_mac(dst),
        src_mac=mac_to_int(customer.gateway_mac),
        vlan=customer.vlan,
        src=instruction_source(customer),
        dst=dst,
        sport=port,
        dport=port,
        payload=payload,
    )
    return GroupInstruction(group.name, group.number, customer.number, frame)

