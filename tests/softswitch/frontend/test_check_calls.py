"""Calls: overload resolution by argument count and names, argument binding, type-argument
inference, constructors, table action lists and keysets."""

from __future__ import annotations

from pathlib import Path

from softswitch.frontend import ast
from softswitch.frontend.ast_walk import walk
from softswitch.frontend.compiler import compile_file
from softswitch.frontend.types import BitsT, EnumT, HeaderT, ObjectT, TupleT

PROGRAM = """\
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; bit<16> b; }
header v_t { bit<8> len; varbit<64> data; }
struct headers_t { h_t h; v_t v; }
struct meta_t { bit<8> x; bit<16> y; bit<32> z; }
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        pkt.extract(hdr.v, (bit<32>)hdr.h.a);
        transition select(hdr.h.b, hdr.h.a) {
            (0x800, 0x0F &&& 0x0F): accept;
            (_, 1 .. 5): accept;
            default: reject;
        }
    }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    register<bit<32>>(128) reg;
    counter(1024, CounterType.packets) ctr;
    action set(inout bit<8> target, bit<8> value) { target = value; }
    table t {
        key = { hdr.h.a: exact; hdr.h.b: ternary; }
        actions = { set(m.x); NoAction; }
        default_action = set(m.x, 7);
        const entries = { (1, 0x0800 &&& 0xFF00): set(m.x, 2); }
    }
    apply {
        if (false) { mark_to_drop(); }  // the deprecated form: BMv2 refuses it in live code
        mark_to_drop(sm);
        mark_to_drop(standard_metadata = sm);
        log_msg("hello");
        log_msg("x={}", {m.x});
        hash(m.y, HashAlgorithm.crc16, 16w0, { hdr.h.a, hdr.h.b }, 32w1024);
        random(m.x, 0, 255);
        reg.read(m.z, 3);
        ctr.count(5);
        t.apply();
    }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
"""


def compiled(tmp_path: Path) -> ast.Program:
    path = tmp_path / "calls.p4"
    path.write_text(PROGRAM)
    return compile_file(path).program


def calls_named(program: ast.Program, name: str) -> list[ast.Call]:
    out = []
    for n in walk(program):
        if isinstance(n, ast.Call):
            c = n.callee
            cname = c.name if isinstance(c, ast.Name) else c.member if isinstance(c, ast.Member) else ""
            if cname == name and n.loc.file.endswith("calls.p4"):
                out.append(n)
    return out


def test_overloads_are_chosen_by_argument_count_and_names(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    m0, m1, m2 = calls_named(program, "mark_to_drop")
    for c in (m0, m1, m2):
        assert c.kind == "extern_function"
        assert isinstance(c.target, ast.ExternFunctionDecl)
    assert isinstance(m0.target, ast.ExternFunctionDecl) and len(m0.target.params) == 0
    assert m1.target is m2.target and m1.target is not m0.target
    assert m2.bound_args[0] is not None and isinstance(m2.bound_args[0], ast.Name)
    l0, l1 = calls_named(program, "log_msg")
    assert l0.target is not l1.target
    assert l1.resolved_type_args == [TupleT((BitsT(8),))]
    e1, e2 = calls_named(program, "extract")
    assert e1.kind == e2.kind == "extern_method"
    assert e1.target is not e2.target
    assert isinstance(e1.resolved_type_args[0], HeaderT) and e1.resolved_type_args[0].name == "h_t"


def test_type_arguments_are_inferred(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    (h,) = calls_named(program, "hash")
    assert h.resolved_type_args[0] == BitsT(16)
    assert isinstance(h.resolved_type_args[1], BitsT) and h.resolved_type_args[1] == BitsT(16)
    assert h.resolved_type_args[2] == TupleT((BitsT(8), BitsT(16)))
    assert h.resolved_type_args[3] == BitsT(32)
    algo = h.bound_args[1]
    assert isinstance(algo, ast.Member) and algo.kind == "enum_member" and algo.const == 2
    (r,) = calls_named(program, "random")
    lo, hi = r.bound_args[1], r.bound_args[2]
    assert lo is not None and hi is not None
    assert (lo.type, lo.const, hi.type, hi.const) == (BitsT(8), 0, BitsT(8), 255)
    (read,) = calls_named(program, "read")
    idx = read.bound_args[1]
    assert idx is not None and idx.type == BitsT(32) and idx.const == 3
    (count,) = calls_named(program, "count")
    assert count.bound_args[0] is not None and count.bound_args[0].type == BitsT(32)


def test_constructors(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    insts = {n.name: n for n in walk(program) if isinstance(n, ast.InstanceDecl)}
    reg = insts["reg"]
    t = reg.type_ref.resolved
    assert isinstance(t, ObjectT) and t.kind == "extern" and t.type_args == (BitsT(32),)
    assert reg.ctor is not None and reg.ctor.name == "register"
    size = reg.bound_args[0]
    assert size is not None and size.const == 128 and size.type == BitsT(32)
    ctr = insts["ctr"]
    kind = ctr.bound_args[1]
    assert kind is not None and isinstance(kind.type, EnumT) and kind.const == 0
    main = insts["main"]
    assert isinstance(main.type_ref.resolved, ObjectT) and main.type_ref.resolved.kind == "package"
    parser_arg = main.bound_args[0]
    assert isinstance(parser_arg, ast.Call) and parser_arg.kind == "constructor"
    assert isinstance(parser_arg.target, ast.ParserDecl)


def test_table_action_bindings(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    table = next(n for n in walk(program) if isinstance(n, ast.TableDecl))
    ap = table.prop("actions")
    assert ap is not None and ap.actions is not None
    ref = ap.actions[0].call
    assert ref.kind == "action" and isinstance(ref.target, ast.ActionDecl)
    assert ref.bound_args[0] is not None and ref.bound_args[1] is None  # control-plane value
    dp = table.prop("default_action")
    assert dp is not None and isinstance(dp.value, ast.Call)
    v = dp.value.bound_args[1]
    assert v is not None and (v.type, v.const) == (BitsT(8), 7)
    ep = table.prop("entries")
    assert ep is not None and ep.entries is not None
    entry = ep.entries[0]
    assert isinstance(entry.keyset, ast.ListExpr)
    k0, k1 = entry.keyset.items
    assert (k0.type, k0.const) == (BitsT(8), 1)
    assert isinstance(k1, ast.Binary) and k1.op == "&&&" and k1.type == BitsT(16)
    assert (k1.left.type, k1.left.const, k1.right.const) == (BitsT(16), 0x0800, 0xFF00)


def test_select_keysets(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    cases = [n for n in walk(program) if isinstance(n, ast.SelectCase)]
    first = cases[0].keyset
    assert isinstance(first, ast.ListExpr)
    assert (first.items[0].type, first.items[0].const) == (BitsT(16), 0x800)
    mask = first.items[1]
    assert isinstance(mask, ast.Binary) and mask.type == BitsT(8) and mask.right.const == 0x0F
    rng = cases[1].keyset
    assert isinstance(rng, ast.ListExpr) and isinstance(rng.items[1], ast.Binary) and rng.items[1].op == ".."
    assert rng.items[1].left.type == BitsT(8)
    assert isinstance(cases[2].keyset, ast.DefaultExpr)


def test_extract_size_and_size_methods(tmp_path: Path) -> None:
    program = compiled(tmp_path)
    _, e2 = calls_named(program, "extract")
    size = e2.bound_args[1]
    assert size is not None and size.type == BitsT(32)
    assert isinstance(size, ast.Cast) and size.expr.type == BitsT(8)
