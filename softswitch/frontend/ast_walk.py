"""Generic traversal of the syntax tree (every node below a node, in source order)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from . import ast

# Annotation fields filled by the checker: they point elsewhere in the tree (or repeat children).
_SKIP_FIELDS = frozenset(
    {"loc", "type", "const", "decl", "kind", "target", "resolved", "resolved_type_args", "bound_args", "ctor"}
)


def walk(node: object) -> Iterator[ast.Node]:
    """Every syntax node under ``node`` (itself included, annotations included), in source order."""
    if isinstance(node, ast.Node):
        yield node
        for f in fields(node):
            if f.name not in _SKIP_FIELDS:
                yield from walk(getattr(node, f.name))
    elif isinstance(node, (list, tuple)):
        for x in node:
            yield from walk(x)


def live_walk(node: object) -> Iterator[ast.Node]:
    """Like :func:`walk`, but skipping code that constant folding shows to be dead: the branch of
    an ``if`` or ``?:`` whose condition is a constant that excludes it (as p4c removes it before
    P4Info is written; statements after ``exit`` are kept, as p4c keeps them)."""
    return _live(node, cut_after_exit=False)


def running_walk(node: object) -> Iterator[ast.Node]:
    """Like :func:`live_walk`, and also leaving out the statements of a block that follow an
    ``exit`` or ``return`` (p4c's mid-end drops them before its back end sees the code)."""
    return _live(node, cut_after_exit=True)


def _live(node: object, *, cut_after_exit: bool) -> Iterator[ast.Node]:
    if isinstance(node, ast.If):
        yield node
        c = node.cond.const
        yield from _live(node.cond, cut_after_exit=cut_after_exit)
        if c is not False:
            yield from _live(node.then, cut_after_exit=cut_after_exit)
        if c is not True and node.else_ is not None:
            yield from _live(node.else_, cut_after_exit=cut_after_exit)
        return
    if isinstance(node, ast.Mux) and isinstance(node.cond.const, bool):
        yield node
        yield from _live(node.cond, cut_after_exit=cut_after_exit)
        yield from _live(node.then if node.cond.const else node.else_, cut_after_exit=cut_after_exit)
        return
    if cut_after_exit and isinstance(node, ast.Block):
        yield node
        for stmt in node.stmts:
            yield from _live(stmt, cut_after_exit=True)
            if isinstance(stmt, (ast.Exit, ast.Return)):
                return
        return
    if isinstance(node, ast.Node):
        yield node
        for f in fields(node):
            if f.name not in _SKIP_FIELDS:
                yield from _live(getattr(node, f.name), cut_after_exit=cut_after_exit)
    elif isinstance(node, (list, tuple)):
        for x in node:
            yield from _live(x, cut_after_exit=cut_after_exit)
