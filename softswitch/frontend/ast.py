"""The P4-16 syntax tree: the contract between the parser, the type checker and the back-ends.

The parser (``parser.py``) builds these nodes from tokens; every node carries the ``loc`` of its
first token. The type checker (``check.py``) then fills the *annotation* fields, which are the ones
with defaults below (``type``, ``const``, ``decl``, ``kind``, ...). After a successful check every
expression has a non-None ``type``, every ``Name`` a non-None ``decl``, and every ``Member`` and
``Call`` a ``kind``. The back-ends (P4Info builder, engine code generator) only read checked trees.

All dataclasses are keyword-only so that annotation fields with defaults can follow required ones.
Nodes compare by identity (``eq=False``) so they can be dict keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .errors import SourceLoc

if TYPE_CHECKING:
    from .types import Type


@dataclass(eq=False, kw_only=True)
class Node:
    loc: SourceLoc


# --------------------------------------------------------------------------- annotations


@dataclass(eq=False, kw_only=True)
class Annotation(Node):
    """``@name`` or ``@name(body)`` or ``@name[kv-list]``.

    ``body`` is the source text between the parentheses, as written (p4c prints unknown annotations
    into P4Info from it). ``args`` is the body parsed as a comma-separated expression list when that
    parse succeeds (e.g. ``@name("x")`` → [StrLit], ``@id(3)`` → [IntLit]), else None.

    The structured form ``@name[...]`` has ``structured`` True and ``body`` the text between the
    brackets; ``@x[k1=e1, k2=e2]`` sets ``kv`` (key/value pairs in order), ``@x[e1, e2]`` sets
    ``args``.
    """

    name: str
    body: str | None = None
    args: list[Expr] | None = None
    structured: bool = False
    kv: list[tuple[str, Expr]] | None = None


# --------------------------------------------------------------------------- type references (syntax)


@dataclass(eq=False, kw_only=True)
class TypeRef(Node):
    """A type as written. ``resolved`` is filled by the checker."""

    resolved: Type | None = None


@dataclass(eq=False, kw_only=True)
class BitTypeRef(TypeRef):
    """``bit<W>`` / ``int<W>`` (``bit`` alone is bit<1>). ``width`` is a constant expression."""

    width: Expr
    signed: bool


@dataclass(eq=False, kw_only=True)
class VarbitTypeRef(TypeRef):
    width: Expr


@dataclass(eq=False, kw_only=True)
class BaseTypeRef(TypeRef):
    """bool, error, match_kind, string, void, int (arbitrary precision), _ (don't care)."""

    name: Literal["bool", "error", "match_kind", "string", "void", "int", "_"]


@dataclass(eq=False, kw_only=True)
class NamedTypeRef(TypeRef):
    """A named type, possibly specialized: ``headers_t``, ``register<bit<32>>``, ``.global_t``."""

    name: str
    type_args: list[TypeRef] = field(default_factory=list)
    is_global: bool = False


@dataclass(eq=False, kw_only=True)
class StackTypeRef(TypeRef):
    """``T[size]`` (header stack)."""

    elem: TypeRef
    size: Expr


@dataclass(eq=False, kw_only=True)
class TupleTypeRef(TypeRef):
    """``tuple<T1, T2>`` (``kind='tuple'``) or ``list<T>`` (``kind='list'``)."""

    elems: list[TypeRef]
    kind: Literal["tuple", "list"] = "tuple"


# --------------------------------------------------------------------------- expressions


@dataclass(eq=False, kw_only=True)
class Expr(Node):
    """Base of expressions.

    Checker annotations:
    - ``type``: the expression's semantic type.
    - ``const``: the folded value when the expression is a compile-time constant (int for
      bit/int/infint/enum values, bool for bool); None otherwise.
    """

    type: Type | None = None
    const: int | bool | None = None


@dataclass(eq=False, kw_only=True)
class IntLit(Expr):
    """Integer literal. ``width`` is None for an unsized literal (type int); ``8w5`` → width 8,
    ``8s5`` → width 8 signed. ``value`` is the literal's value as written (before any wrap)."""

    value: int
    width: int | None = None
    signed: bool = False
    # The literal as written (``8w0xFF``, ``0x800``), when known: P4Info prints key names and
    # annotation arguments with the base the program used. Filled by the front-end driver
    # (``compiler.py``) after parsing; None for literals built by hand.
    text: str | None = None


@dataclass(eq=False, kw_only=True)
class BoolLit(Expr):
    value: bool


@dataclass(eq=False, kw_only=True)
class StrLit(Expr):
    value: str


@dataclass(eq=False, kw_only=True)
class Name(Expr):
    """A path expression ``x`` or ``.x`` (``is_global``).

    Checker annotation ``decl``: the declaration node it names (VarDecl, Param, ConstDecl,
    InstanceDecl, TableDecl, ActionDecl, FunctionDecl, ExternFunctionDecl, ValueSetDecl,
    ParserState, a type declaration when used as a type-valued expression, ...).
    """

    name: str
    is_global: bool = False
    decl: Node | None = None


MemberKind = Literal[
    "field",  # a field of a struct/header/union value (incl. a union member header)
    "stack_next",  # hs.next (parser)
    "stack_last",  # hs.last
    "stack_size",  # hs.size (constant)
    "stack_last_index",  # hs.lastIndex
    "method",  # x.f where f is a method (the Member is the callee of a Call)
    "enum_member",  # E.A (const is its value: declaration index for plain enums)
    "error_member",  # error.X (const is its BMv2 error code)
    "table_result",  # t.apply().hit / .miss / .action_run
    "type_property",  # T.minSizeInBits etc. (const is the value)
]


@dataclass(eq=False, kw_only=True)
class Member(Expr):
    expr: Expr
    member: str
    kind: MemberKind | None = None


@dataclass(eq=False, kw_only=True)
class Index(Expr):
    """``a[i]``: header stack element or tuple element."""

    expr: Expr
    index: Expr


@dataclass(eq=False, kw_only=True)
class Slice(Expr):
    """``e[hi:lo]``; ``hi``/``lo`` are constants after checking (their ``const`` is set)."""

    expr: Expr
    hi: Expr
    lo: Expr


UnaryOp = Literal["-", "!", "~", "+"]
BinaryOp = Literal[
    "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||",
    "==", "!=", "<", ">", "<=", ">=", "++", "|+|", "|-|", "&&&", "..",
]


@dataclass(eq=False, kw_only=True)
class Unary(Expr):
    op: UnaryOp
    expr: Expr


@dataclass(eq=False, kw_only=True)
class Binary(Expr):
    """Binary operator. ``&&&`` (mask) and ``..`` (range) appear only in keysets and entries."""

    op: BinaryOp
    left: Expr
    right: Expr


@dataclass(eq=False, kw_only=True)
class Mux(Expr):
    """``cond ? then : else_``."""

    cond: Expr
    then: Expr
    else_: Expr


@dataclass(eq=False, kw_only=True)
class Cast(Expr):
    to: TypeRef
    expr: Expr


@dataclass(eq=False, kw_only=True)
class Arg(Node):
    """A call argument, possibly named (``f(x = 1)``). ``value`` is ``DontCare`` for ``_``."""

    name: str | None
    value: Expr


CallKind = Literal[
    "action",  # direct action call
    "function",  # P4 function
    "extern_function",  # v1model/core extern function (mark_to_drop, hash, verify, ...)
    "extern_method",  # method of an extern instance (packet.extract, counter.count, ...)
    "table_apply",  # t.apply()
    "control_apply",  # sub-control instance apply
    "parser_apply",  # sub-parser instance apply
    "header_method",  # isValid/setValid/setInvalid on a header or union
    "stack_method",  # push_front/pop_front
    "type_method",  # minSizeInBits/minSizeInBytes/... called as methods
    "constructor",  # an instantiation expression ``T(args)`` used as an argument
]


@dataclass(eq=False, kw_only=True)
class Call(Expr):
    """``callee<type_args>(args)``.

    Checker annotations:
    - ``kind``: what is called.
    - ``target``: the declaration called (ActionDecl, FunctionDecl, ExternFunctionDecl, MethodDecl,
      TableDecl, InstanceDecl of a control/parser, ...), None for builtin header/stack methods.
    - ``resolved_type_args``: the type arguments after inference (explicit or inferred), in the
      order of the callee's type parameters.
    - ``bound_args``: the arguments matched to the callee's parameters in parameter order
      (named arguments reordered; missing optional/default parameters as None).
    """

    callee: Expr
    type_args: list[TypeRef] = field(default_factory=list)
    args: list[Arg] = field(default_factory=list)
    kind: CallKind | None = None
    target: Node | None = None
    resolved_type_args: list[Type] = field(default_factory=list)
    bound_args: list[Expr | None] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ListExpr(Expr):
    """``{a, b, c}`` (a tuple/list expression; also keyset tuples in select cases)."""

    items: list[Expr]


@dataclass(eq=False, kw_only=True)
class StructExpr(Expr):
    """``{a = 1, b = 2}`` or ``(T){...}``/``T {...}``; ``type_ref`` when written. ``dots`` for a
    trailing ``...`` (P4-16 1.2.4): the fields not named take their default values (the checker
    then adds them to ``fields`` as :class:`DefaultInit` nodes)."""

    fields: list[tuple[str, Expr]]
    type_ref: TypeRef | None = None
    dots: bool = False


@dataclass(eq=False, kw_only=True)
class DefaultInit(Expr):
    """``...`` as a value (P4-16 1.2.4): the default value of the type it is converted to (0,
    false, error.NoError, an enum's first member, invalid headers; structs field by field). As
    the last item of a list expression it stands for all the remaining elements."""


@dataclass(eq=False, kw_only=True)
class DontCare(Expr):
    """``_`` as an expression (keyset wildcard, or an out argument that is ignored)."""


@dataclass(eq=False, kw_only=True)
class DefaultExpr(Expr):
    """``default`` as a keyset / switch label."""


@dataclass(eq=False, kw_only=True)
class TypeNameExpr(Expr):
    """A type used where an expression is expected, e.g. ``bit<8>.maxSizeInBits`` or the
    ``T`` of ``T.minSizeInBytes()``."""

    type_ref: TypeRef


@dataclass(eq=False, kw_only=True)
class InvalidExpr(Expr):
    """``{#}``: an invalid header / header union value."""


# --------------------------------------------------------------------------- statements


@dataclass(eq=False, kw_only=True)
class Stmt(Node):
    pass


@dataclass(eq=False, kw_only=True)
class Assign(Stmt):
    lhs: Expr
    rhs: Expr


@dataclass(eq=False, kw_only=True)
class CallStmt(Stmt):
    call: Call


@dataclass(eq=False, kw_only=True)
class Block(Stmt):
    stmts: list[Stmt | Decl]
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class If(Stmt):
    cond: Expr
    then: Stmt
    else_: Stmt | None = None


@dataclass(eq=False, kw_only=True)
class Exit(Stmt):
    pass


@dataclass(eq=False, kw_only=True)
class Return(Stmt):
    value: Expr | None = None


@dataclass(eq=False, kw_only=True)
class SwitchCase(Node):
    """One label of a switch. ``body`` None means fall through to the next label's body.
    ``label`` is a Name of an action (switch on ``t.apply().action_run``), a constant expression
    (switch on a bit/enum value), or DefaultExpr."""

    label: Expr
    body: Block | None


@dataclass(eq=False, kw_only=True)
class Switch(Stmt):
    expr: Expr
    cases: list[SwitchCase]


@dataclass(eq=False, kw_only=True)
class EmptyStmt(Stmt):
    pass


@dataclass(eq=False, kw_only=True)
class For(Stmt):
    """``for (init; cond; updates) body`` (P4-16 1.2.4). ``init`` holds variable declarations,
    assignments and calls (declarations are scoped to the loop); ``updates`` assignments and
    calls, run after each pass of the body (also after ``continue``)."""

    init: list[Stmt | Decl]
    cond: Expr
    updates: list[Stmt]
    body: Stmt
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ForIn(Stmt):
    """``for (T x in collection) body``. The collection is a range ``collection .. range_end``
    (``range_end`` set; both bounds inclusive and evaluated once, before the loop), a header stack
    (every element, copied into ``var`` in index order) or a list expression."""

    var: VarDecl
    collection: Expr
    range_end: Expr | None = None
    body: Stmt
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class Break(Stmt):
    """``break;`` (only inside a for loop)."""


@dataclass(eq=False, kw_only=True)
class Continue(Stmt):
    """``continue;`` (only inside a for loop)."""


# --------------------------------------------------------------------------- declarations


@dataclass(eq=False, kw_only=True)
class Decl(Node):
    name: str
    annotations: list[Annotation] = field(default_factory=list)

    def annotation(self, name: str) -> Annotation | None:
        for a in self.annotations:
            if a.name == name:
                return a
        return None


@dataclass(eq=False, kw_only=True)
class Param(Decl):
    """A parameter. ``direction`` is "" for directionless (control-plane) parameters."""

    direction: Literal["in", "out", "inout", ""]
    type_ref: TypeRef
    default: Expr | None = None
    optional: bool = False  # @optional


@dataclass(eq=False, kw_only=True)
class VarDecl(Decl):
    """A variable (local in a control/parser/action/function/block)."""

    type_ref: TypeRef
    init: Expr | None = None


@dataclass(eq=False, kw_only=True)
class ConstDecl(Decl):
    type_ref: TypeRef
    value: Expr


@dataclass(eq=False, kw_only=True)
class TypedefDecl(Decl):
    """``typedef T name;`` (an alias)."""

    type_ref: TypeRef


@dataclass(eq=False, kw_only=True)
class NewTypeDecl(Decl):
    """``type T name;`` (a new type; may carry @p4runtime_translation)."""

    type_ref: TypeRef


@dataclass(eq=False, kw_only=True)
class FieldDecl(Decl):
    type_ref: TypeRef


@dataclass(eq=False, kw_only=True)
class HeaderDecl(Decl):
    fields: list[FieldDecl]
    type_params: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class StructDecl(Decl):
    fields: list[FieldDecl]
    type_params: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class HeaderUnionDecl(Decl):
    fields: list[FieldDecl]
    type_params: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class EnumMember(Node):
    name: str
    value: Expr | None = None


@dataclass(eq=False, kw_only=True)
class EnumDecl(Decl):
    """``enum E {A, B}`` or ``enum bit<8> E {A = 1}`` (``underlying`` set: serializable)."""

    members: list[EnumMember]
    underlying: TypeRef | None = None


@dataclass(eq=False, kw_only=True)
class ErrorDecl(Decl):
    """``error { ... }`` (name is "error"). Several declarations accumulate."""

    members: list[str]


@dataclass(eq=False, kw_only=True)
class MatchKindDecl(Decl):
    """``match_kind { ... }`` (name is "match_kind")."""

    members: list[str]


@dataclass(eq=False, kw_only=True)
class MethodDecl(Decl):
    """A method prototype of an extern. A constructor has ``return_type`` None and the extern's
    name. ``is_abstract`` for ``abstract`` methods."""

    type_params: list[str]
    return_type: TypeRef | None
    params: list[Param]
    is_abstract: bool = False


@dataclass(eq=False, kw_only=True)
class ExternDecl(Decl):
    """``extern Name<T> { constructors; methods }``."""

    type_params: list[str]
    methods: list[MethodDecl]


@dataclass(eq=False, kw_only=True)
class ExternFunctionDecl(Decl):
    """``extern R f<T>(params);``"""

    type_params: list[str]
    return_type: TypeRef
    params: list[Param]


@dataclass(eq=False, kw_only=True)
class FunctionDecl(Decl):
    type_params: list[str]
    return_type: TypeRef
    params: list[Param]
    body: Block


@dataclass(eq=False, kw_only=True)
class ActionDecl(Decl):
    params: list[Param]
    body: Block


@dataclass(eq=False, kw_only=True)
class ParserTypeDecl(Decl):
    """``parser P<T>(params);`` (a prototype)."""

    type_params: list[str]
    params: list[Param]


@dataclass(eq=False, kw_only=True)
class ControlTypeDecl(Decl):
    type_params: list[str]
    params: list[Param]


@dataclass(eq=False, kw_only=True)
class PackageDecl(Decl):
    type_params: list[str]
    params: list[Param]


@dataclass(eq=False, kw_only=True)
class InstanceDecl(Decl):
    """``T(args) name;`` / ``T<A>(args) name;`` (also ``T(args) name = { abstract impls };``)."""

    type_ref: TypeRef
    args: list[Arg]
    initializer: list[Decl] | None = None
    # Checker annotations: the extern constructor chosen by overload resolution (None for parsers,
    # controls, packages and externs without constructors), and the arguments matched to the
    # constructor's parameters in parameter order (like ``Call.bound_args``). The instance's type
    # (with inferred type arguments) is ``type_ref.resolved``.
    ctor: MethodDecl | None = None
    bound_args: list[Expr | None] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ValueSetDecl(Decl):
    """``value_set<T>(size) name;``"""

    elem_type: TypeRef
    size: Expr


@dataclass(eq=False, kw_only=True)
class SelectCase(Node):
    """``keyset : state;`` The keyset is an Expr: a constant, Mask (``&&&``), Range (``..``),
    DontCare, DefaultExpr, a Name of a value_set, or a ListExpr of these for tuple selects."""

    keyset: Expr
    state: str


@dataclass(eq=False, kw_only=True)
class Transition(Node):
    """``transition state;`` (``select`` None) or ``transition select(keys) { cases }``."""

    state: str | None = None
    select: list[Expr] | None = None
    cases: list[SelectCase] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ParserState(Decl):
    stmts: list[Stmt | Decl]
    transition: Transition | None  # None means "transition reject" semantics per spec


@dataclass(eq=False, kw_only=True)
class ParserDecl(Decl):
    type_params: list[str]
    params: list[Param]
    ctor_params: list[Param]
    locals: list[Decl]
    states: list[ParserState]


@dataclass(eq=False, kw_only=True)
class KeyElement(Node):
    expr: Expr
    match_kind: str
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ActionRef(Node):
    """An element of a table's ``actions`` list (``a`` or ``a(args)`` binding directional args)."""

    call: Call  # callee is the action name; args bind the directional parameters
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class TableEntry(Node):
    """A const/initial entry: ``keyset : action(args);`` with optional ``priority = N:``."""

    keyset: Expr  # single key expression or ListExpr for several keys
    action: Call
    priority: Expr | None = None
    is_const: bool = False
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class TableProperty(Node):
    """A table property. Typed fields are set according to ``name``:
    - ``key``: ``keys``; ``actions``: ``actions``; ``entries``: ``entries``;
    - ``default_action``: ``value`` (a Call, or a Name the parser turns into a Call);
    - anything else (size, implementation, counters, meters, support_timeout, ...): ``value``.
    ``is_const`` for ``const default_action``/``const entries``."""

    name: str
    is_const: bool = False
    keys: list[KeyElement] | None = None
    actions: list[ActionRef] | None = None
    entries: list[TableEntry] | None = None
    value: Expr | None = None
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class TableDecl(Decl):
    properties: list[TableProperty]

    def prop(self, name: str) -> TableProperty | None:
        for p in self.properties:
            if p.name == name:
                return p
        return None


@dataclass(eq=False, kw_only=True)
class ControlDecl(Decl):
    type_params: list[str]
    params: list[Param]
    ctor_params: list[Param]
    locals: list[Decl]
    body: Block


TopDecl = (
    ConstDecl | TypedefDecl | NewTypeDecl | HeaderDecl | StructDecl | HeaderUnionDecl | EnumDecl
    | ErrorDecl | MatchKindDecl | ExternDecl | ExternFunctionDecl | FunctionDecl | ActionDecl
    | ParserTypeDecl | ControlTypeDecl | PackageDecl | ParserDecl | ControlDecl | InstanceDecl
)


@dataclass(eq=False, kw_only=True)
class Program(Node):
    decls: list[Decl]
