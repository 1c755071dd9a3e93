"""A scenario run on both softswitch and BMv2: replacing a pipeline leaves no stale replication.

The P4Runtime spec clears all forwarding state with a new pipeline. simple_switch_grpc keeps its
PRE groups while PI forgets them, so the controller deletes the groups and clone sessions a
switch reports before it replaces the pipeline (controlplane.p4rt.pipeline). The check is made
with packets: after the replacement a flood through group 1 must reach the CPU port once, as the
new replica (rid 2), never also as the old one (rid 1).
"""

from __future__ import annotations

from dataclasses import replace

from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    P4CloneSessionEntry,
    P4MulticastGroupEntry,
    P4PacketOut,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    StreamInbox,
    SwitchConnection,
)
from tests.controlplane.p4rt.softswitch_process import CPU_PORT, next_item

FLOODED_DST = 0x0200_0000_00AA


async def replaced_pipeline_has_no_stale_replicas(address: str, pipeline: PipelineFiles) -> None:
    options = ClientOptions(pipeline=pipeline, backoff=Backoff(initial=0.1, maximum=1.0))
    async with SwitchConnection("sw", address, options) as conn:
        await conn.wait_ready(timeout=60, primary=True)
        await conn.insert([
            P4MulticastGroupEntry(1, replicas=[(CPU_PORT, 1)]),
            P4CloneSessionEntry(5, replicas=[(CPU_PORT, 3)]),
        ])
        assert len(await conn.read([P4MulticastGroupEntry(), P4CloneSessionEntry()])) == 2

    inbox = StreamInbox()
    forced = replace(options, force_pipeline=True, election_id=options.election_id + 1)
    async with SwitchConnection("sw", address, forced, handlers=inbox.handlers()) as conn:
        await conn.wait_ready(timeout=60, primary=True)
        assert conn.pipeline_pushes == 1
        assert await conn.read([P4MulticastGroupEntry(), P4CloneSessionEntry()]) == []
        await conn.insert([
            P4MulticastGroupEntry(1, replicas=[(CPU_PORT, 2)]),
            P4TableEntry("dmac", match=P4TableMatch(dst=FLOODED_DST), action=P4TableAction("flood", group=1)),
        ])
        flooded = FLOODED_DST.to_bytes(6, "big") + bytes.fromhex("020000000001") + b"\x88\xb5flood"
        await conn.send_packet_out(P4PacketOut(flooded, egress_port=0, reserved=0))
        copy = await next_item(inbox.packets, timeout=20, what="the flooded copy")
        assert (copy.payload, copy.metadata["replica"]) == (flooded, 2)

        # Anything else the flood produced would be queued to the CPU port before this frame.
        proof = bytes(12) + b"\x88\xb5proof"
        await conn.send_packet_out(P4PacketOut(proof, egress_port=CPU_PORT, reserved=0))
        after = await next_item(inbox.packets, timeout=20, what="the proof frame")
        assert (after.payload, after.metadata["replica"]) == (proof, 0), "a stale replica reached the CPU port"
