"""The parts of a P4Info that STF name resolution needs, as plain typed data.

:func:`schema_from_p4info` is the only place in ``softswitch.stf`` that reads the (untyped) P4Info
protobuf message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from finsy.proto import p4i

MatchType = Literal["exact", "lpm", "ternary", "range", "optional", "other"]

# P4Info MatchField.MatchType numbers.
_MATCH_TYPES: dict[int, MatchType] = {2: "exact", 3: "lpm", 4: "ternary", 5: "range", 6: "optional"}


@dataclass(frozen=True, slots=True)
class KeyField:
    name: str
    bitwidth: int
    match_type: MatchType


@dataclass(frozen=True, slots=True)
class ActionParam:
    name: str
    bitwidth: int


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    params: tuple[ActionParam, ...]


@dataclass(frozen=True, slots=True)
class TableInfo:
    name: str
    keys: tuple[KeyField, ...]
    actions: tuple[ActionInfo, ...]
    indirect: bool  # uses an action profile or selector

    @property
    def uses_priority(self) -> bool:
        """BMv2 gives the table the "ternary" kind (and entries a priority) for these keys."""
        return any(k.match_type in ("ternary", "optional") for k in self.keys)


@dataclass(frozen=True, slots=True)
class StfSchema:
    tables: tuple[TableInfo, ...]
    actions: tuple[ActionInfo, ...]
    counters: tuple[str, ...]
    direct_counters: tuple[str, ...]
    meters: tuple[str, ...]
    direct_meters: tuple[str, ...]
    registers: tuple[str, ...]


def schema_from_p4info(p4info: p4i.P4Info) -> StfSchema:
    """Read the tables, actions and named resources of a P4Info message."""
    actions: dict[int, ActionInfo] = {}
    for a in p4info.actions:
        params = tuple(ActionParam(str(p.name), int(p.bitwidth)) for p in a.params)
        actions[int(a.preamble.id)] = ActionInfo(str(a.preamble.name), params)
    tables: list[TableInfo] = []
    for t in p4info.tables:
        keys = tuple(
            KeyField(str(f.name), int(f.bitwidth), _MATCH_TYPES.get(int(f.match_type), "other"))
            for f in t.match_fields
        )
        refs = tuple(actions[int(r.id)] for r in t.action_refs if int(r.id) in actions)
        tables.append(TableInfo(str(t.preamble.name), keys, refs, int(t.implementation_id) != 0))

    def names(entities: Iterable[Any]) -> tuple[str, ...]:
        return tuple(str(e.preamble.name) for e in entities)

    return StfSchema(
        tables=tuple(tables),
        actions=tuple(actions.values()),
        counters=names(p4info.counters),
        direct_counters=names(p4info.direct_counters),
        meters=names(p4info.meters),
        direct_meters=names(p4info.direct_meters),
        registers=names(p4info.registers),
    )
