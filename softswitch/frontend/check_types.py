"""Resolving written types (``ast.TypeRef``) to semantic types, and operations on semantic types
used by the checker: substitution of type variables, unification for type-argument inference,
and the sizes behind ``minSizeInBits()`` and friends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ast
from .errors import P4Error, SourceLoc
from .types import (
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
    TupleT,
    Type,
    TypeVar,
    VarbitT,
    VoidT,
)

if TYPE_CHECKING:
    from .scopes import Scope

_BASE: dict[str, Type] = {
    "bool": BoolT(),
    "error": ErrorT(),
    "match_kind": MatchKindT(),
    "string": StringT(),
    "void": VoidT(),
    "int": IntT(),
    "_": DontCareT(),
}

# Declarations whose name denotes a type.
TYPE_DECLS = (
    ast.TypedefDecl, ast.NewTypeDecl, ast.HeaderDecl, ast.StructDecl, ast.HeaderUnionDecl,
    ast.EnumDecl, ast.ExternDecl, ast.ParserTypeDecl, ast.ControlTypeDecl, ast.PackageDecl,
    ast.ParserDecl, ast.ControlDecl,
)  # fmt: skip


@dataclass(slots=True)
class TypeContext:
    """What type resolution needs: the scope to look names up in, the cache of declared types,
    and a way to evaluate constant width expressions."""

    scope: Scope
    cache: dict[int, Type]
    eval_const: Callable[[ast.Expr], int]
    vars_in_scope: list[TypeVar] = field(default_factory=list)


def type_var(name: str, owner: ast.Node) -> TypeVar:
    return TypeVar(name, id(owner))


def declared_type(
    cache: dict[int, Type], decl: ast.Decl, type_args: tuple[Type, ...], loc: SourceLoc
) -> Type:
    """The type named by a type declaration (with type arguments for generic declarations)."""
    if isinstance(decl, ast.ExternDecl):
        _check_arity(decl.name, decl.type_params, type_args, loc)
        return ObjectT("extern", decl.name, decl, type_args)
    if isinstance(decl, (ast.ParserTypeDecl, ast.ParserDecl)):
        _check_arity(decl.name, decl.type_params, type_args, loc)
        return ObjectT("parser", decl.name, decl, type_args)
    if isinstance(decl, (ast.ControlTypeDecl, ast.ControlDecl)):
        _check_arity(decl.name, decl.type_params, type_args, loc)
        return ObjectT("control", decl.name, decl, type_args)
    if isinstance(decl, ast.PackageDecl):
        _check_arity(decl.name, decl.type_params, type_args, loc)
        return ObjectT("package", decl.name, decl, type_args)
    if isinstance(decl, (ast.HeaderDecl, ast.StructDecl, ast.HeaderUnionDecl)) and decl.type_params:
        base = cache.get(id(decl))
        if base is None:
            raise P4Error(f"type '{decl.name}' is used before its declaration is complete", loc)
        if len(type_args) != len(decl.type_params):
            raise P4Error(
                f"type '{decl.name}' expects {len(decl.type_params)} type arguments, got {len(type_args)}",
                loc,
            )
        mapping: dict[TypeVar, Type] = {
            type_var(n, decl): a for n, a in zip(decl.type_params, type_args, strict=True)
        }
        assert isinstance(base, StructLikeT)
        name = f"{decl.name}<{', '.join(map(str, type_args))}>"
        fields = tuple(FieldT(f.name, substitute(f.type, mapping)) for f in base.fields)
        return type(base)(name, fields, decl)
    if type_args:
        raise P4Error(f"type '{decl.name}' is not generic", loc)
    t = cache.get(id(decl))
    if t is None:
        raise P4Error(f"type '{decl.name}' is used before its declaration is complete", loc)
    return t


def _check_arity(name: str, params: list[str], args: tuple[Type, ...], loc: SourceLoc) -> None:
    if args and len(args) != len(params):
        raise P4Error(f"type '{name}' expects {len(params)} type arguments, got {len(args)}", loc)


def resolve_type(tc: TypeContext, tr: ast.TypeRef) -> Type:
    """Resolve ``tr`` (and store the result in ``tr.resolved``)."""
    t = _resolve(tc, tr)
    tr.resolved = t
    return t


def _resolve(tc: TypeContext, tr: ast.TypeRef) -> Type:
    if isinstance(tr, ast.BitTypeRef):
        w = tc.eval_const(tr.width)
        if w < 0 or (tr.signed and w == 0):
            raise P4Error(f"invalid width {w} for {'int' if tr.signed else 'bit'}<>", tr.loc)
        return BitsT(w, tr.signed)
    if isinstance(tr, ast.VarbitTypeRef):
        w = tc.eval_const(tr.width)
        if w <= 0:
            raise P4Error(f"invalid width {w} for varbit<>", tr.loc)
        return VarbitT(w)
    if isinstance(tr, ast.BaseTypeRef):
        return _BASE[tr.name]
    if isinstance(tr, ast.StackTypeRef):
        elem = resolve_type(tc, tr.elem)
        size = tc.eval_const(tr.size)
        if size <= 0:
            raise P4Error(f"header stack size must be positive, got {size}", tr.size.loc)
        if not isinstance(elem, (HeaderT, HeaderUnionT, StructT, TypeVar)):
            raise P4Error(f"array elements must be headers or header unions, not {elem}", tr.loc)
        return StackT(elem, size)
    if isinstance(tr, ast.TupleTypeRef):
        return TupleT(tuple(resolve_type(tc, e) for e in tr.elems))
    if isinstance(tr, ast.NamedTypeRef):
        scope = tc.scope.root() if tr.is_global else tc.scope
        found = scope.lookup(tr.name)
        if found is None:
            raise P4Error(f"type '{tr.name}' is not declared", tr.loc)
        args = tuple(resolve_type(tc, a) for a in tr.type_args)
        if isinstance(found, Type):
            if args:
                raise P4Error(f"type parameter '{tr.name}' cannot take type arguments", tr.loc)
            return found
        decl = found[0]
        if not isinstance(decl, TYPE_DECLS):
            raise P4Error(f"'{tr.name}' is not a type", tr.loc)
        return declared_type(tc.cache, decl, args, tr.loc)
    raise P4Error("unsupported type syntax", tr.loc, kind="unsupported")


# --------------------------------------------------------------------------- substitution / unification


def substitute(t: Type, mapping: dict[TypeVar, Type]) -> Type:
    """``t`` with the type variables in ``mapping`` replaced."""
    if not mapping:
        return t
    if isinstance(t, TypeVar):
        return mapping.get(t, t)
    if isinstance(t, TupleT):
        return TupleT(tuple(substitute(e, mapping) for e in t.elems))
    if isinstance(t, StackT):
        return StackT(substitute(t.elem, mapping), t.size)
    if isinstance(t, ObjectT) and t.type_args:
        return ObjectT(t.kind, t.name, t.decl, tuple(substitute(a, mapping) for a in t.type_args))
    if isinstance(t, StructLikeT) and t.decl is not None and _has_vars(t):
        fields = tuple(FieldT(f.name, substitute(f.type, mapping)) for f in t.fields)
        return type(t)(t.name, fields, t.decl)
    return t


def _has_vars(t: Type) -> bool:
    if isinstance(t, TypeVar):
        return True
    if isinstance(t, TupleT):
        return any(_has_vars(e) for e in t.elems)
    if isinstance(t, StackT):
        return _has_vars(t.elem)
    if isinstance(t, ObjectT):
        return any(_has_vars(a) for a in t.type_args)
    if isinstance(t, StructLikeT):
        return any(_has_vars(f.type) for f in t.fields)
    return False


def has_type_vars(t: Type) -> bool:
    return _has_vars(t)


def block_params(decl: ast.Decl) -> list[ast.Param]:
    """The apply parameters of a parser/control declaration or prototype."""
    if isinstance(decl, (ast.ParserDecl, ast.ControlDecl, ast.ParserTypeDecl, ast.ControlTypeDecl)):
        return decl.params
    return []


def block_type_params(decl: ast.Decl) -> list[str]:
    if isinstance(
        decl, (ast.ParserDecl, ast.ControlDecl, ast.ParserTypeDecl, ast.ControlTypeDecl, ast.PackageDecl)
    ):
        return decl.type_params
    if isinstance(decl, ast.ExternDecl):
        return decl.type_params
    return []


def object_mapping(t: ObjectT) -> dict[TypeVar, Type]:
    """The substitution of a generic object type's own type parameters by its type arguments."""
    if t.decl is None or not t.type_args:
        return {}
    params = block_type_params(t.decl)
    return {type_var(n, t.decl): a for n, a in zip(params, t.type_args, strict=False)}


def param_type(p: ast.Param) -> Type:
    t = p.type_ref.resolved
    assert t is not None, "parameter types are resolved when their declaration is checked"
    return t


def unify(p: Type, a: Type, m: dict[TypeVar, Type | None]) -> bool:
    """Match parameter type ``p`` against argument type ``a``, binding the inferable type variables
    (the keys of ``m``). Returns False when they cannot match."""
    if isinstance(p, TypeVar) and p in m:
        bound = m[p]
        if bound is None:
            m[p] = a
            return True
        if isinstance(bound, IntT) and not isinstance(a, IntT):
            m[p] = a
            return True
        return bound == a or isinstance(a, IntT)
    if isinstance(p, TupleT) and isinstance(a, TupleT):
        return len(p.elems) == len(a.elems) and all(
            unify(x, y, m) for x, y in zip(p.elems, a.elems, strict=True)
        )
    if isinstance(p, StackT) and isinstance(a, StackT):
        return p.size == a.size and unify(p.elem, a.elem, m)
    if isinstance(p, ObjectT) and isinstance(a, ObjectT):
        if p.kind != a.kind:
            return False
        if p.decl is a.decl:
            if not a.type_args:
                return True
            return len(p.type_args) == len(a.type_args) and all(
                unify(x, y, m) for x, y in zip(p.type_args, a.type_args, strict=True)
            )
        if isinstance(p.decl, (ast.ParserTypeDecl, ast.ControlTypeDecl)) and a.decl is not None:
            return _unify_block(p, a, m)
        return False
    return p == a


def _unify_block(proto: ObjectT, actual: ObjectT, m: dict[TypeVar, Type | None]) -> bool:
    """A parser/control declaration matches a prototype when their apply parameters match."""
    assert proto.decl is not None and actual.decl is not None
    pparams = block_params(proto.decl)
    aparams = block_params(actual.decl)
    if len(pparams) != len(aparams):
        return False
    pmap = object_mapping(proto)
    amap = object_mapping(actual)
    for pp, ap in zip(pparams, aparams, strict=True):
        if pp.direction != ap.direction:
            return False
        pt = substitute(param_type(pp), pmap)
        at = substitute(param_type(ap), amap)
        if not unify(pt, at, m):
            return False
    return True


# --------------------------------------------------------------------------- sizes


def min_size_in_bits(t: Type, loc: SourceLoc) -> int:
    return _size_bits(t, loc, maximum=False)


def max_size_in_bits(t: Type, loc: SourceLoc) -> int:
    return _size_bits(t, loc, maximum=True)


def _size_bits(t: Type, loc: SourceLoc, maximum: bool) -> int:
    if isinstance(t, BitsT):
        return t.width
    if isinstance(t, BoolT):
        return 1
    if isinstance(t, VarbitT):
        return t.max_width if maximum else 0
    if isinstance(t, (SerEnumT, NewTypeT)):
        return _size_bits(t.base, loc, maximum)
    if isinstance(t, HeaderUnionT):
        sizes = [_size_bits(f.type, loc, maximum) for f in t.fields]
        if not sizes:
            return 0
        return max(sizes) if maximum else min(sizes)
    if isinstance(t, StructLikeT):
        return sum(_size_bits(f.type, loc, maximum) for f in t.fields)
    if isinstance(t, StackT):
        return t.size * _size_bits(t.elem, loc, maximum)
    if isinstance(t, TupleT):
        return sum(_size_bits(e, loc, maximum) for e in t.elems)
    if isinstance(t, ErrorT | EnumT):
        raise P4Error(f"type {t} has no defined size", loc)
    raise P4Error(f"type {t} has no size in bits", loc)
