"""What the REST API asks of the switches' side, and the stand-in used until a switch is wired.

The edge programmer (controlplane/edge) implements ``DataPlane``; the API calls it for switch
status, per-device counters and group instructions. ``DisconnectedDataPlane`` answers with the
configured switches, all disconnected, and raises ``DataPlaneUnavailable`` for anything that
needs a switch (the REST API turns that into 503).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from controlplane.registry.model import Device, Group


class DataPlaneUnavailable(Exception):
    """No switch can do what was asked (none connected, or none primary)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchStatus:
    name: str
    grpc_addr: str
    device_id: int
    connected: bool = False
    primary: bool = False  # this controller is the switch's primary client
    pipeline: str | None = None  # the installed pipeline's name, or None
    entry_counts: Mapping[str, int] = field(default_factory=dict)  # table name -> entries
    error: str | None = None  # the last connection error, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceCounters:
    """Packets and bytes counted for one device by one switch."""

    switch: str
    upstream_packets: int  # from the device (admission entries' direct counters)
    upstream_bytes: int
    downstream_packets: int  # to the device
    downstream_bytes: int
    read_at: float  # UNIX time of the read


@dataclass(frozen=True, slots=True, kw_only=True)
class InstructionReceipt:
    """What became of a group instruction."""

    group: str
    members: int  # members the instruction was replicated to
    switches: tuple[str, ...]  # switches that sent it
    payload_bytes: int


class DataPlane(Protocol):
    async def switch_status(self) -> Sequence[SwitchStatus]: ...

    async def device_counters(self, device: Device) -> Sequence[DeviceCounters]:
        """The device's counters from each connected switch; ``DataPlaneUnavailable`` if none."""
        ...

    async def send_group_instruction(self, group: Group, payload: bytes) -> InstructionReceipt:
        """Send ``payload`` to every member of ``group``; ``DataPlaneUnavailable`` if no switch can."""
        ...


NO_SWITCH = "no edge switch connected"


class DisconnectedDataPlane:
    """The configured switches, none of them connected."""

    def __init__(self, switches: Sequence[SwitchStatus]) -> None:
        self._switches = tuple(switches)

    async def switch_status(self) -> Sequence[SwitchStatus]:
        return self._switches

    async def device_counters(self, device: Device) -> Sequence[DeviceCounters]:
        raise DataPlaneUnavailable(f"{NO_SWITCH}: no counters for device {device.device_id!r}")

    async def send_group_instruction(self, group: Group, payload: bytes) -> InstructionReceipt:
        raise DataPlaneUnavailable(f"{NO_SWITCH}: cannot send an instruction to group {group.name!r}")
