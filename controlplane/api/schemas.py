"""Request and response bodies of the REST API (pydantic, at the boundary only).

Input models check types and reject unknown fields; the registry checks values (formats, ranges,
references) so that the REST API and the bulk importer apply the same rules. Patch models
distinguish a field left out (unchanged) from a field set to null (cleared).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from controlplane.registry.dataplane import DeviceCounters, InstructionReceipt, SwitchStatus
from controlplane.registry.errors import FieldError, ValidationFailed
from controlplane.registry.imports import ImportProgress
from controlplane.registry.model import (
    UNSET,
    AccessRequest,
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
    RateProfile,
    Unset,
)

T = TypeVar("T")
Int = Annotated[int, Field(strict=True)]
Str = Annotated[str, Field(strict=True)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def _given(self, name: str) -> bool:
        return name in self.model_fields_set


def _opt(model: _In, name: str, value: T) -> T | Unset:
    """A nullable patch field: UNSET when left out."""
    return value if model._given(name) else UNSET


def _keep(model: _In, name: str, value: T | None) -> T | Unset:
    """A patch field that cannot be cleared: UNSET when left out, an error when null."""
    if not model._given(name):
        return UNSET
    if value is None:
        raise ValidationFailed(
            [FieldError((name,), "cannot be null; leave it out to keep the current value")]
        )
    return value


# ---- customers --------------------------------------------------------------------------------


class CustomerIn(_In):
    name: Str = Field(description="VPC name; the customer's key", examples=["acme"])
    vlan: Int = Field(description="the VLAN connection's 802.1Q VID, 1..4094", examples=[100])
    uplink_port: Int = Field(description="switch port of the VLAN connection", examples=[1])
    gateway_mac: Str = Field(description="MAC of the VPC gateway", examples=["02:00:00:00:01:01"])
    prefix: Str = Field(
        description="IPv6 prefix of the customer's virtual endpoints", examples=["2001:db8:100::/48"]
    )
    prefix_v4: Str | None = Field(None, description="IPv4 prefix for IPv4 endpoints")
    anycast: Str | None = Field(None, description="IPv6 anycast service address")
    anycast_v4: Str | None = Field(None, description="IPv4 anycast service address")
    allowed_prefixes: list[Str] = Field(default_factory=list, description="further allowed destinations")

    def spec(self) -> CustomerSpec:
        return CustomerSpec(**self.model_dump())


class CustomerPatchIn(_In):
    vlan: Int | None = None
    uplink_port: Int | None = None
    gateway_mac: Str | None = None
    prefix: Str | None = None
    prefix_v4: Str | None = None
    anycast: Str | None = None
    anycast_v4: Str | None = None
    allowed_prefixes: list[Str] | None = None

    def patch(self) -> CustomerPatch:
        return CustomerPatch(
            vlan=_keep(self, "vlan", self.vlan),
            uplink_port=_keep(self, "uplink_port", self.uplink_port),
            gateway_mac=_keep(self, "gateway_mac", self.gateway_mac),
            prefix=_keep(self, "prefix", self.prefix),
            prefix_v4=_opt(self, "prefix_v4", self.prefix_v4),
            anycast=_opt(self, "anycast", self.anycast),
            anycast_v4=_opt(self, "anycast_v4", self.anycast_v4),
            allowed_prefixes=_keep(self, "allowed_prefixes", self.allowed_prefixes),
        )


class CustomerOut(BaseModel):
    name: str
    number: int = Field(description="the data plane's customer_id")
    vlan: int
    uplink_port: int
    gateway_mac: str
    prefix: str
    prefix_v4: str | None
    anycast: str | None
    anycast_v4: str | None
    allowed_prefixes: list[str]

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            name=c.name,
            number=c.number,
            vlan=c.vlan,
            uplink_port=c.uplink_port,
            gateway_mac=c.gateway_mac,
            prefix=c.prefix,
            prefix_v4=c.prefix_v4,
            anycast=c.anycast,
            anycast_v4=c.anycast_v4,
            allowed_prefixes=list(c.allowed_prefixes),
        )


class CustomerList(BaseModel):
    items: list[CustomerOut]
    total: int


# ---- devices ----------------------------------------------------------------------------------


class DeviceIn(_In):
    device_id: Str = Field(description="the device's unique id", examples=["sensor-0001"])
    customer: Str = Field(description="the customer (VPC) it belongs to", examples=["acme"])
    endpoint: Str = Field(
        description="virtual endpoint: IPv6 inside the customer's prefix", examples=["2001:db8:100::1"]
    )
    endpoint_v4: Str | None = Field(None, description="IPv4 endpoint inside the customer's prefix_v4")
    addresses: list[Str] = Field(
        description="access addresses, IPv6 and/or IPv4", examples=[["2001:db8:ff::1"]]
    )
    access_port: Int = Field(description="switch port the device is on", examples=[3])
    access_vlan: Int | None = Field(None, description="VLAN on the access port; null for untagged")
    rate_profile: Str = Field("default", description="name of a configured rate profile")
    groups: list[Str] = Field(default_factory=list, description="groups of the same customer to join")

    def spec(self) -> DeviceSpec:
        return DeviceSpec(**self.model_dump())


class DevicePatchIn(_In):
    customer: Str | None = None
    endpoint: Str | None = None
    endpoint_v4: Str | None = None
    addresses: list[Str] | None = None
    access_port: Int | None = None
    access_vlan: Int | None = None
    rate_profile: Str | None = None
    groups: list[Str] | None = None

    def patch(self) -> DevicePatch:
        return DevicePatch(
            customer=_keep(self, "customer", self.customer),
            endpoint=_keep(self, "endpoint", self.endpoint),
            endpoint_v4=_opt(self, "endpoint_v4", self.endpoint_v4),
            addresses=_keep(self, "addresses", self.addresses),
            access_port=_keep(self, "access_port", self.access_port),
            access_vlan=_opt(self, "access_vlan", self.access_vlan),
            rate_profile=_keep(self, "rate_profile", self.rate_profile),
            groups=_keep(self, "groups", self.groups),
        )


class DeviceOut(BaseModel):
    device_id: str
    number: int = Field(description="the data plane's dev_id")
    customer: str
    endpoint: str
    endpoint_v4: str | None
    addresses: list[str]
    access_port: int
    access_vlan: int | None
    rate_profile: str
    groups: list[str]

    @classmethod
    def of(cls, d: Device, groups: tuple[str, ...]) -> DeviceOut:
        return cls(
            device_id=d.device_id,
            number=d.number,
            customer=d.customer,
            endpoint=d.endpoint,
            endpoint_v4=d.endpoint_v4,
            addresses=list(d.addresses),
            access_port=d.access_port,
            access_vlan=d.access_vlan,
            rate_profile=d.rate_profile,
            groups=list(groups),
        )


class DeviceList(BaseModel):
    items: list[DeviceOut]
    total: int
    offset: int
    limit: int


class RateProfileOut(BaseModel):
    name: str
    cir: int = Field(description="committed rate, bytes/s")
    cburst: int = Field(description="committed burst, bytes")
    pir: int = Field(description="peak rate, bytes/s")
    pburst: int = Field(description="peak burst, bytes")

    @classmethod
    def of(cls, p: RateProfile) -> RateProfileOut:
        return cls(name=p.name, cir=p.cir, cburst=p.cburst, pir=p.pir, pburst=p.pburst)


class SwitchCountersOut(BaseModel):
    switch: str
    upstream_packets: int
    upstream_bytes: int
    downstream_packets: int
    downstream_bytes: int
    read_at: float

    @classmethod
    def of(cls, c: DeviceCounters) -> SwitchCountersOut:
        return cls(
            switch=c.switch,
            upstream_packets=c.upstream_packets,
            upstream_bytes=c.upstream_bytes,
            downstream_packets=c.downstream_packets,
            downstream_bytes=c.downstream_bytes,
            read_at=c.read_at,
        )


class DeviceCountersOut(BaseModel):
    device_id: str
    switches: list[SwitchCountersOut]


# ---- groups -----------------------------------------------------------------------------------


class GroupIn(_In):
    name: Str = Field(description="the group's key", examples=["acme-lights"])
    customer: Str = Field(examples=["acme"])
    address: Str = Field(description="IPv6 multicast address (ff00::/8)", examples=["ff3e::100:1"])
    members: list[Str] = Field(default_factory=list, description="device_ids of the customer's devices")

    def spec(self) -> GroupSpec:
        return GroupSpec(**self.model_dump())


class GroupPatchIn(_In):
    address: Str | None = None
    members: list[Str] | None = None

    def patch(self) -> GroupPatch:
        return GroupPatch(
            address=_keep(self, "address", self.address),
            members=_keep(self, "members", self.members),
        )


class MembersIn(_In):
    members: list[Str]


class GroupOut(BaseModel):
    name: str
    number: int = Field(description="the data plane's multicast group id")
    customer: str
    address: str
    member_count: int
    members: list[str] | None = Field(None, description="sorted device_ids (not in listings)")

    @classmethod
    def of(cls, g: Group, *, members: bool) -> GroupOut:
        return cls(
            name=g.name,
            number=g.number,
            customer=g.customer,
            address=g.address,
            member_count=len(g.members),
            members=sorted(g.members) if members else None,
        )


class GroupList(BaseModel):
    items: list[GroupOut]
    total: int
    offset: int
    limit: int


class InstructionIn(_In):
    payload: Str = Field(description="the instruction, encoded as `encoding` says", examples=["lights off"])
    encoding: Literal["utf-8", "hex", "base64"] = "utf-8"


class InstructionReceiptOut(BaseModel):
    group: str
    members: int
    switches: list[str]
    payload_bytes: int

    @classmethod
    def of(cls, r: InstructionReceipt) -> InstructionReceiptOut:
        return cls(group=r.group, members=r.members, switches=list(r.switches), payload_bytes=r.payload_bytes)


# ---- access requests --------------------------------------------------------------------------


class AccessRequestOut(BaseModel):
    id: int
    port: int
    vlan: int | None
    src_mac: str
    src_addr: str
    first_seen: float
    last_seen: float
    count: int
    status: str
    device_id: str | None

    @classmethod
    def of(cls, r: AccessRequest) -> AccessRequestOut:
        return cls(
            id=r.id,
            port=r.port,
            vlan=r.vlan,
            src_mac=r.src_mac,
            src_addr=r.src_addr,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            count=r.count,
            status=str(r.status),
            device_id=r.device_id,
        )


class AccessRequestList(BaseModel):
    items: list[AccessRequestOut]
    total: int


class ApproveIn(_In):
    """The device to register; addresses, access_port and access_vlan default to the request's."""

    device_id: Str
    customer: Str
    endpoint: Str
    endpoint_v4: Str | None = None
    addresses: list[Str] | None = None
    access_port: Int | None = None
    access_vlan: Int | None = None
    rate_profile: Str = "default"
    groups: list[Str] = Field(default_factory=list)

    def approval(self) -> Approval:
        return Approval(
            device_id=self.device_id,
            customer=self.customer,
            endpoint=self.endpoint,
            endpoint_v4=self.endpoint_v4,
            addresses=self.addresses,
            access_port=self.access_port,
            access_vlan=_opt(self, "access_vlan", self.access_vlan),
            rate_profile=self.rate_profile,
            groups=self.groups,
        )


class ApprovedOut(BaseModel):
    request: AccessRequestOut
    device: DeviceOut


# ---- imports ----------------------------------------------------------------------------------


class RowProblemOut(BaseModel):
    row: int = Field(description="1-based row number in the file (the CSV header is not a row)")
    line: int | None = Field(description="CSV line number")
    field: str | None = Field(description="the field at fault; null for the row as a whole")
    message: str
    kind: str


class ImportJobOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, done, stopped, failed or cancelled")
    format: str
    stop_on_error: bool
    total: int
    done: int = Field(description="rows processed so far")
    stored: int
    failed: int
    errors: list[RowProblemOut] = Field(description="the first 1000 row errors")
    created_at: float
    started_at: float | None
    finished_at: float | None
    message: str | None

    @classmethod
    def of(cls, p: ImportProgress) -> ImportJobOut:
        return cls(
            id=p.id,
            status=str(p.status),
            format=str(p.format),
            stop_on_error=p.stop_on_error,
            total=p.total,
            done=p.done,
            stored=p.stored,
            failed=p.failed,
            errors=[
                RowProblemOut(row=e.row, line=e.line, field=e.field, message=e.message, kind=e.kind)
                for e in p.errors
            ],
            created_at=p.created_at,
            started_at=p.started_at,
            finished_at=p.finished_at,
            message=p.message,
        )


class ImportJobList(BaseModel):
    items: list[ImportJobOut]


# ---- switches and the service -----------------------------------------------------------------


class SwitchStatusOut(BaseModel):
    name: str
    grpc_addr: str
    device_id: int
    connected: bool
    primary: bool
    pipeline: str | None
    entry_counts: dict[str, int]
    error: str | None

    @classmethod
    def of(cls, s: SwitchStatus) -> SwitchStatusOut:
        return cls(
            name=s.name,
            grpc_addr=s.grpc_addr,
            device_id=s.device_id,
            connected=s.connected,
            primary=s.primary,
            pipeline=s.pipeline,
            entry_counts=dict(s.entry_counts),
            error=s.error,
        )


class SwitchList(BaseModel):
    items: list[SwitchStatusOut]


class SummaryOut(BaseModel):
    customers: int
    devices: int
    groups: int
    pending_requests: int
    change_seq: int = Field(description="number of the last registry change set")


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    detail: list[ErrorItem] | str
