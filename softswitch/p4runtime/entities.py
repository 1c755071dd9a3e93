"""A pipeline bound for P4Runtime: every P4Info id tied to its engine object, and Write dispatch.

:class:`PipelineBinding` is built once per forwarding pipeline (P4Info index + the program's
objects, matched by qualified name). :meth:`PipelineBinding.apply` applies one ``p4.v1.Update``
and raises :class:`~softswitch.engine.entity_errors.EntityError` when it is refused; the caller
holds the engine lock. Table entries and action profiles live in their own modules; the simpler
entities (PRE, counters, meters, registers, value sets) are handled here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from finsy.proto import p4i, p4r

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.stateful import CounterArray, MeterArray, RegisterArray
from softswitch.engine.tables import Match
from softswitch.p4runtime.action_codec import ActionCodec, bad
from softswitch.p4runtime.action_profile_entries import ProfileCodec, decode_port
from softswitch.p4runtime.digests import DigestManager
from softswitch.p4runtime.direct_resources import decode_meter_config, installed_entry, set_entry_meter
from softswitch.p4runtime.p4info_index import P4InfoIndex, ValueSetInfo
from softswitch.p4runtime.program_objects import ProgramObjects, ValueSetLike
from softswitch.p4runtime.table_entries import TableCodec

__all__ = ["BindingError", "PipelineBinding"]

INSERT = p4r.Update.INSERT
MODIFY = p4r.Update.MODIFY
DELETE = p4r.Update.DELETE


class BindingError(ValueError):
    """The program lacks an object the P4Info names (or its shape differs)."""


def _check_modify_only(update_type: int, what: str) -> None:
    if update_type == MODIFY:
        return
    if update_type == INSERT:
        raise bad(f"INSERT is not supported for {what}; use MODIFY")
    if update_type == DELETE:
        raise bad(f"DELETE is not supported for {what}; use MODIFY")
    raise bad("update type is not set" if update_type == 0 else f"invalid update type {update_type}")


def _index_of(message: p4r.CounterEntry | p4r.MeterEntry | p4r.RegisterEntry, what: str) -> int | None:
    if not message.HasField("index"):
        return None
    index = message.index.index
    if index < 0:
        raise bad(f"{what}: a negative number is not a valid index")
    return int(index)


class PipelineBinding:
    """One loaded pipeline as P4Runtime sees it."""

    def __init__(self, index: P4InfoIndex, program: ProgramObjects, digests: DigestManager) -> None:
        self.index = index
        self.program = program
        self.digests = digests
        # table id -> action id -> codec (bound to that table's engine action object)
        self.table_actions: dict[int, dict[int, ActionCodec]] = {}
        for tinfo in index.tables.values():
            engine_actions = program.table_actions.get(tinfo.name)
            if engine_actions is None:
                raise BindingError(f"the program has no table named {tinfo.name!r}")
            codecs: dict[int, ActionCodec] = {}
            for aid in tinfo.action_scopes:
                action = index.actions[aid]
                obj = engine_actions.get(action.name)
                if obj is None:
                    raise BindingError(f"table {tinfo.name!r}: the program has no action named {action.name!r}")
                codecs[aid] = ActionCodec(action, obj)
            self.table_actions[tinfo.id] = codecs
        self.profiles: dict[int, ProfileCodec] = {}
        for prof in index.action_profiles.values():
            engine_prof = program.action_profiles.get(prof.name)
            if engine_prof is None:
                raise BindingError(f"the program has no action profile named {prof.name!r}")
            prof_actions: dict[int, ActionCodec] = {}
            for tid in reversed(prof.table_ids):
                prof_actions.update(self.table_actions[tid])
            self.profiles[prof.id] = ProfileCodec(prof, engine_prof, prof_actions)
        self.tables: dict[int, TableCodec] = {}
        for tinfo in index.tables.values():
            table = program.tables.get(tinfo.name)
            if table is None:
                raise BindingError(f"the program has no table named {tinfo.name!r}")
            engine_names = [k.name for k in table.keys]
            p4info_names = [f.name for f in tinfo.field_order]
            if engine_names != p4info_names:
                raise BindingError(
                    f"table {tinfo.name!r}: P4Info match fields {p4info_names} differ from the program's {engine_names}"
                )
            profile = self.profiles.get(tinfo.implementation_id)
            self.tables[tinfo.id] = TableCodec(
                tinfo,
                table,
                self.table_actions[tinfo.id],
                resolve_indirect=None if profile is None else profile.resolve,
                release_indirect=None if profile is None else profile.release,
                encode_indirect=None if profile is None else profile.encode_indirect,
            )
        self.counters: dict[int, CounterArray] = {}
        for cinfo in index.counters.values():
            counter = program.counters.get(cinfo.name)
            if counter is None:
                raise BindingError(f"the program has no counter named {cinfo.name!r}")
            self.counters[cinfo.id] = counter
        self.meters: dict[int, MeterArray] = {}
        for minfo in index.meters.values():
            meter = program.meters.get(minfo.name)
            if meter is None:
                raise BindingError(f"the program has no meter named {minfo.name!r}")
            self.meters[minfo.id] = meter
        self.registers: dict[int, RegisterArray] = {}
        for rinfo in index.registers.values():
            register = program.registers.get(rinfo.name)
            if register is not None:
                self.registers[rinfo.id] = register
        self.value_sets: dict[int, tuple[ValueSetInfo, ValueSetLike]] = {}
        for vinfo in index.value_sets.values():
            vset = program.value_sets.get(vinfo.name)
            if vset is not None:
                self.value_sets[vinfo.id] = (vinfo, vset)
        self.value_set_members: dict[int, list[bytes]] = {}
        # multicast group id -> (serialized replicas as written, metadata)
        self.mc_groups: dict[int, tuple[list[bytes], bytes]] = {}
        # clone session id -> serialized replicas as written
        self.clone_sessions: dict[int, list[bytes]] = {}
        self._writers: dict[str, Callable[[int, Any], None]] = {
            "table_entry": self._write_table_entry,
            "action_profile_member": self._write_member,
            "action_profile_group": self._write_group,
            "meter_entry": self._write_meter,
            "direct_meter_entry": self._write_direct_meter,
            "counter_entry": self._write_counter,
            "direct_counter_entry": self._write_direct_counter,
            "packet_replication_engine_entry": self._write_pre,
            "value_set_entry": self._write_value_set,
            "register_entry": self._write_register,
            "digest_entry": self.digests.write_config,
        }

    # --------------------------------------------------------------------------- dispatch

    def apply(self, update: p4r.Update) -> None:
        """Apply one update; raises EntityError when it is refused."""
        entity = update.entity
        which = entity.WhichOneof("entity")
        if which == "table_entry":  # the hot path, without the dispatch table
            entry = entity.table_entry
            codec = self.tables.get(entry.table_id)
            if codec is None:
                raise bad(f"{entry.table_id} is not a valid table id")
            if update.type == INSERT:
                codec.insert(entry)
            else:
                codec.write(update.type, entry)
            return
        if which is None:
            raise bad("the update's entity is empty")
        writer = self._writers.get(which)
        if writer is None:
            raise EntityError(ErrorCode.UNIMPLEMENTED, f"{which} is not supported")
        writer(update.type, getattr(entity, which))

    def table(self, table_id: int) -> TableCodec:
        codec = self.tables.get(table_id)
        if codec is None:
            raise bad(f"{table_id} is not a valid table id")
        return codec

    def profile(self, profile_id: int) -> ProfileCodec:
        codec = self.profiles.get(profile_id)
        if codec is None:
            raise bad(f"{profile_id} is not a valid action profile id")
        return codec

    def _write_table_entry(self, update_type: int, entry: p4r.TableEntry) -> None:
        self.table(entry.table_id).write(update_type, entry)

    def _write_member(self, update_type: int, member: p4r.ActionProfileMember) -> None:
        self.profile(member.action_profile_id).write_member(update_type, member)

    def _write_group(self, update_type: int, group: p4r.ActionProfileGroup) -> None:
        self.profile(group.action_profile_id).write_group(update_type, group)

    # ------------------------------------------------------------------ counters / meters

    def counter(self, counter_id: int) -> CounterArray:
        counter = self.counters.get(counter_id)
        if counter is None:
            raise bad(f"{counter_id} is not a valid counter id")
        return counter

    def counter_unit(self, counter_id: int) -> int:
        return self.index.counters[counter_id].unit

    def _write_counter(self, update_type: int, entry: p4r.CounterEntry) -> None:
        counter = self.counter(entry.counter_id)
        _check_modify_only(update_type, "counters")
        index = _index_of(entry, "counter")
        if index is None:
            raise EntityError(ErrorCode.UNIMPLEMENTED, "a wildcard write to an indirect counter is not supported")
        packets, nbytes = counter.read(index)
        data = entry.data
        if data.packet_count < 0 or data.byte_count < 0:
            raise bad("counter values must not be negative")
        unit = self.counter_unit(entry.counter_id)
        if unit != p4i.CounterSpec.BYTES:
            packets = data.packet_count
        if unit != p4i.CounterSpec.PACKETS:
            nbytes = data.byte_count
        counter.write(index, packets, nbytes)

    def _direct_entry(self, entry: p4r.TableEntry, what: str) -> tuple[TableCodec, Any]:
        if entry.table_id == 0:
            raise bad(f"{what}: the table_entry needs a table id")
        codec = self.table(entry.table_id)
        if entry.is_default_action:
            if entry.match or entry.priority:
                raise bad("the default entry has no match key and priority 0")
            return codec, None
        # an absent entry is INVALID_ARGUMENT, not NOT_FOUND: PI cannot map the key to an entry
        return codec, installed_entry(codec, entry)

    def _write_direct_counter(self, update_type: int, entry: p4r.DirectCounterEntry) -> None:
        if not entry.HasField("table_entry"):
            raise bad("a DirectCounterEntry needs its table_entry")
        codec, found = self._direct_entry(entry.table_entry, "direct counter")
        if not codec.info.direct_counter_id:
            raise bad(f"table {codec.name!r} has no direct counter")
        _check_modify_only(update_type, "direct counters")
        data = entry.data
        if data.packet_count < 0 or data.byte_count < 0:
            raise bad("counter values must not be negative")
        if found is not None:
            found.packets = data.packet_count
            found.bytes = data.byte_count

    def meter(self, meter_id: int) -> MeterArray:
        meter = self.meters.get(meter_id)
        if meter is None:
            if meter_id in self.index.direct_meters:
                raise bad("use DirectMeterEntry for a direct meter")
            raise bad(f"{meter_id} is not a valid meter id")
        return meter

    def _write_meter(self, update_type: int, entry: p4r.MeterEntry) -> None:
        meter = self.meter(entry.meter_id)
        index = _index_of(entry, "meter")
        if index is None:
            raise EntityError(ErrorCode.UNIMPLEMENTED, "a wildcard write to an indirect meter is not supported")
        _check_modify_only(update_type, "meters")
        if entry.HasField("config"):
            rates = decode_meter_config(entry.config)
            if any(rates):
                meter.set_rates_p4runtime(index, *rates)
                return
        meter.reset(index)

    def _write_direct_meter(self, update_type: int, entry: p4r.DirectMeterEntry) -> None:
        if not entry.HasField("table_entry"):
            raise bad("a DirectMeterEntry needs its table_entry")
        codec, found = self._direct_entry(entry.table_entry, "direct meter")
        if not codec.info.direct_meter_id:
            raise bad(f"table {codec.name!r} has no direct meter")
        _check_modify_only(update_type, "direct meters")
        rates = decode_meter_config(entry.config) if entry.HasField("config") else (0, 0, 0, 0)
        if found is not None:
            set_entry_meter(found, rates)

    # ---------------------------------------------------------------------------- registers

    def register(self, register_id: int) -> RegisterArray:
        register = self.registers.get(register_id)
        if register is None:
            raise bad(f"{register_id} is not a valid register id")
        return register

    def _write_register(self, update_type: int, entry: p4r.RegisterEntry) -> None:
        register = self.register(entry.register_id)
        _check_modify_only(update_type, "registers")
        index = _index_of(entry, "register")
        if index is None:
            raise EntityError(ErrorCode.UNIMPLEMENTED, "a wildcard write to a register is not supported")
        if entry.data.WhichOneof("data") != "bitstring":
            raise bad("register data must be a bitstring")
        value = int.from_bytes(entry.data.bitstring, "big")
        if value >> register.width:
            raise bad(f"register value does not fit within {register.width} bits")
        if register.signed and value >> (register.width - 1):
            value -= 1 << register.width
        register.set(index, value)

    # ----------------------------------------------------------------------------- PRE

    @staticmethod
    def _replicas(replicas: Any) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for replica in replicas:
            which = replica.WhichOneof("port_kind")
            if which == "port":
                port = decode_port(replica.port)
            elif which == "egress_port":
                port = replica.egress_port
            else:
                raise bad("a replica needs a port")
            if replica.backup_replicas:
                raise EntityError(ErrorCode.UNIMPLEMENTED, "backup replicas are not supported")
            out.append((port, replica.instance))
        return out

    def _write_pre(self, update_type: int, entry: p4r.PacketReplicationEngineEntry) -> None:
        pre = self.program.pre
        which = entry.WhichOneof("type")
        if which == "multicast_group_entry":
            group = entry.multicast_group_entry
            gid = group.multicast_group_id
            if update_type == INSERT:
                pre.insert_group(gid, self._replicas(group.replicas))
            elif update_type == MODIFY:
                pre.modify_group(gid, self._replicas(group.replicas))
            elif update_type == DELETE:
                pre.delete_group(gid)
                self.mc_groups.pop(gid, None)
                return
            else:
                raise bad("update type is not set" if update_type == 0 else f"invalid update type {update_type}")
            self.mc_groups[gid] = ([r.SerializeToString() for r in group.replicas], group.metadata)
        elif which == "clone_session_entry":
            session = entry.clone_session_entry
            sid = session.session_id
            if update_type == INSERT:
                pre.insert_clone_session(
                    sid, self._replicas(session.replicas), session.class_of_service, session.packet_length_bytes
                )
            elif update_type == MODIFY:
                pre.modify_clone_session(
                    sid, self._replicas(session.replicas), session.class_of_service, session.packet_length_bytes
                )
            elif update_type == DELETE:
                pre.delete_clone_session(sid)
                self.clone_sessions.pop(sid, None)
                return
            else:
                raise bad("update type is not set" if update_type == 0 else f"invalid update type {update_type}")
            self.clone_sessions[sid] = [r.SerializeToString() for r in session.replicas]
        else:
            raise bad("the PacketReplicationEngineEntry is empty")

    # --------------------------------------------------------------------------- value sets

    def value_set(self, value_set_id: int) -> tuple[ValueSetInfo, ValueSetLike]:
        found = self.value_sets.get(value_set_id)
        if found is None:
            raise bad(f"{value_set_id} is not a valid value set id")
        return found

    def _write_value_set(self, update_type: int, entry: p4r.ValueSetEntry) -> None:
        info, vset = self.value_set(entry.value_set_id)
        _check_modify_only(update_type, "value sets")
        if len(entry.members) > info.size:
            raise EntityError(
                ErrorCode.RESOURCE_EXHAUSTED, f"value set {info.name!r} holds at most {info.size} members"
            )
        probe = p4r.TableEntry()
        members: list[Match] = []
        decoder = _value_set_decoder(info)
        for member in entry.members:
            probe.ClearField("match")
            probe.match.extend(member.match)
            members.append(decoder(probe))
        vset.set_members(members)
        self.value_set_members[entry.value_set_id] = [m.SerializeToString() for m in entry.members]


def _value_set_decoder(info: ValueSetInfo) -> Callable[[p4r.TableEntry], Match]:
    """Decode a value-set member with the table-entry rules (no priority)."""
    from softswitch.engine.tables import Table
    from softswitch.p4runtime.p4info_index import TableInfo

    tinfo = TableInfo(
        id=info.id,
        name=info.name,
        fields=info.fields,
        field_order=info.field_order,
        action_scopes={},
        const_default_action_id=0,
        implementation_id=0,
        direct_counter_id=0,
        direct_meter_id=0,
        size=info.size,
        is_const=False,
        supports_timeout=False,
        needs_priority=False,
    )
    codec = TableCodec(tinfo, Table[Any](info.name, [], 0, None), {})

    def decode(entry: p4r.TableEntry) -> Match:
        return codec.decode_match(entry)[0]

    return decode
