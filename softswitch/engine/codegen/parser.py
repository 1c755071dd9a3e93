"""Parsers → one Python function per parser instance.

``def prs_N(P, data, pos) -> (pos, err)``: a loop over the states that more than one transition
reaches (and the start state); a state reached from exactly one place is generated inline at that
place, so a typical Ethernet/VLAN/IP chain runs straight through. A parser error sets ``err`` to
the BMv2 error code and leaves the loop, keeping ``pos`` just before the failing operation.
``transition reject`` (and a sub-parser's reject) gives ``err = -1``: parsing stops with NoError,
as BMv2 compiles reject to accept.
"""

from __future__ import annotations

import dataclasses

from softswitch.engine.layout import (
    HeaderLayout,
    ScalarLayout,
    StackLayout,
    UnionLayout,
    VarbitLayout,
    scalar_slots,
    shape_of,
    shifted,
)
from softswitch.frontend import ast
from softswitch.frontend.instances import BlockInstance, ValueSetInstance
from softswitch.frontend.types import BitsT, BoolT, HeaderT, StructT, underlying

from .base import GenBase, mask_of
from .context import Emitter, Env, FnContext, Loc, ObjRef, unsupported
from .expressions import _field_layout
from .externs import ERR_HEADER_TOO_SHORT, ERR_INVALID_ARGUMENT, ERR_PACKET_TOO_SHORT, ERR_STACK_OUT_OF_BOUNDS

MAX_INLINE_DEPTH = 16


class ParserGen(GenBase):



    # ------------------------------------------------------------------ parser function

    def gen_parser(self, inst: BlockInstance, env: Env, local_inits: Emitter, parser_error_slot: int = -1) -> str:
        """The function of a parser instance. The top-level parser (``parser_error_slot`` set) is
        ``_parse(P, data) -> pos`` and stores a parser error in standard_metadata itself."""
        decl = inst.decl
        assert isinstance(decl, ast.ParserDecl)
        states = {s.name: s for s in decl.states}
        if "start" not in states:
            raise unsupported(f"parser {decl.name} has no start state", decl.loc)
        preds: dict[str, int] = {}
        seen: set[str] = set()
        work = ["start"]
        while work:
            name = work.pop()
            if name in seen:
                continue
            seen.add(name)
            for nxt in _targets(states[name]):
                if nxt in ("accept", "reject"):
                    continue
                if nxt not in states:
                    raise unsupported(f"transition to unknown state {nxt}", states[name].loc)
                preds[nxt] = preds.get(nxt, 0) + 1
                work.append(nxt)
        order = [s.name for s in decl.states if s.name in seen]
        dispatched = [n for n in order if n == "start" or preds.get(n, 0) != 1]
        ids = {n: i for i, n in enumerate(dispatched)}
        top = parser_error_slot >= 0
        fn = "_parse" if top else self.fresh("prs_")
        em = Emitter()
        fc = FnContext("parser", env)
        ctx = _ParserCtx(states, ids)
        with em.block(f"def {fn}(P, data):" if top else f"def {fn}(P, data, pos):"):
            if top:
                em.line("pos = 0")
            em.line("plen = len(data)")
            em.line("err = 0")
            em.extend(local_inits)
            if len(dispatched) > 1:
                em.line("st = 0")
            with em.block("while True:"):
                if len(dispatched) == 1:
                    self._state(states["start"], fc, em, ctx, 0)
                else:
                    for n in dispatched:
                        with em.block(f"if st == {ids[n]}:"):
                            self._state(states[n], fc, em, ctx, 0)
                    em.line("break")
            if top:
                with em.block("if err > 0:"):
                    em.line(f"P[{parser_error_slot}] = err")
                em.line("return pos")
            else:
                em.line("return pos, err")
        self.out.extend(em)
        return fn

    def _state(self, s: ast.ParserState, fc: FnContext, em: Emitter, ctx: _ParserCtx, depth: int) -> None:
        sfc = dataclasses.replace(fc, env=fc.env.child())
        for st in s.stmts:
            self.stmt(st, sfc, em)
        tr = s.transition
        if tr is None:
            self._goto("reject", sfc, em, ctx, depth)
            return
        if tr.select is None:
            self._goto(tr.state or "reject", sfc, em, ctx, depth)
            return
        keys: list[str] = []
        key_types = []
        self.in_select = True
        try:
            for k in tr.select:
                v = self.expr(k, sfc, em)
                if not _simple(v):
                    tmp = self.fresh("_k")
                    em.line(f"{tmp} = {v}")
                    v = tmp
                keys.append(v)
                key_types.append(self.etype(k, sfc))
        finally:
            self.in_select = False
        for case in tr.cases:
            cond = self._keyset(case.keyset, keys, sfc, em)
            if cond is None:
                self._goto(case.state, sfc, em, ctx, depth)
                return
            with em.block(f"if {cond}:"):
                self._goto(case.state, sfc, em, ctx, depth)
        em.line("break")  # no case matched: BMv2 accepts with NoError

    def _goto(self, target: str, fc: FnContext, em: Emitter, ctx: _ParserCtx, depth: int) -> None:
        if target == "accept":
            em.line("break")
        elif target == "reject":
            em.line("err = -1")
            em.line("break")
        elif target in ctx.ids:
            if len(ctx.ids) == 1:
                # only the start state loops back to itself
                em.line("continue")
            else:
                em.line(f"st = {ctx.ids[target]}")
                em.line("continue")
        elif depth >= MAX_INLINE_DEPTH:
            raise unsupported("parser state chain too deep to generate inline")
        else:
            self._state(ctx.states[target], fc, em, ctx, depth + 1)

    def _keyset(self, ks: ast.Expr, keys: list[str], fc: FnContext, em: Emitter) -> str | None:
        if isinstance(ks, (ast.DefaultExpr, ast.DontCare)):
            return None
        if isinstance(ks, ast.ListExpr) and len(keys) > 1:
            if len(ks.items) != len(keys):
                raise unsupported("select case has the wrong number of values", ks.loc)
            conds = [c for c in (self._one_key(x, k, fc, em) for x, k in zip(ks.items, keys, strict=True)) if c]
            if not conds:
                return None
            return " and ".join(conds)
        if len(keys) > 1:
            vs = self._value_set_of(ks, fc)
            if vs is not None:
                return f"{self.value_set_obj(vs)}.match(({', '.join(keys)},))"
            raise unsupported("select case needs one value per key", ks.loc)
        if isinstance(ks, ast.ListExpr) and len(ks.items) == 1:
            ks = ks.items[0]
        return self._one_key(ks, keys[0], fc, em)

    def _value_set_of(self, ks: ast.Expr, fc: FnContext) -> ValueSetInstance | None:
        if isinstance(ks, ast.Name) and ks.decl is not None:
            b = fc.env.lookup(ks.decl)
            if isinstance(b, ObjRef) and isinstance(b.obj, ValueSetInstance):
                return b.obj
        return None

    def _one_key(self, ks: ast.Expr, key: str, fc: FnContext, em: Emitter) -> str | None:
        if isinstance(ks, (ast.DefaultExpr, ast.DontCare)):
            return None
        vs = self._value_set_of(ks, fc)
        if vs is not None:
            return f"{self.value_set_obj(vs)}.match(({key},))"
        if isinstance(ks, ast.Binary) and ks.op == "&&&":
            v, m = ks.left, ks.right
            if v.const is not None and m.const is not None:
                mv = int(m.const) & mask_of(_kw(ks, fc, self))
                return f"({key} & {hex(mv)}) == {hex(int(v.const) & mv)}"
            ve, me = self.expr(v, fc, em), self.expr(m, fc, em)
            return f"({key} & {me}) == ({ve} & {me})"
        if isinstance(ks, ast.Binary) and ks.op == "..":
            lo, hi = self.expr(ks.left, fc, em), self.expr(ks.right, fc, em)
            return f"{lo} <= {key} <= {hi}"
        return f"{key} == {self.expr(ks, fc, em)}"

    # ------------------------------------------------------------------ packet_in

    def packet_in_method(self, method: str, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        if fc.kind != "parser":
            raise unsupported(f"packet_in.{method} outside a parser", c.loc)
        args = c.bound_args
        if method == "extract":
            target = args[0] if args else None
            if target is None:
                raise unsupported("extract without a header", c.loc)
            if isinstance(target, ast.DontCare):
                # extract into _: the header's bytes are skipped
                t = self.rt(c.resolved_type_args[0], fc.env, c) if c.resolved_type_args else None
                u = underlying(t) if t is not None else None
                if not isinstance(u, HeaderT):
                    raise unsupported("extract into _ needs a header type", c.loc)
                nbytes = _shape_header(u).fixed_width >> 3
                with em.block(f"if plen - pos < {nbytes}:"):
                    self.parser_fail(em, ERR_PACKET_TOO_SHORT)
                em.line(f"pos += {nbytes}")
                return None
            self._extract(target, args[1] if len(args) > 1 else None, fc, em, c)
            return None
        if method == "advance":
            a = args[0] if args else None
            if a is None:
                raise unsupported("advance without an amount", c.loc)
            if a.const is not None:
                n = int(a.const)
                if n % 8:
                    self.parser_fail(em, ERR_INVALID_ARGUMENT)
                    return None
                with em.block(f"if plen - pos < {n >> 3}:"):
                    self.parser_fail(em, ERR_PACKET_TOO_SHORT)
                em.line(f"pos += {n >> 3}")
                return None
            v = self.fresh("_adv")
            em.line(f"{v} = {self.expr(a, fc, em)}")
            with em.block(f"if {v} & 7:"):
                self.parser_fail(em, ERR_INVALID_ARGUMENT)
            with em.block(f"if plen - pos < ({v} >> 3):"):
                self.parser_fail(em, ERR_PACKET_TOO_SHORT)
            em.line(f"pos += {v} >> 3")
            return None
        if method == "lookahead":
            return self._lookahead(c, fc, em)
        if method == "length":
            return "plen"
        raise unsupported(f"packet_in.{method}", c.loc)

    def _lookahead(self, c: ast.Call, fc: FnContext, em: Emitter) -> str:
        if not c.resolved_type_args:
            raise unsupported("lookahead without a type", c.loc)
        t = self.rt(c.resolved_type_args[0], fc.env, c)
        u = underlying(t)
        shape = None
        if isinstance(u, (BitsT, BoolT)):
            width = 1 if isinstance(u, BoolT) else u.width
        elif isinstance(u, (HeaderT, StructT)):
            shape = shape_of(u)
            leaves = scalar_slots(shape)
            if any(not isinstance(x, ScalarLayout) for x in leaves):
                raise unsupported(f"lookahead<{t}> with a varbit field", c.loc)
            width = sum(x.width for x in leaves if isinstance(x, ScalarLayout))
        else:
            raise unsupported(f"lookahead<{t}>", c.loc)
        nb = (width + 7) >> 3
        var = self.fresh("_la")
        if self.in_select:
            em.line(f"{var} = int.from_bytes(data[pos:pos + {nb}].ljust({nb}, b'\\0'), 'big')")
        else:
            with em.block(f"if plen - pos < {nb}:"):
                self.parser_fail(em, ERR_PACKET_TOO_SHORT)
            em.line(f"{var} = int.from_bytes(data[pos:pos + {nb}], 'big')")
        if nb * 8 != width:
            em.line(f"{var} >>= {nb * 8 - width}")
        if isinstance(u, BoolT):
            return f"({var} != 0)"
        if isinstance(u, BitsT):
            return var
        assert shape is not None
        parts = ["1"] * shape.size
        shift = width
        for f in scalar_slots(shape):
            assert isinstance(f, ScalarLayout)
            shift -= f.width
            parts[f.base] = _extract_expr(var, shift, f.width, width)
        return "[" + ", ".join(parts) + "]"

    def _extract(self, target: ast.Expr, vlen: ast.Expr | None, fc: FnContext, em: Emitter, c: ast.Call) -> None:
        path: list[str] = []
        chain = target
        while isinstance(chain, ast.Member) and chain.kind == "field":
            path.append(chain.member)
            chain = chain.expr
        post: list[str] = []
        union: Loc | None = None
        member = ""
        if isinstance(chain, ast.Member) and chain.kind == "stack_next":
            sl = self.lvalue(chain.expr, fc, em)
            if sl is None or not isinstance(sl.layout, StackLayout) or sl.dyn is not None:
                raise unsupported("extract into .next of this value", c.loc)
            st = sl.layout
            n, b = self.fresh("_n"), self.fresh("_b")
            em.line(f"{n} = P[{st.next_slot}]")
            with em.block(f"if {n} >= {len(st.elems)}:"):
                self.parser_fail(em, ERR_STACK_OUT_OF_BOUNDS)
            first = st.elems[0]
            em.line(f"{b} = {first.base} + {st.elem_size} * {n}")
            loc = Loc(shifted(first, -first.base), b)
            for name in reversed(path):
                if isinstance(loc.layout, UnionLayout):
                    union, member = loc, name
                sub = _field_layout(loc.layout, name)
                if sub is None:
                    raise unsupported(f"no member {name}", c.loc)
                loc = Loc(sub, b)
            post.append(f"P[{st.next_slot}] = {n} + 1")
        else:
            found = self.lvalue(target, fc, em)
            if found is None:
                raise unsupported("extract into something that is not a header", c.loc)
            loc = found
            if isinstance(target, ast.Member) and target.kind == "field":
                parent = self.lvalue(target.expr, fc, em)
                if parent is not None and isinstance(parent.layout, UnionLayout):
                    union, member = parent, target.member
        h = loc.layout
        if not isinstance(h, HeaderLayout):
            raise unsupported("extract into something that is not a header", c.loc)
        if h.fixed_width % 8:
            raise unsupported("header width is not a multiple of 8 bits", c.loc)
        if h.varbit is None:
            if vlen is not None:
                raise unsupported("two-argument extract of a header without a varbit field", c.loc)
            self._extract_fixed(h, loc, em)
        else:
            if vlen is None:
                raise unsupported("extract of a header with a varbit field needs a length", c.loc)
            self._extract_varbit(h, loc, self.expr(vlen, fc, em), em)
        if union is not None:
            lay = union.layout
            assert isinstance(lay, UnionLayout)
            for name, other in lay.members.items():
                if name != member:
                    em.line(f"P[{union.slot(other.valid)}] = 0")
        for line in post:
            em.line(line)

    def _extract_fixed(self, h: HeaderLayout, loc: Loc, em: Emitter) -> None:
        nbytes = h.fixed_width >> 3
        with em.block(f"if plen - pos < {nbytes}:"):
            self.parser_fail(em, ERR_PACKET_TOO_SHORT)
        fields = [f for f in h.leaves if isinstance(f, ScalarLayout)]
        if nbytes == 0:
            em.line(f"P[{loc.slot(h.valid)}] = 1")
            return
        v = self.fresh("_v")
        em.line(f"{v} = int.from_bytes(data[pos:pos + {nbytes}], 'big')")
        em.line(f"pos += {nbytes}")
        em.line(f"P[{loc.slot(h.valid)}] = 1")
        shift = h.fixed_width
        for f in fields:
            shift -= f.width
            em.line(f"P[{loc.slot(f.base)}] = {_extract_expr(v, shift, f.width, h.fixed_width)}")

    def _extract_varbit(self, h: HeaderLayout, loc: Loc, vlen: str, em: Emitter) -> None:
        n = self.fresh("_vl")
        total = self.fresh("_tb")
        fixed_bytes = h.fixed_width >> 3
        vb = h.fields[h.varbit or ""]
        assert isinstance(vb, VarbitLayout)
        em.line(f"{n} = {vlen}")
        with em.block(f"if {n} & 7:"):
            self.parser_fail(em, ERR_INVALID_ARGUMENT)
        em.line(f"{total} = {fixed_bytes} + ({n} >> 3)")
        with em.block(f"if plen - pos < {total}:"):
            self.parser_fail(em, ERR_PACKET_TOO_SHORT)
        with em.block(f"if {total} > {fixed_bytes + (vb.max_width >> 3)}:"):
            self.parser_fail(em, ERR_HEADER_TOO_SHORT)
        v = self.fresh("_v")
        em.line(f"{v} = int.from_bytes(data[pos:pos + {total}], 'big')")
        em.line(f"pos += {total}")
        em.line(f"P[{loc.slot(h.valid)}] = 1")
        fields = list(h.leaves)
        k = fields.index(vb)
        after = sum(f.width for f in fields[k + 1:] if isinstance(f, ScalarLayout))
        # fields after the varbit: fixed shifts from the bottom
        shift = after
        for f in fields[k + 1:]:
            assert isinstance(f, ScalarLayout)
            shift -= f.width
            em.line(f"P[{loc.slot(f.base)}] = ({v} >> {shift}) & {hex(mask_of(f.width))}")
        em.line(f"P[{loc.slot(vb.base)}] = ({v} >> {after}) & ((1 << {n}) - 1)")
        em.line(f"P[{loc.slot(vb.base + 1)}] = {n}")
        shift_s = f"{after} + {n}"
        before = fields[:k]
        acc = 0
        for f in reversed(before):
            assert isinstance(f, ScalarLayout)
            em.line(f"P[{loc.slot(f.base)}] = ({v} >> ({shift_s} + {acc})) & {hex(mask_of(f.width))}")
            acc += f.width


@dataclasses.dataclass(slots=True)
class _ParserCtx:
    states: dict[str, ast.ParserState]
    ids: dict[str, int]


def _targets(s: ast.ParserState) -> list[str]:
    tr = s.transition
    if tr is None:
        return []
    if tr.select is None:
        return [tr.state] if tr.state else []
    return [c.state for c in tr.cases]


def _simple(v: str) -> bool:
    return (v.startswith("P[") and v.endswith("]") and v.count("[") == 1) or v.isidentifier()


def _extract_expr(v: str, shift: int, width: int, total: int) -> str:
    e = f"({v} >> {shift})" if shift else v
    if shift + width < total:
        e = f"{e} & {hex(mask_of(width))}"
    return e


def _shape_header(h: HeaderT) -> HeaderLayout:
    from softswitch.engine.layout import shape_of

    lay = shape_of(h)
    assert isinstance(lay, HeaderLayout)
    return lay


def _kw(ks: ast.Binary, fc: FnContext, gen: GenBase) -> int:
    t = ks.left.type
    if t is not None:
        u = underlying(t)
        if isinstance(u, BitsT):
            return u.width
    return 64
