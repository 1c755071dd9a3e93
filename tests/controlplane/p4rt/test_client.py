"""SwitchConnection against a real softswitch process over gRPC: arbitration, pipeline push,
batched writes and reads, per-update errors, multicast groups and clone sessions."""

from __future__ import annotations

import asyncio

import pytest

from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    GRPCStatusCode,
    InvalidEntityError,
    P4CloneSessionEntry,
    P4MulticastGroupEntry,
    P4PacketOut,
    P4RuntimeError,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
    PipelineFiles,
    SwitchConnection,
)
from tests.controlplane.p4rt.replication_scenario import replaced_pipeline_has_no_stale_replicas
from tests.controlplane.p4rt.softswitch_process import SoftswitchProcess, poll, run_async

FAST = Backoff(initial=0.05, maximum=0.5)


def options(pipeline: PipelineFiles | None, **changes: object) -> ClientOptions:
    base: dict[str, object] = {"pipeline": pipeline, "backoff": FAST}
    base.update(changes)
    return ClientOptions(**base)  # type: ignore[arg-type]


def dmac(dst: int, port: int = 1) -> P4TableEntry:
    return P4TableEntry("dmac", match=P4TableMatch(dst=dst), action=P4TableAction("fwd", port=port))


async def dmac_rows(conn: SwitchConnection) -> dict[int, int]:
    """dst → port of every dmac entry on the switch."""
    rows: dict[int, int] = {}
    for entity in await conn.read([P4TableEntry("dmac")]):
        assert isinstance(entity, P4TableEntry) and entity.match is not None
        assert isinstance(entity.action, P4TableAction)
        rows[int(entity.match["dst"])] = int(entity.action.args["port"])
    return rows


def test_primary_pushes_the_pipeline_then_a_second_client_does_not(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        async with SwitchConnection("s1", switch.address, options(pipeline, election_id=7)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            assert conn.is_primary and conn.election_id == 7 and conn.primary_id == 7
            assert conn.pipeline_pushes == 1
            assert conn.schema.p4info == pipeline.load().p4info
            await conn.insert([dmac(0x0A)])
        # the switch already runs this pipeline (same cookie): nothing is pushed, state survives
        async with SwitchConnection("s1", switch.address, options(pipeline)) as again:
            await again.wait_ready(timeout=30, primary=True)
            assert again.pipeline_pushes == 0
            assert await dmac_rows(again) == {0x0A: 1}
        # force_pipeline pushes anyway, which wipes the forwarding state (VERIFY_AND_COMMIT)
        async with SwitchConnection("s1", switch.address, options(pipeline, force_pipeline=True)) as forced:
            await forced.wait_ready(timeout=30, primary=True)
            assert forced.pipeline_pushes == 1
            assert await dmac_rows(forced) == {}

    run_async(body)


def test_backup_writes_fail_and_backup_takes_over_when_primary_leaves(
    switch: SoftswitchProcess, pipeline: PipelineFiles
) -> None:
    async def body() -> None:
        hook_calls: list[str] = []

        async def on_ready(conn: SwitchConnection) -> None:
            hook_calls.append(conn.name)

        primary = SwitchConnection("ctl-a", switch.address, options(pipeline, election_id=20), on_ready=on_ready)
        backup = SwitchConnection("ctl-b", switch.address, options(pipeline, election_id=10), on_ready=on_ready)
        async with primary, backup:
            await primary.wait_ready(timeout=30, primary=True)
            await backup.wait_ready(timeout=30)
            assert primary.is_primary and not backup.is_primary
            assert backup.primary_id == 20
            assert hook_calls == ["ctl-a"]  # the hook runs for the primary only

            with pytest.raises(P4RuntimeError) as info:
                await backup.insert([dmac(1)])
            err = info.value
            assert err.code == GRPCStatusCode.PERMISSION_DENIED and err.is_not_primary
            assert err.switch == "ctl-b" and err.details == ()
            with pytest.raises(P4RuntimeError) as info:
                await backup.send_packet_out(P4PacketOut(b"\x00" * 14, egress_port=64, reserved=0))
            assert info.value.is_not_primary

            await primary.insert([dmac(2)])
            assert await dmac_rows(backup) == {2: 1}  # reads are open to backups

            await primary.stop()
            await poll(lambda: backup.is_primary and backup.is_ready, what="the backup to become primary")
            assert hook_calls == ["ctl-a", "ctl-b"]
            await backup.insert([dmac(3)])
            assert await dmac_rows(backup) == {2: 1, 3: 1}

    run_async(body)


def test_ten_thousand_entries_go_in_capped_batches(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        progress: list[tuple[int, int]] = []
        async with SwitchConnection("s1", switch.address, options(pipeline, max_batch_updates=1000)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            wanted = {dst: dst % 500 for dst in range(1, 10_001)}
            await conn.insert(
                [dmac(dst, port) for dst, port in wanted.items()],
                progress=lambda done, total: progress.append((done, total)),
            )
            assert conn.stats.requests == 10 and conn.stats.largest_batch == 1000
            assert progress == [(n, 10_000) for n in range(1000, 10_001, 1000)]
            assert await dmac_rows(conn) == wanted

            await conn.delete([dmac(dst) for dst in wanted])
            assert conn.stats.requests == 20
            assert await dmac_rows(conn) == {}

    run_async(body)


def test_byte_cap_also_splits_batches(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        async with SwitchConnection("s1", switch.address, options(pipeline, max_batch_bytes=400)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            await conn.insert([dmac(dst) for dst in range(1, 101)])
            assert conn.stats.requests > 1 and conn.stats.largest_batch < 100
            assert len(await dmac_rows(conn)) == 100

    run_async(body)


def test_one_failing_update_is_reported_with_its_index(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        async with SwitchConnection("s1", switch.address, options(pipeline, max_batch_updates=4)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            await conn.insert([dmac(107)])
            batch = [dmac(100 + i) for i in range(10)]  # index 7 is dst 107, already there
            with pytest.raises(P4RuntimeError) as info:
                await conn.insert(batch)
            err = info.value
            assert err.code == GRPCStatusCode.UNKNOWN and err.operation == "Write"
            assert [(d.index, d.code) for d in err.details] == [(7, GRPCStatusCode.ALREADY_EXISTS)]
            assert err.details[0].source is batch[7]
            assert err.any_already_exists and not err.all_not_found
            assert err.total_updates == 10
            # CONTINUE_ON_ERROR: every other update was applied
            assert set(await dmac_rows(conn)) == {100 + i for i in range(10)}

            with pytest.raises(P4RuntimeError) as info:
                await conn.delete([dmac(5000), dmac(100), dmac(5001)])
            assert info.value.all_not_found
            assert [d.index for d in info.value.details] == [0, 2]
            await conn.delete([dmac(5000), dmac(101)], ignore_not_found=True)
            assert 101 not in await dmac_rows(conn)

            # a value the switch refuses (multicast group 0) is a per-update INVALID_ARGUMENT
            with pytest.raises(P4RuntimeError) as info:
                await conn.insert([P4MulticastGroupEntry(0, replicas=[1])])
            assert info.value.codes == {GRPCStatusCode.INVALID_ARGUMENT}

    run_async(body)


def test_an_entity_that_does_not_fit_is_refused_before_sending(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        async with SwitchConnection("s1", switch.address, options(pipeline)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            with pytest.raises(InvalidEntityError) as info:
                await conn.insert([dmac(1), P4TableEntry("dmac", match=P4TableMatch(nope=1), action=P4TableAction("fwd", port=1))])
            assert info.value.index == 1
            assert conn.stats.requests == 0

    run_async(body)


def test_multicast_groups_and_clone_sessions(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        async with SwitchConnection("s1", switch.address, options(pipeline)) as conn:
            await conn.wait_ready(timeout=30, primary=True)
            await conn.insert([
                P4MulticastGroupEntry(1, replicas=[(1, 1), (2, 1), (3, 2)]),
                P4CloneSessionEntry(5, replicas=[64]),
            ])
            groups = await conn.read([P4MulticastGroupEntry()])
            assert len(groups) == 1 and isinstance(groups[0], P4MulticastGroupEntry)
            assert groups[0].multicast_group_id == 1
            assert groups[0].replicas_str() == "1#1 2#1 3#2"
            sessions = await conn.read([P4CloneSessionEntry()])
            assert len(sessions) == 1 and isinstance(sessions[0], P4CloneSessionEntry)
            assert sessions[0].session_id == 5 and sessions[0].replicas_str() == "64"

            await conn.modify([P4MulticastGroupEntry(1, replicas=[4])])
            group = (await conn.read([P4MulticastGroupEntry(1)]))[0]
            assert isinstance(group, P4MulticastGroupEntry) and group.replicas_str() == "4"

            with pytest.raises(P4RuntimeError) as info:
                await conn.insert([P4CloneSessionEntry(5, replicas=[1])])
            assert info.value.any_already_exists

            assert await conn.delete_all() == 2
            assert await conn.read([P4MulticastGroupEntry(), P4CloneSessionEntry()]) == []

    run_async(body)


def test_replaced_pipeline_has_no_stale_replicas(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    """The same scenario as on BMv2 (test_bmv2.py); softswitch clears the PRE itself, as the spec says."""
    run_async(lambda: replaced_pipeline_has_no_stale_replicas(switch.address, pipeline))


def test_unreachable_switch_reports_unavailable_and_stops_cleanly(switch: SoftswitchProcess) -> None:
    address = switch.address
    switch.kill()  # nothing listens on that port now

    async def body() -> None:
        conn = SwitchConnection("gone", address, ClientOptions(backoff=FAST))
        await conn.start()
        await poll(lambda: conn.last_error is not None, what="a failed connection attempt")
        err = conn.last_error
        assert isinstance(err, P4RuntimeError) and err.is_unavailable
        with pytest.raises(P4RuntimeError) as info:
            await conn.insert([dmac(1)])
        assert info.value.is_unavailable and "not connected" in str(info.value)
        with pytest.raises(TimeoutError, match=r"gone at .* not ready after 0\.2s: .*UNAVAILABLE"):
            await conn.wait_ready(timeout=0.2)
        await conn.stop()
        leftovers = [t.get_name() for t in asyncio.all_tasks() if "gone" in t.get_name()]
        assert leftovers == []

    run_async(body)


def test_stop_ends_every_task_of_the_switch(switch: SoftswitchProcess, pipeline: PipelineFiles) -> None:
    async def body() -> None:
        from controlplane.p4rt import StreamInbox

        conn = SwitchConnection("s9", switch.address, options(pipeline), handlers=StreamInbox().handlers())
        await conn.start()
        await conn.wait_ready(timeout=30, primary=True)
        names = conn.task_names
        assert "p4rt:s9:connection" in names and "p4rt:s9:digest:learn_t" in names
        await conn.stop()
        assert not conn.is_up and not conn.is_ready
        leftovers = [t.get_name() for t in asyncio.all_tasks() if "s9" in t.get_name()]
        assert leftovers == []
        with pytest.raises(P4RuntimeError, match="not connected"):
            await conn.read([P4TableEntry("dmac")])

    run_async(body)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="election_id"):
        ClientOptions(election_id=0)
    with pytest.raises(ValueError, match="batch caps"):
        ClientOptions(max_batch_updates=0)
    with pytest.raises(ValueError, match="backoff"):
        Backoff(initial=2, maximum=1)
    delays = Backoff(initial=1, maximum=8, factor=2, jitter=0.1).delays()
    firsts = [next(delays) for _ in range(6)]
    for got, nominal in zip(firsts, [1, 2, 4, 8, 8, 8], strict=True):
        assert nominal * 0.9 <= got <= nominal * 1.1
