"""Digest samples, held frames and group-instruction frames, without a switch."""

from __future__ import annotations

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from controlplane.edge.instructions import ipv6_udp_frame, member_copy
from controlplane.edge.requests import Sender, decode_sample, frame_destination, split_senders
from controlplane.edge.settings import EdgeSettings, SwitchProfile
from controlplane.edge.state import EdgeState
from controlplane.registry.model import Customer, Device, RateProfile
from controlplane.registry.service import RegistrySnapshot

ACME = Customer(
    name="acme", number=1, vlan=1000, uplink_port=3, gateway_mac="02:00:00:00:10:01", prefix="2001:db8:a::/64"
)
DEV_A = Device(
    device_id="A", number=1, customer="acme", endpoint="2001:db8:a::a", endpoint_v4="10.0.0.10",
    addresses=("2001:db8:100::a", "192.168.20.2"), access_port=2, access_vlan=100, rate_profile="default",
)
PROFILES = {"default": RateProfile(name="default", cir=1, cburst=1, pir=1, pburst=1)}


def test_digest_samples_decode_ipv6_and_ipv4_mapped_senders() -> None:
    v6 = decode_sample({"ingress_port": 2, "vlan": 100, "src_mac": 0x0000_00AA_0001, "src_addr": 0x2001_0DB8 << 96 | 5})
    assert v6 == Sender(2, 100, 0xAA0001, 6, 0x2001_0DB8 << 96 | 5)
    assert (v6.mac_text, v6.addr_text) == ("00:00:00:aa:00:01", "2001:db8::5")
    v4 = decode_sample({"ingress_port": 1, "vlan": 0, "src_mac": 1, "src_addr": 0xFFFF_C0A8_1402})
    assert v4 == Sender(1, 0, 1, 4, 0xC0A8_1402)
    sighting = v4.sighting(12.5)
    assert (sighting.port, sighting.vlan, sighting.src_addr, sighting.seen_at) == (1, None, "192.168.20.2", 12.5)
    assert decode_sample({"ingress_port": 1}) is None
    assert decode_sample("junk") is None


def test_a_registered_device_sending_again_is_waking_not_a_request() -> None:
    state = EdgeState.from_snapshot(RegistrySnapshot(1, (ACME,), (DEV_A,), ()), PROFILES)
    own = Sender(2, 100, 1, 4, 0xC0A8_1402)  # A's IPv4 address, on its port and VLAN
    stranger = Sender(2, 100, 1, 6, 0x2001_0DB8 << 96 | 99)
    elsewhere = Sender(2, 0, 1, 4, 0xC0A8_1402)  # A's address on another VLAN
    unknown, waking = split_senders(state, [own, stranger, elsewhere])
    assert unknown == [stranger, elsewhere]
    assert waking == [(own, "A")]


def test_frame_destination_reads_through_a_vlan_tag() -> None:
    frame = bytes(Ether() / Dot1Q(vlan=5) / IPv6(dst="2001:db8::1") / UDP())
    assert frame_destination(frame) == (6, 0x2001_0DB8 << 96 | 1)
    assert frame_destination(bytes(Ether() / IP(dst="10.0.0.1") / UDP())) == (4, 0x0A00_0001)
    assert frame_destination(b"\x00" * 14) is None


def test_instruction_frame_is_what_scapy_builds() -> None:
    ours = ipv6_udp_frame(
        dst_mac=0xFFFF_FFFF_FFFF, src_mac=0x02ED_0000_0002, vlan=100,
        src=0x2001_0DB8_000A << 80 | 0xA, dst=0x2001_0DB8_0100 << 80 | 0xA, sport=5683, dport=5683, payload=b"go",
    )
    theirs = (
        Ether(dst="ff:ff:ff:ff:ff:ff", src="02:ed:00:00:00:02") / Dot1Q(vlan=100)
        / IPv6(src="2001:db8:a::a", dst="2001:db8:100::a", hlim=64) / UDP(sport=5683, dport=5683) / b"go"
    )
    assert ours == bytes(theirs)
    untagged = ipv6_udp_frame(dst_mac=1, src_mac=2, vlan=0, src=1, dst=2, sport=1, dport=2, payload=b"")
    assert Dot1Q not in Ether(untagged) and Ether(untagged)[UDP].len == 8


def test_member_copy_is_addressed_to_the_member_from_its_endpoint() -> None:
    profile = SwitchProfile(name="s1", cpu_port=64, port_macs={2: 0x02AA_0000_0002}, settings=EdgeSettings(instruction_port=7000))
    copy = member_copy(DEV_A, profile, b"x", learned_mac=0x0000_00AA_0001)
    assert copy is not None and (copy.device_id, copy.egress_port) == ("A", 2)
    frame = Ether(copy.frame)
    assert (frame.dst, frame.src, frame[Dot1Q].vlan) == ("00:00:00:aa:00:01", "02:aa:00:00:00:02", 100)
    assert (frame[IPv6].src, frame[IPv6].dst, frame[UDP].dport) == ("2001:db8:a::a", "2001:db8:100::a", 7000)
