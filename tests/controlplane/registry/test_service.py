"""The registry service: records, numbers, persistence, the change feed and access requests."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from controlplane.registry.changes import ChangeOp, ChangeSet, members_added, members_removed
from controlplane.registry.errors import ErrorKind, ValidationFailed
from controlplane.registry.model import (
    UNSET,
    AccessRequestStatus,
    AccessSighting,
    Approval,
    CustomerPatch,
    DevicePatch,
    GroupPatch,
    GroupSpec,
)
from controlplane.registry.service import Registry
from tests.controlplane.registry.conftest import acme, beta, device, open_registry


def test_records_get_data_plane_numbers(registry: Registry) -> None:
    assert registry.add_customer(acme()).number == 1
    assert registry.add_customer(beta()).number == 2
    numbers = [registry.add_device(device(n)).number for n in range(1, 5)]
    assert numbers == [1, 2, 3, 4]
    registry.remove_device("acme-dev2")
    assert registry.add_device(device(9)).number == 2  # the lowest free number is reused
    assert registry.add_group(GroupSpec(name="g", customer="acme", address="ff3e::1")).number == 1


def test_normalized_values(registry: Registry) -> None:
    customer = registry.add_customer(
        acme(gateway_mac="02-00-00-00-01-AB", prefix="2001:DB8:100:0::/48", allowed_prefixes=["10.9.0.0/16"])
    )
    assert (customer.gateway_mac, customer.prefix) == ("02:00:00:00:01:ab", "2001:db8:100::/48")
    d = registry.add_device(
        device(1, endpoint="2001:0DB8:0100:0000::0001", addresses=["2001:db8:ff:0:0:0:0:1"])
    )
    assert (d.endpoint, d.addresses) == ("2001:db8:100::1", ("2001:db8:ff::1",))


def test_update_and_remove(registry: Registry) -> None:
    registry.add_customer(acme())
    registry.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    first = registry.add_device(device(1, groups=["lights"]))
    assert registry.device_groups("acme-dev1") == ("lights",)
    changed = registry.update_device("acme-dev1", DevicePatch(access_vlan=42, rate_profile="low"))
    assert (changed.number, changed.access_vlan, changed.rate_profile) == (first.number, 42, "low")
    assert registry.device_groups("acme-dev1") == ("lights",)  # groups left out: unchanged
    untagged = registry.update_device("acme-dev1", DevicePatch(access_vlan=None))
    assert untagged.access_vlan is None
    registry.update_device("acme-dev1", DevicePatch(groups=[]))
    assert registry.get_group("lights").members == frozenset()
    registry.update_group("lights", GroupPatch(members=["acme-dev1"]))
    assert registry.device_groups("acme-dev1") == ("lights",)
    registry.remove_device("acme-dev1")
    assert registry.get_group("lights").members == frozenset()
    registry.remove_group("lights")
    registry.update_customer("acme", CustomerPatch(vlan=101, anycast=None))
    assert registry.get_customer("acme").anycast is None
    registry.remove_customer("acme")
    assert registry.counts() == {"customers": 0, "devices": 0, "groups": 0, "pending_requests": 0}


def test_listing_filters_and_pages(registry: Registry) -> None:
    registry.add_customer(acme())
    registry.add_customer(beta())
    registry.add_group(GroupSpec(name="odd", customer="acme", address="ff3e::1"))
    for n in range(1, 8):
        registry.add_device(device(n, groups=["odd"] if n % 2 else []))
    registry.add_device(device(1, customer="beta"))
    page = registry.list_devices(offset=2, limit=3)
    assert ([d.device_id for d in page.items], page.total) == (["acme-dev3", "acme-dev4", "acme-dev5"], 8)
    assert registry.list_devices(customer="beta").total == 1
    assert [d.device_id for d in registry.list_devices(group="odd").items] == [
        f"acme-dev{n}" for n in (1, 3, 5, 7)
    ]
    with pytest.raises(ValidationFailed) as caught:
        registry.list_devices(customer="nobody")
    assert caught.value.errors[0].where == "query"


def test_everything_survives_a_restart(db_path: Path) -> None:
    reg = open_registry(db_path)
    reg.add_customer(acme(allowed_prefixes=["2001:db8:9::/48", "10.9.0.0/16"]))
    reg.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    reg.add_device(
        device(1, addresses=["2001:db8:ff::1", "10.0.0.1"], endpoint_v4="10.100.0.1", groups=["lights"])
    )
    reg.add_device(device(2, access_vlan=7, rate_profile="low"))
    reg.record_access_request(
        AccessSighting(port=5, vlan=None, src_mac="02:aa:00:00:00:01", src_addr="10.5.5.5")
    )
    before = reg.snapshot()
    requests = reg.list_access_requests(None)
    reg.close()

    again = open_registry(db_path)
    try:
        after = again.snapshot()
        assert sorted(after.customers, key=str) == sorted(before.customers, key=str)
        assert sorted(after.devices, key=lambda d: d.device_id) == sorted(
            before.devices, key=lambda d: d.device_id
        )
        assert after.groups == before.groups
        assert again.list_access_requests(None) == requests
        assert again.device_groups("acme-dev1") == ("lights",)
        assert again.add_device(device(3)).number == 3  # numbers in use are not handed out again
    finally:
        again.close()


# ---- the change feed --------------------------------------------------------------------------


def test_change_sets_carry_before_and_after(registry: Registry) -> None:
    seen: list[ChangeSet] = []
    registry.changes.add_listener(seen.append)
    registry.add_customer(acme())
    registry.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    registry.add_device(device(1, groups=["lights"]))
    registry.update_device("acme-dev1", DevicePatch(access_vlan=None))  # no change: no change set
    registry.update_device("acme-dev1", DevicePatch(access_vlan=9))
    registry.update_group("lights", GroupPatch(members=[]))
    registry.remove_device("acme-dev1")

    assert [cs.seq for cs in seen] == [1, 2, 3, 4, 5, 6]
    assert seen[0].customers[0].op is ChangeOp.ADDED and seen[0].customers[0].after == registry.get_customer(
        "acme"
    )
    added = seen[2]
    assert [c.op for c in added.devices] == [ChangeOp.ADDED]
    assert [members_added(c) for c in added.groups] == [frozenset({"acme-dev1"})]
    vlan_change = seen[3].devices[0]
    assert vlan_change.op is ChangeOp.CHANGED
    assert (vlan_change.before and vlan_change.before.access_vlan, vlan_change.record.access_vlan) == (
        None,
        9,
    )
    assert seen[3].groups == ()  # membership did not change
    assert [members_removed(c) for c in seen[4].groups] == [frozenset({"acme-dev1"})]
    assert seen[5].devices[0].op is ChangeOp.REMOVED and seen[5].groups == ()
    assert registry.seq == 6


def test_removing_a_member_device_changes_its_groups(registry: Registry) -> None:
    registry.add_customer(acme())
    registry.add_group(GroupSpec(name="a", customer="acme", address="ff3e::1"))
    registry.add_group(GroupSpec(name="b", customer="acme", address="ff3e::2"))
    registry.add_device(device(1, groups=["a", "b"]))
    seen: list[ChangeSet] = []
    registry.changes.add_listener(seen.append)
    registry.remove_device("acme-dev1")
    (changeset,) = seen
    assert sorted((c.record.name, members_removed(c)) for c in changeset.groups) == [
        ("a", frozenset({"acme-dev1"})),
        ("b", frozenset({"acme-dev1"})),
    ]


def test_async_subscription_after_a_snapshot(registry: Registry) -> None:
    registry.add_customer(acme())
    registry.add_device(device(1))

    async def follow() -> tuple[int, list[ChangeSet], list[str]]:
        snapshot, subscription = registry.subscribe_with_snapshot()
        writer = threading.Thread(target=lambda: [registry.add_device(device(n)) for n in (2, 3)])
        writer.start()
        got = [await asyncio.wait_for(subscription.get(), 30) for _ in range(2)]
        writer.join()
        subscription.close()
        return snapshot.seq, got, [d.device_id for d in snapshot.devices]

    seq, got, in_snapshot = asyncio.run(follow())
    assert in_snapshot == ["acme-dev1"]
    assert [cs.seq for cs in got] == [seq + 1, seq + 2]
    assert [cs.devices[0].record.device_id for cs in got] == ["acme-dev2", "acme-dev3"]


def test_closed_subscription_ends_iteration(registry: Registry) -> None:
    async def run() -> list[ChangeSet]:
        subscription = registry.changes.subscribe()
        registry.add_customer(acme())
        subscription.close()
        return [cs async for cs in subscription]

    assert [cs.customers[0].record.name for cs in asyncio.run(run())] == ["acme"]


# ---- access requests --------------------------------------------------------------------------


def sighting(
    addr: str = "2001:db8:ff::50", port: int = 3, vlan: int | None = None, at: float = 100.0
) -> AccessSighting:
    return AccessSighting(port=port, vlan=vlan, src_mac="02:AA:00:00:00:50", src_addr=addr, seen_at=at)


def test_requests_are_recorded_per_sender(registry: Registry) -> None:
    first = registry.record_access_request(sighting(at=100.0))
    again = registry.record_access_request(sighting(at=160.0))
    assert (again.id, again.count, again.first_seen, again.last_seen) == (first.id, 2, 100.0, 160.0)
    assert again.src_mac == "02:aa:00:00:00:50"
    mapped = registry.record_access_request(sighting("::ffff:10.1.2.3", vlan=0))
    assert (mapped.src_addr, mapped.vlan) == ("10.1.2.3", None)
    other_vlan = registry.record_access_request(sighting(vlan=12))
    assert other_vlan.id not in (first.id, mapped.id)
    assert [r.id for r in registry.list_access_requests()] == [first.id, mapped.id, other_vlan.id]
    with pytest.raises(ValidationFailed) as caught:
        registry.record_access_requests(
            [sighting(), AccessSighting(port=999, vlan=None, src_mac="x", src_addr="y")]
        )
    assert sorted(e.field for e in caught.value.errors) == ["[1].port", "[1].src_addr", "[1].src_mac"]


def test_deny_hides_a_request_for_good(registry: Registry) -> None:
    request = registry.record_access_request(sighting())
    denied = registry.deny_access_request(request.id)
    assert denied.status is AccessRequestStatus.DENIED
    assert registry.list_access_requests() == []
    seen_again = registry.record_access_request(sighting(at=200.0))
    assert (seen_again.status, seen_again.count) == (AccessRequestStatus.DENIED, 2)
    assert [r.id for r in registry.list_access_requests(AccessRequestStatus.DENIED)] == [request.id]


def test_approve_registers_the_sender(registry: Registry) -> None:
    registry.add_customer(acme())
    registry.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    request = registry.record_access_request(sighting(vlan=12))
    seen: list[ChangeSet] = []
    registry.changes.add_listener(seen.append)
    approved, dev = registry.approve_access_request(
        request.id,
        Approval(device_id="new1", customer="acme", endpoint="2001:db8:100::50", groups=["lights"]),
    )
    assert (approved.status, approved.device_id) == (AccessRequestStatus.APPROVED, "new1")
    assert (dev.addresses, dev.access_port, dev.access_vlan) == (("2001:db8:ff::50",), 3, 12)
    assert registry.device_groups("new1") == ("lights",)
    assert [c.record.device_id for c in seen[0].devices] == ["new1"]
    assert registry.list_access_requests() == []
    with pytest.raises(ValidationFailed) as caught:
        registry.approve_access_request(
            request.id, Approval(device_id="x", customer="acme", endpoint="2001:db8:100::51")
        )
    assert caught.value.kind is ErrorKind.CONFLICT
    # The device goes away: the sender asking again is pending again.
    registry.remove_device("new1")
    assert registry.record_access_request(sighting(vlan=12)).status is AccessRequestStatus.PENDING


def test_a_failed_approval_leaves_the_request_pending(registry: Registry) -> None:
    registry.add_customer(acme())
    request = registry.record_access_request(sighting())
    with pytest.raises(ValidationFailed) as caught:
        registry.approve_access_request(
            request.id,
            Approval(device_id="new1", customer="acme", endpoint="2001:db8:999::1", access_vlan=UNSET),
        )
    assert [e.field for e in caught.value.errors] == ["endpoint"]
    assert registry.get_access_request(request.id).status is AccessRequestStatus.PENDING
    assert registry.counts()["devices"] == 0
    untagged = registry.approve_access_request(
        request.id, Approval(device_id="new1", customer="acme", endpoint="2001:db8:100::1", access_vlan=None)
    )[1]
    assert untagged.access_vlan is None
