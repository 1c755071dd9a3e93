"""Registry records → entities, checked against p4src/README.md with hand-written expectations.

Addresses are written as hex so that each expectation reads like the README's table rows.
"""

from __future__ import annotations

import dataclasses

from controlplane.edge import contract as c
from controlplane.edge.entries import (
    DefaultAction,
    DigestConfig,
    Lpm,
    MeterCell,
    MeterRates,
    MulticastGroup,
    TableEntry,
)
from controlplane.edge.settings import EdgeSettings, SwitchProfile, default_port_mac
from controlplane.edge.translate import (
    PortRole,
    attachment_entities,
    customer_entities,
    device_entities,
    group_entities,
    member_entities,
    port_entities,
    replica_of,
    switch_entities,
)
from controlplane.registry.model import Customer, Device, Group, RateProfile

ACME = Customer(
    name="acme",
    number=10,
    vlan=1000,
    uplink_port=3,
    gateway_mac="02:00:00:00:10:01",
    prefix="2001:db8:a::/64",
    prefix_v4="10.10.0.0/24",
    anycast="2001:db8:a::100",
    anycast_v4=None,
    allowed_prefixes=("2001:db8:ff::/48", "10.99.0.0/16"),
)
PORT_MACS = {1: 0x02ED9E000001, 2: 0x02ED9E000002, 3: 0x02ED9E000003}
SETTINGS = EdgeSettings(
    gateways_v6=(0xFE80_0000_0000_0000_0000_0000_0000_0001,),
    gateways_v4=(0x0A0A_0001,),  # 10.10.0.1
    idle_timeout_ns=60_000_000_000,
    request_meter=MeterRates(10, 10, 10, 10),
    proxy_devices_on_uplinks=True,
    endpoints_on_link=False,
)
PROFILE = SwitchProfile(name="s1", device_id=1, cpu_port=64, port_macs=PORT_MACS, settings=SETTINGS)
DEFAULT_RATES = RateProfile(name="default", cir=125_000, cburst=15_000, pir=250_000, pburst=30_000)

# Device A: IPv6, untagged on port 1. Device B: IPv6 and IPv4, VLAN 100 on port 2.
DEV_A = Device(
    device_id="A", number=1, customer="acme", endpoint="2001:db8:a::a", endpoint_v4=None,
    addresses=("2001:db8:100::a",), access_port=1, access_vlan=None, rate_profile="default",
)
DEV_B = Device(
    device_id="B", number=2, customer="acme", endpoint="2001:db8:a::b", endpoint_v4="10.10.0.11",
    addresses=("2001:db8:100::b", "192.168.20.2"), access_port=2, access_vlan=100, rate_profile="default",
)

A_ADDR = 0x2001_0DB8_0100_0000_0000_0000_0000_000A
A_ENDPOINT = 0x2001_0DB8_000A_0000_0000_0000_0000_000A
B_ADDR = 0x2001_0DB8_0100_0000_0000_0000_0000_000B
B_ENDPOINT = 0x2001_0DB8_000A_0000_0000_0000_0000_000B
B_ADDR_V4 = 0xC0A8_1402  # 192.168.20.2
B_ENDPOINT_V4 = 0x0A0A_000B  # 10.10.0.11
ANYCAST = 0x2001_0DB8_000A_0000_0000_0000_0000_0100
METER = MeterRates(cir=125_000, cburst=15_000, pir=250_000, pburst=30_000)
IDLE = 60_000_000_000


def test_switch_sets_the_cpu_port_and_configures_the_digest() -> None:
    assert switch_entities(PROFILE) == [
        DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (64,)),
        SETTINGS.digest,
    ]
    assert isinstance(SETTINGS.digest, DigestConfig) and SETTINGS.digest.digest == "access_request_t"


def test_without_a_cpu_port_the_default_action_is_left_alone() -> None:
    profile = dataclasses.replace(PROFILE, cpu_port=None)
    assert switch_entities(profile) == [SETTINGS.digest]


def test_access_port_gets_role_mac_and_request_meter() -> None:
    assert port_entities(1, PortRole.ACCESS, PROFILE) == [
        TableEntry(c.PORT_ROLE, (1,), c.SET_ACCESS_PORT),
        TableEntry(c.PORT_MAC, (1,), c.SET_PORT_MAC, (0x02ED9E000001,)),
        MeterCell(c.REQUEST_METER, 1, MeterRates(10, 10, 10, 10)),
    ]


def test_uplink_port_gets_role_and_mac_only() -> None:
    assert port_entities(3, PortRole.UPLINK, PROFILE) == [
        TableEntry(c.PORT_ROLE, (3,), c.SET_UPLINK_PORT),
        TableEntry(c.PORT_MAC, (3,), c.SET_PORT_MAC, (0x02ED9E000003,)),
    ]


def test_unconfigured_port_mac_is_locally_administered_and_names_switch_and_port() -> None:
    assert default_port_mac(1, 7) == 0x02ED_0100_0007
    assert PROFILE.port_mac(7) == 0x02ED_0100_0007
    assert default_port_mac(1, 7) >> 40 & 0x03 == 0x02  # locally administered, unicast


def test_customer_tables() -> None:
    entities = customer_entities(ACME)
    assert entities == [
        # upstream: the VLAN connection, the gateway MAC, anycast v6 (none for v4: 0)
        TableEntry(c.CUSTOMER_UPLINK, (10,), c.SET_UPLINK, (3, 1000, 0x020000001001, ANYCAST, 0)),
        # downstream: (uplink port, VLAN) names the customer
        TableEntry(c.UPLINK_VLAN, (3, 1000), c.SET_CUSTOMER, (10, ANYCAST, 0)),
        # allowed destinations, by family
        TableEntry(c.ALLOWED_DST_V6, (10, Lpm(0x2001_0DB8_00FF << 80, 48)), c.ALLOW),
        TableEntry(c.ALLOWED_DST_V4, (10, Lpm(0x0A63_0000, 16)), c.ALLOW),
        # sources the customer may send from: its endpoint prefixes and its allowed prefixes
        TableEntry(c.ENDPOINT_SRC_V6, (10, Lpm(0x2001_0DB8_000A << 80, 64)), c.FROM_CUSTOMER),
        TableEntry(c.ENDPOINT_SRC_V4, (10, Lpm(0x0A0A_0000, 24)), c.FROM_CUSTOMER),
        TableEntry(c.ENDPOINT_SRC_V6, (10, Lpm(0x2001_0DB8_00FF << 80, 48)), c.FROM_CUSTOMER),
        TableEntry(c.ENDPOINT_SRC_V4, (10, Lpm(0x0A63_0000, 16)), c.FROM_CUSTOMER),
    ]


def test_a_prefix_given_twice_is_one_source_entry() -> None:
    customer = dataclasses.replace(ACME, prefix_v4=None, allowed_prefixes=("2001:db8:a::/64",))
    sources = [e for e in customer_entities(customer) if isinstance(e, TableEntry) and e.table == c.ENDPOINT_SRC_V6]
    assert sources == [TableEntry(c.ENDPOINT_SRC_V6, (10, Lpm(0x2001_0DB8_000A << 80, 64)), c.FROM_CUSTOMER)]


def test_ipv6_device_untagged() -> None:
    assert device_entities(DEV_A, ACME, PROFILE, DEFAULT_RATES) == [
        TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 10, A_ENDPOINT, 0), idle_timeout_ns=IDLE, meter=METER),
        TableEntry(c.KNOWN_ADDR_V6, (A_ADDR,), c.REGISTERED_AT, (1, 0)),
        TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.TO_DEVICE_V6, (1, 10, 1, 0, A_ENDPOINT)),
        # the VPC gateway resolves the device's address on the customer's uplink VLAN
        TableEntry(c.ND_PROXY, (3, 1000, A_ADDR), c.ANSWER_NS, (0x02ED9E000003, 0)),
    ]


def test_dual_stack_device_on_a_vlan_gets_one_set_per_family() -> None:
    assert device_entities(DEV_B, ACME, PROFILE, DEFAULT_RATES) == [
        TableEntry(c.DEVICE_V6, (2, 100, B_ADDR), c.ADMIT_V6, (2, 10, B_ENDPOINT, 0), idle_timeout_ns=IDLE, meter=METER),
        TableEntry(c.KNOWN_ADDR_V6, (B_ADDR,), c.REGISTERED_AT, (2, 100)),
        TableEntry(c.DEVICE_DOWN_V6, (B_ADDR,), c.TO_DEVICE_V6, (2, 10, 2, 100, B_ENDPOINT)),
        TableEntry(c.ND_PROXY, (3, 1000, B_ADDR), c.ANSWER_NS, (0x02ED9E000003, 0)),
        TableEntry(c.KNOWN_ADDR_V4, (B_ADDR_V4,), c.REGISTERED_AT, (2, 100)),
        TableEntry(
            c.DEVICE_V4, (2, 100, B_ADDR_V4), c.ADMIT_V4, (2, 10, B_ENDPOINT_V4, 0), idle_timeout_ns=IDLE, meter=METER
        ),
        TableEntry(c.DEVICE_DOWN_V4, (B_ADDR_V4,), c.TO_DEVICE_V4, (2, 10, 2, 100, B_ENDPOINT_V4)),
        TableEntry(c.ARP_PROXY, (3, 1000, B_ADDR_V4), c.ANSWER_ARP, (0x02ED9E000003,)),
    ]


def test_ipv4_address_without_ipv4_endpoint_is_only_known() -> None:
    device = dataclasses.replace(DEV_B, endpoint_v4=None, addresses=("192.168.20.2",))
    assert device_entities(device, ACME, PROFILE, DEFAULT_RATES) == [
        TableEntry(c.KNOWN_ADDR_V4, (B_ADDR_V4,), c.REGISTERED_AT, (2, 100)),
    ]


def test_without_a_rate_profile_the_device_is_not_metered_and_without_timeout_it_never_ages() -> None:
    settings = dataclasses.replace(SETTINGS, idle_timeout_ns=0, proxy_devices_on_uplinks=False)
    profile = dataclasses.replace(PROFILE, settings=settings)
    assert device_entities(DEV_A, ACME, profile, None)[0] == TableEntry(
        c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 10, A_ENDPOINT, 0)
    )
    assert len(device_entities(DEV_A, ACME, profile, None)) == 3  # no ND answer on the uplink


def test_endpoints_on_link_answer_the_device_for_its_own_endpoint() -> None:
    settings = dataclasses.replace(SETTINGS, endpoints_on_link=True, proxy_devices_on_uplinks=False)
    profile = dataclasses.replace(PROFILE, settings=settings)
    extra = device_entities(DEV_B, ACME, profile, DEFAULT_RATES)[-2:]
    assert extra == [
        TableEntry(c.ND_PROXY, (2, 100, B_ENDPOINT), c.ANSWER_NS, (0x02ED9E000002, 0)),
        TableEntry(c.ARP_PROXY, (2, 100, B_ENDPOINT_V4), c.ANSWER_ARP, (0x02ED9E000002,)),
    ]


def test_held_device_is_delivered_to_the_controller_and_notifies() -> None:
    """README 3.7: hold_for_device_* with the same parameters, and notify = 1."""
    entities = device_entities(DEV_A, ACME, PROFILE, DEFAULT_RATES, held=True)
    assert entities[0] == TableEntry(
        c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 10, A_ENDPOINT, 1), idle_timeout_ns=IDLE, meter=METER
    )
    assert entities[2] == TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.HOLD_FOR_DEVICE_V6, (1, 10, 1, 0, A_ENDPOINT))


def test_nothing_is_held_without_a_cpu_port() -> None:
    profile = dataclasses.replace(PROFILE, cpu_port=None)
    assert device_entities(DEV_A, ACME, profile, DEFAULT_RATES, held=True) == device_entities(
        DEV_A, ACME, profile, DEFAULT_RATES
    )


def test_attachment_answers_for_the_gateways() -> None:
    assert attachment_entities(2, 100, PROFILE) == [
        TableEntry(c.ND_PROXY, (2, 100, 0xFE80_0000_0000_0000_0000_0000_0000_0001), c.ANSWER_NS, (0x02ED9E000002, 1)),
        TableEntry(c.ARP_PROXY, (2, 100, 0x0A0A_0001), c.ANSWER_ARP, (0x02ED9E000002,)),
    ]


def test_group_member_copy_and_group() -> None:
    """README 3.4: one replica (access port, rid) per member, mcast_member for each replica and
    mcast_group_v6 keyed by the customer."""
    assert member_entities(DEV_B, 10, 7, PROFILE) == [
        TableEntry(c.MCAST_MEMBER, (2, 7), c.TO_MEMBER, (2, 10, B_ADDR, 100)),
    ]
    group = Group(name="g", number=5, customer="acme", address="ff3e::4242", members=frozenset({"A", "B"}))
    replicas = [replica_of(DEV_A, 1, PROFILE), replica_of(DEV_B, 7, PROFILE)]
    assert group_entities(group, 10, replicas) == [
        MulticastGroup(5, ((1, 1), (2, 7))),
        TableEntry(c.MCAST_GROUP_V6, (10, 0xFF3E_0000_0000_0000_0000_0000_0000_4242), c.REPLICATE, (5,)),
    ]


def test_held_member_moves_to_the_cpu_port() -> None:
    assert replica_of(DEV_B, 7, PROFILE, held=True) == (64, 7)
    assert member_entities(DEV_B, 10, 7, PROFILE, held=True) == [
        TableEntry(c.MCAST_MEMBER, (64, 7), c.HOLD_MEMBER, (2, 10, B_ADDR, 100, 2)),
    ]


def test_ipv4_only_device_is_no_member() -> None:
    device = dataclasses.replace(DEV_B, addresses=("192.168.20.2",))
    assert member_entities(device, 10, 7, PROFILE) == []
