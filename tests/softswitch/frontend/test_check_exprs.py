"""Type checking of expressions: widths, implicit conversion of unsized integers, casts and
constant folding with P4 wrap-around semantics. Expected values are computed by hand from the
P4-16 specification."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend import ast
from softswitch.frontend.ast_walk import walk
from softswitch.frontend.compiler import compile_file
from softswitch.frontend.types import (
    ActionEnumT,
    BitsT,
    BoolT,
    EnumT,
    ErrorT,
    HeaderT,
    IntT,
    SerEnumT,
    StructT,
    TableResultT,
    TupleT,
)

PROGRAM = """\
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; bit<16> b; int<8> s; bit<32> c; }
struct headers_t { h_t h; h_t[4] stack; }
struct meta_t { bit<8> x; bit<16> y; int<8> z; bool f; bit<12> w; }
enum Color { RED, GREEN, BLUE }
enum bit<8> Kind { ONE = 1, BIG = 0x1F0 }
error { MyFirstError, MySecondError }
typedef bit<8> byte_t;
typedef byte_t octet_t;
type bit<9> port_t;
TOP
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    LOCALS
    apply {
        BODY
    }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
"""


def compile_snippet(tmp_path: Path, top: str = "", locals_: str = "", body: str = "") -> ast.Program:
    src = PROGRAM.replace("TOP", top).replace("LOCALS", locals_).replace("BODY", body)
    path = tmp_path / "t.p4"
    path.write_text(src)
    return compile_file(path).program


def consts(program: ast.Program) -> dict[str, ast.Expr]:
    return {n.name: n.value for n in walk(program) if isinstance(n, ast.ConstDecl)}


def assigns(program: ast.Program) -> list[ast.Assign]:
    ing = next(d for d in program.decls if isinstance(d, ast.ControlDecl) and d.name == "Ing")
    return [n for n in walk(ing.body) if isinstance(n, ast.Assign)]


def const_of(tmp_path: Path, decl: str) -> ast.Expr:
    """The checked value of one top-level ``const T name = expr;``."""
    program = compile_snippet(tmp_path, top=decl)
    name = decl.split("=")[0].split()[-1]
    return consts(program)[name]


# --------------------------------------------------------------------------- constant folding


@pytest.mark.parametrize(
    ("decl", "value", "type_"),
    [
        ("const bit<8> c = 255 + 1;", 0, BitsT(8)),  # int arithmetic, then wrapped on conversion
        ("const bit<8> c = 8w255 + 1;", 0, BitsT(8)),  # bit<8> arithmetic wraps
        ("const bit<8> c = 8w3 - 8w5;", 254, BitsT(8)),
        ("const bit<8> c = 8w16 * 8w17;", 16, BitsT(8)),  # 272 mod 256
        ("const int<8> c = 8s127 + 1;", -128, BitsT(8, True)),  # two's complement wrap
        ("const int<8> c = -1;", -1, BitsT(8, True)),
        ("const bit<8> c = -1;", 255, BitsT(8)),
        ("const bit<8> c = (bit<8>)(-8s1);", 255, BitsT(8)),
        ("const int<16> c = (int<16>)(-8s2);", -2, BitsT(16, True)),  # sign extension
        ("const bit<16> c = (bit<16>)(-8s2);", 0xFFFE, BitsT(16)),
        ("const bit<4> c = (bit<4>)8w0xAB;", 0xB, BitsT(4)),  # truncation keeps low bits
        ("const bit<8> c = 8w250 |+| 8w10;", 255, BitsT(8)),  # saturating add
        ("const bit<8> c = 8w5 |-| 8w10;", 0, BitsT(8)),
        ("const int<8> c = -8s100 |-| 8s100;", -128, BitsT(8, True)),
        ("const bit<8> c = 8w1 << 9;", 0, BitsT(8)),  # shifting out every bit
        ("const bit<8> c = 8w0x81 << 1;", 0x02, BitsT(8)),
        ("const int<8> c = (-8s128) >> 1;", -64, BitsT(8, True)),  # arithmetic right shift
        ("const bit<8> c = 8w0x80 >> 7;", 1, BitsT(8)),
        ("const bit<12> c = 8w0xAB ++ 4w0xC;", 0xABC, BitsT(12)),
        ("const bit<8> c = 16w0xABCD[15:8];", 0xAB, BitsT(8)),
        ("const bit<8> c = ~8w0x0F;", 0xF0, BitsT(8)),
        ("const int c = 7 / 2 + 7 % 2;", 4, IntT()),
        ("const int c = 1 << 40;", 1 << 40, IntT()),  # int is arbitrary precision
        ("const bit<8> c = 8w255 & 0x0F ^ 8w3;", 0x0C, BitsT(8)),
        ("const bit<32> c = 0xFFFFFFFF + 2;", 1, BitsT(32)),
    ],
)
def test_constant_folding_wraps(tmp_path: Path, decl: str, value: int, type_: object) -> None:
    e = const_of(tmp_path, decl)
    assert e.const == value
    assert e.type == type_


@pytest.mark.parametrize(
    ("decl", "value"),
    [
        ("const bool c = 8w1 == 1;", True),
        ("const bool c = -8s1 < 8s0;", True),  # signed comparison
        ("const bool c = 8w255 > 8w0 && !(1 == 2);", True),
        ("const bool c = false || 3 >= 4;", False),
        ("const bool c = (bool)1w1;", True),
        ("const bool c = true ? false : true;", False),
    ],
)
def test_boolean_folding(tmp_path: Path, decl: str, value: bool) -> None:
    e = const_of(tmp_path, decl)
    assert e.const is value
    assert e.type == BoolT()


def test_references_to_constants_enums_and_errors_fold(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        top="""
        const bit<16> BASE = 0x800;
        const bit<16> NEXT = BASE + 1;
        const Color C = Color.BLUE;
        const Kind K = Kind.BIG;
        const error E1 = error.MySecondError;
        const error E0 = error.PacketTooShort;
        const bit<32> HS = headers_t.minSizeInBits();
        const bit<32> HB = h_t.minSizeInBytes();
        """,
    )
    c = consts(program)
    assert c["NEXT"].const == 0x801
    assert c["C"].const == 2 and isinstance(c["C"].type, EnumT)
    assert c["K"].const == 0xF0 and isinstance(c["K"].type, SerEnumT)  # 0x1F0 wrapped to 8 bits
    assert c["E1"].const == 8 and c["E1"].type == ErrorT()  # user errors count from 7
    assert c["E0"].const == 1
    assert c["HS"].const == 5 * 64  # h_t is 64 bits; one header and a stack of 4
    assert c["HB"].const == 8
    member = c["C"]
    assert isinstance(member, ast.Member) and member.kind == "enum_member"


# --------------------------------------------------------------------------- implicit conversions


def test_unsized_operand_takes_the_other_operand_type(tmp_path: Path) -> None:
    program = compile_snippet(tmp_path, body="m.x = m.x + 1; m.y = 2 * m.y; m.f = m.x == 3;")
    a1, a2, a3 = assigns(program)
    assert isinstance(a1.rhs, ast.Binary)
    assert a1.rhs.type == BitsT(8)
    assert a1.rhs.right.type == BitsT(8) and a1.rhs.right.const == 1
    assert isinstance(a2.rhs, ast.Binary) and a2.rhs.left.type == BitsT(16)
    assert isinstance(a3.rhs, ast.Binary) and a3.rhs.type == BoolT() and a3.rhs.right.type == BitsT(8)


def test_assignment_wraps_unsized_constant_to_target(tmp_path: Path) -> None:
    program = compile_snippet(tmp_path, body="m.x = 300; m.z = 200; m.w = -1;")
    a1, a2, a3 = assigns(program)
    assert (a1.rhs.type, a1.rhs.const) == (BitsT(8), 44)
    assert (a2.rhs.type, a2.rhs.const) == (BitsT(8, True), -56)
    assert (a3.rhs.type, a3.rhs.const) == (BitsT(12), 0xFFF)


def test_shift_amount_and_slice_bounds_stay_int(tmp_path: Path) -> None:
    program = compile_snippet(tmp_path, body="m.x = m.x << 2; m.y = hdr.h.c[23:8];")
    a1, a2 = assigns(program)
    assert isinstance(a1.rhs, ast.Binary) and a1.rhs.right.type == IntT() and a1.rhs.type == BitsT(8)
    assert isinstance(a2.rhs, ast.Slice) and a2.rhs.type == BitsT(16)
    assert a2.rhs.hi.type == IntT() and a2.rhs.hi.const == 23


def test_mux_of_unsized_branches_takes_assignment_type(tmp_path: Path) -> None:
    program = compile_snippet(tmp_path, body="m.y = m.f ? 1 : 70000;")
    (a,) = assigns(program)
    assert isinstance(a.rhs, ast.Mux)
    assert a.rhs.type == BitsT(16)
    assert a.rhs.else_.type == BitsT(16) and a.rhs.else_.const == 70000 - 65536


def test_typedef_chain_and_new_type(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        locals_="octet_t o; port_t p;",
        body="o = m.x; p = (port_t)sm.ingress_port; sm.egress_spec = (bit<9>)p;",
    )
    a1, a2, a3 = assigns(program)
    assert a1.lhs.type == BitsT(8)
    assert str(a2.lhs.type) == "port_t" and a3.rhs.type == BitsT(9)


def test_list_and_struct_expressions_take_the_target_type(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        body="hdr.h = {1, 2, -3, 4}; hdr.h = {a = 1, b = 2, s = 3, c = 4};",
    )
    a1, a2 = assigns(program)
    for a in (a1, a2):
        assert isinstance(a.rhs.type, HeaderT) and a.rhs.type.name == "h_t"
    assert isinstance(a1.rhs, ast.ListExpr)
    assert a1.rhs.items[2].type == BitsT(8, True) and a1.rhs.items[2].const == -3
    assert a1.rhs.items[3].type == BitsT(32)


def test_stack_and_header_members(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        body="m.x = hdr.stack[1].a; m.f = hdr.stack[0].isValid(); hdr.stack.push_front(1); m.y = (bit<16>)hdr.stack.size;",
    )
    a1, a2, a3 = assigns(program)
    assert isinstance(a1.rhs, ast.Member) and a1.rhs.type == BitsT(8)
    assert isinstance(a2.rhs, ast.Call) and a2.rhs.kind == "header_method" and a2.rhs.type == BoolT()
    assert isinstance(a3.rhs, ast.Cast) and a3.rhs.const == 4
    size = a3.rhs.expr
    assert isinstance(size, ast.Member) and size.kind == "stack_size"


def test_table_apply_results(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        locals_="action a1() { } action a2() { } table t { key = { m.x: exact; } actions = { a1; a2; } }",
        body="m.f = t.apply().hit; switch (t.apply().action_run) { a1: { m.x = 1; } default: { } }",
    )
    a1 = assigns(program)[0]
    assert isinstance(a1.rhs, ast.Member) and a1.rhs.kind == "table_result" and a1.rhs.type == BoolT()
    apply_call = a1.rhs.expr
    assert isinstance(apply_call, ast.Call) and apply_call.kind == "table_apply"
    assert isinstance(apply_call.type, TableResultT)
    sw = next(n for n in walk(program) if isinstance(n, ast.Switch))
    assert isinstance(sw.expr.type, ActionEnumT)
    label = sw.cases[0].label
    assert isinstance(label, ast.Name) and isinstance(label.decl, ast.ActionDecl) and label.decl.name == "a1"


def test_every_node_is_annotated(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        locals_="register<bit<32>>(16) r; action a(bit<8> v) { m.x = v; r.write(1, (bit<32>)v); }",
        body="a(3); if (hdr.h.isValid() && m.x != 0) { m.y = m.y |+| 1; } else { r.read(hdr.h.c, 2); }",
    )
    in_annotations = {id(x) for a in walk(program) if isinstance(a, ast.Annotation) for x in walk(a)}
    for n in walk(program):
        if id(n) in in_annotations:
            continue
        if isinstance(n, ast.Expr):
            assert n.type is not None, n.loc
        if isinstance(n, ast.Name) and n.name != "error":
            assert n.decl is not None, n.loc
        if isinstance(n, ast.Member):
            assert n.kind is not None, n.loc
        if isinstance(n, ast.Call):
            assert n.kind is not None, n.loc
        if isinstance(n, ast.TypeRef):
            assert n.resolved is not None, n.loc


def test_digest_list_takes_struct_type(tmp_path: Path) -> None:
    program = compile_snippet(
        tmp_path,
        top="struct learn_t { bit<8> a; bit<16> b; }",
        body="digest<learn_t>(1, { m.x, m.y }); digest(2, { m.x, 4w1 });",
    )
    calls = [n for n in walk(program) if isinstance(n, ast.Call) and n.kind == "extern_function"]
    d1, d2 = calls
    assert isinstance(d1.bound_args[1], ast.ListExpr)
    data_type = d1.bound_args[1].type
    assert isinstance(data_type, StructT) and data_type.name == "learn_t"
    assert d2.resolved_type_args == [TupleT((BitsT(8), BitsT(4)))]
    receiver = d1.bound_args[0]
    assert receiver is not None and receiver.type == BitsT(32) and receiver.const == 1
