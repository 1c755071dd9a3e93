"""Every validation rule of the registry, each failure naming its field and kind; a failed write
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from controlplane.registry.changes import ChangeSet
from controlplane.registry.errors import ErrorKind, ValidationFailed
from controlplane.registry.model import CustomerPatch, DevicePatch, GroupSpec
from controlplane.registry.service import Registry
from tests.controlplane.registry.conftest import acme, beta, device

INVALID, NOT_FOUND, CONFLICT = ErrorKind.INVALID, ErrorKind.NOT_FOUND, ErrorKind.CONFLICT


def errors_of(call: Callable[[], object]) -> list[tuple[str, ErrorKind]]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return [(e.field, e.kind) for e in caught.value.errors]


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.add_customer(acme())
    registry.add_customer(beta())
    registry.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    registry.add_group(GroupSpec(name="beta-all", customer="beta", address="ff3e::1"))
    registry.add_device(device(1))
    return registry


# ---- customers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "bad name"}, ("name", INVALID)),
        ({"name": "-x"}, ("name", INVALID)),
        ({"name": "x" * 64}, ("name", INVALID)),
        ({"vlan": 0}, ("vlan", INVALID)),
        ({"vlan": 4095}, ("vlan", INVALID)),
        ({"vlan": True}, ("vlan", INVALID)),
        ({"uplink_port": 512}, ("uplink_port", INVALID)),
        ({"uplink_port": -1}, ("uplink_port", INVALID)),
        ({"gateway_mac": "02:00:00:00:01"}, ("gateway_mac", INVALID)),
        ({"gateway_mac": "01:00:5e:00:00:01"}, ("gateway_mac", INVALID)),
        ({"gateway_mac": "00:00:00:00:00:00"}, ("gateway_mac", INVALID)),
        ({"prefix": "10.0.0.0/8"}, ("prefix", INVALID)),
        ({"prefix": "2001:db8:300::1/48"}, ("prefix", INVALID)),
        ({"prefix": "2001:db8:300::"}, ("prefix", INVALID)),
        ({"prefix_v4": "2001:db8::/32"}, ("prefix_v4", INVALID)),
        ({"anycast": "ff02::1"}, ("anycast", INVALID)),
        ({"anycast_v4": "2001:db8::1"}, ("anycast_v4", INVALID)),
        ({"allowed_prefixes": ["2001:db8:9::/48", "nope"]}, ("allowed_prefixes[1]", INVALID)),
        ({"allowed_prefixes": ["10.9.0.0/16", "10.9.0.0/16"]}, ("allowed_prefixes[1]", INVALID)),
        ({"allowed_prefixes": "10.9.0.0/16"}, ("allowed_prefixes", INVALID)),
    ],
)
def test_customer_field_rules(
    reg: Registry, overrides: dict[str, object], expected: tuple[str, ErrorKind]
) -> None:
    spec = acme(**{"name": "gamma", "vlan": 300, "uplink_port": 2, "anycast": None, **overrides})
    assert errors_of(lambda: reg.add_customer(spec)) == [expected]


def test_customer_conflicts(reg: Registry) -> None:
    assert errors_of(lambda: reg.add_customer(acme(vlan=301))) == [("name", CONFLICT)]
    # Two customers never share a VLAN on one uplink; the same VLAN elsewhere is fine.
    assert errors_of(lambda: reg.add_customer(beta(name="gamma", vlan=200, uplink_port=1))) == [
        ("vlan", CONFLICT)
    ]
    reg.add_customer(beta(name="gamma", vlan=200, uplink_port=2))
    # An uplink port is never a device's access port.
    assert errors_of(lambda: reg.add_customer(beta(name="delta", vlan=5, uplink_port=3))) == [
        ("uplink_port", CONFLICT)
    ]
    # An anycast address is no device's address.
    assert errors_of(lambda: reg.add_customer(beta(name="delta", vlan=5, anycast="2001:db8:ff::1"))) == [
        ("anycast", CONFLICT)
    ]
    assert errors_of(lambda: reg.update_customer("beta", CustomerPatch(vlan=100))) == [("vlan", CONFLICT)]


def test_customer_changes_keep_devices_inside(reg: Registry) -> None:
    reg.add_device(device(2, endpoint_v4="10.100.0.2"))
    assert errors_of(lambda: reg.update_customer("acme", CustomerPatch(prefix="2001:db8:101::/48"))) == [
        ("prefix", CONFLICT)
    ]
    assert errors_of(lambda: reg.update_customer("acme", CustomerPatch(prefix_v4=None))) == [
        ("prefix_v4", CONFLICT)
    ]
    assert errors_of(lambda: reg.update_customer("acme", CustomerPatch(prefix_v4="10.101.0.0/16"))) == [
        ("prefix_v4", CONFLICT)
    ]
    reg.update_customer("acme", CustomerPatch(prefix="2001:db8::/32"))  # still holds every endpoint


def test_customer_lookups_and_removal(reg: Registry) -> None:
    with pytest.raises(ValidationFailed) as caught:
        reg.get_customer("nobody")
    (error,) = caught.value.errors
    assert (error.field, error.kind, error.where) == ("name", NOT_FOUND, "key")
    assert errors_of(lambda: reg.remove_customer("acme")) == [("name", CONFLICT)]


# ---- devices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"device_id": "has space"}, ("device_id", INVALID)),
        ({"device_id": "a/b"}, ("device_id", INVALID)),
        ({"device_id": ""}, ("device_id", INVALID)),
        ({"customer": "nobody"}, ("customer", NOT_FOUND)),
        ({"endpoint": "10.100.0.9"}, ("endpoint", INVALID)),
        ({"endpoint": "2001:db8:999::9"}, ("endpoint", INVALID)),
        ({"endpoint": "ff3e::9"}, ("endpoint", INVALID)),
        ({"endpoint": "::ffff:10.100.0.9"}, ("endpoint", INVALID)),
        ({"endpoint": "2001:db8:100::1"}, ("endpoint", CONFLICT)),  # device 1's endpoint
        ({"endpoint": "2001:db8:100::ffff"}, ("endpoint", CONFLICT)),  # acme's anycast address
        ({"endpoint_v4": "10.200.0.1"}, ("endpoint_v4", INVALID)),  # outside prefix_v4
        ({"endpoint_v4": "2001:db8:100::77"}, ("endpoint_v4", INVALID)),
        ({"addresses": []}, ("addresses", INVALID)),
        ({"addresses": ["2001:db8:ff::9", "nonsense"]}, ("addresses[1]", INVALID)),
        ({"addresses": ["2001:db8:ff::9", "2001:db8:ff:0::9"]}, ("addresses[1]", INVALID)),
        ({"addresses": ["2001:db8:ff::1"]}, ("addresses[0]", CONFLICT)),  # device 1's access address
        ({"addresses": ["2001:db8:100::1"]}, ("addresses[0]", CONFLICT)),  # device 1's endpoint
        ({"addresses": ["2001:db8:100::9"]}, ("addresses[0]", INVALID)),  # its own endpoint again
        ({"addresses": ["224.0.0.5"]}, ("addresses[0]", INVALID)),
        ({"access_port": 512}, ("access_port", INVALID)),
        ({"access_port": 1}, ("access_port", CONFLICT)),  # an uplink port
        ({"access_vlan": 0}, ("access_vlan", INVALID)),
        ({"access_vlan": 4095}, ("access_vlan", INVALID)),
        ({"rate_profile": "gold"}, ("rate_profile", INVALID)),
        ({"groups": ["nope"]}, ("groups[0]", NOT_FOUND)),
        ({"groups": ["beta-all"]}, ("groups[0]", CONFLICT)),  # another customer's group
        ({"groups": ["lights", "lights"]}, ("groups[1]", INVALID)),
    ],
)
def test_device_field_rules(
    reg: Registry, overrides: dict[str, Any], expected: tuple[str, ErrorKind]
) -> None:
    assert errors_of(lambda: reg.add_device(device(9, **overrides))) == [expected]


def test_device_v4_endpoint_needs_a_v4_prefix(reg: Registry) -> None:
    assert errors_of(lambda: reg.add_device(device(9, customer="beta", endpoint_v4="10.200.0.9"))) == [
        ("endpoint_v4", INVALID)
    ]


def test_device_conflicts(reg: Registry) -> None:
    assert errors_of(
        lambda: reg.add_device(device(1, endpoint="2001:db8:100::99", addresses=["10.1.1.1"]))
    ) == [("device_id", CONFLICT)]
    reg.add_device(device(2, addresses=["2001:db8:ff::2", "10.9.9.9"], endpoint_v4="10.100.0.2"))
    assert errors_of(lambda: reg.add_device(device(3, addresses=["10.9.9.9"]))) == [
        ("addresses[0]", CONFLICT)
    ]
    assert errors_of(lambda: reg.add_device(device(3, addresses=["10.100.0.2"]))) == [
        ("addresses[0]", CONFLICT)
    ]
    # A device may keep its own addresses when it changes; it may not take another's.
    reg.update_device("acme-dev2", DevicePatch(access_vlan=7))
    assert errors_of(lambda: reg.update_device("acme-dev2", DevicePatch(endpoint="2001:db8:100::1"))) == [
        ("endpoint", CONFLICT)
    ]


def test_device_errors_are_reported_together(reg: Registry) -> None:
    spec = device(9, endpoint="2001:db8:999::9", access_vlan=5000, rate_profile="gold")
    assert sorted(errors_of(lambda: reg.add_device(spec))) == [
        ("access_vlan", INVALID),
        ("endpoint", INVALID),
        ("rate_profile", INVALID),
    ]


def test_moving_a_device_to_another_customer_checks_its_groups(reg: Registry) -> None:
    reg.add_device(device(2, groups=["lights"]))
    patch = DevicePatch(customer="beta", endpoint="2001:db8:200::2")
    assert errors_of(lambda: reg.update_device("acme-dev2", patch)) == [("groups[0]", CONFLICT)]
    moved = reg.update_device(
        "acme-dev2", DevicePatch(customer="beta", endpoint="2001:db8:200::2", groups=[])
    )
    assert moved.customer == "beta"


# ---- groups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (GroupSpec(name="g", customer="acme", address="2001:db8::1"), ("address", INVALID)),
        (GroupSpec(name="g", customer="acme", address="224.0.0.1"), ("address", INVALID)),
        (GroupSpec(name="g", customer="acme", address="ff3e::1"), ("address", CONFLICT)),
        (GroupSpec(name="g", customer="nobody", address="ff3e::2"), ("customer", NOT_FOUND)),
        (GroupSpec(name="lights", customer="acme", address="ff3e::2"), ("name", CONFLICT)),
        (
            GroupSpec(name="g", customer="acme", address="ff3e::2", members=["ghost"]),
            ("members[0]", NOT_FOUND),
        ),
        (
            GroupSpec(name="g", customer="acme", address="ff3e::2", members=["acme-dev1", "acme-dev1"]),
            ("members[1]", INVALID),
        ),
    ],
)
def test_group_rules(reg: Registry, spec: GroupSpec, expected: tuple[str, ErrorKind]) -> None:
    assert errors_of(lambda: reg.add_group(spec)) == [expected]


def test_group_members_belong_to_its_customer(reg: Registry) -> None:
    reg.add_device(device(1, customer="beta"))
    spec = GroupSpec(name="g", customer="acme", address="ff3e::2", members=["acme-dev1", "beta-dev1"])
    assert errors_of(lambda: reg.add_group(spec)) == [("members[1]", CONFLICT)]
    assert errors_of(lambda: reg.add_members("lights", ["acme-dev1", "beta-dev1", "ghost"])) == [
        ("members[1]", CONFLICT),
        ("members[2]", NOT_FOUND),
    ]


def test_a_failed_write_changes_nothing(reg: Registry) -> None:
    seen: list[ChangeSet] = []
    reg.changes.add_listener(seen.append)
    before = (reg.counts(), reg.snapshot())
    for call in (
        lambda: reg.add_device(device(9, endpoint="2001:db8:999::9")),
        lambda: reg.add_customer(acme()),
        lambda: reg.add_group(GroupSpec(name="g", customer="acme", address="::1")),
        lambda: reg.update_device("acme-dev1", DevicePatch(access_port=1)),
    ):
        with pytest.raises(ValidationFailed):
            call()
    assert (reg.counts(), reg.snapshot()) == before
    assert seen == []
