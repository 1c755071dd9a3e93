"""StreamChannel: what a controller's stream sends us, and what goes back to it.

Each stream is a :class:`~softswitch.p4runtime.arbitration.Connection`. A reader thread takes the
client's messages (:func:`read_stream`); whatever the switch has for the client (arbitration
notices, PacketIn, DigestList, IdleTimeoutNotification, StreamError) is queued on the connection's
outbox and written by the RPC handler.

* Arbitration messages go to the arbiter; a refusal closes the stream with its status.
* PacketOut and DigestListAck count only from the primary; from anyone else they are dropped
  silently, as are messages sent before arbitrating (PI's behaviour).
* A PacketOut the switch cannot encode (unknown metadata id, value too wide) is answered with a
  StreamError carrying the packet, code INVALID_ARGUMENT.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from finsy.proto import p4r, rpc_code

from softswitch.p4runtime.arbitration import Connection
from softswitch.p4runtime.device import Device, PacketOutError
from softswitch.p4runtime.errors import ERROR_SPACE, RequestError

__all__ = ["read_stream"]

log = logging.getLogger("softswitch.p4runtime")


def _stream_error(packet: p4r.PacketOut, message: str) -> p4r.StreamMessageResponse:
    response = p4r.StreamMessageResponse()
    error = response.error
    error.canonical_code = rpc_code.INVALID_ARGUMENT
    error.message = message
    error.space = ERROR_SPACE
    error.packet_out.packet_out.CopyFrom(packet)
    return response


def handle_message(device: Device, conn: Connection, request: p4r.StreamMessageRequest) -> bool:
    """Act on one client message; False when the stream must end (it has been closed)."""
    if not isinstance(request, p4r.StreamMessageRequest):  # a message that did not parse
        conn.close(rpc_code.INVALID_ARGUMENT, str(getattr(request, "message", "malformed stream message")))
        return False
    which = request.WhichOneof("update")
    if which == "arbitration":
        try:
            device.arbiter.arbitrate(conn, request.arbitration)
        except RequestError as err:
            conn.close(err.code, err.message)
            return False
    elif which == "packet":
        if device.arbiter.is_primary(conn):
            try:
                device.packet_out(request.packet)
            except PacketOutError as err:
                conn.send(_stream_error(request.packet, str(err)))
    elif which == "digest_ack":
        active = device.active
        if active is not None and device.arbiter.is_primary(conn):
            ack = request.digest_ack
            active.binding.digests.ack(ack.digest_id, ack.list_id)
    return True


def read_stream(device: Device, conn: Connection, requests: Iterator[p4r.StreamMessageRequest]) -> None:
    """Consume the client's side of a stream until it ends, then close the connection."""
    try:
        for request in requests:
            try:
                if not handle_message(device, conn, request):
                    return
            except Exception:  # a bug handling one message must not kill the stream
                log.exception("%s: stream message could not be handled", device.name)
    except Exception as err:  # the RPC was cancelled or the connection dropped
        log.debug("%s: stream %d ended: %s", device.name, conn.conn_id, err)
    finally:
        device.arbiter.remove(conn)
        conn.close()
