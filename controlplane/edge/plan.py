"""The writes that turn one state of a switch into another: INSERT what is new, MODIFY what
changed, DELETE what went, in an order that keeps the data plane consistent.

A P4Runtime server may apply the updates of one WriteRequest in any order, so anything that must
happen before something else goes in an earlier *phase*, and each phase is its own write:

1. DELETE ``mcast_group_v6`` entries, so no packet is sent to a multicast group about to go;
2. every other DELETE (a delete frees table space for the inserts that follow), and resets of
   modify-only entities (a default action, a meter cell);
3. every INSERT and MODIFY but those of ``mcast_group_v6``: ports, customers, devices, members,
   PRE multicast groups (before anything points at them);
4. INSERT and MODIFY ``mcast_group_v6`` entries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from controlplane.edge import contract
from controlplane.edge.entries import MODIFY_ONLY, Entity, EntityKey, TableEntry, is_reset, reset_of


class Op(enum.Enum):
    INSERT = "insert"
    MODIFY = "modify"
    DELETE = "delete"


def _points_at_groups(entity: Entity) -> bool:
    return isinstance(entity, TableEntry) and entity.table == contract.MCAST_GROUP_V6


@dataclass(slots=True)
class WritePlan:
    """Updates to make, by kind. Modify-only entities appear in ``modifies`` only (set or reset)."""

    inserts: list[Entity] = field(default_factory=list)
    modifies: list[Entity] = field(default_factory=list)
    deletes: list[Entity] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.inserts or self.modifies or self.deletes)

    def __len__(self) -> int:
        return len(self.inserts) + len(self.modifies) + len(self.deletes)

    def extend(self, other: WritePlan) -> None:
        self.inserts.extend(other.inserts)
        self.modifies.extend(other.modifies)
        self.deletes.extend(other.deletes)

    def phases(self) -> list[list[tuple[Op, Entity]]]:
        """The updates in phases (see the module docstring); empty phases are left out."""
        late_deletes = [(Op.DELETE, e) for e in self.deletes if _points_at_groups(e)]
        deletes = [(Op.DELETE, e) for e in self.deletes if not _points_at_groups(e)]
        deletes += [(Op.MODIFY, e) for e in self.modifies if is_reset(e)]
        writes: list[tuple[Op, Entity]] = []
        late_writes: list[tuple[Op, Entity]] = []
        for op, items in ((Op.INSERT, self.inserts), (Op.MODIFY, self.modifies)):
            for e in items:
                if op is Op.MODIFY and is_reset(e):
                    continue
                (late_writes if _points_at_groups(e) else writes).append((op, e))
        return [phase for phase in (late_deletes, deletes, writes, late_writes) if phase]

    def counts(self) -> dict[str, int]:
        return {"insert": len(self.inserts), "modify": len(self.modifies), "delete": len(self.deletes)}


def _add(plan: WritePlan, op: Op, entity: Entity) -> None:
    if isinstance(entity, MODIFY_ONLY):
        plan.modifies.append(reset_of(entity) if op is Op.DELETE else entity)
    elif op is Op.INSERT:
        plan.inserts.append(entity)
    elif op is Op.MODIFY:
        plan.modifies.append(entity)
    else:
        plan.deletes.append(entity)


def diff(old: Mapping[EntityKey, Entity], new: Mapping[EntityKey, Entity]) -> WritePlan:
    """The writes from ``old`` to ``new`` (both keyed by entity key). An entity of ``new``
    counts as unchanged if it is the same as the one in ``old`` (``same_as``: meter rates may
    read back rounded)."""
    plan = WritePlan()
    for key, entity in old.items():
        if key not in new and not is_reset(entity):
            _add(plan, Op.DELETE, entity)
    for key, entity in new.items():
        before = old.get(key)
        if before is None or is_reset(before):
            _add(plan, Op.INSERT, entity)
        elif not entity.same_as(before):
            _add(plan, Op.MODIFY, entity)
    return plan


def keyed(entities: Iterable[Entity]) -> dict[EntityKey, Entity]:
    """Entities by key (a later one replaces an earlier one with the same key)."""
    return {e.key: e for e in entities}


def diff_entities(old: Iterable[Entity], new: Iterable[Entity]) -> WritePlan:
    return diff(keyed(old), keyed(new))


def iter_updates(plan: WritePlan) -> Iterator[tuple[Op, Entity]]:
    """Every update of the plan, phase after phase."""
    for phase in plan.phases():
        yield from phase
