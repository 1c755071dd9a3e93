"""Table entries over real gRPC: every match kind, reads, default entries, const tables, errors.

Expected codes and rules: P4TARGET.md §5 "Write" and "Entity support" (PI's behaviour).
"""

from __future__ import annotations

import grpc
import pytest
from finsy.proto import p4r, rpc_code

from tests.softswitch.p4runtime.p4rt_harness import (
    Client,
    action,
    code_of,
    delete,
    exact,
    insert,
    modify,
    per_update_errors,
)

FM = p4r.FieldMatch


def te(client: Client, table: str, match: list[FM], act: p4r.TableAction | None = None, **kw: object) -> p4r.TableEntry:
    entry = p4r.TableEntry(table_id=client.table_id(table), match=match, **kw)  # type: ignore[arg-type]
    if act is not None:
        entry.action.CopyFrom(act)
    return entry


def read_table(client: Client, table: str, **kw: object) -> list[p4r.TableEntry]:
    entity = p4r.Entity(table_entry=p4r.TableEntry(table_id=client.table_id(table), **kw))  # type: ignore[arg-type]
    return [e.table_entry for e in client.read(entity)]


def refused(client: Client, update: p4r.Update) -> p4r.Error:
    """The single per-update error of a one-update Write that must fail."""
    with pytest.raises(grpc.RpcError) as info:
        client.write(update)
    assert code_of(info.value) == grpc.StatusCode.UNKNOWN
    code, errors = per_update_errors(info.value)
    assert code == rpc_code.UNKNOWN and len(errors) == 1
    return errors[0]


def fwd(client: Client, port: bytes) -> p4r.TableAction:
    return action(client.action_id("fwd"), port)


# ------------------------------------------------------------------------------ match kinds


def test_exact_insert_read_modify_delete(client: Client) -> None:
    act = action(client.action_id("fwd_counted"), b"\x00\x05")  # padded: 9-bit port 5
    entry = te(client, "t_exact", [exact(1, b"\x00\x00\x00\x00\x00\x01")], act)
    client.write(insert(table_entry=entry))
    (got,) = read_table(client, "t_exact")
    # reads return the canonical form: no leading zero bytes
    assert got.match[0].exact.value == b"\x01"
    assert got.action.action.params[0].value == b"\x05"
    assert got.action.action.action_id == client.action_id("fwd_counted")
    entry.action.CopyFrom(action(client.action_id("my_drop")))
    client.write(modify(table_entry=entry))
    (got,) = read_table(client, "t_exact")
    assert got.action.action.action_id == client.action_id("my_drop")
    assert not got.action.action.params
    client.write(delete(table_entry=entry))
    assert read_table(client, "t_exact") == []


def test_canonical_write_reads_back_identically(client: Client) -> None:
    entry = te(client, "t_big", [exact(1, b"\x12\x34")], fwd(client, b"\x01\x02"))
    entry.controller_metadata = 77
    entry.metadata = b"cookie"
    client.write(insert(table_entry=entry))
    (got,) = read_table(client, "t_big")
    assert got == entry


def test_lpm(client: Client) -> None:
    act = action(client.action_id("fwd_metered"), b"\x02")
    lpm = FM(field_id=1, lpm=FM.LPM(value=b"\x0a\x00\x00\x00\x00\x00", prefix_len=8))
    client.write(insert(table_entry=te(client, "t_lpm", [lpm], act)))
    (got,) = read_table(client, "t_lpm")
    assert got.match[0].lpm.prefix_len == 8 and got.match[0].lpm.value == b"\x0a\x00\x00\x00\x00\x00"
    # a prefix length of 0 is the wildcard's representation: refused
    zero = FM(field_id=1, lpm=FM.LPM(value=b"\x00", prefix_len=0))
    assert refused(client, insert(table_entry=te(client, "t_lpm", [zero], act))).canonical_code == rpc_code.INVALID_ARGUMENT
    # bits past the prefix must be zero
    bad = FM(field_id=1, lpm=FM.LPM(value=b"\x0a\x01\x00\x00\x00\x00", prefix_len=8))
    assert refused(client, insert(table_entry=te(client, "t_lpm", [bad], act))).canonical_code == rpc_code.INVALID_ARGUMENT
    # an omitted lpm field is a wildcard (the /0 entry)
    client.write(insert(table_entry=te(client, "t_lpm", [], act)))
    assert len(read_table(client, "t_lpm")) == 2


def test_ternary_needs_priority_and_valid_mask(client: Client) -> None:
    tern = FM(field_id=1, ternary=FM.Ternary(value=b"\x08\x00", mask=b"\xff\x00"))
    dst = exact(2, b"\x01")
    entry = te(client, "t_ternary", [tern, dst], fwd(client, b"\x01"))
    error = refused(client, insert(table_entry=entry))  # priority 0 on a ternary table
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT
    entry.priority = 10
    client.write(insert(table_entry=entry))
    (got,) = read_table(client, "t_ternary")
    assert got.priority == 10 and got.match[0].ternary.mask == b"\xff\x00"
    # the same match at another priority is another entry
    entry.priority = 20
    client.write(insert(table_entry=entry))
    assert sorted(e.priority for e in read_table(client, "t_ternary")) == [10, 20]
    zero_mask = FM(field_id=1, ternary=FM.Ternary(value=b"\x00", mask=b"\x00"))
    error = refused(client, insert(table_entry=te(client, "t_ternary", [zero_mask, dst], fwd(client, b"\x01"), priority=1)))
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT
    outside = FM(field_id=1, ternary=FM.Ternary(value=b"\x08\x01", mask=b"\xff\x00"))
    error = refused(client, insert(table_entry=te(client, "t_ternary", [outside, dst], fwd(client, b"\x01"), priority=1)))
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT


def test_range(client: Client) -> None:
    rng = FM(field_id=1, range=FM.Range(low=b"\x01", high=b"\x05"))
    client.write(insert(table_entry=te(client, "t_range", [rng], fwd(client, b"\x03"), priority=1)))
    (got,) = read_table(client, "t_range")
    assert (got.match[0].range.low, got.match[0].range.high) == (b"\x01", b"\x05")
    backwards = FM(field_id=1, range=FM.Range(low=b"\x06", high=b"\x05"))
    error = refused(client, insert(table_entry=te(client, "t_range", [backwards], fwd(client, b"\x03"), priority=1)))
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT
    full = FM(field_id=1, range=FM.Range(low=b"\x00", high=b"\xff\xff"))
    error = refused(client, insert(table_entry=te(client, "t_range", [full], fwd(client, b"\x03"), priority=1)))
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT


def test_optional(client: Client) -> None:
    opt = FM(field_id=1, optional=FM.Optional(value=b"\x08\x00"))
    client.write(insert(table_entry=te(client, "t_optional", [opt], fwd(client, b"\x01"), priority=5)))
    client.write(insert(table_entry=te(client, "t_optional", [], fwd(client, b"\x02"), priority=1)))
    got = sorted(read_table(client, "t_optional"), key=lambda e: e.priority)
    assert [len(e.match) for e in got] == [0, 1]  # omitted optional fields are wildcards, read back omitted


def test_exact_field_may_not_be_omitted(client: Client) -> None:
    error = refused(client, insert(table_entry=te(client, "t_big", [], fwd(client, b"\x01"))))
    assert error.canonical_code == rpc_code.INVALID_ARGUMENT


def test_value_too_wide_and_field_errors(client: Client) -> None:
    too_wide = exact(1, b"\x01" + b"\x00" * 6)  # 49 significant bits for a 48-bit field
    assert refused(client, insert(table_entry=te(client, "t_big", [too_wide], fwd(client, b"\x01")))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    leading_zeros = exact(1, b"\x00" * 10 + b"\x01")  # extra leading zero bytes are fine
    client.write(insert(table_entry=te(client, "t_big", [leading_zeros], fwd(client, b"\x01"))))
    port_too_wide = fwd(client, b"\x02\x00")  # 512 does not fit in bit<9>
    assert refused(client, insert(table_entry=te(client, "t_big", [exact(1, b"\x02")], port_too_wide))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    unknown_field = exact(9, b"\x02")
    assert refused(client, insert(table_entry=te(client, "t_big", [unknown_field], fwd(client, b"\x01")))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    twice = [exact(1, b"\x02"), exact(1, b"\x03")]
    assert refused(client, insert(table_entry=te(client, "t_big", twice, fwd(client, b"\x01")))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    wrong_kind = FM(field_id=1, lpm=FM.LPM(value=b"\x02", prefix_len=48))
    assert refused(client, insert(table_entry=te(client, "t_big", [wrong_kind], fwd(client, b"\x01")))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    with_priority = te(client, "t_big", [exact(1, b"\x02")], fwd(client, b"\x01"), priority=3)
    assert refused(client, insert(table_entry=with_priority)).canonical_code == rpc_code.INVALID_ARGUMENT
    unknown_table = p4r.TableEntry(table_id=0x02000001, match=[exact(1, b"\x02")], action=fwd(client, b"\x01"))
    assert refused(client, insert(table_entry=unknown_table)).canonical_code == rpc_code.INVALID_ARGUMENT
    not_in_table = action(client.action_id("to_cpu"), b"\x01")
    assert refused(client, insert(table_entry=te(client, "t_big", [exact(1, b"\x02")], not_in_table))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    missing_param = action(client.action_id("fwd"))
    assert refused(client, insert(table_entry=te(client, "t_big", [exact(1, b"\x02")], missing_param))).canonical_code == (
        rpc_code.INVALID_ARGUMENT
    )
    no_action = te(client, "t_big", [exact(1, b"\x02")])
    assert refused(client, insert(table_entry=no_action)).canonical_code == rpc_code.INVALID_ARGUMENT


def test_insert_modify_delete_existence(client: Client) -> None:
    entry = te(client, "t_big", [exact(1, b"\x07")], fwd(client, b"\x01"))
    assert refused(client, modify(table_entry=entry)).canonical_code == rpc_code.NOT_FOUND
    assert refused(client, delete(table_entry=entry)).canonical_code == rpc_code.NOT_FOUND
    client.write(insert(table_entry=entry))
    assert refused(client, insert(table_entry=entry)).canonical_code == rpc_code.ALREADY_EXISTS


# -------------------------------------------------------------------------- whole requests


def test_batch_reports_one_error_per_update(client: Client) -> None:
    good = te(client, "t_big", [exact(1, b"\x21")], fwd(client, b"\x01"))
    missing = te(client, "t_big", [exact(1, b"\x22")], fwd(client, b"\x01"))
    also_good = te(client, "t_big", [exact(1, b"\x23")], fwd(client, b"\x01"))
    with pytest.raises(grpc.RpcError) as info:
        client.write(insert(table_entry=good), delete(table_entry=missing), insert(table_entry=also_good))
    assert code_of(info.value) == grpc.StatusCode.UNKNOWN
    code, errors = per_update_errors(info.value)
    assert code == rpc_code.UNKNOWN
    assert [e.canonical_code for e in errors] == [rpc_code.OK, rpc_code.NOT_FOUND, rpc_code.OK]
    assert errors[1].message
    # the updates that succeeded were applied
    assert {e.match[0].exact.value for e in read_table(client, "t_big")} == {b"\x21", b"\x23"}


def test_atomicity_other_than_continue_on_error_is_unimplemented(client: Client) -> None:
    request = client.write_request([insert(table_entry=te(client, "t_big", [exact(1, b"\x31")], fwd(client, b"\x01")))])
    for mode in (p4r.WriteRequest.ROLLBACK_ON_ERROR, p4r.WriteRequest.DATAPLANE_ATOMIC):
        request.atomicity = mode
        with pytest.raises(grpc.RpcError) as info:
            client.stub.Write(request)
        assert code_of(info.value) == grpc.StatusCode.UNIMPLEMENTED
    assert read_table(client, "t_big") == []


def test_resource_exhausted_at_declared_size(client: Client) -> None:
    updates = [
        insert(table_entry=te(client, "t_exact", [exact(1, bytes([n]))], action(client.action_id("my_drop"))))
        for n in range(1, 6)
    ]
    with pytest.raises(grpc.RpcError) as info:
        client.write(*updates)
    _code, errors = per_update_errors(info.value)
    assert [e.canonical_code for e in errors] == [rpc_code.OK] * 4 + [rpc_code.RESOURCE_EXHAUSTED]
    assert len(read_table(client, "t_exact")) == 4


# --------------------------------------------------------------------------- default entries


def test_default_entry_modify_reset_and_scopes(client: Client) -> None:
    default = p4r.TableEntry(table_id=client.table_id("t_lpm"), is_default_action=True)
    (got,) = read_table(client, "t_lpm", is_default_action=True)
    assert got.is_default_action and got.action.action.action_id == client.action_id("NoAction")
    default.action.CopyFrom(action(client.action_id("default_only_act")))
    client.write(modify(table_entry=default))
    (got,) = read_table(client, "t_lpm", is_default_action=True)
    assert got.action.action.action_id == client.action_id("default_only_act")
    # a @defaultonly action in an entry is refused
    lpm = FM(field_id=1, lpm=FM.LPM(value=b"\x0a\x00\x00\x00\x00\x00", prefix_len=8))
    entry = te(client, "t_lpm", [lpm], action(client.action_id("default_only_act")))
    assert refused(client, insert(table_entry=entry)).canonical_code == rpc_code.PERMISSION_DENIED
    # MODIFY without an action resets the default
    client.write(modify(table_entry=p4r.TableEntry(table_id=client.table_id("t_lpm"), is_default_action=True)))
    (got,) = read_table(client, "t_lpm", is_default_action=True)
    assert got.action.action.action_id == client.action_id("NoAction")
    # a @tableonly action cannot be the default
    exact_default = p4r.TableEntry(
        table_id=client.table_id("t_exact"), is_default_action=True, action=action(client.action_id("table_only_act"))
    )
    assert refused(client, modify(table_entry=exact_default)).canonical_code == rpc_code.PERMISSION_DENIED
    # the default entry is never INSERTed or DELETEd
    assert refused(client, insert(table_entry=default)).canonical_code == rpc_code.INVALID_ARGUMENT
    assert refused(client, delete(table_entry=default)).canonical_code == rpc_code.INVALID_ARGUMENT


def test_const_table(client: Client) -> None:
    entries = read_table(client, "t_const")
    assert sorted(e.match[0].exact.value for e in entries) == [b"\x08\x01", b"\x08\x02"]
    entry = te(client, "t_const", [exact(1, b"\x08\x03")], fwd(client, b"\x01"))
    assert refused(client, insert(table_entry=entry)).canonical_code == rpc_code.PERMISSION_DENIED
    existing = te(client, "t_const", [exact(1, b"\x08\x01")], fwd(client, b"\x02"))
    assert refused(client, modify(table_entry=existing)).canonical_code == rpc_code.PERMISSION_DENIED
    assert refused(client, delete(table_entry=existing)).canonical_code == rpc_code.PERMISSION_DENIED
    const_default = p4r.TableEntry(
        table_id=client.table_id("t_const"), is_default_action=True, action=fwd(client, b"\x01")
    )
    assert refused(client, modify(table_entry=const_default)).canonical_code == rpc_code.PERMISSION_DENIED


# ------------------------------------------------------------------------------------ reads


def test_wildcard_reads(client: Client) -> None:
    client.write(
        insert(table_entry=te(client, "t_big", [exact(1, b"\x41")], fwd(client, b"\x01"))),
        insert(table_entry=te(client, "t_big", [exact(1, b"\x42")], fwd(client, b"\x02"))),
        insert(table_entry=te(client, "t_exact", [exact(1, b"\x43")], action(client.action_id("my_drop")))),
    )
    everything = client.read(p4r.Entity(table_entry=p4r.TableEntry()))
    tables = [e.table_entry.table_id for e in everything]
    assert tables.count(client.table_id("t_big")) == 2
    assert tables.count(client.table_id("t_exact")) == 1
    assert tables.count(client.table_id("t_const")) == 2
    one = read_table(client, "t_big", match=[exact(1, b"\x42")])
    assert [e.action.action.params[0].value for e in one] == [b"\x02"]
    assert read_table(client, "t_big", match=[exact(1, b"\x44")]) == []
    with pytest.raises(grpc.RpcError) as info:
        client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=0x02000001)))
    assert code_of(info.value) == grpc.StatusCode.INVALID_ARGUMENT


def test_direct_counter_data_in_entries(client: Client) -> None:
    entry = te(client, "t_exact", [exact(1, b"\x51")], action(client.action_id("my_drop")))
    entry.counter_data.packet_count = 3
    entry.counter_data.byte_count = 300
    client.write(insert(table_entry=entry))
    (got,) = read_table(client, "t_exact")
    assert not got.HasField("counter_data")  # only given when asked for
    (got,) = read_table(client, "t_exact", counter_data=p4r.CounterData())
    assert (got.counter_data.packet_count, got.counter_data.byte_count) == (3, 300)
    direct = p4r.DirectCounterEntry(table_entry=te(client, "t_exact", [exact(1, b"\x51")]))
    direct.data.packet_count = 9
    client.write(modify(direct_counter_entry=direct))
    (read,) = client.read(p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry(table_entry=te(client, "t_exact", []))))
    assert read.direct_counter_entry.data.packet_count == 9
    # a table without a direct counter refuses counter data
    bad = te(client, "t_big", [exact(1, b"\x51")], fwd(client, b"\x01"))
    bad.counter_data.packet_count = 1
    assert refused(client, insert(table_entry=bad)).canonical_code == rpc_code.INVALID_ARGUMENT
    # reading direct counters of all tables at once is not supported
    with pytest.raises(grpc.RpcError) as info:
        client.read(p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry(table_entry=p4r.TableEntry())))
    assert code_of(info.value) == grpc.StatusCode.UNIMPLEMENTED


def test_direct_meter_config(client: Client) -> None:
    lpm = FM(field_id=1, lpm=FM.LPM(value=b"\x0b\x00\x00\x00\x00\x00", prefix_len=8))
    entry = te(client, "t_lpm", [lpm], action(client.action_id("fwd_metered"), b"\x01"))
    entry.meter_config.CopyFrom(p4r.MeterConfig(cir=1000, cburst=100, pir=2000, pburst=200))
    client.write(insert(table_entry=entry))
    (got,) = read_table(client, "t_lpm", meter_config=p4r.MeterConfig())
    assert (got.meter_config.cir, got.meter_config.cburst, got.meter_config.pir, got.meter_config.pburst) == (
        1000,
        100,
        2000,
        200,
    )
    reset = p4r.DirectMeterEntry(table_entry=te(client, "t_lpm", [lpm]))
    client.write(modify(direct_meter_entry=reset))
    (read,) = client.read(p4r.Entity(direct_meter_entry=p4r.DirectMeterEntry(table_entry=te(client, "t_lpm", [lpm]))))
    assert not read.direct_meter_entry.HasField("config")


def test_idle_timeout_only_on_tables_that_support_it(client: Client) -> None:
    entry = te(client, "t_big", [exact(1, b"\x61")], fwd(client, b"\x01"), idle_timeout_ns=10**9)
    assert refused(client, insert(table_entry=entry)).canonical_code == rpc_code.INVALID_ARGUMENT
    idle = te(client, "t_idle", [exact(1, b"\x61")], action(client.action_id("NoAction")), idle_timeout_ns=10**12)
    client.write(insert(table_entry=idle))
    (got,) = read_table(client, "t_idle", time_since_last_hit=p4r.TableEntry.IdleTimeout())
    assert got.idle_timeout_ns == 10**12 and got.HasField("time_since_last_hit")
    with pytest.raises(grpc.RpcError) as info:
        read_table(client, "t_big", time_since_last_hit=p4r.TableEntry.IdleTimeout())
    assert code_of(info.value) == grpc.StatusCode.INVALID_ARGUMENT
