"""One P4Runtime device: the active pipeline, the engine lock, packet I/O and timers.

Engine access is serialized by :attr:`Device.engine_lock`: the data plane takes it around each
packet (:meth:`Device.process`, the :class:`~softswitch.dataplane.PacketProcessor` given to the
data plane), and the P4Runtime handlers take it around each Write batch and Read, so control-plane
changes land between packets.

Packet I/O (only with a CPU port): a PacketOut becomes a frame injected on the CPU port through
:attr:`Device.inject` (the data plane's ``inject`` when ports are attached; otherwise the device
processes it itself). Every frame the pipeline sends to the CPU port reaches
:meth:`Device.packet_in`, which decodes the ``packet_in`` header and sends a PacketIn to the
primary controller.

A background thread (:meth:`Device.start_timers`) flushes digest lists, expires digest acks and
sends idle-timeout notifications.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from finsy.proto import p4i, p4r

from softswitch.p4runtime.arbitration import Arbiter
from softswitch.p4runtime.digests import DigestManager
from softswitch.p4runtime.entities import PipelineBinding
from softswitch.p4runtime.p4info_index import ControllerHeaderInfo, P4InfoIndex
from softswitch.p4runtime.program_objects import ProgramObjects
from softswitch.p4runtime.wire import canonical_bytes

__all__ = ["ActivePipeline", "Device", "PacketOutError"]

log = logging.getLogger("softswitch.p4runtime")

#: How often the timer thread looks at digests and idle timeouts.
TICK_S = 0.02
#: Idle-timeout sweeps happen at most this often.
IDLE_SWEEP_NS = 100_000_000


class PacketOutError(ValueError):
    """A PacketOut the switch cannot send (reported to the client as a StreamError)."""


@dataclass(slots=True)
class ActivePipeline:
    """A committed (or saved) forwarding pipeline."""

    config: p4r.ForwardingPipelineConfig  # as the client sent it (P4Info, device config, cookie)
    index: P4InfoIndex
    program: ProgramObjects
    binding: PipelineBinding


class Device:
    """The P4Runtime-visible state of the switch."""

    def __init__(self, device_id: int = 0, cpu_port: int | None = None, *, name: str = "softswitch") -> None:
        self.device_id = device_id
        self.cpu_port = cpu_port
        self.name = name
        self.engine_lock = threading.Lock()
        self.arbiter = Arbiter(device_id)
        self.active: ActivePipeline | None = None
        self.saved: ActivePipeline | None = None
        #: Where PacketOut frames go: ``inject(port, frame)``. The default processes them here.
        self.inject: Callable[[int, bytes], object] = self._inject_locally
        #: Frames the pipeline sends to ports other than the CPU port when processing locally.
        self.transmit: Callable[[int, bytes], object] = self._drop
        self.clock: Callable[[], int] = time.monotonic_ns
        self.packet_ins = 0
        self.packet_outs = 0
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self._last_idle_sweep = 0
        self.pipeline_changed: list[Callable[[ActivePipeline | None], None]] = []

    # ------------------------------------------------------------------------- pipelines

    def new_digest_manager(self, index: P4InfoIndex) -> DigestManager:
        return DigestManager(index, self.arbiter.send_to_primary, self.clock)

    @property
    def control(self) -> ActivePipeline | None:
        """The pipeline Read, Write and GetForwardingPipelineConfig address: the saved one after a
        VERIFY_AND_SAVE (the spec: later requests refer to the new config, and COMMIT realizes it
        with what they wrote), else the active one. Packets keep using :attr:`active`."""
        return self.saved if self.saved is not None else self.active

    def activate(self, pipeline: ActivePipeline | None) -> None:
        """Make ``pipeline`` the one packets and P4Runtime use (call with the engine lock held)."""
        self.active = pipeline
        for callback in self.pipeline_changed:
            callback(pipeline)

    # -------------------------------------------------------------------------- packets

    def process(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        """Run one packet through the active pipeline (the data plane's packet processor)."""
        with self.engine_lock:
            active = self.active
            if active is None:
                return []
            program = active.program
            outputs = program.process(port, data)
            samples = program.take_digests()
        if samples:
            active.binding.digests.add_samples(samples)
        return outputs

    def _inject_locally(self, port: int, frame: bytes) -> None:
        for out_port, data in self.process(port, frame):
            if out_port == self.cpu_port:
                self.packet_in(data)
            else:
                self.transmit(out_port, data)

    @staticmethod
    def _drop(port: int, data: bytes) -> None:
        log.debug("frame for port %d dropped: no interface attached", port)

    def packet_out(self, packet: p4r.PacketOut) -> None:
        """Send a PacketOut into the pipeline as if received on the CPU port."""
        if self.cpu_port is None:
            return
        active = self.active
        if active is None:
            return
        frame = encode_packet_out(active.index.packet_out, packet)
        self.packet_outs += 1
        self.inject(self.cpu_port, frame)

    def packet_in(self, data: bytes) -> None:
        """A frame the pipeline sent to the CPU port: deliver it to the primary as a PacketIn."""
        active = self.active
        if active is None:
            return
        message = decode_packet_in(active.index.packet_in, data)
        if message is None:
            return
        if self.arbiter.send_to_primary(message):
            self.packet_ins += 1

    # ---------------------------------------------------------------------------- timers

    def start_timers(self) -> None:
        if self._timer is not None:
            return
        self._timer = threading.Thread(target=self._run_timers, name=f"{self.name}-timers", daemon=True)
        self._timer.start()

    def stop_timers(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join(timeout=5)
            self._timer = None

    def _run_timers(self) -> None:
        while not self._stop.wait(TICK_S):
            try:
                self.tick()
            except Exception:  # a timer bug must not stop the timers
                log.exception("%s: timer task failed", self.name)

    def tick(self) -> None:
        active = self.active
        if active is None:
            return
        active.binding.digests.tick()
        now = self.clock()
        if now - self._last_idle_sweep >= IDLE_SWEEP_NS:
            self._last_idle_sweep = now
            self.sweep_idle(active, now)

    def sweep_idle(self, active: ActivePipeline, now: int) -> None:
        """Notify the primary of entries idle for their timeout; each is re-armed after notice."""
        message: p4r.StreamMessageResponse | None = None
        with self.engine_lock:
            if self.active is not active:
                return
            for codec in active.binding.tables.values():
                if not codec.info.supports_timeout:
                    continue
                for entry in codec.table.expired(now):
                    if message is None:
                        message = p4r.StreamMessageResponse()
                        message.idle_timeout_notification.timestamp = now
                    item = message.idle_timeout_notification.table_entry.add()
                    item.ParseFromString(codec.encode_entry(entry))
                    entry.last_hit_ns = now
        if message is not None:
            self.arbiter.send_to_primary(message)


def encode_packet_out(header: ControllerHeaderInfo | None, packet: p4r.PacketOut) -> bytes:
    """The frame a PacketOut injects: the bit-packed packet_out header, then the payload."""
    if header is None:
        return bytes(packet.payload)
    values: dict[int, int] = {}
    for meta in packet.metadata:
        info = header.fields.get(meta.metadata_id)
        if info is None:
            raise PacketOutError(f"unknown metadata id {meta.metadata_id} in PacketOut message")
        value = int.from_bytes(meta.value, "big")
        if value >> info[1]:
            raise PacketOutError(f"PacketOut metadata {meta.metadata_id}: value does not fit within {info[1]} bits")
        values[meta.metadata_id] = value
    packed = 0
    for mid, width in header.order:
        packed = (packed << width) | values.get(mid, 0)
    nbytes = header.nbytes
    packed <<= nbytes * 8 - header.total_bits
    return packed.to_bytes(nbytes, "big") + packet.payload


def decode_packet_in(header: ControllerHeaderInfo | None, data: bytes) -> p4r.StreamMessageResponse | None:
    """The PacketIn for a frame sent to the CPU port, or None when it is too short for the header."""
    message = p4r.StreamMessageResponse()
    packet = message.packet
    if header is None:
        packet.payload = data
        return message
    nbytes = header.nbytes
    if len(data) < nbytes:
        return None
    packed = int.from_bytes(data[:nbytes], "big") >> (nbytes * 8 - header.total_bits)
    shift = header.total_bits
    for mid, width in header.order:
        shift -= width
        meta = packet.metadata.add()
        meta.metadata_id = mid
        meta.value = canonical_bytes((packed >> shift) & ((1 << width) - 1))
    packet.payload = data[nbytes:]
    return message


def p4info_of(pipeline: ActivePipeline) -> p4i.P4Info:
    return pipeline.index.p4info
