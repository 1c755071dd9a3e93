"""Real packets through a softswitch on veth pairs: an unknown sender's access request, its
approval, a group instruction sent by packet-out, and a device's counters.

Topology (the switch runs in this process's namespace, hosts in their own):

    ns dev  eth0 ── <host a> = switch port 1 (access, untagged)
    ns vpc  eth0 ── <host u> = switch port 3 (uplink, ACME on VLAN 1000)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import select
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from controlplane.edge import contract as c
from controlplane.edge.entries import TableEntry
from controlplane.p4rt import PipelineFiles
from controlplane.registry.model import AccessRequestStatus, Approval, DeviceSpec, GroupSpec
from controlplane.registry.service import Registry
from tests.controlplane.edge.conftest import acme
from tests.controlplane.edge.edge_harness import InterfaceSwitch, make_plane, running, switch_state
from tests.controlplane.p4rt.softswitch_process import poll, run_async
from topo.netns import Endpoint, Netns, Topology, missing_tools

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or bool(missing_tools("ip", "ethtool")),
    reason="needs root (network namespaces, veth) and the ip and ethtool programs (Debian iproute2, ethtool)",
)

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
DEV_MAC = "00:00:00:aa:00:01"
PORT1_MAC = "02:ed:00:00:00:01"  # the edge's default MAC on port 1 (device id 0)
_names = itertools.count(1)


class Host:
    """A raw socket on an interface inside a namespace."""

    def __init__(self, ns: Netns, ifname: str) -> None:
        with ns.entered():
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            self.sock.bind((ifname, 0))
        self.sock.setblocking(False)

    def send(self, frame: bytes) -> None:
        self.sock.send(frame)

    def expect(self, match: Callable[[Ether], bool], *, timeout: float = 10.0, what: str = "a frame") -> Ether:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], 0.05)
            if not ready:
                continue
            data, address = self.sock.recvfrom(65535)
            if address[2] == PACKET_OUTGOING:
                continue
            frame = Ether(data)
            if match(frame):
                return frame
        raise AssertionError(f"timed out waiting for {what}")

    async def expect_async(self, match: Callable[[Ether], bool], *, timeout: float = 10.0, what: str = "a frame") -> Ether:
        return await asyncio.to_thread(self.expect, match, timeout=timeout, what=what)

    def close(self) -> None:
        self.sock.close()


@dataclass
class World:
    switch: InterfaceSwitch
    dev: Host
    vpc: Host


@pytest.fixture
def world() -> Iterator[World]:
    topo = Topology("edg")
    hosts: list[Host] = []
    switch: InterfaceSwitch | None = None
    try:
        n = f"{os.getpid() % 100000}{next(_names)}"
        dev_ns, vpc_ns = topo.netns("dev"), topo.netns("vpc")
        topo.veth(Endpoint(None, f"ea{n}"), Endpoint(dev_ns, "eth0"))
        topo.veth(Endpoint(None, f"eu{n}"), Endpoint(vpc_ns, "eth0"))
        switch = InterfaceSwitch([(1, f"ea{n}"), (3, f"eu{n}")])
        hosts = [Host(dev_ns, "eth0"), Host(vpc_ns, "eth0")]
        yield World(switch, hosts[0], hosts[1])
        assert "Traceback" not in switch.stderr(), switch.stderr()
    finally:
        for host in hosts:
            host.close()
        if switch is not None:
            switch.close()
        topo.close()


def upstream_frame(src: str = "2001:db8:100::a", dst: str = "2001:db8:a::a", payload: bytes = b"hello") -> bytes:
    packet = Ether(src=DEV_MAC, dst=PORT1_MAC) / IPv6(src=src, dst=dst) / UDP(sport=4000, dport=5000) / payload
    return bytes(packet)


def is_udp_to(address: str, dport: int) -> Callable[[Ether], bool]:
    def match(frame: Ether) -> bool:
        return IPv6 in frame and frame[IPv6].dst == address and UDP in frame and frame[UDP].dport == dport

    return match


def test_an_unknown_sender_becomes_an_access_request_and_approval_admits_it(
    registry: Registry, world: World, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())

    async def main() -> None:
        plane = make_plane(registry, world.switch.address, edge_pipeline, access_ports=(1,))
        async with running(plane):
            world.dev.send(upstream_frame())
            await poll(lambda: bool(registry.list_access_requests()), timeout=10, what="an access request")
            (request,) = registry.list_access_requests()
            assert (request.port, request.vlan, request.src_mac, request.src_addr, request.count) == (
                1, None, DEV_MAC, "2001:db8:100::a", 1,
            )
            assert request.status is AccessRequestStatus.PENDING
            assert time.time() - 60 < request.first_seen <= time.time()

            registry.approve_access_request(request.id, Approval(device_id="A", customer="acme", endpoint="2001:db8:a::a"))
            await plane.settled()
            state = await switch_state(plane)
            assert ("table", c.DEVICE_V6, (1, 0, 0x2001_0DB8_0100 << 80 | 0xA)) in state

            # now admitted: the next packet goes to the VPC, tagged with the customer's VLAN
            world.dev.send(upstream_frame(payload=b"admitted"))
            frame = await world.vpc.expect_async(is_udp_to("2001:db8:a::a", 5000), what="the packet on the uplink")
            assert bytes(frame[UDP].payload) == b"admitted"
            assert frame.dst == "02:00:00:00:10:01"  # the VPC gateway
            assert plane.dispatcher.requests_recorded == 1

    run_async(main)


def test_a_group_instruction_reaches_each_member_as_its_own_copy(
    registry: Registry, world: World, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(
        DeviceSpec(device_id="A", customer="acme", endpoint="2001:db8:a::a", addresses=["2001:db8:100::a"], access_port=1)
    )
    group = registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::4242", members=["A"]))

    async def main() -> None:
        async with running(make_plane(registry, world.switch.address, edge_pipeline)) as plane:
            receipt = await plane.send_group_instruction(group, b"lights off")
            assert (receipt.group, receipt.members, receipt.switches, receipt.payload_bytes) == ("g", 1, ("s1",), 10)
            frame = await world.dev.expect_async(is_udp_to("2001:db8:100::a", 5683), what="the instruction")
            assert Dot1Q not in frame  # A is untagged
            assert (frame.src, frame.dst) == (PORT1_MAC, "ff:ff:ff:ff:ff:ff")  # A has never sent
            # one packet-out, replicated by the switch: from the customer's anycast service address
            assert frame[IPv6].src == "2001:db8:a::100"
            assert bytes(frame[UDP].payload) == b"lights off"
            checksum = frame[UDP].chksum
            del frame[UDP].chksum
            assert Ether(bytes(frame))[UDP].chksum == checksum

            # once A has sent, the switch knows its MAC and so does the instruction
            world.dev.send(upstream_frame())
            await world.vpc.expect_async(is_udp_to("2001:db8:a::a", 5000), what="A's packet upstream")
            await plane.send_group_instruction(group, b"lights on")
            frame = await world.dev.expect_async(is_udp_to("2001:db8:100::a", 5683), what="the second instruction")
            assert frame.dst == DEV_MAC and bytes(frame[UDP].payload) == b"lights on"

            (counters,) = await plane.device_counters(registry.get_device("A"))
            assert counters.upstream_packets == 1 and counters.upstream_bytes == len(upstream_frame())

    run_async(main)


def test_a_device_delivery_entry_uses_the_switch_port(registry: Registry, world: World, edge_pipeline: PipelineFiles) -> None:
    """Downstream: the VPC's packet to A leaves on A's port, untagged, from the port's MAC."""
    registry.add_customer(acme())
    registry.add_device(
        DeviceSpec(device_id="A", customer="acme", endpoint="2001:db8:a::a", addresses=["2001:db8:100::a"], access_port=1)
    )

    async def main() -> None:
        async with running(make_plane(registry, world.switch.address, edge_pipeline)) as plane:
            down = (
                Ether(src="02:00:00:00:10:01", dst="02:ed:00:00:00:03") / Dot1Q(vlan=1000)
                / IPv6(src="2001:db8:a::a", dst="2001:db8:100::a") / UDP(sport=5000, dport=4000) / b"reply"
            )
            world.vpc.send(bytes(down))
            frame = await world.dev.expect_async(is_udp_to("2001:db8:100::a", 4000), what="the reply")
            assert Dot1Q not in frame and frame.src == PORT1_MAC
            (counters,) = await plane.device_counters(registry.get_device("A"))
            assert counters.downstream_packets == 1
            entry = (await switch_state(plane))[("table", c.DEVICE_DOWN_V6, (0x2001_0DB8_0100 << 80 | 0xA,))]
            assert isinstance(entry, TableEntry) and entry.params[2] == 1

    run_async(main)
