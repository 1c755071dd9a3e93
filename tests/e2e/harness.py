"""The end-to-end world: the demo topology (real softswitch, namespace hosts), the real controller
over real HTTP, and helpers to send and receive UDP inside host namespaces.

The same world also runs on BMv2's simple_switch_grpc, with edge.p4 compiled by p4c-bm2-ss.

The world is the demo's own topology and registrations (``topo/demo``), under a unique name, with
free ports, a fresh database and the edge pipeline compiled into a temporary build directory, so
it runs beside a running demo and leaves nothing behind.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import secrets
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
from finsy.proto import p4r

from controlplane.p4rt.schema import load_p4info
from topo.netns import Netns
from topo.processes import RunState
from topo.runner import down, unused_service_port, up
from topo.topology import TopologySpec, parse_topology

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "topo" / "demo"
DEADLINE_S = 30.0  # for anything the controller does asynchronously
QUIET_S = 0.3  # how long a receiver keeps listening after the packet that must arrive

OPERATOR = "e2e-operator-token"
READER = "e2e-read-only-token"

_payloads = itertools.count(1)


def unique(tag: str) -> bytes:
    return f"{tag}-{next(_payloads)}-{secrets.token_hex(3)}".encode()


def poll(check: Callable[[], bool], what: str, timeout: float = DEADLINE_S, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)


def _quiet(_line: str) -> None:
    pass


class Receiver:
    """A UDP socket bound inside a host's namespace."""

    def __init__(self, ns: Netns, address: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with ns.entered():
            self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.port = port
        self.where = f"{ns.name} [{address}]:{port}"

    def until(self, payload: bytes, timeout: float = DEADLINE_S) -> list[bytes]:
        """Every datagram up to and including ``payload``; AssertionError if it does not come."""
        got: list[bytes] = []
        deadline = time.monotonic() + timeout
        while payload not in got:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{payload!r} did not arrive at {self.where} in {timeout:g} s; got {got}"
                )
            self.sock.settimeout(min(left, 0.5))
            try:
                data, _sender = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            got.append(data)
        return got

    def drain(self, linger: float = QUIET_S) -> list[bytes]:
        """What arrives in the next ``linger`` seconds (a late straggler check, never the proof)."""
        got: list[bytes] = []
        deadline = time.monotonic() + linger
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                got.append(self.sock.recvfrom(65535)[0])
            except TimeoutError:
                break
        return got

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class TableReader:
    """Reads tables back from the switch over P4Runtime, as a second client (reads need no role)."""

    def __init__(self, grpc_addr: str, device_id: int, p4info_path: Path) -> None:
        self.channel = grpc.insecure_channel(grpc_addr)
        self._read = self.channel.unary_stream(
            "/p4.v1.P4Runtime/Read",
            request_serializer=p4r.ReadRequest.SerializeToString,
            response_deserializer=p4r.ReadResponse.FromString,
        )
        self.device_id = device_id
        p4info = load_p4info(p4info_path)
        self.tables = {t.preamble.name: t for t in p4info.tables}

    def keys(self, table: str, field_name: str) -> set[int]:
        """The values of one exact match field over the table's entries."""
        info = self.tables[table]
        field_id = next(f.id for f in info.match_fields if f.name == field_name)
        request = p4r.ReadRequest(device_id=self.device_id)
        request.entities.add().table_entry.table_id = info.preamble.id
        found: set[int] = set()
        for response in self._read(request, timeout=30):
            for entity in response.entities:
                for match in entity.table_entry.match:
                    if match.field_id == field_id:
                        found.add(int.from_bytes(match.exact.value, "big"))
        return found

    def close(self) -> None:
        self.channel.close()


@dataclass
class EdgeWorld:
    spec: TopologySpec
    state: RunState
    url: str
    reader: TableReader
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=60.0)

    # ---- REST ----------------------------------------------------------------------------------

    def api(self, method: str, path: str, *, token: str | None = OPERATOR, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.api(method, path, **kwargs)
        assert answer.status_code < 300, f"{method} {path}: HTTP {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def switch_ready(self) -> bool:
        items = self.ok("GET", "/v1/switches")["items"]
        return bool(items) and all(s["connected"] and s["primary"] and s["pipeline"] for s in items)

    # ---- hosts ---------------------------------------------------------------------------------

    def ns(self, host: str) -> Netns:
        return Netns(self.state.hosts[host])

    def listen(self, host: str, address: str, port: int) -> Receiver:
        return Receiver(self.ns(host), address, port)

    def send(self, host: str, source: str, destination: str, port: int, payload: bytes) -> None:
        family = socket.AF_INET6 if ":" in destination else socket.AF_INET
        with self.ns(host).entered(), socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((source, 0))
            sock.sendto(payload, (destination, port))

    def send_until_received(
        self, host: str, source: str, rx: Receiver, destination: str, tag: str, timeout: float = DEADLINE_S
    ) -> None:
        """Send fresh datagrams every 0.2 s until one arrives (for state the controller sets up)."""
        deadline = time.monotonic() + timeout
        sent: set[bytes] = set()
        while True:
            payload = unique(tag)
            sent.add(payload)
            self.send(host, source, destination, rx.port, payload)
            if any(p in sent for p in rx.drain(0.2)):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing from {host} [{source}] reached {rx.where} in {timeout:g} s")

    # ---- the switch ----------------------------------------------------------------------------

    def admitted_v6(self) -> set[str]:
        """Source addresses the switch admits (its ``device_v6`` entries), read over P4Runtime."""
        keys = self.reader.keys("EdgeIngress.access.device_v6", "src_addr")
        return {str(ipaddress.IPv6Address(k)) for k in keys}


# ---- building the world ------------------------------------------------------------------------


def compile_edge(build_dir: Path, target: str) -> None:
    """edge.p4 for ``target`` into ``build_dir/<target>/``, as ``make build`` lays it out."""
    out = build_dir / target
    out.mkdir(parents=True, exist_ok=True)
    source, p4info = str(ROOT / "p4src" / "edge.p4"), str(out / "edge.p4info.txtpb")
    if target == "bmv2":
        command = ["p4c-bm2-ss", source, "-o", str(out / "edge.json"), "--p4runtime-files", p4info]
    else:
        command = [str(Path(sys.executable).parent / "softswitch"), "compile", source, "--p4info", p4info,
                   "--config", str(out / "edge.bin")]
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def controller_file(workdir: Path, build_dir: Path) -> Path:
    """The demo's controller config with this world's listen address, tokens and database."""
    data = tomllib.loads((DEMO / "controller.toml").read_text())
    data["api"] = {"listen": f"127.0.0.1:{unused_service_port()}"}
    data["registry"] = {"database": str(workdir / "e2e.db")}
    data["tokens"] = [
        {"name": "e2e-operator", "token": OPERATOR, "role": "operator"},
        {"name": "e2e-reader", "token": READER, "role": "read-only"},
    ]
    data["edge"] = {**data.get("edge", {}), "build_dir": str(build_dir), "idle_timeout": 0}
    path = workdir / "controller.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def world_spec(workdir: Path, build_dir: Path, target: str) -> TopologySpec:
    data = json.loads((DEMO / "topology.json").read_text())
    data["name"] = "e" + secrets.token_hex(3)[:5]
    data["switches"]["s1"]["target"] = target
    # ports outside the ephemeral range: the restart tests bring the switch and the controller
    # back on the same port, which an outgoing connection could hold by then
    data["switches"]["s1"]["grpc_port"] = unused_service_port()
    data["controller"] = {"config": str(controller_file(workdir, build_dir))}
    return parse_topology(data, source=workdir / "topology.json")


def build_world(workdir: Path, target: str = "softswitch") -> Iterator[EdgeWorld]:
    """Bring the world up on ``target`` (softswitch or bmv2), register the demo, yield it; always
    take it down."""
    from topo.demo import scenario

    build_dir = workdir / "build"
    compile_edge(build_dir, target)
    spec = world_spec(workdir, build_dir, target)
    state = up(spec, workdir / "state.json", echo=_quiet)
    reader = None
    try:
        assert state.controller_url is not None
        switch = state.switches["s1"]
        reader = TableReader(
            switch.grpc_addr, switch.device_id, build_dir / target / "edge.p4info.txtpb"
        )
        world = EdgeWorld(spec=spec, state=state, url=state.controller_url, reader=reader)
        from controlplane.api.client import ApiClient

        scenario.register(ApiClient(world.url, OPERATOR))
        poll(world.switch_ready, "the controller programs the switch")
        yield world
    finally:
        if reader is not None:
            reader.close()
        problems = down(state, echo=_quiet)
        assert not problems, problems
