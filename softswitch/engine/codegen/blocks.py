"""Controls, actions, functions, sub-block calls and the deparser's emit → Python source.

Every control instance becomes ``def ctl_N(P)``; every action instance ``def act_N(P, a_x, ...)``
(control-plane parameters as Python arguments, directional ones in PHV slots); every P4 function
(per type specialization) ``def fn_N(P)`` returning its value.

Sub-control and sub-parser parameters follow p4c's inliner: when every call of an instance passes
the same non-overlapping places, the callee works on those places directly; otherwise it gets its
own parameter slots with copy-in before and copy-out after the call (skipped when ``exit`` ends
the call, as in BMv2). ``out`` parameters have their headers invalidated at the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from softswitch.engine.layout import (
    HeaderLayout,
    ScalarLayout,
    StackLayout,
    StructLayout,
    UnionLayout,
    VarbitLayout,
    headers_in,
)
from softswitch.frontend import ast
from softswitch.frontend.instances import (
    ActionInstance,
    BlockInstance,
    ExternInstance,
    ValueSetInstance,
)
from softswitch.frontend.types import ObjectT, Type, TypeVar, VoidT

from .base import GenBase
from .context import (
    Binding,
    Emitter,
    Env,
    FnContext,
    Loc,
    ObjRef,
    PacketRef,
    PyValue,
    Storage,
    unsupported,
)
from .expressions import literal


@dataclass(slots=True)
class CallPlan:
    """How the calls of one sub-block instance pass their arguments."""

    alias: bool
    fn: str
    temps: dict[ast.Param, Loc] = field(default_factory=dict)
    has_out: bool = False
    has_payload: bool = False


class BlockGen(GenBase):
    call_plans: dict[BlockInstance, CallPlan]
    child_calls: dict[BlockInstance, list[ast.Call]]
    empty_tops: set[str]






    # ------------------------------------------------------------------ actions

    def action_fn(self, inst: ActionInstance) -> str:
        name = self.action_fns.get(inst)
        if name is not None:
            return name
        name = self.fresh("act_")
        self.action_fns[inst] = name
        if inst not in self.action_ids:
            self.action_ids[inst] = len(self.action_ids) + 1
        parent = self.block_envs.get(inst.block) if inst.block is not None else self.global_env
        if parent is None:
            raise unsupported(f"action {inst.name} used before its control", inst.decl.loc)
        env = parent.child()
        locs: dict[ast.Param, Loc] = {}
        pynames: list[str] = []
        prefix = inst.name
        for p in inst.decl.params:
            t = self.rt(p.type_ref.resolved, env, p)
            if p.direction == "":
                pn = f"a_{p.name}"
                pynames.append(pn)
                env.bindings[p] = PyValue(pn, t)
            else:
                loc = Loc(self.alloc(t, f"{prefix}.{p.name}"))
                locs[p] = loc
                env.bindings[p] = Storage(loc)
        self.param_locs[inst] = locs
        fc = FnContext("action", env)
        em = Emitter()
        with em.block(f"def {name}(P{''.join(', ' + n for n in pynames)}):"):
            self.stmt(inst.decl.body, fc, em)
        self.out.extend(em)
        return name

    # ------------------------------------------------------------------ functions

    def function_fn(self, decl: ast.FunctionDecl, type_args: tuple[Type, ...]) -> str:
        key = (id(decl), type_args)
        name = self.functions.get(key)
        if name is not None:
            return name
        name = self.fresh("fn_")
        self.functions[key] = name
        env = self.global_env.child()
        for tp, ta in zip(decl.type_params, type_args, strict=False):
            env.typevars[tp] = ta
        locs: dict[ast.Param, Loc] = {}
        for p in decl.params:
            t = self.rt(p.type_ref.resolved, env, p)
            if isinstance(t, TypeVar):
                raise unsupported(f"cannot specialize parameter {p.name} of {decl.name}", p.loc)
            loc = Loc(self.alloc(t, f"{decl.name}.{p.name}"))
            locs[p] = loc
            env.bindings[p] = Storage(loc)
        self.param_locs[key] = locs
        rt = decl.return_type.resolved
        fc = FnContext("function", env, returns_value=rt is not None and not isinstance(rt, VoidT))
        em = Emitter()
        with em.block(f"def {name}(P):"):
            self.stmt(decl.body, fc, em)
        self.out.extend(em)
        return name

    # ------------------------------------------------------------------ blocks

    def block_env(self, inst: BlockInstance, binds: dict[ast.Param, Binding]) -> tuple[Env, Emitter, FnContext]:
        """Bind a block instance's parameters, constructor parameters and locals."""
        env = Env(parent=self.global_env, block=inst)
        self.block_envs[inst] = env
        decl = inst.decl
        for p in decl.ctor_params:
            v = inst.ctor_values.get(p.name)
            if isinstance(v, (ExternInstance, BlockInstance)):
                env.bindings[p] = ObjRef(v)
            elif isinstance(v, (bool, int)):
                t = p.type_ref.resolved
                env.bindings[p] = PyValue(literal(v, t) if t is not None else str(int(v)), t)
        for bp, bb in binds.items():
            env.bindings[bp] = bb
        kind = "parser" if isinstance(decl, ast.ParserDecl) else "control"
        fc = FnContext(kind, env, has_packet_out=any(isinstance(b, PacketRef) and b.kind == "out" for b in binds.values()))
        inits = Emitter(1)
        for d in decl.locals:
            if isinstance(d, (ast.VarDecl, ast.ConstDecl)):
                self.declare_local(d, fc, inits, inst.path)
            elif isinstance(d, ast.InstanceDecl):
                if d.name in inst.children:
                    env.bindings[d] = ObjRef(inst.children[d.name])
                elif d.name in inst.externs:
                    env.bindings[d] = ObjRef(inst.externs[d.name])
            elif isinstance(d, ast.TableDecl):
                if d.name in inst.tables:
                    env.bindings[d] = ObjRef(inst.tables[d.name])
            elif isinstance(d, ast.ActionDecl):
                if d.name in inst.actions:
                    env.bindings[d] = ObjRef(inst.actions[d.name])
            elif isinstance(d, ast.ValueSetDecl):
                vs = inst.value_sets.get(d.name)
                if vs is not None:
                    env.bindings[d] = ObjRef(vs)
        # ``T.apply()`` on a control/parser type: the elaborator made a child named after the type
        for cname, child in inst.children.items():
            if child.decl.name == cname and child.decl not in env.bindings:
                env.bindings[child.decl] = ObjRef(child)
        return env, inits, fc

    def gen_block(
        self, inst: BlockInstance, binds: dict[ast.Param, Binding], top: str = "", has_payload: bool = False
    ) -> str:
        """Generate the function of a control or parser instance; returns its name. A sub-control
        applied from verifyChecksum/computeChecksum (``has_payload``) also takes the payload, for
        the ``*_with_payload`` checksums."""
        env, inits, fc = self.block_env(inst, binds)
        decl = inst.decl
        for a in inst.actions.values():
            self.action_fn(a)
        for t in inst.tables.values():
            self.gen_table(t, fc)
        self._collect_child_calls(inst)
        if isinstance(decl, ast.ParserDecl):
            fn = self.gen_parser(inst, env, inits, self.sm_fields["parser_error"] if top == "p" else -1)
            self.block_fns[inst] = fn
            return fn
        if top in ("vr", "ck") or has_payload:
            fc.has_payload = True
        if top:
            return self._gen_top_control(inst, top, fc, inits)
        fn = self.fresh("ctl_")
        self.block_fns[inst] = fn
        extra = ""
        if fc.has_packet_out:
            extra += ", out"
        if fc.has_payload:
            extra += ", payload"
        em = Emitter()
        with em.block(f"def {fn}(P{extra}):"):
            em.extend(inits)
            self.stmt(decl.body, fc, em)
        self.out.extend(em)
        return fn

    def _gen_top_control(self, inst: BlockInstance, top: str, fc: FnContext, inits: Emitter) -> str:
        """A top-level control: its body goes straight into the entry point, where ``exit`` is
        caught. An empty one is recorded so the pipeline need not call it."""
        decl = inst.decl
        assert isinstance(decl, ast.ControlDecl)
        name = {"vr": "_verify", "ig": "_ingress", "eg": "_egress", "ck": "_compute", "dep": "_deparse"}[top]
        self.block_fns[inst] = name
        body = Emitter(2)
        body.lines.extend("    " + line for line in inits.lines)
        self.stmt(decl.body, fc, body)
        em = Emitter()
        args = {"vr": "P, payload", "ck": "P, payload", "dep": "P"}.get(top, "P")
        with em.block(f"def {name}({args}):"):
            if top == "dep":
                em.line("out = []")
            if body.lines:
                em.line("try:")
                em.extend(body)
                em.line("except _Exit:")
                em.line("    pass")
            else:
                self.empty_tops.add(top)
            if top == "dep":
                em.line("return out")
        self.out.extend(em)
        return name

    def _collect_child_calls(self, inst: BlockInstance) -> None:
        decl = inst.decl
        calls: list[ast.Call] = []
        if isinstance(decl, ast.ParserDecl):
            for s in decl.states:
                for st in s.stmts:
                    _walk_calls(st, calls)
        else:
            _walk_calls(decl.body, calls)
        env = self.block_envs[inst]
        for c in calls:
            if c.kind not in ("control_apply", "parser_apply"):
                continue
            child = self._callee_block(c, env)
            if child is not None:
                self.child_calls.setdefault(child, []).append(c)

    def _callee_block(self, c: ast.Call, env: Env) -> BlockInstance | None:
        callee = c.callee
        obj = callee.expr if isinstance(callee, ast.Member) else callee
        if isinstance(obj, ast.Name) and obj.decl is not None:
            b = env.lookup(obj.decl)
            if isinstance(b, ObjRef) and isinstance(b.obj, BlockInstance):
                return b.obj
        return None

    def block_call(self, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        child = self._callee_block(c, fc.env)
        if child is None:
            raise unsupported("apply of an unknown control or parser instance", c.loc)
        params = child.decl.params
        plan = self.call_plans.get(child)
        if plan is None:
            plan = self._plan(child, c, fc, em)
        args = c.bound_args
        dirs = [p for p in params if p.direction != ""]
        dargs = [args[i] if i < len(args) else None for i, p in enumerate(params) if p.direction != ""]
        if plan.alias:
            for p, a in zip(dirs, dargs, strict=True):
                if p.direction == "out" and a is not None:
                    loc = self.lvalue(a, fc, em)
                    if loc is not None:
                        self._reset_headers(loc, em)
        else:
            self._copy_in(dirs, dargs, plan.temps, fc, em, c)
            for p in dirs:
                if p.direction == "out":
                    self._reset_headers(plan.temps[p], em)
        if isinstance(child.decl, ast.ParserDecl):
            if fc.kind != "parser":
                raise unsupported("parser applied outside a parser", c.loc)
            e = self.fresh("_pe")
            em.line(f"pos, {e} = {plan.fn}(P, data, pos)")
            with em.block(f"if {e}:"):
                em.line(f"err = {e}")
                em.line("break")
            if not plan.alias:
                self._copy_out(dirs, dargs, plan.temps, fc, em)
        else:
            extra = (", out" if plan.has_out else "") + (", payload" if plan.has_payload else "")
            if plan.alias:
                em.line(f"{plan.fn}(P{extra})")
            else:
                self.call_with_copy_out(f"{plan.fn}(P{extra})", dirs, dargs, plan.temps, fc, em)
        return None

    def _extern_arg(self, c: ast.Call, index: int, fc: FnContext) -> ExternInstance | None:
        a = c.bound_args[index] if index < len(c.bound_args) else None
        if isinstance(a, ast.Name) and a.decl is not None:
            b = fc.env.lookup(a.decl)
            if isinstance(b, ObjRef) and isinstance(b.obj, ExternInstance):
                return b.obj
        return None

    def _reset_headers(self, loc: Loc, em: Emitter) -> None:
        for h in headers_in(loc.layout):
            self.set_invalid(Loc(h, loc.dyn), em)

    def _plan(self, child: BlockInstance, first: ast.Call, fc: FnContext, em: Emitter) -> CallPlan:
        calls = self.child_calls.get(child, [first])
        same = all(_call_key(x) == _call_key(first) for x in calls)
        # an instance passed to other blocks as a constructor argument is called from several places
        if any(v is child for b in self.elab.all_blocks for v in b.ctor_values.values()):
            same = False
        params = child.decl.params
        binds: dict[ast.Param, Binding] = {}
        temps: dict[ast.Param, Loc] = {}
        alias = same
        ranges: list[tuple[int, int]] = []
        args = first.bound_args
        if alias:
            for i, p in enumerate(params):
                if p.direction == "":
                    continue
                a = args[i] if i < len(args) else None
                if a is None or isinstance(a, ast.DontCare):
                    alias = False
                    break
                loc = self.lvalue(a, fc, em)
                if loc is not None and loc.dyn is None:
                    r = (loc.layout.base, loc.layout.base + loc.layout.size)
                    if any(r[0] < b and a0 < r[1] for a0, b in ranges):
                        alias = False
                        break
                    ranges.append(r)
                    binds[p] = Storage(loc)
                elif p.direction == "in" and a.const is not None:
                    t = self.rt(p.type_ref.resolved, fc.env, p)
                    binds[p] = PyValue(literal(a.const, t), t)
                else:
                    alias = False
                    break
        if not alias:
            binds = {}
            for p in params:
                if p.direction == "":
                    continue
                t = self.rt(p.type_ref.resolved, fc.env, p)
                if isinstance(t, TypeVar):
                    a = args[params.index(p)] if params.index(p) < len(args) else None
                    if a is not None and a.type is not None:
                        t = self.etype(a, fc)
                loc = Loc(self.alloc(t, f"{child.path}.{p.name}"))
                temps[p] = loc
                binds[p] = Storage(loc)
        has_out = False
        for i, p in enumerate(params):
            if p.direction != "":
                continue
            pt = p.type_ref.resolved
            if isinstance(pt, ObjectT) and pt.name in ("packet_in", "packet_out"):
                kind = "in" if pt.name == "packet_in" else "out"
                binds[p] = PacketRef(kind)
                has_out = has_out or kind == "out"
            elif isinstance(pt, ObjectT) and pt.kind == "extern":
                # an extern instance passed as an apply argument: every call must pass the same one
                objs = {id(self._extern_arg(x, i, fc)): self._extern_arg(x, i, fc) for x in calls}
                if len(objs) != 1:
                    raise unsupported(f"{child.path}: different extern instances passed for {p.name}", first.loc)
                obj = next(iter(objs.values()))
                if obj is None:
                    raise unsupported(f"the argument for {p.name} is not an extern instance", first.loc)
                binds[p] = ObjRef(obj)
            elif not isinstance(pt, ObjectT):
                # a directionless value parameter: every call must pass the same constant
                consts = {_const_arg(x, i) for x in calls}
                value = next(iter(consts))
                if len(consts) != 1 or value is None:
                    raise unsupported(f"the argument for {p.name} must be the same constant in every apply", first.loc)
                t = self.rt(pt, fc.env, p)
                binds[p] = PyValue(literal(value, t), t)
        plan = CallPlan(alias=alias, fn="", temps=temps, has_out=has_out, has_payload=fc.has_payload)
        self.call_plans[child] = plan
        fn = self.gen_block(child, binds, has_payload=plan.has_payload)
        plan.fn = fn
        return plan

    # ------------------------------------------------------------------ deparser

    def emit_value(self, arg: ast.Expr, fc: FnContext, em: Emitter) -> None:
        loc = self.lvalue(arg, fc, em)
        if loc is None:
            raise unsupported("emit of something that is not a stored header", arg.loc)
        self._emit_loc(loc, em, arg)

    def _emit_loc(self, loc: Loc, em: Emitter, node: ast.Node) -> None:
        lay = loc.layout
        if isinstance(lay, HeaderLayout):
            self._emit_header(lay, loc, em, node)
        elif isinstance(lay, (StructLayout,)):
            for f in lay.fields.values():
                if isinstance(f, (ScalarLayout, VarbitLayout)):
                    raise unsupported("emit of a struct with non-header fields", node.loc)
                self._emit_loc(Loc(f, loc.dyn), em, node)
        elif isinstance(lay, UnionLayout):
            for h in lay.members.values():
                self._emit_header(h, Loc(h, loc.dyn), em, node)
        elif isinstance(lay, StackLayout):
            for el in lay.elems:
                self._emit_loc(Loc(el, loc.dyn), em, node)
        else:
            raise unsupported("emit of a value that is not a header", node.loc)

    def _emit_header(self, h: HeaderLayout, loc: Loc, em: Emitter, node: ast.Node) -> None:
        if h.fixed_width % 8:
            raise unsupported("header width is not a multiple of 8 bits", node.loc)
        fields = list(h.leaves)
        with em.block(f"if P[{loc.slot(h.valid)}]:"):
            if h.varbit is None:
                nbytes = h.fixed_width >> 3
                if nbytes == 0:
                    return
                parts = []
                shift = h.fixed_width
                for f in fields:
                    assert isinstance(f, ScalarLayout)
                    shift -= f.width
                    parts.append(f"(P[{loc.slot(f.base)}] << {shift})" if shift else f"P[{loc.slot(f.base)}]")
                value = " | ".join(parts) if len(parts) > 1 else parts[0]
                em.line(f"out.append(({value}).to_bytes({nbytes}, 'big'))")
                return
            vb = h.fields[h.varbit]
            assert isinstance(vb, VarbitLayout)
            k = fields.index(vb)
            n = self.fresh("_vn")
            em.line(f"{n} = P[{loc.slot(vb.base + 1)}]")
            after = sum(f.width for f in fields[k + 1:] if isinstance(f, ScalarLayout))
            parts = []
            shift = after
            for f in fields[k + 1:]:
                assert isinstance(f, ScalarLayout)
                shift -= f.width
                parts.append(f"(P[{loc.slot(f.base)}] << {shift})")
            parts.append(f"((P[{loc.slot(vb.base)}] & ((1 << {n}) - 1)) << {after})")
            acc = after
            for f in reversed(fields[:k]):
                assert isinstance(f, ScalarLayout)
                parts.append(f"(P[{loc.slot(f.base)}] << ({acc} + {n}))")
                acc += f.width
            em.line(f"out.append(({' | '.join(parts)}).to_bytes({h.fixed_width >> 3} + ({n} >> 3), 'big'))")

    # ------------------------------------------------------------------ misc

    def value_set_obj(self, vs: ValueSetInstance) -> str:
        name = self.value_set_names.get(vs)
        if name is None:
            name = self.fresh("VS")
            self.value_set_names[vs] = name
        return name

    value_set_names: dict[ValueSetInstance, str]


def _walk_calls(s: ast.Node, out: list[ast.Call]) -> None:
    if isinstance(s, ast.CallStmt):
        out.append(s.call)
    elif isinstance(s, ast.Block):
        for x in s.stmts:
            _walk_calls(x, out)
    elif isinstance(s, ast.If):
        _walk_calls(s.then, out)
        if s.else_ is not None:
            _walk_calls(s.else_, out)
    elif isinstance(s, ast.Switch):
        for c in s.cases:
            if c.body is not None:
                _walk_calls(c.body, out)
    elif isinstance(s, ast.For):
        for x in (*s.init, *s.updates, s.body):
            _walk_calls(x, out)
    elif isinstance(s, ast.ForIn):
        _walk_calls(s.body, out)


def _const_arg(c: ast.Call, index: int) -> int | bool | None:
    a = c.bound_args[index] if index < len(c.bound_args) else None
    return a.const if a is not None else None


def _expr_key(e: ast.Expr | None) -> object:
    if e is None:
        return None
    if e.const is not None:
        return ("C", e.const)
    if isinstance(e, ast.Name):
        return ("N", id(e.decl))
    if isinstance(e, ast.Member):
        return ("M", _expr_key(e.expr), e.member)
    if isinstance(e, ast.Index):
        return ("I", _expr_key(e.expr), _expr_key(e.index))
    if isinstance(e, ast.DontCare):
        return ("_",)
    return ("X", id(e))


def _call_key(c: ast.Call) -> object:
    return tuple(_expr_key(a) for a in c.bound_args)
