"""The controller's P4Runtime client layer, built on finsy.

The controller reaches every switch (softswitch or BMv2) only through this package. It uses
finsy for what finsy does well — the gRPC channel and stream, client arbitration, the P4Info
model (:class:`P4Schema`), the entities (:class:`P4TableEntry`, :class:`P4MulticastGroupEntry`,
:class:`P4CloneSessionEntry`, :class:`P4DigestEntry`, :class:`P4PacketOut`, ...) and their
encoding — and adds its own layer only where finsy lacks something:

* **Capped batches** (:mod:`.entities`). finsy sends a whole write as one WriteRequest, however
  large; we cut it into batches of at most ``max_batch_updates`` updates and ``max_batch_bytes``
  bytes, report progress per batch, and give refused updates their index in the whole write.
* **One exception with per-update details** (:mod:`.errors`). finsy's ``P4ClientError`` only
  knows "NOT_FOUND only"; :class:`P4RuntimeError` covers every failure (including "not
  connected") with predicates such as ``all_not_found``, ``any_already_exists``,
  ``is_not_primary`` and ``is_pipeline_missing``, and each target's wording sits in one table.
  Entities that do not fit the P4Info fail early with :class:`InvalidEntityError` naming their
  position, not with a traceback from deep inside finsy.
* **Reconnects with real backoff and setup errors that reach the caller** (:mod:`.client`,
  :mod:`.pipeline`). finsy retries a failed switch after a fixed 10 s pause, and a failed
  pipeline push shows only as a crashed task in its log. :class:`SwitchConnection` reconnects
  after a growing, jittered delay; pushes the pipeline itself (finsy's cookie rule) so that a
  refusal comes back as :class:`P4RuntimeError` (``last_error``, ``wait_ready``); and calls an
  ``on_ready`` hook as primary after every (re)connection — where the edge layer reconciles.
* **Stream messages to callbacks** (:mod:`.stream`). finsy hands packet-ins, digests and
  idle-timeout notifications out through async iterators that exist only while iterated, and
  never acknowledges digests; we run named per-switch tasks that deliver them to
  :class:`StreamHandlers` callbacks (or :class:`StreamInbox` queues) across reconnects, and
  acknowledge each digest list after its handler returns.
* **Build outputs** (:mod:`.schema`). :class:`PipelineFiles` finds ``build/<target>/<prog>``
  outputs (``.p4info.txtpb`` plus ``.bin`` for softswitch or ``.json`` for BMv2) and loads them
  with clear errors.
* **Smaller gaps, closed in** :mod:`.client`: a deadline on arbitration (finsy waits forever
  for a switch that accepts TCP but never answers); one lock serializing our stream writes
  (packet-outs, digest acks), since grpc.aio fails a write issued while another is pending and
  finsy does not serialize them; ``wait_ready(primary=True)`` for the moment a new client is
  primary (a restarted controller can be backup for a moment, while the switch still holds its
  old stream with the same election id).

Left to finsy, as known limits: every unary RPC has finsy's fixed 10 s deadline (a Read of a
very large table would need paging by table); on an election-id clash finsy retries with the id
minus one and stays backup until the older stream is gone; finsy's own arbitration messages are not covered by our
stream lock; each connection logs finsy's "gNMI is not implemented" warning (softswitch and
BMv2 serve no gNMI).

Every name a caller needs is importable from here, finsy's entities included.
"""

from finsy import (
    P4CloneSessionEntry,
    P4DigestEntry,
    P4DigestList,
    P4DigestListAck,
    P4MulticastGroupEntry,
    P4PacketIn,
    P4PacketOut,
    P4Schema,
    P4TableAction,
    P4TableEntry,
    P4TableMatch,
)
from finsy.p4entity import P4Entity, P4IdleTimeoutNotification

from controlplane.p4rt.client import (
    Backoff,
    ClientOptions,
    ProgressCallback,
    ReadyHook,
    SwitchConnection,
    WriteStats,
)
from controlplane.p4rt.entities import UpdateKind, split_batches
from controlplane.p4rt.errors import (
    TARGET_WORDINGS,
    GRPCStatusCode,
    InvalidEntityError,
    P4RuntimeError,
    PipelineFileError,
    UpdateError,
)
from controlplane.p4rt.schema import TARGETS, PipelineFiles, digest_names, idle_timeout_tables
from controlplane.p4rt.stream import StreamHandlers, StreamInbox

__all__ = [
    "TARGETS",
    "TARGET_WORDINGS",
    "Backoff",
    "ClientOptions",
    "GRPCStatusCode",
    "InvalidEntityError",
    "P4CloneSessionEntry",
    "P4DigestEntry",
    "P4DigestList",
    "P4DigestListAck",
    "P4Entity",
    "P4IdleTimeoutNotification",
    "P4MulticastGroupEntry",
    "P4PacketIn",
    "P4PacketOut",
    "P4RuntimeError",
    "P4Schema",
    "P4TableAction",
    "P4TableEntry",
    "P4TableMatch",
    "PipelineFileError",
    "PipelineFiles",
    "ProgressCallback",
    "ReadyHook",
    "StreamHandlers",
    "StreamInbox",
    "SwitchConnection",
    "UpdateError",
    "UpdateKind",
    "WriteStats",
    "digest_names",
    "idle_timeout_tables",
    "split_batches",
]
