"""An unknown sender becomes an access request; approving it admits the sender."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import EdgeWorld, poll, unique
from topo.demo.scenario import UNKNOWN_DEVICE_ID, UNKNOWN_ENDPOINT, UNKNOWN_SENDER


def test_an_unknown_sender_is_requested_then_approved(world: EdgeWorld) -> None:
    host, address = UNKNOWN_SENDER
    found: list[dict[str, Any]] = []

    def requested() -> bool:
        # The switch reports the sender's first packet, so keep sending until the request shows.
        world.send(host, address, UNKNOWN_ENDPOINT, 7201, unique("knock"))
        items = world.ok("GET", "/v1/requests")["items"]
        found[:] = [r for r in items if r["src_addr"] == address]
        return bool(found)

    with world.listen("vpc2", UNKNOWN_ENDPOINT, 7201) as at_endpoint:
        poll(requested, f"an access request from {address}", interval=0.2)
        request = found[0]
        assert (request["port"], request["vlan"], request["status"]) == (3, None, "pending")
        assert request["src_mac"] == "02:00:00:0b:00:03"
        assert at_endpoint.drain() == []  # its packets were dropped meanwhile

        approval = {"device_id": UNKNOWN_DEVICE_ID, "customer": "globex", "endpoint": UNKNOWN_ENDPOINT}
        approved = world.ok("POST", f"/v1/requests/{request['id']}/approve", json=approval)
        assert approved["device"]["addresses"] == [address] and approved["device"]["access_port"] == 3
        try:
            world.send_until_received(host, address, at_endpoint, UNKNOWN_ENDPOINT, "approved")
            assert world.ok("GET", f"/v1/requests/{request['id']}")["status"] == "approved"
        finally:
            world.ok("DELETE", f"/v1/devices/{UNKNOWN_DEVICE_ID}")
