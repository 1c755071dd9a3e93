"""P4Runtime ids and aliases, assigned the way p4c 1.2.4.8 assigns them.

Top-level P4Info objects (tables, actions, counters, ...) get a 32-bit id whose top byte says
what kind of object it is and whose low 24 bits come from a hash of the object's fully
qualified name. Objects that carry an ``@id`` keep it (with the kind byte added when the
annotation left the top byte at zero). The remaining names of each kind are hashed in sorted
order, and a name whose id is already taken moves to the next free value.

Nested objects (match fields, action parameters, packet metadata, value-set matches) are
numbered by :func:`allocate_field_ids`.

Aliases are the shortest dot-separated suffix of a name that no other symbol of *any* kind
shares (p4c keeps one suffix set for the whole program).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from softswitch.p4info.model import P4InfoError

__all__ = [
    "AliasSet",
    "SymbolKind",
    "SymbolTable",
    "allocate_field_ids",
    "hashed_id",
    "jenkins_one_at_a_time",
]

_MASK32 = 0xFFFFFFFF
_LOW24 = 0xFFFFFF


class SymbolKind(IntEnum):
    """The resource kinds P4Info knows about; the value is the id's top byte."""

    ACTION = 0x01
    TABLE = 0x02
    VALUE_SET = 0x03
    CONTROLLER_HEADER = 0x04
    ACTION_PROFILE = 0x11
    COUNTER = 0x12
    DIRECT_COUNTER = 0x13
    METER = 0x14
    DIRECT_METER = 0x15
    REGISTER = 0x16
    DIGEST = 0x17

    @property
    def label(self) -> str:
        """A lower-case human name for messages ("direct counter")."""
        return self.name.lower().replace("_", " ")


def jenkins_one_at_a_time(data: bytes) -> int:
    """Bob Jenkins' one-at-a-time hash over ``data``, in 32-bit arithmetic."""
    h = 0
    for byte in data:
        h = (h + byte) & _MASK32
        h = (h + (h << 10)) & _MASK32
        h ^= h >> 6
    h = (h + (h << 3)) & _MASK32
    h ^= h >> 11
    h = (h + (h << 15)) & _MASK32
    return h


def hashed_id(kind: SymbolKind, name: str) -> int:
    """The id ``name`` gets when nothing collides with it."""
    return (int(kind) << 24) | (jenkins_one_at_a_time(name.encode("utf-8")) & _LOW24)


def _name_key(name: str) -> bytes:
    # p4c sorts names with strcmp, i.e. by their bytes.
    return name.encode("utf-8")


class AliasSet:
    """The set of all symbol names, answering "shortest unique dot-suffix" queries.

    The same name added twice (even under different kinds) counts once.
    """

    __slots__ = ("_counts", "_names")

    def __init__(self) -> None:
        self._names: set[str] = set()
        # Number of distinct names ending with each component suffix, e.g. ("c",), ("b", "c").
        self._counts: dict[tuple[str, ...], int] = {}

    def add(self, name: str) -> None:
        if not name:
            raise P4InfoError("empty P4Runtime symbol name")
        if name in self._names:
            return
        self._names.add(name)
        parts = name.split(".")
        for start in range(len(parts) - 1, -1, -1):
            suffix = tuple(parts[start:])
            self._counts[suffix] = self._counts.get(suffix, 0) + 1

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def alias(self, name: str) -> str:
        """The shortest suffix of ``name`` (whole components) shared by no other name."""
        if name not in self._names:
            raise P4InfoError(f"symbol {name!r} was never declared")
        parts = name.split(".")
        needed = 0
        for start in range(len(parts) - 1, -1, -1):
            needed += 1
            if self._counts[tuple(parts[start:])] < 2:
                break
        return ".".join(parts[len(parts) - needed :])


@dataclass(slots=True)
class _KindTable:
    ids: dict[str, int | None] = field(default_factory=dict)


class SymbolTable:
    """Names of every P4Runtime-visible object, with their ids and aliases.

    Add every symbol first (hidden ones too: they take part in id probing and aliases),
    then call :meth:`assign_ids` once; after that :meth:`id_of` and :meth:`alias_of` answer.
    """

    __slots__ = ("_aliases", "_assigned", "_done", "_tables")

    def __init__(self) -> None:
        self._tables: dict[SymbolKind, _KindTable] = {}
        self._assigned: set[int] = set()
        self._aliases = AliasSet()
        self._done = False

    def add(self, kind: SymbolKind, name: str, explicit_id: int | None = None) -> None:
        """Declare ``name`` as a symbol of ``kind``, with its ``@id`` value if it has one.

        A name already declared for the same kind is ignored (including its ``@id``), as in
        p4c, where one global action is seen once per control that uses it.
        """
        if self._done:
            raise P4InfoError("symbols cannot be added after ids were assigned")
        table = self._tables.setdefault(kind, _KindTable())
        if name in table.ids:
            return
        resolved: int | None = None
        if explicit_id is not None:
            resolved = self._check_explicit_id(kind, name, explicit_id)
        table.ids[name] = resolved
        self._aliases.add(name)

    def _check_explicit_id(self, kind: SymbolKind, name: str, value: int) -> int:
        if value < 0 or value > _MASK32:
            raise P4InfoError(f"{kind.label} {name!r}: @id {value} should be an unsigned 32-bit integer")
        prefix = int(kind) << 24
        top = value & 0xFF000000
        if top != 0 and top != prefix:
            raise P4InfoError(
                f"{kind.label} {name!r}: @id {value:#010x} has the wrong 8-bit prefix "
                f"(expected {int(kind):#04x})"
            )
        resolved = value | prefix
        if resolved in self._assigned:
            raise P4InfoError(
                f"@id {resolved:#010x} is assigned to multiple declarations (again on {name!r})"
            )
        self._assigned.add(resolved)
        return resolved

    def assign_ids(self) -> None:
        """Give every symbol without an ``@id`` its hashed id (sorted names, linear probing)."""
        if self._done:
            return
        for kind in sorted(self._tables):
            table = self._tables[kind]
            pending = sorted((n for n, i in table.ids.items() if i is None), key=_name_key)
            prefix = int(kind) << 24
            for name in pending:
                start = jenkins_one_at_a_time(name.encode("utf-8"))
                value = start
                candidate = prefix | (value & _LOW24)
                while candidate in self._assigned:
                    value = (value + 1) & _MASK32
                    if value == start:
                        raise P4InfoError(f"no available id to represent {kind.label} {name!r} in P4Runtime")
                    candidate = prefix | (value & _LOW24)
                self._assigned.add(candidate)
                table.ids[name] = candidate
        self._done = True

    def has(self, kind: SymbolKind, name: str) -> bool:
        table = self._tables.get(kind)
        return table is not None and name in table.ids

    def id_of(self, kind: SymbolKind, name: str) -> int:
        if not self._done:
            raise P4InfoError("ids were not assigned yet")
        table = self._tables.get(kind)
        value = None if table is None else table.ids.get(name)
        if value is None:
            raise P4InfoError(f"reference to unknown {kind.label} {name!r}")
        return value

    def alias_of(self, name: str) -> str:
        return self._aliases.alias(name)

    def names(self, kind: SymbolKind) -> list[str]:
        """The names declared for ``kind``, in the order they were added."""
        table = self._tables.get(kind)
        return [] if table is None else list(table.ids)


def allocate_field_ids(explicit_ids: Sequence[int | None], what: str = "field") -> list[int]:
    """Ids for match fields, action params, packet metadata and value-set matches.

    ``explicit_ids`` holds each element's ``@id`` (or None), in declaration order. Explicit
    ids are kept; the others are numbered by a counter that starts at 1, advances by one for
    every element (explicit ones included) and skips numbers already taken -- the exact walk
    p4c makes, so ``[@id(5), -, -]`` gives ``[5, 2, 3]`` and ``[-, @id(3), -, -]`` gives
    ``[1, 3, 2, 4]``.
    """
    taken: set[int] = set()
    for value in explicit_ids:
        if value is None:
            continue
        if value == 0:
            raise P4InfoError(f"{what}: 0 is not a valid @id value")
        if value < 0 or value > _MASK32:
            raise P4InfoError(f"{what}: @id {value} should be an unsigned 32-bit integer")
        if value in taken:
            raise P4InfoError(f"{what}: @id {value} is used multiple times")
        taken.add(value)
    result: list[int] = []
    index = 1
    for value in explicit_ids:
        if value is not None:
            result.append(value)
            index += 1
            continue
        while index in taken:
            index += 1
        result.append(index)
        taken.add(index)
    return result
