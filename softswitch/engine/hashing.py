"""v1model hash and checksum algorithms over byte strings, as BMv2 computes them.

The ``hash``, ``verify_checksum`` and ``update_checksum`` externs first pack their field list with
:func:`pack_fields` (fields of invalid headers are left out by the caller), then run one of
:data:`HASH_FUNCTIONS`, keyed by the v1model ``HashAlgorithm`` member name:

* ``crc32`` / ``crc32_custom``: CRC-32 (IEEE, as zlib; check value 0xCBF43926).
* ``crc16`` / ``crc16_custom``: CRC-16/ARC (poly 0x8005 reflected, init 0, xorout 0; check 0xBB3D).
  The ``_custom`` variants start with the same parameters as the plain ones; BMv2 lets the CLI
  change them, which :func:`make_crc` supports.
* ``csum16``: the Internet checksum (RFC 1071), already complemented; an odd last byte is padded
  with a zero byte.
* ``xor16``: XOR of the big-endian 16-bit words, the last partial word zero-padded on the right.
* ``identity``: the first (at most) 8 bytes read as a big-endian integer.

``random`` is deliberately absent: BMv2 registers no hash of that name, so a program using it is
refused when loaded (:func:`hash_function` raises :class:`UnsupportedHashError`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

HashFunction = Callable[[bytes], int]

_U64 = (1 << 64) - 1


class UnsupportedHashError(ValueError):
    """The program names a hash algorithm that BMv2 (and so softswitch) does not provide."""


def pack_fields(fields: Sequence[tuple[int, int]]) -> bytes:
    """Pack ``(value, width)`` pairs MSB-first into one bit string, zero-padded to whole bytes.

    Values are reduced to their width. A width of 0 contributes nothing.
    """
    acc = 0
    nbits = 0
    for value, width in fields:
        acc = (acc << width) | (value & ((1 << width) - 1))
        nbits += width
    pad = -nbits % 8
    return (acc << pad).to_bytes((nbits + pad) >> 3, "big")


def _reflect(value: int, nbits: int) -> int:
    out = 0
    for _ in range(nbits):
        out = (out << 1) | (value & 1)
        value >>= 1
    return out


def make_crc(
    width: int, poly: int, init: int, xor_out: int, reflect_in: bool, reflect_out: bool
) -> HashFunction:
    """A table-driven CRC with Rocksoft-model parameters (BMv2's ``crc16_custom``/``crc32_custom``).

    ``width`` is 8, 16, 32 or 64; ``poly`` is given in normal (non-reflected) form and ``init`` is
    the initial register value before any reflection.
    """
    if width not in (8, 16, 32, 64):
        raise ValueError(f"CRC width must be 8, 16, 32 or 64, got {width}")
    mask = (1 << width) - 1
    poly &= mask
    init &= mask
    xor_out &= mask
    if reflect_in:
        # Run the register reflected: equivalent to feeding reflected bytes MSB-first.
        rpoly = _reflect(poly, width)
        rtable = []
        for byte in range(256):
            reg = byte
            for _ in range(8):
                reg = (reg >> 1) ^ rpoly if reg & 1 else reg >> 1
            rtable.append(reg)
        rinit = _reflect(init, width)
        rtab = tuple(rtable)

        def crc_reflected(data: bytes) -> int:
            reg = rinit
            for byte in data:
                reg = (reg >> 8) ^ rtab[(reg ^ byte) & 0xFF]
            # ``reg`` is the reflected register; reflect back unless the output stays reflected.
            return (reg if reflect_out else _reflect(reg, width)) ^ xor_out

        return crc_reflected

    top = 1 << (width - 1)
    shift = width - 8
    table = []
    for byte in range(256):
        reg = byte << shift
        for _ in range(8):
            reg = ((reg << 1) ^ poly) & mask if reg & top else (reg << 1) & mask
        table.append(reg)
    tab = tuple(table)

    def crc_normal(data: bytes) -> int:
        reg = init
        for byte in data:
            reg = ((reg << 8) & mask) ^ tab[((reg >> shift) ^ byte) & 0xFF]
        return (_reflect(reg, width) if reflect_out else reg) ^ xor_out

    return crc_normal


def _build_arc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        reg = byte
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        table.append(reg)
    return tuple(table)


_ARC_TABLE = _build_arc_table()


def crc16(data: bytes) -> int:
    """CRC-16/ARC (BMv2 ``crc16``)."""
    reg = 0
    tab = _ARC_TABLE
    for byte in data:
        reg = (reg >> 8) ^ tab[(reg ^ byte) & 0xFF]
    return reg


def crc32(data: bytes) -> int:
    """CRC-32 as zlib computes it (BMv2 ``crc32``)."""
    return zlib.crc32(data)


def csum16(data: bytes) -> int:
    """The Internet checksum of ``data``, complemented, as BMv2's ``csum16``.

    Since 2**16 = 1 (mod 0xFFFF), the one's-complement sum of the big-endian words equals the whole
    buffer read as one big-endian integer, reduced mod 0xFFFF, except that the one's-complement sum
    is 0 only for an all-zero buffer and is 0xFFFF when the remainder is 0.
    """
    if len(data) & 1:
        data += b"\x00"
    total = int.from_bytes(data, "big")
    if total == 0:
        return 0xFFFF
    rem = total % 0xFFFF
    return 0 if rem == 0 else 0xFFFF - rem


def xor16(data: bytes) -> int:
    """XOR of the big-endian 16-bit words of ``data`` (last partial word zero-padded)."""
    if len(data) & 1:
        data += b"\x00"
    acc = 0
    for i in range(0, len(data), 2):
        acc ^= (data[i] << 8) | data[i + 1]
    return acc


def identity(data: bytes) -> int:
    """The first (at most) 8 bytes of ``data`` as a big-endian integer."""
    return int.from_bytes(data[:8], "big")


HASH_FUNCTIONS: dict[str, HashFunction] = {
    "crc32": crc32,
    "crc32_custom": make_crc(32, 0x04C11DB7, 0xFFFFFFFF, 0xFFFFFFFF, True, True),
    "crc16": crc16,
    "crc16_custom": make_crc(16, 0x8005, 0x0000, 0x0000, True, True),
    "csum16": csum16,
    "xor16": xor16,
    "identity": identity,
}


def hash_function(algo: str) -> HashFunction:
    """The function for a v1model ``HashAlgorithm`` member name, or :class:`UnsupportedHashError`."""
    try:
        return HASH_FUNCTIONS[algo]
    except KeyError:
        supported = ", ".join(sorted(HASH_FUNCTIONS))
        if algo == "random":
            raise UnsupportedHashError(
                "HashAlgorithm.random is not supported: BMv2 has no hash of that name "
                f"(supported: {supported})"
            ) from None
        raise UnsupportedHashError(f"unknown hash algorithm {algo!r} (supported: {supported})") from None


def hash_value(algo: str, data: bytes, base: int, max_: int) -> int:
    """v1model ``hash()``: ``base + (H(data) mod max)``, with ``max`` 0 treated as 1.

    Computed in 64-bit unsigned arithmetic like BMv2; the caller truncates to the output width.
    """
    h = hash_function(algo)(data)
    return (base + h % (max_ or 1)) & _U64
