"""The fast address parser agrees with the ipaddress module (canonical text and acceptance)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.registry.addresses import (
    format_ipv6,
    host_bits,
    ipv4_mapped,
    parse_address,
    parse_prefix,
    unicast_problem,
)

# IPv6 values with long zero runs, where the "::" placement rules matter.
hextet = st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xDB8, 0x2001])
sparse_v6 = st.lists(hextet, min_size=8, max_size=8).map(lambda hs: int("".join(f"{h:04x}" for h in hs), 16))


@settings(deadline=None, max_examples=500)
@given(st.one_of(st.integers(0, 2**128 - 1), sparse_v6))
def test_ipv6_text_matches_ipaddress(value: int) -> None:
    expected = ipaddress.IPv6Address(value)
    assert format_ipv6(expected.packed) == str(expected)
    for written in (str(expected), expected.exploded, expected.exploded.upper()):
        parsed = parse_address(written)
        assert parsed is not None
        assert (parsed.version, parsed.value, parsed.text) == (6, value, str(expected))


@settings(deadline=None, max_examples=300)
@given(st.integers(0, 2**32 - 1))
def test_ipv4_text_matches_ipaddress(value: int) -> None:
    expected = ipaddress.IPv4Address(value)
    parsed = parse_address(str(expected))
    assert parsed is not None
    assert (parsed.version, parsed.value, parsed.text) == (4, value, str(expected))


@pytest.mark.parametrize(
    "text",
    [
        "",
        " 2001:db8::1",
        "2001:db8::1 ",
        "2001:db8::g",
        "1:2:3:4:5:6:7:8:9",
        "10.0.0",
        "10.0.0.256",
        "010.0.0.1",
        "::ffff:1.2.3",
        "2001:db8:::1",
        "abc",
        "1.2.3.4/24",
    ],
)
def test_rejects_what_ipaddress_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        ipaddress.ip_address(text)
    assert parse_address(text) is None


def test_rejects_scope_ids() -> None:
    assert parse_address("fe80::1%eth0") is None


def test_ipv4_tail_forms_are_printed_as_hex() -> None:
    for text in ("::1.2.3.4", "::ffff:1.2.3.4", "64:ff9b::10.0.0.1"):
        parsed = parse_address(text)
        assert parsed is not None and parsed.text == str(ipaddress.IPv6Address(text))


def test_prefixes() -> None:
    prefix = parse_prefix("2001:DB8:100::/48")
    assert prefix is not None and prefix.text == "2001:db8:100::/48" and not host_bits(prefix)
    assert prefix.holds(parse_address("2001:db8:100:ffff::1"))
    assert not prefix.holds(parse_address("2001:db8:101::1"))
    assert not prefix.holds(parse_address("10.0.0.1"))
    with_host = parse_prefix("2001:db8:100::1/48")
    assert with_host is not None and host_bits(with_host) and with_host.text == "2001:db8:100::/48"
    v4 = parse_prefix("10.1.0.0/16")
    assert v4 is not None and v4.holds(parse_address("10.1.2.3")) and not v4.holds(parse_address("10.2.0.1"))
    assert parse_prefix("0.0.0.0/0") is not None
    for bad in ("2001:db8::/129", "10.0.0.0/33", "10.0.0.0", "10.0.0.0/016", "x/8", "10.0.0.0/8/8"):
        assert parse_prefix(bad) is None, bad


def test_unicast_problems() -> None:
    def problem(text: str) -> str | None:
        address = parse_address(text)
        assert address is not None
        return unicast_problem(address)

    assert problem("2001:db8::1") is None and problem("10.0.0.1") is None
    assert "multicast" in (problem("ff02::1") or "")
    assert "multicast" in (problem("224.0.0.1") or "")
    assert "unspecified" in (problem("::") or "")
    assert "loopback" in (problem("::1") or "") and "loopback" in (problem("127.0.0.2") or "")
    assert "broadcast" in (problem("255.255.255.255") or "")
    assert "10.1.2.3" in (problem("::ffff:10.1.2.3") or "")


def test_ipv4_mapped_unwraps() -> None:
    mapped = parse_address("::ffff:192.0.2.7")
    assert mapped is not None and ipv4_mapped(mapped).text == "192.0.2.7"
    plain = parse_address("2001:db8::7")
    assert plain is not None and ipv4_mapped(plain) == plain
