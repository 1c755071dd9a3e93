"""Namespaces, veth pairs, addresses and their cleanup (needs root and iproute2)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from topo.netns import NETNS_DIR, Endpoint, Netns, TopoError, Topology, missing_tools, remove_stale

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or bool(missing_tools("ip", "ethtool")),
    reason="needs root (network namespaces) and the ip and ethtool programs (Debian iproute2, ethtool)",
)


@pytest.fixture
def topology() -> Iterator[Topology]:
    topo = Topology()
    try:
        yield topo
    finally:
        topo.close()


def _netns_inode() -> int:
    return os.stat("/proc/thread-self/ns/net").st_ino


def test_names_are_unique_and_everything_goes_on_close() -> None:
    with Topology() as first, Topology() as second:
        a = first.netns("h1")
        b = second.netns("h1")
        assert a.name != b.name
        first.veth(Endpoint(a, "eth0"), Endpoint(b, "eth0"))
        assert a.exists() and b.exists()
        assert "eth0" in a.link_names() and "eth0" in b.link_names()
    assert not a.exists() and not b.exists()


def test_cleanup_happens_after_a_failure() -> None:
    created: list[Netns] = []
    with pytest.raises(RuntimeError, match="test failure"), Topology() as topo:
        created.append(topo.netns("x"))
        raise RuntimeError("test failure")
    assert created and not created[0].exists()


def test_veth_is_up_with_tx_offload_off_and_no_ipv6(topology: Topology) -> None:
    h1, h2 = topology.netns("h1"), topology.netns("h2")
    topology.veth(Endpoint(h1, "a"), Endpoint(h2, "b"), mtu=9000)
    link = h1.ip("link", "show", "dev", "a")
    assert "mtu 9000" in link and ",UP" in link
    features = h1.exec("ethtool", "-k", "a")
    assert "tx-checksumming: off" in features
    assert h2.ip("-6", "address", "show", "dev", "b").strip() == ""


def test_addresses_routes_and_static_neighbours(topology: Topology) -> None:
    h1, h2 = topology.netns("h1"), topology.netns("h2")
    topology.veth(Endpoint(h1, "eth0"), Endpoint(h2, "eth0"))
    h1.add_address("eth0", "10.0.0.1/24")
    h2.add_address("eth0", "10.0.0.2/24")
    h2_mac = h2.mac_address("eth0")
    h1.add_neighbour("10.0.0.2", h2_mac, "eth0")
    h1.add_route("10.9.0.0/24", via="10.0.0.2")
    assert "10.9.0.0/24 via 10.0.0.2 dev eth0" in h1.ip("route", "show")
    assert f"10.0.0.2 dev eth0 lladdr {h2_mac} PERMANENT" in h1.ip("neighbour", "show")
    with h2.entered():
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with h1.entered():
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with receiver, sender:
        receiver.bind(("10.0.0.2", 7000))
        receiver.settimeout(5)
        sender.sendto(b"hello", ("10.0.0.2", 7000))
        assert receiver.recvfrom(100) == (b"hello", ("10.0.0.1", sender.getsockname()[1]))


def test_entered_moves_only_for_the_block(topology: Topology) -> None:
    ns = topology.netns("x")
    home = _netns_inode()
    with ns.entered():
        inside = _netns_inode()
        assert inside != home
        assert socket.if_nameindex() == [(1, "lo")]
    assert _netns_inode() == home
    with pytest.raises(ValueError, match="boom"), ns.entered():
        raise ValueError("boom")
    assert _netns_inode() == home


def test_processes_inside_are_stopped(topology: Topology) -> None:
    ns = topology.netns("x")
    tracked = topology.spawn(ns, [sys.executable, "-c", "import time; time.sleep(600)"])
    untracked = ns.popen([sys.executable, "-c", "import time; time.sleep(600)"])
    deadline = time.monotonic() + 10
    while {tracked.pid, untracked.pid} - set(ns.pids()) and time.monotonic() < deadline:
        time.sleep(0.01)  # `ip netns exec` enters the namespace just after it starts
    assert {tracked.pid, untracked.pid} <= set(ns.pids())
    topology.close()
    assert tracked.wait(timeout=10) is not None
    assert untracked.wait(timeout=10) is not None
    assert not ns.exists()


def test_commands_in_a_namespace(topology: Topology) -> None:
    ns = topology.netns("x")
    assert ns.exec("cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6").strip() == "1"
    ns.sysctl("net.ipv4.ip_forward", 1)
    assert ns.exec("cat", "/proc/sys/net/ipv4/ip_forward").strip() == "1"


def test_errors_are_one_line(topology: Topology) -> None:
    ns = topology.netns("x")
    with pytest.raises(TopoError) as info:
        ns.add_address("nosuch0", "10.0.0.1/24")
    assert "nosuch0" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(TopoError, match="only net"):
        ns.sysctl("kernel.hostname", "x")
    with pytest.raises(TopoError, match="give a gateway or a device"):
        ns.add_route("default")
    with pytest.raises(TopoError, match="label"):
        topology.netns("bad label")
    with pytest.raises(TopoError, match="prefix"):
        Topology(prefix="Bad-Prefix")


def test_remove_stale_deletes_only_leftovers_of_dead_runs() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(finished.stdout)
    stale = Netns(f"ssttest-{dead_pid}-1-h1")
    live = Netns(f"ssttest-{os.getpid()}-99-h1")
    try:
        for ns in (stale, live):
            subprocess.run(["ip", "netns", "add", ns.name], check=True)
        removed = remove_stale("ssttest")
        assert stale.name in removed and live.name not in removed
        assert not stale.exists() and live.exists()
    finally:
        for ns in (stale, live):
            if (NETNS_DIR / ns.name).exists():
                subprocess.run(["ip", "netns", "del", ns.name], check=False)
    assert not Path(NETNS_DIR / live.name).exists()
