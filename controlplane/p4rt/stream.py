"""What the switch sends on the stream, delivered to async callbacks or queues.

finsy decodes packet-ins, digest lists and idle-timeout notifications against the P4Info and
hands them out through per-switch async iterators (``Switch.read_packets``, ``read_digests``,
``read_idle_timeouts``) that only exist while someone iterates them; stream errors only reach an
event emitter. What finsy lacks and this module adds:

* :class:`StreamHandlers` — one async callback per kind of message, given the connection it came
  from, so a single handler can serve many switches;
* :class:`StreamPumps` — long-lived, named tasks per switch that drain finsy's iterators into
  those callbacks across reconnects, each digest list acknowledged once its callback is done,
  and a failing callback logged and never fatal;
* :class:`StreamInbox` — plain ``asyncio.Queue``\\ s fed by such handlers, for consumers (and
  tests) that prefer to pull.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from finsy import P4DigestList, P4PacketIn
from finsy.p4entity import P4IdleTimeoutNotification

from controlplane.p4rt.errors import P4RuntimeError

if TYPE_CHECKING:
    from controlplane.p4rt.client import SwitchConnection

__all__ = [
    "DigestHandler",
    "IdleTimeoutHandler",
    "PacketInHandler",
    "StreamErrorHandler",
    "StreamHandlers",
    "StreamInbox",
    "StreamPumps",
]

log = logging.getLogger("controlplane.p4rt.stream")

_T = TypeVar("_T")

PacketInHandler = Callable[["SwitchConnection", P4PacketIn], Awaitable[None]]
DigestHandler = Callable[["SwitchConnection", P4DigestList], Awaitable[None]]
IdleTimeoutHandler = Callable[["SwitchConnection", P4IdleTimeoutNotification], Awaitable[None]]
StreamErrorHandler = Callable[["SwitchConnection", P4RuntimeError], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamHandlers:
    """Async callbacks for what a switch sends; leave one out to ignore that kind."""

    on_packet_in: PacketInHandler | None = None
    #: Called once per DigestList; the list is acknowledged after the callback returns (or raises:
    #: an unacknowledged list would hold back repeats of its samples until the ack timeout).
    on_digest: DigestHandler | None = None
    on_idle_timeout: IdleTimeoutHandler | None = None
    #: A StreamError the switch sent back for a bad packet-out or digest ack.
    on_stream_error: StreamErrorHandler | None = None


class StreamInbox:
    """Queues that collect everything a switch sends (use :meth:`handlers`)."""

    def __init__(self, maxsize: int = 0) -> None:
        self.packets: asyncio.Queue[P4PacketIn] = asyncio.Queue(maxsize)
        self.digests: asyncio.Queue[P4DigestList] = asyncio.Queue(maxsize)
        self.idle_timeouts: asyncio.Queue[P4IdleTimeoutNotification] = asyncio.Queue(maxsize)
        self.stream_errors: asyncio.Queue[P4RuntimeError] = asyncio.Queue(maxsize)

    def handlers(self) -> StreamHandlers:
        async def on_packet_in(_conn: SwitchConnection, packet: P4PacketIn) -> None:
            await self.packets.put(packet)

        async def on_digest(_conn: SwitchConnection, digest: P4DigestList) -> None:
            await self.digests.put(digest)

        async def on_idle_timeout(_conn: SwitchConnection, note: P4IdleTimeoutNotification) -> None:
            await self.idle_timeouts.put(note)

        async def on_stream_error(_conn: SwitchConnection, error: P4RuntimeError) -> None:
            await self.stream_errors.put(error)

        return StreamHandlers(
            on_packet_in=on_packet_in,
            on_digest=on_digest,
            on_idle_timeout=on_idle_timeout,
            on_stream_error=on_stream_error,
        )


class StreamPumps:
    """The per-switch tasks that move stream messages from finsy to the handlers.

    Tasks are named ``p4rt:<switch>:<what>`` and live from :meth:`start` to :meth:`stop`,
    surviving reconnects (finsy keeps its queues on the Switch object).
    """

    def __init__(
        self,
        conn: SwitchConnection,
        handlers: StreamHandlers,
        *,
        queue_size: int,
        ack_digest: Callable[[P4DigestList], Coroutine[Any, Any, None]],
    ) -> None:
        self._conn = conn
        self._handlers = handlers
        self._queue_size = queue_size
        self._ack_digest = ack_digest
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._errors: asyncio.Queue[P4RuntimeError] = asyncio.Queue()

    @property
    def task_names(self) -> list[str]:
        return [t.get_name() for t in self._tasks.values()]

    def start(self) -> None:
        """Start the pumps that need no P4Info (packet-in, idle timeouts, stream errors)."""
        switch = self._conn.finsy_switch
        h = self._handlers
        if h.on_packet_in is not None:
            self._spawn("packet-in", self._pump(switch.read_packets(queue_size=self._queue_size), h.on_packet_in))
        if h.on_idle_timeout is not None:
            self._spawn(
                "idle-timeout", self._pump(switch.read_idle_timeouts(queue_size=self._queue_size), h.on_idle_timeout)
            )
        if h.on_stream_error is not None:
            self._spawn("stream-error", self._pump(self._drain(self._errors), h.on_stream_error))

    def watch_digests(self, names: list[str]) -> None:
        """Start a pump for each digest not yet pumped (called once the P4Info is known)."""
        handler = self._handlers.on_digest
        if handler is None:
            return
        switch = self._conn.finsy_switch
        for name in names:
            key = f"digest:{name}"
            if key not in self._tasks:
                self._spawn(key, self._pump(switch.read_digests(name, queue_size=self._queue_size), handler, ack=True))

    def stream_error(self, error: P4RuntimeError) -> None:
        """Queue a StreamError for the handler (called from finsy's event emitter)."""
        if self._handlers.on_stream_error is None:
            log.warning("%s: %s", self._conn.name, error)
        else:
            self._errors.put_nowait(error)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, what: str, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks[what] = asyncio.create_task(coro, name=f"p4rt:{self._conn.name}:{what}")

    @staticmethod
    async def _drain(queue: asyncio.Queue[_T]) -> AsyncIterator[_T]:
        while True:
            yield await queue.get()

    async def _pump(
        self,
        source: AsyncIterator[_T],
        handler: Callable[[SwitchConnection, _T], Awaitable[None]],
        *,
        ack: bool = False,
    ) -> None:
        conn = self._conn
        async for item in source:
            try:
                await handler(conn, item)
            except asyncio.CancelledError:
                raise
            except Exception:  # a handler's bug must not stop the stream
                log.exception("%s: stream handler %s failed on %r", conn.name, getattr(handler, "__name__", handler), item)
            if ack and isinstance(item, P4DigestList):
                await self._ack_digest(item)
