"""The storage interface behind the registry.

The registry validates and decides; a store only persists. It loads everything at start-up and
then applies ``WriteBatch``es, each atomically: either every part of a batch is stored or none
is (a failed batch raises ``StoreError`` and leaves the stored data as it was). A device's row,
its addresses and its group memberships always travel in the same batch, so no device is ever
stored in part.

``SqliteRegistryStore`` (store_sqlite.py) is the embedded default. A multi-region etcd store will
implement the same protocol; it will also have to report writes made by other regions, which the
registry will then turn into change sets like its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from controlplane.registry.model import AccessRequest, Customer, Device, Group


@dataclass(slots=True)
class WriteBatch:
    """Writes to apply together. Removals are applied before additions."""

    customers_put: list[Customer] = field(default_factory=list)  # insert or update, by name
    customers_removed: list[Customer] = field(default_factory=list)
    devices_added: list[Device] = field(default_factory=list)  # new: row and addresses; not memberships
    devices_put: list[Device] = field(default_factory=list)  # insert or update: row and addresses
    devices_removed: list[Device] = field(default_factory=list)  # also drops its memberships
    groups_put: list[Group] = field(default_factory=list)  # row only; not memberships
    groups_removed: list[Group] = field(default_factory=list)  # also drops its memberships
    members_added: list[tuple[str, str]] = field(default_factory=list)  # (group name, device_id)
    members_removed: list[tuple[str, str]] = field(default_factory=list)
    requests_put: list[AccessRequest] = field(default_factory=list)  # insert or update, by id

    def __bool__(self) -> bool:
        return any(
            (
                self.customers_put,
                self.customers_removed,
                self.devices_added,
                self.devices_put,
                self.devices_removed,
                self.groups_put,
                self.groups_removed,
                self.members_added,
                self.members_removed,
                self.requests_put,
            )
        )


@dataclass(slots=True)
class StoredRegistry:
    """Everything a store holds, ``Group.members`` filled in."""

    customers: list[Customer]
    devices: list[Device]
    groups: list[Group]
    requests: list[AccessRequest]


class RegistryStore(Protocol):
    """Persistence for the registry. Methods are called with the registry's lock held."""

    @property
    def location(self) -> str:
        """Where the data lives, for messages (a file name, an etcd endpoint)."""
        ...

    @property
    def schema_version(self) -> int: ...

    def load(self) -> StoredRegistry:
        """Every stored record."""
        ...

    def apply(self, batch: WriteBatch) -> None:
        """Store a batch atomically; raise ``StoreError`` (and store nothing) on failure."""
        ...

    def close(self) -> None: ...
