"""Read: answers for every entity kind, with wildcards, as serialized ``p4.v1.Entity`` messages.

Wildcards follow the P4Runtime spec as PI implements them: an id of 0 reads every object of that
kind; an unset index reads every index; a table entry without match fields reads every entry of
the table (not the default entry, which is read with ``is_default_action``; with table id 0 too,
that reads one default entry per table). A table with const entries is readable.

Direct counters and direct meters are read per table, as in PI: across all tables is
UNIMPLEMENTED, and a match key naming no installed entry is INVALID_ARGUMENT. Their answers hold
only the entry's key (table id, match, priority), not its action.

The caller holds the engine lock; :func:`read_entities` only touches engine state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from finsy.proto import p4i, p4r

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.stateful import CounterArray
from softswitch.engine.tables import Entry
from softswitch.p4runtime.action_codec import bad
from softswitch.p4runtime.direct_resources import installed_entry
from softswitch.p4runtime.entities import PipelineBinding
from softswitch.p4runtime.table_entries import TableCodec
from softswitch.p4runtime.wire import (
    canonical_bytes,
    length_delimited,
    meter_config_bytes,
    response_entities,
    varint,
)

__all__ = ["read_entities"]


def read_entities(binding: PipelineBinding, request: p4r.ReadRequest) -> list[bytes]:
    """The entities answering ``request``, each framed as a ``ReadResponse.entities`` field (they
    concatenate into ReadResponse messages); raises EntityError on a bad entity."""
    out: list[bytes] = []
    for entity in request.entities:
        which = entity.WhichOneof("entity")
        if which is None:
            raise bad("an entity in the read request is empty")
        reader = _READERS.get(which)
        if reader is None:
            raise EntityError(ErrorCode.UNIMPLEMENTED, f"reading {which} is not supported")
        items = reader(binding, getattr(entity, which))
        out.extend(response_entities(which, items if isinstance(items, list) else list(items)))
    return out


def _tables(binding: PipelineBinding, request: p4r.TableEntry) -> Iterable[bytes]:
    if request.table_id == 0:
        if request.match:
            raise bad("a read across all tables cannot give a match")
        if request.is_default_action:  # the default entry of every table
            return [codec.encode_default(request) for codec in binding.tables.values()]
        out: list[bytes] = []
        for codec in binding.tables.values():
            out.extend(codec.read(request))
        return out
    return binding.table(request.table_id).read(request)


def _members(binding: PipelineBinding, request: p4r.ActionProfileMember) -> Iterable[bytes]:
    if request.action_profile_id == 0:
        return [item for codec in binding.profiles.values() for item in codec.read_members(request)]
    return binding.profile(request.action_profile_id).read_members(request)


def _groups(binding: PipelineBinding, request: p4r.ActionProfileGroup) -> Iterable[bytes]:
    if request.action_profile_id == 0:
        return [item for codec in binding.profiles.values() for item in codec.read_groups(request)]
    return binding.profile(request.action_profile_id).read_groups(request)


def _index_range(message: p4r.CounterEntry | p4r.MeterEntry | p4r.RegisterEntry, size: int) -> range:
    if not message.HasField("index"):
        return range(size)
    index = message.index.index
    if index < 0:
        raise bad("a negative number is not a valid index")
    return range(index, index + 1)


def _counter_data(unit: int, packets: int, nbytes: int) -> bytes:
    out = b""
    if nbytes and unit != p4i.CounterSpec.PACKETS:
        out += b"\x08" + varint(nbytes)
    if packets and unit != p4i.CounterSpec.BYTES:
        out += b"\x10" + varint(packets)
    return out


def _counters(binding: PipelineBinding, request: p4r.CounterEntry) -> Iterable[bytes]:
    ids = list(binding.counters) if request.counter_id == 0 else [request.counter_id]
    out: list[bytes] = []
    for cid in ids:
        counter: CounterArray = binding.counter(cid)
        unit = binding.counter_unit(cid)
        head = b"\x08" + varint(cid)
        for index in _index_range(request, counter.size):
            packets, nbytes = counter.read(index)
            out.append(
                head
                + length_delimited(b"\x12", b"\x08" + varint(index) if index else b"")
                + length_delimited(b"\x1a", _counter_data(unit, packets, nbytes))
            )
    return out


def _direct_table(binding: PipelineBinding, table_entry: p4r.TableEntry, what: str) -> TableCodec:
    if table_entry.table_id == 0:
        raise EntityError(ErrorCode.UNIMPLEMENTED, f"reading {what} across all tables is not supported")
    return binding.table(table_entry.table_id)


def _direct_targets(codec: TableCodec, table_entry: p4r.TableEntry) -> list[Entry[Any] | None]:
    """The entries a direct counter / meter read names; None stands for the default entry."""
    if table_entry.is_default_action:
        return [None]
    if table_entry.match:
        return [installed_entry(codec, table_entry)]  # INVALID_ARGUMENT when absent, as PI
    return list(codec.table)


def _direct_counters(binding: PipelineBinding, request: p4r.DirectCounterEntry) -> Iterable[bytes]:
    if not request.HasField("table_entry"):
        raise bad("a DirectCounterEntry read needs its table_entry")
    codec = _direct_table(binding, request.table_entry, "direct counters")
    counter_id = codec.info.direct_counter_id
    if not counter_id:
        raise bad(f"table {codec.name!r} has no direct counter")
    unit = binding.index.direct_counters[counter_id].unit
    out: list[bytes] = []
    for target in _direct_targets(codec, request.table_entry):
        if target is None:
            entry = codec.head + b"\x40\x01"
            data = b""
        else:
            entry = codec.encode_key(target)
            data = _counter_data(unit, target.packets, target.bytes)
        out.append(length_delimited(b"\x0a", entry) + length_delimited(b"\x12", data))
    return out


def _meters(binding: PipelineBinding, request: p4r.MeterEntry) -> Iterable[bytes]:
    ids = list(binding.meters) if request.meter_id == 0 else [request.meter_id]
    out: list[bytes] = []
    for mid in ids:
        meter = binding.meter(mid)
        head = b"\x08" + varint(mid)
        for index in _index_range(request, meter.size):
            rates = meter.get_rates_p4runtime(index)
            body = head + length_delimited(b"\x12", b"\x08" + varint(index) if index else b"")
            if rates is not None:
                body += length_delimited(b"\x1a", meter_config_bytes(rates))
            out.append(body)
    return out


def _direct_meters(binding: PipelineBinding, request: p4r.DirectMeterEntry) -> Iterable[bytes]:
    if not request.HasField("table_entry"):
        raise bad("a DirectMeterEntry read needs its table_entry")
    codec = _direct_table(binding, request.table_entry, "direct meters")
    if not codec.info.direct_meter_id:
        raise bad(f"table {codec.name!r} has no direct meter")
    out: list[bytes] = []
    for target in _direct_targets(codec, request.table_entry):
        if target is None:
            out.append(length_delimited(b"\x0a", codec.head + b"\x40\x01"))
            continue
        body = length_delimited(b"\x0a", codec.encode_key(target))
        meter = target.meter
        rates = None if meter is None else meter.get_rates_p4runtime()
        if rates is not None:
            body += length_delimited(b"\x12", meter_config_bytes(rates))
        out.append(body)
    return out


def _registers(binding: PipelineBinding, request: p4r.RegisterEntry) -> Iterable[bytes]:
    ids = list(binding.registers) if request.register_id == 0 else [request.register_id]
    out: list[bytes] = []
    for rid in ids:
        register = binding.register(rid)
        head = b"\x08" + varint(rid)
        mask = (1 << register.width) - 1
        for index in _index_range(request, register.size):
            value = register.get(index) & mask
            data = length_delimited(b"\x0a", canonical_bytes(value))
            out.append(
                head
                + length_delimited(b"\x12", b"\x08" + varint(index) if index else b"")
                + length_delimited(b"\x1a", data)
            )
    return out


def _pre(binding: PipelineBinding, request: p4r.PacketReplicationEngineEntry) -> Iterable[bytes]:
    which = request.WhichOneof("type")
    pre = binding.program.pre
    out: list[bytes] = []
    if which == "multicast_group_entry":
        gid = request.multicast_group_entry.multicast_group_id
        if gid:
            pre.read_group(gid)  # NOT_FOUND / OUT_OF_RANGE as PI
            gids = [gid]
        else:
            gids = pre.group_ids()
        for g in gids:
            replicas, metadata = binding.mc_groups.get(g, ([], b""))
            body = b"\x08" + varint(g) + b"".join(length_delimited(b"\x12", r) for r in replicas)
            if metadata:
                body += length_delimited(b"\x1a", metadata)
            out.append(length_delimited(b"\x0a", body))
        return out
    if which == "clone_session_entry":
        sid = request.clone_session_entry.session_id
        if sid:
            pre.read_clone_session(sid)
            sids = [sid]
        else:
            sids = pre.clone_session_ids()
        for s in sids:
            replicas = binding.clone_sessions.get(s, [])
            body = b"\x08" + varint(s) + b"".join(length_delimited(b"\x12", r) for r in replicas)
            out.append(length_delimited(b"\x12", body))
        return out
    raise bad("the PacketReplicationEngineEntry to read is empty")


def _value_sets(binding: PipelineBinding, request: p4r.ValueSetEntry) -> Iterable[bytes]:
    ids = list(binding.value_sets) if request.value_set_id == 0 else [request.value_set_id]
    out: list[bytes] = []
    for vid in ids:
        binding.value_set(vid)
        members = binding.value_set_members.get(vid, [])
        out.append(b"\x08" + varint(vid) + b"".join(length_delimited(b"\x12", m) for m in members))
    return out


def _digests(binding: PipelineBinding, request: p4r.DigestEntry) -> Iterable[bytes]:
    return binding.digests.read_config(request)


_READERS = {
    "table_entry": _tables,
    "action_profile_member": _members,
    "action_profile_group": _groups,
    "counter_entry": _counters,
    "direct_counter_entry": _direct_counters,
    "meter_entry": _meters,
    "direct_meter_entry": _direct_meters,
    "register_entry": _registers,
    "packet_replication_engine_entry": _pre,
    "value_set_entry": _value_sets,
    "digest_entry": _digests,
}
