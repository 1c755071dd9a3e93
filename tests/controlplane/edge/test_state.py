"""Registry change sets → the minimal writes per switch (no switch here: a dict plays it).

The change sets come from a real registry (SQLite in a temp dir). ``FakeSwitch`` applies a plan
the way P4Runtime would and refuses what a switch would refuse (INSERT of a present key, MODIFY
or DELETE of an absent one), so every test also checks that plans are consistent.
"""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controlplane.edge import contract as c
from controlplane.edge.entries import (
    Entity,
    EntityKey,
    MeterCell,
    MeterRates,
    MulticastGroup,
    TableEntry,
    is_reset,
)
from controlplane.edge.plan import WritePlan
from controlplane.edge.settings import EdgeSettings, SwitchProfile
from controlplane.edge.state import EdgeState, HoldError
from controlplane.registry.changes import ChangeSet
from controlplane.registry.errors import ValidationFailed
from controlplane.registry.model import (
    Customer,
    CustomerPatch,
    Device,
    DevicePatch,
    DeviceSpec,
    Group,
    GroupPatch,
    GroupSpec,
)
from controlplane.registry.service import Registry, RegistrySnapshot
from controlplane.registry.store_sqlite import SqliteRegistryStore
from tests.controlplane.edge.conftest import PROFILES, acme

SETTINGS = EdgeSettings(gateways_v6=(0xFE80 << 112 | 1,), idle_timeout_ns=0, request_meter=MeterRates(10, 10, 10, 10))
PROFILE = SwitchProfile(name="s1", device_id=1, cpu_port=64, port_macs={1: 0xA1, 2: 0xA2, 3: 0xA3}, settings=SETTINGS)

A_ADDR = 0x2001_0DB8_0100_0000_0000_0000_0000_000A
A_ENDPOINT = 0x2001_0DB8_000A_0000_0000_0000_0000_000A
DEFAULT_METER = MeterRates(125_000, 15_000, 250_000, 30_000)
LOW_METER = MeterRates(16_000, 3_000, 32_000, 6_000)
GATEWAY = 0xFE80 << 112 | 1


class FakeSwitch:
    """A switch's entities by key; refuses inconsistent updates as a P4Runtime server does."""

    def __init__(self) -> None:
        self.entities: dict[EntityKey, Entity] = {}

    def apply(self, plan: WritePlan) -> None:
        for entity in plan.deletes:
            assert entity.key in self.entities, f"DELETE of an absent {entity}"
            del self.entities[entity.key]
        for entity in plan.inserts:
            assert entity.key not in self.entities, f"INSERT of a present {entity}"
            self.entities[entity.key] = entity
        for entity in plan.modifies:
            if isinstance(entity, MeterCell) or entity.key[0] == "default":
                if is_reset(entity):
                    self.entities.pop(entity.key, None)
                else:
                    self.entities[entity.key] = entity
                continue
            assert entity.key in self.entities, f"MODIFY of an absent {entity}"
            self.entities[entity.key] = entity


class Harness:
    """A registry, the change sets it publishes, an EdgeState following them, a fake switch."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.changes: list[ChangeSet] = []
        registry.changes.add_listener(self.changes.append)
        self.state = EdgeState.from_snapshot(registry.snapshot(), registry.profiles)
        self.switch = FakeSwitch()
        self.switch.apply(_plan_from_scratch(self.state))

    def sync(self) -> WritePlan:
        """Apply the change sets published since the last call; returns their combined plan."""
        total = WritePlan()
        while self.changes:
            plan = self.state.apply(self.changes.pop(0), [PROFILE])[PROFILE.name]
            self.switch.apply(plan)
            total.extend(plan)
        assert self.switch.entities == self.state.desired(PROFILE)
        return total


def _plan_from_scratch(state: EdgeState) -> WritePlan:
    return WritePlan(inserts=list(state.desired(PROFILE).values()))


@pytest.fixture
def harness(registry: Registry) -> Harness:
    return Harness(registry)


def device(device_id: str = "A", **overrides: object) -> DeviceSpec:
    fields: dict[str, object] = {
        "device_id": device_id,
        "customer": "acme",
        "endpoint": "2001:db8:a::a",
        "addresses": ["2001:db8:100::a"],
        "access_port": 1,
    }
    fields.update(overrides)
    return DeviceSpec(**fields)  # type: ignore[arg-type]


def keys(entities: list[Entity]) -> set[EntityKey]:
    return {e.key for e in entities}


def test_a_customer_brings_its_tables_and_its_uplink_port(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    plan = harness.sync()
    assert plan.deletes == [] and plan.modifies == []
    tables = sorted(e.table for e in plan.inserts if isinstance(e, TableEntry))
    assert tables == sorted(
        [c.CUSTOMER_UPLINK, c.UPLINK_VLAN, c.ENDPOINT_SRC_V6, c.PORT_ROLE, c.PORT_MAC]
    )
    assert TableEntry(c.PORT_ROLE, (3,), c.SET_UPLINK_PORT) in plan.inserts


def test_a_device_brings_exactly_its_entries_and_its_port(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.sync()
    harness.registry.add_device(device())
    plan = harness.sync()
    assert plan.deletes == []
    assert plan.modifies == [MeterCell(c.REQUEST_METER, 1, MeterRates(10, 10, 10, 10))]  # a meter is MODIFY only
    assert set(plan.inserts) == {
        TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 0), meter=DEFAULT_METER),
        TableEntry(c.KNOWN_ADDR_V6, (A_ADDR,), c.REGISTERED_AT, (1, 0)),
        TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.TO_DEVICE_V6, (1, 1, 1, 0, A_ENDPOINT)),
        TableEntry(c.ND_PROXY, (3, 1000, A_ADDR), c.ANSWER_NS, (0xA3, 0)),
        TableEntry(c.ND_PROXY, (1, 0, GATEWAY), c.ANSWER_NS, (0xA1, 1)),
        TableEntry(c.PORT_ROLE, (1,), c.SET_ACCESS_PORT),
        TableEntry(c.PORT_MAC, (1,), c.SET_PORT_MAC, (0xA1,)),
    }


def test_a_second_device_on_the_same_attachment_adds_only_its_own_entries(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.registry.add_device(device())
    harness.sync()
    harness.registry.add_device(device("B", endpoint="2001:db8:a::b", addresses=["2001:db8:100::b"]))
    plan = harness.sync()
    assert sorted(e.table for e in plan.inserts if isinstance(e, TableEntry)) == sorted(
        [c.DEVICE_V6, c.KNOWN_ADDR_V6, c.DEVICE_DOWN_V6, c.ND_PROXY]
    )
    assert plan.modifies == [] and plan.deletes == []


def test_a_rate_profile_change_is_one_modify(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.registry.add_device(device())
    harness.sync()
    harness.registry.update_device("A", DevicePatch(rate_profile="low"))
    plan = harness.sync()
    assert plan.inserts == [] and plan.deletes == []
    assert plan.modifies == [
        TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 0), meter=LOW_METER)
    ]


def test_moving_a_device_moves_its_entries_and_frees_its_old_port(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.registry.add_device(device())
    harness.sync()
    harness.registry.update_device("A", DevicePatch(access_port=2, access_vlan=100))
    plan = harness.sync()
    assert keys(plan.deletes) == {
        ("table", c.DEVICE_V6, (1, 0, A_ADDR)),
        ("table", c.ND_PROXY, (1, 0, GATEWAY)),
        ("table", c.PORT_ROLE, (1,)),
        ("table", c.PORT_MAC, (1,)),
    }
    assert keys(plan.inserts) == {
        ("table", c.DEVICE_V6, (2, 100, A_ADDR)),
        ("table", c.ND_PROXY, (2, 100, GATEWAY)),
        ("table", c.PORT_ROLE, (2,)),
        ("table", c.PORT_MAC, (2,)),
    }
    # same keys, new values: where the address lives and where its traffic goes
    assert set(plan.modifies) == {
        TableEntry(c.KNOWN_ADDR_V6, (A_ADDR,), c.REGISTERED_AT, (2, 100)),
        TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.TO_DEVICE_V6, (1, 1, 2, 100, A_ENDPOINT)),
        MeterCell(c.REQUEST_METER, 1, None),  # reset
        MeterCell(c.REQUEST_METER, 2, MeterRates(10, 10, 10, 10)),
    }


def test_group_membership_changes_replicas_and_member_entries(harness: Harness) -> None:
    registry = harness.registry
    registry.add_customer(acme())
    registry.add_device(device())
    registry.add_device(device("B", endpoint="2001:db8:a::b", addresses=["2001:db8:100::b"], access_port=2))
    harness.sync()
    group = registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::4242", members=["A"]))
    plan = harness.sync()
    member_a = TableEntry(c.MCAST_MEMBER, (1, 1), c.TO_MEMBER, (1, 1, A_ADDR, 0))  # rid = dev_id
    assert set(plan.inserts) == {
        MulticastGroup(group.number, ((1, 1),)),
        TableEntry(c.MCAST_GROUP_V6, (1, 0xFF3E << 112 | 0x4242), c.REPLICATE, (group.number,)),
        member_a,
    }
    registry.add_members("g", ["B"])
    plan = harness.sync()
    assert plan.modifies == [MulticastGroup(group.number, ((1, 1), (2, 2)))]
    assert [e.key for e in plan.inserts] == [("table", c.MCAST_MEMBER, (2, 2))]
    registry.remove_member("g", "A")
    plan = harness.sync()
    assert plan.modifies == [MulticastGroup(group.number, ((2, 2),))]
    assert plan.deletes == [member_a]
    registry.remove_group("g")
    plan = harness.sync()
    assert keys(plan.deletes) == {
        ("mcast", group.number),
        ("table", c.MCAST_GROUP_V6, (1, 0xFF3E << 112 | 0x4242)),
        ("table", c.MCAST_MEMBER, (2, 2)),
    }


def test_removing_the_last_device_removes_everything_it_brought(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.sync()
    before = dict(harness.switch.entities)
    harness.registry.add_device(device(groups=[]))
    harness.sync()
    harness.registry.remove_device("A")
    harness.sync()
    assert harness.switch.entities == before


def test_holding_a_device_moves_its_traffic_and_replicas_to_the_cpu_port(harness: Harness) -> None:
    registry = harness.registry
    registry.add_customer(acme())
    registry.add_device(device())
    group = registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::1", members=["A"]))
    harness.sync()
    plan = harness.state.set_held("A", True, [PROFILE])[PROFILE.name]
    harness.switch.apply(plan)
    assert plan.inserts == [TableEntry(c.MCAST_MEMBER, (64, 1), c.HOLD_MEMBER, (1, 1, A_ADDR, 0, 1))]
    assert plan.deletes == [TableEntry(c.MCAST_MEMBER, (1, 1), c.TO_MEMBER, (1, 1, A_ADDR, 0))]
    assert set(plan.modifies) == {
        TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 1), meter=DEFAULT_METER),
        TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.HOLD_FOR_DEVICE_V6, (1, 1, 1, 0, A_ENDPOINT)),
        MulticastGroup(group.number, ((64, 1),)),
    }
    back = harness.state.set_held("A", False, [PROFILE])[PROFILE.name]
    harness.switch.apply(back)
    assert harness.switch.entities == harness.state.desired(PROFILE)
    assert TableEntry(c.MCAST_MEMBER, (1, 1), c.TO_MEMBER, (1, 1, A_ADDR, 0)) in harness.switch.entities.values()


def test_holding_needs_a_cpu_port(harness: Harness) -> None:
    harness.registry.add_customer(acme())
    harness.registry.add_device(device())
    harness.sync()
    with pytest.raises(HoldError, match="no CPU port"):
        harness.state.set_held("A", True, [dataclasses.replace(PROFILE, cpu_port=None)])


def test_admission_and_address_lookups(harness: Harness) -> None:
    harness.registry.add_customer(acme(prefix_v4="10.10.0.0/24"))
    harness.registry.add_device(
        device(addresses=["2001:db8:100::a", "192.168.20.2"], endpoint_v4="10.10.0.10", access_vlan=7)
    )
    harness.sync()
    state = harness.state
    found = state.device_at(1, 7, 4, 0xC0A81402)
    assert found is not None and found.device_id == "A" and found.family == 4
    assert state.device_at(1, 0, 6, A_ADDR) is None  # wrong VLAN
    assert state.device_with_address(6, A_ADDR) is not None


def test_config_ports_have_roles_before_any_device(registry: Registry) -> None:
    profile = dataclasses.replace(PROFILE, access_ports=frozenset({5}), uplink_ports=frozenset({6, 64}))
    state = EdgeState.from_snapshot(registry.snapshot(), registry.profiles)
    desired = state.desired(profile)
    assert desired[("table", c.PORT_ROLE, (5,))] == TableEntry(c.PORT_ROLE, (5,), c.SET_ACCESS_PORT)
    assert desired[("table", c.PORT_ROLE, (6,))] == TableEntry(c.PORT_ROLE, (6,), c.SET_UPLINK_PORT)
    assert ("table", c.PORT_ROLE, (64,)) not in desired  # the CPU port never gets a role
    assert desired[("meter", c.REQUEST_METER, 5)] == MeterCell(c.REQUEST_METER, 5, MeterRates(10, 10, 10, 10))


# ---- incremental = from scratch, for any sequence of registry operations --------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "remove", "move", "profile", "address", "group", "ungroup", "regroup", "uplink"]
            + ["join", "leave", "hold"] * 3
        ),
        st.integers(0, 5),
        st.integers(0, 2),
    ),
    max_size=25,
)


def _operate(registry: Registry, op: str, n: int, k: int) -> None:
    name = f"d{n}"
    try:
        if op == "add":
            registry.add_device(
                device(name, endpoint=f"2001:db8:a::{n + 1}", addresses=[f"2001:db8:100::{n + 1}"], access_port=1 + k)
            )
        elif op == "remove":
            registry.remove_device(name)
        elif op == "move":
            registry.update_device(name, DevicePatch(access_port=1 + k, access_vlan=None if k == 0 else 10 * k))
        elif op == "profile":
            registry.update_device(name, DevicePatch(rate_profile="low" if k else "default"))
        elif op == "address":
            registry.update_device(name, DevicePatch(addresses=[f"2001:db8:100::{n + 1}", f"10.9.0.{n + 1}"]))
        elif op == "join":
            registry.add_members(f"g{k}", [name])
        elif op == "leave":
            registry.remove_member(f"g{k}", name)
        elif op == "group":
            registry.add_group(GroupSpec(name=f"g{k}", customer="acme", address=f"ff3e::{k + 1}"))
        elif op == "ungroup":
            registry.remove_group(f"g{k}")
        elif op == "regroup":
            registry.update_group(f"g{k}", GroupPatch(address=f"ff3e::{n + 10}"))
        elif op == "uplink":
            registry.update_customer("acme", CustomerPatch(uplink_port=9 + k % 2, vlan=1000 + n))
    except (ValidationFailed, KeyError):
        pass


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_following_changes_gives_the_same_state_as_starting_over(tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int, int]]) -> None:
    path = tmp_path_factory.mktemp("reg") / "r.db"
    with contextlib.closing(Registry(SqliteRegistryStore(path), PROFILES)) as registry:
        registry.add_customer(acme(uplink_port=9))
        harness = Harness(registry)
        for k in range(3):
            _operate(registry, "group", 0, k)
        for n in range(4):
            _operate(registry, "add", n, n % 3)
        harness.sync()
        for op, n, k in ops:
            if op == "hold":
                if f"d{n}" in harness.state.devices:
                    harness.sync()
                    plan = harness.state.set_held(f"d{n}", k == 1, [PROFILE])[PROFILE.name]
                    harness.switch.apply(plan)
                continue
            _operate(registry, op, n, k)
            harness.sync()
        fresh = EdgeState.from_snapshot(registry.snapshot(), registry.profiles)
        fresh.held = set(harness.state.held)
        assert harness.switch.entities == fresh.desired(PROFILE)



def test_replica_ids_prefer_the_dev_id_and_step_aside_on_a_clash() -> None:
    customer = Customer(
        name="acme", number=1, vlan=1000, uplink_port=3, gateway_mac="02:00:00:00:10:01", prefix="2001:db8:a::/64"
    )

    def member(number: int, port: int) -> Device:
        return Device(
            device_id=f"d{number}", number=number, customer="acme", endpoint=f"2001:db8:a::{number >> 16:x}:{number & 0xFFFF:x}",
            endpoint_v4=None, addresses=(f"2001:db8:100::{number >> 16:x}:{number & 0xFFFF:x}",), access_port=port,
            access_vlan=None,
            rate_profile="default",
        )

    devices = (member(1, 1), member(65536, 1), member(70000, 2))
    group = Group(name="g", number=3, customer="acme", address="ff3e::1", members=frozenset(d.device_id for d in devices))
    state = EdgeState.from_snapshot(RegistrySnapshot(1, (customer,), devices, (group,)), PROFILES)
    assert [state.rid_of(d.device_id) for d in devices] == [1, 2, 70000 - 65535]
    assert state.desired(PROFILE)[("mcast", 3)] == MulticastGroup(3, ((1, 1), (1, 2), (2, 70000 - 65535)))
