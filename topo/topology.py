"""Topology files: hosts, switches, bridges and links, in the JSON shape of p4lang/tutorials.

::

    {
      "name": "p4e",
      "hosts": {
        "h1": {"ip": "2001:db8:a::1/64", "mac": "02:00:00:0a:00:01",
               "commands": ["ip -6 route add default via fe80::1 dev eth0"]},
        "h4": {"ip": ["2001:db8:b::4/64"], "mac": "02:00:00:0b:00:04", "vlan": 100}
      },
      "switches": {
        "s1": {"target": "softswitch", "grpc_port": 50051, "device_id": 1, "cpu_port": 255}
      },
      "bridges": {"vpcbr": {}},
      "links": [["h1", "s1-p1"], ["s1-p5", "vpcbr", "0ms", 100],
                {"ends": ["h4", "s1-p4"], "latency": "2ms", "bandwidth": 10}],
      "controller": {"config": "controller.toml"}
    }

- ``name`` (default ``p4e``) starts every namespace and interface name the runner creates, so
  that two topologies with different names can run side by side.
- A host is a network namespace ``<name>-<host>`` with one interface, ``eth0``, linked to a switch
  port or a bridge. ``ip`` is one address or a list, in CIDR form (IPv6 or IPv4). With ``vlan``
  the addresses sit on ``eth0.<vlan>`` and everything the host sends leaves ``eth0`` tagged.
  ``commands`` run inside the namespace in order (``sh -c``), after the addresses are up.
- A switch runs in the runner's own namespace; its port ``N`` is the interface
  ``<name>-<switch>-eth<N>``. ``program`` (optional, relative to this file) is loaded at start;
  without it the switch waits for the controller's pipeline (``--no-p4``). ``target`` is
  ``softswitch`` (default) or ``bmv2``. gRPC ports start at 50051 by convention.
- A bridge is a namespace ``<name>-<bridge>`` holding a Linux bridge ``br0``; every link to it
  becomes a bridge port. Tagged frames pass through unchanged.
- A link is ``[END, END]`` or ``[END, END, LATENCY, BANDWIDTH]`` (tutorials style) or an object
  with ``ends``, ``latency`` and ``bandwidth``. An end is a host or bridge name, or ``<switch>-p<N>``.
  ``latency`` is a tc time (``5ms``, ``100us``; ``0`` or ``0ms`` for none), applied in each
  direction with ``tc netem``; ``bandwidth`` is in Mbit/s, applied in each direction with
  ``tc tbf``.
- ``controller`` (optional): ``config`` names a controller config file (TOML or JSON, relative to
  this file) without ``[[switches]]``; the runner adds this topology's switches to it.

Every error names the file and the field: ``topology.json: hosts.h1.mac: ...``.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

DEFAULT_NAME: Final = "p4e"
FIRST_GRPC_PORT: Final = 50051
IFNAMSIZ: Final = 15  # the longest Linux interface name
HOST_IFNAME: Final = "eth0"
MAX_PORT: Final = 510  # 511 is BMv2's drop port

_NAME = re.compile(r"[a-z][a-z0-9]{0,7}")
_NODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
_SWITCH_PORT = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,15})-p(\d{1,3})")
_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")
_TC_TIME = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s)?")


class TopologyError(Exception):
    """The topology file cannot be used; the message names the file and the field."""


class Target(enum.StrEnum):
    SOFTSWITCH = "softswitch"
    BMV2 = "bmv2"


@dataclass(frozen=True, slots=True, kw_only=True)
class Host:
    name: str
    addresses: tuple[str, ...]  # CIDR, e.g. 2001:db8::1/64
    mac: str  # lower case
    vlan: int | None
    commands: tuple[str, ...]

    @property
    def ip_ifname(self) -> str:
        """The interface inside the host's namespace that holds its addresses."""
        return HOST_IFNAME if self.vlan is None else f"{HOST_IFNAME}.{self.vlan}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Switch:
    name: str
    target: Target
    program: Path | None  # None: start without a program (the controller pushes one)
    grpc_port: int
    device_id: int
    cpu_port: int | None
    pcap: bool  # write per-port pcap files next to the logs

    @property
    def grpc_addr(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Bridge:
    name: str


@dataclass(frozen=True, slots=True)
class LinkEnd:
    node: str
    port: int | None = None  # the switch port; None for a host or a bridge

    def __str__(self) -> str:
        return self.node if self.port is None else f"{self.node}-p{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    index: int  # position in ``links``
    a: LinkEnd
    b: LinkEnd
    latency: str | None  # tc time, e.g. "5ms"; None for none
    bandwidth: float | None  # Mbit/s; None for unlimited

    @property
    def ends(self) -> tuple[LinkEnd, LinkEnd]:
        return (self.a, self.b)


@dataclass(frozen=True, slots=True, kw_only=True)
class ControllerSpec:
    config: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class TopologySpec:
    name: str
    hosts: Mapping[str, Host]
    switches: Mapping[str, Switch]
    bridges: Mapping[str, Bridge]
    links: tuple[Link, ...]
    controller: ControllerSpec | None = None
    source: Path | None = field(default=None, compare=False)

    # ---- the names the runner gives things --------------------------------------------------

    def netns_name(self, node: str) -> str:
        """The namespace of a host or bridge."""
        return f"{self.name}-{node}"

    def switch_ifname(self, switch: str, port: int) -> str:
        """The interface (in the runner's namespace) of a switch port."""
        return f"{self.name}-{switch}-eth{port}"

    def link_of_host(self, host: str) -> Link:
        for link in self.links:
            if any(end.node == host for end in link.ends):
                return link
        raise TopologyError(f"host {host} has no link")

    def switch_ports(self, switch: str) -> dict[int, str]:
        """Port number -> interface name, for one switch."""
        ports = {
            end.port: self.switch_ifname(switch, end.port)
            for link in self.links
            for end in link.ends
            if end.node == switch and end.port is not None
        }
        return dict(sorted(ports.items()))

    def port_of_host(self, host: str) -> tuple[str, int] | None:
        """The (switch, port) a host is wired to directly, or None (behind a bridge)."""
        link = self.link_of_host(host)
        other = link.b if link.a.node == host else link.a
        return None if other.port is None else (other.node, other.port)

    def with_target(self, target: Target) -> TopologySpec:
        """The same topology with every switch on ``target``."""
        switches = {name: replace(s, target=target) for name, s in self.switches.items()}
        return replace(self, switches=switches)


# ---- loading ---------------------------------------------------------------------------------


def load_topology(path: Path | str) -> TopologySpec:
    """Read and check a topology file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise TopologyError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise TopologyError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TopologyError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    return parse_topology(data, source=path)


class _Fields:
    """Typed access to one JSON object, with errors naming the field."""

    def __init__(self, origin: str, where: str, value: object) -> None:
        self.origin = origin
        self.where = where
        if not isinstance(value, dict):
            raise self.error("", "must be an object")
        self.table: dict[str, object] = value
        self.used: set[str] = set()

    def error(self, key: str, message: str) -> TopologyError:
        name = self.where + key if key.startswith("[") else ".".join(p for p in (self.where, key) if p)
        return TopologyError(f"{self.origin}: {name}: {message}" if name else f"{self.origin}: {message}")

    def get(self, key: str) -> object:
        self.used.add(key)
        return self.table.get(key)

    def string(self, key: str, default: str | None = None) -> str:
        value = self.get(key)
        if value is None and default is not None:
            return default
        if value is None:
            raise self.error(key, "is required")
        if not isinstance(value, str) or not value:
            raise self.error(key, f"must be a non-empty string, not {value!r}")
        return value

    def integer(self, key: str, default: int | None = None, *, low: int = 0, high: int) -> int:
        value = self.get(key)
        if value is None and default is not None:
            return default
        if value is None:
            raise self.error(key, "is required")
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"must be an integer, not {value!r}")
        if not low <= value <= high:
            raise self.error(key, f"must be in {low}..{high}, not {value}")
        return value

    def optional_integer(self, key: str, *, low: int, high: int) -> int | None:
        return None if self.get(key) is None else self.integer(key, low=low, high=high)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key")


def _objects(top: _Fields, key: str) -> dict[str, object]:
    value = top.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise top.error(key, "must be an object of name: settings")
    for name in value:
        if not _NODE.fullmatch(name):
            raise top.error(f"{key}.{name}", "names are a letter, then up to 15 letters, digits or _")
    return value


def _host(origin: str, name: str, raw: object) -> Host:
    f = _Fields(origin, f"hosts.{name}", raw)
    ips = f.get("ip")
    if ips is None:
        raise f.error("ip", "is required")
    ip_list = [ips] if isinstance(ips, str) else ips
    if not isinstance(ip_list, list) or not ip_list:
        raise f.error("ip", "must be an address in CIDR form, or a list of them")
    addresses: list[str] = []
    for i, item in enumerate(ip_list):
        where = "ip" if isinstance(ips, str) else f"ip[{i}]"
        if not isinstance(item, str) or "/" not in item:
            raise f.error(
                where, f"must be an address with its prefix length, like 2001:db8::1/64, not {item!r}"
            )
        try:
            addresses.append(str(ipaddress.ip_interface(item)))
        except ValueError:
            raise f.error(where, f"{item!r} is not an IPv4 or IPv6 address with a prefix length") from None
    mac = f.string("mac")
    if not _MAC.fullmatch(mac):
        raise f.error("mac", f"must be a MAC address like 02:00:00:00:00:01, not {mac!r}")
    if int(mac[:2], 16) & 1:
        raise f.error("mac", f"{mac} is a multicast address")
    vlan = f.optional_integer("vlan", low=1, high=4094)
    commands = f.get("commands")
    if commands is None:
        commands = []
    if not isinstance(commands, list) or not all(isinstance(c, str) and c.strip() for c in commands):
        raise f.error("commands", "must be a list of shell commands (strings)")
    f.done()
    return Host(name=name, addresses=tuple(addresses), mac=mac.lower(), vlan=vlan, commands=tuple(commands))


def _switch(origin: str, name: str, raw: object, base_dir: Path, index: int) -> Switch:
    f = _Fields(origin, f"switches.{name}", raw)
    target = f.string("target", Target.SOFTSWITCH)
    if target not in set(Target):
        raise f.error("target", f"must be one of {', '.join(Target)}, not {target!r}")
    program = f.get("program")
    if program is not None and (not isinstance(program, str) or not program):
        raise f.error("program", "must be the path of a P4 program (or left out)")
    cpu_port = f.optional_integer("cpu_port", low=1, high=MAX_PORT)
    pcap = f.get("pcap")
    if pcap is not None and not isinstance(pcap, bool):
        raise f.error("pcap", f"must be true or false, not {pcap!r}")
    switch = Switch(
        name=name,
        target=Target(target),
        program=None if program is None else (base_dir / program).resolve(),
        grpc_port=f.integer("grpc_port", FIRST_GRPC_PORT + index, low=1, high=65535),
        device_id=f.integer("device_id", index + 1, low=0, high=2**64 - 1),
        cpu_port=cpu_port,
        pcap=bool(pcap),
    )
    f.done()
    return switch


def _link_end(where: _Fields, key: str, text: object, nodes: Mapping[str, str]) -> LinkEnd:
    if not isinstance(text, str):
        raise where.error(key, f"a link end is a host or bridge name or SWITCH-pN, not {text!r}")
    match = _SWITCH_PORT.fullmatch(text)
    if match is not None and nodes.get(match.group(1)) == "switch":
        port = int(match.group(2))
        if not 0 <= port <= MAX_PORT:
            raise where.error(key, f"{text}: switch ports are 0..{MAX_PORT}")
        return LinkEnd(match.group(1), port)
    kind = nodes.get(text)
    if kind is None:
        raise where.error(key, f"{text!r} is no host, bridge or switch port (SWITCH-pN) of this topology")
    if kind == "switch":
        raise where.error(key, f"name a port of switch {text}, like {text}-p1")
    return LinkEnd(text)


def _tc_time(where: _Fields, key: str, value: object) -> str | None:
    text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _TC_TIME.fullmatch(text):
        raise where.error(key, f"must be a time like 5ms, 100us or 0, not {value!r}")
    match = _TC_TIME.fullmatch(text)
    assert match is not None
    if float(match.group(1)) == 0:
        return None
    return text if match.group(2) else f"{text}ms"


def _bandwidth(where: _Fields, key: str, value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(key, f"must be a number of Mbit/s, not {value!r}")
    if value < 0 or value > 100_000:
        raise where.error(key, f"must be in 0..100000 Mbit/s, not {value}")
    return None if value == 0 else float(value)


def _link(origin: str, index: int, raw: object, nodes: Mapping[str, str]) -> Link:
    if isinstance(raw, list):
        where = _Fields(origin, f"links[{index}]", {})
        if not 2 <= len(raw) <= 4:
            raise where.error("", "must be [END, END] or [END, END, LATENCY, BANDWIDTH]")
        a = _link_end(where, "[0]", raw[0], nodes)
        b = _link_end(where, "[1]", raw[1], nodes)
        latency = _tc_time(where, "[2]", raw[2]) if len(raw) > 2 else None
        bandwidth = _bandwidth(where, "[3]", raw[3]) if len(raw) > 3 else None
    else:
        where = _Fields(origin, f"links[{index}]", raw)
        ends = where.get("ends")
        if not isinstance(ends, list) or len(ends) != 2:
            raise where.error("ends", "must be a list of two link ends")
        a = _link_end(where, "ends[0]", ends[0], nodes)
        b = _link_end(where, "ends[1]", ends[1], nodes)
        latency_raw, bandwidth_raw = where.get("latency"), where.get("bandwidth")
        latency = None if latency_raw is None else _tc_time(where, "latency", latency_raw)
        bandwidth = None if bandwidth_raw is None else _bandwidth(where, "bandwidth", bandwidth_raw)
        where.done()
    if a == b or (a.node == b.node and a.port is None):
        raise TopologyError(f"{origin}: links[{index}]: a link joins two different ends")
    return Link(index=index, a=a, b=b, latency=latency, bandwidth=bandwidth)


def parse_topology(data: object, *, source: Path | None = None) -> TopologySpec:
    """Check a decoded topology; relative paths are relative to ``source``'s directory."""
    origin = str(source) if source is not None else "topology"
    base_dir = source.resolve().parent if source is not None else Path.cwd()
    top = _Fields(origin, "", data)
    name = top.string("name", DEFAULT_NAME)
    if not _NAME.fullmatch(name):
        raise top.error(
            "name", f"must be a lower-case letter, then up to 7 lower-case letters or digits, not {name!r}"
        )

    raw_hosts = _objects(top, "hosts")
    raw_switches = _objects(top, "switches")
    raw_bridges = _objects(top, "bridges")
    nodes: dict[str, str] = {}
    for kind, table in (("host", raw_hosts), ("switch", raw_switches), ("bridge", raw_bridges)):
        for node in table:
            if node in nodes:
                raise top.error(
                    f"{kind}es.{node}" if kind == "switch" else f"{kind}s.{node}",
                    f"the name is also used by a {nodes[node]}",
                )
            nodes[node] = kind
    if not raw_switches:
        raise top.error("switches", "a topology needs at least one switch")

    hosts = {n: _host(origin, n, raw) for n, raw in raw_hosts.items()}
    switches = {n: _switch(origin, n, raw, base_dir, i) for i, (n, raw) in enumerate(raw_switches.items())}
    bridges: dict[str, Bridge] = {}
    for n, raw in raw_bridges.items():
        _Fields(origin, f"bridges.{n}", raw).done()
        bridges[n] = Bridge(name=n)

    raw_links = top.get("links")
    if raw_links is None:
        raw_links = []
    if not isinstance(raw_links, list):
        raise top.error("links", "must be a list of links")
    links = tuple(_link(origin, i, raw, nodes) for i, raw in enumerate(raw_links))

    controller = None
    raw_controller = top.get("controller")
    if raw_controller is not None:
        c = _Fields(origin, "controller", raw_controller)
        controller = ControllerSpec(config=(base_dir / c.string("config")).resolve())
        c.done()
    top.done()

    spec = TopologySpec(
        name=name,
        hosts=hosts,
        switches=switches,
        bridges=bridges,
        links=links,
        controller=controller,
        source=source,
    )
    _check_wiring(spec, origin)
    return spec


def _check_wiring(spec: TopologySpec, origin: str) -> None:
    host_links: dict[str, int] = {}
    used_ports: dict[tuple[str, int], int] = {}
    for link in spec.links:
        for end in link.ends:
            if end.node in spec.hosts:
                if end.node in host_links:
                    raise TopologyError(
                        f"{origin}: links[{link.index}]: host {end.node} is already linked by "
                        f"links[{host_links[end.node]}]; a host has one interface"
                    )
                host_links[end.node] = link.index
            elif end.port is not None:
                key = (end.node, end.port)
                if key in used_ports:
                    raise TopologyError(
                        f"{origin}: links[{link.index}]: port {end} is already linked by links[{used_ports[key]}]"
                    )
                switch = spec.switches[end.node]
                if end.port == switch.cpu_port:
                    raise TopologyError(f"{origin}: links[{link.index}]: port {end} is the switch's cpu_port")
                used_ports[key] = link.index
                ifname = spec.switch_ifname(end.node, end.port)
                if len(ifname) > IFNAMSIZ:
                    raise TopologyError(
                        f"{origin}: links[{link.index}]: interface name {ifname!r} is longer than "
                        f"{IFNAMSIZ} characters; use a shorter topology name or switch name"
                    )
    for host in spec.hosts:
        if host not in host_links:
            raise TopologyError(f"{origin}: hosts.{host}: no link reaches this host")
    grpc: dict[int, str] = {}
    for switch in spec.switches.values():
        if switch.grpc_port in grpc:
            raise TopologyError(
                f"{origin}: switches.{switch.name}.grpc_port: {switch.grpc_port} is also switch "
                f"{grpc[switch.grpc_port]}'s"
            )
        grpc[switch.grpc_port] = switch.name
