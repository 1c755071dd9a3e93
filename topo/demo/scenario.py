"""The demo's registrations, made over REST, and what to try afterwards (``make run``).

``python -m topo.demo.scenario [--topology topo/demo/topology.json]`` registers two customers
(acme, globex) with their VLAN connections on uplink port 5, four devices (h1, h2 of acme; h3 and
the VLAN-tagged h4 of globex) and one group per customer, then prints commands to try. Records
already registered (HTTP 409) are left as they are, so it can run again. It reads the controller's
address and tokens from the runner's state file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from controlplane.api.client import ApiClient, ApiError
from topo.netns import TopoError
from topo.processes import RunState
from topo.runner import BIN_DIR, default_state_path
from topo.topology import TopologyError, load_topology

DEMO_TOPOLOGY: Final = Path(__file__).resolve().parent / "topology.json"
SWITCH_WAIT_S: Final = 30.0
INSTRUCTION_PORT: Final = 5683
TRY_PORT: Final = 7000

CUSTOMERS: Final[list[dict[str, Any]]] = [
    {
        "name": "acme",
        "vlan": 1000,
        "uplink_port": 5,
        "gateway_mac": "02:00:00:10:00:01",  # vpc1's MAC
        "prefix": "2001:db8:100::/48",
    },
    {
        "name": "globex",
        "vlan": 2000,
        "uplink_port": 5,
        "gateway_mac": "02:00:00:20:00:01",  # vpc2's MAC
        "prefix": "2001:db8:200::/48",
    },
]

#: (host, REST body) per device.
DEVICES: Final[list[tuple[str, dict[str, Any]]]] = [
    ("h1", {"device_id": "acme-sensor-1", "customer": "acme", "endpoint": "2001:db8:100::11",
            "addresses": ["2001:db8:a::1"], "access_port": 1}),
    ("h2", {"device_id": "acme-sensor-2", "customer": "acme", "endpoint": "2001:db8:100::12",
            "addresses": ["2001:db8:a::2"], "access_port": 2}),
    ("h3", {"device_id": "globex-meter-3", "customer": "globex", "endpoint": "2001:db8:200::13",
            "addresses": ["2001:db8:b::3"], "access_port": 3}),
    ("h4", {"device_id": "globex-meter-4", "customer": "globex", "endpoint": "2001:db8:200::14",
            "addresses": ["2001:db8:b::4"], "access_port": 4, "access_vlan": 100}),
]  # fmt: skip

GROUPS: Final[list[dict[str, Any]]] = [
    {"name": "acme-all", "customer": "acme", "address": "ff3e::100:1", "members": ["acme-sensor-1", "acme-sensor-2"]},
    {"name": "globex-all", "customer": "globex", "address": "ff3e::200:1",
     "members": ["globex-meter-3", "globex-meter-4"]},
]  # fmt: skip

#: A host address that no device has: its packets become an access request. Approved, it becomes
#: globex's device UNKNOWN_DEVICE_ID with the endpoint UNKNOWN_ENDPOINT (on vpc2).
UNKNOWN_SENDER: Final = ("h3", "2001:db8:b::99")
UNKNOWN_DEVICE_ID: Final = "globex-meter-99"
UNKNOWN_ENDPOINT: Final = "2001:db8:200::99"
#: Which VPC host holds each customer's endpoints.
VPC_HOSTS: Final = {"acme": "vpc1", "globex": "vpc2"}


def register(client: ApiClient) -> list[str]:
    """POST the demo's records; one line per record."""
    lines: list[str] = []
    posts = [("/v1/customers", c["name"], c) for c in CUSTOMERS]
    posts += [("/v1/devices", d["device_id"], d) for _host, d in DEVICES]
    posts += [("/v1/groups", g["name"], g) for g in GROUPS]
    for path, key, body in posts:
        kind = path.rsplit("/", 1)[1][:-1]
        try:
            client.call("POST", path, json=body)
            lines.append(f"  registered {kind} {key}")
        except ApiError as e:
            if e.status != 409:
                raise
            lines.append(f"  {kind} {key} was already registered")
    return lines


def wait_for_switches(client: ApiClient, timeout: float) -> list[dict[str, Any]]:
    """The switches' status once all are programmed, or at ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        switches: list[dict[str, Any]] = client.call("GET", "/v1/switches")["items"]
        # Programmed: connected with the pipeline, and the demo's devices admitted.
        if (
            all(s["connected"] and s["pipeline"] and s["entry_counts"].get("device_v6", 0) >= len(DEVICES)
                for s in switches)
            or time.monotonic() > deadline
        ):  # fmt: skip
            return switches
        time.sleep(0.2)


def _tokens(config_path: str | None) -> tuple[str, str]:
    """(an operator token, a read-only token) from the controller's config."""
    operator = reader = ""
    if config_path:
        data = json.loads(Path(config_path).read_text(encoding="utf-8"))
        for token in data.get("tokens", []):
            if token.get("role") == "operator" and not operator:
                operator = token["token"]
            if token.get("role") == "read-only" and not reader:
                reader = token["token"]
    if not operator:
        raise TopoError("the controller's config has no operator token")
    return operator, reader or operator


def tries(state: RunState, operator: str, reader: str, netns: dict[str, str]) -> str:
    """The commands to try, for this running topology."""
    url = state.controller_url
    py = BIN_DIR / "python"
    udp = f"{py} -m topo.demo.udp"
    h1, h2, h3, h4 = (netns[h] for h in ("h1", "h2", "h3", "h4"))
    vpc1, vpc2 = netns["vpc1"], netns["vpc2"]
    auth_r = f"-H 'Authorization: Bearer {reader}'"
    auth_w = f"-H 'Authorization: Bearer {operator}' -H 'Content-Type: application/json'"
    host, address = UNKNOWN_SENDER
    approval = json.dumps(
        {"device_id": UNKNOWN_DEVICE_ID, "customer": "globex", "endpoint": UNKNOWN_ENDPOINT}
    )
    return f"""
Try it (as root; each listener waits up to 30 s, so start it first):

  REST API (OpenAPI at {url}/docs). Tokens: operator {operator}, read-only {reader}
    curl -s {auth_r} {url}/v1/devices
    curl -s {auth_r} {url}/v1/switches
    P4EDGE_TOKEN={reader} {BIN_DIR}/p4edge device list

  1. A device's UDP message reaches its virtual endpoint (acme-sensor-1 on h1 -> acme's VPC):
    ip netns exec {vpc1} {udp} listen 2001:db8:100::11 {TRY_PORT} &
    ip netns exec {h1} {udp} send 2001:db8:100::11 {TRY_PORT} 'hello from h1'
     ... and the tagged device h4 (VLAN 100 on port 4) -> globex's VPC:
    ip netns exec {vpc2} {udp} listen 2001:db8:200::14 {TRY_PORT} &
    ip netns exec {h4} {udp} send 2001:db8:200::14 {TRY_PORT} 'hello from h4'
     ... and the endpoint answers the device over the VLAN connection:
    ip netns exec {h1} {udp} listen 2001:db8:a::1 {TRY_PORT} &
    ip netns exec {vpc1} {udp} send 2001:db8:a::1 {TRY_PORT} 'hello h1' --source 2001:db8:100::11

  2. A group instruction reaches both acme devices (UDP port {INSTRUCTION_PORT}), and no globex device:
    ip netns exec {h1} {udp} listen :: {INSTRUCTION_PORT} &
    ip netns exec {h2} {udp} listen :: {INSTRUCTION_PORT} &
    ip netns exec {h3} {udp} listen :: {INSTRUCTION_PORT} --timeout 5 &
    curl -s -X POST {auth_w} -d '{{"payload": "lights off"}}' {url}/v1/groups/acme-all/instructions

  3. A cross-customer attempt is blocked: h1 (acme) sends to globex's endpoint; nothing arrives:
    ip netns exec {vpc2} {udp} listen 2001:db8:200::13 {TRY_PORT} --timeout 5 &
    ip netns exec {h1} {udp} send 2001:db8:200::13 {TRY_PORT} 'not yours'

  4. An unknown sender becomes an access request (h3 from its unregistered address {address}):
    ip netns exec {netns[host]} {udp} send {UNKNOWN_ENDPOINT} {TRY_PORT} 'let me in' --source {address}
    curl -s {auth_r} {url}/v1/requests
     ... approve it (ID from the listing), then the same send reaches globex's VPC:
    curl -s -X POST {auth_w} -d '{approval}' {url}/v1/requests/ID/approve
    ip netns exec {vpc2} {udp} listen {UNKNOWN_ENDPOINT} {TRY_PORT} &
    ip netns exec {netns[host]} {udp} send {UNKNOWN_ENDPOINT} {TRY_PORT} 'let me in' --source {address}

  Logs: {state.path.parent}/{state.name}-*.log      Stop everything: make stop
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m topo.demo.scenario", description=__doc__.splitlines()[0])
    parser.add_argument("--topology", type=Path, default=DEMO_TOPOLOGY, help="the running topology's file")
    parser.add_argument("--state", type=Path, help="its state file (default: build/run/NAME.state.json)")
    parser.add_argument("--wait", type=float, default=SWITCH_WAIT_S, help="seconds to wait for the switches")
    args = parser.parse_args(argv)
    try:
        spec = load_topology(args.topology)
        path = args.state or default_state_path(spec)
        if not path.exists():
            raise TopoError(f"topology {spec.name} is not running (no {path}); start it with `make run`")
        state = RunState.load(path)
        if state.controller_url is None:
            raise TopoError(f"topology {spec.name} runs no controller")
        operator, reader = _tokens(state.controller_config)
        client = ApiClient(state.controller_url, operator)
        print(f"registering the demo over REST at {state.controller_url}:")
        for line in register(client):
            print(line)
        switches = wait_for_switches(client, args.wait)
    except (TopoError, TopologyError, ApiError, OSError, ValueError) as e:
        print(f"scenario: {e}", file=sys.stderr)
        return 1
    ready = True
    for s in switches:
        counts = sum(s["entry_counts"].values())
        if s["connected"] and s["pipeline"]:
            print(
                f"switch {s['name']} ({s['grpc_addr']}): connected, pipeline {s['pipeline']}, {counts} entries"
            )
        else:
            ready = False
            why = s["error"] or "the controller has not connected to it"
            print(f"switch {s['name']} ({s['grpc_addr']}): NOT programmed: {why}")
    if not ready:
        print(
            "\nNOTE: the controller has not programmed the switch, so the switch drops every packet: the"
            "\nREST API and the registrations work, the packet tries below do not (yet)."
            f"\nSee {state.path.parent}/{state.name}-controller.log and `p4edge switch status`."
        )
    print(tries(state, operator, reader, dict(state.hosts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
