"""Checking of declarations other than parsers, controls and tables: types, errors, match kinds,
externs, functions, actions, instantiations and value sets."""

from __future__ import annotations

from . import ast
from .check_call import check_constructor
from .check_expr import check_expr, coerce, const_int, lookup, resolve
from .check_stmt import check_block, check_const_decl, check_var_decl
from .check_types import type_var, unify
from .constfold import wrap
from .errors import P4Error
from .scopes import Cx
from .types import (
    BitsT,
    BoolT,
    EnumT,
    FieldT,
    HeaderT,
    HeaderUnionT,
    IntT,
    NewTypeT,
    ObjectT,
    SerEnumT,
    StringT,
    StructLikeT,
    StructT,
    TupleT,
    Type,
    TypeVar,
    VarbitT,
    VoidT,
)


def generic_scope(cx: Cx, owner: ast.Node, names: list[str], kind: str = "block") -> Cx:
    """A child context where the type parameters ``names`` of ``owner`` are type variables."""
    inner = cx.child("block")
    for n in names:
        inner.scope.declare_type_var(n, type_var(n, owner), owner.loc)
    return inner


def check_params(cx: Cx, params: list[ast.Param], declare: bool, blocks_allowed: bool = False) -> None:
    """Resolve parameter types; with ``declare`` add the parameters to ``cx``'s scope.
    ``blocks_allowed``: parameters may have parser/control types (constructor parameters)."""
    for p in params:
        t = resolve(cx, p.type_ref)
        if isinstance(t, VoidT):
            raise P4Error(f"parameter '{p.name}' cannot have type void", p.type_ref.loc)
        if p.direction and isinstance(t, (ObjectT, IntT, StringT)):
            raise P4Error(f"parameter '{p.name}' of type {t} cannot have a direction", p.loc)
        if not blocks_allowed and isinstance(t, ObjectT) and t.kind in ("parser", "control", "package"):
            raise P4Error(f"parameter '{p.name}' cannot have the type {t.kind} {t}", p.type_ref.loc)
        if p.default is not None:
            at = check_expr(cx, p.default)
            if isinstance(t, ObjectT):
                if not isinstance(at, ObjectT) or not unify(t, at, {}):
                    raise P4Error(f"default value of '{p.name}': expected {t}, found {at}", p.default.loc)
            else:
                coerce(cx, p.default, t, f"default value of '{p.name}'")
        if declare:
            cx.scope.declare(p.name, p, p.loc)


# --------------------------------------------------------------------------- types


def _fields(cx: Cx, decl: ast.Decl, fields: list[ast.FieldDecl]) -> tuple[FieldT, ...]:
    seen: set[str] = set()
    out: list[FieldT] = []
    for f in fields:
        if f.name in seen:
            raise P4Error(f"duplicate field '{f.name}' in {decl.name}", f.loc)
        seen.add(f.name)
        out.append(FieldT(f.name, resolve(cx, f.type_ref)))
    return tuple(out)


def _header_field_ok(t: Type) -> bool:
    if isinstance(t, (BitsT, VarbitT, BoolT, SerEnumT, TypeVar)):
        return True
    if isinstance(t, NewTypeT):
        return _header_field_ok(t.base)
    if isinstance(t, StructT):
        return all(_header_field_ok(f.type) and not isinstance(f.type, VarbitT) for f in t.fields)
    return False


def check_struct_like(cx: Cx, d: ast.HeaderDecl | ast.StructDecl | ast.HeaderUnionDecl) -> None:
    inner = generic_scope(cx, d, d.type_params)
    fields = _fields(inner, d, d.fields)
    t: StructLikeT
    if isinstance(d, ast.HeaderDecl):
        varbits = 0
        for fd, f in zip(d.fields, fields, strict=True):
            if not _header_field_ok(f.type):
                raise P4Error(f"a header field cannot have type {f.type}", fd.type_ref.loc)
            if isinstance(f.type, VarbitT):
                varbits += 1
                if varbits > 1:
                    raise P4Error("a header can have at most one varbit field", fd.loc)
        t = HeaderT(d.name, fields, d)
    elif isinstance(d, ast.HeaderUnionDecl):
        for fd, f in zip(d.fields, fields, strict=True):
            if not isinstance(f.type, (HeaderT, TypeVar)):
                raise P4Error(f"a header union field must be a header, not {f.type}", fd.type_ref.loc)
        t = HeaderUnionT(d.name, fields, d)
    else:
        for fd, f in zip(d.fields, fields, strict=True):
            if isinstance(f.type, (ObjectT, VoidT)):
                raise P4Error(f"a struct field cannot have type {f.type}", fd.type_ref.loc)
        t = StructT(d.name, fields, d)
    cx.env.type_cache[id(d)] = t
    cx.scope.declare(d.name, d, d.loc)


def check_enum(cx: Cx, d: ast.EnumDecl) -> None:
    names = [m.name for m in d.members]
    for i, m in enumerate(d.members):
        if m.name in names[:i]:
            raise P4Error(f"duplicate enum member '{m.name}'", m.loc)
    t: Type
    if d.underlying is None:
        t = EnumT(d.name, tuple(names), d)
    else:
        base = resolve(cx, d.underlying)
        if not isinstance(base, BitsT):
            raise P4Error(
                f"the underlying type of an enum must be bit<W> or int<W>, not {base}", d.underlying.loc
            )
        members: list[tuple[str, int]] = []
        for m in d.members:
            if m.value is None:
                raise P4Error(f"member '{m.name}' of a serializable enum needs a value", m.loc)
            v = const_int(cx, m.value)
            m.value.type = base
            m.value.const = wrap(v, base.width, base.signed)
            members.append((m.name, m.value.const))
        t = SerEnumT(d.name, base, tuple(members), d)
    cx.env.type_cache[id(d)] = t
    cx.scope.declare(d.name, d, d.loc)


def check_typedef(cx: Cx, d: ast.TypedefDecl | ast.NewTypeDecl) -> None:
    base = resolve(cx, d.type_ref)
    if isinstance(d, ast.NewTypeDecl):
        if not isinstance(base, (BitsT, BoolT, NewTypeT)) and not isinstance(base, StructLikeT):
            raise P4Error(f"a new type cannot be based on {base}", d.type_ref.loc)
        cx.env.type_cache[id(d)] = NewTypeT(d.name, base, d)
    else:
        cx.env.type_cache[id(d)] = base
    cx.scope.declare(d.name, d, d.loc)


def check_errors(cx: Cx, d: ast.ErrorDecl) -> None:
    for m in d.members:
        cx.env.add_error(m, d.loc)


def check_match_kinds(cx: Cx, d: ast.MatchKindDecl) -> None:
    for m in d.members:
        if m in cx.env.match_kinds:
            raise P4Error(f"duplicate match_kind '{m}'", d.loc)
        cx.env.match_kinds.add(m)


# --------------------------------------------------------------------------- externs, functions


def check_extern(cx: Cx, d: ast.ExternDecl) -> None:
    cx.scope.declare(d.name, d, d.loc)
    inner = generic_scope(cx, d, d.type_params)
    seen: dict[tuple[str, tuple[str, ...]], ast.MethodDecl] = {}
    for m in d.methods:
        if m.return_type is None and m.name != d.name:
            raise P4Error(f"method '{m.name}' needs a return type", m.loc)
        key = (m.name, tuple(p.name for p in m.params))
        if key in seen:
            raise P4Error(f"duplicate method '{m.name}' with the same parameters", m.loc)
        seen[key] = m
        mcx = generic_scope(inner, m, m.type_params)
        check_params(mcx, m.params, declare=False, blocks_allowed=m.return_type is None)
        if m.return_type is not None:
            resolve(mcx, m.return_type)


def check_extern_function(cx: Cx, d: ast.ExternFunctionDecl) -> None:
    inner = generic_scope(cx, d, d.type_params)
    check_params(inner, d.params, declare=False)
    resolve(inner, d.return_type)
    cx.scope.declare(d.name, d, d.loc)


def check_function(cx: Cx, d: ast.FunctionDecl) -> None:
    inner = generic_scope(cx, d, d.type_params)
    inner.in_function = True
    check_params(inner, d.params, declare=True)
    inner.return_type = resolve(inner, d.return_type)
    cx.scope.declare(d.name, d, d.loc)
    check_block(inner, d.body)
    if not isinstance(inner.return_type, VoidT) and not _always_returns(d.body):
        raise P4Error(f"function '{d.name}' does not return a value on every path", d.loc)


def _always_returns(s: ast.Stmt | ast.Decl) -> bool:
    if isinstance(s, (ast.Return, ast.Exit)):
        return True
    if isinstance(s, ast.Block):
        return any(_always_returns(x) for x in s.stmts)
    if isinstance(s, ast.If):
        return s.else_ is not None and _always_returns(s.then) and _always_returns(s.else_)
    if isinstance(s, ast.Switch):
        has_default = any(isinstance(c.label, ast.DefaultExpr) for c in s.cases)
        return has_default and all(c.body is None or _always_returns(c.body) for c in s.cases)
    return False


def check_action(cx: Cx, d: ast.ActionDecl) -> None:
    inner = cx.child("action")
    inner.in_action = True
    check_params(inner, d.params, declare=True)
    for p in d.params:
        if isinstance(p.type_ref.resolved, ObjectT):
            raise P4Error(f"action parameter '{p.name}' cannot have an extern or block type", p.type_ref.loc)
    seen_directionless = False
    for p in d.params:
        if p.direction == "":
            seen_directionless = True
        elif seen_directionless:
            raise P4Error(f"parameter '{p.name}' with a direction follows a directionless parameter", p.loc)
    cx.scope.declare(d.name, d, d.loc)
    check_block(inner, d.body)


def check_prototype(cx: Cx, d: ast.ParserTypeDecl | ast.ControlTypeDecl | ast.PackageDecl) -> None:
    inner = generic_scope(cx, d, d.type_params)
    check_params(inner, d.params, declare=False, blocks_allowed=isinstance(d, ast.PackageDecl))
    cx.scope.declare(d.name, d, d.loc)


# --------------------------------------------------------------------------- instances


def check_instance(cx: Cx, d: ast.InstanceDecl) -> None:
    if d.initializer is not None:
        raise P4Error(
            "instances with abstract method implementations are not supported", d.loc, kind="unsupported"
        )
    tr = d.type_ref
    if not isinstance(tr, ast.NamedTypeRef):
        raise P4Error("only named types can be instantiated", tr.loc)
    found = lookup(cx, tr.name, tr.is_global, tr.loc)
    if isinstance(found, Type):
        raise P4Error(f"type parameter '{tr.name}' cannot be instantiated", tr.loc)
    decl = found[0]
    explicit = [resolve(cx, a) for a in tr.type_args]
    if isinstance(decl, ast.TypedefDecl) and not explicit:
        aliased = decl.type_ref.resolved  # ``typedef register<bit<8>> R; R(4) r;``
        if isinstance(aliased, ObjectT) and aliased.decl is not None:
            decl = aliased.decl
            explicit = list(aliased.type_args)
    if not isinstance(decl, (ast.ExternDecl, ast.ParserDecl, ast.ControlDecl, ast.PackageDecl)):
        raise P4Error(f"'{tr.name}' cannot be instantiated", tr.loc)
    where = cx.scope.enclosing("parser", "control")
    if isinstance(decl, (ast.ParserDecl, ast.ControlDecl)):
        kind = "parser" if isinstance(decl, ast.ParserDecl) else "control"
        if where is None:
            raise P4Error(f"a {kind} cannot be instantiated at the top level", d.loc)
        if where.kind != kind:
            raise P4Error(f"a {kind} cannot be instantiated in a {where.kind}", d.loc)
    if isinstance(decl, ast.PackageDecl) and where is not None:
        raise P4Error("a package can only be instantiated at the top level", d.loc)
    t, ctor, bound, _ = check_constructor(cx, decl, explicit, d.args, d.loc)
    tr.resolved = t
    d.ctor = ctor
    d.bound_args = bound
    cx.scope.declare(d.name, d, d.loc)


def check_value_set(cx: Cx, d: ast.ValueSetDecl) -> None:
    et = resolve(cx, d.elem_type)
    if not isinstance(et, (BitsT, StructT, TupleT, SerEnumT, NewTypeT)):
        raise P4Error(f"a value_set cannot hold values of type {et}", d.elem_type.loc)
    size = const_int(cx, d.size)
    if size < 0:
        raise P4Error("a value_set size cannot be negative", d.size.loc)
    cx.scope.declare(d.name, d, d.loc)


def check_data_local(cx: Cx, d: ast.Decl) -> bool:
    """Check a variable/constant/instance/value-set local; False if ``d`` is none of those."""
    if isinstance(d, ast.VarDecl):
        check_var_decl(cx, d)
    elif isinstance(d, ast.ConstDecl):
        check_const_decl(cx, d)
    elif isinstance(d, ast.InstanceDecl):
        check_instance(cx, d)
    elif isinstance(d, ast.ValueSetDecl):
        check_value_set(cx, d)
    else:
        return False
    return True
