"""The expression half of the P4-16 parser: token cursor, type-name scopes, annotations, types,
expressions and keysets. ``parser_stmt.py`` and ``parser.py`` build on :class:`ExprParser`.

Disambiguation follows p4c: the parser keeps track of which identifiers name types (declared
types, type parameters in scope; a parameter or variable of the same name hides a type), so that
``(T) e`` is a cast, ``T<...>`` a type application and ``a < b`` a comparison. A call with
explicit type arguments (``h.extract<T>(x)``, ``hash<bit<16>, ...>(...)``) is recognised by trying
to read a type-argument list followed by ``(``, and reading a comparison when that fails.

Representation choices the checker relies on:

* ``error.X`` is ``Member(Name("error"), "X")`` (the ``ErrorDecl``'s name is ``"error"``);
* a type name used as a value is a ``Name`` (``E.A``, ``MyParser()``, ``T.minSizeInBits()``),
  except for types that are not a plain name (``bit<8>``, ``H<bit<8>>``): ``TypeNameExpr``;
* a generic constructor call ``register<bit<8>>(4)`` is ``Call(Name("register"), type_args=...)``;
* ``this`` is ``Name("this")``.
"""

from __future__ import annotations

from typing import NoReturn

from . import ast
from .errors import P4Error, SourceLoc
from .lexer import Token

# Binary operators and their precedence (higher binds tighter); all are left-associative.
_BINARY_PREC: dict[str, int] = {
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
    "|": 5, "^": 6, "&": 7, "++": 8, "<<": 9, ">>": 9,
    "+": 10, "-": 10, "|+|": 10, "|-|": 10, "*": 11, "/": 11, "%": 11,
}  # fmt: skip

_UNARY_OPS = frozenset({"-", "!", "~", "+"})

# Token kinds that can only start a type.
TYPE_KEYWORDS = frozenset({"bit", "int", "varbit", "bool", "string", "void", "error", "match_kind", "tuple"})

_BASE_TYPES = frozenset({"bool", "string", "void", "error", "match_kind"})

# Tokens that can name a member after ``.`` or an annotation after ``@``.
WORD_KINDS = frozenset({"id", "_"}) | frozenset(
    {
        "abstract", "action", "bit", "bool", "break", "const", "continue", "control", "default",
        "else", "enum", "error", "exit", "extern", "false", "for", "header", "header_union", "if",
        "in", "inout", "int", "match_kind", "out", "package", "parser", "return", "select",
        "string", "struct", "switch", "table", "this", "transition", "true", "tuple", "typedef",
        "value_set", "varbit", "void",
    }
)  # fmt: skip


class ExprParser:
    """Cursor over the token list plus the expression, type and annotation grammar."""

    def __init__(self, tokens: list[Token], text: str) -> None:
        self.toks = tokens
        self.text = text
        self.i = 0
        self.last = len(tokens) - 1
        # Innermost scope last; maps a name to True when it names a type.
        self.scopes: list[dict[str, bool]] = [{}]
        # True while reading the width of ``bit<...>``: ``>`` then closes instead of comparing.
        self.in_angle = False

    # ------------------------------------------------------------------ cursor

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        j = self.i + k
        return self.toks[j if j < self.last else self.last]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if self.i < self.last:
            self.i += 1
        return t

    def at(self, kind: str) -> bool:
        return self.toks[self.i].kind == kind

    def accept(self, kind: str) -> Token | None:
        t = self.toks[self.i]
        if t.kind == kind:
            self.advance()
            return t
        return None

    def expect(self, kind: str, what: str | None = None) -> Token:
        t = self.toks[self.i]
        if t.kind != kind:
            self.fail_expected(what or f"'{kind}'")
        self.advance()
        return t

    def fail_expected(self, what: str) -> NoReturn:
        t = self.tok
        raise P4Error(f"expected {what} but found {t.describe()}", t.loc)

    def expect_name(self, what: str = "a name") -> Token:
        t = self.tok
        if t.kind != "id":
            self.fail_expected(what)
        self.advance()
        return t

    def expect_word(self, what: str = "a name") -> Token:
        """An identifier or a keyword (member names, annotation names)."""
        t = self.tok
        if t.kind not in WORD_KINDS:
            self.fail_expected(what)
        self.advance()
        return t

    def at_word(self, word: str) -> bool:
        t = self.toks[self.i]
        return t.kind == "id" and t.text == word

    def close_angle(self) -> None:
        """Consume the ``>`` that closes a type-argument or type-parameter list."""
        self.expect(">")

    # ------------------------------------------------------------------ scopes

    def push_scope(self) -> None:
        self.scopes.append({})

    def pop_scope(self) -> None:
        self.scopes.pop()

    def declare(self, name: str, is_type: bool) -> None:
        self.scopes[-1][name] = is_type

    def is_type(self, name: str) -> bool:
        for scope in reversed(self.scopes):
            v = scope.get(name)
            if v is not None:
                return v
        return False

    def starts_type(self, k: int = 0) -> bool:
        """Whether the token ``k`` ahead can start a type in a context that also allows an
        expression (type names must be known)."""
        t = self.peek(k)
        kind = t.kind
        if kind in TYPE_KEYWORDS or kind == "_":
            return True
        if kind == "id":
            return self.is_type(t.text) or (t.text == "list" and self.peek(k + 1).kind == "<")
        if kind == ".":
            n = self.peek(k + 1)
            return n.kind == "id" and self.is_type(n.text)
        return False

    # ------------------------------------------------------------------ annotations

    def parse_annotations(self) -> list[ast.Annotation]:
        out: list[ast.Annotation] = []
        while self.toks[self.i].kind == "@":
            out.append(self.parse_annotation())
        return out

    def _matching(self, open_kind: str, close_kind: str) -> int:
        """Index of the token closing the bracket at the cursor."""
        depth = 0
        j = self.i
        toks = self.toks
        while j < self.last:
            k = toks[j].kind
            if k == open_kind:
                depth += 1
            elif k == close_kind:
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        raise P4Error(f"'{open_kind}' is never closed", self.tok.loc)

    def parse_annotation(self) -> ast.Annotation:
        at = self.expect("@")
        name_tok = self.expect_word("an annotation name")
        if name_tok.text == "pragma":
            return self._parse_pragma(at.loc)
        name = name_tok.text
        t = self.tok
        if t.kind == "(":
            close = self._matching("(", ")")
            body = self.text[t.end : self.toks[close].pos]
            self.advance()
            args = self._try_expr_list(close)
            self.i = close + 1
            return ast.Annotation(loc=at.loc, name=name, body=body, args=args)
        if t.kind == "[":
            close = self._matching("[", "]")
            body = self.text[t.end : self.toks[close].pos]
            self.advance()
            ann = ast.Annotation(loc=at.loc, name=name, body=body, structured=True)
            if self.tok.kind in ("id", "_") and self.peek().kind == "=":
                ann.kv = self._try_kv_list(close)
            else:
                ann.args = self._try_expr_list(close)
            self.i = close + 1
            return ann
        return ast.Annotation(loc=at.loc, name=name)

    def _parse_pragma(self, loc: SourceLoc) -> ast.Annotation:
        """``@pragma name tokens...``: the annotation ``name`` whose body is the rest of the line."""
        name = self.expect_word("a pragma name")
        line, file = name.loc.line, name.loc.file
        end = self.i
        while end < self.last and self.toks[end].loc.line == line and self.toks[end].loc.file == file:
            end += 1
        if end == self.i:
            self.i = end
            return ast.Annotation(loc=loc, name=name.text)
        body = self.text[name.end : self.toks[end - 1].end].strip()
        args = self._try_expr_list(end)
        self.i = end
        return ast.Annotation(loc=loc, name=name.text, body=body, args=args)

    def _try_expr_list(self, close: int) -> list[ast.Expr] | None:
        start = self.i
        try:
            items: list[ast.Expr] = []
            if self.i != close:
                items.append(self.parse_expr())
                while self.accept(","):
                    items.append(self.parse_expr())
            if self.i == close:
                return items
        except P4Error:
            pass
        self.i = start
        return None

    def _try_kv_list(self, close: int) -> list[tuple[str, ast.Expr]] | None:
        start = self.i
        try:
            items: list[tuple[str, ast.Expr]] = []
            while True:
                key = self.expect_word("a key").text
                self.expect("=")
                items.append((key, self.parse_expr()))
                if not self.accept(","):
                    break
            if self.i == close:
                return items
        except P4Error:
            pass
        self.i = start
        return None

    # ------------------------------------------------------------------ types

    def parse_type(self) -> ast.TypeRef:
        t = self.tok
        kind = t.kind
        result: ast.TypeRef
        if kind == "bit" or kind == "int":
            self.advance()
            if self.tok.kind == "<":
                self.advance()
                width = self._parse_width()
                self.close_angle()
                result = ast.BitTypeRef(loc=t.loc, width=width, signed=kind == "int")
            elif kind == "bit":
                result = ast.BitTypeRef(loc=t.loc, width=ast.IntLit(loc=t.loc, value=1), signed=False)
            else:
                result = ast.BaseTypeRef(loc=t.loc, name="int")
        elif kind == "varbit":
            self.advance()
            self.expect("<")
            width = self._parse_width()
            self.close_angle()
            result = ast.VarbitTypeRef(loc=t.loc, width=width)
        elif kind in _BASE_TYPES:
            self.advance()
            result = ast.BaseTypeRef(loc=t.loc, name=kind)  # type: ignore[arg-type]
        elif kind == "_":
            self.advance()
            result = ast.BaseTypeRef(loc=t.loc, name="_")
        elif kind == "tuple":
            self.advance()
            result = ast.TupleTypeRef(loc=t.loc, elems=self.parse_type_args(allow_empty=True), kind="tuple")
        elif kind == "id" and t.text == "list" and self.peek().kind == "<" and not self.is_type("list"):
            self.advance()
            result = ast.TupleTypeRef(loc=t.loc, elems=self.parse_type_args(), kind="list")
        elif kind == "id" or kind == ".":
            is_global = kind == "."
            if is_global:
                self.advance()
            name = self.expect_name("a type")
            args = self.parse_type_args() if self.tok.kind == "<" else []
            result = ast.NamedTypeRef(loc=t.loc, name=name.text, type_args=args, is_global=is_global)
        else:
            self.fail_expected("a type")
        while self.tok.kind == "[":
            self.advance()
            size = self.parse_expr()
            self.expect("]")
            result = ast.StackTypeRef(loc=t.loc, elem=result, size=size)
        return result

    def parse_array_suffix(self, type_ref: ast.TypeRef) -> ast.TypeRef:
        """The C-style ``[size]`` after a declared name (``bit<8> a[4];``): a stack of the type."""
        while self.tok.kind == "[":
            self.advance()
            size = self.parse_expr()
            self.expect("]")
            type_ref = ast.StackTypeRef(loc=type_ref.loc, elem=type_ref, size=size)
        return type_ref

    def _parse_width(self) -> ast.Expr:
        t = self.tok
        if t.kind == "num" and self.peek().kind == ">":
            self.advance()
            return ast.IntLit(loc=t.loc, value=t.value, width=t.width, signed=t.signed)
        saved, self.in_angle = self.in_angle, True
        try:
            return self.parse_expr()
        finally:
            self.in_angle = saved

    def parse_type_args(self, allow_empty: bool = False) -> list[ast.TypeRef]:
        self.expect("<")
        if allow_empty and self.tok.kind == ">":
            self.advance()
            return []
        args = [self.parse_type()]
        while self.accept(","):
            args.append(self.parse_type())
        self.close_angle()
        return args

    def parse_type_params(self) -> list[str]:
        """``<T, U>`` (optional) — declares the names as types in the current scope."""
        if self.tok.kind != "<":
            return []
        self.advance()
        names = [self.expect_name("a type parameter").text]
        while self.accept(","):
            names.append(self.expect_name("a type parameter").text)
        self.close_angle()
        for n in names:
            self.declare(n, True)
        return names

    # ------------------------------------------------------------------ expressions

    def parse_expr(self) -> ast.Expr:
        cond = self.parse_binary(1)
        if self.toks[self.i].kind != "?":
            return cond
        self.advance()
        then = self.parse_expr()
        self.expect(":")
        else_ = self.parse_expr()
        return ast.Mux(loc=cond.loc, cond=cond, then=then, else_=else_)

    def parse_binary(self, min_prec: int) -> ast.Expr:
        left = self.parse_unary()
        toks = self.toks
        while True:
            t = toks[self.i]
            op = t.kind
            n = 1
            if op == ">":
                if self.in_angle:
                    return left
                nxt = toks[self.i + 1] if self.i < self.last else t
                if nxt.pos == t.end:
                    if nxt.kind == ">":
                        op = ">>"
                        n = 2
                    elif nxt.kind == ">=":
                        return left  # ``a >>= b`` (compound assignment)
            prec = _BINARY_PREC.get(op)
            if prec is None or prec < min_prec:
                return left
            if op == "+" and toks[self.i + 1].kind == ":":
                return left  # the ``+:`` of an indexed slice ``e[lo +: w]``
            self.i += n
            right = self.parse_binary(prec + 1)
            left = ast.Binary(loc=left.loc, op=op, left=left, right=right)  # type: ignore[arg-type]

    def parse_unary(self) -> ast.Expr:
        t = self.toks[self.i]
        kind = t.kind
        if kind in _UNARY_OPS:
            self.advance()
            operand = self.parse_unary()
            return ast.Unary(loc=t.loc, op=kind, expr=operand)  # type: ignore[arg-type]
        if kind == "(" and self.starts_type(1) and self.peek().kind != "_":
            cast = self._try_cast()
            if cast is not None:
                return cast
        return self.parse_postfix(self.parse_primary())

    def _try_cast(self) -> ast.Expr | None:
        """``(T) e`` when the parenthesis holds exactly a type; None (cursor unchanged) otherwise."""
        start = self.i
        lparen = self.advance()
        nxt = self.tok
        # ``(error.X)`` and ``(T.minSizeInBits())`` are parenthesised expressions.
        if (nxt.kind == "error" or nxt.kind == "id") and self.peek().kind == ".":
            self.i = start
            return None
        try:
            to = self.parse_type()
            ok = self.tok.kind == ")"
        except P4Error:
            ok = False
        if not ok:
            self.i = start
            return None
        self.advance()
        operand = self.parse_unary()
        return ast.Cast(loc=lparen.loc, to=to, expr=operand)

    def parse_primary(self) -> ast.Expr:
        t = self.toks[self.i]
        kind = t.kind
        loc = t.loc
        if kind == "id":
            if self.is_type(t.text):
                return self._type_name_primary(t)
            self.advance()
            return ast.Name(loc=loc, name=t.text)
        if kind == "num":
            self.advance()
            return ast.IntLit(loc=loc, value=t.value, width=t.width, signed=t.signed)
        if kind == "(":
            self.advance()
            saved, self.in_angle = self.in_angle, False
            e = self.parse_expr()
            self.in_angle = saved
            self.expect(")")
            return e
        if kind == ".":
            self.advance()
            name = self.expect_name()
            return ast.Name(loc=loc, name=name.text, is_global=True)
        if kind == "str":
            self.advance()
            return ast.StrLit(loc=loc, value=t.text)
        if kind == "true" or kind == "false":
            self.advance()
            return ast.BoolLit(loc=loc, value=kind == "true")
        if kind == "{":
            return self._brace_expr()
        if kind == "error":
            self.advance()
            return ast.Name(loc=loc, name="error")
        if kind == "_":
            self.advance()
            return ast.DontCare(loc=loc)
        if kind == "default":
            self.advance()
            return ast.DefaultExpr(loc=loc)
        if kind == "this":
            self.advance()
            return ast.Name(loc=loc, name="this")
        if kind in TYPE_KEYWORDS:
            return ast.TypeNameExpr(loc=loc, type_ref=self.parse_type())
        if kind == "...":
            self.advance()
            return ast.DefaultInit(loc=loc)
        self.fail_expected("an expression")

    def _type_name_primary(self, t: Token) -> ast.Expr:
        """A known type name in expression position (``E.A``, ``P()``, ``T<X>(...)``, ``T {..}``)."""
        nxt = self.peek()
        if nxt.kind == "<":
            ref = self.parse_type()
            assert isinstance(ref, ast.NamedTypeRef)
            if self.tok.kind == "(":
                callee = ast.Name(loc=t.loc, name=t.text)
                return ast.Call(loc=t.loc, callee=callee, type_args=ref.type_args, args=self.parse_args())
            if self.tok.kind == "{":
                return self._brace_expr(ref)
            return ast.TypeNameExpr(loc=t.loc, type_ref=ref)
        self.advance()
        if nxt.kind == "{":
            return self._brace_expr(ast.NamedTypeRef(loc=t.loc, name=t.text))
        return ast.Name(loc=t.loc, name=t.text)

    def _brace_expr(self, type_ref: ast.TypeRef | None = None) -> ast.Expr:
        lb = self.expect("{")
        loc = type_ref.loc if type_ref is not None else lb.loc
        if self.tok.kind == "#" and self.peek().kind == "}":
            self.advance()
            self.advance()
            return ast.InvalidExpr(loc=loc)
        if self.tok.kind in ("id", "_") and self.peek().kind == "=":
            fields: list[tuple[str, ast.Expr]] = []
            dots = False
            while True:
                if self.accept("..."):
                    dots = True
                    break
                key = self.expect_word("a field name").text
                self.expect("=")
                fields.append((key, self.parse_expr()))
                if not self.accept(",") or self.tok.kind == "}":
                    break
            self.expect("}", "',' or '}'" if not dots else "'}' after '...'")
            return ast.StructExpr(loc=loc, fields=fields, type_ref=type_ref, dots=dots)
        items: list[ast.Expr] = []
        if self.tok.kind != "}":
            items.append(self.parse_expr())
            while self.accept(",") and self.tok.kind != "}":
                items.append(self.parse_expr())
        self.expect("}", "',' or '}'")
        for item in items[:-1]:
            if isinstance(item, ast.DefaultInit):
                raise P4Error("'...' must be the last element", item.loc)
        if type_ref is not None:
            if len(items) == 1 and isinstance(items[0], ast.DefaultInit):
                return ast.StructExpr(loc=loc, fields=[], type_ref=type_ref, dots=True)
            if items:
                raise P4Error("expected 'field = value' in a typed initializer", items[0].loc)
            return ast.StructExpr(loc=loc, fields=[], type_ref=type_ref)
        return ast.ListExpr(loc=loc, items=items)

    def parse_postfix(self, e: ast.Expr) -> ast.Expr:
        toks = self.toks
        while True:
            t = toks[self.i]
            kind = t.kind
            if kind == ".":
                self.advance()
                member = self.expect_word("a member name")
                e = ast.Member(loc=e.loc, expr=e, member=member.text)
            elif kind == "(":
                e = ast.Call(loc=e.loc, callee=e, args=self.parse_args())
            elif kind == "[":
                self.advance()
                a_start = self.i
                a = self.parse_expr()
                if self.tok.kind == "+" and self.peek().kind == ":":
                    e = self._indexed_slice(e, a, a_start)
                elif self.accept(":"):
                    b = self.parse_expr()
                    self.expect("]")
                    e = ast.Slice(loc=e.loc, expr=e, hi=a, lo=b)
                else:
                    self.expect("]", "']' or ':'")
                    e = ast.Index(loc=e.loc, expr=e, index=a)
            elif kind == "<" and isinstance(e, (ast.Name, ast.Member)) and self.starts_type(1):
                start = self.i
                try:
                    targs = self.parse_type_args()
                    ok = self.tok.kind == "("
                except P4Error:
                    ok = False
                if not ok:
                    self.i = start
                    return e
                e = ast.Call(loc=e.loc, callee=e, type_args=targs, args=self.parse_args())
            else:
                return e

    def _indexed_slice(self, e: ast.Expr, lo: ast.Expr, lo_start: int) -> ast.Slice:
        """``e[lo +: w]`` (cursor at ``+``), read as ``e[lo + w - 1 : lo]``; ``lo`` is parsed a
        second time so that its two occurrences are distinct nodes."""
        after_lo = self.i
        self.i = lo_start
        lo2 = self.parse_expr()
        self.i = after_lo + 2
        w = self.parse_expr()
        self.expect("]")
        one = ast.IntLit(loc=lo.loc, value=1)
        hi = ast.Binary(loc=lo.loc, op="-", left=ast.Binary(loc=lo.loc, op="+", left=lo2, right=w), right=one)
        return ast.Slice(loc=e.loc, expr=e, hi=hi, lo=lo)

    def parse_args(self) -> list[ast.Arg]:
        self.expect("(")
        args: list[ast.Arg] = []
        if self.tok.kind == ")":
            self.advance()
            return args
        while True:
            t = self.tok
            if t.kind in ("id", "_") and self.peek().kind == "=":
                self.advance()
                self.advance()
                args.append(ast.Arg(loc=t.loc, name=t.text, value=self.parse_expr()))
            else:
                v = self.parse_expr()
                args.append(ast.Arg(loc=v.loc, name=None, value=v))
            if not self.accept(","):
                break
        self.expect(")", "',' or ')'")
        return args

    # ------------------------------------------------------------------ keysets

    def parse_keyset(self) -> ast.Expr:
        """A select case / table entry keyset: a simple keyset or ``(k1, k2, ...)``."""
        t = self.tok
        if t.kind == "(":
            start = self.i
            try:
                self.advance()
                items = [self.parse_simple_keyset()]
                while self.accept(","):
                    items.append(self.parse_simple_keyset())
                self.expect(")")
                if len(items) > 1:
                    return ast.ListExpr(loc=t.loc, items=items)
                if self.tok.kind == ":":
                    return items[0]
            except P4Error:
                pass
            self.i = start
        return self.parse_simple_keyset()

    def parse_simple_keyset(self) -> ast.Expr:
        e = self.parse_expr()
        kind = self.tok.kind
        if kind == "&&&" or kind == "..":
            self.advance()
            right = self.parse_expr()
            return ast.Binary(loc=e.loc, op=kind, left=e, right=right)  # type: ignore[arg-type]
        return e
