"""The REST routes over real HTTP: CRUD, errors naming fields with 404/409/422, access requests,
switch status, counters and group instructions (503 until a switch is connected)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from controlplane.registry.model import AccessSighting
from tests.controlplane.api.server_harness import RunningServer

CUSTOMER = {
    "name": "acme",
    "vlan": 100,
    "uplink_port": 1,
    "gateway_mac": "02:00:00:00:01:01",
    "prefix": "2001:db8:100::/48",
    "anycast": "2001:db8:100::ffff",
}


def device_body(n: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device_id": f"sensor-{n}",
        "customer": "acme",
        "endpoint": f"2001:db8:100::{n:x}",
        "addresses": [f"2001:db8:ff::{n:x}"],
        "access_port": 3,
    }
    body.update(overrides)
    return body


def locs(response: httpx.Response) -> list[tuple[list[str | int], str]]:
    return [(item["loc"], item["type"]) for item in response.json()["detail"]]


@pytest.fixture
def http(server: RunningServer) -> httpx.Client:
    client = server.client()
    assert client.post("/v1/customers", json=CUSTOMER).status_code == 201
    return client


def test_customer_crud(http: httpx.Client) -> None:
    listing = http.get("/v1/customers").json()
    assert listing["total"] == 1 and listing["items"][0]["number"] == 1
    created = http.post("/v1/customers", json={**CUSTOMER, "name": "beta", "vlan": 200, "anycast": None})
    assert created.status_code == 201 and created.headers["location"] == "/v1/customers/beta"
    changed = http.patch("/v1/customers/beta", json={"vlan": 201, "allowed_prefixes": ["10.9.0.0/16"]})
    assert (changed.json()["vlan"], changed.json()["allowed_prefixes"]) == (201, ["10.9.0.0/16"])
    assert http.delete("/v1/customers/beta").status_code == 204
    missing = http.get("/v1/customers/beta")
    assert missing.status_code == 404 and locs(missing) == [(["path", "name"], "not_found")]


def test_device_crud(http: httpx.Client) -> None:
    assert (
        http.post("/v1/groups", json={"name": "lights", "customer": "acme", "address": "ff3e::1"}).status_code
        == 201
    )
    created = http.post("/v1/devices", json=device_body(1, groups=["lights"], access_vlan=12))
    assert created.status_code == 201, created.text
    assert created.json() == {
        "device_id": "sensor-1",
        "number": 1,
        "customer": "acme",
        "endpoint": "2001:db8:100::1",
        "endpoint_v4": None,
        "addresses": ["2001:db8:ff::1"],
        "access_port": 3,
        "access_vlan": 12,
        "rate_profile": "default",
        "groups": ["lights"],
    }
    for n in range(2, 6):
        assert http.post("/v1/devices", json=device_body(n)).status_code == 201
    page = http.get("/v1/devices", params={"offset": 1, "limit": 2}).json()
    assert ([d["device_id"] for d in page["items"]], page["total"]) == (["sensor-2", "sensor-3"], 5)
    assert [d["device_id"] for d in http.get("/v1/devices", params={"group": "lights"}).json()["items"]] == [
        "sensor-1"
    ]
    patched = http.patch("/v1/devices/sensor-1", json={"access_vlan": None, "groups": []}).json()
    assert (patched["access_vlan"], patched["groups"]) == (None, [])
    assert http.delete("/v1/devices/sensor-1").status_code == 204
    assert http.get("/v1/devices/sensor-1").status_code == 404
    assert http.get("/v1/rate-profiles").json()[0]["name"] == "default"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (device_body(9, endpoint="2001:db8:999::9"), 422, [(["body", "endpoint"], "invalid")]),
        (device_body(9, endpoint="2001:db8:100::ffff"), 409, [(["body", "endpoint"], "conflict")]),
        (device_body(9, addresses=["2001:db8:ff::1"]), 409, [(["body", "addresses", 0], "conflict")]),
        (device_body(9, access_vlan=4095), 422, [(["body", "access_vlan"], "invalid")]),
        (device_body(9, access_port=1), 409, [(["body", "access_port"], "conflict")]),
        (device_body(9, customer="nobody"), 404, [(["body", "customer"], "not_found")]),
        (device_body(9, groups=["nope"]), 404, [(["body", "groups", 0], "not_found")]),
        (device_body(1), 409, [(["body", "device_id"], "conflict")]),
        (device_body(9, rate_profile="gold"), 422, [(["body", "rate_profile"], "invalid")]),
    ],
)
def test_device_errors_name_the_field(
    http: httpx.Client, body: dict[str, Any], status: int, expected: list[tuple[list[str | int], str]]
) -> None:
    assert http.post("/v1/devices", json=device_body(1)).status_code == 201
    response = http.post("/v1/devices", json=body)
    assert response.status_code == status, response.text
    assert locs(response) == expected
    assert all(item["msg"] for item in response.json()["detail"])


def test_body_type_errors_are_fastapi_422s(http: httpx.Client) -> None:
    wrong_type = http.post("/v1/devices", json=device_body(9, access_port="3"))
    assert wrong_type.status_code == 422 and wrong_type.json()["detail"][0]["loc"] == ["body", "access_port"]
    unknown = http.post("/v1/devices", json=device_body(9, colour="red"))
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "colour"]
    missing = http.post("/v1/devices", json={"device_id": "x"})
    assert missing.status_code == 422 and ["body", "endpoint"] in [d["loc"] for d in missing.json()["detail"]]
    null_patch = http.patch("/v1/customers/acme", json={"vlan": None})
    assert null_patch.status_code == 422 and locs(null_patch) == [(["body", "vlan"], "invalid")]
    bad_json = http.post("/v1/devices", content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 422


def test_customer_vlan_conflicts(http: httpx.Client) -> None:
    clash = http.post("/v1/customers", json={**CUSTOMER, "name": "beta", "anycast": None})
    assert clash.status_code == 409 and locs(clash) == [(["body", "vlan"], "conflict")]
    assert http.post("/v1/devices", json=device_body(1)).status_code == 201
    in_use = http.delete("/v1/customers/acme")
    assert in_use.status_code == 409 and locs(in_use) == [(["path", "name"], "conflict")]
    bad_filter = http.get("/v1/devices", params={"customer": "nobody"})
    assert bad_filter.status_code == 404 and locs(bad_filter) == [(["query", "customer"], "not_found")]


def test_groups_and_instructions(http: httpx.Client) -> None:
    for n in (1, 2):
        http.post("/v1/devices", json=device_body(n))
    created = http.post(
        "/v1/groups",
        json={"name": "lights", "customer": "acme", "address": "ff3e::1", "members": ["sensor-1"]},
    )
    assert created.status_code == 201 and created.json()["members"] == ["sensor-1"]
    bad = http.post("/v1/groups", json={"name": "g2", "customer": "acme", "address": "2001:db8::1"})
    assert bad.status_code == 422 and locs(bad) == [(["body", "address"], "invalid")]
    joined = http.post("/v1/groups/lights/members", json={"members": ["sensor-2"]}).json()
    assert joined["members"] == ["sensor-1", "sensor-2"]
    left = http.delete("/v1/groups/lights/members/sensor-1").json()
    assert left["members"] == ["sensor-2"]
    not_member = http.delete("/v1/groups/lights/members/sensor-1")
    assert not_member.status_code == 404 and locs(not_member) == [(["path", "device_id"], "not_found")]
    assert http.get("/v1/groups").json()["items"][0] == {
        "name": "lights",
        "number": 1,
        "customer": "acme",
        "address": "ff3e::1",
        "member_count": 1,
        "members": None,
    }
    sent = http.post("/v1/groups/lights/instructions", json={"payload": "lights off"})
    assert sent.status_code == 503 and "no edge switch connected" in sent.json()["detail"]
    bad_payload = http.post("/v1/groups/lights/instructions", json={"payload": "zz", "encoding": "hex"})
    assert bad_payload.status_code == 422 and locs(bad_payload) == [(["body", "payload"], "invalid")]
    assert http.post("/v1/groups/nope/instructions", json={"payload": "x"}).status_code == 404


def test_switches_and_counters(http: httpx.Client) -> None:
    switches = http.get("/v1/switches").json()["items"]
    assert switches == [
        {
            "name": "edge1",
            "grpc_addr": "127.0.0.1:9559",
            "device_id": 1,
            "connected": False,
            "primary": False,
            "pipeline": None,
            "entry_counts": {},
            "error": None,
        }
    ]
    http.post("/v1/devices", json=device_body(1))
    counters = http.get("/v1/devices/sensor-1/counters")
    assert counters.status_code == 503 and "no edge switch connected" in counters.json()["detail"]
    assert http.get("/v1/devices/ghost/counters").status_code == 404


def test_access_requests(server: RunningServer, http: httpx.Client) -> None:
    # Digests arrive through the edge layer, which calls the registry directly.
    registry = server.registry
    one = registry.record_access_request(
        AccessSighting(port=5, vlan=7, src_mac="02:00:00:00:aa:01", src_addr="2001:db8:ff::aa")
    )
    two = registry.record_access_request(
        AccessSighting(port=5, vlan=None, src_mac="02:00:00:00:aa:02", src_addr="10.5.0.2")
    )
    pending = http.get("/v1/requests").json()
    assert [(r["id"], r["status"], r["count"]) for r in pending["items"]] == [
        (one.id, "pending", 1),
        (two.id, "pending", 1),
    ]
    approved = http.post(
        f"/v1/requests/{one.id}/approve",
        json={"device_id": "new-1", "customer": "acme", "endpoint": "2001:db8:100::aa"},
    )
    assert approved.status_code == 201, approved.text
    device = approved.json()["device"]
    assert (device["addresses"], device["access_port"], device["access_vlan"]) == (["2001:db8:ff::aa"], 5, 7)
    again = http.post(
        f"/v1/requests/{one.id}/approve",
        json={"device_id": "x", "customer": "acme", "endpoint": "2001:db8:100::ab"},
    )
    assert again.status_code == 409 and locs(again) == [(["path", "request_id"], "conflict")]
    bad = http.post(
        f"/v1/requests/{two.id}/approve",
        json={"device_id": "new-2", "customer": "acme", "endpoint": "10.0.0.1"},
    )
    assert bad.status_code == 422 and locs(bad) == [(["body", "endpoint"], "invalid")]
    assert http.post(f"/v1/requests/{two.id}/deny").json()["status"] == "denied"
    assert http.get("/v1/requests").json()["items"] == []
    assert [r["status"] for r in http.get("/v1/requests", params={"status": "all"}).json()["items"]] == [
        "approved",
        "denied",
    ]
    assert http.post("/v1/requests/999/deny").status_code == 404
    assert http.get("/v1/summary").json() == {
        "customers": 1,
        "devices": 1,
        "groups": 0,
        "pending_requests": 0,
        "change_seq": 2,
    }
