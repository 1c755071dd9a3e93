"""The registry's change feed: what each committed write changed, with before and after.

Every committed write produces one ``ChangeSet`` with a sequence number one above the last.
Within a set each record appears at most once, as ``before`` (its state before the write, None if
it was added) and ``after`` (None if it was removed). A set can touch several kinds of record:
adding a device that joins groups changes the device and each of those groups; a bulk import
chunk is one set with many devices. A consumer that programs switches should apply a set in
dependency order: customer additions and changes, then devices, then groups; removals in the
reverse order (groups, devices, customers).

Two ways to listen:

- ``ChangeFeed.subscribe()`` (call it on the event loop that will consume): an async iterator of
  sets, in order, with no loss (an unbounded queue).
- ``ChangeFeed.add_listener(fn)``: ``fn(changeset)`` is called synchronously in the writing
  thread, with the registry's lock held; it must be quick and must not call back into the
  registry's write methods.

To start from a consistent view, use ``Registry.subscribe_with_snapshot()``: it returns the
registry's current records with their sequence number and a subscription that delivers every
later set.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from controlplane.registry.model import Customer, Device, Group

log = logging.getLogger(__name__)

R = TypeVar("R", Customer, Device, Group)


class ChangeOp(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Change(Generic[R]):
    """One record's change: ``before`` None means added, ``after`` None means removed."""

    before: R | None
    after: R | None

    @property
    def op(self) -> ChangeOp:
        if self.before is None:
            return ChangeOp.ADDED
        if self.after is None:
            return ChangeOp.REMOVED
        return ChangeOp.CHANGED

    @property
    def record(self) -> R:
        """The record as it is now, or as it was when removed."""
        current = self.after if self.after is not None else self.before
        assert current is not None
        return current


def members_added(change: Change[Group]) -> frozenset[str]:
    """Devices that joined the group in this change."""
    before = change.before.members if change.before is not None else frozenset()
    after = change.after.members if change.after is not None else frozenset()
    return after - before


def members_removed(change: Change[Group]) -> frozenset[str]:
    """Devices that left the group in this change (all of them when the group was removed)."""
    before = change.before.members if change.before is not None else frozenset()
    after = change.after.members if change.after is not None else frozenset()
    return before - after


@dataclass(frozen=True, slots=True)
class ChangeSet:
    seq: int
    customers: tuple[Change[Customer], ...] = ()
    devices: tuple[Change[Device], ...] = ()
    groups: tuple[Change[Group], ...] = ()
    origin: str = ""  # what made it: "api", "import", "approve", ...

    def __bool__(self) -> bool:
        return bool(self.customers or self.devices or self.groups)


class ChangeSubscription:
    """An async iterator of change sets for one consumer; ``close()`` ends it."""

    def __init__(self, feed: ChangeFeed, loop: asyncio.AbstractEventLoop) -> None:
        self._feed = feed
        self._loop = loop
        self._queue: asyncio.Queue[ChangeSet | None] = asyncio.Queue()
        self.closed = False

    def _deliver(self, changeset: ChangeSet | None) -> None:
        """Called from any thread."""
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, changeset)
        except RuntimeError:  # the loop is closed: nobody will read this subscription again
            self.closed = True

    def pending(self) -> int:
        """How many sets wait to be read."""
        return self._queue.qsize()

    async def get(self) -> ChangeSet:
        """The next change set; raises ``StopAsyncIteration`` once closed."""
        if self.closed and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is None:
            self.closed = True
            raise StopAsyncIteration
        return item

    def close(self) -> None:
        if not self.closed:
            self._feed._remove(self)
            self._deliver(None)

    def __aiter__(self) -> AsyncIterator[ChangeSet]:
        return self

    async def __anext__(self) -> ChangeSet:
        return await self.get()


class ChangeFeed:
    """Fans each committed change set out to listeners and subscriptions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ChangeSet], None]] = []
        self._subscriptions: list[ChangeSubscription] = []

    def add_listener(self, listener: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call ``listener`` synchronously for every change set; returns a function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def subscribe(self) -> ChangeSubscription:
        """A subscription delivering to the running event loop (call from a coroutine)."""
        subscription = ChangeSubscription(self, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def _remove(self, subscription: ChangeSubscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def publish(self, changeset: ChangeSet) -> None:
        """Deliver one committed set (the registry calls this, in sequence order)."""
        with self._lock:
            listeners = list(self._listeners)
            subscriptions = list(self._subscriptions)
        for listener in listeners:
            try:
                listener(changeset)
            except Exception:
                log.exception("change listener %r failed on change set %d", listener, changeset.seq)
        for subscription in subscriptions:
            subscription._deliver(changeset)
            if subscription.closed:
                self._remove(subscription)

    def close(self) -> None:
        """End every subscription (at shutdown)."""
        with self._lock:
            subscriptions = list(self._subscriptions)
            self._subscriptions.clear()
        for subscription in subscriptions:
            subscription._deliver(None)
