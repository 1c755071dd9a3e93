"""Arbitration over real StreamChannels: primary/backup, duplicates, takeover, write permission.

Expected behaviour: P4TARGET.md §5 "Arbitration", plus softswitch's deliberate difference (a Write
or SetForwardingPipelineConfig without the primary's election id is PERMISSION_DENIED).
"""

from __future__ import annotations

import grpc
import pytest
from finsy.proto import p4r

from tests.softswitch.p4runtime.p4rt_harness import Client, SwitchProcess, action, code_of, exact, insert

OK = 0
ALREADY_EXISTS = 6


def _entry(client: Client, dst: bytes) -> p4r.Update:
    return insert(
        table_entry=p4r.TableEntry(
            table_id=client.table_id("t_big"),
            match=[exact(1, dst)],
            action=action(client.action_id("fwd"), b"\x01"),
        )
    )


def test_capabilities(switch: SwitchProcess) -> None:
    client = Client(switch.address)
    try:
        assert client.stub.Capabilities(p4r.CapabilitiesRequest()).p4runtime_api_version == "1.3.0"
    finally:
        client.close()


def test_primary_backup_and_takeover(switch: SwitchProcess) -> None:
    a, b = Client(switch.address), Client(switch.address)
    try:
        sa = a.stream()
        sa.arbitrate(5)
        first = sa.next("arbitration").arbitration
        assert (first.status.code, first.status.message) == (OK, "Is primary")
        assert first.election_id.low == 5 and first.device_id == 0

        sb = b.stream()
        sb.arbitrate(3)
        backup = sb.next("arbitration").arbitration
        assert (backup.status.code, backup.status.message) == (ALREADY_EXISTS, "Is backup")
        assert backup.election_id.low == 5  # the primary's election id
        assert sa.nothing("arbitration")  # the primary did not change: only b is told

        # the backup cannot write, the primary can
        b.election_id = 3
        with pytest.raises(grpc.RpcError) as info:
            b.write(_entry(b, b"\x0a"))
        assert code_of(info.value) == grpc.StatusCode.PERMISSION_DENIED
        a.election_id = 5
        a.write(_entry(a, b"\x0a"))

        # b takes over with a higher id: everybody is told
        sb.arbitrate(9)
        assert sb.next("arbitration").arbitration.status.code == OK
        demoted = sa.next("arbitration").arbitration
        assert demoted.status.code == ALREADY_EXISTS and demoted.election_id.low == 9
        with pytest.raises(grpc.RpcError) as info:
            a.write(_entry(a, b"\x0b"))
        assert code_of(info.value) == grpc.StatusCode.PERMISSION_DENIED
        b.election_id = 9
        b.write(_entry(b, b"\x0b"))

        # the primary leaves: a becomes primary again
        sb.close()
        promoted = sa.next("arbitration").arbitration
        assert promoted.status.code == OK and promoted.election_id.low == 5
        from finsy.proto import p4r as _p4r

        a.write(
            _p4r.Update(type=_p4r.Update.DELETE, entity=_entry(a, b"\x0a").entity),
            _p4r.Update(type=_p4r.Update.DELETE, entity=_entry(a, b"\x0b").entity),
        )
    finally:
        a.close()
        b.close()


def test_duplicate_election_id_closes_stream(switch: SwitchProcess) -> None:
    a, b = Client(switch.address), Client(switch.address)
    try:
        sa = a.become_primary(7)
        sb = b.stream()
        sb.arbitrate(7)
        assert sb.done.wait(10)
        assert sb.error is not None and sb.error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert sa.nothing("arbitration")
    finally:
        a.close()
        b.close()


def test_unknown_device_id(switch: SwitchProcess) -> None:
    client = Client(switch.address, device_id=3)
    try:
        stream = client.stream()
        stream.arbitrate(1, device_id=3)
        assert stream.done.wait(10)
        assert stream.error is not None and stream.error.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as info:
            client.read(p4r.Entity(table_entry=p4r.TableEntry()))
        assert code_of(info.value) == grpc.StatusCode.NOT_FOUND
    finally:
        client.close()


def test_write_without_election_id_is_refused_even_without_streams(switch: SwitchProcess) -> None:
    client = Client(switch.address)
    try:
        with pytest.raises(grpc.RpcError) as info:
            client.write(_entry(client, b"\x0c"), election_id=None)
        assert code_of(info.value) == grpc.StatusCode.PERMISSION_DENIED
        assert "election_id" in (info.value.details() or "")
        with pytest.raises(grpc.RpcError) as info:
            client.write(_entry(client, b"\x0c"), election_id=1)
        assert code_of(info.value) == grpc.StatusCode.PERMISSION_DENIED
        request = p4r.SetForwardingPipelineConfigRequest(
            device_id=0, action=p4r.SetForwardingPipelineConfigRequest.VERIFY
        )
        with pytest.raises(grpc.RpcError) as info:
            client.stub.SetForwardingPipelineConfig(request)
        assert code_of(info.value) == grpc.StatusCode.PERMISSION_DENIED
    finally:
        client.close()


def test_read_is_not_arbitrated(switch: SwitchProcess) -> None:
    client = Client(switch.address)
    try:
        assert client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=client.table_id("t_big")))) == []
    finally:
        client.close()


def test_messages_before_arbitration_are_ignored(switch: SwitchProcess) -> None:
    client = Client(switch.address)
    try:
        stream = client.stream()
        request = p4r.StreamMessageRequest()
        request.packet.payload = b"\x00" * 14
        stream.send(request)
        assert stream.nothing("packet")
        stream.arbitrate(4)
        assert stream.next("arbitration").arbitration.status.code == OK
    finally:
        client.close()
