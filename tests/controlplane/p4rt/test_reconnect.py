"""Reconnects: the switch process dies and comes back; setup failures are retried with backoff
and reported through ``last_error`` / ``wait_ready``."""

from __future__ import annotations

import socket
from pathlib import Path

from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    GRPCStatusCode,
    P4PacketOut,
    P4RuntimeError,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    StreamInbox,
    SwitchConnection,
)
from tests.controlplane.p4rt.softswitch_process import CPU_PORT, SoftswitchProcess, next_item, poll, run_async

FAST = Backoff(initial=0.05, maximum=0.5)


def test_reconnects_after_the_switch_restarts_and_reconciles_in_the_hook(
    switch: SoftswitchProcess, pipeline: PipelineFiles
) -> None:
    """The switch comes back empty; the client re-pushes the pipeline, then the on_ready hook
    (the edge layer's reconciliation) puts the desired entries back."""

    async def body() -> None:
        desired = [P4TableEntry("dmac", match=P4TableMatch(dst=0x0A), action=P4TableAction("fwd", port=3))]
        hook_runs = 0

        async def reconcile(conn: SwitchConnection) -> None:
            nonlocal hook_runs
            hook_runs += 1
            present = await conn.read([P4TableEntry("dmac")])
            if not present:
                await conn.insert(desired)

        inbox = StreamInbox()
        conn = SwitchConnection(
            "edge1", switch.address, ClientOptions(pipeline=pipeline, backoff=FAST),
            on_ready=reconcile, handlers=inbox.handlers(),
        )
        async with conn:
            await conn.wait_ready(timeout=30, primary=True)
            assert (hook_runs, conn.pipeline_pushes, conn.ready_count) == (1, 1, 1)

            switch.kill()
            await poll(lambda: not conn.is_up, what="the client to notice the dead switch")
            assert not conn.is_ready
            switch.restart()  # same port, no pipeline, no entries
            await poll(lambda: conn.ready_count == 2, timeout=30, what="the reconnection")

            assert conn.is_primary and (hook_runs, conn.pipeline_pushes) == (2, 2)
            rows = await conn.read([P4TableEntry("dmac")])
            assert [(e.match, e.action) for e in rows if isinstance(e, P4TableEntry)] == [
                (desired[0].match, desired[0].action)
            ]
            # the stream handlers survived the reconnect
            await conn.send_packet_out(P4PacketOut(bytes(12) + b"\x88\xb5hello", egress_port=CPU_PORT, reserved=0))
            assert (await next_item(inbox.packets, what="a packet-in after reconnecting")).metadata["ingress_port"] == CPU_PORT
            lost = conn.last_error
            assert isinstance(lost, P4RuntimeError) and lost.is_unavailable

    run_async(body)


def test_a_pipeline_the_switch_refuses_is_reported_and_retried(
    switch: SoftswitchProcess, pipeline: PipelineFiles, tmp_path: Path
) -> None:
    """softswitch refuses any device config but its own (a BMv2 JSON here) with INVALID_ARGUMENT."""
    bmv2_json = tmp_path / "l2_learning.json"
    bmv2_json.write_text('{"program": "l2_learning.p4", "__meta__": {"version": [2, 23]}}')
    wrong = PipelineFiles(p4info=pipeline.p4info, device_config=bmv2_json)

    async def body() -> None:
        async with SwitchConnection("s1", switch.address, ClientOptions(pipeline=wrong, backoff=FAST)) as conn:
            await poll(lambda: conn.last_error is not None, timeout=30, what="the refused pipeline")
            err = conn.last_error
            assert isinstance(err, P4RuntimeError)
            assert err.operation == "SetForwardingPipelineConfig" and err.code == GRPCStatusCode.INVALID_ARGUMENT
            assert not conn.is_ready and conn.pipeline_pushes == 0

    run_async(body)


def test_a_failing_hook_is_retried_on_a_new_connection(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        attempts = 0

        async def on_ready(conn: SwitchConnection) -> None:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                raise RuntimeError("registry not reachable yet")

        async with SwitchConnection(
            "s1", switch.address, ClientOptions(pipeline=pipeline, backoff=FAST), on_ready=on_ready
        ) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            assert attempts == 2 and conn.ready_count == 1
            assert isinstance(conn.last_error, RuntimeError) and "registry" in str(conn.last_error)

    run_async(body)


def test_a_switch_that_never_answers_does_not_hang_the_client() -> None:
    """A peer that accepts TCP but never speaks gRPC: each attempt ends at connect_timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        address = f"127.0.0.1:{mute.getsockname()[1]}"

        async def body() -> None:
            opts = ClientOptions(backoff=FAST, connect_timeout=0.3)
            async with SwitchConnection("mute", address, opts) as conn:
                await poll(lambda: conn.last_error is not None, timeout=30, what="the first attempt to time out")
                err = conn.last_error
                assert isinstance(err, P4RuntimeError)
                assert err.code == GRPCStatusCode.DEADLINE_EXCEEDED and "no arbitration within 0.3s" in str(err)
                assert not conn.is_up

        run_async(body)
