"""P4Info lookups by id, precomputed once per pipeline so that a Write does no searching.

:func:`index_p4info` checks the structural rules a P4Info must follow before the server accepts it
(unique ids with the right prefix for their kind, references that resolve) and raises
:class:`P4InfoInvalid` with a one-line reason otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from finsy.proto import p4i, p4t

from softswitch.engine.tables import MatchKind

__all__ = [
    "ActionInfo",
    "ActionProfileInfo",
    "ControllerHeaderInfo",
    "CounterInfo",
    "DigestInfo",
    "FieldInfo",
    "MeterInfo",
    "P4InfoIndex",
    "P4InfoInvalid",
    "RegisterInfo",
    "TableInfo",
    "ValueSetInfo",
    "index_p4info",
]

# Id prefixes (the top byte of every P4Info id).
PREFIX_ACTION = 0x01
PREFIX_TABLE = 0x02
PREFIX_VALUE_SET = 0x03
PREFIX_CONTROLLER_HEADER = 0x04
PREFIX_ACTION_PROFILE = 0x11
PREFIX_COUNTER = 0x12
PREFIX_DIRECT_COUNTER = 0x13
PREFIX_METER = 0x14
PREFIX_DIRECT_METER = 0x15
PREFIX_REGISTER = 0x16
PREFIX_DIGEST = 0x17

SCOPE_TABLE_AND_DEFAULT = p4i.ActionRef.TABLE_AND_DEFAULT
SCOPE_TABLE_ONLY = p4i.ActionRef.TABLE_ONLY
SCOPE_DEFAULT_ONLY = p4i.ActionRef.DEFAULT_ONLY

_MATCH_KINDS: dict[int, MatchKind] = {
    p4i.MatchField.EXACT: MatchKind.EXACT,
    p4i.MatchField.LPM: MatchKind.LPM,
    p4i.MatchField.TERNARY: MatchKind.TERNARY,
    p4i.MatchField.RANGE: MatchKind.RANGE,
    p4i.MatchField.OPTIONAL: MatchKind.OPTIONAL,
}


class P4InfoInvalid(ValueError):
    """The P4Info breaks a structural rule; the message names what and where."""


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A match field (of a table or value set): its position among the fields, kind and width."""

    id: int
    name: str
    index: int
    kind: MatchKind
    bitwidth: int


@dataclass(frozen=True, slots=True)
class ParamInfo:
    id: int
    name: str
    index: int
    bitwidth: int


@dataclass(slots=True)
class ActionInfo:
    id: int
    name: str
    params: dict[int, ParamInfo]
    param_order: tuple[ParamInfo, ...]


@dataclass(slots=True)
class TableInfo:
    id: int
    name: str
    fields: dict[int, FieldInfo]
    field_order: tuple[FieldInfo, ...]
    action_scopes: dict[int, int]  # action id -> ActionRef scope
    const_default_action_id: int
    implementation_id: int
    direct_counter_id: int
    direct_meter_id: int
    size: int
    is_const: bool
    supports_timeout: bool
    needs_priority: bool


@dataclass(slots=True)
class ActionProfileInfo:
    id: int
    name: str
    table_ids: tuple[int, ...]
    with_selector: bool
    size: int
    max_group_size: int


@dataclass(slots=True)
class CounterInfo:
    """An indirect counter (``size`` > 0) or a direct one (``direct_table_id`` set)."""

    id: int
    name: str
    unit: int  # p4i.CounterSpec.Unit
    size: int
    direct_table_id: int = 0


@dataclass(slots=True)
class MeterInfo:
    id: int
    name: str
    unit: int  # p4i.MeterSpec.Unit
    size: int
    direct_table_id: int = 0


@dataclass(slots=True)
class RegisterInfo:
    id: int
    name: str
    size: int
    bitwidth: int
    signed: bool


@dataclass(slots=True)
class DigestInfo:
    id: int
    name: str
    kind: str  # "bitstring", "struct", "tuple" or "unsupported"
    member_widths: tuple[int, ...]


@dataclass(slots=True)
class ValueSetInfo:
    id: int
    name: str
    size: int
    fields: dict[int, FieldInfo]
    field_order: tuple[FieldInfo, ...]


@dataclass(slots=True)
class ControllerHeaderInfo:
    """``packet_in`` / ``packet_out``: ``fields[id] = (bit offset from the start, width)``."""

    id: int
    name: str
    fields: dict[int, tuple[int, int]]
    order: tuple[tuple[int, int], ...]  # (id, width) in header order
    total_bits: int

    @property
    def nbytes(self) -> int:
        return (self.total_bits + 7) // 8


@dataclass(slots=True)
class P4InfoIndex:
    p4info: p4i.P4Info
    tables: dict[int, TableInfo] = field(default_factory=dict)
    actions: dict[int, ActionInfo] = field(default_factory=dict)
    action_profiles: dict[int, ActionProfileInfo] = field(default_factory=dict)
    counters: dict[int, CounterInfo] = field(default_factory=dict)
    direct_counters: dict[int, CounterInfo] = field(default_factory=dict)
    meters: dict[int, MeterInfo] = field(default_factory=dict)
    direct_meters: dict[int, MeterInfo] = field(default_factory=dict)
    registers: dict[int, RegisterInfo] = field(default_factory=dict)
    digests: dict[int, DigestInfo] = field(default_factory=dict)
    value_sets: dict[int, ValueSetInfo] = field(default_factory=dict)
    packet_in: ControllerHeaderInfo | None = None
    packet_out: ControllerHeaderInfo | None = None


def _prefix_check(kind: str, prefix: int, ident: int, name: str, seen: set[int]) -> None:
    if ident >> 24 != prefix:
        raise P4InfoInvalid(f"{kind} {name!r}: id {ident:#010x} does not carry the {kind} prefix {prefix:#04x}")
    if ident in seen:
        raise P4InfoInvalid(f"{kind} {name!r}: id {ident:#010x} is used twice")
    seen.add(ident)


def _match_fields(owner: str, fields: Iterable[p4i.MatchField]) -> tuple[dict[int, FieldInfo], tuple[FieldInfo, ...]]:
    by_id: dict[int, FieldInfo] = {}
    order: list[FieldInfo] = []
    for index, mf in enumerate(fields):
        kind = _MATCH_KINDS.get(mf.match_type)
        if kind is None:
            what = mf.other_match_type or p4i.MatchField.MatchType.Name(mf.match_type)
            raise P4InfoInvalid(f"{owner}: match field {mf.name!r} has unsupported match type {what}")
        if mf.bitwidth <= 0:
            raise P4InfoInvalid(f"{owner}: match field {mf.name!r} has bitwidth {mf.bitwidth}")
        if mf.id in by_id:
            raise P4InfoInvalid(f"{owner}: match field id {mf.id} is used twice")
        info = FieldInfo(mf.id, mf.name, index, kind, mf.bitwidth)
        by_id[mf.id] = info
        order.append(info)
    return by_id, tuple(order)


def _bitstring_width(spec: p4t.P4BitstringLikeTypeSpec) -> tuple[int, bool] | None:
    which = spec.WhichOneof("type_spec")
    if which == "bit":
        return spec.bit.bitwidth, False
    if which == "int":
        return spec.int.bitwidth, True
    return None


def _digest_shape(info: p4i.P4Info, spec: p4t.P4DataTypeSpec) -> tuple[str, tuple[int, ...]]:
    """``("bitstring" | "struct" | "tuple", member widths)``; unsupported members have width 0."""
    which = spec.WhichOneof("type_spec")
    if which == "bitstring":
        width = _bitstring_width(spec.bitstring)
        return "bitstring", (0 if width is None else width[0],)
    if which == "struct":
        struct = info.type_info.structs.get(spec.struct.name)
        if struct is None:
            raise P4InfoInvalid(f"digest type struct {spec.struct.name!r} is missing from type_info")
        members = [m.type_spec for m in struct.members]
        kind = "struct"
    elif which == "tuple":
        members = list(spec.tuple.members)
        kind = "tuple"
    else:
        return "unsupported", ()
    widths: list[int] = []
    for member in members:
        width = _bitstring_width(member.bitstring) if member.WhichOneof("type_spec") == "bitstring" else None
        widths.append(0 if width is None else width[0])
    return kind, tuple(widths)


def _controller_header(meta: p4i.ControllerPacketMetadata) -> ControllerHeaderInfo:
    fields: dict[int, tuple[int, int]] = {}
    order: list[tuple[int, int]] = []
    offset = 0
    for md in meta.metadata:
        if md.id in fields:
            raise P4InfoInvalid(f"controller header {meta.preamble.name!r}: metadata id {md.id} is used twice")
        if md.bitwidth < 0:
            raise P4InfoInvalid(f"controller header {meta.preamble.name!r}: negative bitwidth for {md.name!r}")
        fields[md.id] = (offset, md.bitwidth)
        order.append((md.id, md.bitwidth))
        offset += md.bitwidth
    return ControllerHeaderInfo(meta.preamble.id, meta.preamble.name, fields, tuple(order), offset)


def index_p4info(info: p4i.P4Info) -> P4InfoIndex:
    """Index ``info`` by id, checking that ids are unique, well-prefixed and that references resolve."""
    index = P4InfoIndex(info)
    seen: set[int] = set()

    for action in info.actions:
        pre = action.preamble
        _prefix_check("action", PREFIX_ACTION, pre.id, pre.name, seen)
        params: dict[int, ParamInfo] = {}
        order: list[ParamInfo] = []
        for position, param in enumerate(action.params):
            if param.id in params:
                raise P4InfoInvalid(f"action {pre.name!r}: param id {param.id} is used twice")
            if param.bitwidth < 0:
                raise P4InfoInvalid(f"action {pre.name!r}: param {param.name!r} has a negative bitwidth")
            p = ParamInfo(param.id, param.name, position, param.bitwidth)
            params[param.id] = p
            order.append(p)
        index.actions[pre.id] = ActionInfo(pre.id, pre.name, params, tuple(order))

    for table in info.tables:
        pre = table.preamble
        _prefix_check("table", PREFIX_TABLE, pre.id, pre.name, seen)
        fields, field_order = _match_fields(f"table {pre.name!r}", table.match_fields)
        scopes: dict[int, int] = {}
        for ref in table.action_refs:
            if ref.id not in index.actions:
                raise P4InfoInvalid(f"table {pre.name!r} refers to unknown action id {ref.id:#010x}")
            scopes[ref.id] = ref.scope
        if table.const_default_action_id and table.const_default_action_id not in scopes:
            raise P4InfoInvalid(f"table {pre.name!r}: const default action is not one of its actions")
        direct_counter = 0
        direct_meter = 0
        for rid in table.direct_resource_ids:
            if rid >> 24 == PREFIX_DIRECT_COUNTER:
                direct_counter = rid
            elif rid >> 24 == PREFIX_DIRECT_METER:
                direct_meter = rid
        needs_priority = any(f.kind in (MatchKind.TERNARY, MatchKind.RANGE, MatchKind.OPTIONAL) for f in field_order)
        index.tables[pre.id] = TableInfo(
            id=pre.id,
            name=pre.name,
            fields=fields,
            field_order=field_order,
            action_scopes=scopes,
            const_default_action_id=table.const_default_action_id,
            implementation_id=table.implementation_id,
            direct_counter_id=direct_counter,
            direct_meter_id=direct_meter,
            size=table.size or 1024,
            is_const=table.is_const_table,
            supports_timeout=table.idle_timeout_behavior == p4i.Table.NOTIFY_CONTROL,
            needs_priority=needs_priority,
        )

    for prof in info.action_profiles:
        pre = prof.preamble
        _prefix_check("action profile", PREFIX_ACTION_PROFILE, pre.id, pre.name, seen)
        for tid in prof.table_ids:
            if tid not in index.tables:
                raise P4InfoInvalid(f"action profile {pre.name!r} refers to unknown table id {tid:#010x}")
        index.action_profiles[pre.id] = ActionProfileInfo(
            pre.id, pre.name, tuple(prof.table_ids), prof.with_selector, prof.size, prof.max_group_size
        )
    for tinfo in index.tables.values():
        if tinfo.implementation_id and tinfo.implementation_id not in index.action_profiles:
            raise P4InfoInvalid(f"table {tinfo.name!r}: implementation id {tinfo.implementation_id:#010x} is unknown")

    for counter in info.counters:
        pre = counter.preamble
        _prefix_check("counter", PREFIX_COUNTER, pre.id, pre.name, seen)
        index.counters[pre.id] = CounterInfo(pre.id, pre.name, counter.spec.unit, counter.size)
    for dcounter in info.direct_counters:
        pre = dcounter.preamble
        _prefix_check("direct counter", PREFIX_DIRECT_COUNTER, pre.id, pre.name, seen)
        if dcounter.direct_table_id not in index.tables:
            raise P4InfoInvalid(f"direct counter {pre.name!r} refers to an unknown table")
        index.direct_counters[pre.id] = CounterInfo(pre.id, pre.name, dcounter.spec.unit, 0, dcounter.direct_table_id)
    for meter in info.meters:
        pre = meter.preamble
        _prefix_check("meter", PREFIX_METER, pre.id, pre.name, seen)
        index.meters[pre.id] = MeterInfo(pre.id, pre.name, meter.spec.unit, meter.size)
    for dmeter in info.direct_meters:
        pre = dmeter.preamble
        _prefix_check("direct meter", PREFIX_DIRECT_METER, pre.id, pre.name, seen)
        if dmeter.direct_table_id not in index.tables:
            raise P4InfoInvalid(f"direct meter {pre.name!r} refers to an unknown table")
        index.direct_meters[pre.id] = MeterInfo(pre.id, pre.name, dmeter.spec.unit, 0, dmeter.direct_table_id)

    for reg in info.registers:
        pre = reg.preamble
        _prefix_check("register", PREFIX_REGISTER, pre.id, pre.name, seen)
        width: tuple[int, bool] | None = None
        if reg.type_spec.WhichOneof("type_spec") == "bitstring":
            width = _bitstring_width(reg.type_spec.bitstring)
        bits, signed = width if width is not None else (0, False)
        index.registers[pre.id] = RegisterInfo(pre.id, pre.name, reg.size, bits, signed)

    for digest in info.digests:
        pre = digest.preamble
        _prefix_check("digest", PREFIX_DIGEST, pre.id, pre.name, seen)
        kind, widths = _digest_shape(info, digest.type_spec)
        index.digests[pre.id] = DigestInfo(pre.id, pre.name, kind, widths)

    for vset in info.value_sets:
        pre = vset.preamble
        _prefix_check("value set", PREFIX_VALUE_SET, pre.id, pre.name, seen)
        vfields, vorder = _match_fields(f"value set {pre.name!r}", vset.match)
        index.value_sets[pre.id] = ValueSetInfo(pre.id, pre.name, vset.size, vfields, vorder)

    for meta in info.controller_packet_metadata:
        pre = meta.preamble
        _prefix_check("controller header", PREFIX_CONTROLLER_HEADER, pre.id, pre.name, seen)
        header = _controller_header(meta)
        if pre.name == "packet_in":
            index.packet_in = header
        elif pre.name == "packet_out":
            index.packet_out = header
    return index
