"""softswitch's engine behind real ports: a P4 program sees and rewrites the 802.1Q tag."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Raw

from softswitch.dataplane import PacketProcessor
from softswitch.engine.pipeline import Switch
from softswitch.engine.program import Program
from softswitch.frontend.compiler import compile_file
from tests.softswitch.ports.switch_rig import SwitchRig, needs_root, receive

pytestmark = needs_root

PROGRAM = Path(__file__).with_name("programs") / "vlan_bump.p4"
MARK = b"softswitch-p4-port-test"


def load_switch() -> PacketProcessor:
    return Switch(Program.from_frontend(compile_file(PROGRAM)))


def frame(vid: int | None, payload: bytes) -> bytes:
    ethernet = Ether(src="02:00:00:00:01:01", dst="02:00:00:00:02:02")
    body = IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2) / Raw(MARK + payload)
    return bytes(ethernet / Dot1Q(vlan=vid, prio=5) / body if vid is not None else ethernet / body)


def marked(data: bytes) -> bool:
    return MARK in data


def test_p4_program_rewrites_the_vlan_id(rig: SwitchRig) -> None:
    rig.start_switch(load_switch())
    assert rig.host1.send(frame(100, b"tagged"))
    assert rig.host1.send(frame(None, b"untagged"))
    # VLAN ID 100 + 1, everything else as sent (PCP 5 kept); the untagged frame is unchanged.
    assert receive(rig.host2, 2, match=marked) == [frame(101, b"tagged"), frame(None, b"untagged")]
    assert rig.host2.send(frame(4094, b"back"))
    assert receive(rig.host1, 1, match=marked) == [frame(4095, b"back")]
