"""Crash safety at scale: ``p4edge serve`` killed (SIGKILL) in the middle of a 100,000-device
import keeps every chunk it committed, whole, and nothing of the chunk in flight. Importing the
same file again stores the rest (the stored rows are reported as conflicts), and the controller
stays under 1 GiB of memory."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import httpx

from controlplane.registry.imports import CHUNK_ROWS
from tests.controlplane.api.server_harness import (
    OPERATOR,
    free_port,
    serve_in_process,
    wait_for,
    write_config,
)

ROWS = 100_000


def csv_file() -> bytes:
    lines = ["device_id,customer,endpoint,addresses,access_port,access_vlan,groups"]
    for i in range(ROWS):
        lines.append(
            f"dev{i:06d},acme,2001:db8:1::{i >> 16:x}:{i & 0xFFFF:x},2001:db8:2::{i >> 16:x}:{i & 0xFFFF:x};"
            f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255},{2 + i % 8},{1 + i % 4000},all"
        )
    return ("\n".join(lines) + "\n").encode()


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


def test_kill_during_import_keeps_whole_chunks(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {OPERATOR}"}
    data = csv_file()

    with (
        serve_in_process(config, port) as proc,
        httpx.Client(base_url=url, headers=headers, timeout=300) as http,
    ):
        customer = {
            "name": "acme",
            "vlan": 100,
            "uplink_port": 1,
            "gateway_mac": "02:00:00:00:01:01",
            "prefix": "2001:db8::/32",
        }
        assert http.post("/v1/customers", json=customer).status_code == 201
        assert (
            http.post(
                "/v1/groups", json={"name": "all", "customer": "acme", "address": "ff3e::1"}
            ).status_code
            == 201
        )
        job = http.post("/v1/imports", content=data, headers={"Content-Type": "text/csv"}).json()
        wait_for(
            lambda: http.get(f"/v1/imports/{job['id']}").json()["done"] >= 2 * CHUNK_ROWS, 300, "two chunks"
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    db = sqlite3.connect(tmp_path / "registry.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = db.execute("SELECT count(*) FROM devices").fetchone()[0]
        assert stored >= 2 * CHUNK_ROWS and stored % CHUNK_ROWS == 0, stored
        # Every stored device is whole: endpoint + two access addresses, and its membership.
        assert db.execute("SELECT count(*) FROM device_addresses").fetchone()[0] == 3 * stored
        assert db.execute("SELECT count(*) FROM group_members").fetchone()[0] == stored
        # Rows are stored in file order, so the stored devices are exactly the first chunks.
        last = db.execute("SELECT max(device_id) FROM devices").fetchone()[0]
        assert last == f"dev{stored - 1:06d}"
    finally:
        db.close()

    with (
        serve_in_process(config, port) as proc,
        httpx.Client(base_url=url, headers=headers, timeout=300) as http,
    ):
        assert http.get("/v1/devices", params={"limit": 1}).json()["total"] == stored
        job = http.post("/v1/imports", content=data, headers={"Content-Type": "text/csv"}).json()
        deadline = time.monotonic() + 600
        while (job := http.get(f"/v1/imports/{job['id']}").json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
        assert (job["status"], job["stored"], job["failed"]) == ("done", ROWS - stored, stored)
        assert job["errors"][0]["field"] == "device_id" and job["errors"][0]["kind"] == "conflict"
        assert http.get("/v1/summary").json()["devices"] == ROWS
        assert http.get("/v1/groups/all").json()["member_count"] == ROWS
        rss = peak_rss_bytes(proc.pid)
        print(f"controller peak RSS after {ROWS} devices: {rss / 2**20:.0f} MiB")
        assert rss <= 1 << 30
