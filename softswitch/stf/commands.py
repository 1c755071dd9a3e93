"""The commands of an STF file, as typed data. :mod:`softswitch.stf.parser` produces them.

Every command remembers the line it came from. Values whose meaning depends on how they were written
(table keys, action arguments) are kept as written; :mod:`softswitch.stf.resolve` interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CounterKind = Literal["packets", "bytes"]
Comparison = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class PacketCmd:
    """``packet <port> <hex>``: send ``data`` into ``port``."""

    line: int
    port: int
    data: bytes


@dataclass(frozen=True, slots=True)
class ExpectCmd:
    """``expect <port> [<hex and *>] [$]``: one more packet is expected on ``port``.

    ``pattern`` is upper-case hex digits and ``*`` (a don't-care nibble), or None for a bare
    ``expect <port>`` (any one packet). ``exact`` is set by a trailing ``$``: no bytes beyond the pattern.
    """

    line: int
    port: int
    pattern: str | None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class StfKey:
    """One ``name:value`` of an ``add`` line, with the value as written.

    ``value`` is decimal or ``0x``/``0b``/``0o`` digits, where ``*`` digits mean "don't care".
    ``prefix_len`` is set by the ``value/len`` form and ``mask`` by the ``value&&&mask`` form.
    """

    name: str
    value: str
    prefix_len: int | None = None
    mask: str | None = None


@dataclass(frozen=True, slots=True)
class ActionCall:
    """``action(param:value, ...)`` with the values as written."""

    name: str
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AddCmd:
    """``add <table> [<priority>] <key:value>... <action>(<args>) [= <id>]``."""

    line: int
    table: str
    priority: int | None
    keys: tuple[StfKey, ...]
    action: ActionCall
    entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetDefaultCmd:
    """``setdefault <table> <action>(<args>)``."""

    line: int
    table: str
    action: ActionCall


@dataclass(frozen=True, slots=True)
class RemoveCmd:
    """``remove ...`` (p4c's BMv2 runner cannot run it; kept so the runner can say so)."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class NoPacketCmd:
    """``no_packet`` (p4c's BMv2 runner crashes on it; kept so the runner can say so)."""

    line: int


@dataclass(frozen=True, slots=True)
class WaitCmd:
    """``wait``: no effect (every packet is processed to the end before the next command)."""

    line: int


@dataclass(frozen=True, slots=True)
class CheckCounterCmd:
    """``check_counter <counter>(<index or $id>) [packets|bytes <op> <n>]``: reported, never judged."""

    line: int
    counter: str
    index: str
    kind: CounterKind | None = None
    op: Comparison | None = None
    value: int | None = None


@dataclass(frozen=True, slots=True)
class McMgrpCreateCmd:
    line: int
    group: int


@dataclass(frozen=True, slots=True)
class McNodeCreateCmd:
    line: int
    rid: int
    ports: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class McNodeUpdateCmd:
    line: int
    handle: int
    ports: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class McNodeAssociateCmd:
    line: int
    group: int
    handle: int


@dataclass(frozen=True, slots=True)
class MirroringAddCmd:
    line: int
    session: int
    port: int


@dataclass(frozen=True, slots=True)
class MirroringAddMcCmd:
    line: int
    session: int
    group: int


@dataclass(frozen=True, slots=True)
class MirroringDeleteCmd:
    line: int
    session: int


@dataclass(frozen=True, slots=True)
class MirroringGetCmd:
    line: int
    session: int


@dataclass(frozen=True, slots=True)
class CounterReadCmd:
    line: int
    name: str
    index: int


@dataclass(frozen=True, slots=True)
class CounterWriteCmd:
    line: int
    name: str
    index: int
    packets: int
    bytes: int


@dataclass(frozen=True, slots=True)
class RegisterReadCmd:
    line: int
    name: str
    index: int


@dataclass(frozen=True, slots=True)
class RegisterWriteCmd:
    line: int
    name: str
    index: int
    value: int


@dataclass(frozen=True, slots=True)
class RegisterResetCmd:
    line: int
    name: str


@dataclass(frozen=True, slots=True)
class MeterGetRatesCmd:
    line: int
    name: str
    index: int


@dataclass(frozen=True, slots=True)
class MeterSetRatesCmd:
    """``meter_set_rates <m> <i> <rate>:<burst> ...`` (rates in units per microsecond, as BMv2's CLI)."""

    line: int
    name: str
    index: int
    rates: tuple[tuple[float, int], ...]


@dataclass(frozen=True, slots=True)
class MeterArraySetRatesCmd:
    """``meter_array_set_rates <m> <rate>:<burst> ...``: the same rates for every index."""

    line: int
    name: str
    rates: tuple[tuple[float, int], ...]


StfCommand = (
    PacketCmd
    | ExpectCmd
    | AddCmd
    | SetDefaultCmd
    | RemoveCmd
    | NoPacketCmd
    | WaitCmd
    | CheckCounterCmd
    | McMgrpCreateCmd
    | McNodeCreateCmd
    | McNodeUpdateCmd
    | McNodeAssociateCmd
    | MirroringAddCmd
    | MirroringAddMcCmd
    | MirroringDeleteCmd
    | MirroringGetCmd
    | CounterReadCmd
    | CounterWriteCmd
    | RegisterReadCmd
    | RegisterWriteCmd
    | RegisterResetCmd
    | MeterGetRatesCmd
    | MeterSetRatesCmd
    | MeterArraySetRatesCmd
)
