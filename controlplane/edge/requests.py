"""What the switches send on the stream, turned into registry records and edge events.

* **Digests** ``access_request_t`` (README 4.1): each sample is a sender seen on an access port.
  An unknown sender becomes an access request in the registry
  (``Registry.record_access_requests``: new senders pending, known ones counted, with the time
  the controller received them). A sample from a registered device's own (port, VLAN, address)
  is a held device waking up (``notify = 1``, README 3.7): an ``AWAKE`` activity event.
* **Idle-timeout notifications** for ``device_v6``/``device_v4`` entries: ``ASLEEP`` events.
* **Packet-ins** (README 4.2): reason 1, a router solicitation; reason 2, a frame held for a
  sleeping device (:mod:`controlplane.edge.activity`).

Approving an access request registers a device; the registry's change feed then programs it like
any other device, so nothing here writes to a switch.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from controlplane.edge import contract
from controlplane.edge.activity import Activity, ActivityEvent, EdgeEvents, HeldFrame, RouterSolicitation
from controlplane.edge.encode import EdgeSchema
from controlplane.edge.entries import TableEntry
from controlplane.edge.state import EdgeState
from controlplane.p4rt import (
    P4DigestList,
    P4IdleTimeoutNotification,
    P4PacketIn,
    StreamHandlers,
    SwitchConnection,
)
from controlplane.registry.errors import StoreError, ValidationFailed
from controlplane.registry.model import AccessSighting
from controlplane.registry.service import Registry

log = logging.getLogger(__name__)

_MAPPED_V4 = 0xFFFF  # the 96 high bits of an IPv4-mapped IPv6 address


@dataclass(frozen=True, slots=True)
class Sender:
    """One digest sample: who sent from where."""

    port: int
    vlan: int  # 0: untagged
    mac: int
    family: int  # 6 or 4
    addr: int

    @property
    def mac_text(self) -> str:
        text = f"{self.mac:012x}"
        return ":".join(text[i : i + 2] for i in range(0, 12, 2))

    @property
    def addr_text(self) -> str:
        return str(ipaddress.IPv6Address(self.addr) if self.family == 6 else ipaddress.IPv4Address(self.addr))

    def sighting(self, seen_at: float) -> AccessSighting:
        return AccessSighting(
            port=self.port, vlan=self.vlan or None, src_mac=self.mac_text, src_addr=self.addr_text, seen_at=seen_at
        )


def decode_sample(sample: object) -> Sender | None:
    """A digest sample (finsy gives a struct as a dict by member name) as a :class:`Sender`."""
    if isinstance(sample, Mapping):
        values = [sample.get(name) for name in contract.DIGEST_FIELDS]
    elif isinstance(sample, tuple | list):
        values = list(sample)
    else:
        return None
    if len(values) != len(contract.DIGEST_FIELDS) or not all(isinstance(v, int) for v in values):
        return None
    port, vlan, mac, src = (int(v) for v in values if isinstance(v, int))
    if src >> 32 == _MAPPED_V4:
        return Sender(port, vlan, mac, 4, src & 0xFFFF_FFFF)
    return Sender(port, vlan, mac, 6, src)


def split_senders(state: EdgeState, senders: Iterable[Sender]) -> tuple[list[Sender], list[tuple[Sender, str]]]:
    """Unknown senders (access requests) and registered devices waking up (with their ids)."""
    unknown: list[Sender] = []
    waking: list[tuple[Sender, str]] = []
    for sender in senders:
        found = state.device_at(sender.port, sender.vlan, sender.family, sender.addr)
        if found is None:
            unknown.append(sender)
        else:
            waking.append((sender, found.device_id))
    return unknown, waking


def frame_destination(frame: bytes) -> tuple[int, int] | None:
    """``(family, address)`` of an Ethernet/[802.1Q]/IPv6-or-IPv4 frame's destination."""
    offset = 12
    ether_type = int.from_bytes(frame[offset : offset + 2], "big")
    if ether_type == 0x8100:
        offset += 4
        ether_type = int.from_bytes(frame[offset : offset + 2], "big")
    offset += 2
    if ether_type == 0x86DD and len(frame) >= offset + 40:
        return 6, int.from_bytes(frame[offset + 24 : offset + 40], "big")
    if ether_type == 0x0800 and len(frame) >= offset + 20:
        return 4, int.from_bytes(frame[offset + 16 : offset + 20], "big")
    return None


class StreamDispatcher:
    """Stream handlers shared by every switch of the region."""

    def __init__(
        self,
        registry: Registry,
        state: Callable[[], EdgeState],
        schema_of: Callable[[str], EdgeSchema | None],
        events: EdgeEvents,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = registry
        self._state = state
        self._schema_of = schema_of
        self._events = events
        self._clock = clock
        #: Access-request samples received and recorded (for status and tests).
        self.samples_received = 0
        self.requests_recorded = 0

    def handlers(self) -> StreamHandlers:
        return StreamHandlers(
            on_packet_in=self.on_packet_in, on_digest=self.on_digest, on_idle_timeout=self.on_idle_timeout
        )

    async def on_digest(self, conn: SwitchConnection, digest: P4DigestList) -> None:
        if digest.digest_id != contract.ACCESS_REQUEST_DIGEST:
            return
        now = self._clock()
        senders = [s for s in (decode_sample(item) for item in digest.data) if s is not None]
        self.samples_received += len(senders)
        unknown, waking = split_senders(self._state(), senders)
        for _sender, device_id in waking:
            await self._events.record(ActivityEvent(device_id, Activity.AWAKE, conn.name, now, "access-request"))
        if not unknown:
            return
        sightings = [s.sighting(now) for s in unknown]
        try:
            recorded = await asyncio.to_thread(self._registry.record_access_requests, sightings)
        except ValidationFailed as err:
            log.warning("%s: access requests not recorded: %s", conn.name, err)
            return
        except StoreError as err:
            log.error("%s: access requests not stored: %s", conn.name, err)
            return
        self.requests_recorded += len(sightings)
        for request in recorded:
            log.info(
                "%s: access request %d from %s (%s) on port %d VLAN %s, seen %d times",
                conn.name, request.id, request.src_addr, request.src_mac, request.port,
                request.vlan or "untagged", request.count,
            )

    async def on_idle_timeout(self, conn: SwitchConnection, note: P4IdleTimeoutNotification) -> None:
        schema = self._schema_of(conn.name)
        if schema is None:
            return
        now = self._clock()
        state = self._state()
        for finsy_entry in note.table_entry:
            try:
                message = finsy_entry.encode(conn.schema).table_entry
            except (ValueError, KeyError, TypeError) as err:
                log.warning("%s: idle timeout for an entry that cannot be read: %s", conn.name, err)
                continue
            entry = schema.decode_table_entry(message)
            if not isinstance(entry, TableEntry) or entry.table not in contract.UPSTREAM_TABLES:
                continue
            port, vlan, addr = entry.match
            family = 6 if entry.table == contract.DEVICE_V6 else 4
            assert isinstance(port, int) and isinstance(vlan, int) and isinstance(addr, int)
            found = state.device_at(port, vlan, family, addr)
            if found is None:
                log.debug("%s: idle timeout for an entry of no registered device: %s", conn.name, entry)
                continue
            await self._events.record(ActivityEvent(found.device_id, Activity.ASLEEP, conn.name, now, "idle-timeout"))

    async def on_packet_in(self, conn: SwitchConnection, packet: P4PacketIn) -> None:
        now = self._clock()
        reason = packet.metadata.get("reason")
        port = packet.metadata.get("ingress_port")
        port = port if isinstance(port, int) else -1
        if reason == contract.PuntReason.ROUTER_SOLICIT:
            await self._events.solicitations.emit(RouterSolicitation(conn.name, port, packet.payload, now))
        elif reason == contract.PuntReason.DEVICE_ASLEEP:
            destination = frame_destination(packet.payload)
            device = self._state().device_with_address(*destination) if destination is not None else None
            held = HeldFrame(conn.name, device.device_id if device else None, port, packet.payload, now)
            await self._events.held_frames.emit(held)
        else:
            log.debug("%s: packet-in with reason %r ignored", conn.name, reason)
