"""The elaborated program: the tree of instances under ``main``, with p4c's qualified names.

This is the contract between the front-end's elaboration pass (``elaborate.py``), the P4Info
builder and the engine's code generator. The type checker has already annotated the syntax tree;
elaboration walks ``main``'s constructor arguments, instantiates parsers/controls/externs, binds
constructor parameters to constant values, and names every control-plane-visible object exactly
as p4c's P4Info does (see softswitch/p4info/model.py for the naming rules).

A control or parser declaration may be instantiated several times (``Filter() inbound; Filter()
outbound;``): each instance has its own tables, actions, extern instances and states, and its own
qualified names (``Ing.inbound.rules`` / ``Ing.outbound.rules``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast
from .types import Type


@dataclass(eq=False, slots=True, kw_only=True)
class ActionInstance:
    """An action declared in a block instance (or at top level: ``block`` None).

    ``name`` is the fully qualified P4Info name (``Ing.inbound.block``, ``NoAction``) after
    ``@name`` handling; ``hidden`` for @hidden actions (absent from P4Info but still executable).
    """

    decl: ast.ActionDecl
    name: str
    block: BlockInstance | None
    hidden: bool = False


@dataclass(eq=False, slots=True, kw_only=True)
class ExternInstance:
    """An instance of an extern object (counter, register, action_selector, ...).

    ``type`` is the specialized extern type (ObjectT kind "extern", with type_args);
    ``args`` the constructor arguments folded to constants where constant (ints, bools, enum
    member values as ints, strings) — a non-constant argument is kept as the ast.Expr.
    ``ctor`` is the constructor MethodDecl chosen by overload resolution.
    """

    decl: ast.InstanceDecl
    name: str
    type: Type
    ctor: ast.MethodDecl | None
    args: list[int | bool | str | ast.Expr | None]
    block: BlockInstance | None
    hidden: bool = False


@dataclass(eq=False, slots=True, kw_only=True)
class TableInstance:
    """A table of a block instance. ``properties`` maps the names of the table properties that
    refer to an extern instance (``implementation``, ``counters``, ``meters``) to that instance,
    whether it is declared in the block (``counters = my_counter``) or constructed in place
    (``@name("ap") implementation = action_profile(128)``)."""

    decl: ast.TableDecl
    name: str
    block: BlockInstance
    hidden: bool = False
    properties: dict[str, ExternInstance] = field(default_factory=dict)


@dataclass(eq=False, slots=True, kw_only=True)
class ValueSetInstance:
    decl: ast.ValueSetDecl
    name: str
    block: BlockInstance
    size: int


@dataclass(eq=False, slots=True, kw_only=True)
class BlockInstance:
    """An instance of a parser or control declaration.

    ``path`` is the qualified-name prefix of objects inside it: the control *type* name for the
    top-level blocks given to the package (``Ing``), ``Ing.inbound`` for a sub-control instance
    ``inbound`` declared in ``Ing``. ``ctor_values`` binds the block's constructor parameters to
    constant values or to extern/block instances passed in.
    """

    decl: ast.ParserDecl | ast.ControlDecl
    path: str
    instance_name: str
    ctor_values: dict[str, int | bool | str | ExternInstance | BlockInstance | None] = field(
        default_factory=dict
    )
    children: dict[str, BlockInstance] = field(default_factory=dict)  # local block instances
    externs: dict[str, ExternInstance] = field(default_factory=dict)  # local extern instances
    tables: dict[str, TableInstance] = field(default_factory=dict)  # by local table name
    actions: dict[str, ActionInstance] = field(default_factory=dict)  # by local action name
    value_sets: dict[str, ValueSetInstance] = field(default_factory=dict)
    parent: BlockInstance | None = None


@dataclass(eq=False, slots=True, kw_only=True)
class Elaborated:
    """The whole program after elaboration.

    ``package`` is the ``main`` InstanceDecl; ``blocks`` the package's block arguments by the
    package parameter name (for V1Switch: ``p``, ``vr``, ``ig``, ``eg``, ``ck``, ``dep``) — read
    p4c's/our v1model.p4 for the parameter names. ``top_actions`` are top-level actions
    (NoAction, ...) by name. ``all_*`` list every instance in a deterministic pre-order.
    """

    program: ast.Program
    package: ast.InstanceDecl
    blocks: dict[str, BlockInstance]
    top_actions: dict[str, ActionInstance]
    all_blocks: list[BlockInstance]
    all_tables: list[TableInstance]
    all_actions: list[ActionInstance]
    all_externs: list[ExternInstance]
    all_value_sets: list[ValueSetInstance]
    errors: dict[str, int]  # error member name -> BMv2 error code
    v1model_version: int = 20180101
