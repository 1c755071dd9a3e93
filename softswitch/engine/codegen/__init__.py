"""Compile an elaborated v1model program into Python source specialized for it.

:func:`generate` returns a :class:`GeneratedProgram`: the module source (inspectable, e.g. for
``softswitch compile --dump-python``), the PHV template, and what the loader
(:mod:`softswitch.engine.program`) needs to create the runtime objects the source refers to
(tables, extern instances, value sets) and bind them into the module's namespace.

Entry points in the generated module:

* ``_parse(P, data) -> pos``: run the parser; sets ``standard_metadata.parser_error``;
* ``_verify(P, payload)``, ``_compute(P, payload)``: the checksum controls;
* ``_ingress(P)``, ``_egress(P)``: the pipelines (``exit`` is caught here);
* ``_deparse(P) -> list[bytes]``: the emitted headers, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from softswitch.engine.layout import (
    Layout,
    LayoutError,
    StackLayout,
    StructLayout,
    headers_in,
    scalar_slots,
)
from softswitch.frontend import ast
from softswitch.frontend.errors import P4Error
from softswitch.frontend.instances import (
    ActionInstance,
    BlockInstance,
    Elaborated,
    ExternInstance,
    ValueSetInstance,
)
from softswitch.frontend.types import ObjectT, StructT, underlying

from .base import TableGenInfo
from .blocks import BlockGen, CallPlan
from .context import Binding, Loc, ObjRef, PacketRef, Storage, unsupported
from .expressions import ExprGen
from .externs import ExternGen
from .parser import ParserGen
from .prelude import PRELUDE
from .statements import StmtGen
from .table_apply import TableGen

__all__ = ["GeneratedProgram", "generate"]

TOP_BLOCKS = ("p", "vr", "ig", "eg", "ck", "dep")


@dataclass(slots=True)
class GeneratedProgram:
    source: str
    namespace: dict[str, Any]
    template: list[object]
    slot_names: list[str]
    hdr: Layout
    meta: Layout
    sm: StructLayout
    sm_slots: dict[str, int]
    header_ranges: list[tuple[int, int]]
    tables: list[TableGenInfo]
    action_ids: dict[ActionInstance, int]
    action_fns: dict[ActionInstance, str]
    param_widths: dict[ActionInstance, list[tuple[str, int, bool]]]
    externs: dict[ExternInstance, str]
    value_sets: dict[ValueSetInstance, str]
    field_lists: dict[int, list[int]]
    digests: list[tuple[str, list[str]]]
    elaborated: Elaborated
    direct_meter_slots: dict[ExternInstance, int] = field(default_factory=dict)
    empty_controls: frozenset[str] = frozenset()  # top-level controls with nothing to run


class Generator(ExprGen, StmtGen, ExternGen, ParserGen, TableGen, BlockGen):
    def __init__(self, elab: Elaborated) -> None:
        super().__init__(elab)
        self.param_locs = {}
        self.block_envs = {}
        self.call_plans: dict[BlockInstance, CallPlan] = {}
        self.child_calls: dict[BlockInstance, list[ast.Call]] = {}
        self.direct_meter_slots = {}
        self.value_set_names: dict[ValueSetInstance, str] = {}
        self.in_select = False
        self.extern_names: dict[ExternInstance, str] = {}
        self.empty_tops: set[str] = set()

    def extern_obj(self, inst: ExternInstance) -> str:
        name = self.extern_names.get(inst)
        if name is None:
            name = self.fresh("X")
            self.extern_names[inst] = name
        return name

    def annotated_field_list(self, index: int) -> list[int]:
        slots: list[int] = []
        _field_list_slots(self.meta_layout, index, slots)
        return slots

    # ------------------------------------------------------------------ whole program

    def generate(self) -> GeneratedProgram:
        elab = self.elab
        for k in TOP_BLOCKS:
            if k not in elab.blocks:
                raise unsupported(f"the package has no '{k}' block: only V1Switch programs are supported", elab.package.loc)
        pdecl = elab.blocks["p"].decl
        if not isinstance(pdecl, ast.ParserDecl) or len(pdecl.params) != 4:
            raise unsupported("the V1Switch parser must take (packet_in, out H, inout M, inout standard_metadata_t)",
                              pdecl.loc)
        types = [p.type_ref.resolved for p in pdecl.params]
        if any(t is None for t in types):
            raise unsupported("parser parameters without types", pdecl.loc)
        ht, mt, st = types[1], types[2], types[3]
        assert ht is not None and mt is not None and st is not None
        hdr = self.alloc(ht, "hdr")
        meta = self.alloc(mt, "meta")
        sm = self.alloc(st, "standard_metadata")
        if not isinstance(sm, StructLayout):
            raise unsupported("standard_metadata is not a struct", pdecl.loc)
        self.meta_layout = meta
        self.sm_loc = Loc(sm)
        self.sm_fields = {n: f.base for n, f in sm.fields.items()}
        for needed in ("ingress_port", "egress_spec", "egress_port", "instance_type", "packet_length",
                       "mcast_grp", "egress_rid", "checksum_error", "parser_error"):
            if needed not in self.sm_fields:
                raise unsupported(f"standard_metadata_t lacks {needed}", pdecl.loc)
        regions: dict[str, Layout] = {"hdr": hdr, "meta": meta, "sm": sm}
        # global bindings: top-level actions and extern instances
        for a in elab.top_actions.values():
            self.global_env.bindings[a.decl] = ObjRef(a)
        for ext in elab.all_externs:
            if ext.block is None:
                self.global_env.bindings[ext.decl] = ObjRef(ext)
        for a in list(elab.top_actions.values()) + list(elab.all_actions):
            if a not in self.action_ids:
                self.action_ids[a] = len(self.action_ids) + 1
        fns: dict[str, str] = {}
        for key in TOP_BLOCKS:
            inst = elab.blocks[key]
            binds = _top_binds(inst, key, regions)
            fns[key] = self.gen_block(inst, binds, top=key)
        for a in elab.top_actions.values():
            self.action_fn(a)
        ns = dict(PRELUDE)
        ns.update(self.ns)
        hranges = _header_ranges(self)
        param_widths: dict[ActionInstance, list[tuple[str, int, bool]]] = {}
        for a in self.action_fns:
            ws = []
            for p in a.decl.params:
                if p.direction != "":
                    continue
                t = p.type_ref.resolved
                from softswitch.engine.layout import scalar_width

                w, s = scalar_width(t) if t is not None else (0, False)
                ws.append((p.name, w, s))
            param_widths[a] = ws
        header = [
            "# Generated by softswitch from the P4 program; not meant to be edited.",
            f"# PHV: {self.phv.size} slots.",
        ]
        return GeneratedProgram(
            source="\n".join(header) + "\n\n" + self.out.text(),
            namespace=ns,
            template=list(self.phv.template),
            slot_names=list(self.phv.names),
            hdr=hdr,
            meta=meta,
            sm=sm,
            sm_slots=dict(self.sm_fields),
            header_ranges=hranges,
            tables=list(self.tables.values()),
            action_ids=dict(self.action_ids),
            action_fns=dict(self.action_fns),
            param_widths=param_widths,
            externs=dict(self.extern_names),
            value_sets=dict(self.value_set_names),
            field_lists=dict(self.field_lists),
            digests=list(self.digests),
            elaborated=elab,
            direct_meter_slots=dict(self.direct_meter_slots),
            empty_controls=frozenset(self.empty_tops),
        )


def generate(elab: Elaborated) -> GeneratedProgram:
    """Generate the Python source of a checked, elaborated v1model program.

    Raises :class:`P4Error` (kind "unsupported") for constructs the engine cannot run.
    """
    try:
        return Generator(elab).generate()
    except P4Error:
        raise
    except RecursionError:
        raise unsupported("the program nests too deeply to generate code") from None
    except LayoutError as exc:
        raise unsupported(str(exc), elab.package.loc) from None
    except Exception as exc:  # a generator bug must still come out as a message
        raise unsupported(f"internal error while generating code: {exc!r}", elab.package.loc) from exc


def _top_binds(inst: BlockInstance, key: str, regions: dict[str, Layout]) -> dict[ast.Param, Binding]:
    decl = inst.decl
    order = {
        "p": ["in", "hdr", "meta", "sm"],
        "vr": ["hdr", "meta"],
        "ig": ["hdr", "meta", "sm"],
        "eg": ["hdr", "meta", "sm"],
        "ck": ["hdr", "meta"],
        "dep": ["out", "hdr"],
    }[key]
    params = decl.params
    if len(params) != len(order):
        raise unsupported(f"block {decl.name} has {len(params)} parameters, V1Switch expects {len(order)}", decl.loc)
    binds: dict[ast.Param, Binding] = {}
    for p, role in zip(params, order, strict=True):
        if role in ("in", "out"):
            t = p.type_ref.resolved
            if not (isinstance(t, ObjectT) and t.name == ("packet_in" if role == "in" else "packet_out")):
                raise unsupported(f"parameter {p.name} of {decl.name} should be packet_{role}", p.loc)
            binds[p] = PacketRef(role)
        else:
            binds[p] = Storage(Loc(regions[role]))
    return binds


def _field_list_slots(lay: Layout, index: int, out: list[int], inherited: ast.Annotation | None = None) -> None:
    """Slots of the user-metadata fields in ``@field_list(index)``. p4c flattens nested structs and
    hands a struct field's annotations down to its members ahead of their own; BMv2's back-end
    then reads only the first @field_list of each flattened field."""
    if not isinstance(lay, StructLayout):
        if inherited is not None and _lists_index(inherited, index):
            for s in scalar_slots(lay):
                out.extend(range(s.base, s.base + s.size))
            for h in headers_in(lay):
                out.append(h.valid)
        return
    t = underlying(lay.type)
    decl = t.decl if isinstance(t, StructT) else None
    own: dict[str, ast.Annotation] = {}
    if isinstance(decl, ast.StructDecl):
        for f in decl.fields:
            a = f.annotation("field_list")
            if a is not None:
                own[f.name] = a
    for name, sub in lay.fields.items():
        _field_list_slots(sub, index, out, inherited if inherited is not None else own.get(name))


def _lists_index(a: ast.Annotation, index: int) -> bool:
    return bool(a.args) and any(
        x.const == index or (isinstance(x, ast.IntLit) and x.value == index) for x in a.args or ()
    )


def _header_ranges(gen: Generator) -> list[tuple[int, int]]:
    """Slot ranges that hold header data (kept when BMv2 resets metadata)."""
    marks: list[tuple[int, int]] = []
    for lay in gen.phv.roots:
        for h in headers_in(lay):
            marks.append((h.base, h.base + h.size))
        _stacks(lay, marks)
    marks.sort()
    merged: list[tuple[int, int]] = []
    for a, b in marks:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _stacks(lay: Layout, out: list[tuple[int, int]]) -> None:
    if isinstance(lay, StackLayout):
        out.append((lay.next_slot, lay.next_slot + 1))
    elif isinstance(lay, StructLayout):
        for f in lay.fields.values():
            _stacks(f, out)
