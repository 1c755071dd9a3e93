"""Checking of parsers (states, transitions, select keysets), controls and tables (keys, action
lists, default actions, entries and properties)."""

from __future__ import annotations

from . import ast
from .check_call import VOID, bind_args
from .check_decl import check_action, check_data_local, check_function, check_params, generic_scope
from .check_expr import check_bool, check_expr, coerce, const_int, lookup
from .check_stmt import (
    check_block,
    check_stmts,
    is_scalar,
    keyset_type,
    value_set_matches,
)
from .errors import P4Error
from .scopes import Cx
from .types import BitsT, DontCareT, IntT, ObjectT, SerEnumT, TupleT, Type

DONTCARE = DontCareT()


# --------------------------------------------------------------------------- keysets


def check_keyset(cx: Cx, ks: ast.Expr, key_types: list[Type], allow_value_set: bool, what: str) -> None:
    """Check a select case keyset or a table entry key against the key types."""
    n = len(key_types)
    if isinstance(ks, (ast.DefaultExpr, ast.DontCare)):
        ks.type = DONTCARE
        return
    if allow_value_set and isinstance(ks, ast.Name):
        found = lookup(cx, ks.name, ks.is_global, ks.loc)
        if isinstance(found, list) and isinstance(found[0], ast.ValueSetDecl):
            vs = found[0]
            et = vs.elem_type.resolved
            assert et is not None
            if not value_set_matches(et, key_types):
                raise P4Error(
                    f"value_set '{vs.name}' holds {et} but the select key has type {keyset_type(key_types)}",
                    ks.loc,
                )
            ks.decl = vs
            ks.type = ObjectT("value_set", vs.name, vs, (et,))
            return
    if n != 1 or (isinstance(ks, ast.ListExpr) and len(ks.items) == 1):
        if not isinstance(ks, ast.ListExpr):
            raise P4Error(f"expected a tuple of {n} keysets for {what}", ks.loc)
        if len(ks.items) != n:
            raise P4Error(f"expected {n} keysets for {what}, found {len(ks.items)}", ks.loc)
        for item, kt in zip(ks.items, key_types, strict=True):
            _keyset_elem(cx, item, kt, what)
        ks.type = TupleT(tuple(key_types))
        return
    _keyset_elem(cx, ks, key_types[0], what)


def _keyset_elem(cx: Cx, e: ast.Expr, kt: Type, what: str) -> None:
    if isinstance(e, (ast.DefaultExpr, ast.DontCare)):
        e.type = DONTCARE
        return
    if isinstance(e, ast.Binary) and e.op in ("&&&", ".."):
        for side in (e.left, e.right):
            _const_key(cx, side, kt, what)
        e.type = kt
        return
    _const_key(cx, e, kt, what)


def _const_key(cx: Cx, e: ast.Expr, kt: Type, what: str) -> None:
    t = check_expr(cx, e)
    if isinstance(kt, SerEnumT) and isinstance(t, IntT):
        kt = kt.base  # a plain number (e.g. a mask) against a serializable-enum key
    coerce(cx, e, kt, what)
    if e.const is None:
        raise P4Error(f"a keyset in {what} must be a compile-time constant", e.loc)


# --------------------------------------------------------------------------- parsers


def check_parser(cx: Cx, d: ast.ParserDecl) -> None:
    cx.scope.declare(d.name, d, d.loc)
    inner = generic_scope(cx, d, d.type_params)
    inner.in_parser = True
    check_params(inner, d.ctor_params, declare=True, blocks_allowed=True)
    inner = inner.child("parser")
    check_params(inner, d.params, declare=True)
    inner = inner.child("parser")
    for local in d.locals:
        if not check_data_local(inner, local):
            raise P4Error(f"declaration of '{local.name}' is not allowed in a parser", local.loc)
    states: dict[str, ast.ParserState] = {}
    for st in d.states:
        if st.name in ("accept", "reject"):
            raise P4Error(f"state '{st.name}' is predefined and cannot be declared", st.loc)
        if st.name in states:
            raise P4Error(f"duplicate state '{st.name}'", st.loc)
        states[st.name] = st
    if "start" not in states:
        raise P4Error(f"parser {d.name} has no 'start' state", d.loc)
    for st in d.states:
        scx = inner.child("state")
        check_stmts(scx, st.stmts)
        if st.transition is not None:
            _transition(scx, st.transition, states)


def _transition(cx: Cx, tr: ast.Transition, states: dict[str, ast.ParserState]) -> None:
    if tr.select is None:
        _state_exists(tr.state, states, tr)
        return
    key_types: list[Type] = []
    for k in tr.select:
        t = check_expr(cx, k)
        if not is_scalar(t) or isinstance(t, IntT):
            raise P4Error(f"a select key cannot have type {t}", k.loc)
        key_types.append(t)
    for case in tr.cases:
        check_keyset(cx, case.keyset, key_types, True, "select")
        _state_exists(case.state, states, case)


def _state_exists(name: str | None, states: dict[str, ast.ParserState], node: ast.Node) -> None:
    if name is None or name in ("accept", "reject") or name in states:
        return
    raise P4Error(f"state '{name}' is not declared", node.loc)


# --------------------------------------------------------------------------- controls


def check_control(cx: Cx, d: ast.ControlDecl) -> None:
    cx.scope.declare(d.name, d, d.loc)
    inner = generic_scope(cx, d, d.type_params)
    check_params(inner, d.ctor_params, declare=True, blocks_allowed=True)
    inner = inner.child("control")
    check_params(inner, d.params, declare=True)
    inner = inner.child("control")
    for local in d.locals:
        if check_data_local(inner, local):
            continue
        if isinstance(local, ast.ActionDecl):
            check_action(inner, local)
        elif isinstance(local, ast.TableDecl):
            check_table(inner, local)
        elif isinstance(local, ast.FunctionDecl):
            check_function(inner, local)
        else:
            raise P4Error(f"declaration of '{local.name}' is not allowed in a control", local.loc)
    check_block(inner, d.body)


# --------------------------------------------------------------------------- tables


def check_table(cx: Cx, t: ast.TableDecl) -> None:
    seen: set[str] = set()
    for p in t.properties:
        if p.name in seen:
            raise P4Error(f"duplicate table property '{p.name}'", p.loc)
        seen.add(p.name)
    key_types: list[Type] = []
    kp = t.prop("key")
    if kp is not None:
        for ke in kp.keys or []:
            kt = check_expr(cx, ke.expr)
            if ke.match_kind not in cx.env.match_kinds:
                raise P4Error(f"'{ke.match_kind}' is not a match_kind", ke.loc)
            if not is_scalar(kt):
                raise P4Error(f"a table key cannot have type {kt}", ke.expr.loc)
            if isinstance(kt, IntT):
                raise P4Error("a table key must have a fixed width", ke.expr.loc)
            if ke.match_kind != "selector":
                key_types.append(kt)
    refs: list[ast.ActionRef] = []
    ap = t.prop("actions")
    if ap is None:
        raise P4Error(f"table {t.name} has no actions property", t.loc)
    for ref in ap.actions or []:
        decl = _action_decl(cx, ref.call)
        if any(r.call.target is decl for r in refs):
            raise P4Error(f"action '{decl.name}' is listed twice", ref.loc)
        _bind_action_ref(cx, ref.call, decl)
        refs.append(ref)
    cx.scope.declare(t.name, t, t.loc)
    for p in t.properties:
        if p.name in ("key", "actions"):
            continue
        if p.name == "default_action":
            if not isinstance(p.value, ast.Call):
                raise P4Error("default_action must be an action call", p.loc)
            _table_action_call(cx, p.value, refs, t, "default_action")
        elif p.name == "entries":
            for entry in p.entries or []:
                if not key_types:
                    raise P4Error(f"table {t.name} has no keys, so it cannot have entries", entry.loc)
                check_keyset(cx, entry.keyset, key_types, False, "a table entry")
                _table_action_call(cx, entry.action, refs, t, "an entry")
                if entry.priority is not None and const_int(cx, entry.priority) < 0:
                    raise P4Error("an entry priority cannot be negative", entry.priority.loc)
        elif p.name == "size":
            _table_size(cx, p)
        elif p.name == "support_timeout":
            if p.value is None:
                raise P4Error("support_timeout needs a value", p.loc)
            check_bool(cx, p.value, "support_timeout")
        elif p.value is not None:
            check_expr(cx, p.value)


def _action_decl(cx: Cx, call: ast.Call) -> ast.ActionDecl:
    callee = call.callee
    if not isinstance(callee, ast.Name):
        raise P4Error("expected an action name", callee.loc)
    found = lookup(cx, callee.name, callee.is_global, callee.loc)
    decl = found[0] if isinstance(found, list) else None
    if not isinstance(decl, ast.ActionDecl):
        raise P4Error(f"'{callee.name}' is not an action", callee.loc)
    callee.decl = decl
    callee.type = ObjectT("action", decl.name, decl)
    call.kind = "action"
    call.target = decl
    call.type = VOID
    return decl


def _bind_action_ref(cx: Cx, call: ast.Call, decl: ast.ActionDecl) -> None:
    """An entry of a table's action list binds the directional parameters only."""
    directional = [p for p in decl.params if p.direction != ""]
    if any(a.name is not None for a in call.args):
        raise P4Error("arguments in an action list must be positional", call.loc)
    if len(call.args) > len(directional):
        raise P4Error(
            f"action '{decl.name}' has {len(directional)} directional parameter(s); "
            "control-plane parameters cannot be bound in the action list",
            call.loc,
        )
    if len(call.args) < len(directional):
        missing = directional[len(call.args)]
        raise P4Error(f"parameter '{missing.name}' of action '{decl.name}' must be bound", call.loc)
    slots: list[ast.Arg | None] = [*call.args, *[None] * (len(decl.params) - len(call.args))]
    call.bound_args, _ = bind_args(cx, decl.params, slots, {}, [], [], f"action {decl.name}", call.loc)


def _table_action_call(
    cx: Cx, call: ast.Call, refs: list[ast.ActionRef], t: ast.TableDecl, what: str
) -> None:
    """default_action / entry action: the control-plane parameters must all be given; the
    directional ones may be repeated as written in the action list (they must then be the same)
    and are otherwise taken from it, so ``bound_args`` covers every parameter."""
    decl = _action_decl(cx, call)
    ref = next((r for r in refs if r.call.target is decl), None)
    if ref is None:
        raise P4Error(f"action '{decl.name}' in {what} is not an action of table {t.name}", call.callee.loc)
    scope = {a.name for a in ref.annotations}
    if what == "an entry" and "defaultonly" in scope:
        raise P4Error(
            f"action '{decl.name}' is @defaultonly in table {t.name}: no entry may use it", call.loc
        )
    if what == "default_action" and "tableonly" in scope:
        raise P4Error(
            f"action '{decl.name}' is @tableonly in table {t.name}: it cannot be the default", call.loc
        )
    params = decl.params
    cp = [i for i, p in enumerate(params) if p.direction == ""]
    slots: list[ast.Arg | None] = [None] * len(params)
    if any(a.name is not None for a in call.args):
        index = {p.name: i for i, p in enumerate(params)}
        for a in call.args:
            i = index.get(a.name or "")
            if i is None:
                raise P4Error(f"action '{decl.name}' has no parameter '{a.name}'", a.loc)
            slots[i] = a
    elif len(call.args) == len(params):
        slots = list(call.args)
    elif len(call.args) == len(cp):
        for i, a in zip(cp, call.args, strict=True):
            slots[i] = a
    else:
        raise P4Error(
            f"action '{decl.name}' in {what} expects {len(cp)} argument(s), got {len(call.args)}", call.loc
        )
    for i in cp:
        if slots[i] is None:
            raise P4Error(f"parameter '{params[i].name}' of action '{decl.name}' needs a value", call.loc)
    bound, _ = bind_args(cx, params, slots, {}, [], [], f"action {decl.name}", call.loc)
    for i, p in enumerate(params):
        listed = ref.call.bound_args[i] if i < len(ref.call.bound_args) else None
        if p.direction == "":
            arg = bound[i]
            if what == "an entry" and arg is not None and arg.const is None:
                raise P4Error("an action argument in an entry must be a compile-time constant", arg.loc)
        elif bound[i] is None:
            bound[i] = listed
        elif listed is not None and not same_expr(bound[i], listed):
            where = slots[i]
            raise P4Error(
                f"argument for '{p.name}' does not match the one in the actions list of table {t.name}",
                where.loc if where is not None else call.loc,
            )
    call.bound_args = bound


def same_expr(a: ast.Expr | None, b: ast.Expr | None) -> bool:
    """Whether two checked expressions may denote the same value or location (compared
    structurally; expressions with calls or aggregates are given the benefit of the doubt)."""
    if a is None or b is None:
        return a is b
    if a.const is not None or b.const is not None:
        return a.const == b.const and a.type == b.type
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.Name) and isinstance(b, ast.Name):
        return a.decl is b.decl
    if isinstance(a, ast.Member) and isinstance(b, ast.Member):
        return a.member == b.member and same_expr(a.expr, b.expr)
    if isinstance(a, ast.Index) and isinstance(b, ast.Index):
        return same_expr(a.expr, b.expr) and same_expr(a.index, b.index)
    if isinstance(a, ast.Slice) and isinstance(b, ast.Slice):
        return same_expr(a.expr, b.expr) and a.hi.const == b.hi.const and a.lo.const == b.lo.const
    if isinstance(a, ast.Cast) and isinstance(b, ast.Cast):
        return a.type == b.type and same_expr(a.expr, b.expr)
    if isinstance(a, ast.Unary) and isinstance(b, ast.Unary):
        return a.op == b.op and same_expr(a.expr, b.expr)
    if isinstance(a, ast.Binary) and isinstance(b, ast.Binary):
        return a.op == b.op and same_expr(a.left, b.left) and same_expr(a.right, b.right)
    return True  # calls, list and struct expressions: not compared


def _table_size(cx: Cx, p: ast.TableProperty) -> None:
    if p.value is None:
        raise P4Error("size needs a value", p.loc)
    t = check_expr(cx, p.value)
    v = p.value.const
    if v is None and isinstance(p.value, ast.Name) and isinstance(p.value.decl, ast.Param):
        return  # a constructor parameter: known after elaboration
    if not isinstance(t, (IntT, BitsT)) or v is None or isinstance(v, bool) or v < 0:
        raise P4Error("table size must be a non-negative integer constant", p.value.loc)
