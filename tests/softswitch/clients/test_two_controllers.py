"""Two controllers on one switch: the backup may read but not write; when the primary goes away,
the backup takes over with a higher election id.

softswitch arbitrates as PI does (P4TARGET.md "Arbitration"): the highest election id is primary,
every stream is told again when the primary changes, and a Write must carry the primary's id.
"""

from __future__ import annotations

import asyncio
import contextlib

import finsy
import grpc
import pytest
from finsy.proto import p4r

from tests.softswitch.clients.finsy_l2 import finsy_options, l2_entry, read
from tests.softswitch.clients.l2_program import L2Build, push_pipeline, read_table
from tests.softswitch.p4runtime.p4rt_harness import Client, SwitchProcess, code_of, exact, insert

OK, ALREADY_EXISTS = 0, 6
PRIMARY_FIRST = "02:00:00:00:01:01"
BACKUP_REFUSED = "02:00:00:00:01:02"
BACKUP_LATER = "02:00:00:00:01:03"
WAIT_S = 10.0


async def finsy_takeover(address: str, build: L2Build) -> int:
    """Returns the election id the backup ends up with."""
    async with contextlib.AsyncExitStack() as primary_scope:
        primary = await primary_scope.enter_async_context(finsy.Switch("primary", address, finsy_options(build, 20)))
        assert primary.is_primary
        await primary.insert([l2_entry(PRIMARY_FIRST, "forward", {"port": 1})])
        async with finsy.Switch("backup", address, finsy_options(build, 10)) as backup:
            assert not backup.is_primary
            assert backup.primary_id == 20
            with pytest.raises(finsy.P4ClientError) as refused:
                await backup.insert([l2_entry(BACKUP_REFUSED, "forward", {"port": 2})])
            assert refused.value.code == finsy.GRPCStatusCode.PERMISSION_DENIED
            # reads are open to backups
            assert [e async for e in read(backup, finsy.P4TableEntry("l2"))] != []

            ready = backup.ee.event_future(finsy.SwitchEvent.CHANNEL_READY)
            await primary_scope.aclose()  # the primary goes away
            await asyncio.wait_for(ready, WAIT_S)
            assert backup.is_primary
            election_id = backup.election_id
            await backup.insert([l2_entry(BACKUP_LATER, "forward", {"port": 3})])
            # the backup's first election id no longer writes while it is primary under the new one
            code = await asyncio.to_thread(raw_write_code, address, BACKUP_REFUSED, 10)
            assert code == grpc.StatusCode.PERMISSION_DENIED
    return election_id


def raw_write_code(address: str, dst: str, election_id: int) -> grpc.StatusCode:
    """The status of a raw Write of one l2 entry carrying ``election_id``."""
    client = Client(address)
    try:
        client.write(insert(table_entry=l2_raw_entry(client, dst)), election_id=election_id)
    except grpc.RpcError as err:
        return code_of(err)
    finally:
        client.close()
    return grpc.StatusCode.OK


def test_finsy_backup_is_refused_then_takes_over(switch: SwitchProcess, l2_build: L2Build) -> None:
    election_id = asyncio.run(asyncio.wait_for(finsy_takeover(switch.address, l2_build), 60))
    assert election_id > 10

    client = Client(switch.address)
    try:
        entries = read_table(client, "l2")
        assert sorted(entries) == sorted(bytes.fromhex(m.replace(":", "")) for m in (PRIMARY_FIRST, BACKUP_LATER))
    finally:
        client.close()


def l2_raw_entry(client: Client, dst: str, port: int = 1) -> p4r.TableEntry:
    entry = p4r.TableEntry(table_id=client.table_id("l2"))
    entry.match.append(exact(1, bytes.fromhex(dst.replace(":", ""))))
    entry.action.action.action_id = client.action_id("forward")
    entry.action.action.params.add(param_id=1, value=port.to_bytes(2, "big"))
    return entry


def test_raw_grpc_backup_takes_over_after_the_primary_drops(switch: SwitchProcess, l2_build: L2Build) -> None:
    primary = Client(switch.address)
    backup = Client(switch.address)
    try:
        primary.become_primary(20)
        push_pipeline(primary, l2_build)
        backup_stream = backup.stream()
        backup_stream.arbitrate(10)
        told = backup_stream.next("arbitration").arbitration
        assert told.status.code == ALREADY_EXISTS and told.election_id.low == 20

        with pytest.raises(grpc.RpcError) as refused:
            backup.write(insert(table_entry=l2_raw_entry(backup, BACKUP_REFUSED)), election_id=10)
        assert code_of(refused.value) == grpc.StatusCode.PERMISSION_DENIED
        primary.write(insert(table_entry=l2_raw_entry(primary, PRIMARY_FIRST)))

        primary.close()  # the primary's channel drops: its stream is cancelled
        told = backup_stream.next("arbitration").arbitration
        assert told.status.code == OK and told.election_id.low == 10  # promoted, as PI does

        backup_stream.arbitrate(30)  # and it claims a higher election id
        told = backup_stream.next("arbitration").arbitration
        assert told.status.code == OK and told.election_id.low == 30
        with pytest.raises(grpc.RpcError) as stale:
            backup.write(insert(table_entry=l2_raw_entry(backup, BACKUP_LATER)), election_id=10)
        assert code_of(stale.value) == grpc.StatusCode.PERMISSION_DENIED
        backup.write(insert(table_entry=l2_raw_entry(backup, BACKUP_LATER)), election_id=30)
        assert sorted(read_table(backup, "l2")) == sorted(
            bytes.fromhex(m.replace(":", "")) for m in (PRIMARY_FIRST, BACKUP_LATER)
        )
    finally:
        primary.close()
        backup.close()
