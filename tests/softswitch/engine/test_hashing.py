"""Tests for softswitch.engine.hashing: packing, CRC check values, checksums, hash()."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.utils import checksum as scapy_checksum

from softswitch.engine.hashing import (
    HASH_FUNCTIONS,
    UnsupportedHashError,
    crc16,
    crc32,
    csum16,
    hash_function,
    hash_value,
    identity,
    make_crc,
    pack_fields,
    xor16,
)

CHECK = b"123456789"  # the CRC catalogue's check input


# ------------------------------------------------------------------------------ pack_fields


def test_pack_fields_examples() -> None:
    assert pack_fields([]) == b""
    assert pack_fields([(0xA, 4)]) == b"\xa0"
    assert pack_fields([(1, 1), (0, 1), (0x3F, 6)]) == b"\xbf"
    assert pack_fields([(0x123, 12)]) == b"\x12\x30"
    assert pack_fields([(0x0800, 16), (6, 8)]) == b"\x08\x00\x06"
    assert pack_fields([(1, 9), (1, 9)]) == bytes([0b00000000, 0b10000000, 0b01000000])
    assert pack_fields([(0x1FF, 8)]) == b"\xff"  # reduced to the width
    assert pack_fields([(5, 0), (0xAB, 8)]) == b"\xab"  # zero-width fields add nothing


@settings(deadline=None, max_examples=300)
@given(
    st.lists(
        st.integers(0, 70).flatmap(lambda w: st.tuples(st.integers(0, (1 << w) - 1), st.just(w))), max_size=12
    )
)
def test_pack_fields_is_msb_first_concatenation(fields: list[tuple[int, int]]) -> None:
    packed = pack_fields(fields)
    total = sum(w for _, w in fields)
    assert len(packed) == (total + 7) // 8
    bits = "".join(format(v, f"0{w}b") if w else "" for v, w in fields)
    bits += "0" * (len(packed) * 8 - total)
    assert packed == (int(bits, 2).to_bytes(len(packed), "big") if bits else b"")


# ------------------------------------------------------------------------------------ CRCs


def test_crc_check_values_from_the_catalogue() -> None:
    assert crc16(CHECK) == 0xBB3D  # CRC-16/ARC
    assert crc32(CHECK) == 0xCBF43926  # CRC-32 (IEEE)
    assert HASH_FUNCTIONS["crc16"](CHECK) == 0xBB3D
    assert HASH_FUNCTIONS["crc32"](CHECK) == 0xCBF43926
    # The _custom variants start with the same parameters as the plain ones.
    assert HASH_FUNCTIONS["crc16_custom"](CHECK) == 0xBB3D
    assert HASH_FUNCTIONS["crc32_custom"](CHECK) == 0xCBF43926


def test_make_crc_other_catalogue_entries() -> None:
    assert make_crc(16, 0x1021, 0x0000, 0x0000, False, False)(CHECK) == 0x31C3  # CRC-16/XMODEM
    assert make_crc(16, 0x8005, 0xFFFF, 0x0000, True, True)(CHECK) == 0x4B37  # CRC-16/MODBUS
    assert make_crc(16, 0x1021, 0xFFFF, 0x0000, False, False)(CHECK) == 0x29B1  # CRC-16/CCITT-FALSE
    assert make_crc(32, 0x04C11DB7, 0xFFFFFFFF, 0xFFFFFFFF, False, False)(CHECK) == 0xFC891918  # BZIP2
    assert make_crc(32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, True, True)(CHECK) == 0xE3069283  # CRC-32C
    assert make_crc(8, 0x07, 0x00, 0x00, False, False)(CHECK) == 0xF4  # CRC-8/SMBUS
    assert make_crc(64, 0x42F0E1EBA9EA3693, 0, 0, False, False)(CHECK) == 0x6C40DF5F0B497347  # ECMA-182
    with pytest.raises(ValueError):
        make_crc(12, 0x80F, 0, 0, False, False)


@settings(deadline=None, max_examples=200)
@given(st.binary(max_size=64))
def test_fast_crcs_equal_the_generic_ones(data: bytes) -> None:
    assert crc16(data) == make_crc(16, 0x8005, 0, 0, True, True)(data)
    assert crc32(data) == make_crc(32, 0x04C11DB7, 0xFFFFFFFF, 0xFFFFFFFF, True, True)(data)


def test_crc_of_empty_input() -> None:
    assert crc16(b"") == 0
    assert crc32(b"") == 0


# -------------------------------------------------------------------------------- csum16


def slow_csum16(data: bytes) -> int:
    """RFC 1071 done the long way: 16-bit big-endian words, end-around carry, complement."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def test_csum16_rfc1071_example() -> None:
    # RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is 220d.
    assert csum16(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D


def test_csum16_ipv4_header() -> None:
    # A well-known IPv4 header whose checksum field holds b861.
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert csum16(header) == 0xB861
    with_checksum = header[:10] + b"\xb8\x61" + header[12:]
    assert csum16(with_checksum) == 0  # a correct header verifies to 0


def test_csum16_edge_cases() -> None:
    assert csum16(b"") == 0xFFFF
    assert csum16(b"\x00\x00\x00") == 0xFFFF
    assert csum16(b"\xff\xff") == 0x0000
    assert csum16(b"\xff\xff\xff\xff") == 0x0000
    assert csum16(b"\x01") == 0xFEFF  # odd byte padded with zero on the right


@settings(deadline=None, max_examples=500)
@given(st.binary(max_size=200))
def test_csum16_equals_the_straightforward_sum(data: bytes) -> None:
    assert csum16(data) == slow_csum16(data)
    assert csum16(data) == scapy_checksum(data)


@settings(deadline=None, max_examples=200)
@given(st.integers(1, 40).flatmap(lambda n: st.lists(st.sampled_from([0x00, 0xFF]), min_size=n, max_size=n)))
def test_csum16_zero_and_ffff_heavy_inputs(data_list: list[int]) -> None:
    data = bytes(data_list)
    assert csum16(data) == slow_csum16(data)


# ----------------------------------------------------------------------- xor16, identity


def test_xor16() -> None:
    assert xor16(b"") == 0
    assert xor16(b"\x12\x34\x56\x78") == 0x1234 ^ 0x5678
    assert xor16(b"\x12\x34\x56") == 0x1234 ^ 0x5600
    assert xor16(b"\xab") == 0xAB00


def test_identity() -> None:
    assert identity(b"") == 0
    assert identity(b"\x01\x02") == 0x0102
    assert identity(bytes(range(1, 11))) == 0x0102030405060708  # first 8 bytes only
    # A 12-bit field packs into 2 bytes, so identity sees it shifted left by 4.
    assert identity(pack_fields([(0xABC, 12)])) == 0xABC0


# -------------------------------------------------------------------------------- hash()


def test_hash_value_base_plus_mod_max() -> None:
    data = b"\x00\x00\x00\x2a"
    assert hash_value("identity", data, 5, 10) == 5 + 42 % 10
    assert hash_value("identity", data, 0, 0) == 0  # max 0 is treated as 1
    assert hash_value("identity", data, 7, 0) == 7
    assert hash_value("crc16", CHECK, 0, 1 << 16) == 0xBB3D
    assert hash_value("crc32", CHECK, 100, 1000) == 100 + 0xCBF43926 % 1000
    assert hash_value("identity", b"\xff" * 8, 1, 1 << 64) == 0  # 64-bit wrap like BMv2


def test_random_and_unknown_algorithms_are_refused_clearly() -> None:
    assert "random" not in HASH_FUNCTIONS
    with pytest.raises(UnsupportedHashError, match="random"):
        hash_function("random")
    with pytest.raises(UnsupportedHashError, match="unknown hash algorithm 'md5'"):
        hash_value("md5", b"", 0, 1)
    assert set(HASH_FUNCTIONS) == {
        "crc32",
        "crc32_custom",
        "crc16",
        "crc16_custom",
        "csum16",
        "xor16",
        "identity",
    }
