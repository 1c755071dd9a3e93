"""Typing and constant folding of operators (unary, binary, ``?:``) and casts, with the width
rules of P4-16: both operands of most binary operators have the same type (an unsized integer
operand takes the other operand's type), shifts keep the left operand's type, ``++`` adds the
widths, comparisons give ``bool``."""

from __future__ import annotations

from . import ast
from .check_expr import BOOL, check_bool, check_expr, coerce, is_numeric, resolve
from .constfold import FoldError, fold_arith, fold_cast, fold_compare, fold_concat, fold_shift, wrap_to
from .errors import P4Error
from .scopes import Cx
from .types import (
    BitsT,
    BoolT,
    IntT,
    MatchKindT,
    NewTypeT,
    ObjectT,
    SerEnumT,
    StringT,
    TableResultT,
    Type,
    underlying,
)

_ARITH = frozenset({"+", "-", "*", "/", "%", "|+|", "|-|", "&", "|", "^"})
_COMPARE = frozenset({"<", ">", "<=", ">="})
_EQUALITY = frozenset({"==", "!="})


def check_operator(cx: Cx, e: ast.Unary | ast.Binary | ast.Mux | ast.Cast) -> Type:
    if isinstance(e, ast.Unary):
        return _unary(cx, e)
    if isinstance(e, ast.Binary):
        return _binary(cx, e)
    if isinstance(e, ast.Mux):
        return _mux(cx, e)
    return _cast(cx, e)


# --------------------------------------------------------------------------- operators


def _unary(cx: Cx, e: ast.Unary) -> Type:
    t = check_expr(cx, e.expr)
    v = e.expr.const
    if e.op == "!":
        if not isinstance(t, BoolT):
            raise P4Error(f"operator ! needs a bool, found {t}", e.loc)
        if isinstance(v, bool):
            e.const = not v
        return t
    if not is_numeric(t):
        raise P4Error(f"operator {e.op} needs a number, found {t}", e.loc)
    if e.op == "~" and isinstance(t, IntT):
        raise P4Error("operator ~ needs a fixed-width operand", e.loc)
    if v is not None and not isinstance(v, bool):
        if e.op == "-":
            e.const = wrap_to(-v, t)
        elif e.op == "~":
            e.const = wrap_to(~v, t)
        else:
            e.const = v
    return t


def _common_type(cx: Cx, e: ast.Binary) -> Type:
    """The operand type of a binary operator whose operands must have the same type."""
    lt, rt = e.left.type, e.right.type
    assert lt is not None and rt is not None
    if lt == rt:
        return lt
    flexible = (ast.ListExpr, ast.StructExpr, ast.InvalidExpr)
    if isinstance(e.right, flexible) and not isinstance(e.left, flexible):
        coerce(cx, e.right, lt, f"operand of {e.op}")
        return lt
    if isinstance(e.left, flexible) and not isinstance(e.right, flexible):
        coerce(cx, e.left, rt, f"operand of {e.op}")
        return rt
    if isinstance(lt, IntT) and not isinstance(rt, IntT):
        coerce(cx, e.left, rt, f"operand of {e.op}")
        return rt
    if isinstance(rt, IntT) and not isinstance(lt, IntT):
        coerce(cx, e.right, lt, f"operand of {e.op}")
        return lt
    if isinstance(lt, SerEnumT) and lt.base == rt:
        return rt
    if isinstance(rt, SerEnumT) and rt.base == lt:
        return lt
    raise P4Error(f"operands of {e.op} have different types: {lt} and {rt}", e.loc)


def _binary(cx: Cx, e: ast.Binary) -> Type:
    op = e.op
    if op in ("&&&", ".."):
        raise P4Error(f"operator {op} is only allowed in keysets", e.loc)
    lt = check_expr(cx, e.left)
    rt = check_expr(cx, e.right)
    if op in ("&&", "||"):
        for side, st in ((e.left, lt), (e.right, rt)):
            if not isinstance(st, BoolT):
                raise P4Error(f"operand of {op} must be a bool, found {st}", side.loc)
        lv, rv = e.left.const, e.right.const
        if isinstance(lv, bool):
            if op == "&&" and not lv:
                e.const = False
            elif op == "||" and lv:
                e.const = True
            elif isinstance(rv, bool):
                e.const = rv
        return BOOL
    if op in ("<<", ">>"):
        return _shift(cx, e, lt, rt)
    if op == "++":
        return _concat(e, lt, rt)
    t = _common_type(cx, e)
    lv, rv = e.left.const, e.right.const
    if op in _EQUALITY:
        if isinstance(t, (ObjectT, StringT, TableResultT, MatchKindT)):
            raise P4Error(f"values of type {t} cannot be compared", e.loc)
        if lv is not None and rv is not None:
            e.const = fold_compare(op, lv, rv)
        return BOOL
    base = t.base if isinstance(t, SerEnumT) else t
    if op in _COMPARE:
        if not is_numeric(base):
            raise P4Error(f"operator {op} needs numbers, found {t}", e.loc)
        if lv is not None and rv is not None:
            e.const = fold_compare(op, lv, rv)
        return BOOL
    if op in _ARITH:
        if not is_numeric(t):
            raise P4Error(f"operator {op} needs numbers, found {t}", e.loc)
        if op in ("/", "%") and isinstance(t, BitsT) and t.signed:
            raise P4Error(f"operator {op} is not defined on signed values", e.loc)
        if op in ("|+|", "|-|") and isinstance(t, IntT):
            raise P4Error(f"operator {op} needs a fixed-width operand", e.loc)
        if lv is not None and rv is not None and not isinstance(lv, bool) and not isinstance(rv, bool):
            try:
                e.const = fold_arith(op, lv, rv, t)
            except FoldError as err:
                raise P4Error(str(err), e.loc) from None
        elif op in ("/", "%"):
            if rv == 0:
                raise P4Error("division by zero", e.right.loc)
            # BMv2 cannot divide at run time: p4c's simple_switch back-end rejects any division
            # left after constant folding and strength reduction (power-of-two divisors, 0 / x)
            power_of_two = isinstance(rv, int) and not isinstance(rv, bool) and rv > 0 and rv & (rv - 1) == 0
            if not power_of_two and lv != 0:
                raise P4Error(f"operator {op} needs compile-time operands on this target", e.loc)
        return t
    raise P4Error(f"unsupported operator {op}", e.loc, kind="unsupported")


def _shift(cx: Cx, e: ast.Binary, lt: Type, rt: Type) -> Type:
    if not is_numeric(lt):
        raise P4Error(f"operand of {e.op} must be a number, found {lt}", e.left.loc)
    rv = e.right.const
    if isinstance(rt, BitsT):
        if rt.signed:
            raise P4Error("a shift amount must be unsigned", e.right.loc)
    elif isinstance(rt, IntT):
        if rv is not None and not isinstance(rv, bool) and rv < 0:
            raise P4Error("a shift amount must not be negative", e.right.loc)
    else:
        raise P4Error(f"a shift amount must be a number, found {rt}", e.right.loc)
    lv = e.left.const
    if isinstance(lt, IntT) and (rv is None or lv is None):
        raise P4Error("the width of a shifted int is unknown; give it a type", e.left.loc)
    if lv is not None and rv is not None and not isinstance(lv, bool) and not isinstance(rv, bool):
        e.const = fold_shift(e.op, lv, rv, lt)
    return lt


def _concat(e: ast.Binary, lt: Type, rt: Type) -> Type:
    lb = lt.base if isinstance(lt, SerEnumT) else lt
    rb = rt.base if isinstance(rt, SerEnumT) else rt
    for side, st in ((e.left, lb), (e.right, rb)):
        if not isinstance(st, BitsT):
            raise P4Error(f"operand of ++ must have a fixed width, found {st}", side.loc)
    assert isinstance(lb, BitsT) and isinstance(rb, BitsT)
    t = BitsT(lb.width + rb.width, lb.signed)
    lv, rv = e.left.const, e.right.const
    if lv is not None and rv is not None and not isinstance(lv, bool) and not isinstance(rv, bool):
        e.const = fold_concat(lv, lb.width, rv, rb.width, lb.signed)
    return t


def _mux(cx: Cx, e: ast.Mux) -> Type:
    check_bool(cx, e.cond, "the condition of ?:")
    tt = check_expr(cx, e.then)
    et = check_expr(cx, e.else_)
    if tt == et:
        t = tt
    elif isinstance(tt, IntT):
        coerce(cx, e.then, et)
        t = et
    elif isinstance(et, IntT):
        coerce(cx, e.else_, tt)
        t = tt
    else:
        raise P4Error(f"the branches of ?: have different types: {tt} and {et}", e.loc)
    c = e.cond.const
    if isinstance(c, bool):
        e.const = e.then.const if c else e.else_.const
    return t


# --------------------------------------------------------------------------- casts


def castable(src: Type, dst: Type) -> bool:
    if src == dst:
        return True
    if isinstance(dst, NewTypeT):
        return castable(src, dst.base)
    if isinstance(src, NewTypeT):
        return castable(src.base, dst)
    if isinstance(src, IntT):
        return isinstance(dst, (BitsT, BoolT, SerEnumT, IntT))
    if isinstance(src, BitsT):
        if isinstance(dst, BoolT):
            return src.width == 1 and not src.signed
        return isinstance(dst, (BitsT, SerEnumT, IntT))
    if isinstance(src, BoolT):
        return isinstance(dst, BitsT) and dst.width == 1 and not dst.signed
    if isinstance(src, SerEnumT):
        return isinstance(dst, (BitsT, SerEnumT))
    return False


def _sign_and_width_change(src: Type, dst: Type) -> bool:
    """bit<W> <-> int<X> with W != X: P4-16 (8.11.1) lets a cast change the signedness or the
    width, not both; p4c accepts it only for a constant, which it folds first."""
    return (
        isinstance(src, BitsT) and isinstance(dst, BitsT) and src.signed != dst.signed and src.width != dst.width
    )


def _cast(cx: Cx, e: ast.Cast) -> Type:
    dst = resolve(cx, e.to)
    if isinstance(e.expr, (ast.ListExpr, ast.StructExpr, ast.InvalidExpr)):
        check_expr(cx, e.expr)
        coerce(cx, e.expr, dst, "cast")
        return dst
    src = check_expr(cx, e.expr)
    v = e.expr.const
    if not castable(src, dst) or (v is None and _sign_and_width_change(src, dst)):
        raise P4Error(f"cannot cast {src} to {dst}", e.loc)
    if v is not None:
        base = underlying(dst)
        if isinstance(base, BoolT):
            e.const = bool(v)
        elif isinstance(base, (BitsT, IntT)):
            e.const = fold_cast(v, base)
    return dst
