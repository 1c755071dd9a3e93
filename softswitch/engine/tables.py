"""Match-action tables at run time: entry storage with P4Runtime write semantics, fast lookup.

Match values, one per key, in declaration order:

==========  ============================  ==============================================
kind        value                         rules (always checked)
==========  ============================  ==============================================
exact       ``int``                       fits the width
lpm         ``(value, prefix_len)``       ``0 <= prefix_len <= width``; bits past the prefix are 0
ternary     ``(value, mask)``             ``value & mask == value``
range       ``(low, high)``               ``low <= high``
optional    ``int`` or ``None``           ``None`` is the wildcard
==========  ============================  ==============================================

P4Runtime additionally forbids the *representations* of "don't care" (prefix length 0, mask 0, the
full range); those come from omitted fields, which :func:`wildcard` fills in. The P4Runtime layer
calls :func:`validate_p4runtime_field` on the fields a client actually sent; the STF/CLI path, which
writes ``0&&&0`` for omitted keys, does not.

Priority: required (> 0) exactly when the table has a ternary, range or optional key; 0 otherwise.
A **higher** number wins (P4Runtime convention); ties go to the lower entry handle. Handles are
allocated like BMv2's: the lowest free number, so with no deletions the earliest entry wins.

Lookup (``Table.lookup(key)``, ``key`` a tuple of ints within the key widths) is the hot path. It is
an instance attribute bound once in ``__init__`` to the fastest form for the table's kinds, so
generated code may fetch ``table.lookup`` once and keep calling it for the table's whole life:

* exact keys only: one dict keyed by the key tuple (``dict.get`` itself);
* one lpm key plus exact keys: one dict per populated prefix length, probed longest first;
* any ternary, range or optional key: entries in priority order, scanned against precomputed
  masks over the packed key, with a result cache keyed by the key tuple;
* no keys: always a miss.

Concurrency: the structures are not locked. Control-plane writes must not run while a lookup or a
per-packet update of the same table is in progress (the caller serializes them, for example by
applying writes in the packet thread between packets, or under one lock).
"""

from __future__ import annotations

import bisect
import enum
import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.stateful import MeterState

A = TypeVar("A")

MatchValue = int | tuple[int, int] | None
Match = tuple[MatchValue, ...]
Key = tuple[int, ...]

# Scan tables cache results only once they hold this many entries; below it a scan is as cheap.
CACHE_MIN_ENTRIES = 4
# The cache is dropped wholesale when it reaches this many keys (cheap, and bounds memory).
CACHE_MAX_KEYS = 16384


class MatchKind(enum.Enum):
    EXACT = "exact"
    LPM = "lpm"
    TERNARY = "ternary"
    RANGE = "range"
    OPTIONAL = "optional"


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One match key: its P4Info match-field name, match kind and bit width."""

    name: str
    kind: MatchKind
    width: int


class RefCounted:
    """Base for action objects that table entries reference (action-profile members and groups).

    A table counts, in ``refs``, the entries whose action is this object, so the owner can refuse
    to delete it while in use.
    """

    __slots__ = ("refs",)

    def __init__(self) -> None:
        self.refs = 0


class Entry(Generic[A]):
    """One installed table entry. Counters and idle-time fields are updated by generated code."""

    __slots__ = (
        "action",
        "args",
        "bytes",
        "last_hit_ns",
        "match",
        "meter",
        "packets",
        "priority",
        "seq",
        "ttl_ns",
    )

    def __init__(
        self,
        match: Match,
        priority: int,
        action: A,
        args: tuple[int, ...],
        ttl_ns: int,
        now_ns: int,
        seq: int,
    ) -> None:
        self.match = match
        self.priority = priority
        self.action = action
        self.args = args
        self.packets = 0
        self.bytes = 0
        self.meter: MeterState | None = None
        self.ttl_ns = ttl_ns
        self.last_hit_ns = now_ns
        self.seq = seq

    def ensure_meter(self) -> MeterState:
        """The entry's direct meter state, created (unconfigured, i.e. GREEN) on first use."""
        meter = self.meter
        if meter is None:
            meter = self.meter = MeterState()
        return meter

    def __repr__(self) -> str:
        return (
            f"Entry(match={self.match!r}, priority={self.priority}, action={self.action!r}, "
            f"args={self.args!r}, seq={self.seq})"
        )


class HandleAllocator:
    """Hands out the lowest free non-negative integer, like BMv2's handle manager."""

    __slots__ = ("_free", "_next")

    def __init__(self) -> None:
        self._next = 0
        self._free: list[int] = []

    def acquire(self) -> int:
        if self._free:
            return heapq.heappop(self._free)
        handle = self._next
        self._next += 1
        return handle

    def release(self, handle: int) -> None:
        heapq.heappush(self._free, handle)

    def reset(self) -> None:
        self._next = 0
        self._free.clear()


def _bad(message: str) -> EntityError:
    return EntityError(ErrorCode.INVALID_ARGUMENT, message)


def _is_int(value: object) -> bool:
    return isinstance(value, int)


def _pair(spec: KeySpec, value: object, what: str) -> tuple[int, int]:
    if not (isinstance(value, tuple) and len(value) == 2 and _is_int(value[0]) and _is_int(value[1])):
        raise _bad(f"match field {spec.name!r}: {spec.kind.value} match needs a pair {what}")
    return value[0], value[1]


def normalize_field(spec: KeySpec, value: object) -> MatchValue:
    """Check one match value against its key (the rules in the module docstring) and return it."""
    limit = 1 << spec.width
    kind = spec.kind
    if kind is MatchKind.EXACT or (kind is MatchKind.OPTIONAL and value is not None):
        if not _is_int(value):
            raise _bad(f"match field {spec.name!r}: {kind.value} match needs an int")
        assert isinstance(value, int)
        if not 0 <= value < limit:
            raise _bad(f"match field {spec.name!r}: value {value:#x} does not fit in {spec.width} bits")
        return int(value)
    if kind is MatchKind.OPTIONAL:
        return None
    if kind is MatchKind.LPM:
        v, plen = _pair(spec, value, "(value, prefix_len)")
        if not 0 <= v < limit:
            raise _bad(f"match field {spec.name!r}: value {v:#x} does not fit in {spec.width} bits")
        if not 0 <= plen <= spec.width:
            raise _bad(f"match field {spec.name!r}: prefix length {plen} not in 0..{spec.width}")
        if v & ((1 << (spec.width - plen)) - 1):
            raise _bad(f"match field {spec.name!r}: bits past the /{plen} prefix of {v:#x} must be zero")
        return (v, plen)
    if kind is MatchKind.TERNARY:
        v, m = _pair(spec, value, "(value, mask)")
        if not (0 <= v < limit and 0 <= m < limit):
            raise _bad(f"match field {spec.name!r}: value or mask does not fit in {spec.width} bits")
        if v & m != v:
            raise _bad(f"match field {spec.name!r}: ternary value {v:#x} has bits outside mask {m:#x}")
        return (v, m)
    lo, hi = _pair(spec, value, "(low, high)")
    if not (0 <= lo < limit and 0 <= hi < limit):
        raise _bad(f"match field {spec.name!r}: range bound does not fit in {spec.width} bits")
    if lo > hi:
        raise _bad(f"match field {spec.name!r}: range low {lo:#x} is above high {hi:#x}")
    return (lo, hi)


def wildcard(spec: KeySpec) -> MatchValue:
    """The value meaning "match anything" for an omitted field; exact fields may not be omitted."""
    kind = spec.kind
    if kind is MatchKind.LPM or kind is MatchKind.TERNARY:
        return (0, 0)
    if kind is MatchKind.RANGE:
        return (0, (1 << spec.width) - 1)
    if kind is MatchKind.OPTIONAL:
        return None
    raise _bad(f"match field {spec.name!r}: an exact match field may not be omitted")


def is_wildcard(spec: KeySpec, value: MatchValue) -> bool:
    """True when ``value`` matches anything, so a P4Runtime read omits the field."""
    kind = spec.kind
    if kind is MatchKind.EXACT:
        return False
    if kind is MatchKind.OPTIONAL:
        return value is None
    assert isinstance(value, tuple)
    if kind is MatchKind.RANGE:
        return value == (0, (1 << spec.width) - 1)
    return value[1] == 0


def validate_p4runtime_field(spec: KeySpec, value: MatchValue) -> None:
    """P4Runtime's extra rule for a field the client sent: no "don't care" representation."""
    if spec.kind is MatchKind.LPM and isinstance(value, tuple) and value[1] == 0:
        raise _bad(f"match field {spec.name!r}: omit the field instead of using a prefix length of 0")
    if spec.kind is MatchKind.TERNARY and isinstance(value, tuple) and value[1] == 0:
        raise _bad(f"match field {spec.name!r}: omit the field instead of using a zero mask")
    if spec.kind is MatchKind.RANGE and value == (0, (1 << spec.width) - 1):
        raise _bad(f"match field {spec.name!r}: omit the field instead of giving the full range")


_MISS: Entry[Any] = Entry.__new__(Entry)  # cache sentinel: "key not cached"

Ranges = tuple[tuple[int, int, int], ...]  # (key index, low, high) for each non-trivial range key


class Table(Generic[A]):
    """A match-action table. ``A`` is whatever the caller uses to name an action."""

    lookup: Callable[[Key], Entry[A] | None]

    def __init__(
        self,
        name: str,
        keys: Sequence[KeySpec],
        size: int,
        default_action: A,
        default_args: Sequence[int] = (),
        *,
        const_default: bool = False,
        is_const: bool = False,
        supports_timeout: bool = False,
    ) -> None:
        self.name = name
        self.keys: tuple[KeySpec, ...] = tuple(keys)
        self.size = size
        self.default_action: A = default_action
        self.default_args: tuple[int, ...] = tuple(default_args)
        self.initial_default_action: A = default_action
        self.initial_default_args: tuple[int, ...] = self.default_args
        self.const_default = const_default
        self.is_const = is_const
        self.supports_timeout = supports_timeout

        kinds = [k.kind for k in self.keys]
        for k in self.keys:
            if k.width <= 0:
                raise ValueError(f"table {name!r}: key {k.name!r} must have a positive width")
        self.needs_priority = any(
            k in (MatchKind.TERNARY, MatchKind.RANGE, MatchKind.OPTIONAL) for k in kinds
        )
        n_lpm = kinds.count(MatchKind.LPM)
        if n_lpm > 1 and not self.needs_priority:
            raise ValueError(f"table {name!r}: more than one lpm key needs a ternary-kind table")
        self._widths = tuple(k.width for k in self.keys)
        self._total_width = sum(self._widths)

        # identity -> entry, in insertion order. Identity is the match tuple, plus the priority for
        # tables that use priorities. For exact tables this dict is also the lookup structure.
        self._by_id: dict[object, Entry[A]] = {}
        self._timed: dict[object, Entry[A]] = {}
        self._handles = HandleAllocator()

        # lpm: prefix length -> (packed value -> entry); levels = [(mask, dict)] longest first.
        self._lpm_by_len: dict[int, dict[int, Entry[A]]] = {}
        self._lpm_levels: list[tuple[int, dict[int, Entry[A]]]] = []
        self._lpm_shift = 0
        self._lpm_width = 0
        # scan: items sorted by (-priority, seq), kept parallel to _scan_order for bisect. Tables
        # without range keys use 3-tuples (measurably faster to unpack), range tables 4-tuples.
        self._scan: list[tuple[int, int, Entry[A]]] = []
        self._scan_ranges: list[tuple[int, int, Ranges, Entry[A]]] = []
        self._scan_order: list[tuple[int, int]] = []
        self._has_ranges = MatchKind.RANGE in kinds
        self._cache: dict[Key, Entry[A] | None] = {}

        if not self.keys:
            self.lookup_kind = "keyless"
            self.lookup = _always_miss
        elif self.needs_priority:
            self.lookup_kind = "range" if self._has_ranges else "ternary"
            self.lookup = self._make_scan_lookup()
        elif n_lpm == 1:
            self.lookup_kind = "lpm"
            shift = 0
            for spec in reversed(self.keys):
                if spec.kind is MatchKind.LPM:
                    self._lpm_shift = shift
                    self._lpm_width = spec.width
                    break
                shift += spec.width
            self.lookup = self._make_lpm_lookup()
        else:
            self.lookup_kind = "exact"
            self.lookup = self._by_id.get

    # ----------------------------------------------------------------------------------- lookup

    def _make_lpm_lookup(self) -> Callable[[Key], Entry[A] | None]:
        levels = self._lpm_levels
        if len(self.keys) == 1:

            def lookup_lpm_single(key: Key) -> Entry[A] | None:
                k = key[0]
                for mask, table in levels:
                    entry = table.get(k & mask)
                    if entry is not None:
                        return entry
                return None

            return lookup_lpm_single
        widths = self._widths

        def lookup_lpm(key: Key) -> Entry[A] | None:
            k = 0
            for value, width in zip(key, widths, strict=True):
                k = (k << width) | value
            for mask, table in levels:
                entry = table.get(k & mask)
                if entry is not None:
                    return entry
            return None

        return lookup_lpm

    def _make_scan_lookup(self) -> Callable[[Key], Entry[A] | None]:
        cache = self._cache
        cache_get = cache.get
        widths = self._widths
        single = len(widths) == 1
        miss = _MISS

        if not self._has_ranges:
            scan = self._scan

            def lookup_ternary(key: Key) -> Entry[A] | None:
                hit = cache_get(key, miss)
                if hit is not miss:
                    return hit
                if single:
                    k = key[0]
                else:
                    k = 0
                    for value, width in zip(key, widths, strict=True):
                        k = (k << width) | value
                result: Entry[A] | None = None
                for mask, want, entry in scan:
                    if k & mask == want:
                        result = entry
                        break
                if len(scan) >= CACHE_MIN_ENTRIES:
                    if len(cache) >= CACHE_MAX_KEYS:
                        cache.clear()
                    cache[key] = result
                return result

            return lookup_ternary

        scan_ranges = self._scan_ranges

        def lookup_range(key: Key) -> Entry[A] | None:
            hit = cache_get(key, miss)
            if hit is not miss:
                return hit
            k = 0
            for value, width in zip(key, widths, strict=True):
                k = (k << width) | value
            result: Entry[A] | None = None
            for mask, want, ranges, entry in scan_ranges:
                if k & mask == want:
                    for index, low, high in ranges:
                        v = key[index]
                        if v < low or v > high:
                            break
                    else:
                        result = entry
                        break
            if len(scan_ranges) >= CACHE_MIN_ENTRIES:
                if len(cache) >= CACHE_MAX_KEYS:
                    cache.clear()
                cache[key] = result
            return result

        return lookup_range

    # ------------------------------------------------------------------------------ validation

    def normalize_match(self, match: Sequence[object]) -> Match:
        """Validate a whole match (one value per key) and return it as a tuple."""
        if len(match) != len(self.keys):
            raise _bad(f"table {self.name!r} has {len(self.keys)} match fields, got {len(match)}")
        return tuple(normalize_field(spec, value) for spec, value in zip(self.keys, match, strict=True))

    def _check_priority(self, priority: int) -> None:
        if not _is_int(priority):
            raise _bad(f"table {self.name!r}: priority must be an int")
        if self.needs_priority:
            if priority <= 0:
                raise _bad(f"table {self.name!r} has ternary/range/optional keys: priority must be > 0")
        elif priority != 0:
            raise _bad(f"table {self.name!r} has no ternary/range/optional key: priority must be 0")

    def _identity(self, match: Match, priority: int) -> object:
        return (match, priority) if self.needs_priority else match

    def _find(self, match: Sequence[object], priority: int) -> tuple[object, Entry[A] | None]:
        norm = self.normalize_match(match)
        self._check_priority(priority)
        ident = self._identity(norm, priority)
        return ident, self._by_id.get(ident)

    def _check_writable(self) -> None:
        if self.is_const:
            raise EntityError(
                ErrorCode.PERMISSION_DENIED, f"table {self.name!r} is const: its entries cannot change"
            )

    # ---------------------------------------------------------------------------------- writes

    def insert(
        self,
        match: Sequence[object],
        action: A,
        args: Sequence[int] = (),
        *,
        priority: int = 0,
        ttl_ns: int = 0,
        now_ns: int = 0,
    ) -> Entry[A]:
        """INSERT: ALREADY_EXISTS for a present identity, RESOURCE_EXHAUSTED when full,
        PERMISSION_DENIED on a const table. ``now_ns`` seeds ``last_hit_ns``."""
        self._check_writable()
        return self._insert(match, action, args, priority, ttl_ns, now_ns, check_size=True)

    def insert_trusted(
        self,
        match: Match,
        action: A,
        args: tuple[int, ...] = (),
        priority: int = 0,
        ttl_ns: int = 0,
        now_ns: int = 0,
    ) -> Entry[A]:
        """INSERT for a caller that has already checked the entry itself (the P4Runtime layer).

        Trusted, not re-checked: ``match`` is a tuple with one value per key that follows the rules
        in the module docstring, ``priority`` suits the table and ``ttl_ns`` is >= 0 (and 0 unless
        the table supports timeouts). A match that breaks them corrupts the lookup structures.
        Still checked, as by :meth:`insert`: PERMISSION_DENIED on a const table, INVALID_ARGUMENT
        on a keyless one, ALREADY_EXISTS, RESOURCE_EXHAUSTED.
        """
        self._check_writable()
        if not self.keys:
            raise _bad(f"table {self.name!r} has no key: only its default action can be set")
        return self._store(match, action, args, priority, ttl_ns, now_ns, check_size=True)

    def install_initial(
        self, match: Sequence[object], action: A, args: Sequence[int] = (), *, priority: int = 0
    ) -> Entry[A]:
        """For the program loader: install a declared (possibly const) entry, bypassing the const
        check and the size limit."""
        return self._insert(match, action, args, priority, 0, 0, check_size=False)

    def _insert(
        self,
        match: Sequence[object],
        action: A,
        args: Sequence[int],
        priority: int,
        ttl_ns: int,
        now_ns: int,
        *,
        check_size: bool,
    ) -> Entry[A]:
        if not self.keys:
            raise _bad(f"table {self.name!r} has no key: only its default action can be set")
        norm = self.normalize_match(match)
        self._check_priority(priority)
        self._check_ttl(ttl_ns)
        return self._store(norm, action, tuple(args), priority, ttl_ns, now_ns, check_size=check_size)

    def _store(
        self,
        match: Match,
        action: A,
        args: tuple[int, ...],
        priority: int,
        ttl_ns: int,
        now_ns: int,
        *,
        check_size: bool,
    ) -> Entry[A]:
        """Install a checked entry: the checks that depend on what the table holds, then storage."""
        by_id = self._by_id
        ident = (match, priority) if self.needs_priority else match
        if ident in by_id:
            raise EntityError(ErrorCode.ALREADY_EXISTS, f"table {self.name!r}: the entry already exists")
        if check_size and len(by_id) >= self.size:
            raise EntityError(
                ErrorCode.RESOURCE_EXHAUSTED, f"table {self.name!r} is full ({self.size} entries)"
            )
        entry: Entry[A] = Entry(match, priority, action, args, ttl_ns, now_ns, self._handles.acquire())
        by_id[ident] = entry
        if ttl_ns:
            self._timed[ident] = entry
        if self.lookup_kind != "exact":  # for exact tables _by_id is the index
            self._index_add(entry)
        if isinstance(action, RefCounted):
            action.refs += 1
        return entry

    def _check_ttl(self, ttl_ns: int) -> None:
        if not _is_int(ttl_ns) or ttl_ns < 0:
            raise _bad(f"table {self.name!r}: idle timeout must be an int >= 0")
        if ttl_ns and not self.supports_timeout:
            raise _bad(f"table {self.name!r} does not support idle timeout")

    def modify(
        self,
        match: Sequence[object],
        action: A,
        args: Sequence[int] = (),
        *,
        priority: int = 0,
        ttl_ns: int | None = None,
    ) -> Entry[A]:
        """MODIFY the action (and the idle timeout unless ``ttl_ns`` is None); NOT_FOUND if absent.
        Counters, meter state and the entry's position are kept."""
        self._check_writable()
        ident, entry = self._find(match, priority)
        if ttl_ns is not None:
            self._check_ttl(ttl_ns)
        if entry is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"table {self.name!r}: no such entry to modify")
        old = entry.action
        if isinstance(action, RefCounted):
            action.refs += 1
        if isinstance(old, RefCounted):
            old.refs -= 1
        entry.action = action
        entry.args = tuple(args)
        if ttl_ns is not None:
            entry.ttl_ns = ttl_ns
            if ttl_ns:
                self._timed[ident] = entry
            else:
                self._timed.pop(ident, None)
        return entry

    def delete(self, match: Sequence[object], *, priority: int = 0) -> Entry[A]:
        """DELETE; NOT_FOUND if absent. Returns the removed entry."""
        self._check_writable()
        ident, entry = self._find(match, priority)
        if entry is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"table {self.name!r}: no such entry to delete")
        del self._by_id[ident]
        self._timed.pop(ident, None)
        self._index_remove(entry)
        self._handles.release(entry.seq)
        if isinstance(entry.action, RefCounted):
            entry.action.refs -= 1
        return entry

    def clear(self) -> None:
        """Remove every entry, const ones included (the loader reinstalls what it needs)."""
        for entry in self._by_id.values():
            if isinstance(entry.action, RefCounted):
                entry.action.refs -= 1
        self._by_id.clear()  # in place: for exact tables it is the lookup dict itself
        self._timed.clear()
        self._handles.reset()
        self._lpm_by_len.clear()
        self._lpm_levels.clear()
        self._scan.clear()
        self._scan_ranges.clear()
        self._scan_order.clear()
        self._cache.clear()

    def set_default(self, action: A, args: Sequence[int] = ()) -> None:
        """Change the default action; PERMISSION_DENIED when the default is const."""
        if self.const_default:
            raise EntityError(ErrorCode.PERMISSION_DENIED, f"table {self.name!r} has a const default action")
        self.default_action = action
        self.default_args = tuple(args)

    def reset_default(self) -> None:
        """Restore the program's default action; PERMISSION_DENIED when the default is const."""
        self.set_default(self.initial_default_action, self.initial_default_args)

    # ---------------------------------------------------------------------------------- reads

    def get(self, match: Sequence[object], *, priority: int = 0) -> Entry[A] | None:
        """The entry with exactly this identity, or None (the match is validated first)."""
        return self._find(match, priority)[1]

    def __iter__(self) -> Iterator[Entry[A]]:
        """Entries in insertion order (a snapshot, so the table may change while iterating)."""
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def expired(self, now_ns: int) -> list[Entry[A]]:
        """Entries with an idle timeout whose last hit is at least ``ttl_ns`` before ``now_ns``."""
        return [e for e in self._timed.values() if now_ns - e.last_hit_ns >= e.ttl_ns]

    # ------------------------------------------------------------------------------ indexes

    def _index_add(self, entry: Entry[A]) -> None:
        kind = self.lookup_kind
        if kind == "exact":
            return  # _by_id is the index
        if kind == "lpm":
            plen, packed = self._lpm_key(entry.match)
            level = self._lpm_by_len.get(plen)
            if level is None:
                level = self._lpm_by_len[plen] = {}
                self._rebuild_levels()
            level[packed] = entry
            return
        mask, want, ranges = self._scan_key(entry.match)
        order = (-entry.priority, entry.seq)
        pos = bisect.bisect_left(self._scan_order, order)
        self._scan_order.insert(pos, order)
        if self._has_ranges:
            self._scan_ranges.insert(pos, (mask, want, ranges, entry))
        else:
            self._scan.insert(pos, (mask, want, entry))
        self._cache.clear()

    def _index_remove(self, entry: Entry[A]) -> None:
        kind = self.lookup_kind
        if kind == "exact":
            return
        if kind == "lpm":
            plen, packed = self._lpm_key(entry.match)
            level = self._lpm_by_len[plen]
            del level[packed]
            if not level:
                del self._lpm_by_len[plen]
                self._rebuild_levels()
            return
        pos = bisect.bisect_left(self._scan_order, (-entry.priority, entry.seq))
        del self._scan_order[pos]
        if self._has_ranges:
            del self._scan_ranges[pos]
        else:
            del self._scan[pos]
        self._cache.clear()

    def _rebuild_levels(self) -> None:
        full = (1 << self._total_width) - 1
        shift = self._lpm_shift
        width = self._lpm_width
        levels = [
            (full ^ (((1 << (width - plen)) - 1) << shift), table)
            for plen, table in sorted(self._lpm_by_len.items(), reverse=True)
        ]
        self._lpm_levels[:] = levels  # in place: the lookup closure holds this list

    def _lpm_key(self, match: Match) -> tuple[int, int]:
        packed = 0
        plen = 0
        for spec, value in zip(self.keys, match, strict=True):
            if spec.kind is MatchKind.LPM:
                assert isinstance(value, tuple)
                v, plen = value
            else:
                assert isinstance(value, int)
                v = value
            packed = (packed << spec.width) | v
        return plen, packed

    def _scan_key(self, match: Match) -> tuple[int, int, Ranges]:
        mask = 0
        want = 0
        ranges: list[tuple[int, int, int]] = []
        for index, (spec, value) in enumerate(zip(self.keys, match, strict=True)):
            width = spec.width
            full = (1 << width) - 1
            mask <<= width
            want <<= width
            kind = spec.kind
            if kind is MatchKind.EXACT:
                assert isinstance(value, int)
                mask |= full
                want |= value
            elif kind is MatchKind.OPTIONAL:
                if value is not None:
                    assert isinstance(value, int)
                    mask |= full
                    want |= value
            elif kind is MatchKind.LPM:
                assert isinstance(value, tuple)
                v, plen = value
                mask |= full ^ ((1 << (width - plen)) - 1)
                want |= v
            elif kind is MatchKind.TERNARY:
                assert isinstance(value, tuple)
                v, m = value
                mask |= m
                want |= v
            else:
                assert isinstance(value, tuple)
                low, high = value
                if low != 0 or high != full:
                    ranges.append((index, low, high))
        return mask, want, tuple(ranges)


def _always_miss(key: Key) -> None:
    return None
