"""The P4-16 parser: preprocessed text → :class:`ast.Program`.

A hand-written recursive-descent parser (expressions by precedence climbing, in
``parser_expr.py``; statements in ``parser_stmt.py``; declarations here). Every node's ``loc`` is
the place of its first token; for a declaration that is the first token after its annotations.
Syntax errors raise :class:`P4Error` (``expected ';' but found 'x'``) at the offending token;
constructs softswitch does not implement raise it with ``kind="unsupported"``.

Entry points: :func:`parse_program` (text already preprocessed) and :func:`parse_file`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from . import ast
from .errors import P4Error, SourceLoc
from .lexer import Token, tokenize
from .parser_expr import TYPE_KEYWORDS
from .parser_stmt import StmtParser
from .preprocess import preprocess

_NO_DEFINES: Mapping[str, str] = MappingProxyType({})


class Parser(StmtParser):
    """Top-level, parser, control, table and extern declarations."""

    def __init__(self, tokens: list[Token], text: str) -> None:
        super().__init__(tokens, text)
        # Declarations written inside another one (``typedef struct S {...} T;``), emitted first.
        self.pending: list[ast.Decl] = []

    def parse_program(self) -> ast.Program:
        loc = self.tok.loc
        decls: list[ast.Decl] = []
        while self.tok.kind != "eof":
            d = self.parse_top_decl()
            if self.pending:
                decls += self.pending
                self.pending.clear()
            if d is not None:
                decls.append(d)
        return ast.Program(loc=loc, decls=decls)

    # ------------------------------------------------------------------ top level

    def parse_top_decl(self) -> ast.Decl | None:
        annos = self.parse_annotations()
        t = self.tok
        kind = t.kind
        if kind == ";" and not annos:
            self.advance()
            return None
        if kind == "const":
            return self.parse_const(annos)
        if kind == "typedef":
            self.advance()
            inner = self.tok
            if inner.kind in ("header", "struct", "header_union", "enum"):
                d = self.parse_struct_like([]) if inner.kind != "enum" else self.parse_enum([])
                self.pending.append(d)
                type_ref: ast.TypeRef = ast.NamedTypeRef(loc=inner.loc, name=d.name)
            else:
                type_ref = self.parse_type()
            name = self.expect_name("a type name")
            self.expect(";")
            self.declare(name.text, True)
            return ast.TypedefDecl(loc=t.loc, name=name.text, annotations=annos, type_ref=type_ref)
        if kind == "id" and t.text == "type" and self.peek().kind not in ("(", "<", "=", "."):
            self.advance()
            type_ref = self.parse_type()
            name = self.expect_name("a type name")
            self.expect(";")
            self.declare(name.text, True)
            return ast.NewTypeDecl(loc=t.loc, name=name.text, annotations=annos, type_ref=type_ref)
        if kind in ("header", "struct", "header_union"):
            return self.parse_struct_like(annos)
        if kind == "enum":
            return self.parse_enum(annos)
        if (kind == "error" or kind == "match_kind") and self.peek().kind == "{":
            return self.parse_member_list_decl(annos)
        if kind == "extern":
            return self.parse_extern(annos)
        if kind == "action":
            return self.parse_action(annos)
        if kind == "parser":
            return self.parse_parser(annos)
        if kind == "control":
            return self.parse_control(annos)
        if kind == "package":
            self.advance()
            name = self.expect_name("a package name")
            self.declare(name.text, True)
            self.push_scope()
            type_params = self.parse_type_params()
            params = self.parse_params()
            self.pop_scope()
            self.expect(";")
            return ast.PackageDecl(
                loc=t.loc, name=name.text, annotations=annos, type_params=type_params, params=params
            )
        if kind in ("table", "value_set"):
            raise P4Error(f"a {kind} declaration is not allowed at top level", t.loc)
        # An instantiation ``T(args) name;`` or a function ``R name(params) { ... }``.
        if kind not in ("id", ".", "_") and kind not in TYPE_KEYWORDS:
            self.fail_expected("a declaration")
        type_ref = self.parse_type()
        if self.tok.kind == "(":
            return self.parse_instance_rest(t.loc, annos, type_ref)
        if self.tok.kind == "id":
            return self.parse_function_rest(t.loc, annos, type_ref)
        self.fail_expected("'(' or a name")

    def parse_struct_like(self, annos: list[ast.Annotation]) -> ast.Decl:
        t = self.advance()
        name = self.expect_name("a type name")
        self.declare(name.text, True)
        self.push_scope()
        type_params = self.parse_type_params()
        self.expect("{")
        fields: list[ast.FieldDecl] = []
        while not self.accept("}"):
            fannos = self.parse_annotations()
            floc = self.tok.loc
            ftype = self.parse_type()
            fname = self.expect_name("a field name")
            ftype = self.parse_array_suffix(ftype)
            self.expect(";")
            fields.append(ast.FieldDecl(loc=floc, name=fname.text, annotations=fannos, type_ref=ftype))
        self.pop_scope()
        if t.kind == "header":
            return ast.HeaderDecl(
                loc=t.loc, name=name.text, annotations=annos, fields=fields, type_params=type_params
            )
        if t.kind == "struct":
            return ast.StructDecl(
                loc=t.loc, name=name.text, annotations=annos, fields=fields, type_params=type_params
            )
        return ast.HeaderUnionDecl(
            loc=t.loc, name=name.text, annotations=annos, fields=fields, type_params=type_params
        )

    def parse_enum(self, annos: list[ast.Annotation]) -> ast.EnumDecl:
        t = self.expect("enum")
        underlying: ast.TypeRef | None = None
        if not (self.tok.kind == "id" and self.peek().kind == "{"):
            underlying = self.parse_type()
        name = self.expect_name("an enum name")
        self.declare(name.text, True)
        self.expect("{")
        members: list[ast.EnumMember] = []
        while self.tok.kind != "}":
            self.parse_annotations()
            m = self.expect_name("an enum member")
            value = self.parse_expr() if self.accept("=") else None
            members.append(ast.EnumMember(loc=m.loc, name=m.text, value=value))
            if not self.accept(","):
                break
        self.expect("}", "',' or '}'")
        return ast.EnumDecl(
            loc=t.loc, name=name.text, annotations=annos, members=members, underlying=underlying
        )

    def parse_member_list_decl(self, annos: list[ast.Annotation]) -> ast.Decl:
        t = self.advance()
        self.expect("{")
        members: list[str] = []
        while self.tok.kind != "}":
            members.append(self.expect_name("a member name").text)
            if not self.accept(","):
                break
        self.expect("}", "',' or '}'")
        if t.kind == "error":
            return ast.ErrorDecl(loc=t.loc, name="error", annotations=annos, members=members)
        return ast.MatchKindDecl(loc=t.loc, name="match_kind", annotations=annos, members=members)

    # ------------------------------------------------------------------ externs

    def _is_extern_object(self) -> bool:
        """At ``extern``: whether an extern object (``extern Name<T> {``) follows."""
        if self.peek().kind != "id":
            return False
        j = 2
        if self.peek(j).kind == "<":
            depth = 0
            while True:
                k = self.peek(j).kind
                if k == "<":
                    depth += 1
                elif k == ">":
                    depth -= 1
                    if depth == 0:
                        break
                elif k in ("eof", ";", "{", "("):
                    return False
                j += 1
            j += 1
        return self.peek(j).kind == "{"

    def parse_extern(self, annos: list[ast.Annotation]) -> ast.Decl:
        t = self.tok
        if not self._is_extern_object():
            self.advance()
            ret = self.parse_type()
            name = self.expect_name("a function name")
            self.declare(name.text, False)
            self.push_scope()
            type_params = self.parse_type_params()
            params = self.parse_params()
            self.pop_scope()
            self.expect(";")
            return ast.ExternFunctionDecl(
                loc=t.loc,
                name=name.text,
                annotations=annos,
                type_params=type_params,
                return_type=ret,
                params=params,
            )
        self.advance()
        name = self.expect_name("an extern name")
        self.declare(name.text, True)
        self.push_scope()
        type_params = self.parse_type_params()
        self.expect("{")
        methods: list[ast.MethodDecl] = []
        while not self.accept("}"):
            methods.append(self.parse_method(name.text))
        self.pop_scope()
        return ast.ExternDecl(
            loc=t.loc, name=name.text, annotations=annos, type_params=type_params, methods=methods
        )

    def parse_method(self, extern_name: str) -> ast.MethodDecl:
        annos = self.parse_annotations()
        t = self.tok
        is_abstract = self.accept("abstract") is not None
        ret: ast.TypeRef | None = None
        if self.tok.kind == "id" and self.tok.text == extern_name and self.peek().kind in ("(", "<"):
            name = self.advance()
        else:
            ret = self.parse_type()
            name = self.expect_name("a method name")
        self.push_scope()
        type_params = self.parse_type_params()
        params = self.parse_params()
        self.pop_scope()
        self.expect(";")
        return ast.MethodDecl(
            loc=t.loc,
            name=name.text,
            annotations=annos,
            type_params=type_params,
            return_type=ret,
            params=params,
            is_abstract=is_abstract,
        )

    # ------------------------------------------------------------------ actions

    def parse_action(self, annos: list[ast.Annotation]) -> ast.ActionDecl:
        t = self.expect("action")
        name = self.expect_name("an action name")
        self.declare(name.text, False)
        self.push_scope()
        params = self.parse_params()
        body = self.parse_block([])
        self.pop_scope()
        return ast.ActionDecl(loc=t.loc, name=name.text, annotations=annos, params=params, body=body)

    # ------------------------------------------------------------------ parsers

    def parse_parser(self, annos: list[ast.Annotation]) -> ast.Decl:
        t = self.expect("parser")
        name = self.expect_name("a parser name")
        self.declare(name.text, True)
        self.push_scope()
        type_params = self.parse_type_params()
        params = self.parse_params()
        if self.accept(";"):
            self.pop_scope()
            return ast.ParserTypeDecl(
                loc=t.loc, name=name.text, annotations=annos, type_params=type_params, params=params
            )
        ctor_params = self.parse_params() if self.tok.kind == "(" else []
        self.expect("{", "'{' or ';'")
        local_decls: list[ast.Decl] = []
        states: list[ast.ParserState] = []
        while not self.accept("}"):
            lannos = self.parse_annotations()
            lt = self.tok
            if lt.kind == "id" and lt.text == "state" and self.peek().kind == "id":
                states.append(self.parse_state(lannos))
            elif states and lt.kind != "eof":
                # the grammar puts every parser local before the first state
                raise P4Error(
                    f"expected a state but found {lt.describe()}: a parser's local declarations "
                    "must all come before its first state",
                    lt.loc,
                )
            elif lt.kind == "const":
                local_decls.append(self.parse_const(lannos))
            elif lt.kind == "value_set":
                local_decls.append(self.parse_value_set(lannos))
            elif lt.kind == "eof":
                self.fail_expected("'}'")
            elif self.starts_local_decl():
                local_decls.append(self.parse_var_or_instance(lannos))
            else:
                self.fail_expected("a state or a local declaration")
        self.pop_scope()
        return ast.ParserDecl(
            loc=t.loc,
            name=name.text,
            annotations=annos,
            type_params=type_params,
            params=params,
            ctor_params=ctor_params,
            locals=local_decls,
            states=states,
        )

    def parse_value_set(self, annos: list[ast.Annotation]) -> ast.ValueSetDecl:
        t = self.expect("value_set")
        self.expect("<")
        elem = self.parse_type()
        self.close_angle()
        self.expect("(")
        size = self.parse_expr()
        self.expect(")")
        name = self.expect_name("a value set name")
        self.expect(";")
        self.declare(name.text, False)
        return ast.ValueSetDecl(loc=t.loc, name=name.text, annotations=annos, elem_type=elem, size=size)

    def parse_state(self, annos: list[ast.Annotation]) -> ast.ParserState:
        t = self.advance()  # 'state'
        name = self.expect_name("a state name")
        self.expect("{")
        stmts: list[ast.Stmt | ast.Decl] = []
        self.push_scope()
        transition: ast.Transition | None = None
        while True:
            k = self.tok.kind
            if k == "}":
                break
            if k == "transition":
                transition = self.parse_transition()
                if self.tok.kind != "}":
                    self.fail_expected("'}' after the transition")
                break
            if k == "eof":
                self.fail_expected("'}'")
            stmts.append(self.parse_statement())
        self.advance()
        self.pop_scope()
        return ast.ParserState(
            loc=t.loc, name=name.text, annotations=annos, stmts=stmts, transition=transition
        )

    def parse_transition(self) -> ast.Transition:
        t = self.expect("transition")
        if self.tok.kind != "select":
            state = self.expect_name("a state name or 'select'")
            self.expect(";")
            return ast.Transition(loc=t.loc, state=state.text)
        self.advance()
        self.expect("(")
        keys: list[ast.Expr] = []
        if self.tok.kind != ")":
            keys.append(self.parse_expr())
            while self.accept(","):
                keys.append(self.parse_expr())
        self.expect(")", "',' or ')'")
        self.expect("{")
        cases: list[ast.SelectCase] = []
        while not self.accept("}"):
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            self.parse_annotations()
            keyset = self.parse_keyset()
            self.expect(":")
            state = self.expect_name("a state name")
            self.expect(";")
            cases.append(ast.SelectCase(loc=keyset.loc, keyset=keyset, state=state.text))
        return ast.Transition(loc=t.loc, select=keys, cases=cases)

    # ------------------------------------------------------------------ controls

    def parse_control(self, annos: list[ast.Annotation]) -> ast.Decl:
        t = self.expect("control")
        name = self.expect_name("a control name")
        self.declare(name.text, True)
        self.push_scope()
        type_params = self.parse_type_params()
        params = self.parse_params()
        if self.accept(";"):
            self.pop_scope()
            return ast.ControlTypeDecl(
                loc=t.loc, name=name.text, annotations=annos, type_params=type_params, params=params
            )
        ctor_params = self.parse_params() if self.tok.kind == "(" else []
        self.expect("{", "'{' or ';'")
        local_decls: list[ast.Decl] = []
        body: ast.Block | None = None
        while body is None:
            lannos = self.parse_annotations()
            lt = self.tok
            k = lt.kind
            if k == "action":
                local_decls.append(self.parse_action(lannos))
            elif k == "table":
                local_decls.append(self.parse_table(lannos))
            elif k == "const":
                local_decls.append(self.parse_const(lannos))
            elif k == "id" and lt.text == "apply" and self.peek().kind in ("{", "@"):
                self.advance()
                body = self.parse_block(lannos + self.parse_annotations())
            elif k == "eof" or k == "}":
                self.fail_expected("'apply'")
            elif self.starts_local_decl():
                local_decls.append(self.parse_var_or_instance(lannos))
            else:
                self.fail_expected("a local declaration or 'apply'")
        self.expect("}")
        self.pop_scope()
        return ast.ControlDecl(
            loc=t.loc,
            name=name.text,
            annotations=annos,
            type_params=type_params,
            params=params,
            ctor_params=ctor_params,
            locals=local_decls,
            body=body,
        )

    # ------------------------------------------------------------------ tables

    def parse_table(self, annos: list[ast.Annotation]) -> ast.TableDecl:
        t = self.expect("table")
        name = self.expect_name("a table name")
        self.declare(name.text, False)
        self.expect("{")
        props: list[ast.TableProperty] = []
        while not self.accept("}"):
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            props.append(self.parse_table_property())
        return ast.TableDecl(loc=t.loc, name=name.text, annotations=annos, properties=props)

    def parse_table_property(self) -> ast.TableProperty:
        annos = self.parse_annotations()
        t = self.tok
        is_const = self.accept("const") is not None
        pname = self.expect_name("a table property").text
        self.expect("=")
        prop = ast.TableProperty(loc=t.loc, name=pname, is_const=is_const, annotations=annos)
        if pname == "key":
            prop.keys = self._parse_keys()
        elif pname == "actions":
            prop.actions = self._parse_action_list()
        elif pname == "entries":
            prop.entries = self._parse_entries(is_const)
        else:
            value = self.parse_expr()
            if pname == "default_action":
                value = self._as_call(value)
            prop.value = value
            self.expect(";")
            return prop
        self.accept(";")
        return prop

    def _as_call(self, e: ast.Expr) -> ast.Call:
        if isinstance(e, ast.Call):
            return e
        if isinstance(e, (ast.Name, ast.Member)):
            return ast.Call(loc=e.loc, callee=e, args=[])
        raise P4Error("expected an action call", e.loc)

    def _parse_keys(self) -> list[ast.KeyElement]:
        self.expect("{")
        keys: list[ast.KeyElement] = []
        while not self.accept("}"):
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            e = self.parse_expr()
            self.expect(":")
            mk = self.expect_name("a match kind")
            kannos = self.parse_annotations()
            self.expect(";")
            keys.append(ast.KeyElement(loc=e.loc, expr=e, match_kind=mk.text, annotations=kannos))
        return keys

    def _parse_action_ref(self) -> ast.Call:
        t = self.tok
        is_global = self.accept(".") is not None
        name = self.expect_name("an action name")
        callee = ast.Name(loc=t.loc, name=name.text, is_global=is_global)
        args = self.parse_args() if self.tok.kind == "(" else []
        return ast.Call(loc=t.loc, callee=callee, args=args)

    def _parse_action_list(self) -> list[ast.ActionRef]:
        self.expect("{")
        refs: list[ast.ActionRef] = []
        while not self.accept("}"):
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            aannos = self.parse_annotations()
            call = self._parse_action_ref()
            self.expect(";")
            refs.append(ast.ActionRef(loc=call.loc, call=call, annotations=aannos))
        return refs

    def _parse_entries(self, all_const: bool) -> list[ast.TableEntry]:
        self.expect("{")
        entries: list[ast.TableEntry] = []
        while not self.accept("}"):
            if self.tok.kind == "eof":
                self.fail_expected("'}'")
            eannos = self.parse_annotations()
            loc = self.tok.loc
            is_const = self.accept("const") is not None
            priority: ast.Expr | None = None
            if self.at_word("priority") and self.peek().kind == "=":
                self.advance()
                self.advance()
                priority = self.parse_expr()
                self.expect(":")
            keyset = self.parse_keyset()
            self.expect(":")
            action = self._parse_action_ref()
            eannos += self.parse_annotations()
            self.expect(";")
            entries.append(
                ast.TableEntry(
                    loc=loc,
                    keyset=keyset,
                    action=action,
                    priority=priority,
                    is_const=is_const or all_const,
                    annotations=eannos,
                )
            )
        return entries


def parse_program(text: str, filename: str) -> ast.Program:
    """Parse preprocessed P4-16 ``text`` (``filename`` names it until its first line marker)."""
    tokens = tokenize(text, filename)
    parser = Parser(tokens, text)
    try:
        return parser.parse_program()
    except RecursionError:
        raise P4Error("program is nested too deeply", parser.tok.loc) from None


def parse_file(
    path: Path, include_dirs: Sequence[Path] = (), defines: Mapping[str, str] = _NO_DEFINES
) -> ast.Program:
    """Preprocess and parse the P4-16 file at ``path``."""
    text = preprocess(path, include_dirs, defines)
    return parse_program(text, str(path))


__all__ = ["P4Error", "Parser", "SourceLoc", "parse_file", "parse_program"]
