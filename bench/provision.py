"""End-to-end provisioning speed: REST bulk import of N devices until the switch holds their entries.

For each N (default 10,000 and 100,000), on a fresh controller and a fresh switch:

1. start ``softswitch run --no-p4`` and ``p4edge serve`` (a temporary SQLite registry, logging at
   warning level) and wait until the controller has pushed the pipeline;
2. register one customer, then POST a CSV of N IPv6 devices to ``/v1/imports`` — the clock starts
   just before this request;
3. follow the import job until every row is stored ("stored");
4. poll the last device's ``device_down_v6`` entry with one-entry reads, then read the three
   per-device tables (``device_v6``, ``known_addr_v6``, ``device_down_v6``) back over P4Runtime,
   as a second client, until each holds N entries — the clock stops when the first read that
   shows them all has returned ("in switch"; "last read" is that read's own duration).

Then it prints devices/s end to end and the peak resident set size (``VmHWM``) of the controller
and of the switch. Prints figures only; passes or fails nothing. Needs no root (the switch has no
ports: provisioning does not need any).

Run: ``.venv/bin/python bench/provision.py [--devices 10000 100000]``
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
from finsy.proto import p4r

from controlplane.p4rt.schema import load_p4info

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUILD = REPO / "build"
TOKEN = "bench-operator-token"
TABLES = (
    "EdgeIngress.access.device_v6",
    "EdgeIngress.access.known_addr_v6",
    "EdgeIngress.downstream.device_down_v6",
)
ACCESS_PORTS = 64
UPLINK_PORT = 100
START_TIMEOUT_S = 60.0
PROVISION_TIMEOUT_S = 1800.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def wait_for(check: Any, timeout: float, what: str, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"provision: {what} did not happen in {timeout:g} s")
        time.sleep(poll)


def devices_csv(count: int) -> bytes:
    out = io.StringIO()
    out.write("device_id,customer,endpoint,addresses,access_port\n")
    endpoints = int(ipaddress.IPv6Address("2001:db8:100::"))
    addresses = int(ipaddress.IPv6Address("2001:db8:a::"))
    for i in range(count):
        endpoint = ipaddress.IPv6Address(endpoints + i + 1)
        address = ipaddress.IPv6Address(addresses + i + 1)
        out.write(f"dev-{i:07d},bench,{endpoint},{address},{1 + i % ACCESS_PORTS}\n")
    return out.getvalue().encode()


class Reader:
    """A P4Runtime client that only reads (no arbitration needed for Read)."""

    def __init__(self, address: str, device_id: int) -> None:
        options = [("grpc.max_receive_message_length", 512 * 1024 * 1024)]
        self.channel = grpc.insecure_channel(address, options=options)
        self.read = self.channel.unary_stream(
            "/p4.v1.P4Runtime/Read",
            request_serializer=p4r.ReadRequest.SerializeToString,
            response_deserializer=p4r.ReadResponse.FromString,
        )
        p4info = load_p4info(BUILD / "softswitch" / "edge.p4info.txtpb")
        tables = {t.preamble.name: t for t in p4info.tables}
        self.table_ids = {tables[name].preamble.id: name for name in TABLES}
        self.request = p4r.ReadRequest(device_id=device_id)
        for table_id in self.table_ids:
            self.request.entities.add().table_entry.table_id = table_id
        self.device_id = device_id
        self.tables = tables

    def has_device_down(self, address: ipaddress.IPv6Address) -> bool:
        """Whether the switch has the downstream entry of one device address (a one-entry read)."""
        info = self.tables["EdgeIngress.downstream.device_down_v6"]
        request = p4r.ReadRequest(device_id=self.device_id)
        entry = request.entities.add().table_entry
        entry.table_id = info.preamble.id
        match = entry.match.add(field_id=info.match_fields[0].id)
        match.exact.value = address.packed.lstrip(b"\0") or b"\0"
        try:
            return any(len(response.entities) for response in self.read(request))
        except grpc.RpcError:
            return False  # NOT_FOUND on some targets

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(TABLES, 0)
        for response in self.read(self.request):
            for entity in response.entities:
                counts[self.table_ids[entity.table_entry.table_id]] += 1
        return counts

    def close(self) -> None:
        self.channel.close()


@dataclass
class Result:
    devices: int
    stored_s: float
    in_switch_s: float
    read_s: float  # the last, confirming read of all entries (included in in_switch_s)
    controller_kib: int
    switch_kib: int


def run_one(count: int, workdir: Path) -> Result:
    grpc_addr = f"127.0.0.1:{free_port()}"
    listen = f"127.0.0.1:{free_port()}"
    config = {
        "registry": {"database": str(workdir / f"bench-{count}.db")},
        "api": {"listen": listen},
        "tokens": [{"name": "bench", "token": TOKEN, "role": "operator"}],
        "switches": [
            {
                "name": "s1",
                "grpc_addr": grpc_addr,
                "device_id": 1,
                "target": "softswitch",
                "cpu_port": 255,
                "access_ports": list(range(1, ACCESS_PORTS + 1)),
                "uplink_ports": [UPLINK_PORT],
            }
        ],
        "edge": {"build_dir": str(BUILD), "idle_timeout": 0},
    }
    config_path = workdir / f"bench-{count}.json"
    config_path.write_text(json.dumps(config))
    logs = [open(workdir / f"{name}-{count}.log", "wb") for name in ("switch", "controller")]  # noqa: SIM115
    switch = subprocess.Popen(
        [str(BIN / "softswitch"), "run", "--no-p4", "--device-id", "1", "--grpc-addr", grpc_addr,
         "--cpu-port", "255", "--log-level", "warning"],
        stdout=logs[0], stderr=subprocess.STDOUT,
    )  # fmt: skip
    controller = subprocess.Popen(
        [str(BIN / "p4edge"), "serve", "--config", str(config_path), "--log-level", "warning"],
        stdout=logs[1], stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://{listen}"
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600.0)
    reader = Reader(grpc_addr, 1)
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                    return int(answer.status) == 200
            except OSError:
                return False

        wait_for(healthy, START_TIMEOUT_S, "the controller's start")
        wait_for(
            lambda: all(s["connected"] and s["pipeline"] for s in api.get("/v1/switches").json()["items"]),
            START_TIMEOUT_S,
            "the pipeline push",
            poll=0.2,
        )
        customer = {
            "name": "bench", "vlan": 1000, "uplink_port": UPLINK_PORT,
            "gateway_mac": "02:00:00:10:00:01", "prefix": "2001:db8:100::/48",
        }  # fmt: skip
        api.post("/v1/customers", json=customer).raise_for_status()
        body = devices_csv(count)

        start = time.perf_counter()
        answer = api.post("/v1/imports", content=body, headers={"Content-Type": "text/csv"},
                          params={"format": "csv", "on_error": "stop"})  # fmt: skip
        answer.raise_for_status()
        job = answer.json()
        while job["status"] in ("queued", "running"):
            time.sleep(0.05)
            job = api.get(f"/v1/imports/{job['id']}").json()
        if job["status"] != "done" or job["stored"] != count:
            raise SystemExit(
                f"provision: import ended {job['status']}: {job['stored']} of {count} stored; {job['errors'][:3]}"
            )
        stored_s = time.perf_counter() - start

        # Cheap polls for the last device's entry first, so that full reads do not slow the writes.
        last_address = ipaddress.IPv6Address(int(ipaddress.IPv6Address("2001:db8:a::")) + count)
        wait_for(lambda: reader.has_device_down(last_address), PROVISION_TIMEOUT_S, "the last device's entry")
        last: dict[str, int] = {}
        read_s = 0.0

        def in_switch() -> bool:
            nonlocal last, read_s
            began = time.perf_counter()
            last = reader.counts()
            read_s = time.perf_counter() - began
            return all(n >= count for n in last.values())

        try:
            wait_for(in_switch, PROVISION_TIMEOUT_S, "all entries in the switch", poll=0.2)
        except SystemExit:
            raise SystemExit(f"provision: the switch holds {last} after {PROVISION_TIMEOUT_S:g} s") from None
        in_switch_s = time.perf_counter() - start
        return Result(
            count, stored_s, in_switch_s, read_s, vm_hwm_kib(controller.pid), vm_hwm_kib(switch.pid)
        )
    finally:
        reader.close()
        api.close()
        for process in (controller, switch):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Devices/s provisioned end to end (REST import -> switch).")
    parser.add_argument("--devices", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    if not (BUILD / "softswitch" / "edge.p4info.txtpb").exists():
        print("provision: build/softswitch/edge.* missing; run `make build` first", file=sys.stderr)
        return 1
    results = []
    with tempfile.TemporaryDirectory(prefix="p4edge-provision-") as tmp:
        for count in args.devices:
            results.append(run_one(count, Path(tmp)))
    print(
        f"{'devices':>8} {'stored s':>9} {'in switch s':>12} {'last read s':>12} {'devices/s':>10} "
        f"{'controller VmHWM':>17} {'switch VmHWM':>13}"
    )
    for r in results:
        print(
            f"{r.devices:>8} {r.stored_s:>9.2f} {r.in_switch_s:>12.2f} {r.read_s:>12.2f} "
            f"{r.devices / r.in_switch_s:>10.0f} {r.controller_kib / 1024:>13.0f} MiB {r.switch_kib / 1024:>9.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
