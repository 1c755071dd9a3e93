"""The scenario every real client plays against ``programs/l2_clients.p4``, as plain data.

Standard library only: the p4runtime-shell script (tools venv) imports it as well as the tests.

A client inserts :data:`INSERTED` into table ``l2``, modifies :data:`MODIFIED` to ``to_cpu``,
deletes :data:`DELETED`, and programs multicast group :data:`MCAST_GROUP` and clone session
:data:`CLONE_SESSION`. :data:`FINAL_L2` is what the switch must hold afterwards.
"""

from __future__ import annotations

CPU_PORT = 255
MCAST_GROUP = 7
CLONE_SESSION = 9
#: (egress_port, instance) of the group's replicas and of the clone session's single replica.
MCAST_REPLICAS = ((CPU_PORT, 1), (CPU_PORT, 2))
CLONE_REPLICAS = ((CPU_PORT, 3),)
#: Where a mirrored packet's original goes (a port with no link: the copy is what counts).
MIRROR_PORT = 6

#: standard_metadata.instance_type values the program reports in packet_in.instance_type.
NORMAL, INGRESS_CLONE, REPLICATION = 0, 1, 5

#: l2 entries as inserted: destination MAC -> (action, parameters).
INSERTED: dict[str, tuple[str, dict[str, int]]] = {
    "02:00:00:00:00:01": ("to_cpu", {}),
    "02:00:00:00:00:02": ("forward", {"port": 1}),
    "02:00:00:00:00:04": ("flood", {"group": MCAST_GROUP}),
    "02:00:00:00:00:05": ("mirror", {"port": MIRROR_PORT, "session": CLONE_SESSION}),
}
MODIFIED = "02:00:00:00:00:02"  # forward(1) -> to_cpu()
DELETED = "02:00:00:00:00:01"
FLOODED = "02:00:00:00:00:04"
MIRRORED = "02:00:00:00:00:05"
UNKNOWN = "02:00:00:00:00:99"

FINAL_L2: dict[str, tuple[str, dict[str, int]]] = {
    MODIFIED: ("to_cpu", {}),
    FLOODED: INSERTED[FLOODED],
    MIRRORED: INSERTED[MIRRORED],
}

SOURCE_MAC = "02:00:00:00:00:aa"


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def frame(dst: str, tag: bytes = b"client scenario") -> bytes:
    """An Ethernet frame to ``dst`` with an experimental EtherType and a recognisable payload."""
    return mac_bytes(dst) + mac_bytes(SOURCE_MAC) + b"\x88\xb5" + tag
