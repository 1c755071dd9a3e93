"""finsy helpers for ``programs/l2_clients.p4``: options, entries, reads and PacketIn collection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar, cast

import finsy
from finsy.p4entity import P4Replica

from tests.softswitch.clients.l2_program import L2Build

WAIT_S = 10.0

E = TypeVar("E")

PacketFields = tuple[int, int, int, bytes]  # ingress_port, replica, instance_type, payload


def finsy_options(build: L2Build, election_id: int) -> finsy.SwitchOptions:
    return finsy.SwitchOptions(
        p4info=build.p4info_path, p4blob=build.config_path, device_id=0, initial_election_id=election_id
    )


def l2_entry(dst: str, action: str | None = None, params: dict[str, int] | None = None) -> finsy.P4TableEntry:
    act = finsy.P4TableAction(action, **(params or {})) if action is not None else None
    return finsy.P4TableEntry("l2", match=finsy.P4TableMatch(dst_addr=dst), action=act)


def read(switch: finsy.Switch, entity: E) -> AsyncIterator[E]:
    """``Switch.read`` for one entity (finsy's overloads type it as a coroutine)."""
    return cast(AsyncIterator[E], switch.read(entity))


async def read_l2(switch: finsy.Switch) -> dict[bytes, tuple[str, dict[str, int]]]:
    found: dict[bytes, tuple[str, dict[str, int]]] = {}
    async for entry in read(switch, finsy.P4TableEntry("l2")):
        assert entry.match is not None and isinstance(entry.action, finsy.P4TableAction)
        key = int(entry.match["dst_addr"]).to_bytes(6, "big")
        found[key] = (entry.action.name.rsplit(".", 1)[-1], {k: int(v) for k, v in entry.action.args.items()})
    return found


class PacketIns:
    """Collects the switch's PacketIns from ``Switch.read_packets()`` in a background task."""

    def __init__(self, switch: finsy.Switch) -> None:
        self.queue: asyncio.Queue[PacketFields] = asyncio.Queue()
        self._packets: AsyncIterator[finsy.P4PacketIn] = switch.read_packets()
        self.task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for packet in self._packets:
            await self.queue.put((packet["ingress_port"], packet["replica"], packet["instance_type"], packet.payload))

    async def take(self, count: int) -> list[PacketFields]:
        return [await asyncio.wait_for(self.queue.get(), WAIT_S) for _ in range(count)]

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def replica_pairs(replicas: Sequence[object]) -> list[tuple[int, int]]:
    """(egress_port, instance) of the replicas finsy decoded from a read."""
    pairs = []
    for replica in replicas:
        assert isinstance(replica, P4Replica), replica
        pairs.append((replica.port, replica.instance))
    return pairs
