"""A test switch: a switch namespace between two host namespaces, joined by veth pairs.

    h1:eth0 <-> sw:p1 (port 1)        sw:p2 (port 2) <-> h2:eth0

The switch's ports and the hosts' sockets are all opened in the test process (a thread enters each
namespace just long enough to open its sockets). The fixtures in conftest.py remove everything at
teardown, also when a test fails.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from softswitch.dataplane import Dataplane, PacketProcessor, PortMapProcessor
from softswitch.ports.rawsock import RawPort
from topo.netns import Endpoint, Netns, Topology, missing_tools

RECEIVE_TIMEOUT_S = 5.0


def root_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: creates network namespaces and opens AF_PACKET sockets"
    missing = missing_tools("ip", "ethtool")
    if missing:
        return f"needs {' and '.join(missing)} (Debian packages iproute2 and ethtool)"
    return None


needs_root = pytest.mark.skipif(root_skip_reason() is not None, reason=str(root_skip_reason()))


class RecordingProcessor:
    """Keeps every (port, frame) the data plane hands over, then asks ``inner`` what to send."""

    def __init__(self, inner: PacketProcessor) -> None:
        self.inner = inner
        self.seen: list[tuple[int, bytes]] = []

    def process(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        self.seen.append((port, data))
        return self.inner.process(port, data)


@dataclass
class SwitchRig:
    """The three namespaces, one open raw socket per host, and a way to start the switch."""

    topo: Topology
    h1: Netns
    sw: Netns
    h2: Netns
    host1: RawPort
    host2: RawPort
    dataplanes: list[tuple[Dataplane, threading.Event, threading.Thread]] = field(default_factory=list)

    def start_switch(
        self,
        processor: PacketProcessor | None = None,
        *,
        pcap_dir: Path | None = None,
        ignore_outgoing_sockopt: bool = True,
    ) -> tuple[Dataplane, RecordingProcessor]:
        """Run a data plane on ports 1 (p1) and 2 (p2) in a thread; it is stopped at teardown."""
        recorder = RecordingProcessor(processor or PortMapProcessor.pairs((1, 2)))
        with self.sw.entered():
            dataplane = Dataplane(
                recorder, {1: "p1", 2: "p2"}, pcap_dir, ignore_outgoing_sockopt=ignore_outgoing_sockopt
            )
        stop = threading.Event()
        thread = threading.Thread(target=dataplane.run, args=(stop,), name="dataplane", daemon=True)
        thread.start()
        self.dataplanes.append((dataplane, stop, thread))
        return dataplane, recorder

    def stop_switches(self) -> None:
        for dataplane, stop, thread in self.dataplanes:
            stop.set()
            dataplane.wake()
            thread.join(timeout=10)
        self.dataplanes.clear()


def build_rig(topo: Topology, *, host1_tx_offload_off: bool = True) -> SwitchRig:
    h1, sw, h2 = topo.netns("h1"), topo.netns("sw"), topo.netns("h2")
    topo.veth(Endpoint(h1, "eth0"), Endpoint(sw, "p1"), tx_offload_off=host1_tx_offload_off)
    topo.veth(Endpoint(h2, "eth0"), Endpoint(sw, "p2"))
    with h1.entered():
        host1 = RawPort("eth0")
    with h2.entered():
        host2 = RawPort("eth0")
    return SwitchRig(topo, h1, sw, h2, host1, host2)


def receive(
    port: RawPort,
    count: int,
    *,
    match: Callable[[bytes], bool] = lambda _frame: True,
    timeout: float = RECEIVE_TIMEOUT_S,
) -> list[bytes]:
    """The first ``count`` frames on ``port`` that ``match``, waiting up to ``timeout`` seconds."""
    frames: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(frames) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([port], [], [], remaining)
        if not ready:
            continue
        while (frame := port.recv()) is not None:
            if match(frame):
                frames.append(frame)
    return frames


def wait_until(condition: Callable[[], bool], timeout: float = RECEIVE_TIMEOUT_S) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return condition()
        time.sleep(0.005)
    return True
