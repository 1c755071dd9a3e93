"""What the STF runner needs from a switch: the :class:`StfTarget` protocol and the data it exchanges.

The runner resolves every name and value of the STF file against the target's P4Info (as p4c's BMv2
STF runner does against the BMv2 JSON, P4TARGET.md section 3.4) and calls the target with full P4Info
names and plain integers:

* ``add_entry``: ``matches`` holds one :class:`KeyMatch` per match field of the table, in P4Info order;
  fields the STF line left out are wildcards (ternary/optional ``0&&&0``, lpm ``0/0``) or exact ``0``.
  Values and masks are already cut to the field's bit width. ``args`` are the action's parameters in
  declaration order, cut to their widths.
* ``priority`` is the STF priority unchanged, so **a larger number wins**; it may be 0. It is given
  only for tables with a ternary or optional field, and None otherwise. (p4c sends BMv2, where the
  lowest value wins, ``10000 - priority``; among equal priorities the entry added first wins.)
* Optional fields arrive with a mask like ternary ones, because BMv2 stores optional keys as ternary
  and STF writes them with ternary digit masks.

A target reports trouble with these exceptions:

* :class:`StfTargetError`: the command was refused, as simple_switch_CLI would print an error (for
  example a duplicate entry). STF never checks CLI errors: the runner notes it and goes on.
* :class:`StfUnsupported`: the target cannot do this kind of command at all. The run stops and the
  result is "unsupported", naming the STF line.
* :class:`StfTargetCrashed`: the switch stopped (for example a failed ``assert``). The test fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from finsy.proto import p4i

KeyKind = Literal["exact", "lpm", "ternary", "optional"]


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """The match on one field of a table entry.

    ``name`` is the full P4Info match-field name and ``kind`` its P4Info match type. ``mask`` is set
    for ternary and optional fields (``value&&&mask``), ``prefix_len`` for lpm fields.
    """

    name: str
    kind: KeyKind
    value: int
    mask: int | None = None
    prefix_len: int | None = None


class StfTargetError(Exception):
    """The target refused a command the way simple_switch_CLI reports an error; the run goes on."""


class StfUnsupported(Exception):
    """The target does not support this command; the run stops with status "unsupported"."""


class StfTargetCrashed(Exception):
    """The switch stopped while running the test; the test fails."""


class StfTarget(Protocol):
    """A switch that an STF file can drive. Names are full P4Info names."""

    @property
    def p4info(self) -> p4i.P4Info:
        """The P4Info of the loaded program; the runner resolves STF names against it."""
        ...

    def add_entry(
        self, table: str, matches: list[KeyMatch], action: str, args: list[int], priority: int | None
    ) -> None: ...

    def set_default(self, table: str, action: str, args: list[int]) -> None: ...

    def mc_mgrp_create(self, gid: int) -> None: ...

    def mc_node_create(self, rid: int, ports: list[int]) -> int:
        """Create a PRE node and return its handle (BMv2: the lowest free handle, from 0)."""
        ...

    def mc_node_associate(self, gid: int, handle: int) -> None: ...

    def mirroring_add(self, session: int, port: int) -> None: ...

    def mirroring_add_mc(self, session: int, mgrp: int) -> None: ...

    def mirroring_delete(self, session: int) -> None: ...

    def counter_read(self, name: str, index: int) -> tuple[int, int]:
        """(packets, bytes) of an indirect counter cell."""
        ...

    def counter_write(self, name: str, index: int, packet_count: int, byte_count: int) -> None: ...

    def register_read(self, name: str, index: int) -> int: ...

    def register_write(self, name: str, index: int, value: int) -> None: ...

    def register_reset(self, name: str) -> None:
        """Set every cell of the register to 0."""
        ...

    def meter_set_rates(self, name: str, index: int | None, rates: list[tuple[float, int]]) -> None:
        """Configure a meter cell, or every cell when ``index`` is None.

        ``rates`` is [(CIR, CBS), (PIR, PBS)] with rates in units per microsecond, as BMv2's CLI takes them.
        """
        ...

    def packet(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        """Inject ``data`` on ``port``, process it and everything it causes (clones, replicas,
        resubmits, recirculations) to the end, and return every transmitted (port, bytes) in order."""
        ...
