"""What the edge programmer needs to know beyond the registry: region-wide settings and, per
switch, its ports and MACs (from the ``[edge]`` and ``[[switches]]`` parts of the config)."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from controlplane.config import EdgeConfig, SwitchConfig
from controlplane.edge import contract
from controlplane.edge.entries import DigestConfig, MeterRates

#: Locally administered, unicast: ``02:ed:<device id low byte>:00:<port, 2 bytes>``.
MAC_BASE = 0x02ED_0000_0000


def default_port_mac(device_id: int, port: int) -> int:
    """The edge's own MAC on ``port`` when the config names none."""
    return MAC_BASE | (device_id & 0xFF) << 24 | port & 0xFFFF


def mac_to_int(mac: str) -> int:
    return int(mac.replace(":", "").replace("-", ""), 16)


def int_to_mac(value: int) -> str:
    text = f"{value:012x}"
    return ":".join(text[i : i + 2] for i in range(0, 12, 2))


DEFAULT_REQUEST_METER = MeterRates(10, 10, 10, 10)
DEFAULT_DIGEST = DigestConfig(
    contract.ACCESS_REQUEST_DIGEST, max_timeout_ns=10_000_000, max_list_size=100, ack_timeout_ns=10**9
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeSettings:
    """Region-wide choices of how registry records become entries."""

    #: Addresses the edge answers ND (router flag set) / ARP for on every access attachment.
    gateways_v6: tuple[int, ...] = (0xFE80_0000_0000_0000_0000_0000_0000_0001,)
    gateways_v4: tuple[int, ...] = ()
    #: Idle timeout of device admission entries (0: they never age).
    idle_timeout_ns: int = 300 * 10**9
    #: Per access port: the rate of access requests and router solicitations (packets).
    request_meter: MeterRates | None = DEFAULT_REQUEST_METER
    proxy_devices_on_uplinks: bool = True
    endpoints_on_link: bool = False
    digest: DigestConfig = DEFAULT_DIGEST
    instruction_port: int = 5683

    @classmethod
    def from_config(cls, edge: EdgeConfig) -> EdgeSettings:
        rate, burst = edge.request_rate, edge.request_burst
        return cls(
            gateways_v6=tuple(int(ipaddress.IPv6Address(a)) for a in edge.gateways_v6),
            gateways_v4=tuple(int(ipaddress.IPv4Address(a)) for a in edge.gateways_v4),
            idle_timeout_ns=int(edge.idle_timeout * 10**9),
            request_meter=MeterRates(rate, burst, rate, burst) if rate > 0 else None,
            proxy_devices_on_uplinks=edge.proxy_devices_on_uplinks,
            endpoints_on_link=edge.endpoints_on_link,
            digest=dataclasses.replace(DEFAULT_DIGEST, ack_timeout_ns=int(edge.digest_ack_timeout * 10**9)),
            instruction_port=edge.instruction_port,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchProfile:
    """One switch as the edge programmer sees it."""

    name: str
    device_id: int = 0
    cpu_port: int | None = None
    access_ports: frozenset[int] = frozenset()
    uplink_ports: frozenset[int] = frozenset()
    port_macs: Mapping[int, int] = field(default_factory=dict)
    settings: EdgeSettings = field(default_factory=EdgeSettings)

    def port_mac(self, port: int) -> int:
        mac = self.port_macs.get(port)
        return mac if mac is not None else default_port_mac(self.device_id, port)

    @classmethod
    def from_config(cls, switch: SwitchConfig, settings: EdgeSettings) -> SwitchProfile:
        return cls(
            name=switch.name,
            device_id=switch.device_id,
            cpu_port=switch.cpu_port,
            access_ports=frozenset(switch.access_ports),
            uplink_ports=frozenset(switch.uplink_ports),
            port_macs={port: mac_to_int(mac) for port, mac in switch.port_macs.items()},
            settings=settings,
        )
