"""Bulk import over real HTTP: JSON and CSV bodies, progress polling, row errors, bad files."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.controlplane.api.server_harness import RunningServer, load_test_config, serve_in_thread

CUSTOMER = {
    "name": "acme",
    "vlan": 100,
    "uplink_port": 1,
    "gateway_mac": "02:00:00:00:01:01",
    "prefix": "2001:db8::/32",
}


@pytest.fixture
def small_chunks(tmp_path: Path) -> Iterator[RunningServer]:
    with serve_in_thread(load_test_config(tmp_path), chunk_rows=50) as running:
        with running.client() as http:
            assert http.post("/v1/customers", json=CUSTOMER).status_code == 201
            assert (
                http.post(
                    "/v1/groups", json={"name": "all", "customer": "acme", "address": "ff3e::1"}
                ).status_code
                == 201
            )
        yield running


def poll(http: httpx.Client, job_id: str, timeout: float = 120.0) -> tuple[dict[str, Any], list[int]]:
    """The finished job, and every ``done`` value seen on the way."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"/v1/imports/{job_id}").json()
        seen.append(job["done"])
        if job["status"] not in ("queued", "running"):
            return job, seen
        assert time.monotonic() < deadline, f"import {job_id} did not finish: {job}"
        time.sleep(0.01)


def devices(n: int) -> list[dict[str, Any]]:
    return [
        {
            "device_id": f"dev{i:05d}",
            "customer": "acme",
            "endpoint": f"2001:db8:1::{i:x}",
            "addresses": [f"2001:db8:2::{i:x}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"],
            "access_port": 2 + i % 8,
            "access_vlan": 1 + i % 4000,
            "groups": ["all"],
        }
        for i in range(n)
    ]


def test_json_import_with_progress(small_chunks: RunningServer) -> None:
    body = devices(2000)
    body[777]["endpoint"] = "2001:db9::1"
    body[1500]["addresses"] = ["not-an-address"]
    with small_chunks.client() as http:
        started = http.post("/v1/imports", json=body)
        assert started.status_code == 202, started.text
        job = started.json()
        assert (job["total"], started.headers["location"]) == (2000, f"/v1/imports/{job['id']}")
        job, seen = poll(http, job["id"])
        assert seen == sorted(seen) and seen[-1] == 2000
        assert (job["status"], job["done"], job["stored"], job["failed"]) == ("done", 2000, 1998, 2)
        assert [(e["row"], e["field"]) for e in job["errors"]] == [(778, "endpoint"), (1501, "addresses[0]")]
        assert http.get("/v1/devices", params={"limit": 1}).json()["total"] == 1998
        assert http.get("/v1/groups/all").json()["member_count"] == 1998
        assert [j["id"] for j in http.get("/v1/imports").json()["items"]] == [job["id"]]


def test_csv_import_stop_on_error(small_chunks: RunningServer) -> None:
    lines = ["device_id,customer,endpoint,addresses,access_port,access_vlan,groups"]
    for d in devices(300):
        lines.append(
            f"{d['device_id']},acme,{d['endpoint']},{';'.join(d['addresses'])},{d['access_port']},{d['access_vlan']},all"
        )
    lines[121] = lines[121].replace(",acme,", ",nobody,")  # row 121 (line 122)
    with small_chunks.client() as http:
        started = http.post(
            "/v1/imports",
            content="\n".join(lines).encode(),
            params={"on_error": "stop"},
            headers={"Content-Type": "text/csv"},
        )
        assert started.status_code == 202, started.text
        job, _ = poll(http, started.json()["id"])
    assert (job["status"], job["done"], job["stored"], job["failed"]) == ("stopped", 121, 120, 1)
    assert [(e["row"], e["line"], e["field"], e["kind"]) for e in job["errors"]] == [
        (121, 122, "customer", "not_found")
    ]
    assert "row 121" in job["message"]


@pytest.mark.parametrize(
    ("content", "headers", "params", "status", "message"),
    [
        (b"device_id,colour\nx,red\n", {"Content-Type": "text/csv"}, {}, 422, "unknown CSV column"),
        (b"{not json", {"Content-Type": "application/json"}, {}, 422, "not valid JSON"),
        (b"[]", {"Content-Type": "application/json"}, {}, 422, "no devices"),
        (b"[]", {"Content-Type": "application/octet-stream"}, {}, 422, "format"),
        (
            json.dumps([{}] * 100_001).encode(),
            {"Content-Type": "application/json"},
            {},
            422,
            "at most 100000",
        ),
    ],
)
def test_bad_files_are_refused_whole(
    server: RunningServer,
    content: bytes,
    headers: dict[str, str],
    params: dict[str, str],
    status: int,
    message: str,
) -> None:
    with server.client() as http:
        response = http.post("/v1/imports", content=content, headers=headers, params=params)
        assert response.status_code == status
        assert message in response.json()["detail"][0]["msg"]
        assert http.get("/v1/imports").json()["items"] == []
        missing = http.get("/v1/imports/nope")
        assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["path", "job_id"]
