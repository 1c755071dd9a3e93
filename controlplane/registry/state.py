"""The registry's in-memory state: every record, and the indexes validation needs.

The registry keeps all records in memory (about 0.5 kB per device) so that checks such as "is
this address free?" are dictionary lookups, not queries, and listings need no I/O. The store is
written first; this state changes only after the store has committed.

Not thread-safe on its own: the registry service holds its lock around every use.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from controlplane.registry.addresses import Prefix, parse_prefix
from controlplane.registry.model import (
    CUSTOMER_NUMBERS,
    DEVICE_NUMBERS,
    GROUP_NUMBERS,
    AccessRequest,
    Customer,
    Device,
    Group,
)

# Who holds an address: ("device", device_id) or ("customer", name) for an anycast address.
Owner = tuple[str, str]
RequestKey = tuple[int, int | None, str, str]  # port, vlan, src_mac, src_addr


def describe_owner(owner: Owner) -> str:
    kind, key = owner
    return f"device {key!r}" if kind == "device" else f"customer {key!r} (anycast address)"


class NumberPool:
    """Hands out the lowest free number of a range; released numbers are reused."""

    __slots__ = ("_freed", "_next", "_range", "_used")

    def __init__(self, numbers: range) -> None:
        self._range = numbers
        self._used: set[int] = set()
        self._freed: list[int] = []
        self._next = numbers.start

    @property
    def capacity(self) -> int:
        return len(self._range)

    def claim(self, number: int) -> None:
        """Mark a number as used (when loading stored records)."""
        self._used.add(number)

    def take(self) -> int | None:
        """The lowest number not in use, now marked used; None when the range is exhausted."""
        while self._freed:
            number = heapq.heappop(self._freed)
            if number not in self._used:
                self._used.add(number)
                return number
        while self._next < self._range.stop:
            number = self._next
            self._next += 1
            if number not in self._used:
                self._used.add(number)
                return number
        return None

    def release(self, number: int) -> None:
        if number in self._used:
            self._used.discard(number)
            if number < self._next:
                heapq.heappush(self._freed, number)


@dataclass(slots=True)
class CustomerNets:
    """A customer's prefixes, parsed once."""

    prefix: Prefix
    prefix_v4: Prefix | None


class RegistryState:
    """All records plus derived indexes."""

    def __init__(self) -> None:
        self.customers: dict[str, Customer] = {}
        self.devices: dict[str, Device] = {}
        self.groups: dict[str, Group] = {}
        self.requests: dict[int, AccessRequest] = {}
        self.request_keys: dict[RequestKey, int] = {}
        self.next_request_id = 1

        self.address_owner: dict[str, Owner] = {}
        self.uplinks: dict[tuple[int, int], str] = {}  # (uplink port, vlan) -> customer
        self.uplink_ports: dict[int, set[str]] = {}  # port -> customers on it
        self.access_ports: dict[int, int] = {}  # port -> number of devices on it
        self.customer_devices: dict[str, set[str]] = {}
        self.customer_groups: dict[str, set[str]] = {}
        self.device_groups: dict[str, set[str]] = {}  # device_id -> names of its groups
        self.group_addresses: dict[tuple[str, str], str] = {}  # (customer, address) -> group
        self.nets: dict[str, CustomerNets] = {}

        self.customer_numbers = NumberPool(CUSTOMER_NUMBERS)
        self.device_numbers = NumberPool(DEVICE_NUMBERS)
        self.group_numbers = NumberPool(GROUP_NUMBERS)

        self._sorted_devices: list[str] | None = None
        self._sorted_groups: list[str] | None = None

    # ---- customers ----------------------------------------------------------------------

    def put_customer(self, new: Customer, old: Customer | None) -> None:
        if old is not None:
            self._unindex_customer(old)
        else:
            self.customer_devices[new.name] = set()
            self.customer_groups[new.name] = set()
            self.customer_numbers.claim(new.number)
        self.customers[new.name] = new
        self.uplinks[(new.uplink_port, new.vlan)] = new.name
        self.uplink_ports.setdefault(new.uplink_port, set()).add(new.name)
        owner: Owner = ("customer", new.name)
        for address in (new.anycast, new.anycast_v4):
            if address is not None:
                self.address_owner[address] = owner
        prefix = parse_prefix(new.prefix)
        assert prefix is not None, new.prefix
        self.nets[new.name] = CustomerNets(prefix, parse_prefix(new.prefix_v4) if new.prefix_v4 else None)

    def remove_customer(self, old: Customer) -> None:
        self._unindex_customer(old)
        del self.customers[old.name]
        del self.customer_devices[old.name]
        del self.customer_groups[old.name]
        del self.nets[old.name]
        self.customer_numbers.release(old.number)

    def _unindex_customer(self, old: Customer) -> None:
        self.uplinks.pop((old.uplink_port, old.vlan), None)
        names = self.uplink_ports.get(old.uplink_port)
        if names is not None:
            names.discard(old.name)
            if not names:
                del self.uplink_ports[old.uplink_port]
        for address in (old.anycast, old.anycast_v4):
            if address is not None and self.address_owner.get(address) == ("customer", old.name):
                del self.address_owner[address]

    # ---- devices ------------------------------------------------------------------------

    def put_device(self, new: Device, old: Device | None) -> None:
        if old is not None:
            self._unindex_device(old)
        else:
            self._sorted_devices = None
            self.device_numbers.claim(new.number)
        self.devices[new.device_id] = new
        owner: Owner = ("device", new.device_id)
        owners = self.address_owner
        owners[new.endpoint] = owner
        if new.endpoint_v4 is not None:
            owners[new.endpoint_v4] = owner
        for address in new.addresses:
            owners[address] = owner
        self.access_ports[new.access_port] = self.access_ports.get(new.access_port, 0) + 1
        self.customer_devices[new.customer].add(new.device_id)

    def remove_device(self, old: Device) -> None:
        self._unindex_device(old)
        del self.devices[old.device_id]
        self._sorted_devices = None
        self.device_numbers.release(old.number)

    def _unindex_device(self, old: Device) -> None:
        owner: Owner = ("device", old.device_id)
        for address in (old.endpoint, old.endpoint_v4, *old.addresses):
            if address is not None and self.address_owner.get(address) == owner:
                del self.address_owner[address]
        left = self.access_ports[old.access_port] - 1
        if left:
            self.access_ports[old.access_port] = left
        else:
            del self.access_ports[old.access_port]
        self.customer_devices[old.customer].discard(old.device_id)

    def sorted_device_ids(self) -> list[str]:
        if self._sorted_devices is None:
            self._sorted_devices = sorted(self.devices)
        return self._sorted_devices

    # ---- groups -------------------------------------------------------------------------

    def put_group(
        self,
        new: Group,
        old: Group | None,
        *,
        joined: frozenset[str] | set[str] | None = None,
        left: frozenset[str] | set[str] | None = None,
    ) -> None:
        """Store a group. ``joined``/``left``, when the caller knows them, save comparing the
        member sets (large groups)."""
        if old is not None:
            self.group_addresses.pop((old.customer, old.address), None)
            if joined is None or left is None:
                left, joined = old.members - new.members, new.members - old.members
        else:
            self._sorted_groups = None
            self.group_numbers.claim(new.number)
            self.customer_groups[new.customer].add(new.name)
            left, joined = frozenset(), new.members
        self.groups[new.name] = new
        self.group_addresses[(new.customer, new.address)] = new.name
        self._unlink_members(new.name, left)
        for device_id in joined:
            self.device_groups.setdefault(device_id, set()).add(new.name)

    def _unlink_members(self, group: str, device_ids: frozenset[str] | set[str]) -> None:
        for device_id in device_ids:
            names = self.device_groups.get(device_id)
            if names is not None:
                names.discard(group)
                if not names:
                    del self.device_groups[device_id]

    def remove_group(self, old: Group) -> None:
        self._unlink_members(old.name, old.members)
        self.group_addresses.pop((old.customer, old.address), None)
        self.customer_groups[old.customer].discard(old.name)
        del self.groups[old.name]
        self._sorted_groups = None
        self.group_numbers.release(old.number)

    def sorted_group_names(self) -> list[str]:
        if self._sorted_groups is None:
            self._sorted_groups = sorted(self.groups)
        return self._sorted_groups

    # ---- access requests ----------------------------------------------------------------

    def put_request(self, request: AccessRequest) -> None:
        self.requests[request.id] = request
        self.request_keys[(request.port, request.vlan, request.src_mac, request.src_addr)] = request.id
        self.next_request_id = max(self.next_request_id, request.id + 1)
