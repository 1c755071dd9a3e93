"""The controller's configuration file (TOML or JSON, same structure) and its embedded defaults.

Keys (all optional; see ``EXAMPLE_TOML`` for the defaults):

- ``[registry] database``: the SQLite file; a relative path is relative to the config file.
- ``[api] listen``: the REST API's ``host:port``.
- ``[[tokens]]``: ``name``, ``token`` and ``role`` (``read-only`` or ``operator``).
- ``[[switches]]``: ``name``, ``grpc_addr``, ``device_id``, ``election_id``, ``target``
  (``softswitch`` or ``bmv2``), optional ``cpu_port``; for the edge programmer, optional
  ``access_ports`` and ``uplink_ports`` (ports given a role even before any device or customer
  uses them) and ``port_macs`` (``{"1" = "02:..."}``; other ports get ``02:ed:<device id>:00:<port>``).
- ``[edge]``: how the edge programmer writes the switches (see ``EdgeConfig``): ``program``,
  ``build_dir`` (relative to the current directory), ``gateways_v6``, ``gateways_v4``,
  ``idle_timeout`` (seconds, 0 = never), ``request_rate`` and ``request_burst`` (packets),
  ``proxy_devices_on_uplinks``, ``endpoints_on_link``, ``instruction_port``,
  ``digest_ack_timeout`` (seconds), ``force_pipeline``.
- ``[rate_profiles.NAME]``: ``cir``, ``cburst``, ``pir``, ``pburst`` (bytes/s and bytes).

Unknown keys are errors, so that a typo is not silently ignored. Every error names the file and
the key: ``edge.toml: switches[0].device_id: must be an integer``.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from controlplane.registry.model import DEFAULT_RATE_PROFILE, RateProfile


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class Role(enum.StrEnum):
    READ_ONLY = "read-only"
    OPERATOR = "operator"


class Target(enum.StrEnum):
    SOFTSWITCH = "softswitch"
    BMV2 = "bmv2"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenConfig:
    name: str
    token: str
    role: Role


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchConfig:
    name: str
    grpc_addr: str
    device_id: int
    election_id: int
    target: Target
    cpu_port: int | None = None
    access_ports: tuple[int, ...] = ()  # ports that face devices, even before any is registered
    uplink_ports: tuple[int, ...] = ()  # ports that face customer VPCs
    port_macs: Mapping[int, str] = field(default_factory=dict)  # the edge's own MAC per port


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeConfig:
    """How the edge programmer (controlplane/edge) programs the switches."""

    program: str = "edge"  # build/<target>/<program>.p4info.txtpb and .bin/.json
    build_dir: Path = Path("build")
    gateways_v6: tuple[str, ...] = ("fe80::1",)  # answered (router) on every access attachment
    gateways_v4: tuple[str, ...] = ()  # answered by ARP on every access attachment
    idle_timeout: float = 300.0  # seconds of silence before a device's entry times out; 0: never
    request_rate: int = 10  # access requests + router solicitations per access port per second
    request_burst: int = 10
    proxy_devices_on_uplinks: bool = True  # answer a VPC gateway's ND/ARP for device addresses
    endpoints_on_link: bool = False  # answer devices' ND/ARP for their own endpoint
    instruction_port: int = 5683  # UDP port of group instructions (source and destination)
    digest_ack_timeout: float = 1.0  # seconds the switch holds back repeats of a reported sender
    force_pipeline: bool = False  # push the pipeline even when the switch runs the same one


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    database: Path
    listen_host: str
    listen_port: int
    tokens: tuple[TokenConfig, ...]
    switches: tuple[SwitchConfig, ...]
    rate_profiles: Mapping[str, RateProfile]
    source: Path | None  # the file it came from; None for the embedded defaults
    edge: EdgeConfig = field(default_factory=EdgeConfig)

    @property
    def listen(self) -> str:
        host = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        return f"{host}:{self.listen_port}"


# The embedded defaults, as a file an operator can start from (``p4edge config example``).
EXAMPLE_TOML: Final = """\
# p4edge controller configuration (TOML; JSON with the same structure works too).

[registry]
database = "p4edge.db"          # SQLite file, relative to this file

[api]
listen = "127.0.0.1:8080"       # the REST API (OpenAPI at /docs)

# Bearer tokens. Demo tokens: replace them for anything but a demo.
[[tokens]]
name = "demo-operator"
token = "p4edge-demo-operator"
role = "operator"               # may read and change everything

[[tokens]]
name = "demo-reader"
token = "p4edge-demo-read-only"
role = "read-only"              # may only read

# Edge switches of this regional cluster, reached over P4Runtime.
[[switches]]
name = "edge1"
grpc_addr = "127.0.0.1:9559"
device_id = 1
election_id = 1
target = "softswitch"           # or "bmv2"
# cpu_port = 64                 # the switch's CPU port (softswitch/BMv2 --cpu-port): packet-in/out
# access_ports = [1, 2]         # ports facing devices (ports of registered devices are added)
# uplink_ports = [3]            # ports facing customer VPCs (customers' uplink ports are added)
# port_macs = { "1" = "02:ed:01:00:00:01" }   # default 02:ed:<device id>:00:<port>

# How the edge programmer writes the switches (these are the defaults).
[edge]
program = "edge"                # pushes build/<target>/edge.p4info.txtpb + .bin (or .json)
build_dir = "build"             # relative to the current directory
gateways_v6 = ["fe80::1"]       # the devices' router: answered by ND on every access port/VLAN
gateways_v4 = []                # the same for IPv4 (ARP)
idle_timeout = 300              # seconds of silence before a device counts as asleep; 0: never
request_rate = 10               # access requests + router solicitations per access port per second
request_burst = 10
proxy_devices_on_uplinks = true # answer the VPC gateways' ND/ARP for device addresses
endpoints_on_link = false       # answer devices' ND/ARP for their own endpoint
instruction_port = 5683         # UDP port of group instructions
digest_ack_timeout = 1.0        # seconds before the switch reports the same unknown sender again
force_pipeline = false

# Device meter rates: bytes per second (cir, pir) and burst sizes in bytes (cburst, pburst).
[rate_profiles.default]
cir = 125000                    # 1 Mbit/s
cburst = 15000
pir = 250000
pburst = 30000

[rate_profiles.low]
cir = 16000                     # 128 kbit/s
cburst = 3000
pir = 32000
pburst = 6000

[rate_profiles.high]
cir = 1250000                   # 10 Mbit/s
cburst = 150000
pir = 2500000
pburst = 300000
"""


def load_config(path: Path | str | None) -> Config:
    """The configuration in ``path`` (``.json`` is JSON, anything else TOML), or the defaults."""
    if path is None:
        return parse_config(tomllib.loads(EXAMPLE_TOML), source=None, base_dir=Path.cwd())
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text") from e
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = tomllib.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a table/object")
    return parse_config(data, source=path, base_dir=path.parent)


class _Reader:
    """Typed access to one table of the file, with errors naming the key."""

    def __init__(self, origin: str, where: str, table: object) -> None:
        self.origin = origin
        self.where = where
        if not isinstance(table, dict):
            raise self.error("", "must be a table")
        self.table: dict[str, object] = table
        self.used: set[str] = set()

    def error(self, key: str, message: str) -> ConfigError:
        name = ".".join(p for p in (self.where, key) if p)
        return ConfigError(f"{self.origin}: {name}: {message}" if name else f"{self.origin}: {message}")

    def get(self, key: str, default: object = None) -> object:
        self.used.add(key)
        return self.table.get(key, default)

    def string(self, key: str, default: str | None = None) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.error(key, "must be a non-empty string" if value is not None else "is required")
        return value

    def integer(self, key: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int:
        value = self.get(key, default)
        if value is None:
            raise self.error(key, "is required")
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"must be an integer, not {value!r}")
        if value < low or (high is not None and value > high):
            raise self.error(
                key, f"must be in {low}..{high}" if high is not None else f"must be at least {low}"
            )
        return value

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def number(self, key: str, default: float, *, low: float = 0.0) -> float:
        value = self.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.error(key, f"must be a number, not {value!r}")
        if value < low:
            raise self.error(key, f"must be at least {low:g}")
        return float(value)

    def int_list(self, key: str, *, high: int) -> tuple[int, ...]:
        value = self.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= high for v in value
        ):
            raise self.error(key, f"must be a list of integers 0..{high}")
        return tuple(value)

    def address_list(self, key: str, default: tuple[str, ...], version: int) -> tuple[str, ...]:
        value = self.get(key, list(default))
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of IPv{version} addresses")
        out: list[str] = []
        for item in value:
            try:
                address = ipaddress.ip_address(item) if isinstance(item, str) else None
            except ValueError:
                address = None
            if address is None or address.version != version:
                raise self.error(key, f"{item!r} is not an IPv{version} address")
            out.append(str(address))
        return tuple(out)


def _parse_listen(reader: _Reader) -> tuple[str, int]:
    listen = reader.string("listen", "127.0.0.1:8080")
    host, sep, port = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise reader.error("listen", f"must be host:port, like 127.0.0.1:8080, not {listen!r}")
    return host, int(port)


def parse_config(data: Mapping[str, object], *, source: Path | None, base_dir: Path) -> Config:
    origin = str(source) if source is not None else "embedded defaults"
    top = _Reader(origin, "", dict(data))

    registry = _Reader(origin, "registry", top.get("registry", {}))
    database = Path(registry.string("database", "p4edge.db")).expanduser()
    registry.done()

    api = _Reader(origin, "api", top.get("api", {}))
    host, port = _parse_listen(api)
    api.done()

    tokens: list[TokenConfig] = []
    raw_tokens = top.get("tokens", [])
    if not isinstance(raw_tokens, list):
        raise top.error("tokens", "must be a list of tables")
    for i, raw in enumerate(raw_tokens):
        r = _Reader(origin, f"tokens[{i}]", raw)
        role = r.string("role")
        if role not in set(Role):
            raise r.error("role", f"must be one of {', '.join(Role)}, not {role!r}")
        token = r.string("token")
        if len(token) < 8:
            raise r.error("token", "must be at least 8 characters")
        if any(t.token == token for t in tokens):
            raise r.error("token", "is the same as an earlier token's")
        tokens.append(TokenConfig(name=r.string("name", f"token{i}"), token=token, role=Role(role)))
        r.done()

    switches: list[SwitchConfig] = []
    raw_switches = top.get("switches", [])
    if not isinstance(raw_switches, list):
        raise top.error("switches", "must be a list of tables")
    for i, raw in enumerate(raw_switches):
        r = _Reader(origin, f"switches[{i}]", raw)
        target = r.string("target", "softswitch")
        if target not in set(Target):
            raise r.error("target", f"must be one of {', '.join(Target)}, not {target!r}")
        cpu_port = r.get("cpu_port")
        access_ports = r.int_list("access_ports", high=511)
        uplink_ports = r.int_list("uplink_ports", high=511)
        both = sorted(set(access_ports) & set(uplink_ports))
        if both:
            raise r.error("uplink_ports", f"port {both[0]} is also listed in access_ports")
        switch = SwitchConfig(
            name=r.string("name"),
            grpc_addr=r.string("grpc_addr"),
            device_id=r.integer("device_id", 1, high=2**64 - 1),
            election_id=r.integer("election_id", 1, low=1, high=2**128 - 1),
            target=Target(target),
            cpu_port=None if cpu_port is None else r.integer("cpu_port", high=511),
            access_ports=access_ports,
            uplink_ports=uplink_ports,
            port_macs=_port_macs(r),
        )
        if any(s.name == switch.name for s in switches):
            raise r.error("name", f"switch {switch.name!r} is configured twice")
        switches.append(switch)
        r.done()

    profiles: dict[str, RateProfile] = {}
    raw_profiles = top.get("rate_profiles", {})
    if not isinstance(raw_profiles, dict):
        raise top.error("rate_profiles", "must be a table of profiles")
    for name, raw in raw_profiles.items():
        r = _Reader(origin, f"rate_profiles.{name}", raw)
        cir, cburst = r.integer("cir", low=1), r.integer("cburst", low=1)
        pir, pburst = r.integer("pir", cir, low=1), r.integer("pburst", cburst, low=1)
        if pir < cir:
            raise r.error("pir", f"the peak rate ({pir}) must be at least the committed rate ({cir})")
        profiles[name] = RateProfile(name=name, cir=cir, cburst=cburst, pir=pir, pburst=pburst)
        r.done()
    if DEFAULT_RATE_PROFILE not in profiles:
        profiles[DEFAULT_RATE_PROFILE] = RateProfile(
            name=DEFAULT_RATE_PROFILE, cir=125_000, cburst=15_000, pir=250_000, pburst=30_000
        )
    edge = _parse_edge(_Reader(origin, "edge", top.get("edge", {})))
    top.done()

    return Config(
        database=database if database.is_absolute() else base_dir / database,
        listen_host=host,
        listen_port=port,
        tokens=tuple(tokens),
        switches=tuple(switches),
        rate_profiles=profiles,
        source=source,
        edge=edge,
    )


_MAC_RE = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")


def _port_macs(reader: _Reader) -> dict[int, str]:
    raw = reader.get("port_macs", {})
    if not isinstance(raw, dict):
        raise reader.error("port_macs", 'must be a table of port = MAC, like { "1" = "02:00:00:00:00:01" }')
    macs: dict[int, str] = {}
    for port, mac in raw.items():
        if not str(port).isdigit() or int(port) > 511:
            raise reader.error(f"port_macs.{port}", "the key must be a port number 0..511")
        if not isinstance(mac, str) or not _MAC_RE.fullmatch(mac):
            raise reader.error(f"port_macs.{port}", f"must be a MAC like 02:00:00:00:00:01, not {mac!r}")
        macs[int(port)] = mac.lower()
    return macs


def _parse_edge(r: _Reader) -> EdgeConfig:
    default = EdgeConfig()
    program = r.string("program", default.program)
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", program):
        raise r.error("program", f"must be a program name like 'edge', not {program!r}")
    edge = EdgeConfig(
        program=program,
        build_dir=Path(r.string("build_dir", str(default.build_dir))).expanduser(),
        gateways_v6=r.address_list("gateways_v6", default.gateways_v6, 6),
        gateways_v4=r.address_list("gateways_v4", default.gateways_v4, 4),
        idle_timeout=r.number("idle_timeout", default.idle_timeout),
        request_rate=r.integer("request_rate", default.request_rate),
        request_burst=r.integer("request_burst", default.request_burst, low=1),
        proxy_devices_on_uplinks=r.boolean("proxy_devices_on_uplinks", default.proxy_devices_on_uplinks),
        endpoints_on_link=r.boolean("endpoints_on_link", default.endpoints_on_link),
        instruction_port=r.integer("instruction_port", default.instruction_port, low=1, high=65535),
        digest_ack_timeout=r.number("digest_ack_timeout", default.digest_ack_timeout),
        force_pipeline=r.boolean("force_pipeline", default.force_pipeline),
    )
    r.done()
    return edge
