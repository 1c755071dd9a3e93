"""The edge's entities on the P4Runtime wire: ids from the P4Info, updates out, read replies in.

:class:`EdgeSchema` is built once per pipeline from the switch's P4Info. It checks the P4Info
against the contract (:mod:`controlplane.edge.contract`) — every table with its match fields in
order, every action with its parameters — and raises :class:`ContractError` naming the first
difference. Then it turns :mod:`controlplane.edge.entries` values into ``p4.v1.Update`` messages
and read replies back into those values.

Table entries are the bulk of every write (four or more per device), so they are serialized
here directly, field by field, in canonical form (shortest big-endian byte strings; an LPM
field with prefix length 0 left out, as P4Runtime requires), and parsed once by the protobuf
runtime; the rest are built as protobuf messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from finsy import P4Schema
from finsy.p4schema import P4MatchType
from finsy.proto import p4r

from controlplane.edge import contract
from controlplane.edge.contract import MatchKind
from controlplane.edge.entries import (
    DefaultAction,
    DigestConfig,
    Entity,
    Lpm,
    MeterCell,
    MeterRates,
    MulticastGroup,
    TableEntry,
)
from controlplane.edge.plan import Op

_UPDATE_TYPE = {Op.INSERT: p4r.Update.INSERT, Op.MODIFY: p4r.Update.MODIFY, Op.DELETE: p4r.Update.DELETE}
_MATCH_KIND = {P4MatchType.EXACT: MatchKind.EXACT, P4MatchType.LPM: MatchKind.LPM}


class ContractError(Exception):
    """The switch's P4Info does not have what ``p4src/README.md`` promises."""


class EncodeError(ValueError):
    """An entity that does not fit the P4Info (a value too wide for its field, ...)."""


# ---- protobuf wire format ------------------------------------------------------------------------


_SMALL = [bytes((i,)) for i in range(128)]


def _varint(value: int) -> bytes:
    if value < 128:
        return _SMALL[value]
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _ld(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 128 else _varint(n)) + payload


def canonical(value: int, width: int) -> bytes:
    """The shortest big-endian bytes of ``value`` (at least one byte), checked against ``width``."""
    if value < 0 or value.bit_length() > width:
        raise EncodeError(f"value {value:#x} does not fit {width} bits")
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


def _meter_config(rates: MeterRates) -> bytes:
    out = b""
    for tag, value in ((b"\x08", rates.cir), (b"\x10", rates.cburst), (b"\x18", rates.pir), (b"\x20", rates.pburst)):
        if value:
            out += tag + _varint(value)
    return out


# ---- the schema ----------------------------------------------------------------------------------


def _value_prefixes(head: bytes, outer_tag: bytes, inner_tag: bytes, width: int) -> tuple[bytes, ...]:
    """For each byte length ``n`` of a value: the serialized bytes that come before the value in
    ``outer_tag{ head, inner_tag{ value } }`` (all lengths fit one byte: values are <= 16 bytes)."""
    out = [b""]
    for n in range(1, (width + 7) // 8 + 1):
        inner = inner_tag + _SMALL[n]
        body_len = len(head) + len(inner) + n
        out.append(outer_tag + _varint(body_len) + head + inner)
    return tuple(out)


def _value_bytes(prefixes: tuple[bytes, ...], value: int, width: int, what: str) -> bytes:
    bits = value.bit_length()
    if value < 0 or bits > width:
        raise EncodeError(f"{what}: value {value:#x} does not fit {width} bits")
    n = (bits + 7) >> 3 or 1
    return prefixes[n] + value.to_bytes(n, "big")


@dataclass(frozen=True, slots=True)
class _Field:
    id: int
    name: str
    width: int
    kind: MatchKind
    head: bytes  # FieldMatch.field_id, serialized
    #: by value length: ``TableEntry.match`` (2) { field_id, exact (2) { value (1) } } up to the value
    exact_prefixes: tuple[bytes, ...]

    def exact(self, value: int) -> bytes:
        """``TableEntry.match`` holding this exact value, serialized."""
        return _value_bytes(self.exact_prefixes, value, self.width, self.name)


@dataclass(frozen=True, slots=True)
class _Action:
    id: int
    name: str
    params: tuple[tuple[int, int], ...]  # (param id, bitwidth) in order
    head: bytes  # Action.action_id, serialized
    #: per parameter, by value length: ``Action.params`` (4) { param_id, value (3) } up to the value
    param_prefixes: tuple[tuple[bytes, ...], ...]
    index_of: dict[int, int]  # param id -> position

    def encode(self, params: Sequence[int]) -> bytes:
        """A serialized ``Action`` with these parameter values."""
        if len(params) != len(self.params):
            raise EncodeError(f"action {self.name}: {len(params)} values for {len(self.params)} parameters")
        out = [self.head]
        for prefixes, (_pid, width), value in zip(self.param_prefixes, self.params, params, strict=True):
            bits = value.bit_length()
            if value < 0 or bits > width:
                raise EncodeError(f"action {self.name}: value {value:#x} does not fit {width} bits")
            n = (bits + 7) >> 3 or 1
            out.append(prefixes[n] + value.to_bytes(n, "big"))
        return b"".join(out)


@dataclass(frozen=True, slots=True)
class _Table:
    id: int
    name: str
    fields: tuple[_Field, ...]
    actions: dict[str, _Action]
    head: bytes  # TableEntry.table_id, serialized
    position: dict[int, int]  # field id -> position


class EdgeSchema:
    """The P4Info of an edge pipeline, checked against the contract, with fast encoders."""

    def __init__(self, schema: P4Schema) -> None:
        if not schema.exists:
            raise ContractError("the switch has no pipeline")
        try:
            self._load(schema)
        except (KeyError, ValueError, AttributeError, TypeError) as err:
            raise ContractError(f"the P4Info does not fit the edge contract: {err}") from None

    def _load(self, schema: P4Schema) -> None:
        self.schema = schema
        self._meters: dict[MeterRates, bytes] = {}  # serialized TableEntry.meter_config
        self._actions: dict[int, _Action] = {}
        for action in schema.actions:
            params = tuple((p.id, p.bitwidth) for p in action.params)
            self._actions[action.id] = _Action(
                id=action.id,
                name=action.name,
                params=params,
                head=b"\x08" + _varint(action.id),
                param_prefixes=tuple(_value_prefixes(b"\x10" + _varint(pid), b"\x22", b"\x1a", w) for pid, w in params),
                index_of={pid: i for i, (pid, _) in enumerate(params)},
            )
        self._tables: dict[str, _Table] = {}
        self._table_ids: dict[int, _Table] = {}
        for spec in contract.TABLES.values():
            table = self._check_table(spec)
            self._tables[spec.name] = table
            self._table_ids[table.id] = table
        self.metered_table_ids = frozenset(self._tables[name].id for name in contract.METERED_TABLES)
        self.request_meter_id = self._object_id(schema.meters, contract.REQUEST_METER, "meter")
        self.digest_id = self._object_id(schema.digests, contract.ACCESS_REQUEST_DIGEST, "digest")
        self.device_mac_id = self._object_id(schema.registers, contract.DEVICE_MAC_REGISTER, "register")
        self._check_digest()
        self._check_packet_io()

    # ------------------------------------------------------------------------------ checks

    def _check_table(self, spec: contract.TableSpec) -> _Table:
        try:
            info = self.schema.tables[spec.name]
        except (KeyError, ValueError):
            raise ContractError(f"the P4Info has no table {spec.name}") from None
        fields = []
        for (name, kind), field in zip(spec.fields, info.match_fields, strict=False):
            found = _MATCH_KIND.get(field.match_type) if isinstance(field.match_type, P4MatchType) else None
            if field.name != name or found is not kind:
                raise ContractError(
                    f"table {spec.name}: expected match field {name} ({kind.value}), found {field.name} ({field.match_type})"
                )
            head = b"\x08" + _varint(field.id)
            # match (2) { field_id, exact (2) { value (1) } }: the FieldMatch body is the field id,
            # then 2 bytes of tag and length for Exact, whose own body is 2 bytes + the value
            prefixes = tuple(
                b"\x12" + _SMALL[len(head) + 4 + n] + head + b"\x12" + _SMALL[2 + n] + b"\x0a" + _SMALL[n] if n else b""
                for n in range((field.bitwidth + 7) // 8 + 1)
            )
            fields.append(_Field(field.id, name, field.bitwidth, kind, head, prefixes))
        if len(info.match_fields) != len(spec.fields):
            raise ContractError(
                f"table {spec.name}: expected match fields {[n for n, _ in spec.fields]}, "
                f"found {[f.name for f in info.match_fields]}"
            )
        actions: dict[str, _Action] = {}
        table_actions = {a.name: a for a in info.actions}
        for name in spec.actions:
            ref = table_actions.get(name)
            if ref is None:
                raise ContractError(f"table {spec.name}: action {name} is missing")
            action = self._actions[ref.id]
            expected = contract.ACTION_PARAMS[name]
            found_params = tuple(p.name for p in self.schema.actions[ref.id].params)
            if found_params != expected:
                raise ContractError(f"action {name}: expected parameters {expected}, found {found_params}")
            actions[name] = action
        return _Table(
            id=info.id,
            name=spec.name,
            fields=tuple(fields),
            actions=actions,
            head=b"\x08" + _varint(info.id),
            position={f.id: i for i, f in enumerate(fields)},
        )

    @staticmethod
    def _object_id(objects: object, name: str, what: str) -> int:
        try:
            return int(objects[name].id)  # type: ignore[index]
        except (KeyError, ValueError):
            raise ContractError(f"the P4Info has no {what} {name}") from None

    def _check_digest(self) -> None:
        spec = self.schema.digests[contract.ACCESS_REQUEST_DIGEST].type_spec
        members = tuple(getattr(spec, "members", {}))
        if members != contract.DIGEST_FIELDS:
            raise ContractError(f"digest {contract.ACCESS_REQUEST_DIGEST}: expected {contract.DIGEST_FIELDS}, found {members}")

    def _check_packet_io(self) -> None:
        names = {m.name: m for m in self.schema.controller_packet_metadata}
        for header in (contract.PACKET_OUT, contract.PACKET_IN):
            if header not in names:
                raise ContractError(f"the P4Info has no controller header {header}")
        metadata = list(names[contract.PACKET_OUT].metadata)
        if tuple(m.name for m in metadata) != contract.PACKET_OUT_FIELDS:
            raise ContractError(
                f"packet_out: expected fields {contract.PACKET_OUT_FIELDS}, found {[m.name for m in metadata]}"
            )
        self._packet_out_fields = tuple((m.name, m.id, m.bitwidth) for m in metadata)

    # ------------------------------------------------------------------------------ lookups

    def table_id(self, name: str) -> int:
        return self._tables[name].id

    def table_name(self, table_id: int) -> str | None:
        table = self._table_ids.get(table_id)
        return None if table is None else table.name

    def action_name(self, action_id: int) -> str:
        action = self._actions.get(action_id)
        return action.name if action is not None else f"#{action_id}"

    # ------------------------------------------------------------------------------ encoding

    def update(self, op: Op, entity: Entity) -> p4r.Update:
        """The update that applies ``op`` to ``entity`` (modify-only kinds are always MODIFY)."""
        if isinstance(entity, TableEntry):
            update: p4r.Update = p4r.Update.FromString(self.table_update_bytes(op, entity))
            return update
        kind = _UPDATE_TYPE[op]
        if isinstance(entity, DefaultAction | MeterCell):
            kind = p4r.Update.MODIFY
        return p4r.Update(type=kind, entity=self.entity(entity))

    def table_update_bytes(self, op: Op, entry: TableEntry) -> bytes:
        """A serialized ``Update`` of a table entry (DELETE carries the key only)."""
        body = self.table_entry_bytes(entry, with_action=op is not Op.DELETE)
        entity = _ld(b"\x12", body)
        return b"\x08" + _varint(_UPDATE_TYPE[op]) + _ld(b"\x12", entity)

    def table_entry_bytes(self, entry: TableEntry, *, with_action: bool = True, with_meter: bool = True) -> bytes:
        """A serialized ``TableEntry``, canonical and in field-number order (as a target returns
        it from a read): the key only without the action, no meter config without the meter."""
        table = self._tables.get(entry.table)
        if table is None:
            raise EncodeError(f"unknown table {entry.table}")
        if len(entry.match) != len(table.fields):
            raise EncodeError(f"{entry.table}: {len(entry.match)} match values for {len(table.fields)} fields")
        out = [table.head]
        for field, value in zip(table.fields, entry.match, strict=True):
            if field.kind is MatchKind.EXACT:
                if not isinstance(value, int):
                    raise EncodeError(f"{entry.table}.{field.name}: an exact value must be an int")
                out.append(field.exact(value))
            else:
                if not isinstance(value, Lpm):
                    raise EncodeError(f"{entry.table}.{field.name}: an LPM value must be an Lpm")
                if value.prefix_len == 0:
                    continue  # a don't-care LPM field is omitted
                if not 0 < value.prefix_len <= field.width:
                    raise EncodeError(f"{entry.table}.{field.name}: prefix length {value.prefix_len}")
                if value.value & ((1 << (field.width - value.prefix_len)) - 1):
                    raise EncodeError(f"{entry.table}.{field.name}: host bits set in {value.value:#x}")
                lpm = _ld(b"\x0a", canonical(value.value, field.width)) + b"\x10" + _varint(value.prefix_len)
                out.append(_ld(b"\x12", field.head + _ld(b"\x22", lpm)))
        if with_action:
            action = table.actions.get(entry.action)
            if action is None:
                raise EncodeError(f"{entry.table}: action {entry.action} is not one of {sorted(table.actions)}")
            out.append(_ld(b"\x1a", _ld(b"\x0a", action.encode(entry.params))))
            if entry.meter is not None and with_meter:
                meter = self._meters.get(entry.meter)
                if meter is None:
                    meter = self._meters[entry.meter] = _ld(b"\x32", _meter_config(entry.meter))
                out.append(meter)
            if entry.idle_timeout_ns:
                out.append(b"\x48" + _varint(entry.idle_timeout_ns))
        return b"".join(out)

    def table_key(self, entry: TableEntry) -> p4r.TableEntry:
        """The entry's table and match only (for reads of one entry)."""
        key: p4r.TableEntry = p4r.TableEntry.FromString(self.table_entry_bytes(entry, with_action=False))
        return key

    def entity(self, entity: Entity) -> p4r.Entity:
        if isinstance(entity, TableEntry):
            return p4r.Entity(table_entry=p4r.TableEntry.FromString(self.table_entry_bytes(entity)))
        if isinstance(entity, DefaultAction):
            table = self._tables[entity.table]
            message = p4r.TableEntry(table_id=table.id, is_default_action=True)
            if entity.action is not None:
                action = table.actions[entity.action]
                message.action.action.CopyFrom(p4r.Action.FromString(action.encode(entity.params)))
            return p4r.Entity(table_entry=message)
        if isinstance(entity, MulticastGroup):
            replicas = [p4r.Replica(egress_port=port, instance=rid) for port, rid in entity.replicas]
            group = p4r.MulticastGroupEntry(multicast_group_id=entity.group_id, replicas=replicas)
            return p4r.Entity(packet_replication_engine_entry=p4r.PacketReplicationEngineEntry(multicast_group_entry=group))
        if isinstance(entity, MeterCell):
            meter = p4r.MeterEntry(meter_id=self._meter_id(entity.meter), index=p4r.Index(index=entity.index))
            if entity.rates is not None:
                meter.config.CopyFrom(p4r.MeterConfig.FromString(_meter_config(entity.rates)))
            return p4r.Entity(meter_entry=meter)
        if isinstance(entity, DigestConfig):
            config = p4r.DigestEntry.Config(
                max_timeout_ns=entity.max_timeout_ns,
                max_list_size=entity.max_list_size,
                ack_timeout_ns=entity.ack_timeout_ns,
            )
            return p4r.Entity(digest_entry=p4r.DigestEntry(digest_id=self._digest_id(entity.digest), config=config))
        raise EncodeError(f"cannot encode {type(entity).__name__}")

    def _meter_id(self, name: str) -> int:
        if name != contract.REQUEST_METER:
            raise EncodeError(f"unknown meter {name}")
        return self.request_meter_id

    def _digest_id(self, name: str) -> int:
        if name != contract.ACCESS_REQUEST_DIGEST:
            raise EncodeError(f"unknown digest {name}")
        return self.digest_id

    def packet_out(self, frame: bytes, egress_port: int) -> p4r.PacketOut:
        """A packet-out sending ``frame`` out of ``egress_port`` unchanged (the other fields of the
        packet_out header are zero)."""
        return self._packet_out(frame, {"egress_port": egress_port})

    def packet_out_group(self, frame: bytes, mcast_grp: int, customer_id: int) -> p4r.PacketOut:
        """A packet-out the switch replicates to PRE multicast group ``mcast_grp`` (not 0), each copy
        rewritten for its member as a group copy of customer ``customer_id`` (README 3.4, 3.6)."""
        if mcast_grp == 0:
            raise EncodeError("packet_out: multicast group 0 means no group")
        return self._packet_out(frame, {"mcast_grp": mcast_grp, "customer_id": customer_id})

    def _packet_out(self, frame: bytes, values: dict[str, int]) -> p4r.PacketOut:
        metadata = []
        for name, mid, width in self._packet_out_fields:
            value = values.get(name, 0)
            if not 0 <= value < 1 << width:
                raise EncodeError(f"packet_out: {name}={value} does not fit in {width} bits")
            metadata.append(p4r.PacketMetadata(metadata_id=mid, value=canonical(value, width)))
        return p4r.PacketOut(payload=frame, metadata=metadata)

    # ------------------------------------------------------------------------------ reads

    def table_read(self, name: str, *, meter_config: bool = False) -> p4r.Entity:
        """A read of every entry of a table (with their direct meter configs if asked)."""
        message = p4r.TableEntry(table_id=self._tables[name].id)
        if meter_config:
            message.meter_config.SetInParent()
        return p4r.Entity(table_entry=message)

    def direct_meter_read(self, name: str) -> p4r.Entity:
        """A read of the direct meter configs of every entry of a table."""
        table = p4r.TableEntry(table_id=self._tables[name].id)
        return p4r.Entity(direct_meter_entry=p4r.DirectMeterEntry(table_entry=table))

    def other_reads(self) -> dict[str, list[p4r.Entity]]:
        """Reads of what the edge owns besides table entries, by kind: the CPU port's default
        entry, the PRE multicast groups, the request meter, the digest config."""
        cpu = p4r.TableEntry(table_id=self._tables[contract.CPU_PORT].id, is_default_action=True)
        groups = p4r.PacketReplicationEngineEntry(multicast_group_entry=p4r.MulticastGroupEntry())
        return {
            "defaults": [p4r.Entity(table_entry=cpu)],
            "groups": [p4r.Entity(packet_replication_engine_entry=groups)],
            "meters": [p4r.Entity(meter_entry=p4r.MeterEntry(meter_id=self.request_meter_id))],
            "digests": [p4r.Entity(digest_entry=p4r.DigestEntry(digest_id=self.digest_id))],
        }

    def read_requests(self) -> dict[str, list[p4r.Entity]]:
        """Reads of everything the edge owns, by kind: every keyed table (with direct meter
        configs), then :meth:`other_reads`."""
        tables = [self.table_read(n, meter_config=n in contract.METERED_TABLES) for n in contract.KEYED_TABLES]
        return {"tables": tables, **self.other_reads()}

    def decode_rates(self, config: p4r.MeterConfig | None) -> MeterRates | None:
        return _rates(config)

    def decode(self, entity: p4r.Entity) -> Entity | None:
        """A read reply as an entity; None for what the edge does not own."""
        which = entity.WhichOneof("entity")
        if which == "table_entry":
            return self.decode_table_entry(entity.table_entry)
        if which == "packet_replication_engine_entry":
            pre = entity.packet_replication_engine_entry
            if pre.WhichOneof("type") != "multicast_group_entry":
                return None
            group = pre.multicast_group_entry
            replicas = tuple(sorted((_replica_port(r), r.instance) for r in group.replicas))
            return MulticastGroup(group.multicast_group_id, replicas)
        if which == "meter_entry":
            meter = entity.meter_entry
            if meter.meter_id != self.request_meter_id:
                return None
            config = meter.config if meter.HasField("config") else None
            rates = _rates(config)
            return MeterCell(contract.REQUEST_METER, meter.index.index, rates)
        if which == "digest_entry":
            digest = entity.digest_entry
            if digest.digest_id != self.digest_id or not digest.HasField("config"):
                return None
            config = digest.config
            return DigestConfig(
                contract.ACCESS_REQUEST_DIGEST, config.max_timeout_ns, config.max_list_size, config.ack_timeout_ns
            )
        return None

    def decode_table_entry(self, message: p4r.TableEntry) -> TableEntry | DefaultAction | None:
        table = self._table_ids.get(message.table_id)
        if table is None:
            return None
        action_name: str | None = None
        params: tuple[int, ...] = ()
        if message.HasField("action") and message.action.WhichOneof("type") == "action":
            action = self._actions.get(message.action.action.action_id)
            if action is not None:
                values = [0] * len(action.params)
                for param in message.action.action.params:
                    index = action.index_of.get(param.param_id)
                    if index is not None:
                        values[index] = int.from_bytes(param.value, "big")
                action_name, params = action.name, tuple(values)
            else:
                action_name = f"#{message.action.action.action_id}"
        if message.is_default_action:
            if action_name == "NoAction":
                action_name, params = None, ()
            return DefaultAction(table.name, action_name, params)
        match: list[int | Lpm] = [0 if f.kind is MatchKind.EXACT else Lpm(0, 0) for f in table.fields]
        position = table.position
        for field_match in message.match:
            index = position.get(field_match.field_id)
            if index is None:
                continue
            which = field_match.WhichOneof("field_match_type")
            if which == "exact":
                match[index] = int.from_bytes(field_match.exact.value, "big")
            elif which == "lpm":
                match[index] = Lpm(int.from_bytes(field_match.lpm.value, "big"), field_match.lpm.prefix_len)
        rates = _rates(message.meter_config) if message.HasField("meter_config") else None
        return TableEntry(
            table.name, tuple(match), action_name or "", params, idle_timeout_ns=message.idle_timeout_ns, meter=rates
        )


def _replica_port(replica: p4r.Replica) -> int:
    if replica.WhichOneof("port_kind") == "port":
        return int.from_bytes(replica.port, "big")
    return int(replica.egress_port)


def _rates(config: p4r.MeterConfig | None) -> MeterRates | None:
    if config is None or not (config.cir or config.cburst or config.pir or config.pburst):
        return None
    return MeterRates(config.cir, config.cburst, config.pir, config.pburst)
