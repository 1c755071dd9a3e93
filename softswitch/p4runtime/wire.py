"""Protobuf wire-format pieces for building Read responses quickly, plus P4Runtime bytestrings.

Building 100,000 ``TableEntry`` messages through the protobuf API takes seconds; concatenating
their serialized forms takes milliseconds. Read responses are therefore assembled from bytes:
each entity is serialized once (or taken from a cache) and framed here.

Bytestrings: P4Runtime values are big-endian. A write may pad with leading zero bytes (or send an
empty string for 0); a read returns the *canonical* form: no leading zero bytes, ``b"\\x00"`` for 0.
"""

from __future__ import annotations

from softswitch.engine.tables import MatchKind, MatchValue
from softswitch.p4runtime.p4info_index import FieldInfo

__all__ = [
    "canonical_bytes",
    "counter_data_bytes",
    "encode_field_match",
    "entity_field",
    "is_canonical",
    "length_delimited",
    "meter_config_bytes",
    "read_response_chunks",
    "response_entities",
    "varint",
]

_SMALL_VARINTS = [bytes([n]) for n in range(128)]


def varint(n: int) -> bytes:
    """``n`` (>= 0) as a protobuf varint."""
    if n < 128:
        return _SMALL_VARINTS[n]
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def length_delimited(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: ``tag`` (already encoded) + length + payload."""
    n = len(payload)
    return tag + (_SMALL_VARINTS[n] if n < 128 else varint(n)) + payload


def canonical_bytes(value: int) -> bytes:
    """The canonical P4Runtime bytestring of ``value`` (>= 0)."""
    return value.to_bytes((value.bit_length() + 7) >> 3 or 1, "big")


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is already in canonical form."""
    return len(data) == 1 or (len(data) > 1 and data[0] != 0)


# Field tags of p4.v1.Entity's oneof members (field number << 3 | wire type 2).
_ENTITY_TAGS = {
    "extern_entry": b"\x0a",
    "table_entry": b"\x12",
    "action_profile_member": b"\x1a",
    "action_profile_group": b"\x22",
    "meter_entry": b"\x2a",
    "direct_meter_entry": b"\x32",
    "counter_entry": b"\x3a",
    "direct_counter_entry": b"\x42",
    "packet_replication_engine_entry": b"\x4a",
    "value_set_entry": b"\x52",
    "register_entry": b"\x5a",
    "digest_entry": b"\x62",
}


def entity_field(kind: str, message_bytes: bytes) -> bytes:
    """A serialized ``p4.v1.Entity`` holding the serialized message ``message_bytes`` as ``kind``."""
    return length_delimited(_ENTITY_TAGS[kind], message_bytes)


_RESPONSE_ENTITY_TAG = b"\x0a"  # ReadResponse.entities = 1


def response_entities(kind: str, messages: list[bytes]) -> list[bytes]:
    """Each message as a framed ``ReadResponse.entities`` field (an Entity holding it as ``kind``).

    Pieces from this function concatenate into a serialized ReadResponse.
    """
    tag = _ENTITY_TAGS[kind]
    small = _SMALL_VARINTS
    out: list[bytes] = []
    append = out.append
    for message in messages:
        n = len(message)
        inner = tag + (small[n] if n < 128 else varint(n))
        m = len(inner) + n
        append(b"".join((_RESPONSE_ENTITY_TAG, small[m] if m < 128 else varint(m), inner, message)))
    return out


def read_response_chunks(fields: list[bytes], max_bytes: int) -> list[bytes]:
    """Serialized ``ReadResponse`` messages holding the framed entity ``fields`` in order, each at
    most about ``max_bytes`` long (a single larger entity gets a response alone)."""
    chunks: list[bytes] = []
    start = 0
    size = 0
    for position, piece in enumerate(fields):
        n = len(piece)
        if size and size + n > max_bytes:
            chunks.append(b"".join(fields[start:position]))
            start = position
            size = 0
        size += n
    if start < len(fields) or not chunks:
        chunks.append(b"".join(fields[start:]))
    return chunks


def encode_field_match(info: FieldInfo, value: MatchValue) -> bytes:
    """Serialized ``p4.v1.FieldMatch`` for a non-wildcard value."""
    head = b"\x08" + varint(info.id)
    kind = info.kind
    if kind is MatchKind.EXACT or kind is MatchKind.OPTIONAL:
        assert isinstance(value, int)
        inner = length_delimited(b"\x0a", canonical_bytes(value))
        return head + length_delimited(b"\x12" if kind is MatchKind.EXACT else b"\x3a", inner)
    assert isinstance(value, tuple)
    a, b = value
    if kind is MatchKind.LPM:
        return head + length_delimited(b"\x22", length_delimited(b"\x0a", canonical_bytes(a)) + b"\x10" + varint(b))
    second = length_delimited(b"\x0a", canonical_bytes(a)) + length_delimited(b"\x12", canonical_bytes(b))
    return head + length_delimited(b"\x1a" if kind is MatchKind.TERNARY else b"\x32", second)


def meter_config_bytes(rates: tuple[int, int, int, int]) -> bytes:
    """Serialized ``p4.v1.MeterConfig`` (zero fields omitted, as protobuf does)."""
    out = []
    for tag, value in zip((b"\x08", b"\x10", b"\x18", b"\x20"), rates, strict=True):
        if value:
            out.append(tag + varint(value))
    return b"".join(out)


def counter_data_bytes(nbytes: int, packets: int) -> bytes:
    return (b"\x08" + varint(nbytes) if nbytes else b"") + (b"\x10" + varint(packets) if packets else b"")
