"""The same client against the reference target, BMv2's simple_switch_grpc, with the program
compiled by real p4c (``make build TARGET=bmv2`` layout). Skips when BMv2 or p4c is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    P4MulticastGroupEntry,
    P4PacketOut,
    P4RuntimeError,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    StreamInbox,
    SwitchConnection,
)
from tests.controlplane.p4rt.replication_scenario import replaced_pipeline_has_no_stale_replicas
from tests.controlplane.p4rt.softswitch_process import CPU_PORT, PROGRAMS, next_item, run_async
from tests.reference.bmv2 import compile_for_bmv2, needs_bmv2, running_bmv2

pytestmark = needs_bmv2


@pytest.fixture(scope="module")
def bmv2_pipeline(tmp_path_factory: pytest.TempPathFactory) -> PipelineFiles:
    build = tmp_path_factory.mktemp("build")
    files = PipelineFiles.from_build("l2_learning", target="bmv2", build_dir=build)
    compile_for_bmv2(PROGRAMS / "l2_learning.p4", files.p4info, files.device_config)
    return files


@pytest.fixture
def bmv2_address(tmp_path: Path) -> Iterator[str]:
    with running_bmv2(tmp_path / "bmv2.log", cpu_port=CPU_PORT) as address:
        yield address


def test_bmv2_pipeline_writes_errors_and_packet_io(bmv2_address: str, bmv2_pipeline: PipelineFiles) -> None:
    async def body() -> None:
        inbox = StreamInbox()
        options = ClientOptions(pipeline=bmv2_pipeline, backoff=Backoff(initial=0.1, maximum=1.0), max_batch_updates=100)
        async with SwitchConnection("bmv2", bmv2_address, options, handlers=inbox.handlers()) as conn:
            await conn.wait_ready(timeout=60, primary=True)  # retries until BMv2 listens
            assert conn.pipeline_pushes == 1
            entries = [
                P4TableEntry("dmac", match=P4TableMatch(dst=dst), action=P4TableAction("fwd", port=1))
                for dst in range(1, 501)
            ]
            await conn.insert(entries)
            assert conn.stats.requests == 5
            assert len(await conn.read([P4TableEntry("dmac")])) == 500
            with pytest.raises(P4RuntimeError) as info:
                await conn.insert([entries[3]])
            assert info.value.any_already_exists and info.value.details[0].index == 0
            await conn.insert([P4MulticastGroupEntry(1, replicas=[(1, 1), (2, 1)])])

            sent = bytes(12) + b"\x88\xb5bmv2"
            await conn.send_packet_out(P4PacketOut(sent, egress_port=CPU_PORT, reserved=0))
            packet = await next_item(inbox.packets, timeout=20, what="the packet-in from BMv2")
            assert packet.payload == sent and packet.metadata["ingress_port"] == CPU_PORT

    run_async(body)


def test_bmv2_replaced_pipeline_has_no_stale_replicas(bmv2_address: str, bmv2_pipeline: PipelineFiles) -> None:
    run_async(lambda: replaced_pipeline_has_no_stale_replicas(bmv2_address, bmv2_pipeline))
