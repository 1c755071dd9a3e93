"""Stream messages from a real softswitch: packet-out → packet-in, multicast replicas to the CPU
port, digests with acknowledgement, idle-timeout notifications and stream errors.

The expected packet-in metadata follows tests/controlplane/p4rt/programs/l2_learning.p4: egress
writes packet_in.ingress_port = the ingress port (the CPU port for a packet-out, P4TARGET §5
"PacketOut") and packet_in.replica = egress_rid (the replica's instance).
"""

from __future__ import annotations

import asyncio

from finsy.proto import p4r

from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    GRPCStatusCode,
    P4DigestEntry,
    P4DigestList,
    P4MulticastGroupEntry,
    P4PacketIn,
    P4PacketOut,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    StreamHandlers,
    StreamInbox,
    SwitchConnection,
)
from tests.controlplane.p4rt.softswitch_process import CPU_PORT, SoftswitchProcess, next_item, poll, run_async

FAST = Backoff(initial=0.05, maximum=0.5)
SECOND_NS = 1_000_000_000


def frame(dst: int, src: int, ether_type: int = 0x88B5, payload: bytes = b"p4edge") -> bytes:
    return dst.to_bytes(6, "big") + src.to_bytes(6, "big") + ether_type.to_bytes(2, "big") + payload


def connection(switch: SoftswitchProcess, pipeline: PipelineFiles, handlers: StreamHandlers) -> SwitchConnection:
    return SwitchConnection("s1", switch.address, ClientOptions(pipeline=pipeline, backoff=FAST), handlers=handlers)


def test_packet_out_comes_back_as_packet_in(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        inbox = StreamInbox()
        async with connection(switch, pipeline, inbox.handlers()) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            sent = frame(0x0A0000000001, 0x0B0000000001)
            await conn.send_packet_out(P4PacketOut(sent, egress_port=CPU_PORT, reserved=0))
            packet = await next_item(inbox.packets, what="the packet-in")
            assert packet.payload == sent
            assert packet.metadata == {"ingress_port": CPU_PORT, "replica": 0}
            # the same through write(), which takes packet-outs among updates
            await conn.write([P4PacketOut(sent[::-1], egress_port=CPU_PORT, reserved=0)])
            assert (await next_item(inbox.packets, what="the second packet-in")).payload == sent[::-1]

    run_async(body)


def test_multicast_replicas_reach_the_cpu_port(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        inbox = StreamInbox()
        async with connection(switch, pipeline, inbox.handlers()) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            dst = 0x0A00000000FF
            await conn.insert([
                P4MulticastGroupEntry(7, replicas=[(CPU_PORT, 1), (CPU_PORT, 2)]),
                P4TableEntry("dmac", match=P4TableMatch(dst=dst), action=P4TableAction("flood", group=7)),
            ])
            sent = frame(dst, 0x0B0000000002)
            await conn.send_packet_out(P4PacketOut(sent, egress_port=0, reserved=0))  # 0: through dmac
            first = await next_item(inbox.packets, what="replica 1")
            second = await next_item(inbox.packets, what="replica 2")
            assert sorted(p.metadata["replica"] for p in (first, second)) == [1, 2]
            assert first.payload == second.payload == sent

    run_async(body)


def test_digest_is_delivered_and_acknowledged(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    """With a long ack timeout the switch suppresses a repeated sample until its list is acked
    (P4TARGET §5 DigestEntry); the ack is sent when the handler returns."""

    async def body() -> None:
        seen: asyncio.Queue[P4DigestList] = asyncio.Queue()
        release_first = asyncio.Event()

        async def on_digest(_conn: SwitchConnection, digest: P4DigestList) -> None:
            await seen.put(digest)
            if digest.list_id == 1:
                await release_first.wait()  # hold the ack of list 1 back

        packets: asyncio.Queue[P4PacketIn] = asyncio.Queue()

        async def on_packet_in(_conn: SwitchConnection, packet: P4PacketIn) -> None:
            await packets.put(packet)

        handlers = StreamHandlers(on_digest=on_digest, on_packet_in=on_packet_in)
        async with connection(switch, pipeline, handlers) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            await conn.insert([P4DigestEntry("learn_t", max_list_size=1, max_timeout_ns=0, ack_timeout_ns=60 * SECOND_NS)])
            host_x, host_y = 0x02000000000A, 0x02000000000B

            async def learn_from(src: int) -> None:
                """Send a frame from ``src``; its packet-in proves ingress (and digest) ran."""
                sent = frame(0x0A0000000001, src)
                await conn.send_packet_out(P4PacketOut(sent, egress_port=CPU_PORT, reserved=0))
                assert (await next_item(packets, what="the frame back")).payload == sent

            await learn_from(host_x)
            first = await next_item(seen, what="the first digest")
            assert first.digest_id == "learn_t" and first.list_id == 1
            assert first.data == [{"src": host_x, "port": CPU_PORT}]

            await learn_from(host_x)  # list 1 is not acknowledged yet: this sample is suppressed
            await learn_from(host_y)
            release_first.set()  # the handler returns; list 1 is acked
            second = await next_item(seen, what="the digest for host y")
            assert second.data == [{"src": host_y, "port": CPU_PORT}]

            await learn_from(host_x)  # list 1 was acked: host x is reported again
            third = await next_item(seen, what="host x again, after the ack")
            assert third.data == [{"src": host_x, "port": CPU_PORT}]
            assert third.list_id == 3

    run_async(body)


def test_idle_timeout_notification(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        inbox = StreamInbox()
        async with connection(switch, pipeline, inbox.handlers()) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            host = 0x02000000000C
            entry = P4TableEntry(
                "smac", match=P4TableMatch(src=host), action=P4TableAction("NoAction"), idle_timeout_ns=SECOND_NS // 5
            )
            await conn.insert([entry])
            note = await next_item(inbox.idle_timeouts, what="the idle-timeout notification")
            assert [(e.table_id, e.match) for e in note.table_entry] == [("smac", {"src": host})]
            assert note.table_entry[0].idle_timeout_ns == SECOND_NS // 5

    run_async(body)


def test_stream_errors_and_failing_handlers(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        inbox = StreamInbox()
        failures = 0

        async def flaky(conn: SwitchConnection, packet: P4PacketIn) -> None:
            nonlocal failures
            if failures == 0:
                failures += 1
                raise RuntimeError("handler bug")
            await inbox.packets.put(packet)

        handlers = StreamHandlers(on_packet_in=flaky, on_stream_error=inbox.handlers().on_stream_error)
        async with connection(switch, pipeline, handlers) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            bad = p4r.PacketOut(payload=b"x" * 20, metadata=[p4r.PacketMetadata(metadata_id=99, value=b"\x01")])
            await conn.send_packet_out(bad)
            error = await next_item(inbox.stream_errors, what="the stream error")
            assert error.code == GRPCStatusCode.INVALID_ARGUMENT and error.switch == "s1"
            assert error.operation.startswith("StreamChannel")

            # a handler that raises loses that packet only
            for n in range(2):
                await conn.send_packet_out(P4PacketOut(frame(1, 2, payload=bytes([n])), egress_port=CPU_PORT, reserved=0))
            delivered = await next_item(inbox.packets, what="the packet after the failing one")
            assert delivered.payload.endswith(b"\x01") and failures == 1
            await poll(lambda: conn.is_up, what="the connection to stay up")

    run_async(body)
