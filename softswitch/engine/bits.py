"""Bit-vector arithmetic with P4-16 semantics, on Python ints.

Every ``bit<W>`` and ``int<W>`` value lives in the PHV as its two's-complement bit pattern, an int
in ``[0, 2**W)``. Signed operations reinterpret the pattern when they need to (comparisons, right
shift, saturation, widening casts). The code generator emits the common operations inline
(``(a + b) & M``); the helpers here are the rarer ones it calls by name, and the reference the
generator's inline forms follow.
"""

from __future__ import annotations


def mask(width: int) -> int:
    """All ones in the low ``width`` bits."""
    return (1 << width) - 1


def to_signed(value: int, width: int) -> int:
    """The ``int<width>`` value of a bit pattern (``value`` must already be in range)."""
    half = 1 << (width - 1)
    return (value ^ half) - half


def from_signed(value: int, width: int) -> int:
    """The bit pattern of any integer, reduced to ``width`` bits (two's complement)."""
    return value & ((1 << width) - 1)


def shl(value: int, amount: int, width: int) -> int:
    """``value << amount`` in ``width`` bits; a shift by ``width`` or more gives 0."""
    if amount >= width:
        return 0
    return (value << amount) & ((1 << width) - 1)


def shr(value: int, amount: int, width: int, signed: bool) -> int:
    """``value >> amount``: logical for ``bit<W>``, arithmetic (sign fill) for ``int<W>``."""
    if not signed:
        return value >> amount
    half = 1 << (width - 1)
    return (((value ^ half) - half) >> amount) & ((1 << width) - 1)


def sat_add(a: int, b: int, width: int, signed: bool) -> int:
    """``a |+| b``: the sum clamped to the type's range."""
    if not signed:
        s = a + b
        m = (1 << width) - 1
        return m if s > m else s
    half = 1 << (width - 1)
    s = ((a ^ half) - half) + ((b ^ half) - half)
    if s >= half:
        s = half - 1
    elif s < -half:
        s = -half
    return s & ((1 << width) - 1)


def sat_sub(a: int, b: int, width: int, signed: bool) -> int:
    """``a |-| b``: the difference clamped to the type's range."""
    if not signed:
        return a - b if a > b else 0
    half = 1 << (width - 1)
    s = ((a ^ half) - half) - ((b ^ half) - half)
    if s >= half:
        s = half - 1
    elif s < -half:
        s = -half
    return s & ((1 << width) - 1)


def cast(value: int, from_width: int, from_signed_: bool, to_width: int) -> int:
    """Convert a bit pattern between widths: truncation keeps the low bits, widening zero-fills
    a ``bit<W>`` source and sign-extends an ``int<W>`` source."""
    if from_signed_ and to_width > from_width:
        half = 1 << (from_width - 1)
        value = (value ^ half) - half
    return value & ((1 << to_width) - 1)


def slice_bits(value: int, hi: int, lo: int) -> int:
    """``value[hi:lo]``."""
    return (value >> lo) & ((1 << (hi - lo + 1)) - 1)


def concat(a: int, b: int, b_width: int) -> int:
    """``a ++ b`` where ``b`` is ``b_width`` bits wide."""
    return (a << b_width) | b


def div(a: int, b: int, width: int) -> int:
    """Unsigned ``a / b``; division by zero gives 0 (the spec leaves it undefined)."""
    return (a // b) & ((1 << width) - 1) if b else 0


def mod(a: int, b: int, width: int) -> int:
    """Unsigned ``a % b``; modulo zero gives 0 (the spec leaves it undefined)."""
    return (a % b) & ((1 << width) - 1) if b else 0
