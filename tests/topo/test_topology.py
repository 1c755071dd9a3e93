"""Topology files: what they mean, and errors that name the field at fault."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from topo.demo import scenario
from topo.runner import controller_config
from topo.topology import (
    FIRST_GRPC_PORT,
    LinkEnd,
    Target,
    TopologyError,
    load_topology,
    parse_topology,
)

DEMO = Path(__file__).resolve().parents[2] / "topo" / "demo" / "topology.json"


def _small() -> dict[str, Any]:
    return {
        "hosts": {
            "h1": {"ip": "2001:db8::1/64", "mac": "02:00:00:00:00:01", "commands": ["ip -6 route"]},
            "h2": {"ip": ["10.0.0.2/24", "2001:db8::2/64"], "mac": "02:00:00:00:00:02", "vlan": 7},
        },
        "switches": {"s1": {"cpu_port": 64}, "s2": {"target": "bmv2", "grpc_port": 50070, "device_id": 9}},
        "bridges": {"br": {}},
        "links": [
            ["h1", "s1-p1"],
            ["s1-p2", "br", "5ms", 10],
            {"ends": ["h2", "br"], "latency": 0, "bandwidth": 0},
            ["s1-p3", "s2-p1", "1.5ms"],
        ],
    }


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(TopologyError) as info:
        parse_topology(data)
    return str(info.value)


def test_a_topology_means_what_it_says() -> None:
    spec = parse_topology(_small())
    assert spec.name == "p4e"
    h1, h2 = spec.hosts["h1"], spec.hosts["h2"]
    assert h1.addresses == ("2001:db8::1/64",) and h1.vlan is None and h1.ip_ifname == "eth0"
    assert h2.addresses == ("10.0.0.2/24", "2001:db8::2/64") and h2.ip_ifname == "eth0.7"
    s1, s2 = spec.switches["s1"], spec.switches["s2"]
    # gRPC ports and device ids count up from the tutorials' 50051 and 1 unless given.
    assert (s1.grpc_port, s1.device_id, s1.cpu_port, s1.target) == (FIRST_GRPC_PORT, 1, 64, Target.SOFTSWITCH)
    assert (s2.grpc_port, s2.device_id, s2.target) == (50070, 9, Target.BMV2)
    assert s1.program is None and s1.grpc_addr == "127.0.0.1:50051"
    links = spec.links
    assert links[0].ends == (LinkEnd("h1"), LinkEnd("s1", 1)) and links[0].latency is None
    assert (links[1].latency, links[1].bandwidth) == ("5ms", 10.0)
    assert (links[2].latency, links[2].bandwidth) == (None, None)  # zero means none
    assert links[3].latency == "1.5ms"
    assert spec.switch_ports("s1") == {1: "p4e-s1-eth1", 2: "p4e-s1-eth2", 3: "p4e-s1-eth3"}
    assert spec.netns_name("h2") == "p4e-h2"
    assert spec.port_of_host("h1") == ("s1", 1)
    assert spec.port_of_host("h2") is None  # behind the bridge
    assert spec.with_target(Target.BMV2).switches["s1"].target is Target.BMV2


def test_a_bare_latency_number_is_milliseconds() -> None:
    data = _small()
    data["links"][1] = ["s1-p2", "br", 3]
    assert parse_topology(data).links[1].latency == "3ms"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["hosts"]["h1"].pop("mac"), "hosts.h1.mac: is required"),
        (lambda d: d["hosts"]["h1"].update(mac="02:00:00:00:00"), "hosts.h1.mac: must be a MAC address"),
        (
            lambda d: d["hosts"]["h1"].update(mac="01:00:00:00:00:01"),
            "hosts.h1.mac: 01:00:00:00:00:01 is a multicast",
        ),
        (
            lambda d: d["hosts"]["h1"].update(ip="2001:db8::1"),
            "hosts.h1.ip: must be an address with its prefix",
        ),
        (lambda d: d["hosts"]["h2"].update(ip=["10.0.0.2/24", "nope/3"]), "hosts.h2.ip[1]: 'nope/3' is not"),
        (lambda d: d["hosts"]["h2"].update(vlan=4095), "hosts.h2.vlan: must be in 1..4094, not 4095"),
        (lambda d: d["hosts"]["h2"].update(vlan="7"), "hosts.h2.vlan: must be an integer"),
        (lambda d: d["hosts"]["h1"].update(commands="ip link"), "hosts.h1.commands: must be a list"),
        (lambda d: d["hosts"]["h1"].update(gateway="x"), "hosts.h1.gateway: unknown key"),
        (
            lambda d: d["switches"]["s1"].update(target="tofino"),
            "switches.s1.target: must be one of softswitch, bmv2",
        ),
        (lambda d: d["switches"]["s1"].update(grpc_port=70000), "switches.s1.grpc_port: must be in 1..65535"),
        (
            lambda d: d["switches"]["s2"].update(grpc_port=50051),
            "switches.s2.grpc_port: 50051 is also switch s1's",
        ),
        (lambda d: d["switches"]["s1"].update(cpu_port=1), "links[0]: port s1-p1 is the switch's cpu_port"),
        (
            lambda d: d["switches"]["s1"].update(runtime_json="x.json"),
            "switches.s1.runtime_json: unknown key",
        ),
        (lambda d: d.update(switches={}), "switches: a topology needs at least one switch"),
        (lambda d: d.update(name="Demo"), "name: must be a lower-case letter"),
        (lambda d: d.update(name="verylongname"), "name: must be a lower-case letter"),
        (lambda d: d["links"].append(["h9", "s1-p9"]), "links[4][0]: 'h9' is no host, bridge or switch port"),
        (lambda d: d["links"].append(["br", "s1"]), "links[4][1]: name a port of switch s1, like s1-p1"),
        (lambda d: d["links"].append(["br", "s1-p600"]), "links[4][1]: s1-p600: switch ports are 0..510"),
        (lambda d: d["links"].append(["br", "s1-p1"]), "links[4]: port s1-p1 is already linked by links[0]"),
        (lambda d: d["links"].append(["h1", "br"]), "links[4]: host h1 is already linked by links[0]"),
        (lambda d: d["links"].append(["br", "br"]), "links[4]: a link joins two different ends"),
        (lambda d: d["links"].append(["br", "s1-p5", "fast"]), "links[4][2]: must be a time like 5ms"),
        (
            lambda d: d["links"].append(["br", "s1-p5", "1ms", "lots"]),
            "links[4][3]: must be a number of Mbit/s",
        ),
        (lambda d: d["links"].append(["br", "s1-p5", "1ms", -1]), "links[4][3]: must be in 0..100000"),
        (lambda d: d["links"].append(["br"]), "links[4]: must be [END, END]"),
        (
            lambda d: d["links"].append({"ends": ["br", "s1-p5"], "delay": "1ms"}),
            "links[4].delay: unknown key",
        ),
        (lambda d: d["links"].pop(0), "hosts.h1: no link reaches this host"),
        (lambda d: d["bridges"].update(h1={}), "bridges.h1: the name is also used by a host"),
        (lambda d: d["hosts"].update({"h-3": {}}), "hosts.h-3: names are a letter"),
        (
            lambda d: (
                d.update(name="abcdefg", switches={"sw1": {}, "s2": {}})
                or d["links"].__setitem__(0, ["h1", "sw1-p10"])
                or d["links"].__setitem__(1, ["sw1-p2", "br"])
                or d["links"].__setitem__(3, ["sw1-p3", "s2-p1"])
            ),
            "interface name 'abcdefg-sw1-eth10' is longer than 15 characters",
        ),
        (lambda d: d.update(controller={"config": "x.toml", "url": "y"}), "controller.url: unknown key"),
    ],
)
def test_errors_name_the_field(change: Any, expected: str) -> None:
    data = _small()
    change(data)
    assert expected in _error(data)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "topo.json"
    path.write_text('{"hosts": {}, "switches": {"s1": {}},}')
    with pytest.raises(TopologyError, match=r"topo\.json:1:\d+: not valid JSON"):
        load_topology(path)
    path.write_text(json.dumps({"switches": {"s1": {"grpc_port": "x"}}}))
    with pytest.raises(TopologyError, match=r"topo\.json: switches\.s1\.grpc_port: must be an integer"):
        load_topology(path)
    with pytest.raises(TopologyError, match="cannot read"):
        load_topology(tmp_path / "missing.json")


def test_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "topo.json"
    path.parent.mkdir()
    data = {"switches": {"s1": {"program": "../p4/edge.p4"}}, "controller": {"config": "c.toml"}}
    path.write_text(json.dumps(data))
    spec = load_topology(path)
    assert spec.switches["s1"].program == (tmp_path / "p4" / "edge.p4").resolve()
    assert spec.controller is not None and spec.controller.config == (tmp_path / "sub" / "c.toml").resolve()


def test_the_controller_config_gets_the_topologys_switches(tmp_path: Path) -> None:
    base = tmp_path / "controller.toml"
    base.write_text(
        '[registry]\ndatabase = "db/p4edge.db"\n[api]\nlisten = "127.0.0.1:18080"\n'
        '[[switches]]\nname = "s1"\naccess_ports = [1]\n'
    )
    data = _small()
    data["controller"] = {"config": "controller.toml"}
    (tmp_path / "topo.json").write_text(json.dumps(data))
    spec = load_topology(tmp_path / "topo.json")
    config = controller_config(spec, tmp_path / "run")
    assert config["registry"] == {"database": str(tmp_path / "db" / "p4edge.db")}
    assert config["switches"] == [
        {"name": "s1", "access_ports": [1], "grpc_addr": "127.0.0.1:50051", "device_id": 1,
         "target": "softswitch", "cpu_port": 64},
        {"name": "s2", "grpc_addr": "127.0.0.1:50070", "device_id": 9, "target": "bmv2"},
    ]  # fmt: skip
    base.write_text('[[switches]]\nname = "s7"\n')
    with pytest.raises(Exception, match=r"switches\[0\]: name must be one of the topology's switches"):
        controller_config(spec, tmp_path / "run")


# ---- the demo ----------------------------------------------------------------------------------


def test_the_demo_topology_loads() -> None:
    spec = load_topology(DEMO)
    assert spec.name == "p4e"
    assert set(spec.hosts) == {"h1", "h2", "h3", "h4", "vpc1", "vpc2"}
    assert [h for h in spec.hosts.values() if h.vlan is not None and h.name.startswith("h")] == [
        spec.hosts["h4"]
    ]
    assert spec.switches["s1"].grpc_port == FIRST_GRPC_PORT


def _host_has(spec_host_addresses: tuple[str, ...], address: str) -> bool:
    return any(ipaddress.ip_interface(a).ip == ipaddress.ip_address(address) for a in spec_host_addresses)


def test_the_demo_registrations_match_the_topology() -> None:
    """Each device is registered at the port and VLAN its host is wired to, from its host's
    address, toward an endpoint its customer's VPC host holds; each customer's gateway MAC is its
    VPC host's and its VLAN connection is that host's VLAN on the uplink."""
    spec = load_topology(DEMO)
    customers = {c["name"]: c for c in scenario.CUSTOMERS}
    uplinks = {
        end.port
        for link in spec.links
        for end in link.ends
        if end.port is not None and any(other.node in spec.bridges for other in link.ends)
    }
    for customer in customers.values():
        vpc = spec.hosts[scenario.VPC_HOSTS[customer["name"]]]
        assert customer["gateway_mac"] == vpc.mac
        assert customer["vlan"] == vpc.vlan
        assert {customer["uplink_port"]} == uplinks
    for host_name, device in scenario.DEVICES:
        host = spec.hosts[host_name]
        assert spec.port_of_host(host_name) == ("s1", device["access_port"])
        assert device.get("access_vlan") == host.vlan
        assert all(_host_has(host.addresses, a) for a in device["addresses"])
        vpc = spec.hosts[scenario.VPC_HOSTS[device["customer"]]]
        assert _host_has(vpc.addresses, device["endpoint"])
        assert ipaddress.ip_address(device["endpoint"]) in ipaddress.ip_network(
            customers[device["customer"]]["prefix"]
        )
    host_name, address = scenario.UNKNOWN_SENDER
    # A deprecated address (preferred_lft 0): used only when a sender asks for it.
    assert f"ip -6 address add {address}/64 dev eth0 nodad preferred_lft 0" in spec.hosts[host_name].commands
    assert all(address not in d["addresses"] for _h, d in scenario.DEVICES)
    assert _host_has(spec.hosts["vpc2"].addresses, scenario.UNKNOWN_ENDPOINT)
    assert all(d["endpoint"] != scenario.UNKNOWN_ENDPOINT for _h, d in scenario.DEVICES)
    devices = {d["device_id"]: d for _h, d in scenario.DEVICES}
    for group in scenario.GROUPS:
        assert {devices[m]["customer"] for m in group["members"]} == {group["customer"]}
