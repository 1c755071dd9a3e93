"""``p4edge serve --config FILE``: the REST API and the edge programmer in one process, against a
real softswitch; SIGTERM stops it cleanly."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from controlplane.config import load_config
from tests.controlplane.api.server_harness import OPERATOR, free_port, wait_for
from tests.controlplane.edge.edge_harness import ServeProcess
from tests.controlplane.p4rt.softswitch_process import SoftswitchProcess

CONFIG = """\
[registry]
database = "registry.db"

[api]
listen = "127.0.0.1:{port}"

[[tokens]]
name = "ops"
token = "{token}"
role = "operator"

[[switches]]
name = "edge1"
grpc_addr = "{grpc}"
device_id = 0
election_id = 1
target = "softswitch"
cpu_port = 64
access_ports = [1, 2]

[edge]
build_dir = "{build}"
idle_timeout = 60
"""


@pytest.fixture
def serve(tmp_path: Path, switch: SoftswitchProcess, edge_build: Path) -> Iterator[tuple[ServeProcess, str]]:
    port = free_port()
    config = tmp_path / "edge.toml"
    config.write_text(CONFIG.format(port=port, token=OPERATOR, grpc=switch.address, build=edge_build))
    load_config(config)  # the file itself is valid
    process = ServeProcess(config)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.close()


def _status(http: httpx.Client) -> dict[str, object] | None:
    try:
        reply = http.get("/v1/switches")
    except httpx.HTTPError:
        return None
    if reply.status_code != 200:
        return None
    items = reply.json()["items"]
    assert isinstance(items, list) and len(items) == 1
    item: dict[str, object] = items[0]
    return item


def test_serve_programs_the_switch_and_stops_cleanly_on_sigterm(serve: tuple[ServeProcess, str]) -> None:
    process, url = serve
    headers = {"Authorization": f"Bearer {OPERATOR}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:

        def connected() -> bool:
            assert process.proc.poll() is None, process.output()
            status = _status(http)
            return status is not None and status["connected"] is True and status["pipeline"] == "edge"

        wait_for(connected, timeout=60, what="the switch to be connected")
        customer = {
            "name": "acme", "vlan": 1000, "uplink_port": 3, "gateway_mac": "02:00:00:00:10:01",
            "prefix": "2001:db8:a::/64",
        }
        assert http.post("/v1/customers", json=customer).status_code == 201
        device = {
            "device_id": "A", "customer": "acme", "endpoint": "2001:db8:a::a", "addresses": ["2001:db8:100::a"],
            "access_port": 1,
        }
        assert http.post("/v1/devices", json=device).status_code == 201

        def programmed() -> bool:
            status = _status(http)
            counts = status["entry_counts"] if status is not None else {}
            return isinstance(counts, dict) and counts.get("device_v6") == 1 and counts.get("customer_uplink") == 1

        wait_for(programmed, timeout=30, what="the device's entries on the switch")
        counters = http.get("/v1/devices/A/counters")
        assert counters.status_code == 200
        assert counters.json()["switches"][0]["upstream_packets"] == 0

    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(timeout=30) == 0, process.output()
    output = process.output()
    assert "Traceback" not in output, output
    assert "edge1: stopped" in output


def test_serve_without_build_outputs_still_serves_the_api(tmp_path: Path, switch: SoftswitchProcess) -> None:
    port = free_port()
    config = tmp_path / "edge.toml"
    config.write_text(CONFIG.format(port=port, token=OPERATOR, grpc=switch.address, build=tmp_path / "nothing"))
    process = ServeProcess(config)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:

            def up() -> bool:
                assert process.proc.poll() is None, process.output()
                try:
                    return http.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    return False

            wait_for(up, timeout=60, what="the API")
        assert process.terminate() == 0
        output = process.output()
        assert "cannot read the P4Info" in output and "run `make build`" in output
        assert "Traceback" not in output
    finally:
        process.close()
