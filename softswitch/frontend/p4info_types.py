"""P4Info's view of types: ``DataType`` values, the catalogue of named types, and the names p4c
gives to table keys."""

from __future__ import annotations

from softswitch.p4info import model as m

from . import ast
from .elaborate import name_annotation
from .errors import P4Error, SourceLoc
from .p4info_annotations import convert_annotations, tokens
from .types import (
    BitsT,
    BoolT,
    EnumT,
    ErrorT,
    FieldT,
    HeaderT,
    HeaderUnionT,
    NewTypeT,
    SerEnumT,
    StackT,
    StructLikeT,
    StructT,
    TupleT,
    Type,
    VarbitT,
)

# --------------------------------------------------------------------------- types


def data_type(t: Type, loc: SourceLoc) -> m.DataType:
    if isinstance(t, BitsT):
        return m.BitsType(t.width, t.signed)
    if isinstance(t, VarbitT):
        return m.VarbitType(t.max_width)
    if isinstance(t, BoolT):
        return m.BoolType()
    if isinstance(t, TupleT):
        return m.TupleType(tuple(data_type(e, loc) for e in t.elems))
    if isinstance(t, HeaderT):
        return m.NamedType("header", t.name)
    if isinstance(t, HeaderUnionT):
        return m.NamedType("header_union", t.name)
    if isinstance(t, StructLikeT):
        return m.NamedType("struct", t.name)
    if isinstance(t, SerEnumT):
        return m.NamedType("serializable_enum", t.name)
    if isinstance(t, EnumT):
        return m.NamedType("enum", t.name)
    if isinstance(t, NewTypeT):
        return m.NamedType("new_type", t.name)
    if isinstance(t, ErrorT):
        return m.NamedType("error", "error")
    if isinstance(t, StackT):
        elem = data_type(t.elem, loc)
        assert isinstance(elem, m.NamedType)
        return m.StackType(elem, t.size)
    raise P4Error(f"type {t} cannot be described in P4Info", loc)


def field_name(f: ast.FieldDecl) -> str:
    n = name_annotation(f)
    return n if n is not None else f.name


def header_leaves(t: Type, prefix: str, loc: SourceLoc) -> list[tuple[str, m.DataType]]:
    assert isinstance(t, StructLikeT)
    out: list[tuple[str, m.DataType]] = []
    decl_fields = t.decl.fields if isinstance(t.decl, (ast.HeaderDecl, ast.StructDecl)) else []
    for i, f in enumerate(t.fields):
        if isinstance(f.type, StructT):
            out += header_leaves(f.type, f"{prefix}{f.name}.", loc)
        else:
            name = field_name(decl_fields[i]) if i < len(decl_fields) and not prefix else f.name
            out.append((prefix + name, data_type(f.type, loc)))
    return out


def _translation(anns: list[ast.Annotation]) -> m.Translation | None:
    """``@p4runtime_translation(uri, W)``, where W is a width, ``bit<W>`` or ``string``."""
    for a in anns:
        if a.name != "p4runtime_translation":
            continue
        toks = tokens(a.body or "")
        if not toks or not toks[0].startswith('"'):
            raise P4Error("@p4runtime_translation needs a URI string and a width", a.loc)
        uri = toks[0][1:-1]
        rest = [t for t in toks[1:] if t != ","]
        if rest == ["string"]:
            return m.Translation(uri, None)
        if len(rest) == 4 and rest[0] == "bit" and rest[1] == "<" and rest[3] == ">":
            rest = [rest[2]]
        if len(rest) == 1:
            try:
                return m.Translation(uri, int(rest[0], 0))
            except ValueError:
                pass
        raise P4Error("@p4runtime_translation needs a width (an integer, bit<W> or string)", a.loc)
    return None


def type_catalog(program: ast.Program, errors: dict[str, int]) -> m.TypeCatalog:
    cat = m.TypeCatalog(errors=tuple(errors))
    for d in program.decls:
        if isinstance(d, (ast.HeaderDecl, ast.StructDecl, ast.HeaderUnionDecl)) and d.type_params:
            continue
        if isinstance(d, ast.StructDecl):
            members: list[tuple[str, m.DataType]] = []
            for f in d.fields:
                ft = f.type_ref.resolved
                assert ft is not None
                members.append((field_name(f), data_type(ft, f.loc)))
            cat.structs[d.name] = m.StructDef(tuple(members))
        elif isinstance(d, ast.HeaderDecl):
            fts: list[FieldT] = []
            for f in d.fields:
                ft = f.type_ref.resolved
                assert ft is not None
                fts.append(FieldT(f.name, ft))
            cat.headers[d.name] = m.StructDef(tuple(header_leaves(HeaderT(d.name, tuple(fts), d), "", d.loc)))
        elif isinstance(d, ast.HeaderUnionDecl):
            cat.header_unions[d.name] = m.HeaderUnionDef(
                tuple((f.name, str(f.type_ref.resolved)) for f in d.fields)
            )
        elif isinstance(d, ast.EnumDecl):
            if d.underlying is None:
                cat.enums[d.name] = tuple(x.name for x in d.members)
            else:
                base = d.underlying.resolved
                assert isinstance(base, BitsT)
                vals = tuple(
                    (x.name, int(x.value.const or 0) if x.value is not None else 0) for x in d.members
                )
                cat.serializable_enums[d.name] = m.SerEnumDef(base.width, vals)
        elif isinstance(d, ast.NewTypeDecl):
            base = d.type_ref.resolved
            while isinstance(base, NewTypeT):
                base = base.base
            assert base is not None
            cat.new_types[d.name] = m.NewTypeDef(
                data_type(base, d.loc), _translation(d.annotations), convert_annotations(d.annotations)
            )
    return cat


# --------------------------------------------------------------------------- key names


def _int_text(e: ast.IntLit) -> str:
    text = e.text or str(e.value)
    body = text
    for sep in ("w", "s"):
        head, s, tail = text.partition(sep)
        if s and head.isdigit() and tail:
            body = tail
            break
    low = body.lower()
    if low.startswith("0x"):
        return "0x" + format(e.value, "x")
    if low.startswith("0o"):
        return "0o" + format(e.value, "o")
    if low.startswith("0b"):
        return "0b" + format(e.value, "b")
    return str(e.value)


def key_name(e: ast.Expr) -> str:
    if isinstance(e, ast.Name):
        return ("." if e.is_global else "") + e.name
    if isinstance(e, ast.Member):
        base = key_name(e.expr)
        fname = e.member
        t = e.expr.type
        if isinstance(t, StructLikeT) and isinstance(
            t.decl, (ast.HeaderDecl, ast.StructDecl, ast.HeaderUnionDecl)
        ):
            for f in t.decl.fields:
                if f.name == e.member:
                    n = name_annotation(f)
                    if n is not None:
                        if n.startswith("."):
                            return n[1:]
                        fname = n
        return f"{base}.{fname}"
    if (
        isinstance(e, ast.Call)
        and e.kind == "header_method"
        and isinstance(e.callee, ast.Member)
        and e.callee.member == "isValid"
    ):
        return f"{key_name(e.callee.expr)}.$valid$"
    if isinstance(e, ast.Index):
        return f"{key_name(e.expr)}[{key_name(e.index)}]"
    if isinstance(e, ast.Slice):
        return f"{key_name(e.expr)}[{key_name(e.hi)}:{key_name(e.lo)}]"
    if isinstance(e, ast.Binary) and e.op == "&":
        return f"{key_name(e.left)} & {key_name(e.right)}"
    if isinstance(e, ast.IntLit):
        return _int_text(e)
    raise P4Error("complex key expression requires a @name annotation", e.loc)
