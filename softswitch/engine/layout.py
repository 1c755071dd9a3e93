"""The PHV: where every header, field, metadata value and local variable of a program lives.

A packet's state is one flat Python list (the PHV). Each storage location gets a fixed slot index
when the program is loaded, so generated code reads ``P[17]`` instead of walking objects:

* a scalar (``bit<W>``, ``int<W>``, bool, error, enum) is one slot holding an int (bool may be a
  Python bool);
* a ``varbit<N>`` is two slots: the value and its current length in bits;
* a header is its validity flag (0/1) followed by its fields in declaration order;
* a struct is its fields in order; a header union its member headers in order;
* a header stack is its ``next`` index followed by its elements;
* a tuple is its elements in order.

Every aggregate occupies a contiguous range ``[base, base + size)``, and two values of the same
type have the same shape, so an aggregate assignment is one slice copy.

The first :data:`INTRINSIC_SLOTS` slots hold per-packet state that is not a P4 value (BMv2's
packet registers: the length register, clone/resubmit/recirculate requests, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from softswitch.frontend.types import (
    BitsT,
    BoolT,
    EnumT,
    ErrorT,
    HeaderT,
    HeaderUnionT,
    IntT,
    StackT,
    StructT,
    TupleT,
    Type,
    VarbitT,
    underlying,
)

# Per-packet registers kept in the PHV (see pipeline.py for their meaning).
SLOT_LEN_REG = 0  # BMv2 packet register 0: the packet length, moved by setValid/setInvalid
SLOT_INGRESS_LEN = 1  # the ingress length used by counters and meters
SLOT_CLONE = 2  # 0 none, else session | 0x10000 (requested)
SLOT_CLONE_FL = 3  # field-list id of the clone request (0 none)
SLOT_RESUBMIT = 4  # 0 none, else field-list id + 1
SLOT_RECIRC = 5  # 0 none, else field-list id + 1
SLOT_TRUNCATE = 6  # -1 none, else the smallest requested length
SLOT_DIGEST = 7  # None, or a generated function P -> (digest index, values)
SLOT_SCRATCH = 8  # written by the pipeline for standard_metadata fields a program does not declare
INTRINSIC_SLOTS = 9

CLONE_REQUESTED = 0x10000


class LayoutError(Exception):
    """A type the PHV cannot hold (reported by the code generator as unsupported)."""


@dataclass(slots=True, eq=False)
class Layout:
    base: int
    size: int
    type: Type


@dataclass(slots=True, eq=False)
class ScalarLayout(Layout):
    """One slot. ``width`` is the bit width (1 for bool, 0 for types without a width)."""

    width: int = 0
    signed: bool = False


@dataclass(slots=True, eq=False)
class VarbitLayout(Layout):
    """Value at ``base``, current length in bits at ``base + 1``."""

    max_width: int = 0


@dataclass(slots=True, eq=False)
class HeaderLayout(Layout):
    """Validity flag at ``base``; fields follow in declaration order."""

    fields: dict[str, Layout] = field(default_factory=dict)
    fixed_width: int = 0  # bits of the fixed-width fields
    varbit: str | None = None  # name of the varbit field, if any
    leaves: list[ScalarLayout | VarbitLayout] = field(default_factory=list)  # fields flattened

    @property
    def valid(self) -> int:
        return self.base


@dataclass(slots=True, eq=False)
class StructLayout(Layout):
    fields: dict[str, Layout] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class UnionLayout(Layout):
    members: dict[str, HeaderLayout] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class StackLayout(Layout):
    """``next`` index at ``base``; element ``i`` starts at ``base + 1 + i * elem_size``."""

    elems: list[Layout] = field(default_factory=list)
    elem_size: int = 0

    @property
    def next_slot(self) -> int:
        return self.base

    @property
    def first(self) -> int:
        return self.base + 1


@dataclass(slots=True, eq=False)
class TupleLayout(Layout):
    elems: list[Layout] = field(default_factory=list)


def scalar_width(t: Type) -> tuple[int, bool]:
    """(width, signed) of a scalar type; width 0 for error/plain enum/infint."""
    u = underlying(t)
    if isinstance(u, BitsT):
        return u.width, u.signed
    if isinstance(u, BoolT):
        return 1, False
    return 0, False


def is_scalar(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, (BitsT, BoolT, ErrorT, EnumT, IntT))


class PhvBuilder:
    """Allocates slots. ``template`` is the PHV every packet starts from; ``names`` says what each
    slot is (for the generated-code dump and debugging)."""

    def __init__(self) -> None:
        self.template: list[object] = [0] * INTRINSIC_SLOTS
        self.template[SLOT_DIGEST] = None
        self.template[SLOT_TRUNCATE] = -1
        self.names: list[str] = [
            "$len_reg", "$ingress_len", "$clone", "$clone_fl", "$resubmit", "$recirc", "$truncate", "$digest",
            "$scratch",
        ]

        self.roots: list[Layout] = []

    @property
    def size(self) -> int:
        return len(self.template)

    def _slot(self, name: str) -> int:
        self.template.append(0)
        self.names.append(name)
        return len(self.template) - 1

    def alloc(self, t: Type, name: str) -> Layout:
        """Allocate storage for a value of type ``t``, named ``name`` in the slot map."""
        lay = self._alloc(t, name)
        self.roots.append(lay)
        return lay

    def _alloc(self, t: Type, name: str) -> Layout:
        u = underlying(t)
        base = len(self.template)
        if isinstance(u, VarbitT):
            self._slot(name)
            self._slot(name + ".$len")
            return VarbitLayout(base, 2, t, max_width=u.max_width)
        if isinstance(u, (BitsT, BoolT, ErrorT, EnumT, IntT)):
            self._slot(name)
            w, s = scalar_width(u)
            return ScalarLayout(base, 1, t, width=w, signed=s)
        if isinstance(u, HeaderT):
            self._slot(name + ".$valid")
            fields: dict[str, Layout] = {}
            varbit: str | None = None
            for f in u.fields:
                sub = self._alloc(f.type, f"{name}.{f.name}")
                if isinstance(sub, VarbitLayout):
                    varbit = f.name
                elif not isinstance(sub, (ScalarLayout, StructLayout)) or (
                    isinstance(sub, StructLayout) and len(scalar_slots(sub)) != sub.size
                ):
                    raise LayoutError(f"header field {name}.{f.name} has type {f.type}, which a header cannot hold")
                fields[f.name] = sub
            leaves = _leaves(fields)
            fixed = sum(x.width for x in leaves if isinstance(x, ScalarLayout))
            return HeaderLayout(
                base, len(self.template) - base, t, fields=fields, fixed_width=fixed, varbit=varbit, leaves=leaves
            )
        if isinstance(u, HeaderUnionT):
            members: dict[str, HeaderLayout] = {}
            for f in u.fields:
                sub = self._alloc(f.type, f"{name}.{f.name}")
                if not isinstance(sub, HeaderLayout):
                    raise LayoutError(f"header union member {name}.{f.name} is not a header")
                members[f.name] = sub
            return UnionLayout(base, len(self.template) - base, t, members=members)
        if isinstance(u, StructT):
            sfields: dict[str, Layout] = {}
            for f in u.fields:
                sfields[f.name] = self._alloc(f.type, f"{name}.{f.name}")
            return StructLayout(base, len(self.template) - base, t, fields=sfields)
        if isinstance(u, StackT):
            self._slot(name + ".$next")
            elems = [self._alloc(u.elem, f"{name}[{i}]") for i in range(u.size)]
            esize = elems[0].size if elems else 0
            return StackLayout(base, len(self.template) - base, t, elems=elems, elem_size=esize)
        if isinstance(u, TupleT):
            telems = [self._alloc(et, f"{name}.{i}") for i, et in enumerate(u.elems)]
            return TupleLayout(base, len(self.template) - base, t, elems=telems)
        raise LayoutError(f"cannot store a value of type {t} ({name})")


def _leaves(fields: dict[str, Layout]) -> list[ScalarLayout | VarbitLayout]:
    out: list[ScalarLayout | VarbitLayout] = []
    for f in fields.values():
        out.extend(scalar_slots(f))
    return out


def shifted(layout: Layout, delta: int) -> Layout:
    """A copy of ``layout`` with every slot moved by ``delta`` (used to address stack elements
    relative to a base computed at run time)."""
    if isinstance(layout, ScalarLayout):
        return ScalarLayout(layout.base + delta, layout.size, layout.type, width=layout.width, signed=layout.signed)
    if isinstance(layout, VarbitLayout):
        return VarbitLayout(layout.base + delta, layout.size, layout.type, max_width=layout.max_width)
    if isinstance(layout, HeaderLayout):
        hf = {k: shifted(v, delta) for k, v in layout.fields.items()}
        return HeaderLayout(
            layout.base + delta, layout.size, layout.type, fields=hf,
            fixed_width=layout.fixed_width, varbit=layout.varbit, leaves=_leaves(hf),
        )
    if isinstance(layout, StructLayout):
        return StructLayout(
            layout.base + delta, layout.size, layout.type,
            fields={k: shifted(v, delta) for k, v in layout.fields.items()},
        )
    if isinstance(layout, UnionLayout):
        um: dict[str, HeaderLayout] = {}
        for k, m in layout.members.items():
            sm = shifted(m, delta)
            assert isinstance(sm, HeaderLayout)
            um[k] = sm
        return UnionLayout(layout.base + delta, layout.size, layout.type, members=um)
    if isinstance(layout, StackLayout):
        return StackLayout(
            layout.base + delta, layout.size, layout.type,
            elems=[shifted(e, delta) for e in layout.elems], elem_size=layout.elem_size,
        )
    if isinstance(layout, TupleLayout):
        return TupleLayout(
            layout.base + delta, layout.size, layout.type, elems=[shifted(e, delta) for e in layout.elems]
        )
    raise LayoutError(f"unknown layout {layout!r}")


def headers_in(layout: Layout) -> list[HeaderLayout]:
    """Every header inside ``layout`` (itself, union members, stack elements, struct fields)."""
    out: list[HeaderLayout] = []
    if isinstance(layout, HeaderLayout):
        out.append(layout)
    elif isinstance(layout, UnionLayout):
        out.extend(layout.members.values())
    elif isinstance(layout, StackLayout):
        for e in layout.elems:
            out.extend(headers_in(e))
    elif isinstance(layout, (StructLayout,)):
        for f in layout.fields.values():
            out.extend(headers_in(f))
    elif isinstance(layout, TupleLayout):
        for e in layout.elems:
            out.extend(headers_in(e))
    return out


def scalar_slots(layout: Layout) -> list[ScalarLayout | VarbitLayout]:
    """Every scalar or varbit slot inside ``layout`` in order (validity flags excluded)."""
    out: list[ScalarLayout | VarbitLayout] = []
    if isinstance(layout, (ScalarLayout, VarbitLayout)):
        out.append(layout)
    elif isinstance(layout, HeaderLayout):
        out.extend(layout.leaves)
    elif isinstance(layout, UnionLayout):
        for m in layout.members.values():
            out.extend(scalar_slots(m))
    elif isinstance(layout, StackLayout):
        for e in layout.elems:
            out.extend(scalar_slots(e))
    elif isinstance(layout, StructLayout):
        for f in layout.fields.values():
            out.extend(scalar_slots(f))
    elif isinstance(layout, TupleLayout):
        for e in layout.elems:
            out.extend(scalar_slots(e))
    return out


_SHAPES: dict[Type, Layout] = {}


def shape_of(t: Type) -> Layout:
    """The layout of a value of type ``t`` placed at slot 0 (for offsets inside non-lvalue
    aggregates, e.g. a field of a function's struct result)."""
    cached = _SHAPES.get(t)
    if cached is not None:
        return cached
    b = PhvBuilder()
    b.template = []
    b.names = []
    lay = b._alloc(t, "")
    _SHAPES[t] = lay
    return lay
