/* Feature test: hit, miss and switch on action_run.
 *
 * Checks: `switch (t.apply().action_run)` with a case per action, two labels sharing one body
 * (a2 falls through to a3's body), and a default case that catches both an entry whose action has
 * no case (a4) and a miss (the default action NoAction, P4TARGET 2: action_run is the action that
 * ran); `t.apply().hit` true only when an entry matched; `t.apply().miss` the opposite.
 *
 * Input:  in_t.k (bit<8>)
 * Output: in_t, out_t (act: what the action wrote, 0 if none; sw: 1 for a1, 23 for a2/a3, 0xDD
 *         for default; hit: 1 hit / 2 miss; miss: 1 miss / 2 hit), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> k; }
header out_t {
    bit<8> act;
    bit<8> sw;
    bit<8> hit;
    bit<8> miss;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action a1() { hdr.o.act = 0xA1; }
    action a2() { hdr.o.act = 0xA2; }
    action a3() { hdr.o.act = 0xA3; }
    action a4() { hdr.o.act = 0xA4; }

    table t_sw {
        key = { hdr.i.k: exact; }
        actions = { a1; a2; a3; a4; NoAction; }
        default_action = NoAction();
    }
    table t_hit {
        key = { hdr.i.k: exact; }
        actions = { NoAction; }
        default_action = NoAction();
    }
    table t_miss {
        key = { hdr.i.k: exact; }
        actions = { NoAction; }
        default_action = NoAction();
    }

    apply {
        hdr.o.setValid();
        switch (t_sw.apply().action_run) {
            a1: { hdr.o.sw = 1; }
            a2:
            a3: { hdr.o.sw = 23; }
            default: { hdr.o.sw = 0xDD; }
        }
        if (t_hit.apply().hit) {
            hdr.o.hit = 1;
        } else {
            hdr.o.hit = 2;
        }
        if (t_miss.apply().miss) {
            hdr.o.miss = 1;
        } else {
            hdr.o.miss = 2;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
