"""Running an STF test against a target, with the semantics of p4c's BMv2 runner (P4TARGET.md section 3).

Commands run in file order. Each ``packet`` is processed to the end before the next command, so the
delays p4c inserts are not needed. ``expect`` lines are collected and compared only after the run
(:mod:`softswitch.stf.result`). Table writes are resolved against the target's P4Info
(:mod:`softswitch.stf.resolve`); the other switch commands are those p4c passes to simple_switch_CLI,
whose errors STF never checks: a refused command becomes a note and the run goes on.

Use :func:`run_stf` and print :func:`format_result`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .commands import (
    AddCmd,
    CheckCounterCmd,
    CounterReadCmd,
    CounterWriteCmd,
    ExpectCmd,
    McMgrpCreateCmd,
    McNodeAssociateCmd,
    McNodeCreateCmd,
    McNodeUpdateCmd,
    MeterArraySetRatesCmd,
    MeterGetRatesCmd,
    MeterSetRatesCmd,
    MirroringAddCmd,
    MirroringAddMcCmd,
    MirroringDeleteCmd,
    MirroringGetCmd,
    NoPacketCmd,
    PacketCmd,
    RegisterReadCmd,
    RegisterResetCmd,
    RegisterWriteCmd,
    RemoveCmd,
    SetDefaultCmd,
    StfCommand,
    WaitCmd,
)
from .resolve import CliError, StfLineError, cli_lookup, resolve_add, resolve_set_default
from .result import Status, StfResult, format_result, judge
from .schema import StfSchema, schema_from_p4info
from .target import StfTarget, StfTargetCrashed, StfTargetError, StfUnsupported

__all__ = ["StfResult", "format_result", "run_stf"]


class _Stop(Exception):
    """Ends the run early with an "error" or "unsupported" result."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class _Run:
    target: StfTarget
    schema: StfSchema
    notes: list[str] = field(default_factory=list)
    expectations: dict[int, list[ExpectCmd]] = field(default_factory=dict)
    outputs: dict[int, list[bytes]] = field(default_factory=dict)


def run_stf(target: StfTarget, commands: Sequence[StfCommand]) -> StfResult:
    """Run ``commands`` (from :func:`softswitch.stf.parser.parse_stf`) against ``target`` and judge them."""
    run = _Run(target, schema_from_p4info(target.p4info))
    named = {c.port for c in commands if isinstance(c, PacketCmd | ExpectCmd)}
    try:
        for command in harness_order(commands):
            _execute(run, command)
    except _Stop as stop:
        status: Status = "unsupported" if stop.status == "unsupported" else "error"
        return StfResult(status, notes=tuple(run.notes), message=stop.message)
    return judge(named, run.expectations, run.outputs, run.notes)


def harness_order(commands: Sequence[StfCommand]) -> list[StfCommand]:
    """The order in which p4c's BMv2 harness has its commands take effect.

    The harness gives simple_switch one input pcap per port the file names, and the switch reads
    the first packet of every input before it forwards anything. A port that only appears in
    ``expect`` lines never gets a packet, so then no packet is processed until the harness closes
    the inputs at the end, after every CLI command (``add``, ``setdefault``, ``mc_*``, ...) has
    run. Checked on a real simple_switch: a packet sent before an ``add`` already sees the entry.
    With every named port fed, packets and commands take effect in file order.
    """
    fed = {c.port for c in commands if isinstance(c, PacketCmd)}
    output_only = {c.port for c in commands if isinstance(c, ExpectCmd)} - fed
    if not output_only:
        return list(commands)
    return [c for c in commands if not isinstance(c, PacketCmd)] + [c for c in commands if isinstance(c, PacketCmd)]


def _execute(run: _Run, command: StfCommand) -> None:
    line = command.line
    try:
        if isinstance(command, PacketCmd):
            for port, data in run.target.packet(command.port, command.data):
                run.outputs.setdefault(port, []).append(data)
        elif isinstance(command, ExpectCmd):
            run.expectations.setdefault(command.port, []).append(command)
        else:
            _switch_command(run, command)
    except StfLineError as e:
        raise _Stop("error", f"line {line}: {e}") from None
    except CliError as e:
        run.notes.append(f"line {line}: {_word(command)} not applied: {e}")
    except StfTargetError as e:
        run.notes.append(f"line {line}: {_word(command)} refused by the switch: {e}")
    except StfUnsupported as e:
        raise _Stop(
            "unsupported", f"line {line}: {_word(command)} is not supported by this target: {e}"
        ) from None
    except StfTargetCrashed as e:
        raise _Stop("error", f"line {line}: the switch stopped: {e}") from None


def _word(command: StfCommand) -> str:
    """The STF command word of ``command`` (``McNodeCreateCmd`` -> ``mc_node_create``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(command).__name__.removesuffix("Cmd")).lower()


def _switch_command(run: _Run, command: StfCommand) -> None:
    target, schema = run.target, run.schema
    match command:
        case AddCmd():
            w = resolve_add(schema, command)
            target.add_entry(w.table, w.matches, w.action, w.args, w.priority)
        case SetDefaultCmd():
            d = resolve_set_default(schema, command)
            target.set_default(d.table, d.action, d.args)
        case RemoveCmd():
            raise StfLineError(
                "remove is not supported by p4c's BMv2 STF runner ('remove all' is a parse error there)"
            )
        case NoPacketCmd():
            raise StfLineError("no_packet is not supported by p4c's BMv2 STF runner (it crashes on it)")
        case WaitCmd() | MirroringGetCmd() | MeterGetRatesCmd():
            pass  # nothing to wait for; the others only print, and STF never checks what they print
        case McNodeUpdateCmd():
            run.notes.append(f"line {command.line}: mc_node_update ignored (p4c's runner never sends it)")
        case McMgrpCreateCmd():
            target.mc_mgrp_create(command.group)
        case McNodeCreateCmd():
            target.mc_node_create(command.rid, list(command.ports))
        case McNodeAssociateCmd():
            target.mc_node_associate(command.group, command.handle)
        case MirroringAddCmd():
            target.mirroring_add(command.session, command.port)
        case MirroringAddMcCmd():
            target.mirroring_add_mc(command.session, command.group)
        case MirroringDeleteCmd():
            target.mirroring_delete(command.session)
        case CounterReadCmd():
            name = _resource((*schema.counters, *schema.direct_counters), command.name, "counter")
            packets, octets = target.counter_read(name, command.index)
            run.notes.append(
                f"line {command.line}: {name}[{command.index}] = {packets} packets, {octets} bytes"
            )
        case CounterWriteCmd():
            name = _resource((*schema.counters, *schema.direct_counters), command.name, "counter")
            target.counter_write(name, command.index, command.packets, command.bytes)
        case RegisterReadCmd():
            name = _resource(schema.registers, command.name, "register")
            value = target.register_read(name, command.index)
            run.notes.append(f"line {command.line}: {name}[{command.index}] = {value}")
        case RegisterWriteCmd():
            name = _resource(schema.registers, command.name, "register")
            target.register_write(name, command.index, command.value)
        case RegisterResetCmd():
            target.register_reset(_resource(schema.registers, command.name, "register"))
        case MeterSetRatesCmd():
            # a direct meter's index is the entry handle, as simple_switch_CLI takes it
            name = _resource((*schema.meters, *schema.direct_meters), command.name, "meter")
            target.meter_set_rates(name, command.index, list(command.rates))
        case MeterArraySetRatesCmd():
            name = _resource((*schema.meters, *schema.direct_meters), command.name, "meter")
            target.meter_set_rates(name, None, list(command.rates))
        case CheckCounterCmd():
            _check_counter(run, command)
        case PacketCmd() | ExpectCmd():  # pragma: no cover - handled by _execute
            pass


def _resource(names: Sequence[str], written: str, kind: str) -> str:
    """simple_switch_CLI's lookup of a counter, register or meter by unique dot-suffix."""
    found = cli_lookup(names, written)
    if found is None:
        raise CliError(f"no {kind} named {written!r}")
    return found


_OPS: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _check_counter(run: _Run, c: CheckCounterCmd) -> None:
    """Reported, never judged (p4c's runner ignores check_counter)."""
    head = f"line {c.line}: check_counter {c.counter}({c.index}) (not judged): "
    name = cli_lookup(run.schema.counters, c.counter)
    if name is None or not c.index.isdigit():
        run.notes.append(head + "only indirect counters with a numeric index are read")
        return
    try:
        packets, octets = run.target.counter_read(name, int(c.index))
    except (StfTargetError, StfUnsupported) as e:
        run.notes.append(head + f"could not read it: {e}")
        return
    observed = f"{packets} packets, {octets} bytes"
    if c.kind is None or c.op is None or c.value is None:
        run.notes.append(head + observed)
        return
    actual = packets if c.kind == "packets" else octets
    holds = _OPS[c.op](actual, c.value)
    run.notes.append(head + f"{observed}; {c.kind} {c.op} {c.value} {'holds' if holds else 'does NOT hold'}")
