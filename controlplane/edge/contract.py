"""The names and numbers of the data-plane contract (``p4src/README.md``), in one place.

Every table is listed with its match fields and every action with its parameters, in the order
the P4Info gives them; the entities of :mod:`controlplane.edge.entries` hold their values in that
order. :func:`controlplane.edge.encode.EdgeSchema` checks the switch's P4Info against these lists
when it connects, so a program that drifted from the contract fails with a clear message instead
of with wrong entries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class MatchKind(enum.Enum):
    EXACT = "exact"
    LPM = "lpm"


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    fields: tuple[tuple[str, MatchKind], ...]
    actions: tuple[str, ...]


_E = MatchKind.EXACT
_L = MatchKind.LPM

# ---- tables --------------------------------------------------------------------------------------

PORT_ROLE: Final = "EdgeIngress.ports.port_role"
CPU_PORT: Final = "EdgeIngress.ports.cpu_port"
ND_PROXY: Final = "EdgeIngress.housekeeping.nd_proxy"
ARP_PROXY: Final = "EdgeIngress.housekeeping.arp_proxy"
DEVICE_V6: Final = "EdgeIngress.access.device_v6"
DEVICE_V4: Final = "EdgeIngress.access.device_v4"
KNOWN_ADDR_V6: Final = "EdgeIngress.access.known_addr_v6"
KNOWN_ADDR_V4: Final = "EdgeIngress.access.known_addr_v4"
CUSTOMER_UPLINK: Final = "EdgeIngress.upstream.customer_uplink"
ALLOWED_DST_V6: Final = "EdgeIngress.upstream.allowed_dst_v6"
ALLOWED_DST_V4: Final = "EdgeIngress.upstream.allowed_dst_v4"
UPLINK_VLAN: Final = "EdgeIngress.downstream.uplink_vlan"
ENDPOINT_SRC_V6: Final = "EdgeIngress.downstream.endpoint_src_v6"
ENDPOINT_SRC_V4: Final = "EdgeIngress.downstream.endpoint_src_v4"
DEVICE_DOWN_V6: Final = "EdgeIngress.downstream.device_down_v6"
DEVICE_DOWN_V4: Final = "EdgeIngress.downstream.device_down_v4"
MCAST_GROUP_V6: Final = "EdgeIngress.downstream.mcast_group_v6"
MCAST_MEMBER: Final = "EdgeEgress.mcast_member"
PORT_MAC: Final = "EdgeEgress.port_mac"

# ---- actions (with their parameters, in P4Info order) ------------------------------------------

SET_ACCESS_PORT: Final = "EdgeIngress.ports.set_access_port"
SET_UPLINK_PORT: Final = "EdgeIngress.ports.set_uplink_port"
SET_CPU_PORT: Final = "EdgeIngress.ports.set_cpu_port"
ANSWER_NS: Final = "EdgeIngress.housekeeping.answer_ns"
ANSWER_ARP: Final = "EdgeIngress.housekeeping.answer_arp"
ADMIT_V6: Final = "EdgeIngress.access.admit_v6"
ADMIT_V4: Final = "EdgeIngress.access.admit_v4"
REGISTERED_AT: Final = "EdgeIngress.access.registered_at"
SET_UPLINK: Final = "EdgeIngress.upstream.set_uplink"
ALLOW: Final = "EdgeIngress.upstream.allow"
SET_CUSTOMER: Final = "EdgeIngress.downstream.set_customer"
FROM_CUSTOMER: Final = "EdgeIngress.downstream.from_customer"
TO_DEVICE_V6: Final = "EdgeIngress.downstream.to_device_v6"
HOLD_FOR_DEVICE_V6: Final = "EdgeIngress.downstream.hold_for_device_v6"
TO_DEVICE_V4: Final = "EdgeIngress.downstream.to_device_v4"
HOLD_FOR_DEVICE_V4: Final = "EdgeIngress.downstream.hold_for_device_v4"
REPLICATE: Final = "EdgeIngress.downstream.replicate"
TO_MEMBER: Final = "EdgeEgress.to_member"
HOLD_MEMBER: Final = "EdgeEgress.hold_member"
SET_PORT_MAC: Final = "EdgeEgress.set_port_mac"

_DEVICE_DOWN_PARAMS: Final = ("dev_id", "customer_id", "port", "vlan", "endpoint")

ACTION_PARAMS: Final[dict[str, tuple[str, ...]]] = {
    SET_ACCESS_PORT: (),
    SET_UPLINK_PORT: (),
    SET_CPU_PORT: ("port",),
    ANSWER_NS: ("mac", "router"),
    ANSWER_ARP: ("mac",),
    ADMIT_V6: ("dev_id", "customer_id", "endpoint", "notify"),
    ADMIT_V4: ("dev_id", "customer_id", "endpoint", "notify"),
    REGISTERED_AT: ("port", "vlan"),
    SET_UPLINK: ("port", "vlan", "gateway_mac", "anycast_v6", "anycast_v4"),
    ALLOW: (),
    SET_CUSTOMER: ("customer_id", "anycast_v6", "anycast_v4"),
    FROM_CUSTOMER: (),
    TO_DEVICE_V6: _DEVICE_DOWN_PARAMS,
    HOLD_FOR_DEVICE_V6: _DEVICE_DOWN_PARAMS,
    TO_DEVICE_V4: _DEVICE_DOWN_PARAMS,
    HOLD_FOR_DEVICE_V4: _DEVICE_DOWN_PARAMS,
    REPLICATE: ("group",),
    TO_MEMBER: ("dev_id", "customer_id", "addr", "vlan"),
    HOLD_MEMBER: ("dev_id", "customer_id", "addr", "vlan", "port"),
    SET_PORT_MAC: ("mac",),
}

TABLES: Final[dict[str, TableSpec]] = {
    spec.name: spec
    for spec in (
        TableSpec(PORT_ROLE, (("port", _E),), (SET_ACCESS_PORT, SET_UPLINK_PORT)),
        TableSpec(CPU_PORT, (), (SET_CPU_PORT,)),
        TableSpec(ND_PROXY, (("port", _E), ("vlan", _E), ("target_addr", _E)), (ANSWER_NS,)),
        TableSpec(ARP_PROXY, (("port", _E), ("vlan", _E), ("target_addr", _E)), (ANSWER_ARP,)),
        TableSpec(DEVICE_V6, (("port", _E), ("vlan", _E), ("src_addr", _E)), (ADMIT_V6,)),
        TableSpec(DEVICE_V4, (("port", _E), ("vlan", _E), ("src_addr", _E)), (ADMIT_V4,)),
        TableSpec(KNOWN_ADDR_V6, (("addr", _E),), (REGISTERED_AT,)),
        TableSpec(KNOWN_ADDR_V4, (("addr", _E),), (REGISTERED_AT,)),
        TableSpec(CUSTOMER_UPLINK, (("customer_id", _E),), (SET_UPLINK,)),
        TableSpec(ALLOWED_DST_V6, (("customer_id", _E), ("dst_addr", _L)), (ALLOW,)),
        TableSpec(ALLOWED_DST_V4, (("customer_id", _E), ("dst_addr", _L)), (ALLOW,)),
        TableSpec(UPLINK_VLAN, (("port", _E), ("vlan", _E)), (SET_CUSTOMER,)),
        TableSpec(ENDPOINT_SRC_V6, (("customer_id", _E), ("src_addr", _L)), (FROM_CUSTOMER,)),
        TableSpec(ENDPOINT_SRC_V4, (("customer_id", _E), ("src_addr", _L)), (FROM_CUSTOMER,)),
        TableSpec(DEVICE_DOWN_V6, (("dst_addr", _E),), (TO_DEVICE_V6, HOLD_FOR_DEVICE_V6)),
        TableSpec(DEVICE_DOWN_V4, (("dst_addr", _E),), (TO_DEVICE_V4, HOLD_FOR_DEVICE_V4)),
        TableSpec(MCAST_GROUP_V6, (("customer_id", _E), ("group_addr", _E)), (REPLICATE,)),
        TableSpec(MCAST_MEMBER, (("port", _E), ("rid", _E)), (TO_MEMBER, HOLD_MEMBER)),
        TableSpec(PORT_MAC, (("port", _E),), (SET_PORT_MAC,)),
    )
}

#: Tables with keys, whose entries the controller owns (all but the keyless ``cpu_port``).
KEYED_TABLES: Final = tuple(name for name, spec in TABLES.items() if spec.fields)
#: Tables whose entries carry a direct meter (configured from the device's rate profile).
METERED_TABLES: Final = frozenset({DEVICE_V6, DEVICE_V4})
#: Tables whose entries age (idle timeout, NOTIFY_CONTROL).
AGEING_TABLES: Final = frozenset({DEVICE_V6, DEVICE_V4})

# ---- other entities ------------------------------------------------------------------------------

REQUEST_METER: Final = "EdgeIngress.to_controller.request_meter"
EVENTS_COUNTER: Final = "EdgeIngress.to_controller.events"
INGRESS_DROPS: Final = "EdgeIngress.drops"
EGRESS_DROPS: Final = "EdgeEgress.drops"
DEVICE_MAC_REGISTER: Final = "device_mac"
ACCESS_REQUEST_DIGEST: Final = "access_request_t"
DIGEST_FIELDS: Final = ("ingress_port", "vlan", "src_mac", "src_addr")
PACKET_OUT: Final = "packet_out"
#: The packet_out header's fields in order (README 4.2): a port, or a multicast group and its customer.
PACKET_OUT_FIELDS: Final = ("egress_port", "mcast_grp", "customer_id", "_reserved")
PACKET_IN: Final = "packet_in"

#: The direct counters of a device's entries: upstream (admission) and downstream tables.
UPSTREAM_TABLES: Final = (DEVICE_V6, DEVICE_V4)
DOWNSTREAM_TABLES: Final = (DEVICE_DOWN_V6, DEVICE_DOWN_V4)

# ---- packet_in reasons, drop reasons (README sections 4.2 and 5) -------------------------------


class PuntReason(enum.IntEnum):
    ROUTER_SOLICIT = 1
    DEVICE_ASLEEP = 2


class DropReason(enum.IntEnum):
    NO_ROLE = 1
    PARSER_ERROR = 2
    BAD_CHECKSUM = 3
    BAD_PACKET_OUT = 4
    HOUSEKEEPING = 5
    UNSUPPORTED = 6
    UNKNOWN_DEVICE = 7
    SPOOFED_SOURCE = 8
    WRONG_VLAN = 9
    DISALLOWED_DEST = 10
    OVER_RATE = 11
    NO_UPLINK = 12
    UPLINK_VLAN = 13
    NOT_FROM_ENDPOINT = 14
    UNKNOWN_DEST = 15
    CROSS_CUSTOMER = 16
    UNKNOWN_GROUP = 17
    NO_MEMBER = 18
    NO_CPU_PORT = 19


#: Largest replica id (16 bits); 0 is not used.
MAX_RID: Final = 0xFFFF
#: Largest port number (9 bits).
MAX_PORT: Final = 511
