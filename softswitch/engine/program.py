"""A loaded program: the generated functions plus the runtime objects they use, with a
control-plane API by fully qualified (P4Info) name.

``Program.from_frontend(compiled)`` generates the Python source once, compiles and executes it in
a fresh namespace, creates the tables, extern instances and value sets, and binds them into that
namespace. Per packet, :mod:`softswitch.engine.pipeline` calls the entry points
(:attr:`Program.parse`, :attr:`Program.ingress`, ...).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from softswitch.engine.action_profiles import ActionProfile
from softswitch.engine.codegen import GeneratedProgram, generate
from softswitch.engine.codegen.base import TableGenInfo
from softswitch.engine.codegen.table_apply import extern_type_name
from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.stateful import CounterArray, CounterKind, MeterArray, MeterUnit, RegisterArray
from softswitch.engine.tables import Entry, KeySpec, MatchKind, Table
from softswitch.frontend.compiler import CompiledFrontend, compile_text
from softswitch.frontend.errors import P4Error
from softswitch.frontend.instances import ActionInstance, ExternInstance
from softswitch.frontend.types import EnumT, underlying

log = logging.getLogger("softswitch.engine")

ActionFn = Callable[..., None]


class ActionRef:
    """What a table entry names as its action: the function to call and the codes
    ``t.apply()`` returns (``action_id << 1 | hit``)."""

    __slots__ = ("fn", "hit", "id", "miss", "name", "params")

    def __init__(self, fn: ActionFn, action_id: int, name: str, params: list[tuple[str, int, bool]]) -> None:
        self.fn = fn
        self.id = action_id
        self.hit = (action_id << 1) | 1
        self.miss = action_id << 1
        self.name = name
        self.params = params

    def check_args(self, args: Sequence[int]) -> tuple[int, ...]:
        """Validate control-plane arguments against the parameter widths."""
        if len(args) != len(self.params):
            raise EntityError(
                ErrorCode.INVALID_ARGUMENT,
                f"action {self.name} takes {len(self.params)} argument(s), got {len(args)}",
            )
        out = []
        for (pname, width, _signed), v in zip(self.params, args, strict=True):
            if not isinstance(v, int) or v < 0 or (width and v >> width):
                raise EntityError(
                    ErrorCode.INVALID_ARGUMENT, f"action {self.name}: value {v!r} for {pname} does not fit in {width} bits"
                )
            out.append(v)
        return tuple(out)

    def __repr__(self) -> str:
        return f"ActionRef({self.name})"


class ValueSet:
    """A parser ``value_set``: (value, mask) pairs over the select key packed MSB-first."""

    def __init__(self, name: str, size: int, widths: Sequence[int]) -> None:
        self.name = name
        self.size = size
        self.widths = tuple(widths)
        self.entries: list[tuple[int, int]] = []

    def _pack(self, key: Sequence[int]) -> int:
        v = 0
        for x, w in zip(key, self.widths, strict=False):
            v = (v << w) | (int(x) & ((1 << w) - 1))
        return v

    def match(self, key: Sequence[int]) -> bool:
        k = self._pack(key)
        return any(k & m == v for v, m in self.entries)

    def add(self, value: int, mask: int | None = None) -> None:
        total = sum(self.widths)
        m = ((1 << total) - 1) if mask is None else mask
        if len(self.entries) >= self.size:
            raise EntityError(ErrorCode.RESOURCE_EXHAUSTED, f"value set {self.name} is full")
        self.entries.append((value & m, m))

    def clear(self) -> None:
        self.entries.clear()


@dataclass(slots=True)
class TableRuntime:
    """One table with its metadata, for the control plane."""

    name: str
    table: Table[Any]
    keys: tuple[KeySpec, ...]
    actions: dict[str, ActionRef]
    scopes: dict[str, str]
    info: TableGenInfo
    profile: ActionProfile[ActionRef] | None = None
    direct_counter: str | None = None
    direct_meter: str | None = None
    initial: list[tuple[list[object], ActionRef, tuple[int, ...], int]] = field(default_factory=list)

    def action(self, name: str) -> ActionRef:
        ref = self.actions.get(name)
        if ref is not None:
            return ref
        matches = [r for n, r in self.actions.items() if n.endswith("." + name) or n.split(".")[-1] == name]
        if len(matches) == 1:
            return matches[0]
        raise EntityError(ErrorCode.INVALID_ARGUMENT, f"action {name!r} is not an action of table {self.name}")

    def add(self, match: Sequence[object], action: str, args: Sequence[int] = (), *, priority: int = 0,
            ttl_ns: int = 0, now_ns: int = 0) -> Entry[Any]:
        ref = self.action(action)
        if self.scopes.get(ref.name) == "default_only":
            raise EntityError(ErrorCode.PERMISSION_DENIED, f"action {ref.name} may only be a default action")
        return self.table.insert(match, ref, ref.check_args(args), priority=priority, ttl_ns=ttl_ns, now_ns=now_ns)

    def modify(self, match: Sequence[object], action: str, args: Sequence[int] = (), *, priority: int = 0) -> Entry[Any]:
        ref = self.action(action)
        return self.table.modify(match, ref, ref.check_args(args), priority=priority)

    def delete(self, match: Sequence[object], *, priority: int = 0) -> Entry[Any]:
        return self.table.delete(match, priority=priority)

    def set_default(self, action: str, args: Sequence[int] = ()) -> None:
        ref = self.action(action)
        if self.scopes.get(ref.name) == "table_only":
            raise EntityError(ErrorCode.PERMISSION_DENIED, f"action {ref.name} may not be a default action")
        self.table.set_default(ref, ref.check_args(args))

    def reset(self) -> None:
        """Back to the program's state: declared entries only, initial default action."""
        self.table.clear()
        for match, ref, args, prio in self.initial:
            self.table.install_initial(match, ref, args, priority=prio)
        self.table.default_action = self.table.initial_default_action
        self.table.default_args = self.table.initial_default_args


class Program:
    """A program ready to process packets."""

    def __init__(self, gen: GeneratedProgram, filename: str = "<program>") -> None:
        self.generated = gen
        self.filename = filename
        self.source = gen.source
        ns: dict[str, Any] = dict(gen.namespace)
        self.rng = random.Random()
        self._t0 = time.monotonic_ns()
        ns["_now_us"] = self._default_now_us
        ns["_now_ns"] = self._default_now_ns
        ns["_randint"] = self.rng.randint
        ns["_log_msg"] = _log_msg
        self.tables: dict[str, TableRuntime] = {}
        self.counters: dict[str, CounterArray] = {}
        self.meters: dict[str, MeterArray] = {}
        self.registers: dict[str, RegisterArray] = {}
        self.action_profiles: dict[str, ActionProfile[ActionRef]] = {}
        self.value_sets: dict[str, ValueSet] = {}
        self.direct_counters: dict[str, str] = {}  # direct counter name -> table name
        self.direct_meters: dict[str, str] = {}
        self._create_externs(ns)
        try:
            code = compile(gen.source, f"<softswitch {filename}>", "exec")
        except (SyntaxError, RecursionError, MemoryError) as exc:
            raise P4Error(f"internal error: generated code does not compile: {exc}", kind="unsupported") from exc
        exec(code, ns)
        self.ns = ns
        try:
            self._create_tables(ns)
            self._create_value_sets(ns)
        except (EntityError, ValueError) as exc:
            raise P4Error(f"cannot load the program's tables: {exc}", kind="unsupported") from None
        self.parse: Callable[[list[object], bytes], int] = ns["_parse"]
        self.verify: Callable[[list[object], bytes], None] = ns["_verify"]
        self.ingress: Callable[[list[object]], None] = ns["_ingress"]
        self.egress: Callable[[list[object]], None] = ns["_egress"]
        self.compute: Callable[[list[object], bytes], None] = ns["_compute"]
        empty = gen.empty_controls
        self.has_verify = "vr" not in empty
        self.has_egress = "eg" not in empty
        self.has_compute = "ck" not in empty
        self.deparse: Callable[[list[object]], list[bytes]] = ns["_deparse"]
        self.template = gen.template
        self.sm = gen.sm_slots
        self.field_lists = gen.field_lists
        self.header_ranges = gen.header_ranges
        self.digest_names = [name for name, _f in gen.digests]

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_frontend(cls, fe: CompiledFrontend) -> Program:
        return cls(generate(fe.elaborated), fe.program.loc.file if fe.program.loc else "<program>")

    @classmethod
    def from_source(cls, text: str, filename: str = "<program>") -> Program:
        """Compile preprocessed P4 text (as carried by a device config) and load it."""
        return cls.from_frontend(compile_text(text, filename))

    def _default_now_us(self) -> int:
        return (time.monotonic_ns() - self._t0) // 1000

    def _default_now_ns(self) -> int:
        return time.monotonic_ns()

    def set_clock(self, now_us: Callable[[], int], now_ns: Callable[[], int]) -> None:
        """The time source for meters (µs) and idle timeouts (ns)."""
        self.ns["_now_us"] = now_us
        self.ns["_now_ns"] = now_ns

    def _create_externs(self, ns: dict[str, Any]) -> None:
        for inst, pyname in self.generated.externs.items():
            ns[pyname] = self._make_extern(inst)
        for inst in self.generated.elaborated.all_externs:
            kind = extern_type_name(inst)
            if kind in ("counter", "meter", "register", "action_profile", "action_selector") and \
                    inst not in self.generated.externs:
                self._make_extern(inst)

    def _make_extern(self, inst: ExternInstance) -> object:
        kind = extern_type_name(inst)
        args = _ctor_args(inst)
        size = _int(args.get("size", 0))
        name = inst.name
        if kind == "counter":
            ck = {"packets": CounterKind.PACKETS, "bytes": CounterKind.BYTES}.get(str(args.get("type")), CounterKind.BOTH)
            obj: object = self.counters.setdefault(name, CounterArray(size, ck, name))
            return obj
        if kind == "meter":
            unit = MeterUnit.BYTES if args.get("type") == "bytes" else MeterUnit.PACKETS
            return self.meters.setdefault(name, MeterArray(size, unit, name))
        if kind == "register":
            t = inst.type
            targs = getattr(t, "type_args", ())
            from softswitch.engine.layout import scalar_width

            w, s = scalar_width(targs[0]) if targs else (32, False)
            if w == 0:
                raise P4Error(f"register {name}: elements must be bit<W> or int<W>", inst.decl.loc, kind="unsupported")
            return self.registers.setdefault(name, RegisterArray(size, w, s, name))
        if kind in ("action_profile", "action_selector"):
            return self.action_profiles.setdefault(
                name, ActionProfile(name, size, with_selector=kind == "action_selector")
            )
        if kind in ("direct_counter", "direct_meter", "Checksum16"):
            return None  # state lives in table entries / nothing to keep
        raise P4Error(f"extern {kind} is not supported", inst.decl.loc, kind="unsupported")

    def _create_tables(self, ns: dict[str, Any]) -> None:
        gen = self.generated
        for info in gen.tables:
            keys = tuple(KeySpec(n, MatchKind(kind), w) for n, kind, w, _e in info.keys)
            refs: dict[ActionInstance, ActionRef] = {}
            by_name: dict[str, ActionRef] = {}
            scopes: dict[str, str] = {}
            for a in info.actions:
                ref = ActionRef(ns[info.action_fns[a]], gen.action_ids[a], a.name, gen.param_widths.get(a, []))
                refs[a] = ref
                by_name[a.name] = ref
                scopes[a.name] = info.action_scope.get(a, "")
            da = info.default_action
            assert da is not None
            table: Table[Any] = Table(
                info.inst.name, keys, info.size, refs[da], info.default_args,
                const_default=info.const_default, is_const=info.const_entries,
                supports_timeout=info.support_timeout,
            )
            rt = TableRuntime(info.inst.name, table, keys, by_name, scopes, info)
            for match, a, args, prio in info.entries:
                p = prio if table.needs_priority else 0
                rt.initial.append((match, refs[a], tuple(args), p))
                table.install_initial(match, refs[a], args, priority=p)
            if info.implementation is not None:
                rt.profile = self.action_profiles.get(info.implementation.name)
            if info.direct_counter is not None:
                rt.direct_counter = info.direct_counter.name
                self.direct_counters[info.direct_counter.name] = rt.name
            if info.direct_meter is not None:
                rt.direct_meter = info.direct_meter.name
                self.direct_meters[info.direct_meter.name] = rt.name
            ns[info.obj] = table
            ns[info.obj + "_lk"] = table.lookup
            self.tables[rt.name] = rt

    def _create_value_sets(self, ns: dict[str, Any]) -> None:
        from softswitch.engine.layout import scalar_width

        for vs, pyname in self.generated.value_sets.items():
            t = vs.decl.elem_type.resolved
            widths: list[int] = []
            if t is not None:
                u = underlying(t)
                fields = getattr(u, "fields", None)
                if fields:
                    widths = [scalar_width(f.type)[0] for f in fields]
                else:
                    widths = [scalar_width(u)[0]]
            obj = ValueSet(vs.name, vs.size, widths)
            self.value_sets[vs.name] = obj
            ns[pyname] = obj

    # ------------------------------------------------------------------ control plane by name

    def table(self, name: str) -> TableRuntime:
        return _lookup(self.tables, name, "table")

    def counter(self, name: str) -> CounterArray:
        return _lookup(self.counters, name, "counter")

    def meter(self, name: str) -> MeterArray:
        return _lookup(self.meters, name, "meter")

    def register(self, name: str) -> RegisterArray:
        return _lookup(self.registers, name, "register")

    def action_profile(self, name: str) -> ActionProfile[ActionRef]:
        return _lookup(self.action_profiles, name, "action profile")

    def value_set(self, name: str) -> ValueSet:
        return _lookup(self.value_sets, name, "value set")

    def reset_state(self) -> None:
        """Wipe all forwarding state back to what the program declares."""
        for rt in self.tables.values():
            rt.reset()
        for c in self.counters.values():
            c.reset()
        for m in self.meters.values():
            m.reset_all()
        for r in self.registers.values():
            r.reset()
        for p in self.action_profiles.values():
            p.clear()
        for v in self.value_sets.values():
            v.clear()


_T = TypeVar("_T")


def _lookup(d: dict[str, _T], name: str, what: str) -> _T:
    obj = d.get(name)
    if obj is not None:
        return obj
    cands = [k for k in d if k.endswith("." + name)]
    if len(cands) == 1:
        return d[cands[0]]
    if cands:
        raise KeyError(f"{what} name {name!r} is ambiguous: {', '.join(sorted(cands))}")
    raise KeyError(f"no {what} named {name!r}")


def _ctor_args(inst: ExternInstance) -> dict[str, object]:
    """Constructor arguments by parameter name; enum members as their names."""
    out: dict[str, object] = {}
    if inst.ctor is None:
        return out
    for p, v in zip(inst.ctor.params, inst.args, strict=False):
        t = p.type_ref.resolved
        if t is not None and isinstance(underlying(t), EnumT) and isinstance(v, int):
            members = underlying(t).members  # type: ignore[attr-defined]
            out[p.name] = members[v] if 0 <= v < len(members) else v
        else:
            out[p.name] = v
    return out


def _int(v: object) -> int:
    return v if isinstance(v, int) else 0


def _log_msg(fmt: str, values: tuple[int, ...]) -> None:
    text = fmt
    for v in values:
        text = text.replace("{}", str(v), 1)
    log.info("log_msg: %s", text)
