"""Statements and local declarations of the P4-16 parser (built on :class:`ExprParser`).

Compound assignments (``a += b``, P4 1.2.5) are read as ``a = a + b``; the left-hand side is parsed
twice so that the two occurrences are distinct nodes.
"""

from __future__ import annotations

from . import ast
from .errors import P4Error, SourceLoc
from .parser_expr import TYPE_KEYWORDS, ExprParser

_COMPOUND_OPS: dict[str, str] = {
    "+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|", "^=": "^",
    "<<=": "<<", "|+|=": "|+|", "|-|=": "|-|",
}  # fmt: skip


class StmtParser(ExprParser):
    """Statements, blocks, and the declarations that may appear inside blocks."""

    # ------------------------------------------------------------------ parameters

    def parse_params(self) -> list[ast.Param]:
        """``(p1, p2, ...)``; declares the parameter names (as non-types) in the current scope."""
        self.expect("(")
        params: list[ast.Param] = []
        if self.accept(")"):
            return params
        while True:
            params.append(self.parse_param())
            if not self.accept(","):
                break
        self.expect(")", "',' or ')'")
        return params

    def parse_param(self) -> ast.Param:
        annos = self.parse_annotations()
        t = self.tok
        direction = ""
        if t.kind in ("in", "out", "inout"):
            direction = t.kind
            self.advance()
        type_ref = self.parse_type()
        name = self.expect_name("a parameter name")
        default = self.parse_expr() if self.accept("=") else None
        self.declare(name.text, False)
        return ast.Param(
            loc=t.loc,
            name=name.text,
            annotations=annos,
            direction=direction,  # type: ignore[arg-type]
            type_ref=type_ref,
            default=default,
            optional=any(a.name == "optional" for a in annos),
        )

    # ------------------------------------------------------------------ local declarations

    def starts_local_decl(self) -> bool:
        """Whether the statement at the cursor is a variable declaration or an instantiation."""
        t = self.tok
        kind = t.kind
        if kind in TYPE_KEYWORDS:
            return not (kind == "error" and self.peek().kind == ".")
        if kind == "id":
            n = self.peek().kind
            if n == "id":
                return True
            if self.is_type(t.text):
                if n == "<":
                    return self.peek(self._angle_span(1)).kind in ("id", "(", "[")
                return n in ("[", "(")
            return t.text == "list" and n == "<"
        if kind == ".":
            return self.peek().kind == "id" and self.peek(2).kind == "id"
        return False

    def _angle_span(self, k: int) -> int:
        """Offset of the token after the ``<...>`` that starts ``k`` tokens ahead."""
        depth = 0
        while True:
            kind = self.peek(k).kind
            if kind == "<":
                depth += 1
            elif kind == ">":
                depth -= 1
                if depth == 0:
                    return k + 1
            elif kind in ("eof", ";", "{", "}"):
                return k
            k += 1

    def parse_var_or_instance(self, annos: list[ast.Annotation]) -> ast.Decl:
        """``T name [= e];`` or ``T(args) name [= {...}];`` (cursor at the type)."""
        loc = self.tok.loc
        type_ref = self.parse_type()
        if self.tok.kind == "(":
            return self.parse_instance_rest(loc, annos, type_ref)
        name = self.expect_name("a variable name")
        type_ref = self.parse_array_suffix(type_ref)
        init = self.parse_expr() if self.accept("=") else None
        self.expect(";", "';'" if init is not None else "';' or '='")
        self.declare(name.text, False)
        return ast.VarDecl(loc=loc, name=name.text, annotations=annos, type_ref=type_ref, init=init)

    def parse_instance_rest(
        self, loc: SourceLoc, annos: list[ast.Annotation], type_ref: ast.TypeRef
    ) -> ast.InstanceDecl:
        args = self.parse_args()
        name = self.expect_name("an instance name")
        if self.tok.kind == "[":
            raise P4Error("arrays of instances are not supported", self.tok.loc, kind="unsupported")
        initializer: list[ast.Decl] | None = None
        if self.accept("="):
            initializer = self.parse_instance_initializer()
        self.expect(";")
        self.declare(name.text, False)
        return ast.InstanceDecl(
            loc=loc, name=name.text, annotations=annos, type_ref=type_ref, args=args, initializer=initializer
        )

    def parse_instance_initializer(self) -> list[ast.Decl]:
        """``{ function implementations and instantiations }`` after ``T(args) name =``."""
        self.expect("{")
        decls: list[ast.Decl] = []
        self.push_scope()
        while not self.accept("}"):
            annos = self.parse_annotations()
            loc = self.tok.loc
            type_ref = self.parse_type()
            if self.tok.kind == "(":
                decls.append(self.parse_instance_rest(loc, annos, type_ref))
            else:
                decls.append(self.parse_function_rest(loc, annos, type_ref))
        self.pop_scope()
        return decls

    def parse_function_rest(
        self, loc: SourceLoc, annos: list[ast.Annotation], return_type: ast.TypeRef
    ) -> ast.FunctionDecl:
        """``name<T>(params) { body }`` after the return type."""
        name = self.expect_name("a function name")
        self.declare(name.text, False)
        self.push_scope()
        type_params = self.parse_type_params()
        params = self.parse_params()
        body = self.parse_block([])
        self.pop_scope()
        return ast.FunctionDecl(
            loc=loc,
            name=name.text,
            annotations=annos,
            type_params=type_params,
            return_type=return_type,
            params=params,
            body=body,
        )

    def parse_const(self, annos: list[ast.Annotation]) -> ast.ConstDecl:
        loc = self.expect("const").loc
        type_ref = self.parse_type()
        name = self.expect_name("a constant name")
        self.expect("=")
        value = self.parse_expr()
        self.expect(";")
        self.declare(name.text, False)
        return ast.ConstDecl(loc=loc, name=name.text, annotations=annos, type_ref=type_ref, value=value)

    # ------------------------------------------------------------------ statements

    def parse_block(self, annos: list[ast.Annotation]) -> ast.Block:
        lb = self.expect("{")
        stmts: list[ast.Stmt | ast.Decl] = []
        self.push_scope()
        while self.tok.kind != "}":
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            stmts.append(self.parse_statement())
        self.advance()
        self.pop_scope()
        return ast.Block(loc=lb.loc, stmts=stmts, annotations=annos)

    def parse_statement(self) -> ast.Stmt | ast.Decl:
        annos = self.parse_annotations()
        t = self.tok
        kind = t.kind
        if kind == "{":
            return self.parse_block(annos)
        if kind == "if":
            self.advance()
            self.expect("(")
            cond = self.parse_expr()
            self.expect(")")
            then = self._sub_statement()
            else_ = self._sub_statement() if self.accept("else") else None
            return ast.If(loc=t.loc, cond=cond, then=then, else_=else_)
        if kind == "switch":
            return self.parse_switch()
        if kind == "exit":
            self.advance()
            self.expect(";")
            return ast.Exit(loc=t.loc)
        if kind == "return":
            self.advance()
            value = None if self.tok.kind == ";" else self.parse_expr()
            self.expect(";")
            return ast.Return(loc=t.loc, value=value)
        if kind == ";":
            self.advance()
            return ast.EmptyStmt(loc=t.loc)
        if kind == "const":
            return self.parse_const(annos)
        if kind == "for":
            return self.parse_for(annos)
        if kind in ("break", "continue"):
            self.advance()
            self.expect(";")
            return ast.Break(loc=t.loc) if kind == "break" else ast.Continue(loc=t.loc)
        if self.starts_local_decl():
            return self.parse_var_or_instance(annos)
        return self.parse_expr_statement()

    def _sub_statement(self) -> ast.Stmt:
        """The branch of an if: a statement that is not a declaration."""
        s = self.parse_statement()
        if isinstance(s, ast.Decl):
            raise P4Error("a declaration cannot be the branch of an if statement", s.loc)
        return s

    def parse_expr_statement(self, terminated: bool = True) -> ast.Stmt:
        """An assignment (also compound) or a call, with its ``;`` unless ``terminated`` is False
        (the init and update parts of a for loop)."""
        start = self.i
        lhs = self.parse_expr()
        t = self.tok
        if t.kind == "=":
            self.advance()
            rhs = self.parse_expr()
            if terminated:
                self.expect(";")
            return ast.Assign(loc=lhs.loc, lhs=lhs, rhs=rhs)
        op = _COMPOUND_OPS.get(t.kind)
        n = 1
        if op is None and t.kind == ">" and self.peek().kind == ">=" and self.peek().pos == t.end:
            op, n = ">>", 2
        if op is not None:
            end_lhs = self.i
            self.i = start
            lhs2 = self.parse_expr()
            assert self.i == end_lhs
            self.i += n
            rhs = self.parse_expr()
            if terminated:
                self.expect(";")
            value = ast.Binary(loc=lhs2.loc, op=op, left=lhs2, right=rhs)  # type: ignore[arg-type]
            return ast.Assign(loc=lhs.loc, lhs=lhs, rhs=value)
        if isinstance(lhs, ast.Call):
            if terminated:
                self.expect(";")
            return ast.CallStmt(loc=lhs.loc, call=lhs)
        if not terminated:
            raise P4Error("expected an assignment or a call", lhs.loc)
        if t.kind == ";":
            raise P4Error("expected an assignment or a call", lhs.loc)
        self.fail_expected("'=' or ';'" if not isinstance(lhs, (ast.Name, ast.Member)) else "'=' or '('")

    def parse_switch(self) -> ast.Switch:
        t = self.expect("switch")
        self.expect("(")
        e = self.parse_expr()
        self.expect(")")
        self.expect("{")
        cases: list[ast.SwitchCase] = []
        while not self.accept("}"):
            lt = self.tok
            if lt.kind == "eof":
                self.fail_expected("'}'")
            if lt.kind == "default":
                self.advance()
                label: ast.Expr = ast.DefaultExpr(loc=lt.loc)
            else:
                label = self.parse_expr()
            self.expect(":")
            body: ast.Block | None = None
            if self.tok.kind in ("{", "@"):
                body = self.parse_block(self.parse_annotations())
            cases.append(ast.SwitchCase(loc=lt.loc, label=label, body=body))
        return ast.Switch(loc=t.loc, expr=e, cases=cases)

    # ------------------------------------------------------------------ for loops

    def parse_for(self, annos: list[ast.Annotation]) -> ast.Stmt:
        """``for (init; cond; updates) body`` or ``for ([@annos] T x in collection) body``."""
        t = self.expect("for")
        self.expect("(")
        self.push_scope()
        try:
            loop = self._parse_for_in(t.loc, annos)
            if loop is not None:
                return loop
            init: list[ast.Stmt | ast.Decl] = []
            if self.tok.kind != ";":
                init.append(self._parse_for_init())
                while self.accept(","):
                    init.append(self._parse_for_init())
            self.expect(";", "',' or ';'")
            cond = self.parse_expr()
            self.expect(";")
            updates: list[ast.Stmt] = []
            if self.tok.kind != ")":
                updates.append(self.parse_expr_statement(terminated=False))
                while self.accept(","):
                    updates.append(self.parse_expr_statement(terminated=False))
            self.expect(")", "',' or ')'")
            body = self._loop_body()
            return ast.For(loc=t.loc, init=init, cond=cond, updates=updates, body=body, annotations=annos)
        finally:
            self.pop_scope()

    def _parse_for_in(self, loc: SourceLoc, annos: list[ast.Annotation]) -> ast.ForIn | None:
        """The ``T x in collection) body`` form, or None (cursor unchanged) when it is not."""
        start = self.i
        var_annos = self.parse_annotations()
        if not self.starts_local_decl():
            self.i = start
            return None
        vloc = self.tok.loc
        type_ref = self.parse_type()
        if self.tok.kind != "id" or self.peek().kind != "in":
            self.i = start
            return None
        name = self.expect_name("a loop variable name")
        self.expect("in")
        collection = self.parse_expr()
        range_end = self.parse_expr() if self.accept("..") else None
        self.expect(")", "'..' or ')'" if range_end is None else "')'")
        self.declare(name.text, False)
        var = ast.VarDecl(loc=vloc, name=name.text, annotations=var_annos, type_ref=type_ref)
        body = self._loop_body()
        return ast.ForIn(
            loc=loc, var=var, collection=collection, range_end=range_end, body=body, annotations=annos
        )

    def _parse_for_init(self) -> ast.Stmt | ast.Decl:
        """One initializer: ``T x [= e]``, an assignment or a call (no ``;``)."""
        annos = self.parse_annotations()
        if self.starts_local_decl():
            loc = self.tok.loc
            type_ref = self.parse_type()
            name = self.expect_name("a variable name")
            init = self.parse_expr() if self.accept("=") else None
            self.declare(name.text, False)
            return ast.VarDecl(loc=loc, name=name.text, annotations=annos, type_ref=type_ref, init=init)
        return self.parse_expr_statement(terminated=False)

    def _loop_body(self) -> ast.Stmt:
        s = self.parse_statement()
        if isinstance(s, ast.Decl):
            raise P4Error("a declaration cannot be the body of a for loop", s.loc)
        return s
