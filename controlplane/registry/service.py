"""The registry service: validated changes to customers, devices, groups and access requests.

This is the layer the REST API, the CLI's server, the bulk importer and the edge programmer all
call; it knows nothing of HTTP. Every write

1. validates its input against the in-memory state (raising ``ValidationFailed``, whose errors
   name the fields at fault),
2. stores one atomic ``WriteBatch`` (raising ``StoreError`` if the store fails; then nothing
   changed),
3. updates the in-memory state, and
4. publishes one ``ChangeSet`` on ``changes`` (see changes.py).

Methods are thread-safe (one lock); they are synchronous and quick except for the store's commit.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from controlplane.registry.access_requests import plan_sightings
from controlplane.registry.changes import Change, ChangeFeed, ChangeSet, ChangeSubscription
from controlplane.registry.errors import (
    ErrorKind,
    FieldError,
    Issues,
    StoreError,
    ValidationFailed,
    conflict,
    not_found,
)
from controlplane.registry.model import (
    UNSET,
    AccessRequest,
    AccessRequestStatus,
    AccessSighting,
    Approval,
    Customer,
    CustomerPatch,
    CustomerSpec,
    Device,
    DevicePatch,
    DeviceSpec,
    Group,
    GroupPatch,
    GroupSpec,
    Page,
    RateProfile,
    pick,
)
from controlplane.registry.state import RegistryState
from controlplane.registry.store import RegistryStore, WriteBatch
from controlplane.registry.validation import (
    PendingClaims,
    check_customer,
    check_device,
    check_group,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class RegistrySnapshot:
    """Every record at change-set number ``seq``."""

    seq: int
    customers: tuple[Customer, ...]
    devices: tuple[Device, ...]
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row of a bulk operation was not stored."""

    row: int
    errors: tuple[FieldError, ...]


@dataclass(frozen=True, slots=True)
class BulkResult:
    stored: tuple[Device, ...]
    failed: tuple[RowError, ...]
    stopped: bool  # validation stopped at a bad row (stop_on_error)


def _valid(result: T | Issues) -> T:
    if isinstance(result, Issues):
        raise ValidationFailed(result.errors)
    return result


def _page(items: Sequence[T], offset: int, limit: int) -> Page[T]:
    offset = max(offset, 0)
    limit = min(max(limit, 0), MAX_PAGE)
    return Page(list(items[offset : offset + limit]), len(items), offset, limit)


class Registry:
    """The registry of one regional cluster."""

    def __init__(
        self,
        store: RegistryStore,
        profiles: Mapping[str, RateProfile],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._profiles = dict(profiles)
        self._clock = clock
        self._lock = threading.Lock()
        self._state = RegistryState()
        self._seq = 0
        self.changes = ChangeFeed()
        self._load()

    def _load(self) -> None:
        stored = self._store.load()
        state = self._state
        for customer in stored.customers:
            state.put_customer(customer, None)
        for device in stored.devices:
            state.put_device(device, None)
            if device.rate_profile not in self._profiles:
                log.warning(
                    "device %s: rate profile %r is not configured", device.device_id, device.rate_profile
                )
        for group in stored.groups:
            state.put_group(group, None)
        for request in stored.requests:
            state.put_request(request)
        log.info(
            "registry %s: %d customers, %d devices, %d groups, %d access requests",
            self._store.location,
            len(stored.customers),
            len(stored.devices),
            len(stored.groups),
            len(stored.requests),
        )

    @property
    def profiles(self) -> Mapping[str, RateProfile]:
        return self._profiles

    @property
    def location(self) -> str:
        return self._store.location

    def close(self) -> None:
        with self._lock:
            self.changes.close()
            self._store.close()

    # ---- the change feed and reconciliation ---------------------------------------------

    @property
    def seq(self) -> int:
        """The number of the last published change set."""
        return self._seq

    def snapshot(self) -> RegistrySnapshot:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> RegistrySnapshot:
        s = self._state
        return RegistrySnapshot(
            self._seq, tuple(s.customers.values()), tuple(s.devices.values()), tuple(s.groups.values())
        )

    def subscribe_with_snapshot(self) -> tuple[RegistrySnapshot, ChangeSubscription]:
        """Every record now, and a subscription to every change set after it (call on the loop)."""
        with self._lock:
            return self._snapshot(), self.changes.subscribe()

    def _publish(
        self,
        origin: str,
        customers: Iterable[Change[Customer]] = (),
        devices: Iterable[Change[Device]] = (),
        groups: Iterable[Change[Group]] = (),
    ) -> None:
        changeset = ChangeSet(self._seq + 1, tuple(customers), tuple(devices), tuple(groups), origin)
        if changeset:
            self._seq += 1
            self.changes.publish(changeset)

    # ---- customers ----------------------------------------------------------------------

    def get_customer(self, name: str) -> Customer:
        customer = self._state.customers.get(name)
        if customer is None:
            raise not_found("customer", name, ("name",), where="key")
        return customer

    def list_customers(self) -> list[Customer]:
        with self._lock:
            return sorted(self._state.customers.values(), key=lambda c: c.name)

    def add_customer(self, spec: CustomerSpec, *, origin: str = "api") -> Customer:
        with self._lock:
            checked = _valid(check_customer(spec, self._state, existing=None))
            number = self._state.customer_numbers.take()
            if number is None:
                raise conflict(
                    (), "the registry already holds the most customers the data plane allows (4095)"
                )
            customer = dataclasses.replace(checked, number=number)
            try:
                self._store.apply(WriteBatch(customers_put=[customer]))
            except Exception:
                self._state.customer_numbers.release(number)
                raise
            self._state.put_customer(customer, None)
            self._publish(origin, customers=[Change(None, customer)])
            return customer

    def update_customer(self, name: str, patch: CustomerPatch, *, origin: str = "api") -> Customer:
        with self._lock:
            old = self.get_customer(name)
            spec = CustomerSpec(
                name=name,
                vlan=pick(patch.vlan, old.vlan),
                uplink_port=pick(patch.uplink_port, old.uplink_port),
                gateway_mac=pick(patch.gateway_mac, old.gateway_mac),
                prefix=pick(patch.prefix, old.prefix),
                prefix_v4=pick(patch.prefix_v4, old.prefix_v4),
                anycast=pick(patch.anycast, old.anycast),
                anycast_v4=pick(patch.anycast_v4, old.anycast_v4),
                allowed_prefixes=pick(patch.allowed_prefixes, old.allowed_prefixes),
            )
            new = _valid(check_customer(spec, self._state, existing=old))
            if new == old:
                return old
            self._store.apply(WriteBatch(customers_put=[new]))
            self._state.put_customer(new, old)
            self._publish(origin, customers=[Change(old, new)])
            return new

    def remove_customer(self, name: str, *, origin: str = "api") -> Customer:
        with self._lock:
            old = self.get_customer(name)
            devices = len(self._state.customer_devices[name])
            groups = len(self._state.customer_groups[name])
            if devices or groups:
                raise conflict(
                    ("name",),
                    f"customer {name!r} still has {devices} devices and {groups} groups; remove them first",
                    where="key",
                )
            self._store.apply(WriteBatch(customers_removed=[old]))
            self._state.remove_customer(old)
            self._publish(origin, customers=[Change(old, None)])
            return old

    # ---- devices ------------------------------------------------------------------------

    def get_device(self, device_id: str) -> Device:
        device = self._state.devices.get(device_id)
        if device is None:
            raise not_found("device", device_id, ("device_id",), where="key")
        return device

    def device_groups(self, device_id: str) -> tuple[str, ...]:
        """The sorted names of the groups the device belongs to."""
        with self._lock:
            return tuple(sorted(self._state.device_groups.get(device_id, ())))

    def list_devices(
        self, *, customer: str | None = None, group: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[Device]:
        """Devices in device_id order, optionally only one customer's or one group's."""
        with self._lock:
            state = self._state
            if group is not None:
                if group not in state.groups:
                    raise not_found("group", group, ("group",), where="query")
                ids: Sequence[str] = sorted(state.groups[group].members)
            elif customer is not None:
                if customer not in state.customers:
                    raise not_found("customer", customer, ("customer",), where="query")
                ids = sorted(state.customer_devices[customer])
            else:
                ids = state.sorted_device_ids()
            if group is not None and customer is not None:
                ids = [i for i in ids if state.devices[i].customer == customer]
            page = _page(ids, offset, limit)
            items = [state.devices[i] for i in page.items]
            return Page(items, page.total, page.offset, page.limit)

    def _membership_changes(
        self, device_id: str, before: Iterable[str], after: Iterable[str]
    ) -> tuple[list[Change[Group]], list[tuple[str, str]], list[tuple[str, str]]]:
        """Group changes for one device leaving ``before - after`` and joining ``after - before``."""
        before_set, after_set = set(before), set(after)
        changes: list[Change[Group]] = []
        added: list[tuple[str, str]] = []
        removed: list[tuple[str, str]] = []
        for name in sorted(before_set ^ after_set):
            old = self._state.groups[name]
            if name in after_set:
                new = dataclasses.replace(old, members=old.members | {device_id})
                added.append((name, device_id))
            else:
                new = dataclasses.replace(old, members=old.members - {device_id})
                removed.append((name, device_id))
            changes.append(Change(old, new))
        return changes, added, removed

    def _store_device(
        self,
        old: Device | None,
        new: Device,
        groups: Sequence[str],
        origin: str,
        requests: Sequence[AccessRequest] = (),
    ) -> None:
        """Store and publish one added or changed device with its memberships."""
        before = self._state.device_groups.get(new.device_id, set()) if old is not None else set()
        group_changes, added, removed = self._membership_changes(new.device_id, before, groups)
        if old == new and not group_changes and not requests:
            return  # nothing changes
        batch = WriteBatch(members_added=added, members_removed=removed, requests_put=list(requests))
        if old is None:
            batch.devices_added.append(new)
        elif old != new:
            batch.devices_put.append(new)
        self._store.apply(batch)
        self._state.put_device(new, old)
        for change in group_changes:
            assert change.after is not None
            self._state.put_group(change.after, change.before)
        for request in requests:
            self._state.put_request(request)
        device_changes = [] if old == new else [Change(old, new)]
        self._publish(origin, devices=device_changes, groups=group_changes)

    def add_device(self, spec: DeviceSpec, *, origin: str = "api") -> Device:
        with self._lock:
            return self._add_device(spec, origin)

    def _add_device(self, spec: DeviceSpec, origin: str, requests: Sequence[AccessRequest] = ()) -> Device:
        number = self._state.device_numbers.take()
        if number is None:
            raise conflict((), "the registry already holds the most devices the data plane allows (999999)")
        try:
            result = check_device(spec, self._state, self._profiles, existing=None, number=number)
            device, groups = _valid(result)
            self._store_device(None, device, groups, origin, requests)
        except Exception:
            self._state.device_numbers.release(number)
            raise
        return device

    def update_device(self, device_id: str, patch: DevicePatch, *, origin: str = "api") -> Device:
        with self._lock:
            old = self.get_device(device_id)
            spec = DeviceSpec(
                device_id=device_id,
                customer=pick(patch.customer, old.customer),
                endpoint=pick(patch.endpoint, old.endpoint),
                endpoint_v4=pick(patch.endpoint_v4, old.endpoint_v4),
                addresses=pick(patch.addresses, old.addresses),
                access_port=pick(patch.access_port, old.access_port),
                access_vlan=pick(patch.access_vlan, old.access_vlan),
                rate_profile=pick(patch.rate_profile, old.rate_profile),
                groups=pick(patch.groups, tuple(sorted(self._state.device_groups.get(device_id, ())))),
            )
            new, groups = _valid(check_device(spec, self._state, self._profiles, existing=old))
            self._store_device(old, new, groups, origin)
            return new

    def remove_device(self, device_id: str, *, origin: str = "api") -> Device:
        with self._lock:
            old = self.get_device(device_id)
            group_changes, _, removed = self._membership_changes(
                device_id, self._state.device_groups.get(device_id, ()), ()
            )
            self._store.apply(WriteBatch(devices_removed=[old], members_removed=removed))
            for change in group_changes:
                assert change.after is not None
                self._state.put_group(change.after, change.before)
            self._state.remove_device(old)
            self._publish(origin, devices=[Change(old, None)], groups=group_changes)
            return old

    def add_devices(
        self, rows: Sequence[tuple[int, DeviceSpec]], *, stop_on_error: bool = False, origin: str = "import"
    ) -> BulkResult:
        """Add many devices in one transaction: the valid rows are stored together, or (if the
        store fails) none of them. Invalid rows are reported by row number and skipped; with
        ``stop_on_error`` the first invalid row ends the batch and only the rows before it are
        stored."""
        with self._lock:
            state = self._state
            pending = PendingClaims()
            accepted: list[Device] = []
            rows_of: list[int] = []
            joins: dict[str, set[str]] = {}
            failed: list[RowError] = []
            stopped = False
            numbers = state.device_numbers
            for row, spec in rows:
                number = numbers.take()
                if number is None:
                    full = FieldError(
                        (), "the registry holds the most devices the data plane allows", ErrorKind.CONFLICT
                    )
                    failed.append(RowError(row, (full,)))
                    stopped = True
                    break
                result = check_device(
                    spec, state, self._profiles, existing=None, pending=pending, number=number
                )
                if isinstance(result, Issues):
                    numbers.release(number)
                    failed.append(RowError(row, tuple(result.errors)))
                    if stop_on_error:
                        stopped = True
                        break
                    continue
                device, groups = result
                pending.claim(device, row)
                accepted.append(device)
                rows_of.append(row)
                for name in groups:
                    joins.setdefault(name, set()).add(device.device_id)

            group_changes = []
            for name, ids in sorted(joins.items()):
                old = state.groups[name]
                group_changes.append(Change(old, dataclasses.replace(old, members=old.members | ids)))
            batch = WriteBatch(
                devices_added=accepted,
                members_added=[(name, device_id) for name, ids in joins.items() for device_id in ids],
            )
            try:
                self._store.apply(batch)
            except BaseException as e:
                for device in accepted:
                    state.device_numbers.release(device.number)
                if not isinstance(e, StoreError):
                    raise
                if rows_of:
                    log.error("devices of rows %d..%d not stored: %s", rows_of[0], rows_of[-1], e)
                lost = FieldError((), f"not stored, the batch was rolled back: {e}", ErrorKind.CONFLICT)
                failed.extend(RowError(row, (lost,)) for row in rows_of)
                failed.sort(key=lambda f: f.row)
                return BulkResult((), tuple(failed), stopped)
            for device in accepted:
                state.put_device(device, None)
            for change in group_changes:
                assert change.after is not None
                state.put_group(
                    change.after, change.before, joined=joins[change.after.name], left=frozenset()
                )
            self._publish(origin, devices=[Change(None, d) for d in accepted], groups=group_changes)
            return BulkResult(tuple(accepted), tuple(failed), stopped)

    # ---- groups -------------------------------------------------------------------------

    def get_group(self, name: str) -> Group:
        group = self._state.groups.get(name)
        if group is None:
            raise not_found("group", name, ("name",), where="key")
        return group

    def list_groups(self, *, customer: str | None = None, offset: int = 0, limit: int = 100) -> Page[Group]:
        with self._lock:
            state = self._state
            if customer is not None:
                if customer not in state.customers:
                    raise not_found("customer", customer, ("customer",), where="query")
                names: Sequence[str] = sorted(state.customer_groups[customer])
            else:
                names = state.sorted_group_names()
            page = _page(names, offset, limit)
            return Page([state.groups[n] for n in page.items], page.total, page.offset, page.limit)

    def _store_group(self, old: Group | None, new: Group, origin: str) -> None:
        before = old.members if old is not None else frozenset()
        batch = WriteBatch(
            groups_put=[]
            if old is not None and (old.address, old.number) == (new.address, new.number)
            else [new],
            members_added=[(new.name, d) for d in sorted(new.members - before)],
            members_removed=[(new.name, d) for d in sorted(before - new.members)],
        )
        self._store.apply(batch)
        self._state.put_group(new, old)
        self._publish(origin, groups=[Change(old, new)])

    def add_group(self, spec: GroupSpec, *, origin: str = "api") -> Group:
        with self._lock:
            checked = _valid(check_group(spec, self._state, existing=None))
            number = self._state.group_numbers.take()
            if number is None:
                raise conflict(
                    (), "the registry already holds the most multicast groups the data plane allows"
                )
            group = dataclasses.replace(checked, number=number)
            try:
                self._store_group(None, group, origin)
            except Exception:
                self._state.group_numbers.release(number)
                raise
            return group

    def update_group(self, name: str, patch: GroupPatch, *, origin: str = "api") -> Group:
        with self._lock:
            old = self.get_group(name)
            spec = GroupSpec(
                name=name,
                customer=old.customer,
                address=pick(patch.address, old.address),
                members=pick(patch.members, sorted(old.members)),
            )
            new = _valid(check_group(spec, self._state, existing=old))
            if new != old:
                self._store_group(old, new, origin)
            return new

    def add_members(self, name: str, device_ids: Sequence[str], *, origin: str = "api") -> Group:
        """Add devices to a group (those already in it are left as they are)."""
        with self._lock:
            old = self.get_group(name)
            issues = Issues()
            for i, device_id in enumerate(device_ids):
                device = self._state.devices.get(device_id)
                if device is None:
                    issues.missing(("members", i), f"device {device_id!r} does not exist")
                elif device.customer != old.customer:
                    issues.conflict(
                        ("members", i),
                        f"device {device_id!r} belongs to customer {device.customer!r}, not {old.customer!r}",
                    )
            issues.raise_if_any()
            members = sorted(old.members | set(device_ids))
            return self._set_members(old, members, origin)

    def remove_members(self, name: str, device_ids: Sequence[str], *, origin: str = "api") -> Group:
        with self._lock:
            old = self.get_group(name)
            issues = Issues()
            for i, device_id in enumerate(device_ids):
                if device_id not in old.members:
                    issues.missing(("members", i), f"device {device_id!r} is not a member of group {name!r}")
            issues.raise_if_any()
            gone = set(device_ids)
            return self._set_members(old, [d for d in sorted(old.members) if d not in gone], origin)

    def remove_member(self, name: str, device_id: str, *, origin: str = "api") -> Group:
        """Take one device out of a group (both named by key)."""
        with self._lock:
            old = self.get_group(name)
            if device_id not in old.members:
                raise not_found(f"member of group {name!r}:", device_id, ("device_id",), where="key")
            return self._set_members(old, [d for d in sorted(old.members) if d != device_id], origin)

    def _set_members(self, old: Group, members: Sequence[str], origin: str) -> Group:
        spec = GroupSpec(name=old.name, customer=old.customer, address=old.address, members=members)
        new = _valid(check_group(spec, self._state, existing=old))
        if new != old:
            self._store_group(old, new, origin)
        return new

    def remove_group(self, name: str, *, origin: str = "api") -> Group:
        with self._lock:
            old = self.get_group(name)
            self._store.apply(
                WriteBatch(groups_removed=[old], members_removed=[(name, d) for d in sorted(old.members)])
            )
            self._state.remove_group(old)
            self._publish(origin, groups=[Change(old, None)])
            return old

    # ---- access requests ----------------------------------------------------------------

    def record_access_requests(self, sightings: Sequence[AccessSighting]) -> list[AccessRequest]:
        """Record digests of unknown senders: a new sender becomes a pending request; a known one
        has its count and last-seen time updated (a denied request stays denied and hidden).
        Returns the requests as now stored, one per distinct sender."""
        with self._lock:
            updated = plan_sightings(self._state, sightings, self._clock())
            self._store.apply(WriteBatch(requests_put=updated))
            for request in updated:
                self._state.put_request(request)
            return updated

    def record_access_request(self, sighting: AccessSighting) -> AccessRequest:
        return self.record_access_requests([sighting])[0]

    def get_access_request(self, request_id: int) -> AccessRequest:
        request = self._state.requests.get(request_id)
        if request is None:
            raise not_found("access request", str(request_id), ("request_id",), where="key")
        return request

    def list_access_requests(
        self, status: AccessRequestStatus | None = AccessRequestStatus.PENDING
    ) -> list[AccessRequest]:
        """Requests in id order; ``status`` None lists all of them."""
        with self._lock:
            return [
                r
                for r in sorted(self._state.requests.values(), key=lambda r: r.id)
                if status in (None, r.status)
            ]

    def approve_access_request(
        self, request_id: int, approval: Approval, *, origin: str = "approve"
    ) -> tuple[AccessRequest, Device]:
        """Register the sender as a device (defaults from the request) and mark it approved."""
        with self._lock:
            request = self.get_access_request(request_id)
            if request.status is AccessRequestStatus.APPROVED:
                raise conflict(
                    ("request_id",), f"access request {request_id} is already approved", where="key"
                )
            spec = DeviceSpec(
                device_id=approval.device_id,
                customer=approval.customer,
                endpoint=approval.endpoint,
                endpoint_v4=approval.endpoint_v4,
                addresses=approval.addresses if approval.addresses is not None else [request.src_addr],
                access_port=approval.access_port if approval.access_port is not None else request.port,
                access_vlan=request.vlan
                if approval.access_vlan is UNSET
                else pick(approval.access_vlan, None),
                rate_profile=approval.rate_profile,
                groups=approval.groups,
            )
            approved = dataclasses.replace(
                request, status=AccessRequestStatus.APPROVED, device_id=approval.device_id
            )
            device = self._add_device(spec, origin, requests=[approved])
            return approved, device

    def deny_access_request(self, request_id: int) -> AccessRequest:
        with self._lock:
            request = self.get_access_request(request_id)
            if request.status is AccessRequestStatus.APPROVED:
                raise conflict(
                    ("request_id",),
                    f"access request {request_id} was approved; remove its device instead",
                    where="key",
                )
            if request.status is AccessRequestStatus.DENIED:
                return request
            denied = dataclasses.replace(request, status=AccessRequestStatus.DENIED)
            self._store.apply(WriteBatch(requests_put=[denied]))
            self._state.put_request(denied)
            return denied

    # ---- summary ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self._lock:
            s = self._state
            pending = sum(1 for r in s.requests.values() if r.status is AccessRequestStatus.PENDING)
            return {
                "customers": len(s.customers),
                "devices": len(s.devices),
                "groups": len(s.groups),
                "pending_requests": pending,
            }
