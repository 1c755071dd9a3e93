"""Packets per second that softswitch's data plane forwards between two veth ports.

    snd:eth0 --veth-- sw:p1 [softswitch: port 1 -> port 2] sw:p2 --veth-- rcv:eth0

The switch and the receiver run as separate processes in their own namespaces; this process sends
UDP frames from the ``snd`` namespace through a raw socket. Two measurements:

- **stream**: frames are sent while the switch runs (at ``--rate`` frames/s, or as fast as the sender
  can). Sender, switch and receiver share the machine's CPUs.
- **burst**: the switch is paused (SIGSTOP) while the frames queue up in its socket buffer, then
  resumed; it drains the queue alone, so this shows what the loop itself can do.

The forwarding rate is the receiver's count over the time between its first and last frame. Needs
root. Prints figures only; passes or fails nothing.

Run: ``PYTHONPATH=. python bench/port_pps.py [--packets N] [--size BYTES] [--rate PPS]
[--program bench/programs/port_forward.p4]`` (a P4 program needs softswitch's engine).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from softswitch.dataplane import Dataplane, PacketProcessor, PortMapProcessor
from softswitch.ports.rawsock import PACKET_STATISTICS, SO_RCVBUFFORCE, SOL_PACKET, PortError
from topo.netns import Endpoint, Netns, TopoError, Topology, missing_tools

REPO = Path(__file__).resolve().parents[1]
MARK = b"softswitch-pps"
ETH_P_ALL = 0x0003
IDLE_END_S = 0.5
READY = "ready"
#: Socket buffers big enough to queue a whole burst (a 64-byte frame takes about 1 KiB of buffer).
BIG_BUFFER = 256 * 1024 * 1024
ANSWER_TIMEOUT_S = 120.0


# ----------------------------------------------------------------------------- frames


def udp_frame(size: int) -> bytes:
    """An Ethernet/IPv4/UDP frame of ``size`` bytes (at least 60), with valid checksums."""
    size = max(size, 60)
    payload_len = size - 14 - 20 - 8
    payload = (MARK * (payload_len // len(MARK) + 1))[:payload_len]
    udp_len = 8 + payload_len
    src_ip, dst_ip = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    ip_header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src_ip, dst_ip)
    ip_header = ip_header[:10] + struct.pack("!H", _checksum(ip_header)) + ip_header[12:]
    udp_header = struct.pack("!HHHH", 40000, 5000, udp_len, 0)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17, udp_len)
    udp_sum = _checksum(pseudo + udp_header + payload) or 0xFFFF
    udp_header = udp_header[:6] + struct.pack("!H", udp_sum)
    ethernet = bytes.fromhex("0200000002020200000001010800")
    return ethernet + ip_header + udp_header + payload


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# ----------------------------------------------------------------------------- roles (subprocesses)


def load_processor(program: Path | None) -> PacketProcessor:
    """The fixed port map, or the P4 program run by softswitch's engine."""
    if program is None:
        return PortMapProcessor({1: 2, 2: 1})
    from softswitch.engine.pipeline import Switch
    from softswitch.engine.program import Program
    from softswitch.frontend.compiler import compile_file

    return Switch(Program.from_frontend(compile_file(program)))


def role_switch(args: argparse.Namespace) -> int:
    """Forward port 1 <-> port 2 until SIGTERM, then print port 1's receive figures as JSON."""
    logging.disable(logging.CRITICAL)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _sig, _frame: stop.set())
    processor = load_processor(args.program)
    dataplane = Dataplane(processor, {1: "p1", 2: "p2"}, name="bench", buffer_bytes=BIG_BUFFER)
    print(READY, flush=True)
    dataplane.run(stop)
    port1, port2 = dataplane.ports[1].counters, dataplane.ports[2].counters
    report = {"rx": port1.rx_frames, "rx_drops": port1.rx_kernel_drops, "tx_errors": port2.tx_errors}
    print(json.dumps(report), flush=True)
    return 0


def role_receiver(_args: argparse.Namespace) -> int:
    """Count marked frames on eth0 until stdin closes and the link has then been idle a while."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, BIG_BUFFER)
    sock.bind(("eth0", ETH_P_ALL))
    sock.setblocking(False)
    print(READY, flush=True)
    count = 0
    first = last = 0.0
    sender_done = False
    stdin = sys.stdin.fileno()
    buffer = bytearray(65536)
    while True:
        watched = [sock.fileno()] if sender_done else [sock.fileno(), stdin]
        ready, _, _ = select.select(watched, [], [], IDLE_END_S)
        if not ready:
            if sender_done:
                break
            continue
        if stdin in ready:
            sys.stdin.read()
            sender_done = True
        while True:
            try:
                nbytes = sock.recv_into(buffer)
            except BlockingIOError:
                break
            if buffer.find(MARK, 42, nbytes) >= 0:
                last = time.perf_counter()
                if count == 0:
                    first = last
                count += 1
    drops = struct.unpack("=II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))[1]
    print(json.dumps({"received": count, "seconds": last - first, "drops": drops}), flush=True)
    return 0


# ----------------------------------------------------------------------------- driver


def send_frames(frame: bytes, count: int, rate: float | None) -> tuple[int, float]:
    """Send ``count`` copies of ``frame`` on eth0 (this thread's namespace); return (sent, seconds)."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    sock.bind(("eth0", 0))
    send = sock.send
    sent = 0
    start = time.perf_counter()
    try:
        while sent < count:
            for _ in range(min(32, count - sent)):
                try:
                    send(frame)
                except OSError:  # ENOBUFS: lost at the sender, not counted as sent
                    continue
                sent += 1
            if rate is not None:
                delay = start + sent / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
    finally:
        sock.close()
    return sent, time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Result:
    mode: str
    sent: int
    send_seconds: float
    received: int
    receive_seconds: float
    switch_rx_drops: int
    receiver_drops: int

    @property
    def forwarded_pps(self) -> float:
        return (self.received - 1) / self.receive_seconds if self.receive_seconds > 0 else 0.0


class Bench:
    """The three-namespace topology with a switch and a receiver process in it."""

    def __init__(self, topo: Topology, args: argparse.Namespace) -> None:
        self.topo = topo
        self.args = args
        self.snd, self.sw, self.rcv = topo.netns("snd"), topo.netns("sw"), topo.netns("rcv")
        topo.veth(Endpoint(self.snd, "eth0"), Endpoint(self.sw, "p1"))
        topo.veth(Endpoint(self.sw, "p2"), Endpoint(self.rcv, "eth0"))

    def _spawn(self, ns: Netns, role: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, str(Path(__file__).resolve()), "--role", role]
        if self.args.program is not None:
            argv += ["--program", str(self.args.program)]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        pipe = subprocess.PIPE
        return self.topo.spawn(ns, argv, stdin=pipe, stdout=pipe, stderr=pipe, env=env)

    def run(self, mode: str, frame: bytes) -> Result:
        switch = self._spawn(self.sw, "switch")
        receiver = self._spawn(self.rcv, "receiver")
        _read_line(switch, "the switch")
        _read_line(receiver, "the receiver")
        if mode == "burst":
            switch.send_signal(signal.SIGSTOP)
        with self.snd.entered():
            sent, send_seconds = send_frames(
                frame, self.args.packets, self.args.rate if mode == "stream" else None
            )
        if mode == "burst":
            switch.send_signal(signal.SIGCONT)
        assert receiver.stdin is not None
        receiver.stdin.close()
        received = json.loads(_read_line(receiver, "the receiver"))
        switch.send_signal(signal.SIGTERM)
        switched = json.loads(_read_line(switch, "the switch"))
        switch.wait(timeout=ANSWER_TIMEOUT_S)
        receiver.wait(timeout=ANSWER_TIMEOUT_S)
        return Result(
            mode,
            sent,
            send_seconds,
            received["received"],
            received["seconds"],
            switched["rx_drops"],
            received["drops"],
        )


def _read_line(process: subprocess.Popen[bytes], what: str) -> str:
    stream: IO[bytes] | None = process.stdout
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], ANSWER_TIMEOUT_S)
    line = stream.readline().decode().strip() if ready else ""
    if not line:
        detail = ""
        if process.poll() is not None and process.stderr is not None:
            lines = process.stderr.read().decode().strip().splitlines()
            detail = f": {lines[-1]}" if lines else ""
        raise TopoError(f"{what} did not answer{detail}")
    return line


def print_table(results: list[Result], processor: str, size: int) -> None:
    print(
        f"{'processor':<24} {'mode':<6} {'frame':>5} {'sent':>8} {'received':>8} {'loss %':>7} "
        f"{'sender pps':>10} {'forwarded pps':>13} {'switch rx drops':>15}"
    )
    for r in results:
        loss = 100.0 * (r.sent - r.received) / max(r.sent, 1)
        print(
            f"{processor:<24} {r.mode:<6} {size:>5} {r.sent:>8} {r.received:>8} {loss:>7.2f} "
            f"{r.sent / r.send_seconds:>10.0f} {r.forwarded_pps:>13.0f} {r.switch_rx_drops:>15}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description="softswitch port-to-port forwarding rate over veth")
    parser.add_argument(
        "--packets", type=int, default=100_000, help="frames per measurement (default 100000)"
    )
    parser.add_argument("--size", type=int, default=64, help="frame size in bytes, at least 60 (default 64)")
    parser.add_argument("--rate", type=float, default=None, help="stream mode: send this many frames/s")
    parser.add_argument("--mode", choices=["stream", "burst", "both"], default="both")
    parser.add_argument("--program", type=Path, default=None, help="forward with this P4 program")
    parser.add_argument("--role", choices=["switch", "receiver"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "switch":
        return role_switch(args)
    if args.role == "receiver":
        return role_receiver(args)
    if os.geteuid() != 0:
        print("port_pps: needs root (network namespaces and raw sockets)", file=sys.stderr)
        return 2
    missing = missing_tools("ip", "ethtool")
    if missing:
        print(f"port_pps: needs {' and '.join(missing)} (Debian iproute2, ethtool)", file=sys.stderr)
        return 2
    modes = ["stream", "burst"] if args.mode == "both" else [args.mode]
    frame = udp_frame(args.size)
    try:
        with Topology(prefix="pps") as topo:
            bench = Bench(topo, args)
            results = [bench.run(mode, frame) for mode in modes]
    except (TopoError, PortError) as err:
        print(f"port_pps: {err}", file=sys.stderr)
        return 2
    print_table(results, args.program.name if args.program else "port map (no P4)", len(frame))
    return 0


if __name__ == "__main__":
    sys.exit(main())
