"""Validation of registry input: field formats, and the rules that relate records to each other.

Every problem becomes a ``FieldError`` naming its field; all problems of one record are reported
together. The rules:

- names: customer and group names ``[A-Za-z0-9][A-Za-z0-9._-]{0,62}``; device ids
  ``[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}``; each unique (conflict);
- VLAN ids are 1..4094; ports 0..511 (the 9-bit v1model port);
- a customer's (uplink port, VLAN) is not another customer's; an uplink port is never a device's
  access port, nor the reverse (a port has one role);
- a device's endpoint is a unicast IPv6 address inside its customer's prefix, its IPv4 endpoint
  (optional) inside the customer's IPv4 prefix;
- no address (endpoint, IPv4 endpoint, access address, customer anycast address) is used twice;
- a group address is IPv6 multicast (ff00::/8), unique within its customer; group members are
  devices of the group's customer;
- references (customer, groups, members, rate profile) exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from controlplane.registry.addresses import (
    Address,
    Prefix,
    host_bits,
    is_ipv6_multicast,
    parse_address,
    parse_prefix,
    unicast_problem,
)
from controlplane.registry.errors import Issues, Loc
from controlplane.registry.model import (
    Customer,
    CustomerSpec,
    Device,
    DeviceSpec,
    Group,
    GroupSpec,
    RateProfile,
)
from controlplane.registry.state import Owner, RegistryState, describe_owner

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
DEVICE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}")
MAC_RE = re.compile(r"[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}")
VLAN_RANGE = range(1, 4095)
PORT_RANGE = range(0, 512)


# ---- single fields ----------------------------------------------------------------------------


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_name(value: object, loc: Loc, issues: Issues, *, device: bool = False) -> str | None:
    pattern = DEVICE_ID_RE if device else NAME_RE
    if not isinstance(value, str) or not pattern.fullmatch(value):
        limit = 128 if device else 63
        extra = "._:@+-" if device else "._-"
        issues.invalid(
            loc,
            f"must be 1-{limit} characters: letters, digits and {extra!r}, starting with a letter or digit",
        )
        return None
    return value


def check_vlan(value: object, loc: Loc, issues: Issues) -> int | None:
    if not is_int(value) or value not in VLAN_RANGE:
        issues.invalid(loc, f"VLAN id must be an integer 1..4094, not {value!r}")
        return None
    assert isinstance(value, int)
    return value


def check_port(value: object, loc: Loc, issues: Issues) -> int | None:
    if not is_int(value) or value not in PORT_RANGE:
        issues.invalid(loc, f"port must be an integer 0..511, not {value!r}")
        return None
    assert isinstance(value, int)
    return value


def check_mac(value: object, loc: Loc, issues: Issues) -> str | None:
    if not isinstance(value, str) or not MAC_RE.fullmatch(value):
        issues.invalid(loc, f"not a MAC address like 02:00:00:00:00:01: {value!r}")
        return None
    mac = value.lower().replace("-", ":")
    if int(mac[:2], 16) & 1:
        issues.invalid(loc, f"{mac} is a multicast MAC; a gateway needs a unicast MAC")
        return None
    if mac == "00:00:00:00:00:00":
        issues.invalid(loc, "the all-zero MAC is not a gateway's MAC")
        return None
    return mac


def check_unicast(value: object, loc: Loc, issues: Issues, *, family: int | None) -> Address | None:
    """A unicast address of the given family (4, 6 or None for either)."""
    address = parse_address(value)
    if address is None or (family is not None and address.version != family):
        wanted = "an IPv6 or IPv4 address" if family is None else f"an IPv{family} address"
        issues.invalid(loc, f"not {wanted}: {value!r}")
        return None
    problem = unicast_problem(address)
    if problem is not None:
        issues.invalid(loc, f"{address.text} {problem}")
        return None
    return address


def check_prefix(value: object, loc: Loc, issues: Issues, *, family: int | None) -> Prefix | None:
    """A prefix of the given family written without host bits."""
    prefix = parse_prefix(value)
    wanted = "an IPv6 or IPv4 prefix" if family is None else f"an IPv{family} prefix"
    if prefix is None or (family is not None and prefix.version != family):
        example = "10.1.0.0/16" if family == 4 else "2001:db8:1::/48"
        issues.invalid(loc, f"not {wanted} like {example}: {value!r}")
        return None
    if host_bits(prefix):
        issues.invalid(loc, f"{value} has host bits set; did you mean {prefix.text}?")
        return None
    return prefix


def check_string_list(value: object, loc: Loc, issues: Issues) -> Sequence[str] | None:
    if isinstance(value, str) or not isinstance(value, Sequence):
        issues.invalid(loc, "must be a list of strings")
        return None
    for i, item in enumerate(value):
        if not isinstance(item, str):
            issues.invalid((*loc, i), f"must be a string, not {item!r}")
            return None
    return value


def address_conflict(
    address: str, owner: Owner, state: RegistryState, pending: PendingClaims | None
) -> str | None:
    """Why ``address`` cannot be given to ``owner``, or None if it is free (or already its own)."""
    current = state.address_owner.get(address)
    if current is not None and current != owner:
        return f"{address} is already used by {describe_owner(current)}"
    if pending is not None:
        row = pending.addresses.get(address)
        if row is not None:
            return f"{address} is already used by row {row} of this import"
    return None


@dataclass(slots=True)
class PendingClaims:
    """Addresses and ids claimed by earlier rows of a bulk operation, not yet committed."""

    addresses: dict[str, int] = field(default_factory=dict)  # address -> row
    device_ids: dict[str, int] = field(default_factory=dict)  # device_id -> row

    def claim(self, device: Device, row: int) -> None:
        self.device_ids[device.device_id] = row
        self.addresses[device.endpoint] = row
        if device.endpoint_v4 is not None:
            self.addresses[device.endpoint_v4] = row
        for address in device.addresses:
            self.addresses[address] = row


# ---- customers --------------------------------------------------------------------------------


def check_customer(
    spec: CustomerSpec, state: RegistryState, *, existing: Customer | None
) -> Customer | Issues:
    """The customer ``spec`` describes, or the issues that prevent it (number 0 for a new one)."""
    issues = Issues()
    if existing is None:
        name = check_name(spec.name, ("name",), issues)
        if name is not None and name in state.customers:
            issues.conflict(("name",), f"customer {name!r} already exists")
    else:
        name = existing.name
    vlan = check_vlan(spec.vlan, ("vlan",), issues)
    port = check_port(spec.uplink_port, ("uplink_port",), issues)
    mac = check_mac(spec.gateway_mac, ("gateway_mac",), issues)
    prefix = check_prefix(spec.prefix, ("prefix",), issues, family=6)
    prefix_v4 = (
        None if spec.prefix_v4 is None else check_prefix(spec.prefix_v4, ("prefix_v4",), issues, family=4)
    )
    anycast = None if spec.anycast is None else check_unicast(spec.anycast, ("anycast",), issues, family=6)
    anycast_v4 = (
        None if spec.anycast_v4 is None else check_unicast(spec.anycast_v4, ("anycast_v4",), issues, family=4)
    )
    allowed: list[str] = []
    items = check_string_list(spec.allowed_prefixes, ("allowed_prefixes",), issues)
    for i, item in enumerate(items or ()):
        network = check_prefix(item, ("allowed_prefixes", i), issues, family=None)
        if network is not None:
            if network.text in allowed:
                issues.invalid(("allowed_prefixes", i), f"{network.text} is listed twice")
            allowed.append(network.text)

    if port is not None and vlan is not None:
        holder = state.uplinks.get((port, vlan))
        if holder is not None and holder != name:
            issues.conflict(
                ("vlan",),
                f"VLAN {vlan} on uplink port {port} is already the connection of customer {holder!r}",
            )
    if port is not None and port in state.access_ports:
        issues.conflict(("uplink_port",), f"port {port} is an access port of registered devices")
    owner: Owner = ("customer", name or "")
    for loc, address in ((("anycast",), anycast), (("anycast_v4",), anycast_v4)):
        if address is not None:
            problem = address_conflict(address.text, owner, state, None)
            if problem is not None:
                issues.conflict(loc, problem)

    if existing is not None and name is not None:
        _check_devices_still_fit(name, prefix, prefix_v4, spec.prefix_v4 is None, state, issues)

    if issues or name is None or vlan is None or port is None or mac is None or prefix is None:
        return issues
    return Customer(
        name=name,
        number=existing.number if existing is not None else 0,
        vlan=vlan,
        uplink_port=port,
        gateway_mac=mac,
        prefix=prefix.text,
        prefix_v4=None if prefix_v4 is None else prefix_v4.text,
        anycast=None if anycast is None else anycast.text,
        anycast_v4=None if anycast_v4 is None else anycast_v4.text,
        allowed_prefixes=tuple(allowed),
    )


def _check_devices_still_fit(
    name: str,
    prefix: Prefix | None,
    prefix_v4: Prefix | None,
    v4_removed: bool,
    state: RegistryState,
    issues: Issues,
) -> None:
    """A changed prefix must still hold every endpoint of the customer's devices."""
    devices = [state.devices[d] for d in sorted(state.customer_devices.get(name, ()))]
    for device in devices:
        if prefix is not None and not prefix.holds(parse_address(device.endpoint)):
            issues.conflict(
                ("prefix",),
                f"the endpoint {device.endpoint} of device {device.device_id!r} would fall outside {prefix.text}",
            )
            break
    for device in devices:
        if device.endpoint_v4 is None:
            continue
        if v4_removed:
            issues.conflict(
                ("prefix_v4",),
                f"device {device.device_id!r} has an IPv4 endpoint, which needs the IPv4 prefix",
            )
            break
        if prefix_v4 is not None and not prefix_v4.holds(parse_address(device.endpoint_v4)):
            issues.conflict(
                ("prefix_v4",),
                f"the IPv4 endpoint {device.endpoint_v4} of device {device.device_id!r} "
                f"would fall outside {prefix_v4.text}",
            )
            break


# ---- devices ----------------------------------------------------------------------------------


def check_device(
    spec: DeviceSpec,
    state: RegistryState,
    profiles: Mapping[str, RateProfile],
    *,
    existing: Device | None,
    pending: PendingClaims | None = None,
    number: int = 0,
) -> tuple[Device, tuple[str, ...]] | Issues:
    """The device ``spec`` describes with the sorted names of its groups, or the issues that
    prevent it. A new device gets ``number``; a changed one keeps its own.

    ``pending`` holds what earlier rows of the same bulk operation claimed."""
    issues = Issues()
    if existing is None:
        device_id = check_name(spec.device_id, ("device_id",), issues, device=True)
        if device_id is not None:
            if device_id in state.devices:
                issues.conflict(("device_id",), f"device {device_id!r} already exists")
            elif pending is not None and device_id in pending.device_ids:
                issues.conflict(
                    ("device_id",), f"device {device_id!r} is also row {pending.device_ids[device_id]}"
                )
    else:
        device_id = existing.device_id
    owner: Owner = ("device", device_id or "")

    customer = state.customers.get(spec.customer) if isinstance(spec.customer, str) else None
    if customer is None:
        issues.missing(("customer",), f"customer {spec.customer!r} does not exist")
    nets = state.nets.get(customer.name) if customer is not None else None

    taken: set[str] = set()

    def claim(loc: Loc, address: str) -> None:
        if address in taken:
            issues.invalid(loc, f"{address} is given twice for this device")
            return
        taken.add(address)
        problem = address_conflict(address, owner, state, pending)
        if problem is not None:
            issues.conflict(loc, problem)

    endpoint = check_unicast(spec.endpoint, ("endpoint",), issues, family=6)
    if endpoint is not None:
        if nets is not None and not nets.prefix.holds(endpoint):
            assert customer is not None
            issues.invalid(
                ("endpoint",),
                f"{endpoint.text} is outside the prefix {customer.prefix} of customer {customer.name!r}",
            )
        claim(("endpoint",), endpoint.text)

    endpoint_v4 = None
    if spec.endpoint_v4 is not None:
        endpoint_v4 = check_unicast(spec.endpoint_v4, ("endpoint_v4",), issues, family=4)
        if endpoint_v4 is not None:
            if nets is not None and nets.prefix_v4 is None:
                assert customer is not None
                issues.invalid(("endpoint_v4",), f"customer {customer.name!r} has no IPv4 prefix (prefix_v4)")
            elif nets is not None and nets.prefix_v4 is not None and not nets.prefix_v4.holds(endpoint_v4):
                assert customer is not None
                issues.invalid(
                    ("endpoint_v4",),
                    f"{endpoint_v4.text} is outside the IPv4 prefix {customer.prefix_v4} of customer {customer.name!r}",
                )
            claim(("endpoint_v4",), endpoint_v4.text)

    addresses: list[str] = []
    items = check_string_list(spec.addresses, ("addresses",), issues)
    if items is not None and not items:
        issues.invalid(("addresses",), "a device needs at least one access address")
    for i, item in enumerate(items or ()):
        address = check_unicast(item, ("addresses", i), issues, family=None)
        if address is not None:
            claim(("addresses", i), address.text)
            addresses.append(address.text)

    port = check_port(spec.access_port, ("access_port",), issues)
    if port is not None and port in state.uplink_ports:
        holders = ", ".join(repr(n) for n in sorted(state.uplink_ports[port]))
        issues.conflict(("access_port",), f"port {port} is the uplink port of customer {holders}")
    vlan = None if spec.access_vlan is None else check_vlan(spec.access_vlan, ("access_vlan",), issues)

    if not isinstance(spec.rate_profile, str) or spec.rate_profile not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        issues.invalid(
            ("rate_profile",), f"no rate profile {spec.rate_profile!r} is configured (known: {known})"
        )

    groups = check_device_groups(spec.groups, customer, state, issues)

    if issues or device_id is None or customer is None or endpoint is None or port is None:
        return issues
    return Device(
        device_id=device_id,
        number=existing.number if existing is not None else number,
        customer=customer.name,
        endpoint=endpoint.text,
        endpoint_v4=None if endpoint_v4 is None else endpoint_v4.text,
        addresses=tuple(addresses),
        access_port=port,
        access_vlan=vlan,
        rate_profile=spec.rate_profile,
    ), groups


def check_device_groups(
    value: object, customer: Customer | None, state: RegistryState, issues: Issues
) -> tuple[str, ...]:
    """The groups a device is to be in: existing groups of its customer, each once."""
    groups: list[str] = []
    names = check_string_list(value, ("groups",), issues)
    for i, group_name in enumerate(names or ()):
        group = state.groups.get(group_name)
        if group is None:
            issues.missing(("groups", i), f"group {group_name!r} does not exist")
        elif group_name in groups:
            issues.invalid(("groups", i), f"group {group_name!r} is listed twice")
        elif customer is not None and group.customer != customer.name:
            issues.conflict(
                ("groups", i),
                f"group {group_name!r} belongs to customer {group.customer!r}, not {customer.name!r}",
            )
        else:
            groups.append(group_name)
    return tuple(sorted(groups))


# ---- groups -----------------------------------------------------------------------------------


def check_group(spec: GroupSpec, state: RegistryState, *, existing: Group | None) -> Group | Issues:
    """The group ``spec`` describes, or the issues that prevent it (number 0 for a new one)."""
    issues = Issues()
    if existing is None:
        name = check_name(spec.name, ("name",), issues)
        if name is not None and name in state.groups:
            issues.conflict(("name",), f"group {name!r} already exists")
    else:
        name = existing.name
    customer = state.customers.get(spec.customer) if isinstance(spec.customer, str) else None
    if customer is None:
        issues.missing(("customer",), f"customer {spec.customer!r} does not exist")

    address = parse_address(spec.address)
    if address is None or not is_ipv6_multicast(address):
        issues.invalid(
            ("address",),
            f"a group address must be an IPv6 multicast address (ff00::/8), not {spec.address!r}",
        )
        address = None
    elif customer is not None:
        holder = state.group_addresses.get((customer.name, address.text))
        if holder is not None and holder != name:
            issues.conflict(
                ("address",), f"{address.text} is already group {holder!r} of customer {customer.name!r}"
            )

    members: set[str] = set()
    items = check_string_list(spec.members, ("members",), issues)
    for i, device_id in enumerate(items or ()):
        device = state.devices.get(device_id)
        if device is None:
            issues.missing(("members", i), f"device {device_id!r} does not exist")
        elif device_id in members:
            issues.invalid(("members", i), f"device {device_id!r} is listed twice")
        elif customer is not None and device.customer != customer.name:
            issues.conflict(
                ("members", i),
                f"device {device_id!r} belongs to customer {device.customer!r}, not {customer.name!r}",
            )
        else:
            members.add(device_id)

    if issues or name is None or customer is None or address is None:
        return issues
    return Group(
        name=name,
        number=existing.number if existing is not None else 0,
        customer=customer.name,
        address=address.text,
        members=frozenset(members),
    )
