"""finsy (the controller library, main venv) drives a real softswitch through its client API (and,
where it is installed, BMv2's simple_switch_grpc with the same scenario).

finsy pushes the pipeline itself (``SwitchOptions(p4info=..., p4blob=...)``), then plays
:mod:`l2_scenario` with ``Switch.insert/modify/delete/read/write`` and ``read_packets``. The state it
leaves is checked again through the raw gRPC client and through packets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import finsy

from tests.reference.bmv2 import compile_for_bmv2, needs_bmv2, running_bmv2
from tests.softswitch.clients.finsy_l2 import PacketIns, finsy_options, l2_entry, read, read_l2, replica_pairs
from tests.softswitch.clients.l2_program import PROGRAM, L2Build, assert_scenario_state
from tests.softswitch.clients.l2_scenario import (
    CLONE_REPLICAS,
    CLONE_SESSION,
    CPU_PORT,
    DELETED,
    FINAL_L2,
    FLOODED,
    INGRESS_CLONE,
    INSERTED,
    MCAST_GROUP,
    MCAST_REPLICAS,
    MIRRORED,
    MODIFIED,
    NORMAL,
    REPLICATION,
    UNKNOWN,
    frame,
    mac_bytes,
)
from tests.softswitch.p4runtime.p4rt_harness import Client, SwitchProcess


async def expect(
    packet_ins: PacketIns, send: Callable[[], Awaitable[None]], payload: bytes, expected: list[tuple[int, int | None, int]]
) -> None:
    await send()
    got = sorted(await packet_ins.take(len(expected)))
    assert [p[3] for p in got] == [payload] * len(expected)
    for (port, replica, kind, _), (want_port, want_replica, want_kind) in zip(got, expected, strict=True):
        assert (port, kind) == (want_port, want_kind)
        assert want_replica is None or replica == want_replica


async def finsy_scenario(address: str, build: L2Build) -> None:
    async with finsy.Switch("sw1", address, finsy_options(build, 10)) as switch:
        assert switch.is_primary
        await switch.insert([l2_entry(dst, action, params) for dst, (action, params) in INSERTED.items()])
        assert await read_l2(switch) == {mac_bytes(dst): value for dst, value in INSERTED.items()}

        await switch.modify([l2_entry(MODIFIED, "to_cpu")])
        [one] = [entry async for entry in read(switch, l2_entry(MODIFIED))]
        assert isinstance(one.action, finsy.P4TableAction) and one.action.name.endswith("to_cpu")
        await switch.delete([l2_entry(DELETED)])
        assert await read_l2(switch) == {mac_bytes(dst): value for dst, value in FINAL_L2.items()}

        await switch.insert(
            [
                finsy.P4MulticastGroupEntry(MCAST_GROUP, replicas=list(MCAST_REPLICAS)),
                finsy.P4CloneSessionEntry(CLONE_SESSION, replicas=list(CLONE_REPLICAS)),
            ]
        )
        [group] = [g async for g in read(switch, finsy.P4MulticastGroupEntry(MCAST_GROUP))]
        assert sorted(replica_pairs(group.replicas)) == sorted(MCAST_REPLICAS)
        [session] = [s async for s in read(switch, finsy.P4CloneSessionEntry(CLONE_SESSION))]
        assert replica_pairs(session.replicas) == list(CLONE_REPLICAS)

        packet_ins = PacketIns(switch)
        try:

            def send(dst: str, egress_port: int, use_tables: int) -> Callable[[], Awaitable[None]]:
                packet = finsy.P4PacketOut(frame(dst), egress_port=egress_port, use_tables=use_tables, pad=0)
                return lambda: switch.write([packet])

            await expect(packet_ins, send(UNKNOWN, CPU_PORT, 0), frame(UNKNOWN), [(CPU_PORT, 0, NORMAL)])
            await expect(packet_ins, send(MODIFIED, 0, 1), frame(MODIFIED), [(CPU_PORT, 0, NORMAL)])
            await expect(
                packet_ins,
                send(FLOODED, 0, 1),
                frame(FLOODED),
                [(CPU_PORT, instance, REPLICATION) for _port, instance in MCAST_REPLICAS],
            )
            await expect(packet_ins, send(MIRRORED, 0, 1), frame(MIRRORED), [(0, None, INGRESS_CLONE)])
        finally:
            await packet_ins.close()


def test_finsy_scenario(switch: SwitchProcess, l2_build: L2Build) -> None:
    run_scenario(switch.address, l2_build)


@needs_bmv2
def test_finsy_scenario_on_bmv2(tmp_path: Path) -> None:
    """The same scenario and checks, unchanged, on the reference target (program compiled by p4c)."""
    build = L2Build(tmp_path / "l2_clients.p4info.txtpb", tmp_path / "l2_clients.json")
    compile_for_bmv2(PROGRAM, build.p4info_path, build.config_path)
    with running_bmv2(tmp_path / "bmv2.log", cpu_port=CPU_PORT) as address:
        run_scenario(address, build)


def run_scenario(address: str, l2_build: L2Build) -> None:
    asyncio.run(asyncio.wait_for(finsy_scenario(address, l2_build), 60))
    client = Client(address)
    try:
        stream = client.become_primary(50)
        assert client.p4info == l2_build.p4info()
        assert_scenario_state(client, stream)
    finally:
        client.close()
