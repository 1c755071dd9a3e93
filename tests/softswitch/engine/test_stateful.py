"""Tests for softswitch.engine.stateful: counters, trTCM meters and registers (BMv2 semantics)."""

from __future__ import annotations

import pytest

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.stateful import (
    GREEN,
    RED,
    YELLOW,
    CounterArray,
    CounterKind,
    MeterArray,
    MeterState,
    MeterUnit,
    RegisterArray,
)

# ---------------------------------------------------------------------------------- counters


def test_counter_keeps_packets_and_bytes_whatever_the_kind() -> None:
    for kind in CounterKind:
        c = CounterArray(4, kind)
        c.count(1, 100)
        c.count(1, 60)
        c.count(3, 1)
        assert c.read(1) == (2, 160)
        assert c.read(3) == (1, 1)
        assert c.read(0) == (0, 0)


def test_counter_index_out_of_range_does_nothing() -> None:
    c = CounterArray(2, CounterKind.PACKETS)
    c.count(2, 100)
    c.count(-1, 100)
    c.count(1 << 40, 100)
    assert c.packets == [0, 0] and c.bytes == [0, 0]


def test_counter_control_plane_write_reset_and_errors() -> None:
    c = CounterArray(2, CounterKind.BOTH, name="ingress.c")
    c.write(0, 7, 700)
    assert c.read(0) == (7, 700)
    c.reset()
    assert c.read(0) == (0, 0)
    with pytest.raises(EntityError) as exc:
        c.read(2)
    assert exc.value.code is ErrorCode.UNKNOWN
    assert "ingress.c" in exc.value.message
    with pytest.raises(EntityError) as exc:
        c.write(0, -1, 0)
    assert exc.value.code is ErrorCode.INVALID_ARGUMENT


# ------------------------------------------------------------------------------------ meters


def colours(state: MeterState, times: list[int], amount: int = 1) -> list[int]:
    return [state.execute(t, amount) for t in times]


def test_unconfigured_meter_is_green() -> None:
    m = MeterState()
    assert colours(m, [0, 1, 2, 1_000_000]) == [GREEN] * 4


def test_packet_meter_colours_follow_the_token_arithmetic() -> None:
    # CIR 0.001 pkt/µs (burst 2), PIR 0.002 pkt/µs (burst 4). Both buckets start full.
    m = MeterState()
    m.set_rates(0.001, 2, 0.002, 4)
    # t=1000: peak earned floor(2.0)=2, capped 4 -> 3 after debit; committed earned 1, capped 2 -> 1.
    assert m.execute(1000, 1) == GREEN
    # same time: peak 3->2, committed 1->0
    assert m.execute(1000, 1) == GREEN
    # peak 2->1, committed empty -> YELLOW (the peak bucket was debited)
    assert m.execute(1000, 1) == YELLOW
    # peak 1->0, committed empty -> YELLOW
    assert m.execute(1000, 1) == YELLOW
    # peak empty -> RED, nothing consumed
    assert m.execute(1000, 1) == RED
    # t=1500: peak earned floor(3.0)=3, +1 -> 1 -> debit 0; committed earned floor(1.5)=1, no new token
    assert m.execute(1500, 1) == YELLOW
    # t=2000: peak earned 4, +1 -> 0 after debit; committed earned 2, +1 -> 0 after debit
    assert m.execute(2000, 1) == GREEN
    assert (m.p_tokens, m.c_tokens) == (0, 0)


def test_red_consumes_nothing_from_either_bucket() -> None:
    m = MeterState()
    m.set_rates(0.0, 5, 0.0, 1)
    assert m.execute(0, 1) == GREEN  # peak 1->0, committed 5->4
    assert m.execute(0, 1) == RED
    assert m.execute(0, 1) == RED
    assert (m.p_tokens, m.c_tokens) == (0, 4)


def test_byte_meter_uses_the_packet_length() -> None:
    arr = MeterArray(2, MeterUnit.BYTES)
    arr.set_rates(0, 0.1, 100, 0.2, 200)
    # t=0: peak 200 >= 150 -> 50; committed 100 < 150 -> YELLOW
    assert arr.execute(0, 0, 150) == YELLOW
    # t=0: peak 50 < 60 -> RED
    assert arr.execute(0, 0, 60) == RED
    # t=100: peak +floor(20)=20 -> 70 >= 60 -> 10; committed +10 capped at 100 -> 40: GREEN
    assert arr.execute(0, 100, 60) == GREEN
    # index 1 is unconfigured
    assert arr.execute(1, 100, 10_000) == GREEN


def test_packet_meter_array_ignores_length() -> None:
    arr = MeterArray(1, MeterUnit.PACKETS)
    arr.set_rates(0, 0.0, 1, 0.0, 1)
    assert arr.execute(0, 0, 9000) == GREEN  # one token, whatever the length
    assert arr.execute(0, 0, 1) == RED


def test_meter_out_of_range_returns_none() -> None:
    arr = MeterArray(2, MeterUnit.PACKETS)
    assert arr.execute(2, 0, 64) is None
    assert arr.execute(-1, 0, 64) is None


def test_p4runtime_rates_are_per_second() -> None:
    per_us = MeterState()
    per_us.set_rates(0.001, 2, 0.002, 4)
    per_s = MeterState()
    per_s.set_rates_p4runtime(1000, 2, 2000, 4)
    times = [1000, 1000, 1000, 1000, 1000, 1500, 2000, 2500, 2500, 2500]
    assert colours(per_s, times) == colours(per_us, times)
    assert per_s.get_rates_p4runtime() == (1000, 2, 2000, 4)
    assert per_s.get_rates() == [(0.001, 2), (0.002, 4)]


def test_p4runtime_read_back_truncates_like_bmv2() -> None:
    m = MeterState()
    m.set_rates_p4runtime(249, 10, 1000, 20)
    # BMv2 stores 249/1e6 as a double and reads back (uint64)(rate*1e6), which is 248.
    assert m.get_rates_p4runtime() == (248, 10, 1000, 20)


def test_meter_reset_and_reconfigure() -> None:
    arr = MeterArray(1, MeterUnit.PACKETS)
    arr.set_rates(0, 0.0, 0, 0.0, 0)
    assert arr.execute(0, 0, 1) == RED
    assert arr.get_rates(0) == [(0.0, 0), (0.0, 0)]
    arr.reset(0)
    assert arr.execute(0, 0, 1) == GREEN
    assert arr.get_rates(0) == [] and arr.get_rates_p4runtime(0) is None
    arr.set_rates_p4runtime(0, 0, 1, 0, 1)  # reconfiguring refills the buckets
    assert arr.execute(0, 5, 1) == GREEN
    arr.reset_all()
    assert arr.execute(0, 5, 1) == GREEN


def test_meter_array_set_all_rates() -> None:
    arr = MeterArray(3, MeterUnit.PACKETS)
    arr.set_all_rates(0.0, 0, 0.0, 1)
    assert [arr.execute(i, 0, 1) for i in range(3)] == [YELLOW] * 3
    assert [arr.execute(i, 0, 1) for i in range(3)] == [RED] * 3


def test_meter_configuration_errors() -> None:
    m = MeterState()
    with pytest.raises(EntityError) as exc:
        m.set_rates(0.002, 1, 0.001, 1)  # CIR > PIR
    assert exc.value.code is ErrorCode.UNKNOWN
    assert not m.configured
    for args in ((-1.0, 1, 1.0, 1), (0.1, -1, 0.2, 1), (float("nan"), 1, 1.0, 1), (0.1, 1, 0.2, 1.5)):
        with pytest.raises(EntityError) as exc:
            m.set_rates(*args)
        assert exc.value.code is ErrorCode.INVALID_ARGUMENT
    with pytest.raises(EntityError) as exc:
        m.set_rates_p4runtime(-5, 1, 10, 1)
    assert exc.value.code is ErrorCode.INVALID_ARGUMENT
    arr = MeterArray(1, MeterUnit.BYTES, name="m")
    with pytest.raises(EntityError) as exc:
        arr.set_rates(1, 0.1, 1, 0.1, 1)
    assert exc.value.code is ErrorCode.UNKNOWN


def test_time_going_backwards_adds_no_tokens() -> None:
    m = MeterState()
    m.set_rates(0.001, 1, 0.001, 1)
    assert m.execute(5000, 1) == GREEN
    assert m.execute(4000, 1) == RED


# --------------------------------------------------------------------------------- registers


def test_register_starts_at_zero_and_wraps_unsigned() -> None:
    r = RegisterArray(4, 8)
    assert r.read(3) == 0
    r.write(1, 0x1FF)
    assert r.read(1) == 0xFF
    r.write(2, -1)
    assert r.read(2) == 0xFF


def test_register_wraps_signed() -> None:
    r = RegisterArray(2, 8, signed=True)
    r.write(0, 0x80)
    assert r.read(0) == -128
    r.write(0, 127)
    assert r.read(0) == 127
    r.write(0, 255)
    assert r.read(0) == -1
    r.write(1, -129)
    assert r.read(1) == 127
    assert r.wrap(-128) == -128


def test_register_out_of_range() -> None:
    r = RegisterArray(2, 32)
    assert r.read(2) is None
    assert r.read(-1) is None
    r.write(2, 5)
    r.write(-1, 5)
    assert r.values == [0, 0]
    with pytest.raises(EntityError) as exc:
        r.get(2)
    assert exc.value.code is ErrorCode.UNKNOWN
    with pytest.raises(EntityError):
        r.set(5, 1)


def test_register_control_plane() -> None:
    r = RegisterArray(3, 16)
    r.set(1, 0x12345)
    assert r.get(1) == 0x2345
    r.reset()
    assert r.values == [0, 0, 0]


def test_bad_declarations_raise_value_error() -> None:
    with pytest.raises(ValueError):
        RegisterArray(1, 0)
    with pytest.raises(ValueError):
        CounterArray(-1)
    with pytest.raises(ValueError):
        MeterArray(-1, MeterUnit.PACKETS)
