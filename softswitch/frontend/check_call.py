"""Typing of calls: overload resolution by argument count and names, binding of arguments to
parameters (``Call.bound_args``), inference of type arguments, and constructor calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import ast
from .check_expr import (
    DONTCARE,
    INT,
    SIZE_METHODS,
    check_expr,
    check_lvalue,
    check_member,
    coerce,
    const_int,
    lookup,
    resolve,
    size_method_value,
)
from .check_types import (
    TYPE_DECLS,
    block_params,
    has_type_vars,
    object_mapping,
    param_type,
    substitute,
    type_var,
    unify,
)
from .errors import P4Error, SourceLoc
from .scopes import Cx
from .types import (
    BoolT,
    DontCareT,
    HeaderT,
    HeaderUnionT,
    IntT,
    NewTypeT,
    ObjectT,
    StackT,
    TableResultT,
    Type,
    TypeVar,
    VarbitT,
    VoidT,
)

VOID = VoidT()

Callable = ast.ActionDecl | ast.FunctionDecl | ast.ExternFunctionDecl | ast.MethodDecl


class _Apply(ast.Node):
    """A pseudo-declaration carrying a block's apply parameters, for overload resolution."""

    def __init__(self, params: list[ast.Param], loc: SourceLoc) -> None:
        super().__init__(loc=loc)
        self.params = params


def _params_of(d: ast.Node) -> list[ast.Param]:
    if isinstance(d, _Apply):
        return d.params
    if isinstance(d, (ast.ActionDecl, ast.FunctionDecl, ast.ExternFunctionDecl, ast.MethodDecl)):
        return d.params
    if isinstance(d, (ast.ParserDecl, ast.ControlDecl)):
        return d.ctor_params
    if isinstance(d, ast.PackageDecl):
        return d.params
    return []


def shape(params: list[ast.Param], args: Sequence[ast.Arg], loc: SourceLoc) -> list[ast.Arg | None] | None:
    """Match arguments to parameters by position or by name; None when they do not fit."""
    named = [a for a in args if a.name is not None]
    if named and len(named) != len(args):
        raise P4Error("arguments must be either all named or all positional", loc)
    slots: list[ast.Arg | None] = [None] * len(params)
    if named:
        index = {p.name: i for i, p in enumerate(params)}
        for a in args:
            assert a.name is not None
            i = index.get(a.name)
            if i is None:
                return None
            if slots[i] is not None:
                raise P4Error(f"argument '{a.name}' given twice", a.loc)
            slots[i] = a
    else:
        if len(args) > len(params):
            return None
        for i, a in enumerate(args):
            slots[i] = a
    for p, s in zip(params, slots, strict=True):
        if s is None and not (p.optional or p.default is not None):
            return None
    return slots


def select_overload(
    cands: Sequence[ast.Node], args: Sequence[ast.Arg], loc: SourceLoc, what: str
) -> tuple[ast.Node, list[ast.Arg | None]]:
    fits: list[tuple[ast.Node, list[ast.Arg | None]]] = []
    for c in cands:
        s = shape(_params_of(c), args, loc)
        if s is not None:
            fits.append((c, s))
    if not fits:
        if len(cands) == 1:
            params = _params_of(cands[0])
            names = {a.name for a in args if a.name is not None}
            unknown = sorted(n for n in names if n not in {p.name for p in params})
            if unknown:
                raise P4Error(f"{what} has no parameter named '{unknown[0]}'", loc)
            required = sum(1 for p in params if not (p.optional or p.default is not None))
            if required == len(params):
                raise P4Error(f"{what} expects {len(params)} argument(s), got {len(args)}", loc)
            raise P4Error(f"{what} expects {required} to {len(params)} arguments, got {len(args)}", loc)
        raise P4Error(f"no overload of {what} takes {len(args)} argument(s)", loc)
    if len(fits) > 1:
        exact = [f for f in fits if len(_params_of(f[0])) == len(args)]
        if len(exact) == 1:
            return exact[0]
    return fits[0]


def bind_args(
    cx: Cx,
    params: list[ast.Param],
    slots: list[ast.Arg | None],
    fixed: dict[TypeVar, Type],
    inferable: list[TypeVar],
    explicit: list[Type],
    what: str,
    loc: SourceLoc,
) -> tuple[list[ast.Expr | None], dict[TypeVar, Type]]:
    """Check the arguments against the parameters. ``fixed`` substitutes type variables already
    known (an extern instance's type arguments); ``inferable`` are the callee's own type
    parameters, bound from ``explicit`` type arguments or inferred from the arguments."""
    m: dict[TypeVar, Type | None] = {tv: None for tv in inferable}
    if explicit:
        if len(explicit) != len(inferable):
            raise P4Error(f"{what} expects {len(inferable)} type argument(s), got {len(explicit)}", loc)
        for tv, t in zip(inferable, explicit, strict=True):
            m[tv] = t
    ptypes = [substitute(param_type(p), fixed) for p in params]
    for s, pt in zip(slots, ptypes, strict=True):
        if s is None:
            continue
        at = check_expr(cx, s.value)
        if not isinstance(at, (IntT, DontCareT)) and not isinstance(s.value, (ast.ListExpr, ast.StructExpr)):
            unify(pt, at, m)
    for s, pt in zip(slots, ptypes, strict=True):
        if s is not None and isinstance(s.value, (ast.ListExpr, ast.StructExpr)):
            unify(pt, s.value.type or DONTCARE, m)
    final = {k: v for k, v in m.items() if v is not None}
    final.update(fixed)
    bound: list[ast.Expr | None] = []
    for p, s, pt in zip(params, slots, ptypes, strict=True):
        if s is None:
            bound.append(None)
            continue
        target = substitute(pt, final)
        arg = s.value
        if p.direction in ("out", "inout"):
            check_lvalue(cx, arg)
            if not isinstance(arg.type, DontCareT) and not has_type_vars(target) and arg.type != target:
                raise P4Error(
                    f"argument for '{p.direction} {p.name}' of {what} must have type {target}, found {arg.type}",
                    arg.loc,
                )
        elif isinstance(target, ObjectT):
            ot = arg.type
            if not isinstance(ot, ObjectT) or not unify(target, ot, {}):
                raise P4Error(f"argument '{p.name}' of {what}: expected {target}, found {ot}", arg.loc)
        else:
            if isinstance(target, NewTypeT) and isinstance(arg.type, IntT):
                # unlike an assignment, an argument never converts an integer to a new type
                raise P4Error(
                    f"argument '{p.name}' of {what} has the new type {target}: an integer needs an "
                    f"explicit cast, as in ({target})value",
                    arg.loc,
                )
            coerce(cx, arg, target, f"argument '{p.name}' of {what}")
        bound.append(arg)
    return bound, final


def _ret(cx: Cx, tr: ast.TypeRef | None, mapping: dict[TypeVar, Type], loc: SourceLoc) -> Type:
    if tr is None or tr.resolved is None:
        return VOID
    t = substitute(tr.resolved, mapping)
    if has_type_vars(t):
        raise P4Error(f"cannot infer the result type {t} of this call; give type arguments", loc)
    return t


# --------------------------------------------------------------------------- calls


def check_call(cx: Cx, call: ast.Call) -> Type:
    callee = call.callee
    explicit = [resolve(cx, t) for t in call.type_args]
    if isinstance(callee, ast.Name):
        return _call_name(cx, call, callee, explicit)
    if isinstance(callee, ast.Member):
        check_member(cx, callee, callee=True)
        if callee.kind != "method":
            raise P4Error(f"'{callee.member}' is not a method; it cannot be called", callee.loc)
        return _call_method(cx, call, callee, explicit)
    if isinstance(callee, ast.TypeNameExpr):
        raise P4Error("a type cannot be called", callee.loc)
    check_expr(cx, callee)
    raise P4Error("this expression cannot be called", callee.loc)


def _is_type_expr(e: ast.Expr) -> bool:
    if isinstance(e, ast.TypeNameExpr):
        return True
    if isinstance(e, ast.Name):
        return e.decl is None or isinstance(e.decl, TYPE_DECLS)
    return False


def _no_args(call: ast.Call, what: str) -> None:
    if call.args:
        raise P4Error(f"{what} takes no arguments", call.loc)


def _call_method(cx: Cx, call: ast.Call, callee: ast.Member, explicit: list[Type]) -> Type:
    obj = callee.expr
    m = callee.member
    ot = obj.type
    assert ot is not None
    if m in SIZE_METHODS and (_is_type_expr(obj) or not isinstance(ot, ObjectT)):
        _no_args(call, m)
        call.kind = "type_method"
        call.const = size_method_value(ot, m, call.loc)
        return INT
    if isinstance(ot, (HeaderT, HeaderUnionT)):
        _no_args(call, m)
        call.kind = "header_method"
        if m == "isValid":
            return BoolT()
        if isinstance(ot, HeaderUnionT):
            raise P4Error(f"header union has no method '{m}'", callee.loc)
        check_lvalue(cx, obj)
        return VOID
    if isinstance(ot, StackT):
        call.kind = "stack_method"
        if len(call.args) != 1:
            raise P4Error(f"{m} expects 1 argument, got {len(call.args)}", call.loc)
        n = const_int(cx, call.args[0].value)
        if n < 0:
            raise P4Error(f"{m} needs a non-negative count", call.args[0].loc)
        check_lvalue(cx, obj)
        call.bound_args = [call.args[0].value]
        return VOID
    if isinstance(ot, ObjectT) and ot.kind == "table":
        _no_args(call, "apply")
        call.kind = "table_apply"
        call.target = ot.decl
        if cx.in_action:
            raise P4Error("a table cannot be applied inside an action", call.loc)
        return TableResultT(ot.name)
    if isinstance(ot, ObjectT) and ot.kind in ("parser", "control"):
        assert ot.decl is not None
        if cx.in_action or cx.in_function:
            raise P4Error("apply cannot be called from actions or functions", call.loc)
        call.kind = "parser_apply" if ot.kind == "parser" else "control_apply"
        call.target = obj.decl if isinstance(obj, ast.Name) else None
        params = block_params(ot.decl)
        what = f"{ot.name}.apply"
        slots = select_overload([_Apply(params, ot.decl.loc)], call.args, call.loc, what)[1]
        call.bound_args, _ = bind_args(cx, params, slots, object_mapping(ot), [], explicit, what, call.loc)
        return VOID
    if isinstance(ot, ObjectT) and ot.kind == "extern" and isinstance(ot.decl, ast.ExternDecl):
        cands = [md for md in ot.decl.methods if md.name == m and md.return_type is not None]
        what = f"{ot.name}.{m}"
        chosen, slots = select_overload(cands, call.args, call.loc, what)
        assert isinstance(chosen, ast.MethodDecl)
        fixed = object_mapping(ot)
        inferable = [type_var(n, chosen) for n in chosen.type_params]
        if not ot.type_args:
            inferable += [type_var(n, ot.decl) for n in ot.decl.type_params]
        call.bound_args, mapping = bind_args(
            cx, chosen.params, slots, fixed, inferable, explicit, what, call.loc
        )
        call.kind = "extern_method"
        call.target = chosen
        call.resolved_type_args = [mapping.get(type_var(n, chosen), DONTCARE) for n in chosen.type_params]
        if ot.name == "packet_in" and m == "extract":
            _check_extract(call)
        return _ret(cx, chosen.return_type, mapping, call.loc)
    raise P4Error(f"'{m}' cannot be called on a value of type {ot}", callee.loc)


def _fits(found: list[ast.Node] | Type, args: Sequence[ast.Arg], loc: SourceLoc) -> bool:
    if isinstance(found, Type):
        return False
    return any(
        isinstance(d, (ast.ActionDecl, ast.FunctionDecl, ast.ExternFunctionDecl))
        and shape(_params_of(d), args, loc) is not None
        for d in found
    )


def _call_name(cx: Cx, call: ast.Call, callee: ast.Name, explicit: list[Type]) -> Type:
    found = lookup(cx, callee.name, callee.is_global, callee.loc)
    if not callee.is_global and not _fits(found, call.args, call.loc):
        # a nearer declaration of the name (e.g. an action ``hash``) may hide a callable that fits
        for outer in cx.scope.lookup_levels(callee.name)[1:]:
            if _fits(outer, call.args, call.loc):
                found = outer
                break
    if isinstance(found, Type):
        raise P4Error(f"type parameter '{callee.name}' cannot be called", callee.loc)
    first = found[0]
    callee.decl = first
    name = callee.name
    if isinstance(first, ast.ActionDecl):
        if cx.in_parser:
            raise P4Error("actions cannot be called from a parser", call.loc)
        callee.type = ObjectT("action", name, first)
        slots = select_overload([first], call.args, call.loc, f"action {name}")[1]
        call.bound_args, _ = bind_args(cx, first.params, slots, {}, [], explicit, f"action {name}", call.loc)
        call.kind = "action"
        call.target = first
        return VOID
    if isinstance(first, (ast.FunctionDecl, ast.ExternFunctionDecl)):
        chosen, slots = select_overload(found, call.args, call.loc, name)
        assert isinstance(chosen, (ast.FunctionDecl, ast.ExternFunctionDecl))
        callee.decl = chosen
        callee.type = ObjectT("function", name, chosen)
        inferable = [type_var(n, chosen) for n in chosen.type_params]
        call.bound_args, mapping = bind_args(
            cx, chosen.params, slots, {}, inferable, explicit, name, call.loc
        )
        call.kind = "function" if isinstance(chosen, ast.FunctionDecl) else "extern_function"
        call.target = chosen
        call.resolved_type_args = [mapping.get(tv, DONTCARE) for tv in inferable]
        if name == "static_assert" and call.bound_args:
            _static_assert(call)
        return _ret(cx, chosen.return_type, mapping, call.loc)
    if isinstance(first, (ast.ExternDecl, ast.ParserDecl, ast.ControlDecl, ast.PackageDecl)):
        t, ctor, bound, targs = check_constructor(cx, first, explicit, call.args, call.loc)
        callee.type = t
        call.kind = "constructor"
        call.target = ctor if ctor is not None else first
        call.bound_args = bound
        call.resolved_type_args = list(targs)
        return t
    if isinstance(first, (ast.ParserTypeDecl, ast.ControlTypeDecl)):
        raise P4Error(f"'{name}' is a prototype and cannot be instantiated", callee.loc)
    raise P4Error(f"'{name}' is not callable", callee.loc)


def _check_extract(call: ast.Call) -> None:
    arg = call.bound_args[0] if call.bound_args else None
    if arg is None:
        return
    t = arg.type
    if isinstance(t, DontCareT) and call.resolved_type_args:
        t = call.resolved_type_args[0]
    if not isinstance(t, HeaderT):
        raise P4Error(f"extract needs a header, found {t}", arg.loc)
    has_varbit = any(isinstance(f.type, VarbitT) for f in t.fields)
    if len(call.bound_args) == 2 and not has_varbit:
        raise P4Error(f"extract with a size needs a header with a varbit field; {t} has none", arg.loc)
    if len(call.bound_args) == 1 and has_varbit:
        raise P4Error(f"header {t} has a varbit field: extract needs its size in bits", arg.loc)


def _static_assert(call: ast.Call) -> None:
    cond = call.bound_args[0]
    if cond is None or not isinstance(cond.const, bool):
        raise P4Error("static_assert needs a compile-time condition", call.loc)
    if not cond.const:
        msg = call.bound_args[1] if len(call.bound_args) > 1 else None
        text = msg.value if isinstance(msg, ast.StrLit) else "static assertion failed"
        raise P4Error(text, call.loc)
    call.const = True


def check_constructor(
    cx: Cx, decl: ast.Decl, explicit: list[Type], args: Sequence[ast.Arg], loc: SourceLoc
) -> tuple[ObjectT, ast.MethodDecl | None, list[ast.Expr | None], tuple[Type, ...]]:
    """Check an instantiation of ``decl`` with ``args``: (instance type, constructor chosen for an
    extern, bound arguments, type arguments)."""
    if isinstance(decl, ast.ExternDecl):
        tvs = [type_var(n, decl) for n in decl.type_params]
        ctors = [md for md in decl.methods if md.return_type is None and md.name == decl.name]
        if not ctors:
            if args:
                raise P4Error(f"extern {decl.name} has no constructor taking arguments", loc)
            if tvs and not explicit:
                raise P4Error(f"type arguments of {decl.name} cannot be inferred", loc)
            targs = tuple(explicit)
            return ObjectT("extern", decl.name, decl, targs), None, [], targs
        chosen, slots = select_overload(ctors, args, loc, f"constructor of {decl.name}")
        assert isinstance(chosen, ast.MethodDecl)
        if explicit and len(explicit) != len(tvs):
            raise P4Error(f"{decl.name} expects {len(tvs)} type argument(s), got {len(explicit)}", loc)
        inferable = [type_var(n, chosen) for n in chosen.type_params]
        if not explicit:
            inferable = tvs + inferable
        fixed = dict(zip(tvs, explicit, strict=True)) if explicit else {}
        bound, mapping = bind_args(cx, chosen.params, slots, fixed, inferable, [], decl.name, loc)
        targs = tuple(explicit) if explicit else tuple(mapping.get(tv, tv) for tv in tvs)
        for t in targs:
            if isinstance(t, TypeVar):
                raise P4Error(f"type arguments of {decl.name} cannot be inferred; give them", loc)
        return ObjectT("extern", decl.name, decl, targs), chosen, bound, targs
    if isinstance(decl, (ast.ParserDecl, ast.ControlDecl)):
        kind = "parser" if isinstance(decl, ast.ParserDecl) else "control"
        if decl.type_params and not explicit:
            raise P4Error(f"generic {kind} {decl.name} needs type arguments", loc, kind="unsupported")
        params = decl.ctor_params
        slots = select_overload([_Apply(params, decl.loc)], args, loc, f"constructor of {decl.name}")[1]
        bound, _ = bind_args(cx, params, slots, {}, [], [], decl.name, loc)
        targs = tuple(explicit)
        return ObjectT(kind, decl.name, decl, targs), None, bound, targs
    if isinstance(decl, ast.PackageDecl):
        tvs = [type_var(n, decl) for n in decl.type_params]
        slots = select_overload([_Apply(decl.params, decl.loc)], args, loc, f"package {decl.name}")[1]
        fixed = dict(zip(tvs, explicit, strict=False)) if explicit else {}
        bound, mapping = bind_args(cx, decl.params, slots, fixed, [] if explicit else tvs, [], decl.name, loc)
        targs = tuple(explicit) if explicit else tuple(mapping.get(tv, tv) for tv in tvs)
        return ObjectT("package", decl.name, decl, targs), None, bound, targs
    raise P4Error(f"'{decl.name}' cannot be instantiated", loc)
