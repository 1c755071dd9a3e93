"""Build the P4Info message for a program, as p4c 1.2.4.8 does, from a :class:`ProgramSpec`.

``build_p4info`` follows p4c's serializer: it first declares every control-plane symbol
(hidden ones included) to assign ids and aliases, then writes each entity kind in the order
the spec lists it (see ``softswitch.p4info.model`` for the rules the spec follows).
``write_p4info_text`` gives the byte-for-byte text of p4c's ``--p4runtime-files X.txtpb``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from finsy.proto import p4i, p4t

from softswitch.p4info.ids import SymbolKind, SymbolTable, allocate_field_ids
from softswitch.p4info.model import (
    ActionProfileSpec,
    ActionSpec,
    Annotation,
    BitsType,
    BoolType,
    ControllerHeaderSpec,
    CounterSpec,
    DirectCounterSpec,
    DirectMeterSpec,
    Doc,
    MeterSpec,
    NamedType,
    P4InfoError,
    PkgInfoSpec,
    ProgramSpec,
    RegisterSpec,
    TableSpec,
    ValueSetSpec,
)
from softswitch.p4info.textformat import P4INFO_TEXT_HEADER, p4info_to_text
from softswitch.p4info.typespec import TypeInfoCollector, printed_annotations

__all__ = ["build_p4info", "write_p4info_text"]

_MATCH_TYPES = {
    "exact": p4i.MatchField.EXACT,
    "lpm": p4i.MatchField.LPM,
    "ternary": p4i.MatchField.TERNARY,
    "range": p4i.MatchField.RANGE,
    "optional": p4i.MatchField.OPTIONAL,
}
_COUNTER_UNITS = {
    "packets": p4i.CounterSpec.PACKETS,
    "bytes": p4i.CounterSpec.BYTES,
    "packets_and_bytes": p4i.CounterSpec.BOTH,
}
_METER_UNITS = {"packets": p4i.MeterSpec.PACKETS, "bytes": p4i.MeterSpec.BYTES}
_SCOPES = {
    "TABLE_AND_DEFAULT": p4i.ActionRef.TABLE_AND_DEFAULT,
    "TABLE_ONLY": p4i.ActionRef.TABLE_ONLY,
    "DEFAULT_ONLY": p4i.ActionRef.DEFAULT_ONLY,
}
_DEFAULT_TABLE_SIZE = 1024


def write_p4info_text(info: p4i.P4Info) -> str:
    """The P4Info text file p4c writes: two comment lines, a blank line, the message."""
    return P4INFO_TEXT_HEADER + p4info_to_text(info)


def build_p4info(spec: ProgramSpec) -> p4i.P4Info:
    """The P4Info message for ``spec``; raises :class:`P4InfoError` on inconsistent input."""
    return _Builder(spec).build()


# --------------------------------------------------------------------------------------------
# Shared field writers


class _Annotated(Protocol):
    """A P4Info message with ``annotations`` and ``structured_annotations`` fields."""

    @property
    def annotations(self) -> Any: ...
    @property
    def structured_annotations(self) -> Any: ...


class _Documented(Protocol):
    """A P4Info message with a ``doc`` field."""

    @property
    def doc(self) -> Any: ...


def _set_annotations(message: _Annotated, annotations: Iterable[Annotation], drop: frozenset[str]) -> None:
    """Fill ``annotations`` and ``structured_annotations`` of any message that has both."""
    annotations = tuple(annotations)
    message.annotations.extend(printed_annotations(annotations, drop))
    for anno in annotations:
        if not anno.structured:
            continue
        structured = message.structured_annotations.add()
        structured.name = anno.name
        if anno.kv_pairs:
            for key, value in anno.kv_pairs:
                pair = structured.kv_pair_list.kv_pairs.add()
                pair.key = key
                _set_expression(pair.value, value)
        elif anno.expressions:
            for value in anno.expressions:
                _set_expression(structured.expression_list.expressions.add(), value)


def _set_expression(expression: p4t.Expression, value: int | bool | str) -> None:
    if isinstance(value, bool):
        expression.bool_value = value
    elif isinstance(value, int):
        if not -(1 << 63) <= value < (1 << 63):
            raise P4InfoError(f"integer literal {value} in a structured annotation must fit in int64")
        expression.int64_value = value
    else:
        expression.string_value = value


def _set_doc(message: _Documented, doc: Doc | None) -> None:
    if doc is None or (doc.brief is None and doc.description is None):
        return
    message.doc.SetInParent()
    if doc.brief is not None:
        message.doc.brief = doc.brief
    if doc.description is not None:
        message.doc.description = doc.description


def _match_kind(message: p4i.MatchField, kind: str) -> None:
    known = _MATCH_TYPES.get(kind)
    if known is not None:
        message.match_type = known
    else:
        message.other_match_type = kind


def _check_unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise P4InfoError(f"name {name!r} is used for multiple {what} objects in the P4Info message")
        seen.add(name)


# --------------------------------------------------------------------------------------------


class _Builder:
    __slots__ = ("info", "spec", "symbols", "types")

    def __init__(self, spec: ProgramSpec) -> None:
        self.spec = spec
        self.info = p4i.P4Info()
        self.symbols = SymbolTable()
        self.types = TypeInfoCollector(spec.types, self.info.type_info)

    def build(self) -> p4i.P4Info:
        self._declare_symbols()
        spec = self.spec
        for table in spec.tables:
            if not table.hidden:
                self._add_table(table)
        emitted_actions: set[str] = set()
        for action in spec.actions:
            if action.hidden or action.name in emitted_actions:
                continue
            emitted_actions.add(action.name)
            self._add_action(action)
        for profile in spec.action_profiles:
            self._add_action_profile(profile)
        for counter in spec.counters:
            self._add_counter(counter)
        for meter in spec.meters:
            self._add_meter(meter)
        self._add_direct_resources()
        for header in spec.controller_headers:
            if not header.hidden:
                self._add_controller_header(header)
        for value_set in spec.value_sets:
            self._add_value_set(value_set)
        for register in spec.registers:
            self._add_register(register)
        emitted_digests: set[str] = set()
        for digest in spec.digests:
            if digest.name in emitted_digests:
                continue
            emitted_digests.add(digest.name)
            message = self.info.digests.add()
            self._preamble(message.preamble, SymbolKind.DIGEST, digest.name, (), None)
            message.type_spec.CopyFrom(self.types.convert(digest.type))
        self._check_duplicates()
        if spec.pkg_info is not None:
            self._add_pkg_info(spec.pkg_info)
        if self._uses_type_info():
            self.info.type_info.SetInParent()
        return self.info

    # -- symbols -------------------------------------------------------------------------

    def _declare_symbols(self) -> None:
        spec = self.spec
        add = self.symbols.add
        for action in spec.actions:
            add(SymbolKind.ACTION, action.name, action.explicit_id)
        for table in spec.tables:
            add(SymbolKind.TABLE, table.name, table.explicit_id)
        for value_set in spec.value_sets:
            add(SymbolKind.VALUE_SET, value_set.name, value_set.explicit_id)
        for profile in spec.action_profiles:
            add(SymbolKind.ACTION_PROFILE, profile.name, profile.explicit_id)
        for counter in spec.counters:
            add(SymbolKind.COUNTER, counter.name, counter.explicit_id)
        for direct_counter in spec.direct_counters:
            add(SymbolKind.DIRECT_COUNTER, direct_counter.name, direct_counter.explicit_id)
        for meter in spec.meters:
            add(SymbolKind.METER, meter.name, meter.explicit_id)
        for direct_meter in spec.direct_meters:
            add(SymbolKind.DIRECT_METER, direct_meter.name, direct_meter.explicit_id)
        for register in spec.registers:
            add(SymbolKind.REGISTER, register.name, register.explicit_id)
        for digest in spec.digests:
            add(SymbolKind.DIGEST, digest.name)
        for header in spec.controller_headers:
            add(SymbolKind.CONTROLLER_HEADER, header.type_name, header.explicit_id)
        self.symbols.assign_ids()

    def _preamble(
        self,
        preamble: p4i.Preamble,
        kind: SymbolKind,
        name: str,
        annotations: tuple[Annotation, ...],
        doc: Doc | None,
        drop: frozenset[str] = frozenset(),
    ) -> None:
        preamble.id = self.symbols.id_of(kind, name)
        preamble.name = name
        preamble.alias = self.symbols.alias_of(name)
        _set_annotations(preamble, annotations, drop)
        _set_doc(preamble, doc)

    # -- tables and actions --------------------------------------------------------------

    def _add_table(self, table: TableSpec) -> None:
        message = self.info.tables.add()
        self._preamble(message.preamble, SymbolKind.TABLE, table.name, table.annotations, table.doc)
        key_ids = allocate_field_ids([k.explicit_id for k in table.keys], f"table {table.name!r} key")
        for key, key_id in zip(table.keys, key_ids, strict=True):
            if key.match_kind == "selector":
                continue
            self.types.record(key.type)
            field = message.match_fields.add()
            field.id = key_id
            field.name = key.name
            _set_annotations(field, key.annotations, frozenset())
            _set_doc(field, key.doc)
            field.bitwidth = self.types.bitwidth(key.type)
            _match_kind(field, key.match_kind)
            type_name = self.types.type_name(key.type)
            if type_name is not None:
                field.type_name.name = type_name
        for ref in table.actions:
            action_ref = message.action_refs.add()
            action_ref.id = self._action_id(ref.action, table.name)
            _set_annotations(action_ref, ref.annotations, frozenset())
            action_ref.scope = _SCOPES[ref.scope]
        if table.const_default_action is not None:
            message.const_default_action_id = self._action_id(table.const_default_action, table.name)
        if table.implementation is not None:
            if not self.symbols.has(SymbolKind.ACTION_PROFILE, table.implementation):
                raise P4InfoError(
                    f"table {table.name!r}: implementation {table.implementation!r} is not an action profile"
                )
            message.implementation_id = self.symbols.id_of(SymbolKind.ACTION_PROFILE, table.implementation)
        if table.direct_counter is not None:
            message.direct_resource_ids.append(
                self._direct_id(SymbolKind.DIRECT_COUNTER, table.direct_counter, table.name)
            )
        if table.direct_meter is not None:
            message.direct_resource_ids.append(
                self._direct_id(SymbolKind.DIRECT_METER, table.direct_meter, table.name)
            )
        message.size = table.size if table.size else _DEFAULT_TABLE_SIZE
        if table.is_const_table:
            message.is_const_table = True
        if table.has_initial_entries:
            message.has_initial_entries = True
        if table.support_timeout:
            message.idle_timeout_behavior = p4i.Table.NOTIFY_CONTROL

    def _action_id(self, action: str, table: str) -> int:
        if not self.symbols.has(SymbolKind.ACTION, action):
            raise P4InfoError(f"table {table!r} refers to action {action!r}, which is not in the program")
        return self.symbols.id_of(SymbolKind.ACTION, action)

    def _direct_id(self, kind: SymbolKind, name: str, table: str) -> int:
        if not self.symbols.has(kind, name):
            raise P4InfoError(f"table {table!r}: {name!r} is not a {kind.label}")
        return self.symbols.id_of(kind, name)

    def _add_action(self, action: ActionSpec) -> None:
        message = self.info.actions.add()
        self._preamble(message.preamble, SymbolKind.ACTION, action.name, action.annotations, action.doc)
        param_ids = allocate_field_ids(
            [p.explicit_id for p in action.params], f"action {action.name!r} parameter"
        )
        for param, param_id in zip(action.params, param_ids, strict=True):
            ptype = param.type
            is_enum = isinstance(ptype, NamedType) and ptype.kind == "enum"
            allowed = isinstance(ptype, BitsType | BoolType) or (
                isinstance(ptype, NamedType) and ptype.kind in ("new_type", "serializable_enum", "enum")
            )
            if not allowed:
                raise P4InfoError(
                    f"action parameter {action.name}.{param.name} has a type which is not "
                    "bit<>, int<>, bool, type or serializable enum"
                )
            message_param = message.params.add()
            message_param.id = param_id
            message_param.name = param.name
            _set_annotations(message_param, param.annotations, frozenset())
            _set_doc(message_param, param.doc)
            if not is_enum:
                message_param.bitwidth = self.types.bitwidth(ptype)
            self.types.record(ptype)
            type_name = self.types.type_name(ptype)
            if type_name is not None:
                message_param.type_name.name = type_name
            elif is_enum and isinstance(ptype, NamedType):
                message_param.type_name.name = ptype.name

    # -- externs ---------------------------------------------------------------------------

    def _add_action_profile(self, profile: ActionProfileSpec) -> None:
        message = self.info.action_profiles.add()
        self._preamble(
            message.preamble,
            SymbolKind.ACTION_PROFILE,
            profile.name,
            profile.annotations,
            profile.doc,
            frozenset({"max_group_size"}),
        )
        users = {t.name for t in self.spec.tables if t.implementation == profile.name}
        for table_name in sorted(users, key=lambda n: n.encode("utf-8")):
            message.table_ids.append(self.symbols.id_of(SymbolKind.TABLE, table_name))
        if profile.with_selector:
            message.with_selector = True
        message.size = profile.size
        if profile.max_group_size is not None and profile.with_selector:
            message.max_group_size = profile.max_group_size

    def _add_counter(self, counter: CounterSpec) -> None:
        message = self.info.counters.add()
        self._preamble(message.preamble, SymbolKind.COUNTER, counter.name, counter.annotations, counter.doc)
        message.spec.unit = _counter_unit(counter.unit, counter.name)
        message.size = counter.size
        if counter.index_type is not None:
            self.types.record(counter.index_type)
            type_name = self.types.type_name(counter.index_type)
            if type_name is not None:
                message.index_type_name.name = type_name

    def _add_meter(self, meter: MeterSpec) -> None:
        message = self.info.meters.add()
        self._preamble(message.preamble, SymbolKind.METER, meter.name, meter.annotations, meter.doc)
        message.spec.unit = _meter_unit(meter.unit, meter.name)
        message.size = meter.size
        if meter.index_type is not None:
            self.types.record(meter.index_type)
            type_name = self.types.type_name(meter.index_type)
            if type_name is not None:
                message.index_type_name.name = type_name

    def _add_direct_resources(self) -> None:
        """Direct counters and meters, in the order of the (visible) tables that use them."""
        counters: dict[str, DirectCounterSpec] = {c.name: c for c in self.spec.direct_counters}
        meters: dict[str, DirectMeterSpec] = {m.name: m for m in self.spec.direct_meters}
        owner: dict[str, str] = {}
        for table in self.spec.tables:
            for resource in (table.direct_counter, table.direct_meter):
                if resource is None:
                    continue
                if resource in owner:
                    raise P4InfoError(
                        f"direct resource {resource!r} is used by tables {owner[resource]!r} and {table.name!r}"
                    )
                owner[resource] = table.name
        for table in self.spec.tables:
            if table.hidden:
                continue
            table_id = self.symbols.id_of(SymbolKind.TABLE, table.name)
            if table.direct_counter is not None:
                counter = counters.get(table.direct_counter)
                if counter is None:
                    raise P4InfoError(
                        f"table {table.name!r}: unknown direct counter {table.direct_counter!r}"
                    )
                message = self.info.direct_counters.add()
                self._preamble(
                    message.preamble,
                    SymbolKind.DIRECT_COUNTER,
                    counter.name,
                    counter.annotations,
                    counter.doc,
                )
                message.spec.unit = _counter_unit(counter.unit, counter.name)
                message.direct_table_id = table_id
            if table.direct_meter is not None:
                meter = meters.get(table.direct_meter)
                if meter is None:
                    raise P4InfoError(f"table {table.name!r}: unknown direct meter {table.direct_meter!r}")
                meter_message = self.info.direct_meters.add()
                self._preamble(
                    meter_message.preamble, SymbolKind.DIRECT_METER, meter.name, meter.annotations, meter.doc
                )
                meter_message.spec.unit = _meter_unit(meter.unit, meter.name)
                meter_message.direct_table_id = table_id

    def _add_register(self, register: RegisterSpec) -> None:
        message = self.info.registers.add()
        self._preamble(
            message.preamble, SymbolKind.REGISTER, register.name, register.annotations, register.doc
        )
        message.size = register.size
        message.type_spec.CopyFrom(self.types.convert(register.type))
        if register.index_type is not None:
            self.types.record(register.index_type)
            type_name = self.types.type_name(register.index_type)
            if type_name is not None:
                message.index_type_name.name = type_name

    # -- packet I/O, value sets, package -----------------------------------------------------

    def _add_controller_header(self, header: ControllerHeaderSpec) -> None:
        message = self.info.controller_packet_metadata.add()
        preamble = message.preamble
        preamble.id = self.symbols.id_of(SymbolKind.CONTROLLER_HEADER, header.type_name)
        preamble.name = header.controller_name
        preamble.alias = header.controller_name
        _set_annotations(preamble, header.annotations, frozenset())
        _set_doc(preamble, header.doc)
        field_ids = allocate_field_ids(
            [f.explicit_id for f in header.fields], f"controller header {header.type_name!r} field"
        )
        for header_field, field_id in zip(header.fields, field_ids, strict=True):
            if header_field.hidden:
                continue
            ftype = header_field.type
            if not (
                isinstance(ftype, BitsType)
                or (isinstance(ftype, NamedType) and ftype.kind in ("new_type", "serializable_enum"))
            ):
                raise P4InfoError(
                    f"header field {header.type_name}.{header_field.name} has a type which is not "
                    "bit<>, int<>, type, or serializable enum"
                )
            metadata = message.metadata.add()
            metadata.id = field_id
            metadata.name = header_field.name
            _set_annotations(metadata, header_field.annotations, frozenset())
            metadata.bitwidth = self.types.bitwidth(ftype)
            self.types.record(ftype)
            type_name = self.types.type_name(ftype)
            if type_name is not None:
                metadata.type_name.name = type_name

    def _add_value_set(self, value_set: ValueSetSpec) -> None:
        message = self.info.value_sets.add()
        self._preamble(
            message.preamble, SymbolKind.VALUE_SET, value_set.name, value_set.annotations, value_set.doc
        )
        message.size = value_set.size
        match_ids = allocate_field_ids(
            [m.explicit_id for m in value_set.matches], f"value set {value_set.name!r} field"
        )
        for match, match_id in zip(value_set.matches, match_ids, strict=True):
            if match.match_kind == "selector":
                raise P4InfoError(f"value set {value_set.name!r}: unsupported match type selector")
            field = message.match.add()
            field.id = match_id
            if match.name is not None:
                field.name = match.name
            field.bitwidth = match.bitwidth
            _match_kind(field, match.match_kind)
            _set_annotations(field, match.annotations, frozenset({"match"}))
            _set_doc(field, match.doc)

    def _add_pkg_info(self, pkg: PkgInfoSpec) -> None:
        message = self.info.pkg_info
        message.SetInParent()
        message.arch = pkg.arch
        for attr in ("name", "version", "organization", "contact", "url"):
            value = getattr(pkg, attr)
            if value is not None:
                setattr(message, attr, value)
        _set_annotations(message, pkg.annotations, frozenset({"pkginfo"}))
        _set_doc(message, pkg.doc)

    # -- checks ------------------------------------------------------------------------------

    def _check_duplicates(self) -> None:
        info = self.info
        groups = (
            (info.tables, "table"),
            (info.actions, "action"),
            (info.action_profiles, "action profile"),
            (info.counters, "counter"),
            (info.direct_counters, "direct counter"),
            (info.meters, "meter"),
            (info.direct_meters, "direct meter"),
            (info.controller_packet_metadata, "controller packet metadata"),
            (info.value_sets, "value set"),
            (info.registers, "register"),
            (info.digests, "digest"),
        )
        for items, what in groups:
            _check_unique((item.preamble.name for item in items), what)

    def _uses_type_info(self) -> bool:
        """Whether p4c would have touched ``type_info`` (it then prints ``type_info { }``)."""
        spec = self.spec
        if spec.uses_type_info or len(self.info.type_info.ListFields()) > 0:
            return True
        if any(not t.hidden for t in spec.tables):
            return True
        if any(a.params and not a.hidden for a in spec.actions):
            return True
        if any(not h.hidden and any(not f.hidden for f in h.fields) for h in spec.controller_headers):
            return True
        declared_instances = (
            spec.action_profiles,
            spec.counters,
            spec.direct_counters,
            spec.meters,
            spec.direct_meters,
            spec.registers,
            spec.digests,
        )
        return any(len(group) > 0 for group in declared_instances)


def _counter_unit(unit: str, name: str) -> int:
    value = _COUNTER_UNITS.get(unit)
    if value is None:
        raise P4InfoError(f"counter {name!r} has an unknown unit {unit!r}")
    return value


def _meter_unit(unit: str, name: str) -> int:
    value = _METER_UNITS.get(unit)
    if value is None:
        raise P4InfoError(f"meter {name!r} has an unknown unit {unit!r}")
    return value
