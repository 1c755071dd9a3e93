"""v1model corners that p4c's STF corpus does not reach, through STF: Checksum16, checksums over
IPv4 options (varbit), checksums with payload in sub-controls, hash() over bool/enum/error fields
and over nothing, externs and constants passed to a sub-control's apply, members of aggregates
returned by functions, random() with lo > hi, stacks of header unions, stacks in nested
metadata structs, int<W> arithmetic, initial entries with `priority = N:`, several @field_list
indices (nested structs included), default initializers (`...`). Expected packets are worked out by hand in the .stf files, or computed
here from the definitions (zlib's CRC-32, scapy's IPv4 checksum)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from scapy.layers.inet import IP, IPOption_EOL, IPOption_NOP, IPOption_RR

from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def assert_passes(name: str, stf_text: str | None = None) -> None:
    stf: Path | str = PROGRAMS / f"{name}.stf" if stf_text is None else stf_text
    result = run_stf_program(PROGRAMS / f"{name}.p4", stf)
    assert result.status == "pass", format_result(result)


@pytest.mark.parametrize(
    "name",
    [
        "checksum16", "checksum_subcontrol", "block_args", "more_corners", "entry_priorities", "field_lists",
        "default_init",
    ],
)
def test_static_stf(name: str) -> None:
    assert_passes(name)


def test_checksum_over_ipv4_options() -> None:
    payload = bytes(range(10))

    def ipv4(ttl: int, options: list[object]) -> bytes:
        return bytes(IP(src="10.1.2.3", dst="192.168.0.9", ttl=ttl, id=99, options=options) / payload)

    lines = []
    option_sets: list[list[object]] = [
        [],
        [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()],
        [IPOption_RR(routers=["1.1.1.1"] * 9)],  # 39 bytes, padded to the 40-byte maximum
    ]
    for options in option_sets:
        good = ipv4(64, options)
        expected = ipv4(63, options)  # ingress decrements ttl; computeChecksum fixes the sum
        option_bytes = ((good[0] & 0xF) - 5) * 4
        bad = bytearray(good)
        bad[11] ^= 0x5A  # corrupt the checksum: checksum_error = 1, the packet goes on
        lines += [
            f"packet 0 {good.hex()}",
            f"expect 1 00 {option_bytes:02x} {expected.hex()} $",
            f"packet 0 {bytes(bad).hex()}",
            f"expect 1 01 {option_bytes:02x} {expected.hex()} $",
        ]
    assert_passes("ipv4_options", "\n".join(lines) + "\n")


def test_hash_over_bool_enum_and_error_fields() -> None:
    lines = []
    for a, f, e, p, b in ((0x12, 1, 0x80, 0, 0x5), (0xFF, 0, 0x01, 1, 0xF), (0x00, 7, 0x80, 2, 0x0)):
        err = 4 if p == 2 else 0  # error.HeaderTooShort is BMv2 error code 4, NoError 0
        # a: 8 bits, flag: 1, serializable enum: 8, plain enum (its position): 32, error: 32, b: 4
        v = a
        for x, w in ((1 if f else 0, 1), (e, 8), (p, 32), (err, 32), (b, 4)):
            v = (v << w) | x
        data = (v << 3).to_bytes(11, "big")  # 85 bits, zero-padded on the right
        h = zlib.crc32(data)
        head = bytes([a, f, e, p, b << 4])
        lines += [f"packet 0 {(head + bytes(4)).hex()}", f"expect 1 {(head + h.to_bytes(4, 'big')).hex()} $"]
    assert_passes("hash_fields", "\n".join(lines) + "\n")
