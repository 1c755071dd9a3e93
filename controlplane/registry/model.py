"""Registry records: customers (VPCs), devices, multicast groups and access requests.

Records are frozen dataclasses holding validated, normalized values: addresses in Python's
compressed text form (``2001:db8::1``, ``10.0.0.1``), networks as ``2001:db8::/48``, MACs in
lower-case colon form. Each record also carries ``number``, the compact integer the data plane
knows it by (``customer_id``, ``dev_id`` or the PRE multicast group id); the registry assigns it
and keeps it for the record's lifetime.

The ``*Spec`` and ``*Patch`` classes are what callers hand to the registry: raw values that the
registry validates (see ``validation.py``). A patch field left at ``UNSET`` keeps its value.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Generic, TypeVar

T = TypeVar("T")

# Ranges of the numbers the data plane uses (see p4src/include/constants.p4).
CUSTOMER_NUMBERS: Final = range(1, 4096)  # customer_id, CUSTOMER_TABLE_SIZE
DEVICE_NUMBERS: Final = range(1, 1_000_000)  # dev_id, DEVICE_TABLE_SIZE
GROUP_NUMBERS: Final = range(1, 65536)  # PRE multicast group id (0 means "no multicast")

DEFAULT_RATE_PROFILE: Final = "default"


class Unset(enum.Enum):
    """The type of ``UNSET``: a patch field the caller did not give."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


def pick(value: T | Unset, current: T) -> T:
    """The patched value: ``value`` unless it is ``UNSET``."""
    return current if isinstance(value, Unset) else value


class AccessRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True, slots=True, kw_only=True)
class RateProfile:
    """Meter rates for a device: bytes per second and burst sizes in bytes (a two-rate meter)."""

    name: str
    cir: int  # committed information rate, bytes/s
    cburst: int  # committed burst, bytes
    pir: int  # peak information rate, bytes/s
    pburst: int  # peak burst, bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """A customer VPC reached over one VLAN connection on an uplink port."""

    name: str  # the VPC name; the key
    number: int  # data-plane customer_id
    vlan: int  # the VLAN connection's 802.1Q VID, 1..4094
    uplink_port: int  # switch port of the VLAN connection
    gateway_mac: str  # the VPC gateway's MAC
    prefix: str  # IPv6 prefix holding the customer's virtual endpoints
    prefix_v4: str | None = None  # IPv4 prefix for IPv4 endpoints, if the VPC has one
    anycast: str | None = None  # IPv6 anycast service address
    anycast_v4: str | None = None  # IPv4 anycast service address
    allowed_prefixes: tuple[str, ...] = ()  # further destinations (IPv6 or IPv4 networks)


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """An IoT device admitted on one access port (and VLAN) toward its virtual endpoint.

    Group membership is kept by ``Group.members`` only (the registry answers "which groups is
    this device in" from an index), so joining a group changes the group, not the device."""

    device_id: str  # the key
    number: int  # data-plane dev_id
    customer: str
    endpoint: str  # virtual endpoint, IPv6, inside the customer's prefix
    endpoint_v4: str | None  # IPv4 endpoint for IPv4 traffic, inside the customer's prefix_v4
    addresses: tuple[str, ...]  # access addresses (IPv6 and/or IPv4), at least one
    access_port: int
    access_vlan: int | None  # None: untagged
    rate_profile: str

    @property
    def addresses_v6(self) -> tuple[str, ...]:
        return tuple(a for a in self.addresses if ":" in a)

    @property
    def addresses_v4(self) -> tuple[str, ...]:
        return tuple(a for a in self.addresses if ":" not in a)


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """An IPv6 multicast group of one customer's devices."""

    name: str  # the key
    number: int  # PRE multicast group id
    customer: str
    address: str  # IPv6 multicast address (ff00::/8)
    members: frozenset[str]  # device_ids, all of the group's customer


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequest:
    """An unknown sender seen on an access port (from the data plane's access-request digest)."""

    id: int
    port: int
    vlan: int | None  # None: untagged
    src_mac: str
    src_addr: str  # IPv4 senders are shown as IPv4, not IPv4-mapped IPv6
    first_seen: float  # UNIX time
    last_seen: float
    count: int
    status: AccessRequestStatus
    device_id: str | None = None  # the device registered when it was approved


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One slice of a listing."""

    items: list[T]
    total: int
    offset: int
    limit: int


# ---- What callers give the registry ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerSpec:
    name: str
    vlan: int
    uplink_port: int
    gateway_mac: str
    prefix: str
    prefix_v4: str | None = None
    anycast: str | None = None
    anycast_v4: str | None = None
    allowed_prefixes: Sequence[str] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPatch:
    vlan: int | Unset = UNSET
    uplink_port: int | Unset = UNSET
    gateway_mac: str | Unset = UNSET
    prefix: str | Unset = UNSET
    prefix_v4: str | Unset | None = UNSET
    anycast: str | Unset | None = UNSET
    anycast_v4: str | Unset | None = UNSET
    allowed_prefixes: Sequence[str] | Unset = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSpec:
    device_id: str
    customer: str
    endpoint: str
    addresses: Sequence[str]
    access_port: int
    access_vlan: int | None = None
    endpoint_v4: str | None = None
    rate_profile: str = DEFAULT_RATE_PROFILE
    groups: Sequence[str] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DevicePatch:
    customer: str | Unset = UNSET
    endpoint: str | Unset = UNSET
    endpoint_v4: str | Unset | None = UNSET
    addresses: Sequence[str] | Unset = UNSET
    access_port: int | Unset = UNSET
    access_vlan: int | Unset | None = UNSET
    rate_profile: str | Unset = UNSET
    groups: Sequence[str] | Unset = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupSpec:
    name: str
    customer: str
    address: str
    members: Sequence[str] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupPatch:
    address: str | Unset = UNSET
    members: Sequence[str] | Unset = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessSighting:
    """One access-request digest, as the edge layer decoded it."""

    port: int
    vlan: int | None
    src_mac: str
    src_addr: str  # IPv6, IPv4, or IPv4-mapped IPv6 (shown as IPv4)
    seen_at: float | None = None  # UNIX time; None: now


@dataclass(frozen=True, slots=True, kw_only=True)
class Approval:
    """What an operator supplies to turn an access request into a device.

    ``addresses``, ``access_port`` and ``access_vlan`` default to the request's."""

    device_id: str
    customer: str
    endpoint: str
    endpoint_v4: str | None = None
    addresses: Sequence[str] | None = None
    access_port: int | None = None
    access_vlan: int | Unset | None = UNSET
    rate_profile: str = DEFAULT_RATE_PROFILE
    groups: Sequence[str] = field(default_factory=tuple)
