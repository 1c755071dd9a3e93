"""Access requests: turning the data plane's digests of unknown senders into request records.

One record per sender, keyed by (access port, VLAN, source MAC, source address). A new sender
becomes a pending request; seeing it again bumps its count and last-seen time. A denied request
stays denied (and unlisted by default); an approved one whose device has since been removed
becomes pending again. IPv4 senders, which the digest carries IPv4-mapped, are recorded as IPv4.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from controlplane.registry.addresses import ipv4_mapped, parse_address
from controlplane.registry.errors import Issues
from controlplane.registry.model import AccessRequest, AccessRequestStatus, AccessSighting
from controlplane.registry.state import RegistryState, RequestKey
from controlplane.registry.validation import check_port, check_vlan

_MAC_RE = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")


def sighting_key(sighting: AccessSighting, issues: Issues) -> RequestKey | None:
    """The normalized (port, vlan, MAC, address) of a sighting, or None with ``issues`` noted."""
    before = len(issues.errors)
    port = check_port(sighting.port, ("port",), issues)
    vlan = None if sighting.vlan in (None, 0) else check_vlan(sighting.vlan, ("vlan",), issues)
    mac = sighting.src_mac.lower().replace("-", ":") if isinstance(sighting.src_mac, str) else ""
    if not _MAC_RE.fullmatch(mac):
        issues.invalid(("src_mac",), f"not a MAC address: {sighting.src_mac!r}")
    address = parse_address(sighting.src_addr)
    if address is None:
        issues.invalid(("src_addr",), f"not an IP address: {sighting.src_addr!r}")
    if len(issues.errors) > before or port is None or address is None:
        return None
    return port, vlan, mac, ipv4_mapped(address).text


def plan_sightings(
    state: RegistryState, sightings: Sequence[AccessSighting], now: float
) -> list[AccessRequest]:
    """The request records after ``sightings`` (one per distinct sender), not yet stored.

    Raises ``ValidationFailed`` naming the bad field (prefixed by the sighting's index when
    there are several)."""
    issues = Issues()
    if len(sightings) == 1:
        keys = [sighting_key(sightings[0], issues)]
    else:
        keys = [_collect(sighting, i, issues) for i, sighting in enumerate(sightings)]
    issues.raise_if_any()
    next_id = state.next_request_id
    updated: dict[RequestKey, AccessRequest] = {}
    for sighting, key in zip(sightings, keys, strict=True):
        assert key is not None
        seen = sighting.seen_at if sighting.seen_at is not None else now
        current = updated.get(key)
        if current is None and key in state.request_keys:
            current = state.requests[state.request_keys[key]]
        if current is None:
            port, vlan, mac, addr = key
            updated[key] = AccessRequest(
                id=next_id,
                port=port,
                vlan=vlan,
                src_mac=mac,
                src_addr=addr,
                first_seen=seen,
                last_seen=seen,
                count=1,
                status=AccessRequestStatus.PENDING,
            )
            next_id += 1
            continue
        status = current.status
        if status is AccessRequestStatus.APPROVED and current.device_id not in state.devices:
            status = AccessRequestStatus.PENDING  # its device has been removed since
        updated[key] = dataclasses.replace(
            current, last_seen=max(current.last_seen, seen), count=current.count + 1, status=status
        )
    return list(updated.values())


def _collect(sighting: AccessSighting, index: int, issues: Issues) -> RequestKey | None:
    own = Issues((index,))
    key = sighting_key(sighting, own)
    issues.extend(own.errors)
    return key
