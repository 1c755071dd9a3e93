"""Limits of the BMv2 target: programs that type-check but that p4c's BMv2 back end refuses.

These checks run on the elaborated program and look only at the code that reaches the back end:
the apply blocks and parser states of the blocks that run (the package's blocks and the
sub-blocks they apply), the actions of the tables applied there, and the actions and functions
that code calls. Code that p4c removes before its back end runs is not looked at: a branch of an
``if`` on a constant that excludes it, statements after ``exit``/``return`` in the same block,
tables never applied, and actions nobody uses. Where this walk cannot tell, it errs towards
accepting the program.

The limits (each raises :class:`P4Error` at the place p4c points to):

* ``mark_to_drop()`` without its ``standard_metadata`` argument: v1model still declares the old
  zero-argument form (deprecated), but the BMv2 back end cannot translate it;
* an action a table can run may only have directionless (control-plane) parameters of a bit or
  int type (a new type or typedef of one is fine) or an enum; a ``bool``, ``error``, varbit,
  header or struct parameter is refused;
* a table with ``meters = m`` for a ``direct_meter`` ``m`` needs some action (of an applied table)
  that calls ``m.read(...)``: BMv2 learns where the meter writes its colour only from that call.
  (A meter constructed in place, ``meters = direct_meter<...>(...)``, which p4c refuses for
  another reason, is not checked here.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast
from .ast_walk import running_walk
from .errors import P4Error
from .instances import BlockInstance, Elaborated, ExternInstance, TableInstance
from .p4info_spec import applied_child
from .types import BitsT, EnumT, ObjectT, underlying


def check_target_limits(elab: Elaborated) -> None:
    """Raise :class:`P4Error` for the first construct of the running code that BMv2 cannot
    execute (see the module docstring)."""
    code = _LiveCode(elab)
    for bi in elab.blocks.values():
        code.block(bi)
    code.finish()
    for call in code.calls:
        _check_mark_to_drop(call)
    for ti in code.tables:
        for decl in _table_actions(ti):
            _check_action_params(decl)
    if not code.unknown_meter_read:
        for ti in code.tables:
            _check_direct_meter(ti, code.meters_read)


# --------------------------------------------------------------------------- the running code


@dataclass
class _LiveCode:
    """What runs: the applied tables and every call in live code. A callee's body is walked
    once per block instance it runs in (block instances decide what a meter name denotes)."""

    elab: Elaborated
    tables: list[TableInstance] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)
    meters_read: set[int] = field(default_factory=set)  # id(InstanceDecl) of direct meters read
    unknown_meter_read: bool = False  # a direct meter read whose instance is not known
    _seen_blocks: set[int] = field(default_factory=set)
    _seen_tables: set[int] = field(default_factory=set)
    _seen_bodies: set[tuple[int, int]] = field(default_factory=set)  # (id(decl), id(block))

    def block(self, bi: BlockInstance) -> None:
        if id(bi) in self._seen_blocks:
            return
        self._seen_blocks.add(id(bi))
        body: object = bi.decl.body if isinstance(bi.decl, ast.ControlDecl) else bi.decl.states
        self._scan(bi, body)

    def finish(self) -> None:
        """Walk the actions of the applied tables (which may apply nothing further)."""
        i = 0
        while i < len(self.tables):
            ti = self.tables[i]
            for decl in _table_actions(ti):
                self._body(ti.block, decl)
            i += 1

    def _body(self, bi: BlockInstance, decl: ast.ActionDecl | ast.FunctionDecl) -> None:
        key = (id(decl), id(bi))
        if key not in self._seen_bodies:
            self._seen_bodies.add(key)
            self._scan(bi, decl.body)

    def _scan(self, bi: BlockInstance, nodes: object) -> None:
        for n in running_walk(nodes):
            if not isinstance(n, ast.Call):
                continue
            self.calls.append(n)
            if n.kind == "table_apply":
                ti = _table_of(bi, n.target)
                if ti is not None and id(ti) not in self._seen_tables:
                    self._seen_tables.add(id(ti))
                    self.tables.append(ti)
                    key = ti.decl.prop("key")
                    if key is not None:
                        self._scan(bi, key)  # a key expression may apply another table
            elif n.kind in ("control_apply", "parser_apply"):
                child = applied_child(bi, n)
                if child is not None:
                    self.block(child)
            elif n.kind in ("action", "function") and isinstance(
                n.target, (ast.ActionDecl, ast.FunctionDecl)
            ):
                self._body(bi, n.target)
            elif n.kind == "extern_method":
                self._meter_read(bi, n)

    def _meter_read(self, bi: BlockInstance, call: ast.Call) -> None:
        callee = call.callee
        if not isinstance(callee, ast.Member) or callee.member != "read":
            return
        t = callee.expr.type
        if not isinstance(t, ObjectT) or t.name != "direct_meter":
            return
        obj = callee.expr
        d = obj.decl if isinstance(obj, ast.Name) else None
        if isinstance(d, ast.InstanceDecl):
            self.meters_read.add(id(d))
            return
        if isinstance(d, ast.Param):
            v = _ctor_value(bi, d.name)
            if isinstance(v, ExternInstance):
                self.meters_read.add(id(v.decl))
                return
        self.unknown_meter_read = True


def _ctor_value(bi: BlockInstance, name: str) -> object:
    b: BlockInstance | None = bi
    while b is not None:
        if name in b.ctor_values:
            return b.ctor_values[name]
        b = b.parent
    return None


def _table_of(bi: BlockInstance, decl: ast.Node | None) -> TableInstance | None:
    b: BlockInstance | None = bi
    while b is not None:
        for ti in b.tables.values():
            if ti.decl is decl:
                return ti
        b = b.parent
    return None


def _table_actions(ti: TableInstance) -> list[ast.ActionDecl]:
    """The actions table ``ti`` can run: its ``actions`` list (the default action is one of them)."""
    out: list[ast.ActionDecl] = []
    prop = ti.decl.prop("actions")
    for ref in (prop.actions or []) if prop is not None else []:
        d = ref.call.target
        if isinstance(d, ast.ActionDecl) and all(d is not o for o in out):
            out.append(d)
    return out


# --------------------------------------------------------------------------- the limits


def _check_mark_to_drop(call: ast.Call) -> None:
    d = call.target
    if isinstance(d, ast.ExternFunctionDecl) and d.name == "mark_to_drop" and not call.args:
        raise P4Error(
            "mark_to_drop() needs its standard_metadata argument on this target: "
            "write mark_to_drop(standard_metadata) (the form without arguments is deprecated "
            "and BMv2 cannot run it)",
            call.loc,
        )


def _check_action_params(decl: ast.ActionDecl) -> None:
    for p in decl.params:
        if p.direction:
            continue  # bound in the program, not by the control plane
        t = p.type_ref.resolved
        if t is None or isinstance(underlying(t), (BitsT, EnumT)):
            continue
        raise P4Error(
            f"parameter '{p.name}' of action {decl.name} has type {t}, but on this target an action "
            "that a table runs can only take bit<W>/int<W> (or enum) values from the control plane",
            p.loc,
        )


def _check_direct_meter(ti: TableInstance, read: set[int]) -> None:
    ei = ti.properties.get("meters")
    if ei is None:
        return
    t = ei.type
    if not isinstance(t, ObjectT) or t.name != "direct_meter" or id(ei.decl) in read:
        return
    prop = ti.decl.prop("meters")
    if prop is not None and isinstance(prop.value, ast.Call):
        return  # constructed in place: no action can name it (left alone, as the engine runs it)
    raise P4Error(
        f"table {ti.decl.name} has the direct meter {ei.decl.name}, but no action of an applied "
        f"table calls {ei.decl.name}.read(...): BMv2 needs that call to know where the colour goes",
        ti.decl.loc,
    )
