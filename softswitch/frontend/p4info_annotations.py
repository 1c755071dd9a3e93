r"""Annotations as P4Info prints them (see ``softswitch/p4info/model.py``): the parsed ones with
their arguments as P4 literals, the others with their body tokens as written, structured ones as
literal values; plus ``@brief``/``@description`` docs and ``@id``.

p4c keeps the text of a string literal as written: ``@name("a\"b")`` names the object ``a\"b``
(backslash included) and ``@brief("x\ty")`` documents it with a backslash and a ``t``. The lexer
unescapes ``StrLit.value``, so the strings here come from the annotation's source text instead
(:func:`raw_strings`)."""

from __future__ import annotations

from softswitch.p4info import model as m

from . import ast
from .errors import P4Error
from .lexer import tokenize

# Annotations whose arguments p4c parses before it writes P4Info (printed as P4 expressions), and
# those it reads as empty. BMv2's own ``@alias`` and ``@priority`` are parsed only after P4Info is
# written, so P4Info shows their tokens as written.
_PARSED = frozenset(
    {
        "noWarn", "deprecated", "controller_header", "length", "match", "synchronous", "field_list",
        "name", "id", "brief", "description", "p4runtime_translation",
    }
)  # fmt: skip
_EMPTY = frozenset(
    {
        "tableonly", "defaultonly", "hidden", "atomic", "optional", "pure", "noSideEffects",
        "disable_optimization", "metadata",
    }
)  # fmt: skip
# --------------------------------------------------------------------------- annotations


def raw_strings(a: ast.Annotation) -> list[str]:
    """The contents of the string literals in ``a``'s body, in source order, as written (escape
    sequences left as they are, quotes dropped)."""
    if a.body is None or '"' not in a.body:
        return []
    try:
        toks = tokenize(a.body, "<annotation>")
    except P4Error:
        return []
    return [a.body[t.pos + 1 : t.end - 1] for t in toks if t.kind == "str"]


def raw_string_arg(a: ast.Annotation) -> str | None:
    """The first argument of ``a`` as written, when it is a string literal (``@name("...")``)."""
    if not a.args or not isinstance(a.args[0], ast.StrLit):
        return None
    raw = raw_strings(a)
    return raw[0] if raw else a.args[0].value


class _RawStrings:
    """Hands out an annotation's string literals as written, in source order: the checker's
    ``StrLit`` nodes of one annotation, visited left to right, are its string tokens in order."""

    def __init__(self, a: ast.Annotation) -> None:
        self._raw = raw_strings(a)
        self._next = 0

    def take(self, e: ast.StrLit) -> str:
        if self._next >= len(self._raw):
            return e.value
        self._next += 1
        return self._raw[self._next - 1]


def _literal_text(e: ast.Expr, raw: _RawStrings) -> str | None:
    if isinstance(e, ast.StrLit):
        return m.string_literal_text(raw.take(e))
    if isinstance(e, ast.IntLit):
        if e.text is not None:
            return e.text
        if e.width is not None:
            return f"{e.width}{'s' if e.signed else 'w'}{e.value}"
        return str(e.value)
    if isinstance(e, ast.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, ast.Binary):
        folded = _fold_decimal(e)
        return None if folded is None else str(folded)
    return None


def _fold_decimal(e: ast.Expr) -> int | None:
    """A sum, difference or product of unsized decimal literals, folded as p4c's front-end folds a
    parsed annotation argument (``@length(3 + 4)`` is printed ``@length(7)``); None otherwise."""
    if isinstance(e, ast.IntLit):
        written_decimal = e.text is None or e.text.isdigit()
        return e.value if e.width is None and written_decimal else None
    if isinstance(e, ast.Binary) and e.op in ("+", "-", "*"):
        a, b = _fold_decimal(e.left), _fold_decimal(e.right)
        if a is not None and b is not None:
            result = _fold_int(e.op, a, b)
            if isinstance(result, int) and not isinstance(result, bool) and result >= 0:
                return result
    return None


def tokens(body: str) -> list[str]:
    """The tokens of an annotation body, each as written (string literals with their quotes)."""
    try:
        return [body[t.pos : t.end] for t in tokenize(body, "<annotation>") if t.kind != "eof"]
    except P4Error:
        return body.split()


def _literal_value(e: ast.Expr, raw: _RawStrings) -> m.AnnotationValue:
    if isinstance(e, ast.BoolLit):
        return e.value
    if isinstance(e, ast.IntLit):
        return e.value
    if isinstance(e, ast.StrLit):
        return raw.take(e)
    if isinstance(e, ast.Unary) and e.op in ("-", "!"):
        v = _literal_value(e.expr, raw)
        if e.op == "!" and isinstance(v, bool):
            return not v
        if e.op == "-" and isinstance(v, int) and not isinstance(v, bool):
            return -v
    if isinstance(e, ast.Binary):
        a, b = _literal_value(e.left, raw), _literal_value(e.right, raw)
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
    raw = _RawStrings(a)
    if a.structured:
        if a.kv is not None:
            return m.Annotation(
                a.name, structured=True, kv_pairs=tuple((k, _literal_value(v, raw)) for k, v in a.kv)
            )
        return m.Annotation(
            a.name, structured=True, expressions=tuple(_literal_value(x, raw) for x in a.args or [])
        )
    if a.name in _EMPTY:
        return m.Annotation.empty(a.name)
    if a.name in _PARSED and a.args is not None:
        parts = [_literal_text(x, raw) for x in a.args]
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
        text = raw_string_arg(a) if a.name == name else None
        if text is not None:
            result = text
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
