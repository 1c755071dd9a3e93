"""The edge programmer against a real softswitch over real gRPC: incremental writes, reconciliation,
switch and controller restarts, idle timeouts, status and counters."""

from __future__ import annotations

import pytest
from finsy import P4TableAction, P4TableEntry
from finsy.proto import p4r

from controlplane.edge import Activity, ActivityEvent, EdgeDataPlane, EdgeSettings
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
from controlplane.p4rt import PipelineFiles, SwitchConnection
from controlplane.registry.dataplane import DataPlaneUnavailable
from controlplane.registry.model import DevicePatch, DeviceSpec, GroupSpec
from controlplane.registry.service import Registry
from tests.controlplane.edge.conftest import acme
from tests.controlplane.edge.edge_harness import (
    FAST,
    changed,
    make_plane,
    running,
    switch_config,
    switch_state,
)
from tests.controlplane.p4rt.softswitch_process import SoftswitchProcess, poll, run_async

GATEWAY = 0xFE80 << 112 | 1
A_ADDR = 0x2001_0DB8_0100_0000_0000_0000_0000_000A
A_ENDPOINT = 0x2001_0DB8_000A_0000_0000_0000_0000_000A
ANYCAST = 0x2001_0DB8_000A_0000_0000_0000_0000_0100
PORT1_MAC = 0x02ED_0000_0001  # device id 0, port 1
PORT3_MAC = 0x02ED_0000_0003
DEFAULT_METER = MeterRates(125_000, 15_000, 250_000, 30_000)
IDLE = 300 * 10**9


def device_a(**overrides: object) -> DeviceSpec:
    fields: dict[str, object] = {
        "device_id": "A", "customer": "acme", "endpoint": "2001:db8:a::a", "addresses": ["2001:db8:100::a"],
        "access_port": 1,
    }
    fields.update(overrides)
    return DeviceSpec(**fields)  # type: ignore[arg-type]


def test_start_programs_the_switch_and_its_customers(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            assert set((await switch_state(plane)).values()) == {
                DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (64,)),
                DigestConfig(c.ACCESS_REQUEST_DIGEST, 10_000_000, 100, 1_000_000_000),
                TableEntry(c.PORT_ROLE, (3,), c.SET_UPLINK_PORT),
                TableEntry(c.PORT_MAC, (3,), c.SET_PORT_MAC, (PORT3_MAC,)),
                TableEntry(c.CUSTOMER_UPLINK, (1,), c.SET_UPLINK, (3, 1000, 0x020000001001, ANYCAST, 0)),
                TableEntry(c.UPLINK_VLAN, (3, 1000), c.SET_CUSTOMER, (1, ANYCAST, 0)),
                TableEntry(c.ENDPOINT_SRC_V6, (1, Lpm(0x2001_0DB8_000A << 80, 64)), c.FROM_CUSTOMER),
            }
            # the port role again, through finsy's reader (an independent decoder)
            (row,) = await plane.programmers[0].conn.read([P4TableEntry(c.PORT_ROLE)])
            assert isinstance(row, P4TableEntry) and row.action is not None
            assert row.match is not None and dict(row.match) == {"port": 3}
            assert isinstance(row.action, P4TableAction) and row.action.name in (c.SET_UPLINK_PORT, "set_uplink_port")
            assert plane.programmers[0].conn.pipeline_pushes == 1

    run_async(main)


def test_each_change_is_written_as_exactly_its_difference(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            conn = plane.programmers[0].conn
            empty = await switch_state(plane)
            sent = conn.stats.updates

            registry.add_device(device_a())
            await plane.settled()
            with_a = await switch_state(plane)
            added, removed, different = changed(empty, with_a)
            assert added == {
                TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 0), idle_timeout_ns=IDLE, meter=DEFAULT_METER),
                TableEntry(c.KNOWN_ADDR_V6, (A_ADDR,), c.REGISTERED_AT, (1, 0)),
                TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.TO_DEVICE_V6, (1, 1, 1, 0, A_ENDPOINT)),
                TableEntry(c.ND_PROXY, (3, 1000, A_ADDR), c.ANSWER_NS, (PORT3_MAC, 0)),
                TableEntry(c.ND_PROXY, (1, 0, GATEWAY), c.ANSWER_NS, (PORT1_MAC, 1)),
                TableEntry(c.PORT_ROLE, (1,), c.SET_ACCESS_PORT),
                TableEntry(c.PORT_MAC, (1,), c.SET_PORT_MAC, (PORT1_MAC,)),
                MeterCell(c.REQUEST_METER, 1, MeterRates(10, 10, 10, 10)),
            }
            assert removed == set() and different == set()
            assert conn.stats.updates - sent == 8  # nothing else was written

            sent = conn.stats.updates
            registry.update_device("A", DevicePatch(rate_profile="low"))
            await plane.settled()
            added, removed, different = changed(with_a, await switch_state(plane))
            assert (added, removed) == (set(), set())
            assert different == {
                TableEntry(
                    c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 0),
                    idle_timeout_ns=IDLE, meter=MeterRates(16_000, 3_000, 32_000, 6_000),
                )
            }
            assert conn.stats.updates - sent == 1

            registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::4242", members=["A"]))
            await plane.settled()
            added, removed, different = changed(with_a, await switch_state(plane))
            assert {e for e in added if not isinstance(e, TableEntry) or e.table != c.DEVICE_V6} == {
                MulticastGroup(1, ((1, 1),)),
                TableEntry(c.MCAST_GROUP_V6, (1, 0xFF3E << 112 | 0x4242), c.REPLICATE, (1,)),
                TableEntry(c.MCAST_MEMBER, (1, 1), c.TO_MEMBER, (1, 1, A_ADDR, 0)),
            }

            sent = conn.stats.updates
            registry.remove_group("g")
            registry.remove_device("A")
            await plane.settled()
            assert await switch_state(plane) == empty
            assert conn.stats.updates - sent == 3 + 8

    run_async(main)


def test_reconcile_removes_what_is_stale_and_restores_what_is_missing(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(device_a())

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            good = await switch_state(plane)
            programmer = plane.programmers[0]
            schema = programmer.schema
            assert schema is not None
            conn: SwitchConnection = programmer.conn
            # behind the edge programmer's back, over its own connection:
            stale = [
                TableEntry(c.PORT_ROLE, (9,), c.SET_UPLINK_PORT),
                TableEntry(c.DEVICE_V6, (1, 0, A_ADDR + 1), c.ADMIT_V6, (7, 1, A_ENDPOINT, 0)),
                MulticastGroup(99, ((1, 5),)),
            ]
            await conn.insert([schema.entity(e) for e in stale])
            await conn.modify([schema.entity(MeterCell(c.REQUEST_METER, 7, MeterRates(1, 1, 1, 1)))])
            await conn.modify([schema.entity(TableEntry(c.KNOWN_ADDR_V6, (A_ADDR,), c.REGISTERED_AT, (2, 5)))])
            await conn.delete([schema.entity(TableEntry(c.DEVICE_DOWN_V6, (A_ADDR,), c.TO_DEVICE_V6, (1, 1, 1, 0, A_ENDPOINT)))])
            admission = TableEntry(c.DEVICE_V6, (1, 0, A_ADDR), c.ADMIT_V6, (1, 1, A_ENDPOINT, 0))
            meter = p4r.DirectMeterEntry(
                table_entry=schema.table_key(admission), config=p4r.MeterConfig(cir=1, cburst=1, pir=1, pburst=1)
            )
            await conn.modify([p4r.Entity(direct_meter_entry=meter)])
            assert await switch_state(plane) != good

            report = await programmer.resync()
            assert report is not None
            assert (report.inserted, report.modified, report.deleted) == (1, 3, 3)
            assert report.failures == ()
            assert report.decoded == 3  # the stale port role and device entry, the changed address
            assert await switch_state(plane) == good

            again = await programmer.resync()
            assert again is not None and (again.inserted, again.modified, again.deleted) == (0, 0, 0)

    run_async(main)


def test_a_restarted_switch_gets_the_pipeline_and_every_entry_back(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(device_a())

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            programmer = plane.programmers[0]
            before = await switch_state(plane)
            pushes, ready = programmer.conn.pipeline_pushes, programmer.conn.ready_count
            switch.kill()
            await poll(lambda: not programmer.conn.is_up, what="the connection to notice the switch is gone")
            # a change while the switch is away is not lost
            registry.add_device(device_a(device_id="B", endpoint="2001:db8:a::b", addresses=["2001:db8:100::b"]))
            switch.start()
            await poll(lambda: programmer.conn.ready_count > ready, timeout=30, what="the switch to be ready again")
            await plane.settled()
            assert programmer.conn.pipeline_pushes == pushes + 1
            after = await switch_state(plane)
            added, removed, different = changed(before, after)
            assert removed == set() and different == set()
            assert {e.table for e in added if isinstance(e, TableEntry)} == {
                c.DEVICE_V6, c.KNOWN_ADDR_V6, c.DEVICE_DOWN_V6, c.ND_PROXY
            }
            assert programmer.last_report is not None and programmer.last_report.found == 0

    run_async(main)


def test_a_restarted_controller_finds_everything_in_place(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme(prefix_v4="10.10.0.0/24", allowed_prefixes=["2001:db8:ff::/48", "0.0.0.0/0"]))
    registry.add_device(device_a(addresses=["2001:db8:100::a", "192.168.20.2"], endpoint_v4="10.10.0.10", access_vlan=5))
    registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::1", members=["A"]))

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            first = await switch_state(plane)
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            report = plane.programmers[0].last_report
            assert report is not None
            assert (report.inserted, report.modified, report.deleted) == (0, 0, 0)
            assert report.found == report.desired == len(first)
            assert report.decoded == 0  # every entry was found byte for byte
            assert plane.programmers[0].conn.pipeline_pushes == 0  # the switch already ran it

    run_async(main)


def test_idle_devices_are_reported_asleep(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(device_a())
    settings = EdgeSettings(idle_timeout_ns=200_000_000)

    async def main() -> None:
        plane = make_plane(registry, switch.address, edge_pipeline, settings=settings)
        events: list[ActivityEvent] = []

        async def listen(event: ActivityEvent) -> None:
            events.append(event)

        plane.events.activity.add(listen)
        async with running(plane):
            await poll(lambda: bool(events), timeout=10, what="an idle-timeout notification")
            assert (events[0].device_id, events[0].activity, events[0].switch, events[0].reason) == (
                "A", Activity.ASLEEP, "s1", "idle-timeout"
            )
            assert plane.events.asleep() == ["A"]

    run_async(main)


def test_status_counts_entries_and_counters_need_a_switch(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    device = registry.add_device(device_a())

    async def main() -> None:
        plane = make_plane(registry, switch.address, edge_pipeline)
        with pytest.raises(DataPlaneUnavailable):
            await plane.device_counters(device)
        async with running(plane):
            (status,) = await plane.switch_status()
            assert (status.name, status.connected, status.primary, status.pipeline, status.error) == (
                "s1", True, True, "edge", None
            )
            assert status.entry_counts["device_v6"] == 1
            assert status.entry_counts["nd_proxy"] == 2
            assert status.entry_counts["mcast_member"] == 0
            (counters,) = await plane.device_counters(device)
            assert (counters.switch, counters.upstream_packets, counters.downstream_bytes) == ("s1", 0, 0)
        (status,) = await plane.switch_status()
        assert not status.connected and status.entry_counts == {}

    run_async(main)


def test_config_ports_and_macs_are_programmed(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    async def main() -> None:
        plane = make_plane(
            registry, switch.address, edge_pipeline, access_ports=(5,), uplink_ports=(6,), port_macs={5: "02:aa:00:00:00:05"}
        )
        async with running(plane):
            state = await switch_state(plane)
            assert state[("table", c.PORT_ROLE, (5,))] == TableEntry(c.PORT_ROLE, (5,), c.SET_ACCESS_PORT)
            assert state[("table", c.PORT_MAC, (5,))] == TableEntry(c.PORT_MAC, (5,), c.SET_PORT_MAC, (0x02AA_0000_0005,))
            assert state[("table", c.PORT_ROLE, (6,))] == TableEntry(c.PORT_ROLE, (6,), c.SET_UPLINK_PORT)
            assert state[("meter", c.REQUEST_METER, 5)] == MeterCell(c.REQUEST_METER, 5, MeterRates(10, 10, 10, 10))

    run_async(main)


def test_hold_and_release_a_device_on_the_switch(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(device_a())
    registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::1", members=["A"]))

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            awake = await switch_state(plane)
            await plane.set_device_held("A", True)
            await plane.settled()
            held = await switch_state(plane)
            assert held[("table", c.DEVICE_DOWN_V6, (A_ADDR,))] == TableEntry(
                c.DEVICE_DOWN_V6, (A_ADDR,), c.HOLD_FOR_DEVICE_V6, (1, 1, 1, 0, A_ENDPOINT)
            )
            assert held[("mcast", 1)] == MulticastGroup(1, ((64, 1),))
            await plane.set_device_held("A", False)
            await plane.settled()
            assert await switch_state(plane) == awake

    run_async(main)



def test_every_switch_of_the_region_gets_the_same_state(registry: Registry, edge_pipeline: PipelineFiles) -> None:
    registry.add_customer(acme())
    first, second = SoftswitchProcess(), SoftswitchProcess()
    try:

        async def main() -> None:
            plane = EdgeDataPlane(
                registry,
                [(switch_config(first.address, name="s1"), edge_pipeline), (switch_config(second.address, name="s2"), edge_pipeline)],
                EdgeSettings(),
                backoff=FAST,
            )
            async with running(plane):
                registry.add_device(device_a())
                await plane.settled()
                one, two = await switch_state(plane, 0), await switch_state(plane, 1)
                assert one == two and ("table", c.DEVICE_V6, (1, 0, A_ADDR)) in one
                second.kill()
                await poll(lambda: not plane.programmers[1].conn.is_up, what="s2 to be gone")
                registry.remove_device("A")
                await plane.settled()
                assert ("table", c.DEVICE_V6, (1, 0, A_ADDR)) not in await switch_state(plane, 0)
                statuses = await plane.switch_status()
                assert [(s.name, s.connected) for s in statuses] == [("s1", True), ("s2", False)]
                assert statuses[1].error is not None

        run_async(main)
    finally:
        first.close()
        second.close()


def test_a_group_without_members_is_an_empty_multicast_group(
    registry: Registry, switch: SoftswitchProcess, edge_pipeline: PipelineFiles
) -> None:
    registry.add_customer(acme())
    registry.add_device(device_a())

    async def main() -> None:
        async with running(make_plane(registry, switch.address, edge_pipeline)) as plane:
            registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::1", members=["A"]))
            registry.remove_member("g", "A")
            await plane.settled()
            state = await switch_state(plane)
            assert state[("mcast", 1)] == MulticastGroup(1, ())
            assert not any(k[1] == c.MCAST_MEMBER for k in state if k[0] == "table")
            assert plane.programmers[0].write_failures == 0

    run_async(main)
