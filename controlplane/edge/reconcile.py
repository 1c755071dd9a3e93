"""Reconciliation: make a switch hold exactly the desired state, whatever it held before.

Run on every (re)connection as primary (the connection's ``on_ready`` hook) — so at controller
start too — it reads back everything the edge owns (every keyed table of the contract with the
device entries' meter configs, the CPU port's default entry, the PRE multicast groups, the
access-request meter, the digest's config), compares it with the desired state, and writes the
difference: stale entities deleted (or reset), missing ones inserted, differing ones modified.

Table entries are compared as bytes first: the desired entry is serialized canonically in
field-number order, which is what a target returns for an entry it holds unchanged, so an entry
found byte for byte needs no decoding. Only the rest — stale, missing or differing entries, or
all of them on a target that serializes differently — is decoded and compared by key. Direct
meter configs are read separately (DirectMeterEntry) and compared allowing for the rate
rounding of BMv2-like targets; a target that cannot read them that way has its metered tables
read and decoded whole.

A kind the target cannot read (some do not read meters or digest configs) is reported in
``unreadable``; its desired entities are then written as if absent (an INSERT that meets an
existing one turns into a MODIFY), and stale ones of that kind cannot be found.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from finsy import GRPCStatusCode
from finsy.proto import p4r

from controlplane.edge import contract
from controlplane.edge.encode import EdgeSchema
from controlplane.edge.entries import Entity, EntityKey, MeterRates, TableEntry, is_reset
from controlplane.edge.plan import WritePlan, diff
from controlplane.edge.readback import SwitchReader
from controlplane.edge.writer import WriteFailure, apply_plan
from controlplane.p4rt import P4RuntimeError, SwitchConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    switch: str
    version: int  # the desired state's version that was written
    found: int  # entities read back (resets not counted)
    desired: int
    inserted: int
    modified: int
    deleted: int
    failures: tuple[WriteFailure, ...]
    unreadable: tuple[str, ...]
    seconds: float
    decoded: int = 0  # table entries that had to be decoded (not found byte for byte)

    def __str__(self) -> str:
        text = (
            f"reconciled to version {self.version}: {self.found} found, {self.desired} desired; "
            f"{self.inserted} inserted, {self.modified} modified, {self.deleted} deleted "
            f"in {self.seconds:.2f}s"
        )
        if self.failures:
            text += f"; {len(self.failures)} refused (first: {self.failures[0]})"
        if self.unreadable:
            text += f"; could not read {', '.join(self.unreadable)}"
        return text


async def read_state(reader: SwitchReader, schema: EdgeSchema) -> tuple[dict[EntityKey, Entity], list[str]]:
    """Everything the edge owns on the switch, decoded, by key; and the kinds that could not be
    read. Tables must be readable (a failure raises); the other kinds are optional."""
    found: dict[EntityKey, Entity] = {}
    unreadable: list[str] = []
    for kind, requests in schema.read_requests().items():
        if kind != "tables":
            entities = await read_optional(reader, schema, kind, requests)
            if entities is None:
                unreadable.append(kind)
            found.update((entity.key, entity) for entity in entities or ())
            continue
        for request in requests:
            async for message in reader.read_iter([request]):
                entity = schema.decode(message)
                if entity is not None and not is_reset(entity):
                    found[entity.key] = entity
    return found, unreadable


async def read_optional(
    reader: SwitchReader, schema: EdgeSchema, kind: str, requests: list[p4r.Entity]
) -> list[Entity] | None:
    """The entities of a kind some targets cannot read; None (logged) when this one cannot.
    NOT_FOUND means nothing to find: PI's answer for a digest not configured yet."""
    found: list[Entity] = []
    for request in requests:
        try:
            async for message in reader.read_iter([request]):
                entity = schema.decode(message)
                if entity is not None and not is_reset(entity):
                    found.append(entity)
        except P4RuntimeError as err:
            if err.is_unavailable:
                raise
            if err.code == GRPCStatusCode.NOT_FOUND:
                continue
            log.warning("%s: cannot read %s: %s", reader.switch, kind, err)
            return None
    return found


def reconcile_plan(desired: Mapping[EntityKey, Entity], found: Mapping[EntityKey, Entity]) -> WritePlan:
    """The writes that turn what was found into what is desired."""
    return diff(found, desired)


@dataclass(slots=True)
class _Comparison:
    """What the byte-level pass over the tables left for the keyed diff."""

    found: dict[EntityKey, Entity] = field(default_factory=dict)  # decoded: not matched as bytes
    desired: dict[EntityKey, Entity] = field(default_factory=dict)  # not matched as bytes
    meter_fixes: list[TableEntry] = field(default_factory=list)  # matched, but the meter differs
    found_count: int = 0
    decoded: int = 0
    unreadable: list[str] = field(default_factory=list)


async def _direct_meters(reader: SwitchReader, schema: EdgeSchema, table: str) -> dict[bytes, MeterRates | None] | None:
    """Direct meter configs of a table's entries by serialized key; None if the target cannot
    read them this way."""
    try:
        rates: dict[bytes, MeterRates | None] = {}
        async for message in reader.read_iter([schema.direct_meter_read(table)]):
            entry = message.direct_meter_entry
            config = entry.config if entry.HasField("config") else None
            read = entry.table_entry  # a target may return the whole entry: keep its key only
            key = p4r.TableEntry(table_id=read.table_id, match=read.match, priority=read.priority)
            rates[key.SerializeToString()] = schema.decode_rates(config)
        return rates
    except P4RuntimeError as err:
        if err.is_unavailable:
            raise
        log.info("%s: cannot read the direct meters of %s (%s); reading the table whole", reader.switch, table, err.message)
        return None


async def _compare_table(
    reader: SwitchReader, schema: EdgeSchema, table: str, desired: list[TableEntry], out: _Comparison
) -> None:
    metered = table in contract.METERED_TABLES
    meters = await _direct_meters(reader, schema, table) if metered else {}
    if meters is None:  # read with meter configs and decode everything
        async for message in reader.read_iter([schema.table_read(table, meter_config=True)]):
            read_back = schema.decode(message)
            out.found_count += 1
            out.decoded += 1
            if read_back is not None:
                out.found[read_back.key] = read_back
        out.desired.update((e.key, e) for e in desired)
        return
    raw: set[bytes] = set()
    async for message in reader.read_iter([schema.table_read(table)]):
        raw.add(message.table_entry.SerializeToString())
    out.found_count += len(raw)
    for entry in desired:
        data = schema.table_entry_bytes(entry, with_meter=False)
        if data not in raw:
            out.desired[entry.key] = entry
            continue
        raw.discard(data)
        if metered:
            read = meters.get(schema.table_entry_bytes(entry, with_action=False))
            if (entry.meter is None and read is not None) or (entry.meter is not None and not entry.meter.matches(read)):
                out.meter_fixes.append(entry)
    for data in raw:
        stale = schema.decode_table_entry(p4r.TableEntry.FromString(data))
        out.decoded += 1
        if isinstance(stale, TableEntry):
            if metered:
                stale = dataclasses.replace(stale, meter=meters.get(schema.table_entry_bytes(stale, with_action=False)))
            out.found[stale.key] = stale


async def _compare(reader: SwitchReader, schema: EdgeSchema, desired: Mapping[EntityKey, Entity]) -> _Comparison:
    out = _Comparison()
    by_table: dict[str, list[TableEntry]] = {name: [] for name in contract.KEYED_TABLES}
    for entity in desired.values():
        if isinstance(entity, TableEntry) and entity.table in by_table:
            by_table[entity.table].append(entity)
        else:
            out.desired[entity.key] = entity
    for table, entries in by_table.items():
        await _compare_table(reader, schema, table, entries, out)
    for kind, requests in schema.other_reads().items():
        others = await read_optional(reader, schema, kind, requests)
        if others is None:
            out.unreadable.append(kind)
        for other in others or ():
            out.found[other.key] = other
            out.found_count += 1
    return out


async def reconcile(
    conn: SwitchConnection,
    reader: SwitchReader,
    schema: EdgeSchema,
    desired: Mapping[EntityKey, Entity],
    version: int,
) -> ReconcileReport:
    """Read the switch back, write the difference to ``desired``; report what was done."""
    started = time.monotonic()
    comparison = await _compare(reader, schema, desired)
    plan = reconcile_plan(comparison.desired, comparison.found)
    plan.modifies.extend(comparison.meter_fixes)
    result = await apply_plan(conn, schema, plan, what="reconcile")
    report = ReconcileReport(
        switch=conn.name,
        version=version,
        found=comparison.found_count,
        desired=len(desired),
        inserted=len(plan.inserts),
        modified=len(plan.modifies),
        deleted=len(plan.deletes),
        failures=tuple(result.failures),
        unreadable=tuple(comparison.unreadable),
        seconds=time.monotonic() - started,
        decoded=comparison.decoded,
    )
    log.info("%s: %s", conn.name, report)
    return report

