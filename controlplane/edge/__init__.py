"""The edge programmer: registry state → table entries and multicast groups on every edge switch
(``p4src/README.md`` is the contract), reconciliation on every (re)connection, access requests
from digests, device activity from idle timeouts, and group instructions by packet-out.

The walk of a registry change: ``registry`` (ChangeSet) → :mod:`.state` (units before/after) →
:mod:`.translate` (entities) → :mod:`.plan` (minimal writes, ordered) → :mod:`.writer` /
:mod:`.encode` → ``p4rt`` (batched Write) → switch. :mod:`.dataplane` ties it together.
"""

from controlplane.edge.activity import Activity, ActivityEvent, EdgeEvents, HeldFrame, RouterSolicitation
from controlplane.edge.dataplane import EdgeDataPlane, check_pipelines, edge_dataplane
from controlplane.edge.settings import EdgeSettings, SwitchProfile
from controlplane.edge.state import EdgeState, HoldError

__all__ = [
    "Activity",
    "ActivityEvent",
    "EdgeDataPlane",
    "EdgeEvents",
    "EdgeSettings",
    "EdgeState",
    "HeldFrame",
    "HoldError",
    "RouterSolicitation",
    "SwitchProfile",
    "check_pipelines",
    "edge_dataplane",
]
