"""From the elaborated program to the facts P4Info states (``softswitch.p4info.model.ProgramSpec``).

The rules (names, what is listed and in which order, key names, annotations) are those documented
in ``softswitch/p4info/model.py``; this module applies them to the instance tree:

* blocks are walked in the order of the package arguments; inside a block, a sub-control or
  sub-parser instance stands, at its declaration, for its own locals (recursively);
* only tables that are applied (in an applied block) survive, with the actions they refer to
  and the actions the apply blocks call directly;
* extern instances are all listed; value sets only when a ``select`` uses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from softswitch.p4info import model as m

from . import ast
from .ast_walk import live_walk
from .elaborate import name_annotation
from .errors import P4Error, SourceLoc
from .instances import BlockInstance, Elaborated, ExternInstance, TableInstance
from .p4info_annotations import convert_annotations, doc_of, explicit_id, raw_string_arg, string_arg, tokens
from .p4info_types import data_type, field_name, header_leaves, key_name, type_catalog
from .types import (
    BitsT,
    BoolT,
    EnumT,
    NewTypeT,
    ObjectT,
    SerEnumT,
    StructLikeT,
    StructT,
    Type,
)

_MODELLED_EXTERNS = frozenset(
    {"counter", "direct_counter", "meter", "direct_meter", "register", "action_profile", "action_selector"}
)
# --------------------------------------------------------------------------- program walk


def _flat_locals(bi: BlockInstance) -> list[tuple[BlockInstance, ast.Decl]]:
    out: list[tuple[BlockInstance, ast.Decl]] = []
    declared = {d.name for d in bi.decl.locals if isinstance(d, ast.InstanceDecl)}
    for name, implicit in bi.children.items():
        if name not in declared:  # an implicit instance of a directly invoked parser/control type
            out += _flat_locals(implicit)
    for local in bi.decl.locals:
        child = bi.children.get(local.name) if isinstance(local, ast.InstanceDecl) else None
        if child is not None:
            out += _flat_locals(child)
        else:
            out.append((bi, local))
    return out


def _block_body(bi: BlockInstance) -> list[ast.Node]:
    if isinstance(bi.decl, ast.ControlDecl):
        return [bi.decl.body]
    return list(bi.decl.states)


def _calls(nodes: object) -> Iterator[ast.Call]:
    for n in live_walk(nodes):
        if isinstance(n, ast.Call):
            yield n


@dataclass
class _Walk:
    elab: Elaborated
    applied_blocks: set[int] = field(default_factory=set)
    applied_tables: set[int] = field(default_factory=set)  # id(TableInstance)
    used_value_sets: set[int] = field(default_factory=set)  # id(ValueSetDecl)

    def mark(self, bi: BlockInstance) -> None:
        self.applied_blocks.add(id(bi))
        self._scan(bi, _block_body(bi))

    def _scan(self, bi: BlockInstance, nodes: object) -> None:
        by_decl = {id(t.decl): t for t in bi.tables.values()}
        for n in live_walk(nodes):
            if isinstance(n, ast.Call):
                if n.kind == "table_apply" and n.target is not None and id(n.target) in by_decl:
                    ti = by_decl[id(n.target)]
                    if id(ti) not in self.applied_tables:
                        self.applied_tables.add(id(ti))
                        self._scan(bi, ti.decl.prop("key"))  # a key may apply another table
                elif n.kind in ("control_apply", "parser_apply"):
                    child = applied_child(bi, n)
                    if child is not None and id(child) not in self.applied_blocks:
                        self.mark(child)
            elif (
                isinstance(n, ast.SelectCase)
                and isinstance(n.keyset, ast.Name)
                and isinstance(n.keyset.decl, ast.ValueSetDecl)
            ):
                self.used_value_sets.add(id(n.keyset.decl))


def applied_child(bi: BlockInstance, call: ast.Call) -> BlockInstance | None:
    """The block instance a sub-parser/control ``apply`` call in ``bi`` runs."""
    callee = call.callee
    obj = callee.expr if isinstance(callee, ast.Member) else None
    d = obj.decl if isinstance(obj, ast.Name) else None
    if isinstance(d, ast.InstanceDecl):
        return bi.children.get(d.name)
    if isinstance(d, ast.Param):
        v = bi.ctor_values.get(d.name)
        return v if isinstance(v, BlockInstance) else None
    if isinstance(d, (ast.ControlDecl, ast.ParserDecl)):
        return bi.children.get(d.name)
    return None


def _action_name(elab: Elaborated, decl: ast.ActionDecl, bi: BlockInstance) -> str:
    """The P4Info name of an action referenced from block ``bi``."""
    local = bi.actions.get(decl.name)
    if local is not None and local.decl is decl:
        return local.name
    b: BlockInstance | None = bi.parent
    while b is not None:
        local = b.actions.get(decl.name)
        if local is not None and local.decl is decl:
            return local.name
        b = b.parent
    n = name_annotation(decl)
    if n is not None and not n.startswith("."):
        return f"{bi.path}.{n}"
    top = elab.top_actions.get(decl.name)
    return top.name if top is not None else decl.name


def _no_action(elab: Elaborated) -> ast.ActionDecl | None:
    ai = elab.top_actions.get("NoAction")
    return ai.decl if ai is not None else None


def _table_action_refs(
    elab: Elaborated, t: ast.TableDecl
) -> list[tuple[ast.ActionDecl, ast.ActionRef | None]]:
    """Actions a table refers to, in property order (the implicit NoAction last in its list)."""
    out: list[tuple[ast.ActionDecl, ast.ActionRef | None]] = []
    for p in t.properties:
        if p.name == "actions":
            listed = [r for r in p.actions or [] if isinstance(r.call.target, ast.ActionDecl)]
            for r in listed:
                assert isinstance(r.call.target, ast.ActionDecl)
                out.append((r.call.target, r))
            na = _no_action(elab)
            if (
                t.prop("default_action") is None
                and na is not None
                and all(r.call.target is not na for r in listed)
            ):
                out.append((na, None))
        elif p.name == "default_action" and isinstance(p.value, ast.Call):
            if isinstance(p.value.target, ast.ActionDecl):
                out.append((p.value.target, None))
        elif p.name == "entries":
            for e in p.entries or []:
                if isinstance(e.action.target, ast.ActionDecl):
                    out.append((e.action.target, None))
    return out


# --------------------------------------------------------------------------- entities


def _params(decl: ast.ActionDecl) -> tuple[m.ParamSpec, ...]:
    out: list[m.ParamSpec] = []
    for p in decl.params:
        if p.direction != "":
            continue
        t = p.type_ref.resolved
        assert t is not None
        n = name_annotation(p)
        out.append(
            m.ParamSpec(
                n if n is not None else p.name,
                data_type(t, p.loc),
                convert_annotations(p.annotations),
                doc_of(p.annotations),
                explicit_id(p.annotations),
            )
        )
    return tuple(out)


def _action_spec(name: str, decl: ast.ActionDecl, hidden: bool, with_params: bool) -> m.ActionSpec:
    return m.ActionSpec(
        name,
        _params(decl) if with_params else (),
        convert_annotations(decl.annotations),
        doc_of(decl.annotations),
        explicit_id(decl.annotations),
        hidden,
    )


def _table_spec(elab: Elaborated, ti: TableInstance, for_p4runtime: bool) -> m.TableSpec:
    t = ti.decl
    bi = ti.block
    keys: list[m.KeySpec] = []
    kp = t.prop("key")
    for ke in (kp.keys or []) if kp is not None else []:
        n = name_annotation_key(ke)
        kt = ke.expr.type
        assert kt is not None
        keys.append(
            m.KeySpec(
                n if n is not None else key_name(ke.expr),
                data_type(kt, ke.loc),
                ke.match_kind,
                convert_annotations(ke.annotations),
                doc_of(ke.annotations),
                explicit_id(ke.annotations),
            )
        )
    refs: list[m.ActionRefSpec] = []
    ap = t.prop("actions")
    listed: list[ast.ActionDecl] = []
    for r in (ap.actions or []) if ap is not None else []:
        if isinstance(r.call.target, ast.ActionDecl):
            listed.append(r.call.target)
            refs.append(
                m.ActionRefSpec(_action_name(elab, r.call.target, bi), convert_annotations(r.annotations))
            )
    na = _no_action(elab)
    if t.prop("default_action") is None and na is not None and all(a is not na for a in listed):
        refs.append(m.ActionRefSpec(_action_name(elab, na, bi), (m.Annotation.empty("defaultonly"),)))
    const_default = None
    dp = t.prop("default_action")
    if (
        dp is not None
        and dp.is_const
        and isinstance(dp.value, ast.Call)
        and isinstance(dp.value.target, ast.ActionDecl)
    ):
        const_default = _action_name(elab, dp.value.target, bi)
    size = None
    sp = t.prop("size")
    if sp is not None and sp.value is not None:
        v = sp.value.const
        if v is None and isinstance(sp.value, ast.Name) and isinstance(sp.value.decl, ast.Param):
            cv = bi.ctor_values.get(sp.value.decl.name)
            v = cv if isinstance(cv, int) else None
        size = int(v) if v is not None else None
    ep = t.prop("entries")
    st = t.prop("support_timeout")

    def prop_name(name: str) -> str | None:
        # An extern constructed in place (``implementation = action_profile(128)``) is named by
        # the property's @name (global, as p4c does). Without @name, p4c refuses to write P4Info
        # (a controller could not name it) although BMv2 runs the program; so does softswitch when
        # the P4Info is for P4Runtime, and otherwise (STF) it names it ``<table>.<property>``.
        inst = ti.properties.get(name)
        if inst is None:
            return None
        pv = t.prop(name)
        if for_p4runtime and pv is not None and isinstance(pv.value, ast.Call) and name_annotation(pv) is None:
            raise P4Error(
                f"table '{ti.name}' has an anonymous table property '{name}' with no name annotation, "
                "which is not supported by P4Runtime",
                pv.loc,
            )
        return inst.name

    return m.TableSpec(
        ti.name,
        tuple(keys),
        tuple(refs),
        convert_annotations(t.annotations),
        doc_of(t.annotations),
        explicit_id(t.annotations),
        ti.hidden,
        size,
        const_default,
        ep is not None and ep.is_const,
        ep is not None and bool(ep.entries),
        prop_name("implementation"),
        prop_name("counters"),
        prop_name("meters"),
        st is not None and st.value is not None and st.value.const is True,
    )


def name_annotation_key(ke: ast.KeyElement) -> str | None:
    for a in ke.annotations:
        if a.name == "name":
            text = raw_string_arg(a)
            if text is not None:
                return text
    return None


def _ctor_arg(ei: ExternInstance, pname: str) -> int | bool | str | ast.Expr | None:
    if ei.ctor is None:
        return None
    for p, v in zip(ei.ctor.params, ei.args, strict=False):
        if p.name == pname:
            return v
    return None


def _enum_member(ei: ExternInstance, pname: str) -> str:
    if ei.ctor is not None:
        for p, v in zip(ei.ctor.params, ei.args, strict=False):
            if p.name == pname:
                t = p.type_ref.resolved
                if isinstance(t, EnumT) and isinstance(v, int) and 0 <= v < len(t.members):
                    return t.members[v]
    raise P4Error(f"extern {ei.name}: its '{pname}' argument must be a constant", ei.decl.loc)


def _int_arg(ei: ExternInstance, pname: str) -> int:
    v = _ctor_arg(ei, pname)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise P4Error(f"extern {ei.name}: its '{pname}' argument must be a constant", ei.decl.loc)


def _extern_specs(spec: m.ProgramSpec, ei: ExternInstance) -> None:
    d = ei.decl
    common = (convert_annotations(d.annotations), doc_of(d.annotations), explicit_id(d.annotations))
    t = ei.type
    assert isinstance(t, ObjectT)
    targs = t.type_args
    kind = t.name
    if kind == "counter":
        idx = data_type(targs[0], d.loc) if targs else None
        unit = _enum_member(ei, "type")
        spec.counters.append(m.CounterSpec(ei.name, unit, _int_arg(ei, "size"), *common, index_type=idx))  # type: ignore[arg-type]
    elif kind == "direct_counter":
        spec.direct_counters.append(m.DirectCounterSpec(ei.name, _enum_member(ei, "type"), *common))  # type: ignore[arg-type]
    elif kind == "meter":
        idx = data_type(targs[0], d.loc) if targs else None
        unit = _enum_member(ei, "type")
        spec.meters.append(m.MeterSpec(ei.name, unit, _int_arg(ei, "size"), *common, index_type=idx))  # type: ignore[arg-type]
    elif kind == "direct_meter":
        spec.direct_meters.append(m.DirectMeterSpec(ei.name, _enum_member(ei, "type"), *common))  # type: ignore[arg-type]
    elif kind == "register":
        if not targs:
            raise P4Error(f"register {ei.name} needs an element type", d.loc)
        idx = data_type(targs[1], d.loc) if len(targs) > 1 else None
        spec.registers.append(
            m.RegisterSpec(ei.name, data_type(targs[0], d.loc), _int_arg(ei, "size"), *common, index_type=idx)
        )
    elif kind in ("action_profile", "action_selector"):
        mgs = None
        for a in d.annotations:
            if a.name == "max_group_size" and a.args and isinstance(a.args[0], ast.IntLit):
                mgs = a.args[0].value
        # p4c does not print the selector tuning annotations on action profiles
        anns = tuple(a for a in common[0] if a.name not in ("selector_size_semantics", "max_member_weight"))
        spec.action_profiles.append(
            m.ActionProfileSpec(
                ei.name, _int_arg(ei, "size"), kind == "action_selector", mgs, anns, *common[1:]
            )
        )


def _value_set_spec(name: str, vs: ast.ValueSetDecl, size: int) -> m.ValueSetSpec:
    et = vs.elem_type.resolved
    assert et is not None
    matches: list[m.ValueSetMatchSpec] = []
    if isinstance(et, StructLikeT) and isinstance(et.decl, ast.StructDecl):
        for f, ft in zip(et.decl.fields, et.fields, strict=True):
            kind = "exact"
            for a in f.annotations:
                if a.name == "match" and a.args and isinstance(a.args[0], ast.Name):
                    kind = a.args[0].name
            matches.append(
                m.ValueSetMatchSpec(
                    field_name(f),
                    _width(ft.type, f.loc),
                    kind,
                    convert_annotations(f.annotations),
                    doc_of(f.annotations),
                    explicit_id(f.annotations),
                )
            )
    elif isinstance(et, SerEnumT):
        for mem, _ in et.members:
            matches.append(m.ValueSetMatchSpec(mem, et.base.width))
    else:
        matches.append(m.ValueSetMatchSpec(None, _width(et, vs.loc)))
    return m.ValueSetSpec(
        name, size, tuple(matches), convert_annotations(vs.annotations), doc_of(vs.annotations)
    )


def _width(t: Type, loc: SourceLoc) -> int:
    if isinstance(t, BitsT):
        return t.width
    if isinstance(t, BoolT):
        return 1
    if isinstance(t, (SerEnumT, NewTypeT)):
        return _width(t.base, loc)
    raise P4Error(f"a value_set field cannot have type {t}", loc)


def _controller_headers(program: ast.Program) -> list[m.ControllerHeaderSpec]:
    out: list[m.ControllerHeaderSpec] = []
    for d in program.decls:
        if not isinstance(d, ast.HeaderDecl):
            continue
        cname = string_arg(d.annotations, "controller_header")
        if cname is None:
            continue
        fields_out: list[m.ControllerFieldSpec] = []
        for f in d.fields:
            ft = f.type_ref.resolved
            assert ft is not None
            if isinstance(ft, StructT):
                for leaf, lt in header_leaves(ft, f"{f.name}.", f.loc):
                    fields_out.append(m.ControllerFieldSpec(leaf, lt, convert_annotations(f.annotations)))
            else:
                fields_out.append(
                    m.ControllerFieldSpec(
                        field_name(f),
                        data_type(ft, f.loc),
                        convert_annotations(f.annotations),
                        explicit_id(f.annotations),
                        f.annotation("hidden") is not None,
                    )
                )
        n = name_annotation(d)
        out.append(
            m.ControllerHeaderSpec(
                n if n is not None else d.name,
                cname,
                tuple(fields_out),
                convert_annotations(d.annotations),
                doc_of(d.annotations),
                explicit_id(d.annotations),
                d.annotation("hidden") is not None,
            )
        )
    return out


def _pkg_info(main: ast.InstanceDecl) -> m.PkgInfoSpec:
    keys: dict[str, str] = {}
    others: list[ast.Annotation] = []
    for a in main.annotations:
        if a.name != "pkginfo":
            others.append(a)
            continue
        toks = [t for t in tokens(a.body or "") if t != ","]
        for i in range(0, len(toks) - 2, 3):
            if toks[i + 1] != "=":
                break
            val = toks[i + 2]
            keys[toks[i]] = val[1:-1] if val.startswith('"') else val
    return m.PkgInfoSpec(
        keys.get("arch", "v1model"),
        keys.get("name"),
        keys.get("version"),
        keys.get("organization"),
        keys.get("contact"),
        keys.get("url"),
        convert_annotations(others),
        doc_of(main.annotations),
    )


# --------------------------------------------------------------------------- assembly


def to_program_spec(elab: Elaborated, *, for_p4runtime: bool = True) -> m.ProgramSpec:
    """The P4Info facts of an elaborated program; raises :class:`P4Error` for programs P4Info
    cannot describe (e.g. a complex key expression without ``@name``).

    ``for_p4runtime=False`` is for in-process use such as the STF runner: it names externs that a
    table constructs in place without ``@name`` instead of refusing them as p4c does."""
    w = _Walk(elab)
    for bi in elab.blocks.values():
        w.mark(bi)
    spec = m.ProgramSpec(pkg_info=_pkg_info(elab.package))
    spec.types = type_catalog(elab.program, elab.errors)
    digest_counter = [0]
    digest_names: set[str] = set()
    uses_extern_calls = False
    for top in elab.blocks.values():
        listed = _block_actions(elab, w, top)
        for name, decl, hidden, with_params in listed:
            spec.actions.append(_action_spec(name, decl, hidden, with_params))
        for bi, local in _flat_locals(top):
            if isinstance(local, ast.TableDecl):
                ti = bi.tables.get(local.name)
                if ti is not None and id(ti) in w.applied_tables:
                    spec.tables.append(_table_spec(elab, ti, for_p4runtime))
        # digests: the calls in the listed actions, then those in the apply blocks
        seen_actions: set[int] = set()
        for _, decl, _h, _p in listed:
            if id(decl) in seen_actions:
                continue
            seen_actions.add(id(decl))
            uses_extern_calls |= _scan_calls(spec, decl.body, digest_counter, digest_names)
        if isinstance(top.decl, ast.ControlDecl):
            uses_extern_calls |= _scan_apply(spec, top, digest_counter, digest_names)
    for ei in elab.all_externs:
        tr = ei.decl.type_ref
        if isinstance(tr, ast.NamedTypeRef) and isinstance(ei.type, ObjectT) and tr.name != ei.type.name:
            continue  # p4c does not recognise an extern instantiated through a typedef name
        _extern_specs(spec, ei)
        t = ei.type
        if isinstance(t, ObjectT) and t.name not in _MODELLED_EXTERNS:
            uses_extern_calls = True
    for vs in elab.all_value_sets:
        if id(vs.decl) in w.used_value_sets:
            spec.value_sets.append(_value_set_spec(vs.name, vs.decl, vs.size))
    spec.controller_headers = _controller_headers(elab.program)
    spec.uses_type_info = uses_extern_calls
    return spec


def _is_local_action(decl: ast.ActionDecl, bi: BlockInstance) -> bool:
    return any(a.decl is decl for a in bi.actions.values())


def _block_actions(
    elab: Elaborated, w: _Walk, top: BlockInstance
) -> list[tuple[str, ast.ActionDecl, bool, bool]]:
    """The actions P4Info lists for top-level block ``top``: (name, declaration, hidden, with
    parameters). An action only called directly from an apply block has all its arguments bound
    at the call, so p4c lists it without parameters."""
    flat = _flat_locals(top)
    top_refs: list[tuple[ast.ActionDecl, BlockInstance]] = []
    own_refs: set[int] = set()

    def ref(decl: ast.ActionDecl, bi: BlockInstance) -> None:
        if _is_local_action(decl, bi):
            own_refs.add(id(decl))
        elif all(not (d is decl and b is bi) for d, b in top_refs):
            top_refs.append((decl, bi))

    from_tables: set[int] = set()
    for bi, local in flat:
        if isinstance(local, ast.TableDecl):
            ti = bi.tables.get(local.name)
            if ti is not None and id(ti) in w.applied_tables:
                for decl, _ in _table_action_refs(elab, local):
                    ref(decl, bi)
                    from_tables.add(id(decl))
    for bi in [top, *_sub_blocks(top)]:
        if id(bi) in w.applied_blocks:
            for c in _calls(_block_body(bi)):
                if c.kind == "action" and isinstance(c.target, ast.ActionDecl):
                    ref(c.target, bi)
    listed: list[tuple[str, ast.ActionDecl, bool, bool]] = []
    for decl, bi in top_refs:
        top_ai = elab.top_actions.get(decl.name)
        hidden = top_ai.hidden if top_ai else False
        listed.append((_action_name(elab, decl, bi), decl, hidden, id(decl) in from_tables))
    for bi, local in flat:
        if isinstance(local, ast.ActionDecl) and id(local) in own_refs:
            ai = bi.actions[local.name]
            listed.append((ai.name, local, ai.hidden, id(local) in from_tables))
    return listed


def _sub_blocks(bi: BlockInstance) -> list[BlockInstance]:
    out: list[BlockInstance] = []
    for c in bi.children.values():
        out.append(c)
        out += _sub_blocks(c)
    return out


def _scan_apply(spec: m.ProgramSpec, bi: BlockInstance, counter: list[int], names: set[str]) -> bool:
    """Digest calls of an apply block, with applied sub-blocks inlined where applied; True when
    the block calls an extern function."""
    used = False
    for c in _calls(_block_body(bi)):
        if c.kind in ("control_apply", "parser_apply"):
            child = applied_child(bi, c)
            if child is not None:
                used |= _scan_apply(spec, child, counter, names)
        elif c.kind == "extern_function":
            used = True
            _digest(spec, c, counter, names)
    return used


def _scan_calls(spec: m.ProgramSpec, body: ast.Node, counter: list[int], names: set[str]) -> bool:
    """Digest calls of an action body, with the actions it calls inlined."""
    used = False
    for c in _calls(body):
        if c.kind == "extern_function":
            used = True
            _digest(spec, c, counter, names)
        elif c.kind == "action" and isinstance(c.target, ast.ActionDecl):
            used |= _scan_calls(spec, c.target.body, counter, names)
    return used


def _digest(spec: m.ProgramSpec, c: ast.Call, counter: list[int], names: set[str]) -> None:
    target = c.target
    if not isinstance(target, ast.ExternFunctionDecl) or target.name != "digest":
        return
    t = c.resolved_type_args[0] if c.resolved_type_args else None
    if isinstance(t, StructT):
        name = t.name
        if c.type_args and isinstance(c.type_args[0], ast.NamedTypeRef):
            name = c.type_args[0].name
        dt: m.DataType = m.NamedType("struct", name)
    elif t is not None:
        name = f"digest_{counter[0]}"
        counter[0] += 1
        dt = data_type(t, c.loc)
    else:
        return
    if name in names:
        return
    names.add(name)
    spec.digests.append(m.DigestSpec(name, dt))
