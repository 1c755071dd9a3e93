"""An STF target backed by the real engine: a loaded :class:`Program` in a :class:`Switch`.

``EngineTarget.from_file(path)`` runs the front-end, builds the P4Info (for the runner's name
resolution, exactly as a controller would see it) and loads the program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from softswitch.engine.entity_errors import EntityError
from softswitch.engine.pipeline import PipelineFatal, Switch
from softswitch.engine.program import Program, TableRuntime
from softswitch.engine.tables import Entry
from softswitch.frontend.compiler import CompiledFrontend, compile_file
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info

from .parser import parse_stf, parse_stf_file
from .runner import StfResult, run_stf
from .target import KeyMatch, StfTargetCrashed, StfTargetError, StfUnsupported

if TYPE_CHECKING:
    from finsy.proto import p4i


class EngineTarget:
    """Implements :class:`softswitch.stf.target.StfTarget` over an in-process switch."""

    def __init__(self, frontend: CompiledFrontend, *, seed: int | None = 0) -> None:
        self.frontend = frontend
        self._p4info = build_p4info(to_program_spec(frontend.elaborated, for_p4runtime=False))
        self.program = Program.from_frontend(frontend)
        self.switch = Switch(self.program, seed=seed)
        self._crashed: str | None = None
        self._entries: dict[str, list[Entry[Any]]] = {}

    @classmethod
    def from_file(
        cls, path: Path, include_dirs: Sequence[Path] = (), defines: Mapping[str, str] | None = None
    ) -> EngineTarget:
        return cls(compile_file(path, include_dirs, defines or {}))

    @property
    def p4info(self) -> p4i.P4Info:
        return self._p4info

    # ------------------------------------------------------------------ tables

    def _table(self, name: str) -> TableRuntime:
        try:
            return self.program.table(name)
        except KeyError as e:
            raise StfTargetError(str(e)) from None

    def add_entry(
        self, table: str, matches: list[KeyMatch], action: str, args: list[int], priority: int | None
    ) -> None:
        rt = self._table(table)
        if len(matches) != len(rt.keys):
            raise StfTargetError(f"table {table} has {len(rt.keys)} match fields, got {len(matches)}")
        values: list[object] = []
        for spec, m in zip(rt.keys, matches, strict=True):
            kind = spec.kind.value
            if kind == "exact":
                values.append(m.value)
            elif kind == "lpm":
                plen = m.prefix_len if m.prefix_len is not None else spec.width
                keep = ((1 << spec.width) - 1) ^ ((1 << (spec.width - plen)) - 1)
                values.append((m.value & keep, plen))
            elif kind == "ternary":
                mask = m.mask if m.mask is not None else (1 << spec.width) - 1
                values.append((m.value & mask, mask))
            elif kind == "optional":
                mask = m.mask if m.mask is not None else (1 << spec.width) - 1
                values.append(None if mask == 0 else m.value)
            else:
                raise StfUnsupported(f"{kind} keys cannot be written from STF")
        prio = 0
        if rt.table.needs_priority:
            # STF: a larger number wins, and 0 is allowed; the runtime table wants > 0
            prio = (priority or 0) + 1
        try:
            entry = rt.add(values, action, args, priority=prio)
        except EntityError as e:
            raise StfTargetError(str(e)) from None
        self._handles(rt).append(entry)

    def _handles(self, rt: TableRuntime) -> list[Entry[Any]]:
        """The table's entries by BMv2 entry handle: the program's initial entries first, then
        the entries added, in order (STF never deletes, so handles are never reused)."""
        entries = self._entries.get(rt.name)
        if entries is None:
            entries = []
            for match, _ref, _args, prio in rt.initial:
                e = rt.table.get(match, priority=prio)
                if e is not None:
                    entries.append(e)
            self._entries[rt.name] = entries
        return entries

    def _entry(self, table: str, handle: int) -> Entry[Any]:
        entries = self._handles(self._table(table))
        if not 0 <= handle < len(entries):
            raise StfTargetError(f"table {table} has no entry with handle {handle}")
        return entries[handle]

    def set_default(self, table: str, action: str, args: list[int]) -> None:
        try:
            self._table(table).set_default(action, args)
        except EntityError as e:
            raise StfTargetError(str(e)) from None

    # ------------------------------------------------------------------ PRE

    def mc_mgrp_create(self, gid: int) -> None:
        self._pre(lambda: self.switch.pre.mc_mgrp_create(gid))

    def mc_node_create(self, rid: int, ports: list[int]) -> int:
        try:
            return self.switch.pre.mc_node_create(rid, ports)
        except EntityError as e:
            raise StfTargetError(str(e)) from None

    def mc_node_associate(self, gid: int, handle: int) -> None:
        self._pre(lambda: self.switch.pre.mc_node_associate(gid, handle))

    def mirroring_add(self, session: int, port: int) -> None:
        self._pre(lambda: self.switch.pre.mirroring_add(session, port))

    def mirroring_add_mc(self, session: int, mgrp: int) -> None:
        self._pre(lambda: self.switch.pre.mirroring_add_mc(session, mgrp))

    def mirroring_delete(self, session: int) -> None:
        self._pre(lambda: self.switch.pre.mirroring_delete(session))

    @staticmethod
    def _pre(op: object) -> None:
        try:
            op()  # type: ignore[operator]
        except EntityError as e:
            raise StfTargetError(str(e)) from None

    # ------------------------------------------------------------------ counters, registers, meters

    def counter_read(self, name: str, index: int) -> tuple[int, int]:
        table = self.program.direct_counters.get(name)
        if table is not None:
            entry = self._entry(table, index)
            return entry.packets, entry.bytes
        try:
            return self.program.counter(name).read(index)
        except (KeyError, EntityError) as e:
            raise StfTargetError(str(e)) from None

    def counter_write(self, name: str, index: int, packet_count: int, byte_count: int) -> None:
        table = self.program.direct_counters.get(name)
        if table is not None:
            entry = self._entry(table, index)
            entry.packets, entry.bytes = packet_count, byte_count
            return
        try:
            self.program.counter(name).write(index, packet_count, byte_count)
        except (KeyError, EntityError) as e:
            raise StfTargetError(str(e)) from None

    def register_read(self, name: str, index: int) -> int:
        try:
            return self.program.register(name).get(index)
        except (KeyError, EntityError) as e:
            raise StfTargetError(str(e)) from None

    def register_write(self, name: str, index: int, value: int) -> None:
        try:
            self.program.register(name).set(index, value)
        except (KeyError, EntityError) as e:
            raise StfTargetError(str(e)) from None

    def register_reset(self, name: str) -> None:
        try:
            self.program.register(name).reset()
        except KeyError as e:
            raise StfTargetError(str(e)) from None

    def meter_set_rates(self, name: str, index: int | None, rates: list[tuple[float, int]]) -> None:
        if len(rates) != 2:
            raise StfTargetError("a meter takes two rates: CIR:CBS PIR:PBS")
        (cir, cbs), (pir, pbs) = rates
        table = self.program.direct_meters.get(name)
        if table is not None:
            if index is None:
                raise StfTargetError(f"{name} is a direct meter: give the entry handle")
            try:
                self._entry(table, index).ensure_meter().set_rates(cir, cbs, pir, pbs)
            except EntityError as e:
                raise StfTargetError(str(e)) from None
            return
        try:
            m = self.program.meter(name)
            if index is None:
                m.set_all_rates(cir, cbs, pir, pbs)
            else:
                m.set_rates(index, cir, cbs, pir, pbs)
        except (KeyError, EntityError) as e:
            raise StfTargetError(str(e)) from None

    # ------------------------------------------------------------------ packets

    def packet(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        if self._crashed is not None:
            raise StfTargetCrashed(self._crashed)
        try:
            return self.switch.process(port, data)
        except PipelineFatal as e:
            self._crashed = str(e)
            raise StfTargetCrashed(str(e)) from None


def run_stf_program(
    program: Path, stf: Path | str, include_dirs: Sequence[Path] = (), defines: Mapping[str, str] | None = None
) -> StfResult:
    """Compile ``program``, load it into an in-process switch and run an STF test against it.

    ``stf`` is the path of an .stf file, or the STF text itself. Raises :class:`P4Error` for a
    program that does not compile and :class:`StfSyntaxError` for a bad STF file.
    """
    target = EngineTarget.from_file(program, include_dirs, defines)
    commands = parse_stf_file(stf) if isinstance(stf, Path) else parse_stf(stf, f"{program.stem}.stf")
    return run_stf(target, commands)
