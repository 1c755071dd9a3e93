"""Elaboration: from the checked program to the tree of instances under ``main``.

:func:`elaborate` finds the ``main`` package instance, instantiates the parsers and controls
given to it (recursively: their local parser/control/extern instances), binds constructor
parameters to constant values or instances, and names every table, action, extern instance and
value set as p4c's P4Info does:

* objects declared in a block given to the package are ``<block TYPE name>.<local name>``;
* objects of a sub-block instance add the instance's local name: ``Ing.inbound.rules``;
* top-level actions and extern instances keep their bare names;
* ``@name("x")`` replaces the local part, ``@name(".x")`` makes the name global (``x``);
* an extern constructed inside a table property is named by the property's ``@name`` verbatim;
* ``@hidden`` sets ``hidden``.
"""

from __future__ import annotations

from . import ast
from .ast_walk import walk
from .constfold import FoldError, fold_arith, fold_cast, fold_compare, fold_shift, wrap_to
from .errors import P4Error
from .instances import (
    ActionInstance,
    BlockInstance,
    Elaborated,
    ExternInstance,
    TableInstance,
    ValueSetInstance,
)
from .p4info_annotations import raw_string_arg
from .scopes import STANDARD_ERROR_CODES
from .types import BoolT, ObjectT, underlying

Value = int | bool | str | ExternInstance | BlockInstance | None
_EXTERN_PROPERTIES = ("implementation", "counters", "meters")


def name_annotation(decl: ast.Decl | ast.TableProperty) -> str | None:
    """The string of an ``@name("...")`` annotation, if any, as written (p4c does not unescape
    it: ``@name("a\\"b")`` names the object ``a\\"b``)."""
    for a in decl.annotations:
        if a.name == "name":
            text = raw_string_arg(a)
            if text is not None:
                return text
    return None


def qualified_name(path: str | None, decl: ast.Decl) -> str:
    """The control-plane name of ``decl`` declared in the block whose prefix is ``path``."""
    n = name_annotation(decl)
    if n is None:
        n = decl.name
    elif n.startswith("."):
        return n[1:]
    return f"{path}.{n}" if path else n


def is_hidden(decl: ast.Decl) -> bool:
    return decl.annotation("hidden") is not None


def error_codes(program: ast.Program) -> dict[str, int]:
    """Error member name -> BMv2 error code, for every error the program declares."""
    codes: dict[str, int] = {}
    nxt = 7
    for d in program.decls:
        if isinstance(d, ast.ErrorDecl):
            for m in d.members:
                if m in codes:
                    continue
                if m in STANDARD_ERROR_CODES:
                    codes[m] = STANDARD_ERROR_CODES[m]
                else:
                    codes[m] = nxt
                    nxt += 1
    return codes


def elaborate(program: ast.Program) -> Elaborated:
    """Build the instance tree of a checked ``program``; raises :class:`P4Error`."""
    return _Elaborator(program).run()


class _Elaborator:
    def __init__(self, program: ast.Program) -> None:
        self.program = program
        self.instances: dict[int, ExternInstance | BlockInstance] = {}  # id(InstanceDecl) -> instance
        self.all_blocks: list[BlockInstance] = []
        self.all_tables: list[TableInstance] = []
        self.all_actions: list[ActionInstance] = []
        self.all_externs: list[ExternInstance] = []
        self.all_value_sets: list[ValueSetInstance] = []

    def run(self) -> Elaborated:
        main: ast.InstanceDecl | None = None
        for d in self.program.decls:
            if isinstance(d, ast.InstanceDecl) and d.name == "main":
                main = d
        if main is None:
            last = self.program.decls[-1].loc if self.program.decls else self.program.loc
            raise P4Error("the program has no 'main' package instance", last)
        pt = main.type_ref.resolved
        if not isinstance(pt, ObjectT) or pt.kind != "package" or not isinstance(pt.decl, ast.PackageDecl):
            raise P4Error("'main' must be an instance of a package", main.loc)
        top_actions: dict[str, ActionInstance] = {}
        for d in self.program.decls:
            if isinstance(d, ast.ActionDecl):
                ai = ActionInstance(decl=d, name=qualified_name(None, d), block=None, hidden=is_hidden(d))
                top_actions[d.name] = ai
                self.all_actions.append(ai)
            elif isinstance(d, ast.InstanceDecl) and d is not main:
                t = d.type_ref.resolved
                if isinstance(t, ObjectT) and t.kind == "extern":
                    self._extern(d, qualified_name(None, d), None)
        blocks: dict[str, BlockInstance] = {}
        bound = main.bound_args or [None] * len(pt.decl.params)
        for param, arg in zip(pt.decl.params, bound, strict=False):
            expr = arg if arg is not None else param.default
            if expr is None:
                raise P4Error(f"no argument for parameter '{param.name}' of {pt.decl.name}", main.loc)
            v = self._top_block(expr)
            if isinstance(v, BlockInstance):
                blocks[param.name] = v
        version = 20180101
        for d in self.program.decls:
            if isinstance(d, ast.ConstDecl) and d.name == "__v1model_version":
                c = d.value.const
                if isinstance(c, int) and not isinstance(c, bool):
                    version = c
        return Elaborated(
            program=self.program,
            package=main,
            blocks=blocks,
            top_actions=top_actions,
            all_blocks=self.all_blocks,
            all_tables=self.all_tables,
            all_actions=self.all_actions,
            all_externs=self.all_externs,
            all_value_sets=self.all_value_sets,
            errors=error_codes(self.program),
            v1model_version=version,
        )

    # ------------------------------------------------------------------ instantiation

    def _top_block(self, expr: ast.Expr) -> Value:
        """A package argument: a constructor call ``Ing()`` or a top-level instance name."""
        if isinstance(expr, ast.Call) and expr.kind == "constructor":
            t = expr.type
            if isinstance(t, ObjectT) and isinstance(t.decl, (ast.ParserDecl, ast.ControlDecl)):
                return self._block(t.decl, t.decl.name, t.decl.name, expr.bound_args, None)
            return self._value(expr, None, "")
        if isinstance(expr, ast.Name) and isinstance(expr.decl, ast.InstanceDecl):
            d = expr.decl
            known = self.instances.get(id(d))
            if known is not None:
                return known
            t = d.type_ref.resolved
            if isinstance(t, ObjectT) and isinstance(t.decl, (ast.ParserDecl, ast.ControlDecl)):
                bi = self._block(t.decl, t.decl.name, d.name, d.bound_args, None)
                self.instances[id(d)] = bi
                return bi
        return self._value(expr, None, "")

    def _block(
        self,
        decl: ast.ParserDecl | ast.ControlDecl,
        path: str,
        instance_name: str,
        ctor_args: list[ast.Expr | None],
        parent: BlockInstance | None,
    ) -> BlockInstance:
        bi = BlockInstance(decl=decl, path=path, instance_name=instance_name, parent=parent)
        args = ctor_args or [None] * len(decl.ctor_params)
        for p, a in zip(decl.ctor_params, args, strict=False):
            expr = a if a is not None else p.default
            bi.ctor_values[p.name] = self._value(expr, parent, f"{path}.{p.name}")
        self.all_blocks.append(bi)
        for local in decl.locals:
            if isinstance(local, ast.InstanceDecl):
                t = local.type_ref.resolved
                if isinstance(t, ObjectT) and isinstance(t.decl, (ast.ParserDecl, ast.ControlDecl)):
                    child = self._block(t.decl, qualified_name(path, local), local.name, local.bound_args, bi)
                    self.instances[id(local)] = child
                    bi.children[local.name] = child
                elif isinstance(t, ObjectT) and t.kind == "extern":
                    bi.externs[local.name] = self._extern(local, qualified_name(path, local), bi)
            elif isinstance(local, ast.TableDecl):
                ti = TableInstance(
                    decl=local, name=qualified_name(path, local), block=bi, hidden=is_hidden(local)
                )
                self._table_properties(ti, bi)
                bi.tables[local.name] = ti
                self.all_tables.append(ti)
            elif isinstance(local, ast.ActionDecl):
                ai = ActionInstance(
                    decl=local, name=qualified_name(path, local), block=bi, hidden=is_hidden(local)
                )
                bi.actions[local.name] = ai
                self.all_actions.append(ai)
            elif isinstance(local, ast.ValueSetDecl):
                size = local.size.const
                if not isinstance(size, int) or isinstance(size, bool):
                    raise P4Error("a value_set size must be a constant", local.size.loc)
                vs = ValueSetInstance(decl=local, name=qualified_name(path, local), block=bi, size=size)
                bi.value_sets[local.name] = vs
                self.all_value_sets.append(vs)
        self._direct_invocations(bi)
        return bi

    def _direct_invocations(self, bi: BlockInstance) -> None:
        """``T.apply(...)`` on a parser/control *type* instantiates it implicitly, as a child
        named after the type (``Ing.T.x``)."""
        body: list[ast.Node] = (
            [bi.decl.body] if isinstance(bi.decl, ast.ControlDecl) else list(bi.decl.states)
        )
        for n in walk(body):
            if isinstance(n, ast.Call) and n.kind in ("control_apply", "parser_apply"):
                callee = n.callee
                obj = callee.expr if isinstance(callee, ast.Member) else None
                d = obj.decl if isinstance(obj, ast.Name) else None
                if isinstance(d, (ast.ParserDecl, ast.ControlDecl)) and d.name not in bi.children:
                    bi.children[d.name] = self._block(d, f"{bi.path}.{d.name}", d.name, [], bi)

    def _extern(self, d: ast.InstanceDecl, name: str, block: BlockInstance | None) -> ExternInstance:
        t = d.type_ref.resolved
        assert t is not None
        args: list[int | bool | str | ast.Expr | None] = []
        for a in d.bound_args:
            v = self._value(a, block, name)
            args.append(a if v is None or isinstance(v, (ExternInstance, BlockInstance)) else v)
        ei = ExternInstance(
            decl=d, name=name, type=t, ctor=d.ctor, args=args, block=block, hidden=is_hidden(d)
        )
        self.instances[id(d)] = ei
        self.all_externs.append(ei)
        return ei

    def _value(self, expr: ast.Expr | None, ctx: BlockInstance | None, hint: str) -> Value:
        """Evaluate a constructor argument written in block ``ctx`` (None: top level)."""
        if expr is None:
            return None
        if expr.const is not None:
            return expr.const
        if isinstance(expr, ast.StrLit):
            return expr.value
        if isinstance(expr, ast.Name):
            d = expr.decl
            if isinstance(d, ast.Param) and ctx is not None:
                return ctx.ctor_values.get(d.name)
            if isinstance(d, ast.InstanceDecl):
                known = self.instances.get(id(d))
                if known is not None:
                    return known
                t = d.type_ref.resolved
                if isinstance(t, ObjectT) and t.kind == "extern":
                    return self._extern(d, qualified_name(ctx.path if ctx else None, d), ctx)
            if isinstance(d, ast.ConstDecl):
                return None  # a structured constant: the back-ends read it from the declaration
            raise P4Error(f"'{expr.name}' is not a compile-time value", expr.loc)
        if isinstance(expr, ast.Call) and expr.kind == "constructor":
            t = expr.type
            if isinstance(t, ObjectT) and isinstance(t.decl, (ast.ParserDecl, ast.ControlDecl)):
                return self._block(t.decl, hint, hint.rsplit(".", 1)[-1], expr.bound_args, ctx)
            if isinstance(t, ObjectT) and t.kind == "extern":
                d = _synthetic_instance(expr, hint.rsplit(".", 1)[-1], [])
                return self._extern(d, hint, ctx)
        if ctx is not None:
            v = fold_with_params(expr, ctx.ctor_values)
            if v is not None:
                return v
        raise P4Error("expected a compile-time value", expr.loc)

    def _table_properties(self, ti: TableInstance, bi: BlockInstance) -> None:
        for prop in ti.decl.properties:
            v = prop.value
            if v is None:
                continue
            if isinstance(v, ast.Call) and v.kind == "constructor":
                n = name_annotation(prop)
                name = n.lstrip(".") if n is not None else f"{ti.name}.{prop.name}"
                d = _synthetic_instance(v, name, prop.annotations)
                ti.properties[prop.name] = self._extern(d, name, bi)
            elif isinstance(v, ast.Name):
                inst: Value = None
                if isinstance(v.decl, ast.Param):
                    inst = bi.ctor_values.get(v.decl.name)
                elif isinstance(v.decl, ast.InstanceDecl):
                    inst = self._value(v, bi, ti.name)
                if isinstance(inst, ExternInstance):
                    ti.properties[prop.name] = inst


def _synthetic_instance(call: ast.Call, name: str, annotations: list[ast.Annotation]) -> ast.InstanceDecl:
    """An InstanceDecl standing for an extern constructed in place (``implementation = ...``)."""
    t = call.type
    assert isinstance(t, ObjectT)
    tr = ast.NamedTypeRef(loc=call.loc, name=t.name, type_args=list(call.type_args))
    tr.resolved = t
    ctor = call.target if isinstance(call.target, ast.MethodDecl) else None
    return ast.InstanceDecl(
        loc=call.loc,
        name=name,
        annotations=list(annotations),
        type_ref=tr,
        args=list(call.args),
        ctor=ctor,
        bound_args=list(call.bound_args),
    )


def fold_with_params(e: ast.Expr, values: dict[str, Value]) -> int | bool | None:
    """Evaluate ``e`` once the enclosing block's constructor parameters have values (the checker
    could not fold expressions that use them); None when ``e`` is still not a constant."""
    if e.const is not None:
        return e.const
    if isinstance(e, ast.Name) and isinstance(e.decl, ast.Param):
        v = values.get(e.decl.name)
        return v if isinstance(v, (int, bool)) else None
    t = e.type
    if isinstance(e, ast.Unary):
        a = fold_with_params(e.expr, values)
        if a is None:
            return None
        if e.op == "!":
            return not a
        if isinstance(a, bool):
            return None
        if e.op == "-":
            return wrap_to(-a, t) if t is not None else -a
        if e.op == "~":
            return wrap_to(~a, t) if t is not None else None
        return a
    if isinstance(e, ast.Mux):
        c = fold_with_params(e.cond, values)
        if not isinstance(c, bool):
            return None
        return fold_with_params(e.then if c else e.else_, values)
    if isinstance(e, ast.Cast):
        a = fold_with_params(e.expr, values)
        if a is None or t is None:
            return None
        return bool(a) if isinstance(t, BoolT) else fold_cast(a, underlying(t))
    if isinstance(e, ast.Binary):
        lv = fold_with_params(e.left, values)
        rv = fold_with_params(e.right, values)
        if lv is None or rv is None:
            return None
        try:
            if e.op in ("&&", "||"):
                return (bool(lv) and bool(rv)) if e.op == "&&" else (bool(lv) or bool(rv))
            if e.op in ("==", "!=", "<", ">", "<=", ">="):
                return fold_compare(e.op, lv, rv)
            if isinstance(lv, bool) or isinstance(rv, bool) or t is None:
                return None
            if e.op in ("<<", ">>"):
                return fold_shift(e.op, lv, rv, t)
            return fold_arith(e.op, lv, rv, t)
        except FoldError as err:
            raise P4Error(str(err), e.loc) from None
    return None
