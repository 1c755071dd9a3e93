"""Registry records → the entities ``p4src/README.md`` asks for. Pure functions, no I/O.

Each function covers one *unit* of the desired state; the units never share an entity key, so
the state of a switch is the union of its units and a change touches only the units it names
(see :mod:`controlplane.edge.state`):

=====================  ==========================================================================
unit                   entities
=====================  ==========================================================================
the switch             ``cpu_port`` default action, the ``access_request_t`` digest config
a port                 ``port_role``, ``port_mac``; for an access port its ``request_meter`` cell
a customer             ``customer_uplink``, ``uplink_vlan``, ``allowed_dst_*``, ``endpoint_src_*``
a device               per address: ``device_*`` (idle timeout, meter), ``known_addr_*``,
                       ``device_down_*``; ND/ARP answers for it on the customer's uplink VLAN and
                       (optionally) for its endpoint on its own attachment
an access attachment   (port, VLAN) with devices: ND/ARP answers for the configured gateways
a group member         ``mcast_member`` (port, rid) of a device in one or more groups
a group                the PRE multicast group (one replica per member) and ``mcast_group_v6``
=====================  ==========================================================================

A *held* device (asleep; README 3.7) gets ``hold_for_device_*``, ``notify = 1`` and its replicas
and member entry moved to the CPU port; without a configured CPU port nothing can be held.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from collections.abc import Iterable

from controlplane.edge import contract as c
from controlplane.edge.entries import (
    DefaultAction,
    Entity,
    Lpm,
    MeterCell,
    MeterRates,
    MulticastGroup,
    TableEntry,
)
from controlplane.edge.settings import SwitchProfile, mac_to_int
from controlplane.registry.model import Customer, Device, Group, RateProfile


class PortRole(enum.Enum):
    ACCESS = "access"
    UPLINK = "uplink"


# ---- values ------------------------------------------------------------------------------------


def ipv6_int(text: str) -> int:
    return int.from_bytes(socket.inet_pton(socket.AF_INET6, text))


def ipv4_int(text: str) -> int:
    return int.from_bytes(socket.inet_pton(socket.AF_INET, text))


def address_int(text: str) -> tuple[int, int]:
    """``(family, value)`` of an IPv6 (6) or IPv4 (4) address."""
    return (6, ipv6_int(text)) if ":" in text else (4, ipv4_int(text))


def prefix_lpm(text: str) -> tuple[int, Lpm]:
    """``(family, Lpm)`` of a prefix; host bits are cleared."""
    net = ipaddress.ip_network(text, strict=False)
    return net.version, Lpm(int(net.network_address), net.prefixlen)


def vlan_of(device: Device) -> int:
    """The VLAN key of a device's attachment: 0 for untagged."""
    return device.access_vlan or 0


def meter_of(profile: RateProfile | None) -> MeterRates | None:
    if profile is None:
        return None
    return MeterRates(profile.cir, profile.cburst, profile.pir, profile.pburst)


# ---- the switch and its ports --------------------------------------------------------------------


def switch_entities(profile: SwitchProfile) -> list[Entity]:
    """The CPU port (when configured) and the access-request digest's configuration."""
    out: list[Entity] = []
    if profile.cpu_port is not None:
        out.append(DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (profile.cpu_port,)))
    out.append(profile.settings.digest)
    return out


def port_entities(port: int, role: PortRole, profile: SwitchProfile) -> list[Entity]:
    """A port's role and MAC; an access port also gets its access-request meter."""
    action = c.SET_ACCESS_PORT if role is PortRole.ACCESS else c.SET_UPLINK_PORT
    out: list[Entity] = [
        TableEntry(c.PORT_ROLE, (port,), action),
        TableEntry(c.PORT_MAC, (port,), c.SET_PORT_MAC, (profile.port_mac(port),)),
    ]
    rates = profile.settings.request_meter
    if role is PortRole.ACCESS and rates is not None:
        out.append(MeterCell(c.REQUEST_METER, port, rates))
    return out


# ---- customers -----------------------------------------------------------------------------------


def customer_entities(customer: Customer) -> list[Entity]:
    """The VLAN connection both ways, and the prefixes of the customer's endpoints and peers."""
    cid = customer.number
    anycast_v6 = ipv6_int(customer.anycast) if customer.anycast else 0
    anycast_v4 = ipv4_int(customer.anycast_v4) if customer.anycast_v4 else 0
    out: list[Entity] = [
        TableEntry(
            c.CUSTOMER_UPLINK,
            (cid,),
            c.SET_UPLINK,
            (customer.uplink_port, customer.vlan, mac_to_int(customer.gateway_mac), anycast_v6, anycast_v4),
        ),
        TableEntry(c.UPLINK_VLAN, (customer.uplink_port, customer.vlan), c.SET_CUSTOMER, (cid, anycast_v6, anycast_v4)),
    ]
    allowed = [prefix_lpm(p) for p in customer.allowed_prefixes]
    sources = [prefix_lpm(customer.prefix)]
    if customer.prefix_v4:
        sources.append(prefix_lpm(customer.prefix_v4))
    for family, lpm in allowed:
        table = c.ALLOWED_DST_V6 if family == 6 else c.ALLOWED_DST_V4
        out.append(TableEntry(table, (cid, lpm), c.ALLOW))
    seen: set[tuple[int, Lpm]] = set()
    for family, lpm in [*sources, *allowed]:
        if (family, lpm) in seen:
            continue
        seen.add((family, lpm))
        table = c.ENDPOINT_SRC_V6 if family == 6 else c.ENDPOINT_SRC_V4
        out.append(TableEntry(table, (cid, lpm), c.FROM_CUSTOMER))
    return out


# ---- devices -------------------------------------------------------------------------------------


def device_entities(
    device: Device,
    customer: Customer,
    profile: SwitchProfile,
    rates: RateProfile | None,
    *,
    held: bool = False,
) -> list[Entity]:
    """Admission, classification and delivery entries for each of the device's addresses.

    An IPv4 address needs the device's IPv4 endpoint: without one the address is only made
    known (``known_addr_v4``), so it is neither admitted nor reachable but not reported as an
    unknown sender either."""
    settings = profile.settings
    held = held and profile.cpu_port is not None
    cid, dev_id, port, vlan = customer.number, device.number, device.access_port, vlan_of(device)
    meter = meter_of(rates)
    notify = 1 if held else 0
    port_mac = profile.port_mac(port)
    uplink_mac = profile.port_mac(customer.uplink_port)
    endpoint_v6 = ipv6_int(device.endpoint)
    endpoint_v4 = ipv4_int(device.endpoint_v4) if device.endpoint_v4 else None
    out: list[Entity] = []
    for text in device.addresses:
        family, addr = address_int(text)
        if family == 6:
            out.append(
                TableEntry(
                    c.DEVICE_V6, (port, vlan, addr), c.ADMIT_V6, (dev_id, cid, endpoint_v6, notify),
                    idle_timeout_ns=settings.idle_timeout_ns, meter=meter,
                )
            )
            out.append(TableEntry(c.KNOWN_ADDR_V6, (addr,), c.REGISTERED_AT, (port, vlan)))
            action = c.HOLD_FOR_DEVICE_V6 if held else c.TO_DEVICE_V6
            out.append(TableEntry(c.DEVICE_DOWN_V6, (addr,), action, (dev_id, cid, port, vlan, endpoint_v6)))
            if settings.proxy_devices_on_uplinks:
                out.append(
                    TableEntry(c.ND_PROXY, (customer.uplink_port, customer.vlan, addr), c.ANSWER_NS, (uplink_mac, 0))
                )
            continue
        out.append(TableEntry(c.KNOWN_ADDR_V4, (addr,), c.REGISTERED_AT, (port, vlan)))
        if endpoint_v4 is None:
            continue
        out.append(
            TableEntry(
                c.DEVICE_V4, (port, vlan, addr), c.ADMIT_V4, (dev_id, cid, endpoint_v4, notify),
                idle_timeout_ns=settings.idle_timeout_ns, meter=meter,
            )
        )
        action = c.HOLD_FOR_DEVICE_V4 if held else c.TO_DEVICE_V4
        out.append(TableEntry(c.DEVICE_DOWN_V4, (addr,), action, (dev_id, cid, port, vlan, endpoint_v4)))
        if settings.proxy_devices_on_uplinks:
            out.append(TableEntry(c.ARP_PROXY, (customer.uplink_port, customer.vlan, addr), c.ANSWER_ARP, (uplink_mac,)))
    if settings.endpoints_on_link:
        if device.addresses_v6:
            out.append(TableEntry(c.ND_PROXY, (port, vlan, endpoint_v6), c.ANSWER_NS, (port_mac, 0)))
        if endpoint_v4 is not None and device.addresses_v4:
            out.append(TableEntry(c.ARP_PROXY, (port, vlan, endpoint_v4), c.ANSWER_ARP, (port_mac,)))
    return out


def attachment_entities(port: int, vlan: int, profile: SwitchProfile) -> list[Entity]:
    """The gateways the edge answers for on an access port and VLAN (0: untagged)."""
    mac = profile.port_mac(port)
    out: list[Entity] = [
        TableEntry(c.ND_PROXY, (port, vlan, gw), c.ANSWER_NS, (mac, 1)) for gw in profile.settings.gateways_v6
    ]
    out.extend(TableEntry(c.ARP_PROXY, (port, vlan, gw), c.ANSWER_ARP, (mac,)) for gw in profile.settings.gateways_v4)
    return out


# ---- groups --------------------------------------------------------------------------------------


def member_address(device: Device) -> int | None:
    """The address a group copy is rewritten to: the device's first IPv6 address (None if it
    has none: only IPv6 devices can be members)."""
    addresses = device.addresses_v6
    return ipv6_int(addresses[0]) if addresses else None


def replica_of(device: Device, rid: int, profile: SwitchProfile, *, held: bool = False) -> tuple[int, int]:
    """The ``(egress port, instance)`` of a member's replica: its access port, or the CPU port
    while it is held."""
    if held and profile.cpu_port is not None:
        return profile.cpu_port, rid
    return device.access_port, rid


def member_entities(
    device: Device, customer_number: int, rid: int, profile: SwitchProfile, *, held: bool = False
) -> list[Entity]:
    """What a multicast copy for this member becomes (``mcast_member``)."""
    addr = member_address(device)
    if addr is None:
        return []
    params = (device.number, customer_number, addr, vlan_of(device))
    if held and profile.cpu_port is not None:
        return [TableEntry(c.MCAST_MEMBER, (profile.cpu_port, rid), c.HOLD_MEMBER, (*params, device.access_port))]
    return [TableEntry(c.MCAST_MEMBER, (device.access_port, rid), c.TO_MEMBER, params)]


def group_entities(group: Group, customer_number: int, replicas: Iterable[tuple[int, int]]) -> list[Entity]:
    """The PRE group with one replica per member, and the customer's group address → group."""
    return [
        MulticastGroup(group.number, tuple(sorted(set(replicas)))),
        TableEntry(c.MCAST_GROUP_V6, (customer_number, ipv6_int(group.address)), c.REPLICATE, (group.number,)),
    ]

