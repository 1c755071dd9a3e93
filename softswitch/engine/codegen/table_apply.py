"""Tables → one apply function each, plus what the loader needs to build the runtime table.

``def tbl_N(P) -> int`` builds the key tuple inline, looks it up, updates the entry's direct
counter / meter / idle time on a hit, runs the action and returns ``action_id << 1 | hit``.
"""

from __future__ import annotations

from softswitch.engine.layout import SLOT_INGRESS_LEN
from softswitch.frontend import ast
from softswitch.frontend.instances import ActionInstance, ExternInstance, TableInstance
from softswitch.frontend.types import BoolT, EnumT, ErrorT, ObjectT, underlying

from .base import GenBase, TableGenInfo, bits_info, mask_of
from .context import Emitter, FnContext, ObjRef, unsupported

# const entries get priority BIG - (BMv2 priority): BMv2's smallest number wins, the runtime
# table's largest does.
CONST_PRIORITY_BASE = 1 << 30


class TableGen(GenBase):

    def gen_table(self, inst: TableInstance, fc: FnContext) -> TableGenInfo:
        decl = inst.decl
        info = TableGenInfo(inst, obj=self.fresh("T"))
        self.tables[inst] = info
        kp = decl.prop("key")
        selector_keys: list[ast.Expr] = []
        for k in (kp.keys or []) if kp is not None else []:
            t = self.etype(k.expr, fc)
            w, _s = bits_info(t)
            if isinstance(underlying(t), BoolT):
                w = 1
            elif isinstance(underlying(t), (ErrorT, EnumT)):
                w = 32
            if k.match_kind == "selector":
                selector_keys.append(k.expr)
                continue
            if w == 0:
                raise unsupported("table key without a fixed width", k.loc)
            info.keys.append((key_name(k), k.match_kind, w, k.expr))
        ap = decl.prop("actions")
        bound: dict[ActionInstance, ast.Call] = {}
        for ref in (ap.actions or []) if ap is not None else []:
            callee = ref.call.callee
            if not isinstance(callee, ast.Name) or callee.decl is None:
                raise unsupported("table action is not an action name", ref.loc)
            a = self.resolve_action(callee.decl, fc)
            info.actions.append(a)
            scope = ""
            for ann in ref.annotations:
                if ann.name == "tableonly":
                    scope = "table_only"
                elif ann.name == "defaultonly":
                    scope = "default_only"
            info.action_scope[a] = scope
            if any(p.direction != "" for p in a.decl.params):
                bound[a] = ref.call
        dp = decl.prop("default_action")
        if dp is not None and isinstance(dp.value, ast.Call):
            call = dp.value
            if not isinstance(call.callee, ast.Name) or call.callee.decl is None:
                raise unsupported("default_action is not an action call", dp.loc)
            da = self.resolve_action(call.callee.decl, fc)
            info.default_action = da
            info.default_args = self._ctl_args(da, call, dp)
            info.const_default = dp.is_const
            if da not in info.actions:
                info.actions.append(da)
                info.action_scope[da] = "default_only"
        else:
            noact = self.elab.top_actions.get("NoAction")
            if noact is None:
                raise unsupported("table without default_action and no NoAction declared", decl.loc)
            info.default_action = noact
            if noact not in info.actions:
                info.actions.append(noact)
                info.action_scope[noact] = "default_only"
        sp = decl.prop("size")
        if sp is not None and sp.value is not None and sp.value.const is not None:
            info.size = int(sp.value.const)
        for pname in ("counters", "meters", "implementation"):
            p = decl.prop(pname)
            if p is None or p.value is None:
                continue
            ext = inst.properties.get(pname) or self._extern_of(p.value, fc)
            if pname == "counters":
                info.direct_counter = ext
            elif pname == "meters":
                info.direct_meter = ext
                info.direct_meter_slot = self.direct_meter_slot(ext)
            else:
                info.implementation = ext
        tp = decl.prop("support_timeout")
        info.support_timeout = bool(tp is not None and tp.value is not None and tp.value.const)
        ep = decl.prop("entries")
        if ep is not None:
            info.const_entries = ep.is_const
            for pos, ent in enumerate(ep.entries or [], start=1):
                info.entries.append(self._entry(info, ent, pos, fc))
        for a in info.actions:
            bcall = bound.get(a)
            info.action_fns[a] = self._bound_action_fn(a, bcall, fc) if bcall is not None else self.action_fn(a)
        self._emit_apply(info, selector_keys, fc)
        return info


    def _ctl_args(self, a: ActionInstance, call: ast.Call, node: ast.Node) -> list[int]:
        out: list[int] = []
        args = call.bound_args
        for i, p in enumerate(a.decl.params):
            if p.direction != "":
                continue
            e = args[i] if i < len(args) else None
            if e is None or e.const is None:
                raise unsupported(f"action argument {p.name} must be a constant here", node.loc)
            t = p.type_ref.resolved
            w = bits_info(t)[0] if t is not None else 0
            v = int(e.const)
            out.append(v & mask_of(w) if w else v)
        return out

    def _extern_of(self, e: ast.Expr, fc: FnContext) -> ExternInstance:
        if isinstance(e, ast.Name) and e.decl is not None:
            b = fc.env.lookup(e.decl)
            if isinstance(b, ObjRef) and isinstance(b.obj, ExternInstance):
                return b.obj
        for ext in self.elab.all_externs:
            if isinstance(e, ast.Name) and ext.decl is e.decl:
                return ext
        raise unsupported("table property does not name an extern instance", e.loc)

    def _entry(self, info: TableGenInfo, ent: ast.TableEntry, pos: int, fc: FnContext) -> tuple[list[object], ActionInstance, list[int], int]:
        ks = ent.keyset
        elems = ks.items if isinstance(ks, ast.ListExpr) and len(info.keys) != 1 else [ks]
        if isinstance(ks, ast.ListExpr) and len(info.keys) == 1 and len(ks.items) == 1:
            elems = [ks.items[0]]
        if len(elems) != len(info.keys):
            raise unsupported("entry has the wrong number of key values", ent.loc)
        match: list[object] = []
        for (_n, kind, w, _e), v in zip(info.keys, elems, strict=True):
            match.append(_match_value(kind, w, v))
        call = ent.action
        if not isinstance(call.callee, ast.Name) or call.callee.decl is None:
            raise unsupported("entry action is not an action call", ent.loc)
        a = self.resolve_action(call.callee.decl, fc)
        args = self._ctl_args(a, call, ent)
        # BMv2's priority (smallest wins): @priority(N) if given, else the entry's position. p4c's
        # BMv2 back-end ignores ``priority = N:`` on entries (and largest_priority_wins /
        # priority_delta), so the first listed entry still wins there.
        prio = pos
        ann = next((x for x in ent.annotations if x.name == "priority"), None)
        if ann is not None and ann.args:
            a0 = ann.args[0]
            if a0.const is not None:
                prio = int(a0.const)
            elif isinstance(a0, ast.IntLit):
                prio = a0.value
        return match, a, args, CONST_PRIORITY_BASE - prio

    def _bound_action_fn(self, a: ActionInstance, call: ast.Call, fc: FnContext) -> str:
        """A wrapper that copies the actions-list arguments in and out around the action."""
        fn = self.fresh("ta_")
        em = Emitter()
        ctl = [p for p in a.decl.params if p.direction == ""]
        pnames = [f"a_{p.name}" for p in ctl]
        with em.block(f"def {fn}(P{''.join(', ' + n for n in pnames)}):"):
            target = self.action_fn(a)
            locs = self.param_locs[a]
            args = list(call.bound_args)
            # directionless parameters come from the entry, not from the actions list
            params = a.decl.params
            for i, p in enumerate(params):
                if p.direction == "" and i < len(args):
                    args[i] = None
            self._copy_in([p for p in params if p.direction != ""],
                          [args[i] if i < len(args) else None for i, p in enumerate(params) if p.direction != ""],
                          locs, fc, em, call)
            self.call_with_copy_out(
                f"{target}(P{''.join(', ' + n for n in pnames)})",
                [p for p in params if p.direction != ""],
                [args[i] if i < len(args) else None for i, p in enumerate(params) if p.direction != ""],
                locs, fc, em,
            )
        self.out.extend(em)
        return fn




    def _emit_apply(self, info: TableGenInfo, selector_keys: list[ast.Expr], fc: FnContext) -> None:
        info.selector_keys = selector_keys
        info.fc = fc

    def _apply_code(self, info: TableGenInfo, fc: FnContext, em: Emitter) -> str:
        """Emit the table's apply inline; returns the variable holding ``action_id << 1 | hit``."""
        T = info.obj
        r, e, a = self.fresh("_r"), self.fresh("_e"), self.fresh("_a")
        if not info.keys:
            em.line(f"{a} = {T}.default_action")
            em.line(f"{a}.fn(P, *{T}.default_args)")
            em.line(f"{r} = {a}.miss")
            return r
        parts = [self.expr(k[3], fc, em) for k in info.keys]
        key = "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        em.line(f"{e} = {T}_lk({key})")
        with em.block(f"if {e} is None:"):
            em.line(f"{a} = {T}.default_action")
            em.line(f"{a}.fn(P, *{T}.default_args)")
            em.line(f"{r} = {a}.miss")
        with em.block("else:"):
            if info.direct_counter is not None:
                em.line(f"{e}.packets += 1")
                em.line(f"{e}.bytes += P[{SLOT_INGRESS_LEN}]")
            if info.direct_meter is not None:
                unit_bytes = _meter_is_bytes(info.direct_meter)
                amount = f"P[{SLOT_INGRESS_LEN}]" if unit_bytes else "1"
                m = self.fresh("_m")
                em.line(f"{m} = {e}.meter")
                colour = f"({m}.execute(_now_us(), {amount}) if {m} is not None else 0)"
                dest = self.direct_meter_dest(info.direct_meter)
                if dest is None:
                    em.line(f"P[{info.direct_meter_slot}] = {colour}")
                else:
                    node = ast.Call(loc=dest.loc, callee=dest)
                    self._write_out(dest, colour, fc, em, node)
            if info.support_timeout:
                em.line(f"{e}.last_hit_ns = _now_ns()")
            if info.implementation is not None:
                t = self.fresh("_t")
                em.line(f"{t} = {e}.action")
                if info.selector_keys:
                    with em.block(f"if {t}.is_group:"):
                        sel = self._selector_hash(info, info.selector_keys, fc, em)
                        em.line(f"{t} = {t}.select({sel})")
                with em.block(f"if {t} is None:"):
                    em.line(f"{r} = 1")  # an empty group runs no action
                with em.block("else:"):
                    em.line(f"{a} = {t}.action")
                    em.line(f"{a}.fn(P, *{t}.args)")
                    em.line(f"{r} = {a}.hit")
            else:
                em.line(f"{a} = {e}.action")
                em.line(f"{a}.fn(P, *{e}.args)")
                em.line(f"{r} = {a}.hit")
        return r

    def _selector_hash(self, info: TableGenInfo, keys: list[ast.Expr], fc: FnContext, em: Emitter) -> str:
        impl = info.implementation
        assert impl is not None
        algo = "crc16"
        if impl.ctor is not None:
            for p, v in zip(impl.ctor.params, impl.args, strict=False):
                if p.name == "algorithm" and isinstance(v, int):
                    t = p.type_ref.resolved
                    from .externs import enum_member_name

                    if t is not None:
                        algo = enum_member_name(t, v) or algo
        items = []
        for k in keys:
            items.extend(self.field_items(k, fc, em))
        acc, nb = self.pack(items, em)
        fn = self._hash_fn(algo)
        return f"{fn}(_pack_int({acc}, {nb}))"


    def table_apply(self, inst: TableInstance, fc: FnContext, em: Emitter) -> str:
        info = self.tables.get(inst)
        if info is None:
            raise unsupported(f"table {inst.name} is applied outside its control")
        return self._apply_code(info, fc, em)


def _meter_is_bytes(ext: ExternInstance) -> bool:
    if ext.ctor is not None:
        for p, v in zip(ext.ctor.params, ext.args, strict=False):
            t = p.type_ref.resolved
            if t is not None and isinstance(v, int):
                from .externs import enum_member_name

                name = enum_member_name(t, v)
                if name:
                    return name == "bytes"
    return False


def key_name(k: ast.KeyElement) -> str:
    """The P4Info match-field name of a key: ``@name`` or the expression as written."""
    for a in k.annotations:
        if a.name == "name" and a.args and isinstance(a.args[0], ast.StrLit):
            return a.args[0].value
    return expr_text(k.expr)


def expr_text(e: ast.Expr) -> str:
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Member):
        return f"{expr_text(e.expr)}.{e.member}"
    if isinstance(e, ast.Index):
        return f"{expr_text(e.expr)}[{expr_text(e.index)}]"
    if isinstance(e, ast.IntLit):
        return str(e.value)
    if isinstance(e, ast.Slice):
        return f"{expr_text(e.expr)}[{expr_text(e.hi)}:{expr_text(e.lo)}]"
    if isinstance(e, ast.Call) and isinstance(e.callee, ast.Member) and e.callee.member == "isValid":
        return f"{expr_text(e.callee.expr)}.$valid$"
    if isinstance(e, ast.Binary) and e.op == "&":
        return f"{expr_text(e.left)} & {expr_text(e.right)}"
    return "key"


def _match_value(kind: str, width: int, v: ast.Expr) -> object:
    full = mask_of(width)
    if isinstance(v, (ast.DontCare, ast.DefaultExpr)):
        if kind == "exact":
            raise unsupported("an exact key cannot be a wildcard", v.loc)
        if kind in ("lpm", "ternary"):
            return (0, 0)
        if kind == "range":
            return (0, full)
        return None
    if isinstance(v, ast.Binary) and v.op == "&&&":
        if v.left.const is None or v.right.const is None:
            raise unsupported("entry mask must be constant", v.loc)
        m = int(v.right.const) & full
        val = int(v.left.const) & m
        if kind == "lpm":
            plen = bin(m).count("1")
            if m != (full ^ mask_of(width - plen)):
                raise unsupported("lpm entry mask is not a prefix", v.loc)
            return (val, plen)
        if kind in ("ternary", "optional"):
            return (val, m) if kind == "ternary" else val
        if kind == "exact":
            return val
        raise unsupported(f"mask in a {kind} key", v.loc)
    if isinstance(v, ast.Binary) and v.op == "..":
        if v.left.const is None or v.right.const is None:
            raise unsupported("entry range must be constant", v.loc)
        lo, hi = int(v.left.const) & full, int(v.right.const) & full
        if kind == "range":
            return (lo, hi)
        raise unsupported(f"range in a {kind} key", v.loc)
    if v.const is None:
        raise unsupported("entry key must be constant", v.loc)
    val = int(v.const) & full
    if kind == "lpm":
        return (val, width)
    if kind == "ternary":
        return (val, full)
    if kind == "range":
        return (val, val)
    return val


def extern_type_name(ext: ExternInstance) -> str:
    t = ext.type
    return t.name if isinstance(t, ObjectT) else ""
