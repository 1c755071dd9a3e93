"""The user-space VLAN link's framing (the process itself runs in tests/topo/test_runner.py)."""

from __future__ import annotations

from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from topo.vlan_tap import tag_frame, untag_frame


def _frame() -> bytes:
    packet = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IPv6(
        src="2001:db8::1", dst="2001:db8::2"
    )
    return bytes(packet / UDP(sport=1, dport=2) / b"payload")


def test_tagging_inserts_an_8021q_tag_after_the_macs() -> None:
    plain = _frame()
    tagged = Ether(tag_frame(plain, 100))
    assert tagged.type == 0x8100
    assert tagged[Dot1Q].vlan == 100 and tagged[Dot1Q].prio == 0 and tagged[Dot1Q].type == 0x86DD
    assert tagged[IPv6].dst == "2001:db8::2" and bytes(tagged[UDP].payload) == b"payload"
    assert bytes(Ether(plain)[IPv6]) == bytes(tagged[IPv6])


def test_untagging_keeps_only_its_own_vlan() -> None:
    plain = _frame()
    assert untag_frame(tag_frame(plain, 100), 100) == plain
    assert untag_frame(tag_frame(plain, 200), 100) is None  # another VLAN
    assert untag_frame(plain, 100) is None  # untagged
    with_pcp = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / Dot1Q(vlan=100, prio=5)
                     / IPv6() / UDP())  # fmt: skip
    assert untag_frame(with_pcp, 100) is not None  # the priority bits do not matter
    assert untag_frame(plain[:15], 100) is None  # too short to hold a tag
