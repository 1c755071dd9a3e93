"""Statements, assignments, local declarations and the non-extern calls → Python source."""

from __future__ import annotations

import dataclasses

from softswitch.engine.layout import (
    SLOT_LEN_REG,
    HeaderLayout,
    ScalarLayout,
    StackLayout,
    UnionLayout,
    headers_in,
)
from softswitch.frontend import ast
from softswitch.frontend.instances import ActionInstance
from softswitch.frontend.types import (
    HeaderUnionT,
    StackT,
    StructLikeT,
    TupleT,
    Type,
    VarbitT,
    underlying,
)

from .base import GenBase, bits_info, mask_of
from .context import Emitter, FnContext, Loc, ObjRef, PyValue, Storage, unsupported
from .expressions import literal

# Passes a three-clause for loop may make for one packet before the switch gives up on it.
LOOP_PASS_LIMIT = 1 << 20


def _header_bytes(h: HeaderLayout, loc: Loc) -> str:
    fixed = h.fixed_width // 8
    if h.varbit is None:
        return str(fixed)
    vb = h.fields[h.varbit]
    return f"({fixed} + (P[{loc.slot(vb.base + 1)}] >> 3))"


class StmtGen(GenBase):
    # ------------------------------------------------------------------ statements

    def stmt(self, s: ast.Stmt | ast.Decl, fc: FnContext, em: Emitter) -> None:
        if isinstance(s, ast.Assign):
            self._assign(s, fc, em)
        elif isinstance(s, ast.CallStmt):
            r = self.call(s.call, fc, em, want_value=False)
            if r is not None and r not in ("None", "") and not r.isidentifier():
                em.line(r)
        elif isinstance(s, ast.Block):
            inner = dataclasses.replace(fc, env=fc.env.child())
            for x in s.stmts:
                self.stmt(x, inner, em)
        elif isinstance(s, ast.If):
            cond = self.expr(s.cond, fc, em)
            with em.block(f"if {cond}:"):
                self.stmt(s.then, fc, em)
            if s.else_ is not None and not isinstance(s.else_, ast.EmptyStmt):
                with em.block("else:"):
                    self.stmt(s.else_, fc, em)
        elif isinstance(s, ast.Exit):
            if fc.kind == "parser":
                raise unsupported("exit in a parser", s.loc)
            em.line("raise _Exit()")
        elif isinstance(s, ast.Return):
            if s.value is None:
                em.line("return")
            else:
                t = self.etype(s.value, fc)
                if isinstance(underlying(t), (StructLikeT, TupleT, StackT, VarbitT)):
                    em.line(f"return list({self.agg(s.value, t, fc, em)})")
                else:
                    em.line(f"return {self.expr(s.value, fc, em)}")
        elif isinstance(s, ast.Switch):
            self._switch(s, fc, em)
        elif isinstance(s, ast.EmptyStmt):
            pass
        elif isinstance(s, ast.For):
            self._for(s, fc, em)
        elif isinstance(s, ast.ForIn):
            self._for_in(s, fc, em)
        elif isinstance(s, ast.Break):
            em.line("break")
        elif isinstance(s, ast.Continue):
            em.line("continue")
        elif isinstance(s, ast.Decl):
            self.declare_local(s, fc, em, self._local_prefix(fc))
        else:
            raise unsupported(f"statement {type(s).__name__}", s.loc)

    def _local_prefix(self, fc: FnContext) -> str:
        b = fc.env.block
        return b.path if b is not None else ""

    def declare_local(self, d: ast.Decl, fc: FnContext, em: Emitter, name_prefix: str) -> None:
        if isinstance(d, ast.VarDecl):
            t = self.rt(d.type_ref.resolved, fc.env, d)
            lay = self.alloc(t, f"{name_prefix}.{d.name}" if name_prefix else d.name)
            loc = Loc(lay)
            fc.env.bindings[d] = Storage(loc)
            if d.init is not None:
                self.assign_loc(loc, t, d.init, fc, em)
        elif isinstance(d, ast.ConstDecl):
            v = d.value
            if v.const is not None:
                t = self.rt(d.type_ref.resolved, fc.env, d)
                fc.env.bindings[d] = PyValue(literal(v.const, t), t)
        elif isinstance(d, (ast.InstanceDecl, ast.TableDecl, ast.ActionDecl, ast.ValueSetDecl, ast.FunctionDecl)):
            pass  # bound by the block generator
        else:
            raise unsupported(f"local declaration {type(d).__name__}", d.loc)

    def _assign(self, s: ast.Assign, fc: FnContext, em: Emitter) -> None:
        if isinstance(s.lhs, ast.DontCare):
            return
        if isinstance(s.lhs, ast.Slice):
            self._assign_slice(s.lhs, self.expr(s.rhs, fc, em), fc, em)
            return
        loc = self.lvalue(s.lhs, fc, em)
        if loc is None:
            raise unsupported("assignment to something that is not a variable, field or header", s.loc)
        if loc.dyn is not None and not loc.dyn.isidentifier():
            # evaluate a run-time index once (``a[f()].x |= v`` reads and writes the same element)
            var = self.fresh("_ix")
            em.line(f"{var} = {loc.dyn}")
            loc = Loc(loc.layout, var)
        t = self.etype(s.lhs, fc)
        # a compound assignment ``a op= b`` arrives as ``a = a op b`` with a second copy of ``a``
        # parsed from the same place: it names the same element, evaluated once
        rhs = s.rhs
        same = rhs.left if isinstance(rhs, ast.Binary) and rhs.loc == s.lhs.loc and rhs.left.loc == s.lhs.loc else None
        if same is not None:
            self.lv_override[id(same)] = loc
        try:
            self.assign_loc(loc, t, s.rhs, fc, em)
        finally:
            if same is not None:
                del self.lv_override[id(same)]
        # assigning a header that is a union member: the union keeps one valid member
        lhs = s.lhs
        if isinstance(lhs, ast.Member) and lhs.kind == "field":
            pt = underlying(self.etype(lhs.expr, fc))
            if isinstance(pt, HeaderUnionT):
                parent = self.lvalue(lhs.expr, fc, em)
                if parent is not None and isinstance(parent.layout, UnionLayout):
                    self._union_exclusive(parent, lhs.member, em)

    def _assign_slice(self, lhs: ast.Slice, v: str, fc: FnContext, em: Emitter) -> None:
        """``x[hi:lo] = v`` (also nested slices): replace those bits of ``x``."""
        hi = int(lhs.hi.const or 0)
        lo = int(lhs.lo.const or 0)
        width = hi - lo + 1
        base: ast.Expr = lhs.expr
        while isinstance(base, ast.Slice):
            lo += int(base.lo.const or 0)
            base = base.expr
        loc = self.lvalue(base, fc, em)
        if loc is None or not isinstance(loc.layout, ScalarLayout):
            raise unsupported("slice assignment to something that is not a variable or field", lhs.loc)
        m = (1 << width) - 1
        slot = loc.slot(loc.layout.base)
        keep = hex(((1 << loc.layout.width) - 1) ^ (m << lo))
        em.line(f"P[{slot}] = (P[{slot}] & {keep}) | ((({v}) & {hex(m)}) << {lo})")

    def _union_exclusive(self, union: Loc, member: str, em: Emitter) -> None:
        lay = union.layout
        assert isinstance(lay, UnionLayout)
        me = lay.members[member]
        others = [h for n, h in lay.members.items() if n != member]
        if not others:
            return
        with em.block(f"if P[{union.slot(me.valid)}]:"):
            for h in others:
                em.line(f"P[{union.slot(h.valid)}] = 0")

    def assign_loc(self, dst: Loc, t: Type, rhs: ast.Expr, fc: FnContext, em: Emitter) -> None:
        lay = dst.layout
        if isinstance(lay, ScalarLayout):
            em.line(f"P[{dst.slot(lay.base)}] = {self.expr(rhs, fc, em)}")
            return
        if isinstance(rhs, ast.InvalidExpr):
            for h in headers_in(lay):
                em.line(f"P[{dst.slot(h.valid)}] = 0")
            return
        a, b = dst.rng()
        if lay.size == 0:
            return
        em.line(f"P[{a}:{b}] = {self.agg(rhs, t, fc, em)}")

    def copy_loc(self, dst: Loc, src: Loc, em: Emitter) -> None:
        if dst.layout.size == 1:
            em.line(f"P[{dst.slot(dst.layout.base)}] = P[{src.slot(src.layout.base)}]")
            return
        a, b = dst.rng()
        c, d = src.rng()
        em.line(f"P[{a}:{b}] = P[{c}:{d}]")

    # ------------------------------------------------------------------ header validity

    def set_valid(self, loc: Loc, em: Emitter, union: Loc | None = None, member: str = "") -> None:
        h = loc.layout
        assert isinstance(h, HeaderLayout)
        with em.block(f"if not P[{loc.slot(h.valid)}]:"):
            em.line(f"P[{loc.slot(h.valid)}] = 1")
            if h.size > 1:
                em.line(f"P[{loc.slot(h.base + 1)}:{loc.slot(h.base + h.size)}] = {[0] * (h.size - 1)!r}")
            em.line(f"P[{SLOT_LEN_REG}] += {h.fixed_width // 8}")
        if union is not None:
            self._union_exclusive(union, member, em)

    def set_invalid(self, loc: Loc, em: Emitter) -> None:
        h = loc.layout
        assert isinstance(h, HeaderLayout)
        with em.block(f"if P[{loc.slot(h.valid)}]:"):
            em.line(f"P[{SLOT_LEN_REG}] -= {_header_bytes(h, loc)}")
            em.line(f"P[{loc.slot(h.valid)}] = 0")

    # ------------------------------------------------------------------ loops

    def _for(self, s: ast.For, fc: FnContext, em: Emitter) -> None:
        """``for (init; cond; updates) body`` as a Python loop. The updates run at the top of
        every pass but the first, so that a ``continue`` in the body still runs them."""
        inner = dataclasses.replace(fc, env=fc.env.child())
        for x in s.init:
            self.stmt(x, inner, em)
        first = self.fresh("_first")
        em.line(f"{first} = True")
        # bounded: a loop that never ends (BMv2 would hang) stops the switch like a failed assert
        with em.block(f"for _ in range({LOOP_PASS_LIMIT}):"):
            if s.updates:
                with em.block(f"if {first}:"):
                    em.line(f"{first} = False")
                with em.block("else:"):
                    for u in s.updates:
                        self.stmt(u, inner, em)
            cond = self.expr(s.cond, inner, em)
            with em.block(f"if not {cond}:"):
                em.line("break")
            self.stmt(s.body, inner, em)
        with em.block("else:"):
            message = f"for loop at {s.loc} ran {LOOP_PASS_LIMIT} times without ending"
            em.line(f"raise _Fatal({message!r})")

    def _for_in(self, s: ast.ForIn, fc: FnContext, em: Emitter) -> None:
        """``for (T x in ...)``: the range bounds (or list elements) are evaluated once, before
        the loop; a header stack's elements are copied into ``x`` one by one."""
        inner = dataclasses.replace(fc, env=fc.env.child())
        var = s.var
        self.declare_local(var, inner, em, self._local_prefix(fc))
        b = inner.env.bindings[var]
        assert isinstance(b, Storage)
        dst = b.loc
        t = self.rt(var.type_ref.resolved, fc.env, var)
        if s.range_end is not None:
            w, signed = bits_info(t)
            lo = self._loop_value(s.collection, inner, em)
            hi = self._loop_value(s.range_end, inner, em)
            if signed and w:
                h = hex(1 << (w - 1))
                lo, hi = f"(({lo} ^ {h}) - {h})", f"(({hi} ^ {h}) - {h})"
            v = self.fresh("_it")
            store = f"{v} & {hex(mask_of(w))}" if signed and w else v
            with em.block(f"for {v} in range({lo}, {hi} + 1):"):
                em.line(f"P[{dst.slot(dst.layout.base)}] = {store}")
                self.stmt(s.body, inner, em)
            return
        coll = s.collection
        if isinstance(coll, ast.ListExpr):
            items = [self._loop_value(x, inner, em) for x in coll.items]
            v = self.fresh("_it")
            with em.block(f"for {v} in ({''.join(x + ', ' for x in items)}):"):
                em.line(f"P[{dst.slot(dst.layout.base)}] = {v}")
                self.stmt(s.body, inner, em)
            return
        src = self.lvalue(coll, inner, em)
        if src is None or not isinstance(src.layout, StackLayout):
            raise unsupported("a for loop over this collection", coll.loc)
        st = src.layout
        es = st.elem_size
        if not st.elems or es == 0:
            return
        start = src.slot(st.first)
        if src.dyn is not None:
            start_var = self.fresh("_ix")
            em.line(f"{start_var} = {start}")
            start = start_var
        e = self.fresh("_el")
        d0, d1 = dst.rng()
        with em.block(f"for {e} in range({start}, {start} + {es * len(st.elems)}, {es}):"):
            em.line(f"P[{d0}:{d1}] = P[{e}:{e} + {es}]")
            self.stmt(s.body, inner, em)

    def _loop_value(self, e: ast.Expr, fc: FnContext, em: Emitter) -> str:
        """A scalar evaluated now, into a temporary unless it is a literal."""
        x = self.expr(e, fc, em)
        if e.const is not None:
            return x
        var = self.fresh("_lv")
        em.line(f"{var} = {x}")
        return var

    # ------------------------------------------------------------------ switch

    def _switch(self, s: ast.Switch, fc: FnContext, em: Emitter) -> None:
        e = s.expr
        var = self.fresh("_sw")
        on_action = isinstance(e, ast.Member) and e.kind == "table_result" and e.member == "action_run"
        em.line(f"{var} = {self.expr(e, fc, em)}")
        table = None
        if on_action:
            assert isinstance(e, ast.Member) and isinstance(e.expr, ast.Call)
            table = self._table_of_call(e.expr, fc)
        pending: list[str] = []
        first = True
        has_default = False
        for case in s.cases:
            if isinstance(case.label, ast.DefaultExpr):
                has_default = True
                cond = None
            else:
                if on_action:
                    pending.append(str(self._action_label_id(case.label, table, fc)))
                else:
                    pending.append(self.expr(case.label, fc, em))
                cond = pending
            if case.body is None:
                continue
            if cond is None:
                header = "else:" if not first else "if True:"
            else:
                test = f"{var} == {pending[0]}" if len(pending) == 1 else f"{var} in ({', '.join(pending)},)"
                header = f"{'if' if first else 'elif'} {test}:"
            with em.block(header):
                self.stmt(case.body, fc, em)
            first = False
            pending = []
            if has_default:
                break

    def _action_label_id(self, label: ast.Expr, table: object, fc: FnContext) -> int:
        if not isinstance(label, ast.Name) or label.decl is None:
            raise unsupported("switch label is not an action name", label.loc)
        inst = self.resolve_action(label.decl, fc)
        return self.action_ids[inst]


    def resolve_action(self, decl: ast.Node, fc: FnContext) -> ActionInstance:
        b = fc.env.lookup(decl)
        if isinstance(b, ObjRef) and isinstance(b.obj, ActionInstance):
            return b.obj
        for a in self.elab.top_actions.values():
            if a.decl is decl:
                return a
        for a in self.elab.all_actions:
            if a.decl is decl:
                return a
        raise unsupported(f"cannot find action {getattr(decl, 'name', '?')}", decl.loc)

    # ------------------------------------------------------------------ calls

    def call(self, c: ast.Call, fc: FnContext, em: Emitter, want_value: bool) -> str | None:
        kind = c.kind
        if kind == "action":
            if c.target is None:
                raise unsupported("action call without a target", c.loc)
            inst = self.resolve_action(c.target, fc)
            params = inst.decl.params
            fn = self.action_fn(inst)
            locs = self.param_locs[inst]
            py_args = self._copy_in(params, c.bound_args, locs, fc, em, c)
            self.call_with_copy_out(f"{fn}(P{''.join(', ' + a for a in py_args)})", params, c.bound_args,
                                    locs, fc, em)
            return None
        if kind == "function":
            decl = c.target
            if not isinstance(decl, ast.FunctionDecl):
                raise unsupported("function call without a function", c.loc)
            targs = tuple(self.rt(x, fc.env, c) for x in c.resolved_type_args)
            fn = self.function_fn(decl, targs)
            locs = self.param_locs[(id(decl), targs)]
            self._copy_in(decl.params, c.bound_args, locs, fc, em, c)
            rt = self.rt(decl.return_type.resolved, fc.env, c) if decl.return_type.resolved else None
            has_value = rt is not None and not isinstance(rt, type(None)) and str(rt) != "void"
            if has_value:
                var = self.fresh("_fr")
                em.line(f"{var} = {fn}(P)")
            else:
                var = ""
                em.line(f"{fn}(P)")
            self._copy_out(decl.params, c.bound_args, locs, fc, em)
            return var if has_value else None
        if kind in ("extern_function", "extern_method"):
            return self.extern_call(c, fc, em, want_value)
        if kind == "table_apply":
            return self.table_apply(self._table_of_call(c, fc), fc, em)
        if kind in ("control_apply", "parser_apply"):
            return self.block_call(c, fc, em)
        if kind == "header_method":
            return self._header_method(c, fc, em)
        if kind == "stack_method":
            return self._stack_method(c, fc, em)
        if kind == "type_method":
            if c.const is not None:
                return str(int(c.const))
            raise unsupported("type method without a constant value", c.loc)
        raise unsupported(f"call of kind {kind}", c.loc)



    def call_with_copy_out(
        self,
        line: str,
        params: list[ast.Param],
        args: list[ast.Expr | None],
        locs: dict[ast.Param, Loc],
        fc: FnContext,
        em: Emitter,
    ) -> None:
        """Emit ``line`` (a call) followed by the copy-out of out/inout arguments; the copy-out
        also happens when the callee ends the control with ``exit``."""
        inner = Emitter(em.level + 1)
        self._copy_out(params, args, locs, fc, inner)
        if not inner.lines:
            em.line(line)
            return
        em.line("try:")
        em.line("    " + line)
        em.line("finally:")
        em.extend(inner)

    def _copy_in(
        self,
        params: list[ast.Param],
        args: list[ast.Expr | None],
        locs: dict[ast.Param, Loc],
        fc: FnContext,
        em: Emitter,
        node: ast.Node,
    ) -> list[str]:
        """Evaluate in/inout arguments into the callee's parameter slots; return the Python
        arguments for directionless parameters."""
        py_args: list[str] = []
        for i, p in enumerate(params):
            a = args[i] if i < len(args) else None
            if p.direction == "" and p not in locs:
                if a is None:
                    raise unsupported(f"missing argument for {p.name}", node.loc)
                py_args.append(self.expr(a, fc, em))
                continue
            loc = locs.get(p)
            if loc is None:
                continue
            if p.direction in ("in", "inout", "") and a is not None and not isinstance(a, ast.DontCare):
                t = self.rt(p.type_ref.resolved, fc.env, p)
                if a.type is not None:
                    t = self.etype(a, fc)
                src = self.lvalue(a, fc, em)
                if src is not None and src.layout.size == loc.layout.size:
                    self.copy_loc(loc, src, em)
                else:
                    self.assign_loc(loc, t, a, fc, em)
        return py_args

    def _copy_out(
        self,
        params: list[ast.Param],
        args: list[ast.Expr | None],
        locs: dict[ast.Param, Loc],
        fc: FnContext,
        em: Emitter,
    ) -> None:
        for i, p in enumerate(params):
            if p.direction not in ("out", "inout"):
                continue
            a = args[i] if i < len(args) else None
            if a is None or isinstance(a, ast.DontCare):
                continue
            loc = locs.get(p)
            if loc is None:
                continue
            if isinstance(a, ast.Slice):
                self._assign_slice(a, f"P[{loc.slot(loc.layout.base)}]", fc, em)
                continue
            dst = self.lvalue(a, fc, em)
            if dst is None:
                raise unsupported("out argument is not assignable", a.loc)
            self.copy_loc(dst, loc, em)

    def _header_method(self, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        callee = c.callee
        if not isinstance(callee, ast.Member):
            raise unsupported("header method call", c.loc)
        name = callee.member
        loc = self.lvalue(callee.expr, fc, em)
        if loc is None:
            if name == "isValid":
                t = self.etype(callee.expr, fc)
                whole = self.agg(callee.expr, t, fc, em)
                return f"(({whole})[0] == 1)"
            raise unsupported(f"{name}() on something that is not a stored header", c.loc)
        lay = loc.layout
        if name == "isValid":
            if isinstance(lay, HeaderLayout):
                return f"P[{loc.slot(lay.valid)}]"
            if isinstance(lay, UnionLayout):
                parts = [f"P[{loc.slot(h.valid)}]" for h in lay.members.values()]
                return "(" + " or ".join(parts) + ")" if parts else "0"
            raise unsupported("isValid() of this value", c.loc)
        if not isinstance(lay, HeaderLayout):
            raise unsupported(f"{name}() on a header union", c.loc)
        union: Loc | None = None
        member = ""
        inner = callee.expr
        if (isinstance(inner, ast.Member) and inner.kind == "field"
                and isinstance(underlying(self.etype(inner.expr, fc)), HeaderUnionT)):
            union = self.lvalue(inner.expr, fc, em)
            member = inner.member
        if name == "setValid":
            self.set_valid(loc, em, union, member)
        elif name == "setInvalid":
            self.set_invalid(loc, em)
        else:
            raise unsupported(f"header method {name}", c.loc)
        return None

    def _stack_method(self, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        callee = c.callee
        if not isinstance(callee, ast.Member):
            raise unsupported("stack method call", c.loc)
        loc = self.lvalue(callee.expr, fc, em)
        if loc is None or not isinstance(loc.layout, StackLayout) or loc.dyn is not None:
            raise unsupported("push_front/pop_front on this value", c.loc)
        st = loc.layout
        size = len(st.elems)
        arg = c.bound_args[0] if c.bound_args else None
        if arg is None or arg.const is None:
            raise unsupported("push_front/pop_front needs a constant count", c.loc)
        n = int(arg.const)
        es = st.elem_size
        first = st.first
        end = first + es * size
        nxt = st.next_slot
        if n <= 0:
            return None
        if callee.member == "push_front":
            k = min(n, size)
            if k < size:
                em.line(f"P[{first + k * es}:{end}] = P[{first}:{end - k * es}]")
            for i in range(k):
                for h in headers_in(st.elems[i]):
                    em.line(f"P[{h.valid}] = 0")
            em.line(f"P[{nxt}] = min({size}, P[{nxt}] + {n})")
        elif callee.member == "pop_front":
            k = min(n, size)
            if k < size:
                em.line(f"P[{first}:{end - k * es}] = P[{first + k * es}:{end}]")
            for i in range(size - k, size):
                for h in headers_in(st.elems[i]):
                    em.line(f"P[{h.valid}] = 0")
            em.line(f"P[{nxt}] = max(0, P[{nxt}] - {n})")
        else:
            raise unsupported(f"stack method {callee.member}", c.loc)
        return None
