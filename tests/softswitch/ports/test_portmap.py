"""``-i PORT@IFNAME`` parsing (BMv2's interface option)."""

from __future__ import annotations

import pytest

from softswitch.ports.portmap import PortSpec, PortSpecError, parse_port_spec, parse_port_specs


def test_parses_bmv2_style_specs() -> None:
    assert parse_port_spec("1@veth1") == PortSpec(1, "veth1")
    assert parse_port_specs(["0@veth0", "1@veth2", "511@cpu-if"]) == {0: "veth0", 1: "veth2", 511: "cpu-if"}
    assert str(PortSpec(3, "eth3")) == "3@eth3"


def test_empty_list_is_no_ports() -> None:
    assert parse_port_specs([]) == {}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("veth1", "expected PORT@IFNAME"),
        ("@veth1", "is not a number"),
        ("x@veth1", "is not a number"),
        ("-1@veth1", "is not a number"),
        ("512@veth1", "out of range 0..511"),
        ("1@", "empty interface name"),
        ("1@a-name-longer-than-15", "longer than 15 bytes"),
        ("1@bad/name", "not a valid interface name"),
        ("1@bad name", "not a valid interface name"),
        ("1@eth0:1", "not a valid interface name"),
    ],
)
def test_bad_specs_give_one_line_errors(text: str, fragment: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_port_spec(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_a_port_given_twice_is_refused() -> None:
    with pytest.raises(PortSpecError, match="port 1 is given twice"):
        parse_port_specs(["1@veth1", "1@veth3"])


def test_an_interface_given_twice_is_refused() -> None:
    with pytest.raises(PortSpecError, match="interface veth1 is given twice"):
        parse_port_specs(["1@veth1", "2@veth1"])
