"""Annotations as P4Info prints them (see ``softswitch/p4info/model.py``): the parsed ones with
their arguments as P4 literals, the others with their body tokens as written, structured ones as
literal values; plus ``@brief``/``@description`` docs and ``@id``."""

from __future__ import annotations

from softswitch.p4info import model as m

from . import ast
from .errors import P4Error
from .lexer import tokenize

# Annotations whose arguments p4c parses (printed as P4 expressions), and those it reads as empty.
_PARSED = frozenset(
    {
        "noWarn", "deprecated", "controller_header", "alias", "length", "match", "priority",
        "synchronous", "field_list", "name", "id", "brief", "description", "p4runtime_translation",
    }
)  # fmt: skip
_EMPTY = frozenset(
    {
        "tableonly", "defaultonly", "hidden", "atomic", "optional", "pure", "noSideEffects",
        "disable_optimization", "metadata",
    }
)  # fmt: skip
# --------------------------------------------------------------------------- annotations


def _literal_text(e: ast.Expr) -> str | None:
    if isinstance(e, ast.StrLit):
        return m.string_literal_text(e.value)
    if isinstance(e, ast.IntLit):
        if e.text is not None:
            return e.text
        if e.width is not None:
            return f"{e.width}{'s' if e.signed else 'w'}{e.value}"
        return str(e.value)
    if isinstance(e, ast.BoolLit):
        return "true" if e.value else "false"
    return None


def tokens(body: str) -> list[str]:
    """The tokens of an annotation body, each as written (string literals with their quotes)."""
    try:
        return [body[t.pos : t.end] for t in tokenize(body, "<annotation>") if t.kind != "eof"]
    except P4Error:
        return body.split()


def _literal_value(e: ast.Expr) -> m.AnnotationValue:
    if isinstance(e, ast.BoolLit):
        return e.value
    if isinstance(e, ast.IntLit):
        return e.value
    if isinstance(e, ast.StrLit):
        return e.value
    if isinstance(e, ast.Unary) and e.op in ("-", "!"):
        v = _literal_value(e.expr)
        if e.op == "!" and isinstance(v, bool):
            return not v
        if e.op == "-" and isinstance(v, int) and not isinstance(v, bool):
            return -v
    if isinstance(e, ast.Binary):
        a, b = _literal_value(e.left), _literal_value(e.right)
        folded = _fold_literal(e.op, a, b)
        if folded is not None:
            return folded
    raise P4Error("structured annotations may only hold compile-time literals", e.loc)


def _fold_literal(op: str, a: m.AnnotationValue, b: m.AnnotationValue) -> m.AnnotationValue | None:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool) and op in ("&&", "||"):
            return (a and b) if op == "&&" else (a or b)
        return None
    if isinstance(a, int) and isinstance(b, int):
        return _fold_int(op, a, b)
    if isinstance(a, str) and isinstance(b, str) and op == "++":
        return a + b
    return None


def _fold_int(op: str, a: int, b: int) -> m.AnnotationValue | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "&":
        return a & b
    if op == "|":
        return a | b
    if op == "^":
        return a ^ b
    if op in ("<", ">", "<=", ">="):
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    return None


def convert_annotation(a: ast.Annotation) -> m.Annotation:
    if a.structured:
        if a.kv is not None:
            return m.Annotation(
                a.name, structured=True, kv_pairs=tuple((k, _literal_value(v)) for k, v in a.kv)
            )
        return m.Annotation(
            a.name, structured=True, expressions=tuple(_literal_value(x) for x in a.args or [])
        )
    if a.name in _EMPTY:
        return m.Annotation.empty(a.name)
    if a.name in _PARSED and a.args is not None:
        parts = [_literal_text(x) for x in a.args]
        if all(p is not None for p in parts):
            return m.Annotation(a.name, ", ".join(p for p in parts if p is not None) or None)
    if a.body is None:
        return m.Annotation(a.name)
    return m.Annotation.from_tokens(a.name, tokens(a.body))


def convert_annotations(anns: list[ast.Annotation]) -> tuple[m.Annotation, ...]:
    return tuple(convert_annotation(a) for a in anns)


def string_arg(anns: list[ast.Annotation], name: str) -> str | None:
    result = None
    for a in anns:
        if a.name == name and a.args and isinstance(a.args[0], ast.StrLit):
            result = a.args[0].value
    return result


def doc_of(anns: list[ast.Annotation]) -> m.Doc | None:
    brief = string_arg(anns, "brief")
    desc = string_arg(anns, "description")
    if brief is None and desc is None:
        return None
    return m.Doc(brief, desc)


def explicit_id(anns: list[ast.Annotation]) -> int | None:
    for a in anns:
        if a.name == "id" and a.args and isinstance(a.args[0], ast.IntLit):
            return a.args[0].value
    return None
