"""``p4edge`` against a real controller over HTTP: each command, progress of an import, and
errors as one clean line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from controlplane.cli import app
from controlplane.registry.model import AccessSighting
from tests.controlplane.api.server_harness import (
    OPERATOR,
    READER,
    REPO,
    RunningServer,
    free_port,
    load_test_config,
    serve_in_thread,
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with serve_in_thread(load_test_config(tmp_path)) as running:
        yield running


def p4edge(server: RunningServer, *args: str, token: str | None = OPERATOR) -> Result:
    env = {"P4EDGE_URL": server.url, "P4EDGE_TOKEN": token or ""}
    return CliRunner().invoke(app, list(args), env=env)


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result.stdout


def failed(result: Result) -> str:
    """The one error line of a failed command."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def add_acme(server: RunningServer) -> None:
    ok(
        p4edge(
            server,
            "customer",
            "add",
            "acme",
            "--vlan",
            "100",
            "--uplink-port",
            "1",
            "--gateway-mac",
            "02:00:00:00:01:01",
            "--prefix",
            "2001:db8:100::/48",
            "--anycast",
            "2001:db8:100::ffff",
        )
    )


def test_customers(server: RunningServer) -> None:
    add_acme(server)
    listing = ok(p4edge(server, "customer", "list"))
    assert listing.splitlines()[0].split()[:4] == ["NAME", "ID", "VLAN", "UPLINK"]
    assert listing.splitlines()[1].split()[:4] == ["acme", "1", "100", "1"]
    assert "2001:db8:100::/48" in ok(p4edge(server, "customer", "show", "acme"))
    shown = json.loads(ok(p4edge(server, "--json", "customer", "show", "acme")))
    assert shown["gateway_mac"] == "02:00:00:00:01:01"
    clash = failed(
        p4edge(
            server,
            "customer",
            "add",
            "beta",
            "--vlan",
            "100",
            "--uplink-port",
            "1",
            "--gateway-mac",
            "02:00:00:00:02:01",
            "--prefix",
            "2001:db8:200::/48",
        )
    )
    assert (
        clash
        == "error: vlan: VLAN 100 on uplink port 1 is already the connection of customer 'acme' [HTTP 409]"
    )
    assert ok(p4edge(server, "customer", "rm", "acme")).strip() == "removed customer acme"
    assert (
        failed(p4edge(server, "customer", "show", "acme"))
        == "error: name: customer 'acme' does not exist [HTTP 404]"
    )


def test_devices_and_groups(server: RunningServer) -> None:
    add_acme(server)
    ok(p4edge(server, "group", "add", "lights", "--customer", "acme", "--address", "ff3e::1"))
    ok(
        p4edge(
            server,
            "device",
            "add",
            "sensor-1",
            "--customer",
            "acme",
            "--endpoint",
            "2001:db8:100::1",
            "--address",
            "2001:db8:ff::1",
            "--address",
            "10.0.0.1",
            "--port",
            "3",
            "--vlan",
            "12",
            "--group",
            "lights",
        )
    )
    ok(
        p4edge(
            server,
            "device",
            "add",
            "sensor-2",
            "--customer",
            "acme",
            "--endpoint",
            "2001:db8:100::2",
            "--address",
            "2001:db8:ff::2",
            "--port",
            "3",
        )
    )
    rows = ok(p4edge(server, "device", "list")).splitlines()
    assert rows[0].split()[0] == "DEVICE" and [r.split()[0] for r in rows[1:]] == ["sensor-1", "sensor-2"]
    assert "2001:db8:ff::1,10.0.0.1" in rows[1]
    paged = ok(p4edge(server, "device", "list", "--limit", "1")).splitlines()
    assert paged[-1] == "(1-1 of 2; see --offset/--limit)"
    shown = ok(p4edge(server, "device", "show", "sensor-1"))
    assert "access_vlan   12" in shown and "groups        lights" in shown
    bad = failed(
        p4edge(
            server,
            "device",
            "add",
            "sensor-3",
            "--customer",
            "acme",
            "--endpoint",
            "2001:db8:999::3",
            "--address",
            "2001:db8:ff::1",
            "--port",
            "3",
        )
    )
    assert bad.startswith("error: endpoint: 2001:db8:999::3 is outside the prefix 2001:db8:100::/48")
    assert "addresses[0]: 2001:db8:ff::1 is already used by device 'sensor-1'" in bad and bad.endswith(
        "[HTTP 422]"
    )
    ok(p4edge(server, "group", "join", "lights", "sensor-2"))
    assert ok(p4edge(server, "group", "list")).splitlines()[1].split() == ["lights", "acme", "ff3e::1", "2"]
    ok(p4edge(server, "group", "leave", "lights", "sensor-1"))
    assert "members       sensor-2" in ok(p4edge(server, "group", "show", "lights"))
    sent = failed(p4edge(server, "group", "send", "lights", "reboot"))
    assert sent == "error: no edge switch connected: cannot send an instruction to group 'lights' [HTTP 503]"
    assert "no edge switch connected" in failed(p4edge(server, "device", "counters", "sensor-1"))
    assert ok(p4edge(server, "device", "rm", "sensor-1")).strip() == "removed device sensor-1"
    assert ok(p4edge(server, "group", "rm", "lights")).strip() == "removed group lights"


def test_import_with_progress(server: RunningServer, tmp_path: Path) -> None:
    add_acme(server)
    rows = ["device_id,customer,endpoint,addresses,access_port,access_vlan"]
    rows += [f"d{i},acme,2001:db8:100::{i:x},10.1.{i // 256}.{i % 256},4,{1 + i % 100}" for i in range(500)]
    good = tmp_path / "devices.csv"
    good.write_text("\n".join(rows) + "\n")
    result = ok(p4edge(server, "import", str(good)))
    assert result.splitlines()[-1] == "done: 500 stored, 0 failed of 500"
    again = p4edge(server, "import", str(good))  # every row exists by now
    assert again.exit_code == 1 and "importing devices.csv" in again.stderr  # the progress bar
    assert again.stdout.splitlines()[0] == "done: 0 stored, 500 failed of 500"
    assert again.stdout.splitlines()[1] == "  row 1 (line 2): device_id: device 'd0' already exists"
    bad = tmp_path / "more.csv"
    bad.write_text(
        "\n".join(
            [rows[0], "n1,acme,2001:db8:100::1001,10.2.0.1,4,", "x10,acme,2001:db8:200::10,10.9.0.10,4,"]
        )
    )
    partly = p4edge(server, "import", str(bad))
    assert partly.exit_code == 1
    assert partly.stdout.splitlines() == [
        "done: 1 stored, 1 failed of 2",
        "  row 2 (line 3): endpoint: 2001:db8:200::10 is outside the prefix 2001:db8:100::/48 of customer 'acme'",
    ]
    as_json = tmp_path / "devices.json"
    as_json.write_text(
        json.dumps(
            [
                {
                    "device_id": "j1",
                    "customer": "acme",
                    "endpoint": "2001:db8:100::2001",
                    "addresses": ["10.3.0.1"],
                    "access_port": 5,
                }
            ]
        )
    )
    assert ok(p4edge(server, "import", str(as_json))).splitlines()[-1] == "done: 1 stored, 0 failed of 1"
    assert failed(p4edge(server, "import", str(tmp_path / "missing.csv"))).startswith("error: cannot read")


def test_requests(server: RunningServer) -> None:
    add_acme(server)
    registry = server.registry
    first = registry.record_access_request(
        AccessSighting(port=5, vlan=7, src_mac="02:00:00:00:aa:01", src_addr="2001:db8:ff::aa")
    )
    second = registry.record_access_request(
        AccessSighting(port=6, vlan=None, src_mac="02:00:00:00:aa:02", src_addr="10.6.0.2")
    )
    listing = ok(p4edge(server, "requests")).splitlines()
    assert listing[0].split()[:5] == ["ID", "PORT", "VLAN", "MAC", "ADDRESS"]
    assert [line.split()[:5] for line in listing[1:]] == [
        [str(first.id), "5", "7", "02:00:00:00:aa:01", "2001:db8:ff::aa"],
        [str(second.id), "6", "-", "02:00:00:00:aa:02", "10.6.0.2"],
    ]
    approved = ok(
        p4edge(
            server,
            "requests",
            "approve",
            str(first.id),
            "--device-id",
            "new-1",
            "--customer",
            "acme",
            "--endpoint",
            "2001:db8:100::aa",
        )
    )
    assert "access_vlan   7" in approved and "access_port   5" in approved
    assert (
        ok(p4edge(server, "requests", "deny", str(second.id))).strip() == f"denied access request {second.id}"
    )
    assert ok(p4edge(server, "requests", "list")).splitlines()[1:] == []
    statuses = [
        line.split()[-1]
        for line in ok(p4edge(server, "requests", "list", "--status", "all")).splitlines()[1:]
    ]
    assert statuses == ["approved", "denied"]


def test_switch_status_and_summary(server: RunningServer) -> None:
    lines = ok(p4edge(server, "switch", "status", token=READER)).splitlines()
    assert lines[1].split()[:5] == ["edge1", "127.0.0.1:9559", "1", "no", "no"]
    assert "devices           0" in ok(p4edge(server, "summary", token=READER))


def test_auth_errors_are_one_line(server: RunningServer) -> None:
    assert failed(p4edge(server, "customer", "list", token=None)) == (
        "error: missing bearer token: send 'Authorization: Bearer TOKEN' (pass --token or set P4EDGE_TOKEN) [HTTP 401]"
    )
    assert failed(p4edge(server, "customer", "list", token="wrong-token")).startswith(
        "error: invalid bearer token"
    )
    refused = failed(p4edge(server, "customer", "rm", "acme", token=READER))
    assert refused == "error: token 'viewer' is read-only; this request needs an operator token [HTTP 403]"


def run_p4edge(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "controlplane.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_entry_point_in_a_process(server: RunningServer) -> None:
    listed = run_p4edge("--url", server.url, "--token", OPERATOR, "customer", "list")
    assert listed.returncode == 0 and listed.stdout.split()[0] == "NAME"
    down = run_p4edge("--url", f"http://127.0.0.1:{free_port()}", "customer", "list")
    assert down.returncode == 1 and down.stdout == ""
    assert down.stderr.startswith("error: cannot reach the controller at http://127.0.0.1:")
    assert len(down.stderr.strip().splitlines()) == 1
    helped = run_p4edge("--help")
    assert helped.returncode == 0 and "customer" in helped.stdout and "import" in helped.stdout
    bad_config = run_p4edge("serve", "--config", "/nonexistent/p4edge.toml")
    assert bad_config.returncode == 1
    assert (
        bad_config.stderr.strip() == "error: /nonexistent/p4edge.toml: cannot read: No such file or directory"
    )
    example = run_p4edge("config", "example")
    assert example.returncode == 0 and 'role = "read-only"' in example.stdout
