"""The bit-vector helpers against P4-16 integer semantics written out with Python ints."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.engine import bits


@st.composite
def width_and_values(draw: st.DrawFn) -> tuple[int, int, int]:
    w = draw(st.integers(1, 130))
    a = draw(st.integers(0, (1 << w) - 1))
    b = draw(st.integers(0, (1 << w) - 1))
    return w, a, b


def signed_value(x: int, w: int) -> int:
    return x - (1 << w) if x >= 1 << (w - 1) else x


@settings(deadline=None)
@given(width_and_values(), st.booleans())
def test_saturating_add_and_sub(case: tuple[int, int, int], signed: bool) -> None:
    w, a, b = case
    if signed:
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        sa, sb = signed_value(a, w), signed_value(b, w)
        assert bits.sat_add(a, b, w, True) == max(lo, min(hi, sa + sb)) % (1 << w)
        assert bits.sat_sub(a, b, w, True) == max(lo, min(hi, sa - sb)) % (1 << w)
    else:
        assert bits.sat_add(a, b, w, False) == min(a + b, (1 << w) - 1)
        assert bits.sat_sub(a, b, w, False) == max(a - b, 0)


@settings(deadline=None)
@given(width_and_values(), st.integers(0, 300))
def test_shifts(case: tuple[int, int, int], n: int) -> None:
    w, a, _b = case
    assert bits.shl(a, n, w) == (a * 2**n) % 2**w
    assert bits.shr(a, n, w, False) == a // 2**n
    assert bits.shr(a, n, w, True) == (signed_value(a, w) // 2**n) % 2**w


@settings(deadline=None)
@given(width_and_values(), st.integers(1, 140))
def test_casts(case: tuple[int, int, int], to: int) -> None:
    w, a, _b = case
    assert bits.cast(a, w, False, to) == a % 2**to
    assert bits.cast(a, w, True, to) == signed_value(a, w) % 2**to


@settings(deadline=None)
@given(width_and_values())
def test_signed_round_trip_slice_concat(case: tuple[int, int, int]) -> None:
    w, a, b = case
    assert bits.from_signed(bits.to_signed(a, w), w) == a
    assert -(2 ** (w - 1)) <= bits.to_signed(a, w) < 2 ** (w - 1)
    assert bits.concat(a, b, w) == a * 2**w + b
    hi = w - 1
    lo = w // 2
    assert bits.slice_bits(a, hi, lo) == (a // 2**lo) % 2 ** (hi - lo + 1)


def test_division_by_zero_gives_zero() -> None:
    assert bits.div(7, 0, 8) == 0
    assert bits.mod(7, 0, 8) == 0
    assert bits.div(7, 2, 8) == 3
    assert bits.mod(7, 2, 8) == 1
    assert bits.mask(5) == 0b11111
