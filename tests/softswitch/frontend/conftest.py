"""Shared helpers of the front-end tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from softswitch.frontend import ast


@pytest.fixture(name="sx")
def sx_fixture() -> Callable[[ast.Node], str]:
    """The :func:`sx` renderer, for tests that compare parsed trees with hand-written S-expressions."""
    return sx


def sx(e: ast.Node) -> str:
    """A compact S-expression of an expression or type (hand-written expectations compare to it)."""
    if isinstance(e, ast.IntLit):
        if e.width is None:
            return str(e.value)
        return f"{e.width}{'s' if e.signed else 'w'}{e.value}"
    if isinstance(e, ast.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, ast.StrLit):
        return repr(e.value)
    if isinstance(e, ast.Name):
        return ("." if e.is_global else "") + e.name
    if isinstance(e, ast.Member):
        return f"{sx(e.expr)}.{e.member}"
    if isinstance(e, ast.Index):
        return f"(idx {sx(e.expr)} {sx(e.index)})"
    if isinstance(e, ast.Slice):
        return f"(slice {sx(e.expr)} {sx(e.hi)} {sx(e.lo)})"
    if isinstance(e, ast.Unary):
        return f"({e.op} {sx(e.expr)})"
    if isinstance(e, ast.Binary):
        return f"({e.op} {sx(e.left)} {sx(e.right)})"
    if isinstance(e, ast.Mux):
        return f"(? {sx(e.cond)} {sx(e.then)} {sx(e.else_)})"
    if isinstance(e, ast.Cast):
        return f"(cast {sx(e.to)} {sx(e.expr)})"
    if isinstance(e, ast.Call):
        targs = "<" + ",".join(sx(t) for t in e.type_args) + ">" if e.type_args else ""
        args = " ".join((f"{a.name}=" if a.name else "") + sx(a.value) for a in e.args)
        return f"(call {sx(e.callee)}{targs}{' ' + args if args else ''})"
    if isinstance(e, ast.ListExpr):
        return "{" + " ".join(sx(i) for i in e.items) + "}"
    if isinstance(e, ast.StructExpr):
        t = sx(e.type_ref) if e.type_ref else ""
        return t + "{" + " ".join(f"{k}={sx(v)}" for k, v in e.fields) + "}"
    if isinstance(e, ast.DontCare):
        return "_"
    if isinstance(e, ast.DefaultExpr):
        return "default"
    if isinstance(e, ast.InvalidExpr):
        return "{#}"
    if isinstance(e, ast.TypeNameExpr):
        return f"[{sx(e.type_ref)}]"
    if isinstance(e, ast.BitTypeRef):
        return f"{'int' if e.signed else 'bit'}<{sx(e.width)}>"
    if isinstance(e, ast.VarbitTypeRef):
        return f"varbit<{sx(e.width)}>"
    if isinstance(e, ast.BaseTypeRef):
        return e.name
    if isinstance(e, ast.NamedTypeRef):
        targs = "<" + ",".join(sx(t) for t in e.type_args) + ">" if e.type_args else ""
        return ("." if e.is_global else "") + e.name + targs
    if isinstance(e, ast.StackTypeRef):
        return f"{sx(e.elem)}[{sx(e.size)}]"
    if isinstance(e, ast.TupleTypeRef):
        return f"{e.kind}<" + ",".join(sx(t) for t in e.elems) + ">"
    raise AssertionError(f"no rendering for {type(e).__name__}")
