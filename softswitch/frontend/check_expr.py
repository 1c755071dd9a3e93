"""Typing of expressions, implicit conversion of unsized integers, and constant folding.

Conventions the back-ends rely on (see also ``check.py``):

* ``check_expr`` types an expression bottom-up. Unsized integer literals and constant expressions
  of type ``int`` keep ``IntT`` until :func:`coerce` gives them the type the context requires;
  ``coerce`` then sets ``type`` to the target type and ``const`` to the value wrapped to it.
* ``const`` holds the folded value of every compile-time constant: ``bit<W>`` values in
  ``[0, 2**W)``, ``int<W>`` values as signed numbers in ``[-2**(W-1), 2**(W-1))``, ``int`` values
  unbounded, ``bool`` as bool, enum members as their index (plain enums) or value (serializable),
  error members as their BMv2 code. A node with ``const`` set need not be descended into.
"""

from __future__ import annotations

from . import ast
from .check_types import (
    TYPE_DECLS,
    TypeContext,
    declared_type,
    max_size_in_bits,
    min_size_in_bits,
    resolve_type,
)
from .constfold import (
    fold_slice,
    wrap,
    wrap_to,
)
from .errors import P4Error, SourceLoc
from .scopes import Cx
from .types import (
    ActionEnumT,
    BitsT,
    BoolT,
    DontCareT,
    EnumT,
    ErrorT,
    FieldT,
    HeaderT,
    HeaderUnionT,
    IntT,
    MatchKindT,
    NewTypeT,
    ObjectT,
    SerEnumT,
    StackT,
    StringT,
    StructLikeT,
    StructT,
    TableResultT,
    TupleT,
    Type,
    TypeVar,
    underlying,
)

INT = IntT()
BOOL = BoolT()
DONTCARE = DontCareT()
METHOD = ObjectT("method", "method")
INVALID = ObjectT("invalid", "{#}")

SIZE_METHODS = ("minSizeInBits", "minSizeInBytes", "maxSizeInBits", "maxSizeInBytes")


def type_context(cx: Cx) -> TypeContext:
    return TypeContext(cx.scope, cx.env.type_cache, lambda e: const_int(cx, e))


def resolve(cx: Cx, tr: ast.TypeRef) -> Type:
    return resolve_type(type_context(cx), tr)


def const_int(cx: Cx, e: ast.Expr) -> int:
    """Check ``e`` and return its value, which must be a compile-time integer constant."""
    check_expr(cx, e)
    if e.const is None or isinstance(e.const, bool):
        raise P4Error("expected a compile-time integer constant", e.loc)
    return e.const


def is_numeric(t: Type) -> bool:
    return isinstance(t, (BitsT, IntT))


def mismatch(e: ast.Expr, target: Type, what: str = "") -> P4Error:
    found = e.type
    where = f" in {what}" if what else ""
    return P4Error(f"type mismatch{where}: expected {target}, found {found}", e.loc)


# --------------------------------------------------------------------------- names


def lookup(cx: Cx, name: str, is_global: bool, loc: SourceLoc) -> list[ast.Node] | Type:
    scope = cx.scope.root() if is_global else cx.scope
    found = scope.lookup(name)
    if found is None:
        raise P4Error(f"'{name}' is not declared", loc)
    return found


def denoted_type(cx: Cx, e: ast.Expr) -> Type | None:
    """When ``e`` names a type (``E`` in ``E.A``, ``error``, ``T`` in ``T.minSizeInBits()``, a
    TypeNameExpr), annotate it and return that type; None when ``e`` is a value."""
    if isinstance(e, ast.TypeNameExpr):
        t = resolve(cx, e.type_ref)
        e.type = t
        return t
    if not isinstance(e, ast.Name):
        return None
    if e.name == "error" and not e.is_global:
        found = cx.scope.lookup("error")
        if found is None:
            e.type = ErrorT()
            return e.type
    scope = cx.scope.root() if e.is_global else cx.scope
    found = scope.lookup(e.name)
    if found is None:
        return None
    if isinstance(found, list):
        decl = found[0]
        if not isinstance(decl, TYPE_DECLS) or isinstance(
            decl, (ast.ParserDecl, ast.ControlDecl, ast.ExternDecl, ast.PackageDecl)
        ):
            return None
        t = declared_type(cx.env.type_cache, decl, (), e.loc)
        e.decl = decl
    else:
        t = found
    e.type = t
    return t


def _name(cx: Cx, e: ast.Name) -> Type:
    if e.name in cx.env.match_kinds and cx.scope.lookup(e.name) is None:
        return MatchKindT()
    found = lookup(cx, e.name, e.is_global, e.loc)
    if isinstance(found, Type):
        raise P4Error(f"type parameter '{e.name}' used as a value", e.loc)
    decl = found[0]
    e.decl = decl
    if isinstance(decl, (ast.VarDecl, ast.Param)):
        t = decl.type_ref.resolved
        assert t is not None
        return t
    if isinstance(decl, ast.ConstDecl):
        t = decl.type_ref.resolved
        assert t is not None
        e.const = decl.value.const
        return t
    if isinstance(decl, ast.InstanceDecl):
        t = decl.type_ref.resolved
        if t is None:
            raise P4Error(f"instance '{e.name}' used in its own declaration", e.loc)
        return t
    if isinstance(decl, ast.TableDecl):
        return ObjectT("table", decl.name, decl)
    if isinstance(decl, ast.ActionDecl):
        return ObjectT("action", decl.name, decl)
    if isinstance(decl, ast.ValueSetDecl):
        et = decl.elem_type.resolved
        return ObjectT("value_set", decl.name, decl, (et,) if et is not None else ())
    if isinstance(decl, (ast.FunctionDecl, ast.ExternFunctionDecl)):
        return ObjectT("function", decl.name, decl)
    if isinstance(decl, (ast.ParserDecl, ast.ControlDecl, ast.ExternDecl, ast.PackageDecl,
                         ast.ParserTypeDecl, ast.ControlTypeDecl)):  # fmt: skip
        return declared_type(cx.env.type_cache, decl, (), e.loc)
    if isinstance(decl, ast.Decl) and isinstance(decl, TYPE_DECLS):
        raise P4Error(f"type '{e.name}' used as a value", e.loc)
    raise P4Error(f"'{e.name}' cannot be used as a value", e.loc)


# --------------------------------------------------------------------------- entry points


def check_expr(cx: Cx, e: ast.Expr) -> Type:
    """Type ``e`` (and its subexpressions), fold it when constant; returns ``e.type``."""
    t = _infer(cx, e)
    e.type = t
    return t


def check_expr_as(cx: Cx, e: ast.Expr, target: Type, what: str = "") -> None:
    check_expr(cx, e)
    coerce(cx, e, target, what)


def check_bool(cx: Cx, e: ast.Expr, what: str) -> None:
    t = check_expr(cx, e)
    if not isinstance(t, BoolT):
        raise P4Error(f"{what} must be a bool, found {t}", e.loc)


def _infer(cx: Cx, e: ast.Expr) -> Type:
    if isinstance(e, ast.IntLit):
        if e.width is None:
            e.const = e.value
            return INT
        t = BitsT(e.width, e.signed)
        if e.width == 0 and e.value != 0:
            raise P4Error("a value does not fit in 0 bits", e.loc)
        e.const = wrap(e.value, e.width, e.signed)
        return t
    if isinstance(e, ast.BoolLit):
        e.const = e.value
        return BOOL
    if isinstance(e, ast.StrLit):
        return StringT()
    if isinstance(e, ast.Name):
        return _name(cx, e)
    if isinstance(e, ast.Member):
        return check_member(cx, e, callee=False)
    if isinstance(e, ast.Index):
        return _index(cx, e)
    if isinstance(e, ast.Slice):
        return _slice(cx, e)
    if isinstance(e, (ast.Unary, ast.Binary, ast.Mux, ast.Cast)):
        from .check_ops import check_operator

        return check_operator(cx, e)
    if isinstance(e, ast.Call):
        from .check_call import check_call

        return check_call(cx, e)
    if isinstance(e, ast.ListExpr):
        return TupleT(tuple(check_expr(cx, i) for i in e.items))
    if isinstance(e, ast.StructExpr):
        return _struct_expr(cx, e)
    if isinstance(e, ast.DontCare):
        return DONTCARE
    if isinstance(e, ast.DefaultInit):
        return DONTCARE  # typed when converted to the type it initializes (coerce)
    if isinstance(e, ast.DefaultExpr):
        raise P4Error("'default' is only allowed as a keyset or switch label", e.loc)
    if isinstance(e, ast.InvalidExpr):
        return INVALID
    if isinstance(e, ast.TypeNameExpr):
        raise P4Error("a type cannot be used as a value here", e.loc)
    raise P4Error(f"unsupported expression {type(e).__name__}", e.loc, kind="unsupported")


# --------------------------------------------------------------------------- conversion


def coerce(cx: Cx, e: ast.Expr, target: Type, what: str = "") -> None:
    """Give ``e`` (already checked) the type ``target`` where P4 converts implicitly: unsized ints
    to fixed-width types, list/struct expressions to struct/header/tuple types, ``{#}`` to a header
    or union. Any other difference is a type error at ``e``."""
    src = e.type
    assert src is not None
    if isinstance(e, ast.DefaultInit):
        _default_init(e, target)
        return
    if src == target or isinstance(target, (DontCareT, TypeVar)) or isinstance(src, DontCareT):
        return
    if isinstance(e, ast.ListExpr):
        _coerce_list(cx, e, target, what)
        return
    if isinstance(e, ast.StructExpr):
        _coerce_struct(cx, e, target, what)
        return
    if isinstance(e, ast.InvalidExpr):
        if isinstance(target, (HeaderT, HeaderUnionT)):
            e.type = target
            return
        raise mismatch(e, target, what)
    if isinstance(e, ast.Mux) and isinstance(src, IntT):
        coerce(cx, e.then, target, what)
        coerce(cx, e.else_, target, what)
        e.type = target
        if e.const is not None:
            e.const = wrap_to(int(e.const), underlying(target))
        return
    if isinstance(src, IntT):
        base = underlying(target) if isinstance(target, NewTypeT) else target
        if isinstance(base, BitsT):
            e.type = target
            if e.const is not None and not isinstance(e.const, bool):
                e.const = wrap_to(e.const, base)
            return
        raise mismatch(e, target, what)
    if isinstance(src, SerEnumT) and isinstance(target, BitsT) and src.base == target:
        return  # a serializable enum reads as its underlying type
    if isinstance(src, StructLikeT) and isinstance(target, StructLikeT) and src.decl is None:
        # a synthesized struct (e.g. from an unnamed struct expression) converted field by field
        raise mismatch(e, target, what)
    raise mismatch(e, target, what)


def _default_init(e: ast.DefaultInit, target: Type) -> None:
    """``...`` converted to ``target``: its default value (scalars fold to a constant: 0, false,
    error.NoError's code 0, an enum's first member)."""
    if isinstance(target, (DontCareT, TypeVar)):
        raise P4Error("the type of '...' is not known here", e.loc)
    e.type = target
    base = underlying(target)
    if isinstance(base, BoolT):
        e.const = False
    elif isinstance(base, (BitsT, ErrorT, EnumT, IntT)):
        e.const = 0


def _expand_dots(items: list[ast.Expr], count: int, loc: SourceLoc) -> list[ast.Expr]:
    """A list ending in ``...`` stretched to ``count`` elements (the rest default values)."""
    if not items or not isinstance(items[-1], ast.DefaultInit):
        return items
    given = items[:-1]
    if len(given) > count:
        raise P4Error(f"expected at most {count} elements before '...', found {len(given)}", loc)
    fill: list[ast.Expr] = [ast.DefaultInit(loc=items[-1].loc) for _ in range(count - len(given))]
    for x in fill:
        x.type = DONTCARE
    return given + fill


def _coerce_list(cx: Cx, e: ast.ListExpr, target: Type, what: str) -> None:
    count = (
        len(target.elems) if isinstance(target, TupleT)
        else len(target.fields) if isinstance(target, StructLikeT) and not isinstance(target, HeaderUnionT)
        else target.size if isinstance(target, StackT)
        else None
    )
    if count is not None:
        e.items = _expand_dots(e.items, count, e.loc)
    if isinstance(target, TupleT):
        if len(target.elems) != len(e.items):
            raise P4Error(f"expected a list of {len(target.elems)} elements, found {len(e.items)}", e.loc)
        for item, t in zip(e.items, target.elems, strict=True):
            coerce(cx, item, t, what)
        e.type = target
        return
    if isinstance(target, StructLikeT) and not isinstance(target, HeaderUnionT):
        if len(target.fields) != len(e.items):
            raise P4Error(
                f"{target} has {len(target.fields)} fields but the list has {len(e.items)} elements", e.loc
            )
        for item, f in zip(e.items, target.fields, strict=True):
            coerce(cx, item, f.type, what)
        e.type = target
        return
    if isinstance(target, StackT):
        if target.size != len(e.items):
            raise P4Error(f"expected {target.size} elements, found {len(e.items)}", e.loc)
        for item in e.items:
            coerce(cx, item, target.elem, what)
        e.type = target
        return
    raise mismatch(e, target, what)


def _coerce_struct(cx: Cx, e: ast.StructExpr, target: Type, what: str) -> None:
    if not isinstance(target, StructLikeT) or isinstance(target, HeaderUnionT):
        raise mismatch(e, target, what)
    given = {n: x for n, x in e.fields}
    for f in target.fields:
        if f.name not in given:
            if not e.dots:
                raise P4Error(f"field '{f.name}' of {target} is not initialized", e.loc)
            filler = ast.DefaultInit(loc=e.loc, type=DONTCARE)
            e.fields.append((f.name, filler))
            given[f.name] = filler
    for n, x in e.fields:
        ft = target.field_type(n)
        if ft is None:
            raise P4Error(f"{target} has no field '{n}'", x.loc)
        coerce(cx, x, ft, what)
    e.type = target


def _struct_expr(cx: Cx, e: ast.StructExpr) -> Type:
    seen: set[str] = set()
    fields: list[FieldT] = []
    for n, x in e.fields:
        if n in seen:
            raise P4Error(f"field '{n}' initialized twice", x.loc)
        seen.add(n)
        fields.append(FieldT(n, check_expr(cx, x)))
    if e.type_ref is not None:
        t = resolve(cx, e.type_ref)
        e.type = StructT("struct", tuple(fields))
        _coerce_struct(cx, e, t, "")
        return t
    return StructT("struct", tuple(fields))


# --------------------------------------------------------------------------- lvalues


def check_lvalue(cx: Cx, e: ast.Expr) -> None:
    """Raise unless ``e`` may be written (assigned, or passed as out/inout)."""
    if isinstance(e, ast.DontCare):
        return
    if isinstance(e, ast.Name):
        d = e.decl
        if isinstance(d, ast.VarDecl):
            return
        if isinstance(d, ast.Param):
            if d.direction in ("out", "inout"):
                return
            kind = f"'{d.direction}'" if d.direction else "a directionless"
            raise P4Error(f"cannot write '{e.name}': it is {kind} parameter", e.loc)
        if isinstance(d, ast.ConstDecl):
            raise P4Error(f"cannot write '{e.name}': it is a constant", e.loc)
        raise P4Error(f"cannot write '{e.name}'", e.loc)
    if isinstance(e, ast.Member):
        if e.kind in ("field", "stack_next", "stack_last"):
            check_lvalue(cx, e.expr)
            return
        raise P4Error(f"cannot write '{e.member}'", e.loc)
    if isinstance(e, (ast.Index, ast.Slice)):
        check_lvalue(cx, e.expr)
        return
    raise P4Error("expression cannot be written", e.loc)


# --------------------------------------------------------------------------- members


def check_member(cx: Cx, e: ast.Member, callee: bool) -> Type:
    """Type ``e``; ``callee`` when it is the callee of a call (methods win over fields then)."""
    tt = denoted_type(cx, e.expr)
    if tt is not None:
        t = _type_member(cx, e, tt, callee)
        e.type = t
        return t
    t = check_expr(cx, e.expr)
    m = e.member
    if m in SIZE_METHODS and not (isinstance(t, StructLikeT) and t.field_type(m) is not None):
        if callee:
            e.kind = "method"
            e.type = METHOD
            return METHOD
        e.kind = "type_property"
        e.const = size_method_value(t, m, e.loc)
        e.type = INT
        return INT
    t = _member(e, t, m, callee)
    e.type = t
    if e.kind == "field" and e.expr.const is None:
        e.const = _const_field(e.expr, m)
    return t


def _const_field(obj: ast.Expr, field: str) -> int | bool | None:
    """The value of a field of a structured constant (``const S c = {...}; c.f``)."""
    value: ast.Expr | None = None
    if isinstance(obj, ast.Name) and isinstance(obj.decl, ast.ConstDecl):
        value = obj.decl.value
    elif isinstance(obj, (ast.StructExpr, ast.ListExpr)):
        value = obj
    while isinstance(value, ast.Cast):
        value = value.expr
    if isinstance(value, ast.StructExpr):
        for n, x in value.fields:
            if n == field:
                return x.const
        return None
    if isinstance(value, ast.ListExpr) and isinstance(value.type, StructLikeT):
        for f, x in zip(value.type.fields, value.items, strict=False):
            if f.name == field:
                return x.const
    return None


def _member(e: ast.Member, t: Type, m: str, callee: bool) -> Type:
    if isinstance(t, StructLikeT):
        is_method = isinstance(t, (HeaderT, HeaderUnionT)) and m in ("isValid", "setValid", "setInvalid")
        if is_method and callee:
            e.kind = "method"
            return METHOD
        ft = t.field_type(m)
        if ft is not None:
            e.kind = "field"
            return ft
        if is_method:
            e.kind = "method"
            return METHOD
        raise P4Error(f"{t} has no field '{m}'", e.loc)
    if isinstance(t, StackT):
        if m in ("next", "last"):
            e.kind = "stack_next" if m == "next" else "stack_last"
            return t.elem
        if m == "size":
            e.kind = "stack_size"
            e.const = t.size
            return BitsT(32)
        if m == "lastIndex":
            e.kind = "stack_last_index"
            return BitsT(32)
        if m in ("push_front", "pop_front"):
            e.kind = "method"
            return METHOD
        raise P4Error(f"header stack has no member '{m}'", e.loc)
    if isinstance(t, TableResultT):
        if m in ("hit", "miss"):
            e.kind = "table_result"
            return BOOL
        if m == "action_run":
            e.kind = "table_result"
            return ActionEnumT(t.table)
        raise P4Error(f"a table apply result has no member '{m}'", e.loc)
    if isinstance(t, ObjectT):
        if t.kind == "extern" and isinstance(t.decl, ast.ExternDecl):
            if any(md.name == m and md.return_type is not None for md in t.decl.methods):
                e.kind = "method"
                return METHOD
            raise P4Error(f"extern {t.name} has no method '{m}'", e.loc)
        if t.kind in ("table", "parser", "control") and m == "apply":
            e.kind = "method"
            return METHOD
        raise P4Error(f"{t.kind} '{t.name}' has no member '{m}'", e.loc)
    raise P4Error(f"type {t} has no member '{m}'", e.loc)


def _type_member(cx: Cx, e: ast.Member, t: Type, callee: bool) -> Type:
    m = e.member
    if isinstance(t, ErrorT):
        code = cx.env.errors.get(m)
        if code is None or m not in cx.env.error_decl_order:
            raise P4Error(f"error '{m}' is not declared", e.loc)
        e.kind = "error_member"
        e.const = code
        return t
    if isinstance(t, EnumT):
        if m not in t.members:
            raise P4Error(f"enum {t.name} has no member '{m}'", e.loc)
        e.kind = "enum_member"
        e.const = t.members.index(m)
        return t
    if isinstance(t, SerEnumT):
        for name, v in t.members:
            if name == m:
                e.kind = "enum_member"
                e.const = v
                return t
        raise P4Error(f"enum {t.name} has no member '{m}'", e.loc)
    if isinstance(t, MatchKindT):
        raise P4Error("match_kind has no members", e.loc)
    if m in SIZE_METHODS:
        if callee:
            e.kind = "method"
            return METHOD
        e.kind = "type_property"
        e.const = size_method_value(t, m, e.loc)
        return INT
    raise P4Error(f"type {t} has no member '{m}'", e.loc)


def size_method_value(t: Type, method: str, loc: SourceLoc) -> int:
    if method.startswith("min"):
        bits = min_size_in_bits(t, loc)
    else:
        bits = max_size_in_bits(t, loc)
    return bits if method.endswith("Bits") else (bits + 7) // 8


# --------------------------------------------------------------------------- index, slice


def _index(cx: Cx, e: ast.Index) -> Type:
    t = check_expr(cx, e.expr)
    it = check_expr(cx, e.index)
    if isinstance(t, StackT):
        if isinstance(underlying(it), (IntT, BitsT)):
            i = e.index.const
            if i is not None and not isinstance(i, bool) and not 0 <= i < t.size:
                raise P4Error(f"index {i} is out of range for {t}", e.index.loc)
            return t.elem
        raise P4Error(f"an index must be an integer, found {it}", e.index.loc)
    if isinstance(t, TupleT):
        i = e.index.const
        if i is None or isinstance(i, bool):
            raise P4Error("a tuple index must be a constant", e.index.loc)
        if not 0 <= i < len(t.elems):
            raise P4Error(f"index {i} is out of range for {t}", e.index.loc)
        return t.elems[i]
    raise P4Error(f"cannot index a value of type {t}", e.loc)


def _slice(cx: Cx, e: ast.Slice) -> Type:
    t = check_expr(cx, e.expr)
    hi = const_int(cx, e.hi)
    lo = const_int(cx, e.lo)
    base = t
    if isinstance(base, IntT):
        if e.expr.const is None:
            raise P4Error("cannot slice a value of unknown width", e.loc)
    elif isinstance(base, SerEnumT):
        base = base.base
    elif not isinstance(base, BitsT):
        raise P4Error(f"cannot slice a value of type {t}", e.loc)
    if lo < 0 or hi < lo:
        raise P4Error(f"invalid slice [{hi}:{lo}]", e.loc)
    if isinstance(base, BitsT) and hi >= base.width:
        raise P4Error(f"slice [{hi}:{lo}] is out of range for {t}", e.loc)
    v = e.expr.const
    if v is not None and not isinstance(v, bool):
        e.const = fold_slice(v, hi, lo)
    return BitsT(hi - lo + 1)
