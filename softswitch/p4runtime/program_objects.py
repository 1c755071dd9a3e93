"""What the P4Runtime server needs from a loaded program: its run-time objects by P4Info name.

P4Info preamble names equal the engine's qualified names, so every P4Info id is bound to an engine
object through its name. :class:`ProgramObjects` is that set of objects plus the packet entry
point; :mod:`softswitch.p4runtime.pipeline_config` builds one from a compiled program.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from softswitch.engine.action_profiles import ActionProfile
from softswitch.engine.pre import PacketReplicationEngine
from softswitch.engine.stateful import CounterArray, MeterArray, RegisterArray
from softswitch.engine.tables import Match, Table

__all__ = ["DigestSample", "ProgramObjects", "ValueSetLike"]

#: One digest sample: the P4Info digest name and the values of its members, in order.
DigestSample = tuple[str, tuple[int, ...]]


class ValueSetLike(Protocol):
    """A parser value set: ``size`` members at most, each a match (one value per field)."""

    size: int

    def set_members(self, members: Sequence[Match]) -> None: ...


def _no_digests() -> list[DigestSample]:
    return []


@dataclass(slots=True)
class ProgramObjects:
    """Run-time objects of one loaded program, by qualified name."""

    process: Callable[[int, bytes], list[tuple[int, bytes]]]
    tables: Mapping[str, Table[Any]] = field(default_factory=dict)
    #: For each table, the engine's representation of each of its actions (what its entries
    #: hold), by action name. Different tables may use different objects for the same action.
    table_actions: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    action_profiles: Mapping[str, ActionProfile[Any]] = field(default_factory=dict)
    counters: Mapping[str, CounterArray] = field(default_factory=dict)
    meters: Mapping[str, MeterArray] = field(default_factory=dict)
    registers: Mapping[str, RegisterArray] = field(default_factory=dict)
    value_sets: Mapping[str, ValueSetLike] = field(default_factory=dict)
    pre: PacketReplicationEngine = field(default_factory=PacketReplicationEngine)
    #: Returns (and forgets) the digest samples produced since the last call.
    take_digests: Callable[[], list[DigestSample]] = _no_digests
