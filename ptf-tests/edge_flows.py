"""The world's typical datagrams, and what the contract (p4src/README.md 3.1, 3.3) turns them into.

An expected frame is always the sent :class:`~edge_packets.Flow` with the fields the contract
changes replaced; :func:`edge_packets.build` then computes every length and checksum from scratch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from edge_packets import Flow
from edge_world import PORT_MAC, UPLINK, Device


def upstream_flow(d: Device, *, dst: str | None = None, note: str = "up", **changes: Any) -> Flow:
    """A datagram device ``d`` sends from its port (tagged with its VLAN) to ``dst`` (its endpoint)."""
    flow = Flow(
        src_mac=d.mac, dst_mac=PORT_MAC[d.port], src=d.addr, dst=dst or d.endpoint, vlan=d.vlan,
        payload=f"{d.name} {note}".encode().ljust(24, b"."),
    )
    return replace(flow, **changes)


def as_forwarded_up(flow: Flow, d: Device, **changes: Any) -> Flow:
    """What the contract says ``flow`` of device ``d`` becomes on the customer's uplink."""
    c = d.customer
    return replace(flow, src_mac=PORT_MAC[UPLINK], dst_mac=c.gateway_mac, vlan=c.vlan, **changes)


def downstream_flow(d: Device, *, src: str | None = None, note: str = "down", **changes: Any) -> Flow:
    """A datagram from the VPC (the device's endpoint unless ``src``) to device ``d`` on the uplink."""
    c = d.customer
    flow = Flow(
        src_mac=c.gateway_mac, dst_mac=PORT_MAC[UPLINK], src=src or d.endpoint, dst=d.addr, vlan=c.vlan,
        sport=5683, dport=40000, payload=f"to {d.name} {note}".encode().ljust(24, b"."),
    )
    return replace(flow, **changes)


def as_delivered(flow: Flow, d: Device, *, dst_mac: str, **changes: Any) -> Flow:
    """What the contract says ``flow`` becomes on device ``d``'s port."""
    return replace(flow, src_mac=PORT_MAC[d.port], dst_mac=dst_mac, vlan=d.vlan, **changes)


def unknown_flow(port: int, vlan: int, n: int, *, v4: bool = False) -> Flow:
    """A datagram from an unregistered sender number ``n`` on ``port``/``vlan``."""
    mac = f"00:00:00:ee:{n >> 8 & 0xFF:02x}:{n & 0xFF:02x}"
    src = f"192.168.{n >> 8 & 0xFF}.{(n & 0xFF) or 254}" if v4 else f"2001:db8:100::e:{n:x}"
    dst = "10.10.0.9" if v4 else "2001:db8:a::9"
    return Flow(src_mac=mac, dst_mac=PORT_MAC.get(port, "02:ed:9e:00:00:00"), src=src, dst=dst, vlan=vlan,
                payload=f"unknown {n}".encode().ljust(24, b"."))
