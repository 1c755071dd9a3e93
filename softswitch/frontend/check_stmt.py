"""Checking of statements and of the declarations that may appear among them (variables and
constants)."""

from __future__ import annotations

from . import ast
from .check_expr import (
    check_bool,
    check_expr,
    check_lvalue,
    coerce,
    lookup,
    resolve,
)
from .errors import P4Error
from .scopes import Cx
from .types import (
    ActionEnumT,
    BitsT,
    BoolT,
    DontCareT,
    EnumT,
    ErrorT,
    IntT,
    NewTypeT,
    ObjectT,
    SerEnumT,
    StackT,
    StructLikeT,
    TupleT,
    Type,
    VoidT,
    underlying,
)


def is_scalar(t: Type) -> bool:
    return isinstance(t, (BitsT, BoolT, IntT, SerEnumT, EnumT, ErrorT, NewTypeT))


def check_var_decl(cx: Cx, d: ast.VarDecl) -> None:
    t = resolve(cx, d.type_ref)
    if isinstance(t, (VoidT, ObjectT)):
        raise P4Error(f"a variable cannot have type {t} (instantiate it instead)", d.type_ref.loc)
    if d.init is not None:
        check_expr(cx, d.init)
        coerce(cx, d.init, t, f"initializer of '{d.name}'")
    cx.scope.declare(d.name, d, d.loc)


def check_const_decl(cx: Cx, d: ast.ConstDecl) -> None:
    t = resolve(cx, d.type_ref)
    check_expr(cx, d.value)
    coerce(cx, d.value, t, f"constant '{d.name}'")
    if is_scalar(t) and d.value.const is None:
        raise P4Error(f"the value of constant '{d.name}' is not a compile-time constant", d.value.loc)
    cx.scope.declare(d.name, d, d.loc)


def check_block(cx: Cx, b: ast.Block) -> None:
    inner = cx.child("block")
    check_stmts(inner, b.stmts)


def check_stmts(cx: Cx, stmts: list[ast.Stmt | ast.Decl]) -> None:
    for s in stmts:
        if isinstance(s, ast.Stmt):
            check_stmt(cx, s)
        elif isinstance(s, ast.VarDecl):
            check_var_decl(cx, s)
        elif isinstance(s, ast.ConstDecl):
            check_const_decl(cx, s)
        else:
            raise P4Error(f"declaration of '{s.name}' is not allowed here", s.loc)


def check_stmt(cx: Cx, s: ast.Stmt) -> None:
    if isinstance(s, ast.Assign):
        lt = check_expr(cx, s.lhs)
        check_lvalue(cx, s.lhs)
        check_expr(cx, s.rhs)
        coerce(cx, s.rhs, lt, "assignment")
    elif isinstance(s, ast.CallStmt):
        check_expr(cx, s.call)
    elif isinstance(s, ast.Block):
        check_block(cx, s)
    elif isinstance(s, ast.If):
        check_bool(cx, s.cond, "the condition of if")
        _branch(cx, s.then)
        if s.else_ is not None:
            _branch(cx, s.else_)
    elif isinstance(s, ast.Switch):
        _switch(cx, s)
    elif isinstance(s, ast.Return):
        _return(cx, s)
    elif isinstance(s, ast.Exit):
        if cx.in_parser:
            raise P4Error("exit is not allowed in a parser", s.loc)
        if cx.in_function:
            raise P4Error("exit is not allowed in a function", s.loc)
    elif isinstance(s, ast.EmptyStmt):
        pass
    elif isinstance(s, ast.For):
        _for(cx, s)
    elif isinstance(s, ast.ForIn):
        _for_in(cx, s)
    elif isinstance(s, (ast.Break, ast.Continue)):
        if not cx.in_loop:
            word = "break" if isinstance(s, ast.Break) else "continue"
            raise P4Error(f"'{word}' is only allowed inside a for loop", s.loc)
    else:
        raise P4Error(f"unsupported statement {type(s).__name__}", s.loc, kind="unsupported")


def _branch(cx: Cx, s: ast.Stmt) -> None:
    if isinstance(s, ast.Block):
        check_block(cx, s)
    else:
        check_stmt(cx.child("block"), s)


def _loop_cx(cx: Cx, s: ast.Stmt) -> Cx:
    if cx.in_parser:
        raise P4Error("for loops are not allowed in a parser", s.loc)
    inner = cx.child("block")
    return inner


def _loop_body(cx: Cx, body: ast.Stmt) -> None:
    inner = cx.child("block")
    inner.in_loop = True
    if isinstance(body, ast.Block):
        check_stmts(inner, body.stmts)
    else:
        check_stmt(inner, body)


def _for(cx: Cx, s: ast.For) -> None:
    inner = _loop_cx(cx, s)
    for x in s.init:
        if isinstance(x, ast.VarDecl):
            check_var_decl(inner, x)
        elif isinstance(x, (ast.Assign, ast.CallStmt)):
            check_stmt(inner, x)
        else:
            raise P4Error("a for loop starts with declarations, assignments or calls", x.loc)
    check_bool(inner, s.cond, "the condition of a for loop")
    for u in s.updates:
        if not isinstance(u, (ast.Assign, ast.CallStmt)):
            raise P4Error("the update of a for loop must be an assignment or a call", u.loc)
        check_stmt(inner, u)
    _loop_body(inner, s.body)


def _for_in(cx: Cx, s: ast.ForIn) -> None:
    inner = _loop_cx(cx, s)
    var = s.var
    t = resolve(inner, var.type_ref)
    if isinstance(t, (VoidT, ObjectT)):
        raise P4Error(f"a loop variable cannot have type {t}", var.type_ref.loc)
    if s.range_end is not None:
        if not isinstance(underlying(t), BitsT):
            raise P4Error(f"a loop over a range needs a bit<W> or int<W> variable, not {t}", var.type_ref.loc)
        for bound in (s.collection, s.range_end):
            check_expr(inner, bound)
            coerce(inner, bound, t, "range bound")
    else:
        ct = check_expr(inner, s.collection)
        if isinstance(s.collection, ast.ListExpr):
            for item in s.collection.items:
                coerce(inner, item, t, "list element")
        elif isinstance(ct, StackT):
            if ct.elem != t:
                raise P4Error(f"loop variable of type {t} does not match the stack element type {ct.elem}", var.loc)
        else:
            raise P4Error(
                f"a for loop iterates over a range, a header stack or a list, not {ct}", s.collection.loc
            )
    inner.scope.declare(var.name, var, var.loc)
    _loop_body(inner, s.body)


def _return(cx: Cx, s: ast.Return) -> None:
    if cx.in_function:
        rt = cx.return_type
        assert rt is not None
        if isinstance(rt, VoidT):
            if s.value is not None:
                raise P4Error("a void function cannot return a value", s.value.loc)
            return
        if s.value is None:
            raise P4Error(f"return needs a value of type {rt}", s.loc)
        check_expr(cx, s.value)
        coerce(cx, s.value, rt, "return")
        return
    if cx.in_parser:
        raise P4Error("return is not allowed in a parser", s.loc)
    if s.value is not None:
        raise P4Error("return with a value is only allowed in a function", s.value.loc)


def _switch(cx: Cx, s: ast.Switch) -> None:
    t = check_expr(cx, s.expr)
    seen: set[object] = set()
    for i, case in enumerate(s.cases):
        label = case.label
        if isinstance(label, ast.DefaultExpr):
            if i != len(s.cases) - 1:
                raise P4Error("'default' must be the last switch label", label.loc)
            label.type = DontCareT()
            key: object = "default"
        elif isinstance(t, ActionEnumT):
            key = _action_label(cx, s, label, t)
        else:
            key = _value_label(cx, label, t)
        if key in seen:
            raise P4Error("duplicate switch label", label.loc)
        seen.add(key)
        if case.body is not None:
            check_block(cx, case.body)


def _table_of(e: ast.Expr) -> ast.TableDecl | None:
    if isinstance(e, ast.Member) and isinstance(e.expr, ast.Call):
        target = e.expr.target
        if isinstance(target, ast.TableDecl):
            return target
    return None


def table_action_decls(table: ast.TableDecl) -> list[ast.ActionDecl]:
    prop = table.prop("actions")
    out: list[ast.ActionDecl] = []
    if prop is not None and prop.actions is not None:
        for ref in prop.actions:
            if isinstance(ref.call.target, ast.ActionDecl):
                out.append(ref.call.target)
    return out


def _action_label(cx: Cx, s: ast.Switch, label: ast.Expr, t: ActionEnumT) -> object:
    if not isinstance(label, ast.Name):
        raise P4Error("a label of a switch on action_run must be an action name", label.loc)
    found = lookup(cx, label.name, label.is_global, label.loc)
    decl = found[0] if isinstance(found, list) else None
    if not isinstance(decl, ast.ActionDecl):
        raise P4Error(f"'{label.name}' is not an action", label.loc)
    table = _table_of(s.expr)
    if table is not None and all(a is not decl for a in table_action_decls(table)):
        raise P4Error(f"action '{label.name}' is not an action of table {table.name}", label.loc)
    label.decl = decl
    label.type = t
    return decl


def _value_label(cx: Cx, label: ast.Expr, t: Type) -> object:
    if not isinstance(t, (BitsT, EnumT, SerEnumT, ErrorT)):
        raise P4Error(f"cannot switch on a value of type {t}", label.loc)
    check_expr(cx, label)
    coerce(cx, label, t, "switch label")
    if label.const is None:
        raise P4Error("a switch label must be a compile-time constant", label.loc)
    return label.const


def keyset_type(key_types: list[Type]) -> Type:
    return key_types[0] if len(key_types) == 1 else TupleT(tuple(key_types))


def value_set_matches(elem: Type, key_types: list[Type]) -> bool:
    if len(key_types) == 1:
        if isinstance(elem, StructLikeT) and len(elem.fields) == 1:
            return elem.fields[0].type == key_types[0]
        return elem == key_types[0]
    if isinstance(elem, StructLikeT):
        return [f.type for f in elem.fields] == key_types
    if isinstance(elem, TupleT):
        return list(elem.elems) == key_types
    return False
