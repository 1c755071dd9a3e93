"""P4 data types as P4Info sees them: bit widths, type names and the ``type_info`` catalogue.

:class:`TypeInfoCollector` mirrors what p4c's TypeSpecConverter does: converting a type to a
``P4DataTypeSpec`` also records, in ``type_info``, every named type reached through it.
"""

from __future__ import annotations

from finsy.proto import p4t

from softswitch.p4info.model import (
    Annotation,
    BitsType,
    BoolType,
    DataType,
    NamedType,
    NewTypeDef,
    P4InfoError,
    SerEnumDef,
    StackType,
    TupleType,
    TypeCatalog,
    VarbitType,
)

__all__ = ["TypeInfoCollector", "serializable_value_bytes"]

# Unstructured annotations P4Info never prints (they live in other fields).
_ALWAYS_DROPPED = frozenset({"name", "id", "brief", "description"})


def printed_annotations(
    annotations: tuple[Annotation, ...], also_drop: frozenset[str] = frozenset()
) -> list[str]:
    """The ``annotations`` strings p4c writes for these annotations, in order."""
    out: list[str] = []
    for anno in annotations:
        if anno.structured:
            continue
        if anno.name in _ALWAYS_DROPPED or anno.name in also_drop:
            continue
        out.append(anno.text())
    return out


def serializable_value_bytes(value: int, width: int) -> bytes:
    """A value as P4Info/P4Runtime bytes, padded to the full width (as p4c writes them)."""
    if value < 0:
        raise P4InfoError(f"negative value {value} cannot be written in P4Info")
    if width <= 0:
        raise P4InfoError("unexpected width 0")
    if value.bit_length() > width:
        raise P4InfoError(f"cannot represent {value} on {width} bits")
    return value.to_bytes((width + 7) // 8, "big")


class TypeInfoCollector:
    """Converts types for one P4Info message, filling its ``type_info`` as it goes."""

    __slots__ = ("_catalog", "_info")

    def __init__(self, catalog: TypeCatalog, type_info: p4t.P4TypeInfo) -> None:
        self._catalog = catalog
        self._info = type_info

    # -- widths and names ----------------------------------------------------------------

    def bitwidth(self, dtype: DataType) -> int:
        """The width p4c reports for a field, parameter or key of this type."""
        if isinstance(dtype, NamedType) and dtype.kind == "new_type":
            definition = self._new_type(dtype.name)
            if definition.translation is not None:
                return definition.translation.sdn_bitwidth or 0
        if isinstance(dtype, NamedType) and dtype.kind == "error":
            return 0
        return self._plain_width(dtype)

    def _plain_width(self, dtype: DataType) -> int:
        if isinstance(dtype, BitsType):
            return dtype.width
        if isinstance(dtype, BoolType):
            return 1
        if isinstance(dtype, VarbitType):
            return 0
        if isinstance(dtype, TupleType):
            return sum(self._plain_width(m) for m in dtype.members)
        if isinstance(dtype, StackType):
            return self._plain_width(dtype.element) * dtype.size
        kind, name = dtype.kind, dtype.name
        if kind == "serializable_enum":
            return self._ser_enum(name).width
        if kind == "new_type":
            return self._plain_width(self._new_type(name).underlying)
        if kind in ("struct", "header"):
            table = self._catalog.structs if kind == "struct" else self._catalog.headers
            definition = table.get(name)
            if definition is None:
                raise P4InfoError(f"unknown {kind} type {name!r}")
            return sum(self._plain_width(t) for _, t in definition.members)
        if kind == "header_union":
            union = self._catalog.header_unions.get(name)
            if union is None:
                raise P4InfoError(f"unknown header union type {name!r}")
            return max((self._plain_width(NamedType("header", h)) for _, h in union.members), default=0)
        raise P4InfoError(f"width not well-defined for values of type {name!r}")

    @staticmethod
    def type_name(dtype: DataType) -> str | None:
        """P4Info's ``type_name``: set only for ``type`` new types."""
        if isinstance(dtype, NamedType) and dtype.kind == "new_type":
            return dtype.name
        return None

    # -- conversion ----------------------------------------------------------------------

    def convert(self, dtype: DataType) -> p4t.P4DataTypeSpec:
        """``dtype`` as a P4DataTypeSpec; named types reached are added to ``type_info``."""
        spec = p4t.P4DataTypeSpec()
        self._fill(spec, dtype)
        return spec

    def _fill(self, spec: p4t.P4DataTypeSpec, dtype: DataType) -> None:
        if isinstance(dtype, BitsType):
            self._fill_bitstring(spec.bitstring, dtype)
        elif isinstance(dtype, VarbitType):
            spec.bitstring.varbit.max_bitwidth = dtype.max_width
        elif isinstance(dtype, BoolType):
            spec.bool.SetInParent()
        elif isinstance(dtype, TupleType):
            spec.tuple.SetInParent()
            for member in dtype.members:
                self._fill(spec.tuple.members.add(), member)
        elif isinstance(dtype, StackType):
            element = dtype.element
            if element.kind == "header":
                spec.header_stack.header.name = element.name
                spec.header_stack.size = dtype.size
            elif element.kind == "header_union":
                spec.header_union_stack.header_union.name = element.name
                spec.header_union_stack.size = dtype.size
            else:
                raise P4InfoError(f"unexpected stack element type {element.name!r}")
            self._record(element)
        else:
            kind, name = dtype.kind, dtype.name
            if kind == "struct":
                spec.struct.name = name
            elif kind == "header":
                spec.header.name = name
            elif kind == "header_union":
                spec.header_union.name = name
            elif kind == "enum":
                spec.enum.name = name
            elif kind == "serializable_enum":
                spec.serializable_enum.name = name
            elif kind == "error":
                spec.error.SetInParent()
            elif kind == "new_type":
                spec.new_type.name = name
            self._record(dtype)

    @staticmethod
    def _fill_bitstring(spec: p4t.P4BitstringLikeTypeSpec, dtype: BitsType) -> None:
        if dtype.signed:
            spec.int.bitwidth = dtype.width
        else:
            spec.bit.bitwidth = dtype.width

    def record(self, dtype: DataType) -> None:
        """Add the named types reached through ``dtype`` to ``type_info`` (no spec needed)."""
        if isinstance(dtype, NamedType):
            self._record(dtype)
        elif isinstance(dtype, StackType):
            self._record(dtype.element)
        elif isinstance(dtype, TupleType):
            for member in dtype.members:
                self.record(member)

    def _record(self, ref: NamedType) -> None:
        info = self._info
        catalog = self._catalog
        kind, name = ref.kind, ref.name
        if kind == "struct":
            if name in info.structs:
                return
            definition = catalog.structs.get(name)
            if definition is None:
                raise P4InfoError(f"unknown struct type {name!r}")
            struct_spec = p4t.P4StructTypeSpec()
            for member_name, member_type in definition.members:
                member = struct_spec.members.add()
                member.name = member_name
                self._fill(member.type_spec, member_type)
            info.structs[name].CopyFrom(struct_spec)
        elif kind == "header":
            if name in info.headers:
                return
            header = catalog.headers.get(name)
            if header is None:
                raise P4InfoError(f"unknown header type {name!r}")
            header_spec = p4t.P4HeaderTypeSpec()
            for member_name, member_type in header.members:
                if not isinstance(member_type, BitsType):
                    raise P4InfoError(f"header {name!r}: field {member_name!r} is not bit<W> or int<W>")
                member = header_spec.members.add()
                member.name = member_name
                self._fill_bitstring(member.type_spec, member_type)
            info.headers[name].CopyFrom(header_spec)
        elif kind == "header_union":
            if name in info.header_unions:
                return
            union = catalog.header_unions.get(name)
            if union is None:
                raise P4InfoError(f"unknown header union type {name!r}")
            union_spec = p4t.P4HeaderUnionTypeSpec()
            for member_name, header_name in union.members:
                member = union_spec.members.add()
                member.name = member_name
                member.header.name = header_name
                self._record(NamedType("header", header_name))
            info.header_unions[name].CopyFrom(union_spec)
        elif kind == "enum":
            if name in info.enums:
                return
            members = catalog.enums.get(name)
            if members is None:
                raise P4InfoError(f"unknown enum type {name!r}")
            enum_spec = p4t.P4EnumTypeSpec()
            for member_name in members:
                enum_spec.members.add().name = member_name
            info.enums[name].CopyFrom(enum_spec)
        elif kind == "serializable_enum":
            if name in info.serializable_enums:
                return
            ser = self._ser_enum(name)
            ser_spec = p4t.P4SerializableEnumTypeSpec()
            ser_spec.underlying_type.bitwidth = ser.width
            for member_name, value in ser.members:
                member = ser_spec.members.add()
                member.name = member_name
                member.value = serializable_value_bytes(value, ser.width)
            info.serializable_enums[name].CopyFrom(ser_spec)
        elif kind == "error":
            if info.HasField("error"):
                return
            info.error.SetInParent()
            info.error.members.extend(catalog.errors)
        elif kind == "new_type":
            if name in info.new_types:
                return
            new_type = self._new_type(name)
            new_spec = p4t.P4NewTypeSpec()
            original = self.convert(new_type.underlying)
            new_spec.annotations.extend(
                printed_annotations(new_type.annotations, frozenset({"p4runtime_translation"}))
            )
            if new_type.translation is not None:
                new_spec.translated_type.uri = new_type.translation.uri
                if new_type.translation.sdn_bitwidth is None:
                    new_spec.translated_type.sdn_string.SetInParent()
                else:
                    new_spec.translated_type.sdn_bitwidth = new_type.translation.sdn_bitwidth
            else:
                new_spec.original_type.CopyFrom(original)
            info.new_types[name].CopyFrom(new_spec)
        else:
            raise P4InfoError(f"unexpected named type kind {kind!r}")

    def _ser_enum(self, name: str) -> SerEnumDef:
        definition = self._catalog.serializable_enums.get(name)
        if definition is None:
            raise P4InfoError(f"unknown serializable enum type {name!r}")
        return definition

    def _new_type(self, name: str) -> NewTypeDef:
        definition = self._catalog.new_types.get(name)
        if definition is None:
            raise P4InfoError(f"unknown new type {name!r}")
        return definition
