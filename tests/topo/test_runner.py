"""The topology runner: real namespaces, veth pairs, switch processes and teardown (needs root)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from softswitch.ports.rawsock import RawPort
from topo.netns import Netns, TopoError, missing_tools
from topo.processes import RunState, is_running, port_in_use, wait_until
from topo.runner import down, start_process, stop_process, up
from topo.topology import TopologySpec, parse_topology

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or bool(missing_tools("ip", "ethtool", "tc")),
    reason="needs root (network namespaces) and ip, ethtool and tc (Debian iproute2, ethtool)",
)

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 10.0


def _name() -> str:
    return "t" + secrets.token_hex(3)[:5]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _quiet(_line: str) -> None:
    pass


def _leftovers(name: str) -> list[str]:
    """Namespaces, interfaces and processes whose names mention ``name``."""
    found = [f"netns {n}" for n in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                                                  check=True).stdout.split() if name in n]  # fmt: skip
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    found += [f"link {line.split(':')[1].strip()}" for line in links.splitlines() if name in line]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                status = (entry / "status").read_text()
            except OSError:
                continue
            if name in cmdline and "State:\tZ" not in status:
                found.append(f"process {entry.name}: {cmdline}")
    return found


@pytest.fixture
def name() -> Iterator[str]:
    value = _name()
    yield value
    assert not _leftovers(value)


@pytest.fixture
def states() -> Iterator[list[RunState]]:
    """Topologies a test brought up; taken down at the end whatever happened."""
    running: list[RunState] = []
    yield running
    for state in running:
        if state.path.exists():
            down(state, echo=_quiet)


def _switch_only(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "switches": {"s1": {"grpc_port": _free_port(), "cpu_port": 64}}, **extra}


def _up(spec: TopologySpec, tmp_path: Path, states: list[RunState], **kwargs: Any) -> RunState:
    state = up(spec, tmp_path / "state.json", echo=_quiet, **kwargs)
    states.append(state)
    return state


def test_up_builds_everything_and_down_removes_it(tmp_path: Path, name: str, states: list[RunState]) -> None:
    data = _switch_only(
        name,
        hosts={
            "h1": {"ip": "2001:db8:1::1/64", "mac": "02:00:00:00:01:01",
                   "commands": ["ip -6 route add 2001:db8:99::/64 via fe80::1 dev eth0"]},
            "h2": {"ip": ["2001:db8:1::2/64", "10.1.0.2/24"], "mac": "02:00:00:00:01:02", "vlan": 42},
        },
        bridges={"br": {}},
        links=[["h1", "s1-p1"], ["s1-p2", "br", "0ms", 50], ["h2", "br"]],
    )  # fmt: skip
    spec = parse_topology(data)
    state = _up(spec, tmp_path, states)

    assert set(state.namespaces) == {f"{name}-br", f"{name}-h1", f"{name}-h2"}
    assert state.links == [f"{name}-s1-eth1", f"{name}-s1-eth2"]
    assert all(Netns(n).exists() for n in state.namespaces)
    assert port_in_use("127.0.0.1", spec.switches["s1"].grpc_port)
    assert is_running(state.processes["s1"])
    argv = state.processes["s1"].argv
    assert argv[argv.index("--cpu-port") + 1] == "64" and "--no-p4" in argv
    assert f"1@{name}-s1-eth1" in argv and f"2@{name}-s1-eth2" in argv

    h1, h2 = Netns(f"{name}-h1"), Netns(f"{name}-h2")
    assert h1.mac_address("eth0") == "02:00:00:00:01:01"
    assert "2001:db8:1::1/64" in h1.ip("-6", "address", "show", "dev", "eth0")
    assert "2001:db8:99::/64 via fe80::1" in h1.ip("-6", "route")  # the host's commands ran
    shown = h2.ip("address", "show", "dev", "eth0.42")
    assert "2001:db8:1::2/64" in shown and "10.1.0.2/24" in shown and "02:00:00:00:01:02" in shown
    assert "off" in h1.exec("ethtool", "-k", "eth0").split("tx-checksumming:")[1].splitlines()[0]
    # The link with a bandwidth is rate-limited in both directions.
    assert "tbf" in subprocess.run(["tc", "qdisc", "show", "dev", f"{name}-s1-eth2"], capture_output=True,
                                   text=True, check=True).stdout  # fmt: skip
    assert "tbf" in Netns(f"{name}-br").exec("tc", "qdisc", "show", "dev", "port0")

    saved = RunState.load(state.path)
    assert saved.processes["s1"].pid == state.processes["s1"].pid
    assert saved.hosts == {"h1": f"{name}-h1", "h2": f"{name}-h2"}

    assert down(state, echo=_quiet) == []
    assert not state.path.exists()
    assert not any(Netns(n).exists() for n in state.namespaces)
    assert not any(is_running(p) for p in state.processes.values())
    assert not port_in_use("127.0.0.1", spec.switches["s1"].grpc_port)


def _udp_receiver(ns: Netns, address: str, port: int) -> socket.socket:
    with ns.entered():
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.bind((address, port))
    sock.settimeout(0.2)
    return sock


def _send(ns: Netns, address: str, port: int, payload: bytes) -> None:
    with ns.entered(), socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.sendto(payload, (address, port))


def _arrives(sock: socket.socket, payload: bytes, timeout: float = WAIT_S) -> bool:
    """Whether ``payload`` arrives on ``sock`` within ``timeout`` (other datagrams are skipped)."""
    found = False

    def check() -> bool:
        nonlocal found
        try:
            data, _ = sock.recvfrom(2048)
        except TimeoutError:
            return False
        found = data == payload
        return found

    try:
        wait_until(check, timeout, "datagram")
    except TopoError:
        return False
    return found


def test_vlan_hosts_are_tagged_and_separated(tmp_path: Path, name: str, states: list[RunState]) -> None:
    """Hosts with a VLAN send tagged frames, and only hosts of the same VLAN hear them."""

    def neighbour(address: str, mac: str, vlan: int) -> str:
        return f"ip -6 neigh replace {address} lladdr {mac} dev eth0.{vlan} nud permanent"

    commands = {
        "a": [
            neighbour("2001:db8::b", "02:00:00:00:00:0b", 100),
            neighbour("2001:db8::c", "02:00:00:00:00:0c", 100),
        ],
        "b": [neighbour("2001:db8::a", "02:00:00:00:00:0a", 100)],
        "c": [],
    }
    hosts = {
        h: {"ip": f"2001:db8::{h}/64", "mac": f"02:00:00:00:00:0{h}", "vlan": vlan, "commands": commands[h]}
        for h, vlan in (("a", 100), ("b", 100), ("c", 200))
    }
    data = _switch_only(name, hosts=hosts, bridges={"br": {}}, links=[["a", "br"], ["b", "br"], ["c", "br"]])
    _up(parse_topology(data), tmp_path, states)
    a, b, c = (Netns(f"{name}-{h}") for h in "abc")

    with b.entered():
        trunk = RawPort("eth0")  # b's veth, where frames arrive tagged
    try:
        to_b = _udp_receiver(b, "2001:db8::b", 9000)
        to_c = _udp_receiver(c, "2001:db8::c", 9000)
        _send(a, "2001:db8::b", 9000, b"same vlan")
        assert _arrives(to_b, b"same vlan")
        tagged = []
        while (frame := trunk.recv()) is not None:
            if frame[6:12] == bytes.fromhex("02000000000a") and b"same vlan" in frame:
                tagged.append(frame)
        assert tagged and all(f[12:16] == bytes.fromhex("81000064") for f in tagged)  # VLAN 100, PCP 0

        # c (VLAN 200) has the address a sends to next, but must not hear it; b still hears a.
        _send(a, "2001:db8::c", 9000, b"to c from vlan 100")
        _send(a, "2001:db8::b", 9000, b"after")
        assert _arrives(to_b, b"after")
        assert not _arrives(to_c, b"to c from vlan 100", timeout=0.5)
        to_b.close()
        to_c.close()
    finally:
        trunk.close()


def test_links_with_latency_get_netem_or_a_clear_error(
    tmp_path: Path, name: str, states: list[RunState]
) -> None:
    data = _switch_only(name, bridges={"br": {}}, links=[["s1-p1", "br", "2ms", 10]])
    try:
        state = _up(parse_topology(data), tmp_path, states)
    except TopoError as e:  # a kernel without sch_netem (like some VMs)
        assert "links[0]: this kernel has no latency (tc netem) queueing discipline" in str(e)
        assert not (tmp_path / "state.json").exists()
        return
    shown = subprocess.run(["tc", "qdisc", "show", "dev", state.links[0]], capture_output=True, text=True,
                           check=True).stdout  # fmt: skip
    assert "netem" in shown and "delay 2ms" in shown and "tbf" in shown


def test_a_failed_step_takes_down_what_was_built(tmp_path: Path, name: str, states: list[RunState]) -> None:
    data = _switch_only(
        name,
        hosts={"h1": {"ip": "10.0.0.1/24", "mac": "02:00:00:00:00:01", "commands": ["true", "exit 3"]}},
        links=[["h1", "s1-p1"]],
    )
    with pytest.raises(TopoError, match=r"hosts\.h1\.commands\[1\]: .*exit status 3"):
        _up(parse_topology(data), tmp_path, states)
    assert not (tmp_path / "state.json").exists()
    assert not Netns(f"{name}-h1").exists()


def test_a_switch_that_cannot_start_is_reported_with_its_log(
    tmp_path: Path, name: str, states: list[RunState]
) -> None:
    bad = tmp_path / "bad.p4"
    bad.write_text("this is not P4\n")
    data = _switch_only(name)
    data["switches"]["s1"]["program"] = str(bad)
    with pytest.raises(TopoError, match=r"s1 exited during start-up \(log .*\)"):
        _up(parse_topology(data), tmp_path, states)
    assert not (tmp_path / "state.json").exists()


def test_a_second_up_is_refused_and_processes_restart(
    tmp_path: Path, name: str, states: list[RunState]
) -> None:
    spec = parse_topology(_switch_only(name, bridges={"br": {}}, links=[["s1-p1", "br"]]))
    state = _up(spec, tmp_path, states)
    with pytest.raises(TopoError, match="is already running"):
        up(spec, state.path, echo=_quiet)
    grpc = spec.switches["s1"].grpc_port
    first_pid = state.processes["s1"].pid
    stop_process(state, "s1")
    assert not port_in_use("127.0.0.1", grpc)
    assert RunState.load(state.path).processes["s1"].pid == 0
    start_process(state, "s1")
    assert port_in_use("127.0.0.1", grpc)
    assert state.processes["s1"].pid not in (0, first_pid)
    with pytest.raises(TopoError, match="already running"):
        start_process(state, "s1")


def test_the_command_line_runs_a_topology_with_its_controller(tmp_path: Path, name: str) -> None:
    listen = f"127.0.0.1:{_free_port()}"
    (tmp_path / "controller.toml").write_text(
        f'[api]\nlisten = "{listen}"\n[[tokens]]\nname = "op"\ntoken = "operator-token"\nrole = "operator"\n'
    )
    topology = tmp_path / "topology.json"
    data = _switch_only(
        name, bridges={"br": {}}, links=[["s1-p1", "br"]], controller={"config": "controller.toml"}
    )
    topology.write_text(json.dumps(data))
    state_path = tmp_path / "state.json"

    def runner(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "topo.runner", *args, str(topology), "--state", str(state_path)]
        return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)

    try:
        started = runner("up")
        assert started.returncode == 0, started.stderr
        assert f"controller: REST http://{listen}" in started.stdout
        state = RunState.load(state_path)
        assert state.controller_url == f"http://{listen}"
        assert Path(state.controller_config or "").exists()
        assert (tmp_path / f"{name}.db").exists()  # no database in the config: next to the state
        shown = runner("status")
        assert shown.returncode == 0 and "controller controller: running" in shown.stdout
        again = runner("up")
        assert again.returncode == 1 and "is already running" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        stopped = runner("down")
    assert stopped.returncode == 0, stopped.stderr
    assert "topology " + name + ": down" in stopped.stdout
    assert runner("status").returncode == 3


def test_command_line_errors_are_one_line(tmp_path: Path) -> None:
    topology = tmp_path / "topology.json"
    topology.write_text(json.dumps({"switches": {"s1": {"grpc_port": "x"}}}))
    done = subprocess.run([sys.executable, "-m", "topo.runner", "up", str(topology)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"topo.runner: {topology}: switches.s1.grpc_port: must be an integer, not 'x'"
    ]
