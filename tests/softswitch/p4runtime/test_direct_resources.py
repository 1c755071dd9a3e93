"""Direct counters / direct meters and default-entry reads over real gRPC, as BMv2/PI answers them.

Expected codes and answer shapes were taken from BMv2 ``simple_switch_grpc`` (PI) running the same
program (``runtime_all.p4``), asked the same questions by a differential probe. Where BMv2 leaves
state behind after refusing an update (its target keeps what PI reports as failed), we hold to
the rule that a refused update changes nothing.
"""

from __future__ import annotations

import grpc
import pytest
from finsy.proto import p4r, rpc_code

from tests.softswitch.p4runtime.p4rt_harness import (
    Client,
    action,
    code_of,
    exact,
    insert,
    modify,
    per_update_errors,
)

FM = p4r.FieldMatch
LPM_KEY = FM(field_id=1, lpm=FM.LPM(value=b"\x0b\x00\x00\x00\x00\x00", prefix_len=8))
ABSENT_LPM_KEY = FM(field_id=1, lpm=FM.LPM(value=b"\x0d\x00\x00\x00\x00\x00", prefix_len=8))
BAD_RATES = p4r.MeterConfig(cir=3000, cburst=100, pir=2000, pburst=200)  # committed rate above peak
GOOD_RATES = p4r.MeterConfig(cir=1000, cburst=100, pir=2000, pburst=200)


def entry(client: Client, table: str, match: list[FM], act: p4r.TableAction | None = None) -> p4r.TableEntry:
    out = p4r.TableEntry(table_id=client.table_id(table), match=match)
    if act is not None:
        out.action.CopyFrom(act)
    return out


def metered(client: Client, port: bytes, rates: p4r.MeterConfig | None, key: FM = LPM_KEY) -> p4r.TableEntry:
    out = entry(client, "t_lpm", [key], action(client.action_id("fwd_metered"), port))
    if rates is not None:
        out.meter_config.CopyFrom(rates)
    return out


def refused_code(client: Client, update: p4r.Update) -> int:
    """The code of the single per-update error of a one-update Write that must fail."""
    with pytest.raises(grpc.RpcError) as info:
        client.write(update)
    assert code_of(info.value) == grpc.StatusCode.UNKNOWN
    _code, errors = per_update_errors(info.value)
    assert len(errors) == 1
    return int(errors[0].canonical_code)


def read_code(client: Client, entity: p4r.Entity) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        client.read(entity)
    return code_of(info.value)


def table_entries(client: Client, table: str, **kw: object) -> list[p4r.TableEntry]:
    request = p4r.TableEntry(table_id=client.table_id(table), **kw)  # type: ignore[arg-type]
    return [e.table_entry for e in client.read(p4r.Entity(table_entry=request))]


# ------------------------------------------------------------- a refused update changes nothing


def test_insert_with_refused_meter_config_installs_nothing(client: Client) -> None:
    # BMv2/PI: per-update UNKNOWN (the target refuses cir > pir)
    assert refused_code(client, insert(table_entry=metered(client, b"\x03", BAD_RATES))) == rpc_code.UNKNOWN
    assert table_entries(client, "t_lpm") == []
    client.write(insert(table_entry=metered(client, b"\x03", None)))  # the same key is free
    assert len(table_entries(client, "t_lpm")) == 1


def test_duplicate_insert_with_refused_meter_config_is_already_exists(client: Client) -> None:
    client.write(insert(table_entry=metered(client, b"\x03", GOOD_RATES)))
    # BMv2/PI: the duplicate is found first (ALREADY_EXISTS), before the meter is tried
    assert refused_code(client, insert(table_entry=metered(client, b"\x05", BAD_RATES))) == rpc_code.ALREADY_EXISTS


def test_modify_with_refused_meter_config_keeps_the_old_entry(client: Client) -> None:
    client.write(insert(table_entry=metered(client, b"\x03", GOOD_RATES)))
    # BMv2/PI: per-update UNKNOWN; the entry keeps its action and meter config
    assert refused_code(client, modify(table_entry=metered(client, b"\x07", BAD_RATES))) == rpc_code.UNKNOWN
    (got,) = table_entries(client, "t_lpm", meter_config=p4r.MeterConfig())
    assert got.action.action.params[0].value == b"\x03"
    assert got.meter_config == GOOD_RATES
    # MODIFY of an absent entry is NOT_FOUND before the meter is tried (BMv2/PI)
    absent = metered(client, b"\x07", BAD_RATES, ABSENT_LPM_KEY)
    assert refused_code(client, modify(table_entry=absent)) == rpc_code.NOT_FOUND


def test_insert_with_counter_data_on_a_table_without_counter_installs_nothing(client: Client) -> None:
    bad = entry(client, "t_big", [exact(1, b"\x51")], action(client.action_id("fwd"), b"\x01"))
    bad.counter_data.packet_count = 1
    # BMv2/PI: per-update INVALID_ARGUMENT "Table has no direct counters"
    assert refused_code(client, insert(table_entry=bad)) == rpc_code.INVALID_ARGUMENT
    assert table_entries(client, "t_big") == []


# ------------------------------------------------------- direct reads answer with the key only


def test_direct_counter_and_meter_reads_hold_only_the_key(client: Client) -> None:
    counted = entry(client, "t_exact", [exact(1, b"\x0a\x00\x00\x00\x00\x02")], action(client.action_id("my_drop")))
    counted.counter_data.byte_count = 100
    counted.counter_data.packet_count = 2
    client.write(insert(table_entry=counted), insert(table_entry=metered(client, b"\x04", GOOD_RATES)))
    key = entry(client, "t_exact", [exact(1, b"\x0a\x00\x00\x00\x00\x02")])
    for request in (key, entry(client, "t_exact", [])):  # one entry, then the whole table
        (got,) = client.read(p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry(table_entry=request)))
        # BMv2/PI: table_entry { table_id match } data { byte_count: 100 packet_count: 2 }
        assert got.direct_counter_entry.table_entry == key
        assert got.direct_counter_entry.data == p4r.CounterData(byte_count=100, packet_count=2)
    meter_key = entry(client, "t_lpm", [LPM_KEY])
    (got,) = client.read(p4r.Entity(direct_meter_entry=p4r.DirectMeterEntry(table_entry=meter_key)))
    assert got.direct_meter_entry.table_entry == meter_key
    assert got.direct_meter_entry.config == GOOD_RATES


# ------------------------------------------------ direct resources of an absent entry


def test_direct_resources_of_an_absent_entry_are_invalid_argument(client: Client) -> None:
    absent_counter = entry(client, "t_exact", [exact(1, b"\x99")])
    absent_meter = entry(client, "t_lpm", [ABSENT_LPM_KEY])
    # BMv2/PI: INVALID_ARGUMENT "Cannot map table entry to handle", for reads and MODIFY alike
    counter_read = p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry(table_entry=absent_counter))
    assert read_code(client, counter_read) == grpc.StatusCode.INVALID_ARGUMENT
    meter_read = p4r.Entity(direct_meter_entry=p4r.DirectMeterEntry(table_entry=absent_meter))
    assert read_code(client, meter_read) == grpc.StatusCode.INVALID_ARGUMENT
    counter = p4r.DirectCounterEntry(table_entry=absent_counter, data=p4r.CounterData(byte_count=7, packet_count=8))
    assert refused_code(client, modify(direct_counter_entry=counter)) == rpc_code.INVALID_ARGUMENT
    meter = p4r.DirectMeterEntry(table_entry=absent_meter, config=p4r.MeterConfig(cir=1, cburst=1, pir=2, pburst=2))
    assert refused_code(client, modify(direct_meter_entry=meter)) == rpc_code.INVALID_ARGUMENT
    # BMv2/PI: a DirectCounterEntry / DirectMeterEntry read without table_entry is INVALID_ARGUMENT
    bare_counter = p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry())
    assert read_code(client, bare_counter) == grpc.StatusCode.INVALID_ARGUMENT
    bare_meter = p4r.Entity(direct_meter_entry=p4r.DirectMeterEntry())
    assert read_code(client, bare_meter) == grpc.StatusCode.INVALID_ARGUMENT


# ------------------------------------------------------------ default entries of every table


def test_read_default_entries_of_every_table(client: Client) -> None:
    my_drop = p4r.TableEntry(
        table_id=client.table_id("t_exact"), is_default_action=True, action=action(client.action_id("my_drop"))
    )
    client.write(modify(table_entry=my_drop))
    try:
        request = p4r.TableEntry(is_default_action=True)
        got = {e.table_entry.table_id: e.table_entry for e in client.read(p4r.Entity(table_entry=request))}
        # BMv2/PI: one default entry per table, each as a read of that table's default entry gives it
        assert sorted(got) == sorted(t.preamble.id for t in client.p4info.tables)
        for table in client.p4info.tables:
            (single,) = table_entries(client, table.preamble.name, is_default_action=True)
            assert got[table.preamble.id] == single
        assert got[client.table_id("t_exact")] == my_drop
        # the action-selector table's default entry has no action
        select = client.table_id("t_select")
        assert got[select] == p4r.TableEntry(table_id=select, is_default_action=True)
        no_action = action(client.action_id("NoAction"))
        assert got[client.table_id("t_const")].action == no_action
        # BMv2/PI: no counter_data with a default entry, even when the read asks for it
        request.counter_data.SetInParent()
        with_counters = client.read(p4r.Entity(table_entry=request))
        assert {e.table_entry.table_id: e.table_entry for e in with_counters} == got
    finally:
        client.write(modify(table_entry=p4r.TableEntry(table_id=client.table_id("t_exact"), is_default_action=True)))
