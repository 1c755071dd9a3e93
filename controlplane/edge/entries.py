"""The desired state of a switch, as plain values: what the edge programmer wants written.

Each entity knows its ``key`` (what identifies it on the switch) and compares by value, so the
difference between two states is a dictionary comparison (see :mod:`controlplane.edge.plan`).
Values are integers (addresses and MACs too); match fields and action parameters are tuples in
the order of :data:`controlplane.edge.contract.TABLES` and ``ACTION_PARAMS``. Nothing here knows
P4Runtime ids; :mod:`controlplane.edge.encode` maps these to and from the wire.

Two kinds always exist on a switch and can only be changed (MODIFY): a table's default action
(:class:`DefaultAction`) and a meter cell (:class:`MeterCell`). For them "absent" means "reset"
(no action set, meter unconfigured).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias


class Lpm(NamedTuple):
    """An LPM match value: the network (host bits zero) and its prefix length."""

    value: int
    prefix_len: int


MatchValue: TypeAlias = int | Lpm
EntityKey: TypeAlias = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class MeterRates:
    """A two-rate meter configuration: rates per second and bursts (bytes or packets, as the meter
    counts)."""

    cir: int
    cburst: int
    pir: int
    pburst: int

    def matches(self, read_back: MeterRates | None) -> bool:
        """True if ``read_back`` is this configuration as a switch reports it: BMv2 (and
        softswitch, like it) keeps rates per microsecond and may read a rate back one lower."""
        if read_back is None:
            return False
        return (
            _rate_matches(self.cir, read_back.cir)
            and _rate_matches(self.pir, read_back.pir)
            and (self.cburst, self.pburst) == (read_back.cburst, read_back.pburst)
        )


def _rate_matches(written: int, read: int) -> bool:
    return read == written or read == int(written / 1_000_000 * 1_000_000) or read == written - 1


@dataclass(frozen=True, slots=True)
class TableEntry:
    """A table entry: ``match`` in the table's key order, ``params`` in the action's order."""

    table: str
    match: tuple[MatchValue, ...]
    action: str
    params: tuple[int, ...] = ()
    idle_timeout_ns: int = 0
    meter: MeterRates | None = None

    @property
    def key(self) -> EntityKey:
        return ("table", self.table, self.match)

    def same_as(self, other: object) -> bool:
        """Equal, allowing for meter rates read back as the switch rounds them."""
        if self == other:
            return True
        if not isinstance(other, TableEntry) or self.meter is None:
            return False
        return (
            (self.table, self.match, self.action, self.params, self.idle_timeout_ns)
            == (other.table, other.match, other.action, other.params, other.idle_timeout_ns)
            and self.meter.matches(other.meter)
        )


@dataclass(frozen=True, slots=True)
class DefaultAction:
    """The default action of a (keyless) table; ``action`` None means the program's default."""

    table: str
    action: str | None
    params: tuple[int, ...] = ()

    @property
    def key(self) -> EntityKey:
        return ("default", self.table)

    def same_as(self, other: object) -> bool:
        return self == other


@dataclass(frozen=True, slots=True)
class MulticastGroup:
    """A PRE multicast group: its replicas as sorted ``(egress port, instance)`` pairs."""

    group_id: int
    replicas: tuple[tuple[int, int], ...]

    @property
    def key(self) -> EntityKey:
        return ("mcast", self.group_id)

    def same_as(self, other: object) -> bool:
        return self == other


@dataclass(frozen=True, slots=True)
class MeterCell:
    """One cell of an indexed meter; ``rates`` None means unconfigured (always GREEN)."""

    meter: str
    index: int
    rates: MeterRates | None

    @property
    def key(self) -> EntityKey:
        return ("meter", self.meter, self.index)

    def same_as(self, other: object) -> bool:
        if self == other:
            return True
        return isinstance(other, MeterCell) and self.rates is not None and self.rates.matches(other.rates)


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """A digest's delivery configuration (DigestEntry)."""

    digest: str
    max_timeout_ns: int
    max_list_size: int
    ack_timeout_ns: int

    @property
    def key(self) -> EntityKey:
        return ("digest", self.digest)

    def same_as(self, other: object) -> bool:
        return self == other


Entity: TypeAlias = TableEntry | DefaultAction | MulticastGroup | MeterCell | DigestConfig

#: Kinds that always exist on the switch: "insert" and "delete" are MODIFYs (set, reset).
MODIFY_ONLY: tuple[type, ...] = (DefaultAction, MeterCell)


def reset_of(entity: Entity) -> Entity:
    """What a modify-only entity becomes when it is no longer wanted."""
    if isinstance(entity, DefaultAction):
        return DefaultAction(entity.table, None)
    if isinstance(entity, MeterCell):
        return MeterCell(entity.meter, entity.index, None)
    raise TypeError(f"{type(entity).__name__} is not modify-only")


def is_reset(entity: Entity) -> bool:
    """True for a modify-only entity in its reset state (which the desired state never holds)."""
    if isinstance(entity, DefaultAction):
        return entity.action is None
    if isinstance(entity, MeterCell):
        return entity.rates is None
    return False
