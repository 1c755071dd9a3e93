"""The REST API over real HTTP: field-naming errors and token roles."""

from __future__ import annotations

from tests.e2e.harness import READER, EdgeWorld


def _locs(answer_json: dict[str, object]) -> list[list[object]]:
    detail = answer_json["detail"]
    assert isinstance(detail, list)
    return [item["loc"] for item in detail]


def test_a_bad_body_gets_a_4xx_naming_the_field(world: EdgeWorld) -> None:
    device = {"device_id": "bad-1", "customer": "acme", "endpoint": "2001:db8:100::77",
              "addresses": ["2001:db8:a::77"], "access_port": "one"}  # fmt: skip
    answer = world.api("POST", "/v1/devices", json=device)
    assert answer.status_code == 422
    assert ["body", "access_port"] in _locs(answer.json())

    answer = world.api(
        "POST", "/v1/devices", json={**device, "access_port": 1, "endpoint": "2001:db8:999::1"}
    )
    assert answer.status_code == 422  # outside acme's prefix: the registry names the field too
    assert ["body", "endpoint"] in _locs(answer.json())

    answer = world.api("POST", "/v1/devices", json={**device, "access_port": 1, "colour": "red"})
    assert answer.status_code == 422
    assert ["body", "colour"] in _locs(answer.json())

    answer = world.api("POST", "/v1/customers", json={"name": "x", "vlan": 5000})
    assert answer.status_code == 422
    assert ["body", "uplink_port"] in _locs(answer.json())  # required, left out
    assert world.api("GET", "/v1/devices/bad-1").status_code == 404  # nothing was stored


def test_tokens_and_roles(world: EdgeWorld) -> None:
    customer = {"name": "nobody", "vlan": 3000, "uplink_port": 5, "gateway_mac": "02:00:00:30:00:01",
                "prefix": "2001:db8:300::/48"}  # fmt: skip
    assert world.api("GET", "/v1/devices", token=None).status_code == 401
    assert world.api("GET", "/v1/devices", token="not-a-token").status_code == 401
    assert world.api("POST", "/v1/customers", json=customer, token=None).status_code == 401
    assert world.api("GET", "/v1/devices", token=READER).status_code == 200
    refused = world.api("POST", "/v1/customers", json=customer, token=READER)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert world.api("DELETE", "/v1/devices/acme-sensor-1", token=READER).status_code == 403
    assert world.api("GET", "/v1/customers/nobody").status_code == 404
    assert world.api("GET", "/v1/devices/acme-sensor-1").status_code == 200
