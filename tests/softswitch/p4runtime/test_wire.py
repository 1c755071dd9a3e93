"""The hand-built wire format must equal what protobuf itself serializes for the same message."""

from __future__ import annotations

from finsy.proto import p4r
from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.engine.tables import MatchKind
from softswitch.p4runtime.p4info_index import FieldInfo
from softswitch.p4runtime.wire import (
    canonical_bytes,
    encode_field_match,
    is_canonical,
    meter_config_bytes,
    read_response_chunks,
    response_entities,
    varint,
)

FM = p4r.FieldMatch
values = st.integers(min_value=0, max_value=2**128)


@given(values)
def test_canonical_bytes(value: int) -> None:
    data = canonical_bytes(value)
    assert int.from_bytes(data, "big") == value
    assert is_canonical(data)
    assert not is_canonical(b"\x00" + data)
    assert not is_canonical(b"")


@given(st.integers(min_value=1, max_value=2**64 - 1))  # protobuf omits a 0 field
def test_varint_matches_protobuf(value: int) -> None:
    assert b"\x08" + varint(value) == p4r.Uint128(high=value).SerializeToString()


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=2**32 - 1), values, values)
def test_field_match_encoding(field_id: int, a: int, b: int) -> None:
    assert encode_field_match(FieldInfo(field_id, "f", 0, MatchKind.EXACT, 200), a) == FM(
        field_id=field_id, exact=FM.Exact(value=canonical_bytes(a))
    ).SerializeToString()
    assert encode_field_match(FieldInfo(field_id, "f", 0, MatchKind.OPTIONAL, 200), a) == FM(
        field_id=field_id, optional=FM.Optional(value=canonical_bytes(a))
    ).SerializeToString()
    assert encode_field_match(FieldInfo(field_id, "f", 0, MatchKind.TERNARY, 200), (a, b)) == FM(
        field_id=field_id, ternary=FM.Ternary(value=canonical_bytes(a), mask=canonical_bytes(b))
    ).SerializeToString()
    assert encode_field_match(FieldInfo(field_id, "f", 0, MatchKind.RANGE, 200), (a, b)) == FM(
        field_id=field_id, range=FM.Range(low=canonical_bytes(a), high=canonical_bytes(b))
    ).SerializeToString()
    plen = b % 129 + 1
    assert encode_field_match(FieldInfo(field_id, "f", 0, MatchKind.LPM, 200), (a, plen)) == FM(
        field_id=field_id, lpm=FM.LPM(value=canonical_bytes(a), prefix_len=plen)
    ).SerializeToString()


@given(st.tuples(*[st.integers(min_value=0, max_value=2**62)] * 4))
def test_meter_config_encoding(rates: tuple[int, int, int, int]) -> None:
    cir, cburst, pir, pburst = rates
    assert meter_config_bytes(rates) == p4r.MeterConfig(cir=cir, cburst=cburst, pir=pir, pburst=pburst).SerializeToString()


@settings(deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=40), st.integers(min_value=1, max_value=2000))
def test_read_responses_reassemble(payloads: list[bytes], limit: int) -> None:
    entries = [p4r.TableEntry(table_id=n + 1, metadata=data) for n, data in enumerate(payloads)]
    fields = response_entities("table_entry", [e.SerializeToString() for e in entries])
    chunks = read_response_chunks(fields, limit)
    got = [e.table_entry for chunk in chunks for e in p4r.ReadResponse.FromString(chunk).entities]
    assert got == entries
    for chunk in chunks:  # only a single oversized entity may exceed the limit
        assert len(chunk) <= limit or len(p4r.ReadResponse.FromString(chunk).entities) == 1
