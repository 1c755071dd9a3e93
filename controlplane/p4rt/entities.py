"""Turning the caller's entities into P4Runtime updates, and updates into capped batches.

The entities themselves are finsy's (``P4TableEntry``, ``P4MulticastGroupEntry``,
``P4CloneSessionEntry``, ``P4DigestEntry``, ``P4PacketOut``, ...; see finsy's ``p4entity``), or
raw ``p4r`` messages. What finsy lacks and this module adds:

* encoding that remembers which caller object produced each update, and reports an entity that
  does not fit the P4Info as :class:`~controlplane.p4rt.errors.InvalidEntityError` naming its
  position, before anything is sent;
* :func:`split_batches`: one write becomes several WriteRequests of at most ``max_updates``
  updates and ``max_bytes`` bytes each, so no request comes near gRPC's message limit (4 MB by
  default on most servers).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, runtime_checkable

from finsy import P4Schema
from finsy.proto import p4r

from controlplane.p4rt.errors import InvalidEntityError

__all__ = [
    "DEFAULT_MAX_BATCH_BYTES",
    "DEFAULT_MAX_BATCH_UPDATES",
    "EncodedWrite",
    "EntityItem",
    "SupportsEncodeEntity",
    "SupportsEncodeUpdate",
    "UpdateItem",
    "UpdateKind",
    "encode_entities",
    "encode_write",
    "split_batches",
]

DEFAULT_MAX_BATCH_UPDATES = 1000
DEFAULT_MAX_BATCH_BYTES = 1 << 20
#: Bytes one update adds to a WriteRequest beyond its own size (field tag and length prefix).
UPDATE_FRAMING_BYTES = 6

#: What finsy's encoders raise for an entity that does not fit the P4Info.
_ENCODE_ERRORS = (ValueError, KeyError, TypeError, OverflowError, AttributeError)


@runtime_checkable
class SupportsEncodeEntity(Protocol):
    """A finsy entity (or anything alike) that encodes itself as a P4Runtime Entity."""

    def encode(self, schema: P4Schema) -> p4r.Entity: ...


@runtime_checkable
class SupportsEncodeUpdate(Protocol):
    """A finsy entity marked ``+`` / ``~`` / ``-``, a ``P4PacketOut`` or a ``P4DigestListAck``."""

    def encode_update(self, schema: P4Schema) -> p4r.Update | p4r.StreamMessageRequest: ...


EntityItem: TypeAlias = p4r.Entity | SupportsEncodeEntity
UpdateItem: TypeAlias = p4r.Update | p4r.StreamMessageRequest | SupportsEncodeUpdate


class UpdateKind(enum.Enum):
    """The three writes of P4Runtime."""

    INSERT = p4r.Update.INSERT
    MODIFY = p4r.Update.MODIFY
    DELETE = p4r.Update.DELETE


@dataclass(slots=True)
class EncodedWrite:
    """A write ready to send: its updates (with the caller's object for each) and the stream
    messages (packet-outs, digest acks) found among the items."""

    updates: list[p4r.Update] = field(default_factory=list)
    sources: list[object] = field(default_factory=list)
    stream_messages: list[p4r.StreamMessageRequest] = field(default_factory=list)


def _describe_failure(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text if isinstance(err, ValueError) else f"{type(err).__name__}: {text}"


def encode_entities(items: Iterable[EntityItem], schema: P4Schema) -> list[p4r.Entity]:
    """Entities for a Read or an update; raises InvalidEntityError for one that does not fit."""
    result: list[p4r.Entity] = []
    for index, item in enumerate(items):
        if isinstance(item, p4r.Entity):
            result.append(item)
            continue
        if not isinstance(item, SupportsEncodeEntity) or isinstance(item, str | bytes):  # str has encode() too
            raise InvalidEntityError(index, item, f"{type(item).__name__} is not an entity")
        try:
            result.append(item.encode(schema))
        except _ENCODE_ERRORS as err:
            raise InvalidEntityError(index, item, _describe_failure(err)) from None
    return result


def encode_write(kind: UpdateKind | None, items: Iterable[object], schema: P4Schema) -> EncodedWrite:
    """Encode the items of one write.

    With a ``kind``, each item is an entity (:data:`EntityItem`) and becomes an update of that
    kind. Without one, each item already says what it is (:data:`UpdateItem`: a ``p4r.Update``,
    a finsy entity marked with ``+``/``~``/``-``, a packet-out, a digest ack).
    """
    out = EncodedWrite()
    for index, item in enumerate(items):
        try:
            message = _encode_one(kind, item, schema)
        except _ENCODE_ERRORS as err:
            raise InvalidEntityError(index, item, _describe_failure(err)) from None
        if message is None:
            expected = "an entity" if kind is not None else "an update (mark a finsy entity with +, ~ or -)"
            raise InvalidEntityError(index, item, f"{type(item).__name__} is not {expected}")
        if isinstance(message, p4r.StreamMessageRequest):
            out.stream_messages.append(message)
            continue
        if message.type == p4r.Update.UNSPECIFIED:
            raise InvalidEntityError(index, item, "the update has no type (INSERT, MODIFY or DELETE)")
        out.updates.append(message)
        out.sources.append(item)
    return out


def _encode_one(kind: UpdateKind | None, item: object, schema: P4Schema) -> p4r.Update | p4r.StreamMessageRequest | None:
    if kind is not None:
        if isinstance(item, p4r.Entity):
            return p4r.Update(type=kind.value, entity=item)
        if isinstance(item, SupportsEncodeEntity) and not isinstance(item, str | bytes):
            return p4r.Update(type=kind.value, entity=item.encode(schema))
        return None
    if isinstance(item, p4r.Update | p4r.StreamMessageRequest):
        return item
    if isinstance(item, SupportsEncodeUpdate):
        return item.encode_update(schema)
    return None


def split_batches(
    updates: Sequence[p4r.Update],
    *,
    max_updates: int = DEFAULT_MAX_BATCH_UPDATES,
    max_bytes: int = DEFAULT_MAX_BATCH_BYTES,
) -> Iterator[tuple[int, Sequence[p4r.Update]]]:
    """Cut ``updates`` into consecutive batches, yielding ``(index of the first, batch)``.

    A batch holds at most ``max_updates`` updates and, unless a single update is larger on its
    own, at most ``max_bytes`` bytes of encoded updates. Order is kept.
    """
    if max_updates < 1:
        raise ValueError("max_updates must be at least 1")
    if max_bytes < 1:
        raise ValueError("max_bytes must be at least 1")
    start = 0
    size = 0
    count = 0
    for index, update in enumerate(updates):
        cost = update.ByteSize() + UPDATE_FRAMING_BYTES
        if count and (count >= max_updates or size + cost > max_bytes):
            yield start, updates[start:index]
            start, size, count = index, 0, 0
        size += cost
        count += 1
    if count:
        yield start, updates[start:]
