"""Compile-time arithmetic with P4-16 semantics, used by the type checker to fold constants.

Values are Python ints. A ``bit<W>`` value is kept in ``[0, 2**W)``; an ``int<W>`` value is kept
as its signed mathematical value in ``[-2**(W-1), 2**(W-1))``; an ``int`` (arbitrary precision)
value is unbounded. Booleans are Python bools.
"""

from __future__ import annotations

from .types import BitsT, IntT, Type


class FoldError(Exception):
    """A constant operation that has no defined result (division by zero, negative shift...)."""


def wrap(value: int, width: int, signed: bool) -> int:
    """``value`` reduced to ``width`` bits: modulo 2**width, as two's complement when ``signed``."""
    if width <= 0:
        return 0
    v = value & ((1 << width) - 1)
    if signed and v >= 1 << (width - 1):
        v -= 1 << width
    return v


def wrap_to(value: int, t: Type) -> int:
    """``value`` wrapped to the representation of type ``t`` (unchanged for ``int``)."""
    if isinstance(t, BitsT):
        return wrap(value, t.width, t.signed)
    return value


def _saturate(value: int, t: Type) -> int:
    if not isinstance(t, BitsT):
        return value
    if t.signed:
        lo, hi = -(1 << (t.width - 1)), (1 << (t.width - 1)) - 1
    else:
        lo, hi = 0, (1 << t.width) - 1
    return max(lo, min(hi, value))


def fold_arith(op: str, a: int, b: int, t: Type) -> int:
    """Fold ``a op b`` where both operands and the result have type ``t`` (bits or int)."""
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op in ("/", "%"):
        if b == 0:
            raise FoldError("division by zero")
        if a < 0 or b < 0:
            raise FoldError(f"operator {op} is not defined on negative values")
        r = a // b if op == "/" else a % b
    elif op == "&":
        r = a & b
    elif op == "|":
        r = a | b
    elif op == "^":
        r = a ^ b
    elif op == "|+|":
        return _saturate(a + b, t)
    elif op == "|-|":
        return _saturate(a - b, t)
    else:
        raise FoldError(f"cannot fold operator {op}")
    return wrap_to(r, t)


def fold_shift(op: str, a: int, amount: int, t: Type) -> int:
    """Fold ``a << amount`` or ``a >> amount`` (arithmetic right shift for signed values)."""
    if amount < 0:
        raise FoldError("negative shift amount")
    if op == "<<":
        if isinstance(t, IntT):
            return a << amount
        if isinstance(t, BitsT) and amount >= t.width:
            return 0
        return wrap_to(a << amount, t)
    return wrap_to(a >> amount, t)


def fold_compare(op: str, a: int | bool, b: int | bool) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise FoldError(f"cannot fold operator {op}")


def fold_concat(a: int, a_width: int, b: int, b_width: int, signed: bool) -> int:
    """``a ++ b``: the bits of ``a`` above the bits of ``b``; the result has ``a``'s signedness."""
    ua = wrap(a, a_width, False)
    ub = wrap(b, b_width, False)
    return wrap((ua << b_width) | ub, a_width + b_width, signed)


def fold_slice(a: int, hi: int, lo: int) -> int:
    """``a[hi:lo]`` of a two's-complement value, as an unsigned ``bit<hi-lo+1>``."""
    return (a >> lo) & ((1 << (hi - lo + 1)) - 1)


def fold_cast(value: int | bool, to: Type) -> int | bool:
    """Cast of a constant to a bit/int type (the caller checks that the cast is legal)."""
    if isinstance(value, bool):
        return int(value) if isinstance(to, (BitsT, IntT)) else value
    return wrap_to(value, to)
