"""Extern calls → Python source: packet_in/packet_out, core ``verify``, and the v1model externs.

Parser errors leave the generated parser's state loop with ``err = <code>; break``.
"""

from __future__ import annotations

from softswitch.engine.hashing import HASH_FUNCTIONS, hash_function
from softswitch.engine.layout import (
    CLONE_REQUESTED,
    SLOT_CLONE,
    SLOT_CLONE_FL,
    SLOT_DIGEST,
    SLOT_INGRESS_LEN,
    SLOT_RECIRC,
    SLOT_RESUBMIT,
    SLOT_TRUNCATE,
    HeaderLayout,
    ScalarLayout,
    StackLayout,
    StructLayout,
    UnionLayout,
    VarbitLayout,
    scalar_slots,
)
from softswitch.frontend import ast
from softswitch.frontend.instances import ExternInstance
from softswitch.frontend.types import (
    EnumT,
    ErrorT,
    ObjectT,
    StructT,
    Type,
    underlying,
)

from .base import GenBase, bits_info, mask_of
from .context import Emitter, FnContext, Loc, ObjRef, PacketRef, unsupported

# BMv2 parser error codes
ERR_PACKET_TOO_SHORT = 1
ERR_STACK_OUT_OF_BOUNDS = 3
ERR_HEADER_TOO_SHORT = 4
ERR_INVALID_ARGUMENT = 6
MIRROR_SESSION_MASK = 0x7FFF

# (value expression, width: int or Python expression, validity condition or None)
FieldItem = tuple[str, int | str, str | None]


class ExternGen(GenBase):
    meta_loc: Loc

    def parser_fail(self, em: Emitter, code: int | str) -> None:
        em.line(f"err = {code}")
        em.line("break")

    def extern_call(self, c: ast.Call, fc: FnContext, em: Emitter, want_value: bool) -> str | None:
        if c.kind == "extern_method":
            return self._method(c, fc, em)
        target = c.target
        name = target.name if isinstance(target, ast.Decl) else ""
        args = c.bound_args
        handler = getattr(self, f"_x_{name}", None)
        if handler is None:
            raise unsupported(f"extern function {name} is not supported", c.loc)
        r: str | None = handler(c, args, fc, em)
        return r

    # ------------------------------------------------------------------ methods

    def _method(self, c: ast.Call, fc: FnContext, em: Emitter) -> str | None:
        callee = c.callee
        if not isinstance(callee, ast.Member):
            raise unsupported("extern method call", c.loc)
        obj = callee.expr
        method = callee.member
        binding = fc.env.lookup(obj.decl) if isinstance(obj, ast.Name) and obj.decl is not None else None
        if isinstance(binding, PacketRef):
            if binding.kind == "in":
                return self.packet_in_method(method, c, fc, em)
            if method == "emit":
                arg = c.bound_args[0]
                if arg is None:
                    raise unsupported("emit without an argument", c.loc)
                self.emit_value(arg, fc, em)
                return None
            raise unsupported(f"packet_out.{method}", c.loc)
        if not (isinstance(binding, ObjRef) and isinstance(binding.obj, ExternInstance)):
            raise unsupported(f"method {method} of this object", c.loc)
        inst = binding.obj
        t = inst.type
        ename = t.name if isinstance(t, ObjectT) else ""
        objname = self.extern_obj(inst)
        args = c.bound_args
        if ename == "counter" and method == "count":
            em.line(f"{objname}.count({self._arg(args, 0, fc, em, c)}, P[{SLOT_INGRESS_LEN}])")
            return None
        if ename == "direct_counter" and method == "count":
            return None
        if ename == "meter" and method == "execute_meter":
            idx = self._arg(args, 0, fc, em, c)
            var = self.fresh("_mc")
            em.line(f"{var} = {objname}.execute({idx}, _now_us(), P[{SLOT_INGRESS_LEN}])")
            with em.block(f"if {var} is not None:"):
                self._write_out(args[1], var, fc, em, c)
            return None
        if ename == "direct_meter" and method == "read":
            if self.direct_meter_dest(inst) is None:
                self._write_out(args[0], f"P[{self.direct_meter_slot(inst)}]", fc, em, c)
            # otherwise the table wrote the colour into the destination on its hit
            return None
        if ename == "Checksum16" and method == "get":
            # the deprecated v1model checksum unit: the Internet checksum of the data, packed as
            # hash() packs it (fields of invalid headers left out)
            data = args[0]
            if data is None:
                raise unsupported("Checksum16.get without data", c.loc)
            acc, nb = self.pack(self.field_items(data, fc, em), em)
            var = self.fresh("_ck")
            em.line(f"{var} = _csum16_int({acc}, {nb})" if nb != "0" else f"{var} = 0xFFFF")
            return var
        if ename == "register" and method == "read":
            idx = self._arg(args, 1, fc, em, c)
            var = self.fresh("_rv")
            em.line(f"{var} = {objname}.read({idx})")
            with em.block(f"if {var} is not None:"):
                self._write_out(args[0], var, fc, em, c)
            return None
        if ename == "register" and method == "write":
            idx = self._arg(args, 0, fc, em, c)
            val = self._arg(args, 1, fc, em, c)
            em.line(f"{objname}.write({idx}, {val})")
            return None
        raise unsupported(f"{ename}.{method} is not supported", c.loc)



    def _arg(self, args: list[ast.Expr | None], i: int, fc: FnContext, em: Emitter, c: ast.Call) -> str:
        a = args[i] if i < len(args) else None
        if a is None:
            raise unsupported(f"missing argument {i + 1}", c.loc)
        return self.expr(a, fc, em)

    def _write_out(self, arg: ast.Expr | None, value: str, fc: FnContext, em: Emitter, c: ast.Call) -> None:
        """Store ``value`` (an int) into the out argument ``arg``, reduced to its width."""
        if arg is None or isinstance(arg, ast.DontCare):
            return
        loc = self.lvalue(arg, fc, em)
        if loc is None or not isinstance(loc.layout, ScalarLayout):
            raise unsupported("out argument must be a scalar variable or field", c.loc)
        w = loc.layout.width
        v = f"({value}) & {hex(mask_of(w))}" if w else value
        em.line(f"P[{loc.slot(loc.layout.base)}] = {v}")

    # ------------------------------------------------------------------ packet_in



    # ------------------------------------------------------------------ field lists

    def field_items(self, e: ast.Expr, fc: FnContext, em: Emitter, cond: str | None = None) -> list[FieldItem]:
        """Flatten a data argument (list, struct, header or scalar) into packed-field items.
        Fields of invalid headers are skipped (the validity condition)."""
        if isinstance(e, ast.ListExpr):
            out: list[FieldItem] = []
            for item in e.items:
                out.extend(self.field_items(item, fc, em, cond))
            return out
        if isinstance(e, ast.StructExpr):
            out = []
            for _n, item in e.fields:
                out.extend(self.field_items(item, fc, em, cond))
            return out
        loc = self.lvalue(e, fc, em)
        if loc is not None:
            return self._loc_items(loc, self._enclosing_valid(e, fc, em) or cond)
        w = _packed_width(self.etype(e, fc))
        if w == 0:
            raise unsupported("data field without a fixed width", e.loc)
        return [(self.expr(e, fc, em), w, cond)]

    def _enclosing_valid(self, e: ast.Expr, fc: FnContext, em: Emitter) -> str | None:
        """Validity condition of the header a field lies in (None for metadata)."""
        if isinstance(e, ast.Member) and e.kind == "field":
            parent = self.lvalue(e.expr, fc, em)
            if parent is not None and isinstance(parent.layout, HeaderLayout):
                return f"P[{parent.slot(parent.layout.valid)}]"
        return None

    def _loc_items(self, loc: Loc, cond: str | None) -> list[FieldItem]:
        lay = loc.layout
        if isinstance(lay, ScalarLayout):
            w = lay.width or _packed_width(lay.type)
            if w == 0:
                raise unsupported("data field without a fixed width")
            return [(f"P[{loc.slot(lay.base)}]", w, cond)]
        if isinstance(lay, VarbitLayout):
            return [(f"P[{loc.slot(lay.base)}]", f"P[{loc.slot(lay.base + 1)}]", cond)]
        if isinstance(lay, HeaderLayout):
            hc = f"P[{loc.slot(lay.valid)}]"
            out: list[FieldItem] = []
            for f in lay.fields.values():
                out.extend(self._loc_items(Loc(f, loc.dyn), hc))
            return out
        if isinstance(lay, StructLayout):
            out = []
            for f in lay.fields.values():
                out.extend(self._loc_items(Loc(f, loc.dyn), cond))
            return out
        if isinstance(lay, UnionLayout):
            out = []
            for h in lay.members.values():
                out.extend(self._loc_items(Loc(h, loc.dyn), cond))
            return out
        if isinstance(lay, StackLayout):
            out = []
            for el in lay.elems:
                out.extend(self._loc_items(Loc(el, loc.dyn), cond))
            return out
        raise unsupported("data of this type")

    def pack(self, items: list[FieldItem], em: Emitter) -> tuple[str, str]:
        """Emit code accumulating ``items`` MSB-first; returns (value expr, bit-count expr)."""
        if not items:
            return "0", "0"
        acc = self.fresh("_acc")
        nb = self.fresh("_nb")
        static_w = 0
        i = 0
        # leading unconditional fixed-width items fold into one expression
        while i < len(items) and items[i][2] is None and isinstance(items[i][1], int):
            w = items[i][1]
            assert isinstance(w, int)
            static_w += w
            i += 1
        if i == len(items) and items:
            return _fold(items), str(static_w)
        if all(isinstance(w, int) for _v, w, _c in items):
            # fast path: every header involved is valid, so nothing is skipped
            conds = sorted({c for _v, _w, c in items if c is not None})
            total = sum(w for _v, w, _c in items if isinstance(w, int))
            em.line(f"if {' and '.join(conds)}:")
            em.line(f"    {acc} = {_fold([(v, w, None) for v, w, _c in items])}")
            em.line(f"    {nb} = {total}")
            em.line("else:")
            em.level += 1
            self._pack_general(items, i, static_w, acc, nb, em)
            em.level -= 1
            return acc, nb
        self._pack_general(items, i, static_w, acc, nb, em)
        return acc, nb

    def _pack_general(self, items: list[FieldItem], i: int, static_w: int, acc: str, nb: str, em: Emitter) -> None:
        if i:
            em.line(f"{acc} = {_fold(items[:i])}")
            em.line(f"{nb} = {static_w}")
        else:
            em.line(f"{acc} = 0")
            em.line(f"{nb} = 0")
        while i < len(items):
            cond = items[i][2]
            j = i
            while j < len(items) and items[j][2] == cond:
                j += 1
            group = items[i:j]
            if cond is not None:
                em.line(f"if {cond}:")
                em.level += 1
            for v, w, _c in group:
                em.line(f"{acc} = ({acc} << {w}) | {v}")
                em.line(f"{nb} += {w}")
            if cond is not None:
                em.level -= 1
            i = j

    # ------------------------------------------------------------------ core

    def _x_verify(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        if fc.kind != "parser":
            raise unsupported("verify() outside a parser", c.loc)
        cond = self._arg(args, 0, fc, em, c)
        code = self._arg(args, 1, fc, em, c)
        with em.block(f"if not {cond}:"):
            self.parser_fail(em, code)
        return None

    def _x_static_assert(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        return "True"

    # ------------------------------------------------------------------ v1model

    def _sm_arg_loc(self, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> Loc:
        if args and args[0] is not None:
            loc = self.lvalue(args[0], fc, em)
            if loc is not None and isinstance(loc.layout, StructLayout):
                return loc
        return self.sm_loc

    def _x_mark_to_drop(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        loc = self._sm_arg_loc(args, fc, em)
        lay = loc.layout
        assert isinstance(lay, StructLayout)
        es = lay.fields["egress_spec"]
        mg = lay.fields["mcast_grp"]
        em.line(f"P[{loc.slot(es.base)}] = 511")
        em.line(f"P[{loc.slot(mg.base)}] = 0")
        return None

    def _x_random(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        lo = self._arg(args, 1, fc, em, c)
        hi = self._arg(args, 2, fc, em, c)
        lv, hv = self.fresh("_lo"), self.fresh("_hi")
        em.line(f"{lv} = {lo}")
        em.line(f"{hv} = {hi}")
        with em.block(f"if {lv} <= {hv}:"):
            self._write_out(args[0], f"_randint({lv}, {hv})", fc, em, c)
        return None

    def _hash_algo(self, e: ast.Expr | None, c: ast.Call) -> str:
        if isinstance(e, ast.Member) and e.kind == "enum_member":
            name = e.member
        else:
            raise unsupported("hash algorithm must be a HashAlgorithm member", c.loc)
        try:
            hash_function(name)
        except ValueError as exc:
            raise unsupported(str(exc), c.loc) from None
        return name

    def _hash_fn(self, algo: str) -> str:
        key = f"_hash_{algo}"
        self.ns[key] = HASH_FUNCTIONS[algo]
        return key

    def _x_hash(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        algo = self._hash_algo(args[1], c)
        base = self._arg(args, 2, fc, em, c)
        data = args[3]
        if data is None:
            raise unsupported("hash without data", c.loc)
        # Unlike checksums, hash() packs fields of invalid headers too (with their stored values):
        # p4c's BMv2 back-end copies the data into temporaries first, so BMv2 never sees the header.
        items: list[FieldItem] = [(v, w, None) for v, w, _c in self.field_items(data, fc, em)]
        acc, nb = self.pack(items, em)
        mx = args[4]
        h = self.fresh("_h")
        if algo == "csum16":
            em.line(f"{h} = _csum16_int({acc}, {nb})" if nb != "0" else f"{h} = _hash_csum16(b'')")
            self.ns["_hash_csum16"] = HASH_FUNCTIONS["csum16"]
        else:
            em.line(f"{h} = {self._hash_fn(algo)}(_pack_int({acc}, {nb}))")
        if mx is not None and mx.const is not None:
            m = int(mx.const) or 1
            value = f"({base} + {h} % {m}) & 0xFFFFFFFFFFFFFFFF" if m != 1 else base
        else:
            m_expr = self._arg(args, 4, fc, em, c)
            value = f"({base} + {h} % ({m_expr} or 1)) & 0xFFFFFFFFFFFFFFFF"
        self._write_out(args[0], value, fc, em, c)
        return None

    def _checksum(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter, verify: bool, payload: bool) -> None:
        cond_e = args[0]
        data = args[1]
        field = args[2]
        algo = self._hash_algo(args[3], c)
        if data is None or field is None:
            raise unsupported("checksum without data or field", c.loc)
        floc = self.lvalue(field, fc, em)
        if floc is None or not isinstance(floc.layout, ScalarLayout):
            raise unsupported("checksum field must be a field", c.loc)
        fw = floc.layout.width
        fslot = floc.slot(floc.layout.base)
        if cond_e is not None and cond_e.const is not None:
            cond = "True" if cond_e.const else "False"
        else:
            cond = self._arg(args, 0, fc, em, c)
        if cond == "False":
            return
        guard = cond
        if verify:
            hv = self._enclosing_valid(field, fc, em)
            if hv is not None:
                guard = hv if cond == "True" else f"{cond} and {hv}"
        if guard != "True":
            em.line(f"if {guard}:")
            em.level += 1
        items = self.field_items(data, fc, em)
        acc, nb = self.pack(items, em)
        h = self.fresh("_ck")
        if payload:
            if not fc.has_payload:
                raise unsupported("checksum with payload outside verifyChecksum/computeChecksum", c.loc)
            if algo == "csum16":
                em.line(f"{h} = _csum16_payload({acc}, {nb}, payload)")
            else:
                em.line(f"{h} = {self._hash_fn(algo)}(_pack_int({acc}, {nb}) + payload)")
        elif algo == "csum16":
            em.line(f"{h} = _csum16_int({acc}, {nb})")
        else:
            em.line(f"{h} = {self._hash_fn(algo)}(_pack_int({acc}, {nb}))")
        m = hex(mask_of(fw))
        if verify:
            err = self.sm_fields["checksum_error"]
            with em.block(f"if ({h} & {m}) != P[{fslot}]:"):
                em.line(f"P[{err}] = 1")
        else:
            em.line(f"P[{fslot}] = {h} & {m}")
        if guard != "True":
            em.level -= 1

    def _x_verify_checksum(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        self._checksum(c, args, fc, em, verify=True, payload=False)
        return None

    def _x_update_checksum(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        self._checksum(c, args, fc, em, verify=False, payload=False)
        return None

    def _x_verify_checksum_with_payload(
        self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter
    ) -> str | None:
        self._checksum(c, args, fc, em, verify=True, payload=True)
        return None

    def _x_update_checksum_with_payload(
        self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter
    ) -> str | None:
        self._checksum(c, args, fc, em, verify=False, payload=True)
        return None

    # clone / resubmit / recirculate -------------------------------------------------------

    def field_list_slots(self, index: int) -> int:
        """Field-list id for ``@field_list(index)`` (the id is the index itself)."""
        if index not in self.field_lists:
            self.field_lists[index] = self.annotated_field_list(index)
        return index


    def data_field_list(self, data: ast.Expr | None, fc: FnContext, em: Emitter) -> int:
        """A field list made of the lvalues in a deprecated ``clone3``/``resubmit``/``recirculate``
        data argument; returns its id (ids from 1000 up, so they never meet @field_list indices)."""
        slots: list[int] = []
        if data is not None:
            exprs = data.items if isinstance(data, ast.ListExpr) else (
                [v for _n, v in data.fields] if isinstance(data, ast.StructExpr) else [data]
            )
            for x in exprs:
                loc = self.lvalue(x, fc, em)
                if loc is None or loc.dyn is not None:
                    continue
                for s in scalar_slots(loc.layout):
                    slots.extend(range(s.base, s.base + s.size))
        fid = 1000 + len([k for k in self.field_lists if k >= 1000])
        self.field_lists[fid] = slots
        return fid

    def _clone(self, session: str, fl: int, em: Emitter) -> None:
        em.line(f"P[{SLOT_CLONE}] = ({session} & {MIRROR_SESSION_MASK}) | {CLONE_REQUESTED}")
        em.line(f"P[{SLOT_CLONE_FL}] = {fl}")

    def _x_clone(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        self._clone(self._arg(args, 1, fc, em, c), -1, em)
        return None

    def _x_clone3(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        fid = self.data_field_list(args[2] if len(args) > 2 else None, fc, em)
        self._clone(self._arg(args, 1, fc, em, c), fid, em)
        return None

    def _const_index(self, e: ast.Expr | None, c: ast.Call) -> int:
        if e is None or e.const is None:
            raise unsupported("field list index must be a constant", c.loc)
        return int(e.const)

    def _x_clone_preserving_field_list(
        self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter
    ) -> str | None:
        fid = self.field_list_slots(self._const_index(args[2], c))
        self._clone(self._arg(args, 1, fc, em, c), fid, em)
        return None

    def _x_resubmit(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        fid = self.data_field_list(args[0] if args else None, fc, em)
        em.line(f"P[{SLOT_RESUBMIT}] = {fid + 1}")
        return None

    def _x_resubmit_preserving_field_list(
        self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter
    ) -> str | None:
        fid = self.field_list_slots(self._const_index(args[0], c))
        em.line(f"P[{SLOT_RESUBMIT}] = {fid + 1}")
        return None

    def _x_recirculate(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        fid = self.data_field_list(args[0] if args else None, fc, em)
        em.line(f"P[{SLOT_RECIRC}] = {fid + 1}")
        return None

    def _x_recirculate_preserving_field_list(
        self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter
    ) -> str | None:
        fid = self.field_list_slots(self._const_index(args[0], c))
        em.line(f"P[{SLOT_RECIRC}] = {fid + 1}")
        return None

    def _x_truncate(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        v = self.fresh("_tr")
        em.line(f"{v} = {self._arg(args, 0, fc, em, c)}")
        with em.block(f"if P[{SLOT_TRUNCATE}] < 0 or {v} < P[{SLOT_TRUNCATE}]:"):
            em.line(f"P[{SLOT_TRUNCATE}] = {v}")
        return None

    def _x_digest(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        data = args[1] if len(args) > 1 else None
        if data is None:
            raise unsupported("digest without data", c.loc)
        t = self.etype(data, fc)
        tu = underlying(t)
        name = tu.name if isinstance(tu, StructT) else ""
        index = len(self.digests)
        field_names = [f.name for f in tu.fields] if isinstance(tu, StructT) else []
        self.digests.append((name, field_names))
        fn = self.fresh("dg_")
        body = Emitter()
        with body.block(f"def {fn}(P):"):
            inner = Emitter(body.level)
            items = self.field_items(data, fc, inner)
            vals = ", ".join(v for v, _w, _c in items)
            body.extend(inner)
            body.line(f"return ({index}, ({vals}{',' if len(items) == 1 else ''}))")
        self.out.extend(body)
        em.line(f"P[{SLOT_DIGEST}] = {fn}")
        return None

    def _x_log_msg(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        msg = args[0]
        text = msg.value if isinstance(msg, ast.StrLit) else ""
        data = args[1] if len(args) > 1 else None
        vals = "()"
        if data is not None:
            items = self.field_items(data, fc, em)
            vals = "(" + "".join(v + ", " for v, _w, _c in items) + ")"
        em.line(f"_log_msg({text!r}, {vals})")
        return None

    def _x_assert(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        cond = self._arg(args, 0, fc, em, c)
        with em.block(f"if not {cond}:"):
            em.line(f"raise _Fatal({('assert failed at ' + str(c.loc))!r})")
        return None

    def _x_assume(self, c: ast.Call, args: list[ast.Expr | None], fc: FnContext, em: Emitter) -> str | None:
        cond = self._arg(args, 0, fc, em, c)
        with em.block(f"if not {cond}:"):
            em.line(f"raise _Fatal({('assume failed at ' + str(c.loc))!r})")
        return None


def _fold(items: list[FieldItem]) -> str:
    """One expression packing fixed-width unconditional items MSB-first."""
    total = sum(w for _v, w, _c in items if isinstance(w, int))
    parts = []
    shift = total
    for v, w, _c in items:
        assert isinstance(w, int)
        shift -= w
        parts.append(f"({v} << {shift})" if shift else v)
    return "(" + " | ".join(parts) + ")" if len(parts) > 1 else parts[0]


def enum_member_name(t: Type, value: int) -> str:
    u = underlying(t)
    if isinstance(u, EnumT) and 0 <= value < len(u.members):
        return u.members[value]
    return ""


def _packed_width(t: Type) -> int:
    """Bits a scalar takes in a field list: BMv2 holds errors and (non-serializable) enums as
    32-bit values (the error code, the enum member's position)."""
    w, _s = bits_info(t)
    if w == 0 and isinstance(underlying(t), (ErrorT, EnumT)):
        return 32
    return w
