"""Diffs between states and the order their writes go out in."""

from __future__ import annotations

from controlplane.edge import contract as c
from controlplane.edge.entries import DefaultAction, MeterCell, MeterRates, MulticastGroup, TableEntry
from controlplane.edge.plan import Op, WritePlan, diff_entities

ROLE_1 = TableEntry(c.PORT_ROLE, (1,), c.SET_ACCESS_PORT)
ROLE_2 = TableEntry(c.PORT_ROLE, (2,), c.SET_ACCESS_PORT)
GROUP_5 = MulticastGroup(5, ((1, 1),))
POINTER_5 = TableEntry(c.MCAST_GROUP_V6, (1, 0xFF3E << 112 | 1), c.REPLICATE, (5,))
METERED = TableEntry(c.DEVICE_V6, (1, 0, 9), c.ADMIT_V6, (1, 1, 2, 0), meter=MeterRates(249, 10, 500, 20))


def test_insert_modify_delete_by_key() -> None:
    plan = diff_entities([ROLE_1, ROLE_2], [TableEntry(c.PORT_ROLE, (1,), c.SET_UPLINK_PORT), GROUP_5])
    assert plan.inserts == [GROUP_5]
    assert plan.modifies == [TableEntry(c.PORT_ROLE, (1,), c.SET_UPLINK_PORT)]
    assert plan.deletes == [ROLE_2]


def test_modify_only_entities_are_set_and_reset() -> None:
    cell = MeterCell(c.REQUEST_METER, 1, MeterRates(10, 10, 10, 10))
    cpu = DefaultAction(c.CPU_PORT, c.SET_CPU_PORT, (64,))
    plan = diff_entities([cell], [cpu])
    assert plan.inserts == [] and plan.deletes == []
    assert plan.modifies == [MeterCell(c.REQUEST_METER, 1, None), cpu]
    # a reset read back is the same as absent
    assert not diff_entities([MeterCell(c.REQUEST_METER, 2, None)], [])


def test_meter_rates_read_back_rounded_are_the_same() -> None:
    """BMv2 keeps rates per microsecond: 249 bytes/s may read back as 248."""
    rounded = TableEntry(c.DEVICE_V6, (1, 0, 9), c.ADMIT_V6, (1, 1, 2, 0), meter=MeterRates(248, 10, 500, 20))
    assert not diff_entities([rounded], [METERED])
    other = TableEntry(c.DEVICE_V6, (1, 0, 9), c.ADMIT_V6, (1, 1, 2, 0), meter=MeterRates(200, 10, 500, 20))
    assert diff_entities([other], [METERED]).modifies == [METERED]


def test_phases_keep_group_pointers_valid() -> None:
    """Pointers to multicast groups go first when deleting and last when writing; deletes and
    resets come before inserts and modifies."""
    plan = WritePlan(
        inserts=[GROUP_5, POINTER_5, ROLE_1],
        modifies=[MeterCell(c.REQUEST_METER, 1, None), METERED],
        deletes=[ROLE_2, TableEntry(c.MCAST_GROUP_V6, (1, 7), c.REPLICATE, (6,)), MulticastGroup(6, ())],
    )
    assert plan.phases() == [
        [(Op.DELETE, TableEntry(c.MCAST_GROUP_V6, (1, 7), c.REPLICATE, (6,)))],
        [(Op.DELETE, ROLE_2), (Op.DELETE, MulticastGroup(6, ())), (Op.MODIFY, MeterCell(c.REQUEST_METER, 1, None))],
        [(Op.INSERT, GROUP_5), (Op.INSERT, ROLE_1), (Op.MODIFY, METERED)],
        [(Op.INSERT, POINTER_5)],
    ]
    assert len(plan) == 8 and plan.counts() == {"insert": 3, "modify": 2, "delete": 3}


def test_an_empty_plan_has_no_phases() -> None:
    assert WritePlan().phases() == [] and not WritePlan()
