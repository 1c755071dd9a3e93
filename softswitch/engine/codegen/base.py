"""The code generator's shared state and the type helpers every part of it uses.

:class:`GenBase` is the common base of the generator's parts (expressions, statements, parser,
tables, externs, blocks); :class:`softswitch.engine.codegen.Generator` combines them. Each part
calls the others through the abstract methods declared here.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from softswitch.engine.layout import Layout, PhvBuilder, scalar_width
from softswitch.frontend import ast
from softswitch.frontend.ast_walk import walk
from softswitch.frontend.instances import (
    ActionInstance,
    BlockInstance,
    Elaborated,
    ExternInstance,
    TableInstance,
    ValueSetInstance,
)
from softswitch.frontend.types import (
    BitsT,
    BoolT,
    FieldT,
    HeaderT,
    HeaderUnionT,
    NewTypeT,
    SerEnumT,
    StackT,
    StructT,
    TupleT,
    Type,
    TypeVar,
    underlying,
)

from .context import Emitter, Env, FnContext, Loc, ObjRef, unsupported


@dataclass(slots=True)
class TableGenInfo:
    """What the generator decided about one table (the loader turns it into runtime objects)."""

    inst: TableInstance
    obj: str  # namespace name of the runtime table object
    actions: list[ActionInstance] = field(default_factory=list)
    # per action instance: Python name of the function the table calls (a wrapper when the
    # actions list binds directional arguments)
    action_fns: dict[ActionInstance, str] = field(default_factory=dict)
    default_action: ActionInstance | None = None
    default_args: list[int] = field(default_factory=list)
    const_default: bool = False
    keys: list[tuple[str, str, int, ast.Expr]] = field(default_factory=list)  # (name, kind, width, expr)
    entries: list[tuple[list[object], ActionInstance, list[int], int]] = field(default_factory=list)
    const_entries: bool = False
    size: int = 1024
    direct_counter: ExternInstance | None = None
    direct_meter: ExternInstance | None = None
    direct_meter_slot: int = -1
    implementation: ExternInstance | None = None
    support_timeout: bool = False
    action_scope: dict[ActionInstance, str] = field(default_factory=dict)  # "table_only"/"default_only"/""
    selector_keys: list[ast.Expr] = field(default_factory=list)
    fc: FnContext | None = None


class GenBase(ABC):
    """State shared by every part of the generator."""

    def __init__(self, elab: Elaborated) -> None:
        self.elab = elab
        self.phv = PhvBuilder()
        self.ns: dict[str, Any] = {}
        self.out = Emitter()
        self._ids = itertools.count(1)
        self.global_env = Env()
        self.action_ids: dict[ActionInstance, int] = {}
        self.action_fns: dict[ActionInstance, str] = {}
        self.tables: dict[TableInstance, TableGenInfo] = {}
        self.extern_objs: dict[ExternInstance, str] = {}
        self.block_fns: dict[BlockInstance, str] = {}
        self.functions: dict[tuple[int, tuple[Type, ...]], str] = {}
        self.field_lists: dict[int, list[int]] = {}
        self.digests: list[tuple[str, list[str]]] = []  # (name, field names)
        self.log_messages: list[str] = []
        self.runtime_specs: dict[str, Any] = {}
        self.lv_override: dict[int, Loc] = {}
        self._direct_meter_dests: dict[ExternInstance, ast.Expr | None] = {}

    # ------------------------------------------------------------------ names

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def bind(self, prefix: str, obj: object) -> str:
        """Put ``obj`` in the generated module's namespace under a fresh name."""
        name = self.fresh(prefix)
        self.ns[name] = obj
        return name

    def alloc(self, t: Type, name: str) -> Layout:
        return self.phv.alloc(t, name)

    def direct_meter_slot(self, ext: ExternInstance) -> int:
        """The slot where a table writes its direct meter's colour before running the action."""
        slot = self.direct_meter_slots.get(ext)
        if slot is None:
            slot = self.alloc(BitsT(32), f"{ext.name}.$color").base
            self.direct_meter_slots[ext] = slot
        return slot

    def direct_meter_dest(self, ext: ExternInstance) -> ast.Expr | None:
        """Where a direct meter's colour goes. BMv2 has no read() primitive: the table writes the
        colour into the (single) destination of the meter's ``read()`` calls on every hit, before
        the action runs, and never on a miss. That destination is returned when it names only
        things visible where the table is applied (a control parameter, local or field of one);
        None when no action reads the meter, or when the destination is local to the action
        (then ``read()`` copies the colour the table left in :meth:`direct_meter_slot`)."""
        if ext in self._direct_meter_dests:
            return self._direct_meter_dests[ext]
        found: ast.Expr | None = None
        for a in self.elab.all_actions:
            dest = self._meter_read_dest(a, ext)
            if dest is not None:
                found = dest
                break
        self._direct_meter_dests[ext] = found
        return found

    def _meter_read_dest(self, a: ActionInstance, ext: ExternInstance) -> ast.Expr | None:
        env = self.block_envs.get(a.block) if a.block is not None else None
        for n in walk(a.decl.body):
            if not (isinstance(n, ast.Call) and n.kind == "extern_method" and isinstance(n.callee, ast.Member)
                    and n.callee.member == "read" and isinstance(n.callee.expr, ast.Name)):
                continue
            decl = n.callee.expr.decl
            if decl is None:
                continue
            b = env.lookup(decl) if env is not None else None
            same = b.obj is ext if isinstance(b, ObjRef) else decl is ext.decl
            if not same or not n.bound_args:
                continue
            dest = n.bound_args[0]
            if dest is None or isinstance(dest, ast.DontCare):
                return None
            local: set[int] = {id(p) for p in a.decl.params}
            local.update(id(d) for d in walk(a.decl.body) if isinstance(d, (ast.VarDecl, ast.ConstDecl)))
            if any(isinstance(x, ast.Name) and id(x.decl) in local for x in walk(dest)):
                return None
            return dest
        return None

    # ------------------------------------------------------------------ types

    def rt(self, t: Type | None, env: Env, node: ast.Node | None = None) -> Type:
        """``t`` with type variables of a specialized generic replaced."""
        if t is None:
            raise unsupported("expression without a type", node.loc if node else None)
        if not env.typevars:
            return t
        return subst_type(t, env.typevars)

    def etype(self, e: ast.Expr, fc: FnContext) -> Type:
        return self.rt(e.type, fc.env, e)

    # ------------------------------------------------------------------ parts (implemented by mixins)
    # Declared here, abstract, so each part can call the others; only the Generator class, which
    # combines every part, implements them all and can be instantiated.

    param_locs: dict[object, dict[ast.Param, Loc]]
    block_envs: dict[BlockInstance, Env]
    direct_meter_slots: dict[ExternInstance, int]
    sm_loc: Loc
    sm_fields: dict[str, int]
    in_select: bool

    @abstractmethod
    def expr(self, e: ast.Expr, fc: FnContext, em: Emitter) -> str:
        ...

    @abstractmethod
    def agg(self, e: ast.Expr, t: Type, fc: FnContext, em: Emitter) -> str:
        ...

    @abstractmethod
    def lvalue(self, e: ast.Expr, fc: FnContext, em: Emitter) -> Loc | None:
        ...

    @abstractmethod
    def assign_loc(self, dst: Loc, t: Type, rhs: ast.Expr, fc: FnContext, em: Emitter) -> None:
        ...

    @abstractmethod
    def copy_loc(self, dst: Loc, src: Loc, em: Emitter) -> None:
        ...

    @abstractmethod
    def stmt(self, s: ast.Stmt | ast.Decl, fc: FnContext, em: Emitter) -> None:
        ...

    @abstractmethod
    def call(self, c: ast.Call, fc: FnContext, em: Emitter, want_value: bool) -> str | None:
        ...

    @abstractmethod
    def table_apply(self, inst: TableInstance, fc: FnContext, em: Emitter) -> str:
        ...

    @abstractmethod
    def _table_of_call(self, c: ast.Call, fc: FnContext) -> TableInstance:
        ...

    @abstractmethod
    def extern_call(self, c: ast.Call, fc: FnContext, em: Emitter, want_value: bool) -> str | None:
        ...

    @abstractmethod
    def declare_local(self, d: ast.Decl, fc: FnContext, em: Emitter, name_prefix: str) -> None:
        ...

    @abstractmethod
    def set_invalid(self, loc: Loc, em: Emitter) -> None:
        ...

    @abstractmethod
    def function_fn(self, decl: ast.FunctionDecl, type_args: tuple[Type, ...]) -> str:
        ...

    @abstractmethod
    def action_fn(self, inst: ActionInstance) -> str:
        ...

    @abstractmethod
    def resolve_action(self, decl: ast.Node, fc: FnContext) -> ActionInstance:
        ...

    @abstractmethod
    def block_call(self, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        ...

    @abstractmethod
    def parser_fail(self, em: Emitter, code: int | str) -> None:
        ...

    @abstractmethod
    def packet_in_method(self, method: str, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        ...

    @abstractmethod
    def emit_value(self, arg: ast.Expr, fc: FnContext, em: Emitter) -> None:
        ...

    @abstractmethod
    def extern_obj(self, inst: ExternInstance) -> str:
        ...

    @abstractmethod
    def annotated_field_list(self, index: int) -> list[int]:
        ...

    @abstractmethod
    def value_set_obj(self, vs: ValueSetInstance) -> str:
        ...

    @abstractmethod
    def gen_table(self, inst: TableInstance, fc: FnContext) -> TableGenInfo:
        ...

    @abstractmethod
    def gen_parser(self, inst: BlockInstance, env: Env, local_inits: Emitter, parser_error_slot: int = -1) -> str:
        ...

    @abstractmethod
    def _copy_in(
        self, params: list[ast.Param], args: list[ast.Expr | None], locs: dict[ast.Param, Loc],
        fc: FnContext, em: Emitter, node: ast.Node,
    ) -> list[str]:
        ...

    @abstractmethod
    def _copy_out(
        self, params: list[ast.Param], args: list[ast.Expr | None], locs: dict[ast.Param, Loc],
        fc: FnContext, em: Emitter,
    ) -> None:
        ...

    @abstractmethod
    def call_with_copy_out(
        self, line: str, params: list[ast.Param], args: list[ast.Expr | None], locs: dict[ast.Param, Loc],
        fc: FnContext, em: Emitter,
    ) -> None:
        ...

    @abstractmethod
    def field_items(
        self, e: ast.Expr, fc: FnContext, em: Emitter, cond: str | None = None
    ) -> list[tuple[str, int | str, str | None]]:
        ...

    @abstractmethod
    def pack(self, items: list[tuple[str, int | str, str | None]], em: Emitter) -> tuple[str, str]:
        ...

    @abstractmethod
    def _hash_fn(self, algo: str) -> str:
        ...

    @abstractmethod
    def _write_out(self, arg: ast.Expr | None, value: str, fc: FnContext, em: Emitter, c: ast.Call) -> None:
        ...


def bits_info(t: Type) -> tuple[int, bool]:
    """(width, signed) of a scalar type (width 0 when it has none)."""
    return scalar_width(t)


def mask_of(width: int) -> int:
    return (1 << width) - 1


def is_bool(t: Type) -> bool:
    return isinstance(underlying(t), BoolT)


def is_bits(t: Type) -> bool:
    return isinstance(underlying(t), BitsT)


def subst_type(t: Type, m: dict[str, Type]) -> Type:
    """Replace type variables by name (enough for specializing generic functions and actions)."""
    if isinstance(t, TypeVar):
        return m.get(t.name, t)
    if isinstance(t, TupleT):
        return TupleT(tuple(subst_type(e, m) for e in t.elems))
    if isinstance(t, StackT):
        return StackT(subst_type(t.elem, m), t.size)
    if isinstance(t, (StructT, HeaderT, HeaderUnionT)):
        if not any(isinstance(f.type, TypeVar) for f in t.fields):
            return t
        fields = tuple(FieldT(f.name, subst_type(f.type, m)) for f in t.fields)
        return type(t)(t.name, fields, t.decl)
    if isinstance(t, NewTypeT | SerEnumT):
        return t
    return t
