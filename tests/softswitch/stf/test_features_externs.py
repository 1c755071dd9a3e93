"""v1model externs through STF: registers, meters and counters (static STF), hash() with every
algorithm and the checksum externs (expected packets computed here: CRCs and sums written out
from their definitions, IPv4/UDP checksums by scapy)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from scapy.layers.inet import IP, UDP

from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def assert_passes(name: str, stf_text: str | None = None) -> None:
    stf: Path | str = PROGRAMS / f"{name}.stf" if stf_text is None else stf_text
    result = run_stf_program(PROGRAMS / f"{name}.p4", stf)
    assert result.status == "pass", format_result(result)


def test_registers_meters_counters() -> None:
    assert_passes("stateful")


def _crc16_arc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _words(data: bytes) -> list[int]:
    if len(data) % 2:
        data += b"\x00"
    return [(data[i] << 8) | data[i + 1] for i in range(0, len(data), 2)]


def _csum16(data: bytes) -> int:
    total = sum(_words(data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _xor16(data: bytes) -> int:
    acc = 0
    for w in _words(data):
        acc ^= w
    return acc


def test_hash_algorithms() -> None:
    lines = []
    for a, b, c in ((0x1234, 0x56, 0x78), (0xFFFF, 0x00, 0x01), (0, 0, 0), (0xBEEF, 0xCA, 0xFE)):
        ab = struct.pack("!HB", a, b)
        abc = struct.pack("!HBB", a, b, c)
        res = struct.pack(
            "!IHHHIHI",
            zlib.crc32(ab),
            _crc16_arc(ab),
            _csum16(ab),
            _xor16(abc),
            int.from_bytes(ab, "big"),
            100 + zlib.crc32(ab) % 7,
            zlib.crc32(struct.pack("!HB", a, 0)),  # the invalid extra.x still counts, read as 0
        )
        lines.append(f"packet 0 {abc.hex()}")
        lines.append(f"expect 1 {abc.hex()} {res.hex()} $")
    assert_passes("hashes", "\n".join(lines) + "\n")


def _split(pkt: bytes) -> tuple[bytes, bytes, bytes]:
    """IPv4 header (20 bytes), UDP header (8 bytes), payload."""
    return pkt[:20], pkt[20:28], pkt[28:]


def test_checksum_verify_and_update() -> None:
    payload = bytes(range(1, 24))
    good = bytes(IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=7) / UDP(sport=1234, dport=5678) / payload)
    expected = bytes(IP(src="10.0.0.1", dst="10.0.0.2", ttl=63, id=7) / UDP(sport=1234, dport=5678) / payload)
    ip_out, udp_out, pl_out = _split(expected)
    # a wrong IPv4 checksum: checksum_error is 1, the packet goes on and its checksum is rewritten
    bad = bytearray(good)
    bad[10] ^= 0xFF
    # an odd-length payload exercises the zero padding of csum16
    odd_payload = payload + b"\x99"
    odd_in = bytes(IP(src="1.2.3.4", dst="5.6.7.8", ttl=9) / UDP(sport=53, dport=53) / odd_payload)
    odd_exp = bytes(IP(src="1.2.3.4", dst="5.6.7.8", ttl=8) / UDP(sport=53, dport=53) / odd_payload)
    oi, ou, op = _split(odd_exp)
    stf = "\n".join(
        [
            f"packet 0 {good.hex()}",
            f"expect 1 {ip_out.hex()} {udp_out.hex()} 00 {pl_out.hex()} $",
            f"packet 0 {bytes(bad).hex()}",
            f"expect 1 {ip_out.hex()} {udp_out.hex()} 01 {pl_out.hex()} $",
            f"packet 0 {odd_in.hex()}",
            f"expect 1 {oi.hex()} {ou.hex()} 00 {op.hex()} $",
        ]
    )
    assert_passes("checksums", stf + "\n")
