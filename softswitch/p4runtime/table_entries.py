"""TableEntry ↔ engine table translation, with PI's checks and error codes.

One :class:`TableCodec` per table, built when a pipeline is bound. It holds everything the hot
paths need, precomputed from the P4Info (field ids → position, kind and width; the table's actions
and their scopes), so an INSERT does no searching.

Reads are assembled from serialized bytes (see :mod:`softswitch.p4runtime.wire`). The TableEntry
message of each write is kept, rewritten into canonical form where needed (match fields in P4Info
order, canonical bytestrings, no direct-resource data), and serialized once by the first read that
returns it. Entries the program installed itself are encoded from the engine's state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from finsy.proto import p4r

from softswitch.engine.action_profiles import Group, Member
from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import (
    Entry,
    KeySpec,
    Match,
    MatchKind,
    MatchValue,
    Table,
    is_wildcard,
    wildcard,
)
from softswitch.p4runtime.action_codec import ActionCodec, bad, decode_value
from softswitch.p4runtime.direct_resources import (
    apply_direct_data,
    check_meter_rates,
    decode_direct_data,
)
from softswitch.p4runtime.p4info_index import (
    SCOPE_DEFAULT_ONLY,
    SCOPE_TABLE_ONLY,
    TableInfo,
)
from softswitch.p4runtime.wire import (
    canonical_bytes,
    counter_data_bytes,
    encode_field_match,
    length_delimited,
    meter_config_bytes,
    varint,
)

__all__ = ["TableCodec"]

_EXACT, _LPM, _TERNARY, _RANGE, _OPTIONAL = range(5)
_KIND_CODES = {
    MatchKind.EXACT: (_EXACT, "exact"),
    MatchKind.LPM: (_LPM, "lpm"),
    MatchKind.TERNARY: (_TERNARY, "ternary"),
    MatchKind.RANGE: (_RANGE, "range"),
    MatchKind.OPTIONAL: (_OPTIONAL, "optional"),
}
_MISSING: Any = object()

INSERT = p4r.Update.INSERT
MODIFY = p4r.Update.MODIFY
DELETE = p4r.Update.DELETE


# ------------------------------------------------------------------------------------- tables

ProfileResolver = Callable[[p4r.TableAction], object]


class TableCodec:
    """Translation between ``p4.v1.TableEntry`` and one engine table.

    ``resolve_indirect(table_action)`` (given for tables with an action profile)
    turns a member id, group id or one-shot action set into the engine object an entry holds.
    """

    def __init__(
        self,
        info: TableInfo,
        table: Table[Any],
        actions: dict[int, ActionCodec],
        *,
        resolve_indirect: ProfileResolver | None = None,
        release_indirect: Callable[[object], None] | None = None,
        encode_indirect: Callable[[object], bytes] | None = None,
    ) -> None:
        self.info = info
        self.id = info.id
        self.name = info.name
        self.table = table
        self.indirect = info.implementation_id != 0
        self.resolve_indirect = resolve_indirect
        self.release_indirect = release_indirect
        self.encode_indirect = encode_indirect
        self.actions = {aid: actions[aid] for aid in info.action_scopes if aid in actions}
        self.action_ids = {id(codec.obj): codec for codec in self.actions.values()}
        self.fields: dict[int, tuple[int, int, int, str, str]] = {}
        for f in info.field_order:
            code, oneof = _KIND_CODES[f.kind]
            self.fields[f.id] = (f.index, code, f.bitwidth, oneof, f.name)
        self.n_fields = len(info.field_order)
        specs = [KeySpec(f.name, f.kind, f.bitwidth) for f in info.field_order]
        self.specs = tuple(specs)
        self.wildcards: list[MatchValue | None] = []
        for spec in specs:
            self.wildcards.append(_MISSING if spec.kind is MatchKind.EXACT else wildcard(spec))
        self.all_exact = all(f.kind is MatchKind.EXACT for f in info.field_order)
        self.needs_priority = info.needs_priority
        self.head = b"\x08" + varint(info.id)
        # seq (entry handle) -> serialized TableEntry as the client wrote it (canonical only)
        # entry handle -> the entry as reads return it: a canonical TableEntry message (as written,
        # after canonicalization) or its serialized bytes once read
        self.wire: dict[int, p4r.TableEntry | bytes] = {}
        self.default_extras: tuple[int, bytes] = (0, b"")
        only = info.field_order[0] if len(info.field_order) == 1 else None
        self.single_exact = (only.id, only.bitwidth) if only is not None and only.kind is MatchKind.EXACT else None

    # ---------------------------------------------------------------------------- decoding

    def decode_match(self, entry: p4r.TableEntry) -> tuple[Match, int, bool]:
        """The engine match, the priority and whether the match was canonical."""
        matches = entry.match
        n = self.n_fields
        if len(matches) > n:
            raise bad(f"table {self.name!r}: too many fields in match key ({len(matches)} > {n})")
        values: list[Any] = [_MISSING] * n
        fields = self.fields
        canonical = True
        previous = -1
        for fm in matches:
            info = fields.get(fm.field_id)
            if info is None:
                raise bad(f"table {self.name!r}: unknown match field id {fm.field_id}")
            index, code, width, oneof, name = info
            if values[index] is not _MISSING:
                raise bad(f"table {self.name!r}: match field {name!r} is given twice")
            if fm.WhichOneof("field_match_type") != oneof:
                raise bad(f"table {self.name!r}: match field {name!r} needs a {oneof} match")
            if index < previous:
                canonical = False
            previous = index
            if code == _EXACT:
                data = fm.exact.value
                value = int.from_bytes(data, "big")
                if value >> width:
                    raise bad(f"table {self.name!r}: value of match field {name!r} does not fit within {width} bits")
                if canonical and not (len(data) == 1 or (len(data) > 1 and data[0])):
                    canonical = False
                values[index] = value
            elif code == _LPM:
                lpm = fm.lpm
                data = lpm.value
                value = decode_value(data, width, f"table {self.name!r}: match field {name!r}")
                plen = lpm.prefix_len
                if plen < 0:
                    raise bad(f"table {self.name!r}: match field {name!r}: prefix length cannot be negative")
                if plen > width:
                    raise bad(f"table {self.name!r}: match field {name!r}: prefix length {plen} exceeds {width} bits")
                if plen == 0:
                    raise bad(
                        f"table {self.name!r}: match field {name!r}: omit the field instead of using a prefix length of 0"
                    )
                if value & ((1 << (width - plen)) - 1):
                    raise bad(f"table {self.name!r}: match field {name!r}: bits past the /{plen} prefix must be zero")
                if canonical and not (len(data) == 1 or (len(data) > 1 and data[0])):
                    canonical = False
                values[index] = (value, plen)
            elif code == _TERNARY:
                ternary = fm.ternary
                vdata = ternary.value
                mdata = ternary.mask
                what = f"table {self.name!r}: match field {name!r}"
                value = decode_value(vdata, width, what)
                mask = decode_value(mdata, width, what)
                if mask == 0:
                    raise bad(f"{what}: omit the field instead of using a zero mask")
                if value & mask != value:
                    raise bad(f"{what}: ternary value {value:#x} has bits outside mask {mask:#x}")
                if canonical and not (
                    (len(vdata) == 1 or (len(vdata) > 1 and vdata[0])) and (len(mdata) == 1 or (len(mdata) > 1 and mdata[0]))
                ):
                    canonical = False
                values[index] = (value, mask)
            elif code == _RANGE:
                rng = fm.range
                ldata = rng.low
                hdata = rng.high
                what = f"table {self.name!r}: match field {name!r}"
                low = decode_value(ldata, width, what)
                high = decode_value(hdata, width, what)
                if low == 0 and high == (1 << width) - 1:
                    raise bad(f"{what}: omit the field instead of giving the full range")
                if low > high:
                    raise bad(f"{what}: range low {low:#x} is above high {high:#x}")
                if canonical and not (
                    (len(ldata) == 1 or (len(ldata) > 1 and ldata[0])) and (len(hdata) == 1 or (len(hdata) > 1 and hdata[0]))
                ):
                    canonical = False
                values[index] = (low, high)
            else:
                data = fm.optional.value
                value = decode_value(data, width, f"table {self.name!r}: match field {name!r}")
                if canonical and not (len(data) == 1 or (len(data) > 1 and data[0])):
                    canonical = False
                values[index] = value
        if len(matches) < n:
            for index in range(n):
                if values[index] is _MISSING:
                    filler = self.wildcards[index]
                    if filler is _MISSING:
                        raise bad(
                            f"table {self.name!r}: exact match field {self.specs[index].name!r} may not be omitted"
                        )
                    values[index] = filler
        priority = entry.priority
        if self.needs_priority:
            if priority <= 0:
                raise bad(f"table {self.name!r} has ternary, range or optional fields: priority must be > 0")
        elif priority != 0:
            raise bad(f"table {self.name!r} has no ternary, range or optional field: priority must be 0")
        return tuple(values), priority, canonical

    def decode_action(self, entry: p4r.TableEntry, update_type: int) -> tuple[object, tuple[int, ...], bool]:
        """The engine action (or member/group), its arguments and whether it was canonical."""
        table_action = entry.action
        which = table_action.WhichOneof("type")
        is_default = entry.is_default_action
        if self.indirect:
            if which == "action":
                raise bad(f"table {self.name!r} uses an action profile: give a member, group or action set")
            if which is None:
                raise bad(f"table {self.name!r}: the entry's action is empty")
            assert self.resolve_indirect is not None
            return self.resolve_indirect(table_action), (), which != "action_profile_action_set"
        if which != "action":
            raise bad(f"table {self.name!r} has no action profile: give a direct action")
        action = table_action.action
        codec = self.actions.get(action.action_id)
        if codec is None:
            raise bad(f"table {self.name!r}: action id {action.action_id} is not one of the table's actions")
        scope = self.info.action_scopes[codec.id]
        if scope == SCOPE_TABLE_ONLY and is_default:
            raise EntityError(
                ErrorCode.PERMISSION_DENIED, f"action {codec.name!r} is @tableonly: it cannot be the default action"
            )
        if scope == SCOPE_DEFAULT_ONLY and not is_default:
            raise EntityError(
                ErrorCode.PERMISSION_DENIED, f"action {codec.name!r} is @defaultonly: it cannot be used in an entry"
            )
        args, canonical = codec.decode(action)
        return codec.obj, args, canonical

    def _check_ttl(self, entry: p4r.TableEntry) -> int:
        ttl = entry.idle_timeout_ns
        if ttl < 0:
            raise bad("idle_timeout_ns must not be negative")
        if ttl and not self.info.supports_timeout:
            raise bad(f"table {self.name!r} does not support idle timeout: idle_timeout_ns must be 0")
        return ttl

    # ------------------------------------------------------------------------------ writes

    def write(self, update_type: int, entry: p4r.TableEntry) -> None:
        """Apply one update; raises :class:`EntityError` on refusal."""
        if entry.HasField("time_since_last_hit"):
            raise bad("time_since_last_hit must not be set in a write")
        if update_type == INSERT:
            self.insert(entry)
        elif update_type == MODIFY:
            if entry.is_default_action:
                self.modify_default(entry)
            else:
                self.modify(entry)
        elif update_type == DELETE:
            self.delete(entry)
        elif update_type == p4r.Update.UNSPECIFIED:
            raise bad("update type is not set")
        else:
            raise bad(f"invalid update type {update_type}")

    def insert(self, entry: p4r.TableEntry) -> None:
        if entry.is_default_action:
            raise bad("the default entry cannot be INSERTed; use MODIFY")
        match, priority, canonical = self.decode_key(entry)
        table_action = entry.action
        if not self.indirect and table_action.WhichOneof("type") == "action":
            # the common case, inlined: a direct action
            action = table_action.action
            codec = self.actions.get(action.action_id)
            if codec is None or self.info.action_scopes[codec.id] == SCOPE_DEFAULT_ONLY:
                target, args, action_canonical = self.decode_action(entry, INSERT)
            else:
                args, action_canonical = codec.decode(action)
                target = codec.obj
        else:
            if table_action.WhichOneof("type") is None:
                raise bad("an INSERT needs the 'action' field")
            target, args, action_canonical = self.decode_action(entry, INSERT)
        try:
            if entry.HasField("time_since_last_hit"):
                raise bad("time_since_last_hit must not be set in a write")
            if entry.HasField("counter_data") or entry.HasField("meter_config"):
                rates, has_counter, plain = decode_direct_data(self.info, entry)
                # the meter refuses bad rates after PI's own checks (a duplicate is ALREADY_EXISTS)
                # but before anything is stored: a refused INSERT installs nothing
                if rates is not None and self.table.get(match, priority=priority) is None:
                    check_meter_rates(rates)
            else:
                rates, has_counter, plain = None, False, True
            # decode_key and _check_ttl checked the match, priority and timeout: no re-checking
            ttl = entry.idle_timeout_ns
            if ttl:
                self._check_ttl(entry)
                installed = self.table.insert_trusted(match, target, args, priority, ttl, time.monotonic_ns())
            else:
                installed = self.table.insert_trusted(match, target, args, priority)
        except BaseException:
            if self.release_indirect is not None:
                self.release_indirect(target)
            raise
        if rates is not None or has_counter:
            apply_direct_data(installed, entry, rates, has_counter)
        if canonical and action_canonical and plain:
            self.wire[installed.seq] = entry
        else:
            self._remember(installed, entry, canonical, action_canonical, plain)

    def modify(self, entry: p4r.TableEntry) -> None:
        if entry.HasField("time_since_last_hit"):
            raise bad("time_since_last_hit must not be set in a write")
        if entry.action.WhichOneof("type") is None:
            raise bad("a MODIFY of a table entry needs the 'action' field")
        match, priority, canonical = self.decode_key(entry)
        table = self.table
        if table.is_const:  # const tables refuse before anything is allocated
            raise EntityError(ErrorCode.PERMISSION_DENIED, f"table {self.name!r} is const: its entries cannot change")
        existing = table.get(match, priority=priority)
        if existing is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"table {self.name!r}: no such entry to modify")
        target, args, action_canonical = self.decode_action(entry, MODIFY)
        old_target = existing.action
        try:
            rates, has_counter, plain = decode_direct_data(self.info, entry)
            if rates is not None:  # a refused MODIFY leaves the old entry as it was
                check_meter_rates(rates)
            ttl = self._check_ttl(entry)
            installed = table.modify(match, target, args, priority=priority, ttl_ns=ttl)
        except BaseException:
            if self.release_indirect is not None:
                self.release_indirect(target)
            raise
        if self.release_indirect is not None and old_target is not target:
            self.release_indirect(old_target)
        if ttl:
            installed.last_hit_ns = time.monotonic_ns()
        if rates is not None or has_counter:
            apply_direct_data(installed, entry, rates, has_counter)
        self._remember(installed, entry, canonical, action_canonical, plain)

    def _remember(
        self, installed: Entry[Any], entry: p4r.TableEntry, match_canonical: bool, action_canonical: bool, plain: bool
    ) -> None:
        """Keep what reads return for this entry: the message itself, rewritten in canonical form
        where the client padded values or reordered fields.

        Holding the message (not its bytes) keeps the write fast; a read serializes it once.
        """
        if not plain:
            entry.ClearField("counter_data")
            entry.ClearField("meter_config")
        if not match_canonical:
            if self.single_exact is not None:
                key = installed.match[0]
                assert isinstance(key, int)
                entry.match[0].exact.value = canonical_bytes(key)
            else:
                self._canonicalize_match(entry, installed)
        if not action_canonical:
            self._canonicalize_action(entry, installed)
        self.wire[installed.seq] = entry

    def _canonicalize_match(self, entry: p4r.TableEntry, installed: Entry[Any]) -> None:
        fields = self.fields
        match = installed.match
        matches = entry.match
        indexes = [fields[fm.field_id][0] for fm in matches]
        if indexes != sorted(indexes):
            copies = []
            for _index, fm in sorted(zip(indexes, matches, strict=True), key=lambda pair: pair[0]):
                copy = p4r.FieldMatch()
                copy.CopyFrom(fm)
                copies.append(copy)
            del matches[:]
            matches.extend(copies)
        for fm in matches:
            index, code, _width, _oneof, _name = fields[fm.field_id]
            value = match[index]
            if isinstance(value, int):
                if code == _EXACT:
                    fm.exact.value = canonical_bytes(value)
                else:
                    fm.optional.value = canonical_bytes(value)
            else:
                assert isinstance(value, tuple)
                a, b = value
                if code == _LPM:
                    fm.lpm.value = canonical_bytes(a)
                elif code == _TERNARY:
                    fm.ternary.value = canonical_bytes(a)
                    fm.ternary.mask = canonical_bytes(b)
                else:
                    fm.range.low = canonical_bytes(a)
                    fm.range.high = canonical_bytes(b)

    def _canonicalize_action(self, entry: p4r.TableEntry, installed: Entry[Any]) -> None:
        table_action = entry.action
        if table_action.WhichOneof("type") != "action":
            return
        codec = self.action_ids.get(id(installed.action))
        if codec is None:
            return
        params = table_action.action.params
        args = installed.args
        previous = -1
        in_order = True
        for param in params:
            position = codec.params[param.param_id][0]
            if position < previous:
                in_order = False
                break
            previous = position
            param.value = canonical_bytes(args[position])
        if not in_order:
            del params[:]
            for info, value in zip(codec.info.param_order, args, strict=False):
                params.add(param_id=info.id, value=canonical_bytes(value))

    def decode_key(self, entry: p4r.TableEntry) -> tuple[Match, int, bool]:
        """:meth:`decode_match` with a fast path for a single exact field."""
        single = self.single_exact
        if single is not None:
            matches = entry.match
            if len(matches) == 1 and not entry.priority:
                fm = matches[0]
                if fm.field_id == single[0]:
                    data = fm.exact.value
                    # a non-empty exact value proves the oneof holds 'exact' (no WhichOneof needed)
                    if data or fm.WhichOneof("field_match_type") == "exact":
                        value = int.from_bytes(data, "big")
                        if not value >> single[1]:
                            return (value,), 0, len(data) == 1 or (len(data) > 1 and data[0] != 0)
        return self.decode_match(entry)

    def delete(self, entry: p4r.TableEntry) -> None:
        if entry.is_default_action:
            raise bad("the default entry cannot be DELETEd")
        match, priority, _ = self.decode_key(entry)
        removed = self.table.delete(match, priority=priority)
        self.wire.pop(removed.seq, None)
        if self.release_indirect is not None:
            self.release_indirect(removed.action)

    def modify_default(self, entry: p4r.TableEntry) -> None:
        if entry.match:
            raise bad("the default entry has no match key")
        if entry.priority != 0:
            raise bad("the default entry has priority 0")
        if self.indirect:
            raise bad(f"table {self.name!r} uses an action profile: its default action cannot be set or reset")
        if self.info.const_default_action_id:
            raise EntityError(ErrorCode.PERMISSION_DENIED, f"table {self.name!r} has a const default action")
        if entry.idle_timeout_ns:
            raise bad("the default entry does not support idle timeout")
        if not entry.HasField("action"):
            self.table.reset_default()
            self.default_extras = (0, b"")
            return
        target, args, _ = self.decode_action(entry, MODIFY)
        decode_direct_data(self.info, entry)
        self.table.set_default(target, args)
        self.default_extras = (entry.controller_metadata, entry.metadata)

    def clear_caches(self) -> None:
        self.wire.clear()
        self.default_extras = (0, b"")

    # ------------------------------------------------------------------------------- reads

    def find(self, entry: p4r.TableEntry) -> Entry[Any] | None:
        """The entry with the request's match and priority, or None."""
        match, priority, _ = self.decode_key(entry)
        return self.table.get(match, priority=priority)

    def encode_entry(self, installed: Entry[Any]) -> bytes:
        """Serialized ``TableEntry`` for an installed entry (no direct-resource data)."""
        cached = self.wire.get(installed.seq)
        if cached is not None:
            if isinstance(cached, bytes):
                return cached
            data: bytes = cached.SerializeToString()
            self.wire[installed.seq] = data
            return data
        out = [self.head, self.encode_match(installed)]
        out.append(length_delimited(b"\x1a", self.encode_target(installed.action, installed.args)))
        if installed.priority:
            out.append(b"\x20" + varint(installed.priority))
        if installed.ttl_ns:
            out.append(b"\x48" + varint(installed.ttl_ns))
        return b"".join(out)

    def encode_match(self, installed: Entry[Any]) -> bytes:
        """The serialized ``TableEntry.match`` fields of an installed entry (wildcards omitted)."""
        out = [
            length_delimited(b"\x12", encode_field_match(info, value))
            for info, value in zip(self.info.field_order, installed.match, strict=True)
            if not is_wildcard(self.specs[info.index], value)
        ]
        return b"".join(out)

    def encode_key(self, installed: Entry[Any]) -> bytes:
        """Serialized ``TableEntry`` holding only the entry's key: table id, match and priority.
        PI answers DirectCounterEntry / DirectMeterEntry reads with this (no action)."""
        key = self.head + self.encode_match(installed)
        return key + b"\x20" + varint(installed.priority) if installed.priority else key

    def encode_target(self, target: object, args: tuple[int, ...]) -> bytes:
        """Serialized ``TableAction``."""
        if isinstance(target, Member | Group):
            assert self.encode_indirect is not None
            return self.encode_indirect(target)
        codec = self.action_ids.get(id(target))
        if codec is None:
            raise EntityError(ErrorCode.UNKNOWN, f"table {self.name!r}: an entry holds an action unknown to the P4Info")
        return length_delimited(b"\x0a", codec.encode(args))

    def encode_extras(self, installed: Entry[Any], request: p4r.TableEntry, now_ns: int) -> bytes:
        """The read-only fields a read asked for: counter data, meter config, time since last hit."""
        out = b""
        if request.HasField("counter_data") and self.info.direct_counter_id:
            out += length_delimited(b"\x3a", counter_data_bytes(installed.bytes, installed.packets))
        if request.HasField("meter_config") and self.info.direct_meter_id:
            meter = installed.meter
            rates = None if meter is None else meter.get_rates_p4runtime()
            if rates is not None:
                out += length_delimited(b"\x32", meter_config_bytes(rates))
        if request.HasField("time_since_last_hit"):
            elapsed = max(0, now_ns - installed.last_hit_ns) if installed.ttl_ns else 0
            out += length_delimited(b"\x52", b"\x08" + varint(elapsed) if elapsed else b"")
        return out

    def encode_default(self, request: p4r.TableEntry) -> bytes:
        """Serialized ``TableEntry`` of the default entry."""
        if request.HasField("time_since_last_hit"):
            raise bad("the default entry does not support idle timeout: do not ask for time_since_last_hit")
        out = [self.head]
        table = self.table
        if not self.indirect:
            codec = self.action_ids.get(id(table.default_action))
            if codec is not None:
                out.append(length_delimited(b"\x1a", length_delimited(b"\x0a", codec.encode(table.default_args))))
        cm, md = self.default_extras
        if cm:
            out.append(b"\x28" + varint(cm))
        # PI gives no counter_data with the default entry, even when the read asks for it
        out.append(b"\x40\x01")
        if md:
            out.append(length_delimited(b"\x5a", md))
        return b"".join(out)

    def read(self, request: p4r.TableEntry) -> Iterable[bytes]:
        """Serialized ``TableEntry`` messages answering a read of this table."""
        if request.is_default_action:
            return [self.encode_default(request)]
        if request.HasField("time_since_last_hit") and not self.info.supports_timeout:
            raise bad(f"table {self.name!r} does not support idle timeout: do not ask for time_since_last_hit")
        wants_extras = (
            request.HasField("counter_data") or request.HasField("meter_config") or request.HasField("time_since_last_hit")
        )
        if request.match:
            found = self.find(request)
            entries: list[Entry[Any]] = [] if found is None else [found]
        else:
            entries = list(self.table)
        if not wants_extras:
            encode = self.encode_entry
            return [encode(installed) for installed in entries]
        now = time.monotonic_ns()
        return [self.encode_entry(e) + self.encode_extras(e, request, now) for e in entries]
