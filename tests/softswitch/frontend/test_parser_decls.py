"""Declarations, parsers, controls, tables, statements and annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from softswitch.frontend import ast
from softswitch.frontend.errors import SourceLoc
from softswitch.frontend.parser import parse_program

N = TypeVar("N", bound=ast.Node)

Render = Callable[[ast.Node], str]


def only(src: str, cls: type[N]) -> N:
    decls = parse_program(src, "d.p4").decls
    assert isinstance(decls[-1], cls), decls
    return decls[-1]


def test_constants_typedefs_and_new_types(sx: Render) -> None:
    prog = parse_program(
        "const bit<8> K = 8w3;\ntypedef bit<48> mac_t;\n"
        '@p4runtime_translation("p4.org/port", 32)\ntype bit<9> port_t;\ntypedef mac_t[2] macs_t;',
        "d.p4",
    )
    k, t, nt, t2 = prog.decls
    assert isinstance(k, ast.ConstDecl) and (k.name, sx(k.type_ref), sx(k.value)) == ("K", "bit<8>", "8w3")
    assert isinstance(t, ast.TypedefDecl) and (t.name, sx(t.type_ref)) == ("mac_t", "bit<48>")
    assert isinstance(nt, ast.NewTypeDecl) and (nt.name, sx(nt.type_ref)) == ("port_t", "bit<9>")
    assert nt.loc == SourceLoc("d.p4", 4, 1)
    ann = nt.annotation("p4runtime_translation")
    assert ann is not None and ann.body == '"p4.org/port", 32'
    assert ann.args is not None and [sx(a) for a in ann.args] == ["'p4.org/port'", "32"]
    assert isinstance(t2, ast.TypedefDecl) and sx(t2.type_ref) == "mac_t[2]"


def test_typedef_of_inline_struct_declares_both(sx: Render) -> None:
    prog = parse_program("typedef struct P { bit<8> x; } Pt;", "d.p4")
    s, t = prog.decls
    assert isinstance(s, ast.StructDecl) and s.name == "P"
    assert isinstance(t, ast.TypedefDecl) and sx(t.type_ref) == "P"


def test_headers_structs_unions(sx: Render) -> None:
    prog = parse_program(
        'header h_t { bit<8> a; @name("bee") varbit<16> b; }\n'
        "struct s_t<T> { T x; h_t[2] hs; }\n"
        "header_union u_t { h_t h1; h_t h2; }\n"
        "struct empty_t { }",
        "d.p4",
    )
    h, s, u, e = prog.decls
    assert isinstance(h, ast.HeaderDecl) and [f.name for f in h.fields] == ["a", "b"]
    assert h.fields[1].annotations[0].name == "name"
    assert h.fields[1].loc == SourceLoc("d.p4", 1, 37)
    assert isinstance(s, ast.StructDecl) and s.type_params == ["T"]
    assert [sx(f.type_ref) for f in s.fields] == ["T", "h_t[2]"]
    assert isinstance(u, ast.HeaderUnionDecl) and len(u.fields) == 2
    assert isinstance(e, ast.StructDecl) and e.fields == []


def test_enums_errors_match_kinds(sx: Render) -> None:
    prog = parse_program(
        "enum Color { Red, Green, }\nenum bit<8> V { PASS = 1, FAIL = 0x2 }\n"
        "error { Mine, Yours }\nmatch_kind { exact, lpm }",
        "d.p4",
    )
    c, v, err, mk = prog.decls
    assert isinstance(c, ast.EnumDecl) and c.underlying is None
    assert [m.name for m in c.members] == ["Red", "Green"]
    assert isinstance(v, ast.EnumDecl) and v.underlying is not None and sx(v.underlying) == "bit<8>"
    assert [(m.name, sx(m.value)) for m in v.members if m.value] == [("PASS", "1"), ("FAIL", "2")]
    assert isinstance(err, ast.ErrorDecl) and err.name == "error" and err.members == ["Mine", "Yours"]
    assert isinstance(mk, ast.MatchKindDecl) and mk.name == "match_kind" and mk.members == ["exact", "lpm"]


def test_extern_objects_and_functions(sx: Render) -> None:
    prog = parse_program(
        """
extern Reg<T, I> {
    Reg(bit<32> size);
    Reg(bit<32> size, T init);
    @noSideEffects T read(in I index);
    void write(in I index, in T value);
    R apply<R>(in R x);
    abstract bit<16> hook(in bit<16> v);
}
extern void mark(inout bit<9> port);
extern T pick<T>(in T a, @optional in T b);
extern Plain { }
""",
        "d.p4",
    )
    reg, mark, pick, plain = prog.decls
    assert isinstance(reg, ast.ExternDecl) and reg.type_params == ["T", "I"]
    ctor1, ctor2, read, write, app, hook = reg.methods
    assert ctor1.return_type is None and ctor1.name == "Reg" and len(ctor2.params) == 2
    assert read.annotations[0].name == "noSideEffects" and read.return_type is not None
    assert sx(read.return_type) == "T" and read.params[0].direction == "in"
    assert write.return_type is not None and sx(write.return_type) == "void"
    assert app.type_params == ["R"]
    assert hook.is_abstract and not read.is_abstract
    assert isinstance(mark, ast.ExternFunctionDecl) and mark.params[0].direction == "inout"
    assert isinstance(pick, ast.ExternFunctionDecl) and pick.type_params == ["T"]
    assert pick.params[1].optional and not pick.params[0].optional
    assert isinstance(plain, ast.ExternDecl) and plain.methods == []


def test_functions_actions_prototypes_packages(sx: Render) -> None:
    prog = parse_program(
        """
bit<8> max(in bit<8> a, in bit<8> b) { if (a > b) { return a; } return b; }
action nop() { }
action set(bit<9> port, inout bit<9> sm = 0) { }
parser P<H>(packet_in b, out H h);
control C<H>(inout H h);
package Pkg<H>(P<H> p, C<H> c);
""",
        "d.p4",
    )
    f, nop, setp, p, c, pkg = prog.decls
    assert isinstance(f, ast.FunctionDecl) and sx(f.return_type) == "bit<8>" and len(f.body.stmts) == 2
    assert isinstance(nop, ast.ActionDecl) and nop.params == []
    assert isinstance(setp, ast.ActionDecl)
    assert [(q.name, q.direction) for q in setp.params] == [("port", ""), ("sm", "inout")]
    assert setp.params[1].default is not None
    assert isinstance(p, ast.ParserTypeDecl) and p.type_params == ["H"]
    assert isinstance(c, ast.ControlTypeDecl) and len(c.params) == 1
    assert isinstance(pkg, ast.PackageDecl) and [sx(q.type_ref) for q in pkg.params] == ["P<H>", "C<H>"]


PARSER = """
header h_t { bit<16> t; bit<8> p; }
struct hs_t { h_t h; h_t[2] st; }
parser Prs(packet_in pkt, out hs_t hdr)(bit<8> ctor) {
    value_set<bit<16>>(4) vs;
    bit<8> tmp;
    const bit<8> K = 1;
    @name("begin") state start {
        pkt.extract(hdr.h);
        tmp = hdr.h.p;
        transition select(hdr.h.t, tmp) {
            (0x800, 6): next;
            (0x86dd &&& 0xffff, 1 .. 5): next;
            (vs, _): accept;
            (default, 0): reject;
            default: accept;
        }
    }
    state next {
        pkt.extract(hdr.st.next);
        transition select(hdr.h.p) {
            0 .. 3: next;
            vs: accept;
            _: reject;
        }
    }
    state last { transition accept; }
    state none { }
}
"""


def test_parser_declaration(sx: Render) -> None:
    p = only(PARSER, ast.ParserDecl)
    assert p.name == "Prs" and [q.name for q in p.params] == ["pkt", "hdr"]
    assert [q.name for q in p.ctor_params] == ["ctor"]
    vs, tmp, k = p.locals
    assert isinstance(vs, ast.ValueSetDecl) and sx(vs.elem_type) == "bit<16>" and sx(vs.size) == "4"
    assert isinstance(tmp, ast.VarDecl) and isinstance(k, ast.ConstDecl)
    start, nxt, last, none = p.states
    assert start.annotations[0].name == "name" and start.loc == SourceLoc("d.p4", 8, 20)
    assert len(start.stmts) == 2 and isinstance(start.stmts[0], ast.CallStmt)
    tr = start.transition
    assert tr is not None and tr.select is not None and [sx(k) for k in tr.select] == ["hdr.h.t", "tmp"]
    assert [(sx(c.keyset), c.state) for c in tr.cases] == [
        ("{2048 6}", "next"),
        ("{(&&& 34525 65535) (.. 1 5)}", "next"),
        ("{vs _}", "accept"),
        ("{default 0}", "reject"),
        ("default", "accept"),
    ]
    assert tr.cases[0].loc == SourceLoc("d.p4", 12, 13)
    tr2 = nxt.transition
    assert tr2 is not None
    assert [(sx(c.keyset), c.state) for c in tr2.cases] == [
        ("(.. 0 3)", "next"),
        ("vs", "accept"),
        ("_", "reject"),
    ]
    assert (
        last.transition is not None and last.transition.state == "accept" and last.transition.select is None
    )
    assert none.transition is None and none.stmts == []


CONTROL = """
header h_t { bit<32> dst; bit<16> t; }
struct hs_t { h_t h; }
extern counter { counter(bit<32> n, bit<8> t); }
extern action_profile { action_profile(bit<32> size); }
control Ing(inout hs_t hdr, inout bit<9> port) {
    counter(32, 1) cnt;
    bit<8> scratch = 0;
    @name("forward") action fwd(bit<9> p) { port = p; }
    action drop() { }
    @id(7) table t {
        key = {
            hdr.h.dst: lpm @name("dst");
            hdr.h.t & 0xff00: ternary;
            hdr.h.isValid(): exact;
        }
        actions = { fwd; @defaultonly drop; .NoAction; fwd(3); }
        const default_action = drop;
        size = 1024;
        implementation = action_profile(64);
        support_timeout = true;
        @my_prop my_prop = { 1, 2 };
        const entries = {
            (0x0a000000 &&& 0xff000000, _, true): fwd(1);
            priority = 10: (_, 0x0800, _): drop() @name("e2");
            @priority(3) (1 .. 2, 5, false): fwd(p = 2);
        }
    }
    table u { key = { } actions = { drop; } default_action = fwd(1); entries = { const (5, 1, true): drop(); } }
    apply @atomic {
        switch (t.apply().action_run) {
            fwd:
            drop: { port = 0; }
            default: { }
        }
        if (!u.apply().hit) { exit; }
        switch (port) { 1: { } 2: 3: { scratch = 1; } }
    }
}
"""


def test_control_locals_and_body(sx: Render) -> None:
    c = only(CONTROL, ast.ControlDecl)
    kinds = [type(d).__name__ for d in c.locals]
    assert kinds == ["InstanceDecl", "VarDecl", "ActionDecl", "ActionDecl", "TableDecl", "TableDecl"]
    inst = c.locals[0]
    assert isinstance(inst, ast.InstanceDecl) and [sx(a.value) for a in inst.args] == ["32", "1"]
    assert c.body.annotations[0].name == "atomic"
    sw = c.body.stmts[0]
    assert isinstance(sw, ast.Switch) and sx(sw.expr) == "(call t.apply).action_run"
    assert [(sx(case.label), case.body is None) for case in sw.cases] == [
        ("fwd", True),
        ("drop", False),
        ("default", False),
    ]
    sw2 = c.body.stmts[2]
    assert isinstance(sw2, ast.Switch) and [case.body is None for case in sw2.cases] == [False, True, False]


def test_table_properties(sx: Render) -> None:
    c = only(CONTROL, ast.ControlDecl)
    t = c.locals[4]
    assert isinstance(t, ast.TableDecl) and t.annotation("id") is not None
    assert [p.name for p in t.properties] == [
        "key", "actions", "default_action", "size", "implementation", "support_timeout", "my_prop",
        "entries",
    ]  # fmt: skip
    key = t.prop("key")
    assert key is not None and key.keys is not None
    assert [(sx(k.expr), k.match_kind) for k in key.keys] == [
        ("hdr.h.dst", "lpm"),
        ("(& hdr.h.t 65280)", "ternary"),
        ("(call hdr.h.isValid)", "exact"),
    ]
    assert key.keys[0].annotations[0].name == "name" and key.keys[1].annotations == []
    acts = t.prop("actions")
    assert acts is not None and acts.actions is not None
    assert [sx(a.call) for a in acts.actions] == [
        "(call fwd)",
        "(call drop)",
        "(call .NoAction)",
        "(call fwd 3)",
    ]
    assert acts.actions[1].annotations[0].name == "defaultonly"
    da = t.prop("default_action")
    assert da is not None and da.is_const and isinstance(da.value, ast.Call) and sx(da.value) == "(call drop)"
    size = t.prop("size")
    assert size is not None and size.value is not None and sx(size.value) == "1024"
    impl = t.prop("implementation")
    assert impl is not None and impl.value is not None and sx(impl.value) == "(call action_profile 64)"
    mine = t.prop("my_prop")
    assert mine is not None and mine.annotations[0].name == "my_prop" and mine.value is not None
    entries = t.prop("entries")
    assert entries is not None and entries.is_const and entries.entries is not None
    e1, e2, e3 = entries.entries
    assert (sx(e1.keyset), sx(e1.action), e1.priority) == (
        "{(&&& 167772160 4278190080) _ true}",
        "(call fwd 1)",
        None,
    )
    assert e1.is_const and e1.loc == SourceLoc("d.p4", 24, 13)
    assert e2.priority is not None and sx(e2.priority) == "10" and sx(e2.keyset) == "{_ 2048 _}"
    assert [a.name for a in e2.annotations] == ["name"]
    assert e3.annotations[0].name == "priority" and sx(e3.action) == "(call fwd p=2)"
    u = c.locals[5]
    assert isinstance(u, ast.TableDecl)
    ukey = u.prop("key")
    assert ukey is not None and ukey.keys == []
    uda = u.prop("default_action")
    assert uda is not None and not uda.is_const and sx(uda.value or ast.DontCare(loc=u.loc)) == "(call fwd 1)"
    uent = u.prop("entries")
    assert uent is not None and not uent.is_const and uent.entries is not None
    assert uent.entries[0].is_const and sx(uent.entries[0].keyset) == "{5 1 true}"


def test_statements(sx: Render) -> None:
    a = only(
        """
extern E { E(); void f(); }
header h_t { bit<8> x; }
action act(inout h_t h, inout bit<8> v) {
    bit<8> x;
    bit<8> y = 1;
    const bit<8> z = 2;
    h_t[2] st;
    E() e;
    @name("blk") { x = y; }
    ;
    h.x = v;
    h.setValid();
    st[0].x = st[1].x;
    v[3:0] = 4w1;
    v += 1;
    v |+|= 2;
    v <<= 1;
    v >>= 1;
    if (v == 0) return; else if (v == 1) { exit; }
    return;
}
""",
        ast.ActionDecl,
    )
    s = a.body.stmts
    assert [type(x).__name__ for x in s] == [
        "VarDecl", "VarDecl", "ConstDecl", "VarDecl", "InstanceDecl", "Block", "EmptyStmt", "Assign",
        "CallStmt", "Assign", "Assign", "Assign", "Assign", "Assign", "Assign", "If", "Return",
    ]  # fmt: skip
    x, y = s[0], s[1]
    assert isinstance(x, ast.VarDecl) and x.init is None and isinstance(y, ast.VarDecl) and y.init is not None
    st = s[3]
    assert isinstance(st, ast.VarDecl) and sx(st.type_ref) == "h_t[2]"
    blk = s[5]
    assert isinstance(blk, ast.Block) and blk.annotations[0].name == "name"
    compound = s[11]
    assert isinstance(compound, ast.Assign) and sx(compound.rhs) == "(+ v 1)"
    assert compound.lhs is not compound.rhs.left  # type: ignore[attr-defined]
    assert [sx(q.rhs) for q in s[12:15] if isinstance(q, ast.Assign)] == ["(|+| v 2)", "(<< v 1)", "(>> v 1)"]
    if_ = s[15]
    assert isinstance(if_, ast.If) and isinstance(if_.then, ast.Return) and isinstance(if_.else_, ast.If)
    assert isinstance(if_.else_.then, ast.Block) and isinstance(if_.else_.then.stmts[0], ast.Exit)
    assert s[8].loc == SourceLoc("d.p4", 13, 5)


def test_instantiations_and_main(sx: Render) -> None:
    prog = parse_program(
        """
parser P(); control C(); package Pkg(P p, C c);
parser MyP() { state start { transition accept; } }
control MyC()(bit<8> k) { apply { } }
extern Virt { Virt(); abstract bit<8> f(in bit<8> x); }
control U() { Virt() v = { bit<8> f(in bit<8> x) { return x + this.k; } }; apply { } }
Pkg(MyP(), MyC(8)) main;
""",
        "d.p4",
    )
    main = prog.decls[-1]
    assert isinstance(main, ast.InstanceDecl) and main.name == "main" and sx(main.type_ref) == "Pkg"
    assert [sx(a.value) for a in main.args] == ["(call MyP)", "(call MyC 8)"]
    myc = prog.decls[4]
    assert isinstance(myc, ast.ControlDecl) and [q.name for q in myc.ctor_params] == ["k"]
    u = prog.decls[6]
    assert isinstance(u, ast.ControlDecl)
    v = u.locals[0]
    assert isinstance(v, ast.InstanceDecl) and v.initializer is not None
    impl = v.initializer[0]
    assert isinstance(impl, ast.FunctionDecl) and impl.name == "f"


def test_annotation_forms(sx: Render) -> None:
    prog = parse_program(
        """
@hidden @name(".g") @brief("two words") @weird(a b c) @empty() @s[k = 1, m = "x"] @l[1, 2]
action a(@name("p") bit<8> x) { }
@pragma name "orig"
@pragma tableOnly
action b() { }
""",
        "d.p4",
    )
    a, b = prog.decls
    assert isinstance(a, ast.ActionDecl) and a.loc == SourceLoc("d.p4", 3, 1)
    got = {x.name: x for x in a.annotations}
    assert got["hidden"].body is None and got["hidden"].args is None
    assert got["name"].body == '".g"' and got["name"].args is not None and sx(got["name"].args[0]) == "'.g'"
    assert got["weird"].body == "a b c" and got["weird"].args is None
    assert got["empty"].body == "" and got["empty"].args == []
    s = got["s"]
    assert s.structured and s.kv is not None and [(k, sx(v)) for k, v in s.kv] == [("k", "1"), ("m", "'x'")]
    lst = got["l"]
    assert lst.structured and lst.args is not None and [sx(v) for v in lst.args] == ["1", "2"]
    assert a.params[0].annotations[0].name == "name"
    assert isinstance(b, ast.ActionDecl)
    assert [(x.name, x.body) for x in b.annotations] == [("name", '"orig"'), ("tableOnly", None)]


def test_line_markers_map_locations() -> None:
    text = '#line 1 "main.p4"\nheader h_t { bit<8> a; }\n#line 40 "lib/inc.p4"\n  struct s_t { h_t h; }\n'
    prog = parse_program(text, "pre.p4")
    assert prog.decls[0].loc == SourceLoc("main.p4", 1, 1)
    s = prog.decls[1]
    assert isinstance(s, ast.StructDecl)
    assert s.loc == SourceLoc("lib/inc.p4", 40, 3)
    assert s.fields[0].loc == SourceLoc("lib/inc.p4", 40, 16)
