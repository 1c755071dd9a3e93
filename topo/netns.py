"""Network namespaces and veth pairs for tests, benchmarks and demo topologies.

A :class:`Topology` creates namespaces and veth pairs under unique names (``<prefix>-<pid>-<n>-…``)
and removes all of them on :meth:`Topology.close`, also after a failure: it kills the processes
left inside its namespaces, then deletes the namespaces (which destroys their veths) and the links
it made in the current namespace. :func:`remove_stale` sweeps what a killed run left behind.

Everything here needs root and iproute2's ``ip``; :meth:`Netns.tx_offload_off` needs ``ethtool``
(Debian packages ``iproute2`` and ``ethtool``). Hosts that send UDP/TCP over veth must have TX
checksum offload off, or their checksums stay unfinished (see :mod:`softswitch.ports.rawsock`);
:meth:`Topology.veth` does it by default.

:meth:`Netns.entered` moves only the calling thread into a namespace for a while: sockets opened
there stay in that namespace afterwards, which lets one test process own ports in several
namespaces without starting subprocesses.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
DEFAULT_PREFIX = "sst"
COMMAND_TIMEOUT_S = 30.0

_Stream = int | IO[bytes] | None

_libc = ctypes.CDLL(None, use_errno=True)
_topology_numbers = itertools.count(1)


class TopoError(Exception):
    """A topology step that failed; the message is one line naming the command and the reason."""


def is_root() -> bool:
    return os.geteuid() == 0


def missing_tools(*tools: str) -> list[str]:
    """The programs among ``tools`` (default: ``ip`` and ``ethtool``) that are not on PATH."""
    return [tool for tool in (tools or ("ip", "ethtool")) if shutil.which(tool) is None]


def run_command(argv: Sequence[str], *, check: bool = True, timeout: float = COMMAND_TIMEOUT_S) -> str:
    """Run a command, return its stdout; raise :class:`TopoError` with its stderr if it fails."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise TopoError(f"{argv[0]}: command not found") from None
    except subprocess.TimeoutExpired:
        raise TopoError(f"{' '.join(argv)}: no answer after {timeout:g} s") from None
    if check and done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise TopoError(f"{' '.join(argv)}: {reason[-1] if reason else f'exit status {done.returncode}'}")
    return done.stdout


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise TopoError(f"setns: {os.strerror(code)}")


@dataclass(frozen=True, slots=True)
class Netns:
    """A named network namespace (``ip netns``); the methods run commands inside it."""

    name: str

    @property
    def path(self) -> Path:
        return NETNS_DIR / self.name

    def exists(self) -> bool:
        return self.path.exists()

    def ip(self, *args: str, check: bool = True) -> str:
        """``ip -n NAME ARGS…``."""
        return run_command(["ip", "-n", self.name, *args], check=check)

    def exec(self, *argv: str, check: bool = True, timeout: float = COMMAND_TIMEOUT_S) -> str:
        """Run a command inside the namespace and return its stdout."""
        return run_command(["ip", "netns", "exec", self.name, *argv], check=check, timeout=timeout)

    def popen(
        self,
        argv: Sequence[str],
        *,
        stdin: _Stream = None,
        stdout: _Stream = None,
        stderr: _Stream = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start a process inside the namespace. Prefer :meth:`Topology.spawn`, which also stops it."""
        return subprocess.Popen(
            ["ip", "netns", "exec", self.name, *argv], stdin=stdin, stdout=stdout, stderr=stderr, env=env
        )

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Move the calling thread into this namespace for the ``with`` block, then back."""
        try:
            target = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as err:
            raise TopoError(f"network namespace {self.name}: {err.strerror}") from None
        try:
            home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
            try:
                _setns(target)
                try:
                    yield
                finally:
                    _setns(home)
            finally:
                os.close(home)
        finally:
            os.close(target)

    def sysctl(self, key: str, value: str | int) -> None:
        """Set a ``net.*`` sysctl of this namespace, e.g. ``net.ipv6.conf.all.disable_ipv6``."""
        if not key.startswith("net.") or "/" in key or ".." in key:
            raise TopoError(f"sysctl {key}: only net.* keys are namespaced")
        path = Path("/proc/sys") / key.replace(".", "/")
        with self.entered():
            try:
                path.write_text(f"{value}\n")
            except OSError as err:
                raise TopoError(f"sysctl {key}={value} in {self.name}: {err.strerror}") from None

    def link_up(self, ifname: str) -> None:
        self.ip("link", "set", "dev", ifname, "up")

    def set_mtu(self, ifname: str, mtu: int) -> None:
        self.ip("link", "set", "dev", ifname, "mtu", str(mtu))

    def set_mac(self, ifname: str, mac: str) -> None:
        self.ip("link", "set", "dev", ifname, "address", mac)

    def mac_address(self, ifname: str) -> str:
        match = re.search(r"link/ether ([0-9a-f:]{17})", self.ip("link", "show", "dev", ifname))
        if match is None:
            raise TopoError(f"{ifname} in {self.name} has no Ethernet address")
        return match.group(1)

    def link_names(self) -> list[str]:
        names = re.findall(r"^\d+: ([^:@\s]+)", self.ip("-o", "link", "show"), flags=re.MULTILINE)
        return [str(name) for name in names]

    def add_address(self, ifname: str, cidr: str) -> None:
        """Add an IPv4 or IPv6 address in CIDR form, e.g. ``10.0.0.1/24``."""
        self.ip("address", "add", cidr, "dev", ifname)

    def add_route(self, destination: str, *, via: str | None = None, dev: str | None = None) -> None:
        """Add a route (``destination`` may be ``default``); give ``via``, ``dev`` or both."""
        if via is None and dev is None:
            raise TopoError(f"route to {destination}: give a gateway or a device")
        args = ["route", "add", destination]
        if via is not None:
            args += ["via", via]
        if dev is not None:
            args += ["dev", dev]
        self.ip(*args)

    def add_neighbour(self, address: str, mac: str, dev: str) -> None:
        """A permanent ARP/NDP entry, so that no resolution traffic crosses the switch."""
        self.ip("neighbour", "replace", address, "lladdr", mac, "dev", dev, "nud", "permanent")

    def tx_offload_off(self, ifname: str) -> None:
        """``ethtool -K IFNAME tx off``: let the kernel finish checksums itself (needed on veth)."""
        if missing_tools("ethtool"):
            raise TopoError("ethtool: command not found (install the Debian package ethtool)")
        self.exec("ethtool", "-K", ifname, "tx", "off")

    def pids(self) -> list[int]:
        """The processes running inside the namespace."""
        return [int(pid) for pid in run_command(["ip", "netns", "pids", self.name], check=False).split()]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One end of a link: an interface name in a namespace (None: the namespace of this process)."""

    netns: Netns | None
    ifname: str


@dataclass(frozen=True, slots=True)
class VethPair:
    a: Endpoint
    b: Endpoint


class Topology:
    """Namespaces and veth pairs that are all removed together by :meth:`close` (or on ``with`` exit).

    ``prefix`` starts every namespace name; :func:`remove_stale` uses it to find leftovers.
    """

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,7}", prefix):
            raise TopoError(f"topology prefix {prefix!r}: use 1-8 lower-case letters and digits")
        self.tag = f"{prefix}-{os.getpid()}-{next(_topology_numbers)}"
        self.namespaces: list[Netns] = []
        self._host_links: list[str] = []
        self._processes: list[subprocess.Popen[bytes]] = []
        self._closed = False

    def netns(self, label: str, *, ipv6: bool = False) -> Netns:
        """Create namespace ``<tag>-<label>`` with ``lo`` up.

        IPv6 is off unless asked for, so the kernel sends no router solicitations or MLD reports
        that a test would then see on its ports.
        """
        if not re.fullmatch(r"[A-Za-z0-9_]{1,32}", label):
            raise TopoError(f"namespace label {label!r}: use letters, digits and _")
        ns = Netns(f"{self.tag}-{label}")
        run_command(["ip", "netns", "add", ns.name])
        self.namespaces.append(ns)
        if not ipv6:
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        ns.link_up("lo")
        return ns

    def veth(
        self,
        a: Endpoint,
        b: Endpoint,
        *,
        mtu: int | None = None,
        up: bool = True,
        tx_offload_off: bool = True,
    ) -> VethPair:
        """Create a veth pair between two endpoints; bring both up and turn TX offload off."""
        argv = ["ip", "link", "add", "name", a.ifname]
        if a.netns is not None:
            argv += ["netns", a.netns.name]
        argv += ["type", "veth", "peer", "name", b.ifname]
        if b.netns is not None:
            argv += ["netns", b.netns.name]
        run_command(argv)
        if a.netns is None:
            self._host_links.append(a.ifname)
        elif b.netns is None:
            self._host_links.append(b.ifname)
        for end in (a, b):
            ns = end.netns
            ip_args = ("-n", ns.name) if ns is not None else ()
            if mtu is not None:
                run_command(["ip", *ip_args, "link", "set", "dev", end.ifname, "mtu", str(mtu)])
            if tx_offload_off:
                if ns is not None:
                    ns.tx_offload_off(end.ifname)
                else:
                    run_command(["ethtool", "-K", end.ifname, "tx", "off"])
            if up:
                run_command(["ip", *ip_args, "link", "set", "dev", end.ifname, "up"])
        return VethPair(a, b)

    def spawn(
        self,
        ns: Netns,
        argv: Sequence[str],
        *,
        stdin: _Stream = None,
        stdout: _Stream = None,
        stderr: _Stream = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start a process inside ``ns``; :meth:`close` stops it if it is still running."""
        process = ns.popen(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env)
        self._processes.append(process)
        return process

    def close(self) -> None:
        """Stop this topology's processes, delete its namespaces and links; never raises."""
        if self._closed:
            return
        self._closed = True
        for process in self._processes:
            _stop_process(process)
        for ns in reversed(self.namespaces):
            _delete_netns(ns)
        for ifname in self._host_links:
            run_command(["ip", "link", "del", "dev", ifname], check=False)

    def __enter__(self) -> Topology:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _stop_process(process: subprocess.Popen[bytes], grace_s: float = 2.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_s)


def _delete_netns(ns: Netns, grace_s: float = 2.0) -> None:
    """Kill what still runs in ``ns`` (only ever our own processes), then delete it."""
    if not ns.exists():
        return
    pids = ns.pids()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if _alive(pid)]
            if pids:
                time.sleep(0.02)
        if not pids:
            break
    run_command(["ip", "netns", "del", ns.name], check=False)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap our own children so they stop counting as alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(prefix: str = DEFAULT_PREFIX) -> list[str]:
    """Delete namespaces named by :class:`Topology` with ``prefix`` whose creating process is gone."""
    removed: list[str] = []
    if not NETNS_DIR.is_dir():
        return removed
    pattern = re.compile(rf"{re.escape(prefix)}-(\d+)-\d+-")
    for entry in sorted(NETNS_DIR.iterdir()):
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        _delete_netns(Netns(entry.name))
        removed.append(entry.name)
    return removed
