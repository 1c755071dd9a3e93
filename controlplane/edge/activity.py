"""What the switches tell the controller about devices, as events for whoever listens.

The edge programmer turns stream messages into these events; it does not act on them beyond
recording each device's last known activity (in memory). The sleeping-device logic (checkpoint
at idle, replay at wake-up; README 3.7) subscribes here:

* :class:`ActivityEvent` ``ASLEEP`` — a device's admission entry timed out on a switch (an
  IdleTimeoutNotification); ``AWAKE`` — a device admitted with ``notify = 1`` (held) sent again
  (an access-request digest for a registered device);
* :class:`HeldFrame` — a frame the data plane held for a sleeping device (packet-in reason 2), or
  a group instruction for a held member, already rewritten as the device would receive it;
* :class:`RouterSolicitation` — a router solicitation from an access port (packet-in reason 1).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class Activity(enum.StrEnum):
    AWAKE = "awake"
    ASLEEP = "asleep"


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    device_id: str
    activity: Activity
    switch: str
    at: float  # UNIX time the controller learned it
    reason: str  # "idle-timeout" or "access-request"


@dataclass(frozen=True, slots=True)
class HeldFrame:
    switch: str
    device_id: str | None  # the device it is for (by destination address), if known
    ingress_port: int
    frame: bytes
    at: float


@dataclass(frozen=True, slots=True)
class RouterSolicitation:
    switch: str
    port: int
    frame: bytes
    at: float


Listener = Callable[[E], Awaitable[None]]


class _Listeners(Generic[E]):
    def __init__(self, what: str) -> None:
        self.what = what
        self._items: list[Listener[E]] = []

    def add(self, listener: Listener[E]) -> Callable[[], None]:
        self._items.append(listener)

        def remove() -> None:
            if listener in self._items:
                self._items.remove(listener)

        return remove

    async def emit(self, event: E) -> None:
        for listener in list(self._items):
            try:
                await listener(event)
            except Exception:  # a listener's bug must not stop the others or the stream
                log.exception("%s listener %r failed on %r", self.what, listener, event)


class EdgeEvents:
    """Listeners for device activity, held frames and router solicitations; and the last known
    activity of each device."""

    def __init__(self) -> None:
        self.activity = _Listeners[ActivityEvent]("activity")
        self.held_frames = _Listeners[HeldFrame]("held frame")
        self.solicitations = _Listeners[RouterSolicitation]("router solicitation")
        self._last: dict[str, ActivityEvent] = {}

    def last_activity(self, device_id: str) -> ActivityEvent | None:
        return self._last.get(device_id)

    def asleep(self) -> list[str]:
        """Devices whose last known activity is ASLEEP, sorted."""
        return sorted(d for d, e in self._last.items() if e.activity is Activity.ASLEEP)

    def forget(self, device_id: str) -> None:
        self._last.pop(device_id, None)

    async def record(self, event: ActivityEvent) -> None:
        previous = self._last.get(event.device_id)
        self._last[event.device_id] = event
        if previous is None or previous.activity is not event.activity:
            log.info("device %s: %s (switch %s, %s)", event.device_id, event.activity, event.switch, event.reason)
        await self.activity.emit(event)
