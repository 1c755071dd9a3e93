"""The packet replication engine: multicast groups and clone (mirroring) sessions.

Two control-plane views share one state, as on BMv2:

* the BMv2 CLI model (``mc_mgrp_create``, ``mc_node_create`` ... ``mirroring_add``), used by STF;
* the P4Runtime model (multicast group entries and clone session entries), with PI's checks and
  error codes. Each distinct replica ``instance`` becomes one node with that rid; a clone session
  is a hidden multicast group numbered ``32768 + session id``.

Per packet, :meth:`PacketReplicationEngine.replicas` returns a precomputed tuple of ``(rid, port)``
in BMv2 order: nodes in the order they were associated with the group, ports ascending within a
node, each port once. For P4Runtime groups, nodes are created in the order their instance first
appears in the request (PI leaves that order unspecified); a MODIFY keeps existing nodes in place
and appends new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import HandleAllocator

MAX_PORT = 511  # BMv2's PRE port map has 512 entries
MAX_MGID = 0xFFFF
FIRST_RESERVED_GROUP = 1 << 15  # P4Runtime group ids stop below this; clone groups start here
MAX_SESSION_ID = (1 << 15) - 1
MAX_RID = 0xFFFF

Replica = tuple[int, int]  # (rid, port), what the pipeline needs per copy
P4RuntimeReplica = tuple[int, int]  # (egress_port, instance), as in a P4Runtime Replica

_NO_REPLICAS: tuple[Replica, ...] = ()


@dataclass(frozen=True, slots=True)
class CloneSession:
    """A configured clone session. A copy goes to ``mcast_grp`` (replicated through
    :meth:`PacketReplicationEngine.replicas`) and/or to ``egress_port``, whichever is set."""

    session_id: int
    egress_port: int | None = None
    mcast_grp: int | None = None
    class_of_service: int = 0
    packet_length_bytes: int = 0


@dataclass(frozen=True, slots=True)
class CloneSessionEntry:
    """A P4Runtime clone session entry as read back."""

    session_id: int
    replicas: list[P4RuntimeReplica]
    class_of_service: int
    packet_length_bytes: int


@dataclass(slots=True)
class _Node:
    rid: int
    ports: tuple[int, ...]  # ascending, distinct
    group: int | None = None


def _bad(message: str) -> EntityError:
    return EntityError(ErrorCode.INVALID_ARGUMENT, message)


def _port_set(ports: Iterable[int], *, cli: bool = False) -> tuple[int, ...]:
    """The sorted port set of a node. ``cli``: a port listed twice is refused, as BMv2's
    simple_switch_CLI does (``Found duplicate port number``), so no node is created."""
    result = set()
    for port in ports:
        if not isinstance(port, int) or not 0 <= port <= MAX_PORT:
            raise _bad(f"replication port {port!r} is outside 0..{MAX_PORT}")
        if cli and port in result:
            raise _bad(f"found duplicate port number '{port}'")
        result.add(port)
    return tuple(sorted(result))


class PacketReplicationEngine:
    def __init__(self) -> None:
        self._nodes: dict[int, _Node] = {}
        self._groups: dict[int, list[int]] = {}  # gid -> node handles in association order
        self._replicas: dict[int, tuple[Replica, ...]] = {}
        self._handles = HandleAllocator()
        # P4Runtime-owned groups (including hidden clone groups): gid -> {rid: node handle}
        self._p4rt_groups: dict[int, dict[int, int]] = {}
        self._sessions: dict[int, CloneSession] = {}
        self._p4rt_sessions: set[int] = set()

    # ------------------------------------------------------------------------------ per packet

    def replicas(self, gid: int) -> tuple[Replica, ...]:
        """``(rid, port)`` copies for multicast group ``gid``; empty for an unknown group."""
        return self._replicas.get(gid, _NO_REPLICAS)

    def clone_session(self, session_id: int) -> CloneSession | None:
        """The configuration of a clone session, or None if it is not configured."""
        return self._sessions.get(session_id)

    # --------------------------------------------------------------------------- internals

    def _refresh(self, gid: int) -> None:
        handles = self._groups.get(gid)
        if handles is None:
            self._replicas.pop(gid, None)
            return
        copies: list[Replica] = []
        for handle in handles:
            node = self._nodes[handle]
            copies.extend((node.rid, port) for port in node.ports)
        self._replicas[gid] = tuple(copies)

    def _node(self, handle: int) -> _Node:
        node = self._nodes.get(handle)
        if node is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast node handle {handle} does not exist")
        return node

    def _create_node(self, rid: int, ports: tuple[int, ...]) -> int:
        handle = self._handles.acquire()
        self._nodes[handle] = _Node(rid, ports)
        return handle

    def _associate(self, gid: int, handle: int) -> None:
        self._groups[gid].append(handle)
        self._nodes[handle].group = gid

    def _destroy_node(self, handle: int) -> None:
        node = self._nodes.pop(handle)
        if node.group is not None:
            self._groups[node.group].remove(handle)
        self._handles.release(handle)

    # ------------------------------------------------------------------------ BMv2 CLI model

    def mc_mgrp_create(self, gid: int) -> None:
        """Create group ``gid`` (creating an existing group does nothing, as in BMv2)."""
        if not 0 <= gid <= MAX_MGID:
            raise _bad(f"multicast group id {gid} is outside 0..{MAX_MGID}")
        if gid not in self._groups:
            self._groups[gid] = []
            self._refresh(gid)

    def mc_mgrp_destroy(self, gid: int) -> None:
        """Destroy group ``gid``; its nodes survive, unassociated. Unknown ids are ignored."""
        if gid in self._p4rt_groups:
            raise EntityError(
                ErrorCode.FAILED_PRECONDITION, f"multicast group {gid} belongs to P4Runtime; delete it there"
            )
        handles = self._groups.pop(gid, None)
        for handle in handles or ():
            self._nodes[handle].group = None
        self._refresh(gid)

    def mc_node_create(self, rid: int, ports: Iterable[int]) -> int:
        """Create a node (replication id + port set); returns the lowest free handle."""
        if not 0 <= rid <= MAX_RID:
            raise _bad(f"replication id {rid} is outside 0..{MAX_RID}")
        return self._create_node(rid, _port_set(ports, cli=True))

    def mc_node_update(self, handle: int, ports: Iterable[int]) -> None:
        node = self._node(handle)
        node.ports = _port_set(ports, cli=True)
        if node.group is not None:
            self._refresh(node.group)

    def mc_node_associate(self, gid: int, handle: int) -> None:
        node = self._node(handle)
        if gid not in self._groups:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast group {gid} does not exist")
        if node.group is not None:
            raise EntityError(
                ErrorCode.FAILED_PRECONDITION,
                f"multicast node {handle} is already associated with group {node.group}",
            )
        self._associate(gid, handle)
        self._refresh(gid)

    def mc_node_dissociate(self, gid: int, handle: int) -> None:
        node = self._node(handle)
        if gid not in self._groups:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast group {gid} does not exist")
        if node.group != gid:
            raise EntityError(ErrorCode.FAILED_PRECONDITION, f"multicast node {handle} is not in group {gid}")
        self._groups[gid].remove(handle)
        node.group = None
        self._refresh(gid)

    def mc_node_destroy(self, handle: int) -> None:
        """Destroy a node, dissociating it first if needed (as BMv2 allows)."""
        node = self._node(handle)
        self._destroy_node(handle)
        if node.group is not None:
            self._refresh(node.group)

    def mirroring_add(self, session_id: int, port: int) -> None:
        """Clone session ``session_id`` sends its copy to ``port`` (replaces any configuration)."""
        self._check_mirror_id(session_id)
        self._sessions[session_id] = CloneSession(session_id, egress_port=port)

    def mirroring_add_mc(self, session_id: int, gid: int) -> None:
        """Clone session ``session_id`` replicates its copy to multicast group ``gid``."""
        self._check_mirror_id(session_id)
        self._sessions[session_id] = CloneSession(session_id, mcast_grp=gid)

    def mirroring_delete(self, session_id: int) -> None:
        self._check_mirror_id(session_id)
        if self._sessions.pop(session_id, None) is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"mirroring session {session_id} does not exist")

    def mirroring_get(self, session_id: int) -> CloneSession | None:
        return self._sessions.get(session_id)

    @staticmethod
    def _check_mirror_id(session_id: int) -> None:
        if not 0 <= session_id <= MAX_SESSION_ID:
            raise _bad(f"mirroring session id {session_id} is outside 0..{MAX_SESSION_ID}")

    # ------------------------------------------------------------------- P4Runtime: groups

    @staticmethod
    def _check_p4rt_gid(gid: int) -> None:
        if gid == 0:
            raise _bad("0 is not a valid multicast group id")
        if gid >= FIRST_RESERVED_GROUP:
            raise EntityError(
                ErrorCode.OUT_OF_RANGE,
                f"multicast group id {gid} is too high (max {FIRST_RESERVED_GROUP - 1})",
            )
        if gid < 0:
            raise _bad(f"multicast group id {gid} is negative")

    @staticmethod
    def _nodes_from_replicas(replicas: Sequence[P4RuntimeReplica]) -> dict[int, tuple[int, ...]]:
        """instance -> ports (validated), in order of first appearance."""
        seen: set[P4RuntimeReplica] = set()
        by_rid: dict[int, list[int]] = {}
        for port, instance in replicas:
            if (port, instance) in seen:
                raise _bad(f"duplicate replica (port {port}, instance {instance}) in multicast group")
            seen.add((port, instance))
            if not 0 <= instance <= MAX_RID:
                raise _bad(f"replica instance {instance} is outside 0..{MAX_RID}")
            by_rid.setdefault(instance, []).append(port)
        return {rid: _port_set(ports) for rid, ports in by_rid.items()}

    def _p4rt_create(self, gid: int, replicas: Sequence[P4RuntimeReplica]) -> None:
        nodes = self._nodes_from_replicas(replicas)
        self._groups[gid] = []
        owned: dict[int, int] = {}
        for rid, ports in nodes.items():
            handle = self._create_node(rid, ports)
            self._associate(gid, handle)
            owned[rid] = handle
        self._p4rt_groups[gid] = owned
        self._refresh(gid)

    def _p4rt_modify(self, gid: int, nodes: dict[int, tuple[int, ...]]) -> None:
        owned = self._p4rt_groups[gid]
        new_owned: dict[int, int] = {}
        for rid in list(owned):  # existing nodes keep their position
            if rid in nodes:
                handle = owned[rid]
                self._nodes[handle].ports = nodes[rid]
                new_owned[rid] = handle
        for rid, ports in nodes.items():  # new nodes are created before old ones are freed, like PI
            if rid not in owned:
                handle = self._create_node(rid, ports)
                self._associate(gid, handle)
                new_owned[rid] = handle
        for rid, handle in owned.items():
            if rid not in nodes:
                self._destroy_node(handle)
        self._p4rt_groups[gid] = new_owned
        self._refresh(gid)

    def _p4rt_delete(self, gid: int) -> None:
        for handle in self._p4rt_groups.pop(gid).values():
            self._destroy_node(handle)
        del self._groups[gid]
        self._refresh(gid)

    def insert_group(self, gid: int, replicas: Sequence[P4RuntimeReplica]) -> None:
        """P4Runtime INSERT of a MulticastGroupEntry; replicas are ``(egress_port, instance)``."""
        self._check_p4rt_gid(gid)
        if gid in self._groups:
            raise EntityError(ErrorCode.ALREADY_EXISTS, f"multicast group {gid} already exists")
        self._p4rt_create(gid, replicas)

    def modify_group(self, gid: int, replicas: Sequence[P4RuntimeReplica]) -> None:
        self._check_p4rt_gid(gid)
        if gid not in self._p4rt_groups:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast group {gid} does not exist")
        self._p4rt_modify(gid, self._nodes_from_replicas(replicas))

    def delete_group(self, gid: int) -> None:
        self._check_p4rt_gid(gid)
        if gid not in self._p4rt_groups:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast group {gid} does not exist")
        self._p4rt_delete(gid)

    def _read_replicas(self, gid: int) -> list[P4RuntimeReplica]:
        out: list[P4RuntimeReplica] = []
        for rid, handle in self._p4rt_groups[gid].items():
            out.extend((port, rid) for port in self._nodes[handle].ports)
        return out

    def read_group(self, gid: int) -> list[P4RuntimeReplica]:
        """P4Runtime read of one group: ``(egress_port, instance)`` pairs."""
        if gid >= FIRST_RESERVED_GROUP:
            raise EntityError(
                ErrorCode.OUT_OF_RANGE,
                f"multicast group id {gid} is too high (max {FIRST_RESERVED_GROUP - 1})",
            )
        if gid not in self._p4rt_groups:
            raise EntityError(ErrorCode.NOT_FOUND, f"multicast group {gid} does not exist")
        return self._read_replicas(gid)

    def group_ids(self) -> list[int]:
        """P4Runtime wildcard read: ids of the visible (non-clone) P4Runtime groups, ascending."""
        return sorted(gid for gid in self._p4rt_groups if gid < FIRST_RESERVED_GROUP)

    # ---------------------------------------------------------- P4Runtime: clone sessions

    @staticmethod
    def _check_session_id(session_id: int) -> None:
        if session_id == 0:
            raise _bad("0 is not a valid clone session id")
        if not 1 <= session_id <= MAX_SESSION_ID:
            raise _bad(f"clone session id {session_id} is outside 1..{MAX_SESSION_ID}")

    @staticmethod
    def _check_session_config(class_of_service: int, packet_length_bytes: int) -> None:
        if class_of_service != 0:
            raise EntityError(ErrorCode.UNIMPLEMENTED, "class_of_service for clone sessions is not supported")
        if packet_length_bytes != 0:
            # PI passes truncation to BMv2, which refuses it; PI reports that failure as UNKNOWN.
            raise EntityError(
                ErrorCode.UNKNOWN, "packet_length_bytes (clone truncation) is not supported by this target"
            )

    def insert_clone_session(
        self,
        session_id: int,
        replicas: Sequence[P4RuntimeReplica],
        class_of_service: int = 0,
        packet_length_bytes: int = 0,
    ) -> None:
        self._check_session_id(session_id)
        if session_id in self._p4rt_sessions:
            raise EntityError(ErrorCode.ALREADY_EXISTS, f"clone session {session_id} already exists")
        gid = FIRST_RESERVED_GROUP + session_id
        self._nodes_from_replicas(replicas)  # replica errors come before configuration errors
        self._check_session_config(class_of_service, packet_length_bytes)
        if gid in self._groups:  # a CLI-made group squatting on the reserved id
            raise EntityError(
                ErrorCode.ALREADY_EXISTS, f"multicast group {gid} (reserved for clone session) exists"
            )
        self._p4rt_create(gid, replicas)
        self._p4rt_sessions.add(session_id)
        self._sessions[session_id] = CloneSession(session_id, mcast_grp=gid)

    def modify_clone_session(
        self,
        session_id: int,
        replicas: Sequence[P4RuntimeReplica],
        class_of_service: int = 0,
        packet_length_bytes: int = 0,
    ) -> None:
        self._check_session_id(session_id)
        if session_id not in self._p4rt_sessions:
            raise EntityError(ErrorCode.NOT_FOUND, f"clone session {session_id} does not exist")
        nodes = self._nodes_from_replicas(replicas)
        self._check_session_config(class_of_service, packet_length_bytes)
        gid = FIRST_RESERVED_GROUP + session_id
        self._p4rt_modify(gid, nodes)
        self._sessions[session_id] = CloneSession(session_id, mcast_grp=gid)

    def delete_clone_session(self, session_id: int) -> None:
        self._check_session_id(session_id)
        if session_id not in self._p4rt_sessions:
            raise EntityError(ErrorCode.NOT_FOUND, f"clone session {session_id} does not exist")
        self._p4rt_sessions.discard(session_id)
        self._sessions.pop(session_id, None)
        self._p4rt_delete(FIRST_RESERVED_GROUP + session_id)

    def read_clone_session(self, session_id: int) -> CloneSessionEntry:
        if session_id not in self._p4rt_sessions:
            raise EntityError(ErrorCode.NOT_FOUND, f"clone session {session_id} does not exist")
        replicas = self._read_replicas(FIRST_RESERVED_GROUP + session_id)
        return CloneSessionEntry(session_id, replicas, 0, 0)

    def clone_session_ids(self) -> list[int]:
        """P4Runtime wildcard read: ids of the P4Runtime clone sessions, ascending."""
        return sorted(self._p4rt_sessions)

    # ------------------------------------------------------------------------------ reset

    def clear(self) -> None:
        """Forget every group, node and session (a new forwarding pipeline)."""
        self._nodes.clear()
        self._groups.clear()
        self._replicas.clear()
        self._handles.reset()
        self._p4rt_groups.clear()
        self._sessions.clear()
        self._p4rt_sessions.clear()
