"""Semantic types of P4-16, as computed by the type checker.

Types are immutable values that compare structurally, except the named aggregate types (header,
struct, union, enum, extern, parser, control, package), which compare by their declaration.
Typedefs are resolved away (a typedef is its target type); ``type`` declarations give ``NewType``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import ast


@dataclass(frozen=True, slots=True)
class Type:
    pass


@dataclass(frozen=True, slots=True)
class BitsT(Type):
    """``bit<W>`` (signed False) or ``int<W>`` (signed True)."""

    width: int
    signed: bool = False

    def __str__(self) -> str:
        return f"{'int' if self.signed else 'bit'}<{self.width}>"


@dataclass(frozen=True, slots=True)
class IntT(Type):
    """The arbitrary-precision type of unsized integer literals and constants (``int``)."""

    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True, slots=True)
class VarbitT(Type):
    max_width: int

    def __str__(self) -> str:
        return f"varbit<{self.max_width}>"


@dataclass(frozen=True, slots=True)
class BoolT(Type):
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class StringT(Type):
    def __str__(self) -> str:
        return "string"


@dataclass(frozen=True, slots=True)
class VoidT(Type):
    def __str__(self) -> str:
        return "void"


@dataclass(frozen=True, slots=True)
class DontCareT(Type):
    def __str__(self) -> str:
        return "_"


@dataclass(frozen=True, slots=True)
class ErrorT(Type):
    """The ``error`` type. Values are BMv2 error codes (NoError 0 ... user errors from 7)."""

    def __str__(self) -> str:
        return "error"


@dataclass(frozen=True, slots=True)
class MatchKindT(Type):
    def __str__(self) -> str:
        return "match_kind"


@dataclass(frozen=True, slots=True)
class TypeVar(Type):
    """An unresolved type parameter (only inside generic declarations)."""

    name: str
    owner: int = 0  # id() of the declaring node, to keep same-named parameters apart

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class FieldT:
    name: str
    type: Type


@dataclass(frozen=True, slots=True, eq=False)
class StructLikeT(Type):
    """Common base of header, struct and header union types.

    ``fields`` are in declaration order with resolved types. ``decl`` is the declaration (None for
    types synthesized by the checker, e.g. the type of a struct-valued list expression).
    Equality is by declaration when there is one, else structural.
    """

    name: str
    fields: tuple[FieldT, ...]
    decl: ast.Decl | None = field(default=None, compare=False)

    def field_type(self, name: str) -> Type | None:
        for f in self.fields:
            if f.name == name:
                return f.type
        return None

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return False
        assert isinstance(other, StructLikeT)
        if self.decl is not None or other.decl is not None:
            return self.decl is other.decl and self.fields == other.fields
        return self.fields == other.fields

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class HeaderT(StructLikeT):
    def width(self) -> int:
        """Total width in bits of the fixed fields (varbit counted at its maximum)."""
        total = 0
        for f in self.fields:
            t = f.type
            if isinstance(t, BitsT):
                total += t.width
            elif isinstance(t, VarbitT):
                total += t.max_width
            elif isinstance(t, BoolT):
                total += 1
            elif isinstance(t, (SerEnumT, NewTypeT)):
                total += bit_width(t)
        return total


@dataclass(frozen=True, slots=True, eq=False)
class StructT(StructLikeT):
    pass


@dataclass(frozen=True, slots=True, eq=False)
class HeaderUnionT(StructLikeT):
    pass


@dataclass(frozen=True, slots=True)
class StackT(Type):
    """A header stack ``H[size]`` (elem is a HeaderT or HeaderUnionT)."""

    elem: Type
    size: int

    def __str__(self) -> str:
        return f"{self.elem}[{self.size}]"


@dataclass(frozen=True, slots=True)
class TupleT(Type):
    """``tuple<...>``, and the type of list expressions ``{a, b}``."""

    elems: tuple[Type, ...]

    def __str__(self) -> str:
        return "tuple<" + ", ".join(map(str, self.elems)) + ">"


@dataclass(frozen=True, slots=True, eq=False)
class EnumT(Type):
    """A plain enum: values are member indices in declaration order."""

    name: str
    members: tuple[str, ...]
    decl: ast.Decl | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EnumT) and other.name == self.name and other.decl is self.decl

    def __hash__(self) -> int:
        return hash(("enum", self.name))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class SerEnumT(Type):
    """A serializable enum ``enum bit<W> E { A = v }``: values are the member values."""

    name: str
    base: BitsT
    members: tuple[tuple[str, int], ...]
    decl: ast.Decl | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SerEnumT) and other.name == self.name and other.decl is self.decl

    def __hash__(self) -> int:
        return hash(("serenum", self.name))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class NewTypeT(Type):
    """``type T name;``: a distinct type represented like ``base``."""

    name: str
    base: Type
    decl: ast.Decl | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewTypeT) and other.name == self.name and other.decl is self.decl

    def __hash__(self) -> int:
        return hash(("newtype", self.name))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class ObjectT(Type):
    """Types of non-data objects: externs, parsers, controls, packages, tables, actions,
    functions, value sets and parser states. ``kind`` says which; ``decl`` is the declaration;
    ``type_args`` the specialization (e.g. register<bit<32>> → (BitsT(32),))."""

    kind: str  # "extern" | "parser" | "control" | "package" | "table" | "action" | "function" | "value_set" | "state"
    name: str
    decl: ast.Decl | None = field(default=None, compare=False)
    type_args: tuple[Type, ...] = ()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectT)
            and other.kind == self.kind
            and other.decl is self.decl
            and other.type_args == self.type_args
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.name))

    def __str__(self) -> str:
        if self.type_args:
            return f"{self.name}<{', '.join(map(str, self.type_args))}>"
        return self.name


@dataclass(frozen=True, slots=True)
class TableResultT(Type):
    """The struct returned by ``t.apply()``: hit, miss, action_run."""

    table: str

    def __str__(self) -> str:
        return f"apply_result({self.table})"


@dataclass(frozen=True, slots=True)
class ActionEnumT(Type):
    """The type of ``t.apply().action_run`` (an enumeration of the table's actions)."""

    table: str

    def __str__(self) -> str:
        return f"action_list({self.table})"


def bit_width(t: Type) -> int:
    """Width in bits of a fixed-width scalar (bit/int/bool/serializable enum/new type over those);
    for headers and structs the sum of the fields' widths; raises ValueError otherwise."""
    if isinstance(t, BitsT):
        return t.width
    if isinstance(t, BoolT):
        return 1
    if isinstance(t, SerEnumT):
        return t.base.width
    if isinstance(t, NewTypeT):
        return bit_width(t.base)
    if isinstance(t, VarbitT):
        return t.max_width
    if isinstance(t, StructLikeT):
        return sum(bit_width(f.type) for f in t.fields)
    if isinstance(t, StackT):
        return bit_width(t.elem) * t.size
    raise ValueError(f"type {t} has no fixed bit width")


def underlying(t: Type) -> Type:
    """The representation type: NewType → its base (recursively), serializable enum → its base."""
    while True:
        if isinstance(t, (NewTypeT, SerEnumT)):
            t = t.base
        else:
            return t
