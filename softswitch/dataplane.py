"""The packet-forwarding loop of ``softswitch run``: ports in, P4 pipeline, ports out.

One thread runs :meth:`Dataplane.run`. It waits on the port sockets with ``epoll``; for each frame
received it calls the packet processor (the engine's switch) as ``process(port, frame)`` and sends
every ``(port, frame)`` it returns on the interface attached to that port. Only this thread ever
touches the processor, so the engine needs no locks.

The control plane (the P4Runtime server, added later) lives in other threads or in an asyncio loop.
It reaches the engine through :meth:`Dataplane.submit`, which queues a call and wakes the loop; the
loop runs queued calls between two batches of frames, so a table write never lands in the middle
of a packet. From asyncio: ``await asyncio.wrap_future(dataplane.submit(fn))``. PacketOut uses
:meth:`Dataplane.inject`; frames sent to a port without an interface (the CPU port) go to the
callback given for that port in ``sinks`` (called on the data-plane thread: it must be quick and
thread-safe, e.g. ``loop.call_soon_threadsafe``).

Shutdown: the caller owns the signal handlers; SIGTERM/SIGINT should set the ``stop`` event given
to :meth:`Dataplane.run` (the loop checks it at least every :data:`STOP_CHECK_S` seconds, or at
once after :meth:`Dataplane.wake`). The ports and pcap files are closed on the way out.

See :mod:`softswitch.ports.rawsock` for what ports need from the hosts (``ethtool -K IF tx off``).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

from softswitch.ports.pcap import PcapError, PcapWriter, pcap_path
from softswitch.ports.rawsock import DEFAULT_BUFFER_BYTES, PortError, RawPort

__all__ = [
    "DATAPLANE_ERRORS",
    "Dataplane",
    "DataplaneCounters",
    "PacketProcessor",
    "PortMapProcessor",
    "PortSink",
    "run_dataplane",
]

log = logging.getLogger("softswitch.dataplane")

T = TypeVar("T")

#: The errors :class:`Dataplane` raises while opening; each prints as one line.
DATAPLANE_ERRORS: tuple[type[Exception], ...] = (PortError, PcapError)
#: Longest time :meth:`Dataplane.run` goes without looking at its stop event.
STOP_CHECK_S = 0.1
#: Frames taken from one port before looking at the other ports and the control-plane queue.
DEFAULT_BATCH = 64

PortSink = Callable[[bytes], None]


class PacketProcessor(Protocol):
    """What the loop needs from the engine: one received frame in, the frames to send out.

    An empty list means the packet was dropped. Output order is transmit order.
    """

    def process(self, port: int, data: bytes) -> list[tuple[int, bytes]]: ...


@dataclass(frozen=True, slots=True)
class PortMapProcessor:
    """A fixed forwarder for tests and benchmarks: port A's frames go out unchanged on ``mapping[A]``.

    Frames from a port not in the mapping are dropped.
    """

    mapping: Mapping[int, int]

    @classmethod
    def pairs(cls, *pairs: tuple[int, int]) -> PortMapProcessor:
        """Forward both ways between the two ports of each pair."""
        mapping: dict[int, int] = {}
        for a, b in pairs:
            mapping[a] = b
            mapping[b] = a
        return cls(mapping)

    def process(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        out = self.mapping.get(port)
        return [] if out is None else [(out, data)]


@dataclass(slots=True)
class DataplaneCounters:
    """Switch-wide totals; per-interface figures are in ``dataplane.ports[n].counters``."""

    rx_frames: int = 0
    injected_frames: int = 0
    tx_frames: int = 0
    sunk_frames: int = 0
    #: Packets for which the processor returned no output.
    pipeline_drops: int = 0
    #: Outputs to a port with neither an interface nor a sink.
    no_port_drops: int = 0
    #: Outputs the kernel refused to send (full buffer, link down, too big).
    tx_drops: int = 0
    #: Packets on which the processor raised; they are dropped.
    processor_errors: int = 0
    control_calls: int = 0


@dataclass(slots=True)
class _Port:
    number: int
    raw: RawPort
    pcap_in: PcapWriter | None = None
    pcap_out: PcapWriter | None = None
    warned: set[str] = field(default_factory=set)


class Dataplane:
    """Attached ports plus the loop that forwards between them through a :class:`PacketProcessor`.

    Opening (the constructor) raises one of :data:`DATAPLANE_ERRORS` with a one-line message, e.g.
    ``opening raw socket on veth1 needs root (CAP_NET_RAW)``; nothing is left open then.
    """

    def __init__(
        self,
        processor: PacketProcessor,
        ports: Mapping[int, str],
        pcap_dir: Path | None = None,
        *,
        sinks: Mapping[int, PortSink] | None = None,
        name: str = "softswitch",
        batch: int = DEFAULT_BATCH,
        buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        ignore_outgoing_sockopt: bool = True,
    ) -> None:
        seen: dict[str, int] = {}
        for number, ifname in sorted(ports.items()):
            if ifname in seen:
                raise PortError(f"interface {ifname} is attached twice (ports {seen[ifname]} and {number})")
            seen[ifname] = number
        #: The engine; replace it only on the data-plane thread (through :meth:`submit`) or before run.
        self.processor = processor
        self.name = name
        self.counters = DataplaneCounters()
        self._batch = batch
        self._sinks: dict[int, PortSink] = dict(sinks or {})
        self._ports: dict[int, _Port] = {}
        self._by_fd: dict[int, _Port] = {}
        self._calls: collections.deque[tuple[Callable[[], Any], Future[Any]]] = collections.deque()
        self._closed = False
        self._lock = threading.Lock()  # guards _calls against close() and the wake fd against reuse
        self._epoll = select.epoll()
        self._wake_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        try:
            self._epoll.register(self._wake_fd, select.EPOLLIN)
            if pcap_dir is not None:
                try:
                    pcap_dir.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise PcapError(
                        f"cannot create pcap directory {pcap_dir}: {err.strerror or err}"
                    ) from None
            for number, ifname in sorted(ports.items()):
                port = _Port(
                    number,
                    RawPort(
                        ifname, buffer_bytes=buffer_bytes, ignore_outgoing_sockopt=ignore_outgoing_sockopt
                    ),
                )
                self._ports[number] = port
                self._by_fd[port.raw.fileno()] = port
                if pcap_dir is not None:
                    port.pcap_in = PcapWriter(pcap_path(pcap_dir, ifname, "in"))
                    port.pcap_out = PcapWriter(pcap_path(pcap_dir, ifname, "out"))
                self._epoll.register(port.raw.fileno(), select.EPOLLIN)
                log.info("%s: port %d attached to %s", name, number, ifname)
        except BaseException:
            self.close()
            raise

    # ----------------------------------------------------------------- public API

    @property
    def ports(self) -> Mapping[int, RawPort]:
        """The attached interfaces by port number."""
        return {number: port.raw for number, port in self._ports.items()}

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn()`` on the data-plane thread between two packets; thread-safe.

        The future holds its result or exception. Calls run in the order submitted.
        """
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                future.set_exception(RuntimeError(f"{self.name}: data plane is closed"))
                return future
            self._calls.append((fn, future))
            os.eventfd_write(self._wake_fd, 1)
        return future

    def inject(self, port: int, frame: bytes) -> Future[None]:
        """Process ``frame`` as if received on ``port`` (e.g. a PacketOut on the CPU port); thread-safe."""

        def run() -> None:
            self.counters.injected_frames += 1
            self._forward(port, frame)

        return self.submit(run)

    def set_sink(self, port: int, sink: PortSink | None) -> None:
        """Deliver outputs to ``port`` to ``sink`` (None removes it); call on the data-plane thread."""
        if sink is None:
            self._sinks.pop(port, None)
        else:
            self._sinks[port] = sink

    def wake(self) -> None:
        """Make a waiting :meth:`run_once` return now (to see a stop event or queued calls)."""
        with self._lock:
            if not self._closed:
                os.eventfd_write(self._wake_fd, 1)

    def run(self, stop: threading.Event) -> None:
        """Forward packets until ``stop`` is set, then close everything."""
        log.info("%s: forwarding on %d port(s)", self.name, len(self._ports))
        try:
            while not stop.is_set():
                self.run_once(STOP_CHECK_S)
        finally:
            self.close()

    def run_once(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for frames or calls and handle what is ready.

        Returns the number of frames received. Takes at most ``batch`` frames per port per call.
        """
        received = 0
        for fd, _mask in self._epoll.poll(timeout):
            port = self._by_fd.get(fd)
            if port is None:
                self._drain_wake_fd()
                continue
            received += self._receive_batch(port)
            self._run_calls()
        self._run_calls()
        return received

    def close(self) -> None:
        """Close ports and pcap files, fail calls still queued; safe to call twice.

        Call it on the data-plane thread or after :meth:`run` has returned (``run`` calls it itself).
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for port in self._ports.values():
            port.raw.update_kernel_drops()
            port.raw.close()
            for writer in (port.pcap_in, port.pcap_out):
                if writer is not None:
                    writer.close()
        while self._calls:
            _fn, future = self._calls.popleft()
            if future.set_running_or_notify_cancel():
                future.set_exception(RuntimeError(f"{self.name}: data plane closed"))
        self._epoll.close()
        with self._lock:
            os.close(self._wake_fd)
        if self._ports:
            log.info("%s: stopped; %s", self.name, self.counters)

    def __enter__(self) -> Dataplane:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- the loop

    def _receive_batch(self, port: _Port) -> int:
        raw = port.raw
        pcap_in = port.pcap_in
        count = 0
        while count < self._batch:
            frame = raw.recv()
            if frame is None:
                break
            count += 1
            if pcap_in is not None:
                pcap_in.write(frame)
            self._forward(port.number, frame)
        self.counters.rx_frames += count
        if raw.last_error is not None:
            self._warn_once(port, "rx-error", "receive error: %s", raw.last_error.strerror or raw.last_error)
            raw.last_error = None
        if raw.counters.rx_csum_not_ready and "csum" not in port.warned:
            self._warn_once(
                port,
                "csum",
                "frames arrive with unfinished checksums; turn TX checksum offload off on the sending "
                "side (ethtool -K IFNAME tx off)",
            )
        return count

    def _forward(self, in_port: int, frame: bytes) -> None:
        counters = self.counters
        try:
            outputs = self.processor.process(in_port, frame)
        except Exception as err:  # an engine bug must not stop the switch
            counters.processor_errors += 1
            log.error(
                "%s: port %d: packet dropped, processor failed: %s",
                self.name,
                in_port,
                err,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            return
        if not outputs:
            counters.pipeline_drops += 1
            return
        for out_port, data in outputs:
            port = self._ports.get(out_port)
            if port is not None:
                if port.raw.send(data):
                    counters.tx_frames += 1
                    if port.pcap_out is not None:
                        port.pcap_out.write(data)
                else:
                    counters.tx_drops += 1
                    error = port.raw.last_error
                    port.raw.last_error = None
                    self._warn_once(
                        port,
                        f"tx-{error.errno if error else 0}",
                        "send failed: %s",
                        (error.strerror or error) if error else "unknown error",
                    )
                continue
            sink = self._sinks.get(out_port)
            if sink is not None:
                counters.sunk_frames += 1
                sink(data)
            else:
                counters.no_port_drops += 1

    def _run_calls(self) -> None:
        calls = self._calls
        while calls:
            fn, future = calls.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            self.counters.control_calls += 1
            try:
                result = fn()
            except Exception as err:
                future.set_exception(err)
            else:
                future.set_result(result)

    def _drain_wake_fd(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.eventfd_read(self._wake_fd)

    def _warn_once(self, port: _Port, key: str, message: str, *args: object) -> None:
        if key in port.warned:
            return
        port.warned.add(key)
        log.warning("%s: port %d (%s): " + message, self.name, port.number, port.raw.ifname, *args)


def run_dataplane(
    processor: PacketProcessor,
    ports: Mapping[int, str],
    pcap_dir: Path | None,
    stop: threading.Event,
    *,
    sinks: Mapping[int, PortSink] | None = None,
    name: str = "softswitch",
) -> None:
    """Open the ports, forward until ``stop`` is set, close. Raises one of :data:`DATAPLANE_ERRORS`."""
    Dataplane(processor, ports, pcap_dir, sinks=sinks, name=name).run(stop)
