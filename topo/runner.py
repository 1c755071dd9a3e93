"""Build a topology file into namespaces and veth pairs, start its switches and controller.

``python -m topo.runner up|down|status TOPOLOGY.json [--state FILE] [--target softswitch|bmv2]``

``up`` creates, in order: a namespace per bridge and per host; the veth pair of each link (TX
checksum offload off on both ends, IPv6 off on the ends in the runner's namespace so its kernel
stays quiet on switch ports, ``tc`` shaping where a link asks for it); each host's MAC, VLAN
interface, addresses (IPv6 without duplicate address detection) and commands; one switch process
per switch (softswitch, or ``simple_switch_grpc`` for ``bmv2``), each waited for until its gRPC
port answers; and the controller (``p4edge serve``), waited for until ``/healthz`` answers. Every
step is written to the state file (default ``build/run/<name>.state.json``) before the next, and a
failure tears down what was built. ``down`` stops the processes, deletes the namespaces (which
takes their interfaces with them) and the runner-namespace interfaces, and removes the state file.

Hosts namespaces have IPv6 on, but no DAD, router solicitations or router advertisements, so they
talk only when asked to. A host with ``vlan`` gets a kernel VLAN interface ``eth0.<vlan>``; on a
kernel without VLAN support (no ``8021q``) the runner makes it a TAP interface joined to ``eth0``
by :mod:`topo.vlan_tap`, which behaves the same for the host's programs.

The functions here are also what tests and benchmarks use: :func:`up`, :func:`down`,
:func:`stop_process`, :func:`start_process`.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import random
import shutil
import signal
import socket
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from topo.netns import Netns, TopoError, is_root, missing_tools, run_command
from topo.processes import (
    ProcessRecord,
    RunState,
    SwitchInfo,
    is_running,
    log_tail,
    port_in_use,
    spawn,
    stop,
    wait_ready,
)
from topo.topology import (
    HOST_IFNAME,
    Host,
    Link,
    LinkEnd,
    Switch,
    Target,
    TopologyError,
    TopologySpec,
    load_topology,
)

PROJECT_ROOT: Final = Path(__file__).resolve().parents[1]
STATE_DIR: Final = PROJECT_ROOT / "build" / "run"
BIN_DIR: Final = Path(sys.executable).parent
BRIDGE_IFNAME: Final = "br0"

Echo = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


def default_state_path(spec: TopologySpec) -> Path:
    return STATE_DIR / f"{spec.name}.state.json"


# ---- namespaces and links --------------------------------------------------------------------


def _new_netns(state: RunState, name: str, *, ipv6: bool) -> Netns:
    ns = Netns(name)
    if ns.exists():
        raise TopoError(
            f"network namespace {name} already exists (left by an earlier run?); "
            f"run `python -m topo.runner down` with the same topology, or `ip netns del {name}`"
        )
    state.namespaces.append(name)
    state.save()
    run_command(["ip", "netns", "add", name])
    if ipv6:
        for scope in ("all", "default"):
            ns.sysctl(f"net.ipv6.conf.{scope}.disable_ipv6", 0)
            ns.sysctl(f"net.ipv6.conf.{scope}.accept_dad", 0)
            ns.sysctl(f"net.ipv6.conf.{scope}.accept_ra", 0)
            ns.sysctl(f"net.ipv6.conf.{scope}.router_solicitations", 0)
    else:
        ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
    ns.link_up("lo")
    return ns


def _end_place(spec: TopologySpec, end: LinkEnd, bridge_ports: dict[str, int]) -> tuple[str | None, str, str]:
    """(namespace or None for the runner's, interface name, "switch", "host" or "bridge") of a link end."""
    if end.port is not None:
        return None, spec.switch_ifname(end.node, end.port), "switch"
    if end.node in spec.hosts:
        return spec.netns_name(end.node), HOST_IFNAME, "host"
    number = bridge_ports.get(end.node, 0)
    bridge_ports[end.node] = number + 1
    return spec.netns_name(end.node), f"port{number}", "bridge"


def _ip(netns: str | None, *args: str) -> str:
    return run_command(["ip", *(("-n", netns) if netns else ()), *args])


def _in_ns(netns: str | None, argv: Sequence[str], *, check: bool = True) -> str:
    return run_command([*(("ip", "netns", "exec", netns) if netns else ()), *argv], check=check)


def _make_link(state: RunState, spec: TopologySpec, link: Link, bridge_ports: dict[str, int]) -> None:
    ends = [_end_place(spec, end, bridge_ports) for end in link.ends]
    for netns, ifname, _role in ends:
        if netns is None:
            if Path(f"/sys/class/net/{ifname}").exists():
                raise TopoError(
                    f"links[{link.index}]: interface {ifname} already exists (left by an earlier run?)"
                )
            state.links.append(ifname)
    state.save()
    (ns_a, if_a, _), (ns_b, if_b, _) = ends
    argv = ["ip", "link", "add", "name", if_a, *(("netns", ns_a) if ns_a else ())]
    argv += ["type", "veth", "peer", "name", if_b, *(("netns", ns_b) if ns_b else ())]
    run_command(argv)
    for netns, ifname, role in ends:
        if netns is None:
            Path(f"/proc/sys/net/ipv6/conf/{ifname}/disable_ipv6").write_text("1\n")
        _in_ns(netns, ["ethtool", "-K", ifname, "tx", "off"])
        _shape(netns, ifname, link)
        if role == "bridge":
            _ip(netns, "link", "set", "dev", ifname, "master", BRIDGE_IFNAME)
        if role != "host":  # a host's interface comes up once its MAC and addresses are set
            _ip(netns, "link", "set", "dev", ifname, "up")


def _shape(netns: str | None, ifname: str, link: Link) -> None:
    """Rate-limit (tbf) and delay (netem, below the tbf) the frames leaving ``ifname``."""
    steps: list[tuple[str, list[str]]] = []
    if link.bandwidth is not None:
        burst = max(15_000, int(link.bandwidth * 125_000 / 100))  # at least 10 ms worth of bytes
        tbf = f"tbf rate {link.bandwidth:g}mbit burst {burst} latency 50ms"
        steps.append(("bandwidth (tc tbf)", ["root", "handle", "1:", *tbf.split()]))
    if link.latency is not None:
        parent = ["parent", "1:1", "handle", "10:"] if link.bandwidth is not None else ["root"]
        steps.append(("latency (tc netem)", [*parent, "netem", "delay", link.latency]))
    for what, args in steps:
        try:
            _in_ns(netns, ["tc", "qdisc", "add", "dev", ifname, *args])
        except TopoError as e:
            if "unknown" in str(e).lower():
                raise TopoError(
                    f"links[{link.index}]: this kernel has no {what} queueing discipline; "
                    f"leave {what.split()[0]} out of the link"
                ) from None
            raise TopoError(f"links[{link.index}]: {e}") from None


def _make_bridge(state: RunState, spec: TopologySpec, name: str) -> None:
    netns = _new_netns(state, spec.netns_name(name), ipv6=False).name
    _ip(netns, "link", "add", BRIDGE_IFNAME, "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
    _ip(netns, "link", "set", "dev", BRIDGE_IFNAME, "up")


def _configure_host(state: RunState, spec: TopologySpec, host: Host, echo: Echo) -> None:
    ns = Netns(spec.netns_name(host.name))
    ns.set_mac(HOST_IFNAME, host.mac)
    ip_if = host.ip_ifname
    if host.vlan is not None:
        _make_vlan_interface(state, ns, host)
    for cidr in host.addresses:
        v6 = ipaddress.ip_interface(cidr).version == 6
        _ip(ns.name, "address", "add", cidr, "dev", ip_if, *(("nodad",) if v6 else ()))
    ns.link_up(HOST_IFNAME)
    if host.vlan is not None:
        ns.link_up(ip_if)
        shim = state.processes.get(f"vlan-{host.name}")
        if shim is not None:
            wait_ready(shim)
    for i, command in enumerate(host.commands):
        try:
            ns.exec("sh", "-c", command)
        except TopoError as e:
            raise TopoError(f"hosts.{host.name}.commands[{i}]: {e}") from None
    state.hosts[host.name] = ns.name
    state.save()
    vlan = f", VLAN {host.vlan}" if host.vlan is not None else ""
    echo(f"  host {host.name}: namespace {ns.name}, {ip_if} {', '.join(host.addresses)}{vlan}")


def _make_vlan_interface(state: RunState, ns: Netns, host: Host) -> None:
    assert host.vlan is not None
    ip_if = host.ip_ifname
    vlan_link = ["link", "add", "link", HOST_IFNAME, "name", ip_if, "type", "vlan", "id", str(host.vlan)]
    run_command(["ip", "-n", ns.name, *vlan_link], check=False)
    if ip_if in ns.link_names():  # the kernel has VLAN interfaces
        ns.set_mac(ip_if, host.mac)
        _in_ns(ns.name, ["ethtool", "-K", ip_if, "tx", "off"], check=False)
        return
    # No 8021q in this kernel: a TAP for the host's stack, tagged onto eth0 by topo.vlan_tap.
    ns.sysctl(f"net.ipv6.conf.{HOST_IFNAME}.disable_ipv6", 1)
    _ip(ns.name, "tuntap", "add", "dev", ip_if, "mode", "tap")
    ns.set_mac(ip_if, host.mac)
    shim = ["-m", "topo.vlan_tap", "--trunk", HOST_IFNAME, "--tap", ip_if, "--vlan", str(host.vlan)]
    record = ProcessRecord(
        name=f"vlan-{host.name}",
        kind="vlan",
        argv=[sys.executable, *shim],
        log=str(state.path.parent / f"{state.name}-vlan-{host.name}.log"),
        netns=ns.name,
        ready=f"carrier:{ns.name}:{ip_if}",
    )
    spawn(state, record)


# ---- switches and controller -----------------------------------------------------------------


#: where service ports for BMv2's Thrift server are picked: below Linux's default ephemeral range
#: (32768-60999), which the kernel hands out as source ports of outgoing connections. A port
#: picked inside it may be some connection's source port by the time a switch restarts.
SERVICE_PORTS = range(20000, 32768)


def unused_service_port() -> int:
    """A TCP port outside the ephemeral range that nothing on this host has bound now."""
    for port in random.sample(SERVICE_PORTS, 200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise TopoError(f"no free TCP port in {SERVICE_PORTS.start}-{SERVICE_PORTS.stop - 1} for BMv2's Thrift server")


def switch_argv(spec: TopologySpec, switch: Switch, log_dir: Path) -> list[str]:
    ports = spec.switch_ports(switch.name)
    interfaces = [arg for port, ifname in ports.items() for arg in ("-i", f"{port}@{ifname}")]
    pcap = ["--pcap", str(log_dir / f"{spec.name}-{switch.name}-pcap")] if switch.pcap else []
    if switch.target is Target.SOFTSWITCH:
        program = [str(switch.program)] if switch.program is not None else ["--no-p4"]
        cpu = ["--cpu-port", str(switch.cpu_port)] if switch.cpu_port is not None else []
        return [
            str(BIN_DIR / "softswitch"),
            "run",
            "--device-id",
            str(switch.device_id),
            "--grpc-addr",
            switch.grpc_addr,
            *interfaces,
            *cpu,
            *pcap,
            *program,
        ]
    binary = shutil.which("simple_switch_grpc")
    if binary is None:
        raise TopoError(
            f"switches.{switch.name}: target bmv2 needs simple_switch_grpc on PATH, and it is not "
            "(BMv2 cannot be installed from the registries this machine reaches); use TARGET=softswitch"
        )
    if switch.program is None:
        program = ["--no-p4"]
    else:
        compiled = PROJECT_ROOT / "build" / "bmv2" / f"{switch.program.stem}.json"
        if not compiled.exists():
            raise TopoError(f"switches.{switch.name}: {compiled} is missing; run `make build TARGET=bmv2`")
        program = [str(compiled)]
    cpu = ["--cpu-port", str(switch.cpu_port)] if switch.cpu_port is not None else []
    return [
        binary,
        "--device-id",
        str(switch.device_id),
        # BMv2 also serves Thrift, on 9090 unless told: two switches would collide. A free port
        # outside the ephemeral range, kept in the recorded command for restarts.
        "--thrift-port",
        str(unused_service_port()),
        *interfaces,
        *pcap,
        *program,
        "--",
        "--grpc-server-addr",
        switch.grpc_addr,
        *cpu,
    ]


def _start_switch(state: RunState, spec: TopologySpec, switch: Switch, echo: Echo) -> None:
    if port_in_use("127.0.0.1", switch.grpc_port):
        raise TopoError(
            f"switches.{switch.name}.grpc_port: something already listens on {switch.grpc_addr} "
            "(another topology running? `make stop`)"
        )
    log_dir = state.path.parent
    record = ProcessRecord(
        name=switch.name,
        kind="switch",
        argv=switch_argv(spec, switch, log_dir),
        log=str(log_dir / f"{spec.name}-{switch.name}.log"),
        ready=f"tcp:{switch.grpc_addr}",
    )
    state.switches[switch.name] = SwitchInfo(
        grpc_addr=switch.grpc_addr,
        device_id=switch.device_id,
        target=str(switch.target),
        cpu_port=switch.cpu_port,
        ports=spec.switch_ports(switch.name),
    )
    spawn(state, record)
    wait_ready(record)
    ports = ", ".join(f"{p}@{i}" for p, i in spec.switch_ports(switch.name).items())
    echo(
        f"  switch {switch.name}: {switch.target} P4Runtime {switch.grpc_addr}, device id {switch.device_id}, "
        f"ports {ports or '-'}, cpu port {switch.cpu_port}; log {record.log}"
    )


def controller_config(spec: TopologySpec, state_dir: Path) -> dict[str, object]:
    """The topology's controller config: the file's, with each switch's address, device id, target
    and CPU port from the topology (``[[switches]]`` in the file may add more keys by name, such
    as ``access_ports``), the database path made absolute, and the edge's build directory."""
    assert spec.controller is not None
    path = spec.controller.config
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except OSError as e:
        raise TopoError(f"controller.config: cannot read {path}: {e.strerror or e}") from None
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise TopoError(f"controller.config: {path} is not valid: {e}") from None
    if not isinstance(data, dict):
        raise TopoError(f"controller.config: {path}: the top level must be a table")
    extras: dict[str, dict[str, object]] = {}
    raw_switches = data.get("switches", [])
    if not isinstance(raw_switches, list):
        raise TopoError(f"controller.config: {path}: switches must be a list of tables")
    for i, raw in enumerate(raw_switches):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or name not in spec.switches:
            raise TopoError(
                f"controller.config: {path}: switches[{i}]: name must be one of the topology's "
                f"switches ({', '.join(spec.switches)}), not {name!r}"
            )
        extras[str(name)] = raw
    registry = dict(data.get("registry") or {})
    database = Path(str(registry.get("database", state_dir / f"{spec.name}.db")))
    registry["database"] = str(database if database.is_absolute() else (path.parent / database).resolve())
    data["registry"] = registry
    edge = dict(data.get("edge") or {})
    edge.setdefault("build_dir", str(PROJECT_ROOT / "build"))
    data["edge"] = edge
    data["switches"] = [
        {
            **extras.get(s.name, {}),
            "name": s.name,
            "grpc_addr": s.grpc_addr,
            "device_id": s.device_id,
            "target": str(s.target),
            **({"cpu_port": s.cpu_port} if s.cpu_port is not None else {}),
        }
        for s in spec.switches.values()
    ]
    return data


def _start_controller(state: RunState, spec: TopologySpec, echo: Echo) -> None:
    from controlplane.config import ConfigError, load_config

    state_dir = state.path.parent
    config_path = state_dir / f"{spec.name}-controller.json"
    config_path.write_text(json.dumps(controller_config(spec, state_dir), indent=2) + "\n", encoding="utf-8")
    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise TopoError(f"controller.config: {e}") from None
    if port_in_use(config.listen_host, config.listen_port):
        raise TopoError(
            f"controller: something already listens on {config.listen} (another controller? `make stop`)"
        )
    url = f"http://{config.listen}"
    state.controller_url = url
    state.controller_config = str(config_path)
    record = ProcessRecord(
        name="controller",
        kind="controller",
        argv=[str(BIN_DIR / "p4edge"), "serve", "--config", str(config_path)],
        log=str(state_dir / f"{spec.name}-controller.log"),
        ready=f"http:{url}/healthz",
    )
    spawn(state, record)
    wait_ready(record)
    echo(f"  controller: REST {url} (config {config_path}, database {config.database}); log {record.log}")


# ---- up, down, status ------------------------------------------------------------------------


def _check_can_run(spec: TopologySpec) -> None:
    if not is_root():
        raise TopoError("building a topology needs root (network namespaces, veth pairs)")
    tools = ["ip", "ethtool"] + (["tc"] if any(link.latency or link.bandwidth for link in spec.links) else [])
    missing = missing_tools(*tools)
    if missing:
        raise TopoError(f"{', '.join(missing)}: not found (install the Debian packages iproute2 and ethtool)")
    for switch in spec.switches.values():
        if switch.target is Target.BMV2 and shutil.which("simple_switch_grpc") is None:
            raise TopoError(
                f"switches.{switch.name}: target bmv2 needs simple_switch_grpc on PATH, and it is not "
                "(BMv2 cannot be installed from the registries this machine reaches); use TARGET=softswitch"
            )


def up(
    spec: TopologySpec,
    state_path: Path | None = None,
    *,
    start_controller: bool = True,
    echo: Echo = print,
) -> RunState:
    """Build and start ``spec``; on failure, tear down what was built and raise TopoError."""
    _check_can_run(spec)
    path = state_path or default_state_path(spec)
    if path.exists():
        old = RunState.load(path)
        if any(is_running(p) for p in old.processes.values()) or any(
            Netns(n).exists() for n in old.namespaces
        ):
            raise TopoError(f"topology {old.name} is already running (state {path}); take it down first")
        down(old, echo=_quiet)
    state = RunState(path=path, name=spec.name, topology=str(spec.source.resolve() if spec.source else ""))
    state.save()
    echo(
        f"topology {spec.name}: building ({len(spec.hosts)} hosts, {len(spec.switches)} switches, "
        f"{len(spec.links)} links)"
    )
    try:
        for bridge in spec.bridges:
            _make_bridge(state, spec, bridge)
        for host_name in spec.hosts:
            _new_netns(state, spec.netns_name(host_name), ipv6=True)
        bridge_ports: dict[str, int] = {}
        for link in spec.links:
            _make_link(state, spec, link, bridge_ports)
        for host in spec.hosts.values():
            _configure_host(state, spec, host, echo)
        for switch in spec.switches.values():
            _start_switch(state, spec, switch, echo)
        if start_controller and spec.controller is not None:
            _start_controller(state, spec, echo)
    except BaseException:
        down(state, echo=_quiet)
        raise
    return state


def down(state: RunState, *, echo: Echo = print) -> list[str]:
    """Stop the processes, delete namespaces and interfaces, remove the state file.

    Never raises; returns what could not be removed (empty when everything went)."""
    problems: list[str] = []
    order = sorted(state.processes.values(), key=lambda r: {"controller": 0, "switch": 1}.get(r.kind, 2))
    for record in order:
        if is_running(record):
            echo(f"  stopping {record.name} (pid {record.pid})")
        stop(record)
    for name in reversed(state.namespaces):
        ns = Netns(name)
        if not ns.exists():
            continue
        for pid in ns.pids():  # what someone started inside it, e.g. a listener from the demo
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        run_command(["ip", "netns", "del", name], check=False)
        if ns.exists():
            problems.append(f"namespace {name} is still there")
    for ifname in state.links:
        if Path(f"/sys/class/net/{ifname}").exists():
            run_command(["ip", "link", "del", "dev", ifname], check=False)
        if Path(f"/sys/class/net/{ifname}").exists():
            problems.append(f"interface {ifname} is still there")
    for record in state.processes.values():
        if is_running(record):
            problems.append(f"process {record.name} (pid {record.pid}) is still running")
    if not problems:
        with contextlib.suppress(FileNotFoundError):
            state.path.unlink()
    else:
        state.save()
    echo(f"topology {state.name}: " + ("down" if not problems else "left behind: " + "; ".join(problems)))
    return problems


def down_by_names(spec: TopologySpec, *, echo: Echo = print) -> list[str]:
    """Without a state file: remove the namespaces and interfaces ``spec``'s names would have."""
    state = RunState(path=Path("/nonexistent/state.json"), name=spec.name, topology=str(spec.source or ""))
    state.namespaces = [
        spec.netns_name(n) for n in (*spec.bridges, *spec.hosts) if Netns(spec.netns_name(n)).exists()
    ]
    state.links = [
        i
        for s in spec.switches
        for i in spec.switch_ports(s).values()
        if Path(f"/sys/class/net/{i}").exists()
    ]
    if not state.namespaces and not state.links:
        echo(f"topology {spec.name}: not running")
        return []
    return down(state, echo=echo)


def stop_process(state: RunState, name: str) -> None:
    """Stop one of the topology's processes (a switch, ``controller``), keeping its record."""
    record = state.processes.get(name)
    if record is None:
        raise TopoError(f"topology {state.name} has no process {name!r}")
    stop(record)
    state.save()


def start_process(state: RunState, name: str, timeout: float = 60.0) -> None:
    """Start a stopped process again with the same command, and wait until it is ready."""
    record = state.processes.get(name)
    if record is None:
        raise TopoError(f"topology {state.name} has no process {name!r}")
    if is_running(record):
        raise TopoError(f"{name} is already running (pid {record.pid})")
    spawn(state, record)
    wait_ready(record, timeout)


def status(state: RunState) -> str:
    lines = [f"topology {state.name} ({state.topology}); state {state.path}"]
    for record in state.processes.values():
        running = is_running(record)
        lines.append(
            f"  {record.kind} {record.name}: "
            + (f"running, pid {record.pid}" if running else "NOT running")
            + f"; log {record.log}"
        )
        if not running and (tail := log_tail(record, 3)):
            lines.append(tail)
    for host, netns in state.hosts.items():
        lines.append(f"  host {host}: namespace {netns}" + ("" if Netns(netns).exists() else " (missing)"))
    if state.controller_url:
        lines.append(f"  REST API: {state.controller_url}")
    return "\n".join(lines)


# ---- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m topo.runner", description="Build, inspect and tear down a topology file."
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("topology", type=Path, help="the topology JSON file")
    parser.add_argument("--state", type=Path, help="the state file (default build/run/NAME.state.json)")
    parser.add_argument("--target", choices=[str(t) for t in Target], help="run every switch on this target")
    parser.add_argument("--no-controller", action="store_true", help="do not start the controller")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    echo: Echo = _quiet if args.quiet else print
    try:
        spec = load_topology(args.topology)
        if args.target is not None:
            spec = spec.with_target(Target(args.target))
        path = args.state or default_state_path(spec)
        if args.command == "up":
            started = time.monotonic()
            up(spec, path, start_controller=not args.no_controller, echo=echo)
            echo(f"topology {spec.name}: up in {time.monotonic() - started:.1f} s (state {path})")
            return 0
        if args.command == "down":
            if not path.exists():
                return 1 if down_by_names(spec, echo=echo) else 0
            if not is_root():
                raise TopoError("taking a topology down needs root")
            return 1 if down(RunState.load(path), echo=echo) else 0
        if not path.exists():
            print(f"topology {spec.name}: not running (no state file {path})")
            return 3
        print(status(RunState.load(path)))
        return 0
    except (TopoError, TopologyError) as e:
        print(f"topo.runner: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("topo.runner: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
