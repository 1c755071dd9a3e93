/* Feature test: tables with const entries.
 *
 * Checks (P4TARGET 2, "Const entries"):
 *  - t_range, a range key (ranges can only come from const entries in STF): inclusive bounds,
 *    a single-value range, and the first listed entry wins where two ranges overlap;
 *  - t_opt, an optional key next to an exact key: a value matches only that value, `_` matches all;
 *  - t_prio, ternary entries with @priority(N): the smallest N wins, whatever the listing order;
 *  - t_pos, ternary entries without annotations: the first listed matching entry wins;
 *  - t_lpm_c, lpm entries written with masks: the longest prefix wins, not the first listed;
 *  - a miss in each table runs its default action (which writes 0xEE).
 *
 * Input:  in_t = a, b, c, p, q (bit<8>), ip (bit<32>)
 * Output: in_t, out_t (r, o, pr, po, l), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<8>  b;
    bit<8>  c;
    bit<8>  p;
    bit<8>  q;
    bit<32> ip;
}
header out_t {
    bit<8> r;
    bit<8> o;
    bit<8> pr;
    bit<8> po;
    bit<8> l;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action set_r(bit<8> v) { hdr.o.r = v; }
    action set_o(bit<8> v) { hdr.o.o = v; }
    action set_pr(bit<8> v) { hdr.o.pr = v; }
    action set_po(bit<8> v) { hdr.o.po = v; }
    action set_l(bit<8> v) { hdr.o.l = v; }

    table t_range {
        key = { hdr.i.a: range; }
        actions = { set_r; }
        const entries = {
            8w0x00 .. 8w0x0F : set_r(1);
            8w0x05 .. 8w0x20 : set_r(2);
            8w0x80 .. 8w0x80 : set_r(3);
        }
        default_action = set_r(0xEE);
    }
    table t_opt {
        key = {
            hdr.i.b: optional;
            hdr.i.c: exact;
        }
        actions = { set_o; }
        const entries = {
            (8w0x01, 8w0x01) : set_o(1);
            (_, 8w0x01)      : set_o(2);
            (8w0x02, 8w0x02) : set_o(3);
        }
        default_action = set_o(0xEE);
    }
    table t_prio {
        key = { hdr.i.p: ternary; }
        actions = { set_pr; }
        const entries = {
            8w0x00 &&& 8w0x00 : set_pr(1) @priority(3);
            8w0x11 &&& 8w0xFF : set_pr(3) @priority(2);
            8w0x10 &&& 8w0xF0 : set_pr(2) @priority(1);
        }
        default_action = set_pr(0xEE);
    }
    table t_pos {
        key = { hdr.i.q: ternary; }
        actions = { set_po; }
        const entries = {
            8w0x11 &&& 8w0xFF : set_po(1);
            8w0x10 &&& 8w0xF0 : set_po(2);
            8w0x00 &&& 8w0xC0 : set_po(3);
        }
        default_action = set_po(0xEE);
    }
    table t_lpm_c {
        key = { hdr.i.ip: lpm; }
        actions = { set_l; }
        const entries = {
            32w0x0A000000 &&& 32w0xFF000000 : set_l(1);
            32w0x0A010000 &&& 32w0xFFFF0000 : set_l(2);
        }
        default_action = set_l(0xEE);
    }

    apply {
        hdr.o.setValid();
        t_range.apply();
        t_opt.apply();
        t_prio.apply();
        t_pos.apply();
        t_lpm_c.apply();
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
