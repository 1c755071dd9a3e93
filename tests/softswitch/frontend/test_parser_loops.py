"""for loops in the syntax tree: the three-clause form (several initializers and updates, compound
assignments), the ``in`` form over ranges and collections, break and continue."""

from __future__ import annotations

from collections.abc import Callable

from softswitch.frontend import ast
from softswitch.frontend.parser import parse_program


def body_of(src: str) -> list[ast.Stmt | ast.Decl]:
    prog = parse_program(f"action a() {{ {src} }}", "loops.p4")
    decl = prog.decls[0]
    assert isinstance(decl, ast.ActionDecl)
    return decl.body.stmts


def test_three_clause_loop(sx: Callable[[ast.Node], str]) -> None:
    (loop,) = body_of("@unroll for (bit<8> v = 0, bit<16> x = 1; v < n; v = v + 1, x <<= 1) { s = s + x; }")
    assert isinstance(loop, ast.For)
    assert [a.name for a in loop.annotations] == ["unroll"]
    v, x = loop.init
    assert isinstance(v, ast.VarDecl) and v.name == "v" and v.init is not None and sx(v.init) == "0"
    assert isinstance(x, ast.VarDecl) and x.name == "x"
    assert sx(loop.cond) == "(< v n)"
    up1, up2 = loop.updates
    assert isinstance(up1, ast.Assign) and sx(up1.rhs) == "(+ v 1)"
    assert isinstance(up2, ast.Assign) and sx(up2.lhs) == "x" and sx(up2.rhs) == "(<< x 1)"
    assert isinstance(loop.body, ast.Block) and len(loop.body.stmts) == 1


def test_three_clause_loop_without_init_or_update() -> None:
    (loop,) = body_of("for (; i < 20;) i = i + 1;")
    assert isinstance(loop, ast.For)
    assert loop.init == [] and loop.updates == []
    assert isinstance(loop.body, ast.Assign)


def test_assignment_and_call_initializers() -> None:
    (loop,) = body_of("for (i = 0, f(); i < 3; g()) { }")
    assert isinstance(loop, ast.For)
    assert isinstance(loop.init[0], ast.Assign)
    assert isinstance(loop.init[1], ast.CallStmt)
    assert isinstance(loop.updates[0], ast.CallStmt)


def test_range_and_collection_loops(sx: Callable[[ast.Node], str]) -> None:
    r, c = body_of("for (bit<8> i in 1 .. n + 1) { break; } for (t2 e in hdr.stack) { continue; }")
    assert isinstance(r, ast.ForIn)
    assert r.var.name == "i" and r.var.init is None
    assert sx(r.collection) == "1" and r.range_end is not None and sx(r.range_end) == "(+ n 1)"
    assert isinstance(r.body, ast.Block) and isinstance(r.body.stmts[0], ast.Break)
    assert isinstance(c, ast.ForIn)
    assert c.range_end is None and sx(c.collection) == "hdr.stack"
    assert isinstance(c.var.type_ref, ast.NamedTypeRef) and c.var.type_ref.name == "t2"
    assert isinstance(c.body, ast.Block) and isinstance(c.body.stmts[0], ast.Continue)


def test_loop_variable_is_not_a_type_after_the_loop() -> None:
    # ``i`` is declared inside the loop only; ``i = 1;`` afterwards is still an assignment
    stmts = body_of("for (bit<8> i in 0 .. 1) { } i = 1;")
    assert isinstance(stmts[1], ast.Assign)
