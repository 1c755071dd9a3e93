"""The edge programmer's view of the registry, and the desired state of each switch derived from it.

:class:`EdgeState` mirrors the registry's customers, devices and groups (the same frozen records,
shared, not copied) and keeps what translation needs besides: which ports have devices or
customers, which access attachments (port, VLAN) are in use, the replica id (rid) of each group
member, which devices are held (asleep), and address indexes for the digest and idle-timeout
handlers.

The desired state is a union of *units* (see :mod:`controlplane.edge.translate`). A registry
change set names the units it touches; :meth:`EdgeState.apply` computes those units' entities
before and after the change and returns, per switch, the difference: the minimal writes.

Not thread-safe: the edge programmer uses it from its event loop only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from controlplane.edge import contract
from controlplane.edge.entries import Entity, EntityKey
from controlplane.edge.plan import WritePlan, diff, keyed
from controlplane.edge.settings import SwitchProfile
from controlplane.edge.translate import (
    PortRole,
    address_int,
    attachment_entities,
    customer_entities,
    device_entities,
    group_entities,
    member_address,
    member_entities,
    port_entities,
    replica_of,
    switch_entities,
    vlan_of,
)
from controlplane.registry.changes import Change, ChangeSet
from controlplane.registry.model import Customer, Device, Group, RateProfile
from controlplane.registry.service import RegistrySnapshot

log = logging.getLogger(__name__)

Unit = tuple[Hashable, ...]
SWITCH_UNIT: Unit = ("switch",)
K = TypeVar("K", bound=Hashable)


class HoldError(Exception):
    """A device cannot be held (no CPU port, or its replica id clashes on the CPU port)."""


@dataclass(frozen=True, slots=True)
class Admission:
    """What an admission key (port, VLAN, address) belongs to."""

    device_id: str
    family: int  # 6 or 4


def _count(counter: dict[K, int], key: K, delta: int) -> None:
    value = counter.get(key, 0) + delta
    if value:
        counter[key] = value
    else:
        counter.pop(key, None)


class EdgeState:
    """Registry records and derived indexes; the desired state of every switch."""

    def __init__(self, rate_profiles: Mapping[str, RateProfile]) -> None:
        self.rate_profiles = dict(rate_profiles)
        self.customers: dict[str, Customer] = {}
        self.devices: dict[str, Device] = {}
        self.groups: dict[str, Group] = {}
        self.customer_devices: dict[str, set[str]] = {}
        self.device_groups: dict[str, set[str]] = {}
        self.held: set[str] = set()
        self.seq = 0  # the registry change set last applied
        self.version = 0  # bumped on every change of the desired state
        self._device_ports: dict[int, int] = {}  # access port -> devices on it
        self._customer_ports: dict[int, int] = {}  # uplink port -> customers on it
        self._attachments: dict[tuple[int, int], int] = {}  # (port, vlan) -> devices on it
        self._rids: dict[str, tuple[int, int]] = {}  # member device -> (access port, rid)
        self._port_rids: dict[int, dict[int, str]] = {}  # access port -> rid -> device
        self._admissions: dict[tuple[int, int, int, int], Admission] = {}  # (port, vlan, family, addr)
        self._addresses: dict[tuple[int, int], str] = {}  # (family, addr) -> device

    @classmethod
    def from_snapshot(cls, snapshot: RegistrySnapshot, rate_profiles: Mapping[str, RateProfile]) -> EdgeState:
        state = cls(rate_profiles)
        for customer in snapshot.customers:
            state._put_customer(None, customer)
        for device in sorted(snapshot.devices, key=lambda d: d.number):
            state._put_device(None, device)
        for group in snapshot.groups:
            state._put_group(None, group)
        state._assign_rids(sorted(state.device_groups, key=lambda d: state.devices[d].number))
        state.seq = snapshot.seq
        return state

    # ------------------------------------------------------------------------------ lookups

    def device_at(self, port: int, vlan: int, family: int, addr: int) -> Admission | None:
        """The device admitted from (port, VLAN, address of ``family`` 6 or 4)."""
        return self._admissions.get((port, vlan, family, addr))

    def device_with_address(self, family: int, addr: int) -> Device | None:
        device_id = self._addresses.get((family, addr))
        return None if device_id is None else self.devices.get(device_id)

    def rid_of(self, device_id: str) -> int | None:
        found = self._rids.get(device_id)
        return None if found is None else found[1]

    def port_role(self, port: int, profile: SwitchProfile) -> PortRole | None:
        """Registry use first (customers' uplinks, devices' access ports), then the config."""
        if port == profile.cpu_port:
            return None
        if port in self._customer_ports:
            return PortRole.UPLINK
        if port in self._device_ports:
            return PortRole.ACCESS
        if port in profile.uplink_ports:
            return PortRole.UPLINK
        if port in profile.access_ports:
            return PortRole.ACCESS
        return None

    def ports(self, profile: SwitchProfile) -> set[int]:
        return {*self._customer_ports, *self._device_ports, *profile.uplink_ports, *profile.access_ports}

    # ------------------------------------------------------------------------------ units

    def units(self, profile: SwitchProfile) -> Iterator[Unit]:
        """Every unit of the desired state of a switch."""
        yield SWITCH_UNIT
        for port in sorted(self.ports(profile)):
            yield ("port", port)
        for name in self.customers:
            yield ("customer", name)
        for device_id in self.devices:
            yield ("device", device_id)
        for port, vlan in self._attachments:
            yield ("attach", port, vlan)
        for device_id in self._rids:
            yield ("member", device_id)
        for name in self.groups:
            yield ("group", name)

    def entities(self, unit: Unit, profile: SwitchProfile) -> list[Entity]:
        """The entities of one unit as the state is now (none for a unit that does not exist)."""
        kind = unit[0]
        if kind == "device":
            device = self.devices.get(str(unit[1]))
            if device is None:
                return []
            customer = self.customers[device.customer]
            rates = self.rate_profiles.get(device.rate_profile)
            return device_entities(device, customer, profile, rates, held=device.device_id in self.held)
        if kind == "member":
            device_id = str(unit[1])
            found = self._rids.get(device_id)
            device = self.devices.get(device_id)
            if found is None or device is None:
                return []
            number = self.customers[device.customer].number
            return member_entities(device, number, found[1], profile, held=device_id in self.held)
        if kind == "group":
            group = self.groups.get(str(unit[1]))
            return [] if group is None else self._group_entities(group, profile)
        if kind == "customer":
            record = self.customers.get(str(unit[1]))
            return [] if record is None else customer_entities(record)
        if kind == "attach":
            port, vlan = unit[1], unit[2]
            assert isinstance(port, int) and isinstance(vlan, int)
            return attachment_entities(port, vlan, profile) if (port, vlan) in self._attachments else []
        if kind == "port":
            port = unit[1]
            assert isinstance(port, int)
            role = self.port_role(port, profile)
            return [] if role is None else port_entities(port, role, profile)
        if kind == "switch":
            return switch_entities(profile)
        raise ValueError(f"unknown unit {unit!r}")

    def _group_entities(self, group: Group, profile: SwitchProfile) -> list[Entity]:
        replicas = []
        for device_id in group.members:
            device = self.devices.get(device_id)
            found = self._rids.get(device_id)
            if device is None or found is None:
                continue
            replicas.append(replica_of(device, found[1], profile, held=device_id in self.held))
        return group_entities(group, self.customers[group.customer].number, replicas)

    def desired(self, profile: SwitchProfile) -> dict[EntityKey, Entity]:
        """The whole desired state of one switch, by key."""
        out: dict[EntityKey, Entity] = {}
        for unit in self.units(profile):
            for entity in self.entities(unit, profile):
                out[entity.key] = entity
        return out

    def _collect(self, units: set[Unit], profile: SwitchProfile) -> dict[EntityKey, Entity]:
        return keyed(e for unit in units for e in self.entities(unit, profile))

    # ------------------------------------------------------------------------------ changes

    def apply(self, changeset: ChangeSet, profiles: Sequence[SwitchProfile]) -> dict[str, WritePlan]:
        """Apply a registry change set; returns the writes for each switch (by profile name)."""
        if changeset.seq and changeset.seq <= self.seq:
            log.warning("change set %d is older than the state (%d): ignored", changeset.seq, self.seq)
            return {p.name: WritePlan() for p in profiles}
        units = self._units_of(changeset)
        return self._change(units, profiles, lambda: self._apply(changeset))

    def set_held(self, device_id: str, held: bool, profiles: Sequence[SwitchProfile]) -> dict[str, WritePlan]:
        """Hold a sleeping device's traffic for the controller (README 3.7), or release it."""
        device = self.devices.get(device_id)
        if device is None:
            raise KeyError(device_id)
        if held == (device_id in self.held):
            return {p.name: WritePlan() for p in profiles}
        if held:
            self.check_holdable(device_id, profiles)
        units: set[Unit] = {("device", device_id), ("member", device_id)}
        units |= {("group", g) for g in self.device_groups.get(device_id, ())}

        def mutate() -> None:
            if held:
                self.held.add(device_id)
            else:
                self.held.discard(device_id)

        return self._change(units, profiles, mutate)

    def check_holdable(self, device_id: str, profiles: Sequence[SwitchProfile]) -> None:
        """Raise ``HoldError`` if ``device_id`` cannot be held on every switch of ``profiles``."""
        for profile in profiles:
            if profile.cpu_port is None:
                raise HoldError(f"switch {profile.name} has no CPU port configured: cannot hold device {device_id!r}")
        rid = self.rid_of(device_id)
        if rid is None:
            return
        for other in self.held:
            if other != device_id and self.rid_of(other) == rid:
                raise HoldError(
                    f"device {device_id!r}: its replica id {rid} is also held device {other!r}'s on the CPU port"
                )

    def _change(
        self, units: set[Unit], profiles: Sequence[SwitchProfile], mutate: Callable[[], None]
    ) -> dict[str, WritePlan]:
        before = {p.name: self._collect(units, p) for p in profiles}
        mutate()
        self.version += 1
        return {p.name: diff(before[p.name], self._collect(units, p)) for p in profiles}

    def _units_of(self, changeset: ChangeSet) -> set[Unit]:
        """The units a change set touches, found from the records before and after it."""
        units: set[Unit] = set()
        for customer_change in changeset.customers:
            old, new = customer_change.before, customer_change.after
            record = customer_change.record
            units.add(("customer", record.name))
            for customer in (old, new):
                if customer is not None:
                    units.add(("port", customer.uplink_port))
            moved = old is None or new is None or (old.uplink_port, old.vlan) != (new.uplink_port, new.vlan)
            if moved:  # the ND/ARP answers for its devices on the uplink move with it
                units.update(("device", d) for d in self.customer_devices.get(record.name, ()))
        for device_change in changeset.devices:
            device_id = device_change.record.device_id
            units.add(("device", device_id))
            units.add(("member", device_id))
            for device in (device_change.before, device_change.after):
                if device is not None:
                    units.add(("port", device.access_port))
                    units.add(("attach", device.access_port, vlan_of(device)))
            units.update(("group", g) for g in self.device_groups.get(device_id, ()))
        for group_change in changeset.groups:
            units.add(("group", group_change.record.name))
            units.update(("member", d) for d in self._members_changed(group_change))
        return units

    @staticmethod
    def _members_changed(change: Change[Group]) -> set[str]:
        before = change.before.members if change.before is not None else frozenset()
        after = change.after.members if change.after is not None else frozenset()
        return set(before ^ after)

    def _apply(self, changeset: ChangeSet) -> None:
        for customer_change in changeset.customers:
            if customer_change.after is not None:
                self._put_customer(customer_change.before, customer_change.after)
        touched: set[str] = set()
        for device_change in changeset.devices:
            self._put_device(device_change.before, device_change.after)
            touched.add(device_change.record.device_id)
        for group_change in changeset.groups:
            self._put_group(group_change.before, group_change.after)
            touched |= self._members_changed(group_change)
        for customer_change in changeset.customers:
            if customer_change.after is None and customer_change.before is not None:
                self._put_customer(customer_change.before, None)
        self._reassign_rids(touched)
        self.seq = max(self.seq, changeset.seq)

    # ------------------------------------------------------------------------------ records

    def _put_customer(self, old: Customer | None, new: Customer | None) -> None:
        if old is not None:
            _count(self._customer_ports, old.uplink_port, -1)
        if new is None:
            assert old is not None
            self.customers.pop(old.name, None)
            self.customer_devices.pop(old.name, None)
            return
        _count(self._customer_ports, new.uplink_port, +1)
        self.customers[new.name] = new
        self.customer_devices.setdefault(new.name, set())

    def _put_device(self, old: Device | None, new: Device | None) -> None:
        if old is not None:
            _count(self._device_ports, old.access_port, -1)
            _count(self._attachments, (old.access_port, vlan_of(old)), -1)
            self.customer_devices.get(old.customer, set()).discard(old.device_id)
            self._unindex_addresses(old)
        if new is None:
            assert old is not None
            self.devices.pop(old.device_id, None)
            self.held.discard(old.device_id)
            self._release_rid(old.device_id)
            return
        _count(self._device_ports, new.access_port, +1)
        _count(self._attachments, (new.access_port, vlan_of(new)), +1)
        self.customer_devices.setdefault(new.customer, set()).add(new.device_id)
        self.devices[new.device_id] = new
        self._index_addresses(new)

    def _index_addresses(self, device: Device) -> None:
        port, vlan = device.access_port, vlan_of(device)
        for text in device.addresses:
            family, addr = address_int(text)
            self._addresses[(family, addr)] = device.device_id
            self._admissions[(port, vlan, family, addr)] = Admission(device.device_id, family)

    def _unindex_addresses(self, device: Device) -> None:
        port, vlan = device.access_port, vlan_of(device)
        for text in device.addresses:
            family, addr = address_int(text)
            if self._addresses.get((family, addr)) == device.device_id:
                del self._addresses[(family, addr)]
            found = self._admissions.get((port, vlan, family, addr))
            if found is not None and found.device_id == device.device_id:
                del self._admissions[(port, vlan, family, addr)]

    def _put_group(self, old: Group | None, new: Group | None) -> None:
        if old is not None:
            for device_id in old.members - (new.members if new is not None else frozenset()):
                names = self.device_groups.get(device_id)
                if names is not None:
                    names.discard(old.name)
                    if not names:
                        del self.device_groups[device_id]
        if new is None:
            assert old is not None
            self.groups.pop(old.name, None)
            return
        self.groups[new.name] = new
        for device_id in new.members:
            self.device_groups.setdefault(device_id, set()).add(new.name)

    # ------------------------------------------------------------------------------ replica ids

    def _reassign_rids(self, device_ids: set[str]) -> None:
        """Give members a rid (or take it back) after their membership or port changed."""
        for device_id in device_ids:
            found = self._rids.get(device_id)
            device = self.devices.get(device_id)
            wanted = (
                device is not None and device_id in self.device_groups and member_address(device) is not None
            )
            if found is not None and (not wanted or device is None or found[0] != device.access_port):
                self._release_rid(device_id)
        self._assign_rids(sorted(device_ids, key=lambda d: self.devices[d].number if d in self.devices else 0))

    def _assign_rids(self, device_ids: Sequence[str]) -> None:
        for device_id in device_ids:
            device = self.devices.get(device_id)
            if device is None or device_id in self._rids or device_id not in self.device_groups:
                continue
            if member_address(device) is None:
                log.warning("device %s: not an IPv6 device, so it gets no copies of its groups", device_id)
                continue
            rid = self._free_rid(device.access_port, device.number)
            if rid is None:
                log.error(
                    "device %s: port %d already has %d group members; it gets no copies",
                    device_id, device.access_port, contract.MAX_RID,
                )
                continue
            self._rids[device_id] = (device.access_port, rid)
            self._port_rids.setdefault(device.access_port, {})[rid] = device_id

    def _free_rid(self, port: int, number: int) -> int | None:
        """The member's rid: its dev_id when that fits and is free on the port, else the next free."""
        taken = self._port_rids.get(port, {})
        if len(taken) >= contract.MAX_RID:
            return None
        rid = (number - 1) % contract.MAX_RID + 1
        while rid in taken:
            rid = rid % contract.MAX_RID + 1
        return rid

    def _release_rid(self, device_id: str) -> None:
        found = self._rids.pop(device_id, None)
        if found is not None:
            port, rid = found
            rids = self._port_rids.get(port)
            if rids is not None:
                rids.pop(rid, None)
                if not rids:
                    del self._port_rids[port]
