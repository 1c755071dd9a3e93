"""Fast parsing and canonical text of IP addresses and prefixes.

Bulk import checks hundreds of thousands of addresses, and the ``ipaddress`` module spends about
20 µs per address parsing and printing one. Here the C library parses and prints
(``inet_pton``/``inet_ntop``), giving the same canonical text as ``str(ipaddress.ip_address(...))``:
lower-case hex without leading zeros, the longest run of two or more zero groups (the first of
equal runs) written as ``::``. Where the C library would print an IPv4 tail (``::1.2.3.4``),
``format_ipv6`` prints hex groups as ``ipaddress`` does. Values are plain ints, so prefix checks
are shifts and compares.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from typing import NamedTuple

_V6_UNPACK = struct.Struct("!8H").unpack
_MAPPED_PREFIX = 0xFFFF  # the bits above the low 32 of an IPv4-mapped IPv6 address


class Address(NamedTuple):
    version: int  # 4 or 6
    value: int
    text: str  # canonical, as ipaddress prints it


class Prefix(NamedTuple):
    version: int
    value: int  # the network address
    length: int
    text: str

    def holds(self, address: Address | None) -> bool:
        """True if ``address`` lies inside this prefix."""
        if address is None or address.version != self.version:
            return False
        shift = (128 if self.version == 6 else 32) - self.length
        return address.value >> shift == self.value >> shift


def format_ipv6(packed: bytes) -> str:
    """Canonical text of a 16-byte IPv6 address (as ``ipaddress`` writes it)."""
    groups = _V6_UNPACK(packed)
    best_start = best_len = -1
    run_start = run_len = -1
    for i, group in enumerate(groups):
        if group == 0:
            if run_len < 0:
                run_start, run_len = i, 1
            else:
                run_len += 1
            if run_len > best_len:
                best_start, best_len = run_start, run_len
        else:
            run_len = -1
    parts = [f"{g:x}" for g in groups]
    if best_len > 1:
        end = best_start + best_len
        parts[best_start:end] = [""]
        if end == 8:
            parts.append("")
        if best_start == 0:
            parts.insert(0, "")
    return ":".join(parts)


def parse_address(text: object) -> Address | None:
    """An IPv6 or IPv4 address from its text, or None (no scope ids, no spaces, no leading zeros
    in IPv4 octets)."""
    if not isinstance(text, str):
        return None
    try:
        if ":" in text:
            packed = socket.inet_pton(socket.AF_INET6, text)
            canonical = socket.inet_ntop(socket.AF_INET6, packed)
            if "." in canonical:
                canonical = format_ipv6(packed)
            return Address(6, int.from_bytes(packed), canonical)
        packed = socket.inet_pton(socket.AF_INET, text)
    except (OSError, ValueError):
        return None
    canonical = socket.inet_ntop(socket.AF_INET, packed)
    if canonical != text:  # leading zeros ("01.2.3.4"), which ipaddress refuses too
        return None
    return Address(4, int.from_bytes(packed), canonical)


def parse_prefix(text: object) -> Prefix | None:
    """A prefix ``address/length`` (any host bits are kept in ``value``; see ``host_bits``)."""
    if not isinstance(text, str) or text.count("/") != 1:
        return None
    address_text, _, length_text = text.partition("/")
    address = parse_address(address_text)
    if address is None or not length_text.isdigit() or (len(length_text) > 1 and length_text[0] == "0"):
        return None
    length = int(length_text)
    if length > (128 if address.version == 6 else 32):
        return None
    bits = 128 if address.version == 6 else 32
    network = address.value >> (bits - length) << (bits - length)
    net_text = str(ipaddress.ip_network((network, length)))
    return Prefix(address.version, address.value, length, net_text)


def host_bits(prefix: Prefix) -> bool:
    """True if the prefix was written with bits set beyond its length."""
    bits = 128 if prefix.version == 6 else 32
    return prefix.value & ((1 << (bits - prefix.length)) - 1) != 0


def unicast_problem(address: Address) -> str | None:
    """Why an address cannot be a device's or an endpoint's, or None."""
    v = address.value
    if address.version == 6:
        if v >> 120 == 0xFF:
            return "is a multicast address"
        if v == 0:
            return "is the unspecified address"
        if v == 1:
            return "is the loopback address"
        if v >> 32 == _MAPPED_PREFIX:
            return f"is IPv4-mapped; write the IPv4 address {socket.inet_ntoa((v & 0xFFFFFFFF).to_bytes(4))} instead"
        return None
    if v >> 28 == 0xE:
        return "is a multicast address"
    if v == 0:
        return "is the unspecified address"
    if v >> 24 == 127:
        return "is a loopback address"
    if v == 0xFFFFFFFF:
        return "is the broadcast address"
    return None


def is_ipv6_multicast(address: Address) -> bool:
    return address.version == 6 and address.value >> 120 == 0xFF


def ipv4_mapped(address: Address) -> Address:
    """The IPv4 address inside an IPv4-mapped IPv6 address; any other address unchanged."""
    if address.version == 6 and address.value >> 32 == _MAPPED_PREFIX:
        v4 = address.value & 0xFFFFFFFF
        return Address(4, v4, socket.inet_ntoa(v4.to_bytes(4)))
    return address
