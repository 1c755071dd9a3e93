"""One P4Runtime connection per switch, built on finsy's :class:`~finsy.Switch`.

A :class:`SwitchConnection` owns one finsy ``Switch`` and adds what the controller needs around
it (see the package docstring for what finsy lacks):

* ``start()`` runs a named task, ``p4rt:<switch>:connection``, that connects, arbitrates with
  the configured election id, makes sure the switch runs our pipeline, calls the ``on_ready``
  hook (where the edge layer reconciles), and, when the connection drops or setup fails,
  reconnects after a growing, jittered delay (:class:`Backoff`);
* writes are cut into capped batches; a refused update comes back as one
  :class:`~controlplane.p4rt.errors.P4RuntimeError` with per-update details indexed over the
  whole write;
* packet-ins, digests (acknowledged after their handler returns) and idle-timeout notifications
  go to async callbacks (:class:`~controlplane.p4rt.stream.StreamHandlers`);
* ``stop()`` ends every task of the switch cleanly.

Usage::

    conn = SwitchConnection("s1", "127.0.0.1:9559", ClientOptions(pipeline=files), on_ready=sync)
    async with conn:                     # start() ... stop()
        await conn.wait_ready(timeout=10, primary=True)
        await conn.insert(entries)       # batched
        rows = await conn.read([P4TableEntry("dmac")])
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import cast

from finsy import (
    GRPCCredentialsTLS,
    P4ClientError,
    P4CloneSessionEntry,
    P4DigestList,
    P4MulticastGroupEntry,
    P4PacketOut,
    P4Schema,
    P4TableEntry,
    Switch,
    SwitchEvent,
    SwitchOptions,
)
from finsy.p4entity import P4Entity
from finsy.proto import p4r

from controlplane.p4rt.entities import (
    DEFAULT_MAX_BATCH_BYTES,
    DEFAULT_MAX_BATCH_UPDATES,
    EncodedWrite,
    EntityItem,
    UpdateItem,
    UpdateKind,
    encode_entities,
    encode_write,
    split_batches,
)
from controlplane.p4rt.errors import GRPCStatusCode, P4RuntimeError
from controlplane.p4rt.pipeline import PipelineTarget, ensure_pipeline
from controlplane.p4rt.schema import PipelineFiles, describe, digest_names
from controlplane.p4rt.stream import StreamHandlers, StreamPumps

__all__ = ["Backoff", "ClientOptions", "ProgressCallback", "ReadyHook", "SwitchConnection", "WriteStats"]

log = logging.getLogger("controlplane.p4rt")

#: Called after each batch of a write with (updates done, updates in the write).
ProgressCallback = Callable[[int, int], None]
#: Called each time the connection becomes ready as primary (first connect, reconnect, promotion).
ReadyHook = Callable[["SwitchConnection"], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Delays between reconnect attempts: ``initial``, then times ``factor`` up to ``maximum``,
    each spread by ±``jitter`` (a fraction) so that many controllers do not retry in step."""

    initial: float = 0.5
    maximum: float = 15.0
    factor: float = 2.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ValueError("backoff: need 0 < initial <= maximum")
        if self.factor < 1 or not 0 <= self.jitter < 1:
            raise ValueError("backoff: need factor >= 1 and 0 <= jitter < 1")

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            spread = delay * self.jitter
            yield delay + random.uniform(-spread, spread)
            delay = min(delay * self.factor, self.maximum)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """How to talk to one switch."""

    device_id: int = 0
    #: Our election id; the highest id among a switch's clients is the primary.
    election_id: int = 10
    #: The pipeline to install when primary; None keeps whatever the switch runs.
    pipeline: PipelineFiles | None = None
    #: Push the pipeline even when the switch reports the same cookie (this wipes its state).
    force_pipeline: bool = False
    max_batch_updates: int = DEFAULT_MAX_BATCH_UPDATES
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES
    backoff: Backoff = field(default_factory=Backoff)
    #: Longest wait for the switch to answer arbitration (finsy itself would wait forever).
    connect_timeout: float = 10.0
    #: Size of finsy's per-kind stream queues (a full queue drops, with a warning).
    stream_queue_size: int = 1000
    credentials: GRPCCredentialsTLS | None = None

    def __post_init__(self) -> None:
        if self.device_id < 0:
            raise ValueError("device_id must be >= 0")
        if not 0 < self.election_id < 1 << 128:
            raise ValueError("election_id must be in 1 .. 2**128-1")
        if self.max_batch_updates < 1 or self.max_batch_bytes < 1:
            raise ValueError("batch caps must be at least 1")
        if self.stream_queue_size < 1:
            raise ValueError("stream_queue_size must be at least 1")
        if self.connect_timeout <= 0:
            raise ValueError("connect_timeout must be positive")


@dataclass(slots=True)
class WriteStats:
    """Counters of the Write requests this connection sent."""

    requests: int = 0
    updates: int = 0
    failed_updates: int = 0
    largest_batch: int = 0


class _Session:
    """One connection attempt: ends when the channel goes down or setup fails."""

    def __init__(self) -> None:
        self.ended = asyncio.Event()
        self.error: Exception | None = None
        self.reached_ready = False

    def fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error
        self.ended.set()


class SwitchConnection:
    """The controller's connection to one switch (no module-global state: make one per switch)."""

    def __init__(
        self,
        name: str,
        address: str,
        options: ClientOptions | None = None,
        *,
        handlers: StreamHandlers | None = None,
        on_ready: ReadyHook | None = None,
    ) -> None:
        self.name = name
        self.address = address
        self.options = options or ClientOptions()
        self.stats = WriteStats()
        #: How many times the pipeline was pushed, and the connection became ready.
        self.pipeline_pushes = 0
        self.ready_count = 0
        self._on_ready = on_ready
        self._pipeline = self.options.pipeline.load() if self.options.pipeline is not None else None
        self._switch = Switch(
            name,
            address,
            SwitchOptions(
                device_id=self.options.device_id,
                initial_election_id=self.options.election_id,
                channel_credentials=self.options.credentials,
                ready_handler=self._on_channel_ready,
            ),
        )
        self._pumps = StreamPumps(
            self, handlers or StreamHandlers(), queue_size=self.options.stream_queue_size, ack_digest=self.ack_digest
        )
        self._ready = asyncio.Event()
        self._ready_as_primary = asyncio.Event()
        # grpc.aio refuses a second write on a stream while one is pending ("Internal error from
        # Core"), and finsy does not serialize them: packet-outs and digest acks take turns here.
        self._stream_lock = asyncio.Lock()
        self._session: _Session | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._last_error: Exception | None = None
        ee = self._switch.ee
        ee.on(SwitchEvent.CHANNEL_DOWN, self._on_channel_down)
        ee.on(SwitchEvent.BECOME_PRIMARY, self._on_role_change)
        ee.on(SwitchEvent.BECOME_BACKUP, self._on_role_change)
        ee.on(SwitchEvent.STREAM_ERROR, self._on_stream_error)

    def __repr__(self) -> str:
        return f"SwitchConnection({self.name!r}, {self.address!r}, device_id={self.options.device_id})"

    # ------------------------------------------------------------------------------ state

    @property
    def finsy_switch(self) -> Switch:
        """The underlying finsy Switch (for what this layer does not wrap)."""
        return self._switch

    @property
    def schema(self) -> P4Schema:
        """The P4Info in use: the switch's once connected, else the pipeline we will push."""
        if self._switch.p4info.exists or self._pipeline is None:
            return self._switch.p4info
        return self._pipeline

    @property
    def is_up(self) -> bool:
        return self._switch.is_up

    @property
    def is_primary(self) -> bool:
        return self._switch.is_up and self._switch.is_primary

    @property
    def is_ready(self) -> bool:
        """Connected and arbitrated, with the pipeline in place and ``on_ready`` done if primary."""
        return self._ready.is_set()

    @property
    def election_id(self) -> int:
        return self._switch.election_id

    @property
    def primary_id(self) -> int:
        return self._switch.primary_id

    @property
    def last_error(self) -> Exception | None:
        """Why the latest connection attempt failed or ended, if it did."""
        return self._last_error

    @property
    def task_names(self) -> list[str]:
        names = self._pumps.task_names
        if self._run_task is not None and not self._run_task.done():
            names.append(self._run_task.get_name())
        return names

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start connecting (in the background); see :meth:`wait_ready`."""
        if self._run_task is not None and not self._run_task.done():
            raise RuntimeError(f"switch {self.name}: already started")
        self._pumps.start()
        if self._pipeline is not None:
            self._pumps.watch_digests(digest_names(self._pipeline))
        await asyncio.sleep(0)  # let the pumps open finsy's queues before anything can arrive
        self._run_task = asyncio.create_task(self._run(), name=f"p4rt:{self.name}:connection")

    async def stop(self) -> None:
        """Close the connection and end every task of this switch."""
        task, self._run_task = self._run_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._pumps.stop()
        self._not_ready()
        log.info("%s: stopped", self.name)

    async def __aenter__(self) -> SwitchConnection:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def wait_ready(self, timeout: float | None = None, *, primary: bool = False) -> None:
        """Wait until the connection is ready (with ``primary``: ready as primary, e.g. once an
        older session holding the same election id is gone); TimeoutError naming the last
        failure if not."""
        if self._run_task is None:
            raise RuntimeError(f"switch {self.name}: not started")
        event = self._ready_as_primary if primary else self._ready
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            role = " as primary" if primary else ""
            why = f": {self._last_error}" if self._last_error is not None else ""
            raise TimeoutError(f"switch {self.name} at {self.address} not ready{role} after {timeout}s{why}") from None

    def _not_ready(self) -> None:
        self._ready.clear()
        self._ready_as_primary.clear()

    async def _run(self) -> None:
        delays = self.options.backoff.delays()
        while True:
            session = _Session()
            self._session = session
            try:
                await self._run_session(session)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # stop()
                # finsy cancels its own tasks when one of them fails during setup
                session.fail(P4RuntimeError.not_connected(self.name, "StreamChannel", "the connection setup failed"))
            except P4ClientError as err:
                session.fail(P4RuntimeError.from_client_error(err, operation="StreamChannel", switch=self.name))
            except P4RuntimeError as err:
                session.fail(err)
            except (RuntimeError, ValueError, OSError) as err:  # e.g. finsy: EOF, no usable election id
                session.fail(self._stream_failure(GRPCStatusCode.UNKNOWN, str(err)))
            except Exception as err:  # the loop must outlive anything finsy raises; keep the traceback
                log.exception("%s: unexpected failure of the connection", self.name)
                session.fail(self._stream_failure(GRPCStatusCode.UNKNOWN, f"{type(err).__name__}: {err}"))
            finally:
                self._session = None
                self._not_ready()
            if session.error is not None:
                self._last_error = session.error
            if session.reached_ready:
                delays = self.options.backoff.delays()
            delay = next(delays)
            why = self._last_error
            text = str(why) if isinstance(why, P4RuntimeError) else f"{self.name}: {why or 'disconnected'}"
            log.warning("%s; reconnecting in %.2fs", text, delay)
            await asyncio.sleep(delay)

    async def _run_session(self, session: _Session) -> None:
        switch = self._switch
        timeout = self.options.connect_timeout
        try:
            async with asyncio.timeout(timeout):
                await switch.__aenter__()  # connect, arbitrate, fetch the P4Info (finsy)
        except TimeoutError:
            raise self._stream_failure(GRPCStatusCode.DEADLINE_EXCEEDED, f"no arbitration within {timeout}s") from None
        try:
            log.info(
                "%s: connected to %s as %s (election id %d, primary %d)",
                self.name, self.address, "primary" if switch.is_primary else "backup",
                switch.election_id, switch.primary_id,
            )
            await session.ended.wait()
        finally:
            await switch.__aexit__(None, None, None)
        if session.error is None:
            session.fail(P4RuntimeError.not_connected(self.name, "StreamChannel", "the connection was lost"))

    def _stream_failure(self, code: GRPCStatusCode, message: str) -> P4RuntimeError:
        return P4RuntimeError(operation="StreamChannel", code=code, message=message, switch=self.name)

    # ------------------------------------------------------------------------------ finsy events

    def _on_channel_down(self, _switch: Switch) -> None:
        self._not_ready()
        if self._session is not None:
            self._session.ended.set()

    def _on_role_change(self, switch: Switch) -> None:
        # finsy runs the ready handler again for the new role
        self._not_ready()
        log.info("%s: now %s (primary election id %d)", self.name, "primary" if switch.is_primary else "backup",
                 switch.primary_id)

    def _on_stream_error(self, _switch: Switch, message: p4r.StreamMessageResponse) -> None:
        self._pumps.stream_error(P4RuntimeError.from_stream_error(message.error, switch=self.name))

    async def _on_channel_ready(self, switch: Switch) -> None:
        """finsy's ready handler: runs in finsy's task group after arbitration, once per role."""
        session = self._session
        if session is None:
            return
        try:
            if self._pipeline is not None:
                if switch.is_primary:
                    await self._ensure_pipeline()
                switch.p4info.set_p4info(self._pipeline.p4info)
            self._pumps.watch_digests(digest_names(switch.p4info))
            if switch.is_primary and self._on_ready is not None:
                await self._on_ready(self)
        except asyncio.CancelledError:
            raise
        except P4RuntimeError as err:  # logged by the connection loop
            session.fail(err)
        except Exception as err:  # the on_ready hook's own failure: retry on a new connection
            log.exception("%s: the on_ready hook failed", self.name)
            session.fail(err)
        else:
            session.reached_ready = True
            self.ready_count += 1
            self._ready.set()
            if switch.is_primary:
                self._ready_as_primary.set()
            role = "primary" if switch.is_primary else "backup"
            log.info("%s: ready as %s with %s", self.name, role, self._describe_pipeline())

    # ------------------------------------------------------------------------------ pipeline

    def _describe_pipeline(self) -> str:
        files = self.options.pipeline
        if self._pipeline is not None and files is not None:
            return describe(self._pipeline, files.program)
        return describe(self._switch.p4info)

    async def _ensure_pipeline(self) -> None:
        """Install our pipeline unless the switch already runs it (same cookie)."""
        assert self._pipeline is not None
        target = PipelineTarget(
            switch=self.name, address=self.address, device_id=self.options.device_id, credentials=self.options.credentials
        )
        pushed = await ensure_pipeline(
            target, self._pipeline, election_id=lambda: self._switch.election_id, force=self.options.force_pipeline
        )
        if pushed:
            self.pipeline_pushes += 1
            log.info("%s: installed %s", self.name, self._describe_pipeline())
        else:
            log.info("%s: the switch already runs %s", self.name, self._describe_pipeline())

    # ------------------------------------------------------------------------------ writes

    async def write(self, updates: Iterable[UpdateItem], *, progress: ProgressCallback | None = None) -> None:
        """Send updates that carry their own kind (``+entry``, ``-entry``, ``~entry``, p4r.Update),
        packet-outs and digest acks, in capped batches."""
        self._require_up("Write")
        encoded = encode_write(None, updates, self.schema)
        if encoded.stream_messages:
            await self._send_stream(encoded.stream_messages, "StreamChannel")
        await self._write(encoded, progress)

    async def insert(self, entities: Iterable[EntityItem], *, progress: ProgressCallback | None = None) -> None:
        await self._write_kind(UpdateKind.INSERT, entities, progress)

    async def modify(self, entities: Iterable[EntityItem], *, progress: ProgressCallback | None = None) -> None:
        await self._write_kind(UpdateKind.MODIFY, entities, progress)

    async def delete(
        self, entities: Iterable[EntityItem], *, ignore_not_found: bool = False, progress: ProgressCallback | None = None
    ) -> None:
        """Delete entities; with ``ignore_not_found``, deleting what is absent is not an error."""
        try:
            await self._write_kind(UpdateKind.DELETE, entities, progress)
        except P4RuntimeError as err:
            if not (ignore_not_found and err.all_not_found):
                raise

    async def _write_kind(self, kind: UpdateKind, entities: Iterable[EntityItem], progress: ProgressCallback | None) -> None:
        self._require_up("Write")  # before encoding: without a connection there may be no P4Info yet
        await self._write(encode_write(kind, entities, self.schema), progress)

    async def _write(self, encoded: EncodedWrite, progress: ProgressCallback | None) -> None:
        total = len(encoded.updates)
        failures: list[P4RuntimeError] = []
        for start, batch in split_batches(
            encoded.updates, max_updates=self.options.max_batch_updates, max_bytes=self.options.max_batch_bytes
        ):
            switch = self._require_up("Write", sent_before=start, total=total)
            self.stats.requests += 1
            self.stats.updates += len(batch)
            self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
            try:
                await switch.write(batch)
            except P4ClientError as err:
                error = P4RuntimeError.from_client_error(
                    err, operation="Write", switch=self.name, index_offset=start, updates=batch,
                    sources=encoded.sources, sent_before=start, total_updates=total,
                )
                if not error.details:
                    raise error from None  # the whole request was refused: stop here
                self.stats.failed_updates += len(error.details)
                failures.append(error)
            except (AssertionError, AttributeError) as err:
                if switch.is_up:
                    raise  # not a disconnect: a genuine bug
                raise self._lost("Write") from err
            if progress is not None:
                progress(start + len(batch), total)
        if failures:
            raise P4RuntimeError.merge(failures, total_updates=total)

    async def send_packet_out(self, packet: P4PacketOut | p4r.PacketOut) -> None:
        """Send a packet-out (only the primary's are taken: a backup gets PERMISSION_DENIED here)."""
        if isinstance(packet, p4r.PacketOut):
            message = p4r.StreamMessageRequest(packet=packet)
        else:
            message = encode_write(None, [packet], self.schema).stream_messages[0]
        await self._send_stream([message], "PacketOut")

    async def ack_digest(self, digest: P4DigestList) -> None:
        """Acknowledge a digest list (done for you after the ``on_digest`` handler returns)."""
        switch = self._switch
        if not (switch.is_up and switch.is_primary):
            log.debug("%s: digest list %d not acknowledged: not connected as primary", self.name, digest.list_id)
            return
        try:
            async with self._stream_lock:
                await switch.write([digest.ack()])
        except (P4ClientError, AssertionError, AttributeError, ValueError) as err:
            log.warning("%s: cannot acknowledge digest list %d: %s", self.name, digest.list_id, err)

    async def _send_stream(self, messages: Sequence[p4r.StreamMessageRequest], operation: str) -> None:
        switch = self._require_up(operation)
        if not switch.is_primary:
            raise P4RuntimeError(
                operation=operation, code=GRPCStatusCode.PERMISSION_DENIED, switch=self.name,
                message="Not primary: the switch drops stream messages from a backup client",
            )
        try:
            async with self._stream_lock:
                await switch.write(messages)
        except P4ClientError as err:
            raise P4RuntimeError.from_client_error(err, operation=operation, switch=self.name) from None
        except (AssertionError, AttributeError) as err:
            if switch.is_up:
                raise  # not a disconnect: a genuine bug
            raise self._lost(operation) from err

    # ------------------------------------------------------------------------------ reads

    async def read(self, entities: Iterable[EntityItem]) -> list[P4Entity]:
        """Read entities (wildcards allowed, e.g. ``P4TableEntry("dmac")``)."""
        return [entity async for entity in self.read_iter(entities)]

    async def read_iter(self, entities: Iterable[EntityItem]) -> AsyncIterator[P4Entity]:
        switch = self._require_up("Read")
        requested = encode_entities(entities, self.schema)
        if not requested:
            return
        # finsy declares read() with async overloads, so its type reads as a coroutine
        replies = cast(AsyncIterator[P4Entity], switch.read(requested))
        try:
            async for entity in replies:
                yield entity
        except P4ClientError as err:
            raise P4RuntimeError.from_client_error(err, operation="Read", switch=self.name) from None
        except (AssertionError, AttributeError) as err:
            if switch.is_up:
                raise  # not a disconnect: a genuine bug
            raise self._lost("Read") from err

    async def delete_all(self, wildcards: Iterable[EntityItem] | None = None) -> int:
        """Delete every table entry (const tables excepted), multicast group and clone session,
        or what ``wildcards`` match; returns how many were deleted."""
        if wildcards is None:
            wildcards = [P4TableEntry(), P4MulticastGroupEntry(), P4CloneSessionEntry()]
        schema = self.schema
        const_tables = {t.alias for t in schema.tables if t.is_const} if schema.exists else set()
        found = [
            e for e in await self.read(wildcards)
            if not (isinstance(e, P4TableEntry) and e.table_id in const_tables)
        ]
        await self.delete(cast(list[EntityItem], found), ignore_not_found=True)
        return len(found)

    # ------------------------------------------------------------------------------ guards

    def _require_up(self, operation: str, *, sent_before: int = 0, total: int = 0) -> Switch:
        switch = self._switch
        if not switch.is_up:
            why = "not connected" + (f" (last error: {self._last_error})" if self._last_error else "")
            raise P4RuntimeError(
                operation=operation, code=GRPCStatusCode.UNAVAILABLE, message=why, switch=self.name,
                sent_before=sent_before, total_updates=total,
            )
        return switch

    def _lost(self, operation: str) -> P4RuntimeError:
        """finsy tears its client down under a call when the connection drops (its asserts and
        None attributes then fail): report that as the lost connection it is."""
        return P4RuntimeError.not_connected(self.name, operation, "the connection was lost during the call")
