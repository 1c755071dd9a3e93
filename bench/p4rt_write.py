"""P4Runtime write and read-back speed of a real ``softswitch run`` process.

Starts ``python -m softswitch.cli run PROG.p4 --grpc-addr 127.0.0.1:0`` with a small L2 program
(written to a temporary directory) and measures, over real gRPC on loopback:

- **single writes**: one table entry per WriteRequest, one request at a time, then with a few
  requests in flight (``--in-flight``), into the 65,536-entry table ``single``;
- **batched writes**: WriteRequests of 1,000 entries filling the 100,000-entry exact table
  ``dmac`` from empty;
- **read-back**: one wildcard Read of the full ``dmac`` table (100,000 entries), until every
  entity is received and decoded;
- **reference**: the same one-at-a-time writes against a bare grpcio server whose Write handler
  does nothing, for the floor that Python gRPC alone sets on this machine.

``--target bmv2`` runs the same client and requests against BMv2's ``simple_switch_grpc`` instead
(the program compiled by ``p4c-bm2-ss``, pushed with SetForwardingPipelineConfig), when both are
installed: the figures of the reference target with the same client, on the same machine.

Requests are built and serialized before the clock starts, so the figures are the switch's (plus
gRPC's); the client shares the machine's CPUs with the switch. Batched writes and the read-back
are repeated ``--rounds`` times (the table is emptied in between, untimed); the best and the
median are printed with their ratio to the targets (a ratio >= 1 meets the target). Prints figures
only; passes or fails nothing.

Run: ``PYTHONPATH=. python bench/p4rt_write.py [--target softswitch|bmv2] [--singles N] [--in-flight K]
[--rounds R]``
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
from finsy.proto import p4r
from google.protobuf import text_format

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120.0
ELECTION_ID = 1
TABLE_ENTRIES = 100_000
BATCH = 1_000

TARGET_BATCHED = 108_000.0  # entries/s
TARGET_SINGLE = 3_300.0  # writes/s
TARGET_READ_S = 0.4

PROGRAM = """
#include <core.p4>
#include <v1model.p4>

header ethernet_t { bit<48> dst_addr; bit<48> src_addr; bit<16> ether_type; }
struct headers_t { ethernet_t ethernet; }
struct metadata_t { }

parser BenchParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std) {
    state start { pkt.extract(hdr.ethernet); transition accept; }
}
control BenchVerify(inout headers_t hdr, inout metadata_t meta) { apply { } }
control BenchIngress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    action forward(bit<9> port) { std.egress_spec = port; }
    action drop() { mark_to_drop(std); }
    table single {
        key = { hdr.ethernet.src_addr : exact; }
        actions = { forward; drop; }
        size = 65536;
    }
    table dmac {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { forward; drop; }
        default_action = drop();
        size = 100000;
    }
    apply { single.apply(); dmac.apply(); }
}
control BenchEgress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) { apply { } }
control BenchCompute(inout headers_t hdr, inout metadata_t meta) { apply { } }
control BenchDeparser(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.ethernet); } }
V1Switch(BenchParser(), BenchVerify(), BenchIngress(), BenchEgress(), BenchCompute(), BenchDeparser()) main;
"""


# ------------------------------------------------------------------------------------ switch


class ChildProcess:
    """A server in a subprocess; :attr:`process` is set by the subclass."""

    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class SwitchProcess(ChildProcess):
    """``softswitch run PROG`` on a free loopback port."""

    def __init__(self, program: Path, log_path: Path) -> None:
        command = [
            sys.executable, "-m", "softswitch.cli", "run", str(program),
            "--grpc-addr", "127.0.0.1:0", "--log-level", "warning",
        ]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, cwd=REPO)
        self.address = self._wait_for_address()

    def _wait_for_address(self) -> str:
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self.process.stdout
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
                if self.process.poll() is not None:
                    raise SystemExit(f"softswitch exited at start:\n{self.log_path.read_text()}") from None
                continue
            if "listening on" in line:
                return line.strip().rsplit(" ", 1)[1]
        raise SystemExit("softswitch did not start in time")


class Bmv2Process(ChildProcess):
    """BMv2's ``simple_switch_grpc --no-p4`` on a free loopback port, and the program compiled by
    ``p4c-bm2-ss`` (:attr:`p4info`, :attr:`device_config`) for the controller to push."""

    def __init__(self, program: Path, log_path: Path) -> None:
        missing = [tool for tool in ("p4c-bm2-ss", "simple_switch_grpc") if shutil.which(tool) is None]
        if missing:
            raise SystemExit(f"--target bmv2 needs {' and '.join(missing)} on PATH")
        self.p4info = program.with_suffix(".p4info.txtpb")
        self.device_config = program.with_suffix(".json")
        compiled = subprocess.run(
            ["p4c-bm2-ss", "--p4runtime-files", str(self.p4info), "-o", str(self.device_config), str(program)],
            capture_output=True, text=True, check=False,
        )
        if compiled.returncode != 0:
            raise SystemExit(f"p4c-bm2-ss failed:\n{compiled.stderr}")
        grpc_port, thrift_port = free_port(), free_port()
        self.address = f"127.0.0.1:{grpc_port}"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["simple_switch_grpc", "--no-p4", "--thrift-port", str(thrift_port), "--",
                 "--grpc-server-addr", self.address],
                stdout=log, stderr=subprocess.STDOUT,
            )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BareGrpcServer(ChildProcess):
    """A grpcio server (64 worker threads, as softswitch's) whose Write does nothing, in a subprocess."""

    def __init__(self) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--role", "bare-server"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        self.address = self.process.stdout.readline().decode().strip()
        if not self.address:
            raise SystemExit("the bare gRPC server did not start")


def role_bare_server() -> None:
    from grpc_floor import serve_grpcio_threads  # bench/ is the script's directory

    serve_grpcio_threads()


# ------------------------------------------------------------------------------------ client


class Controller:
    """The primary controller over raw gRPC; writes and reads take pre-serialized requests."""

    def __init__(self, address: str) -> None:
        options = [("grpc.max_receive_message_length", 256 * 1024 * 1024)]
        self.channel = grpc.insecure_channel(address, options=options)
        self.write = self.channel.unary_unary("/p4.v1.P4Runtime/Write")  # bytes in, bytes out
        self.read = self.channel.unary_stream("/p4.v1.P4Runtime/Read")
        self._get_pipeline = self.channel.unary_unary(
            "/p4.v1.P4Runtime/GetForwardingPipelineConfig",
            request_serializer=p4r.GetForwardingPipelineConfigRequest.SerializeToString,
            response_deserializer=p4r.GetForwardingPipelineConfigResponse.FromString,
        )
        try:
            grpc.channel_ready_future(self.channel).result(timeout=START_TIMEOUT_S)
        except grpc.FutureTimeoutError:
            raise SystemExit(f"no gRPC server answered on {address}") from None
        self._requests: queue.Queue[p4r.StreamMessageRequest | None] = queue.Queue()
        self._stream = self.channel.stream_stream(
            "/p4.v1.P4Runtime/StreamChannel",
            request_serializer=p4r.StreamMessageRequest.SerializeToString,
            response_deserializer=p4r.StreamMessageResponse.FromString,
        )(self._outgoing())
        hello = p4r.StreamMessageRequest()
        hello.arbitration.device_id = 0
        hello.arbitration.election_id.low = ELECTION_ID
        self._requests.put(hello)
        answer = next(self._stream)
        if answer.arbitration.status.code != 0:
            raise SystemExit(f"could not become primary: {answer.arbitration.status.message}")

    def set_pipeline(self, p4info_path: Path, device_config: Path) -> None:
        """SetForwardingPipelineConfig(VERIFY_AND_COMMIT) with a P4Info text file and device config."""
        request = p4r.SetForwardingPipelineConfigRequest(
            device_id=0, action=p4r.SetForwardingPipelineConfigRequest.VERIFY_AND_COMMIT
        )
        request.election_id.low = ELECTION_ID
        text_format.Parse(p4info_path.read_text(), request.config.p4info)
        request.config.p4_device_config = device_config.read_bytes()
        self.channel.unary_unary(
            "/p4.v1.P4Runtime/SetForwardingPipelineConfig",
            request_serializer=p4r.SetForwardingPipelineConfigRequest.SerializeToString,
            response_deserializer=p4r.SetForwardingPipelineConfigResponse.FromString,
        )(request)

    def _outgoing(self) -> Iterator[p4r.StreamMessageRequest]:
        while (item := self._requests.get()) is not None:
            yield item

    def table_ids(self) -> tuple[dict[str, int], dict[str, int]]:
        """(table alias -> id, action alias -> id) from the switch's P4Info."""
        request = p4r.GetForwardingPipelineConfigRequest(
            device_id=0, response_type=p4r.GetForwardingPipelineConfigRequest.P4INFO_AND_COOKIE
        )
        info = self._get_pipeline(request).config.p4info
        tables = {t.preamble.alias: t.preamble.id for t in info.tables}
        actions = {a.preamble.alias: a.preamble.id for a in info.actions}
        return tables, actions

    def close(self) -> None:
        self._requests.put(None)
        self._stream.cancel()
        self.channel.close()


class BareClient:
    """Just the Write method, for :class:`BareGrpcServer`."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.write = self.channel.unary_unary("/p4.v1.P4Runtime/Write")

    def close(self) -> None:
        self.channel.close()


@dataclass(frozen=True)
class Ids:
    single: int
    dmac: int
    forward: int


def entry(table_id: int, action_id: int, key: int, port: int) -> p4r.TableEntry:
    table_entry = p4r.TableEntry(table_id=table_id)
    table_entry.match.add(field_id=1).exact.value = key.to_bytes(6, "big").lstrip(b"\0") or b"\0"
    action = table_entry.action.action
    action.action_id = action_id
    action.params.add(param_id=1, value=bytes([port]))
    return table_entry


def write_request(kind: int, entries: list[p4r.TableEntry]) -> bytes:
    request = p4r.WriteRequest(device_id=0)
    request.election_id.low = ELECTION_ID
    for table_entry in entries:
        request.updates.add(type=kind).entity.table_entry.CopyFrom(table_entry)
    return bytes(request.SerializeToString())


def read_request(table_id: int) -> bytes:
    request = p4r.ReadRequest(device_id=0)
    request.entities.add().table_entry.table_id = table_id
    return bytes(request.SerializeToString())


# -------------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Phase:
    """One timed run: entries handled, wall-clock seconds, switch CPU seconds."""

    entries: int
    wall_s: float
    switch_cpu_s: float

    @property
    def rate(self) -> float:
        return self.entries / self.wall_s

    @property
    def cpu_us_per_entry(self) -> float:
        return self.switch_cpu_s / self.entries * 1e6


def measure(switch: ChildProcess, entries: int, action: Callable[[], None]) -> Phase:
    cpu = switch.cpu_seconds()
    start = time.perf_counter()
    action()
    wall = time.perf_counter() - start
    return Phase(entries, wall, switch.cpu_seconds() - cpu)


def single_writes(
    ctl: Controller | BareClient, switch: ChildProcess, ids: Ids, count: int, in_flight: int,
    first_key: int,
) -> Phase:
    """``count`` one-entry write requests with up to ``in_flight`` outstanding."""
    keys = range(first_key, first_key + count)
    requests = [write_request(p4r.Update.INSERT, [entry(ids.single, ids.forward, k, 1)]) for k in keys]

    def run() -> None:
        if in_flight <= 1:
            for request in requests:
                ctl.write(request)
            return
        pending: deque[grpc.Future] = deque()
        for request in requests:
            if len(pending) >= in_flight:
                pending.popleft().result()
            pending.append(ctl.write.future(request))
        for future in pending:
            future.result()

    return measure(switch, count, run)


def batched_fill(ctl: Controller, switch: ChildProcess, ids: Ids) -> Phase:
    """Fill ``dmac`` from empty with :data:`TABLE_ENTRIES` entries in requests of :data:`BATCH`."""
    requests = [
        write_request(p4r.Update.INSERT, [entry(ids.dmac, ids.forward, k, k % 4) for k in range(s, s + BATCH)])
        for s in range(1, TABLE_ENTRIES + 1, BATCH)
    ]

    def run() -> None:
        for request in requests:
            ctl.write(request)

    return measure(switch, TABLE_ENTRIES, run)


def read_back(ctl: Controller, switch: ChildProcess, ids: Ids) -> tuple[Phase, float]:
    """The read until every response arrived, and the seconds until they were also decoded."""
    request = read_request(ids.dmac)
    chunks: list[bytes] = []
    start = time.perf_counter()
    phase = measure(switch, TABLE_ENTRIES, lambda: chunks.extend(ctl.read(request)))
    count = sum(len(p4r.ReadResponse.FromString(chunk).entities) for chunk in chunks)
    decoded = time.perf_counter() - start
    if count != TABLE_ENTRIES:
        raise SystemExit(f"read back {count} entries, expected {TABLE_ENTRIES}")
    return phase, decoded


def empty_dmac(ctl: Controller, ids: Ids) -> None:
    for start in range(1, TABLE_ENTRIES + 1, 10 * BATCH):
        keys = range(start, min(start + 10 * BATCH, TABLE_ENTRIES + 1))
        ctl.write(write_request(p4r.Update.DELETE, [entry(ids.dmac, ids.forward, k, 0) for k in keys]))


# ------------------------------------------------------------------------------------ report


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} CPUs)"


def row(name: str, best: str, median: str, target: str, ratio: float, cpu: float) -> str:
    return f"{name:<38} {best:>13} {median:>13} {target:>14} {ratio:>6.2f} {cpu:>10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--singles", type=int, default=3000, help="single-entry writes per measurement")
    parser.add_argument("--in-flight", type=int, default=4, help="outstanding single writes in the second run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of batched fill and read-back")
    parser.add_argument("--target", choices=["softswitch", "bmv2"], default="softswitch",
                        help="the switch to measure (bmv2: simple_switch_grpc and p4c-bm2-ss on PATH)")
    parser.add_argument("--role", choices=["bare-server"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "bare-server":
        role_bare_server()
        return

    with tempfile.TemporaryDirectory(prefix="p4rt-bench-") as tmp:
        program = Path(tmp) / "bench_l2.p4"
        program.write_text(PROGRAM)
        print(f"load average before: {load_average()}")
        switch: SwitchProcess | Bmv2Process
        if args.target == "bmv2":
            switch = Bmv2Process(program, Path(tmp) / "bmv2.log")
        else:
            switch = SwitchProcess(program, Path(tmp) / "softswitch.log")
        print(f"target: {args.target}")
        ctl: Controller | None = None
        try:
            ctl = Controller(switch.address)
            if isinstance(switch, Bmv2Process):
                ctl.set_pipeline(switch.p4info, switch.device_config)
            tables, actions = ctl.table_ids()
            ids = Ids(tables["single"], tables["dmac"], actions["forward"])
            single_writes(ctl, switch, ids, 200, 1, 1_000_000)  # warm-up (gRPC connection, code paths)
            one_at_a_time = single_writes(ctl, switch, ids, args.singles, 1, 2_000_000)
            overlapped = single_writes(ctl, switch, ids, args.singles, args.in_flight, 3_000_000)
            fills: list[Phase] = []
            reads: list[tuple[Phase, float]] = []
            for round_number in range(args.rounds):
                if round_number:
                    empty_dmac(ctl, ids)
                fills.append(batched_fill(ctl, switch, ids))
                reads.append(read_back(ctl, switch, ids))
        finally:
            if ctl is not None:
                ctl.close()
            switch.stop()
        bare = BareGrpcServer()
        bare_client = BareClient(bare.address)
        try:
            single_writes(bare_client, bare, ids, 200, 1, 1_000_000)
            reference = single_writes(bare_client, bare, ids, args.singles, 1, 2_000_000)
        finally:
            bare_client.close()
            bare.stop()
        print(f"load average after:  {load_average()}")

    best_fill = max(fills, key=lambda p: p.rate)
    best_read = min((r[0] for r in reads), key=lambda p: p.wall_s)
    decoded = [r[1] for r in reads]
    print()
    print(f"{'measurement':<38} {'best':>13} {'median':>13} {'target':>14} {'ratio':>6} {'switch CPU':>10}")
    print(f"{'':<38} {'':>13} {'':>13} {'':>14} {'':>6} {'µs/entry':>10}")
    for name, phase in (("single writes, 1 at a time", one_at_a_time), (f"single writes, {args.in_flight} in flight", overlapped)):
        print(row(
            name, f"{phase.rate:,.0f}/s", "-", f">= {TARGET_SINGLE:,.0f}/s", phase.rate / TARGET_SINGLE,
            phase.cpu_us_per_entry,
        ))
    print(row(
        "  reference: bare grpcio, 1 at a time", f"{reference.rate:,.0f}/s", "-", f">= {TARGET_SINGLE:,.0f}/s",
        reference.rate / TARGET_SINGLE, reference.cpu_us_per_entry,
    ))
    print(row(
        f"batched writes ({BATCH:,}/request)", f"{best_fill.rate:,.0f}/s",
        f"{statistics.median(p.rate for p in fills):,.0f}/s", f">= {TARGET_BATCHED:,.0f}/s",
        best_fill.rate / TARGET_BATCHED, best_fill.cpu_us_per_entry,
    ))
    print(row(
        f"read back {TABLE_ENTRIES:,} (received)", f"{best_read.wall_s:.3f} s",
        f"{statistics.median(r[0].wall_s for r in reads):.3f} s", f"<= {TARGET_READ_S} s",
        TARGET_READ_S / best_read.wall_s, best_read.cpu_us_per_entry,
    ))
    print(row(
        f"read back {TABLE_ENTRIES:,} (decoded)", f"{min(decoded):.3f} s", f"{statistics.median(decoded):.3f} s",
        f"<= {TARGET_READ_S} s", TARGET_READ_S / min(decoded), best_read.cpu_us_per_entry,
    ))
    print(
        "\nratio: best figure / target for rates, target / best time for the read-back (>= 1 meets it);"
        "\nswitch CPU: the switch process's user+system time per entry during that run (less"
        " sensitive to other load than wall-clock figures);"
        "\nreference: an empty Write handler in a plain grpcio server, the floor for single writes here"
    )


if __name__ == "__main__":
    main()
