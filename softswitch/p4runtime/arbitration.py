"""Client arbitration: election ids, primary and backups, notifications (as PI).

* The connection with the highest election id is the primary. Each stream is told where it
  stands: OK "Is primary" or ALREADY_EXISTS "Is backup", with the primary's election id. When the
  primary changes, every stream is told again; otherwise only the stream that arbitrated.
* A second stream with an election id already in use is refused with INVALID_ARGUMENT and
  closed; a stream may change its own election id by sending a new arbitration message.
* At most 16 streams (RESOURCE_EXHAUSTED beyond).

**Deliberate difference from PI.** PI accepts a Write or SetForwardingPipelineConfig that carries
no election id when no stream is open. softswitch does not: such a request must carry the current
primary's election id, so a forgotten arbitration is caught at once instead of racing other
controllers (:meth:`Arbiter.check_writer`).
"""

from __future__ import annotations

import itertools
import queue
import threading
from dataclasses import dataclass, field

from finsy.proto import p4r, rpc_code

from softswitch.p4runtime.errors import RequestError

__all__ = ["MAX_CONNECTIONS", "Arbiter", "Connection", "StreamClose", "election_id_of"]

MAX_CONNECTIONS = 16
#: Stream messages other than arbitration (packet-ins, digests, idle timeouts) a slow client may
#: leave queued before new ones are dropped.
MAX_QUEUED_MESSAGES = 100_000


def election_id_of(value: p4r.Uint128) -> int:
    return (value.high << 64) | value.low


@dataclass(frozen=True, slots=True)
class StreamClose:
    """Queued on a connection's outbox: end the stream with this status (OK: end normally)."""

    code: int
    message: str = ""


_ids = itertools.count(1)


@dataclass(eq=False, slots=True)
class Connection:
    """One StreamChannel. Messages for the client go through ``outbox``."""

    device_id: int
    election_id: int | None = None
    conn_id: int = field(default_factory=lambda: next(_ids))
    outbox: queue.Queue[p4r.StreamMessageResponse | StreamClose] = field(default_factory=queue.Queue)
    dropped: int = 0

    def send(self, message: p4r.StreamMessageResponse) -> bool:
        """Queue a data message (dropped when the client is too slow); True if queued."""
        if self.outbox.qsize() >= MAX_QUEUED_MESSAGES:
            self.dropped += 1
            return False
        self.outbox.put(message)
        return True

    def close(self, code: int = rpc_code.OK, message: str = "") -> None:
        self.outbox.put(StreamClose(code, message))


class Arbiter:
    """The arbitration state of one device."""

    def __init__(self, device_id: int) -> None:
        self.device_id = device_id
        self._lock = threading.Lock()
        self._connections: list[Connection] = []  # arbitrated ones, highest election id first

    # ------------------------------------------------------------------------------ queries

    def primary(self) -> Connection | None:
        with self._lock:
            return self._connections[0] if self._connections else None

    def is_primary(self, conn: Connection) -> bool:
        with self._lock:
            return bool(self._connections) and self._connections[0] is conn

    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)

    def send_to_primary(self, message: p4r.StreamMessageResponse) -> bool:
        """Queue ``message`` for the primary; False when there is none (the message is dropped)."""
        primary = self.primary()
        if primary is None:
            return False
        return primary.send(message)

    def check_writer(self, request: p4r.WriteRequest | p4r.SetForwardingPipelineConfigRequest) -> None:
        """Raise PERMISSION_DENIED unless the request carries the primary's election id."""
        if not request.HasField("election_id"):
            raise RequestError(
                rpc_code.PERMISSION_DENIED,
                "Not primary: this request carries no election_id. softswitch (unlike simple_switch_grpc) "
                "accepts writes only from the primary controller: open a StreamChannel, send a "
                "MasterArbitrationUpdate, and put the same election_id in every Write and "
                "SetForwardingPipelineConfig request",
            )
        election_id = election_id_of(request.election_id)
        primary = self.primary()
        if primary is None:
            raise RequestError(
                rpc_code.PERMISSION_DENIED,
                "Not primary: no controller has arbitrated; open a StreamChannel and send a "
                "MasterArbitrationUpdate first",
            )
        if primary.election_id != election_id:
            raise RequestError(rpc_code.PERMISSION_DENIED, "Not primary")

    # ------------------------------------------------------------------------------ changes

    def arbitrate(self, conn: Connection, update: p4r.MasterArbitrationUpdate) -> None:
        """Handle an arbitration message; raises RequestError when the stream must close."""
        if update.device_id != self.device_id:
            if conn.election_id is not None:
                raise RequestError(rpc_code.FAILED_PRECONDITION, "Invalid device id: it differs from the stream's")
            raise RequestError(rpc_code.NOT_FOUND, f"Unknown device id {update.device_id}")
        election_id = election_id_of(update.election_id)
        with self._lock:
            connections = self._connections
            if conn.election_id is None:
                if len(connections) >= MAX_CONNECTIONS:
                    raise RequestError(rpc_code.RESOURCE_EXHAUSTED, "Too many connections")
                if any(c.election_id == election_id for c in connections):
                    raise RequestError(rpc_code.INVALID_ARGUMENT, "Election id already exists")
                old_primary = connections[0] if connections else None
                conn.election_id = election_id
                connections.append(conn)
            else:
                if conn.election_id == election_id:
                    self._notify(conn)
                    return
                if any(c.election_id == election_id for c in connections if c is not conn):
                    raise RequestError(rpc_code.INVALID_ARGUMENT, "New election id already exists")
                old_primary = connections[0] if connections else None
                conn.election_id = election_id
            connections.sort(key=lambda c: -(c.election_id or 0))
            if connections[0] is not old_primary:
                for c in connections:
                    self._notify(c)
            else:
                self._notify(conn)

    def remove(self, conn: Connection) -> None:
        """Forget a closed stream; if it was the primary, the others learn of the new primary."""
        with self._lock:
            connections = self._connections
            if conn not in connections:
                return
            was_primary = connections[0] is conn
            connections.remove(conn)
            if was_primary:
                for c in connections:
                    self._notify(c)

    def _notify(self, conn: Connection) -> None:
        primary = self._connections[0]
        message = p4r.StreamMessageResponse()
        arbitration = message.arbitration
        arbitration.device_id = self.device_id
        eid = primary.election_id or 0
        arbitration.election_id.high = eid >> 64
        arbitration.election_id.low = eid & 0xFFFFFFFFFFFFFFFF
        if conn is primary:
            arbitration.status.code = rpc_code.OK
            arbitration.status.message = "Is primary"
        else:
            arbitration.status.code = rpc_code.ALREADY_EXISTS
            arbitration.status.message = "Is backup"
        conn.outbox.put(message)
