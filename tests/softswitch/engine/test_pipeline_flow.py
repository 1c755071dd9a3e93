"""The v1model packet flow in process: digests, random, counters (ingress length), direct counters
and meters, idle time, packet_length and the length register, timestamps, loops, asserts, header
growth, action selectors, value sets, and bad packets (which never raise)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softswitch.engine.pipeline import PipelineFatal, Switch
from softswitch.engine.program import Program
from softswitch.frontend.compiler import compile_file

HEADER = """
#include <core.p4>
#include <v1model.p4>
"""

TAIL = """
control V(inout headers_t h, inout meta_t m) { apply { } }
control C(inout headers_t h, inout meta_t m) { apply { } }
V1Switch(P(), V(), I(), E(), C(), D()) main;
"""


def load(body: str) -> Program:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prog.p4"
        path.write_text(HEADER + body + TAIL)
        return Program.from_frontend(compile_file(path))


SIMPLE_PARSER = """
header h_t { bit<8> a; bit<8> b; }
header x_t { bit<16> v; }
struct headers_t { h_t h; x_t x; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(h.h); transition accept; }
}
control D(packet_out pkt, in headers_t h) { apply { pkt.emit(h.h); pkt.emit(h.x); } }
"""


def test_digest_reads_fields_at_the_end_of_ingress() -> None:
    prog = load("""
struct learn_t { bit<8> a; bit<8> x; }
struct meta_t { bit<8> x; }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        m.x = 1;
        digest<learn_t>(1, { h.h.a, m.x });
        m.x = 2;
        sm.egress_spec = 1;
    }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { digest<learn_t>(1, { 8w9, 8w9 }); }
}
""")
    sw = Switch(prog)
    assert sw.process(0, b"\x07\x08") == [(1, b"\x07\x08")]
    assert len(sw.digests) == 1  # the egress digest is never sent
    msg = sw.digests.popleft()
    assert msg.name == "learn_t"
    assert msg.values == (7, 2)  # BMv2 reads the listed fields when ingress ends


def test_random_stays_in_range_and_lo_above_hi_leaves_the_result() -> None:
    prog = load("""
struct meta_t { }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        random(h.h.a, 8w10, 8w20);
        random(h.h.b, 8w5, 8w4);
        sm.egress_spec = 1;
    }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
""")
    sw = Switch(prog, seed=3)
    seen = set()
    for _ in range(300):
        [(_port, out)] = sw.process(0, b"\x00\x42")
        assert 10 <= out[0] <= 20
        assert out[1] == 0x42
        seen.add(out[0])
    assert seen == set(range(10, 21))


COUNTING = """
struct meta_t { }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    counter(8, CounterType.packets_and_bytes) c_in;
    direct_counter(CounterType.packets_and_bytes) dc;
    direct_meter<bit<8>>(MeterType.packets) dm;
    action hit(bit<9> port) { sm.egress_spec = port; dm.read(h.h.b); }
    table t {
        key = { h.h.a : exact; }
        actions = { hit; NoAction; }
        counters = dc;
        meters = dm;
        support_timeout = true;
    }
    apply {
        c_in.count(0);
        t.apply();
        h.x.setValid();
    }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    counter(8, CounterType.packets_and_bytes) c_out;
    apply {
        c_out.count(1);
        h.x.v = (bit<16>) sm.packet_length;
    }
}
"""


def test_counters_count_the_ingress_length_and_direct_resources_only_on_hits() -> None:
    prog = load(COUNTING)
    now = [1000]
    sw = Switch(prog, clock_us=lambda: now[0])
    t = prog.table("I.t")
    entry = t.add([5], "I.hit", [3], ttl_ns=10**9)
    hit = b"\x05\x00" + b"\xAA" * 10
    miss = b"\x06\x00" + b"\xAA" * 4
    out = sw.process(0, hit)
    # setValid(x) in ingress moved the length register by 2: egress sees 14
    assert out == [(3, b"\x05\x00" + (14).to_bytes(2, "big") + b"\xAA" * 10)]
    assert sw.process(0, miss) == [(0, b"\x06\x00" + (8).to_bytes(2, "big") + b"\xAA" * 4)]
    assert (entry.packets, entry.bytes) == (1, 12)
    assert prog.counter("I.c_in").read(0) == (2, 18)
    assert prog.counter("E.c_out").read(1) == (2, 18)  # ingress length, not the grown packet
    assert entry.last_hit_ns > 0


def test_direct_meter_colours_before_the_action_runs() -> None:
    prog = load(COUNTING)
    sw = Switch(prog, clock_us=lambda: 0)
    t = prog.table("I.t")
    entry = t.add([5], "I.hit", [3])
    from softswitch.engine.stateful import MeterState

    entry.meter = MeterState()
    entry.meter.set_rates(0.0, 1, 0.0, 2)
    colours = [sw.process(0, b"\x05\x00")[0][1][1] for _ in range(3)]
    assert colours == [0, 1, 2]


def test_timestamps_come_from_the_switch_clock() -> None:
    prog = load("""
struct meta_t { }
header ts_t { bit<48> ig; bit<48> eg; }
struct headers_t { ts_t ts; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    state start { transition accept; }
}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { h.ts.setValid(); h.ts.ig = sm.ingress_global_timestamp; sm.egress_spec = 2; }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { h.ts.eg = sm.egress_global_timestamp; }
}
control D(packet_out pkt, in headers_t h) { apply { pkt.emit(h.ts); } }
""")
    sw = Switch(prog, clock_us=lambda: 123456)
    [(port, out)] = sw.process(1, b"payload")
    assert port == 2
    assert out == (123456).to_bytes(6, "big") * 2 + b"payload"


def test_endless_recirculation_is_bounded() -> None:
    prog = load("""
struct meta_t { }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { sm.egress_spec = 1; }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { recirculate_preserving_field_list(0); }
}
""")
    sw = Switch(prog, max_passes=10)
    assert sw.process(0, b"\x01\x02") == []


def test_failed_assert_stops_the_switch() -> None:
    prog = load("""
struct meta_t { }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { assert(h.h.a != 0); sm.egress_spec = 1; }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
""")
    sw = Switch(prog)
    assert sw.process(0, b"\x01\x02") == [(1, b"\x01\x02")]
    with pytest.raises(PipelineFatal, match="assert"):
        sw.process(0, b"\x00\x02")


def test_more_than_512_bytes_of_new_headers_is_dropped() -> None:
    prog = load("""
struct meta_t { }
header big_t { bit<2048> v; }
struct headers_t { big_t[3] big; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    state start { transition accept; }
}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        h.big[0].setValid();
        h.big[1].setValid();
        if (sm.ingress_port == 1) { h.big[2].setValid(); }
        sm.egress_spec = 1;
    }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t h) { apply { pkt.emit(h.big); } }
""")
    sw = Switch(prog)
    [(_port, out)] = sw.process(0, b"x")
    assert len(out) == 513
    assert sw.process(1, b"x") == []


def test_action_selector_picks_member_by_hash_mod_group_size() -> None:
    prog = load("""
struct meta_t { }
""" + SIMPLE_PARSER + """
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    action fwd(bit<9> port) { sm.egress_spec = port; }
    table t {
        key = { h.h.a : exact; h.h.b : selector; }
        actions = { fwd; NoAction; }
        implementation = action_selector(HashAlgorithm.identity, 32w16, 32w16);
    }
    apply { t.apply(); }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
""")
    sw = Switch(prog)
    t = prog.table("I.t")
    assert t.profile is not None
    ref = t.action("fwd")
    for mid in range(3):
        t.profile.insert_member(mid + 1, ref, (10 + mid,))
    group = t.profile.insert_group(7, [(1, 1, None), (2, 1, None), (3, 1, None)])
    t.table.insert([1], group)
    t.table.insert([2], t.profile.member_for_entry(2))
    # identity hash of the selector field b: member index b % 3 over members in handle order
    for b in range(6):
        assert sw.process(0, bytes([1, b])) == [(10 + b % 3, bytes([1, b]))]
    assert sw.process(0, b"\x02\x05") == [(11, b"\x02\x05")]


def test_parser_value_set() -> None:
    prog = load("""
struct meta_t { }
header h_t { bit<8> a; bit<8> b; }
header x_t { bit<16> v; }
struct headers_t { h_t h; x_t x; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    value_set<bit<8>>(4) special;
    state start {
        pkt.extract(h.h);
        transition select(h.h.a) {
            special: more;
            default: accept;
        }
    }
    state more { pkt.extract(h.x); transition accept; }
}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { sm.egress_spec = h.x.isValid() ? 9w2 : 9w1; }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t h) { apply { pkt.emit(h.h); pkt.emit(h.x); } }
""")
    sw = Switch(prog)
    pkt = b"\x33\x00\xAB\xCD"
    assert sw.process(0, pkt) == [(1, pkt)]
    prog.value_set("P.special").add(0x33)
    assert sw.process(0, pkt) == [(2, pkt)]


ROBUST = """
struct meta_t { }
header len_t { bit<8> n; bit<8> kind; }
header opt_t { bit<8> a; varbit<64> data; }
header item_t { bit<8> v; }
header_union u_t { len_t l; item_t i; }
struct headers_t { len_t len; opt_t opt; item_t[3] items; u_t u; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(h.len);
        transition select(h.len.kind, pkt.lookahead<bit<8>>()) {
            (1, _): opt;
            (2, _): items;
            (3, 0 .. 0x7F): adv;
            (4, _): un;
            default: accept;
        }
    }
    state opt { pkt.extract(h.opt, (bit<32>) h.len.n); transition accept; }
    state items {
        pkt.extract(h.items.next);
        transition select(h.items.last.v) { 0: accept; default: items; }
    }
    state adv { pkt.advance((bit<32>) h.len.n); transition start; }
    state un { pkt.extract(h.u.i); verify(h.u.i.v != 0xFF, error.NoMatch); transition accept; }
}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply { sm.egress_spec = 1; }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t h) {
    apply { pkt.emit(h.len); pkt.emit(h.opt); pkt.emit(h.items); pkt.emit(h.u); }
}
"""


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=40))
def test_bad_packets_take_the_parser_error_path_and_never_raise(data: bytes) -> None:
    sw = _robust_switch()
    out = sw.process(0, data)
    # every byte is either parsed into a header and emitted again, or left in the payload,
    # except what advance() consumed
    assert len(out) == 1
    port, pkt = out[0]
    assert port == 1
    assert len(pkt) <= len(data)


_ROBUST: list[Switch] = []


def _robust_switch() -> Switch:
    if not _ROBUST:
        _ROBUST.append(Switch(load(ROBUST)))
    return _ROBUST[0]


REPLICATE = """
struct meta_t { }
header info_t { bit<8> itype; bit<8> rid; bit<8> eport; }
header h_t { bit<8> a; bit<8> b; }
struct headers_t { h_t h; info_t info; }
parser P(packet_in pkt, out headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(h.h); transition accept; }
}
control I(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        if (h.h.a == 1) { sm.mcast_grp = 3; }
        if (h.h.a == 2) { clone(CloneType.I2E, 9); sm.egress_spec = 4; }
    }
}
control E(inout headers_t h, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        h.info.setValid();
        h.info.itype = (bit<8>) sm.instance_type;
        h.info.rid = (bit<8>) sm.egress_rid;
        h.info.eport = (bit<8>) sm.egress_port;
    }
}
control D(packet_out pkt, in headers_t h) { apply { pkt.emit(h.h); pkt.emit(h.info); } }
"""


def test_p4runtime_multicast_groups_and_clone_sessions() -> None:
    sw = Switch(load(REPLICATE))
    # replicas as (egress_port, instance): one node per instance, ports ascending within a node
    sw.pre.insert_group(3, [(6, 1), (2, 1), (5, 2)])
    out = sw.process(0, b"\x01\x00")
    assert out == [
        (2, b"\x01\x00" + bytes([5, 1, 2])),
        (6, b"\x01\x00" + bytes([5, 1, 6])),
        (5, b"\x01\x00" + bytes([5, 2, 5])),
    ]
    # an unknown group yields no copies; the original is discarded anyway
    sw.pre.delete_group(3)
    assert sw.process(0, b"\x01\x00") == []
    # a clone session through P4Runtime: the I2E copy is queued before the original
    sw.pre.insert_clone_session(9, [(7, 0)])
    assert sw.process(0, b"\x02\x00") == [
        (7, b"\x02\x00" + bytes([1, 0, 7])),
        (4, b"\x02\x00" + bytes([0, 0, 4])),
    ]
