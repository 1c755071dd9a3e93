"""Expressions and types: precedence (P4-16 spec grammar), casts, generic calls, literals."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from softswitch.frontend import ast
from softswitch.frontend.errors import SourceLoc
from softswitch.frontend.parser import parse_program

PRELUDE = """
header h_t { bit<8> f; }
struct s_t { bit<8> a; bit<8> b; }
enum E { A, B }
extern ext<T> { ext(); T get<U>(in U u); }
extern bit<16> hash<O, T>(in T data);
typedef bit<8> byte_t;
"""

Render = Callable[[ast.Node], str]


def parse_expr(src: str) -> ast.Expr:
    """Parse ``src`` as the right-hand side of an assignment inside an action."""
    prog = parse_program(
        PRELUDE + "action act(inout bit<8> a, inout bit<8> b, inout bit<8> c) {\n x = " + src + ";\n}", "e.p4"
    )
    act = prog.decls[-1]
    assert isinstance(act, ast.ActionDecl)
    stmt = act.body.stmts[0]
    assert isinstance(stmt, ast.Assign)
    return stmt.rhs


@pytest.mark.parametrize(
    ("src", "tree"),
    [
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a << 1 + b", "(<< a (+ 1 b))"),
        ("a >> 2", "(>> a 2)"),
        ("a ++ b << 1", "(++ a (<< b 1))"),
        ("a & b ++ c", "(& a (++ b c))"),
        ("a | b ^ c & a", "(| a (^ b (& c a)))"),
        ("a < b | c", "(< a (| b c))"),
        ("a == b < c", "(== a (< b c))"),
        ("a && b == c", "(&& a (== b c))"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a |+| b * c |-| a", "(|-| (|+| a (* b c)) a)"),
        ("a % b / c", "(/ (% a b) c)"),
        ("a ? b : c ? a : b", "(? a b (? c a b))"),
        ("a || b ? a + 1 : b", "(? (|| a b) (+ a 1) b)"),
        ("-a * b", "(* (- a) b)"),
        ("!a && ~b == +c", "(&& (! a) (== (~ b) (+ c)))"),
        ("- -a", "(- (- a))"),
        ("-a.f", "(- a.f)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a <= b && b >= c", "(&& (<= a b) (>= b c))"),
        ("a < b && c > a", "(&& (< a b) (> c a))"),
        ("a != b", "(!= a b)"),
    ],
)
def test_precedence(src: str, tree: str, sx: Render) -> None:
    assert sx(parse_expr(src)) == tree


@pytest.mark.parametrize(
    ("src", "tree"),
    [
        ("(bit<8>) a", "(cast bit<8> a)"),
        ("(bit<8>) a + b", "(+ (cast bit<8> a) b)"),
        ("(bit<16>)(a)", "(cast bit<16> a)"),
        ("(int<4>) -a", "(cast int<4> (- a))"),
        ("(byte_t) a.f", "(cast byte_t a.f)"),
        ("(bool) a", "(cast bool a)"),
        ("(bit) a", "(cast bit<1> a)"),
        ("(s_t){ a = 1, b = 2 }", "(cast s_t {a=1 b=2})"),
        ("(a) + b", "(+ a b)"),
        ("(E.A)", "E.A"),
        ("(error.NoError)", "error.NoError"),
        ("(tuple<bit<8>, bool>) { a, true }", "(cast tuple<bit<8>,bool> {a true})"),
    ],
)
def test_casts_and_parentheses(src: str, tree: str, sx: Render) -> None:
    assert sx(parse_expr(src)) == tree


@pytest.mark.parametrize(
    ("src", "tree"),
    [
        ("hash<bit<16>, tuple<bit<8>>>({ a })", "(call hash<bit<16>,tuple<bit<8>>> {a})"),
        ("a.get<bit<16>>(b)", "(call a.get<bit<16>> b)"),
        ("a.get<h_t>(b).f", "(call a.get<h_t> b).f"),
        ("ext<bit<8>>()", "(call ext<bit<8>>)"),
        ("a < b > (c)", "(> (< a b) c)"),  # b is not a type: two comparisons
        ("a >> b >> c", "(>> (>> a b) c)"),
        ("f(x = 1, y = a)", "(call f x=1 y=a)"),
        ("f(_, a)", "(call f _ a)"),
        ("f()", "(call f)"),
        ("t.apply().hit", "(call t.apply).hit"),
        ("hs[0].f", "(idx hs 0).f"),
        ("hs.next.f", "hs.next.f"),
        ("a[7:0]", "(slice a 7 0)"),
        ("a[7:0][3:1]", "(slice (slice a 7 0) 3 1)"),
        ("a[b + 1 : 0]", "(slice a (+ b 1) 0)"),
        ("a[2 +: 4]", "(slice a (- (+ 2 4) 1) 2)"),
        (".x", ".x"),
        ("error.NoMatch", "error.NoMatch"),
        ("E.A", "E.A"),
        ("h_t.minSizeInBits()", "(call h_t.minSizeInBits)"),
        ("bit<8>.maxSizeInBits", "[bit<8>].maxSizeInBits"),
        ("{ a, b, 8w1 }", "{a b 8w1}"),
        ("{ }", "{}"),
        ("{ a = 1, b = c }", "{a=1 b=c}"),
        ("{ a = 1, }", "{a=1}"),
        ("{ { 1 }, { a = 2 } }", "{{1} {a=2}}"),
        ("s_t { a = 1, b = 2 }", "s_t{a=1 b=2}"),
        ("{#}", "{#}"),
        ("true", "true"),
        ('"str"', "'str'"),
        ("32w0xFFFF_0000", "32w4294901760"),
        ("this.x", "this.x"),
    ],
)
def test_postfix_and_primaries(src: str, tree: str, sx: Render) -> None:
    assert sx(parse_expr(src)) == tree


def test_expression_locations() -> None:
    e = parse_expr("a +\n   (bit<8>) b[3:0]")
    assert isinstance(e, ast.Binary)
    line = PRELUDE.count("\n") + 2
    assert e.loc == SourceLoc("e.p4", line, 6)
    assert e.left.loc == SourceLoc("e.p4", line, 6)
    cast = e.right
    assert isinstance(cast, ast.Cast)
    assert cast.loc == SourceLoc("e.p4", line + 1, 4)
    assert cast.to.loc == SourceLoc("e.p4", line + 1, 5)
    assert isinstance(cast.expr, ast.Slice)
    assert cast.expr.loc == SourceLoc("e.p4", line + 1, 13)


def test_types(sx: Render) -> None:
    prog = parse_program(
        PRELUDE
        + """
struct t_t {
    bit f1; bit<(4 + 4)> f2; int<4> f3; int f4; varbit<32> f5; bool f6; error f7;
    h_t[4] f8; tuple<bit<8>, h_t> f9; ext<bit<8>> f10; .h_t f11; string f12; match_kind f13;
    list<bit<8>> f14; tuple<> f15; bit<8> f16[2];
}
""",
        "t.p4",
    )
    s = prog.decls[-1]
    assert isinstance(s, ast.StructDecl)
    assert [sx(f.type_ref) for f in s.fields] == [
        "bit<1>", "bit<(+ 4 4)>", "int<4>", "int", "varbit<32>", "bool", "error",
        "h_t[4]", "tuple<bit<8>,h_t>", "ext<bit<8>>", ".h_t", "string", "match_kind",
        "list<bit<8>>", "tuple<>", "bit<8>[2]",
    ]  # fmt: skip


def test_nested_type_arguments_close_with_shift(sx: Render) -> None:
    prog = parse_program(
        "extern r<T> { r(bit<32> n); }\ncontrol c() { r<bit<8>>(4) x; r<tuple<bit<8>, bit<8>>>(1) y; apply {} }",
        "t.p4",
    )
    ctl = prog.decls[-1]
    assert isinstance(ctl, ast.ControlDecl)
    x, y = ctl.locals
    assert isinstance(x, ast.InstanceDecl) and isinstance(y, ast.InstanceDecl)
    assert sx(x.type_ref) == "r<bit<8>>"
    assert sx(y.type_ref) == "r<tuple<bit<8>,bit<8>>>"


def test_width_expressions(sx: Render) -> None:
    prog = parse_program(
        "const bit<4> w = 2;\nconst bit<w < 3 ? 8 : 4> k = 1;\nconst bit<2 + 2> j = 1;", "t.p4"
    )
    k, j = prog.decls[1], prog.decls[2]
    assert isinstance(k, ast.ConstDecl) and isinstance(j, ast.ConstDecl)
    assert sx(k.type_ref) == "bit<(? (< w 3) 8 4)>"
    assert sx(j.type_ref) == "bit<(+ 2 2)>"


def test_local_variable_hides_type_name(sx: Render) -> None:
    # Inside the action, ``h_t`` is a parameter, so ``(h_t)`` is a parenthesised expression.
    prog = parse_program(PRELUDE + "action a(inout bit<8> h_t, inout bit<8> x) { x = (h_t) + 1; }", "t.p4")
    act = prog.decls[-1]
    assert isinstance(act, ast.ActionDecl)
    stmt = act.body.stmts[0]
    assert isinstance(stmt, ast.Assign)
    assert sx(stmt.rhs) == "(+ h_t 1)"


def test_type_parameters_are_types_in_scope(sx: Render) -> None:
    prog = parse_program(
        "T id<T>(in T x) { return (T) x; }\ncontrol c(inout bit<8> T) { apply { T = (T) + 1; } }", "t.p4"
    )
    f = prog.decls[0]
    assert isinstance(f, ast.FunctionDecl)
    ret = f.body.stmts[0]
    assert isinstance(ret, ast.Return) and ret.value is not None
    assert sx(ret.value) == "(cast T x)"
    c = prog.decls[1]
    assert isinstance(c, ast.ControlDecl)
    assign = c.body.stmts[0]
    assert isinstance(assign, ast.Assign)
    assert sx(assign.rhs) == "(+ T 1)"
