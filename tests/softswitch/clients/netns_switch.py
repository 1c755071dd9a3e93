"""``softswitch run`` with real ports inside a network namespace, and a way to reach its gRPC server.

:func:`start_switch` launches ``python -m softswitch.cli run --no-p4 -i PORT@IF ...`` inside a
namespace (``ip netns exec``), gRPC on 127.0.0.1 there, and waits for its ``P4Runtime server
listening on`` line. Processes in the same namespace (PTF) use :attr:`NamespacedSwitch.address`.
From the test process, which stays in the root namespace, :class:`NamespaceRelay` forwards a local
TCP port to it: each accepted connection is paired with one opened from inside the namespace.

Everything started here is stopped by :meth:`topo.netns.Topology.close` or by the ``close``
methods, also after a failure.
"""

from __future__ import annotations

import contextlib
import os
import queue
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.softswitch.clients.l2_scenario import CPU_PORT
from tests.softswitch.p4runtime.p4rt_harness import REPO
from topo.netns import Netns, Topology, missing_tools

START_TIMEOUT_S = 120.0
RELAY_CHUNK = 65536


def root_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: creates network namespaces and veth pairs, and opens AF_PACKET sockets"
    missing = missing_tools("ip", "ethtool")
    if missing:
        return f"needs {' and '.join(missing)} (Debian packages iproute2 and ethtool)"
    return None


needs_root = pytest.mark.skipif(root_skip_reason() is not None, reason=str(root_skip_reason()))


@dataclass
class NamespacedSwitch:
    process: subprocess.Popen[bytes]
    address: str  # HOST:PORT inside the namespace
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None


def start_switch(topo: Topology, ns: Netns, ports: Mapping[int, str], log_path: Path) -> NamespacedSwitch:
    """``softswitch run --no-p4`` in ``ns`` with ``-i PORT@IFACE`` for each of ``ports``."""
    command = [
        sys.executable, "-m", "softswitch.cli", "run", "--no-p4", "--grpc-addr", "127.0.0.1:0",
        "--cpu-port", str(CPU_PORT), "--log-level", "warning",
    ]
    for port, ifname in ports.items():
        command += ["-i", f"{port}@{ifname}"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with log_path.open("wb") as log:
        process = topo.spawn(ns, command, stdout=subprocess.PIPE, stderr=log, env=env)
    switch = NamespacedSwitch(process, "", log_path)
    switch.address = _wait_for_address(switch)
    return switch


def _wait_for_address(switch: NamespacedSwitch) -> str:
    lines: queue.Queue[bytes] = queue.Queue()
    stdout = switch.process.stdout
    assert stdout is not None

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2).decode()
        except queue.Empty:
            if not switch.alive():
                raise RuntimeError(f"softswitch exited at start:\n{switch.log()}") from None
            continue
        if "listening on" in line:
            return line.strip().rsplit(" ", 1)[1]
    raise RuntimeError(f"softswitch did not start in time:\n{switch.log()}")


class NamespaceRelay:
    """A TCP port on 127.0.0.1 of this namespace that leads to ``HOST:PORT`` inside ``ns``."""

    def __init__(self, ns: Netns, target: str) -> None:
        host, port = target.rsplit(":", 1)
        self._ns = ns
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="netns-relay", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._closed.is_set():
                if not selector.select(timeout=0.1):
                    continue
                try:
                    client, _ = self._listener.accept()
                except OSError:
                    continue
                client.setblocking(True)
                try:
                    with self._ns.entered():  # the socket stays in the namespace afterwards
                        upstream = socket.create_connection(self._target, timeout=10)
                    upstream.settimeout(None)
                except OSError:
                    client.close()
                    continue
                with self._lock:
                    self._sockets += [client, upstream]
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes one way until end of stream, then pass the end on."""
    try:
        while data := source.recv(RELAY_CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
