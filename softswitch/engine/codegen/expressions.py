"""Expressions → Python source.

Scalar expressions become Python expressions over ``P[slot]`` reads, with every arithmetic result
reduced to its width. Aggregate values (structs, headers, unions, stacks, tuples) become Python
expressions that evaluate to a list of slot values in layout order (``P[a:b]`` for a stored one).
"""

from __future__ import annotations

from softswitch.engine.layout import (
    HeaderLayout,
    ScalarLayout,
    StackLayout,
    StructLayout,
    TupleLayout,
    UnionLayout,
    VarbitLayout,
    shape_of,
    shifted,
)
from softswitch.frontend import ast
from softswitch.frontend.instances import TableInstance
from softswitch.frontend.types import (
    BitsT,
    BoolT,
    HeaderT,
    HeaderUnionT,
    IntT,
    StackT,
    StructLikeT,
    StructT,
    TupleT,
    Type,
    VarbitT,
    underlying,
)

from .base import GenBase, bits_info, mask_of
from .context import Emitter, FnContext, Loc, ObjRef, PyValue, Storage, unsupported


def literal(value: int | bool, t: Type) -> str:
    u = underlying(t)
    if isinstance(u, BoolT):
        return "True" if value else "False"
    v = int(value)
    if isinstance(u, BitsT):
        v &= mask_of(u.width)
    return hex(v) if v > 255 else str(v)


class ExprGen(GenBase):
    # ------------------------------------------------------------------ scalars

    def expr(self, e: ast.Expr, fc: FnContext, em: Emitter) -> str:
        t = self.etype(e, fc)
        if e.const is not None and not isinstance(e, ast.Call):
            return literal(e.const, t)
        if isinstance(e, ast.Name):
            return self._name(e, t, fc, em)
        if isinstance(e, ast.Member):
            return self._member(e, t, fc, em)
        if isinstance(e, ast.Index):
            return self._read_loc(e, t, fc, em)
        if isinstance(e, ast.Slice):
            inner = self.expr(e.expr, fc, em)
            hi = int(e.hi.const or 0)
            lo = int(e.lo.const or 0)
            m = mask_of(hi - lo + 1)
            if lo == 0:
                return f"({inner} & {hex(m)})"
            return f"(({inner} >> {lo}) & {hex(m)})"
        if isinstance(e, ast.Unary):
            return self._unary(e, t, fc, em)
        if isinstance(e, ast.Binary):
            return self._binary(e, t, fc, em)
        if isinstance(e, ast.Mux):
            return self._mux(e, fc, em, scalar=True, t=t)
        if isinstance(e, ast.Cast):
            return self._cast(e, t, fc, em)
        if isinstance(e, ast.Call):
            if e.const is not None:
                return literal(e.const, t)
            r = self.call(e, fc, em, want_value=True)
            if r is None:
                raise unsupported("call has no value", e.loc)
            return r
        if isinstance(e, ast.BoolLit):
            return "True" if e.value else "False"
        if isinstance(e, ast.IntLit):
            return literal(e.value, t)
        if isinstance(e, ast.ListExpr) and len(e.items) == 1 and not isinstance(underlying(t), TupleT):
            return self.expr(e.items[0], fc, em)
        raise unsupported(f"expression {type(e).__name__} in this position", e.loc)

    def _name(self, e: ast.Name, t: Type, fc: FnContext, em: Emitter) -> str:
        decl = e.decl
        if decl is None:
            raise unsupported(f"unresolved name {e.name}", e.loc)
        b = fc.env.lookup(decl)
        if isinstance(b, PyValue):
            return b.expr
        if isinstance(b, Storage):
            return self._scalar_read(b.loc, e)
        if isinstance(decl, ast.ConstDecl):
            return self.expr(decl.value, fc, em)
        raise unsupported(f"{e.name} cannot be used as a value here", e.loc)

    def _scalar_read(self, loc: Loc, node: ast.Node) -> str:
        lay = loc.layout
        if isinstance(lay, ScalarLayout):
            return f"P[{loc.slot(lay.base)}]"
        if isinstance(lay, VarbitLayout):
            return f"P[{loc.slot(lay.base)}]"
        raise unsupported("aggregate value used where a scalar is expected", node.loc)

    def _read_loc(self, e: ast.Expr, t: Type, fc: FnContext, em: Emitter) -> str:
        loc = self.lvalue(e, fc, em)
        if loc is not None:
            return self._scalar_read(loc, e)
        if isinstance(e, ast.Index) and isinstance(underlying(self.etype(e.expr, fc)), TupleT):
            whole = self.agg(e.expr, self.etype(e.expr, fc), fc, em)
            tt = underlying(self.etype(e.expr, fc))
            assert isinstance(tt, TupleT)
            shape = shape_of(tt)
            assert isinstance(shape, TupleLayout)
            idx = int(e.index.const or 0)
            return f"({whole})[{shape.elems[idx].base}]"
        raise unsupported("cannot evaluate this expression", e.loc)

    def _member(self, e: ast.Member, t: Type, fc: FnContext, em: Emitter) -> str:
        kind = e.kind
        if kind == "table_result":
            inner = e.expr
            if not (isinstance(inner, ast.Call) and inner.kind == "table_apply"):
                raise unsupported("table result of something that is not a table apply", e.loc)
            inst = self._table_of_call(inner, fc)
            code = self.table_apply(inst, fc, em)
            if e.member == "hit":
                return f"({code} & 1 == 1)"
            if e.member == "miss":
                return f"({code} & 1 == 0)"
            return f"({code} >> 1)"
        if kind == "stack_last_index":
            loc = self.lvalue(e.expr, fc, em)
            if loc is None or not isinstance(loc.layout, StackLayout):
                raise unsupported("lastIndex of a non-stack", e.loc)
            return f"((P[{loc.slot(loc.layout.next_slot)}] - 1) & 0xFFFFFFFF)"
        if kind == "stack_size":
            st = underlying(self.etype(e.expr, fc))
            assert isinstance(st, StackT)
            return str(st.size)
        if kind == "field":
            loc = self.lvalue(e, fc, em)
            if loc is not None:
                return self._scalar_read(loc, e)
            # field of a non-stored aggregate (function result, lookahead, struct expression)
            pt = self.etype(e.expr, fc)
            whole = self.agg(e.expr, pt, fc, em)
            shape = shape_of(underlying(pt))
            sub = _field_layout(shape, e.member)
            if sub is None or not isinstance(sub, (ScalarLayout, VarbitLayout)):
                raise unsupported(f"field {e.member} of this value", e.loc)
            return f"({whole})[{sub.base}]"
        raise unsupported(f"member {e.member} ({kind}) as a value", e.loc)

    def _table_of_call(self, c: ast.Call, fc: FnContext) -> TableInstance:
        callee = c.callee
        target = c.target
        if isinstance(callee, ast.Member) and isinstance(callee.expr, ast.Name) and callee.expr.decl is not None:
            b = fc.env.lookup(callee.expr.decl)
            if isinstance(b, ObjRef) and isinstance(b.obj, TableInstance):
                return b.obj
        if target is not None:
            b = fc.env.lookup(target)
            if isinstance(b, ObjRef) and isinstance(b.obj, TableInstance):
                return b.obj
        raise unsupported("cannot find the table applied here", c.loc)

    def _mux(self, e: ast.Mux, fc: FnContext, em: Emitter, scalar: bool, t: Type) -> str:
        """``c ? a : b``; when a branch has side effects only the chosen one runs."""
        c = self.expr(e.cond, fc, em)
        ea, eb = Emitter(em.level + 1), Emitter(em.level + 1)
        a = self.expr(e.then, fc, ea) if scalar else self.agg(e.then, t, fc, ea)
        b = self.expr(e.else_, fc, eb) if scalar else self.agg(e.else_, t, fc, eb)
        if not ea.lines and not eb.lines:
            return f"({a} if {c} else {b})"
        var = self.fresh("_mx")
        em.line(f"if {c}:")
        em.extend(ea)
        em.line(f"    {var} = {a}")
        em.line("else:")
        em.extend(eb)
        em.line(f"    {var} = {b}")
        return var

    def ordered(self, first: str, em: Emitter, mark: int) -> str:
        """Keep left-to-right order: if code was emitted after ``mark`` (side effects of a later
        operand), capture ``first`` in a temporary before that code."""
        if em.mark() == mark or _simple_const(first):
            return first
        var = self.fresh("_o")
        em.insert(mark, f"{var} = {first}")
        return var

    def _unary(self, e: ast.Unary, t: Type, fc: FnContext, em: Emitter) -> str:
        x = self.expr(e.expr, fc, em)
        if e.op == "!":
            return f"(not {x})"
        if e.op == "+":
            return x
        w, _s = bits_info(t)
        if w == 0:
            if e.op == "-":
                return f"(-{x})"
            return f"(~{x})"
        m = hex(mask_of(w))
        if e.op == "-":
            return f"((-{x}) & {m})"
        return f"({x} ^ {m})"

    def _binary(self, e: ast.Binary, t: Type, fc: FnContext, em: Emitter) -> str:
        op = e.op
        if op in ("&&", "||"):
            a = self.expr(e.left, fc, em)
            er = Emitter(em.level + 1)
            b = self.expr(e.right, fc, er)
            if not er.lines:
                return f"({a} {'and' if op == '&&' else 'or'} {b})"
            var = self.fresh("_sc")
            em.line(f"{var} = {a}")
            em.line(f"if {'' if op == '&&' else 'not '}{var}:")
            em.extend(er)
            em.line(f"    {var} = {b}")
            return var
        lt = self.etype(e.left, fc)
        if op in ("==", "!="):
            lu = underlying(lt)
            if isinstance(lu, (StructLikeT, StackT, TupleT)):
                a = self.agg(e.left, lt, fc, em)
                mark = em.mark()
                b = self.agg(e.right, self.etype(e.right, fc), fc, em)
                a = self.ordered(a, em, mark)
                segs = tuple(_eq_segments(shape_of(lu)))
                return f"({'' if op == '==' else 'not '}_agg_eq({a}, {b}, {segs!r}))"
            a = self.expr(e.left, fc, em)
            mark = em.mark()
            b = self.expr(e.right, fc, em)
            a = self.ordered(a, em, mark)
            if isinstance(lu, BoolT):
                return f"(bool({a}) {op} bool({b}))"
            return f"({a} {op} {b})"
        a = self.expr(e.left, fc, em)
        mark = em.mark()
        b = self.expr(e.right, fc, em)
        a = self.ordered(a, em, mark)
        if op in ("<", ">", "<=", ">="):
            w, s = bits_info(lt)
            if s and w:
                h = hex(1 << (w - 1))
                return f"(({a} ^ {h}) {op} ({b} ^ {h}))"
            return f"({a} {op} {b})"
        w, s = bits_info(t)
        if w == 0:
            # unbounded int arithmetic (only reachable for non-constant infint, which the checker folds)
            pyop = {"/": "//"}.get(op, op)
            return f"({a} {pyop} {b})"
        m = hex(mask_of(w))
        if op in ("+", "-", "*"):
            return f"(({a} {op} {b}) & {m})"
        if op in ("&", "|", "^"):
            return f"({a} {op} {b})"
        if op == "++":
            rw, _rs = bits_info(self.etype(e.right, fc))
            return f"(({a} << {rw}) | {b})"
        if op == "<<":
            n = e.right.const
            if n is not None:
                n = int(n)
                if n >= w:
                    return "0"
                return f"(({a} << {n}) & {m})" if n else a
            return f"_shl({a}, {b}, {w})"
        if op == ">>":
            n = e.right.const
            if not s:
                if n is not None and int(n) >= w:
                    return "0"
                return f"({a} >> {b})"
            return f"_shr_s({a}, {b}, {w})"
        if op == "|+|":
            if not s:
                return f"min({a} + {b}, {m})"
            return f"_sat_add({a}, {b}, {w}, True)"
        if op == "|-|":
            if not s:
                return f"max({a} - {b}, 0)"
            return f"_sat_sub({a}, {b}, {w}, True)"
        if op == "/":
            return f"_div({a}, {b}, {w})"
        if op == "%":
            return f"_mod({a}, {b}, {w})"
        raise unsupported(f"operator {op}", e.loc)

    def _cast(self, e: ast.Cast, t: Type, fc: FnContext, em: Emitter) -> str:
        src_t = self.etype(e.expr, fc)
        su, tu = underlying(src_t), underlying(t)
        x = self.expr(e.expr, fc, em)
        if isinstance(tu, BoolT):
            if isinstance(su, BoolT):
                return x
            return f"({x} != 0)"
        if isinstance(tu, BitsT):
            if isinstance(su, BoolT):
                return f"(1 if {x} else 0)"
            if isinstance(su, BitsT):
                if su.signed and tu.width > su.width:
                    h = hex(1 << (su.width - 1))
                    return f"((({x} ^ {h}) - {h}) & {hex(mask_of(tu.width))})"
                if tu.width >= su.width:
                    return x
                return f"({x} & {hex(mask_of(tu.width))})"
            return f"({x} & {hex(mask_of(tu.width))})"
        return x

    # ------------------------------------------------------------------ locations

    def lvalue(self, e: ast.Expr, fc: FnContext, em: Emitter) -> Loc | None:
        over = self.lv_override.get(id(e))
        if over is not None:
            return over
        if isinstance(e, ast.Name):
            if e.decl is None:
                return None
            b = fc.env.lookup(e.decl)
            if isinstance(b, Storage):
                return b.loc
            return None
        if isinstance(e, ast.Member):
            if e.kind == "field":
                parent = self.lvalue(e.expr, fc, em)
                if parent is None:
                    return None
                sub = _field_layout(parent.layout, e.member)
                if sub is None:
                    return None
                return Loc(sub, parent.dyn)
            if e.kind in ("stack_next", "stack_last"):
                parent = self.lvalue(e.expr, fc, em)
                if parent is None or not isinstance(parent.layout, StackLayout):
                    return None
                st = parent.layout
                if not st.elems:
                    raise unsupported("empty header stack", e.loc)
                nxt = f"P[{parent.slot(st.next_slot)}]"
                idx = f"min({nxt}, {len(st.elems) - 1})" if e.kind == "stack_next" else f"max({nxt} - 1, 0)"
                return self._dyn_elem(parent, st, idx)
            return None
        if isinstance(e, ast.Index):
            parent = self.lvalue(e.expr, fc, em)
            if parent is None:
                return None
            lay = parent.layout
            if isinstance(lay, TupleLayout):
                i = int(e.index.const or 0)
                return Loc(lay.elems[i], parent.dyn)
            if not isinstance(lay, StackLayout):
                return None
            if e.index.const is not None:
                i = int(e.index.const)
                if not 0 <= i < len(lay.elems):
                    raise unsupported(f"index {i} out of range for a stack of {len(lay.elems)}", e.loc)
                return Loc(lay.elems[i], parent.dyn)
            idx = self.expr(e.index, fc, em)
            return self._dyn_elem(parent, lay, f"min({idx}, {len(lay.elems) - 1})")
        return None

    def _dyn_elem(self, parent: Loc, st: StackLayout, idx: str) -> Loc:
        if parent.dyn is not None:
            raise unsupported("run-time index into a stack that is itself addressed at run time")
        first = st.elems[0]
        rel = shifted(first, -first.base)
        base = f"({first.base} + {st.elem_size} * {idx})" if st.elem_size != 1 else f"({first.base} + {idx})"
        return Loc(rel, base)

    # ------------------------------------------------------------------ aggregates

    def agg(self, e: ast.Expr, t: Type, fc: FnContext, em: Emitter) -> str:
        """Python expression for the list of slot values of aggregate ``e`` (layout of type ``t``)."""
        loc = self.lvalue(e, fc, em)
        if loc is not None:
            a, b = loc.rng()
            return f"P[{a}:{b}]"
        tu = underlying(t)
        if isinstance(e, ast.Name) and isinstance(e.decl, ast.ConstDecl):
            return self.agg(e.decl.value, t, fc, em)
        if isinstance(e, ast.Mux):
            return self._mux(e, fc, em, scalar=False, t=t)
        if isinstance(e, (ast.InvalidExpr, ast.DefaultInit)):
            # every default value is a zero slot: invalid headers, empty stacks, 0/false fields
            return f"[0] * {shape_of(tu).size}"
        if isinstance(e, ast.Call):
            r = self.call(e, fc, em, want_value=True)
            if r is None:
                raise unsupported("call has no value", e.loc)
            return r
        if isinstance(e, ast.Cast):
            return self.agg(e.expr, t, fc, em)
        if isinstance(e, (ast.StructExpr, ast.ListExpr)):
            return self._compose(e, tu, fc, em)
        if isinstance(tu, (BitsT, BoolT, IntT)) or not isinstance(tu, (StructLikeT, TupleT, StackT, VarbitT)):
            return f"[{self.expr(e, fc, em)}]"
        part = self._agg_part(e, fc, em)
        if part is not None:
            return part
        raise unsupported(f"aggregate expression {type(e).__name__}", e.loc)

    def _agg_part(self, e: ast.Expr, fc: FnContext, em: Emitter) -> str | None:
        """A member or constant-index element of an aggregate that is not stored (a function's
        result, ``f().h``, ``f()[0]``): a slice of the whole value."""
        sub: object = None
        if isinstance(e, ast.Member) and e.kind == "field":
            pt = self.etype(e.expr, fc)
            sub = _field_layout(shape_of(underlying(pt)), e.member)
        elif isinstance(e, ast.Index) and e.index.const is not None:
            pt = self.etype(e.expr, fc)
            shape = shape_of(underlying(pt))
            i = int(e.index.const)
            if isinstance(shape, (StackLayout, TupleLayout)) and 0 <= i < len(shape.elems):
                sub = shape.elems[i]
        else:
            return None
        if not isinstance(sub, (HeaderLayout, StructLayout, UnionLayout, StackLayout, TupleLayout, VarbitLayout)):
            return None
        whole = self.agg(e.expr, pt, fc, em)
        return f"({whole})[{sub.base}:{sub.base + sub.size}]"

    def _compose(self, e: ast.StructExpr | ast.ListExpr, tu: Type, fc: FnContext, em: Emitter) -> str:
        parts: list[str] = []
        if isinstance(tu, (StructT, HeaderT, HeaderUnionT)):
            names = [f.name for f in tu.fields]
            ftypes = [f.type for f in tu.fields]
            if isinstance(e, ast.StructExpr):
                by_name = dict(e.fields)
                items = []
                for n in names:
                    if n not in by_name:
                        raise unsupported(f"struct expression lacks field {n}", e.loc)
                    items.append(by_name[n])
            else:
                items = list(e.items)
            if len(items) != len(ftypes):
                raise unsupported("initializer has the wrong number of fields", e.loc)
            if isinstance(tu, HeaderT):
                parts.append("[1]")
        elif isinstance(tu, TupleT):
            items = list(e.items) if isinstance(e, ast.ListExpr) else [v for _, v in e.fields]
            ftypes = list(tu.elems)
        else:
            raise unsupported(f"initializer for a value of type {tu}", e.loc)
        for item, ft in zip(items, ftypes, strict=True):
            fu = underlying(ft)
            mark = em.mark()
            if isinstance(fu, (StructLikeT, TupleT, StackT, VarbitT)):
                part = self.agg(item, ft, fc, em)
            else:
                part = f"[{self.expr(item, fc, em)}]"
            if em.mark() != mark and parts:
                # a later item has side effects: evaluate the earlier ones first
                whole = " + ".join(parts)
                var = self.fresh("_o")
                em.insert(mark, f"{var} = {whole}")
                parts = [var]
            parts.append(part)
        if not parts:
            return "[]"
        return " + ".join(parts)


def _simple_const(v: str) -> bool:
    return v.isdigit() or v.startswith("0x") or v in ("True", "False")


def _eq_segments(lay: object) -> list[tuple[bool, int, int]]:
    if isinstance(lay, HeaderLayout):
        return [(True, lay.base, lay.base + lay.size)]
    if isinstance(lay, (ScalarLayout, VarbitLayout)):
        return [(False, lay.base, lay.base + lay.size)]
    if isinstance(lay, StructLayout):
        return [s for f in lay.fields.values() for s in _eq_segments(f)]
    if isinstance(lay, UnionLayout):
        return [s for m in lay.members.values() for s in _eq_segments(m)]
    if isinstance(lay, (StackLayout,)):
        return [s for e in lay.elems for s in _eq_segments(e)]
    if isinstance(lay, TupleLayout):
        return [s for e in lay.elems for s in _eq_segments(e)]
    return []


def _field_layout(
    lay: object, name: str
) -> ScalarLayout | VarbitLayout | HeaderLayout | StructLayout | UnionLayout | StackLayout | TupleLayout | None:
    if isinstance(lay, (StructLayout, HeaderLayout)):
        sub = lay.fields.get(name)
        assert sub is None or isinstance(
            sub, (ScalarLayout, VarbitLayout, HeaderLayout, StructLayout, UnionLayout, StackLayout, TupleLayout)
        )
        return sub
    if isinstance(lay, UnionLayout):
        return lay.members.get(name)
    return None
