"""The hook the edge layer plugs into: a ``dataplane_factory`` entered at start-up and left at
shutdown, whose ``DataPlane`` answers switch status, counters and group instructions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from controlplane.config import Config
from controlplane.registry.dataplane import DataPlane, DeviceCounters, InstructionReceipt, SwitchStatus
from controlplane.registry.model import Device, Group
from controlplane.registry.service import Registry
from tests.controlplane.api.server_harness import load_test_config, serve_in_thread


class RecordingDataPlane:
    """Stands where the edge layer will: answers from fixed data, records the instructions."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, frozenset[str], bytes]] = []

    async def switch_status(self) -> Sequence[SwitchStatus]:
        return [
            SwitchStatus(
                name="edge1",
                grpc_addr="127.0.0.1:9559",
                device_id=1,
                connected=True,
                primary=True,
                pipeline="edge",
                entry_counts={"device_v6": 2},
            )
        ]

    async def device_counters(self, device: Device) -> Sequence[DeviceCounters]:
        return [
            DeviceCounters(
                switch="edge1",
                upstream_packets=3,
                upstream_bytes=300,
                downstream_packets=1,
                downstream_bytes=100,
                read_at=1.0,
            )
        ]

    async def send_group_instruction(self, group: Group, payload: bytes) -> InstructionReceipt:
        self.sent.append((group.name, group.members, payload))
        return InstructionReceipt(
            group=group.name, members=len(group.members), switches=("edge1",), payload_bytes=len(payload)
        )


def test_the_factory_supplies_the_data_plane(tmp_path: Path) -> None:
    plane = RecordingDataPlane()
    lifecycle: list[str] = []

    @asynccontextmanager
    async def factory(config: Config, registry: Registry) -> AsyncIterator[DataPlane]:
        lifecycle.append(f"start with {registry.counts()['customers']} customers")
        yield plane
        lifecycle.append("stop")

    with (
        serve_in_thread(load_test_config(tmp_path), dataplane_factory=factory) as server,
        server.client() as http,
    ):
        http.post(
            "/v1/customers",
            json={
                "name": "acme",
                "vlan": 100,
                "uplink_port": 1,
                "gateway_mac": "02:00:00:00:01:01",
                "prefix": "2001:db8:100::/48",
            },
        )
        http.post(
            "/v1/devices",
            json={
                "device_id": "s1",
                "customer": "acme",
                "endpoint": "2001:db8:100::1",
                "addresses": ["2001:db8:ff::1"],
                "access_port": 3,
            },
        )
        http.post(
            "/v1/groups", json={"name": "g", "customer": "acme", "address": "ff3e::1", "members": ["s1"]}
        )
        status = http.get("/v1/switches").json()["items"][0]
        assert (status["connected"], status["primary"], status["entry_counts"]) == (
            True,
            True,
            {"device_v6": 2},
        )
        counters = http.get("/v1/devices/s1/counters").json()
        assert counters["switches"][0]["upstream_bytes"] == 300
        sent = http.post("/v1/groups/g/instructions", json={"payload": "AQI=", "encoding": "base64"})
        assert sent.status_code == 202
        assert sent.json() == {"group": "g", "members": 1, "switches": ["edge1"], "payload_bytes": 2}
        assert plane.sent == [("g", frozenset({"s1"}), b"\x01\x02")]
    assert lifecycle == ["start with 0 customers", "stop"]
