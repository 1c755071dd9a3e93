"""Fixtures: one switch process per test module running ``runtime_all.p4``, a fresh primary
client per test, and the forwarding state wiped between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from finsy.proto import p4r

from tests.softswitch.p4runtime.p4rt_harness import PROGRAMS, Client, SwitchProcess, delete

RUNTIME_ALL = PROGRAMS / "runtime_all.p4"


@pytest.fixture(scope="module")
def switch() -> Iterator[SwitchProcess]:
    proc = SwitchProcess(RUNTIME_ALL)
    try:
        yield proc
        assert proc.alive(), f"softswitch died:\n{proc.stderr()}"
        assert "Traceback" not in proc.stderr(), proc.stderr()
    finally:
        proc.stop()


def wipe(client: Client) -> None:
    """Delete every table entry, group, member, multicast group and clone session."""
    entities = client.read(
        p4r.Entity(table_entry=p4r.TableEntry()),
    )
    const_tables = {t.preamble.id for t in client.p4info.tables if t.is_const_table}
    updates = [delete(table_entry=e.table_entry) for e in entities if e.table_entry.table_id not in const_tables]
    for e in client.read(p4r.Entity(action_profile_group=p4r.ActionProfileGroup())):
        updates.append(delete(action_profile_group=e.action_profile_group))
    for e in client.read(p4r.Entity(action_profile_member=p4r.ActionProfileMember())):
        updates.append(delete(action_profile_member=e.action_profile_member))
    pre = p4r.PacketReplicationEngineEntry(multicast_group_entry=p4r.MulticastGroupEntry())
    for e in client.read(p4r.Entity(packet_replication_engine_entry=pre)):
        updates.append(delete(packet_replication_engine_entry=e.packet_replication_engine_entry))
    pre = p4r.PacketReplicationEngineEntry(clone_session_entry=p4r.CloneSessionEntry())
    for e in client.read(p4r.Entity(packet_replication_engine_entry=pre)):
        updates.append(delete(packet_replication_engine_entry=e.packet_replication_engine_entry))
    if updates:
        client.write(*updates)


@pytest.fixture
def client(switch: SwitchProcess) -> Iterator[Client]:
    c = Client(switch.address)
    c.become_primary(10)
    try:
        yield c
        wipe(c)
    finally:
        c.close()
    assert switch.alive(), f"softswitch died:\n{switch.stderr()}"
