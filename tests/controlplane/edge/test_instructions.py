"""Group instructions: one packet-out per group, built as the customer would send it (README 3.4, 3.6)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from controlplane.edge.instructions import group_instruction, instruction_source, multicast_mac
from controlplane.edge.settings import EdgeSettings, SwitchProfile
from controlplane.registry.model import Customer, Group

ACME = Customer(
    name="acme", number=7, vlan=1000, uplink_port=3, gateway_mac="02:00:00:00:10:01", prefix="2001:db8:a::/64"
)
GROUP = Group(name="lights", number=5, customer="acme", address="ff3e::4242", members=frozenset({"A", "B"}))
PROFILE = SwitchProfile(name="s1", cpu_port=64, port_macs={}, settings=EdgeSettings(instruction_port=7000))


def test_one_frame_from_the_customer_to_the_group_address() -> None:
    out = group_instruction(GROUP, ACME, PROFILE, b"lights off")
    assert (out.group, out.mcast_grp, out.customer_id) == ("lights", 5, 7)
    frame = Ether(out.frame)
    assert (frame.dst, frame.src, frame[Dot1Q].vlan) == ("33:33:00:00:42:42", "02:00:00:00:10:01", 1000)
    assert (frame[IPv6].src, frame[IPv6].dst) == ("2001:db8:a::1", "ff3e::4242")
    assert (frame[UDP].sport, frame[UDP].dport, bytes(frame[UDP].payload)) == (7000, 7000, b"lights off")
    # the checksum scapy computes from scratch for the same datagram
    checksum = frame[UDP].chksum
    del frame[UDP].chksum
    assert Ether(bytes(frame))[UDP].chksum == checksum


def test_the_source_is_the_anycast_address_when_there_is_one() -> None:
    with_anycast = replace(ACME, anycast="2001:db8:a::100")
    assert instruction_source(with_anycast) == (0x2001_0DB8_000A << 80) | 0x100
    assert instruction_source(ACME) == (0x2001_0DB8_000A << 80) | 1


def test_multicast_mac_keeps_the_low_32_bits() -> None:
    assert multicast_mac(0xFF02 << 112 | 0x1_FF00_0001) == 0x3333_FF00_0001


@pytest.mark.parametrize(
    ("group", "message"),
    [
        (Group(name="g", number=5, customer="globex", address="ff3e::1", members=frozenset()), "belongs to 'globex'"),
        (Group(name="g", number=0, customer="acme", address="ff3e::1", members=frozenset()), "is not 1..65535"),
        (Group(name="g", number=1 << 16, customer="acme", address="ff3e::1", members=frozenset()), "is not 1..65535"),
    ],
)
def test_bad_groups_are_refused(group: Group, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        group_instruction(group, ACME, PROFILE, b"x")

