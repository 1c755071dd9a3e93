"""Property tests of bit-vector arithmetic in generated code.

For a range of widths, a small P4 program computes +, -, *, shifts (by any amount), |+|, |-|,
negation, complement, concatenation, narrowing and widening casts, a slice and comparisons on
two ``bit<W>`` (or ``int<W>``) inputs taken from the packet, and emits the results. The real
front-end, code generator and pipeline run it; the expected values are Python integer arithmetic
written out below from the P4-16 definitions (wrap-around in two's complement, saturation at the
type's bounds, shift by >= W gives 0 or the sign fill).
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.engine.pipeline import Switch
from softswitch.engine.program import Program
from softswitch.frontend.compiler import compile_file

WIDTHS = (1, 3, 8, 13, 16, 31, 32, 33, 64, 100)

OUT_FIELDS = ("add", "sub", "mul", "shl", "shr", "sadd", "ssub", "neg", "inv", "cat", "shl3",
              "narrow", "widen", "slice", "lt", "ge", "eq")  # fmt: skip


def _shape(w: int) -> dict[str, int]:
    return {
        "add": w, "sub": w, "mul": w, "shl": w, "shr": w, "sadd": w, "ssub": w, "neg": w, "inv": w,
        "cat": 2 * w, "shl3": w, "narrow": max(1, w // 2), "widen": w + 7,
        "slice": w - w // 3, "lt": 8, "ge": 8, "eq": 8,
    }  # fmt: skip


def _pad(bits: int) -> str:
    pad = -bits % 8
    return f"    bit<{pad}> pad;\n" if pad else ""


def _program(w: int, signed: bool) -> str:
    t = f"int<{w}>" if signed else f"bit<{w}>"
    shape = _shape(w)
    out_fields = ""
    for name in OUT_FIELDS:
        ow = shape[name]
        ft = f"int<{ow}>" if signed and name not in ("lt", "ge", "eq", "slice") else f"bit<{ow}>"
        out_fields += f"    {ft} {name};\n"
    in_bits = 2 * w + 8
    out_bits = sum(shape.values())
    lo = w // 3
    nt = f"int<{shape['narrow']}>" if signed else f"bit<{shape['narrow']}>"
    wt = f"int<{shape['widen']}>" if signed else f"bit<{shape['widen']}>"
    return f"""
#include <core.p4>
#include <v1model.p4>
header in_t {{
    {t} a;
    {t} b;
    bit<8> s;
{_pad(in_bits)}}}
header out_t {{
{out_fields}{_pad(out_bits)}}}
struct headers_t {{ in_t i; out_t o; }}
struct meta_t {{ }}
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {{
    state start {{ pkt.extract(h.i); transition accept; }}
}}
control V(inout headers_t h, inout meta_t m) {{ apply {{ }} }}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {{
    apply {{
        {t} a = h.i.a;
        {t} b = h.i.b;
        h.o.setValid();
        h.o.add = a + b;
        h.o.sub = a - b;
        h.o.mul = a * b;
        h.o.shl = a << h.i.s;
        h.o.shr = a >> h.i.s;
        h.o.sadd = a |+| b;
        h.o.ssub = a |-| b;
        h.o.neg = -a;
        h.o.inv = ~a;
        h.o.cat = a ++ b;
        h.o.shl3 = a << 3;
        h.o.narrow = ({nt}) a;
        h.o.widen = ({wt}) a;
        h.o.slice = a[{w - 1}:{lo}];
        h.o.lt = a < b ? 8w1 : 8w0;
        h.o.ge = a >= b ? 8w1 : 8w0;
        h.o.eq = a == b ? 8w1 : 8w0;
        sm.egress_spec = 1;
    }}
}}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {{ apply {{ }} }}
control C(inout headers_t h, inout meta_t m) {{ apply {{ }} }}
control D(packet_out pkt, in headers_t h) {{ apply {{ pkt.emit(h.i); pkt.emit(h.o); }} }}
V1Switch(P(), V(), I(), E(), C(), D()) main;
"""


@cache
def _switch(w: int, signed: bool) -> Switch:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"arith_{w}_{'s' if signed else 'u'}.p4"
        path.write_text(_program(w, signed))
        return Switch(Program.from_frontend(compile_file(path)))


def _pack(fields: list[tuple[int, int]]) -> bytes:
    acc = 0
    n = 0
    for value, width in fields:
        acc = (acc << width) | (value & ((1 << width) - 1))
        n += width
    pad = -n % 8
    return (acc << pad).to_bytes((n + pad) // 8, "big")


def _unpack(data: bytes, widths: list[int]) -> list[int]:
    acc = int.from_bytes(data, "big")
    total = len(data) * 8
    out = []
    pos = 0
    for w in widths:
        out.append((acc >> (total - pos - w)) & ((1 << w) - 1))
        pos += w
    return out


def _expected(w: int, signed: bool, a: int, b: int, s: int) -> dict[str, int]:
    m = (1 << w) - 1

    def sv(x: int) -> int:  # the int<w> value of a bit pattern
        return x - (1 << w) if signed and x >> (w - 1) else x

    def clamp(x: int) -> int:
        lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, m)
        return min(max(x, lo), hi) & m

    sa, sb = sv(a), sv(b)
    shape = _shape(w)
    return {
        "add": (a + b) & m,
        "sub": (a - b) & m,
        "mul": (a * b) & m,
        "shl": (a << s) & m,
        "shr": (sa >> s) & m,
        "sadd": clamp(sa + sb),
        "ssub": clamp(sa - sb),
        "neg": (-a) & m,
        "inv": ~a & m,
        "cat": (a << w) | b,
        "shl3": (a << 3) & m,
        "narrow": a & ((1 << shape["narrow"]) - 1),
        "widen": sa & ((1 << shape["widen"]) - 1),
        "slice": (a >> (w // 3)) & ((1 << shape["slice"]) - 1),
        "lt": int(sa < sb),
        "ge": int(sa >= sb),
        "eq": int(a == b),
    }


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, bool, int, int, int]:
    w = draw(st.sampled_from(WIDTHS))
    signed = draw(st.booleans()) and w > 1
    edge = st.sampled_from([0, 1, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1])
    a = draw(st.one_of(edge, st.integers(0, (1 << w) - 1)))
    b = draw(st.one_of(edge, st.integers(0, (1 << w) - 1)))
    s = draw(st.one_of(st.integers(0, w + 1), st.integers(0, 255)))
    return w, signed, a, b, s


@settings(deadline=None, max_examples=400)
@given(cases())
def test_generated_arithmetic_matches_integer_semantics(case: tuple[int, bool, int, int, int]) -> None:
    w, signed, a, b, s = case
    switch = _switch(w, signed)
    data = _pack([(a, w), (b, w), (s, 8)])
    out = switch.process(0, data)
    assert len(out) == 1
    port, pkt = out[0]
    assert port == 1
    shape = _shape(w)
    assert pkt[: len(data)] == data
    got = dict(zip(OUT_FIELDS, _unpack(pkt[len(data):], [shape[n] for n in OUT_FIELDS]), strict=True))
    assert got == _expected(w, signed, a, b, s)
