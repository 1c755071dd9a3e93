"""Where edge.p4 does not yet do what p4src/README.md section 5 promises (malformed IP headers).

These tests state the contract and FAIL on the current program, so they are disabled: PTF leaves
them out of a normal run. Run them with ``python ptf-tests/run_ptf.py disabled``. Enable a test
(remove ``_disabled``) once the program is fixed.

- BAD_CHECKSUM ("IPv4 header checksum wrong"): EdgeVerifyChecksum verifies only headers with
  IHL 5, so an IPv4 header with options, or with IHL < 5, is never checked and a corrupted one is
  forwarded.
- PARSER_ERROR ("truncated or malformed headers"): the parser does not check the IP version field
  or IHL >= 5, so an IPv6 EtherType carrying version 4, or an IPv4 header with IHL 4, is forwarded
  as if it were well formed.
"""

from __future__ import annotations

from edge_flows import upstream_flow
from edge_packets import build, describe
from edge_ptf import EdgeTest
from edge_world import BAD_CHECKSUM, DEV_A, DEV_E


def _ipv4_header_at(frame: bytes | bytearray) -> int:
    return 18 if frame[12:14] == b"\x81\x00" else 14


class Ipv4OptionsWithBadChecksum(EdgeTest):
    """An IPv4 header with options and a wrong checksum must be dropped as BAD_CHECKSUM."""

    _disabled = True

    def runTest(self) -> None:
        frame = bytearray(build(upstream_flow(DEV_E, ip_options=True, note="options, bad checksum")))
        frame[_ipv4_header_at(frame) + 10] ^= 0x5A
        before = self.drops()
        self.send(DEV_E.port, bytes(frame))
        self.proof()
        self.assert_dropped(before, {BAD_CHECKSUM: 1})


class MalformedIpHeadersDropped(EdgeTest):
    """An IPv4 header with IHL 4, and an IPv6 EtherType whose header says version 4, must not be
    forwarded; each must be counted once as dropped."""

    _disabled = True

    def runTest(self) -> None:
        short_ihl = bytearray(build(upstream_flow(DEV_E, note="ihl 4")))
        start = _ipv4_header_at(short_ihl)
        short_ihl[start] = 0x44
        short_ihl[start + 10 : start + 12] = b"\0\0"
        short_ihl[start + 10 : start + 12] = _csum(bytes(short_ihl[start : start + 16])).to_bytes(2, "big")
        wrong_version = bytearray(build(upstream_flow(DEV_A, note="version 4 in ipv6")))
        wrong_version[14] = 0x40 | (wrong_version[14] & 0x0F)
        for port, frame in ((DEV_E.port, bytes(short_ihl)), (DEV_A.port, bytes(wrong_version))):
            before = self.drops()
            self.send(port, frame)
            self.proof()
            ingress, _ = self.drops()
            dropped = sum(ingress.values()) - sum(before[0].values())
            self.assertEqual(dropped, 1, f"{describe(frame)} was not counted as dropped")


def _csum(data: bytes) -> int:
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
