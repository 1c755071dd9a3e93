"""The benchmark pipeline (bench/programs/engine_pps.p4) forwards correctly: the expected packet,
including the UDP checksum over the IPv6 pseudo-header and payload, is built with scapy."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from softswitch.engine.pipeline import Switch
from softswitch.engine.program import Program
from softswitch.frontend.compiler import compile_file

PROGRAM = Path(__file__).resolve().parents[3] / "bench" / "programs" / "engine_pps.p4"


def test_vlan_ipv6_udp_forwarding() -> None:
    prog = Program.from_frontend(compile_file(PROGRAM))
    sw = Switch(prog)
    prog.table("EdgeIngress.port_vlan").add([3, 10], "EdgeIngress.set_vrf", [1])
    prog.table("EdgeIngress.acl").add([(0, 0), (23, 0xFFFF)], "EdgeIngress.drop", [], priority=1)
    prefix = 0x20010DB8_0001_0000 << 64
    prog.table("EdgeIngress.route").add([1, (prefix, 64)], "EdgeIngress.set_nexthop", [5])
    prog.table("EdgeIngress.nexthop").add([5], "EdgeIngress.rewrite", [0x02AABBCCDDEE, 0x021122334455, 200, 7])

    def packet(dport: int, hlim: int = 64, vid: int = 10, smac: str = "00:00:00:00:00:bb",
               dmac: str = "00:00:00:00:00:aa") -> bytes:
        return bytes(
            Ether(src=smac, dst=dmac)
            / Dot1Q(vlan=vid)
            / IPv6(src="2001:db8::1", dst="2001:db8:1::99", hlim=hlim)
            / UDP(sport=4000, dport=dport)
            / b"some payload bytes"
        )

    out = sw.process(3, packet(53))
    expected = bytes(
        Ether(src="02:11:22:33:44:55", dst="02:aa:bb:cc:dd:ee")
        / Dot1Q(vlan=200)
        / IPv6(src="2001:db8::1", dst="2001:db8:1::99", hlim=63)
        / UDP(sport=4000, dport=53)
        / b"some payload bytes"
    )
    assert out == [(7, expected)]
    entry = prog.table("EdgeIngress.port_vlan").table.get([3, 10])
    assert entry is not None and entry.packets == 1 and entry.bytes == len(expected)
    assert sw.process(3, packet(23)) == []  # the ACL drops telnet
    assert sw.process(3, packet(53, hlim=1)) == []  # hop limit exhausted
    assert sw.process(3, packet(53, vid=11)) == []  # unknown port/VLAN
