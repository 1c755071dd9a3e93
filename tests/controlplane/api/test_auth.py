"""Bearer tokens over real HTTP: 401 with WWW-Authenticate, 403 for a read-only write."""

from __future__ import annotations

import pytest

from tests.controlplane.api.server_harness import OPERATOR, READER, RunningServer

CUSTOMER = {
    "name": "acme",
    "vlan": 100,
    "uplink_port": 1,
    "gateway_mac": "02:00:00:00:01:01",
    "prefix": "2001:db8:100::/48",
}


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, "Bearer"),
        ({"Authorization": "Bearer not-a-token"}, 'Bearer error="invalid_token"'),
        ({"Authorization": f"Basic {OPERATOR}"}, "Bearer"),
        ({"Authorization": "Bearer"}, "Bearer"),
    ],
)
def test_missing_or_invalid_credentials(
    server: RunningServer, headers: dict[str, str], challenge: str
) -> None:
    with server.client(token=None) as http:
        for method, path in (("GET", "/v1/customers"), ("POST", "/v1/customers"), ("GET", "/v1/switches")):
            response = http.request(
                method, path, headers=headers, json=CUSTOMER if method == "POST" else None
            )
            assert response.status_code == 401, (method, path)
            assert response.headers["www-authenticate"] == challenge
            assert "token" in response.json()["detail"]


def test_read_only_token_reads_but_cannot_write(server: RunningServer) -> None:
    with server.client(READER) as reader, server.client(OPERATOR) as operator:
        assert reader.get("/v1/customers").status_code == 200
        refused = reader.post("/v1/customers", json=CUSTOMER)
        assert refused.status_code == 403
        assert "read-only" in refused.json()["detail"]
        assert reader.delete("/v1/customers/acme").status_code == 403
        assert (
            reader.post(
                "/v1/imports", content=b"[]", headers={"Content-Type": "application/json"}
            ).status_code
            == 403
        )
        assert operator.post("/v1/customers", json=CUSTOMER).status_code == 201
        assert reader.get("/v1/customers/acme").json()["vlan"] == 100
        assert reader.patch("/v1/customers/acme", json={"vlan": 101}).status_code == 403
    assert server.registry.get_customer("acme").vlan == 100


def test_open_endpoints(server: RunningServer) -> None:
    with server.client(token=None) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/docs").status_code == 200
        spec = http.get("/openapi.json").json()
        assert "/v1/devices" in spec["paths"] and "/v1/imports/{job_id}" in spec["paths"]
        assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
