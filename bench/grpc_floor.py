"""How many unary gRPC calls per second a Python server can answer here, one call at a time.

The single-write figure of ``bench/p4rt_write.py`` is bounded by the gRPC server before any
P4Runtime work happens. This script measures that bound for several servers, each in its own
process, each answering ``/p4.v1.P4Runtime/Write`` with an empty response and doing nothing else,
against the same client (grpcio's blocking stub, one call at a time, as the P4Runtime benchmark):

- **grpcio, thread pool**: ``grpc.server`` with a ThreadPoolExecutor (what softswitch uses);
- **grpcio, asyncio**: ``grpc.aio.server``;
- **plain HTTP/2 in asyncio (no grpcio)**: a minimal responder written here that frames the
  HTTP/2 answer itself. It skips everything a real server must do (HPACK decoding, routing by
  path, flow control beyond one window update, streaming, errors), so it is an upper bound for a
  gRPC transport written in Python, not a usable server.

Prints calls/s and the CPU time per call of server and client (both processes share the
machine's CPUs). Passes or fails nothing.

Run: ``PYTHONPATH=. python bench/grpc_floor.py [--calls N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import struct
import subprocess
import sys
import time
from concurrent import futures
from pathlib import Path

import grpc

METHOD = "/p4.v1.P4Runtime/Write"
SERVERS = {
    "grpcio-threads": "grpcio, thread pool (64 workers)",
    "grpcio-aio": "grpcio, asyncio",
    "plain-h2": "plain HTTP/2 in asyncio (no grpcio)",
}
#: a WriteRequest-sized body (device_id, election_id and one small update)
REQUEST = bytes(40)


# ------------------------------------------------------------------------------------ servers


def serve_grpcio_threads() -> None:
    def write(_request: bytes, _context: object) -> bytes:
        return b""

    handlers = {"Write": grpc.unary_unary_rpc_method_handler(write)}
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=64),
        handlers=[grpc.method_handlers_generic_handler("p4.v1.P4Runtime", handlers)],
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"127.0.0.1:{port}", flush=True)
    server.wait_for_termination()


def serve_grpcio_aio() -> None:
    async def write(_request: bytes, _context: object) -> bytes:
        return b""

    async def main() -> None:
        server = grpc.aio.server()
        handlers = {"Write": grpc.unary_unary_rpc_method_handler(write)}
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("p4.v1.P4Runtime", handlers)])
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        print(f"127.0.0.1:{port}", flush=True)
        await server.wait_for_termination()

    asyncio.run(main())


_PREFACE_LEN = 24  # b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_DATA, _HEADERS, _SETTINGS, _PING, _WINDOW_UPDATE = 0x0, 0x1, 0x4, 0x6, 0x8
_END_STREAM, _ACK, _END_HEADERS = 0x1, 0x1, 0x4


def _frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes((kind, flags)) + struct.pack(">I", stream) + payload


# HPACK: ":status: 200" is static entry 8; content-type (static 31) as a literal without indexing;
# grpc-status as a literal with a new name. No Huffman coding.
_RESPONSE_HEADERS = b"\x88" + b"\x0f\x10" + bytes((16,)) + b"application/grpc"
_TRAILERS = b"\x00" + bytes((11,)) + b"grpc-status" + bytes((1,)) + b"0"
_EMPTY_MESSAGE = b"\x00\x00\x00\x00\x00"  # not compressed, length 0


class PlainH2(asyncio.Protocol):
    """Answers every request stream that ends with an empty gRPC message and status 0."""

    def __init__(self) -> None:
        self.buffer = b""
        self.preface_seen = False
        self.unacknowledged = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        settings = struct.pack(">HI", 0x4, 1 << 24)  # SETTINGS_INITIAL_WINDOW_SIZE
        transport.write(_frame(_SETTINGS, 0, 0, settings) + _frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 30)))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        if not self.preface_seen:
            if len(buffer) < _PREFACE_LEN:
                self.buffer = buffer
                return
            buffer, self.preface_seen = buffer[_PREFACE_LEN:], True
        out: list[bytes] = []
        at = 0
        while len(buffer) - at >= 9:
            length = int.from_bytes(buffer[at:at + 3], "big")
            if len(buffer) - at < 9 + length:
                break
            kind, flags = buffer[at + 3], buffer[at + 4]
            stream = int.from_bytes(buffer[at + 5:at + 9], "big") & 0x7FFFFFFF
            payload = buffer[at + 9:at + 9 + length]
            at += 9 + length
            if kind == _DATA:
                self.unacknowledged += length
                if flags & _END_STREAM:
                    out.append(
                        _frame(_HEADERS, _END_HEADERS, stream, _RESPONSE_HEADERS)
                        + _frame(_DATA, 0, stream, _EMPTY_MESSAGE)
                        + _frame(_HEADERS, _END_HEADERS | _END_STREAM, stream, _TRAILERS)
                    )
            elif kind == _SETTINGS and not flags & _ACK:
                out.append(_frame(_SETTINGS, _ACK, 0))
            elif kind == _PING and not flags & _ACK:
                out.append(_frame(_PING, _ACK, 0, payload))
        self.buffer = buffer[at:]
        if self.unacknowledged > 1 << 20:
            out.append(_frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", self.unacknowledged)))
            self.unacknowledged = 0
        if out and self.transport is not None:
            self.transport.write(b"".join(out))


def serve_plain_h2() -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(PlainH2, "127.0.0.1", 0)
        print(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    asyncio.run(main())


ROLES = {"grpcio-threads": serve_grpcio_threads, "grpcio-aio": serve_grpcio_aio, "plain-h2": serve_plain_h2}


# ------------------------------------------------------------------------------------ measure


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(kind: str, calls: int) -> tuple[float, float, float]:
    """(calls/s, server CPU µs/call, client CPU µs/call) for one server kind."""
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--role", kind], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        address = server.stdout.readline().decode().strip()
        if not address:
            raise SystemExit(f"the {kind} server did not start")
        with grpc.insecure_channel(address) as channel:
            write = channel.unary_unary(METHOD)
            for _ in range(300):  # warm-up: connection, code paths
                write(REQUEST)
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            start = time.perf_counter()
            for _ in range(calls):
                write(REQUEST)
            wall = time.perf_counter() - start
            server_cpu = cpu_seconds(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
        return calls / wall, server_cpu / calls * 1e6, client_cpu / calls * 1e6
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=5000, help="calls per server")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role is not None:
        ROLES[args.role]()
        return
    one, five, fifteen = os.getloadavg()
    print(f"load average before: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)")
    print(f"\n{'server (empty Write handler)':<40} {'calls/s':>9} {'server CPU':>11} {'client CPU':>11}")
    print(f"{'':<40} {'':>9} {'µs/call':>11} {'µs/call':>11}")
    for kind, label in SERVERS.items():
        rate, server_us, client_us = measure(kind, args.calls)
        print(f"{label:<40} {rate:>9,.0f} {server_us:>11.0f} {client_us:>11.0f}")
    print("\none call at a time from grpcio's blocking client; the P4Runtime target is >= 3,300 writes/s")


if __name__ == "__main__":
    main()
