"""One switch kept in step with the desired state: reconcile on (re)connect, then apply changes.

A :class:`SwitchProgrammer` owns the switch's :class:`~controlplane.p4rt.SwitchConnection`
(which pushes the pipeline and calls ``on_ready`` as primary after every connection) and a
:class:`~controlplane.edge.readback.SwitchReader`. Its rules:

* ``on_ready`` reconciles: it takes the desired state and its version at one instant, reads the
  switch back and writes the difference (:mod:`controlplane.edge.reconcile`). If that fails as a
  whole (the switch went away), the connection retries with backoff and reconciles again.
* Change plans arrive with the version of the desired state they lead to (:meth:`submit`) and
  are applied in order by one worker task. A plan at or below the version the switch is known
  to hold is skipped (a reconcile already wrote it); a plan for a switch that is not in step (not
  connected, not primary, not reconciled) is dropped, since the next reconcile covers it.
* Writes and reconciles take turns (one lock), so no plan interleaves with a reconcile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from finsy.proto import p4r

from controlplane.config import SwitchConfig
from controlplane.edge import contract
from controlplane.edge.encode import ContractError, EdgeSchema
from controlplane.edge.entries import Entity, EntityKey, TableEntry
from controlplane.edge.plan import WritePlan
from controlplane.edge.readback import SwitchReader
from controlplane.edge.reconcile import ReconcileReport, reconcile
from controlplane.edge.settings import SwitchProfile
from controlplane.edge.writer import apply_plan
from controlplane.p4rt import (
    Backoff,
    ClientOptions,
    GRPCStatusCode,
    P4RuntimeError,
    PipelineFiles,
    StreamHandlers,
    SwitchConnection,
)

log = logging.getLogger(__name__)

#: Gives the desired state of a switch and its version, at one instant.
DesiredSource = Callable[[SwitchProfile], tuple[Mapping[EntityKey, Entity], int]]


@dataclass(frozen=True, slots=True)
class Counts:
    packets: int = 0
    bytes: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.packets + other.packets, self.bytes + other.bytes)


class SwitchProgrammer:
    """The edge programmer's side of one switch."""

    def __init__(
        self,
        profile: SwitchProfile,
        switch: SwitchConfig,
        *,
        pipeline: PipelineFiles | None,
        desired: DesiredSource,
        handlers: StreamHandlers,
        program: str = "edge",
        force_pipeline: bool = False,
        backoff: Backoff | None = None,
    ) -> None:
        self.profile = profile
        self.name = switch.name
        self.address = switch.grpc_addr
        self.device_id = switch.device_id
        self.program = program
        self._desired = desired
        options = ClientOptions(
            device_id=switch.device_id,
            election_id=switch.election_id,
            pipeline=pipeline,
            force_pipeline=force_pipeline,
            backoff=backoff or Backoff(),
        )
        self.conn = SwitchConnection(switch.name, switch.grpc_addr, options, handlers=handlers, on_ready=self._on_ready)
        self.reader = SwitchReader(switch.name, switch.grpc_addr, switch.device_id, options.credentials)
        self.schema: EdgeSchema | None = None
        self.last_report: ReconcileReport | None = None
        self.last_error: str | None = None
        self.write_failures = 0
        self.reconciles = 0
        self._lock = asyncio.Lock()
        self._queue: asyncio.Queue[tuple[int, WritePlan]] = asyncio.Queue()
        self._in_step = False  # reconciled on the current connection and not failed since
        self._reconciling = False
        self._version = -1  # the desired-state version the switch holds
        self._busy = False
        self._worker: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._work(), name=f"edge:{self.name}:writer")
        await self.conn.start()

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        await self.conn.stop()
        await self.reader.close()
        self._in_step = False

    # ------------------------------------------------------------------------------ state

    @property
    def in_step(self) -> bool:
        """Connected as primary, reconciled, and no write lost since."""
        return self._in_step and self.conn.is_up and self.conn.is_primary and self.schema is not None

    @property
    def accepts_plans(self) -> bool:
        """True while change plans are applied (in step, or a reconcile is running whose snapshot
        later plans must follow)."""
        return self._in_step or self._reconciling

    @property
    def version(self) -> int:
        """The version of the desired state the switch is known to hold (-1: unknown)."""
        return self._version

    @property
    def idle(self) -> bool:
        """No plan waiting or being written, no reconcile running."""
        return self._queue.empty() and not self._busy and not self._reconciling

    # ------------------------------------------------------------------------------ reconcile

    async def _on_ready(self, conn: SwitchConnection) -> None:
        try:
            self.schema = EdgeSchema(conn.schema)
        except ContractError as err:
            self.schema = None
            self.last_error = f"the pipeline does not follow the edge contract: {err}"
            raise P4RuntimeError(
                operation="edge contract check", code=GRPCStatusCode.FAILED_PRECONDITION,
                message=self.last_error, switch=self.name,
            ) from None
        await self.resync()

    async def resync(self) -> ReconcileReport | None:
        """Reconcile now (None if the switch is not connected as primary)."""
        async with self._lock:
            if not (self.conn.is_up and self.conn.is_primary) or self.schema is None:
                return None
            desired, version = self._desired(self.profile)
            self._reconciling = True
            self._in_step = False
            try:
                report = await reconcile(self.conn, self.reader, self.schema, desired, version)
            except P4RuntimeError as err:
                self.last_error = str(err)
                self._version = -1
                raise
            finally:
                self._reconciling = False
            self.reconciles += 1
            self.last_report = report
            self.write_failures += len(report.failures)
            self.last_error = str(report.failures[0]) if report.failures else None
            self._version = version
            self._in_step = True
            return report

    # ------------------------------------------------------------------------------ changes

    def submit(self, version: int, plan: WritePlan) -> None:
        """Queue the writes that bring the switch to ``version`` (from ``version`` - 1)."""
        if self.accepts_plans:
            self._queue.put_nowait((version, plan))

    async def _work(self) -> None:
        while True:
            version, plan = await self._queue.get()
            self._busy = True
            try:
                async with self._lock:
                    await self._apply(version, plan)
            finally:
                self._busy = False

    async def _apply(self, version: int, plan: WritePlan) -> None:
        if version <= self._version:
            return  # a reconcile wrote this already
        if not self.in_step or self.schema is None:
            self._in_step = False
            return  # the next reconcile covers it
        if plan:
            try:
                result = await apply_plan(self.conn, self.schema, plan, what=f"change to version {version}")
            except P4RuntimeError as err:
                log.warning("%s: %s; the switch will be reconciled when it is back", self.name, err)
                self.last_error = str(err)
                self._in_step = False
                return
            except Exception:  # a bug: the switch may now differ from the desired state
                log.exception("%s: writing version %d failed; reconciling", self.name, version)
                self._in_step = False
                asyncio.get_running_loop().call_soon(self._schedule_resync)
                return
            if result.failures:
                self.write_failures += len(result.failures)
                self.last_error = str(result.failures[0])
        self._version = version

    def _schedule_resync(self) -> None:
        async def run() -> None:
            with contextlib.suppress(P4RuntimeError):
                await self.resync()

        task = asyncio.get_running_loop().create_task(run(), name=f"edge:{self.name}:resync")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ------------------------------------------------------------------------------ reads

    async def entry_counts(self) -> dict[str, int]:
        """Entries per keyed table (by the table's short name), read from the switch."""
        schema = self.schema
        if schema is None:
            return {}
        counts: dict[str, int] = {}
        for name in contract.KEYED_TABLES:
            request = p4r.Entity(table_entry=p4r.TableEntry(table_id=schema.table_id(name)))
            counts[name.rsplit(".", 1)[-1]] = await self.reader.count([request])
        return counts

    async def direct_counters(self, entries: list[TableEntry]) -> Counts:
        """The summed direct counters of ``entries`` (absent entries count 0)."""
        schema = self.schema
        if schema is None or not entries:
            return Counts()
        requests = [
            p4r.Entity(direct_counter_entry=p4r.DirectCounterEntry(table_entry=schema.table_key(e))) for e in entries
        ]
        try:
            replies = await self.reader.read(requests)
        except P4RuntimeError as err:
            if err.is_unavailable:
                raise
            replies = []  # some targets refuse a read naming an absent entry: read one by one
            for request in requests:
                with contextlib.suppress(P4RuntimeError):
                    replies.extend(await self.reader.read([request]))
        total = Counts()
        for reply in replies:
            data = reply.direct_counter_entry.data
            total += Counts(data.packet_count, data.byte_count)
        return total

    async def learned_macs(self, dev_ids: list[int]) -> dict[int, int]:
        """The MAC each device last sent from (register ``device_mac``), by dev_id; empty if the
        target cannot read registers."""
        schema = self.schema
        if schema is None or not dev_ids:
            return {}
        requests = [
            p4r.Entity(register_entry=p4r.RegisterEntry(register_id=schema.device_mac_id, index=p4r.Index(index=i)))
            for i in dev_ids
        ]
        try:
            replies = await self.reader.read(requests)
        except P4RuntimeError as err:
            log.info("%s: cannot read learned MACs (%s); using broadcast", self.name, err.message)
            return {}
        macs: dict[int, int] = {}
        for reply in replies:
            entry = reply.register_entry
            value = int.from_bytes(entry.data.bitstring, "big")
            if value:
                macs[entry.index.index] = value
        return macs
